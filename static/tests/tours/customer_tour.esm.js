/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

/** The customer on the portal: book a video call, then start one now. */
registry.category("web_tour.tours").add("helpdesk_apizee_portal_tour", {
    steps: () => [
        {
            content: "The ticket's page offers a video call",
            trigger: "#apizee_video:contains(Show us the problem by video)",
        },
        {
            content: "Book a video call",
            trigger: "#apizee_video a.o_apizee_book",
            run: "click",
        },
        {
            content: "Take the first free time",
            trigger: ".o_apizee_book_page button.o_apizee_slot",
            run: "click",
        },
        {
            content: "Back on the ticket: the appointment is booked and listed",
            trigger:
                "#apizee_video:has(.alert-success) .o_apizee_appointment:contains(Cancel)",
        },
        {
            // The button's form, sent as the browser sends it, following the
            // redirect (to the stand-in's page for the customer, on another origin:
            // an opaque answer, the tour stays on this page)
            content: "Start a video call now",
            trigger: "#apizee_video .o_apizee_join_form button[type=submit]",
            async run() {
                const form = document.querySelector(
                    "#apizee_video .o_apizee_join_form"
                );
                await fetch(form.action, {
                    method: "POST",
                    body: new FormData(form),
                    mode: "no-cors",
                });
            },
        },
    ],
});

/** The agent, on the ticket, is told that the customer is waiting in the call. */
registry.category("web_tour.tours").add("helpdesk_apizee_customer_waiting_tour", {
    steps: () => [
        {
            content: "The ticket is open",
            trigger: ".o_form_view .o_apizee_video_call_button",
        },
        {
            content: "A sticky notice says the customer is waiting, with Join",
            trigger:
                ".o_notification:contains(A customer is waiting):contains(Tour Customer)" +
                " button:contains(Join)",
            timeout: 30000,
            run: "click",
        },
        {
            content: "Join closed the notice (the room opened in a new tab)",
            trigger: "body:not(:has(.o_notification:contains(A customer is waiting)))",
        },
        {
            content: "The form read the ticket again: the call waits for the customer",
            trigger:
                ".o_form_view .o_apizee_live_status:contains(Waiting for the customer)",
        },
        {
            content: "The chatter says who opened the link",
            trigger: ".o-mail-Message:contains(opened the video call link)",
        },
    ],
});

/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

/**
 * The agent keeps the ticket open while the stand-in plays a whole session as
 * webhooks: the chip, the chatter and the sessions tab follow through the bus,
 * with no reload (a reload would forget the mark this tour leaves on the page).
 */
registry.category("web_tour.tours").add("helpdesk_apizee_live_status_tour", {
    steps: () => [
        {
            content: "Mark the page: a reload would forget the mark",
            trigger: ".o_form_view .o_apizee_video_call_button",
            run() {
                window.apizeeNoReload = true;
            },
        },
        {
            content: "Video call: Apizee sends the link",
            trigger: ".o_form_view button.o_apizee_video_call_button",
            run: "click",
        },
        {
            content: "The chip says the customer is awaited",
            trigger: ".o_apizee_live_status:contains(Waiting for the customer)",
        },
        {
            content: "The customer joined: in call, in green",
            trigger: ".o_apizee_live_status.text-bg-success:contains(In call since)",
            timeout: 30000,
        },
        {
            content: "The call ended",
            trigger: ".o_apizee_live_status:not(.text-bg-success):contains(Ended)",
            timeout: 30000,
        },
        {
            content: "The chatter shows the session's timeline",
            trigger: ".o-mail-Message:contains(Video session started)",
            timeout: 30000,
        },
        {
            content: "... and the picture taken during the call",
            trigger: ".o-mail-Message .o-mail-AttachmentImage",
            timeout: 30000,
        },
        {
            content: "Open the sessions tab",
            trigger: ".o_notebook .nav-link:contains(Video sessions)",
            run: "click",
        },
        {
            content: "The session is listed as done",
            trigger:
                ".o_field_widget[name=apizee_session_ids] .o_data_row:contains(Done)",
        },
        {
            content: "All this without a reload",
            trigger: ".o_form_view",
            run() {
                if (!window.apizeeNoReload) {
                    throw new Error("The page was reloaded");
                }
            },
        },
    ],
});

/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

/**
 * The session's steps, once a first click opened the room.
 *
 * @returns {Object[]} tour steps
 */
const sessionSteps = () => [
    {
        content: "The ticket now counts one video session",
        trigger: ".o_form_view .oe_stat_button:contains(Video sessions):contains(1)",
    },
    {
        content: "Its sessions are listed on the ticket",
        trigger: ".o_notebook .nav-link:contains(Video sessions)",
        run: "click",
    },
    {
        content: "The session is listed with its state",
        trigger: ".o_field_widget[name=apizee_session_ids] .o_data_row .badge",
    },
    {
        content: "Refresh reads it back from Apizee",
        trigger:
            ".o_field_widget[name=apizee_session_ids] .o_data_row " +
            "button[name=action_apizee_refresh]",
        run: "click",
    },
    {
        content: "Still listed after the refresh",
        trigger: ".o_field_widget[name=apizee_session_ids] .o_data_row .badge",
    },
];

registry.category("web_tour.tours").add("helpdesk_apizee_open_room_tour", {
    steps: () => [
        {
            content: "Open the menu of the other ways to call",
            trigger: ".o_form_view button.o_apizee_video_call_toggle",
            run: "click",
        },
        {
            content: "The invitation form is there; the panel is not configured",
            trigger:
                ".o_apizee_video_call_menu:not(:has(.o_apizee_agent_panel_button))" +
                " button.o_apizee_invite_button",
        },
        {
            content: "Join the room of the ticket",
            trigger: ".o_apizee_video_call_menu button.o_apizee_open_room_button",
            run: "click",
        },
        {
            content: "The menu closed with the choice",
            trigger: "body:not(:has(.o_apizee_video_call_menu))",
        },
        ...sessionSteps(),
    ],
});

registry.category("web_tour.tours").add("helpdesk_apizee_send_link_tour", {
    steps: () => [
        {
            content: "Video call: Apizee sends the link (the company's default way)",
            trigger: ".o_form_view button.o_apizee_video_call_button",
            run: "click",
        },
        ...sessionSteps(),
    ],
});

registry.category("web_tour.tours").add("helpdesk_apizee_phone_ways_tour", {
    steps: () => [
        {
            content: "Open the ⚙ menu, where the phone shows the ticket's header",
            trigger: ".o_control_panel button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: "Each way to a call is a row of its own",
            trigger:
                ".o-dropdown--menu .o_apizee_video_call_rows:has(.o_apizee_video_call_button)" +
                ":has(.o_apizee_invite_button):has(.o_apizee_agent_panel_button)",
        },
        {
            content: "Join the room",
            trigger:
                ".o-dropdown--menu .o_apizee_video_call_rows .o_apizee_open_room_button",
            run: "click",
        },
        {
            content: "Outside the ⚙ menu, the ticket's top says the call is awaited",
            trigger:
                "body:not(:has(.o_apizee_video_call_rows)) " +
                ".o_form_sheet .o_apizee_live_status:contains(Waiting for the customer)",
        },
        {
            content: "The ⚙ menu closed; the ticket lists the session",
            trigger:
                "body:not(:has(.o_apizee_video_call_rows)) " +
                ".o_notebook .nav-link:contains(Video sessions)",
            run: "click",
        },
        {
            content: "The session is listed",
            trigger:
                ".o_field_widget[name=apizee_session_ids] :is(.o_data_row, .o_kanban_record)",
        },
    ],
});

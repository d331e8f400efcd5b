/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_apizee_open_room_tour", {
    steps: () => [
        {
            content: "Open the video room of the ticket",
            trigger: ".o_form_view button.o_apizee_open_room_button",
            run: "click",
        },
        {
            content: "The ticket now counts one video session",
            trigger:
                ".o_form_view .oe_stat_button:contains(Video sessions):contains(1)",
        },
        {
            content: "Its sessions are listed on the ticket",
            trigger: ".o_notebook .nav-link:contains(Video sessions)",
            run: "click",
        },
        {
            content: "The session is new, with its room button",
            trigger:
                ".o_field_widget[name=apizee_session_ids] .o_data_row " +
                ".badge:contains(New)",
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
    ],
});

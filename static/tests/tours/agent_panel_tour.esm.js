/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_apizee_agent_panel_tour", {
    steps: () => [
        {
            content: "Video call shows the call in Odoo (the company's default way)",
            trigger: ".o_form_view button.o_apizee_video_call_button",
            run: "click",
        },
        {
            content: "Apizee's agent app is shown inside Odoo, for this company",
            trigger: ".modal iframe.o_apizee_agent_frame",
            run: function () {
                const src = this.anchor.getAttribute("src");
                if (!src.startsWith("https://app.apizee.com/agent/?iK=tour-ik&")) {
                    throw new Error(`Unexpected iframe src: ${src}`);
                }
            },
        },
        {
            content: "The app's messages reach the panel, and the ticket",
            trigger: ".modal .o_apizee_agent_frame[data-ready='1'][data-last=joined]",
        },
    ],
});

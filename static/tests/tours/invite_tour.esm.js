/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

const EXPECTED_URL =
    "https://cloud.apizee.com/quick-invitation?reference=TOUR-0001" +
    "&service_key=5f3c0d9b7e2a4c1f8b6d0e9a3c7b5e21" +
    "&phone_numbers=%2B33612345678&email_addresses=tour.customer@example.com";

registry.category("web_tour.tours").add("helpdesk_apizee_invite_tour", {
    steps: () => [
        {
            content:
                "Click Video call: the invitation form (the company's default way)",
            trigger: ".o_form_view button.o_apizee_video_call_button",
            run: "click",
        },
        {
            content: "The wizard shows the normalised phone as valid",
            trigger:
                ".modal .o_field_widget[name=recipients_html] " +
                "li[data-apizee-state=valid]:contains(+33612345678)",
        },
        {
            content: "The team's service is preselected",
            trigger: ".modal .o_field_widget[name=service_id] input",
            run: function () {
                if (this.anchor.value !== "Tour assistance") {
                    throw new Error(`Unexpected service: ${this.anchor.value}`);
                }
            },
        },
        {
            content: "Open Apizee",
            trigger: ".modal button.o_apizee_confirm",
            run: "click",
        },
        {
            content: "Apizee's form is shown inside Odoo with the expected URL",
            trigger: ".modal iframe.o_apizee_invitation_frame",
            run: function () {
                const src = this.anchor.getAttribute("src");
                if (src !== EXPECTED_URL) {
                    throw new Error(`Unexpected iframe src: ${src}`);
                }
                if (!this.anchor.getAttribute("allow").includes("camera")) {
                    throw new Error("The iframe does not allow the camera");
                }
            },
        },
        {
            content: "A link opens the same form in a new tab",
            trigger: `.modal a.o_apizee_open_new_tab[target=_blank][href="${EXPECTED_URL}"]`,
        },
    ],
});

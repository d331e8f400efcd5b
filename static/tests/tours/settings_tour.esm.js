/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

/** Settings > Helpdesk as an administrator opens it: the Apizee blocks. */
registry.category("web_tour.tours").add("helpdesk_apizee_settings_tour", {
    steps: () => [
        {
            content:
                "The technical account says its password is set, as the page opens",
            trigger: "#helpdesk_apizee_account:contains(A password is set.)",
        },
        {
            content: "... and the password itself is nowhere in the page",
            trigger: "#helpdesk_apizee_account input[type=password]",
            run() {
                if (document.body.innerHTML.includes("tour-secret")) {
                    throw new Error("The password reached the browser");
                }
            },
        },
        {
            content: "What Video call does, as radio buttons",
            trigger: "#helpdesk_apizee_video_call_path .o_field_radio input:checked",
        },
        {
            content: "The webhook URL is there to copy",
            trigger:
                "#helpdesk_apizee_webhook .o_field_CopyClipboardChar:contains(/helpdesk_apizee/webhook)",
        },
    ],
});

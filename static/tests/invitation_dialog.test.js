/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {expect, test} from "@odoo/hoot";
import {getService, mountWithCleanup} from "@web/../tests/web_test_helpers";
import {WebClient} from "@web/webclient/webclient";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";

defineMailModels();

const URL =
    "https://cloud.apizee.com/quick-invitation?reference=HT0001" +
    "&service_key=5f3c0d9b7e2a4c1f8b6d0e9a3c7b5e21&phone_numbers=%2B33612345678";
const ALLOW =
    "autoplay; microphone; camera; display-capture; encrypted-media; clipboard-write";

async function openInvitation(params) {
    await mountWithCleanup(WebClient);
    await getService("action").doAction({
        type: "ir.actions.client",
        tag: "helpdesk_apizee.invitation_dialog",
        name: "Apizee invitation",
        target: "new",
        params,
        context: {dialog_size: "extra-large"},
    });
}

test("shows Apizee's form in an iframe inside a dialog", async () => {
    await openInvitation({url: URL, allow: ALLOW});
    expect(".modal-title").toHaveText("Apizee invitation");
    expect(".modal .modal-dialog").toHaveClass("modal-xl");
    expect(".modal iframe.o_apizee_invitation_frame").toHaveCount(1);
    // Hoot's template processor moves an iframe's `src` to `data-src` (no loading in tests)
    expect(".modal iframe.o_apizee_invitation_frame").toHaveAttribute("data-src", URL);
    expect(".modal iframe.o_apizee_invitation_frame").toHaveAttribute("allow", ALLOW);
});

test("offers the same form in a new tab", async () => {
    await openInvitation({url: URL, allow: ALLOW});
    expect(".modal a.o_apizee_open_new_tab").toHaveAttribute("href", URL);
    expect(".modal a.o_apizee_open_new_tab").toHaveAttribute("target", "_blank");
    expect(".modal a.o_apizee_open_new_tab").toHaveAttribute(
        "rel",
        "noopener noreferrer"
    );
});

test("refuses a URL that is not https", async () => {
    // eslint-disable-next-line no-script-url
    await openInvitation({url: "javascript:alert(1)", allow: ALLOW});
    expect(".modal iframe").toHaveCount(0);
    expect(".modal a.o_apizee_open_new_tab").toHaveCount(0);
    expect(".modal .alert-danger").toHaveCount(1);
});

test("refuses a missing URL", async () => {
    await openInvitation({});
    expect(".modal iframe").toHaveCount(0);
    expect(".modal .alert-danger").toHaveCount(1);
});

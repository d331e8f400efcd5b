/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {expect, test} from "@odoo/hoot";
import {animationFrame} from "@odoo/hoot-mock";
import {
    contains,
    mockService,
    mountWithCleanup,
    patchWithCleanup,
} from "@web/../tests/web_test_helpers";
import {assets} from "@web/core/assets";
import {browser} from "@web/core/browser/browser";
import {WebClient} from "@web/webclient/webclient";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";

defineMailModels();

const CHANNEL = "helpdesk_apizee/customer_waiting";

/** The web client, with a bus whose handlers the test calls. */
async function mountClient() {
    const handlers = {};
    mockService("bus_service", {
        subscribe: (name, handler) => (handlers[name] = handler),
        unsubscribe: (name) => delete handlers[name],
        addChannel: () => null,
        deleteChannel: () => null,
        start: () => null,
    });
    patchWithCleanup(assets, {
        loadBundle: (name) => expect.step(`load:${name}`) || Promise.resolve(),
    });
    patchWithCleanup(browser, {open: (url) => expect.step(`open:${url}`)});
    await mountWithCleanup(WebClient);
    return handlers;
}

const PAYLOAD = {
    title: "A customer is waiting",
    message: "Lucie Bernard is waiting in the video call of HT00042.",
    url: "https://cloud.apizee.com/agent/room/42",
    res_model: "helpdesk.ticket",
    res_id: 42,
};

test("a sticky notice with Join, which opens the room and closes it", async () => {
    const handlers = await mountClient();
    await handlers[CHANNEL](PAYLOAD);
    await animationFrame();
    expect.verifySteps(["load:helpdesk_apizee.assets_lazy"]);
    expect(".o_notification").toHaveCount(1);
    expect(".o_notification").toHaveText(/A customer is waiting/);
    expect(".o_notification").toHaveText(/Lucie Bernard is waiting/);
    expect(".o_notification .o_notification_buttons button").toHaveCount(2);
    await contains(".o_notification button:contains(Join)").click();
    expect.verifySteps([`open:${PAYLOAD.url}`]);
    expect(".o_notification").toHaveCount(0);
});

test("no room link (Apizee gave none): the ticket only", async () => {
    const handlers = await mountClient();
    await handlers[CHANNEL]({...PAYLOAD, url: false});
    await animationFrame();
    expect.verifySteps(["load:helpdesk_apizee.assets_lazy"]);
    expect(".o_notification .o_notification_buttons button").toHaveCount(1);
    expect(".o_notification .o_notification_buttons button").toHaveText(
        "See the ticket"
    );
});

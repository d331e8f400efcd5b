/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {expect, test} from "@odoo/hoot";
import {animationFrame, runAllTimers} from "@odoo/hoot-mock";
import {mockService, mountWithCleanup} from "@web/../tests/web_test_helpers";
import {LiveStatus} from "@helpdesk_apizee/live_status/live_status.esm";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";

defineMailModels();

const CHANNEL = "helpdesk_apizee/calls_changed";

/** Mount the chip for ticket 5 with a bus whose handlers the test calls. */
async function mountChip(data, {dirty = false} = {}) {
    const handlers = {};
    mockService("bus_service", {
        subscribe: (name, handler) => (handlers[name] = handler),
        unsubscribe: (name) => delete handlers[name],
    });
    mockService("action", {
        doAction: (action) => expect.step(`action:${action}`),
    });
    const record = {resModel: "helpdesk.ticket", resId: 5, dirty, data};
    await mountWithCleanup(LiveStatus, {props: {record}});
    return handlers;
}

// The latest call in words: green in call, blue while it waits, grey once ended
for (const [words, live, inProgress, colour] of [
    ["In call since 14:02", true, true, "text-bg-success"],
    ["Invitation sent · Waiting for the customer", true, false, "text-bg-info"],
    ["Ended 2 min ago", false, false, "text-bg-light"],
]) {
    test(`"${words}" shows as ${colour}`, async () => {
        await mountChip({
            apizee_call_status: words,
            apizee_call_live: live,
            apizee_call_in_progress: inProgress,
        });
        expect(".o_apizee_live_status").toHaveText(words);
        expect(".o_apizee_live_status").toHaveClass(colour);
    });
}

test("no call: no chip", async () => {
    await mountChip({apizee_call_status: false, apizee_call_live: false});
    expect(".o_apizee_live_status").toHaveCount(0);
});

test("reads the ticket again when the bus names it, not for others", async () => {
    const handlers = await mountChip({apizee_call_status: "Ended 2 min ago"});
    expect(".o_apizee_live_status").toHaveClass("text-bg-light");
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 6});
    handlers[CHANNEL]({res_model: "res.partner", res_id: 5});
    await animationFrame();
    expect.verifySteps([]);
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 5});
    await animationFrame();
    expect.verifySteps(["action:soft_reload"]);
});

test("unsaved edits are never lost to a reload", async () => {
    const handlers = await mountChip({apizee_call_status: "In call"}, {dirty: true});
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 5});
    await animationFrame();
    expect.verifySteps([]);
});

test("one reload for the chips of one form (the header's and the phone's)", async () => {
    const handlers = await mountChip({apizee_call_status: "In call"});
    // the bus calls each chip's handler in turn, for one notice
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 5});
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 5});
    await runAllTimers();
    expect.verifySteps(["action:soft_reload"]);
    // a later notice reads it again
    handlers[CHANNEL]({res_model: "helpdesk.ticket", res_id: 5});
    await animationFrame();
    expect.verifySteps(["action:soft_reload"]);
});

/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {expect, test} from "@odoo/hoot";
import {animationFrame} from "@odoo/hoot-mock";
import {Component, xml} from "@odoo/owl";
import {
    getService,
    mountWithCleanup,
    patchWithCleanup,
} from "@web/../tests/web_test_helpers";
import {assets} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {WebClient} from "@web/webclient/webclient";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {
    LAZY_ACTIONS,
    LAZY_BUNDLE,
    makeLazyAction,
} from "@helpdesk_apizee/lazy_actions/lazy_actions.esm";

defineMailModels();

const actionRegistry = registry.category("actions");

class LoadedAction extends Component {
    static template = xml`<div class="o_test_loaded" t-esc="props.action.params.text"/>`;
    static props = ["*"];
}

/** A bundle that registers `Action` for `tag` when loaded (nothing when null). */
function mockBundle(tag, Action) {
    patchWithCleanup(assets, {
        loadBundle(name) {
            expect.step(name);
            if (Action) {
                actionRegistry.add(tag, Action, {force: true});
            }
            return Promise.resolve();
        },
    });
}

async function doLazyAction(tag) {
    await mountWithCleanup(WebClient);
    await getService("action").doAction({
        type: "ir.actions.client",
        tag,
        target: "new",
        params: {text: "loaded"},
    });
    await animationFrame();
}

test("the unit tests hold the real actions", () => {
    for (const tag of LAZY_ACTIONS) {
        expect(actionRegistry.get(tag).prototype instanceof Component).toBe(true);
    }
});

test("loads the bundle, then runs the action it registered", async () => {
    mockBundle("test.lazy_loaded", LoadedAction);
    actionRegistry.add("test.lazy_loaded", makeLazyAction("test.lazy_loaded"));
    await doLazyAction("test.lazy_loaded");
    expect.verifySteps([LAZY_BUNDLE]);
    expect(".modal .o_test_loaded").toHaveText("loaded");
    await getService("action").doAction({
        type: "ir.actions.client",
        tag: "test.lazy_loaded",
        target: "new",
        params: {text: "again"},
    });
    await animationFrame();
    expect.verifySteps([]); // loaded once
    expect(".modal .o_test_loaded").toHaveText("again");
});

test("a broken bundle: one notification, no loop", async () => {
    mockBundle("test.lazy_broken", null);
    actionRegistry.add("test.lazy_broken", makeLazyAction("test.lazy_broken"));
    await doLazyAction("test.lazy_broken");
    expect.verifySteps([LAZY_BUNDLE]);
    expect(".modal").toHaveCount(0);
    expect(".o_notification .o_notification_bar.bg-danger").toHaveCount(1);
    expect(".o_notification_content").toHaveText(
        "This Apizee window could not be loaded."
    );
});

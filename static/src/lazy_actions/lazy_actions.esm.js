/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, xml} from "@odoo/owl";
import {LazyComponent, loadBundle} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {_t} from "@web/core/l10n/translation";

/** The bundle of the invitation dialog and the video panel. */
export const LAZY_BUNDLE = "helpdesk_apizee.assets_lazy";
/** Client actions of LAZY_BUNDLE: their code is only loaded when first opened. */
export const LAZY_ACTIONS = [
    "helpdesk_apizee.invitation_dialog",
    "helpdesk_apizee.agent_panel",
];

const actionRegistry = registry.category("actions");

/** Stands for the action `tag`: loads its bundle, then runs the real one. */
export function makeLazyAction(tag) {
    const lazyAction = async (env, action) => {
        await loadBundle(LAZY_BUNDLE);
        if (actionRegistry.get(tag) !== lazyAction) {
            return action;
        }
        // A broken bundle: say so, do not load it again
        env.services.notification.add(_t("This Apizee window could not be loaded."), {
            type: "danger",
        });
    };
    return lazyAction;
}

for (const tag of LAZY_ACTIONS) {
    // Unit tests load both bundles
    if (!actionRegistry.contains(tag)) {
        actionRegistry.add(tag, makeLazyAction(tag));
    }
}

/** Header widgets of the ticket, from their own bundle. */
class LazyWidget extends Component {
    static template = xml`<LazyComponent bundle="'helpdesk_apizee.assets_live'"
        Component="constructor.lazy" props="props"/>`;
    static components = {LazyComponent};
    static props = ["*"];
}
for (const [name, lazy] of [
    ["apizee_live_status", "LiveStatus"],
    ["apizee_video_call", "VideoCall"],
]) {
    registry.category("view_widgets").add(name, {
        component: class extends LazyWidget {
            static lazy = `helpdesk_apizee.${lazy}`;
        },
    });
}

/** "A customer is waiting" (bus): the notice comes from LAZY_BUNDLE. */
registry.category("services").add("apizee_waiting", {
    dependencies: ["bus_service"],
    start(env, {bus_service}) {
        bus_service.subscribe("helpdesk_apizee/customer_waiting", async (p) => {
            await loadBundle(LAZY_BUNDLE);
            registry.category("helpdesk_apizee").get("waiting")(env, p);
        });
    },
});

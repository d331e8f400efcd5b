/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, useState} from "@odoo/owl";
import {Dropdown} from "@web/core/dropdown/dropdown";
import {LazyComponent} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {_t} from "@web/core/l10n/translation";

/** The pop-in's state in the systray; a click opens its panel (own bundle). */
export class ApizeeSystray extends Component {
    static template = "helpdesk_apizee.Systray";
    static components = {Dropdown, LazyComponent};
    static props = {};
    dot = {
        ready: "success",
        unavailable: "danger",
        loading: "warning",
        loaded: "warning",
    };

    setup() {
        this.service = useService("apizee_agent");
        this.state = useState(this.service.state);
    }

    get title() {
        const labels = {
            loading: _t("Apizee: starting"),
            loaded: _t("Apizee: connecting"),
            ready: _t("Apizee: ready"),
            unavailable: _t("Apizee unavailable: %s", this.state.error),
        };
        return labels[this.state.status];
    }
}

// Not "disabled": enabled in the agent's Preferences, with an Apizee account
registry.category("systray").add(
    "helpdesk_apizee.systray",
    {
        Component: ApizeeSystray,
        isDisplayed: (env) => env.services.apizee_agent.state.status !== "disabled",
    },
    {sequence: 40}
);

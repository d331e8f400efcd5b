/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {_t} from "@web/core/l10n/translation";

/** The pop-in's state in the systray: ready, presence and connected users. */
export class ApizeeSystray extends Component {
    static template = "helpdesk_apizee.Systray";
    static props = {};

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
        const users = this.state.connectedUsers.length;
        return users
            ? _t("%(status)s, %(count)s connected", {
                  status: labels[this.state.status],
                  count: users,
              })
            : labels[this.state.status];
    }

    retry() {
        if (this.state.status === "unavailable") {
            this.service.start();
        }
    }
}

// Shown while the pop-in is started for this agent (not "disabled": the agent did not
// enable it in their Preferences, or their Apizee account is not set).
registry.category("systray").add(
    "helpdesk_apizee.systray",
    {
        Component: ApizeeSystray,
        isDisplayed: (env) => env.services.apizee_agent.state.status !== "disabled",
    },
    {sequence: 40}
);

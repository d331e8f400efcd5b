/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {user} from "@web/core/user";

/**
 * The panel of the pop-in's systray icon: its status and why, the agent's presence
 * and connected users, what to do when it is unavailable, and the agent's live call
 * with a link to its ticket.
 */
export class SystrayPanel extends Component {
    static template = "helpdesk_apizee.SystrayPanel";
    static props = {title: {type: String, optional: true}};

    setup() {
        this.service = useService("apizee_agent");
        this.state = useState(this.service.state);
        this.action = useService("action");
        this.orm = useService("orm");
        this.call = useState({session: null});
        onWillStart(() => this.loadCall());
    }

    /** Apizee's presence in words (an unknown one as Apizee says it). */
    get presence() {
        const words = {
            online: _t("Available"),
            available: _t("Available"),
            busy: _t("Busy"),
            away: _t("Away"),
            offline: _t("Offline"),
        };
        return words[this.state.presence] || this.state.presence;
    }

    get connected() {
        return _t("%s connected", this.state.connectedUsers.length);
    }

    async loadCall() {
        // The agent's latest live session, as their own rights read it
        const [session] = await this.orm.searchRead(
            "apizee.session",
            [
                ["agent_id", "=", user.userId],
                ["state", "in", ["new", "open", "invited", "inprogress"]],
            ],
            ["res_model", "res_id", "ticket_id"],
            {limit: 1}
        );
        if (session && session.ticket_id) {
            this.call.session = {
                name: session.ticket_id[1],
                href: `/odoo/${session.res_model}/${session.res_id}`,
            };
        }
    }

    openPreferences() {
        this.action.doAction("base.action_res_users_my");
    }
}

registry.category("lazy_components").add("helpdesk_apizee.SystrayPanel", SystrayPanel);

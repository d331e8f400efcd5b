/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, useExternalListener, useRef, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";

/** Messages of the agent app Odoo acts on (`snapshot` is saved on the ticket). */
export const PANEL_EVENTS = ["snapshot", "joined", "left", "sms_sent", "sms_fail"];
/** A snapshot's data URL larger than this is dropped before it is sent. */
export const MAX_DATA_URL = 7 * 1024 * 1024;

/**
 * Apizee's agent app in an iframe inside the ticket. Its `postMessage`s are accepted
 * only from the configured origin and from this iframe; `ready` marks the app ready,
 * the messages of PANEL_EVENTS go to the server, anything else is dropped.
 */
export class ApizeeAgentPanel extends Component {
    static template = "helpdesk_apizee.AgentPanel";
    static props = {...standardActionServiceProps};

    setup() {
        this.frame = useRef("frame");
        this.state = useState({ready: false, last: ""});
        useExternalListener(window, "message", this.onMessage);
    }

    get params() {
        return this.props.action.params || {};
    }

    /**
     * The app's URL, only when the browser gives it the expected origin (the server
     * computes that origin as browsers do: default port dropped, IDN host in its
     * `xn--` form), so that the messages of the app are not all dropped.
     */
    get url() {
        const {url, origin} = this.params;
        // An opaque origin ("null") is no app's: never the expected one
        if (typeof url !== "string" || !origin || origin === "null") {
            return null;
        }
        try {
            return new URL(url).origin === origin ? url : null;
        } catch {
            return null;
        }
    }

    async onMessage(event) {
        const frame = this.frame.el;
        if (
            event.origin !== this.params.origin ||
            !frame ||
            event.source !== frame.contentWindow
        ) {
            return;
        }
        let data = event.data;
        if (typeof data === "string") {
            try {
                data = JSON.parse(data);
            } catch {
                data = {type: data};
            }
        }
        const kind = data && typeof data === "object" ? data.type : null;
        if (kind === "ready") {
            this.state.ready = true;
            return;
        }
        if (!PANEL_EVENTS.includes(kind)) {
            return;
        }
        const dataUrl = kind === "snapshot" ? data.dataUrl : undefined;
        if (
            kind === "snapshot" &&
            !(typeof dataUrl === "string" && dataUrl.length < MAX_DATA_URL)
        ) {
            return;
        }
        const result = await rpc("/helpdesk_apizee/panel/event", {
            res_model: this.params.res_model,
            res_id: this.params.res_id,
            kind,
            data_url: dataUrl,
        });
        this.state.last = result.ok ? kind : "";
    }
}

// Replaces the loader of lazy_actions, which loaded this bundle
registry
    .category("actions")
    .add("helpdesk_apizee.agent_panel", ApizeeAgentPanel, {force: true});

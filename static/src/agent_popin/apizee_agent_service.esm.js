/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {browser} from "@web/core/browser/browser";
import {loadJS} from "@web/core/assets";
import {reactive} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";
import {session} from "@web/session";
import {user} from "@web/core/user";
import {_t} from "@web/core/l10n/translation";

/** Pauses before each new try after a failure (ms); then it stops trying. */
export const RETRY_DELAYS = [30000, 120000, 600000];

/**
 * The pop-in's events as `(type, params)` or as objects carrying their type: how it
 * passes them is not documented [guess] (Apizee's "Agent Event Callback").
 */
export function normalizeEvent(eventOrType, params) {
    if (typeof eventOrType === "string") {
        return {type: eventOrType, params: params ?? {}};
    }
    if (eventOrType && typeof eventOrType === "object") {
        const type = eventOrType.type || eventOrType.event || eventOrType.name;
        return {type, params: eventOrType.params ?? eventOrType.data ?? eventOrType};
    }
    return {type: null, params: {}};
}

/**
 * Apizee's video pop-in (`loaderAgent.js`) for agents who enabled it: the bootstrap
 * route gives what `loadAgent` needs, and its events drive the systray's state.
 */
export const apizeeAgentService = {
    dependencies: ["notification"],
    start(env, {notification}) {
        const state = reactive({
            status: session.apizee_popin?.enabled ? "loading" : "disabled",
            error: "",
            presence: "",
            connectedUsers: [],
            boxes: {},
            minimized: false,
        });
        let failures = 0;
        let notified = false;

        const effects = {
            init: () => (state.status = "ready"),
            updatePresence: (p) => {
                state.presence = p.state || "";
                state.connectedUsers = Array.isArray(p.connectedUsersList)
                    ? p.connectedUsersList
                    : [];
            },
            showNewMessage: (p) => {
                // Shown by the pop-in unless minimised or hidden; text only, never `html`
                if (state.minimized || document.hidden) {
                    notification.add(String(p.message || ""), {
                        title: _t("Apizee message from %s", p.nickname || "?"),
                        type: "info",
                    });
                }
            },
            createNewIMDiv: (p) => (state.boxes[p.destId] = p.nickname || ""),
            openComBox: () => (state.minimized = false),
            minimize: () => (state.minimized = true),
            maximize: () => (state.minimized = false),
            close: (p) => {
                delete state.boxes[typeof p === "object" ? p.destId : p];
                state.minimized = false;
            },
            // Reloaded in Apizee's navIframe; the agent's own message: nothing to do
            putInFrame: () => null,
            sendMessage: () => null,
        };

        function handleEvent(eventOrType, params) {
            const {type, params: data} = normalizeEvent(eventOrType, params);
            if (Object.hasOwn(effects, type)) {
                effects[type](data ?? {});
            }
        }

        function fail(message) {
            state.status = "unavailable";
            state.error = message;
            if (!notified) {
                notified = true;
                notification.add(message, {
                    title: _t("Apizee video pop-in unavailable"),
                    type: "warning",
                });
            }
            if (failures < RETRY_DELAYS.length) {
                // eslint-disable-next-line no-use-before-define
                browser.setTimeout(start, RETRY_DELAYS[failures]);
            }
            failures++;
        }

        async function start() {
            state.status = "loading";
            let data = null;
            try {
                data = await rpc("/helpdesk_apizee/agent/bootstrap", {});
            } catch {
                return fail(_t("Odoo could not prepare Apizee's video pop-in."));
            }
            if (!data.ok) {
                // No account, or refused: no retry
                failures = RETRY_DELAYS.length;
                return fail(data.error);
            }
            try {
                await loadJS(`${data.serverDomainRoot}agent/loaderAgent.js`);
            } catch {
                return fail(_t("Apizee's video pop-in could not be loaded."));
            }
            if (typeof window.loadAgent !== "function") {
                return fail(_t("Apizee's video pop-in could not start."));
            }
            failures = 0;
            notified = false;
            state.status = "loaded";
            window.loadAgent(
                data.serverDomainRoot,
                data.apiKey,
                data.userInfos,
                handleEvent,
                true,
                {culture: (user.lang || "en_US").replace("_", "-")}
            );
        }

        if (state.status === "loading") {
            // Once the web client started
            browser.setTimeout(start, 0);
        }
        return {state, handleEvent, start};
    },
};

registry.category("services").add("apizee_agent", apizeeAgentService);

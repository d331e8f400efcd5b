/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {browser} from "@web/core/browser/browser";
import {registry} from "@web/core/registry";
import {_t} from "@web/core/l10n/translation";

/**
 * "A customer is waiting in the call" (bus, `helpdesk_apizee/customer_waiting`): a
 * sticky notice with "Join" (the agent's room, in a new tab) and "See the ticket" (the
 * record).
 *
 * @param {Object} env the web client's environment
 * @param {Object} payload `{title, message, url, res_model, res_id}`
 * @returns {Function} closes the notice
 */
export function showWaiting(env, payload) {
    const {notification, action} = env.services;
    let close = null;
    const then = (run) => () => {
        close();
        run();
    };
    const buttons = [];
    if (payload.url) {
        buttons.push({
            name: _t("Join"),
            primary: true,
            onClick: then(() => browser.open(payload.url, "_blank")),
        });
    }
    buttons.push({
        name: _t("See the ticket"),
        onClick: then(() =>
            action.doAction({
                type: "ir.actions.act_window",
                res_model: payload.res_model,
                res_id: payload.res_id,
                views: [[false, "form"]],
            })
        ),
    });
    close = notification.add(payload.message, {
        title: payload.title,
        type: "warning",
        sticky: true,
        buttons,
    });
    return close;
}

registry.category("helpdesk_apizee").add("waiting", showWaiting);

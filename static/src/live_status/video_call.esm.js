/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {Dropdown} from "@web/core/dropdown/dropdown";
import {useDropdownState} from "@web/core/dropdown/dropdown_hooks";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {useService} from "@web/core/utils/hooks";

/**
 * The ways to a call, in the menu's order: `path` is the key of the setting that
 * allows it (`apizee_video_call_paths`), `method` and `context` the object button
 * it runs, `className` the class tests and other modules find it by.
 */
export const WAYS = [
    {
        path: "invite",
        method: "action_apizee_open_room",
        context: {apizee_invite: true},
        className: "o_apizee_open_room_invite_button",
        icon: "fa-paper-plane",
        label: _t("Send the link by SMS/email"),
        help: _t(
            "Apizee texts or emails the customer the link of the call, then your room opens in a new tab"
        ),
    },
    {
        path: "form",
        method: "action_apizee_invite",
        className: "o_apizee_invite_button",
        icon: "fa-pencil-square-o",
        label: _t("Open the invitation form"),
        help: _t(
            "Check the customer's phone and email, then send the invitation from Apizee's form"
        ),
    },
    {
        path: "room",
        method: "action_apizee_open_room",
        className: "o_apizee_open_room_button",
        icon: "fa-sign-in",
        label: _t("Join the room"),
        help: _t(
            "Open the video room of this ticket in a new tab, without inviting the customer again"
        ),
    },
    {
        path: "panel",
        method: "action_apizee_agent_panel",
        className: "o_apizee_agent_panel_button",
        icon: "fa-window-maximize",
        label: _t("Show the call in Odoo"),
        help: _t("Show Apizee's agent app for this ticket inside Odoo"),
    },
];

/**
 * "Video call" in the header: the company's default way, and the other ways the
 * settings allow in a menu next to it. On a phone, where Odoo folds the header into
 * the ⚙ menu, the ways are rows of that menu instead (a menu in a menu cannot be
 * opened by a finger).
 */
export class VideoCall extends Component {
    static template = "helpdesk_apizee.VideoCall";
    static components = {Dropdown};
    static props = {...standardWidgetProps};

    setup() {
        this.menu = useDropdownState();
        this.notification = useService("notification");
        this.orm = useService("orm");
    }

    /** Whether the customer's team lets them start calls (a join link). */
    get hasJoinLink() {
        return Boolean(this.props.record.data.apizee_self_service);
    }

    async copyJoinUrl() {
        this.menu.close();
        const {record} = this.props;
        const url = await this.orm.call(record.resModel, "get_apizee_join_url", [
            [record.resId],
        ]);
        try {
            await browser.navigator.clipboard.writeText(url);
        } catch {
            // No clipboard (http, old browser): show it to copy by hand
            this.notification.add(url, {
                title: _t("The customer's join link"),
                sticky: true,
            });
            return;
        }
        this.notification.add(
            _t(
                "Paste it in a message to the customer: it starts a video call with you."
            ),
            {title: _t("Join link copied"), type: "success"}
        );
    }

    get ways() {
        const paths = (this.props.record.data.apizee_video_call_paths || "").split(",");
        return WAYS.filter((way) => paths.includes(way.path));
    }

    get hint() {
        return this.props.record.data.apizee_video_call_hint;
    }

    choose(way) {
        this.menu.close();
        return this.run(way.method, way.context);
    }

    /** Runs the object button `method`, as the form's own buttons do (saved first). */
    run(method, context = {}) {
        const {record} = this.props;
        return this.env.onClickViewButton({
            clickParams: {type: "object", name: method, context},
            getResParams: () => ({
                context: record.context,
                evalContext: record.evalContext,
                resModel: record.resModel,
                resId: record.resId,
                resIds: record.resIds,
            }),
        });
    }
}

registry.category("lazy_components").add("helpdesk_apizee.VideoCall", VideoCall);

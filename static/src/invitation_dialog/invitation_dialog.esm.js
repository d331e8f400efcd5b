/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";

/**
 * Client action showing Apizee's quick-invitation form in an iframe inside an Odoo dialog
 * ("Send invitations from an iframe" in
 * https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/3rd-party-software-integration).
 * The URL and the iframe's `allow` list are built server-side (wizard
 * `apizee.invite.wizard.action_confirm`); a link opens the same form in a new tab, since
 * Apizee's sign-in page may refuse to load inside a frame.
 */
export class ApizeeInvitationDialog extends Component {
    static template = "helpdesk_apizee.InvitationDialog";
    static props = {...standardActionServiceProps};

    get params() {
        return this.props.action.params || {};
    }

    /**
     * The invitation URL, only when it is an https URL (or http on the loopback
     * interface: the stand-in Apizee server), never a script or data URL.
     */
    get url() {
        const url = this.params.url;
        if (typeof url !== "string") {
            return null;
        }
        const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;
        return url.startsWith("https://") || loopback.test(url) ? url : null;
    }

    get allow() {
        return this.params.allow || "";
    }
}

// Replaces the loader of lazy_actions, which loaded this bundle
registry
    .category("actions")
    .add("helpdesk_apizee.invitation_dialog", ApizeeInvitationDialog, {force: true});

/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, onWillDestroy, xml} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {useService} from "@web/core/utils/hooks";

const reloading = new WeakSet();

/**
 * The ticket's call in words (green in call, blue while it waits for the customer);
 * read again when the bus says its calls changed.
 */
export class LiveStatus extends Component {
    static template = xml`<span t-if="props.record.data.apizee_call_status"
        t-attf-class="badge rounded-pill o_apizee_live_status {{
            env.isSmall ? 'mb-2' : ''}} {{
            props.record.data.apizee_call_in_progress ? 'text-bg-success' :
            props.record.data.apizee_call_live ? 'text-bg-info' : 'text-bg-light'}}"
        t-esc="props.record.data.apizee_call_status"/>`;
    static props = {...standardWidgetProps};

    setup() {
        const bus = useService("bus_service");
        const onChange = ({res_model, res_id}) => {
            const {record} = this.props;
            if (record.resModel === res_model && record.resId === res_id) {
                // Unsaved edits stay: they are read again on save. One reload for
                // the chips of a form (the header's, and the phone's in the sheet)
                if (!record.dirty && !reloading.has(record)) {
                    reloading.add(record);
                    setTimeout(() => reloading.delete(record));
                    this.env.services.action.doAction("soft_reload");
                }
            }
        };
        bus.subscribe("helpdesk_apizee/calls_changed", onChange);
        onWillDestroy(() => bus.unsubscribe("helpdesk_apizee/calls_changed", onChange));
    }
}

registry.category("lazy_components").add("helpdesk_apizee.LiveStatus", LiveStatus);

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The customer's video sessions across their tickets (a smart button)
    apizee_partner_session_count = fields.Integer(
        string="Video sessions",
        compute="_compute_apizee_partner_session_count",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    def _apizee_session_domain(self):
        self.ensure_one()
        return [("ticket_id.partner_id", "child_of", self.commercial_partner_id.ids)]

    def _compute_apizee_partner_session_count(self):
        Session = self.env["apizee.session"]
        for partner in self:
            partner.apizee_partner_session_count = (
                Session.search_count(partner._apizee_session_domain())
                if partner._origin.id
                else 0
            )

    def action_apizee_view_sessions(self):
        """The video sessions of the customer's tickets (their company's)."""
        self.env["helpdesk.ticket"]._apizee_check_agent()
        if len(self) != 1:
            raise UserError(self.env._("Choose one contact."))
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_apizee.apizee_session_action"
        )
        action.update(domain=self._apizee_session_domain(), context={})
        return action

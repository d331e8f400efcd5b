# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    """Video calls from helpdesk tickets: the hooks of ``apizee.video.mixin``."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "apizee.video.mixin"]
    _apizee_agent_group = "helpdesk_mgmt.group_helpdesk_user_own"

    # For helpdesk agents only: the ticket's customer (portal) or an internal
    # follower may read the ticket, not its sessions (the agent's room links)
    apizee_session_ids = fields.One2many(groups=_apizee_agent_group)
    apizee_session_count = fields.Integer(groups=_apizee_agent_group)
    # The customer's phone shown beside the ticket's camera icon (VoIP's
    # click-to-call): the mobile, else the phone
    apizee_customer_phone = fields.Char(
        string="Customer phone",
        compute="_compute_apizee_customer_phone",
        groups=_apizee_agent_group,
    )

    @api.depends("partner_id.mobile", "partner_id.phone")
    def _compute_apizee_customer_phone(self):
        for ticket in self:
            ticket.apizee_customer_phone = (
                ticket.partner_id.mobile or ticket.partner_id.phone
            )

    apizee_call_status = fields.Char(groups=_apizee_agent_group)
    apizee_call_live = fields.Boolean(groups=_apizee_agent_group)
    apizee_call_in_progress = fields.Boolean(groups=_apizee_agent_group)

    def _apizee_live_users(self):
        """Override: the ticket's agent and its team's agents too."""
        ticket = self.sudo()
        return super()._apizee_live_users() | ticket.user_id | ticket.team_id.user_ids

    def _apizee_reference(self):
        self.ensure_one()
        return self.number

    @api.model
    def _apizee_reference_domain(self, reference):
        return [("number", "=", reference)]

    def _apizee_customer(self):
        self.ensure_one()
        return self.partner_id

    def _apizee_customer_name(self):
        self.ensure_one()
        return self.partner_id.name or self.partner_name or ""

    def _apizee_get_default_recipients(self):
        """Override: the ticket's email first, else the customer's."""
        phones, emails = super()._apizee_get_default_recipients()
        email = self.partner_email or self.partner_id.email
        return phones, [email] if email else []

    def _apizee_get_service(self):
        """Override: the ticket's team's service, else its company's default."""
        self.ensure_one()
        # Read as superuser: prefetching would otherwise read services of companies
        # the user cannot see. The service returned belongs to the ticket's company.
        service = self.sudo().team_id.apizee_service_id
        if not service:
            return super()._apizee_get_service()
        return self._apizee_checked_service(service)

    def _apizee_conversation_name(self):
        self.ensure_one()
        return f"odoo-{self._apizee_database_tag()}-ticket-{self.id}"

    def _apizee_wizard_defaults(self):
        """Override: the wizard's ticket field too (views, older callers)."""
        return {**super()._apizee_wizard_defaults(), "default_ticket_id": self.id}

    def action_apizee_agent_panel(self):
        """Override: the panel's parameters name the ticket as before, too."""
        action = super().action_apizee_agent_panel()
        action["params"]["ticket_id"] = self.id
        return action

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def action_apizee_invite(self):
        """Open the wizard that reviews an Apizee invitation for this ticket.

        The wizard's defaults (service, recipients) come from the ticket, in the
        returned action's context, so that the agent sees and can edit what will be
        sent.

        :return: an ``ir.actions.act_window`` opening ``apizee.invite.wizard``
            in a dialog
        :raise AccessError: when the user may not read the ticket
        """
        self.ensure_one()
        self.check_access("read")
        service = self._apizee_get_service()
        phones, emails = self._apizee_get_default_recipients()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invite with Apizee"),
            "res_model": "apizee.invite.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_ticket_id": self.id,
                "default_service_id": service.id,
                "default_phone_numbers": ", ".join(phones),
                "default_email_addresses": ", ".join(emails),
            },
        }

    def _apizee_get_service(self):
        """Return the Apizee service of the ticket: its team's, else its company's
        default.

        :return: an ``apizee.service`` record, possibly empty
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        service = self.team_id.apizee_service_id or company.apizee_default_service_id
        if not service.active or service.company_id != company:
            return self.env["apizee.service"]
        return service

    def _apizee_get_region(self):
        """Country code used to read national phone numbers: the customer's, else the
        company's.

        :return: an ISO 3166 alpha-2 code, or an empty string
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.partner_id.country_id.code or company.country_id.code or ""

    def _apizee_get_default_recipients(self):
        """Recipients of an invitation, as found on the ticket's customer.

        Phones are the customer's phone and mobile, in the form they were typed (the
        wizard normalises and flags them); the email is the ticket's, else the
        customer's.

        :return: a pair of lists ``(phones, emails)``
        """
        self.ensure_one()
        partner = self.partner_id
        phones = [p for p in (partner.phone, partner.mobile) if p]
        email = self.partner_email or partner.email
        return list(dict.fromkeys(phones)), [email] if email else []

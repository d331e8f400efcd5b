# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..utils import apizee_urls, recipients


class ApizeeInviteWizard(models.TransientModel):
    """Review of an Apizee invitation before the agent opens Apizee's form."""

    _name = "apizee.invite.wizard"
    _description = "Apizee Invitation"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="ticket_id.company_id")
    service_id = fields.Many2one(
        comodel_name="apizee.service",
        check_company=True,
        help="Preselected in Apizee's form. Leave empty to choose it in Apizee.",
    )
    phone_numbers = fields.Char(
        help="Phone numbers that receive the invitation by SMS, separated by commas.",
    )
    email_addresses = fields.Char(
        help="Email addresses that receive the invitation, separated by commas.",
    )
    reference = fields.Char(
        compute="_compute_reference",
        help="Shown by Apizee as a label (video-assistance services only).",
    )
    recipients_html = fields.Html(
        string="Recipients check",
        compute="_compute_recipients",
        sanitize=False,
    )
    invalid_count = fields.Integer(compute="_compute_recipients")
    recipient_count = fields.Integer(compute="_compute_recipients")

    @api.model_create_multi
    def create(self, vals_list):
        """Override: only helpdesk agents, for tickets they may read (the wizard shows
        the ticket's customer and number)."""
        self.env["helpdesk.ticket"]._apizee_check_agent()
        wizards = super().create(vals_list)
        # ticket_id may come from the context's defaults: checked once set
        wizards.ticket_id.with_env(self.env).check_access("read")
        return wizards

    @api.depends("ticket_id.number")
    def _compute_reference(self):
        for wizard in self:
            wizard.reference = apizee_urls.truncate_reference(wizard.ticket_id.number)

    @api.depends("phone_numbers", "email_addresses", "ticket_id")
    def _compute_recipients(self):
        for wizard in self:
            entries = wizard._apizee_get_recipients()
            invalid = [entry for entry in entries if entry.error]
            wizard.invalid_count = len(invalid)
            wizard.recipient_count = len(entries) - len(invalid)
            wizard.recipients_html = wizard._apizee_render_recipients(entries)

    def action_confirm(self):
        """Open Apizee's quick-invitation form, prefilled for the ticket.

        Refused while an entry is invalid; posts a note on the ticket saying who invited
        whom with which service.

        :return: an ``ir.actions.act_url`` (new-tab mode) or an ``ir.actions.client``
            showing the same ``url`` in an Odoo dialog (in-Odoo mode)
        :raise AccessError: for users who are no helpdesk agents, or may not read
            the ticket
        :raise UserError: when a recipient is invalid
        """
        self.env["helpdesk.ticket"]._apizee_check_agent()
        self.ensure_one()
        self.ticket_id.check_access("read")
        entries = self._apizee_get_recipients()
        invalid = [entry for entry in entries if entry.error]
        if invalid:
            raise UserError(
                self.env._(
                    "Fix or remove these recipients before inviting:\n%(entries)s",
                    entries="\n".join(
                        f"• {self.ticket_id._apizee_recipient_error(entry)}"
                        for entry in invalid
                    ),
                )
            )
        url = self._apizee_build_url(entries)
        self._apizee_log_invitation(entries)
        company = self.ticket_id.company_id or self.env.company
        if company.apizee_invitation_mode == "dialog":
            return {
                "type": "ir.actions.client",
                "tag": "helpdesk_apizee.invitation_dialog",
                "name": self.env._("Apizee invitation"),
                "target": "new",
                "params": {"url": url, "allow": const.IFRAME_ALLOW},
                "context": {"dialog_size": "extra-large"},
            }
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}

    def _apizee_get_recipients(self):
        """Parse and normalise the phones and emails typed in the wizard.

        :return: list of ``utils.recipients.Recipient``
        """
        self.ensure_one()
        if not self.ticket_id:
            return []
        return self.ticket_id._apizee_get_recipients(
            recipients.split_recipients(self.phone_numbers),
            recipients.split_recipients(self.email_addresses),
        )

    def _apizee_build_url(self, entries):
        """Build the quick-invitation URL from the wizard's values, without network I/O.

        Invalid entries are left out: ``action_confirm`` refuses to go on while any
        remains.

        :param entries: the wizard's recipients (``_apizee_get_recipients``)
        :return: the URL
        """
        self.ensure_one()
        company = self.ticket_id.company_id or self.env.company
        return apizee_urls.build_quick_invitation_url(
            company.apizee_server_url or const.DEFAULT_SERVER_URL,
            service_key=self.service_id.key,
            reference=self.ticket_id.number,
            phone_numbers=recipients.unique_values(
                e for e in entries if e.kind == "phone"
            ),
            email_addresses=recipients.unique_values(
                e for e in entries if e.kind == "email"
            ),
            read_only_service=company.apizee_lock_service,
            read_only_recipients=company.apizee_lock_recipients,
        )

    def _apizee_render_recipients(self, entries):
        """HTML list of the recipients, each flagged valid or invalid with a reason."""
        if not entries:
            return Markup('<p class="text-muted">%s</p>') % self.env._(
                "No recipient: you can add them in Apizee's form."
            )
        items = []
        for entry in entries:
            if entry.error:
                items.append(
                    Markup(
                        '<li class="text-danger" data-apizee-state="invalid">'
                        '<i class="fa fa-times-circle me-1" title="%s"></i>%s</li>'
                    )
                    % (
                        self.env._("Invalid"),
                        self.ticket_id._apizee_recipient_error(entry),
                    )
                )
            else:
                items.append(
                    Markup(
                        '<li class="text-success" data-apizee-state="valid">'
                        '<i class="fa fa-check-circle me-1" title="%s"></i>%s</li>'
                    )
                    % (self.env._("Valid"), entry.value)
                )
        return Markup('<ul class="list-unstyled mb-0">%s</ul>') % Markup("").join(items)

    def _apizee_log_invitation(self, entries):
        """Post on the ticket who started an invitation, to whom, with which service."""
        values = recipients.unique_values(entries)
        self.ticket_id._apizee_post_note(
            self.env._(
                "Apizee invitation started by %(user)s to %(recipients)s "
                "with the service %(service)s.",
                user=self.env.user.name,
                recipients=", ".join(values)
                or self.env._("recipients chosen in Apizee"),
                service=self.service_id.name or self.env._("chosen in Apizee"),
            )
        )

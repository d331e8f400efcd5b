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

    res_model = fields.Char(string="Record model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    # The record, when it is a ticket: shown in the form
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        compute="_compute_ticket_id",
        store=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company", compute="_compute_company_id"
    )
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
        """Override: only agents, for records they may read (the wizard shows the
        record's customer and reference). The record may be given as ``ticket_id``
        (older callers), in the values or the context's defaults."""
        context = self.env.context
        video_models = self.env["apizee.session"]._video_models()
        for vals in vals_list:
            ticket_id = vals.get("ticket_id") or context.get("default_ticket_id")
            model = vals.get("res_model") or context.get("default_res_model")
            if ticket_id and not model:
                vals.update(res_model="helpdesk.ticket", res_id=ticket_id)
                model = "helpdesk.ticket"
            if model not in video_models:
                raise UserError(self.env._("This record has no video calls."))
            self.env[model]._apizee_check_agent()
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._record().check_access("read")
        return wizards

    def write(self, vals):
        """Override: the record of an invitation is set at its creation, with its
        checks, and never changed after."""
        if {"res_model", "res_id", "ticket_id"} & set(vals):
            raise UserError(
                self.env._("The record of an invitation cannot be changed.")
            )
        return super().write(vals)

    def _record(self):
        """The record the invitation is for, in the user's environment; refused to
        users who may not call from it.

        :raise AccessError: for them
        """
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id)
        record._apizee_check_agent()
        return record

    @api.depends("res_model", "res_id")
    def _compute_ticket_id(self):
        for wizard in self:
            is_ticket = wizard.res_model == "helpdesk.ticket"
            wizard.ticket_id = wizard.res_id if is_ticket else False

    @api.depends("res_model", "res_id")
    def _compute_company_id(self):
        for wizard in self:
            record = wizard._record_sudo()
            wizard.company_id = record._apizee_company() if record else False

    def _record_sudo(self):
        """The record, as superuser, or None when it names none."""
        self.ensure_one()
        video_models = self.env["apizee.session"]._video_models()
        if self.res_model not in video_models or not self.res_id:
            return None
        return self.env[self.res_model].sudo().browse(self.res_id).exists() or None

    @api.depends("res_model", "res_id")
    def _compute_reference(self):
        for wizard in self:
            record = wizard._record_sudo()
            wizard.reference = apizee_urls.truncate_reference(
                record._apizee_reference() if record else ""
            )

    @api.depends("phone_numbers", "email_addresses", "res_model", "res_id")
    def _compute_recipients(self):
        for wizard in self:
            entries = wizard._get_recipients()
            invalid = [entry for entry in entries if entry.error]
            wizard.invalid_count = len(invalid)
            wizard.recipient_count = len(entries) - len(invalid)
            wizard.recipients_html = wizard._render_recipients(entries)

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
        if not self:
            self.env["apizee.session"]._check_agent()
        if len(self) != 1:
            raise UserError(self.env._("Open one invitation at a time."))
        record = self._record()
        record.check_access("read")
        entries = self._get_recipients()
        invalid = [entry for entry in entries if entry.error]
        if invalid:
            raise UserError(
                self.env._(
                    "Fix or remove these recipients before inviting:\n%(entries)s",
                    entries="\n".join(
                        f"• {record._apizee_recipient_error(entry)}"
                        for entry in invalid
                    ),
                )
            )
        url = self._build_url(entries)
        self._log_invitation(entries)
        company = record._apizee_company()
        if company.apizee_invitation_mode == "dialog":
            return {
                "type": "ir.actions.client",
                "tag": "helpdesk_apizee.invitation_dialog",
                "name": self.env._("Apizee invitation"),
                "target": "new",
                "params": {"url": url, "allow": const.IFRAME_ALLOW},
                "context": {"dialog_size": "extra-large"},
            }
        # The wizard closes as the tab opens: a second click would open (and note)
        # the form a second time
        return {
            "type": "ir.actions.act_url",
            "url": url,
            "target": "new",
            "close": True,
        }

    def _get_recipients(self):
        """Parse and normalise the phones and emails typed in the wizard.

        :return: list of ``utils.recipients.Recipient``
        """
        self.ensure_one()
        record = self._record_sudo()
        if not record:
            return []
        return record.with_env(self.env)._apizee_get_recipients(
            recipients.split_recipients(self.phone_numbers),
            recipients.split_recipients(self.email_addresses),
        )

    def _build_url(self, entries):
        """Build the quick-invitation URL from the wizard's values, without network I/O.

        Invalid entries are left out: ``action_confirm`` refuses to go on while any
        remains.

        :param entries: the wizard's recipients (``_get_recipients``)
        :return: the URL
        """
        self.ensure_one()
        record = self._record_sudo()
        company = record._apizee_company()
        return apizee_urls.build_quick_invitation_url(
            company.apizee_server_url or const.DEFAULT_SERVER_URL,
            service_key=self.service_id.key,
            reference=record._apizee_reference(),
            phone_numbers=recipients.unique_values(
                e for e in entries if e.kind == "phone"
            ),
            email_addresses=recipients.unique_values(
                e for e in entries if e.kind == "email"
            ),
            read_only_service=company.apizee_lock_service,
            read_only_recipients=company.apizee_lock_recipients,
        )

    def _render_recipients(self, entries):
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
                        self.env["apizee.video.mixin"]._apizee_recipient_error(entry),
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

    def _log_invitation(self, entries):
        """Post on the ticket who opened Apizee's invitation form, prefilled with
        which recipients and service (Apizee sends the invitation, if the agent
        sends it there)."""
        values = recipients.unique_values(entries)
        self._record()._apizee_post_note(
            self.env._(
                "Apizee's invitation form opened by %(user)s, prefilled with "
                "%(recipients)s and the service %(service)s.",
                user=self.env.user.name,
                recipients=", ".join(values)
                or self.env._("recipients chosen in Apizee"),
                service=self.service_id.name or self.env._("chosen in Apizee"),
            )
        )

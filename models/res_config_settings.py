# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .. import const
from ..utils import apizee_urls

KB = 1024
MB = 1024 * 1024


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    apizee_server_url = fields.Char(
        related="company_id.apizee_server_url",
        readonly=False,
        groups="base.group_system",
    )
    apizee_default_service_id = fields.Many2one(
        related="company_id.apizee_default_service_id",
        readonly=False,
        groups="base.group_system",
    )
    apizee_invitation_mode = fields.Selection(
        related="company_id.apizee_invitation_mode",
        readonly=False,
        groups="base.group_system",
    )
    apizee_video_call_path = fields.Selection(
        related="company_id.apizee_video_call_path",
        readonly=False,
        groups="base.group_system",
    )
    apizee_lock_service = fields.Boolean(
        related="company_id.apizee_lock_service",
        readonly=False,
        groups="base.group_system",
    )
    apizee_lock_recipients = fields.Boolean(
        related="company_id.apizee_lock_recipients",
        readonly=False,
        groups="base.group_system",
    )
    apizee_technical_calls_only = fields.Boolean(
        related="company_id.apizee_technical_calls_only",
        readonly=False,
        groups="base.group_system",
    )
    apizee_agent_app_url = fields.Char(
        related="company_id.apizee_agent_app_url",
        readonly=False,
        groups="base.group_system",
    )
    apizee_company_key = fields.Char(
        related="company_id.apizee_company_key",
        readonly=False,
        groups="base.group_system",
    )
    apizee_api_username = fields.Char(
        related="company_id.apizee_api_username",
        readonly=False,
        groups="base.group_system",
    )
    # Write-only: not stored in the settings' own table (anything typed there could
    # be read back over RPC), always read empty; its inverse writes the company's
    # password as soon as the settings are saved (as related fields do).
    apizee_api_password_input = fields.Char(
        string="Apizee technical password",
        compute="_compute_apizee_api_password_input",
        inverse="_inverse_apizee_api_password_input",
        groups="base.group_system",
    )
    apizee_api_password_set = fields.Boolean(
        compute="_compute_apizee_api_password_set", groups="base.group_system"
    )

    # Webhooks: the URL and secret of the settings' company, administrators only.
    apizee_webhook_url = fields.Char(
        compute="_compute_apizee_webhook", groups="base.group_system"
    )
    apizee_webhook_header = fields.Char(
        compute="_compute_apizee_webhook", groups="base.group_system"
    )
    apizee_webhook_secret = fields.Char(
        compute="_compute_apizee_webhook", groups="base.group_system"
    )
    apizee_webhook_url_warning = fields.Char(
        compute="_compute_apizee_webhook", groups="base.group_system"
    )
    apizee_webhook_max_bytes = fields.Integer(
        string="Largest webhook delivery (bytes)",
        config_parameter=const.WEBHOOK_MAX_BYTES_PARAM,
        default=const.WEBHOOK_MAX_BYTES_DEFAULT,
        groups="base.group_system",
    )
    apizee_media_max_bytes = fields.Integer(
        string="Largest media saved (bytes)",
        config_parameter=const.MEDIA_MAX_BYTES_PARAM,
        default=const.MEDIA_MAX_BYTES_DEFAULT,
        groups="base.group_system",
    )
    # What Settings show: the same limits in KB and MB
    apizee_webhook_max_kb = fields.Integer(
        string="Largest webhook delivery (KB)",
        compute="_compute_apizee_sizes",
        inverse="_inverse_apizee_webhook_max_kb",
        groups="base.group_system",
    )
    apizee_media_max_mb = fields.Integer(
        string="Largest media saved (MB)",
        compute="_compute_apizee_sizes",
        inverse="_inverse_apizee_media_max_mb",
        groups="base.group_system",
    )
    apizee_media_types = fields.Char(
        string="Media types saved",
        config_parameter=const.MEDIA_TYPES_PARAM,
        default=const.MEDIA_TYPES_DEFAULT,
        groups="base.group_system",
        help="MIME types of the pictures and recordings saved on tickets, separated "
        "by commas.",
    )

    apizee_agents_set_username = fields.Boolean(
        string="Agents set their own Apizee user name",
        config_parameter=const.AGENTS_SET_USERNAME_PARAM,
        groups="base.group_system",
        help="By default an administrator sets each agent's Apizee user name (Users) "
        "and agents only type their password; ticked, agents set their user name too, "
        "in their Preferences.",
    )

    @api.depends("apizee_webhook_max_bytes", "apizee_media_max_bytes")
    def _compute_apizee_sizes(self):
        for settings in self:
            settings.apizee_webhook_max_kb = settings.apizee_webhook_max_bytes // KB
            settings.apizee_media_max_mb = settings.apizee_media_max_bytes // MB

    # Each writes its limit in bytes, unless its KB or MB did not change (a limit that
    # is no round number of them stays as it is)
    def _inverse_apizee_webhook_max_kb(self):
        for settings in self:
            kb = settings.apizee_webhook_max_kb
            if settings.apizee_webhook_max_bytes // KB != kb:
                settings.apizee_webhook_max_bytes = kb * KB

    def _inverse_apizee_media_max_mb(self):
        for settings in self:
            mb = settings.apizee_media_max_mb
            if settings.apizee_media_max_bytes // MB != mb:
                settings.apizee_media_max_bytes = mb * MB

    def _compute_apizee_api_password_input(self):
        for settings in self:
            settings.apizee_api_password_input = False

    def _inverse_apizee_api_password_input(self):
        self._apizee_check_admin()
        for settings in self:
            if settings.apizee_api_password_input:
                settings.company_id.sudo().apizee_api_password = (
                    settings.apizee_api_password_input
                )

    @api.depends("company_id")
    def _compute_apizee_api_password_set(self):
        for settings in self:
            settings.apizee_api_password_set = bool(
                settings.company_id.sudo().apizee_api_password
            )

    @api.depends("company_id")
    def _compute_apizee_webhook(self):
        """The company's webhook URL (with its id) and secret, as they are: a company
        without a secret (a neutralized database) shows none until an administrator
        regenerates it."""
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for settings in self:
            company = settings.company_id.sudo()
            settings.apizee_webhook_url = (
                f"{base_url or ''}{const.WEBHOOK_PATH}/{company.id}" if company else ""
            )
            settings.apizee_webhook_header = const.WEBHOOK_SECRET_HEADER
            settings.apizee_webhook_secret = company.apizee_webhook_secret
            settings.apizee_webhook_url_warning = self._apizee_webhook_url_warning(
                settings.apizee_webhook_url
            )

    @api.model
    def _apizee_webhook_url_warning(self, url):
        """A translated sentence when Apizee's servers cannot reach ``url``."""
        problem = apizee_urls.webhook_url_problem(url)
        if problem == "not_https":
            return self.env._(
                "Apizee delivers webhooks to https addresses only: serve Odoo over "
                "https (its base URL, web.base.url) before pasting this URL."
            )
        if problem == "not_public":
            return self.env._(
                "Apizee's servers cannot reach this address from the internet: set "
                "Odoo's public address as its base URL (web.base.url)."
            )
        return False

    @api.constrains("apizee_webhook_max_bytes", "apizee_media_max_bytes")
    def _check_apizee_limits(self):
        for settings in self:
            if settings.apizee_webhook_max_bytes < 1024:
                raise ValidationError(
                    self.env._(
                        "The largest webhook delivery must be 1024 bytes or more."
                    )
                )
            if settings.apizee_media_max_bytes < 1:
                raise ValidationError(
                    self.env._("The largest media saved must be 1 byte or more.")
                )

    def _apizee_check_admin(self):
        """Refuse anyone but administrators (``base.group_system``).

        Every public method of the settings checks it first: it is callable over RPC
        by any logged-in user, on any record set, the empty one included.

        :raise AccessError: for anyone else
        """
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only administrators may change the Apizee settings.")
            )

    def set_values(self):
        """Override to refuse anyone but administrators (callable over RPC)."""
        self._apizee_check_admin()
        return super().set_values()

    def action_apizee_regenerate_webhook_secret(self):
        """Replace the webhook secret of the settings' company (the others keep
        theirs); Apizee's console must get the new one."""
        self._apizee_check_admin()
        (self[:1].company_id or self.env.company)._apizee_new_webhook_secret()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("New webhook secret"),
                "message": self.env._(
                    "Paste the new secret in Apizee's console: deliveries with the "
                    "old one are refused from now on."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_apizee_test_connection(self):
        """Ask Apizee a new token and the account's profile, with the values shown
        (the token cache is bypassed, so that a wrong password is always caught; the
        calls count in the account's rate-limit window, see
        ``apizee.token._check_credentials``).

        :return: a notification that says which account answered
        :raise UserError: the mapped failure (wrong URL, credentials refused, ...)
        """
        self._apizee_check_admin()
        self.ensure_one()
        server_url = self.env["res.company"]._apizee_check_server_url(
            self.apizee_server_url
        )
        password = self.company_id.sudo().apizee_api_password
        if not (self.apizee_api_username and password):
            return self.company_id._apizee_get_account()  # raises the message
        profile = (
            self.env["apizee.token"]
            .sudo()
            ._check_credentials(server_url, self.apizee_api_username, password)
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Apizee answered"),
                "message": self.env._(
                    "Connected to %(server)s as %(name)s.",
                    server=server_url,
                    name=profile.get("nickname")
                    or profile.get("mail")
                    or self.apizee_api_username,
                ),
            },
        }

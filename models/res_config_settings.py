# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .. import const


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
    # Write-only: the stored password is never sent back to the browser.
    apizee_api_password_input = fields.Char(
        string="Apizee technical password", groups="base.group_system"
    )
    apizee_api_password_set = fields.Boolean(
        compute="_compute_apizee_api_password_set", groups="base.group_system"
    )

    def _compute_apizee_api_password_set(self):
        for settings in self:
            settings.apizee_api_password_set = bool(
                settings.company_id.sudo().apizee_api_password
            )

    def set_values(self):
        """Override to store a newly typed technical password (write-only)."""
        result = super().set_values()
        if self.apizee_api_password_input:
            self.company_id.sudo().apizee_api_password = self.apizee_api_password_input
        return result

    def action_apizee_test_connection(self):
        """Ask Apizee a new token and the account's profile, with the values shown
        (the token cache is bypassed, so that a wrong password is always caught).

        :return: a notification that says which account answered
        :raise UserError: the mapped failure (wrong URL, credentials refused, ...)
        """
        self.ensure_one()
        server_url = self.env["res.company"]._apizee_check_server_url(
            self.apizee_server_url
        )
        password = (
            self.apizee_api_password_input or self.company_id.sudo().apizee_api_password
        )
        if not (self.apizee_api_username and password):
            return self.company_id._apizee_get_account()  # raises the message
        client = self.env["apizee.client"]
        answer = client._apizee_request(
            server_url,
            "POST",
            const.TOKEN_PATH,
            params={
                "grant_type": "password",
                "username": self.apizee_api_username,
                "password": password,
            },
        )
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise client._apizee_error("unreadable", 200, server_url=server_url)
        profile = client._apizee_request(
            server_url, "GET", const.USERS_ME_PATH, token=token
        )
        if not isinstance(profile, dict):
            profile = {}
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

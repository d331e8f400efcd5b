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
    apizee_api_username = fields.Char(
        related="company_id.apizee_api_username",
        readonly=False,
        groups="base.group_system",
    )
    apizee_api_password = fields.Char(
        related="company_id.apizee_api_password",
        readonly=False,
        groups="base.group_system",
    )

    def action_apizee_test_connection(self):
        """Ask a token and the account's profile from Apizee, with the values shown.

        :return: a notification that says which account answered
        :raise UserError: the mapped failure (wrong URL, credentials refused, ...)
        """
        self.ensure_one()
        server_url = self.env["res.company"]._apizee_check_server_url(
            self.apizee_server_url
        )
        if not (self.apizee_api_username and self.apizee_api_password):
            return self.company_id._apizee_get_account()  # raises the message
        profile = (
            self.env["apizee.token"]
            .sudo()
            ._apizee_call(
                server_url,
                self.apizee_api_username,
                self.apizee_api_password,
                "GET",
                const.USERS_ME_PATH,
            )
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

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


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

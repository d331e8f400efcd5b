# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    apizee_username = fields.Char(
        string="Apizee user name",
        copy=False,
        help="Your user name in Apizee: sessions you open from tickets are assigned "
        "to you in Apizee.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        """Override to let users read their Apizee user name in Preferences."""
        return super().SELF_READABLE_FIELDS + ["apizee_username"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        """Override to let users set their Apizee user name in Preferences."""
        return super().SELF_WRITEABLE_FIELDS + ["apizee_username"]

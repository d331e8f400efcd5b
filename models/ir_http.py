# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from .res_users import AGENT_GROUP


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Override to tell the web client whether to start Apizee's video pop-in.

        Only a flag: the pop-in fetches its short-lived values from the bootstrap route.
        """
        info = super().session_info()
        user = self.env.user
        if user._is_internal() and user.apizee_popin and user.has_group(AGENT_GROUP):
            info["apizee_popin"] = {
                "enabled": bool(user.apizee_username and user.apizee_password_set)
            }
        return info

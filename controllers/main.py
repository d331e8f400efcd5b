# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class ApizeeController(http.Controller):
    @http.route("/helpdesk_apizee/agent/bootstrap", type="json", auth="user")
    def agent_bootstrap(self):
        """What Apizee's ``loadAgent`` needs for the calling agent.

        :return: ``{"ok": True, "serverDomainRoot", "apiKey", "userInfos"}``, or
            ``{"ok": False, "error": <translated message>}`` when the agent's Apizee
            account is missing or refused. Users who are no agents get an access error.
        """
        try:
            return {"ok": True, **request.env.user._apizee_agent_bootstrap()}
        except AccessError:
            raise
        except UserError as error:
            return {"ok": False, "error": error.args[0]}

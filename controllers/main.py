# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

_logger = logging.getLogger(__name__)


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

    @http.route("/helpdesk_apizee/panel/event", type="json", auth="user")
    def panel_event(self, ticket_id, kind, data_url=None):
        """A message of Apizee's agent app, posted by the ticket's video panel.

        :return: ``{"ok": True}`` or ``{"ok": False, "error": <message>}``; users who
            may not write the ticket get an access error
        """
        ticket = request.env["helpdesk.ticket"].browse(int(ticket_id)).exists()
        if not ticket:
            return {"ok": False, "error": request.env._("This ticket does not exist.")}
        try:
            ticket._apizee_panel_event(str(kind), data_url)
        except AccessError:
            raise
        except UserError as error:
            _logger.warning(
                "Dropped a %s message of Apizee's agent app for ticket %s: %s",
                str(kind)[:40],
                ticket.id,
                error.args[0],
            )
            return {"ok": False, "error": error.args[0]}
        return {"ok": True}

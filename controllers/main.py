# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from .. import const
from ..utils.apizee_webhooks import DeliveryError

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

    @http.route(
        const.WEBHOOK_PATH,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def webhook(self):
        """A delivery of Apizee's webhooks: stored, then applied by a cron.

        :return: JSON; 200 once stored (a duplicate too), 403 without the right
            secret, 413 over the size limit, 400 for a body that is no JSON object
        """
        Event = request.env["apizee.webhook.event"].sudo()
        if not Event._apizee_check_secret(
            request.httprequest.headers.get(const.WEBHOOK_SECRET_HEADER, "")
        ):
            return self._webhook_answer(403, request.env._("Wrong or missing secret."))
        max_bytes = Event._apizee_max_bytes()
        length = request.httprequest.content_length
        if length is not None and length > max_bytes:
            return self._webhook_answer(413, request.env._("The body is too large."))
        # Kept (cache): Odoo replays the request on a serialization failure (two
        # copies of a delivery at once). A chunked body has no length: it is read
        # within Odoo's own request limit, then checked.
        raw = request.httprequest.get_data()
        if len(raw) > max_bytes:
            return self._webhook_answer(413, request.env._("The body is too large."))
        try:
            event_id, duplicate = Event._apizee_receive(raw)
        except DeliveryError:
            return self._webhook_answer(
                400, request.env._("The body is not a JSON object.")
            )
        return request.make_json_response(
            {"ok": True, "id": event_id, "duplicate": duplicate}
        )

    def _webhook_answer(self, status, error):
        _logger.info("Apizee webhook refused (%s): %s", status, error)
        return request.make_json_response({"ok": False, "error": error}, status=status)

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
    def panel_event(
        self,
        ticket_id=None,
        kind=None,
        data_url=None,
        res_model=None,
        res_id=None,
        **_kwargs,
    ):
        """A message of Apizee's agent app, posted by a record's video panel.

        :param str res_model: the record's model (a model with video calls)
        :param int res_id: the record's id
        :param int ticket_id: a ticket's id, instead of ``res_model``/``res_id``
        :param str kind: the message type (``snapshot``, ``joined``, ``left``,
            ``sms_sent``, ``sms_fail``)
        :param str data_url: for ``snapshot``, the picture as a data URL
        :return: ``{"ok": True}`` or ``{"ok": False, "error": <message>}``: the same
            answer for a record that does not exist and one the user may not write
            (or a user who is no agent), so that the route tells nothing of others'
            records
        """
        env = request.env
        if res_model is None and res_id is None:
            res_model, res_id = "helpdesk.ticket", ticket_id
        if (
            not isinstance(res_id, int)
            or isinstance(res_id, bool)
            or not 0 < res_id < 2**31
            or not isinstance(kind, str)
            or not isinstance(data_url, str | None)
        ):
            return {"ok": False, "error": env._("This message is malformed.")}
        unknown = {
            "ok": False,
            "error": env._("This ticket does not exist or you may not use it."),
        }
        if res_model not in env["apizee.session"]._video_models():
            return unknown
        record = env[res_model].browse(res_id)
        try:
            if not record.exists():
                return unknown
            record._apizee_panel_event(kind, data_url)
        except AccessError:
            return unknown
        except UserError as error:
            _logger.warning(
                "Dropped a %r message of Apizee's agent app for %s %s: %r",
                kind[:40],
                res_model,
                record.id,
                error.args[0],
            )
            return {"ok": False, "error": error.args[0]}
        return {"ok": True}

    @http.route(
        [const.WEBHOOK_PATH, f"{const.WEBHOOK_PATH}/<int:company_id>"],
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def webhook(self, company_id=None):
        """A delivery of Apizee's webhooks for the company of the URL (without an id:
        the main company, the URL of single-company databases): stored, then applied
        by a cron to that company's sessions and tickets only.

        :return: JSON; 200 once stored (a duplicate too), 403 without the company's
            secret (an unknown company too: the same answer), 413 over the size
            limit, 400 for a body that is no JSON object or cannot be stored
        """
        Event = request.env["apizee.webhook.event"].sudo()
        company = Event._webhook_company(
            company_id,
            request.httprequest.headers.get(const.WEBHOOK_SECRET_HEADER, ""),
        )
        if not company:
            return self._webhook_answer(403, request.env._("Wrong or missing secret."))
        max_bytes = Event._max_bytes()
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
            event_id, duplicate = Event._receive(raw, company)
        except DeliveryError as error:
            if error.code == "text":
                return self._webhook_answer(
                    400,
                    request.env._(
                        "The body holds a NUL character or invalid Unicode text."
                    ),
                )
            return self._webhook_answer(
                400, request.env._("The body is not a JSON object.")
            )
        return request.make_json_response(
            {"ok": True, "id": event_id, "duplicate": duplicate}
        )

    def _webhook_answer(self, status, error):
        _logger.info("Apizee webhook refused (%s): %s", status, error)
        return request.make_json_response({"ok": False, "error": error}, status=status)

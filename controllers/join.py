# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's side: the join link of a ticket, and the portal's video block."""

import logging
from datetime import date, datetime

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from .. import const
from ..exceptions import JoinWait

_logger = logging.getLogger(__name__)

JOIN_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


class ApizeeJoinController(CustomerPortalHelpdesk):
    # -- The join link ---------------------------------------------------------------

    @http.route(
        [
            f"{const.JOIN_PATH}/<int:res_id>/<string:token>",
            f"{const.JOIN_PATH}/<string:slug>/<int:res_id>/<string:token>",
        ],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def join(self, res_id, token, slug=None, **_kwargs):
        response = self._join(res_id, token, slug)
        # The link is a secret: not sent on to Apizee's page, cached or indexed
        response.headers.update(JOIN_HEADERS)
        return response

    def _join(self, res_id, token, slug):
        """The customer's join link: a page with one button (GET, HEAD: nothing is
        created, so that link scanners start no call); the button (POST) reuses the
        record's live session or creates one, then redirects to Apizee's page for
        the customer.

        :return: the page; 404 for a wrong or stale token (no word of the record);
            a page with the contact options when calls are not available (closed
            ticket, team without self-service); 429 with "try again in N seconds"
            when a session was created a moment ago or Apizee's limit is reached
        """
        record = self._join_record(slug, res_id, token)
        problem = record._apizee_self_service_problem()
        if problem:
            return self._render_unavailable(record, problem)
        if request.httprequest.method != "POST":
            return request.render(
                "helpdesk_apizee.join_page", self._join_values(record)
            )
        try:
            url = record._apizee_customer_start(opener=self._opener())
        except JoinWait as wait:
            return request.render(
                "helpdesk_apizee.join_wait",
                {
                    **self._join_values(record),
                    "message": wait.args[0],
                    "seconds": wait.seconds,
                },
                status=429,
                headers={"Retry-After": str(wait.seconds)},
            )
        except UserError as error:
            # The reason is for the agents (the log); the customer reads a plain
            # sentence and how to reach the help desk
            _logger.warning(
                "Join link of %s %s: no video call (%r)",
                record._name,
                record.id,
                error.args[0],
            )
            return self._render_unavailable(record, "failed", status=503)
        return request.redirect(url, code=303, local=False)

    def _join_record(self, slug, res_id, token):
        """The record of a join link, as superuser, when ``token`` is its token.

        :raise NotFound: otherwise (the same answer for a record that does not
            exist, another model, a wrong or a stale token)
        """
        env = request.env
        if slug is None:
            model = "helpdesk.ticket"
        else:
            model = str(slug).replace("-", ".")
            if model == "helpdesk.ticket":
                raise NotFound()  # one link per ticket: the one without a model
        if model not in env["apizee.session"]._video_models() or not 0 < res_id < 2**31:
            raise NotFound()
        record = env[model].sudo().browse(res_id).exists()
        if not record or not record._apizee_check_join_token(token):
            raise NotFound()
        return record

    @staticmethod
    def _opener():
        """The partner of the logged-in user who pressed, or None for a visitor."""
        user = request.env.user
        return None if user._is_public() else user.partner_id

    def _join_values(self, record):
        company = record._apizee_company()
        return {
            "record": record,
            "company": company,
            "res_company": company,
            "reference": record._apizee_reference(),
            "join_path": record._apizee_join_path(),
            "no_breadcrumbs": True,
        }

    def _render_unavailable(self, record, problem, status=200):
        values = self._join_values(record)
        agent = record._apizee_default_agent()
        values.update(
            problem=problem,
            agent=agent,
            contact_email=agent.email or values["company"].email,
            contact_phone=values["company"].phone,
            portal_url=record.access_url
            if "access_url" in record._fields and not request.env.user._is_public()
            else False,
        )
        return request.render("helpdesk_apizee.join_unavailable", values, status=status)

    # -- The portal's ticket page ----------------------------------------------------

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        """Override: the "Show us the problem by video" block's values (only for
        the ticket's own customers: the page checked the access)."""
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["apizee_video"] = ticket.sudo()._apizee_portal_video()
        return values

    def _apizee_portal_ticket(self, ticket_id, access_token=None):
        try:
            return self._document_check_access(
                "helpdesk.ticket", ticket_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise NotFound() from error

    @staticmethod
    def _apizee_portal_back(ticket, access_token, query=""):
        """Back to the portal's ticket page, with ``query`` (``"&key=value"``).
        The ticket's access token goes in the address only for a visitor who came
        with it (the right one): a customer signed in needs none
        (``get_portal_url`` would make one and put it where browsers' histories
        and logs keep it)."""
        own = ticket.sudo().access_token
        if access_token and own and consteq(str(access_token), own):
            return request.redirect(ticket.get_portal_url(query_string=query))
        return request.redirect(
            ticket.access_url + (f"?{query.lstrip('&')}" if query else "")
        )

    @http.route(
        "/my/ticket/<int:ticket_id>/video/book",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def portal_video_book(
        self, ticket_id, access_token=None, start=None, day=None, **_kwargs
    ):
        """The customer books a video appointment among the team's free slots
        (GET: the slots; POST: book the one of ``start``, an ISO UTC time)."""
        ticket = self._apizee_portal_ticket(ticket_id, access_token)
        if ticket._apizee_self_service_problem():
            return self._apizee_portal_back(ticket, access_token)
        error = None
        if request.httprequest.method == "POST":
            try:
                moment = datetime.fromisoformat(str(start or ""))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is not None:
                error = request.env._("Choose a time among those offered.")
            else:
                booked_by = self._opener() or ticket.partner_id
                try:
                    ticket._apizee_book(moment, booked_by=booked_by)
                except UserError as failure:
                    error = failure.args[0]
                else:
                    return self._apizee_portal_back(
                        ticket, access_token, "&apizee_booked=1"
                    )
        return request.render(
            "helpdesk_apizee.portal_video_book",
            {
                "ticket": ticket,
                "days": self._slots_by_day(ticket, day),
                "error": error,
                "access_token": access_token,
                "page_name": "ticket",
            },
        )

    def _slots_by_day(self, ticket, day=None):
        """The free slots of one day (``day``, ISO date, else the first day with
        free slots) and the days that have some, in the time zone of the team's
        hours.

        :return: ``{"tz", "days": [date], "day": date or None, "slots": [...]}``
        """
        tz = ticket.team_id._apizee_hours().tz or "UTC"
        record = ticket.with_context(tz=tz)
        by_day = {}
        for begin, stop, _agent in ticket._apizee_free_slots():
            local = fields.Datetime.context_timestamp(record, begin)
            local_stop = fields.Datetime.context_timestamp(record, stop)
            by_day.setdefault(local.date(), []).append(
                {
                    "value": begin.isoformat(),
                    "label": f"{local:%H:%M}–{local_stop:%H:%M}",
                }
            )
        days = sorted(by_day)
        try:
            chosen = date.fromisoformat(str(day)) if day else None
        except ValueError:
            chosen = None
        if chosen not in by_day:
            chosen = days[0] if days else None
        return {
            "tz": tz,
            "days": days,
            "day": chosen,
            "slots": by_day.get(chosen, []),
        }

    @http.route(
        "/my/ticket/<int:ticket_id>/video/send",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_video_send(self, ticket_id, access_token=None, channel=None, **_kwargs):
        """The customer has no camera at hand: Apizee sends the link to their phone
        (``channel=sms``) or email (``channel=email``)."""
        ticket = self._apizee_portal_ticket(ticket_id, access_token)
        if ticket._apizee_self_service_problem():
            return self._apizee_portal_back(ticket, access_token)
        valid = ticket._apizee_session_recipients()[0]
        kind = "phone" if channel == "sms" else "email" if channel == "email" else None
        values = [entry.value for entry in valid if entry.kind == kind]
        status = "sent"
        if not values:
            status = "nothing"
        else:
            invite = ([values[-1]], []) if kind == "phone" else ([], [values[0]])
            try:
                ticket._apizee_customer_start(
                    origin="portal_invite", opener=self._opener(), invite=invite
                )
            except JoinWait:
                status = "wait"
            except UserError as error:
                _logger.warning(
                    "Portal of ticket %s: no link sent (%r)", ticket.id, error.args[0]
                )
                status = "failed"
        return self._apizee_portal_back(ticket, access_token, f"&apizee_sent={status}")

    @http.route(
        "/my/ticket/<int:ticket_id>/video/cancel/<int:event_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_video_cancel(self, ticket_id, event_id, access_token=None, **_kwargs):
        """The customer cancels one of the ticket's coming video appointments."""
        ticket = self._apizee_portal_ticket(ticket_id, access_token)
        event = ticket.apizee_appointment_ids.filtered(
            lambda appointment: appointment.id == event_id
            and ticket.partner_id in appointment.partner_ids
        )
        if event and event.stop >= fields.Datetime.now():
            event.action_archive()
        return self._apizee_portal_back(ticket, access_token, "&apizee_cancelled=1")

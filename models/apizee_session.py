# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A video session of Apizee, and the rules of its life.

What Apizee says of a session reaches it two ways: read back (``_read_from_apizee``)
or notified by a webhook event. For an event, the session is found first
(``_get_from_notification``), then applies the facts (``_process_notification``), as
``payment.transaction`` does with its providers' notifications: which state wins by
Apizee's time, the room links, consent, media saved once, and the lines of its
timeline note (``Timeline``).
"""

import logging
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote as url_quote

from markupsafe import Markup
from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import human_size

from .. import const
from ..exceptions import Ignored, RetryLater
from ..utils import apizee_webhooks
from ..utils.apizee_answers import first_url, parse_datetime
from ..utils.apizee_webhooks import pick
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


class Timeline:
    """The lines of the sessions' timeline notes gathered while a batch of webhook
    events is applied: one note per session and batch (``post``), whatever the
    number of its events.

    A line is ``(when, text, attachment)``. An event whose changes are rolled back
    takes its lines back (``mark`` then ``rollback``).
    """

    def __init__(self):
        self.entries = []  # (session, when, text, attachment), in order

    def add(self, session, text, when=None, attachment=None):
        self.entries.append((session, when, text, attachment))

    def mark(self):
        return len(self.entries)

    def rollback(self, mark):
        del self.entries[mark:]

    def post(self):
        """Log one note per session on its record, as OdooBot."""
        by_session = defaultdict(list)
        for session, when, text, attachment in self.entries:
            by_session[session].append((when, text, attachment))
        self.entries = []
        for session, lines in by_session.items():
            session._log_timeline(lines)


class ApizeeSession(models.Model):
    """A video-assistance session of Apizee (a "ticket" on Apizee's side), linked to the
    record it was opened from (a helpdesk ticket, or any record of a model that
    inherits ``apizee.video.mixin``)."""

    _name = "apizee.session"
    _description = "Apizee Video Session"
    _order = "id desc"
    _rec_name = "apizee_id"

    res_model = fields.Char(
        string="Record model", required=True, readonly=True, index=True
    )
    res_id = fields.Many2oneReference(
        string="Record ID",
        model_field="res_model",
        required=True,
        readonly=True,
        index=True,
    )
    # For the ticket views and filters
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        compute="_compute_ticket_id",
        store=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    record_readable = fields.Boolean(
        compute="_compute_record_readable",
        search="_search_record_readable",
        help="Whether the user may read the session's record: sessions are seen "
        "with their records (a record rule).",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True, index=True)
    apizee_id = fields.Char(string="Apizee ID", readonly=True, index=True)
    state = fields.Selection(
        selection=const.SESSION_STATES, default="new", required=True, readonly=True
    )
    live = fields.Boolean(compute="_compute_live")
    service_id = fields.Many2one(comodel_name="apizee.service", readonly=True)
    agent_id = fields.Many2one(
        comodel_name="res.users", string="Opened by", readonly=True
    )
    # An agent's Apizee user name is for administrators only (see res.users)
    agent_username = fields.Char(
        string="Apizee agent", readonly=True, groups="base.group_system"
    )
    recipients = fields.Char(readonly=True)
    invitation_sent = fields.Boolean(
        readonly=True, help="Apizee sent the invitation by SMS or email itself."
    )
    agent_url = fields.Char(string="Agent room", readonly=True)
    guest_url = fields.Char(string="Guest link", readonly=True)
    reference = fields.Char(readonly=True)
    apizee_created = fields.Datetime(string="Created in Apizee", readonly=True)
    start_time = fields.Datetime(string="Starts", readonly=True)
    end_time = fields.Datetime(string="Ends", readonly=True)
    last_refresh = fields.Datetime(readonly=True)
    last_error = fields.Char(readonly=True)
    state_time = fields.Datetime(
        string="State since",
        readonly=True,
        help="Apizee time of the event that set the state: an older event never "
        "overwrites it.",
    )
    consent_time = fields.Datetime(
        string="Consent accepted on",
        readonly=True,
        help="When the guest accepted the consent, as Apizee reported it (GDPR "
        "evidence).",
    )
    consent_source = fields.Char(string="Consent given by", readonly=True)
    webhook_event_ids = fields.One2many(
        comodel_name="apizee.webhook.event",
        inverse_name="session_id",
        string="Apizee events",
        groups="base.group_system",
    )

    _sql_constraints = [
        (
            "apizee_id_uniq",
            "unique(apizee_id, company_id)",
            "This Apizee session is already linked to a ticket.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """Override: a session names its record by ``res_model``/``res_id`` (or by
        ``ticket_id``, as before); its company is its record's."""
        for vals in vals_list:
            if vals.get("ticket_id") and not vals.get("res_model"):
                vals.update(res_model="helpdesk.ticket", res_id=vals["ticket_id"])
            if "company_id" not in vals and vals.get("res_model") in self.env:
                record = self.env[vals["res_model"]].browse(vals.get("res_id"))
                vals["company_id"] = record.sudo()._apizee_company().id
        return super().create(vals_list)

    @api.depends("res_model", "res_id")
    def _compute_ticket_id(self):
        for session in self:
            is_ticket = session.res_model == "helpdesk.ticket"
            session.ticket_id = session.res_id if is_ticket else False

    @api.depends_context("uid")
    def _compute_record_readable(self):
        by_model = defaultdict(list)
        for session in self:
            by_model[session.res_model].append(session)
        for model, sessions in by_model.items():
            if model not in self.env:
                readable = set()
            else:
                records = self.env[model].with_user(self.env.uid)
                records = records.browse([s.res_id for s in sessions]).exists()
                readable = set(records._filtered_access("read").ids)
            for session in sessions:
                session.record_readable = session.res_id in readable

    @api.model
    def _search_record_readable(self, operator, value):
        """Sessions whose record the user may read: for each model with video calls,
        the rules of that model, as computed for the user, become a condition on the
        sessions' ``res_id``. No rule of the records needs mirroring here.
        """
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        user_env = self.env(su=False)
        domains = []
        for model in self._video_models():
            rule_domain = user_env["ir.rule"]._compute_domain(model, "read")
            query = self.env[model].sudo().with_context(active_test=False)
            domains.append(
                [
                    ("res_model", "=", model),
                    ("res_id", "in", query._search(rule_domain or [])),
                ]
            )
        domain = expression.OR(domains) if domains else expression.FALSE_DOMAIN
        if (operator == "=") != value:
            return ["!", *domain]
        return domain

    @api.model
    def _video_models(self):
        """The names of the models with video calls (that inherit the mixin)."""
        return [
            name
            for name in self.env.registry.descendants(
                ["apizee.video.mixin"], "_inherit"
            )
            if not self.env[name]._abstract
        ]

    @api.depends("state", "end_time")
    def _compute_live(self):
        now = fields.Datetime.now()
        for session in self:
            session.live = session.state in const.SESSION_LIVE_STATES and not (
                session.end_time and session.end_time < now
            )

    def _record(self):
        """The record the session belongs to (as superuser)."""
        self.ensure_one()
        return self.env[self.res_model].sudo().browse(self.res_id)

    # -- Actions -------------------------------------------------------------------

    def _check_agent(self):
        """Refuse users who may not call from the sessions' records (from records of
        any model with video calls, for the empty record set).

        :raise AccessError: for them
        """
        video_models = self._video_models()
        if self:
            allowed = all(
                model in video_models and self.env[model]._apizee_is_agent()
                for model in set(self.mapped("res_model"))
            )
        else:
            allowed = any(self.env[model]._apizee_is_agent() for model in video_models)
        if not allowed:
            raise AccessError(
                self.env._("Only helpdesk agents may use Apizee from a ticket.")
            )

    def action_apizee_open(self):
        """Open the agent's room of this session in a new tab.

        :raise AccessError: for users who are no helpdesk agents or may not read
            the session
        """
        self._check_agent()
        self.ensure_one()
        self.check_access("read")
        return self._room_action()

    def action_apizee_refresh(self):
        """Read the sessions back from Apizee (state, times, room URLs).

        A session Apizee no longer knows (404) is marked expired, with the reason.

        :raise AccessError: for users who are no helpdesk agents or may not read
            the sessions
        :raise ApizeeError: any other mapped failure; nothing is changed then
        """
        self._check_agent()
        self.check_access("read")
        # A session read back moments ago is not read again: clicks on Refresh must
        # not spend the technical account's requests, which every "Open room" needs
        recent = fields.Datetime.now() - timedelta(seconds=const.SESSION_REFRESH_MIN)
        for session in self:
            if session.sudo().last_refresh and session.sudo().last_refresh > recent:
                continue
            session._read_from_apizee()
        return True

    def _room_action(self, invitation_not_sent=False):
        """The action that opens the session's agent room, or says it has none.

        :param bool invitation_not_sent: the agent asked Apizee to invite the
            customer, but the live session was reused: say so, then open the room
        """
        self.ensure_one()
        if invitation_not_sent and self.agent_url:
            return self._warning(
                self.env._("Invitation not sent"),
                self.env._(
                    "The video session %(session)s of this ticket is still live: "
                    "its room opens again, and Apizee did not send a new "
                    "invitation. The customer's link: %(link)s",
                    session=self.apizee_id,
                    link=self.guest_url or self.env._("unknown"),
                ),
                self._room_action(),
            )
        if not self.agent_url:
            return self._warning(
                self.env._("No room address"),
                self.env._(
                    "Apizee created the video session %(session)s but gave no "
                    "address for the agent's room: open it from Apizee's own "
                    "interface.",
                    session=self.apizee_id,
                ),
                {"type": "ir.actions.client", "tag": "soft_reload"},
            )
        return {"type": "ir.actions.act_url", "url": self.agent_url, "target": "new"}

    @api.model
    def _warning(self, title, message, next_action):
        """A sticky warning notification, then ``next_action``."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": title,
                "message": message,
                "next": next_action,
            },
        }

    # -- What Apizee answers -------------------------------------------------------

    @api.model
    def _create_from_answer(self, record, answer, values):
        """Store the session Apizee created for ``record`` (``POST /api/v3/tickets``),
        with a note on the record by the agent.

        :param dict answer: Apizee's answer
        :param dict values: the other field values (agent, recipients...)
        :return: the new session
        """
        session = self.sudo().create(
            {
                **self._values_from_answer(answer),
                **values,
                "res_model": record._name,
                "res_id": record.id,
                "last_refresh": fields.Datetime.now(),
            }
        )
        user = self.env.user.name
        if session.invitation_sent:
            body = self.env._(
                "Apizee video session %(session)s opened by %(user)s; Apizee sent the "
                "invitation to %(recipients)s.",
                session=session.apizee_id,
                user=user,
                recipients=session.recipients,
            )
        else:
            body = self.env._(
                "Apizee video session %(session)s opened by %(user)s (no invitation "
                "sent by Apizee).",
                session=session.apizee_id,
                user=user,
            )
        record._apizee_post_note(body)
        # Webhook events of this session may have arrived before it was stored
        self.env["apizee.webhook.event"].sudo()._wake_waiting(session)
        return session

    def _read_from_apizee(self):
        """Read one session back from Apizee and store what it says."""
        self.ensure_one()
        if not self.apizee_id:
            return
        company = self.company_id or self.env.company
        values = {"last_refresh": fields.Datetime.now(), "last_error": False}
        try:
            answer = company._apizee_call(
                "GET", f"{const.TICKETS_PATH}/{self.apizee_id}"
            )
        except ApizeeError as error:
            if error.kind != "not_found":
                raise
            values.update(state="expired", last_error=error.args[0][:250])
        else:
            values.update(self._values_from_answer(answer))
        self.sudo().write(values)

    @api.model
    def _values_from_answer(self, answer):
        """Values of a session from Apizee's answer (create or get), without I/O.

        The names of the room URL fields are not public [guess]: every name of
        ``const.AGENT_URL_KEYS`` / ``const.GUEST_URL_KEYS`` is accepted.

        :param dict answer: the decoded JSON
        :return: a dict of field values (only what the answer holds)
        :raise ApizeeError: ``unreadable`` when the answer is no session
        """
        if not isinstance(answer, dict) or answer.get("id") in (None, ""):
            raise self.env["apizee.client"]._apizee_error("unreadable", 200)
        values = {}
        values["apizee_id"] = str(answer["id"])
        state = str(answer.get("state") or "").lower()
        state = const.SESSION_STATE_ALIASES.get(state, state)
        if state in dict(const.SESSION_STATES):
            values["state"] = state
            # What Apizee says now: a webhook event older than this changes nothing
            modified = parse_datetime(answer.get("modified"))
            if modified:
                values["state_time"] = modified.replace(microsecond=0)
        for field, keys in (
            ("agent_url", const.AGENT_URL_KEYS),
            ("guest_url", const.GUEST_URL_KEYS),
        ):
            url = first_url(answer, keys)
            if url:
                values[field] = url
        for field, key in (
            ("apizee_created", "created"),
            ("start_time", "start_time"),
            ("end_time", "end_time"),
        ):
            moment = parse_datetime(answer.get(key))
            if moment:
                values[field] = moment
        if answer.get("reference"):
            values["reference"] = str(answer["reference"])[:64]
        return values

    def _apply_state(self, state, when):
        """Set the state Apizee reported at ``when``, unless a later event already
        set another one.

        :param str state: a key of ``const.SESSION_STATES``
        :param datetime when: the Apizee time of the event (naive UTC)
        :return: whether the state was applied
        """
        self.ensure_one()
        if state not in const.SESSION_STATE_RANK:
            return False
        rank = const.SESSION_STATE_RANK
        backwards = rank[state] < rank.get(self.state, 0)
        if not when:
            if backwards:  # an event without time never undoes a later state
                return False
        elif self.state_time:
            if when < self.state_time or (when == self.state_time and backwards):
                return False
        self.sudo().write({"state": state, "state_time": when or self.state_time})
        return True

    # -- Webhook notifications: found, then applied --------------------------------

    @api.model
    def _get_from_notification(self, event, props):
        """The session a webhook event is about, among the sessions of the event's
        company. A "ticket" event that names the reference of one of the company's
        records creates the session (created in Apizee's own UI).

        :param event: the ``apizee.webhook.event``
        :param dict props: the delivery's ``props``
        :return: ``(session, created)``
        :raise Ignored: the event is about nothing of this database
        :raise RetryLater: its session is not known (yet)
        """
        if event.object == const.WEBHOOK_OBJECT_TICKET:
            return self._get_from_ticket_notification(event, props)
        if event.object == const.WEBHOOK_OBJECT_SESSION_EVENT:
            if (event.event_name or "") not in self._timeline_labels():
                raise Ignored(self.env._("Unknown session event."))
        elif event.event == "delete":  # a media
            raise Ignored(self.env._("Media deleted in Apizee: kept in Odoo."))
        if not event.session_ref:
            raise RetryLater(
                self.env._("The event names no Apizee session."),
                give_up_state="ignored",
            )
        session = self.sudo().search(
            [
                ("apizee_id", "=", event.session_ref),
                ("company_id", "=", event.company_id.id),
            ],
            limit=1,
        )
        if not session:
            raise RetryLater(
                self.env._(
                    "No session %(session)s in this database (yet).",
                    session=event.session_ref,
                ),
                give_up_state="ignored",
            )
        return session, False

    @api.model
    def _get_from_ticket_notification(self, event, props):
        """``_get_from_notification`` for an Apizee "ticket" (our session): found
        by Apizee id, else by reference; created for a record of that reference."""
        Session = self.sudo()
        company = [("company_id", "=", event.company_id.id)]
        session = Session.search(
            [("apizee_id", "=", event.object_id), *company], limit=1
        )
        reference = str(props.get("reference") or "")
        if not session and reference:
            session = Session.search(
                [("reference", "=", reference), ("apizee_id", "=", False), *company],
                limit=1,
            )
        if session:
            return session, False
        if event.event == "delete" or not reference:
            raise Ignored(self.env._("No session of this database."))
        record = self._find_record(reference, event.company_id)
        if not record:
            raise Ignored(
                self.env._(
                    "No ticket of this database has the reference %(reference)s.",
                    reference=reference,
                )
            )
        # The agent's "Open room" may be storing this very session now: wait a
        # little (by Odoo's clock, Apizee's may differ), then take the record's
        # lock as "Open room" does, so that only one of them creates it.
        waiting = self.env._("Waiting for the session to be stored by Odoo.")
        if fields.Datetime.now() - event.create_date < timedelta(
            seconds=const.WEBHOOK_SESSION_GRACE
        ):
            raise RetryLater(waiting, give_up_state="ignored")
        try:
            record._apizee_lock(nowait=True)
        except (errors.LockNotAvailable, errors.SerializationFailure):
            raise RetryLater(waiting, give_up_state="ignored") from None
        values = event._checked_room_links(
            self._values_from_answer({**props, "id": event.object_id})
        )
        values.pop("state_time", None)
        values.pop("state", None)  # applied by the event's time, in the next step
        session = Session.create(
            {
                **values,
                "res_model": record._name,
                "res_id": record.id,
                "reference": reference,
            }
        )
        event._wake_waiting(session)
        return session, True

    @api.model
    def _find_record(self, reference, company):
        """The record of ``company`` whose reference is ``reference``, among the
        models with video calls (as superuser)."""
        for model in self._video_models():
            Model = self.env[model].sudo()
            domain = Model._apizee_reference_domain(reference)
            if domain is None:
                continue
            if "company_id" in Model._fields:
                domain = [*domain, ("company_id", "=", company.id)]
            record = Model.search(domain, limit=1)
            if record:
                return record
        return None

    def _process_notification(self, event, props, timeline, created=False):
        """Apply what a webhook event says of the session.

        :param event: the ``apizee.webhook.event`` (its company is the session's)
        :param dict props: the delivery's ``props``
        :param Timeline timeline: where the lines of the session's note go
        :param bool created: the session was created for this event
        :return: ``(state, result)``: ``done`` or ``ignored``, and what happened
        :raise RetryLater: a failure worth another attempt
        """
        self.ensure_one()
        if event.object == const.WEBHOOK_OBJECT_TICKET:
            return self._process_ticket(event, props, timeline, created)
        if event.object == const.WEBHOOK_OBJECT_SESSION_EVENT:
            if event._already_applied():
                return "ignored", self.env._("Already applied.")
            return self._process_session_event(event, props, timeline)
        return self._process_media(event, props, timeline)

    def _process_ticket(self, event, props, timeline, created):
        """A "ticket" event: created, updated or deleted in Apizee."""
        when = event.apizee_time
        if created:
            timeline.add(
                self, self.env._("Session created in Apizee for this ticket."), when
            )
            values = self._values_from_answer({**props, "id": event.object_id})
            if values.get("state"):
                self._apply_state(values["state"], when)
            return "done", self.env._("Session created.")
        if event.event == "delete":
            if self._apply_state("cancelled", when):
                timeline.add(self, self.env._("Session deleted in Apizee."), when)
            return "done", self.env._("Session deleted in Apizee.")
        values = event._checked_room_links(
            self._values_from_answer({**props, "id": event.object_id})
        )
        state = values.pop("state", None)
        values.pop("state_time", None)  # set with the state, by the event's time
        values.pop("reference", None)
        if self.apizee_id:  # else found by reference: now it has its id
            values.pop("apizee_id", None)
        if values and (not self.state_time or not when or when >= self.state_time):
            self.sudo().write(values)
        if state and self._apply_state(state, when):
            label = dict(self._fields["state"]._description_selection(self.env))
            return "done", self.env._("State: %(state)s.", state=label.get(state))
        return "done", self.env._("Nothing newer than what the session says.")

    def _process_session_event(self, event, props, timeline):
        """One entry of a session's timeline (``conversationevent``): a line of the
        note, and the state or the consent it implies."""
        name = event.event_name
        when = event.apizee_time
        line = self._timeline_labels()[name]
        if name == "consent.accepted" and (
            not self.consent_time or (when and when < self.consent_time)
        ):
            source = str(props.get("source") or "")
            self.sudo().write(
                {
                    "consent_time": when or fields.Datetime.now(),
                    "consent_source": source[:64] or False,
                }
            )
        if name == "survey.answered":
            answer = pick(props.get("data") or {}, ("rating", "score", "answer"))
            if answer is not None:
                line = self.env._(
                    "Survey answered: %(answer)s", answer=str(answer)[:100]
                )
        state = const.SESSION_EVENT_STATES.get(name)
        if state:
            self._apply_state(state, when)
        timeline.add(self, line, when)
        return "done", line

    @api.model
    def _timeline_labels(self):
        """The line of each session event Apizee's webhooks send."""
        return {
            "consent.accepted": self.env._("The guest accepted the consent."),
            "ticket.invitationSent": self.env._("Invitation sent."),
            "ticket.invitationClicked": self.env._("The guest opened the invitation."),
            "ticket.invitationAccepted": self.env._(
                "The guest accepted the invitation."
            ),
            "ticket.invitationDeclined": self.env._(
                "The guest declined the invitation."
            ),
            "ticket.invitationExpired": self.env._("The invitation expired."),
            "ticket.sessionStarted": self.env._("Video session started."),
            "session.established": self.env._("Video connection established."),
            "session.userLeft": self.env._("The guest left the session."),
            "session.agentLeft": self.env._("The agent left the session."),
            "media.pictureTaken": self.env._("Picture taken."),
            "survey.answered": self.env._("Survey answered."),
            "ticket.completed": self.env._("Session completed."),
            "ticket.closed": self.env._("Session closed."),
            "ticket.cancelled": self.env._("Session cancelled."),
        }

    def _process_media(self, event, props, timeline):
        """A picture or recording of the session: saved on its record once, within
        the size and types of the settings."""
        record = self._record()
        media_id = event.object_id or ""
        prefix = f"{const.MEDIA_ATTACHMENT_PREFIX}{media_id}"
        Attachment = self.env["ir.attachment"].sudo()
        # Per record, so per company: the record is one of the event's company
        if Attachment.search_count(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("name", "=like", f"{prefix}.%"),
            ],
            limit=1,
        ):
            return "ignored", self.env._("Already saved.")
        max_bytes, types = self._media_limits()
        declared_type = str(pick(props, const.MEDIA_TYPE_KEYS) or "").lower()
        declared_size = pick(props, const.MEDIA_SIZE_KEYS)
        refused = None
        if declared_type and declared_type not in types:
            refused = self._media_refused(event, mimetype=declared_type)
        elif str(declared_size or "").isdigit() and int(declared_size) > max_bytes:
            refused = self._media_refused(event, max_bytes=max_bytes)
        else:
            try:
                mimetype, content = self._download_media(event, props, max_bytes)
            except ApizeeError as error:
                if error.kind != "too_large":
                    raise
                refused = self._media_refused(event, max_bytes=max_bytes)
            else:
                mimetype = mimetype or declared_type
                if mimetype not in types:
                    refused = self._media_refused(event, mimetype=mimetype)
        if refused:
            timeline.add(self, refused, event.apizee_time)
            return "ignored", refused
        name = prefix + apizee_webhooks.media_extension(mimetype)
        attachment = Attachment.create(
            {
                "name": name,
                "raw": content,
                "mimetype": mimetype,
                "res_model": record._name,
                "res_id": record.id,
                "company_id": self.company_id.id,
            }
        )
        line = self.env._(
            "Media saved: %(name)s (%(size)s kB).",
            name=name,
            size=round(len(content) / 1024),
        )
        timeline.add(self, line, event.apizee_time, attachment)
        return "done", line

    def _download_media(self, event, props, max_bytes):
        """The media's content, through the session's company's Apizee account.

        :return: ``(mimetype, bytes)``
        :raise ApizeeError: ``too_large`` over ``max_bytes``, or any failure
        """
        company = self.company_id
        url = pick(props, const.MEDIA_URL_KEYS)
        if not url:
            media_id = url_quote(event.object_id or "", safe="")
            media = company._apizee_call("GET", f"{const.MEDIAS_PATH}/{media_id}")
            url = pick(media, const.MEDIA_URL_KEYS) if isinstance(media, dict) else None
            if not url:
                raise RetryLater(self.env._("Apizee gave no download link."))
        return company._apizee_download(str(url), max_bytes)

    @api.model
    def _media_refused(self, event, mimetype=None, max_bytes=None):
        """The line that tells the agent that the event's media stayed in Apizee:
        its type is not allowed, or it is larger than ``max_bytes``."""
        if max_bytes is None:
            return self.env._(
                "Media %(media)s (%(type)s) not saved: this type is not allowed in "
                "Settings.",
                media=event.object_id or "",
                type=mimetype or "?",
            )
        return self.env._(
            "Media %(media)s not saved: it is larger than %(size)s (Settings).",
            media=event.object_id or "",
            size=human_size(max_bytes),
        )

    @api.model
    def _media_limits(self):
        """``(max_bytes, allowed types)`` of media saved on records (settings)."""
        params = self.env["ir.config_parameter"].sudo()
        size = params.get_param(const.MEDIA_MAX_BYTES_PARAM, "")
        types = params.get_param(const.MEDIA_TYPES_PARAM) or const.MEDIA_TYPES_DEFAULT
        return (
            int(size) if size.isdigit() else const.MEDIA_MAX_BYTES_DEFAULT,
            {t.strip().lower() for t in types.split(",") if t.strip()},
        )

    def _log_timeline(self, lines):
        """Log the session's note of a batch on its record, as OdooBot.

        :param lines: ``(when, text, attachment)``, in order; ``when`` is shown in
            the time zone of the agent who opened the session, else of the record's
            user
        """
        self.ensure_one()
        session = self.sudo()
        record = session._record()
        record_user = record["user_id"] if "user_id" in record._fields else None
        tz = session.agent_id.tz or (record_user and record_user.tz) or "UTC"
        items = []
        for when, text, _attachment in lines:
            stamp = ""
            if when:
                local = fields.Datetime.context_timestamp(
                    session.with_context(tz=tz), when
                )
                stamp = local.strftime("%H:%M:%S ")
            items.append(Markup("<li>%s%s</li>") % (stamp, text))
        title = self.env._("Apizee session %(session)s", session=session.apizee_id)
        attachments = self.env["ir.attachment"].union(
            *(attachment for _when, _text, attachment in lines if attachment)
        )
        record._apizee_post_note(
            Markup("<p>%s</p><ul>%s</ul>") % (title, Markup("").join(items)),
            attachments,
            author=self.env.ref("base.partner_root"),
        )

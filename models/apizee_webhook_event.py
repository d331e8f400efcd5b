# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Apizee's webhook deliveries: stored raw as they arrive, applied by a cron.

The route only stores (one INSERT) and answers; ``_cron_apizee_process`` applies the
events in the order of their Apizee time, each in a savepoint, and retries failures
with backoff before leaving them to an administrator.
"""

import hmac
import json
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import quote as url_quote

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, human_size

from .. import const
from ..utils import apizee_webhooks
from ..utils.apizee_webhooks import pick
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


class WaitForSession(Exception):
    """The event names an Apizee session this database does not know (yet)."""


class ApizeeWebhookEvent(models.Model):
    _name = "apizee.webhook.event"
    _description = "Apizee Webhook Event"
    _order = "id desc"
    _rec_name = "digest"

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The company whose webhook URL and secret the delivery came with: it "
        "applies to this company's sessions and tickets only.",
    )
    digest = fields.Char(
        readonly=True,
        required=True,
        help="SHA-256 of the delivery: the same delivery sent twice is stored once.",
    )
    body = fields.Text(readonly=True, help="The delivery as Apizee sent it (JSON).")
    event = fields.Char(readonly=True)
    object = fields.Char(readonly=True)
    object_id = fields.Char(string="Object ID", readonly=True, index=True)
    event_name = fields.Char(readonly=True)
    session_ref = fields.Char(
        string="Apizee session", readonly=True, index=True, help="Its Apizee ID."
    )
    apizee_time = fields.Datetime(readonly=True, help="When it happened in Apizee.")
    state = fields.Selection(
        selection=[
            ("pending", "To process"),
            ("done", "Applied"),
            ("ignored", "Ignored"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(readonly=True)
    processed_on = fields.Datetime(readonly=True)
    result = fields.Char(readonly=True, help="What processing did, or why not.")
    session_id = fields.Many2one(
        comodel_name="apizee.session", readonly=True, ondelete="set null", index=True
    )
    ticket_id = fields.Many2one(related="session_id.ticket_id", string="Ticket")

    _sql_constraints = [
        (
            "digest_uniq",
            "unique(company_id, digest)",
            "This delivery is already stored.",
        ),
    ]

    def init(self):
        """The cron's query: pending events by time of the next attempt."""
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS apizee_webhook_event_pending_idx "
            "ON apizee_webhook_event (next_attempt) WHERE state = 'pending'"
        )

    # -- receiving ---------------------------------------------------------------------

    @api.model
    def _apizee_main_company(self):
        """The company of the webhook URL without a company id (the URL of the first
        versions, kept for single-company databases): ``base.main_company``, else
        the company of the lowest id."""
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        if company:
            return company.sudo()
        return (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([], order="id", limit=1)
        )

    @api.model
    def _apizee_webhook_company(self, company_id, given):
        """The company a delivery is for, when it came with that company's secret.

        The secret is compared in constant time; an unknown company is compared with
        a random secret, so that it is refused as a wrong secret is (the answer says
        nothing of which companies exist). A company without a secret (a neutralized
        database, say) refuses everything.

        :param int company_id: the id of the webhook URL, None for the URL without
            one (the main company)
        :param str given: the secret header of the delivery
        :return: the company (superuser), or an empty record set
        """
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        if company_id is None:
            company = self._apizee_main_company()
        elif 0 < company_id < 2**31:
            # One query whether the company exists or not, its secret included
            company = Company.search_fetch(
                [("id", "=", company_id)], ["apizee_webhook_secret"], limit=1
            )
        else:
            company = Company.browse()
        expected = company.apizee_webhook_secret or ""
        matches = hmac.compare_digest(
            (given or "").encode(),
            (expected or secrets.token_urlsafe(const.WEBHOOK_SECRET_BYTES)).encode(),
        )
        return company if matches and expected and given else Company.browse()

    @api.model
    def _apizee_max_bytes(self):
        """The largest delivery body accepted (a setting)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(const.WEBHOOK_MAX_BYTES_PARAM, "")
        )
        return int(value) if value.isdigit() else const.WEBHOOK_MAX_BYTES_DEFAULT

    @api.model
    def _apizee_receive(self, raw, company):
        """Store a delivery and wake the cron; nothing else (Apizee must get its answer
        at once).

        One INSERT that skips a delivery already stored: the same delivery twice has
        one effect, even when both arrive at the same moment.

        :param bytes raw: the request body
        :param company: the company of the webhook URL (see
            ``_apizee_webhook_company``)
        :return: ``(id, duplicate)``
        :raise DeliveryError: when the body is no JSON object, or cannot be stored
        """
        company.ensure_one()
        payload, digest = apizee_webhooks.parse_delivery(raw)
        values = apizee_webhooks.delivery_fields(payload)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO apizee_webhook_event (
                    company_id, digest, body, event, object, object_id, event_name,
                    session_ref, apizee_time, state, attempts, next_attempt,
                    create_uid, create_date, write_uid, write_date
                ) VALUES (
                    %(company_id)s, %(digest)s, %(body)s, %(event)s, %(object)s,
                    %(object_id)s, %(event_name)s, %(session_ref)s, %(apizee_time)s,
                    'pending', 0, %(now)s,
                    %(uid)s, %(now)s, %(uid)s, %(now)s
                )
                ON CONFLICT (company_id, digest) DO NOTHING
                RETURNING id
                """,
                company_id=company.id,
                digest=digest,
                body=raw.decode("utf-8"),
                now=now,
                uid=self.env.uid,
                **values,
            )
        )
        row = self.env.cr.fetchone()
        if row is None:
            self.env.cr.execute(
                "SELECT id FROM apizee_webhook_event "
                "WHERE company_id = %s AND digest = %s",
                [company.id, digest],
            )
            return self.env.cr.fetchone()[0], True
        self._apizee_wake_cron()
        return row[0], False

    @api.model
    def _apizee_wake_cron(self, at=None):
        """Trigger the processing cron, unless a wake-up is already due (one trigger
        per burst, not one per delivery)."""
        cron = self.env.ref(
            "helpdesk_apizee.ir_cron_apizee_webhook_process", raise_if_not_found=False
        )
        if not cron:
            return
        if at is None:
            self.env["ir.cron.trigger"].flush_model()
            self.env.cr.execute(
                "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= %s "
                "LIMIT 1",
                [cron.id, fields.Datetime.now()],
            )
            if self.env.cr.fetchone():
                return
        cron.sudo()._trigger(at)

    # -- processing --------------------------------------------------------------------

    @api.model
    def _cron_apizee_process(self, limit=const.WEBHOOK_BATCH_SIZE):
        """Apply the due events, oldest Apizee time first, and report progress so that
        the cron runner commits and calls again while some remain.

        :return: the number of events processed
        """
        self.env.flush_all()  # raw queries below
        self.env.cr.execute(
            """
            SELECT id FROM apizee_webhook_event
             WHERE state = 'pending' AND next_attempt <= %s
             ORDER BY apizee_time NULLS LAST, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now(), limit],
        )
        events = self.browse([row[0] for row in self.env.cr.fetchall()])
        done = events._apizee_process(
            deadline=time.monotonic() + const.WEBHOOK_BATCH_SECONDS
        )
        self.env.flush_all()
        now = fields.Datetime.now()
        # A fresh snapshot: deliveries stored while this batch ran count too (their
        # route saw this run's trigger and did not add one).
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                SELECT count(*) FILTER (WHERE next_attempt <= %s),
                       min(next_attempt) FILTER (WHERE next_attempt > %s)
                  FROM apizee_webhook_event
                 WHERE state = 'pending' AND id != ALL(%s)
                """,
                [now, now, done.ids],
            )
            due, next_attempt = cr.fetchone()
        # ... and the retries this batch scheduled, not committed yet
        later = [
            event.next_attempt
            for event in done
            if event.state == "pending" and event.next_attempt
        ]
        due += sum(1 for moment in later if moment <= now)
        later = [moment for moment in [*later, next_attempt] if moment and moment > now]
        if later:
            self._apizee_wake_cron(at=min(later))  # a retry later on
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=due)
        return len(done)

    def _apizee_process(self, deadline=None):
        """Apply each event in its own savepoint; a failure is retried with backoff.

        :param float deadline: a ``time.monotonic()`` after which the rest is left
            for the next batch (a slow download must not hold the whole queue)
        :return: the events processed
        """
        lang_of = self._apizee_langs()
        processed = self.browse()
        for event in self:
            if deadline and processed and time.monotonic() > deadline:
                break
            processed |= event
            try:
                with self.env.cr.savepoint():
                    state, result = event.with_context(
                        lang=lang_of(event)
                    )._apizee_apply()
            except Exception as error:  # noqa: BLE001 (one event never stops the queue)
                self.env.invalidate_all()  # the savepoint was rolled back
                event._apizee_failed(error)
            else:
                event.write(
                    {
                        "state": state,
                        "result": (result or "")[:250],
                        "processed_on": fields.Datetime.now(),
                        "next_attempt": False,
                    }
                )
        return processed

    def _apizee_langs(self):
        """The language of the notes and results of each event: that of its company
        (the cron runs as OdooBot, in English), which is its session's company too;
        read in one query.

        :return: a function of an event, giving its language
        """
        default = self.env.company.partner_id.lang or "en_US"
        self.mapped("company_id.partner_id.lang")  # prefetched for the whole batch
        return lambda event: event.company_id.partner_id.lang or default

    def _apizee_failed(self, error):
        """Schedule the next attempt after ``error``, by its kind: a session not known
        yet, Apizee's rate limit (not the event's fault: wait as Apizee says, without
        counting), a mapped failure, or a bug (logged with its traceback)."""
        if isinstance(error, WaitForSession):
            self._apizee_retry_later(str(error), give_up_state="ignored")
        elif isinstance(error, ApizeeError) and error.kind == "rate_limited":
            self._apizee_retry_later(error.args[0], delay=error.retry_after)
        elif (
            isinstance(error, ApizeeError)
            and error.kind == "refused"
            and not (error.status)
        ):
            # An address Odoo refuses to reach: no later attempt would differ
            self._apizee_retry_later(error.args[0], final=True)
        elif isinstance(error, UserError):  # ApizeeError too
            self._apizee_retry_later(error.args[0])
        else:
            _logger.exception("Apizee webhook event %s failed", self.id)
            self._apizee_retry_later(f"{type(error).__name__}: {error}")

    def _apizee_retry_later(
        self, message, give_up_state="failed", delay=None, final=False
    ):
        """Count a failed attempt: try again after the next delay of
        ``const.WEBHOOK_RETRY_DELAYS``, or give up with ``give_up_state``.

        :param int delay: seconds to wait instead, without counting an attempt
        :param bool final: give up now, whatever the attempts left
        """
        self.ensure_one()
        if delay is not None:
            self.write(
                {
                    "result": message[:250],
                    "next_attempt": fields.Datetime.now() + timedelta(seconds=delay),
                }
            )
            return
        attempts = self.attempts + 1
        values = {"attempts": attempts, "result": message[:250]}
        if final or attempts > len(const.WEBHOOK_RETRY_DELAYS):
            values.update(
                state=give_up_state,
                next_attempt=False,
                processed_on=fields.Datetime.now(),
            )
            _logger.warning(
                "Apizee webhook event %s given up after %s attempts: %s",
                self.id,
                attempts,
                message,
            )
        else:
            delay = const.WEBHOOK_RETRY_DELAYS[attempts - 1]
            values["next_attempt"] = fields.Datetime.now() + timedelta(seconds=delay)
        self.write(values)

    def _apizee_apply(self):
        """Apply one event.

        :return: ``(state, result)``: ``done`` or ``ignored``, and what happened
        :raise WaitForSession: when its session is not known yet
        :raise Exception: any failure, retried later
        """
        self.ensure_one()
        payload = json.loads(self.body)
        props = payload.get("props")
        props = props if isinstance(props, dict) else {}
        handlers = {
            const.WEBHOOK_OBJECT_TICKET: self._apizee_apply_ticket,
            const.WEBHOOK_OBJECT_SESSION_EVENT: self._apizee_apply_session_event,
            const.WEBHOOK_OBJECT_MEDIA: self._apizee_apply_media,
        }
        if self.object not in handlers or self.event not in const.WEBHOOK_EVENTS:
            return "ignored", self.env._("Not an event this module acts on.")
        return handlers[self.object](props)

    def _apizee_apply_ticket(self, props):
        """A session ("ticket" in Apizee) was created, updated or deleted.

        Found by Apizee id, else by reference, among the sessions of the event's
        company; a session created in Apizee's own UI with the number of one of the
        company's tickets as reference is created here. Room links are taken only
        from Apizee's hosts (``_apizee_checked_room_links``).
        """
        Session = self.env["apizee.session"].sudo()
        apizee_id = self.object_id
        company = [("company_id", "=", self.company_id.id)]
        session = Session.search([("apizee_id", "=", apizee_id), *company], limit=1)
        reference = str(props.get("reference") or "")
        if not session and reference:
            session = Session.search(
                [("reference", "=", reference), ("apizee_id", "=", False), *company],
                limit=1,
            )
        if not session:
            if self.event == "delete" or not reference:
                return "ignored", self.env._("No session of this database.")
            ticket = (
                self.env["helpdesk.ticket"]
                .sudo()
                .search([("number", "=", reference), *company], limit=1)
            )
            if not ticket:
                return "ignored", self.env._(
                    "No ticket of this database has the reference %(reference)s.",
                    reference=reference,
                )
            # The agent's "Open room" may be storing this very session now: wait a
            # little (by Odoo's clock, Apizee's may differ), then take the ticket's
            # row lock as "Open room" does, so that only one of them creates it.
            waiting = self.env._("Waiting for the session to be stored by Odoo.")
            if fields.Datetime.now() - self.create_date < timedelta(
                seconds=const.WEBHOOK_SESSION_GRACE
            ):
                raise WaitForSession(waiting)
            try:
                self.env.cr.execute(
                    "SELECT id FROM helpdesk_ticket WHERE id = %s FOR UPDATE NOWAIT",
                    [ticket.id],
                    log_exceptions=False,
                )
            except (errors.LockNotAvailable, errors.SerializationFailure):
                raise WaitForSession(waiting) from None
            values = Session._apizee_values_from_answer({**props, "id": apizee_id})
            values = self._apizee_checked_room_links(values)
            values.pop("state_time", None)
            session = Session.create(
                {**values, "ticket_id": ticket.id, "reference": reference}
            )
            self.session_id = session
            self._apizee_wake_waiting(session)
            session._apizee_note(
                self.env._("Session created in Apizee for this ticket."),
                self.apizee_time,
            )
            if values.get("state"):
                session._apizee_apply_state(values["state"], self.apizee_time)
            return "done", self.env._("Session created.")
        self.session_id = session
        if self.event == "delete":
            if session._apizee_apply_state("cancelled", self.apizee_time):
                session._apizee_note(
                    self.env._("Session deleted in Apizee."), self.apizee_time
                )
            return "done", self.env._("Session deleted in Apizee.")
        values = Session._apizee_values_from_answer({**props, "id": apizee_id})
        values = self._apizee_checked_room_links(values)
        state = values.pop("state", None)
        values.pop("state_time", None)  # set with the state, by the event's time
        values.pop("reference", None)
        if session.apizee_id:  # else found by reference: now it has its id
            values.pop("apizee_id", None)
        if values and (
            not session.state_time
            or not self.apizee_time
            or self.apizee_time >= session.state_time
        ):
            session.write(values)
        if state and session._apizee_apply_state(state, self.apizee_time):
            label = dict(Session._fields["state"]._description_selection(self.env)).get(
                state, state
            )
            return "done", self.env._("State: %(state)s.", state=label)
        return "done", self.env._("Nothing newer than what the session says.")

    def _apizee_checked_room_links(self, values):
        """``values`` without the room links a webhook may not set: only https on the
        host of the company's Apizee server or ``*.apizee.com`` (see
        ``apizee_webhooks.is_room_url``), since "Open room" opens them for the agent.
        A refused link is dropped and logged; the rest of the event applies.

        :param dict values: session values read from the delivery
        :return: the same dict
        """
        server_url = self.company_id.apizee_server_url or const.DEFAULT_SERVER_URL
        for field in ("agent_url", "guest_url"):
            url = values.get(field)
            if url and not apizee_webhooks.is_room_url(url, server_url):
                del values[field]
                _logger.warning(
                    "Apizee webhook event %s: room link %r refused (not https on the "
                    "Apizee server's host nor *.apizee.com)",
                    self.id,
                    url[:200],
                )
        return values

    def _apizee_apply_session_event(self, props):
        """One entry of a session's timeline (``conversationevent``, §8): a note on the
        ticket, and the state or the consent it implies."""
        name = self.event_name or ""
        labels = self._apizee_session_event_labels()
        if name not in labels:
            return "ignored", self.env._("Unknown session event.")
        session = self._apizee_find_session()
        if self._apizee_already_applied():
            return "ignored", self.env._("Already applied.")
        source = str(props.get("source") or "")
        line = labels[name]
        if name == "consent.accepted":
            if not session.consent_time or (
                self.apizee_time and self.apizee_time < session.consent_time
            ):
                session.write(
                    {
                        "consent_time": self.apizee_time or fields.Datetime.now(),
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
            session._apizee_apply_state(state, self.apizee_time)
        session._apizee_note(line, self.apizee_time)
        return "done", line

    @api.model
    def _apizee_session_event_labels(self):
        """The short note of each session event of §8."""
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

    def _apizee_apply_media(self, props):
        """A picture or recording of a session: saved on the ticket once, within the
        size and types of the settings."""
        if self.event == "delete":
            return "ignored", self.env._("Media deleted in Apizee: kept in Odoo.")
        session = self._apizee_find_session()
        ticket = session.ticket_id
        media_id = self.object_id or ""
        prefix = f"{const.MEDIA_ATTACHMENT_PREFIX}{media_id}"
        Attachment = self.env["ir.attachment"].sudo()
        # Per ticket, so per company: the ticket is one of the event's company
        if Attachment.search_count(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("name", "=like", f"{prefix}.%"),
            ],
            limit=1,
        ):
            return "ignored", self.env._("Already saved.")
        max_bytes, types = self._apizee_media_limits()
        declared_type = str(pick(props, const.MEDIA_TYPE_KEYS) or "").lower()
        declared_size = pick(props, const.MEDIA_SIZE_KEYS)
        if declared_type and declared_type not in types:
            return self._apizee_media_refused(session, mimetype=declared_type)
        if str(declared_size or "").isdigit() and int(declared_size) > max_bytes:
            return self._apizee_media_refused(session, max_bytes=max_bytes)
        company = self.company_id  # the session's too: found among its sessions
        url = pick(props, const.MEDIA_URL_KEYS)
        if not url:
            media = company._apizee_call(
                "GET", f"{const.MEDIAS_PATH}/{url_quote(media_id, safe='')}"
            )
            url = pick(media, const.MEDIA_URL_KEYS) if isinstance(media, dict) else None
            if not url:
                raise UserError(self.env._("Apizee gave no download link."))
        try:
            mimetype, content = company._apizee_download(str(url), max_bytes)
        except ApizeeError as error:
            if error.kind != "too_large":
                raise
            return self._apizee_media_refused(session, max_bytes=max_bytes)
        mimetype = mimetype or declared_type
        if mimetype not in types:
            return self._apizee_media_refused(session, mimetype=mimetype)
        name = prefix + apizee_webhooks.media_extension(mimetype)
        attachment = Attachment.create(
            {
                "name": name,
                "raw": content,
                "mimetype": mimetype,
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
                "company_id": ticket.company_id.id,
            }
        )
        line = self.env._(
            "Media saved: %(name)s (%(size)s kB).",
            name=name,
            size=round(len(content) / 1024),
        )
        session._apizee_note(line, self.apizee_time, attachment=attachment)
        return "done", line

    def _apizee_media_refused(self, session, mimetype=None, max_bytes=None):
        """Tell the agent (a line of the session's note) that this event's media
        stayed in Apizee: its type is not allowed, or it is larger than ``max_bytes``.

        :return: the event's outcome, ``("ignored", reason)``
        """
        if max_bytes is None:
            reason = self.env._(
                "Media %(media)s (%(type)s) not saved: this type is not allowed in "
                "Settings.",
                media=self.object_id or "",
                type=mimetype or "?",
            )
        else:
            reason = self.env._(
                "Media %(media)s not saved: it is larger than %(size)s (Settings).",
                media=self.object_id or "",
                size=human_size(max_bytes),
            )
        session._apizee_note(reason, self.apizee_time)
        return "ignored", reason

    @api.model
    def _apizee_media_limits(self):
        """``(max_bytes, allowed types)`` of media saved on tickets (settings)."""
        params = self.env["ir.config_parameter"].sudo()
        size = params.get_param(const.MEDIA_MAX_BYTES_PARAM, "")
        types = params.get_param(const.MEDIA_TYPES_PARAM) or const.MEDIA_TYPES_DEFAULT
        return (
            int(size) if size.isdigit() else const.MEDIA_MAX_BYTES_DEFAULT,
            {t.strip().lower() for t in types.split(",") if t.strip()},
        )

    def _apizee_find_session(self):
        """The session an event or media belongs to, among the event's company's.

        :raise WaitForSession: when it is not known (yet): its "ticket" event may come
            later, deliveries are not ordered
        """
        apizee_id = self.session_ref
        if not apizee_id:
            raise WaitForSession(self.env._("The event names no Apizee session."))
        session = (
            self.env["apizee.session"]
            .sudo()
            .search(
                [
                    ("apizee_id", "=", apizee_id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )
        if not session:
            raise WaitForSession(
                self.env._(
                    "No session %(session)s in this database (yet).",
                    session=apizee_id,
                )
            )
        self.session_id = session
        return session

    def _apizee_already_applied(self):
        """Whether the same Apizee object and event was applied by another delivery
        of the same company (Apizee may send one event twice with another
        envelope)."""
        self.ensure_one()
        return bool(
            self.object_id
            and self.search_count(
                [
                    ("id", "!=", self.id),
                    ("company_id", "=", self.company_id.id),
                    ("object", "=", self.object),
                    ("object_id", "=", self.object_id),
                    ("event", "=", self.event),
                    ("state", "=", "done"),
                ],
                limit=1,
            )
        )

    @api.model
    def _apizee_wake_waiting(self, session):
        """Events of ``session``'s company that were waiting for it are tried again
        now."""
        waiting = self.search(
            [
                ("company_id", "=", session.company_id.id),
                ("state", "=", "pending"),
                ("session_ref", "=", session.apizee_id),
                ("attempts", ">", 0),
            ]
        )
        if waiting:
            waiting.write({"next_attempt": fields.Datetime.now()})
            self._apizee_wake_cron()

    @api.autovacuum
    def _gc_apizee_events(self):
        """Delete applied and ignored events after ``const.WEBHOOK_KEEP_DAYS``
        (failed ones stay until an administrator deals with them)."""
        limit = fields.Datetime.now() - timedelta(days=const.WEBHOOK_KEEP_DAYS)
        self.search(
            [("state", "in", ("done", "ignored")), ("create_date", "<", limit)]
        ).unlink()

    # -- actions -----------------------------------------------------------------------

    def action_retry(self):
        """Try the events again now (administrators, from the list of failures)."""
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only administrators may retry Apizee webhook events.")
            )
        self.filtered(lambda e: e.state in ("failed", "pending")).write(
            {
                "state": "pending",
                "attempts": 0,
                "next_attempt": fields.Datetime.now(),
                "result": False,
            }
        )
        self._apizee_wake_cron()
        return True

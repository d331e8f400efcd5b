# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Apizee's webhook deliveries: received, queued, applied by a cron.

The route only stores (one INSERT) and answers; ``_cron_process`` takes the due
events in the order of their Apizee time and has each applied by its session
(``apizee.session._get_from_notification`` then ``_process_notification``), in a
savepoint; a failure says how to retry (``exceptions.RetryLater``), and after the last
attempt the event is left to an administrator.
"""

import hmac
import json
import logging
import secrets
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index

from .. import const
from ..exceptions import Ignored, RetryLater
from ..utils import apizee_webhooks
from .apizee_client import ApizeeError
from .apizee_session_notification import Timeline

_logger = logging.getLogger(__name__)


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
    body_pretty = fields.Text(
        string="Delivery", compute="_compute_body_pretty", help="The body, indented."
    )
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

    @api.depends("event_name", "object", "event", "session_ref", "digest")
    def _compute_display_name(self):
        """A title that says what happened: ``ticket.completed · session 960990882``."""
        for event in self:
            what = event.event_name or ".".join(
                filter(None, (event.object, event.event))
            )
            if what and event.session_ref:
                event.display_name = self.env._(
                    "%(what)s · session %(session)s",
                    what=what,
                    session=event.session_ref,
                )
            else:
                event.display_name = what or (event.digest or "")[:12]

    @api.depends("body")
    def _compute_body_pretty(self):
        for event in self:
            try:
                event.body_pretty = json.dumps(
                    json.loads(event.body or ""), indent=2, ensure_ascii=False
                )
            except ValueError:
                event.body_pretty = event.body

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
        create_index(
            self.env.cr,
            "apizee_webhook_event_pending_idx",
            self._table,
            ["next_attempt"],
            where="state = 'pending'",
        )

    # -- receiving ---------------------------------------------------------------------

    @api.model
    def _main_company(self):
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
    def _webhook_company(self, company_id, given):
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
            company = self._main_company()
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
    def _max_bytes(self):
        """The largest delivery body accepted (a setting)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(const.WEBHOOK_MAX_BYTES_PARAM, "")
        )
        return int(value) if value.isdigit() else const.WEBHOOK_MAX_BYTES_DEFAULT

    @api.model
    def _receive(self, raw, company):
        """Store a delivery and wake the cron; nothing else (Apizee must get its answer
        at once).

        One INSERT that skips a delivery already stored: the same delivery twice has
        one effect, even when both arrive at the same moment.

        :param bytes raw: the request body
        :param company: the company of the webhook URL (see
            ``_webhook_company``)
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
        self._wake_cron()
        return row[0], False

    @api.model
    def _wake_cron(self, at=None):
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
    def _cron_process(self, limit=const.WEBHOOK_BATCH_SIZE):
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
        done = events._process(deadline=time.monotonic() + const.WEBHOOK_BATCH_SECONDS)
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
            self._wake_cron(at=min(later))  # a retry later on
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=due)
        return len(done)

    @api.model
    def _cron_apizee_process(self, limit=const.WEBHOOK_BATCH_SIZE):
        """``_cron_process``, under the name the cron of databases installed before
        version 18.0.1.2.0 still calls (its record is not updated)."""
        return self._cron_process(limit=limit)

    def _process(self, deadline=None):
        """Apply each event in its own savepoint; a failure is retried with backoff.

        :param float deadline: a ``time.monotonic()`` after which the rest is left
            for the next batch (a slow download must not hold the whole queue)
        :return: the events processed
        """
        lang_of = self._langs()
        timeline = Timeline()
        processed = self.browse()
        for event in self:
            if deadline and processed and time.monotonic() > deadline:
                break
            processed |= event
            mark = timeline.mark()
            try:
                with self.env.cr.savepoint():
                    # Background work: never the last slots of an Apizee user's
                    # minute, kept for the agents' clicks
                    state, result = event.with_context(
                        lang=lang_of(event), apizee_background=True
                    )._apply(timeline)
            except Exception as error:  # noqa: BLE001 (one event never stops the queue)
                self.env.invalidate_all()  # the savepoint was rolled back
                timeline.rollback(mark)
                event._retry_later(event._retry_of(error))
            else:
                event.write(
                    {
                        "state": state,
                        "result": (result or "")[:250],
                        "processed_on": fields.Datetime.now(),
                        "next_attempt": False,
                    }
                )
        timeline.post()
        return processed

    def _langs(self):
        """The language of the notes and results of each event: that of its company
        (the cron runs as OdooBot, in English), which is its session's company too;
        read in one query.

        :return: a function of an event, giving its language
        """
        default = self.env.company.partner_id.lang or "en_US"
        self.mapped("company_id.partner_id.lang")  # prefetched for the whole batch
        return lambda event: event.company_id.partner_id.lang or default

    def _retry_of(self, error):
        """The ``RetryLater`` a failure of ``error`` means: Apizee's rate limit is
        not the event's fault (wait as Apizee says, without counting), an address
        Odoo refuses to reach gives up at once, a bug is logged with its traceback.
        """
        if isinstance(error, RetryLater):
            return error
        if isinstance(error, ApizeeError) and error.kind == "rate_limited":
            return RetryLater(
                error.args[0], seconds=error.retry_after, ignore_retry=True
            )
        if isinstance(error, ApizeeError) and error.kind == "refused":
            # Status 0: refused by Odoo itself, no later attempt would differ
            return RetryLater(error.args[0], final=not error.status)
        if isinstance(error, UserError):
            return RetryLater(error.args[0])
        _logger.exception("Apizee webhook event %s failed", self.id)
        return RetryLater(f"{type(error).__name__}: {error}")

    def _retry_later(self, retry):
        """Count a failed attempt: try again after ``retry.seconds`` or the next
        delay of ``const.WEBHOOK_RETRY_DELAYS``, or give up.

        :param RetryLater retry: what the failure means
        """
        self.ensure_one()
        message = str(retry.args[0])[:250]
        now = fields.Datetime.now()
        if retry.ignore_retry:
            delay = retry.seconds or const.WEBHOOK_RETRY_DELAYS[0]
            next_attempt = now + timedelta(seconds=delay)
            self.write({"result": message, "next_attempt": next_attempt})
            return
        attempts = self.attempts + 1
        values = {"attempts": attempts, "result": message}
        if retry.final or attempts > len(const.WEBHOOK_RETRY_DELAYS):
            values.update(
                state=retry.give_up_state, next_attempt=False, processed_on=now
            )
            _logger.warning(
                "Apizee webhook event %s given up after %s attempts: %r",
                self.id,
                attempts,
                message,
            )
        else:
            delay = retry.seconds or const.WEBHOOK_RETRY_DELAYS[attempts - 1]
            values["next_attempt"] = now + timedelta(seconds=delay)
        self.write(values)

    def _apply(self, timeline):
        """Apply one event: its session is found, then applies it.

        :param Timeline timeline: where the lines of the sessions' notes go
        :return: ``(state, result)``: ``done`` or ``ignored``, and what happened
        :raise RetryLater: a failure worth another attempt
        :raise Exception: any other failure, retried later
        """
        self.ensure_one()
        handled = (
            const.WEBHOOK_OBJECT_TICKET,
            const.WEBHOOK_OBJECT_SESSION_EVENT,
            const.WEBHOOK_OBJECT_MEDIA,
        )
        if self.object not in handled or self.event not in const.WEBHOOK_EVENTS:
            return "ignored", self.env._("Not an event this module acts on.")
        props = json.loads(self.body).get("props")
        props = props if isinstance(props, dict) else {}
        Session = self.env["apizee.session"].sudo()
        try:
            session, created = Session._get_from_notification(self, props)
        except Ignored as ignored:
            return "ignored", str(ignored.args[0])
        self.session_id = session
        return session._process_notification(self, props, timeline, created)

    def _already_applied(self):
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
    def _wake_waiting(self, session):
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
            self._wake_cron()

    @api.autovacuum
    def _gc_events(self):
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
        self._wake_cron()
        return True

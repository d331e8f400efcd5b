# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A video session of Apizee: its record, its state, what Apizee answers of it.

What Apizee says of a session reaches it two ways: read back (``_read_from_apizee``)
or notified by a webhook event (``apizee_session_notification.py``).
"""

import random
from collections import defaultdict
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from .. import const
from ..utils.apizee_answers import first_url, parse_datetime
from .apizee_client import ApizeeError
from .reporting import MEDIAN, median_select

# What the ticket's live status and sessions tab show: a change is pushed to the
# agents who have the ticket open
LIVE_FIELDS = {"state", "start_time", "end_time", "agent_url", "invitation_sent"}


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
    origin = fields.Selection(
        selection=const.SESSION_ORIGINS,
        string="Started from",
        default="agent",
        readonly=True,
        help="Who started the session: an agent, or the customer (the ticket's join "
        "link, the portal, a video appointment).",
    )
    customer_opened_time = fields.Datetime(
        string="Customer opened the link on",
        readonly=True,
        help="The last time the customer pressed the button of the ticket's join "
        "link for this session.",
    )
    agent_url = fields.Char(string="Agent room", readonly=True)
    guest_url = fields.Char(string="Guest link", readonly=True)
    reference = fields.Char(readonly=True)
    apizee_created = fields.Datetime(string="Created in Apizee", readonly=True)
    start_time = fields.Datetime(string="Starts", readonly=True)
    end_time = fields.Datetime(string="Ends", readonly=True)
    last_refresh = fields.Datetime(readonly=True)
    refresh_pending = fields.Boolean(
        readonly=True,
        index=True,
        help="To be read back from Apizee by the background refresh.",
    )
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
    consent_source = fields.Char(string="Consent source", readonly=True)
    consent_given_by = fields.Char(
        string="Consent given by", compute="_compute_consent_given_by"
    )
    # -- Facts for reporting (Insight): stored, set as the session's life is told
    # (webhooks in any order, refreshes), never undone by a late event
    team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        related="ticket_id.team_id",
        store=True,
        index=True,
        string="Team",
    )
    invited_time = fields.Datetime(
        string="Invited on",
        readonly=True,
        help="When the customer was first invited (Apizee's invitation).",
    )
    call_start_time = fields.Datetime(
        string="Call started on",
        readonly=True,
        index=True,
        help="When the call first went in progress: the customer joined.",
    )
    call_end_time = fields.Datetime(
        string="Call ended on",
        readonly=True,
        help="When the call that started first ended (done or closed).",
    )
    call_minutes = fields.Float(
        string="Minutes in call",
        compute="_compute_facts",
        store=True,
        aggregator=MEDIAN,
        digits=(16, 1),
        help="The length of the call (0 when no call took place). In reports: the "
        "median over the sessions with a call.",
    )
    wait_minutes = fields.Float(
        string="Minutes of wait",
        compute="_compute_facts",
        store=True,
        aggregator=MEDIAN,
        digits=(16, 1),
        help="From the invitation (else the session's creation) to the start of the "
        "call. In reports: the median over the sessions with a call.",
    )
    completed_rate = fields.Float(
        string="Completed (%)",
        compute="_compute_facts",
        store=True,
        aggregator="avg",
        help="1 for a completed session, else 0: in reports, the share of the "
        "sessions shown whose call took place.",
    )
    no_show_rate = fields.Float(
        string="No show (%)",
        compute="_compute_facts",
        store=True,
        aggregator="avg",
        help="1 for a session whose customer was invited and never joined, else 0: "
        "in reports, the share of the sessions shown.",
    )
    outcome = fields.Selection(
        selection=const.SESSION_OUTCOMES,
        compute="_compute_facts",
        store=True,
        index=True,
        help="Live: not over. Completed: the call took place. Declined: the customer "
        "declined the invitation. No show: invited, never in call. Expired: ended "
        "without an invitation nor a call. Failed: cancelled or rejected before a "
        "call.",
    )
    consent_given = fields.Boolean(
        compute="_compute_facts", store=True, string="Consent given"
    )
    media_count = fields.Integer(
        string="Pictures and recordings",
        readonly=True,
        help="The pictures and recordings of the session saved on its record.",
    )
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
        sessions = super().create(vals_list)
        for session in sessions:
            session._note_milestone(
                session.state, session.state_time or session.create_date
            )
        sessions._notify_live()
        return sessions

    def write(self, vals):
        """Override: the agents who have the session's record open see the change;
        a state written (a refresh, a webhook) is a milestone of the facts."""
        result = super().write(vals)
        if vals.get("state"):
            for session in self:
                session._note_milestone(
                    vals["state"], vals.get("state_time") or fields.Datetime.now()
                )
        if LIVE_FIELDS.intersection(vals):
            self._notify_live()
        return result

    def _notify_live(self):
        """Tell the agents who have the sessions' records open that they changed
        (``apizee.video.mixin._apizee_notify_live``, once per record and
        transaction)."""
        for session in self.sudo():
            record = session._record()
            if record:
                record._apizee_notify_live()

    @api.depends("consent_source")
    def _compute_consent_given_by(self):
        """Apizee's source of the consent in words (its value when unknown)."""
        words = {
            "guest": self.env._("The customer"),
            "agent": self.env._("The agent"),
            "system": self.env._("Apizee"),
        }
        for session in self:
            source = session.consent_source or ""
            session.consent_given_by = words.get(source.lower(), source) or False

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
            raise UserError(
                self.env._("This search on video sessions is not possible.")
            )
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

    def _read_group_select(self, aggregate_spec, query):
        """Medians of the minutes in call and of wait, over the sessions with a
        call (see ``reporting.py``)."""
        over = {"call_minutes": "call_start_time", "wait_minutes": "call_start_time"}
        return median_select(
            self, aggregate_spec, query, over
        ) or super()._read_group_select(aggregate_spec, query)

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
        if len(self) != 1:
            raise UserError(self.env._("Choose one video session to open."))
        self.check_access("read")
        return self._room_action()

    def action_apizee_refresh(self):
        """Read the sessions back from Apizee (state, times, room URLs).

        A session Apizee no longer knows (404) is marked expired, with the reason. A
        session read back moments ago is not read again. Of many sessions at once,
        the ended ones are not read (Apizee no longer changes them) and the first
        ``const.REFRESH_NOW_MAX`` are read now, the others by a cron in the
        background, within what Apizee's limit leaves free.

        :return: True, or a notification saying how many are read in the background
        :raise AccessError: for users who are no helpdesk agents or may not read
            the sessions
        :raise ApizeeError: any other mapped failure of a single session; nothing is
            changed then
        """
        self._check_agent()
        self.check_access("read")
        # Repeated clicks must not spend the Apizee account's 10 requests a minute
        recent = fields.Datetime.now() - timedelta(seconds=const.SESSION_REFRESH_MIN)
        to_read = self.sudo().filtered(
            lambda session: not (session.last_refresh and session.last_refresh > recent)
        )
        if len(self) == 1:
            if to_read:
                self._read_from_apizee()
            return True
        to_read = self.browse(
            to_read.filtered(
                lambda session: session.state in const.SESSION_LIVE_STATES
            ).ids
        )
        now, later = to_read[: const.REFRESH_NOW_MAX], to_read[const.REFRESH_NOW_MAX :]
        for index, session in enumerate(now):
            try:
                session._read_from_apizee()
            except ApizeeError as error:
                if error.kind != "rate_limited":
                    raise
                later = now[index:] | later
                break
        if not later:
            return True
        later.sudo().write({"refresh_pending": True})
        self.env.ref("helpdesk_apizee.ir_cron_apizee_session_refresh").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Read in the background"),
                "message": self.env._(
                    "%(count)s sessions will be read back from Apizee in the "
                    "background, within Apizee's limit of 10 requests a minute.",
                    count=len(later),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_refresh(self, limit=const.REFRESH_BATCH_SIZE):
        """Read back the sessions waiting for it (``refresh_pending``), in the
        background share of the technical accounts' limit; when it is used up, the
        cron is woken again when a slot frees up.

        :return: the number of sessions read
        """
        sessions = self.sudo().search(
            [("refresh_pending", "=", True)], order="id", limit=limit
        )
        done = 0
        full = False
        for session in sessions.with_context(apizee_background=True):
            if session.state not in const.SESSION_LIVE_STATES:
                # Ended meanwhile (a webhook said so): nothing left to read
                session.refresh_pending = False
                done += 1
                continue
            try:
                with self.env.cr.savepoint():
                    session._read_from_apizee()
            except UserError as error:  # ApizeeError, or no technical account
                if getattr(error, "kind", None) == "rate_limited":
                    at = fields.Datetime.now() + timedelta(seconds=error.retry_after)
                    self.env.ref(
                        "helpdesk_apizee.ir_cron_apizee_session_refresh"
                    ).sudo()._trigger(at)
                    full = True
                    break
                session.last_error = error.args[0][:250]
            session.refresh_pending = False
            done += 1
        remaining = (
            0 if full else self.sudo().search_count([("refresh_pending", "=", True)])
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

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
        if session.origin in const.CUSTOMER_ORIGINS:
            origins = dict(session._fields["origin"]._description_selection(self.env))
            body = self.env._(
                "Apizee video session %(session)s opened for %(customer)s "
                "(%(origin)s)%(sent)s.",
                session=session.apizee_id,
                customer=record._apizee_customer_name() or self.env._("the customer"),
                origin=origins.get(session.origin, ""),
                sent=self.env._("; Apizee sent the invitation to %(recipients)s")
                % {"recipients": session.recipients}
                if session.invitation_sent
                else "",
            )
        elif session.invitation_sent:
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
        """Read one session back from Apizee and store what it says: as the agent who
        opened it when they read it (their own Apizee account sees it), else with
        the technical account."""
        self.ensure_one()
        if not self.apizee_id:
            return
        company = self.company_id or self.env.company
        values = {"last_refresh": fields.Datetime.now(), "last_error": False}
        user = self.env.user
        try:
            answer = company._apizee_call(
                "GET",
                f"{const.TICKETS_PATH}/{self.apizee_id}",
                user=user if self.sudo().agent_id == user else None,
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
            raise self.env["apizee.client"]._error("unreadable", 200)
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

    @api.depends(
        "state",
        "invited_time",
        "invitation_sent",
        "call_start_time",
        "call_end_time",
        "consent_time",
        "create_date",
    )
    def _compute_facts(self):
        for session in self:
            session.update(session._facts())

    def _facts(self):
        """The session's facts from its milestones (pure: no I/O)."""
        self.ensure_one()
        start, end = self.call_start_time, self.call_end_time
        since = self.invited_time or self.create_date
        invited = bool(self.invited_time or self.invitation_sent)
        if self.state in const.SESSION_LIVE_STATES:
            outcome = "live"
        elif start:
            outcome = "completed"
        elif self.state == "declined":
            outcome = "declined"
        elif invited:
            outcome = "no_show"
        elif self.state == "expired":
            outcome = "expired"
        else:
            outcome = "failed"
        return {
            "outcome": outcome,
            "call_minutes": (end - start).total_seconds() / 60
            if start and end and end >= start
            else 0.0,
            "wait_minutes": (start - since).total_seconds() / 60
            if start and since and start >= since
            else 0.0,
            "consent_given": bool(self.consent_time),
            "completed_rate": 1.0 if outcome == "completed" else 0.0,
            "no_show_rate": 1.0 if outcome == "no_show" else 0.0,
        }

    def _note_milestone(self, state, when):
        """Keep the first time the session was invited, went in call and ended a
        call, whatever the order the events come in.

        :param str state: a key of ``const.SESSION_STATES``
        :param datetime when: the Apizee time of the event (naive UTC), or None
        """
        self.ensure_one()
        when = when or fields.Datetime.now()
        field = {
            "invited": "invited_time",
            "inprogress": "call_start_time",
            "done": "call_end_time",
            "closed": "call_end_time",
        }.get(state)
        if not field:
            return
        current = self[field]
        if not current or when < current:
            # super().write: a milestone is no state change (no loop, no notice)
            super().write({field: when})

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
        # A milestone counts even when the state it says is older than the session's
        self.sudo()._note_milestone(state, when)
        rank = const.SESSION_STATE_RANK
        backwards = rank[state] < rank.get(self.state, 0)
        if not when:
            if backwards:  # an event without time never undoes a later state
                return False
        elif self.state_time:
            if when < self.state_time or (when == self.state_time and backwards):
                return False
        values = {"state": state, "state_time": when or self.state_time}
        if when and state not in const.SESSION_LIVE_STATES:
            values["end_time"] = when  # "Ends": the real end, once it ended
        self.sudo().write(values)
        return True

    # -- Demo --------------------------------------------------------------------------

    @api.model
    def _demo_history(self, weeks=8, per_week=18, seed=42):
        """Eight weeks of a help desk's video sessions, on tickets of their own (the
        other demo tickets stay as they are), so that the reports look like a help
        desk's: outcomes, waits and durations drawn with a fixed seed, most tickets
        closed a few hours after their last session (demo data only)."""
        if self.sudo().search_count([("apizee_id", "=like", "demo-%")]):
            return  # made at install already
        rng = random.Random(seed)
        teams = self.env["helpdesk.ticket.team"].search([], limit=3)
        partners = self.env["res.partner"]
        for name in ("yannick", "sofia", "marc"):
            partners |= (
                self.env.ref(
                    f"helpdesk_apizee.partner_demo_{name}", raise_if_not_found=False
                )
                or self.env["res.partner"]
            )
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        if not teams or not partners:
            return
        now = fields.Datetime.now().replace(microsecond=0)
        outcomes = (
            ["completed"] * 12 + ["no_show"] * 3 + ["declined", "expired", "failed"]
        )
        demo = {"rng": rng, "partners": partners, "closed": closed, "now": now}
        for week in range(weeks):
            for index in range(rng.randint(per_week // 2, per_week)):
                created = now - timedelta(
                    weeks=week, days=rng.random() * 7, hours=rng.random() * 8
                )
                outcome = rng.choice(outcomes)
                # (not an f-string in the call: the terms' extraction would run it)
                number = f"{week}-{index}"
                self._demo_session(
                    demo,
                    rng.choice(teams),
                    index,
                    created,
                    outcome,
                    name=self.env._("Video help %(n)s", n=number),
                    apizee_id=f"demo-{number}",
                    close=bool(week),
                )
        self.env.flush_all()
        self._demo_ticket_facts(seed)
        # Today's, for the helpdesk dashboard's cards: calls since midnight (UTC)
        # on open tickets, and a no-show
        rng = demo["rng"] = random.Random(seed + 1)
        since = (now - now.replace(hour=0, minute=0, second=0)).total_seconds() / 60
        today = ["completed", "completed", "no_show", "completed"]
        for index, outcome in enumerate(today):
            self._demo_session(
                demo,
                teams[index % len(teams)],
                index,
                # ended before now (a call lasts up to 31 minutes here)
                now - timedelta(minutes=rng.uniform(35, max(36, since - 1))),
                outcome,
                name=self.env._("Video help today %(n)s", n=index + 1),
                apizee_id=f"demo-today-{index + 1}",
                close=False,
            )
        self.env.flush_all()

    def _demo_session(
        self, demo, team, index, created, outcome, name, apizee_id, close
    ):
        """One demo session of ``outcome`` made at ``created``, on a ticket of its
        own of ``team``, opened by one of its agents; the ticket is closed hours
        after the call when ``close`` (demo data only)."""
        rng, now = demo["rng"], demo["now"]
        ends = {"no_show": "expired", "declined": "declined", "expired": "expired"}
        # The team's agents take turns (the reports' "Agent")
        agents = team.user_ids.filtered(
            lambda user: not user.share and user.id != SUPERUSER_ID
        ).sorted("id") or self.env.ref("base.user_admin")
        agent = agents[index % len(agents)]
        # History: no assignment emails, no tracking messages
        ticket = (
            self.env["helpdesk.ticket"]
            .with_context(mail_auto_subscribe_no_notify=True, tracking_disable=True)
            .create(
                {
                    "name": name,
                    "description": "<p>Demo</p>",
                    "team_id": team.id,
                    "partner_id": rng.choice(demo["partners"]).id,
                    "user_id": agent.id,
                }
            )
        )
        values = {
            "ticket_id": ticket.id,
            "agent_id": agent.id,
            "apizee_id": apizee_id,
            "state": "done" if outcome == "completed" else "new",
            "invitation_sent": outcome not in ("expired", "failed"),
            "origin": rng.choice(["agent"] * 4 + ["customer_link"]),
        }
        if values["origin"] == "agent" and values["invitation_sent"]:
            values["origin"] = "agent_invite"
        end = created + timedelta(minutes=30)
        if outcome == "completed":
            start = created + timedelta(minutes=rng.uniform(0.5, 6))
            end = start + timedelta(minutes=rng.uniform(3, 25))
            values.update(call_start_time=start, call_end_time=end)
        session = self.sudo().create(values)
        if outcome != "completed":
            session.state = ends.get(outcome, "cancelled")
        closing = end + timedelta(hours=rng.uniform(1, 48))
        if demo["closed"] and close and closing < now:
            ticket.stage_id = demo["closed"]
        # The ORM's pending writes first, or they would undo the dates below
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE apizee_session SET create_date = %s, invited_time = %s, "
            "end_time = %s, state_time = %s WHERE id = %s",
            [
                created,
                created if session.invitation_sent else None,
                min(end, now),
                min(end, now),
                session.id,
            ],
        )
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s, closed_date = %s "
            "WHERE id = %s",
            [
                created - timedelta(hours=rng.uniform(0, 4)),
                closing if ticket.closed_date else None,
                ticket.id,
            ],
        )
        self.env.invalidate_all()
        session.modified(["create_date", "invited_time"])
        ticket.modified(["create_date", "closed_date"])

    @api.model
    def _demo_ticket_facts(self, seed=42):
        """The demo history's tickets' category, replies and reopenings, as a help
        desk sees them: fewer replies and reopenings when the customer showed the
        problem by video (demo data only; real tickets count theirs from their
        messages and stages)."""
        rng = random.Random(seed)
        sessions = self.sudo().search([("apizee_id", "=like", "demo-%")], order="id")
        categories = self.env["helpdesk.ticket.category"].search([], limit=4)
        for ticket in sessions.ticket_id:
            video = ticket.apizee_solved_with_video
            ticket.write(
                {
                    "category_id": ticket.category_id.id
                    or (rng.choice(categories).id if categories else False),
                    "apizee_agent_reply_count": rng.randint(1, 3)
                    if video
                    else rng.randint(2, 7),
                    "apizee_reopen_rate": float(rng.random() < (0.1 if video else 0.3)),
                }
            )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models

from .. import const
from ..utils.apizee_answers import first_url, parse_datetime
from .apizee_client import ApizeeError


class ApizeeSession(models.Model):
    """A video-assistance session of Apizee (a "ticket" on Apizee's side), linked to the
    helpdesk ticket it was opened from."""

    _name = "apizee.session"
    _description = "Apizee Video Session"
    _order = "id desc"
    _rec_name = "apizee_id"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, readonly=True
    )
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
    note_message_id = fields.Many2one(
        comodel_name="mail.message",
        readonly=True,
        ondelete="set null",
        help="The chatter note the next Apizee events of this session are added to.",
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

    @api.depends("state", "end_time")
    def _compute_live(self):
        now = fields.Datetime.now()
        for session in self:
            session.live = session.state in const.SESSION_LIVE_STATES and not (
                session.end_time and session.end_time < now
            )

    def action_apizee_open(self):
        """Open the agent's room of this session in a new tab.

        :raise AccessError: for users who are no helpdesk agents or may not read
            the session
        """
        self.env["helpdesk.ticket"]._apizee_check_agent()
        self.ensure_one()
        self.check_access("read")
        return self.ticket_id._apizee_room_action(self)

    def action_apizee_refresh(self):
        """Read the sessions back from Apizee (state, times, room URLs).

        A session Apizee no longer knows (404) is marked expired, with the reason.

        :raise AccessError: for users who are no helpdesk agents or may not read
            the sessions
        :raise ApizeeError: any other mapped failure; nothing is changed then
        """
        self.env["helpdesk.ticket"]._apizee_check_agent()
        self.check_access("read")
        # A session read back moments ago is not read again: clicks on Refresh must
        # not spend the technical account's requests, which every "Open room" needs
        recent = fields.Datetime.now() - timedelta(seconds=const.SESSION_REFRESH_MIN)
        for session in self:
            session.ticket_id.check_access("read")
            if session.sudo().last_refresh and session.sudo().last_refresh > recent:
                continue
            session._apizee_refresh()
        return True

    def _apizee_refresh(self):
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
            values.update(self._apizee_values_from_answer(answer))
        self.sudo().write(values)

    def _apizee_apply_state(self, state, when):
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

    def _apizee_note(self, line, when=None, attachment=None):
        """Add a line to the session's chatter note on its ticket.

        Lines of one session within ``const.WEBHOOK_NOTE_GROUP_MINUTES`` go into the
        same message (up to ``const.WEBHOOK_NOTE_LINES``), so that a burst of events
        stays one readable note.

        :param str line: plain text (escaped here)
        :param datetime when: the Apizee time shown before the line
        :param attachment: an ``ir.attachment`` shown with the note
        """
        self.ensure_one()
        session = self.sudo()
        ticket = session.ticket_id
        tz = session.agent_id.tz or ticket.user_id.tz or "UTC"
        stamp = ""
        if when:
            local = fields.Datetime.context_timestamp(session.with_context(tz=tz), when)
            stamp = local.strftime("%H:%M:%S ")
        item = Markup("<li>%s%s</li>") % (stamp, line)
        message = session.note_message_id
        body = str(message.body or "")
        if (
            message
            and message.create_date
            >= fields.Datetime.now()
            - timedelta(minutes=const.WEBHOOK_NOTE_GROUP_MINUTES)
            and body.count("<li>") < const.WEBHOOK_NOTE_LINES
            and body.endswith("</ul>")
        ):
            values = {"body": Markup(body[: -len("</ul>")]) + item + Markup("</ul>")}
            if attachment:
                values["attachment_ids"] = [Command.link(attachment.id)]
            message.write(values)
            return
        title = self.env._("Apizee session %(session)s", session=session.apizee_id)
        message = ticket.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (title, item),
            attachment_ids=attachment.ids if attachment else [],
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )
        session.note_message_id = message

    @api.model
    def _apizee_values_from_answer(self, answer):
        """Values of a session from Apizee's answer (create or get), without I/O.

        The names of the room URL fields are not public: every name of
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

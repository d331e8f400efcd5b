# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import const
from ..utils import recipients
from .reporting import MEDIAN, median_select


class HelpdeskTicket(models.Model):
    """Video calls from helpdesk tickets: the hooks of ``apizee.video.mixin``."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "apizee.video.mixin"]
    _apizee_agent_group = "helpdesk_mgmt.group_helpdesk_user_own"

    # For helpdesk agents only: the ticket's customer (portal) or an internal
    # follower may read the ticket, not its sessions (the agent's room links)
    apizee_session_ids = fields.One2many(groups=_apizee_agent_group)
    apizee_session_count = fields.Integer(groups=_apizee_agent_group)
    apizee_panel_media_count = fields.Integer(groups=_apizee_agent_group)
    # The customer's phone shown beside the ticket's camera icon (VoIP's
    # click-to-call): the mobile, else the phone
    apizee_customer_phone = fields.Char(
        string="Customer phone",
        compute="_compute_apizee_customer_phone",
        groups=_apizee_agent_group,
    )

    @api.depends("partner_id.mobile", "partner_id.phone")
    def _compute_apizee_customer_phone(self):
        for ticket in self:
            ticket.apizee_customer_phone = (
                ticket.partner_id.mobile or ticket.partner_id.phone
            )

    apizee_call_status = fields.Char(groups=_apizee_agent_group)
    apizee_call_live = fields.Boolean(groups=_apizee_agent_group)
    apizee_call_in_progress = fields.Boolean(groups=_apizee_agent_group)

    apizee_join_url = fields.Char(groups=_apizee_agent_group)
    apizee_self_service = fields.Boolean(
        related="team_id.apizee_self_service", groups=_apizee_agent_group
    )
    # The ticket's video appointments (calendar events)
    apizee_appointment_ids = fields.One2many(
        comodel_name="calendar.event",
        inverse_name="apizee_ticket_id",
        string="Video appointments",
        groups=_apizee_agent_group,
    )
    # Stored: the ticket's form reads it with the ticket, without a query of its own
    apizee_appointment_count = fields.Integer(
        string="Video appointments (count)",
        compute="_compute_apizee_appointment_count",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
    )

    @api.depends("apizee_appointment_ids", "apizee_appointment_ids.active")
    def _compute_apizee_appointment_count(self):
        for ticket in self:
            ticket.apizee_appointment_count = len(ticket.apizee_appointment_ids)

    # -- Facts for reporting (Insight), stored: for helpdesk agents (a portal
    # customer reads the ticket, not these) ---------------------------------------
    apizee_ticket_session_ids = fields.One2many(
        comodel_name="apizee.session",
        inverse_name="ticket_id",
        string="Ticket's video sessions",
        groups=_apizee_agent_group,
    )
    apizee_video_session_count = fields.Integer(
        string="Video sessions (count)",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
    )
    apizee_first_session_time = fields.Datetime(
        string="First video session on",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
    )
    apizee_solved_with_video = fields.Boolean(
        string="Solved with video",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
        index=True,
        help="A video call took place (a completed session) before the ticket was "
        "closed.",
    )
    apizee_video_solution = fields.Selection(
        selection=[
            ("video", "Solved with video"),
            ("other", "Solved without video"),
        ],
        string="Solved",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
        help="How the closed ticket was solved, for the reports' headers: with video "
        "when a video call took place (a completed session) before it was closed.",
    )
    apizee_last_call_time = fields.Datetime(
        string="Last video call",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
    )
    apizee_call_minutes = fields.Float(
        string="Minutes in video calls",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
        digits=(16, 1),
    )
    apizee_media_count = fields.Integer(
        string="Pictures and recordings",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
    )
    apizee_hours_to_close = fields.Float(
        string="Hours to close",
        compute="_compute_apizee_video_facts",
        store=True,
        compute_sudo=True,
        groups=_apizee_agent_group,
        aggregator=MEDIAN,
        digits=(16, 1),
        help="From the ticket's creation to its (last) closing, while it is closed. "
        "In reports: the median over the closed tickets.",
    )
    apizee_reopen_rate = fields.Float(
        string="Reopened (%)",
        readonly=True,
        copy=False,
        groups=_apizee_agent_group,
        aggregator="avg",
        help="1 for a ticket moved back from a closed stage to an open one, else 0: "
        "in reports, the share of the tickets shown that were reopened.",
    )
    apizee_agent_reply_count = fields.Integer(
        string="Agent replies",
        readonly=True,
        copy=False,
        groups=_apizee_agent_group,
        aggregator="avg",
        help="The messages sent to the customer by internal users (notes not "
        "counted). In reports: the average per ticket.",
    )

    @api.depends(
        "apizee_ticket_session_ids.create_date",
        "apizee_ticket_session_ids.call_start_time",
        "apizee_ticket_session_ids.call_minutes",
        "apizee_ticket_session_ids.media_count",
        "apizee_ticket_session_ids.outcome",
        "apizee_ticket_session_ids.call_end_time",
        "apizee_panel_media_count",
        "closed_date",
        "stage_id.closed",
        "create_date",
    )
    def _compute_apizee_video_facts(self):
        for ticket in self:
            sessions = ticket.apizee_ticket_session_ids
            # Closed now: a reopened ticket keeps its (last) closing date
            closed = ticket.stage_id.closed and ticket.closed_date
            ticket.apizee_video_session_count = len(sessions)
            ticket.apizee_first_session_time = (
                min(sessions.mapped("create_date")) if sessions else False
            )
            starts = [start for start in sessions.mapped("call_start_time") if start]
            ticket.apizee_last_call_time = max(starts) if starts else False
            ticket.apizee_call_minutes = sum(sessions.mapped("call_minutes"))
            ticket.apizee_media_count = (
                sum(sessions.mapped("media_count")) + ticket.apizee_panel_media_count
            )
            ticket.apizee_solved_with_video = bool(
                closed
                and any(
                    session.outcome == "completed"
                    and (session.call_end_time or session.call_start_time) <= closed
                    for session in sessions
                )
            )
            ticket.apizee_video_solution = closed and (
                "video" if ticket.apizee_solved_with_video else "other"
            )
            ticket.apizee_hours_to_close = (
                (closed - ticket.create_date).total_seconds() / 3600
                if closed and ticket.create_date
                else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        """The median of the hours to close, over the closed tickets (see
        ``reporting.py``)."""
        over = {"apizee_hours_to_close": "apizee_video_solution"}
        return median_select(
            self, aggregate_spec, query, over
        ) or super()._read_group_select(aggregate_spec, query)

    def write(self, vals):
        """A ticket moved from a closed stage to an open one is reopened."""
        reopened = self.browse()
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if not stage.sudo().closed:
                reopened = self.sudo().filtered(
                    lambda ticket: ticket.stage_id.closed
                    and not ticket.apizee_reopen_rate
                )
        res = super().write(vals)
        if reopened:
            reopened.sudo().write({"apizee_reopen_rate": 1.0})
        return res

    @api.model
    def _apizee_counted_fields(self):
        """Override: the ticket's video facts (whatever its computes give) and the
        counters of Tickets with Video."""
        computes = ("_compute_apizee_video_facts", "_compute_apizee_appointment_count")
        facts = {
            name for name, field in self._fields.items() if field.compute in computes
        }
        return (
            super()._apizee_counted_fields()
            | facts
            | {"apizee_reopen_rate", "apizee_agent_reply_count"}
        )

    def _message_post_after_hook(self, message, msg_vals):
        """Count the agents' replies to the customer (not their notes) for Tickets
        with Video: one atomic increment, no write of the ticket (its write date
        and followers' tracking stay as they are)."""
        res = super()._message_post_after_hook(message, msg_vals)
        comment = self.env.ref("mail.mt_comment", raise_if_not_found=False)
        if (
            not comment
            or message.message_type not in const.REPLY_MESSAGE_TYPES
            or message.subtype_id != comment
        ):
            return res
        # Internal users, archived ones too (as the history counts them), but
        # OdooBot
        authors = message.author_id.sudo().with_context(active_test=False).user_ids
        if any(not user.share and user.id != SUPERUSER_ID for user in authors):
            self._apizee_increment("apizee_agent_reply_count")
        return res

    @api.model
    def _apizee_count_history(self):
        """Fill the reopenings and the agents' replies of the tickets from their
        history (the stage's tracking, the messages): at install and update."""
        self.env.flush_all()
        stage = self.env["ir.model.fields"]._get("helpdesk.ticket", "stage_id")
        comment = self.env.ref("mail.mt_comment")
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET "
            "apizee_reopen_rate = COALESCE(apizee_reopen_rate, 0), "
            "apizee_agent_reply_count = COALESCE(apizee_agent_reply_count, 0) "
            "WHERE apizee_reopen_rate IS NULL OR apizee_agent_reply_count IS NULL"
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket ticket SET apizee_reopen_rate = 1
                FROM mail_tracking_value value
                JOIN mail_message message ON message.id = value.mail_message_id
                JOIN helpdesk_ticket_stage old ON old.id = value.old_value_integer
                JOIN helpdesk_ticket_stage new ON new.id = value.new_value_integer
                WHERE value.field_id = %(stage)s AND old.closed AND NOT new.closed
                    AND message.model = 'helpdesk.ticket'
                    AND message.res_id = ticket.id
                """,
                stage=stage.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket ticket SET apizee_agent_reply_count = replies.n
                FROM (
                    SELECT message.res_id, COUNT(*) AS n FROM mail_message message
                    WHERE message.model = 'helpdesk.ticket'
                        AND message.message_type IN %(types)s
                        AND message.subtype_id = %(comment)s
                        AND EXISTS (
                            SELECT 1 FROM res_users author
                            WHERE author.partner_id = message.author_id
                                AND NOT author.share AND author.id != %(root)s
                        )
                    GROUP BY message.res_id
                ) replies
                WHERE replies.res_id = ticket.id
                """,
                comment=comment.id,
                types=const.REPLY_MESSAGE_TYPES,
                root=SUPERUSER_ID,
            )
        )
        self.invalidate_model(["apizee_reopen_rate", "apizee_agent_reply_count"])

    def _apizee_live_users(self):
        """Override: the ticket's agent and its team's agents too."""
        ticket = self.sudo()
        return super()._apizee_live_users() | ticket.user_id | ticket.team_id.user_ids

    def _apizee_reference(self):
        self.ensure_one()
        return self.number

    @api.model
    def _apizee_reference_domain(self, reference):
        return [("number", "=", reference)]

    def _apizee_customer(self):
        self.ensure_one()
        return self.partner_id

    def _apizee_customer_name(self):
        self.ensure_one()
        return self.partner_id.name or self.partner_name or ""

    def _apizee_get_default_recipients(self):
        """Override: the ticket's email first, else the customer's."""
        phones, emails = super()._apizee_get_default_recipients()
        email = self.partner_email or self.partner_id.email
        return phones, [email] if email else []

    def _apizee_get_service(self):
        """Override: the ticket's team's service, else its company's default."""
        self.ensure_one()
        # Read as superuser: prefetching would otherwise read services of companies
        # the user cannot see. The service returned belongs to the ticket's company.
        service = self.sudo().team_id.apizee_service_id
        if not service:
            return super()._apizee_get_service()
        return self._apizee_checked_service(service)

    def _apizee_conversation_name(self):
        self.ensure_one()
        return f"odoo-{self._apizee_database_tag()}-ticket-{self.id}"

    def _apizee_wizard_defaults(self):
        """Override: the wizard's ticket field too (views, older callers)."""
        return {**super()._apizee_wizard_defaults(), "default_ticket_id": self.id}

    def action_apizee_agent_panel(self):
        """Override: the panel's parameters name the ticket as before, too."""
        action = super().action_apizee_agent_panel()
        action["params"]["ticket_id"] = self.id
        return action

    # -- The customer's side -----------------------------------------------------------

    def _apizee_join_path(self):
        """Override: ``/helpdesk_apizee/join/<ticket>/<token>``."""
        self.ensure_one()
        return f"{const.JOIN_PATH}/{self.id}/{self.sudo().apizee_join_token}"

    def _apizee_default_agent(self):
        """Override: the ticket's agent."""
        self.ensure_one()
        return self.sudo().user_id

    def _apizee_self_service_problem(self):
        """Override: a closed ticket, or a team that does not let its customers start
        calls (a ticket without team: no self-service)."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.closed or not ticket.active:
            return "closed"
        if not ticket.team_id.apizee_self_service:
            return "disabled"
        return False

    def _apizee_portal_video(self):
        """What the portal's "Show us the problem by video" block shows for the
        ticket (read as superuser by the portal route, once it checked the access).

        :return: a dict, or None when there is no block: ``now`` (the team's hours
            are open), ``book`` (slots can be booked), ``phone``/``email`` (masked
            contact details Apizee may send the link to), ``appointments`` (the
            coming ones), ``join_path``
        """
        self.ensure_one()
        ticket = self.sudo()
        if ticket._apizee_self_service_problem():
            return None
        valid = ticket._apizee_session_recipients()[0]
        phones = recipients.unique_values(e for e in valid if e.kind == "phone")
        emails = recipients.unique_values(e for e in valid if e.kind == "email")
        return {
            "now": ticket.team_id._apizee_is_open(),
            "phone": recipients.mask(phones[-1]) if phones else False,
            "email": recipients.mask(emails[0]) if emails else False,
            "appointments": self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("apizee_ticket_id", "=", ticket.id),
                    ("stop", ">=", fields.Datetime.now()),
                ],
                order="start",
            ),
            "join_path": ticket._apizee_join_path(),
        }

    def _apizee_appointment_agents(self):
        """The agents who may take a video appointment of the ticket: its agent,
        else its team's."""
        self.ensure_one()
        ticket = self.sudo()
        return ticket.user_id or ticket.team_id.user_ids.filtered(
            lambda user: user.active and not user.share
        )

    def _apizee_free_slots(self):
        """The video appointment slots the ticket's customer may book.

        :return: a list of ``(start, stop, agent)`` (see the team's)
        """
        self.ensure_one()
        ticket = self.sudo()
        if ticket._apizee_self_service_problem():
            return []
        return ticket.team_id._apizee_free_slots(ticket._apizee_appointment_agents())

    def _apizee_book(self, start, booked_by=None):
        """Book the video appointment of the slot that starts at ``start``: a
        calendar event of the slot's agent and the customer, whose video-call
        location is the ticket's join link, with a reminder by email.

        Two customers booking the same slot at once: the second waits for the first
        (the team's lock), then sees the slot taken.

        :param datetime start: naive UTC
        :param booked_by: the ``res.partner`` who booked (portal), else the agent
        :return: the ``calendar.event``
        :raise UserError: the slot is not free (any more)
        """
        self.ensure_one()
        ticket = self.sudo()
        if ticket._apizee_self_service_problem() and booked_by:
            raise UserError(self.env._("Video calls are not available here."))
        ticket.team_id._apizee_lock_bookings()
        ticket.invalidate_recordset()
        self.env["calendar.event"].invalidate_model()
        # The customer's coming appointments, across their tickets: a customer with
        # many tickets does not take every slot of the team
        customer = ticket.partner_id.commercial_partner_id
        coming = (
            self.env["calendar.event"]
            .sudo()
            .search_count(
                [
                    ("apizee_ticket_id.partner_id", "child_of", customer.ids)
                    if customer
                    else ("apizee_ticket_id", "=", ticket.id),
                    ("stop", ">=", fields.Datetime.now()),
                ]
            )
        )
        if booked_by and coming >= const.APPOINTMENT_MAX_PER_CUSTOMER:
            raise UserError(
                self.env._(
                    "You already have %(count)s video appointments to come: cancel "
                    "one to book another.",
                    count=coming,
                )
            )
        slot = next(
            (
                s
                for s in ticket.team_id._apizee_free_slots(
                    ticket._apizee_appointment_agents()
                )
                if s[0] == start
            ),
            None,
        )
        if not slot:
            raise UserError(
                self.env._("This time is no longer free: choose another one.")
            )
        begin, stop, agent = slot
        return ticket._apizee_create_appointment(begin, stop, agent, booked_by)

    def _apizee_appointment_name(self, env=None):
        """The name of the ticket's video appointments (in ``env``'s language)."""
        self.ensure_one()
        env = env or self.env
        return env._(
            "Video call: %(ticket)s %(name)s", ticket=self.number, name=self.name
        )

    def _apizee_appointment_alarms(self):
        """The reminders of video appointments: the calendar's email, 3 hours
        before (it carries the join link)."""
        return (
            self.env.ref("calendar.alarm_mail_1", raise_if_not_found=False)
            or (self.env["calendar.alarm"])
        )

    def _apizee_create_appointment(self, begin, stop, agent, booked_by=None):
        self.ensure_one()
        ticket = self.sudo()
        join_url = ticket._apizee_join_url()
        customer = ticket.partner_id
        partners = agent.partner_id | customer
        # In the customer's language: the event's name and description are theirs
        lang_env = self.with_context(lang=customer.lang or agent.lang).env
        event = (
            self.env["calendar.event"]
            .sudo()
            .with_context(lang=customer.lang or agent.lang)
            .create(
                {
                    "name": ticket._apizee_appointment_name(lang_env),
                    "start": begin,
                    "stop": stop,
                    "user_id": agent.id,
                    "partner_ids": [Command.set(partners.ids)],
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": ticket.id,
                    "apizee_ticket_id": ticket.id,
                    "videocall_location": join_url,
                    # The join link is the customer's: the event's details are for
                    # its attendees only (others see "busy")
                    "privacy": "private",
                    "description": Markup("<p>%s</p><p><a href='%s'>%s</a></p>")
                    % (
                        lang_env._(
                            "At the time of the appointment, open this link on a "
                            "phone with a camera and press “Start the video call”:"
                        ),
                        join_url,
                        join_url,
                    ),
                    "alarm_ids": [Command.set(ticket._apizee_appointment_alarms().ids)],
                }
            )
        )
        start = fields.Datetime.context_timestamp(
            self.with_context(tz=agent.tz or "UTC"), begin
        )
        ticket._apizee_post_note(
            self.env._(
                "Video appointment booked by %(who)s for %(when)s with %(agent)s.",
                who=(booked_by or self.env.user.partner_id).name,
                when=start.strftime("%Y-%m-%d %H:%M %Z"),
                agent=agent.name,
            ),
            author=booked_by,
        )
        return event

    def action_apizee_book_appointment(self):
        """A video appointment with the ticket's customer, from the agent's side:
        Odoo's calendar event form, filled (the customer and the agent as attendees,
        the join link as the video-call location), for the agent to pick the time.

        :return: an ``ir.actions.act_window`` on ``calendar.event``
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("write")
        ticket = self.sudo()
        team = ticket.team_id
        minutes = team.apizee_appointment_duration or const.APPOINTMENT_DURATION_DEFAULT
        partners = self.env.user.partner_id | ticket.partner_id
        # The next full hour, for as long as the team's appointments last
        start = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        start += timedelta(hours=1)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Video appointment"),
            "res_model": "calendar.event",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_name": ticket._apizee_appointment_name(self.env),
                "default_partner_ids": partners.ids,
                "default_user_id": self.env.user.id,
                "default_start": fields.Datetime.to_string(start),
                "default_stop": fields.Datetime.to_string(
                    start + timedelta(minutes=minutes)
                ),
                "default_duration": minutes / 60,
                "default_res_model_id": self.env["ir.model"]._get_id(self._name),
                "default_res_id": ticket.id,
                "default_apizee_ticket_id": ticket.id,
                "default_videocall_location": ticket._apizee_join_url(),
                "default_alarm_ids": ticket._apizee_appointment_alarms().ids,
            },
        }

    def action_apizee_view_appointments(self):
        """The ticket's video appointments, in the calendar's list."""
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Video appointments"),
            "res_model": "calendar.event",
            "view_mode": "list,form,calendar",
            "views": [(False, "list"), (False, "form"), (False, "calendar")],
            "domain": [("apizee_ticket_id", "=", self.id)],
            "context": {"create": False},
        }

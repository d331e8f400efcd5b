# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from .. import const
from .apizee_video_mixin import lock_rows

# The dashboard's figures (the fields of ``_apizee_dashboard_domains``) and the window
# actions of their lists
FIGURE_ACTIONS = {
    "apizee_sessions_today": "helpdesk_apizee.apizee_team_sessions_today_action",
    "apizee_in_call_now": "helpdesk_apizee.apizee_team_in_call_action",
    "apizee_no_show_week": "helpdesk_apizee.apizee_team_no_show_week_action",
}


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    apizee_service_id = fields.Many2one(
        comodel_name="apizee.service",
        string="Apizee service",
        check_company=True,
        help="Service preselected in the Apizee invitations of this team's tickets; "
        "when empty, the company's default service is used.",
    )
    apizee_self_service = fields.Boolean(
        string="Customers start video calls",
        help="The customers of this team's tickets may start a video call "
        "themselves (the ticket's join link, the portal's ticket page) and book a "
        "video appointment.",
    )
    apizee_resource_calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="Video call hours",
        check_company=True,
        help="When customers may start a video call at once, and the hours of the "
        "video appointments they book; when empty, the company's working hours.",
    )
    apizee_appointment_duration = fields.Integer(
        string="Appointment length (minutes)",
        default=const.APPOINTMENT_DURATION_DEFAULT,
    )
    apizee_missed_minutes = fields.Integer(
        string="Appointment missed after (minutes)",
        default=const.APPOINTMENT_MISSED_DEFAULT,
        help="A customer who has not joined this long after the start of a video "
        "appointment missed it: the ticket's agent gets an activity.",
    )

    # The team's video figures on the helpdesk dashboard (Insight): counted for all
    # the dashboard's teams at once, within the user's rights
    apizee_sessions_today = fields.Integer(
        string="Video sessions today",
        compute="_compute_apizee_dashboard",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    apizee_in_call_now = fields.Integer(
        string="Video calls in progress",
        compute="_compute_apizee_dashboard",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    apizee_no_show_week = fields.Integer(
        string="No-shows this week",
        compute="_compute_apizee_dashboard",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    def _compute_apizee_dashboard(self):
        Session = self.env["apizee.session"]
        counts = {}
        for name, domain in self._apizee_dashboard_domains().items():
            counts[name] = dict(
                Session._read_group(
                    [("team_id", "in", self.ids), *domain], ["team_id"], ["__count"]
                )
            )
        for team in self:
            for name, by_team in counts.items():
                team[name] = by_team.get(team._origin, 0)

    @api.model
    def _apizee_dashboard_domains(self):
        """The sessions each figure of the dashboard counts (a field name: its
        domain, without the team)."""
        # In the context's or user's time zone; UTC for one Odoo does not know
        local = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start_today = midnight.astimezone(pytz.utc).replace(tzinfo=None)
        week_start = (
            (midnight - timedelta(days=midnight.weekday()))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        return {
            "apizee_sessions_today": [("create_date", ">=", start_today)],
            "apizee_in_call_now": [("state", "=", "inprogress")],
            "apizee_no_show_week": [
                ("outcome", "=", "no_show"),
                ("create_date", ">=", week_start),
            ],
        }

    def action_apizee_dashboard_sessions(self):
        """The team's sessions of one figure of the dashboard (the context key
        ``apizee_figure``: a field of ``_apizee_dashboard_domains``; else all the
        team's sessions), in a list whose search has the team and the figure as
        facets. The window action of the figure takes the team as ``active_id``,
        which the web client keeps in the page's address: a reload shows the same
        list (the facets without the domain)."""
        self.env["helpdesk.ticket"]._apizee_check_agent()
        if len(self) != 1 or not self.id:
            raise UserError(self.env._("Choose one team."))
        self.check_access("read")
        figure = self.env.context.get("apizee_figure")
        xmlid = FIGURE_ACTIONS.get(figure) if isinstance(figure, str) else None
        action = self.env["ir.actions.act_window"]._for_xml_id(
            xmlid or "helpdesk_apizee.apizee_team_sessions_action"
        )
        action["context"] = {
            **safe_eval(action.get("context") or "{}", {"active_id": self.id}),
            "active_id": self.id,
            "active_ids": self.ids,
            "active_model": self._name,
        }
        # The same sessions as a domain too, for callers that search with it (the
        # list's facets select them in the web client)
        domain = self._apizee_dashboard_domains().get(figure, []) if xmlid else []
        action["domain"] = [("team_id", "=", self.id), *domain]
        return action

    _sql_constraints = [
        (
            "apizee_appointment_duration_positive",
            "CHECK(apizee_appointment_duration IS NULL "
            "OR apizee_appointment_duration BETWEEN 5 AND 480)",
            "A video appointment lasts from 5 to 480 minutes.",
        ),
        (
            "apizee_missed_minutes_positive",
            "CHECK(apizee_missed_minutes IS NULL OR apizee_missed_minutes >= 1)",
            "An appointment is missed at least one minute after its start.",
        ),
    ]

    def _apizee_hours(self):
        """The team's video call hours: its own, else its company's working hours.

        :return: a ``resource.calendar`` (possibly empty: no hours at all)
        """
        self.ensure_one()
        team = self.sudo()
        company = team.company_id or self.env.company
        return team.apizee_resource_calendar_id or company.resource_calendar_id

    def _apizee_open_intervals(self, start, end):
        """The team's hours between ``start`` and ``end`` (naive UTC).

        :return: a list of ``(start, end)`` pairs, naive UTC
        """
        self.ensure_one()
        hours = self._apizee_hours()
        if not hours:
            return []
        intervals = hours._work_intervals_batch(
            pytz.utc.localize(start), pytz.utc.localize(end)
        )[False]
        return [
            (
                begin.astimezone(pytz.utc).replace(tzinfo=None),
                # Hours up to 24:00 end at 23:59:59.999999 (Odoo's float_to_time)
                (stop + timedelta(microseconds=int(stop.microsecond == 999999)))
                .astimezone(pytz.utc)
                .replace(tzinfo=None),
            )
            for begin, stop, _meta in intervals
        ]

    def _apizee_is_open(self, now=None):
        """Whether a customer may start a video call now (within the team's hours)."""
        self.ensure_one()
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        return any(
            begin <= now < stop
            for begin, stop in self._apizee_open_intervals(
                now - timedelta(minutes=1), now + timedelta(minutes=1)
            )
        )

    @api.model
    def _apizee_cut_slots(self, intervals, minutes, not_before):
        """Slots of ``minutes`` within ``intervals``, from ``not_before``, starting on
        the hour or the half hour (pure: no I/O).

        :return: a list of ``(start, stop)`` pairs, naive UTC, in order
        """
        slots = []
        length = timedelta(minutes=minutes)
        step = timedelta(minutes=min(minutes, 30) if minutes >= 15 else minutes)
        for begin, stop in sorted(intervals):
            moment = max(begin, not_before)
            # Round up to the next step from the interval's own start
            offset = (moment - begin) % step
            if offset:
                moment += step - offset
            while moment + length <= stop:
                slots.append((moment, moment + length))
                moment += length
        return slots

    def _apizee_free_slots(self, agents, now=None):
        """The appointment slots a customer may book: the team's hours over the next
        days, cut in appointments of the team's length, when at least one of
        ``agents`` has no event then.

        :param agents: ``res.users`` who may take the call
        :return: a list of ``(start, stop, agent)``, naive UTC, at most
            ``const.APPOINTMENT_MAX_SLOTS``
        """
        self.ensure_one()
        now = (now or fields.Datetime.now()).replace(second=0, microsecond=0)
        not_before = now + timedelta(minutes=const.APPOINTMENT_LEAD_MINUTES)
        end = now + timedelta(days=const.APPOINTMENT_DAYS)
        minutes = self.sudo().apizee_appointment_duration or (
            const.APPOINTMENT_DURATION_DEFAULT
        )
        # The hours from a day before, on the hour: an interval read from now would
        # begin at now, and the slots count their half hours from an interval's
        # beginning
        since = (now - timedelta(days=1)).replace(minute=0)
        intervals = self._apizee_open_intervals(since, end)
        slots = self._apizee_cut_slots(intervals, minutes, not_before)
        if not slots or not agents:
            return []
        busy = {agent: [] for agent in agents}
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("start", "<", end),
                    ("stop", ">", not_before),
                    ("partner_ids", "in", agents.partner_id.ids),
                    ("show_as", "=", "busy"),
                ]
            )
        )
        for event in events:
            declined = event.attendee_ids.filtered(
                lambda attendee: attendee.state == "declined"
            ).partner_id
            for agent in agents:
                if agent.partner_id in event.partner_ids - declined:
                    busy[agent].append((event.start, event.stop))
        free = []
        for begin, stop in slots:
            for agent in agents:
                if not any(b < stop and begin < e for b, e in busy[agent]):
                    free.append((begin, stop, agent))
                    break
            if len(free) >= const.APPOINTMENT_MAX_SLOTS:
                break
        return free

    def _apizee_lock_bookings(self):
        """Serialize the bookings of the team's appointments (``lock_rows``): a
        second booking at once waits, then sees the first (PostgreSQL's
        serialization error, which Odoo retries)."""
        self.ensure_one()
        lock_rows(self)

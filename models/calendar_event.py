# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Video appointments: calendar events of a ticket whose video-call location is the
ticket's join link."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .. import const


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    apizee_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Video appointment of",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )
    apizee_missed_checked = fields.Boolean(copy=False, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Override: only who may call from a ticket links an event to it."""
        for vals in vals_list:
            self._apizee_check_ticket(vals)
        return super().create(vals_list)

    def _apizee_check_ticket(self, vals):
        """Refuse to link an event to a ticket the user may not call from (its notes
        and activities are the ticket's).

        :raise AccessError: for them (superuser code passes)
        """
        if self.env.su:
            return
        if "apizee_missed_checked" in vals:
            raise AccessError(
                self.env._("Only Odoo checks whether an appointment was missed.")
            )
        if "apizee_ticket_id" not in vals:
            return
        tickets = self.apizee_ticket_id | self.env["helpdesk.ticket"].browse(
            vals["apizee_ticket_id"] or []
        )
        for ticket in tickets:
            ticket._apizee_check_agent()
            ticket.check_access("write")

    def write(self, vals):
        """Override: a video appointment moved or cancelled says so on its ticket."""
        self._apizee_check_ticket(vals)
        appointments = self.filtered("apizee_ticket_id")
        before = {event: (event.start, event.active) for event in appointments}
        result = super().write(vals)
        if appointments and ("start" in vals or "active" in vals):
            for event in appointments:
                start, active = before[event]
                if active and not event.active:
                    event._apizee_note_on_ticket("cancelled")
                elif event.active and event.start != start:
                    event.sudo().apizee_missed_checked = False
                    event._apizee_note_on_ticket("moved")
        return result

    def unlink(self):
        """Override: a deleted video appointment is noted as cancelled."""
        for event in self.filtered(
            lambda event: event.apizee_ticket_id and event.active
        ):
            event._apizee_note_on_ticket("cancelled")
        return super().unlink()

    def _apizee_note_on_ticket(self, what):
        self.ensure_one()
        ticket = self.sudo().apizee_ticket_id
        tz = ticket.user_id.tz or self.user_id.tz or "UTC"
        when = fields.Datetime.context_timestamp(self.with_context(tz=tz), self.start)
        when = when.strftime("%Y-%m-%d %H:%M %Z")
        if what == "cancelled":
            body = self.env._(
                "Video appointment of %(when)s cancelled by %(user)s.",
                when=when,
                user=self.env.user.name,
            )
        else:
            body = self.env._(
                "Video appointment moved to %(when)s by %(user)s.",
                when=when,
                user=self.env.user.name,
            )
        ticket._apizee_post_note(body)

    @api.model
    def _cron_apizee_missed(self):
        """Video appointments whose customer did not join within the team's minutes:
        an activity "Customer missed the video appointment" for the ticket's agent
        (once per appointment)."""
        now = fields.Datetime.now()
        events = self.sudo().search(
            [
                ("apizee_ticket_id", "!=", False),
                ("apizee_missed_checked", "=", False),
                ("start", "<=", now - timedelta(minutes=1)),
                ("start", ">=", now - timedelta(days=2)),
            ],
            limit=200,
        )
        activity_type = self.env.ref(
            "helpdesk_apizee.mail_activity_type_apizee_missed",
            raise_if_not_found=False,
        )
        for event in events:
            ticket = event.apizee_ticket_id
            minutes = (
                ticket.team_id.apizee_missed_minutes or const.APPOINTMENT_MISSED_DEFAULT
            )
            if event.start + timedelta(minutes=minutes) > now:
                continue
            event.apizee_missed_checked = True
            # The customer opened the link, or was in a call, around the start
            since = event.start - timedelta(minutes=30)
            opened = ticket.apizee_session_ids.filtered(
                lambda session, since=since: (
                    session.customer_opened_time
                    and session.customer_opened_time >= since
                )
                or (session.call_start_time and session.call_start_time >= since)
            )
            if opened:
                continue
            agent = ticket.user_id or event.user_id
            ticket.activity_schedule(
                activity_type_id=activity_type.id if activity_type else None,
                summary=self.with_context(lang=agent.lang).env._(
                    "Customer missed the video appointment"
                ),
                user_id=agent.id,
                date_deadline=fields.Date.context_today(event),
            )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's "Show us the problem by video" block and video appointments: over
HTTP as the ticket's customer, another portal user and public; bookings, two at once
on real connections; reminders; missed appointments."""

import logging
import re
import threading
from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from ..exceptions import JoinWait
from ..models.helpdesk_ticket_team import HelpdeskTicketTeam
from .fixtures import hours_values
from .test_join import JoinCommon

_logger = logging.getLogger(__name__)

# A Wednesday, 09:00 in Paris: the tests' clock for slots
NOW = datetime(2026, 12, 2, 8, 0, 0)


@tagged("post_install", "-at_install")
class TestPortalVideo(HttpCase, JoinCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = new_test_user(
            cls.env,
            login="lucie_portal",
            password="lucie_portal",
            groups="base.group_portal",
            partner_id=cls.partner.id,
        )
        cls.stranger = new_test_user(
            cls.env,
            login="stranger_portal",
            password="stranger_portal",
            groups="base.group_portal",
        )
        # Office hours: Monday to Friday, 9:00-12:00 (Paris)
        cls.office = cls.env["resource.calendar"].create(
            hours_values("Mornings", "Europe/Paris", 9.0, 12.0, days=5)
        )

    def _page(self, login=None, ticket=None):
        if login:
            self.authenticate(login, login)
        return self.url_open(f"/my/ticket/{(ticket or self.ticket).id}")

    def test_block_for_the_tickets_customer_only(self):
        page = self._page("lucie_portal")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Show us the problem by video", page.text)
        self.assertIn("Start a video call now", page.text)
        self.assertIn("Book a video call", page.text)
        # Where the link would go, masked
        self.assertIn("+33•••••••67", page.text)
        self.assertIn("l•••@example.com", page.text)
        self.assertNotIn("+33781234567", page.text)
        # Another customer: no ticket page, no block, no booking, no sending
        page = self._page("stranger_portal")
        self.assertNotIn("Show us the problem by video", page.text)
        self.assertNotIn(self.ticket.number, page.text)
        with mute_logger("odoo.http"):
            book = self.url_open(f"/my/ticket/{self.ticket.id}/video/book")
        self.assertEqual(book.status_code, 404)
        # Public without the ticket's access token
        self.logout()
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertNotIn("Show us the problem by video", page.text)
        self.assertFalse(self._sessions_created())

    def test_no_block_without_self_service_or_once_closed(self):
        self.team.apizee_self_service = False
        self.assertNotIn("Show us the problem", self._page("lucie_portal").text)

    def test_outside_the_hours_book_only(self):
        self.team.apizee_resource_calendar_id = self.office
        with patch.object(HelpdeskTicketTeam, "_apizee_is_open", return_value=False):
            page = self._page("lucie_portal")
        self.assertNotIn("Start a video call now", page.text)
        self.assertIn("Book a video call", page.text)
        self.assertIn("not available for a video call right now", page.text)

    def test_start_now_from_the_portal(self):
        self._page("lucie_portal")
        answer = self._press()
        self.assertEqual(answer.status_code, 303)
        self.assertIn("/guest/", answer.headers["Location"])
        # The note names the portal user who pressed
        self.assertIn(
            f"{self.customer.name} opened the video call link",
            self.ticket.message_ids[0].body,
        )

    def test_send_the_link_by_sms(self):
        page = self._page("lucie_portal")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.url_open(
            f"/my/ticket/{self.ticket.id}/video/send",
            data={"csrf_token": csrf, "channel": "sms"},
            allow_redirects=False,
        )
        self.assertEqual(answer.status_code, 303)
        self.assertIn("apizee_sent=sent", answer.headers["Location"])
        created = self._sessions_created()
        self.assertEqual(len(created), 1)
        query = created[0]["query"]
        self.assertEqual(
            (query["invite"], query["phone"], query.get("email")),
            ("1", "+33781234567", None),
        )
        self.assertEqual(self.ticket.apizee_session_ids.origin, "portal_invite")
        self.assertIn("asked for the video call link", self.ticket.message_ids[0].body)
        # Not in the call yet: no "is waiting" notice for the agents
        self.assertFalse(
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "helpdesk_apizee/customer_waiting")])
        )
        # Again at once: "wait", nothing sent
        again = self.url_open(
            f"/my/ticket/{self.ticket.id}/video/send",
            data={"csrf_token": csrf, "channel": "sms"},
            allow_redirects=False,
        )
        self.assertIn("apizee_sent=wait", again.headers["Location"])
        self.assertEqual(len(self._sessions_created()), 1)

    def test_back_to_the_ticket_with_its_token_only_when_it_came_with_it(self):
        """The pages' redirects back to the ticket: a signed-in customer's has no
        access token (none is made), a visitor's with the token keeps it."""
        self.ticket.sudo().access_token = False
        page = self._page("lucie_portal")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        path = f"/my/ticket/{self.ticket.id}/video/send"
        answer = self.url_open(
            path, data={"csrf_token": csrf, "channel": "none"}, allow_redirects=False
        )
        self.assertEqual(answer.status_code, 303)
        self.assertTrue(
            answer.headers["Location"].endswith(
                f"/my/ticket/{self.ticket.id}?apizee_sent=nothing"
            ),
            answer.headers["Location"],
        )
        self.assertFalse(self.ticket.sudo().access_token)
        # Signed in with a wrong token: no token back, the ticket's least of all
        token = self.ticket.sudo()._portal_ensure_token()
        answer = self.url_open(
            path,
            data={"csrf_token": csrf, "channel": "none", "access_token": "x"},
            allow_redirects=False,
        )
        self.assertNotIn("access_token", answer.headers["Location"])
        # A visitor with the ticket's link (its token), not signed in
        self.logout()
        page = self.url_open(f"/my/ticket/{self.ticket.id}?access_token={token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.url_open(
            path,
            data={"csrf_token": csrf, "channel": "none", "access_token": token},
            allow_redirects=False,
        )
        self.assertIn(f"access_token={token}", answer.headers["Location"])
        self.assertIn("apizee_sent=nothing", answer.headers["Location"])

    def test_book_a_slot_then_cancel_it(self):
        self.team.apizee_resource_calendar_id = self.office
        with patch.object(fields.Datetime, "now", return_value=NOW):
            page = self._page("lucie_portal")
            book = self.url_open(f"/my/ticket/{self.ticket.id}/video/book")
            self.assertEqual(book.status_code, 200)
            # Wednesday 9:00 is within the hour: the first slot is 10:00 (Paris)
            starts = re.findall(r'name="start"[^>]*value="([^"]+)"', book.text)
            self.assertEqual(starts[0], "2026-12-02T09:00:00")
            self.assertIn("10:00–10:30", book.text)
            # One day at a time: Wednesday's 4 times (10:00-12:00), and the days
            # with free times to choose from (Thursday, Friday, Monday...)
            self.assertEqual(len(starts), 4)
            days = re.findall(r"video/book\?day=([0-9-]+)", book.text)
            self.assertEqual(
                days[:4], ["2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07"]
            )
            friday = self.url_open(
                f"/my/ticket/{self.ticket.id}/video/book?day=2026-12-04"
            )
            self.assertEqual(
                re.findall(r'name="start"[^>]*value="([^"]+)"', friday.text)[0],
                "2026-12-04T08:00:00",
            )
            for junk in ("2026-12-05", "x", "2026-13-01"):  # a Saturday, nonsense
                page = self.url_open(
                    f"/my/ticket/{self.ticket.id}/video/book?day={junk}"
                )
                self.assertEqual(page.status_code, 200)
                self.assertIn('value="2026-12-02T09:00:00"', page.text)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', book.text).group(1)
            answer = self.url_open(
                f"/my/ticket/{self.ticket.id}/video/book",
                data={"csrf_token": csrf, "start": starts[0]},
                allow_redirects=False,
            )
            self.assertEqual(answer.status_code, 303, answer.text[:500])
            event = self.ticket.sudo().apizee_appointment_ids
            self.assertEqual(len(event), 1)
            self.assertEqual(event.start, datetime(2026, 12, 2, 9, 0))
            self.assertEqual(event.stop, datetime(2026, 12, 2, 9, 30))
            self.assertEqual(
                event.videocall_location, self.ticket.sudo().apizee_join_url
            )
            self.assertEqual(event.partner_ids, self.agent.partner_id | self.partner)
            self.assertEqual(event.user_id, self.agent)
            self.assertIn(
                "Video appointment booked by", self.ticket.message_ids[0].body
            )
            # The slot is taken: not offered again, refused if sent anyway
            book = self.url_open(f"/my/ticket/{self.ticket.id}/video/book")
            self.assertNotIn(f'"{starts[0]}"', book.text)
            refused = self.url_open(
                f"/my/ticket/{self.ticket.id}/video/book",
                data={"csrf_token": csrf, "start": starts[0]},
            )
            self.assertIn("no longer free", refused.text)
            for junk in ("", "tomorrow", "2026-12-02T09:00:00+00:00", "x" * 5000):
                refused = self.url_open(
                    f"/my/ticket/{self.ticket.id}/video/book",
                    data={"csrf_token": csrf, "start": junk},
                )
                self.assertEqual(refused.status_code, 200)
            self.assertEqual(len(self.ticket.sudo().apizee_appointment_ids), 1)
            # The ticket page lists it; the customer cancels it
            page = self._page()
            self.assertIn("Your video appointments", page.text)
            answer = self.url_open(
                f"/my/ticket/{self.ticket.id}/video/cancel/{event.id}",
                data={"csrf_token": csrf},
                allow_redirects=False,
            )
            self.assertEqual(answer.status_code, 303)
        self.assertFalse(event.active)
        self.assertIn("cancelled by", self.ticket.message_ids[0].body)

    def test_reminder_and_invitation_carry_the_join_link(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        event = self.ticket.sudo()._apizee_create_appointment(
            start, start + timedelta(minutes=30), self.agent
        )
        join_url = self.ticket.sudo().apizee_join_url
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        for xmlid in (
            "calendar.calendar_template_meeting_reminder",
            "calendar.calendar_template_meeting_invitation",
        ):
            template = self.env.ref(xmlid)
            body = template._render_field("body_html", attendee.ids)[attendee.id]
            with self.subTest(template=xmlid):
                self.assertIn(join_url, body)
        self.assertTrue(event.alarm_ids.filtered(lambda a: a.alarm_type == "email"))
        # Moved in the calendar: said on the ticket
        event.start = start + timedelta(hours=1)
        self.assertIn("moved to", self.ticket.message_ids[0].body)

    def test_missed_appointment_gives_the_agent_an_activity(self):
        now = fields.Datetime.now().replace(microsecond=0)
        start = now - timedelta(minutes=20)
        missed = self.ticket.sudo()._apizee_create_appointment(
            start, start + timedelta(minutes=30), self.agent
        )
        other = self.ticket.copy({"name": "Joined"})
        joined = other.sudo()._apizee_create_appointment(
            start, start + timedelta(minutes=30), self.agent
        )
        self.env["apizee.session"].sudo().create(
            {
                "ticket_id": other.id,
                "apizee_id": "77",
                "state": "inprogress",
                "customer_opened_time": start + timedelta(minutes=2),
            }
        )
        soon = self.ticket.copy({"name": "Not yet"})
        soon.sudo()._apizee_create_appointment(
            now - timedelta(minutes=5), now + timedelta(minutes=25), self.agent
        )
        self.env["calendar.event"]._cron_apizee_missed()
        self.env["calendar.event"]._cron_apizee_missed()  # once only
        activity = self.ticket.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Customer missed the video appointment")
        self.assertEqual(activity.user_id, self.agent)
        self.assertFalse(other.activity_ids)
        self.assertFalse(soon.activity_ids)
        self.assertTrue(missed.apizee_missed_checked)
        self.assertTrue(joined.apizee_missed_checked)

    def test_only_agents_link_events_to_tickets(self):
        """An internal user who may not call from the ticket cannot hang an event
        (its notes, its "missed" activity) on it."""
        for user in (self.internal_user, self.other_agent):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["calendar.event"].with_user(user).create(
                    {
                        "name": "Mine",
                        "start": NOW,
                        "stop": NOW + timedelta(minutes=30),
                        "apizee_ticket_id": self.ticket.id,
                    }
                )
        event = (
            self.env["calendar.event"]
            .with_user(self.internal_user)
            .create({"name": "Mine", "start": NOW, "stop": NOW + timedelta(hours=1)})
        )
        with self.assertRaises(AccessError):
            event.write({"apizee_ticket_id": self.ticket.id})

    def test_three_coming_appointments_per_customer_at_most(self):
        """Across their tickets: a customer with many tickets does not take every
        slot of the team."""
        self.team.apizee_resource_calendar_id = self.office
        other = self.ticket.copy({"name": "Another of hers"}).sudo()
        ticket = self.ticket.sudo()
        with patch.object(fields.Datetime, "now", return_value=NOW):
            for _i in range(2):
                ticket._apizee_book(ticket._apizee_free_slots()[0][0], self.partner)
            other._apizee_book(other._apizee_free_slots()[0][0], self.partner)
            for booking in (ticket, other):
                with self.assertRaisesRegex(UserError, "already have 3 video"):
                    booking._apizee_book(
                        booking._apizee_free_slots()[0][0], self.partner
                    )
        self.assertEqual(len(ticket.apizee_appointment_ids), 2)
        self.assertEqual(len(other.apizee_appointment_ids), 1)

    def test_all_day_hours_end_at_midnight(self):
        """Hours up to 24:00 give the last slot of the day, 23:30-24:00 (Paris)."""
        intervals = self.team._apizee_open_intervals(NOW, NOW + timedelta(days=1))
        midnight_utc = datetime(2026, 12, 2, 23, 0)  # 24:00 in Paris
        self.assertIn(midnight_utc, [stop for _begin, stop in intervals])
        with patch.object(fields.Datetime, "now", return_value=NOW):
            starts = [start for start, _s, _a in self.ticket._apizee_free_slots()]
        self.assertIn(datetime(2026, 12, 2, 22, 30), starts)

    def test_slots_on_the_hour_and_half_hour_whatever_the_time(self):
        """Asked at any minute, open all day: every slot starts on the hour or the
        half hour (not at the minute asked, where the team's hours seemed to
        begin)."""
        for minute in (0, 1, 17, 31, 59):
            moment = NOW.replace(minute=minute)
            with (
                self.subTest(minute=minute),
                patch.object(fields.Datetime, "now", return_value=moment),
            ):
                starts = [start for start, _s, _a in self.ticket._apizee_free_slots()]
            self.assertTrue(starts)
            self.assertEqual({start.minute for start in starts} - {0, 30}, set())

    def test_send_the_link_limits(self):
        """Apizee's SMS cost money: one every 10 minutes per ticket, 3 a day per
        ticket and per number."""
        ticket = self.ticket.sudo()
        invite = (["+33781234567"], [])
        Session = self.env["apizee.session"].sudo()

        def age_all(minutes):
            self.env.cr.execute(
                "UPDATE apizee_session SET create_date = create_date - %s * "
                "interval '1 minute'",
                [minutes],
            )
            Session.invalidate_model(["create_date"])

        ticket._apizee_customer_start(origin="portal_invite", invite=invite)
        with self.assertRaisesRegex(JoinWait, "minutes") as caught:
            ticket._apizee_customer_start(origin="portal_invite", invite=invite)
        self.assertLessEqual(caught.exception.seconds, const.JOIN_INVITE_EVERY)
        for _i in range(2):
            age_all(11)
            ticket._apizee_customer_start(origin="portal_invite", invite=invite)
        age_all(11)
        with self.assertRaisesRegex(JoinWait, "3 times today"):
            ticket._apizee_customer_start(origin="portal_invite", invite=invite)
        # The same number from another ticket: the day's 3 are spent too
        other = self.ticket.copy({"name": "Another"}).sudo()
        with self.assertRaisesRegex(JoinWait, "3 times today"):
            other._apizee_customer_start(origin="portal_invite", invite=invite)
        self.assertEqual(len(self._sessions_created()), 3)
        # A day later
        age_all(24 * 60)
        ticket._apizee_customer_start(origin="portal_invite", invite=invite)
        self.assertEqual(len(self._sessions_created()), 4)

    def test_appointments_are_private_to_their_attendees(self):
        """The join link is in the event: colleagues see "busy", not the link."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        event = self.ticket.sudo()._apizee_create_appointment(
            start, start + timedelta(minutes=30), self.agent
        )
        self.assertEqual(event.privacy, "private")
        event.invalidate_recordset()  # read from the database, as the user
        seen = event.with_user(self.internal_user).read(
            ["videocall_location", "description", "name"]
        )[0]
        self.assertNotIn(self.ticket.sudo().apizee_join_token, str(seen))
        with self.assertRaises(UserError):
            event.with_user(self.internal_user).write({"start": start})
        with self.assertRaises(AccessError):
            event.with_user(self.internal_user).write({"apizee_ticket_id": False})
        with self.assertRaises(AccessError):
            event.with_user(self.agent).write({"apizee_missed_checked": True})

    def test_agent_books_from_the_ticket(self):
        action = self.ticket.with_user(self.agent).action_apizee_book_appointment()
        context = action["context"]
        self.assertEqual(action["res_model"], "calendar.event")
        self.assertEqual(
            context["default_videocall_location"], self.ticket.sudo().apizee_join_url
        )
        event = (
            self.env["calendar.event"]
            .with_user(self.agent)
            .with_context(**context)
            .create({"start": NOW, "stop": NOW + timedelta(minutes=30)})
        )
        self.assertEqual(event.apizee_ticket_id, self.ticket)
        self.assertEqual(self.ticket.with_user(self.agent).apizee_appointment_count, 1)


@tagged("post_install", "-at_install")
class TestSlots(TransactionCase):
    """Slots cut from the team's hours (pure)."""

    def test_cut_slots_table(self):
        Team = self.env["helpdesk.ticket.team"]
        day = datetime(2026, 12, 2)
        hour = timedelta(hours=1)
        table = [
            # intervals, minutes, not before -> starts (hours from the day)
            (
                [(day + 9 * hour, day + 12 * hour)],
                30,
                day,
                [9, 9.5, 10, 10.5, 11, 11.5],
            ),
            ([(day + 9 * hour, day + 12 * hour)], 60, day + 9.25 * hour, [9.5, 10.5]),
            ([(day + 9 * hour, day + 10 * hour)], 90, day, []),
            (
                [(day + 14 * hour, day + 15 * hour), (day + 9 * hour, day + 10 * hour)],
                30,
                day,
                [9, 9.5, 14, 14.5],
            ),
            ([(day + 9 * hour, day + 12 * hour)], 30, day + 13 * hour, []),
        ]
        for intervals, minutes, not_before, hours in table:
            with self.subTest(intervals=intervals, minutes=minutes):
                slots = Team._apizee_cut_slots(intervals, minutes, not_before)
                self.assertEqual([(s - day) / hour for s, _e in slots], hours)
                for start, stop in slots:
                    self.assertEqual(stop - start, timedelta(minutes=minutes))


@tagged("post_install", "-at_install")
class TestDoubleBooking(TransactionCase):
    """Two customers take the same slot at once, on two real connections: one gets
    it, the other is told it is no longer free (after Odoo's retry)."""

    def test_two_bookings_at_once(self):
        registry = self.registry
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            hours = env["resource.calendar"].create(
                hours_values("All day (double booking)")
            )
            agent = new_test_user(
                env,
                login="double_booking_agent",
                groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            )
            team = env["helpdesk.ticket.team"].create(
                {
                    "name": "Double booking",
                    "apizee_self_service": True,
                    "apizee_resource_calendar_id": hours.id,
                    "user_ids": [(4, agent.id)],
                }
            )
            partners = env["res.partner"].create(
                [
                    {"name": "First", "email": "a@example.com"},
                    {"name": "Second", "email": "b@example.com"},
                ]
            )
            tickets = env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"T{i}",
                        "description": "x",
                        "team_id": team.id,
                        "partner_id": partner.id,
                        "user_id": agent.id,  # one agent: one call at a time
                    }
                    for i, partner in enumerate(partners)
                ]
            )
            start = tickets[0]._apizee_free_slots()[0][0]
            ids = (hours.id, agent.id, team.id, partners.ids, tickets.ids)
        self.addCleanup(self._cleanup, *ids)
        barrier = threading.Barrier(2)
        outcomes = {}

        def book(ticket_id):
            attempts = 0
            while True:
                attempts += 1
                with registry.cursor() as cr:
                    # As a worker of its own (Registry() would wait for the loading
                    # of the registry, which runs the tests)
                    cr.transaction = api.Transaction(registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    ticket = env["helpdesk.ticket"].browse(ticket_id)
                    try:
                        ticket.read(["name"])  # the snapshot starts before the race
                        if attempts == 1:
                            barrier.wait(10)
                        ticket._apizee_book(start)
                        # The invitations are sent after the commit, by a new
                        # Registry(): it would wait for the tests to end
                        cr.postcommit.clear()
                        # Two real connections, as two workers: each commits
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes[ticket_id] = ("booked", attempts)
                        return
                    except psycopg2.errors.SerializationFailure:
                        cr.rollback()  # Odoo retries the request: so do we
                    except UserError as error:
                        cr.rollback()
                        outcomes[ticket_id] = (error.args[0], attempts)
                        return
                    except Exception as error:  # noqa: BLE001 - reported below
                        outcomes[ticket_id] = (repr(error), attempts)
                        _logger.exception("booking %s", ticket_id)
                        return

        threads = [threading.Thread(target=book, args=(tid,)) for tid in ids[4]]
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        results = sorted(
            (outcome for outcome, _attempts in outcomes.values()),
            key=lambda outcome: outcome != "booked",
        )
        self.assertEqual(len(results), 2, outcomes)
        self.assertEqual(results[0], "booked")
        self.assertIn("no longer free", results[1])
        # The loser waited for the winner, then was retried once
        self.assertEqual(max(attempts for _o, attempts in outcomes.values()), 2)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            events = env["calendar.event"].search([("apizee_ticket_id", "in", ids[4])])
            self.assertEqual(len(events), 1)

    def _cleanup(self, hours_id, agent_id, team_id, partner_ids, ticket_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["calendar.event"].with_context(active_test=False).search(
                [("apizee_ticket_id", "in", ticket_ids)]
            ).unlink()
            env["helpdesk.ticket"].browse(ticket_ids).unlink()
            env["helpdesk.ticket.team"].browse(team_id).unlink()
            env["res.users"].browse(agent_id).unlink()
            env["res.partner"].browse(partner_ids).unlink()
            env["resource.calendar"].browse(hours_id).unlink()

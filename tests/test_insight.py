# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Insight: the facts of sessions and tickets, whatever the order Apizee tells a
session's life in, and the report's figures within each user's rights."""

import itertools
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ApizeeCommon

T0 = datetime(2026, 11, 2, 9, 0, 0)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


@tagged("post_install", "-at_install")
class TestSessionFacts(ApizeeCommon):
    def _session(self, ticket=None, **values):
        return (
            self.env["apizee.session"]
            .sudo()
            .create(
                {
                    "ticket_id": (ticket or self.ticket).id,
                    "apizee_id": values.pop("apizee_id", "1"),
                    "state": "new",
                    **values,
                }
            )
        )

    def test_facts_whatever_the_order(self):
        """Each life, its events told in every order (and twice), gives the same
        facts."""
        table = [
            # events (state, minutes), invitation sent -> outcome, in call, wait
            (
                [("invited", 0), ("inprogress", 3), ("done", 15)],
                False,
                ("completed", 12.0, 3.0),
            ),
            (
                [("invited", 0), ("inprogress", 2), ("inprogress", 5), ("closed", 9)],
                False,
                ("completed", 7.0, 2.0),
            ),
            ([("invited", 0), ("expired", 30)], False, ("no_show", 0.0, 0.0)),
            ([("open", 0), ("cancelled", 30)], True, ("no_show", 0.0, 0.0)),
            ([("invited", 0), ("declined", 4)], False, ("declined", 0.0, 0.0)),
            ([("open", 0), ("expired", 60)], False, ("expired", 0.0, 0.0)),
            ([("open", 0), ("rejected", 1)], False, ("failed", 0.0, 0.0)),
            ([("invited", 0), ("inprogress", 1)], False, ("live", 0.0, 1.0)),
        ]
        for index, (events, sent, expected) in enumerate(table):
            orders = set(itertools.permutations(events))
            for order in sorted(orders):
                with self.subTest(events=events, order=order):
                    session = self._session(
                        apizee_id=f"F{index}-{len(orders)}-{hash(order)}",
                        invitation_sent=sent,
                    )
                    for state, minutes in order + order[:1]:
                        session._apply_state(state, at(minutes))
                    self.assertEqual(
                        (session.outcome, session.call_minutes, session.wait_minutes),
                        expected,
                    )

    def test_a_refresh_tells_milestones_too(self):
        session = self._session(apizee_id="R1")
        session.write({"state": "inprogress", "state_time": at(5)})
        session.write({"state": "done", "state_time": at(20)})
        self.assertEqual(session.call_start_time, at(5))
        self.assertEqual(session.call_end_time, at(20))
        self.assertEqual(session.outcome, "completed")

    def test_ticket_facts(self):
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        ticket = self.ticket
        self.assertFalse(ticket.apizee_solved_with_video)
        session = self._session(apizee_id="T1")
        for state, minutes in (("invited", 0), ("inprogress", 2), ("done", 10)):
            session._apply_state(state, at(minutes))
        self.assertEqual(ticket.apizee_video_session_count, 1)
        self.assertEqual(ticket.apizee_last_call_time, at(2))
        self.assertEqual(ticket.apizee_call_minutes, 8.0)
        self.assertTrue(ticket.apizee_first_session_time)
        self.assertFalse(ticket.apizee_solved_with_video)  # not closed yet
        ticket.stage_id = closed
        self.assertTrue(ticket.closed_date)
        self.assertTrue(ticket.apizee_solved_with_video)
        self.assertGreaterEqual(ticket.apizee_hours_to_close, 0)
        # A call after the ticket was closed did not solve it
        other = ticket.copy({"name": "Closed first"})
        other.stage_id = closed
        late = self._session(ticket=other, apizee_id="T2")
        late_start = other.closed_date + timedelta(hours=1)
        late._apply_state("inprogress", late_start)
        late._apply_state("done", late_start + timedelta(minutes=5))
        self.assertEqual(late.outcome, "completed")
        self.assertFalse(other.apizee_solved_with_video)


@tagged("post_install", "-at_install")
class TestReportRights(ApizeeCommon):
    """The report's read_group as agents of two teams, a manager, another company's
    agent: each sees the figures of the sessions of the tickets they may read."""

    def test_read_group_within_rights(self):
        team_b = self.env["helpdesk.ticket.team"].create({"name": "Team B"})
        agent_a = new_test_user(
            self.env,
            login="insight_a",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_team",
        )
        agent_b = new_test_user(
            self.env,
            login="insight_b",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_team",
        )
        self.team.user_ids = [(4, agent_a.id)]
        team_b.user_ids = [(4, agent_b.id)]
        manager = new_test_user(
            self.env,
            login="insight_manager",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager",
        )
        ticket_b = self.ticket.copy({"name": "B's", "team_id": team_b.id})
        Session = self.env["apizee.session"].sudo()
        for ticket, count in ((self.ticket, 3), (ticket_b, 2)):
            for index in range(count):
                Session.create(
                    {
                        "ticket_id": ticket.id,
                        "apizee_id": f"{ticket.id}-{index}",
                        "state": "done",
                        "call_start_time": at(index),
                        "call_end_time": at(index + 10),
                    }
                )
        expected = {
            agent_a: {self.team.id: 3},
            agent_b: {team_b.id: 2},
            manager: {self.team.id: 3, team_b.id: 2},
            self.other_agent: {},
        }
        for user, counts in expected.items():
            with self.subTest(user=user.login):
                groups = (
                    self.env["apizee.session"]
                    .with_user(user)
                    .read_group(
                        # the demo data's sessions are in other teams
                        [("team_id", "in", (self.team | team_b).ids)],
                        ["call_minutes:avg"],
                        ["team_id"],
                        orderby="team_id",
                    )
                )
                seen = {
                    group["team_id"][0]: group["team_id_count"]
                    for group in groups
                    if group["team_id"]
                }
                self.assertEqual(seen, counts)
                for group in groups:
                    if group["team_id"]:
                        self.assertEqual(group["call_minutes"], 10.0)


@tagged("post_install", "-at_install")
class TestDemoHistory(ApizeeCommon):
    def test_eight_weeks_of_every_outcome(self):
        """The demo data's sessions (generated at install, with demo data) spread
        over 8 weeks with every outcome but live; made once only."""
        Session = self.env["apizee.session"].sudo()
        demo = Session.search([("apizee_id", "=like", "demo-%")])
        if not demo:
            self.skipTest("a database without demo data")
        self.assertEqual(
            set(demo.mapped("outcome")),
            {"completed", "no_show", "declined", "expired", "failed"},
        )
        weeks = {session.create_date.isocalendar()[:2] for session in demo}
        self.assertGreaterEqual(len(weeks), 8)
        # Their tickets were closed hours after their call, not when made
        closed = demo.ticket_id.filtered("closed_date")
        self.assertTrue(closed)
        self.assertLess(max(closed.mapped("apizee_hours_to_close")), 60)
        # Ended when their story says, weeks ago for most (not "Ended just now")
        self.assertTrue(all(session.end_time for session in demo))
        completed = demo.filtered(lambda session: session.outcome == "completed")
        self.assertTrue(all(session.call_minutes > 0 for session in completed))
        Session._demo_history()
        self.assertEqual(
            Session.search_count([("apizee_id", "=like", "demo-%")]), len(demo)
        )


@tagged("post_install", "-at_install")
class TestDashboard(ApizeeCommon):
    def test_figures_per_team_in_a_constant_number_of_queries(self):
        teams = self.team | self.env["helpdesk.ticket.team"].create(
            [{"name": f"Dash {i}"} for i in range(4)]
        )
        Session = self.env["apizee.session"].sudo()
        last = teams[-1]
        ticket = self.ticket.copy({"team_id": last.id})
        Session.create(
            [
                {"ticket_id": ticket.id, "apizee_id": "D1", "state": "inprogress"},
                {"ticket_id": ticket.id, "apizee_id": "D2", "state": "invited"},
                {
                    "ticket_id": ticket.id,
                    "apizee_id": "D3",
                    "state": "expired",
                    "invitation_sent": True,
                },
            ]
        )
        Session.flush_model()

        def queries(records):
            records.invalidate_recordset()
            before = self.env.cr.sql_log_count
            records.with_user(self.agent).mapped("apizee_sessions_today")
            return self.env.cr.sql_log_count - before

        queries(teams)  # warm the caches (rules, groups)
        self.assertEqual(queries(teams[:1]), queries(teams))
        self.assertLessEqual(queries(teams), 3)  # one per figure, for all cards
        dash = last.with_user(self.agent)
        self.assertEqual(
            (
                dash.apizee_sessions_today,
                dash.apizee_in_call_now,
                dash.apizee_no_show_week,
            ),
            (3, 1, 1),
        )
        action = dash.with_context(
            apizee_figure="apizee_no_show_week"
        ).action_apizee_dashboard_sessions()
        self.assertEqual(
            self.env["apizee.session"].search(action["domain"]).mapped("apizee_id"),
            ["D3"],
        )
        with self.assertRaises(AccessError):
            last.with_user(self.portal_user).action_apizee_dashboard_sessions()


@tagged("post_install", "-at_install")
class TestPartnerSessions(ApizeeCommon):
    def test_smart_button_counts_the_customers_sessions(self):
        Session = self.env["apizee.session"].sudo()
        other = self.ticket.copy({"name": "Another of hers"})
        Session.create(
            [
                {"ticket_id": self.ticket.id, "apizee_id": "P1", "state": "done"},
                {"ticket_id": other.id, "apizee_id": "P2", "state": "open"},
            ]
        )
        partner = self.partner.with_user(self.agent)
        self.assertEqual(partner.apizee_partner_session_count, 2)
        action = partner.action_apizee_view_sessions()
        self.assertEqual(
            sorted(Session.search(action["domain"]).mapped("apizee_id")), ["P1", "P2"]
        )
        with self.assertRaises(AccessError):
            self.partner.with_user(self.internal_user).action_apizee_view_sessions()

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Insight: the facts of sessions and tickets, whatever the order Apizee tells a
session's life in, and the report's figures within each user's rights."""

import importlib.util
import itertools
import statistics
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import file_path

from ..models.helpdesk_ticket_team import FIGURE_ACTIONS
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
        self.assertEqual(ticket.apizee_video_solution, "video")
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
        self.assertEqual(other.apizee_video_solution, "other")
        self.assertFalse(self.ticket.copy().apizee_video_solution)  # open


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
        # Each opened by an agent of its team, its ticket's agent
        self.assertTrue(all(session.agent_id for session in demo))
        self.assertTrue(all(s.agent_id == s.ticket_id.user_id for s in demo))
        weeks = {session.create_date.isocalendar()[:2] for session in demo}
        self.assertGreaterEqual(len(weeks), 8)
        # Their tickets were closed hours after their call, not when made
        closed = demo.ticket_id.filtered("closed_date")
        self.assertTrue(closed)
        self.assertLess(max(closed.mapped("apizee_hours_to_close")), 60)
        # Ended when their story says, weeks ago for most (not "Ended just now")
        self.assertTrue(all(session.end_time for session in demo))
        # Tickets with Video tells a story: fewer replies and reopenings with video
        tickets = demo.ticket_id.filtered("apizee_video_solution")
        for solution in ("video", "other"):
            group = tickets.filtered(lambda t, s=solution: t.apizee_video_solution == s)
            self.assertTrue(group.filtered("apizee_reopen_rate"), solution)
        video, other = (
            tickets.filtered(lambda t, s=solution: t.apizee_video_solution == s)
            for solution in ("video", "other")
        )
        self.assertLess(
            sum(video.mapped("apizee_reopen_rate")) / len(video),
            sum(other.mapped("apizee_reopen_rate")) / len(other),
        )
        completed = demo.filtered(lambda session: session.outcome == "completed")
        self.assertTrue(all(session.call_minutes > 0 for session in completed))
        now = fields.Datetime.now()
        self.assertTrue(all(session.end_time <= now for session in demo))
        # Today's, for the dashboard's cards: on open tickets, counted there
        today = demo.filtered(
            lambda session: session.apizee_id.startswith("demo-today")
        )
        self.assertEqual(len(today), 4)
        self.assertFalse(today.ticket_id.filtered("closed_date"))
        self.assertTrue(all(s.create_date > now - timedelta(days=1) for s in today))
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if min(today.mapped("create_date")) >= midnight:  # not just after midnight
            teams = today.team_id.with_context(tz="UTC")
            self.assertGreaterEqual(sum(teams.mapped("apizee_sessions_today")), 4)
            self.assertGreaterEqual(sum(teams.mapped("apizee_no_show_week")), 1)
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

    def test_figures_with_odd_time_zones_and_teams(self):
        """A time zone Odoo does not know (context or user) counts in UTC; a team
        id 0 is no team."""
        team = self.team.with_user(self.agent)
        for tz in ("Bogus/Zone", 5, ["UTC"], ""):
            with self.subTest(tz=tz):
                team.invalidate_recordset()
                self.assertEqual(team.with_context(tz=tz).apizee_in_call_now, 0)
                team.with_context(
                    tz=tz, apizee_figure="apizee_sessions_today"
                ).action_apizee_dashboard_sessions()
        Team = self.env["helpdesk.ticket.team"].with_user(self.agent)
        for ids in ([0], [None]):
            with self.subTest(ids=ids), self.assertRaises(UserError):
                Team.browse(ids).action_apizee_dashboard_sessions()

    def test_figure_lists_survive_a_reload(self):
        """Each figure opens its own window action, whose search facets (the team
        given as active_id, the figure's filters) a reload rebuilds from the
        address; an unknown figure opens the team's sessions."""
        Team = self.env["helpdesk.ticket.team"]
        self.assertEqual(set(FIGURE_ACTIONS), set(Team._apizee_dashboard_domains()))
        search = etree.fromstring(
            self.env["apizee.session"].get_views([(False, "search")])["views"][
                "search"
            ]["arch"]
        )
        filters = {node.get("name") for node in search.iter("filter")}
        team = self.team.with_user(self.agent)
        for figure in [*FIGURE_ACTIONS, "nonsense", None]:
            with self.subTest(figure=figure):
                action = team.with_context(
                    apizee_figure=figure
                ).action_apizee_dashboard_sessions()
                self.assertEqual(
                    action["id"],
                    self.env.ref(
                        FIGURE_ACTIONS.get(
                            figure, "helpdesk_apizee.apizee_team_sessions_action"
                        )
                    ).id,
                )
                context = action["context"]
                self.assertEqual(context["active_id"], self.team.id)
                self.assertEqual(context["search_default_team_id"], self.team.id)
                defaults = {
                    key.removeprefix("search_default_")
                    for key in context
                    if key.startswith("search_default_")
                    and key != "search_default_team_id"
                }
                self.assertLessEqual(defaults, filters)
                self.assertEqual(bool(defaults), figure in FIGURE_ACTIONS)


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


# A session's life for the measures: None, no show; (wait, length) in minutes, a call
_LIVES = st.lists(
    st.one_of(st.none(), st.tuples(st.integers(0, 30), st.integers(0, 120))),
    min_size=1,
    max_size=9,
)


@tagged("post_install", "-at_install")
class TestReportMeasures(ApizeeCommon):
    """The pivots' medians and shares as PostgreSQL computes them in read_group:
    what Python's statistics say of the same sessions and tickets."""

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(lives=_LIVES)
    def test_session_measures_as_statistics_says(self, lives):
        team = self.env["helpdesk.ticket.team"].create({"name": "Measures"})
        ticket = self.ticket.copy({"team_id": team.id})
        Session = self.env["apizee.session"].sudo()
        for index, life in enumerate(lives):
            values = {"ticket_id": ticket.id, "apizee_id": f"M{team.id}-{index}"}
            if life is None:
                values.update(state="expired", invitation_sent=True)
            else:
                wait, length = life
                values.update(
                    state="done",
                    invited_time=at(0),
                    call_start_time=at(wait),
                    call_end_time=at(wait + length),
                )
            Session.create(values)
        calls = [life for life in lives if life is not None]
        expected = {
            "__count": len(lives),
            "call_minutes": statistics.median(length for _w, length in calls)
            if calls
            else False,
            "wait_minutes": statistics.median(wait for wait, _l in calls)
            if calls
            else False,
            "completed_rate": len(calls) / len(lives),
            "no_show_rate": (len(lives) - len(calls)) / len(lives),
        }
        # As the pivot asks: each measure with its field's aggregator
        [group] = Session.with_user(self.agent).read_group(
            [("team_id", "=", team.id)],
            ["call_minutes", "wait_minutes", "completed_rate", "no_show_rate"],
            ["team_id"],
            lazy=False,
        )
        for name, value in expected.items():
            self.assertAlmostEqual(group[name], value, places=6, msg=name)

    def test_hours_to_close_median_of_the_closed_tickets(self):
        stage = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        team = self.env["helpdesk.ticket.team"].create({"name": "Closing"})
        for hours in (1, 5, 30, None, None):
            ticket = self.ticket.copy({"team_id": team.id})
            if hours is not None:
                ticket.stage_id = stage
                ticket.closed_date = ticket.create_date + timedelta(hours=hours)
        [group] = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .read_group(
                [("team_id", "=", team.id)],
                ["apizee_hours_to_close"],
                ["team_id"],
                lazy=False,
            )
        )
        self.assertEqual(group["__count"], 5)
        self.assertAlmostEqual(group["apizee_hours_to_close"], 5.0, places=4)

    def test_a_median_of_another_field_is_refused(self):
        for model, spec in (
            ("apizee.session", "state:median"),
            ("apizee.session", "id:median"),
            ("apizee.session", "media_count:median"),
            ("helpdesk.ticket", "apizee_agent_reply_count:median"),
            ("helpdesk.ticket", "priority:median"),
        ):
            with self.subTest(spec=spec), self.assertRaises(ValueError):
                self.env[model].read_group([], [spec], [])

    def test_tickets_with_video_views(self):
        """Tickets with video, as a team agent opens it: a list of the report's
        figures that creates nothing, and no kanban colour among the measures."""
        action = self.env.ref("helpdesk_apizee.helpdesk_ticket_video_report_action")
        views = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_views([(view.view_id.id, view.view_mode) for view in action.view_ids])
        )["views"]
        self.assertEqual(set(views), {"pivot", "graph", "list"})
        columns = etree.fromstring(views["list"]["arch"])
        self.assertEqual(columns.get("create"), "0")
        shown = {
            field.get("name")
            for field in columns.iter("field")
            if field.get("optional") != "hide"
        }
        self.assertLessEqual(
            {
                "apizee_video_solution",
                "apizee_hours_to_close",
                "apizee_agent_reply_count",
            },
            shown,
        )
        for view_type in ("pivot", "graph"):
            color = etree.fromstring(views[view_type]["arch"]).find(
                "field[@name='color']"
            )
            self.assertEqual(color.get("invisible"), "1", view_type)


@tagged("post_install", "-at_install")
class TestTicketHistoryFacts(ApizeeCommon):
    """Tickets with Video: reopenings and agents' replies, as they happen and from
    the history of tickets that were there before the module."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.open_1, cls.open_2, cls.closed_1, cls.closed_2 = Stage.create(
            [
                {"name": "Open 1", "closed": False},
                {"name": "Open 2", "closed": False},
                {"name": "Closed 1", "closed": True},
                {"name": "Closed 2", "closed": True},
            ]
        )

    def test_reopened_when_a_closed_ticket_goes_back_to_an_open_stage(self):
        table = [
            (["open_2"], 0.0),
            (["closed_1"], 0.0),
            (["closed_1", "closed_2"], 0.0),
            (["closed_1", "open_1"], 1.0),
            (["closed_1", "open_1", "closed_2"], 1.0),
            (["closed_1", "open_1", "closed_1", "open_2"], 1.0),
        ]
        for path, expected in table:
            with self.subTest(path=path):
                ticket = self.ticket.copy({"stage_id": self.open_1.id})
                for stage in path:
                    ticket.with_user(self.agent).stage_id = getattr(self, stage)
                self.assertEqual(ticket.apizee_reopen_rate, expected)

    def test_agent_replies_counted_notes_and_customers_not(self):
        agent_ticket = self.ticket.with_user(self.agent)
        table = [
            # who, message type, subtype -> counted
            (self.agent.partner_id, "comment", "mail.mt_comment", 1),
            (self.agent.partner_id, "comment", "mail.mt_note", 0),
            (self.agent.partner_id, "email", "mail.mt_comment", 1),
            (self.agent.partner_id, "notification", "mail.mt_note", 0),
            (self.partner, "comment", "mail.mt_comment", 0),
            (self.portal_user.partner_id, "comment", "mail.mt_comment", 0),
        ]
        for author, message_type, subtype, counted in table:
            with self.subTest(author=author.name, type=message_type, subtype=subtype):
                before = self.ticket.apizee_agent_reply_count
                agent_ticket.sudo().message_post(
                    body="Hello",
                    author_id=author.id,
                    message_type=message_type,
                    subtype_xmlid=subtype,
                )
                self.assertEqual(self.ticket.apizee_agent_reply_count, before + counted)
        # As the agent themself, from the chatter
        agent_ticket.message_post(
            body="Could you show me?",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(self.ticket.apizee_agent_reply_count, 3)

    def test_history_counted_for_tickets_there_before(self):
        ticket = self.ticket.copy({"stage_id": self.open_1.id}).with_context(
            tracking_disable=False, mail_notrack=False
        )
        for stage in (self.closed_1, self.open_2):
            ticket.stage_id = stage
            self.env.flush_all()
            self.env.cr.precommit.run()  # the stage's tracking is written now
        ticket.message_post(
            body="Reply",
            author_id=self.agent.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        ticket.message_post(body="Note", message_type="comment")
        # As if the module was installed after all this happened
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET apizee_reopen_rate = 0, "
            "apizee_agent_reply_count = 0 WHERE id = %s",
            [ticket.id],
        )
        self.env.invalidate_all()
        self.env["helpdesk.ticket"]._apizee_count_history()
        self.assertEqual(ticket.apizee_reopen_rate, 1.0)
        self.assertEqual(ticket.apizee_agent_reply_count, 1)
        self.assertEqual(self.ticket.apizee_reopen_rate, 0.0)

    def test_figures_are_not_forged_over_rpc(self):
        """An agent who may write the ticket may not write its counted figures
        (the reports'); Odoo's own code (superuser) does."""
        ticket = self.ticket.with_user(self.agent)
        for field, value in (
            ("apizee_reopen_rate", 1.0),
            ("apizee_agent_reply_count", 40),
            ("apizee_panel_media_count", 9),
            ("apizee_solved_with_video", True),
            ("apizee_hours_to_close", 0.5),
            ("apizee_video_session_count", 12),
            ("apizee_appointment_count", 3),
        ):
            with self.subTest(field=field):
                before = self.ticket[field]
                with self.assertRaisesRegex(UserError, "counted by Odoo"):
                    ticket.write({field: value})
                with self.assertRaisesRegex(UserError, "counted by Odoo"):
                    ticket.create({"name": "Forged", "description": "x", field: value})
                self.assertEqual(self.ticket[field], before)
        # Other fields as before; Odoo's code as superuser
        ticket.write({"name": "Renamed"})
        self.ticket.sudo().write({"apizee_agent_reply_count": 4})
        self.assertEqual(self.ticket.apizee_agent_reply_count, 4)

    def test_defaults_do_not_forge_the_figures(self):
        """Neither a ``default_*`` key of the context nor a user's saved default
        gives a counted figure a value; counters start at 0 (not NULL)."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        self.env["ir.default"].set(
            "helpdesk.ticket",
            "apizee_agent_reply_count",
            555,
            user_id=self.agent.id,
        )
        forged = {
            "default_apizee_agent_reply_count": 777,
            "default_apizee_reopen_rate": 1.0,
            "default_apizee_panel_media_count": 555,
            "default_apizee_hours_to_close": 0.1,
            "default_apizee_video_solution": "video",
        }
        ticket = Ticket.with_context(**forged).create(
            {"name": "Defaults", "description": "x", "team_id": self.team.id}
        )
        self.assertRecordValues(
            ticket.sudo(),
            [
                {
                    "apizee_agent_reply_count": 0,
                    "apizee_reopen_rate": 0.0,
                    "apizee_panel_media_count": 0,
                    "apizee_hours_to_close": 0.0,
                    "apizee_video_solution": False,
                }
            ],
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT apizee_agent_reply_count, apizee_reopen_rate, "
            "apizee_panel_media_count FROM helpdesk_ticket WHERE id = %s",
            [ticket.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (0, 0.0, 0))
        defaults = Ticket.with_context(**forged).default_get(list(forged))
        self.assertFalse(set(defaults) & {key[8:] for key in forged})

    def test_shares_and_averages_over_every_ticket(self):
        """A ticket neither reopened nor replied to counts as 0 in the averages; a
        reopened ticket, open again, is not solved (nor in the hours to close)."""
        team = self.env["helpdesk.ticket.team"].create({"name": "Shares"})
        quiet, busy = (
            self.ticket.copy({"team_id": team.id, "stage_id": self.open_1.id})
            for _index in range(2)
        )
        busy.with_user(self.agent).stage_id = self.closed_1
        self.assertEqual(busy.apizee_video_solution, "other")
        busy.with_user(self.agent).stage_id = self.open_1
        busy.with_user(self.agent).message_post(
            body="Reply", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(busy.apizee_video_solution)
        self.assertFalse(busy.apizee_solved_with_video)
        self.assertEqual(busy.apizee_hours_to_close, 0.0)
        [group] = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .read_group(
                [("team_id", "=", team.id)],
                [
                    "apizee_reopen_rate",
                    "apizee_agent_reply_count",
                    "apizee_hours_to_close",
                ],
                ["team_id"],
                lazy=False,
            )
        )
        self.assertEqual(group["__count"], 2)
        self.assertAlmostEqual(group["apizee_reopen_rate"], 0.5)
        self.assertAlmostEqual(group["apizee_agent_reply_count"], 0.5)
        self.assertFalse(group["apizee_hours_to_close"])  # none closed now
        self.assertTrue(quiet)

    def test_update_sorts_how_sessions_started(self):
        path = file_path("helpdesk_apizee/migrations/18.0.1.5.1/post-migrate.py")
        spec = importlib.util.spec_from_file_location("helpdesk_apizee_151", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        Session = self.env["apizee.session"].sudo()
        table = [
            # values -> origin after the update
            ({"agent_id": self.agent.id, "recipients": "+33612345678"}, "agent"),
            (
                {
                    "agent_id": self.agent.id,
                    "recipients": "+33612345678",
                    "invitation_sent": True,
                },
                "agent_invite",
            ),
            ({}, "apizee"),  # made by a webhook
            ({"recipients": "a@example.com"}, "agent"),  # its agent deleted since
            ({"origin": "customer_link", "invitation_sent": True}, "customer_link"),
        ]
        sessions = [
            Session.create(
                {
                    "ticket_id": self.ticket.id,
                    "apizee_id": f"U{index}",
                    "origin": "agent",
                    **values,
                }
            )
            for index, (values, _origin) in enumerate(table)
        ]
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.1.4.0")
        self.env.invalidate_all()
        for session, (values, origin) in zip(sessions, table, strict=True):
            with self.subTest(values=values):
                self.assertEqual(session.origin, origin)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's join link over HTTP, as public: the landing page, the button, the
pages that say no, the limits."""

import json
import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .. import const
from .common import ApizeeStandInCommon
from .fixtures import hours_values


class JoinCommon(ApizeeStandInCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hours = cls.env["resource.calendar"].create(
            hours_values("Every day, all day", "Europe/Paris")
        )
        cls.team.write(
            {
                "apizee_self_service": True,
                "apizee_resource_calendar_id": cls.hours.id,
                "user_ids": [(4, cls.agent.id)],
            }
        )

    def _path(self, ticket=None):
        return (ticket or self.ticket).sudo()._apizee_join_path()

    def _csrf(self, path):
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, page.text[:300])
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _press(self, ticket=None, path=None):
        path = path or self._path(ticket)
        return self.url_open(
            path,
            data={"csrf_token": self._csrf(path)},
            allow_redirects=False,
        )


@tagged("post_install", "-at_install")
class TestJoinLink(HttpCase, JoinCommon):
    def test_page_and_head_create_nothing(self):
        """Link scanners (GET, HEAD) start no call: only the button does."""
        page = self.url_open(self._path())
        self.assertEqual(page.status_code, 200)
        # The link is a secret: not sent on as referrer, cached or indexed
        self.assertEqual(page.headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(page.headers["Cache-Control"], "no-store")
        self.assertIn("noindex", page.headers["X-Robots-Tag"])
        self.assertIn("Start the video call", page.text)
        self.assertIn(self.ticket.number, page.text)
        head = self.opener.head(self.base_url() + self._path(), timeout=10)
        self.assertEqual(head.status_code, 200)
        self.assertFalse(self._sessions_created())
        self.assertFalse(self.ticket.apizee_session_ids)

    def test_press_creates_a_session_and_redirects_to_apizee(self):
        notes = len(self.ticket.message_ids)
        answer = self._press()
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        session = self.ticket.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertEqual(answer.headers["Location"], session.guest_url)
        self.assertTrue(session.guest_url.startswith(self.standin.url + "/guest/"))
        self.assertRecordValues(
            session,
            [{"origin": "customer_link", "agent_id": self.agent.id, "live": True}],
        )
        created = self._sessions_created()
        self.assertEqual(len(created), 1)
        # The technical account, for the ticket's agent, with the ticket's number
        self.assertEqual(created[0]["user"], self.TECH_USER)
        self.assertEqual(created[0]["query"]["agent"], "camille@example.com")
        self.assertEqual(created[0]["query"]["reference"], self.ticket.number)
        self.assertNotIn("invite", created[0]["query"])
        # Who opened it and when, in the chatter: the session, then the waiting
        self.assertEqual(len(self.ticket.message_ids), notes + 2)
        self.assertIn("is waiting in the call", self.ticket.message_ids[0].body)
        self.assertEqual(self.ticket.message_ids[0].author_id, self.partner)
        # The agent is told at once, with the room's link
        notices = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", const.WAITING_NOTIFICATION)])
        )
        self.assertEqual(len(notices), 1)
        self.assertEqual(
            json.loads(notices.channel)[1:], ["res.partner", self.agent.partner_id.id]
        )
        payload = json.loads(notices.message)["payload"]
        self.assertEqual(payload["url"], session.agent_url)
        self.assertEqual(
            (payload["res_model"], payload["res_id"]),
            ("helpdesk.ticket", self.ticket.id),
        )
        self.assertIn("Lucie Bernard is waiting", payload["message"])

    def test_second_press_reuses_the_session_and_notes_once(self):
        first = self._press()
        notes = len(self.ticket.message_ids)
        second = self._press()
        self.assertEqual(second.headers["Location"], first.headers["Location"])
        self.assertEqual(len(self._sessions_created()), 1)
        self.assertEqual(len(self.ticket.message_ids), notes)

    @mute_logger("odoo.http")
    def test_wrong_or_stale_tokens_are_not_found(self):
        other = self.ticket.copy({"name": "Other"})
        good = self._path()
        token = self.ticket.sudo().apizee_join_token
        self.ticket.with_user(self.agent).action_apizee_reset_join_link()
        self.assertNotEqual(self.ticket.sudo().apizee_join_token, token)
        bad_paths = [
            good,  # stale: reset since
            f"{const.JOIN_PATH}/{self.ticket.id}/{other.sudo().apizee_join_token}",
            f"{const.JOIN_PATH}/{self.ticket.id}/x",
            f"{const.JOIN_PATH}/{self.ticket.id}/{token[:-1]}",
            f"{const.JOIN_PATH}/{self.ticket.id}/{token}%C3%A9",
            f"{const.JOIN_PATH}/999999/{token}",
            f"{const.JOIN_PATH}/0/{token}",
            f"{const.JOIN_PATH}/helpdesk-ticket/{self.ticket.id}/{token}",
            f"{const.JOIN_PATH}/res-partner/{self.partner.id}/{token}",
            f"{const.JOIN_PATH}/{self.ticket.id}/",
        ]
        # A valid form token (of another ticket's page): the route itself answers
        csrf = self._csrf(self._path(other))
        for path in bad_paths:
            for method in ("GET", "POST"):
                with self.subTest(path=path, method=method):
                    answer = self.opener.request(
                        method,
                        self.base_url() + path,
                        data={"csrf_token": csrf} if method == "POST" else None,
                        timeout=10,
                    )
                    self.assertEqual(answer.status_code, 404)
                    self.assertNotIn(self.ticket.number, answer.text)
                    self.assertNotIn("Boiler", answer.text)
        self.assertFalse(self._sessions_created())
        self.assertEqual(self.url_open(self._path()).status_code, 200)

    def test_closed_ticket_or_team_without_self_service(self):
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        cases = [
            ("disabled", lambda: self.team.write({"apizee_self_service": False})),
            ("closed", lambda: self.ticket.write({"stage_id": closed.id})),
        ]
        for problem, make in cases:
            with self.subTest(problem=problem):
                make()
                page = self.url_open(self._path())
                self.assertEqual(page.status_code, 200)
                self.assertIn("Video calls are not available here", page.text)
                self.assertIn(self.agent.name, page.text)
                self.assertNotIn('name="csrf_token"', page.text)
                # The button of an older page does not start one either
                answer = self.url_open(
                    self._path(),
                    data={"csrf_token": self.opener.cookies.get("session_id") or ""},
                    allow_redirects=False,
                )
                self.assertIn(answer.status_code, (200, 400))
        self.assertFalse(self._sessions_created())

    def test_one_session_a_minute_per_ticket(self):
        self._press()
        self.ticket.apizee_session_ids.sudo().state = "done"  # ended at once
        answer = self._press()
        self.assertEqual(answer.status_code, 429)
        self.assertIn("try again in", answer.text)
        self.assertLessEqual(
            int(answer.headers["Retry-After"]), const.JOIN_CREATE_EVERY
        )
        self.assertEqual(len(self._sessions_created()), 1)
        # A minute later
        self.env.cr.execute(
            "UPDATE apizee_session SET create_date = create_date - interval '61s'"
            " WHERE id = %s",
            [self.ticket.apizee_session_ids.id],
        )
        self.ticket.apizee_session_ids.invalidate_recordset(["create_date"])
        self.assertEqual(self._press().status_code, 303)
        self.assertEqual(len(self._sessions_created()), 2)

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_token")
    def test_apizee_limit_says_when_to_try_again(self):
        self.standin.fail_next("429")
        answer = self._press()
        self.assertEqual(answer.status_code, 429)
        self.assertIn("try again in", answer.text)
        self.assertFalse(self.ticket.apizee_session_ids)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.join")
    def test_no_guest_link_or_a_foreign_one(self):
        """A hostile or odd Apizee answer: the customer is sent nowhere else."""
        self.env["apizee.session"].sudo().create(
            {
                "ticket_id": self.ticket.id,
                "apizee_id": "666",
                "state": "open",
                "guest_url": "https://evil.example.com/guest/666",
                "agent_url": "https://evil.example.com/agent/666",
            }
        )
        answer = self._press()
        self.assertEqual(answer.status_code, 503)
        self.assertNotIn("evil.example.com", answer.headers.get("Location", ""))
        self.assertIn("could not be started", answer.text)
        self.assertNotIn("Traceback", answer.text)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.join")
    def test_apizee_gives_no_guest_link(self):
        """Apizee answers without a link for the customer: a page that says so, and
        a second press does not create another session."""
        self.standin.url_style = "none"
        self.addCleanup(setattr, self.standin, "url_style", "agentUrl")
        for _press in range(2):
            answer = self._press()
            self.assertEqual(answer.status_code, 503)
            # A plain sentence and the contact options, not the agents' reason
            self.assertIn("could not be started just now", answer.text)
            self.assertNotIn("Apizee gave no link", answer.text)
            self.assertIn(self.agent.name, answer.text)
        self.assertEqual(len(self._sessions_created()), 1)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.join")
    def test_missing_settings_are_not_told_to_the_customer(self):
        self.partner.write({"mobile": False, "phone": False, "email": False})
        self.ticket.partner_email = False
        answer = self._press()
        self.assertEqual(answer.status_code, 503)
        self.assertNotIn("Settings", answer.text)
        self.assertNotIn("mobile phone or email", answer.text)
        self.assertFalse(self._sessions_created())

    def test_a_given_token_is_not_kept(self):
        """An agent cannot choose a ticket's token (a weak or known one)."""
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .create(
                {
                    "name": "Chosen",
                    "description": "x",
                    "team_id": self.team.id,
                    "apizee_join_token": "chosen-token-abcdefghijklmnopqrstuv",
                }
            )
        )
        self.assertNotEqual(
            ticket.sudo().apizee_join_token, "chosen-token-abcdefghijklmnopqrstuv"
        )
        self.assertEqual(len(ticket.sudo().apizee_join_token), 32)

    def test_join_url_for_the_tickets_agents_only(self):
        url = self.ticket.with_user(self.agent).get_apizee_join_url()
        self.assertEqual(url, self.ticket.sudo()._apizee_join_url())
        self.assertTrue(url.endswith(self._path()))
        for user in (self.portal_user, self.internal_user, self.other_agent):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).get_apizee_join_url()
        # The token itself is for administrators only
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.agent).read(["apizee_join_token"])

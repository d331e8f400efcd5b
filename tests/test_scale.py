# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Apizee's limit is 10 requests a minute per Apizee user ("Rate Limits"): calls are
made as whom they are for, background work leaves the last slots to clicks, a click
waits a few seconds for a slot, and no call is made where none is needed."""

import json
import time
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models import res_company
from ..models.apizee_client import ApizeeError
from .common import ApizeeStandInCommon
from .test_webhook import WebhookMixin, delivery

AGENT_PASSWORD = "camille-Secret-7"
COMPANY_LOGGER = "odoo.addons.helpdesk_apizee.models.res_company"
# Apizee's documented limit ("Rate Limits"), and our share kept for clicks: not read
# from const
LIMIT = 10
KEPT_FOR_CLICKS = 3


@tagged("post_install", "-at_install")
class TestCallsAsWhomTheyAreFor(WebhookMixin, HttpCase, ApizeeStandInCommon):
    """An ``HttpCase``: the token rows' own transactions see the test's users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin.add_user(cls.agent.apizee_username, AGENT_PASSWORD)
        cls.env["apizee.agent.credential"].sudo()._set_password(
            cls.agent, AGENT_PASSWORD
        )
        cls.Event = cls.env["apizee.webhook.event"].sudo()

    def setUp(self):
        super().setUp()
        self.standin.add_user(self.agent.apizee_username, AGENT_PASSWORD)
        res_company._fallbacks_logged.clear()

    def _open(self, user=None, ticket=None):
        ticket = (ticket or self.ticket).with_user(user or self.agent)
        return ticket.action_apizee_open_room()

    def _created_by(self):
        return [r["user"] for r in self._sessions_created()]

    def _fill_window(self, username, ages, cache_token=True):
        """The ledger of ``username``'s technical row: calls made ``ages`` seconds
        ago (with a cached token, so that a call needs one slot)."""
        if cache_token:
            self.company._apizee_call("GET", "/api/v2/users/me")
        now = time.time()
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE apizee_token SET recent_calls = %s "
                "WHERE server_url = %s AND username = %s AND owner_key = 'technical'",
                [json.dumps([now - age for age in ages]), self.standin.url, username],
            )

    def test_an_agent_opens_rooms_with_their_own_account(self):
        self._open()
        self.assertEqual(self._created_by(), ["camille@example.com"])
        # the technical account spent nothing
        self.assertFalse(
            [
                r
                for r in self._token_requests()
                if r["query"]["username"] != "camille@example.com"
            ]
        )

    def test_refused_agent_falls_back_to_the_technical_account_said_once(self):
        self.standin.no_session_rights.add("camille@example.com")
        with self.assertLogs(COMPANY_LOGGER, "WARNING") as logs:
            action = self._open()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(self._created_by(), ["camille@example.com", self.TECH_USER])
        self.assertIn(f"Odoo user {self.agent.id}", logs.output[0])
        # said once: the next refusal goes to the technical account silently
        other = self.ticket.copy({"partner_id": self.partner.id})
        with patch.object(res_company._logger, "warning") as warning:
            self._open(ticket=other)
        warning.assert_not_called()
        self.assertEqual(self._created_by()[-1], self.TECH_USER)

    def test_technical_account_when_the_company_says_so(self):
        self.company.apizee_technical_calls_only = True
        self._open()
        self.assertEqual(self._created_by(), [self.TECH_USER])

    def test_technical_account_for_agents_without_their_own(self):
        other = new_test_user(
            self.env,
            login="apizee_scale_no_account",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        self.ticket.user_id = other
        self._open(user=other)
        self.assertEqual(self._created_by(), [self.TECH_USER])

    def test_refresh_by_the_opening_agent_spends_their_own_window(self):
        self._open()
        session = self.ticket.apizee_session_ids
        session.sudo().last_refresh = "2020-01-01 00:00:00"
        session.with_user(self.agent).action_apizee_refresh()
        (get,) = self.standin.requests_to(f"/api/v3/tickets/{session.apizee_id}", "GET")
        self.assertEqual(get["user"], "camille@example.com")

    def test_background_work_leaves_the_last_slots_to_clicks(self):
        self._fill_window(self.TECH_USER, [5] * (LIMIT - KEPT_FOR_CLICKS - 1))
        background = self.company.with_context(apizee_background=True)
        background._apizee_call("GET", "/api/v2/users/me")  # the 7th of 10: allowed
        with self.assertRaises(ApizeeError) as caught:
            background._apizee_call("GET", "/api/v2/users/me")
        self.assertEqual(caught.exception.kind, "rate_limited")
        # a click still gets the three slots kept for it
        for _i in range(KEPT_FOR_CLICKS):
            self.company._apizee_call("GET", "/api/v2/users/me")
        with self.assertRaises(ApizeeError):
            self.company._apizee_call("GET", "/api/v2/users/me")

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_webhook_event")
    def test_a_webhook_media_waits_for_a_slot_without_counting(self):
        self._session()
        media = self.standin.add_media(
            9301, b"\x89PNG\r\n\x1a\n" + b"x" * 20, "image/png"
        )
        self._fill_window(self.TECH_USER, [5] * (LIMIT - KEPT_FOR_CLICKS))
        event = self._deliver(
            delivery("media", id=9301, ticketId=82070, url=media["url"])
        )
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.attempts, 0)
        self.assertIn("at most 10 requests per minute", event.result)

    def test_a_click_waits_a_few_seconds_for_a_slot(self):
        """The window is full, its oldest call leaves it in 4 s: the click waits,
        then goes on. Full for 50 s more: refused at once, with the wait."""
        self.company.apizee_technical_calls_only = True
        self._fill_window(self.TECH_USER, [55] + [1] * (LIMIT - 1))
        slept = []

        def sleep(seconds):
            slept.append(seconds)
            # time went by: the oldest call left the window
            self._fill_window(self.TECH_USER, [1] * (LIMIT - 1), cache_token=False)

        with patch.object(res_company.time, "sleep", sleep):
            self._open()
        self.assertEqual(slept, [5])
        self.assertEqual(len(self._sessions_created()), 1)
        self._fill_window(self.TECH_USER, [9] + [1] * (LIMIT - 1), cache_token=False)
        other = self.ticket.copy({"partner_id": self.partner.id})
        with patch.object(res_company.time, "sleep", sleep):
            with self.assertRaises(ApizeeError) as caught:
                self._open(ticket=other)
        self.assertEqual(slept, [5])  # no second wait
        self.assertIn("Try again in 51 seconds", str(caught.exception))

    def test_no_read_back_while_webhooks_are_fresh(self):
        self._open()
        session = self.ticket.apizee_session_ids
        reads = f"/api/v3/tickets/{session.apizee_id}"
        session.sudo().last_refresh = "2020-01-01 00:00:00"
        # a delivery of the company just now: what Odoo stores is up to date
        self._receive(delivery("conversation", id=1))
        self._open()
        self.assertFalse(self.standin.requests_to(reads, "GET"))
        self.assertEqual(len(self._sessions_created()), 1)
        # the last delivery is old: the live session is read back before reuse
        self.env["apizee.webhook.event"].flush_model()
        self.env.cr.execute(
            "UPDATE apizee_webhook_event SET create_date = now() - interval '1 hour'"
        )
        self._open()
        self.assertEqual(len(self.standin.requests_to(reads, "GET")), 1)


@tagged("post_install", "-at_install")
class TestTechnicalAccountPool(HttpCase, ApizeeStandInCommon):
    """Work without an agent is spread over the company's technical accounts, each
    within its own window; Refresh of many sessions reads a few now, the rest in
    the background."""

    POOL = [("pool-2@example.com", "pool-Secret-2"), ("pool-3@example.com", "p-3")]

    def setUp(self):
        super().setUp()
        Pool = self.env["apizee.technical.account"]
        for username, password in self.POOL:
            self.standin.add_user(username, password)
            Pool.create({"username": username, "password_input": password})

    def _users_of(self, requests):
        users = [r["user"] or r["query"].get("username") for r in requests]
        return {user: users.count(user) for user in users}

    def test_background_work_spreads_over_the_pool_within_each_window(self):
        background = self.company.with_context(apizee_background=True)
        served = 0
        while served < 100:
            try:
                background._apizee_call("GET", "/api/v2/users/me")
            except ApizeeError as error:
                self.assertEqual(error.kind, "rate_limited")
                break
            served += 1
        # each account: its token, then 6 calls, leaving 3 slots to clicks
        share = LIMIT - KEPT_FOR_CLICKS
        self.assertEqual(served, 3 * (share - 1))
        self.assertEqual(
            self._users_of(self.standin.requests),
            {
                self.TECH_USER: share,
                "pool-2@example.com": share,
                "pool-3@example.com": share,
            },
        )
        # the slots kept for clicks are still there, in every account
        for _i in range(3 * KEPT_FOR_CLICKS):
            self.company._apizee_call("GET", "/api/v2/users/me")
        self.assertEqual(set(self._users_of(self.standin.requests).values()), {LIMIT})

    def test_the_account_with_most_room_answers_first(self):
        now = time.time()
        with self.registry.cursor() as cr:
            for username, calls in ((self.TECH_USER, 8), ("pool-2@example.com", 2)):
                cr.execute(
                    "INSERT INTO apizee_token (server_url, username, owner_key, "
                    "recent_calls) VALUES (%s, %s, 'technical', %s)",
                    [self.standin.url, username, json.dumps([now - 1] * calls)],
                )
        accounts = self.company._apizee_technical_accounts()
        self.assertEqual(
            [account[1] for account in accounts],
            ["pool-3@example.com", "pool-2@example.com", self.TECH_USER],
        )

    def test_archived_or_passwordless_accounts_are_not_used(self):
        Pool = self.env["apizee.technical.account"]
        Pool.search([("username", "=", "pool-2@example.com")]).active = False
        Pool.create({"username": "no-password@example.com"})
        self.assertEqual(
            [account[1] for account in self.company._apizee_technical_accounts()],
            [self.TECH_USER, "pool-3@example.com"],
        )

    def test_pool_passwords_are_for_no_one_to_read(self):
        account = self.env["apizee.technical.account"].search([], limit=1)
        account.invalidate_recordset()  # as a new request reads it
        self.assertTrue(account.password_set)
        self.assertFalse(account.password_input)
        # administrators included: they set it, never read it
        admin = account.with_user(self.env.ref("base.user_admin"))
        self.assertNotIn("password", admin.fields_get())
        self.assertTrue(admin.read(["username", "password_set"]))
        with self.assertRaises(AccessError):
            admin.read(["password"])
        agent = self.env["apizee.technical.account"].with_user(self.agent)
        with self.assertRaises(AccessError):
            agent.search([])
        with self.assertRaises(AccessError):
            account.with_user(self.agent).read(["username"])

    def test_a_new_password_drops_the_cached_token(self):
        account = self.env["apizee.technical.account"].search(
            [("username", "=", "pool-2@example.com")]
        )
        self.env["apizee.token"].sudo()._call(
            self.standin.url, *self.POOL[0], "GET", "/api/v2/users/me"
        )
        account.password_input = "pool-Secret-new"
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT access_token FROM apizee_token WHERE username = %s",
            ["pool-2@example.com"],
        )
        self.assertEqual(self.env.cr.fetchall(), [(None,)])

    def _live_sessions(self, count):
        sessions = self.env["apizee.session"]
        for _index in range(count):
            ticket = self.ticket.copy({"partner_id": self.partner.id})
            apizee_id = str(83000 + len(self.standin.tickets))
            self.standin.tickets[apizee_id] = {
                "id": int(apizee_id),
                "state": "inprogress",
            }
            sessions |= sessions.sudo().create(
                {
                    "ticket_id": ticket.id,
                    "apizee_id": apizee_id,
                    "state": "invited",
                    "agent_id": self.agent.id,
                }
            )
        return sessions

    def test_refresh_of_many_sessions_reads_a_few_now_the_rest_in_background(self):
        sessions = self._live_sessions(8)
        ended = self._live_sessions(1)
        ended.sudo().state = "done"
        mine = (sessions | ended).with_user(self.agent)
        action = mine.action_apizee_refresh()
        gets = self.standin.requests_to("/api/v3/tickets/", "GET")
        self.assertEqual(len(gets), 3)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("5 sessions", action["params"]["message"])
        pending = sessions.filtered("refresh_pending")
        self.assertEqual(len(pending), 5)
        self.assertFalse(ended.refresh_pending)  # ended: not read at all
        self.assertEqual(sessions[:3].mapped("state"), ["inprogress"] * 3)
        cron = self.env.ref("helpdesk_apizee.ir_cron_apizee_session_refresh")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        # the background run reads the rest, leaving the clicks' slots
        self.env["apizee.session"]._cron_refresh()
        self.assertFalse(sessions.filtered("refresh_pending"))
        self.assertEqual(set(sessions.mapped("state")), {"inprogress"})
        self.assertEqual(len(self.standin.requests_to("/api/v3/tickets/", "GET")), 8)

    def test_background_refresh_waits_for_a_slot_and_is_woken_again(self):
        sessions = self._live_sessions(2)
        sessions.sudo().refresh_pending = True
        now = time.time()
        with self.registry.cursor() as cr:
            for username in [self.TECH_USER] + [u for u, _p in self.POOL]:
                cr.execute(
                    "INSERT INTO apizee_token (server_url, username, owner_key, "
                    "recent_calls) VALUES (%s, %s, 'technical', %s)",
                    [
                        self.standin.url,
                        username,
                        json.dumps([now - 20] * (LIMIT - KEPT_FOR_CLICKS)),
                    ],
                )
        cron = self.env.ref("helpdesk_apizee.ir_cron_apizee_session_refresh")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertEqual(self.env["apizee.session"]._cron_refresh(), 0)
        self.assertFalse(self.standin.requests)
        self.assertEqual(len(sessions.filtered("refresh_pending")), 2)  # not dropped
        woken = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("id", "not in", triggers.ids)]
        )
        self.assertEqual(len(woken), 1)
        self.assertGreater(woken.call_at, fields.Datetime.now())

    def test_refresh_is_for_agents_only(self):
        sessions = self._live_sessions(2)
        for user in (self.portal_user, self.internal_user, self.other_agent):
            with self.assertRaises(AccessError):
                sessions.with_user(user).action_apizee_refresh()
        self.assertFalse(sessions.filtered("refresh_pending"))

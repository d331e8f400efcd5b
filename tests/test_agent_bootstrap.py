# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .apizee_standin import ApizeeStandIn
from .common import StandInRequestsMixin

ROUTE = "/helpdesk_apizee/agent/bootstrap"


@tagged("post_install", "-at_install")
class TestAgentBootstrap(StandInRequestsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin = ApizeeStandIn().start()
        cls.addClassCleanup(cls.standin.stop)
        cls.standin.add_user("camille@example.com", "camille-Secret")
        cls.env.company.apizee_server_url = cls.standin.url
        cls.agent = new_test_user(
            cls.env,
            login="popin_agent",
            password="popin_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Popin Agent",
        )
        cls.agent.write(
            {
                "apizee_username": "camille@example.com",
                "apizee_password_input": "camille-Secret",
                "apizee_popin": True,
            }
        )
        cls.portal = new_test_user(
            cls.env,
            login="popin_portal",
            password="popin_portal",
            groups="base.group_portal",
        )
        cls.internal = new_test_user(
            cls.env, login="popin_internal", password="popin_internal"
        )

    def setUp(self):
        super().setUp()
        self.standin.reset()
        self.env.cr.execute("DELETE FROM apizee_token")

    def _bootstrap(self, login, route=ROUTE):
        if login:
            self.authenticate(login, login)
        return self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}),
            headers={"Content-Type": "application/json"},
        ).json()

    def test_bootstrap_gives_what_load_agent_needs(self):
        answer = self._bootstrap("popin_agent")["result"]
        self.assertEqual(set(answer), {"ok", "serverDomainRoot", "apiKey", "userInfos"})
        self.assertTrue(answer["ok"])
        self.assertEqual(answer["serverDomainRoot"], self.standin.url + "/")
        self.assertEqual(answer["apiKey"], "standin-api-key")
        self.assertEqual(
            set(answer["userInfos"]), {"userId", "nickname", "token", "photoUrl"}
        )
        self.assertEqual(answer["userInfos"]["nickname"], "camille")
        # nothing secret: neither the password nor the bearer token
        text = json.dumps(answer)
        self.assertNotIn("camille-Secret", text)
        for bearer in self.standin.tokens:
            self.assertNotIn(bearer, text)

    def test_bootstrap_cached_with_the_token(self):
        first = self._bootstrap("popin_agent")["result"]
        second = self._bootstrap("popin_agent")["result"]
        self.assertEqual(first, second)
        self.assertEqual(len(self.standin.requests_to("/api/v3/token")), 1)
        self.assertEqual(len(self.standin.requests_to("/api/v2/users/me")), 1)
        self.assertEqual(
            self.standin.requests_to("/api/v3/token")[0]["query"]["username"],
            "camille@example.com",
        )

    def _queries(self, route):
        """The queries of one request to ``route`` in the current session."""
        before = self.cr.sql_log_count
        self._bootstrap(None, route)
        return self.cr.sql_log_count - before

    def test_bootstrap_warm_queries(self):
        """Warm, the pop-in's bootstrap costs two queries more than a trivial JSON
        route: the agent's account, then the cached token and profile (no lock, no
        second connection)."""
        self._bootstrap("popin_agent")
        trivial = self._queries("/web/session/check")
        self.assertEqual(self._queries(ROUTE) - trivial, 2)
        self.assertEqual(len(self.standin.requests_to("/api/v3/token")), 1)

    def test_account_of_the_context_company(self):
        other = self.env["res.company"].create(
            {"name": "Other", "apizee_server_url": "https://other.apizee.com"}
        )
        self.agent.company_ids = [(4, other.id)]
        agent = self.agent.with_user(self.agent)
        self.assertEqual(
            agent._apizee_get_agent_account(),
            (self.standin.url, "camille@example.com", "camille-Secret"),
        )
        agent = agent.with_context(allowed_company_ids=[other.id, agent.company_id.id])
        self.assertEqual(
            agent._apizee_get_agent_account()[0], "https://other.apizee.com"
        )

    def test_missing_account_clear_error(self):
        self.agent.apizee_username = False
        answer = self._bootstrap("popin_agent")["result"]
        self.assertEqual(set(answer), {"ok", "error"})
        self.assertFalse(answer["ok"])
        self.assertIn("Preferences", answer["error"])
        self.assertFalse(self.standin.requests)

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client")
    def test_refused_account_clear_error(self):
        self.env["apizee.agent.credential"].sudo()._set_password(self.agent, "wrong")
        answer = self._bootstrap("popin_agent")["result"]
        self.assertFalse(answer["ok"])
        self.assertIn("refused your Apizee account", answer["error"])
        self.assertIn("Preferences", answer["error"])
        self.assertNotIn("wrong", answer["error"])

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client")
    def test_changed_password_checked_at_once(self):
        """A password saved in Preferences drops the cached token: the next
        bootstrap (the page reload that Preferences' save asks for) signs in with
        it, and a wrong one says so at once, not "ready" on the old token."""
        self.assertTrue(self._bootstrap("popin_agent")["result"]["ok"])
        for password, ok in (("wrong", False), ("camille-Secret", True)):
            with self.subTest(password=password):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw/res.users/web_save",
                    {
                        "model": "res.users",
                        "method": "web_save",
                        "args": [[self.agent.id], {"apizee_password_input": password}],
                        "kwargs": {"specification": {"apizee_password_set": {}}},
                    },
                )
                action = self.make_jsonrpc_request(
                    "/web/dataset/call_kw/res.users/preference_save",
                    {
                        "model": "res.users",
                        "method": "preference_save",
                        "args": [[self.agent.id]],
                        "kwargs": {},
                    },
                )
                self.assertEqual(action["tag"], "reload_context")
                answer = self._bootstrap(None)["result"]
                self.assertIs(answer["ok"], ok)
                if not ok:
                    self.assertIn("refused your Apizee account", answer["error"])

    @mute_logger("odoo.http")
    def test_access_matrix(self):
        for login in ("popin_portal", "popin_internal"):
            with self.subTest(login=login):
                error = self._bootstrap(login)["error"]
                self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        self.logout()
        error = self._bootstrap(None)["error"]
        self.assertEqual(error["code"], 100)  # session expired: public user
        self.assertFalse(self.standin.requests)

    def test_password_write_only(self):
        agent = self.agent.with_user(self.agent)
        agent.write({"apizee_password_input": "new-Secret"})
        agent.invalidate_recordset()
        self.assertFalse(agent.apizee_password_input)
        self.assertTrue(agent.apizee_password_set)
        for user in (self.agent, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["apizee.agent.credential"].with_user(user).search([]).read(
                    ["password"]
                )
        credential = self.env["apizee.agent.credential"].search(
            [("user_id", "=", self.agent.id)]
        )
        self.assertEqual(credential.password, "new-Secret")

    def test_session_info_flag_only(self):
        info = self._bootstrap("popin_agent", "/web/session/get_session_info")["result"]
        self.assertEqual(info["apizee_popin"], {"enabled": True})
        self.assertNotIn("camille-Secret", json.dumps(info))
        self.agent.apizee_popin = False
        info = self._bootstrap("popin_agent", "/web/session/get_session_info")["result"]
        self.assertNotIn("apizee_popin", info)

    def test_popin_tour(self):
        """The pop-in starts, the systray shows it, and its panel shows the agent's
        live call with a link to its ticket."""
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Popin ticket",
                "description": "<p>x</p>",
                "user_id": self.agent.id,
            }
        )
        self.env["apizee.session"].create(
            {
                "ticket_id": ticket.id,
                "apizee_id": "P-1",
                "state": "invited",
                "agent_id": self.agent.id,
            }
        )
        self.start_tour("/odoo", "helpdesk_apizee_popin_tour", login="popin_agent")
        self.assertEqual(len(self.standin.requests_to("/agent/loaderAgent.js")), 1)

    def test_no_popin_no_script(self):
        self.agent.apizee_popin = False
        self.start_tour("/odoo", "helpdesk_apizee_no_popin_tour", login="popin_agent")
        self.assertFalse(self.standin.requests_to("/agent/loaderAgent.js"))
        self.assertFalse(self.standin.requests_to("/api/v3/token"))

    @mute_logger("odoo.http")
    def test_panel_event_route(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Panel", "description": "<p>x</p>", "user_id": self.agent.id}
        )
        self.authenticate("popin_agent", "popin_agent")
        ok = self.make_jsonrpc_request(
            "/helpdesk_apizee/panel/event", {"ticket_id": ticket.id, "kind": "joined"}
        )
        self.assertEqual(ok, {"ok": True})
        with self.assertLogs("odoo.addons.helpdesk_apizee.controllers.main", "WARNING"):
            dropped = self.make_jsonrpc_request(
                "/helpdesk_apizee/panel/event",
                {"ticket_id": ticket.id, "kind": "snapshot", "data_url": "data:x"},
            )
        self.assertFalse(dropped["ok"])
        # Users who may not write the ticket get the answer of a missing ticket
        notes = len(ticket.message_ids)
        self.authenticate("popin_portal", "popin_portal")
        refused = self.make_jsonrpc_request(
            "/helpdesk_apizee/panel/event", {"ticket_id": ticket.id, "kind": "left"}
        )
        self.assertEqual(
            refused,
            {"ok": False, "error": "This ticket does not exist or you may not use it."},
        )
        ticket.invalidate_recordset()
        self.assertEqual(len(ticket.message_ids), notes)

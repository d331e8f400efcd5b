# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from unittest.mock import patch

from lxml import etree

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, tagged

from .. import const
from ..models.apizee_client import ApizeeError
from .common import ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestSettingsAccount(ApizeeStandInCommon):
    def test_test_connection_succeeds(self):
        with Form(self.env["res.config.settings"]) as form:
            form.apizee_api_username = self.TECH_USER
            form.apizee_api_password_input = self.TECH_PASSWORD
        action = form.record.action_apizee_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("tech", action["params"]["message"])
        self.assertNotIn(self.TECH_PASSWORD, str(action))

    def test_test_connection_reports_refusal(self):
        settings = self.env["res.config.settings"].create(
            {
                "apizee_api_username": self.TECH_USER,
                "apizee_api_password_input": "wrong",
            }
        )
        with self.assertRaisesRegex(ApizeeError, "refused the credentials"):
            settings.action_apizee_test_connection()

    def test_password_is_a_password_field_for_admins_only(self):
        view = self.env.ref("helpdesk_apizee.res_config_settings_view_form")
        nodes = etree.fromstring(view.arch_db).xpath(
            "//field[@name='apizee_api_password_input']"
        )
        self.assertEqual(len(nodes), 1)
        self.assertEqual(nodes[0].get("password"), "True")
        # and so in the settings form as the web client gets it
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        nodes = etree.fromstring(arch).xpath(
            "//field[@name='apizee_api_password_input']"
        )
        self.assertEqual(len(nodes), 1)
        self.assertEqual(nodes[0].get("password"), "True")
        fields_ = self.env["res.company"]._fields
        # stored on the company: the user name for administrators, the password
        # for superuser code only ("." is Odoo's "always forbidden")
        self.assertEqual(fields_["apizee_api_username"].groups, "base.group_system")
        self.assertEqual(fields_["apizee_api_password"].groups, ".")
        settings = self.env["res.config.settings"]._fields
        self.assertFalse(settings["apizee_api_password_input"].store)

    def test_neutralize_blanks_credentials(self):
        self.company._apizee_call("GET", "/api/v2/users/me")
        self.env["apizee.technical.account"].create(
            {"username": "pool@example.com", "password_input": "pool-secret"}
        )
        for query in get_neutralization_queries(["helpdesk_apizee"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.company.apizee_api_username)
        self.assertFalse(self.company.apizee_api_password)
        self.env.cr.execute("SELECT count(*) FROM apizee_token")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT count(*) FROM apizee_technical_account")
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_preferences_apizee_username(self):
        # agents set their own user name only when Settings allow it (test_security)
        self.env["res.config.settings"].create(
            {"apizee_agents_set_username": True}
        ).execute()
        self.agent.with_user(self.agent).write({"apizee_username": "me@example.com"})
        self.assertEqual(self.agent.apizee_username, "me@example.com")

    def test_test_connection_ignores_the_token_cache(self):
        self.company._apizee_call("GET", "/api/v2/users/me")  # a token in cache
        settings = self.env["res.config.settings"].create(
            {"apizee_api_password_input": "wrong"}
        )
        with self.assertRaisesRegex(ApizeeError, "refused the credentials"):
            settings.action_apizee_test_connection()

    def test_password_write_only_in_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.apizee_api_password_input)
        self.assertTrue(settings.apizee_api_password_set)
        settings.write({"apizee_api_password_input": "replaced-Secret"})
        settings.execute()
        self.assertEqual(self.company.apizee_api_password, "replaced-Secret")
        # an empty input keeps the stored password
        self.env["res.config.settings"].create({}).execute()
        self.assertEqual(self.company.apizee_api_password, "replaced-Secret")

    def _ledger(self):
        """The technical account's token row, as committed (its own transactions)."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT access_token, token_requests, recent_calls FROM apizee_token "
                "WHERE server_url = %s AND username = %s AND owner_key = 'technical'",
                [self.standin.url, self.TECH_USER],
            )
            token, requests, calls = cr.fetchone()
        return token, requests, len(json.loads(calls or "[]"))

    def test_test_connection_counted_in_the_ledger_despite_a_cached_token(self):
        self.company._apizee_call("GET", const.USERS_ME_PATH)  # a token in cache
        cached_token, requests, calls = self._ledger()
        self.assertEqual((requests, calls), (1, 2))
        settings = self.env["res.config.settings"].create({})
        action = settings.action_apizee_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        # A new grant all the same, then the profile read with the new token: both
        # in the account's ledger, and the new token is the cached one from now on
        self.assertEqual(len(self._token_requests()), 2)
        token, requests, calls = self._ledger()
        self.assertEqual((requests, calls), (2, 4))
        self.assertNotEqual(token, cached_token)
        me = self.standin.requests_to(const.USERS_ME_PATH)[-1]
        self.assertEqual(me["headers"]["Authorization"], f"Bearer {token}")
        # and the ledger holds it back like any other call: nothing sent
        sent = len(self.standin.requests)
        with (
            patch.object(const, "RATE_LIMIT_CALLS", 5),
            self.assertRaises(ApizeeError) as caught,
        ):
            settings.action_apizee_test_connection()
        self.assertEqual(caught.exception.kind, "rate_limited")
        self.assertEqual(len(self.standin.requests), sent)

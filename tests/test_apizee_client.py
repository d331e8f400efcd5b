# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import socket
from unittest.mock import patch

from odoo.tests import tagged

from .. import const
from ..models.apizee_client import ERROR_MESSAGES, ApizeeError, retry_after_seconds
from .common import ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestApizeeClient(ApizeeStandInCommon):
    """Every failure of the one door to Apizee, injected through the stand-in."""

    def _call(self, method="GET", path=const.USERS_ME_PATH, **kwargs):
        return self.company._apizee_call(method, path, **kwargs)

    def _assert_fails(self, kind, method="GET", path=const.USERS_ME_PATH, **kwargs):
        """Call, expect ``kind``, and check that no log line holds a secret."""
        with (
            self.assertLogs("odoo.addons.helpdesk_apizee", logging.DEBUG) as logs,
            self.assertRaises(ApizeeError) as caught,
        ):
            logging.getLogger("odoo.addons.helpdesk_apizee").debug("start")
            self._call(method, path, **kwargs)
        self.assertEqual(caught.exception.kind, kind)
        self._assert_no_secret(logs.output + [str(caught.exception)])
        return caught.exception

    def _assert_no_secret(self, texts):
        secrets = [self.TECH_PASSWORD] + list(self.standin.tokens)
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text)

    def test_success_sends_bearer_and_user_agent(self):
        profile = self._call()
        self.assertEqual(profile["mail"], self.TECH_USER)
        me = self.standin.requests_to(const.USERS_ME_PATH)[0]
        self.assertTrue(me["headers"]["Authorization"].startswith("Bearer "))
        self.assertEqual(me["headers"]["User-Agent"], "Odoo-helpdesk_apizee/18.0")
        token = self._token_requests()[0]
        self.assertEqual(
            token["query"],
            {
                "grant_type": "password",
                "username": self.TECH_USER,
                "password": self.TECH_PASSWORD,
            },
        )

    def test_credentials_refused(self):
        self.company.apizee_api_password = "wrong"
        error = self._assert_fails("credentials")
        self.assertIn("Settings", str(error))
        self.assertEqual(len(self._token_requests()), 1)  # not in a loop

    def test_403(self):
        self._call()  # a token in cache
        self.standin.fail_next("403", 2)
        self._assert_fails("credentials")

    def test_404(self):
        error = self._assert_fails("not_found", path="/api/v3/tickets/999")
        self.assertIn("/api/v3/tickets/999", str(error))

    def test_429_says_when_to_retry(self):
        self._call()
        self.standin.fail_next("429")
        error = self._assert_fails("rate_limited")
        self.assertEqual(error.retry_after, 42)
        self.assertIn("42 seconds", str(error))

    def test_5xx_get_retried_once(self):
        self._call()
        self.standin.reset()
        self._clear_token_cache()
        self._call()
        self.standin.fail_next("500", 2)
        with patch.object(const, "RETRY_BACKOFF", 0.01):
            self._assert_fails("server")
        self.assertEqual(len(self.standin.requests_to(const.USERS_ME_PATH)), 3)

    def test_5xx_post_not_retried(self):
        self._call()
        self.standin.fail_next("500", 2)
        self._assert_fails(
            "server", "POST", "/api/v3/tickets", params={"phone": "+33612345678"}
        )
        self.assertEqual(len(self._sessions_created()), 1)

    def test_html_from_a_proxy(self):
        self._call()
        self.standin.fail_next("502_html", 2)
        with patch.object(const, "RETRY_BACKOFF", 0.01):
            self._assert_fails("unreadable")

    def test_malformed_json(self):
        self._call()
        self.standin.fail_next("malformed")
        self._assert_fails("unreadable")

    def test_timeout(self):
        self._call()
        self.standin.slow_seconds = 1.0
        self.standin.fail_next("slow", 2)
        with (
            patch.object(const, "READ_TIMEOUT", 0.3),
            patch.object(const, "RETRY_BACKOFF", 0.01),
        ):
            self._assert_fails("timeout")

    def test_connection_reset(self):
        self._call()
        self.standin.fail_next("reset", 2)
        with patch.object(const, "RETRY_BACKOFF", 0.01):
            self._assert_fails("unreachable")

    def test_connection_refused(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.company.apizee_server_url = f"http://127.0.0.1:{port}"
        with patch.object(const, "RETRY_BACKOFF", 0.01):
            error = self._assert_fails("unreachable")
        self.assertIn(f"127.0.0.1:{port}", str(error))

    def test_tls_error(self):
        # https to a plain-http port: the TLS handshake fails
        self.company.apizee_server_url = self.standin.url.replace("http:", "https:")
        with patch.object(const, "RETRY_BACKOFF", 0.01):
            error = self._assert_fails("tls")
        self.assertIn("secure connection", str(error))

    def test_other_4xx_shows_apizee_message(self):
        self._call()
        error = self._assert_fails("refused", "POST", "/api/v3/tickets", params={})
        self.assertIn("phone or email is required", str(error))
        self.assertEqual(error.status, 400)

    def test_missing_account(self):
        self.company.apizee_api_password = False
        with self.assertRaisesRegex(Exception, "technical account"):
            self._call()
        self.assertFalse(self.standin.requests)

    def test_error_in_the_language_of_a_french_user(self):
        """The messages are lazy translations: each comes out in the language of the
        user who meets the failure, not in the language of whoever loaded the code."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["helpdesk_apizee"], ["fr_FR"])
        self.agent.lang = "fr_FR"
        french = self.env(user=self.agent, context={"lang": self.agent.lang})
        self.company.apizee_api_password = "wrong"
        with self.assertRaises(ApizeeError) as caught:
            self.company.with_env(french)._apizee_call("GET", const.USERS_ME_PATH)
        self.assertEqual(caught.exception.kind, "credentials")
        self.assertIn("Apizee a refusé les identifiants (HTTP", str(caught.exception))
        # and every kind of failure, its placeholders filled in French too
        client_fr = french["apizee.client"]
        client_en = client_fr.with_context(lang="en_US")
        for kind in ERROR_MESSAGES:
            for status in (0, 400):
                with self.subTest(kind=kind, status=status):
                    args = (kind, status, self.standin.url, "/api/x", "1024", 120)
                    message = str(client_fr._error(*args))
                    self.assertNotEqual(message, str(client_en._error(*args)))
                    self.assertNotIn("%(", message)

    def test_retry_after_of_the_rate_limit(self):
        """``X-RateLimit-Reset`` ("Rate Limits" page): seconds to wait, at least 1;
        60 when missing or unreadable."""
        for headers, seconds in (
            ({"X-RateLimit-Reset": "17"}, 17),
            ({"X-RateLimit-Reset": "0"}, 1),
            ({"X-RateLimit-Reset": "-5"}, 1),
            ({"X-RateLimit-Reset": "soon"}, 60),
            ({"X-RateLimit-Reset": ""}, 60),
            ({}, 60),
        ):
            with self.subTest(headers=headers):
                self.assertEqual(retry_after_seconds(headers), seconds)

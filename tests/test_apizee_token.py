# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
import time
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.exceptions import AccessError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .. import const
from ..models.apizee_client import ApizeeError
from ..models.apizee_token import read_committed
from .common import ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestApizeeToken(ApizeeStandInCommon):
    def _me(self):
        return self.company._apizee_call("GET", const.USERS_ME_PATH)

    def test_token_cached(self):
        for _i in range(3):
            self._me()
        self.assertEqual(len(self._token_requests()), 1)
        self.assertEqual(len(self.standin.requests_to(const.USERS_ME_PATH)), 3)

    def test_token_renewed_before_expiry(self):
        """Renewed when less than 5 minutes (Apizee documents 24 h) remain."""
        self.assertEqual(const.TOKEN_RENEW_MARGIN, 300)
        self._me()
        self._me()
        self.assertEqual(len(self._token_requests()), 1)
        for remaining, renewed in ((301 + 5, False), (299, True)):
            with self.registry.cursor() as cr:
                cr.execute(
                    "UPDATE apizee_token SET expires_at = "
                    "now() at time zone 'UTC' + make_interval(secs => %s) "
                    "WHERE server_url = %s",
                    [remaining, self.standin.url],
                )
            before = len(self._token_requests())
            self._me()
            self.assertEqual(len(self._token_requests()) - before, int(renewed))

    def test_refused_token_dropped_and_fetched_once(self):
        self._me()
        self.standin.tokens.clear()  # Apizee forgot it (revoked, restarted...)
        self._me()
        self.assertEqual(len(self._token_requests()), 2)
        me_calls = self.standin.requests_to(const.USERS_ME_PATH)
        self.assertEqual(len(me_calls), 3)  # ok, refused, ok with the new token

    def test_refused_twice_stops(self):
        self._me()
        self.standin.fail_next("401", 3)
        with self.assertRaises(ApizeeError):
            self._me()
        # 1 refused call, 1 token request refused too: no loop
        self.assertEqual(len(self._token_requests()), 2)

    def test_rate_limit_kept_client_side(self):
        """Apizee's documented limit ("Rate Limits" page, not read from const): 10
        requests a minute per user, all endpoints together."""
        # 1 token request + 9 calls fill Apizee's window of 10
        for _i in range(9):
            self._me()
        sent = len(self.standin.requests)
        self.assertEqual(sent, 10)
        with self.assertRaises(ApizeeError) as caught:
            self._me()
        self.assertEqual(caught.exception.kind, "rate_limited")
        # within the minute of the first request
        self.assertGreater(caught.exception.retry_after, 0)
        self.assertLessEqual(caught.exception.retry_after, 60)
        self.assertEqual(len(self.standin.requests), sent)  # nothing sent

    def test_no_stampede(self):
        """Concurrent workers: one token request for them all."""
        self.standin.latency = 0.3  # every answer takes a while
        server, username, password = self.company._apizee_get_account()
        tokens, errors = [], []

        Token = self.env["apizee.token"]
        # The threads share this test's cursor: read the database secret (cached
        # then) before they start, as each worker would on its own cursor
        Token._secret_hash(server, username, password)

        def worker():
            # Each call works in its own database transaction, as in separate workers
            # (a new Environment cannot be made while the server loads the registry).
            try:
                tokens.append(Token._prepare_call(server, username, password))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _i in range(12)]
        with patch.object(const, "RATE_LIMIT_CALLS", 100):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(tokens), 12)
        self.assertEqual(len(set(tokens)), 1)
        self.assertEqual(len(self._token_requests()), 1)

    def test_plain_user_cannot_read_tokens(self):
        self._me()
        with self.assertRaisesRegex(
            AccessError, r"not allowed to access '.*' \(apizee\.token\) records"
        ):
            self.env["apizee.token"].with_user(self.agent).search([]).read(
                ["access_token"]
            )

    def test_plain_user_cannot_read_credentials(self):
        company = self.company.with_user(self.agent)
        with self.assertRaisesRegex(
            AccessError,
            r"(?s)not have enough rights to access the fields? \"apizee_api_password\"",
        ):
            company.read(["apizee_api_password"])
        self.assertNotIn("apizee_api_password", company.fields_get())

    def _wait_for_the_lock_holder(self, db, key, isolate):
        """Lock the token row ``key`` in one transaction of Odoo's own cursors, read
        it ``FOR UPDATE`` in another one (prepared by ``isolate``), commit a new token
        in the first one while the second waits: what the second one reads, or the
        error it meets."""
        outcome = []

        def waiter():
            with db.cursor() as cr:
                isolate(cr)
                try:
                    cr.execute(
                        "SELECT access_token FROM apizee_token "
                        "WHERE server_url = %s FOR UPDATE",
                        [key],
                        log_exceptions=False,
                    )
                    outcome.append(cr.fetchone()[0])
                except pg_errors.SerializationFailure as error:
                    outcome.append(type(error))

        with db.cursor() as holder:
            holder.execute(
                "SELECT id FROM apizee_token WHERE server_url = %s FOR UPDATE", [key]
            )
            thread = threading.Thread(target=waiter)
            thread.start()
            deadline = time.monotonic() + 10
            waiting = False
            while not waiting and time.monotonic() < deadline:
                time.sleep(0.02)
                with db.cursor() as probe:
                    probe.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                    waiting = probe.fetchone()[0] > 0
            self.assertTrue(waiting, "the second transaction never waited")
            holder.execute(
                "UPDATE apizee_token SET access_token = 'renewed' "
                "WHERE server_url = %s",
                [key],
            )
            holder.commit()
        thread.join(10)
        return outcome

    def test_read_committed_waits_for_the_holder_then_reads_its_write(self):
        """What ``read_committed`` gives ``_locked`` on Odoo's own cursors: a
        worker that waited for a token row's lock reads the token the holder wrote,
        where Odoo's REPEATABLE READ would fail."""
        db = db_connect(self.env.cr.dbname)
        key = "https://read-committed.invalid"
        with db.cursor() as cr:
            cr.execute(
                "INSERT INTO apizee_token (server_url, username, owner_key) "
                "VALUES (%s, 'someone', 'technical')",
                [key],
            )

        def drop():
            with db.cursor() as cr:
                cr.execute("DELETE FROM apizee_token WHERE server_url = %s", [key])

        self.addCleanup(drop)
        self.assertEqual(
            self._wait_for_the_lock_holder(db, key, read_committed), ["renewed"]
        )
        self.assertEqual(
            self._wait_for_the_lock_holder(db, key, lambda cr: None),
            [pg_errors.SerializationFailure],
        )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import logging
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.sql_db import TestCursor
from odoo.tools import SQL

from .. import const
from ..utils.apizee_urls import url_origin
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


class ApizeeToken(models.Model):
    """Server-side cache of the bearer token of an Apizee user, and the ledger of its
    recent calls (Apizee allows 10 a minute per user).

    Rows are read and written in their own short transactions, under a row lock, so that
    several Odoo workers never ask a token for the same Apizee user at the same time
    (at most one token request per user per token lifetime) and never exceed Apizee's
    rate limit together. Only administrators may read the model; code uses ``sudo``.
    """

    _name = "apizee.token"
    _description = "Apizee Token"
    _log_access = False

    server_url = fields.Char(required=True, readonly=True)
    username = fields.Char(required=True, readonly=True, index=True)
    access_token = fields.Char(groups="base.group_system", copy=False, readonly=True)
    expires_at = fields.Datetime(readonly=True)
    token_requests = fields.Integer(
        readonly=True, help="Tokens requested for this user since the row exists."
    )
    recent_calls = fields.Char(
        readonly=True, help="Times of the calls of the last minute (JSON)."
    )
    profile = fields.Text(
        groups="base.group_system",
        readonly=True,
        help="The user's /api/v2/users/me answer (JSON), kept as long as the token.",
    )

    _sql_constraints = [
        ("user_uniq", "unique(server_url, username)", "One token per Apizee user."),
    ]

    @api.model
    def _apizee_call(self, server_url, username, password, method, path, params=None):
        """Call Apizee as the Apizee user ``username``, with a cached token.

        :return: the decoded JSON answer
        :raise ApizeeError: the mapped failure
        """
        client = self.env["apizee.client"]
        return self._apizee_with_token(
            server_url,
            username,
            password,
            lambda token: client._apizee_request(
                server_url, method, path, params=params, token=token
            ),
        )

    @api.model
    def _apizee_download(self, server_url, username, password, url, max_bytes=0):
        """Download a file of Apizee as ``username`` (see ``apizee.client``).

        :return: ``(mimetype, content)``
        :raise ApizeeError: the mapped failure
        """
        client = self.env["apizee.client"]
        url = client._apizee_check_download_url(server_url, url)
        if url_origin(url).lower() != url_origin(server_url):
            # Another host (Apizee's media hosts): no bearer, so no token to spend
            # nor to renew, and no call in the account's rate-limit window
            return client._apizee_download(server_url, url, max_bytes=max_bytes)
        return self._apizee_with_token(
            server_url,
            username,
            password,
            lambda token: client._apizee_download(
                server_url, url, token=token, max_bytes=max_bytes
            ),
        )

    @api.model
    def _apizee_with_token(self, server_url, username, password, send):
        """Run ``send(token)`` with a cached token of ``username``.

        A token refused with 401 is dropped and fetched once more, not in a loop.

        :raise ApizeeError: the mapped failure
        """
        token = self._apizee_prepare_call(server_url, username, password)
        try:
            return send(token)
        except ApizeeError as error:
            if error.status != 401:
                raise
            _logger.info("Apizee refused the cached token of %s: renewing it", username)
        token = self._apizee_prepare_call(
            server_url, username, password, refused_token=token
        )
        return send(token)

    @api.model
    def _apizee_prepare_call(self, server_url, username, password, refused_token=None):
        """Reserve a call in the rate-limit window and return a valid token.

        The token is renewed (one more call) when it is missing, refused, or expires in
        less than ``const.TOKEN_RENEW_MARGIN`` seconds.

        :param str refused_token: a token Apizee refused: renewed unless another worker
            already replaced it
        :return: the bearer token
        :raise ApizeeError: ``rate_limited`` before anything is sent when the window is
            full, or the failure of the token request
        """

        def prepare(row):
            now = time.time()
            calls = [t for t in json.loads(row["recent_calls"] or "[]") if now - t < 60]
            token = row["access_token"]
            fresh = self._apizee_token_fresh(row) and token != refused_token
            needed = 1 if fresh else 2
            if len(calls) + needed > const.RATE_LIMIT_CALLS:
                wait = int(const.RATE_LIMIT_WINDOW - (now - calls[0])) + 1
                error = self.env["apizee.client"]._apizee_error(
                    "rate_limited", 429, retry_after=wait
                )
                return None, {"recent_calls": json.dumps(calls)}, error
            if fresh:
                calls.append(now)
                return token, {"recent_calls": json.dumps(calls)}, None
            calls += [now, now]
            values = {"recent_calls": json.dumps(calls)}
            try:
                answer = self.env["apizee.client"]._apizee_request(
                    server_url,
                    "POST",
                    const.TOKEN_PATH,
                    params={
                        "grant_type": "password",
                        "username": username,
                        "password": password,
                    },
                )
            except ApizeeError as error:
                calls.pop()  # the call it was for is not made
                values["recent_calls"] = json.dumps(calls)
                return None, values, error
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not token:
                error = self.env["apizee.client"]._apizee_error(
                    "unreadable", 200, server_url=server_url
                )
                return None, values, error
            lifetime = int(answer.get("expires_in") or const.TOKEN_LIFETIME_DEFAULT)
            values.update(
                profile=None,  # belongs to the previous token
                access_token=token,
                expires_at=fields.Datetime.now() + timedelta(seconds=lifetime),
                token_requests=(row["token_requests"] or 0) + 1,
            )
            _logger.info(
                "Apizee token of %s renewed: valid %s minutes", username, lifetime // 60
            )
            return token, values, None

        return self._apizee_locked(server_url, username, prepare)

    @api.model
    def _apizee_get_profile(self, server_url, username, password):
        """The Apizee user's profile (``/api/v2/users/me``), cached with its token.

        :return: the decoded profile
        :raise ApizeeError: the mapped failure
        """

        def cached(row):
            if row and row["profile"] and self._apizee_token_fresh(row):
                return json.loads(row["profile"]), None, None
            return None, None, None

        # A warm cache is read without a lock or a second connection (the hot path
        # of every page load of an agent with the pop-in).
        self.env.cr.execute(
            "SELECT access_token, expires_at, profile FROM apizee_token "
            "WHERE server_url = %s AND username = %s",
            [server_url, username],
        )
        profile = cached(self.env.cr.dictfetchone())[0]
        if profile is None:
            profile = self._apizee_locked(server_url, username, cached)
        if profile is None:
            profile = self._apizee_call(
                server_url, username, password, "GET", const.USERS_ME_PATH
            )
            if not isinstance(profile, dict):
                raise self.env["apizee.client"]._apizee_error(
                    "unreadable", 200, server_url=server_url
                )
            self._apizee_locked(
                server_url,
                username,
                lambda row: (None, {"profile": json.dumps(profile)}, None),
            )
        return profile

    @api.model
    def _apizee_token_fresh(self, row):
        """Whether the token of ``row`` may still be used for a while."""
        return bool(
            row["access_token"]
            and row["expires_at"]
            and (row["expires_at"] - fields.Datetime.now()).total_seconds()
            > const.TOKEN_RENEW_MARGIN
        )

    @api.model
    def _apizee_locked(self, server_url, username, func):
        """Run ``func(row)`` on the locked row of an Apizee user, in its own
        transaction.

        ``func`` returns ``(result, values, error)``: ``values`` are written and
        committed whatever happens (calls made count against the limit), then ``error``
        is raised or ``result`` returned. A worker that waited for the lock while
        another one renewed the token reads the row again (PostgreSQL's serialization
        error, retried).
        """
        for attempt in range(1, 6):
            try:
                with self.env.registry.cursor() as cr:
                    if not isinstance(cr, TestCursor):
                        # Wait for the lock holder, then read what it wrote (no
                        # serialization error as in Odoo's REPEATABLE READ).
                        cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cr.execute(
                        "INSERT INTO apizee_token (server_url, username) "
                        "VALUES (%s, %s) ON CONFLICT (server_url, username) DO NOTHING",
                        [server_url, username],
                        log_exceptions=False,  # a busy row is expected, and retried
                    )
                    cr.execute(
                        "SELECT id, access_token, expires_at, recent_calls, "
                        "token_requests, profile FROM apizee_token "
                        "WHERE server_url = %s AND username = %s FOR UPDATE",
                        [server_url, username],
                        log_exceptions=False,  # a busy row is expected, and retried
                    )
                    row = cr.dictfetchone()
                    result, values, error = func(row)
                    if values:
                        assignments = SQL(", ").join(
                            SQL("%s = %s", SQL.identifier(name), value)
                            for name, value in values.items()
                        )
                        cr.execute(
                            SQL(
                                "UPDATE apizee_token SET %s WHERE id = %s",
                                assignments,
                                row["id"],
                            ),
                            log_exceptions=False,
                        )
                if error:
                    raise error
                return result
            except (
                pg_errors.SerializationFailure,
                pg_errors.UniqueViolation,
            ):
                _logger.debug("Apizee token row of %s busy, reading it again", username)
                time.sleep(0.05 * attempt)
        raise self.env["apizee.client"]._apizee_error("busy", 0)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from .. import const
from ..utils.apizee_urls import url_origin
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


TECHNICAL = "technical"


def owner_key(user=None):
    """The owner of a token row: an Odoo user (an agent's own Apizee account), or
    the technical accounts of the companies (rows no agent path reaches)."""
    return f"user:{user.id}" if user else TECHNICAL


class ApizeeToken(models.Model):
    """Server-side cache of the bearer token of an Apizee account, and the ledger of
    its recent calls (Apizee allows 10 a minute per user).

    A row belongs to one owner (see ``owner_key``): an agent's Apizee account is an
    identity bound to one Odoo user, so two Odoo users who type the same Apizee user
    name never share a row, a token or a profile; the technical accounts have rows of
    their own. A row keeps a keyed hash of the password its token was granted for: a
    cached token is handed out only to a caller holding that password, any other
    password means a fresh grant, which Apizee checks. Failed grants are counted on
    the row of whoever tried; an agent is locked out for a while after
    ``const.GRANT_FAILURES_MAX`` of them.

    Rows are read and written in their own short transactions, under a row lock, so that
    several Odoo workers never ask a token for the same row at the same time (at most
    one token request per row per token lifetime) and never exceed Apizee's rate limit
    together. No group may read the model (tokens are bearer secrets): code uses
    ``sudo`` or SQL.
    """

    _name = "apizee.token"
    _description = "Apizee Token"
    _log_access = False

    server_url = fields.Char(required=True, readonly=True)
    username = fields.Char(required=True, readonly=True, index=True)
    owner_key = fields.Char(
        required=True,
        readonly=True,
        default=TECHNICAL,
        help="user:<id> for an agent's own account, technical for the companies' "
        "technical accounts.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users", readonly=True, ondelete="cascade", index=True
    )
    access_token = fields.Char(groups=".", copy=False, readonly=True)
    secret_hash = fields.Char(
        groups=".",
        copy=False,
        readonly=True,
        help="Keyed hash of the password the token was granted for.",
    )
    expires_at = fields.Datetime(readonly=True)
    token_requests = fields.Integer(
        readonly=True, help="Tokens requested for this user since the row exists."
    )
    failed_grants = fields.Integer(
        readonly=True, help="Token requests Apizee refused in a row."
    )
    refused_hash = fields.Char(
        groups=".",
        copy=False,
        readonly=True,
        help="Keyed hash of the last password Apizee refused.",
    )
    refused_until = fields.Datetime(
        readonly=True,
        help="Until then, the refused password is not sent to Apizee again.",
    )
    locked_until = fields.Datetime(
        readonly=True, help="No token request before this time (too many failures)."
    )
    recent_calls = fields.Char(
        readonly=True, help="Times of the calls of the last minute (JSON)."
    )
    profile = fields.Text(
        groups=".",
        readonly=True,
        help="The user's /api/v2/users/me answer (JSON), kept as long as the token.",
    )

    _sql_constraints = [
        (
            "user_uniq",
            "unique(server_url, username, owner_key)",
            "One token per Apizee user and owner.",
        ),
    ]

    @api.model
    def _call(
        self, server_url, username, password, method, path, params=None, user=None
    ):
        """Call Apizee as the Apizee user ``username``, with a cached token.

        :param user: the Odoo user whose own Apizee account this is, or None for a
            technical account
        :return: the decoded JSON answer
        :raise ApizeeError: the mapped failure
        """
        client = self.env["apizee.client"]
        return self._with_token(
            server_url,
            username,
            password,
            lambda token: client._request(
                server_url, method, path, params=params, token=token
            ),
            user=user,
        )

    @api.model
    def _download(self, server_url, username, password, url, max_bytes=0):
        """Download a file of Apizee as ``username`` (see ``apizee.client``).

        :return: ``(mimetype, content)``
        :raise ApizeeError: the mapped failure
        """
        client = self.env["apizee.client"]
        url = client._check_download_url(server_url, url)
        if url_origin(url).lower() != url_origin(server_url):
            # Another host (Apizee's media hosts): no bearer, so no token to spend
            # nor to renew, and no call in the account's rate-limit window
            return client._download(server_url, url, max_bytes=max_bytes)
        return self._with_token(
            server_url,
            username,
            password,
            lambda token: client._download(
                server_url, url, token=token, max_bytes=max_bytes
            ),
        )

    @api.model
    def _with_token(self, server_url, username, password, send, user=None):
        """Run ``send(token)`` with a cached token of ``username``.

        A token refused with 401 is dropped and fetched once more, not in a loop.

        :raise ApizeeError: the mapped failure
        """
        try:
            token = self._prepare_call(server_url, username, password, user=user)
            try:
                return send(token)
            except ApizeeError as error:
                if error.status != 401:
                    raise
                _logger.info(
                    "Apizee refused the cached token of %r: renewing it", username
                )
            token = self._prepare_call(
                server_url, username, password, refused_token=token, user=user
            )
            return send(token)
        except ApizeeError as error:
            if user and error.kind == "credentials":
                # The agent's own account: send them to their Preferences, not to
                # the technical account of the Settings
                raise self.env["apizee.client"]._error(
                    "agent_credentials", error.status
                ) from None
            raise

    @api.model
    def _check_credentials(self, server_url, username, password):
        """Check an Apizee account with Apizee itself, and say who answered (the
        "Test connection" of Settings).

        A new token is granted whatever the cache holds, so that a wrong password is
        always caught, then the account's profile is read with it. Both count in the
        account's rate-limit window, under the protections of every other token
        request (``_prepare_call``); the new token replaces the cached one.

        :return: the account's profile (``/api/v2/users/me``), ``{}`` when Apizee's
            answer is not an object
        :raise ApizeeError: the mapped failure
        """
        token = self._prepare_call(server_url, username, password, renew=True)
        profile = self.env["apizee.client"]._request(
            server_url, "GET", const.USERS_ME_PATH, token=token
        )
        return profile if isinstance(profile, dict) else {}

    @api.model
    def _prepare_call(
        self, server_url, username, password, refused_token=None, user=None, renew=False
    ):
        """Reserve a call in the rate-limit window and return a valid token.

        The cached token is handed out only when it was granted for ``password`` (a
        keyed hash, compared in constant time); otherwise, or when it is missing,
        refused, or expires in less than ``const.TOKEN_RENEW_MARGIN`` seconds, a new
        one is granted (one more call), which Apizee checks.

        :param str refused_token: a token Apizee refused: renewed unless another worker
            already replaced it
        :param user: the Odoo user whose own account this is, or None for a technical
            account (see ``owner_key``)
        :param bool renew: grant a new token whatever the cache holds
        :return: the bearer token
        :raise ApizeeError: ``rate_limited`` before anything is sent when the window is
            full, ``locked`` while an agent is locked out after failed grants, or the
            failure of the token request
        """
        client = self.env["apizee.client"]
        secret_hash = self._secret_hash(server_url, username, password)

        def prepare(row):
            now = time.time()
            calls = [t for t in json.loads(row["recent_calls"] or "[]") if now - t < 60]
            values = {"recent_calls": json.dumps(calls)}
            token = row["access_token"]
            proven = bool(row["secret_hash"]) and hmac.compare_digest(
                row["secret_hash"], secret_hash
            )
            if token and not proven:
                # Granted for another password: never handed out, dropped at once
                token = None
                values.update(access_token=None, profile=None, expires_at=None)
            if (
                not proven
                and row["refused_hash"]
                and row["refused_until"]
                and row["refused_until"] > fields.Datetime.now()
                and hmac.compare_digest(row["refused_hash"], secret_hash)
            ):
                # The password Apizee just refused, again (each page load of the
                # agent asks): refused without asking Apizee, nor counting a failure
                return None, values, client._error("credentials", 401)
            locked_until = row["locked_until"]
            if user and locked_until and locked_until > fields.Datetime.now():
                wait = int((locked_until - fields.Datetime.now()).total_seconds()) + 1
                return None, values, client._error("locked", 0, retry_after=wait)
            fresh = (
                not renew
                and proven
                and self._token_fresh(row)
                and token != refused_token
            )
            needed = 1 if fresh else 2
            limit = const.RATE_LIMIT_CALLS
            if self.env.context.get("apizee_background"):
                limit -= const.RATE_LIMIT_KEPT_FOR_CLICKS  # the last slots: clicks'
            if len(calls) + needed > limit:
                # When the oldest call of the window leaves it, a slot frees up
                wait = int(const.RATE_LIMIT_WINDOW - (now - calls[0])) + 1
                error = client._error("rate_limited", 429, retry_after=wait)
                return None, values, error
            if fresh:
                calls.append(now)
                values["recent_calls"] = json.dumps(calls)
                return token, values, None
            calls += [now, now]
            values["recent_calls"] = json.dumps(calls)
            try:
                answer = client._request(
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
                if error.kind == "credentials":
                    values.update(self._failed_grant(row, user))
                    values.update(
                        refused_hash=secret_hash,
                        refused_until=fields.Datetime.now()
                        + timedelta(seconds=const.GRANT_LOCKOUT_SECONDS),
                    )
                return None, values, error
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not token or not isinstance(token, str):
                error = client._error("unreadable", 200, server_url=server_url)
                return None, values, error
            lifetime = token_lifetime(answer.get("expires_in"))
            values.update(
                profile=None,  # belongs to the previous token
                access_token=token,
                secret_hash=secret_hash,
                expires_at=fields.Datetime.now() + timedelta(seconds=lifetime),
                token_requests=(row["token_requests"] or 0) + 1,
                failed_grants=0,
                locked_until=None,
                refused_hash=None,
                refused_until=None,
            )
            _logger.info(
                "Apizee token of %r renewed: valid %s minutes", username, lifetime // 60
            )
            return token, values, None

        return self._locked(server_url, username, prepare, user=user)

    @api.model
    def _failed_grant(self, row, user):
        """Values of a row after Apizee refused a password: one more failure, and for
        an agent a lock-out once ``const.GRANT_FAILURES_MAX`` are reached."""
        failures = (row["failed_grants"] or 0) + 1
        values = {"failed_grants": failures}
        _logger.info(
            "Apizee refused the password of %s (%s in a row)",
            f"Odoo user {user.id}" if user else "a technical account",
            failures,
        )
        if user and failures >= const.GRANT_FAILURES_MAX:
            values.update(
                failed_grants=0,
                locked_until=fields.Datetime.now()
                + timedelta(seconds=const.GRANT_LOCKOUT_SECONDS),
            )
            _logger.warning(
                "Apizee account of Odoo user %s locked for %s s after %s refused "
                "passwords",
                user.id,
                const.GRANT_LOCKOUT_SECONDS,
                failures,
            )
        return values

    @api.model
    def _secret_hash(self, server_url, username, password):
        """A keyed hash (HMAC-SHA256 with the database secret) of an account's
        password: what a row keeps to tell whether a caller holds the password its
        token was granted for, without keeping the password."""
        key = self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        message = "\x00".join((server_url, username, password or ""))
        return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()

    @api.model
    def _forget(self, user=None, usernames=None, new_username=None):
        """Drop at once the cached tokens of an Odoo user's own account, or of the
        technical accounts ``usernames``: their password or user name changed.

        Rows are kept, with their rate-limit ledger and lock-out (changing one's user
        name does not lift a lock-out).

        :param str new_username: the user's new Apizee user name, written on their rows
        """
        forget = SQL(
            "access_token = NULL, profile = NULL, expires_at = NULL, "
            "secret_hash = NULL"
        )
        if user is not None:
            if new_username:
                forget = SQL("%s, username = %s", forget, new_username)
            where = SQL("owner_key = %s", owner_key(user))
        else:
            where = SQL(
                "owner_key = %s AND username = ANY(%s)", TECHNICAL, list(usernames)
            )
        self.env.cr.execute(SQL("UPDATE apizee_token SET %s WHERE %s", forget, where))

    @api.model
    def _unlock(self, user):
        """Lift an agent's lock-out and forget their refused password (an
        administrator set their account anew)."""
        self.env.cr.execute(
            "UPDATE apizee_token SET failed_grants = 0, locked_until = NULL, "
            "refused_hash = NULL, refused_until = NULL WHERE owner_key = %s",
            [owner_key(user)],
        )

    @api.model
    def _get_profile(self, server_url, username, password, user=None):
        """The Apizee user's profile (``/api/v2/users/me``), cached with its token.

        The cache is handed out only to a caller holding the password the token was
        granted for (see ``_prepare_call``).

        :param user: the Odoo user whose own account this is (the pop-in), or None
        :return: the decoded profile
        :raise ApizeeError: the mapped failure
        """
        secret_hash = self._secret_hash(server_url, username, password)

        def cached(row):
            if (
                row
                and row["profile"]
                and row["secret_hash"]
                and hmac.compare_digest(row["secret_hash"], secret_hash)
                and self._token_fresh(row)
            ):
                return json.loads(row["profile"]), None, None
            return None, None, None

        # A warm cache is read without a lock or a second connection (the hot path
        # of every page load of an agent with the pop-in).
        self.env.cr.execute(
            "SELECT access_token, expires_at, profile, secret_hash FROM apizee_token "
            "WHERE server_url = %s AND username = %s AND owner_key = %s",
            [server_url, username, owner_key(user)],
        )
        profile = cached(self.env.cr.dictfetchone())[0]
        if profile is None:
            profile = self._locked(server_url, username, cached, user=user)
        if profile is None:
            profile = self._call(
                server_url, username, password, "GET", const.USERS_ME_PATH, user=user
            )
            if not isinstance(profile, dict):
                raise self.env["apizee.client"]._error(
                    "unreadable", 200, server_url=server_url
                )

            def store(row):
                # Only with the token it was read with (still the same password)
                if row["secret_hash"] and hmac.compare_digest(
                    row["secret_hash"], secret_hash
                ):
                    return None, {"profile": json.dumps(profile)}, None
                return None, None, None

            self._locked(server_url, username, store, user=user)
        return profile

    @api.model
    def _recent_call_counts(self, server_url, usernames):
        """Calls each technical account made in the current rate-limit window, as
        last committed (no lock: a hint to choose the account with the most room,
        which ``_prepare_call`` then checks under the row's lock).

        :return: ``{username: calls}``, accounts without a row left out
        """
        self.env.cr.execute(
            "SELECT username, recent_calls FROM apizee_token "
            "WHERE server_url = %s AND owner_key = %s AND username = ANY(%s)",
            [server_url, TECHNICAL, list(usernames)],
        )
        now = time.time()
        counts = {}
        for username, recent_calls in self.env.cr.fetchall():
            try:
                times = json.loads(recent_calls or "[]")
            except ValueError:
                times = []
            counts[username] = sum(
                1
                for moment in times
                if isinstance(moment, int | float) and now - moment < 60
            )
        return counts

    @api.model
    def _token_fresh(self, row):
        """Whether the token of ``row`` may still be used for a while."""
        return bool(
            row["access_token"]
            and row["expires_at"]
            and (row["expires_at"] - fields.Datetime.now()).total_seconds()
            > const.TOKEN_RENEW_MARGIN
        )

    @api.model
    def _locked(self, server_url, username, func, user=None):
        """Run ``func(row)`` on the locked row of an Apizee account and its owner
        (``user``, or the technical accounts), in its own transaction.

        ``func`` returns ``(result, values, error)``: ``values`` are written and
        committed whatever happens (calls made count against the limit), then ``error``
        is raised or ``result`` returned. The transaction is READ COMMITTED
        (``read_committed``): a worker that waited for the lock while another one
        renewed the token reads what that one wrote (a serialization failure or a
        unique violation, should one come all the same, is retried).
        """
        for attempt in range(1, 6):
            try:
                with self.env.registry.cursor() as cr:
                    read_committed(cr)
                    owner = owner_key(user)
                    cr.execute(
                        "INSERT INTO apizee_token "
                        "(server_url, username, owner_key, user_id) "
                        "VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT (server_url, username, owner_key) DO NOTHING",
                        [server_url, username, owner, user.id if user else None],
                        log_exceptions=False,  # a busy row is expected, and retried
                    )
                    cr.execute(
                        "SELECT id, access_token, expires_at, recent_calls, "
                        "token_requests, profile, secret_hash, failed_grants, "
                        "locked_until, refused_hash, refused_until FROM apizee_token "
                        "WHERE server_url = %s AND username = %s AND owner_key = %s "
                        "FOR UPDATE",
                        [server_url, username, owner],
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
                _logger.debug("Apizee token row of %r busy, reading it again", username)
                time.sleep(0.05 * attempt)
        raise self.env["apizee.client"]._error("busy", 0)


def read_committed(cr):
    """Make the transaction ``cr`` is about to begin READ COMMITTED.

    Odoo's cursors are REPEATABLE READ: a transaction that waited for a row's lock
    would fail with a serialization error once the holder committed. READ COMMITTED
    waits for the holder, then reads what it wrote.

    PostgreSQL takes it only as the first statement of a transaction, never inside
    one: the test cursor of Odoo's ``HttpCase``, which runs inside the test's
    transaction, cannot take it (the tests skip it there, ``tests/common.py``).
    """
    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")


def token_lifetime(expires_in):
    """Seconds a granted token may be used, from Apizee's ``expires_in``.

    A hostile or broken answer (missing, not a number, negative, huge) never raises:
    a missing or unreadable value means the documented 24 h; any value is kept
    between ``const.TOKEN_LIFETIME_MIN`` (so that the token serves the call it was
    granted for, and a few more, without a new grant each time) and the documented
    24 h.
    """
    if isinstance(expires_in, bool):
        return const.TOKEN_LIFETIME_DEFAULT
    if isinstance(expires_in, str):
        expires_in = expires_in.strip()
        if not expires_in.isascii() or not expires_in.isdigit() or len(expires_in) > 9:
            return const.TOKEN_LIFETIME_DEFAULT
        expires_in = int(expires_in)
    if isinstance(expires_in, float) and expires_in == expires_in:  # not NaN
        expires_in = int(min(max(expires_in, -1), 10**9))
    if not isinstance(expires_in, int):
        return const.TOKEN_LIFETIME_DEFAULT
    return min(max(expires_in, const.TOKEN_LIFETIME_MIN), const.TOKEN_LIFETIME_DEFAULT)

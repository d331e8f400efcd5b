# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import secrets
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import const
from ..utils.apizee_urls import ServerUrlError, normalize_server_url
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)

# Failures of an agent's own Apizee account after which the technical account makes
# the call instead: Apizee refused the password or the token (its rights to create
# sessions are not documented), the agent is locked out, or their own window is full.
AGENT_FALLBACK_KINDS = ("agent_credentials", "locked", "rate_limited")
# (Odoo user id, failure kind) already said in this process's log
_fallbacks_logged = set()


class ResCompany(models.Model):
    _inherit = "res.company"

    apizee_server_url = fields.Char(
        string="Apizee server URL",
        default=const.DEFAULT_SERVER_URL,
        help="Address of your Apizee platform (https only).",
    )
    apizee_default_service_id = fields.Many2one(
        comodel_name="apizee.service",
        string="Default Apizee service",
        domain="[('company_id', '=', id)]",
        help="Service preselected in invitations of tickets whose team has none.",
    )
    apizee_invitation_mode = fields.Selection(
        selection=const.INVITATION_MODES,
        string="Open Apizee invitations",
        default=const.DEFAULT_INVITATION_MODE,
        required=True,
    )
    apizee_video_call_path = fields.Selection(
        selection=const.VIDEO_CALL_PATHS,
        string="Video call",
        default=const.DEFAULT_VIDEO_CALL_PATH,
        required=True,
        help="What the ticket's Video call button does; the other ways the company's "
        "settings allow are in the menu next to it.",
    )
    apizee_lock_service = fields.Boolean(
        string="Lock the Apizee service",
        help="The agent cannot change the preselected service in Apizee's form.",
    )
    apizee_lock_recipients = fields.Boolean(
        string="Lock the invitation recipients",
        help="The agent cannot change the recipients in Apizee's form "
        "(they can still be edited in Odoo before opening it).",
    )

    apizee_api_username = fields.Char(
        string="Apizee technical account",
        groups="base.group_system",
        copy=False,
        help="User name of the Apizee account Odoo uses for REST calls.",
    )
    # Write-only: no one reads it over RPC, administrators included ("." is Odoo's
    # "always forbidden" group); Settings write it, superuser code reads it.
    apizee_api_password = fields.Char(
        string="Apizee technical password",
        groups=".",
        copy=False,
    )

    apizee_technical_calls_only = fields.Boolean(
        string="All Apizee calls through the technical account",
        help="By default an agent who has their own Apizee account opens rooms and "
        "reads sessions with it, within their own limit of 10 requests a minute; "
        "tick this to send every call through the technical account.",
    )

    apizee_agent_app_url = fields.Char(
        string="Apizee agent app URL",
        default=const.DEFAULT_AGENT_APP_URL,
        help="Address of Apizee's agent app, shown in the ticket's video panel.",
    )
    apizee_company_key = fields.Char(
        string="Apizee company identification key",
        help="The company identification key (iK) of your Apizee account, used by "
        "the agent app.",
    )
    # Made for each company at its creation (and at install for the existing ones),
    # replaced by Settings' "Regenerate the secret"; never by a compute.
    apizee_webhook_secret = fields.Char(
        string="Apizee webhook secret",
        groups="base.group_system",
        copy=False,
        help="What Apizee's webhooks of this company send in their secret header: "
        "deliveries to the company's webhook URL without it are refused.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Override to store the Apizee server URL in canonical form, and to give each
        new company its webhook secret."""
        for vals in vals_list:
            self._apizee_normalize_vals(vals)
        companies = super().create(vals_list)
        companies._apizee_new_webhook_secret(only_missing=True)
        return companies

    def _apizee_new_webhook_secret(self, only_missing=False):
        """Give each company a new webhook secret: deliveries with its former one are
        refused from then on (the secret is never logged).

        :param bool only_missing: leave the companies that have one
        """
        for company in self.sudo():
            if not (only_missing and company.apizee_webhook_secret):
                company.apizee_webhook_secret = secrets.token_urlsafe(
                    const.WEBHOOK_SECRET_BYTES
                )

    @api.model
    def _apizee_fill_webhook_secrets(self):
        """Give every company without a webhook secret one (install, migration)."""
        self.sudo().with_context(active_test=False).search(
            []
        )._apizee_new_webhook_secret(only_missing=True)

    def write(self, vals):
        """Override to store the Apizee server URL in canonical form, and to drop at
        once the cached tokens of a technical account whose password or user name
        changed."""
        self._apizee_normalize_vals(vals)
        account_fields = {"apizee_api_username", "apizee_api_password"}
        before = set()
        if account_fields & set(vals):
            before = set(self.sudo().mapped("apizee_api_username")) - {False}
        result = super().write(vals)
        if before:
            self.env["apizee.token"].sudo()._forget(usernames=before)
        return result

    @api.model
    def _apizee_normalize_vals(self, vals):
        """Normalise ``apizee_server_url`` in ``vals`` in place.

        :raise ValidationError: when the URL is not an https URL of a host
        """
        for field in ("apizee_server_url", "apizee_agent_app_url"):
            if field in vals:
                vals[field] = self._apizee_check_server_url(vals[field])

    @api.model
    def _apizee_check_server_url(self, url):
        """Return ``url`` normalised, or raise a translated message saying what is
        wrong.

        :param str url: URL typed by an administrator
        :return: the canonical URL
        :raise ValidationError: when it cannot be used
        """
        try:
            return normalize_server_url(url)
        except ServerUrlError as error:
            reasons = {
                "empty": self.env._("it is empty"),
                "scheme": self.env._("it must start with https://"),
                "host": self.env._("it has no valid host name"),
                "credentials": self.env._(
                    "it must not contain a user name or password"
                ),
                "query": self.env._("it must not contain “?” or “#”"),
            }
            raise ValidationError(
                self.env._(
                    "The Apizee server URL “%(url)s” cannot be used: %(reason)s. "
                    "Example: %(example)s",
                    url=url or "",
                    reason=reasons[error.code],
                    example=const.DEFAULT_SERVER_URL,
                )
            ) from error

    def _apizee_get_account(self):
        """Server URL and technical account of the company, read as superuser.

        :return: ``(server_url, username, password)``
        :raise UserError: when the account is not set
        """
        self.ensure_one()
        company = self.sudo()
        if not (company.apizee_api_username and company.apizee_api_password):
            raise UserError(
                self.env._(
                    "The Apizee technical account of %(company)s is not set: an "
                    "administrator sets it in Settings > Helpdesk > Apizee video "
                    "assistance.",
                    company=company.name,
                )
            )
        server_url = company.apizee_server_url or const.DEFAULT_SERVER_URL
        return server_url, company.apizee_api_username, company.apizee_api_password

    def _apizee_technical_accounts(self):
        """The company's technical accounts that have a password, the one of
        Settings first, then its pool (``apizee.technical.account``), ordered by the
        calls each made in the current rate-limit window (fewest first, one query).

        :return: a list of ``(server_url, username, password)``
        :raise UserError: when the company's technical account is not set
        """
        server_url, username, password = self._apizee_get_account()
        accounts = [(server_url, username, password)]
        for account in (
            self.env["apizee.technical.account"]
            .sudo()
            .search([("company_id", "=", self.id)])
        ):
            if account.password and account.username != username:
                accounts.append((server_url, account.username, account.password))
        if len(accounts) == 1:
            return accounts
        calls = (
            self.env["apizee.token"]
            .sudo()
            ._recent_call_counts(server_url, [account[1] for account in accounts])
        )
        # sorted() is stable: on a tie, the order of Settings then of the pool
        return sorted(accounts, key=lambda account: calls.get(account[1], 0))

    def _apizee_call(self, method, path, params=None, user=None):
        """Call Apizee's REST API as ``user``'s own Apizee account, else with one of
        the company's technical accounts.

        An agent's clicks spend their own 10 requests a minute ("Rate Limits"), not
        the technical accounts', which are for the work no agent does. The technical
        accounts answer instead when the company says so
        (``apizee_technical_calls_only``), when the agent has no Apizee account of
        their own, or when Apizee refuses theirs (said once in the log).

        :param user: the agent the call is for (``res.users``), or None
        :return: the decoded JSON answer
        :raise ApizeeError: the mapped failure
        """
        self.ensure_one()
        Token = self.env["apizee.token"].sudo()
        account = self._apizee_agent_account(user)
        if account:
            try:
                return Token._call(*account, method, path, params, user=user)
            except ApizeeError as error:
                if error.kind not in AGENT_FALLBACK_KINDS:
                    raise
                if (user.id, error.kind) not in _fallbacks_logged:
                    _fallbacks_logged.add((user.id, error.kind))
                    _logger.warning(
                        "Apizee refused the own account of Odoo user %s (%s): "
                        "calls go through the technical account",
                        user.id,
                        error.kind,
                    )
        return self._apizee_pool_call(
            lambda account: Token._call(*account, method, path, params)
        )

    def _apizee_pool_call(self, send):
        """Run ``send(account)`` with the technical account that has the most room
        left in its rate-limit window; the next one when a window is full.

        When every window is full, a click waits a few seconds for a slot rather than
        fail (at most ``const.CLICK_WAIT_MAX``); background work raises, and its
        queue retries it later.

        :raise ApizeeError: the mapped failure; ``rate_limited`` with the shortest
            wait when every account's window is full
        """
        try:
            return self._apizee_pool_try(send)
        except ApizeeError as error:
            if (
                error.kind != "rate_limited"
                or self.env.context.get("apizee_background")
                or error.retry_after > const.CLICK_WAIT_MAX
            ):
                raise
            time.sleep(error.retry_after)
        return self._apizee_pool_try(send)

    def _apizee_pool_try(self, send):
        """Run ``send(account)`` with each technical account in turn (see
        ``_apizee_technical_accounts``) until one has room in its window.

        :raise ApizeeError: the first failure that is not a full window, else the
            full window that frees up first
        """
        full = []
        for account in self._apizee_technical_accounts():
            try:
                return send(account)
            except ApizeeError as error:
                if error.kind != "rate_limited":
                    raise
                full.append(error)
        raise min(full, key=lambda error: error.retry_after)

    def _apizee_agent_account(self, user):
        """``user``'s own Apizee account, on this company's server, when calls may
        be made with it.

        :return: ``(server_url, username, password)``, or None
        """
        if not user or self.sudo().apizee_technical_calls_only:
            return None
        try:
            return user.with_company(self)._apizee_get_agent_account()
        except (AccessError, UserError):
            return None  # no helpdesk agent, no account, or a technical account

    def _apizee_video_call_paths(self, user):
        """The ways to a video call that the company's settings allow ``user``, in
        the order of ``const.VIDEO_CALL_PATH_ALL``, without I/O.

        :return: a tuple of path keys; "form" always (it needs no account)
        """
        self.ensure_one()
        company = self.sudo()
        rest = bool(
            (company.apizee_api_username and company.apizee_api_password)
            or self._apizee_agent_account(user)
        )
        allowed = {"form"}
        if rest:
            allowed |= {"invite", "room"}
        if company.apizee_company_key:
            allowed.add("panel")
        return tuple(path for path in const.VIDEO_CALL_PATH_ALL if path in allowed)

    def _apizee_webhooks_fresh(self):
        """Whether Apizee's webhooks reached the company within
        ``const.WEBHOOKS_FRESH_MINUTES``: what Odoo stores of its sessions is then up
        to date."""
        self.ensure_one()
        self.env["apizee.webhook.event"].flush_model(["company_id"])
        self.env.cr.execute(
            "SELECT create_date FROM apizee_webhook_event WHERE company_id = %s "
            "ORDER BY id DESC LIMIT 1",
            [self.id],
        )
        row = self.env.cr.fetchone()
        limit = timedelta(minutes=const.WEBHOOKS_FRESH_MINUTES)
        return bool(row and fields.Datetime.now() - row[0] < limit)

    def _apizee_download(self, url, max_bytes=0):
        """Download a file of Apizee with one of the company's technical accounts
        (none is spent on Apizee's media hosts, see ``apizee.token._download``).

        :return: ``(mimetype, content)``
        :raise ApizeeError: the mapped failure
        """
        Token = self.env["apizee.token"].sudo()
        return self._apizee_pool_call(
            lambda account: Token._download(*account, url, max_bytes)
        )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one door to Apizee: every HTTP call of the module goes through
``apizee.client._request``, which maps every failure to one translated
message."""

import logging
import socket
import time
from urllib.parse import urlsplit

import requests

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import human_size
from odoo.tools.translate import LazyTranslate

from .. import const
from ..utils import apizee_urls
from ..utils.apizee_urls import url_origin

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# What the user reads of each kind of failure (``ApizeeError.kind``), translated when
# the error is built (``ApizeeClient._error`` fills the placeholders).
ERROR_MESSAGES = {
    "credentials": _lt(
        "Apizee refused the credentials (HTTP %(status)s). Check the Apizee "
        "technical account (user name and password) in Settings > Helpdesk > "
        "Apizee video assistance."
    ),
    "not_found": _lt(
        "Apizee does not know %(path)s (HTTP 404). Check the Apizee server URL "
        "(%(server)s) in Settings."
    ),
    "rate_limited": _lt(
        "Apizee accepts at most %(count)s requests per minute for this "
        "account. Try again in %(seconds)s seconds."
    ),
    "server": _lt(
        "Apizee had an internal error (HTTP %(status)s). Try again in a few minutes."
    ),
    "unreadable": _lt(
        "Apizee sent an answer Odoo cannot read (HTTP %(status)s). Check the "
        "Apizee server URL (%(server)s) in Settings."
    ),
    "timeout": _lt(
        "Apizee did not answer within %(seconds)s seconds. Try again in a few "
        "minutes."
    ),
    "unreachable": _lt(
        "Apizee could not be reached at %(server)s. Check the Apizee server "
        "URL in Settings and the network of the Odoo server."
    ),
    "tls": _lt(
        "Apizee could not be reached at %(server)s: the secure connection "
        "failed. Check the Apizee server URL in Settings."
    ),
    "busy": _lt(
        "Odoo is busy renewing the Apizee access of this account. Try again "
        "in a few seconds."
    ),
    "agent_account": _lt(
        "Your Apizee account is not set: enter your Apizee user name and "
        "password in your Preferences (tab Apizee)."
    ),
    "agent_credentials": _lt(
        "Apizee refused your Apizee account (HTTP %(status)s). Check your "
        "Apizee user name and password in your Preferences (tab Apizee)."
    ),
    "locked": _lt(
        "Apizee refused your Apizee password too many times: try again in "
        "%(minutes)s min, after checking your Apizee user name and "
        "password in your Preferences (tab Apizee)."
    ),
    "technical_account": _lt(
        "This Apizee account is the company's technical account: it cannot "
        "be an agent's own account. Set your own Apizee account in your "
        "Preferences (tab Apizee)."
    ),
    "too_large": _lt("The file is larger than %(size)s: it was left in Apizee."),
    # Refused by Apizee (an HTTP status); refused by Odoo itself: DOWNLOAD_REFUSED
    "refused": _lt("Apizee refused the request (HTTP %(status)s): %(detail)s"),
}
DOWNLOAD_REFUSED = _lt(
    "Odoo does not download from %(origin)s: only from the Apizee server "
    "or Apizee's media hosts, over https."
)


class ApizeeError(UserError):
    """A failure of a call to Apizee, with a translated message for the user.

    :ivar str kind: ``credentials`` (401/403), ``not_found``, ``rate_limited``,
        ``server`` (5xx), ``unreadable`` (HTML or malformed body), ``timeout``,
        ``unreachable`` (refused connection, DNS, TLS), ``refused`` (other 4xx);
        for an agent's own account: ``agent_account`` (not set),
        ``agent_credentials`` (refused), ``locked`` (too many refusals),
        ``technical_account`` (a technical account used as an agent's)
    :ivar int status: the HTTP status, or 0 when there was no answer
    :ivar int retry_after: seconds to wait, for ``rate_limited``
    """

    def __init__(self, message, kind, status=0, retry_after=0):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


class ApizeeClient(models.AbstractModel):
    _name = "apizee.client"
    _description = "Apizee API client"

    @api.model
    def _request(self, server_url, method, path, params=None, token=None):
        """Call Apizee and return its JSON answer.

        Parameters go in the query string, as Apizee's API takes them. GETs and token
        requests are retried once on a connection error or a 5xx answer; nothing else is
        retried (a POST could create a second session).

        :param str server_url: the normalised server URL (no trailing slash)
        :param str method: ``GET`` or ``POST``
        :param str path: an API path from ``const`` (``/api/...``)
        :param dict params: query parameters
        :param str token: the bearer token, if the call needs one
        :return: the decoded JSON body (``{}`` when empty)
        :raise ApizeeError: on any failure, with a message that holds no secret
        """
        headers = {"User-Agent": const.USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        safe = method == "GET" or path == const.TOKEN_PATH
        response = self._send(
            method, server_url + path, path, safe, params=params, headers=headers
        )
        return self._parse_response(response, server_url, path)

    @api.model
    def _download(self, server_url, url, token=None, max_bytes=0):
        """Download a file of Apizee (a picture or recording of a session).

        Only from the Apizee server itself or Apizee's media hosts
        (``const.MEDIA_HOST_SUFFIXES``, https): a webhook delivery must not make Odoo
        fetch another address. The bearer is sent to the Apizee server only.

        :param str server_url: the normalised server URL
        :param str url: an absolute URL, or a path on the server
        :param str token: the bearer token
        :param int max_bytes: refuse files larger than this (0: no limit)
        :return: ``(mimetype, content)``
        :raise ApizeeError: on any failure; ``too_large`` past ``max_bytes``,
            ``timeout`` past ``const.DOWNLOAD_DEADLINE``
        """
        url = self._check_download_url(server_url, url, resolve=True)
        headers = {"User-Agent": const.USER_AGENT}
        if token and url_origin(url).lower() == url_origin(server_url):
            headers["Authorization"] = f"Bearer {token}"
        path = urlsplit(url).path  # never log a query string: it may be a signature
        deadline = time.monotonic() + const.DOWNLOAD_DEADLINE
        response = self._send("GET", url, path, True, headers=headers, stream=True)
        with response:
            if not 200 <= response.status_code < 300:
                # An error page is read within a small limit, then mapped
                response._content = next(response.iter_content(64 * 1024), b"")
                return self._parse_response(response, server_url, path)
            declared = response.headers.get("Content-Length", "")
            if max_bytes and declared.isdigit() and int(declared) > max_bytes:
                raise self._error("too_large", 0, detail=str(max_bytes))
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if max_bytes and size > max_bytes:
                        raise self._error("too_large", 0, detail=str(max_bytes))
                    if time.monotonic() > deadline:
                        raise self._error("timeout", 0)
                    chunks.append(chunk)
            except requests.exceptions.RequestException as error:
                raise self._transport_error(error, server_url) from None
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        return mimetype.lower(), b"".join(chunks)

    @api.model
    def _check_download_url(self, server_url, url, resolve=False):
        """The absolute URL of a file Odoo may download from Apizee.

        The host is the one the HTTP library will connect to
        (``apizee_urls.allowed_download``: any URL that parsers could read two ways is
        refused); with ``resolve``, its addresses are checked too
        (``_check_download_host``).

        :param str server_url: the normalised server URL
        :param str url: an absolute URL, or a path on the server
        :param bool resolve: also resolve the host and check its addresses
        :return: ``url``, made absolute when it is a path on the server
        :raise ApizeeError: ``refused`` for any other address; with ``resolve``,
            ``unreachable`` when the host does not resolve
        """
        if not isinstance(url, str):
            raise self._error("refused", 0)
        if url.startswith("/") and not url.startswith("//"):
            url = server_url + url
        parts = apizee_urls.allowed_download(server_url, url)
        if not parts:
            raise self._error("refused", 0, detail=apizee_urls.printable_origin(url))
        if resolve:
            self._check_download_host(server_url, parts)
        return url

    @api.model
    def _check_download_host(self, server_url, parts):
        """Resolve the host of a download and refuse it unless every address is on
        the public internet (defence in depth: a name of Apizee's media hosts must not
        lead Odoo to an internal address). The one exception: when the Apizee server
        is on the loopback interface (a stand-in: tests, demo), a loopback host name
        may be downloaded from, if every address is loopback.

        The HTTP library resolves the name again when it connects.

        :param str server_url: the normalised server URL
        :param parts: the ``apizee_urls.DownloadUrl`` to download from
        :raise ApizeeError: ``unreachable`` when the host does not resolve,
            ``refused`` when an address is not allowed
        """
        server = apizee_urls.read_download_url(server_url)
        loopback = bool(server) and {server.host, parts.host} <= set(
            const.LOOPBACK_HOSTS
        )
        origin = apizee_urls.download_origin(parts)
        port = parts.port or apizee_urls.DEFAULT_PORTS[parts.scheme]
        try:
            infos = socket.getaddrinfo(parts.host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:  # socket.gaierror is an OSError
            _logger.warning(
                "Apizee media host %r does not resolve: %r", parts.host, error
            )
            raise self._error("unreachable", 0, server_url=origin) from None
        addresses = sorted({str(info[4][0]) for info in infos})
        allowed = (
            apizee_urls.is_loopback_address
            if loopback
            else apizee_urls.is_public_address
        )
        refused = [address for address in addresses if not allowed(address)]
        if refused or not addresses:
            _logger.warning(
                "Apizee media host %r refused: it resolves to %r", parts.host, refused
            )
            raise self._error("refused", 0, detail=origin)

    @api.model
    def _send(self, method, url, path, safe, **kwargs):
        """Send one request, retried once on a connection error or a 5xx answer when
        ``safe``; return the response, whatever its status.

        :param str path: what the logs show of the URL (no query string)
        :raise ApizeeError: when no answer came
        """
        attempts = const.RETRY_ATTEMPTS if safe else 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = requests.request(
                    method,
                    url,
                    timeout=(const.CONNECT_TIMEOUT, const.READ_TIMEOUT),
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.exceptions.RequestException as error:
                # Never log `error` itself: its text holds the URL, query string
                # included (the password of a token request).
                _logger.warning(
                    "Apizee %s %s failed (attempt %s/%s): %s",
                    method,
                    path,
                    attempt,
                    attempts,
                    type(error).__name__,
                )
                failure = self._transport_error(error, url_origin(url))
                if attempt < attempts:
                    time.sleep(const.RETRY_BACKOFF * attempt)
                    continue
                raise failure from None
            _logger.info(
                "Apizee %s %s -> %s in %.0f ms",
                method,
                path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            if response.status_code >= 500 and attempt < attempts:
                response.close()
                time.sleep(const.RETRY_BACKOFF * attempt)
                continue
            return response

    @api.model
    def _parse_response(self, response, server_url, path):
        """Decode an answer of Apizee, or raise the mapped error.

        Both error shapes are read: ``{"error": …}`` (rate limit) and
        ``{"code", "message", "details"}``; HTML pages from proxies are recognised.

        :return: the decoded JSON body
        :raise ApizeeError: for any answer that is not a 2xx JSON object
        """
        status = response.status_code
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if 200 <= status < 300:
            if not isinstance(body, dict | list):
                raise self._error("unreadable", status, server_url=server_url)
            return body
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("message") or body.get("error") or "")[:200]
        if status in (401, 403) or (status == 400 and path == const.TOKEN_PATH):
            # OAuth-style token endpoints answer 400 (invalid_grant) to bad passwords
            raise self._error("credentials", status, server_url=server_url)
        if status == 404:
            raise self._error("not_found", status, server_url=server_url, path=path)
        if status == 429:
            retry_after = retry_after_seconds(response.headers)
            raise self._error("rate_limited", status, retry_after=retry_after)
        if status >= 500:
            kind = "server" if body is not None else "unreadable"
            raise self._error(kind, status, server_url=server_url)
        if body is None:
            raise self._error("unreadable", status, server_url=server_url)
        raise self._error("refused", status, detail=detail)

    @api.model
    def _transport_error(self, error, server_url):
        """Map an exception of ``requests`` (no answer at all) to an ``ApizeeError``."""
        if isinstance(error, requests.exceptions.Timeout) and not isinstance(
            error, requests.exceptions.ConnectTimeout
        ):
            return self._error("timeout", 0)
        if isinstance(error, requests.exceptions.SSLError):
            return self._error("tls", 0, server_url=server_url)
        return self._error("unreachable", 0, server_url=server_url)

    @api.model
    def _error(self, kind, status, server_url="", path="", detail="", retry_after=0):
        """Build the ``ApizeeError`` of a failure ``kind``, its message
        (``ERROR_MESSAGES``) in the user's language.

        :param str kind: a key of ``ERROR_MESSAGES``
        :param int status: the HTTP status, or 0 when there was no answer
        :param str server_url: the origin that was called, shown in the message
        :param str path: the API path that was called
        :param str detail: Apizee's reason for a refusal; the origin Odoo refused to
            download from (``refused`` without a status); the size limit in bytes
            (``too_large``)
        :param int retry_after: seconds to wait (``rate_limited``, ``locked``)
        :return: the error, to raise
        """
        message = ERROR_MESSAGES[kind]
        values = {
            "status": status,
            "server": server_url,
            "path": path.split("?")[0],
            "count": const.RATE_LIMIT_CALLS,
            # The wait Apizee asked for, or how long Odoo waited for an answer
            "seconds": retry_after if kind == "rate_limited" else const.READ_TIMEOUT,
            "minutes": max(1, round(retry_after / 60)),
        }
        if kind == "too_large":
            values["size"] = human_size(int(detail or 0))
        elif kind == "refused" and status:
            values["detail"] = detail or self.env._("no reason given")
        elif kind == "refused":
            # Refused by Odoo itself, before any request: an address it must not reach
            message = DOWNLOAD_REFUSED
            values["origin"] = detail or self.env._("this address")
        return ApizeeError(self.env._(message) % values, kind, status, retry_after)


def retry_after_seconds(headers):
    """Seconds to wait after Apizee's rate limit (its ``X-RateLimit-Reset`` header,
    "Rate Limits" page), 60 when it is missing or unreadable."""
    try:
        return max(1, int(headers.get("X-RateLimit-Reset", 60)))
    except ValueError:
        return 60

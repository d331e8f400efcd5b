# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Builders of Apizee URLs: pure functions, no ORM and no network."""

import json
from urllib.parse import urlencode, urlsplit, urlunsplit

from .. import const


class ServerUrlError(ValueError):
    """A server URL that cannot be used; ``code`` says why (see
    ``normalize_server_url``)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def normalize_server_url(url):
    """Check an Apizee server URL and return it in canonical form.

    The scheme and host are lower-cased and trailing slashes removed, so that paths
    can be appended with a single ``/``.

    :param str url: the URL typed by an administrator
    :return: ``https://host[:port][/path]`` without trailing slash (``http://`` is
        accepted for the loopback interface only: a local stand-in server)
    :raise ServerUrlError: ``empty``, ``scheme`` (not https), ``host`` (no host name),
        ``credentials`` (user:password@ in the URL) or ``query`` (query or fragment)
    """
    url = (url or "").strip()
    if not url:
        raise ServerUrlError("empty")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as error:
        raise ServerUrlError("host") from error
    scheme = parts.scheme.lower()
    if not parts.hostname:
        raise ServerUrlError("host" if scheme in ("http", "https") else "scheme")
    loopback = parts.hostname.lower() in const.LOOPBACK_HOSTS
    if scheme != "https" and not (scheme == "http" and loopback):
        raise ServerUrlError("scheme")
    if parts.username or parts.password:
        raise ServerUrlError("credentials")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ServerUrlError("query")
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    if ":" in parts.hostname:  # IPv6
        netloc = f"[{parts.hostname.lower()}]" + (f":{port}" if port else "")
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def truncate_reference(reference):
    """Cut a reference to what Apizee displays (its limit, see ``const``)."""
    return (reference or "").strip()[: const.REFERENCE_MAX_LENGTH]


def build_quick_invitation_url(
    server_url,
    service_key=None,
    reference=None,
    phone_numbers=(),
    email_addresses=(),
    read_only_service=False,
    read_only_recipients=False,
):
    """Build the URL of Apizee's quick-invitation form.

    Follows Apizee's parameter list: the reference is only meaningful with a preselected
    service, so it is sent only with one; a lock is sent only when there is something to
    lock (a service, recipients), otherwise the agent would face an empty locked field.
    Every value is URL-encoded: a value holding ``&``, ``#``, ``=``, ``+`` or spaces
    cannot add or break parameters.

    :param str server_url: the normalised server URL (see ``normalize_server_url``)
    :param str service_key: key of the service to preselect, or None
    :param str reference: the client reference (truncated to Apizee's limit)
    :param phone_numbers: phone numbers, already normalised
    :param email_addresses: email addresses, already checked
    :param bool read_only_service: lock the service dropdown
    :param bool read_only_recipients: lock the recipients field
    :return: the absolute URL
    """
    params = []
    reference = truncate_reference(reference)
    if service_key and reference:
        params.append((const.PARAM_REFERENCE, reference))
    if service_key:
        params.append((const.PARAM_SERVICE_KEY, service_key))
    if phone_numbers:
        params.append((const.PARAM_PHONE_NUMBERS, ",".join(phone_numbers)))
    if email_addresses:
        params.append((const.PARAM_EMAIL_ADDRESSES, ",".join(email_addresses)))
    if read_only_service and service_key:
        params.append((const.PARAM_READ_ONLY_SERVICE, "true"))
    if read_only_recipients and (phone_numbers or email_addresses):
        params.append((const.PARAM_READ_ONLY_RECIPIENTS, "true"))
    url = server_url.rstrip("/") + const.QUICK_INVITATION_PATH
    if params:
        # Commas stay readable as Apizee's list separator; everything else is escaped.
        url += "?" + urlencode(params, safe=",@")
    return url


def build_agent_app_url(
    app_url, company_key, conversation, phone=None, lang=None, reference=None
):
    """Build the URL of Apizee's agent app for one ticket (``iK``, ``cN``, ``gP``,
    ``l``, ``eR``), every value URL-encoded.

    :param str app_url: the agent app's URL (normalised, may end with ``/``)
    :param str company_key: the company identification key (``iK``)
    :param str conversation: a conversation name unique and stable per ticket (``cN``)
    :param str phone: the guest's phone in E.164 (``gP``), or None
    :param str lang: ``fr`` or ``en`` (``l``), or None
    :param str reference: the ticket number, tied to the interaction through ``eR``
    :return: the absolute URL
    """
    params = [("iK", company_key), ("cN", conversation)]
    if phone:
        params.append(("gP", phone))
    if lang:
        params.append(("l", lang))
    if reference:
        records = [{"name": const.AGENT_APP_RECORD_NAME, "reference": reference}]
        params.append(("eR", json.dumps(records, separators=(",", ":"))))
    base = app_url if app_url.endswith("/") else app_url + "/"
    return base + "?" + urlencode(params)


def url_origin(url):
    """``scheme://host[:port]`` of ``url``, as ``window.postMessage`` reports it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_download_url(url):
    """Whether Odoo may download ``url``: https, or http on the loopback interface (a
    local stand-in server), with a host and no credentials in it."""
    try:
        parts = urlsplit(url or "")
        hostname = (parts.hostname or "").lower()
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    if not hostname or parts.username or parts.password or port == 0:
        return False
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and hostname in const.LOOPBACK_HOSTS)

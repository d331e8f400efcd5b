# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Builders of Apizee URLs: pure functions, no ORM and no network."""

import ipaddress
import json
import re
import unicodedata
from collections import namedtuple
from urllib.parse import unquote_to_bytes, urlencode, urlsplit, urlunsplit

import idna
from requests.exceptions import RequestException
from requests.models import PreparedRequest
from urllib3.util import parse_url

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
    :raise ServerUrlError: ``empty``, ``scheme`` (not https), ``host`` (no host name;
        or ``\\``, white space or control characters in the URL, ``%`` or a non-ASCII
        character in its host: type an IDN host in its ``xn--`` form),
        ``credentials`` (user:password@ in the URL) or ``query`` (query or fragment)
    """
    url = (url or "").strip()
    if not url:
        raise ServerUrlError("empty")
    start = _URL_START.fullmatch(url)
    host_port = start.group(2).rpartition("@")[2] if start else ""
    if has_unsafe_characters(url) or not host_port.isascii() or "%" in host_port:
        # What urlsplit drops or keeps in the host (tabs, "\\", "%", non-ASCII
        # letters) the HTTP library and browsers read otherwise
        raise ServerUrlError("host")
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
    if not _read_alike(url, DownloadUrl(scheme, _host_key(parts.hostname), port)):
        raise ServerUrlError("host")
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
    """``scheme://netloc`` of ``url``, as written in it (see ``browser_origin`` for the
    origin a browser gives it)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- Reading URLs as the HTTP library and browsers do ---------------------------------

# Ports a scheme implies (WHATWG URL's special schemes, "file" aside).
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

# scheme "://" authority, then the path, query and fragment. The authority ends at the
# first "/", "?" or "#" for urlsplit; the HTTP library (urllib3) and browsers also end
# it at "\\", which is therefore refused everywhere.
_URL_START = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)", re.DOTALL)
# host [":" port] of a download URL, lower-cased: a host name, a dotted IPv4 address or
# a bracketed IPv6 address, and a port without leading zero. No "@" (credentials), no
# "%" (encoded bytes, IPv6 zones), no "_" nor any other character.
_HOST_PORT = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([1-9][0-9]{0,4}))?")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Dot-separated labels; no empty label, so no leading or trailing dot.
_HOST_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")
# A last label resolvers read as (part of) an IPv4 address: 127.1, 0x7f.1, 2130706433.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
# NAT64's well-known prefix: the last 32 bits are the IPv4 address reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

DownloadUrl = namedtuple("DownloadUrl", "scheme host port")
DownloadUrl.__doc__ = """A URL as Odoo will connect to it: ``scheme`` (http or https),
``host`` (lower-case; an IPv6 address compressed, without brackets) and ``port`` (None
when the URL names none: the scheme's default)."""


def has_unsafe_characters(text):
    """Whether ``text`` holds a backslash, white space or a control or format character
    (C0, DEL, C1, zero-width and bidirectional marks): characters that parsers drop,
    keep or read as ``/`` each in their own way."""
    return "\\" in text or any(
        char.isspace() or unicodedata.category(char) in ("Cc", "Cf") for char in text
    )


def _checked_host(host):
    """``host`` (lower-case) if it is a plain host name, a dotted-decimal IPv4 address
    or a bracketed IPv6 address (returned compressed, without brackets); else None."""
    if host.startswith("["):
        try:
            return str(ipaddress.IPv6Address(host[1:-1]))
        except ValueError:
            return None
    if len(host) > 253 or not _HOST_NAME.fullmatch(host):
        return None
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        # An IPv4 address: only in its dotted-decimal form, not in the short, octal or
        # hexadecimal forms that resolvers also accept (127.1, 0177.0.0.1, 0x7f000001)
        try:
            return host if str(ipaddress.IPv4Address(host)) == host else None
        except ValueError:
            return None
    return host


def _host_key(host):
    """A host as a parser reports it, in ``DownloadUrl`` form (IPv6 compressed, without
    brackets), for comparison; None when it has none or an invalid one."""
    host = (host or "").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    return host or None


def _read_alike(url, expected):
    """Whether urlsplit, urllib3 (which the HTTP library connects with) and the HTTP
    library's own preparation of ``url`` all read the scheme, host and port of
    ``expected``, with no credentials."""
    try:
        split = urlsplit(url)
        readings = [
            (split.scheme, split.hostname, split.port, split.username or split.password)
        ]
        for text in (url, _prepared_url(url)):
            lib = parse_url(text)
            readings.append((lib.scheme, lib.host, lib.port, lib.auth))
    except (ValueError, RequestException):  # urllib3's parse errors are ValueErrors
        return False
    return all(
        (scheme or "").lower() == expected.scheme
        and _host_key(host) == expected.host
        and port == expected.port
        and not auth
        for scheme, host, port, auth in readings
    )


def _prepared_url(url):
    """``url`` as the HTTP library sends it (``requests.PreparedRequest``)."""
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url


def read_download_url(url):
    """Read ``url`` as Odoo's HTTP library will connect to it, or refuse it.

    Only a plain URL is read: ``http`` or ``https``, then ``://`` and a host name
    (ASCII letters, digits, hyphens; a trailing dot is refused rather than normalised),
    a dotted-decimal IPv4 address or a bracketed IPv6 address, and an optional port
    (1 to 65535, no leading zero). Refused: credentials (``user@``), ``%`` or any
    non-ASCII character in the host (encoded bytes, IDN, full-width dots), ``\\``, white
    space and control characters anywhere, and any URL that urlsplit, urllib3 and
    ``requests``' preparation of it do not all read the same way.

    Pure: no network, no name resolution.

    :param str url: an absolute URL
    :return: its ``DownloadUrl``, or None when it is refused
    """
    if not isinstance(url, str) or has_unsafe_characters(url):
        return None
    start = _URL_START.fullmatch(url)
    if not start or start.group(1).lower() not in ("http", "https"):
        return None
    authority = start.group(2)
    host_port = _HOST_PORT.fullmatch(authority.lower()) if authority.isascii() else None
    if not host_port:
        return None
    port = int(host_port.group(2)) if host_port.group(2) else None
    host = _checked_host(host_port.group(1))
    if not host or (port is not None and port > 65535):
        return None
    parts = DownloadUrl(start.group(1).lower(), host, port)
    return parts if _read_alike(url, parts) else None


def is_download_url(url):
    """Whether Odoo may download ``url`` at all: a URL ``read_download_url`` reads, on
    https, or on http on the loopback interface (a local stand-in server)."""
    parts = read_download_url(url)
    return bool(parts) and (
        parts.scheme == "https" or parts.host in const.LOOPBACK_HOSTS
    )


def download_origin(parts):
    """``scheme://host[:port]`` of a ``DownloadUrl`` (IPv6 in brackets)."""
    host = f"[{parts.host}]" if ":" in parts.host else parts.host
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def same_origin(first, second):
    """Whether two ``DownloadUrl`` are on the same origin (a default port written out
    or left implicit is the same port)."""
    return (first.scheme, first.host, first.port or DEFAULT_PORTS[first.scheme]) == (
        second.scheme,
        second.host,
        second.port or DEFAULT_PORTS[second.scheme],
    )


def allowed_download(server_url, url):
    """Where Odoo may download the file of a media URL from, before resolution.

    Allowed: the origin of the Apizee server itself; Apizee's media hosts
    (``const.MEDIA_HOST_SUFFIXES``) over https; and, when the Apizee server is on the
    loopback interface (a stand-in: tests, demo), the loopback interface. The host is
    the one ``read_download_url`` reads, which the HTTP library connects to.

    :param str server_url: the normalised Apizee server URL
    :param str url: an absolute URL
    :return: the ``DownloadUrl`` of ``url``, or None when it is refused
    """
    if not is_download_url(url):
        return None
    parts = read_download_url(url)
    server = read_download_url(server_url)
    if server and same_origin(parts, server):
        return parts
    if parts.scheme == "https" and parts.host.endswith(const.MEDIA_HOST_SUFFIXES):
        return parts
    if server and server.host in const.LOOPBACK_HOSTS:
        return parts if parts.host in const.LOOPBACK_HOSTS else None
    return None


def _embedded_ipv4(address):
    """The IPv4 addresses an IPv6 ``address`` reaches or carries (mapped, 6to4,
    NAT64)."""
    if address.version != 6:
        return []
    found = [address.ipv4_mapped, address.sixtofour]
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [each for each in found if each]


def is_public_address(text):
    """Whether the resolved address ``text`` is on the public internet: not private,
    loopback, link-local, multicast, reserved, unspecified nor otherwise not global,
    nor an IPv6 address carrying such an IPv4 address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return all(
        each.is_global
        and not (
            each.is_private
            or each.is_loopback
            or each.is_link_local
            or each.is_multicast
            or each.is_reserved
            or each.is_unspecified
        )
        for each in [address, *_embedded_ipv4(address)]
    )


def webhook_url_problem(url):
    """Why Apizee's servers could not deliver webhooks to ``url`` (Odoo's base URL
    plus the route), read as urllib3 reads it, without I/O (no name is resolved).

    :return: ``"not_https"``, ``"not_public"`` (a loopback or private address, a
        local or single-label name) or None
    """
    try:
        parts = parse_url(url or "")
    except ValueError:
        return "not_public"
    if (parts.scheme or "").lower() != "https":
        return "not_https"
    host = (parts.host or "").strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if "." not in host or host.endswith((".localhost", ".local", ".internal")):
            return "not_public"
        return None
    return None if is_public_address(host) else "not_public"


def is_loopback_address(text):
    """Whether the resolved address ``text`` is on the loopback interface."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if address.version == 6 else None
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def printable_origin(url):
    """``url_origin(url)`` for a message: never an exception, at most 100 characters,
    every unprintable character shown as ``?``."""
    try:
        origin = url_origin(url) if isinstance(url, str) else ""
    except ValueError:
        origin = ""
    return "".join(char if char.isprintable() else "?" for char in origin[:100])


# -- The origin a browser gives a URL ------------------------------------------------

# WHATWG URL: characters a host may not hold (after percent-decoding); what is
# stripped around a URL, and removed inside it.
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20\x7f#%/:<>?@\[\\\]^|]")


def _whatwg_number(text):
    """A part of an IPv4 address as browsers read it (decimal, 0x hex, 0 octal), or
    None."""
    base = 10
    if text[:2] in ("0x", "0X"):
        text, base = text[2:], 16
    elif len(text) > 1 and text.startswith("0"):
        text, base = text[1:], 8
    if not text:
        return 0
    try:
        return int(text, base) if text.isascii() and text.isalnum() else None
    except ValueError:
        return None


def _whatwg_ipv4(host):
    """WHATWG's IPv4 parser: ``(is_ipv4, dotted)``; ``dotted`` None when the host ends
    in a number but is no valid address (the browser refuses the URL)."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    last = parts[-1]
    if not (last.isascii() and last.isdigit()) and (
        last[:2] not in ("0x", "0X") or _whatwg_number(last) is None
    ):
        return False, None
    numbers = [_whatwg_number(part) if part else None for part in parts]
    if len(parts) > 4 or None in numbers or any(n > 255 for n in numbers[:-1]):
        return True, None
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        return True, None
    value = sum(n * 256 ** (3 - i) for i, n in enumerate(numbers[:-1])) + numbers[-1]
    return True, str(ipaddress.IPv4Address(value))


def _whatwg_ipv6(text):
    """WHATWG's serialisation of an IPv6 address (hexadecimal pieces, the first
    longest run of two or more zero pieces compressed), or None."""
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if address.scope_id:
        return None
    pieces = [int(piece, 16) for piece in address.exploded.split(":")]
    best_start, best_length, start = -1, 1, None
    for index, piece in enumerate([*pieces, 1]):
        if piece == 0 and start is None:
            start = index
        elif piece != 0 and start is not None:
            if index - start > best_length:
                best_start, best_length = start, index - start
            start = None
    hexes = [f"{piece:x}" for piece in pieces]
    if best_start < 0:
        return ":".join(hexes)
    head = ":".join(hexes[:best_start])
    tail = ":".join(hexes[best_start + best_length :])
    return f"{head}::{tail}"


def _whatwg_domain(host):
    """WHATWG's domain to ASCII (UTS #46, non-transitional, as browsers do), or
    None."""
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        labels = [
            label if label.isascii() else "xn--" + label.encode("punycode").decode()
            for label in mapped.split(".")
        ]
    except (idna.IDNAError, UnicodeError):
        return None
    ascii_host = ".".join(labels)
    if not ascii_host or _FORBIDDEN_HOST.search(ascii_host):
        return None
    is_ipv4, dotted = _whatwg_ipv4(ascii_host)
    return dotted if is_ipv4 else ascii_host


def browser_origin(url):
    """The origin a browser gives ``url`` (WHATWG URL's ``origin``), as
    ``MessageEvent.origin`` reports the messages of a page at that address.

    For http(s) and the other special schemes: the scheme and host lower-cased,
    credentials left out, the host percent-decoded and converted to ASCII (IDNA,
    full-width dots read as dots, short or hexadecimal IPv4 forms written out), IPv6 in
    brackets, the scheme's default port dropped; ``\\`` read as ``/``, tabs and newlines
    removed.

    :param str url: an absolute URL
    :return: ``scheme://host[:port]``, or ``""`` when a browser would give no usable
        origin (an opaque one, serialised ``null``, or a URL it refuses): never equal
        to an ``event.origin``
    """
    text = _TAB_NEWLINE.sub("", (url or "").strip(_C0_AND_SPACE))
    start = re.fullmatch(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", text, re.DOTALL)
    if not start or start.group(1).lower() not in DEFAULT_PORTS:
        return ""
    scheme = start.group(1).lower()
    # Special schemes: any run of "/" and "\\" leads to the authority, which ends at
    # the first "/", "\\", "?" or "#"; credentials end at its last "@"
    rest = start.group(2).replace("\\", "/").lstrip("/")
    authority = re.match(r"[^/?#]*", rest).group(0).rpartition("@")[2]
    host, port = _whatwg_host_port(authority)
    if not host or not port.isascii() or not (port.isdigit() or not port):
        return ""
    if port and int(port) > 65535:
        return ""
    if port and int(port) != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{int(port)}"
    return f"{scheme}://{host}"


def _whatwg_host_port(authority):
    """``(host, port)`` of an authority without credentials, the host serialised as
    browsers do (None when they refuse it), the port as written."""
    if authority.startswith("["):
        inside, bracket, port = authority[1:].partition("]")
        address = _whatwg_ipv6(inside) if bracket else None
        if port and not port.startswith(":"):
            return None, ""
        return (f"[{address}]" if address else None), port[1:]
    host, _colon, port = authority.partition(":")
    try:
        decoded = unquote_to_bytes(host).decode()
    except UnicodeError:
        return None, port
    return (_whatwg_domain(decoded) if decoded else None), port

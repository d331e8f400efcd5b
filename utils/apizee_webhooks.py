# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Readers of Apizee's webhook deliveries: pure functions, no ORM and no network."""

import hashlib
import json
import mimetypes
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from .. import const
from .apizee_answers import dig, parse_datetime

# Apizee times outside these bounds are read as no time at all.
MIN_TIME = datetime(2010, 1, 1)
MAX_AHEAD = timedelta(days=1)


# Apizee's own hosts (``const.MEDIA_HOST_SUFFIXES``): room links of webhooks may point
# there too.
ROOM_HOST_SUFFIXES = const.MEDIA_HOST_SUFFIXES
# A host name as a room link may spell it: ASCII letters, digits, dots, hyphens (an
# IPv6 address of a loopback stand-in: hex digits and colons).
_HOST_RE = re.compile(r"[a-z0-9.\-]+|[0-9a-f:]+")


class DeliveryError(ValueError):
    """A body that is no webhook delivery at all, or that cannot be stored (answered
    400); ``code`` says why: ``json`` (no JSON object in UTF-8) or ``text`` (a string
    holds a NUL character or a lone surrogate, which PostgreSQL cannot store)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def parse_delivery(raw):
    """Decode a delivery's body.

    :param bytes raw: the request body
    :return: ``(payload, digest)``: the JSON object, and the SHA-256 of its canonical
        form (sorted keys), which is the same for the same delivery sent twice
    :raise DeliveryError: when the body is not a JSON object in UTF-8 (``json``), or
        when one of its strings, keys included, holds a NUL character or a lone
        surrogate (``text``: no column could store it, no search could match it)
    """
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise DeliveryError("json") from error
    if not isinstance(payload, dict):
        raise DeliveryError("json")
    if not _storable(payload):
        raise DeliveryError("text")
    try:
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError) as error:  # nested as deep as json allows
        raise DeliveryError("json") from error
    return payload, hashlib.sha256(canonical.encode()).hexdigest()


def _storable(payload):
    """Whether every string of ``payload`` (keys included) can be stored in a
    PostgreSQL text column: no NUL character, valid Unicode (no lone surrogate).

    Iterative: a delivery may be nested as deeply as ``json`` allows.
    """
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if "\x00" in value:
                return False
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def pick(data, keys):
    """The first value found in ``data`` under one of ``keys`` that is not empty.

    :param keys: names; a tuple is a path into nested objects
    :return: the value, or None
    """
    for key in keys:
        value = dig(data, key)
        if value not in (None, "", [], {}) and not isinstance(value, dict | list):
            return value
    return None


def parse_time(value):
    """Naive UTC datetime of an Apizee time: unix seconds, unix milliseconds or ISO
    8601 text.

    :return: a ``datetime``, or None when unreadable
    """
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()[:20])
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            if value > 10**11:  # milliseconds: 10**11 s is in the year 5138
                value = value / 1000  # OverflowError for an int like 10**400
        except OverflowError:
            return None
    moment = parse_datetime(value)
    if not moment or not (MIN_TIME <= moment <= _utcnow() + MAX_AHEAD):
        return None  # a time this far off would block every later update
    # Whole seconds, as Odoo stores them: the order of two events of the same second
    # is then decided by the state they imply, not by a lost fraction.
    return moment.replace(microsecond=0)


def delivery_fields(payload):
    """What the webhook list shows of a delivery, read without trusting its shape.

    :param dict payload: a decoded delivery (event, time, object, objectId, props:
        https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/webhooks)
    :return: a dict with ``event``, ``object``, ``object_id``, ``event_name``,
        ``session_ref`` (the Apizee id of the session it belongs to) and
        ``apizee_time`` (None where absent)
    """
    props = payload.get("props")
    props = props if isinstance(props, dict) else {}
    object_id = payload.get("objectId")
    if object_id in (None, ""):
        object_id = props.get("id")
    event_name = props.get("eventName")
    if payload.get("object") == const.WEBHOOK_OBJECT_TICKET:
        session_ref = object_id
    else:
        session_ref = pick(props, const.WEBHOOK_SESSION_KEYS)
    return {
        "session_ref": _short(session_ref),
        "event": _short(payload.get("event")),
        "object": _short(payload.get("object")),
        "object_id": _short(object_id),
        "event_name": _short(event_name),
        "apizee_time": parse_time(payload.get("time"))
        or parse_time(props.get("timestamp")),
    }


def is_room_url(url, server_url):
    """Whether a webhook may set a session's room link to ``url``: https on the host of
    the company's Apizee server or on Apizee's own hosts (``*.apizee.com``); for a
    stand-in server on the loopback interface, its host (http too).

    The host is read strictly, so that no parser reads another one: no credentials,
    no ``%``, backslash, whitespace, control or non-ASCII character anywhere.

    :param str url: a link of the delivery
    :param str server_url: the company's Apizee server URL (normalised)
    :return: bool
    """
    if not isinstance(url, str) or not url.isascii():
        return False
    if any(char <= " " or char in "\\\x7f" for char in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
        server = urlsplit(server_url or "")
        server_port = server.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    server_host = (server.hostname or "").lower()
    scheme = parts.scheme.lower()
    if "@" in parts.netloc or "%" in parts.netloc or port == 0:
        return False
    if not host or not _HOST_RE.fullmatch(host):
        return False
    if server_host in const.LOOPBACK_HOSTS and host == server_host:
        return scheme in ("http", "https")
    if scheme != "https":
        return False
    if host.endswith(ROOM_HOST_SUFFIXES):
        return True
    default = 443 if server.scheme.lower() == "https" else 80
    return host == server_host and (port or 443) == (server_port or default)


def media_extension(mimetype):
    """A file extension for a media type (``.jpg`` for JPEG pictures)."""
    if mimetype == "image/jpeg":
        return ".jpg"
    return mimetypes.guess_extension(mimetype or "") or ".bin"


def _short(value, size=64):
    if value in (None, "") or isinstance(value, dict | list | bool):
        return None
    return str(value)[:size]


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)

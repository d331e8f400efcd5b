# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Readers of Apizee's webhook deliveries: pure functions, no ORM and no network."""

import hashlib
import json
import mimetypes
from datetime import datetime, timedelta, timezone

from .. import const
from .apizee_answers import dig, parse_datetime

# Apizee times outside these bounds are read as no time at all.
MIN_TIME = datetime(2010, 1, 1)
MAX_AHEAD = timedelta(days=1)


class DeliveryError(ValueError):
    """A body that is no webhook delivery at all (answered 400)."""


def parse_delivery(raw):
    """Decode a delivery's body.

    :param bytes raw: the request body
    :return: ``(payload, digest)``: the JSON object, and the SHA-256 of its canonical
        form (sorted keys), which is the same for the same delivery sent twice
    :raise DeliveryError: when the body is not a JSON object in UTF-8
    """
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise DeliveryError("not JSON") from error
    if not isinstance(payload, dict):
        raise DeliveryError("not a JSON object")
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return payload, hashlib.sha256(canonical.encode()).hexdigest()


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
        value = int(value[:20])
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value > 10**11:  # milliseconds: 10**11 s is in the year 5138
            value = value / 1000
    moment = parse_datetime(value)
    if not moment or not (MIN_TIME <= moment <= _utcnow() + MAX_AHEAD):
        return None  # a time this far off would block every later update
    # Whole seconds, as Odoo stores them: the order of two events of the same second
    # is then decided by the state they imply, not by a lost fraction.
    return moment.replace(microsecond=0)


def delivery_fields(payload):
    """What the webhook list shows of a delivery, read without trusting its shape.

    :param dict payload: a decoded delivery (§8: event, time, object, objectId, props)
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

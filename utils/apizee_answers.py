# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Readers of Apizee's answers: pure functions, no ORM and no network."""

from datetime import datetime, timezone


def first_url(answer, keys):
    """The first http(s) URL found in ``answer`` under one of ``keys``.

    :param dict answer: decoded JSON
    :param keys: names; a tuple is a path into nested objects
    :return: the URL, or None
    """
    for key in keys:
        value = dig(answer, key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return None


def dig(data, key):
    """The value of ``data`` under ``key``; a tuple is a path into nested objects.

    :return: the value, or None when a step is missing or not an object
    """
    value = data
    for part in key if isinstance(key, tuple) else (key,):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def parse_datetime(value):
    """Naive UTC datetime (as Odoo stores them) from Apizee's ISO 8601 text or unix
    time.

    :return: a ``datetime``, or None when ``value`` is empty or unreadable
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            moment = datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment

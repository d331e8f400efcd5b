# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Normalisation of invitation recipients: pure functions, no ORM and no network."""

import re
from collections import namedtuple

import email_validator
import phonenumbers

from .. import const

#: One entry of the recipients list. ``value`` is what is sent to Apizee (E.164 phone or
#: normalised email) when the entry is valid; ``error`` is None or a code:
#: ``phone_unreadable``, ``phone_invalid``, ``email_invalid``.
Recipient = namedtuple("Recipient", ["kind", "raw", "value", "error"])


def split_recipients(text):
    """Split what an agent typed into entries (commas, semicolons or new lines).

    :param str text: free text
    :return: list of non-empty stripped entries, duplicates removed, order kept
    """
    entries = []
    for entry in re.split(const.RECIPIENT_SEPARATORS, text or ""):
        entry = entry.strip()
        if entry and entry not in entries:
            entries.append(entry)
    return entries


def normalize_phone(raw, region=None):
    """Normalise one phone number to E.164.

    :param str raw: the number as typed (national or international form)
    :param str region: ISO country code used for national numbers (e.g. ``FR``), or None
    :return: a ``Recipient`` of kind ``phone``
    """
    try:
        number = phonenumbers.parse(raw, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return Recipient("phone", raw, None, "phone_unreadable")
    if not phonenumbers.is_valid_number(number):
        return Recipient("phone", raw, None, "phone_invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Recipient("phone", raw, e164, None)


def normalize_email(raw):
    """Check the syntax of one email address (no DNS look-up).

    :param str raw: the address as typed
    :return: a ``Recipient`` of kind ``email``
    """
    try:
        checked = email_validator.validate_email(raw, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return Recipient("email", raw, None, "email_invalid")
    value = getattr(checked, "normalized", None) or checked.email
    return Recipient("email", raw, value, None)


def unique_values(recipients):
    """Values of the valid recipients, once each, in order."""
    values = []
    for recipient in recipients:
        if recipient.value and recipient.value not in values:
            values.append(recipient.value)
    return values


def mask(value):
    """``value`` with most of it hidden, for a page that shows where a link goes:
    ``+33 7•• •• •5 67``-like for a phone, ``l•••@example.com`` for an email."""
    if not value:
        return ""
    if "@" in value:
        local, _sep, domain = value.rpartition("@")
        return f"{local[:1]}•••@{domain}"
    if len(value) <= 6:
        return "•" * len(value)
    return f"{value[:3]}{'•' * (len(value) - 5)}{value[-2:]}"

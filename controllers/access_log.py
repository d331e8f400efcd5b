# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Keep this module's link secrets out of the server's logs.

Werkzeug logs each request line (``"GET /path?query HTTP/1.1" 200 -``) on the
``werkzeug`` logger, which Odoo already filters (``odoo.netsvc``), and ``odoo.http``
names the path in some warnings. A join link's token is in its path, and the
portal's ticket pages take the ticket's ``access_token`` (the tickets' email links
a ``hash`` and a sign-up token too) in their query: whoever reads the log could
join a customer's call, read their ticket or book in their name. This filter masks
them.

The router reads a path decoded (``%2F`` is ``/``) and redirects doubled slashes,
while the log shows the line as sent: a line is also read decoded, and when that
reading has a secret, the decoded line is logged, masked.
"""

import logging
import re
from urllib.parse import unquote

from .. import const

MASK = "***"

# The join route and what follows it, up to the query
_JOIN = re.compile(rf"(?i)({re.escape(const.JOIN_PATH)})((?:/[^\s?#\"']*)?)")
# The portal's ticket pages (helpdesk_mgmt's and this module's, the list its
# breadcrumb links to with the token), any language prefix, and the "View" links of
# the tickets' emails (Odoo's /mail/view, which redirects to the ticket's page)
_PORTAL = re.compile(r"(?i)/my/tickets?(?![\w-])|/mail/view")
_ACCESS_TOKEN = re.compile(
    r"(?i)((?<![\w-])(?:access_token|auth_signup_token|hash)=)[^&\s#\"']*"
)
# Doubled slashes of a path (not those of "http://")
_SLASHES = re.compile(r"(?<!:)//+")


def _mask_join_path(match):
    """``/join/<id>/<token>`` or ``/join/<slug>/<id>/<token>``: what follows the
    id is masked (all of it without an id)."""
    segments = match.group(2).split("/")
    filled = [index for index, segment in enumerate(segments) if segment]
    kept = 0
    for position in (0, 1):
        if position < len(filled) and segments[filled[position]].isdigit():
            kept = position + 1
            break
    for index in filled[kept:]:
        segments[index] = MASK
    return match.group(1) + "/".join(segments)


def _mask(line):
    line = _JOIN.sub(_mask_join_path, line)
    if _PORTAL.search(line):
        line = _ACCESS_TOKEN.sub(rf"\g<1>{MASK}", line)
    return line


def mask_secrets(line):
    """``line`` with the join links' tokens and the portal ticket pages' access
    tokens masked (a pure function: the filter's rule)."""
    if "%" in line or "//" in line:
        decoded = _SLASHES.sub("/", unquote(line))
        masked_decoded = _mask(decoded)
        if masked_decoded != decoded:
            return masked_decoded
    return _mask(line)


class SecretLinkFilter(logging.Filter):
    """Masks the secrets of this module's links in the access log's records."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                mask_secrets(arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        return True


SECRET_LINK_FILTER = SecretLinkFilter()
# The access log, and Odoo's HTTP warnings that name the path (a CSRF check that
# failed on a join page's button). One instance: a logger adds a filter it already
# has once
for _name in ("werkzeug", "odoo.http"):
    logging.getLogger(_name).addFilter(SECRET_LINK_FILTER)

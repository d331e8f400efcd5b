# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Keep this module's link secrets out of the server's access log.

Werkzeug logs each request line (``"GET /path?query HTTP/1.1" 200 -``) on the
``werkzeug`` logger, which Odoo already filters (``odoo.netsvc``). A join link's
token is in its path, and the portal's ticket pages take the ticket's
``access_token`` in their query: whoever reads the log could join a customer's call,
read their ticket or book in their name. This filter masks them.

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
_JOIN = re.compile(rf"(?i)({re.escape(const.JOIN_PATH)})((?:/[^\s?#\"]*)?)")
# The portal's ticket pages (helpdesk_mgmt's and this module's), any language prefix
_PORTAL = re.compile(r"(?i)/my/ticket/")
_ACCESS_TOKEN = re.compile(r"(?i)(access_token=)[^&\s#\"]*")
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
    masked = _mask(line)
    decoded = _SLASHES.sub("/", unquote(line))
    if decoded != line:
        masked_decoded = _mask(decoded)
        if masked_decoded != decoded:
            return masked_decoded
    return masked


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
# One instance: a logger adds a filter it already has once
logging.getLogger("werkzeug").addFilter(SECRET_LINK_FILTER)

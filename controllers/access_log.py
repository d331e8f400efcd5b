# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Keep this module's link secrets out of the server's access log.

Werkzeug logs each request line (``"GET /path?query HTTP/1.1" 200 -``) on the
``werkzeug`` logger, which Odoo already filters (``odoo.netsvc``). A join link's
token is in its path, and the portal's video pages take the ticket's
``access_token`` in their query: whoever reads the log could join a customer's call
or book one in their name. This filter masks them in this module's routes only.
"""

import logging
import re

from .. import const

MASK = "***"

# /helpdesk_apizee/join/[<slug>/]<id>/<token>: the last segment of any path there
# (doubled slashes included, which the router redirects but the log shows)
_JOIN = re.compile(rf"({re.escape(const.JOIN_PATH)}(?:/+[^/\s?#\"]+)*/+)[^/\s?#\"]+")
# /my/ticket/<id>/video/...?...access_token=<token>
_PORTAL_TOKEN = re.compile(
    r"(/my/ticket/\d+/video/[^\s?#\"]*\?(?:[^\s#\"]*&)?access_token=)[^&\s#\"]+"
)


def mask_secrets(line):
    """``line`` with the join tokens and the portal video pages' access tokens
    masked (a pure function: the filter's rule)."""
    return _PORTAL_TOKEN.sub(rf"\g<1>{MASK}", _JOIN.sub(rf"\g<1>{MASK}", line))


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

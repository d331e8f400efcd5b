# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The join links' and the portal video pages' tokens stay out of the access log."""

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import mute_logger

from .. import const
from ..controllers.access_log import MASK, mask_secrets
from .test_join import JoinCommon

# Tokens as the module makes them (url-safe), long enough not to be found by chance
TOKENS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    min_size=20,
    max_size=64,
)


# How a "/" of a path may be sent: the router reads them all as one "/"
SLASHES = st.sampled_from(["/", "//", "%2F", "%2f"])


@tagged("post_install", "-at_install")
class TestMaskSecrets(BaseCase):
    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(
        token=TOKENS,
        res_id=st.integers(1, 10**9),
        slug=st.sampled_from(["", "helpdesk-ticket"]),
        slashes=st.lists(SLASHES, min_size=5, max_size=5),
        upper=st.booleans(),
        tail=st.sampled_from(["", "?", "?x=1", "#top", "/", "/x", ";p=1"]),
        method=st.sampled_from(["GET", "POST", "HEAD"]),
    )
    def test_join_tokens_masked(
        self, token, res_id, slug, slashes, upper, tail, method
    ):
        """However the join link's path is written (as the router would still
        read it), its token is not in the log line."""
        parts = ["helpdesk_apizee", "join", *([slug] if slug else []), res_id, token]
        seps = slashes[: len(parts)]
        path = "".join(f"{sep}{part}" for sep, part in zip(seps, parts, strict=True))
        if upper:
            path = path.replace("helpdesk_apizee", "HELPDESK_APIZEE")
        masked = mask_secrets(f"{method} {path}{tail} HTTP/1.1")
        self.assertNotIn(token, masked)
        self.assertIn(f"/{res_id}/{MASK}", masked)

    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(
        token=TOKENS,
        page=st.sampled_from(["", "/video/book", "/video/send", "/video/cancel/7"]),
        slash=SLASHES,
        before=st.sampled_from(["", "day=2026-12-08&", 'a="&', "access_token=x&"]),
        after=st.sampled_from(
            ["", "&start=2026-12-08+09:00:00", "#slots", "&access_token=zz"]
        ),
    )
    def test_portal_access_tokens_masked(self, token, page, slash, before, after):
        """The ticket's access token on the portal's ticket pages (the
        module's and helpdesk_mgmt's), first, last or repeated."""
        path = f"/my{slash}ticket/5{page}?{before}access_token={token}{after}"
        masked = mask_secrets(f"POST {path} HTTP/1.1")
        self.assertNotIn(token, masked)
        self.assertIn(f"access_token={MASK}", masked)

    def test_other_secret_lines_masked(self):
        """Login redirects, the tickets' list its breadcrumb links to with the
        token, the tickets' email links, Odoo's CSRF warnings."""
        token = "Zq3-" * 8
        for line in (
            f"GET /web/login?redirect=%2Fhelpdesk_apizee%2Fjoin%2F9%2F{token} HTTP/1.1",
            f"GET /web/login?redirect=%2Fmy%2Fticket%2F9%3Faccess_token%3D{token} "
            "HTTP/1.1",
            f"GET /my/tickets?access_token={token} HTTP/1.1",
            f"GET /web/login?redirect=%2Fmy%2Ftickets%3Faccess_token%3D{token} "
            "HTTP/1.1",
            f"GET /mail/view?access_token={token}&auth_signup_token={token}"
            f"&hash={token}&model=helpdesk.ticket&pid=3&res_id=4 HTTP/1.1",
            f"GET /my/ticket/9?pid=3&hash={token} HTTP/1.1",
            f"CSRF validation failed on path '/helpdesk_apizee/join/9/{token}'",
        ):
            with self.subTest(line=line):
                self.assertNotIn(token, mask_secrets(line))

    def test_other_lines_unchanged(self):
        for line in (
            "GET /my/tickets?sortby=date HTTP/1.1",
            "GET /web/image/9?unique=0123456789abcdef HTTP/1.1",
            f"GET {const.JOIN_PATH} HTTP/1.1",
            "POST /helpdesk_apizee/webhook/1 HTTP/1.1",
            "GET /odoo/action-42?debug=1 HTTP/1.1",
            "GET http://example.com//x HTTP/1.1",
            "GET /my/ticketsx?access_token=keep HTTP/1.1",
            "GET /my/ticket/9?xaccess_token=keep&thehash=keep HTTP/1.1",
        ):
            with self.subTest(line=line):
                self.assertEqual(mask_secrets(line), line)


@tagged("post_install", "-at_install")
class TestAccessLog(HttpCase, JoinCommon):
    """Over HTTP: the server's own access log line of each page."""

    def _logged(self, path, **kwargs):
        with self.assertLogs("werkzeug", logging.INFO) as logs:
            self.url_open(path, allow_redirects=False, **kwargs)
        return "\n".join(logs.output)

    def test_join_page_and_press_log_no_token(self):
        token = self.ticket.sudo().apizee_join_token
        path = self._path()
        self.assertIn(token, path)
        logged = self._logged(path)
        self.assertIn(const.JOIN_PATH, logged)
        self.assertNotIn(token, logged)
        csrf = self._csrf(path)
        logged = self._logged(path, data={"csrf_token": csrf})
        self.assertIn('" 303 ', logged)
        self.assertNotIn(token, logged)

    @mute_logger("odoo.http")
    def test_csrf_warning_names_no_token(self):
        """A join page's button pressed from a stale tab (no valid CSRF token):
        Odoo's warning names the path, masked."""
        token = self.ticket.sudo().apizee_join_token
        for data in ({"csrf_token": "stale"}, {"no_token": "1"}):
            with self.subTest(data=data):
                with self.assertLogs("odoo.http", logging.WARNING) as logs:
                    answer = self.url_open(
                        self._path(), data=data, allow_redirects=False
                    )
                self.assertEqual(answer.status_code, 400)
                logged = "\n".join(logs.output)
                self.assertIn(const.JOIN_PATH, logged)
                self.assertNotIn(token, logged)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The join links' and the portal video pages' tokens stay out of the access log."""

import logging

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import BaseCase, HttpCase, tagged

from .. import const
from ..controllers.access_log import MASK, mask_secrets
from .test_join import JoinCommon

# Tokens as the module makes them (url-safe), long enough not to be found by chance
TOKENS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    min_size=20,
    max_size=64,
)


@tagged("post_install", "-at_install")
class TestMaskSecrets(BaseCase):
    @given(
        token=TOKENS,
        res_id=st.integers(1, 10**9),
        slug=st.sampled_from(["", "helpdesk.ticket/", "x-y_z/", "/", "a//"]),
        tail=st.sampled_from(["", "?", "?x=1", "#top", "/"]),
        method=st.sampled_from(["GET", "POST", "HEAD"]),
    )
    def test_join_tokens_masked(self, token, res_id, slug, tail, method):
        line = f"{method} {const.JOIN_PATH}/{slug}{res_id}/{token}{tail} HTTP/1.1"
        masked = mask_secrets(line)
        self.assertNotIn(token, masked)
        self.assertIn(f"{const.JOIN_PATH}/{slug}{res_id}/{MASK}", masked)

    @given(
        token=TOKENS,
        page=st.sampled_from(["book", "send", "cancel/7"]),
        before=st.sampled_from(["", "day=2026-12-08&", "start=1&day=x&"]),
        after=st.sampled_from(["", "&start=2026-12-08+09:00:00", "#slots"]),
    )
    def test_portal_access_tokens_masked(self, token, page, before, after):
        path = f"/my/ticket/5/video/{page}?{before}access_token={token}{after}"
        masked = mask_secrets(f"POST {path} HTTP/1.1")
        self.assertNotIn(token, masked)
        self.assertIn(f"{before}access_token={MASK}", masked)

    def test_other_lines_unchanged(self):
        for line in (
            "GET /my/ticket/5?access_token=abc HTTP/1.1",  # helpdesk_mgmt's page
            "GET /web/image/9?unique=0123456789abcdef HTTP/1.1",
            f"GET {const.JOIN_PATH} HTTP/1.1",
            "POST /helpdesk_apizee/webhook/1 HTTP/1.1",
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

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from .. import const
from ..utils.apizee_answers import first_url, parse_datetime


@tagged("post_install", "-at_install")
class TestApizeeAnswers(TransactionCase):
    """Readers of Apizee's answers, without I/O."""

    def test_first_url_variants(self):
        url = "https://cloud.apizee.com/room/1"
        for answer in (
            {"agentUrl": url},
            {"agent_url": url},
            {"agentLink": url},
            {"links": {"agent": url}},
            {"urls": {"agent": url}},
            {"agentUrl": "", "agent_url": url},
            {"agentUrl": "javascript:alert(1)", "links": {"agent": url}},
        ):
            with self.subTest(answer=answer):
                self.assertEqual(first_url(answer, const.AGENT_URL_KEYS), url)
        self.assertIsNone(first_url({"links": "x"}, const.AGENT_URL_KEYS))
        self.assertIsNone(first_url({}, const.GUEST_URL_KEYS))

    def test_parse_datetime(self):
        self.assertEqual(
            parse_datetime("2026-11-28T09:30:00Z"), datetime(2026, 11, 28, 9, 30)
        )
        self.assertEqual(
            parse_datetime("2026-11-28T10:30:00+01:00"), datetime(2026, 11, 28, 9, 30)
        )
        self.assertEqual(parse_datetime(0), datetime(1970, 1, 1))
        for value in (None, "", "yesterday", True, [], {}):
            with self.subTest(value=value):
                self.assertIsNone(parse_datetime(value))

    def test_session_values(self):
        values = self.env["apizee.session"]._values_from_answer(
            {
                "id": 82070,
                "state": "Opened",
                "reference": "HT00001",
                "created": "2026-11-28T09:00:00Z",
                "start_time": "2026-11-28T09:00:00Z",
                "end_time": "2026-11-28T09:30:00Z",
                "guestUrl": "https://cloud.apizee.com/g/1",
            }
        )
        self.assertEqual(
            values,
            {
                "apizee_id": "82070",
                "state": "open",
                "guest_url": "https://cloud.apizee.com/g/1",
                "apizee_created": datetime(2026, 11, 28, 9, 0),
                "start_time": datetime(2026, 11, 28, 9, 0),
                "end_time": datetime(2026, 11, 28, 9, 30),
                "reference": "HT00001",
            },
        )
        # an unknown state is ignored, not stored
        values = self.env["apizee.session"]._values_from_answer(
            {"id": 1, "state": "teleported"}
        )
        self.assertNotIn("state", values)

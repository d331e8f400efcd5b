# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import json
from urllib.parse import parse_qsl, urlsplit

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import const
from .common import ApizeeCommon

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _data_url(raw, mimetype="image/png"):
    return f"data:{mimetype};base64," + base64.b64encode(raw).decode()


@tagged("post_install", "-at_install")
class TestAgentPanel(ApizeeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.apizee_company_key = "ik-1234"
        cls.agent.lang = "fr_FR" if cls.env["res.lang"]._lang_get("fr_FR") else "en_US"

    def test_panel_url(self):
        action = self.ticket.with_user(self.agent).action_apizee_agent_panel()
        self.assertEqual(action["tag"], "helpdesk_apizee.agent_panel")
        params = action["params"]
        self.assertEqual(params["origin"], "https://app.apizee.com")
        self.assertEqual(params["allow"], const.IFRAME_ALLOW)
        self.assertEqual(params["ticket_id"], self.ticket.id)
        url = urlsplit(params["url"])
        self.assertEqual(
            f"{url.scheme}://{url.netloc}{url.path}", const.DEFAULT_AGENT_APP_URL
        )
        query = dict(parse_qsl(url.query, strict_parsing=True))
        self.assertEqual(query["iK"], "ik-1234")
        self.assertEqual(query["gP"], "+33781234567")
        self.assertEqual(
            json.loads(query["eR"]),
            [{"name": "odooTicket", "reference": self.ticket.number}],
        )
        self.assertTrue(query["cN"].endswith(f"-ticket-{self.ticket.id}"))
        # stable per ticket, different between tickets
        again = self.ticket.with_user(self.agent).action_apizee_agent_panel()
        self.assertEqual(again["params"]["url"], params["url"])

    def test_panel_needs_the_company_key(self):
        self.company.apizee_company_key = False
        with self.assertRaisesRegex(UserError, "identification key"):
            self.ticket.with_user(self.agent).action_apizee_agent_panel()

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_panel_for_agents_only(self):
        for user in (self.portal_user, self.internal_user, self.other_agent):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).action_apizee_agent_panel()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user)._apizee_panel_event("joined")

    def test_snapshot_saved_with_a_note(self):
        ticket = self.ticket.with_user(self.agent)
        attachment_id = ticket._apizee_panel_event("snapshot", _data_url(PNG))
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.res_model, "helpdesk.ticket")
        self.assertEqual(attachment.res_id, self.ticket.id)
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertEqual(attachment.raw, PNG)
        note = self.ticket.message_ids[0]
        self.assertEqual(note.attachment_ids, attachment)
        self.assertEqual(note.author_id, self.agent.partner_id)

    def test_snapshot_limits(self):
        ticket = self.ticket.with_user(self.agent)
        big = b"\x89PNG\r\n\x1a\n" + b"\x00" * const.SNAPSHOT_MAX_BYTES
        bad = [
            _data_url(b"GIF89a" + b"\x00" * 10, "image/gif"),
            _data_url(b"not a png", "image/png"),
            _data_url(big),
            "data:image/png;base64,!!!",
            "https://example.com/picture.png",
            None,
        ]
        attachments = self.env["ir.attachment"].search_count([])
        for data_url in bad:
            with self.subTest(data_url=(data_url or "")[:30]):
                with self.assertRaises(UserError):
                    ticket._apizee_panel_event("snapshot", data_url)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_notes(self):
        ticket = self.ticket.with_user(self.agent)
        for kind in const.PANEL_NOTE_EVENTS:
            with self.subTest(kind=kind):
                ticket._apizee_panel_event(kind)
                self.assertIn("Video panel", self.ticket.message_ids[0].body)
        with self.assertRaises(UserError):
            ticket._apizee_panel_event("teleported")

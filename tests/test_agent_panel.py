# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import html
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
        self.assertEqual(
            params["allow"],
            "autoplay; microphone; camera; display-capture; encrypted-media; "
            "clipboard-write",
        )
        self.assertEqual(params["ticket_id"], self.ticket.id)
        url = urlsplit(params["url"])
        # Apizee's agent app, as its "IFrame integration reference" documents it:
        # not read from const
        self.assertEqual(
            f"{url.scheme}://{url.netloc}{url.path}", "https://app.apizee.com/agent/"
        )
        query = dict(parse_qsl(url.query, strict_parsing=True))
        self.assertEqual(query["iK"], "ik-1234")
        self.assertEqual(query["gP"], "+33781234567")
        self.assertEqual(
            json.loads(query["eR"]),
            [{"name": "odooTicket", "reference": self.ticket.number}],
        )
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        self.assertEqual(query["cN"], f"odoo-{uuid[:8]}-ticket-{self.ticket.id}")
        # stable per ticket, different between tickets
        again = self.ticket.with_user(self.agent).action_apizee_agent_panel()
        self.assertEqual(again["params"]["url"], params["url"])
        other = self.ticket.copy({"name": "Another boiler"})
        other_url = other.with_user(self.agent).action_apizee_agent_panel()["params"]
        other_query = dict(parse_qsl(urlsplit(other_url["url"]).query))
        self.assertEqual(other_query["cN"], f"odoo-{uuid[:8]}-ticket-{other.id}")
        self.assertNotEqual(other_query["cN"], query["cN"])
        self.assertNotEqual(other_url["url"], params["url"])

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
        # Counted in the ticket's video record (no session of ours is named)
        self.assertEqual(self.ticket.apizee_panel_media_count, 1)
        self.assertEqual(self.ticket.apizee_media_count, 1)

    def test_snapshot_limits(self):
        ticket = self.ticket.with_user(self.agent)
        # our limit: 5 MB (not read from const)
        big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024)
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
        """Each message of the agent app posts exactly one new note, with its own
        text (a table: "SMS failed" must not say "sent")."""
        ticket = self.ticket.with_user(self.agent).with_context(lang="en_US")
        expected = {
            "joined": "Video panel: the guest joined (Agent Apizee).",
            "left": "Video panel: the guest left (Agent Apizee).",
            "sms_sent": "Video panel: Apizee sent the SMS invitation (Agent Apizee).",
            "sms_fail": "Video panel: Apizee could not send the SMS invitation "
            "(Agent Apizee).",
            "snapshot": "Snapshot of the guest's video taken by Agent Apizee.",
        }
        # the documented kinds, every one in the table
        self.assertEqual(
            set(const.PANEL_NOTE_EVENTS) | {"snapshot"},
            {"joined", "left", "sms_sent", "sms_fail", "snapshot"},
        )
        note = self.env.ref("mail.mt_note")
        texts = []
        for kind, text in expected.items():
            with self.subTest(kind=kind):
                before = self.ticket.message_ids
                data_url = _data_url(PNG) if kind == "snapshot" else None
                ticket._apizee_panel_event(kind, data_url)
                self.ticket.invalidate_recordset(["message_ids"])
                new = self.ticket.message_ids - before
                self.assertEqual(len(new), 1)
                # the whole text (escaped as Odoo stores a plain-text body)
                self.assertEqual(new.body, f"<p>{html.escape(text, quote=False)}</p>")
                self.assertEqual(new.subtype_id, note)
                self.assertEqual(new.author_id, self.agent.partner_id)
                self.assertEqual(bool(new.attachment_ids), kind == "snapshot")
                texts.append(new.body)
        self.assertEqual(len(set(texts)), len(expected))
        before = self.ticket.message_ids
        with self.assertRaisesRegex(UserError, "^Unknown message from Apizee's agent"):
            ticket._apizee_panel_event("teleported")
        self.ticket.invalidate_recordset(["message_ids"])
        self.assertEqual(self.ticket.message_ids, before)

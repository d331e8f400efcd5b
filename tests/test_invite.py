# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import parse_qsl, urlsplit

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import KEY_ASSISTANCE, KEY_MEETING, ApizeeCommon


def _params(url):
    return dict(parse_qsl(urlsplit(url).query, strict_parsing=True))


@tagged("post_install", "-at_install")
class TestInvite(ApizeeCommon):
    def test_action_returns_wizard_with_ticket_defaults(self):
        action = self.ticket.with_user(self.agent).action_apizee_invite()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "apizee.invite.wizard")
        self.assertEqual(action["target"], "new")
        self.assertEqual(
            action["context"],
            {
                "default_res_model": "helpdesk.ticket",
                "default_res_id": self.ticket.id,
                "default_ticket_id": self.ticket.id,
                "default_service_id": self.service_assistance.id,
                "default_phone_numbers": "06 12 34 56 78, +33 7 81 23 45 67",
                "default_email_addresses": "lucie.ticket@example.com",
            },
        )

    def test_confirm_new_tab_url(self):
        wizard = self._invite()
        self.assertEqual(wizard.invalid_count, 0)
        self.assertEqual(wizard.recipient_count, 3)
        action = wizard.action_confirm()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["target"], "new")
        self.assertEqual(
            action["url"],
            "https://cloud.apizee.com/quick-invitation"
            f"?reference={self.ticket.number}&service_key={KEY_ASSISTANCE}"
            "&phone_numbers=%2B33612345678,%2B33781234567"
            "&email_addresses=lucie.ticket@example.com",
        )

    def test_confirm_dialog_mode_and_locks(self):
        self.company.write(
            {
                "apizee_invitation_mode": "dialog",
                "apizee_lock_service": True,
                "apizee_lock_recipients": True,
            }
        )
        action = self._invite().action_confirm()
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(action["tag"], "helpdesk_apizee.invitation_dialog")
        self.assertEqual(action["target"], "new")
        params = _params(action["params"]["url"])
        self.assertEqual(params["read_only.service"], "true")
        self.assertEqual(params["read_only.recipients"], "true")
        self.assertIn("camera", action["params"]["allow"])
        self.assertIn("display-capture", action["params"]["allow"])

    def test_chatter_records_who_whom_and_service(self):
        before = len(self.ticket.message_ids)
        self._invite().action_confirm()
        message = self.ticket.message_ids[0]
        self.assertEqual(len(self.ticket.message_ids), before + 1)
        self.assertEqual(message.author_id, self.agent.partner_id)
        self.assertIn("Agent Apizee", message.body)
        self.assertIn("+33612345678", message.body)
        self.assertIn("lucie.ticket@example.com", message.body)
        self.assertIn("Assistance", message.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))

    def test_invalid_entries_flagged_and_refused(self):
        wizard = self._invite(
            phone_numbers="0612, +33612345678",
            email_addresses="user@, valid@email.com",
        )
        self.assertEqual(wizard.invalid_count, 2)
        self.assertEqual(wizard.recipient_count, 2)
        self.assertIn('data-apizee-state="invalid"', wizard.recipients_html)
        self.assertIn("0612", wizard.recipients_html)
        self.assertIn("user@", wizard.recipients_html)
        messages = len(self.ticket.message_ids)
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        self.assertIn("“0612”", str(caught.exception))
        self.assertIn("“user@”", str(caught.exception))
        self.assertNotIn("valid@email.com", str(caught.exception))
        self.assertEqual(len(self.ticket.message_ids), messages)

    def test_agent_edits_recipients_in_form(self):
        action = self.ticket.with_user(self.agent).action_apizee_invite()
        wizard_env = self.env["apizee.invite.wizard"].with_user(self.agent)
        with Form(wizard_env.with_context(**action["context"])) as form:
            form.phone_numbers = "0612"
            self.assertEqual(form.invalid_count, 1)
            form.phone_numbers = "07 81 23 45 67"
            form.email_addresses = ""
            self.assertEqual(form.invalid_count, 0)
        url = form.record.action_confirm()["url"]
        self.assertEqual(_params(url)["phone_numbers"], "+33781234567")
        self.assertNotIn("email_addresses", _params(url))

    def test_team_service_else_company_default(self):
        self.assertEqual(self._invite().service_id, self.service_assistance)
        self.team.apizee_service_id = False
        self.assertEqual(self._invite().service_id, self.service_meeting)
        self.service_meeting.active = False
        wizard = self._invite()
        self.assertFalse(wizard.service_id)
        params = _params(wizard.action_confirm()["url"])
        self.assertNotIn("service_key", params)
        self.assertNotIn("reference", params)

    def test_meeting_service_key(self):
        self.team.apizee_service_id = self.service_meeting
        params = _params(self._invite().action_confirm()["url"])
        self.assertEqual(params["service_key"], KEY_MEETING)

    def test_without_service_still_works(self):
        self.team.apizee_service_id = False
        self.company.apizee_default_service_id = False
        wizard = self._invite()
        action = wizard.action_confirm()
        self.assertTrue(action["url"].startswith("https://cloud.apizee.com/"))
        self.assertIn("chosen in Apizee", self.ticket.message_ids[0].body)

    def test_ticket_without_customer(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Walk-in", "description": "<p>x</p>", "team_id": self.team.id}
        )
        wizard = self._invite(ticket)
        self.assertFalse(wizard.phone_numbers)
        self.assertFalse(wizard.email_addresses)
        self.assertIn("No recipient", wizard.recipients_html)
        wizard.write({"phone_numbers": "+33 6 12 34 56 78"})
        params = _params(wizard.action_confirm()["url"])
        self.assertEqual(params["phone_numbers"], "+33612345678")

    def test_partner_email_when_ticket_has_none(self):
        self.ticket.partner_email = False
        self.assertEqual(self._invite().email_addresses, "lucie@example.com")

    def test_region_from_company_when_customer_has_no_country(self):
        self.partner.country_id = False
        self.assertEqual(self._invite().recipient_count, 3)
        self.company.country_id = False
        self.assertEqual(self._invite().invalid_count, 1)  # "06 12 34 56 78"

    def test_hostile_reference_stays_one_parameter(self):
        self.ticket.number = "T&service_key=evil#x= +ü" + "9" * 60
        params = _params(self._invite().action_confirm()["url"])
        self.assertEqual(params["service_key"], KEY_ASSISTANCE)
        self.assertEqual(
            params["reference"], ("T&service_key=evil#x= +ü" + "9" * 60)[:50]
        )

    def test_server_url_with_path(self):
        self.company.apizee_server_url = "https://apizee.example.com/tenant/"
        url = self._invite().action_confirm()["url"]
        self.assertTrue(
            url.startswith("https://apizee.example.com/tenant/quick-invitation?")
        )


@tagged("post_install", "-at_install")
class TestInviteFrench(ApizeeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["helpdesk_apizee"], ["fr_FR"])
        cls.agent.lang = "fr_FR"

    def test_refusal_in_french(self):
        wizard = self._invite(phone_numbers="0612", email_addresses="")
        with self.assertRaises(UserError) as caught:
            wizard.with_context(lang="fr_FR").action_confirm()
        self.assertIn("Corrigez ou supprimez ces destinataires", str(caught.exception))
        self.assertIn("n'est pas un numéro de téléphone valide", str(caught.exception))

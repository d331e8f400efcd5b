# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import ApizeeCommon


@tagged("post_install", "-at_install")
class TestSettings(ApizeeCommon):
    def test_settings_saved_and_normalized(self):
        with Form(self.env["res.config.settings"]) as form:
            form.apizee_server_url = "HTTPS://Apizee.Example.com/"
            form.apizee_default_service_id = self.service_assistance
            form.apizee_invitation_mode = "dialog"
            form.apizee_lock_service = True
            form.apizee_lock_recipients = True
        form.record.execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "apizee_server_url": "https://apizee.example.com",
                    "apizee_default_service_id": self.service_assistance.id,
                    "apizee_invitation_mode": "dialog",
                    "apizee_lock_service": True,
                    "apizee_lock_recipients": True,
                }
            ],
        )

    def test_default_server_url(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertEqual(company.apizee_server_url, "https://cloud.apizee.com")

    def test_bad_server_url_refused_with_reason(self):
        cases = {
            "http://cloud.apizee.com": "https://",
            "ftp://cloud.apizee.com": "https://",
            "": "empty",
            "https://cloud.apizee.com/?x=1": "“?”",
        }
        for url, reason in cases.items():
            with self.subTest(url=url):
                with self.assertRaises(ValidationError) as caught:
                    settings = self.env["res.config.settings"].create(
                        {"apizee_server_url": url}
                    )
                    settings.execute()
                self.assertIn(reason, str(caught.exception))
                self.company.invalidate_recordset()
                self.assertEqual(
                    self.company.apizee_server_url, "https://cloud.apizee.com"
                )

    def test_team_service_in_team_form(self):
        with Form(self.team) as form:
            form.apizee_service_id = self.service_meeting
        self.assertEqual(self.team.apizee_service_id, self.service_meeting)

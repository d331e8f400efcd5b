# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import KEY_ASSISTANCE, ApizeeCommon


@tagged("post_install", "-at_install")
class TestApizeeService(ApizeeCommon):
    def test_key_must_be_32_alphanumerics(self):
        bad_keys = [
            "invalidkey",
            KEY_ASSISTANCE[:31],
            KEY_ASSISTANCE + "0",
            KEY_ASSISTANCE[:16] + " " + KEY_ASSISTANCE[17:],
            KEY_ASSISTANCE[:31] + "-",
            KEY_ASSISTANCE[:31] + "é",
        ]
        for key in bad_keys:
            with self.subTest(key=key), self.assertRaises(ValidationError) as caught:
                self.env["apizee.service"].create({"name": "Bad", "key": key})
            self.assertIn("32", str(caught.exception))
            self.assertIn("Bad", str(caught.exception))

    def test_key_refused_on_write_changes_nothing(self):
        with self.assertRaises(ValidationError):
            self.service_assistance.write({"key": "tooshort"})
        self.service_assistance.invalidate_recordset()
        self.assertEqual(self.service_assistance.key, KEY_ASSISTANCE)

    def test_pasted_key_is_stripped(self):
        service = self.env["apizee.service"].create(
            {"name": "Pasted", "key": f"  {KEY_ASSISTANCE.upper()}\n"}
        )
        self.assertEqual(service.key, KEY_ASSISTANCE.upper())

    def test_form(self):
        with Form(self.env["apizee.service"]) as form:
            form.name = "Form service"
            form.key = "b" * 32
        self.assertEqual(form.record.service_type, "video_assistance")
        self.assertEqual(form.record.company_id, self.env.company)

    @mute_logger("odoo.sql_db")
    def test_key_unique_per_company(self):
        with self.assertRaises(IntegrityError):
            self.env["apizee.service"].create({"name": "Twin", "key": KEY_ASSISTANCE})
            self.env.flush_all()

    def test_same_key_in_another_company(self):
        twin = self.env["apizee.service"].create(
            {"name": "Twin", "key": KEY_ASSISTANCE, "company_id": self.other_company.id}
        )
        self.env.flush_all()  # the unique constraint is checked by the database
        self.assertRecordValues(
            twin,
            [
                {
                    "name": "Twin",
                    "key": KEY_ASSISTANCE,
                    "company_id": self.other_company.id,
                }
            ],
        )
        # the first company's service is untouched: one key, a service per company
        self.assertRecordValues(
            self.service_assistance,
            [{"key": KEY_ASSISTANCE, "company_id": self.company.id}],
        )
        same_key = self.env["apizee.service"].search([("key", "=", KEY_ASSISTANCE)])
        self.assertEqual(same_key, self.service_assistance | twin)
        self.assertEqual(same_key.company_id, self.company | self.other_company)

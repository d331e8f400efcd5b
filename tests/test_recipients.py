# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import BaseCase, tagged

from ..utils.recipients import (
    normalize_email,
    normalize_phone,
    split_recipients,
    unique_values,
)


@tagged("post_install", "-at_install")
class TestRecipients(BaseCase):
    def test_split(self):
        self.assertEqual(
            split_recipients(" 0612 ,+33612345678;\n a@b.fr\r\n,, 0612 "),
            ["0612", "+33612345678", "a@b.fr"],
        )
        self.assertEqual(split_recipients(False), [])

    def test_phones(self):
        cases = [
            # (raw, region, value, error)
            ("06 12 34 56 78", "FR", "+33612345678", None),
            ("0612345678", "fr", "+33612345678", None),
            ("+33 7 81 23 45 67", None, "+33781234567", None),
            ("+39 312 345 6789", "FR", "+393123456789", None),
            ("0612", "FR", None, "phone_invalid"),  # the seed's invalid example
            ("0612345678", None, None, "phone_unreadable"),  # national, no country
            ("call me", "FR", None, "phone_unreadable"),
        ]
        for raw, region, value, error in cases:
            with self.subTest(raw=raw, region=region):
                recipient = normalize_phone(raw, region)
                self.assertEqual((recipient.value, recipient.error), (value, error))
                self.assertEqual(recipient.raw, raw)

    def test_emails(self):
        cases = [
            ("valid@email.com", "valid@email.com", None),
            ("user@", None, "email_invalid"),  # the seed's invalid example
            ("no-at-sign", None, "email_invalid"),
            ("a b@example.com", None, "email_invalid"),
            ("Lucie@Example.COM", "Lucie@example.com", None),
        ]
        for raw, value, error in cases:
            with self.subTest(raw=raw):
                recipient = normalize_email(raw)
                self.assertEqual((recipient.value, recipient.error), (value, error))

    def test_unique_values(self):
        entries = [
            normalize_phone("06 12 34 56 78", "FR"),
            normalize_phone("+33612345678", "FR"),
            normalize_phone("0612", "FR"),
        ]
        self.assertEqual(unique_values(entries), ["+33612345678"])

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestModule(TransactionCase):
    def test_found_in_apps_menu(self):
        """An administrator typing "Apizee" in Apps (default filter: applications)."""
        found = self.env["ir.module.module"].search(
            [("application", "=", True), ("shortdesc", "ilike", "apizee")]
        )
        self.assertEqual(found.name, "helpdesk_apizee")
        self.assertEqual(found.icon, "/helpdesk_apizee/static/description/icon.png")
        self.assertIn("Apizee", found.summary)

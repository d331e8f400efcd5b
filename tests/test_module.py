# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


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


@tagged("post_install", "-at_install")
class TestFrench(TransactionCase):
    def test_every_term_of_the_code_translated(self):
        """Every term Odoo finds in the module (Python, views, data, JavaScript)
        has its French in i18n/fr.po: read from the code as Odoo's export reads it
        (a term it cannot read logs an error, which fails the test), not from the
        committed template."""
        reader = TranslationModuleReader(self.env.cr, modules=["helpdesk_apizee"])
        terms = {source for _module, _type, _name, _id, source, *_rest in reader}
        self.assertGreater(len(terms), 300)
        french = {
            entry.msgid
            for entry in polib.pofile(file_path("helpdesk_apizee/i18n/fr.po"))
            if entry.msgstr and not entry.obsolete and not entry.fuzzy
        }
        self.assertFalse(sorted(term for term in terms if term not in french))

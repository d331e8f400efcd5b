# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestAssets(TransactionCase):
    """The web client loads the pop-in and the loaders of the client actions; the
    invitation dialog and the video panel come in their own bundle, on first use."""

    def _folders(self, bundle):
        """Folders of ``static/src`` whose files Odoo puts in ``bundle``."""
        return {
            url.split("/")[4]
            for url, *_rest in self.env["ir.asset"]._get_asset_paths(bundle, {})
            if url.startswith("/helpdesk_apizee/static/src/")
        }

    def test_lazy_bundle(self):
        self.assertEqual(
            self._folders("web.assets_backend"), {"agent_popin", "lazy_actions"}
        )
        self.assertEqual(
            self._folders("helpdesk_apizee.assets_lazy"),
            {"invitation_dialog", "agent_panel", "waiting"},
        )
        # The Hoot tests use the real actions, without loading a bundle
        self.assertEqual(self._folders("helpdesk_apizee.assets_live"), {"live_status"})
        self.assertLessEqual(
            {"invitation_dialog", "agent_panel", "live_status"},
            self._folders("web.assets_unit_tests"),
        )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.web.tests.test_js import WebSuite


@tagged("post_install", "-at_install")
class TestHelpdeskApizeeJs(WebSuite):
    """Runs the module's Hoot tests (static/tests/*.test.js) in headless Chromium."""

    def get_hoot_filters(self):
        self._test_params = [("+", "@helpdesk_apizee")]
        return super().get_hoot_filters()

    def test_helpdesk_apizee_hoot(self):
        self.test_unit_desktop()

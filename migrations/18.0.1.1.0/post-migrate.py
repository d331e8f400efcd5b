# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.1.0: one webhook secret per company instead of one for the database.

The secret of the database (the system parameter ``helpdesk_apizee.webhook_secret``,
which Apizee's console holds) becomes the main company's, so that a single-company
database keeps receiving its deliveries at the URL without a company id; every other
company gets a new secret; the parameter is removed. Idempotent, and safe on a
database without the parameter (every company then gets a new secret). The events'
company is set by pre-migrate.py.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

OLD_SECRET_PARAM = "helpdesk_apizee.webhook_secret"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    params = env["ir.config_parameter"].sudo().search([("key", "=", OLD_SECRET_PARAM)])
    main_company = env["apizee.webhook.event"]._main_company()
    if params.value and main_company:
        # What Apizee's console holds: it wins over a secret of a former partial run
        main_company.apizee_webhook_secret = params.value
        _logger.info(
            "helpdesk_apizee: the webhook secret is now the one of company %s",
            main_company.id,
        )
    env["res.company"]._apizee_fill_webhook_secrets()
    params.unlink()

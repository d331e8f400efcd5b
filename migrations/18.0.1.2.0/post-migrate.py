# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The webhook cron calls its method by its new name (its record is ``noupdate``)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("helpdesk_apizee.ir_cron_apizee_webhook_process", False)
    if cron and cron.code.strip() == "model._cron_apizee_process()":
        cron.code = "model._cron_process()"

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every ticket has its join link's token (the customer's side)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._apizee_fill_join_tokens()

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tickets count their reopenings and their agents' replies from their history
(Tickets with Video); a demo database gets its history's figures too."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._apizee_count_history()
    if env["ir.module.module"].search([("name", "=", "helpdesk_apizee")]).demo:
        env["apizee.session"]._demo_ticket_facts()

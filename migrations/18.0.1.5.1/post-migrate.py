# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tickets count their reopenings and their agents' replies from their history
(Tickets with Video); a demo database gets its history's figures too; sessions say
whether Apizee sent an agent's invitation, or Odoo did not open them."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._apizee_count_history()
    if env["ir.module.module"].search([("name", "=", "helpdesk_apizee")]).demo:
        env["apizee.session"]._demo_ticket_facts()
    # How sessions started, as far as their record tells: Apizee's invitation for
    # an agent, or a session Odoo did not open (made by a webhook: no agent and no
    # recipients, which "Open room" always has, a deleted agent's too)
    cr.execute(
        "UPDATE apizee_session SET origin = 'agent_invite' "
        "WHERE origin = 'agent' AND invitation_sent"
    )
    cr.execute(
        "UPDATE apizee_session SET origin = 'apizee' "
        "WHERE origin = 'agent' AND agent_id IS NULL "
        "AND COALESCE(recipients, '') = '' AND apizee_id NOT LIKE 'demo-%'"
    )

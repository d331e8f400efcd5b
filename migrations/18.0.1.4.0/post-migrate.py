# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every ticket has its join link's token (the customer's side); a demo database
updated to this version gets the demo of the customer's side and of the reports too
(its team's record is helpdesk_mgmt's, not updated by this module's demo data)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._apizee_fill_join_tokens()
    hours = env.ref("helpdesk_apizee.resource_calendar_demo_video", False)
    team = env.ref("helpdesk_mgmt.helpdesk_team_1", False)
    demo = env["ir.module.module"].search([("name", "=", "helpdesk_apizee")]).demo
    if demo:
        env["apizee.session"]._demo_history()
    if hours and team and not team.apizee_self_service:
        team.write(
            {"apizee_self_service": True, "apizee_resource_calendar_id": hours.id}
        )

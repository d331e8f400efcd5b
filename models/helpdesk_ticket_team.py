# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    apizee_service_id = fields.Many2one(
        comodel_name="apizee.service",
        string="Apizee service",
        check_company=True,
        help="Service preselected in the Apizee invitations of this team's tickets; "
        "when empty, the company's default service is used.",
    )

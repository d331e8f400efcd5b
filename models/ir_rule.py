# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.osv import expression

# Models whose records are read with the record they belong to: model -> the
# many2one field of that record.
DERIVED_ACCESS = {"apizee.session": "ticket_id"}


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _compute_domain(self, model_name, mode="read"):
        """Override: whoever may read a ticket sees its video sessions, whatever rule
        lets them read it (team, own, follower, portal, company...).

        The ticket's own rules, as computed for the current user, become a condition
        on the session's ticket: a session's access follows its ticket's, so that no
        rule needs mirroring here, nor any new one of ``helpdesk_mgmt``.
        """
        domain = super()._compute_domain(model_name, mode)
        field_name = DERIVED_ACCESS.get(model_name)
        if not field_name:
            return domain
        comodel = self.env[model_name]._fields[field_name].comodel_name
        parent = super()._compute_domain(comodel, "read")
        if not parent:
            return domain
        derived = [(field_name, "any", parent)]
        return expression.AND([domain, derived]) if domain else derived

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const


class ApizeeService(models.Model):
    """An Apizee service (its key preselects it in Apizee's invitation form)."""

    _name = "apizee.service"
    _description = "Apizee Service"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    key = fields.Char(
        string="Service key",
        required=True,
        help="The 32 letters and digits that identify the service in Apizee "
        "(Apizee administration, service settings).",
    )
    service_type = fields.Selection(
        selection=const.SERVICE_TYPES,
        required=True,
        default="video_assistance",
        help="Apizee only shows the ticket reference for video-assistance services.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    team_ids = fields.One2many(
        comodel_name="helpdesk.ticket.team",
        inverse_name="apizee_service_id",
        string="Helpdesk teams",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "key_company_uniq",
            "unique(key, company_id)",
            "This service key is already used by another service of this company.",
        ),
    ]

    @api.constrains("key")
    def _check_key(self):
        """Refuse keys that Apizee would ignore (it only preselects valid keys)."""
        for service in self:
            if not re.match(const.SERVICE_KEY_PATTERN, service.key or ""):
                raise ValidationError(
                    self.env._(
                        "The service key of “%(service)s” must be exactly %(length)s "
                        "letters or digits (A-Z, a-z, 0-9), with no spaces or other "
                        "characters: “%(key)s” has %(count)s characters.",
                        service=service.name,
                        length=const.SERVICE_KEY_LENGTH,
                        key=service.key,
                        count=len(service.key or ""),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Override to strip pasted keys (copying from Apizee often adds blanks)."""
        for vals in vals_list:
            if vals.get("key"):
                vals["key"] = vals["key"].strip()
        return super().create(vals_list)

    def write(self, vals):
        """Override to strip pasted keys (see ``create``)."""
        if vals.get("key"):
            vals["key"] = vals["key"].strip()
        return super().write(vals)

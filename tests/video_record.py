# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A second record type with video calls, for the tests only: all the glue a model
needs (compare ``models/helpdesk_ticket.py``). Loaded by ``FakeModelLoader`` in
``test_video_mixin.py``; never import it at module level."""

from odoo import api, fields, models


class ApizeeTestVideoRecord(models.Model):
    _name = "apizee.test.video.record"
    _description = "Record with video calls (tests)"
    _inherit = ["mail.thread", "apizee.video.mixin"]

    name = fields.Char(required=True)
    partner_id = fields.Many2one(comodel_name="res.partner")
    company_id = fields.Many2one(
        comodel_name="res.company", default=lambda self: self.env.company
    )
    user_id = fields.Many2one(comodel_name="res.users")

    def _apizee_reference(self):
        return self.name

    @api.model
    def _apizee_reference_domain(self, reference):
        return [("name", "=", reference)]

    def _apizee_customer(self):
        return self.partner_id

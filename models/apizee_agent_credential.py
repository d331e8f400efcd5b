# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ApizeeAgentCredential(models.Model):
    """The Apizee password of an agent (the video pop-in signs in with it).

    No group has any access right on this model: only superuser code reads or writes
    it, so the password never reaches the browser, not even an administrator's.
    """

    _name = "apizee.agent.credential"
    _description = "Apizee Agent Credential"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        comodel_name="res.users", required=True, ondelete="cascade", index=True
    )
    password = fields.Char(required=True)

    _sql_constraints = [
        ("user_uniq", "unique(user_id)", "One Apizee password per user."),
    ]

    @api.model
    def _set_password(self, user, password):
        """Store ``password`` as the Apizee password of ``user``; the token cached for
        the previous one is dropped at once."""
        credential = self.search([("user_id", "=", user.id)])
        if credential:
            credential.password = password
        else:
            self.create({"user_id": user.id, "password": password})
        self.env["apizee.token"].sudo()._forget(user=user)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError


class ApizeeTechnicalAccount(models.Model):
    """One more Apizee technical account of a company: the pool that the work no agent
    does (webhook lookups, media, agents without an Apizee account of their own) is
    spread over, each account within Apizee's 10 requests a minute per user.

    The company's own technical account (Settings) is the first of the pool; these
    are the others. Only administrators read or write them; the password is
    write-only, as the company's (``password_input`` sets it, nothing reads it back).
    """

    _name = "apizee.technical.account"
    _description = "Apizee Technical Account"
    _order = "company_id, sequence, id"
    _rec_name = "username"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        index=True,
        default=lambda self: self.env.company,
    )
    username = fields.Char(
        string="User name",
        required=True,
        help="User name of an Apizee account of the company's Apizee enterprise.",
    )
    password = fields.Char(string="Stored password", groups=".", copy=False)
    password_input = fields.Char(
        string="Password",
        compute="_compute_password_input",
        inverse="_inverse_password_input",
        help="Type to set or replace it: it is never shown again.",
    )
    password_set = fields.Boolean(
        string="Password set", compute="_compute_password_set"
    )

    _sql_constraints = [
        (
            "username_uniq",
            "unique(company_id, username)",
            "This Apizee account is already in the company's pool.",
        ),
    ]

    def _compute_password_input(self):
        for account in self:
            account.password_input = False

    def _inverse_password_input(self):
        self._check_admin()
        for account in self:
            if account.password_input:
                account.sudo().password = account.password_input

    def _compute_password_set(self):
        for account in self:
            account.password_set = bool(account.sudo().password)

    def _check_admin(self):
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only administrators manage Apizee technical accounts.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Override to store user names without surrounding blanks."""
        for vals in vals_list:
            if vals.get("username"):
                vals["username"] = vals["username"].strip()
        return super().create(vals_list)

    def write(self, vals):
        """Override to drop at once the cached tokens of an account whose user name
        or password changed."""
        if vals.get("username"):
            vals["username"] = vals["username"].strip()
        before = set()
        if {"username", "password", "active", "company_id"} & set(vals):
            before = set(self.sudo().mapped("username"))
        result = super().write(vals)
        if before:
            self.env["apizee.token"].sudo()._forget(usernames=before)
        return result

    def unlink(self):
        """Override to drop the cached tokens of the removed accounts."""
        usernames = set(self.sudo().mapped("username"))
        result = super().unlink()
        if usernames:
            self.env["apizee.token"].sudo()._forget(usernames=usernames)
        return result

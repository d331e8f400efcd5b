# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import unicodedata

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .. import const

AGENT_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"


class ResUsers(models.Model):
    _inherit = "res.users"

    # Half of an account: administrators only (the field's group keeps it out of
    # reads, domains, groupings and sort orders of everyone else); the user reads
    # and, when Settings allow it, sets their own through ``apizee_own_username``.
    apizee_username = fields.Char(
        string="Apizee user name",
        copy=False,
        groups="base.group_system",
        help="The agent's user name in Apizee: sessions they open from tickets are "
        "assigned to them in Apizee, and the video pop-in signs in with it.",
    )
    apizee_own_username = fields.Char(
        string="Your Apizee user name",
        compute="_compute_apizee_own_username",
        inverse="_inverse_apizee_own_username",
        help="Your user name in Apizee: sessions you open from tickets are assigned "
        "to you in Apizee, and the video pop-in signs in with it. Set by an "
        "administrator, unless Settings let agents set their own.",
    )
    apizee_username_editable = fields.Boolean(
        compute="_compute_apizee_username_editable",
        help="Whether the user may set their own Apizee user name (Settings).",
    )
    # The agent's own Apizee password lives in `apizee.agent.credential`, which only
    # superuser code can read; users and admins write it through this field, which
    # always reads empty.
    apizee_password_input = fields.Char(
        string="Apizee password",
        compute="_compute_apizee_password_input",
        inverse="_inverse_apizee_password_input",
        help="Write-only: the password is kept on the server and never shown again.",
    )
    apizee_password_set = fields.Boolean(
        string="Apizee password set", compute="_compute_apizee_password_input"
    )
    apizee_popin = fields.Boolean(
        string="Apizee video pop-in",
        copy=False,
        help="Load Apizee's video pop-in in Odoo's web client, signed in with your "
        "Apizee account.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        """Override to let users read their Apizee settings in Preferences."""
        return super().SELF_READABLE_FIELDS + [
            "apizee_username",
            "apizee_own_username",
            "apizee_username_editable",
            "apizee_password_input",
            "apizee_password_set",
            "apizee_popin",
        ]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        """Override to let users set their Apizee password and pop-in in Preferences,
        and their Apizee user name when the administrators allow it (Settings)."""
        fields_ = ["apizee_password_input", "apizee_popin"]
        if self._apizee_agents_set_username():
            fields_ += ["apizee_username", "apizee_own_username"]
        return super().SELF_WRITEABLE_FIELDS + fields_

    @api.model
    def _apizee_agents_set_username(self):
        """Whether agents may set their own Apizee user name (a setting; by default
        an administrator sets it)."""
        return bool(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(const.AGENTS_SET_USERNAME_PARAM)
        )

    def _apizee_is_admin(self):
        """Whether the real user (not a superuser environment: Preferences read the
        user's own record as superuser) is an administrator."""
        return self.env.user._is_system()

    def _compute_apizee_username_editable(self):
        editable = self._apizee_is_admin() or self._apizee_agents_set_username()
        for user in self:
            user.apizee_username_editable = editable

    def _compute_apizee_own_username(self):
        admin = self._apizee_is_admin()
        for user in self:
            own = user.id == self.env.uid
            user.apizee_own_username = (
                user.sudo().apizee_username if own or admin else False
            )

    def _inverse_apizee_own_username(self):
        for user in self:
            # Reached through ``write``: its access checks (Preferences' own fields,
            # administrators) already ran
            user.sudo().apizee_username = user.apizee_own_username

    @api.constrains("apizee_username")
    def _check_apizee_username(self):
        """No white space nor invisible character in an Apizee user name: what Apizee
        would read as another name (or as the technical account's) must not pass."""
        for user in self.sudo():
            name = user.apizee_username or ""
            if any(
                char.isspace() or unicodedata.category(char) in ("Cc", "Cf")
                for char in name
            ):
                raise ValidationError(
                    self.env._(
                        "An Apizee user name has no spaces nor invisible characters."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Override to strip pasted Apizee user names."""
        for vals in vals_list:
            self._apizee_strip_username(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Override: a pasted Apizee user name is stripped, and a new one drops the
        user's cached Apizee token at once (it was granted to the previous
        account)."""
        self._apizee_strip_username(vals)
        result = super().write(vals)
        account = {"apizee_username", "apizee_own_username", "apizee_password_input"}
        if account & set(vals):
            Token = self.env["apizee.token"].sudo()
            for user in self.sudo():
                if "apizee_username" in vals:
                    Token._forget(user=user, new_username=user.apizee_username)
                if self.env.user._is_system():
                    # An administrator set the account anew: the lock-out is lifted
                    # (an agent retyping their own password does not lift it)
                    Token._unlock(user)
        return result

    @api.model
    def _apizee_strip_username(self, vals):
        for field in ("apizee_username", "apizee_own_username"):
            if isinstance(vals.get(field), str):
                vals[field] = vals[field].strip() or False

    def _compute_apizee_password_input(self):
        stored = set(
            self.env["apizee.agent.credential"]
            .sudo()
            .search([("user_id", "in", self.ids)])
            .user_id.ids
        )
        for user in self:
            user.apizee_password_input = False
            user.apizee_password_set = user.id in stored

    def _inverse_apizee_password_input(self):
        for user in self:
            if user.apizee_password_input:
                self.env["apizee.agent.credential"].sudo()._set_password(
                    user, user.apizee_password_input
                )

    def _apizee_get_agent_account(self):
        """Server URL (of the context's company, else the user's) and the user's own
        Apizee account, read as superuser.

        :return: ``(server_url, username, password)``
        :raise AccessError: when the user is no helpdesk agent
        :raise UserError: when the user's Apizee account is not set
        """
        self.ensure_one()
        if not self.has_group(AGENT_GROUP):
            raise AccessError(
                self.env._("Only helpdesk agents may use Apizee's video pop-in.")
            )
        # One query on the hot path of the pop-in (every page load of an agent), where
        # the ORM would read every column of the user and of the company.
        self.flush_model(["apizee_username", "company_id"])
        self.env["res.company"].flush_model(
            ["apizee_server_url", "apizee_api_username"]
        )
        self.env["apizee.agent.credential"].flush_model(["password"])
        self.env["apizee.technical.account"].flush_model(["username", "company_id"])
        company_id = self.env.context.get("allowed_company_ids") and self.env.company.id
        self.env.cr.execute(
            """
            SELECT u.apizee_username, credential.password, company.apizee_server_url,
                   EXISTS (
                       SELECT 1 FROM res_company technical
                        WHERE lower(technical.apizee_api_username)
                              = lower(trim(u.apizee_username))
                          AND COALESCE(technical.apizee_server_url, %s)
                              = COALESCE(company.apizee_server_url, %s)
                   ) OR EXISTS (
                       SELECT 1 FROM apizee_technical_account pool
                         JOIN res_company pool_company
                              ON pool_company.id = pool.company_id
                        WHERE lower(pool.username) = lower(trim(u.apizee_username))
                          AND COALESCE(pool_company.apizee_server_url, %s)
                              = COALESCE(company.apizee_server_url, %s)
                   )
              FROM res_users u
              JOIN res_company company ON company.id = COALESCE(%s, u.company_id)
         LEFT JOIN apizee_agent_credential credential ON credential.user_id = u.id
             WHERE u.id = %s
            """,
            [
                const.DEFAULT_SERVER_URL,
                const.DEFAULT_SERVER_URL,
                const.DEFAULT_SERVER_URL,
                const.DEFAULT_SERVER_URL,
                company_id or None,
                self.id,
            ],
        )
        username, password, server_url, technical = self.env.cr.fetchone()
        if not (username and password):
            raise self.env["apizee.client"]._error("agent_account", 0)
        if technical:
            # The token of a technical account must never reach a browser
            raise self.env["apizee.client"]._error("technical_account", 0)
        return server_url or const.DEFAULT_SERVER_URL, username, password

    def _apizee_agent_bootstrap(self):
        """What Apizee's ``loadAgent`` needs for this user, and nothing more.

        A token for the agent, then ``/api/v2/users/me`` (both cached with the token's
        lifetime, see ``apizee.token``); the bearer token and the password stay on the
        server.

        :return: ``{"serverDomainRoot", "apiKey", "userInfos": {"userId", "nickname",
            "token", "photoUrl"}}``
        :raise AccessError: for users who are no helpdesk agent
        :raise UserError: when the agent's Apizee account is missing or refused
        """
        self.ensure_one()
        server_url, username, password = self._apizee_get_agent_account()
        profile = (
            self.env["apizee.token"]
            .sudo()
            ._get_profile(server_url, username, password, user=self)
        )
        return {
            "serverDomainRoot": server_url + "/",
            "apiKey": profile.get("apiKey"),
            "userInfos": {
                "userId": profile.get("userId"),
                "nickname": profile.get("nickname") or self.name,
                "token": profile.get("token"),
                "photoUrl": profile.get("photo_url") or "",
            },
        }

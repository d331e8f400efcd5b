# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

from .. import const

AGENT_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"
# Readable by administrators and by the user themself only (see ``_fetch_query``)
PRIVATE_FIELDS = ("apizee_username",)


class ResUsers(models.Model):
    _inherit = "res.users"

    apizee_username = fields.Char(
        string="Apizee user name",
        copy=False,
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
            fields_.append("apizee_username")
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

    def _compute_apizee_username_editable(self):
        editable = self.env.is_system() or self._apizee_agents_set_username()
        for user in self:
            user.apizee_username_editable = editable

    def _fetch_query(self, query, fields):
        """Override to hide the Apizee user names of others from anyone but
        administrators (as Odoo hides its ``USER_PRIVATE_FIELDS``): an Apizee user
        name is half of an account."""
        records = super()._fetch_query(query, fields)
        private = [self._fields[name] for name in PRIVATE_FIELDS]
        if (
            not self.env.su
            and not self.env.is_system()
            and any(field in fields for field in private)
        ):
            others = records.filtered(lambda user: user.id != self.env.uid)
            for field in private:
                self.env.cache.update(others, field, [False] * len(others))
        return records

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Override: no one but administrators searches by Apizee user name (it would
        tell whose it is)."""
        if not self.env.su and not self.env.is_system() and domain:
            for term in domain:
                if isinstance(term, list | tuple) and str(term[0]).split(".")[0] in (
                    PRIVATE_FIELDS
                ):
                    raise AccessError(self.env._("Invalid search criterion"))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group_groupby(self, groupby_spec, query):
        """Override: no grouping by Apizee user name but for administrators."""
        if not self.env.su and not self.env.is_system():
            if groupby_spec.split(":")[0].split(".")[0] in PRIVATE_FIELDS:
                raise AccessError(self.env._("Invalid search criterion"))
        return super()._read_group_groupby(groupby_spec, query)

    def write(self, vals):
        """Override: a new Apizee user name drops the user's cached Apizee token at
        once (it was granted to the previous account)."""
        result = super().write(vals)
        if "apizee_username" in vals:
            Token = self.env["apizee.token"].sudo()
            for user in self:
                Token._apizee_forget(user=user, new_username=user.apizee_username)
        return result

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
                self.env["apizee.agent.credential"].sudo()._apizee_set_password(
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
                   )
              FROM res_users u
              JOIN res_company company ON company.id = COALESCE(%s, u.company_id)
         LEFT JOIN apizee_agent_credential credential ON credential.user_id = u.id
             WHERE u.id = %s
            """,
            [
                const.DEFAULT_SERVER_URL,
                const.DEFAULT_SERVER_URL,
                company_id or None,
                self.id,
            ],
        )
        username, password, server_url, technical = self.env.cr.fetchone()
        if not (username and password):
            raise self.env["apizee.client"]._apizee_error("agent_account", 0)
        if technical:
            # The token of a technical account must never reach a browser
            raise self.env["apizee.client"]._apizee_error("technical_account", 0)
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
            ._apizee_get_profile(server_url, username, password, user=self)
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

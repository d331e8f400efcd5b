# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The audit's faults, one test each, and the tables that cover their siblings: the
Apizee account as an identity bound to one Odoo user, every public method refusing
whoever may not call it, sessions seen with their tickets, nothing secret read back."""

import contextlib
import inspect
import json
import logging

from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from ..models.apizee_token import token_lifetime
from .apizee_standin import MISSING, ApizeeStandIn
from .common import ApizeeStandInCommon, StandInRequestsMixin
from .test_webhook import WebhookMixin, delivery

BOOTSTRAP = "/helpdesk_apizee/agent/bootstrap"
PANEL = "/helpdesk_apizee/panel/event"
MODULE = "odoo.addons.helpdesk_apizee"
# Token lifetimes as documented (not read from const): Apizee's tokens live 24 h
# ("Authentication" page); ours at least the 300 s renewal margin + 60 s
DAY = 86400
MIN_LIFETIME = 360


@tagged("post_install", "-at_install")
class TestAgentIdentity(StandInRequestsMixin, HttpCase):
    """An agent's Apizee account is bound to one Odoo user: proven by its password,
    never shared, never the technical account (audit item 1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin = ApizeeStandIn().start()
        cls.addClassCleanup(cls.standin.stop)
        cls.standin.add_user("camille@example.com", "camille-Secret")
        cls.standin.add_user("tech@example.com", "tech-Secret")
        cls.env.company.write(
            {
                "apizee_server_url": cls.standin.url,
                "apizee_api_username": "tech@example.com",
                "apizee_api_password": "tech-Secret",
            }
        )
        groups = "base.group_user,helpdesk_mgmt.group_helpdesk_user"
        cls.victim = new_test_user(
            cls.env, login="victim", password="victim", groups=groups
        )
        cls.victim.write(
            {
                "apizee_username": "camille@example.com",
                "apizee_password_input": "camille-Secret",
                "apizee_popin": True,
            }
        )
        # The audit's attacker: "User: Personal tickets" only
        cls.attacker = new_test_user(
            cls.env,
            login="attacker",
            password="attacker",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.attacker.apizee_popin = True

    def setUp(self):
        super().setUp()
        self.standin.reset()
        self.env.cr.execute("DELETE FROM apizee_token")
        self.env["ir.config_parameter"].set_param(
            "helpdesk_apizee.agents_set_username", "True"
        )

    def _bootstrap(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(BOOTSTRAP, {})

    def _attacker_sets(self, username, password):
        """The attacker's own Preferences, as the web client writes them."""
        self.authenticate("attacker", "attacker")
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.users/write",
            {
                "model": "res.users",
                "method": "write",
                "args": [
                    [self.attacker.id],
                    {"apizee_username": username, "apizee_password_input": password},
                ],
                "kwargs": {},
            },
        )

    def _grants(self, username):
        return [
            r
            for r in self.standin.requests_to("/api/v3/token", "POST")
            if r["query"].get("username") == username
        ]

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client")
    def test_another_agents_name_gives_nothing_of_theirs(self):
        """The audit's vector: the victim's cache is warm, the attacker types the
        victim's user name and any password, and got the victim's profile."""
        victim = self._bootstrap("victim")
        self.assertTrue(victim["ok"])
        self._attacker_sets("camille@example.com", "a guess")
        answer = self._bootstrap("attacker")
        self.assertFalse(answer["ok"])
        text = json.dumps(answer)
        self.assertNotIn(victim["userInfos"]["token"], text)
        self.assertNotIn("standin-api-key", text)
        # The attacker's own account is blamed, not the technical one
        self.assertIn("your Apizee account", answer["error"])
        self.assertIn("Preferences", answer["error"])
        self.assertNotIn("technical", answer["error"])
        # Apizee itself checked the guess, and refused it
        self.assertEqual(len(self._grants("camille@example.com")), 2)

    def test_same_name_two_odoo_users_never_share_a_token(self):
        """Even with the right password: a grant of one's own, not the cache."""
        victim = self._bootstrap("victim")
        self._attacker_sets("camille@example.com", "camille-Secret")
        other = self._bootstrap("attacker")
        self.assertTrue(other["ok"])
        self.assertEqual(len(self._grants("camille@example.com")), 2)
        self.assertNotEqual(victim["userInfos"]["token"], other["userInfos"]["token"])
        self.env.cr.execute(
            "SELECT owner_key FROM apizee_token WHERE username = %s ORDER BY id",
            ["camille@example.com"],
        )
        self.assertEqual(
            [row[0] for row in self.env.cr.fetchall()],
            [f"user:{self.victim.id}", f"user:{self.attacker.id}"],
        )

    def test_technical_account_never_reaches_the_browser(self):
        # the pool's accounts are technical accounts too
        self.env["apizee.technical.account"].create(
            {"company_id": self.env.company.id, "username": "Pool2@example.com"}
        )
        for username in ("tech@example.com", " TECH@example.com", "pool2@EXAMPLE.com"):
            with self.subTest(username=username):
                self._attacker_sets(username, "tech-Secret")
                answer = self._bootstrap("attacker")
                self.assertFalse(answer["ok"])
                self.assertIn("technical account", answer["error"])
        self.assertFalse(self.standin.requests)

    @mute_logger(
        "odoo.addons.helpdesk_apizee.models.apizee_client",
        "odoo.addons.helpdesk_apizee.models.apizee_token",
    )
    def test_failed_grants_lock_out_the_one_who_tried(self):
        for guess in ("guess 1", "guess 2", "guess 3", "guess 4", "camille-Secret"):
            self._attacker_sets("camille@example.com", guess)
            answer = self._bootstrap("attacker")
            self.assertFalse(answer["ok"])
        # Three guesses reach Apizee, then the attacker is locked out, even with
        # the right password (indistinguishable from a guess)
        self.assertEqual(len(self._grants("camille@example.com")), 3)
        self.assertIn("too many times", answer["error"])
        # ... and the owner of the account is not: their own window is untouched
        self.assertTrue(self._bootstrap("victim")["ok"])
        # A new name does not lift the lock-out
        self._attacker_sets("someone@example.com", "another guess")
        self.assertIn("too many times", self._bootstrap("attacker")["error"])
        self.assertFalse(self._grants("someone@example.com"))
        # An administrator setting the account anew does
        self.attacker.write({"apizee_username": "camille@example.com"})
        self.attacker.with_user(self.env.ref("base.user_admin")).write(
            {"apizee_password_input": "camille-Secret"}
        )
        self.assertTrue(self._bootstrap("attacker")["ok"])

    def test_a_refused_password_is_not_sent_again(self):
        """Each page load asks the pop-in's bootstrap: the same wrong password is
        refused once by Apizee, then by Odoo, and locks no one out."""
        self._attacker_sets("camille@example.com", "typo")
        for _i in range(5):
            answer = self._bootstrap("attacker")
            self.assertIn("your Apizee account", answer["error"])
        self.assertEqual(len(self._grants("camille@example.com")), 1)
        self._attacker_sets("camille@example.com", "camille-Secret")
        self.assertTrue(self._bootstrap("attacker")["ok"])

    def test_changed_password_drops_the_token_at_once(self):
        self.assertTrue(self._bootstrap("victim")["ok"])
        self.victim.with_user(self.victim).apizee_password_input = "camille-Secret"
        self.env.cr.execute(
            "SELECT access_token, profile FROM apizee_token WHERE owner_key = %s",
            [f"user:{self.victim.id}"],
        )
        self.assertEqual(self.env.cr.fetchall(), [(None, None)])
        self.assertTrue(self._bootstrap("victim")["ok"])
        self.assertEqual(len(self._grants("camille@example.com")), 2)

    def test_changed_technical_password_drops_its_token(self):
        self.env.company._apizee_call("GET", const.USERS_ME_PATH)
        self.env.company.apizee_api_password = "tech-Secret"
        self.env.cr.execute(
            "SELECT count(*) FROM apizee_token WHERE access_token IS NOT NULL"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)


@tagged("post_install", "-at_install")
class TestAccountSettings(ApizeeStandInCommon):
    """Who sets and reads an agent's Apizee user name; what is read back of secrets
    (audit items 1 and 6)."""

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_admin_sets_the_user_name_by_default(self):
        agent = self.agent.with_user(self.agent)
        with self.assertRaises(AccessError):
            agent.write({"apizee_username": "someone@example.com"})
        agent.write({"apizee_password_input": "mine", "apizee_popin": True})
        self.env["ir.config_parameter"].set_param(
            "helpdesk_apizee.agents_set_username", "True"
        )
        agent.write({"apizee_username": "mine@example.com"})
        self.assertEqual(self.agent.apizee_username, "mine@example.com")

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_user_names_read_by_admins_and_the_user_only(self):
        """Not by read, domain (on users or through partners), aggregate, grouping nor
        sort order: the field belongs to administrators."""
        name = self.agent.sudo().apizee_username
        self.assertTrue(name)
        for reader in (self.internal_user, self.other_agent, self._own_agent()):
            Users = self.env["res.users"].with_user(reader)
            attempts = {
                "read": lambda Users=Users: self.agent.with_user(Users.env.user).read(
                    ["apizee_username"]
                ),
                "search": lambda Users=Users: Users.search(
                    [("apizee_username", "=", name)]
                ),
                "partner domain": lambda Users=Users: Users.env["res.partner"].search(
                    [("user_ids.apizee_username", "=like", name[:3] + "%")]
                ),
                "aggregate": lambda Users=Users: Users.read_group(
                    [], ["apizee_username:max"], ["share"]
                ),
                "group by": lambda Users=Users: Users.read_group(
                    [], ["login"], ["apizee_username"]
                ),
                "order": lambda Users=Users: Users.search([], order="apizee_username"),
            }
            for how, attempt in attempts.items():
                with self.subTest(reader=reader.login, how=how):
                    with self.assertRaises(AccessError):
                        attempt()
            with self.subTest(reader=reader.login, how="proxy"):
                proxy = self.agent.with_user(reader).read(["apizee_own_username"])
                self.assertFalse(proxy[0]["apizee_own_username"])
        self.agent.invalidate_recordset()
        own = self.agent.with_user(self.agent).read(
            ["apizee_username", "apizee_own_username", "apizee_username_editable"]
        )[0]
        self.assertEqual(own["apizee_username"], name)
        self.assertEqual(own["apizee_own_username"], name)
        # Preferences read as superuser: still not editable by the agent by default
        self.assertFalse(own["apizee_username_editable"])
        admin = self.agent.with_user(self.env.ref("base.user_admin"))
        self.assertEqual(admin.read(["apizee_username"])[0]["apizee_username"], name)
        # ... nor through the sessions an agent opened
        self.ticket.with_user(self.agent).action_apizee_open_room()
        session = self.ticket.apizee_session_ids.with_user(self.agent)
        self.assertTrue(session.read(["state"]))
        with self.assertRaises(AccessError):
            session.read(["agent_username"])

    def test_user_names_without_invisible_characters(self):
        for name in ("tech@exa\tmple.com", "tech@example.com\u200b", "a b@x.com"):
            with self.subTest(name=name), self.assertRaises(ValidationError):
                self.agent.apizee_username = name
        self.agent.apizee_username = "  pasted@example.com \n"
        self.assertEqual(self.agent.apizee_username, "pasted@example.com")

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_invitations_are_their_authors(self):
        """A wizard under review is its author's: no one else reads or writes it,
        and none is made for a ticket its author may not read."""
        wizard = self._invite()
        for user in (self._own_agent(), self.other_agent):
            Wizard = self.env["apizee.invite.wizard"].with_user(user)
            with self.subTest(user=user.login):
                self.assertFalse(Wizard.search([]))
                with self.assertRaises(AccessError):
                    wizard.with_user(user).read(["phone_numbers"])
                with self.assertRaises(AccessError):
                    wizard.with_user(user).write({"phone_numbers": "+33699999999"})
                with self.assertRaises(AccessError):
                    Wizard.create({"ticket_id": self.ticket.id})

    def _own_agent(self, suffix=""):
        return new_test_user(
            self.env,
            login=f"apizee_own_reader{suffix}",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )

    def test_typed_technical_password_cannot_be_read_back(self):
        admin = self.env.ref("base.user_admin")
        settings = (
            self.env["res.config.settings"]
            .with_user(admin)
            .create({"apizee_api_password_input": "typed-Secret"})
        )
        self.assertEqual(self.company.sudo().apizee_api_password, "typed-Secret")
        settings.invalidate_recordset()
        self.assertFalse(
            settings.read(["apizee_api_password_input"])[0]["apizee_api_password_input"]
        )
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'res_config_settings' AND column_name LIKE 'apizee%%'"
        )
        self.assertNotIn(
            "apizee_api_password_input", [row[0] for row in self.env.cr.fetchall()]
        )
        with self.assertRaises(AccessError):
            self.company.with_user(admin).read(["apizee_api_password"])

    def test_tokens_readable_by_no_one(self):
        self.company._apizee_call("GET", const.USERS_ME_PATH)
        for user in (self.env.ref("base.user_admin"), self.agent):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["apizee.token"].with_user(user).search([])
        token = self.env["apizee.token"].search([], limit=1)
        with self.assertRaises(AccessError):
            token.with_user(self.env.ref("base.user_admin")).read(["access_token"])

    def test_hostile_token_lifetimes(self):
        """A token answer's ``expires_in`` as a broken or hostile Apizee may send it:
        no exception escapes, and the token serves the next calls (one grant)."""
        cases = [
            (MISSING, DAY),
            (None, DAY),
            (-5, MIN_LIFETIME),
            (0, MIN_LIFETIME),
            (10**30, DAY),
            ("abc", DAY),
            ("3600", 3600),
            (3600.5, 3600),
            (float("inf"), DAY),
            (True, DAY),
            ([1], DAY),
            ({"a": 1}, DAY),
        ]
        for expires_in, lifetime in cases:
            with self.subTest(expires_in=expires_in):
                self.standin.reset()
                self._clear_token_cache()
                self.standin.expires_in = expires_in
                for _i in range(3):
                    self.company._apizee_call("GET", const.USERS_ME_PATH)
                self.assertEqual(len(self._token_requests()), 1)
                if expires_in is not MISSING:
                    self.assertEqual(token_lifetime(expires_in), lifetime)

    def test_token_lifetime_strings(self):
        self.assertEqual(token_lifetime("  600 "), 600)
        self.assertEqual(token_lifetime("1e9"), DAY)
        self.assertEqual(token_lifetime(float("nan")), DAY)

    def test_documented_token_numbers(self):
        """The numbers the client keeps to, as documented (not read from const)."""
        self.assertEqual(token_lifetime(None), DAY)
        self.assertEqual(token_lifetime(0), MIN_LIFETIME)
        self.assertEqual(const.TOKEN_RENEW_MARGIN, 300)
        self.assertEqual(const.RATE_LIMIT_CALLS, 10)
        self.assertEqual(const.RATE_LIMIT_WINDOW, 60)
        self.assertEqual(const.GRANT_FAILURES_MAX, 3)


@tagged("post_install", "-at_install")
class TestPublicMethods(ApizeeStandInCommon):
    """Every public method of the module's models, called over RPC's path by whoever
    may not use it, on the empty record set and on a record of someone else: an
    AccessError, and nothing reaches Apizee (audit item 2)."""

    # Methods the ORM itself guards (model access rights and record rules on the
    # records written), and methods that change nothing for their caller.
    ORM_GUARDED = {
        ("apizee.service", "create"),
        ("apizee.service", "write"),
        ("apizee.session", "write"),  # its override only pushes the live status
        ("res.company", "create"),
        ("res.company", "write"),
        ("res.users", "create"),
        ("res.users", "write"),
        ("apizee.invite.wizard", "create"),  # and its own checks (test below)
        ("ir.http", "session_info"),  # the caller's own session (a flag)
        ("apizee.webhook.event", "init"),  # run by the registry, not over RPC
        ("apizee.session", "create"),  # no access right to create but the system's
        ("apizee.invite.wizard", "write"),  # the own rule; the record never changes
        # Their sessions go with them, then the records' own unlink (the ORM's)
        ("apizee.video.mixin", "unlink"),
        ("helpdesk.ticket", "unlink"),
        # Administrators' only (access rights), and no one reads the password
        ("apizee.technical.account", "create"),
        ("apizee.technical.account", "write"),
        ("apizee.technical.account", "unlink"),
        # The counted figures refused to all but Odoo's code, then the ORM's write
        # (its access rights and rules; test_insight's forging test)
        ("apizee.video.mixin", "write"),
        ("helpdesk.ticket", "write"),
        # Odoo's defaults without the counted figures (the caller's own defaults)
        ("apizee.video.mixin", "default_get"),
        ("helpdesk.ticket", "default_get"),
        # Each record's join link's token at creation, and a new one for a copy:
        # the ORM's create and copy (their access rights and rules)
        ("apizee.video.mixin", "create"),
        ("apizee.video.mixin", "copy_data"),
        ("helpdesk.ticket", "create"),
        ("helpdesk.ticket", "copy_data"),
        # A video appointment moved or cancelled says so on its ticket: the
        # calendar's own write and unlink (its access rights and rules)
        ("calendar.event", "create"),
        ("calendar.event", "write"),
        ("calendar.event", "unlink"),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_agent = new_test_user(
            cls.env,
            login="apizee_table_own",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.other_team = cls.env["helpdesk.ticket.team"].create({"name": "Elsewhere"})
        cls.foreign_ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Someone else's",
                "description": "<p>x</p>",
                "partner_id": cls.partner.id,
                "team_id": cls.other_team.id,
                "user_id": cls.agent.id,
            }
        )
        cls.session = cls.env["apizee.session"].create(
            {"ticket_id": cls.foreign_ticket.id, "apizee_id": "T-1", "state": "open"}
        )
        cls.callers = (cls.portal_user, cls.own_agent, cls.other_agent)

    def _public_methods(self):
        """``(model, method)`` of every public method the module defines."""
        found = set()
        for name, model_class in self.env.registry.items():
            for cls in model_class.__mro__:
                if not cls.__module__.startswith(MODULE + "."):
                    continue
                for attr, value in vars(cls).items():
                    if attr.startswith("_") or not inspect.isfunction(value):
                        continue
                    if attr.isupper():  # SELF_READABLE_FIELDS and co.
                        continue
                    found.add((name, attr))
        return found

    def _targets(self, model):
        """The record sets a hostile caller tries: empty, and someone else's."""
        records = {
            "helpdesk.ticket": self.foreign_ticket,
            "apizee.session": self.session,
            "res.config.settings": self.env["res.config.settings"].create({}),
            "apizee.invite.wizard": self.env["apizee.invite.wizard"].create(
                {"ticket_id": self.foreign_ticket.id}
            ),
        }
        return [self.env[model].browse(), records.get(model)]

    def test_every_public_method_is_in_the_table(self):
        """A new public method cannot be forgotten: it is tested below, or said to
        be guarded by the ORM."""
        methods = self._public_methods()
        self.assertIn(
            ("res.config.settings", "action_apizee_regenerate_webhook_secret"),
            methods,
        )
        self.assertIn(("helpdesk.ticket", "action_apizee_open_room"), methods)
        self.assertGreaterEqual(len(methods - self.ORM_GUARDED), 10)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule", "odoo.sql_db")
    def test_public_methods_refuse_hostile_callers(self):
        """Portal: refused on any record set. Agents (own tickets only, another
        company): refused on someone else's records; on the empty set, refused or
        nothing done."""
        secrets_before = self._secrets()
        notes_before = len(self.foreign_ticket.message_ids)
        for model, method in sorted(self._public_methods() - self.ORM_GUARDED):
            for caller in self.callers:
                for records in self._targets(model):
                    if records is None:
                        continue
                    with self.subTest(
                        model=model, method=method, caller=caller.login, ids=records.ids
                    ):
                        target = records.with_user(caller)
                        if records or caller == self.portal_user:
                            with self.assertRaises(AccessError):
                                getattr(target, method)()
                            continue
                        # Refused ("Choose one record", a UserError), or nothing
                        # done
                        with contextlib.suppress(UserError):
                            getattr(target, method)()
        self.assertFalse(self.standin.requests)
        self.assertEqual(self._secrets(), secrets_before)
        self.assertEqual(len(self.foreign_ticket.message_ids), notes_before)

    def _secrets(self):
        """The module's parameters and every company's Apizee secrets."""
        self.env.invalidate_all()
        params = (
            self.env["ir.config_parameter"]
            .sudo()
            .search([("key", "like", "helpdesk_apizee.%")])
        )
        companies = self.env["res.company"].sudo().search([])
        fields_ = [f for f in companies._fields if f.startswith("apizee_")]
        return (
            sorted(params.mapped(lambda p: (p.key, p.value))),
            companies.read(fields_),
        )

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_settings_actions_over_rpc_as_portal(self):
        """The audit's vector: portal, empty record set, over the ORM's RPC entry."""
        for method in (
            "action_apizee_regenerate_webhook_secret",
            "action_apizee_test_connection",
            "set_values",
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(
                    self.env["res.config.settings"].with_user(self.portal_user),
                    method,
                    [[]],
                    {},
                )


@tagged("post_install", "-at_install")
class TestSessionsFollowTickets(ApizeeStandInCommon):
    """Whoever may read a ticket sees its sessions, and "Open room" never creates a
    second live one (audit item 4)."""

    def test_follower_reuses_the_live_session(self):
        follower = new_test_user(
            self.env,
            login="apizee_follower",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        other_team = self.env["helpdesk.ticket.team"].create({"name": "Others"})
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Followed",
                "description": "<p>x</p>",
                "partner_id": self.partner.id,
                "team_id": other_team.id,
                "user_id": self.agent.id,
            }
        )
        ticket.message_subscribe(partner_ids=follower.partner_id.ids)
        ticket.with_user(self.agent).action_apizee_open_room()
        self.assertEqual(len(self._sessions_created()), 1)
        self.env.invalidate_all()  # as in the follower's own request
        as_follower = ticket.with_user(follower)
        self.assertEqual(as_follower.apizee_session_count, 1)
        self.assertEqual(len(as_follower.apizee_session_ids), 1)
        as_follower.apizee_session_ids.read(["state", "agent_url"])
        self.env.invalidate_all()
        action = as_follower.action_apizee_open_room()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(len(self._sessions_created()), 1)

    def test_ticket_readable_without_sessions(self):
        """Who reads a ticket without being an agent (its customer on the portal, an
        internal follower) reads it whole, without its sessions."""
        self.ticket.with_user(self.agent).action_apizee_open_room()
        follower = self.internal_user
        self.ticket.message_subscribe(partner_ids=follower.partner_id.ids)
        self.partner.user_ids = self.portal_user
        self.ticket.message_subscribe(partner_ids=self.portal_user.partner_id.ids)
        for user in (follower, self.portal_user):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                ticket = self.ticket.with_user(user)
                self.assertNotIn("apizee_session_count", ticket.fields_get())
                # the internal follower reads every field it may (the portal user
                # is refused helpdesk_mgmt's attachments: not ours to change)
                fields_ = None if user == follower else ["name", "number"]
                values = ticket.read(fields_)[0]
                self.assertEqual(values["name"], self.ticket.name)
                self.assertNotIn("apizee_session_ids", values)
                self.assertNotIn("apizee_session_count", values)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_sessions_hidden_with_their_ticket(self):
        self.ticket.with_user(self.agent).action_apizee_open_room()
        session = self.ticket.apizee_session_ids
        own = new_test_user(
            self.env,
            login="apizee_not_follower",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        Session = self.env["apizee.session"]
        for user in (own, self.other_agent):
            with self.subTest(user=user.login):
                self.assertFalse(Session.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    session.with_user(user).read(["agent_url"])


@tagged("post_install", "-at_install")
class TestPanelRoute(StandInRequestsMixin, HttpCase):
    """The panel route answers junk with ``{"ok": false}``, the same for a missing
    ticket and a forbidden one, and logs untrusted text escaped (audit item 6)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,helpdesk_mgmt.group_helpdesk_user_own"
        cls.agent = new_test_user(
            cls.env, login="panel_agent", password="panel_agent", groups=groups
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {"name": "Mine", "description": "<p>x</p>", "user_id": cls.agent.id}
        )
        other = new_test_user(cls.env, login="panel_other", groups=groups)
        cls.forbidden = cls.env["helpdesk.ticket"].create(
            {"name": "Not mine", "description": "<p>x</p>", "user_id": other.id}
        )

    def _post(self, params):
        return self.make_jsonrpc_request(PANEL, params)

    @mute_logger("odoo.http", "odoo.addons.helpdesk_apizee.controllers.main")
    def test_junk_arguments(self):
        self.authenticate("panel_agent", "panel_agent")
        junk = [
            {},
            {"ticket_id": self.ticket.id},
            {"kind": "joined"},
            {"ticket_id": "x", "kind": "joined"},
            {"ticket_id": True, "kind": "joined"},
            {"ticket_id": -1, "kind": "joined"},
            {"ticket_id": 10**30, "kind": "joined"},
            {"ticket_id": [1], "kind": "joined"},
            {"ticket_id": self.ticket.id, "kind": ["joined"]},
            {"ticket_id": self.ticket.id, "kind": None},
            {"ticket_id": self.ticket.id, "kind": "snapshot", "data_url": 5},
            {"ticket_id": self.ticket.id, "kind": "snapshot", "data_url": "data:x"},
            {"ticket_id": self.ticket.id, "kind": "nope"},
            {"ticket_id": self.ticket.id, "kind": "joined", "extra": {"a": 1}},
        ]
        for params in junk:
            with self.subTest(params=params):
                answer = self._post(params)
                if params.get("extra"):
                    self.assertEqual(answer, {"ok": True})
                    continue
                self.assertIs(answer["ok"], False)
                self.assertIsInstance(answer["error"], str)

    def test_missing_and_forbidden_alike(self):
        self.authenticate("panel_agent", "panel_agent")
        missing = self._post({"ticket_id": 2**31 - 1, "kind": "joined"})
        forbidden = self._post({"ticket_id": self.forbidden.id, "kind": "joined"})
        self.assertFalse(missing["ok"])
        self.assertEqual(missing, forbidden)
        self.assertFalse(
            self.forbidden.message_ids.filtered(lambda m: "Video" in str(m.body))
        )

    def test_log_forging(self):
        self.authenticate("panel_agent", "panel_agent")
        with self.assertLogs(
            "odoo.addons.helpdesk_apizee.controllers.main", logging.WARNING
        ) as logs:
            self._post(
                {
                    "ticket_id": self.ticket.id,
                    "kind": "x\n2026-01-01 00:00:00,000 1 INFO db odoo: forged",
                }
            )
        self.assertEqual(len(logs.output), 1)
        self.assertNotIn("\n", logs.output[0])
        self.assertIn("\\n", logs.output[0])


@tagged("post_install", "-at_install")
class TestRefusedMediaUrls(WebhookMixin, ApizeeStandInCommon):
    """A media URL Odoo refuses to reach is given up at once, with a message that
    says so (not "Apizee refused the request (HTTP 0)", four times over)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["apizee.webhook.event"].sudo()

    @mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client")
    def test_refused_address_is_not_retried(self):
        self._session()
        for media_id, url in (
            (9101, "https://127.0.0.1\\.apizee.com/a.png"),
            (9102, "https://evil.example/a.png"),
            (9103, "file:///etc/passwd"),
        ):
            with self.subTest(url=url):
                event = self._deliver(
                    delivery("media", id=media_id, ticketId=82070, url=url)
                )
                self.assertEqual(event.state, "failed")
                self.assertEqual(event.attempts, 1)
                self.assertIn("Odoo does not download from", event.result)
        self.assertFalse(self.standin.requests)

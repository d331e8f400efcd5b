# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Video calls on a record that is no ticket: ``apizee.video.mixin`` and a small glue
model (``tests/video_record.py``) are enough; its sessions follow its own access
rules, with no rule of their own."""

from unittest.mock import patch

from odoo_test_helper import FakeModelLoader

from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from .common import ApizeeStandInCommon
from .test_webhook import WebhookMixin, delivery


@tagged("post_install", "-at_install")
class TestVideoMixin(WebhookMixin, ApizeeStandInCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .video_record import ApizeeTestVideoRecord

        cls.loader.update_registry((ApizeeTestVideoRecord,))
        cls.addClassCleanup(cls.loader.restore_registry)
        model = cls.env["ir.model"]._get("apizee.test.video.record")
        # The glue's access rights (its ir.model.access.csv): its users on their
        # records, on sessions (read) and on the invitation wizard
        users = cls.env.ref("base.group_user")
        for name, (read, write, create) in {
            "apizee.test.video.record": (1, 1, 1),
            "apizee.session": (1, 0, 0),
            "apizee.invite.wizard": (1, 1, 1),
        }.items():
            cls.env["ir.model.access"].create(
                {
                    "name": f"{name}: video record users",
                    "model_id": cls.env["ir.model"]._get(name).id,
                    "group_id": users.id,
                    "perm_read": read,
                    "perm_write": write,
                    "perm_create": create,
                }
            )
        # The record's own rule: each user their own records
        cls.env["ir.rule"].create(
            {
                "name": "video record: own",
                "model_id": model.id,
                "domain_force": "[('user_id', '=', user.id)]",
                "groups": [(6, 0, cls.env.ref("base.group_user").ids)],
            }
        )
        cls.user = new_test_user(
            cls.env, login="apizee_video_user", groups="base.group_user"
        )
        cls.user.apizee_username = "camille@example.com"
        cls.other_user = new_test_user(
            cls.env, login="apizee_video_other", groups="base.group_user"
        )
        cls.record = cls.env["apizee.test.video.record"].create(
            {"name": "REC-0001", "partner_id": cls.partner.id, "user_id": cls.user.id}
        )
        cls.Event = cls.env["apizee.webhook.event"].sudo()

    def _invitation(self):
        """The invitation wizard, as the record's "Invite" opens it."""
        action = self.record.with_user(self.user).action_apizee_invite()
        return (
            self.env["apizee.invite.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({})
        )

    def _open_room(self):
        return self.record.with_user(self.user).action_apizee_open_room()

    def test_open_room_creates_a_session_of_the_record(self):
        action = self._open_room()
        self.assertEqual(action["type"], "ir.actions.act_url")
        session = self.record.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertRecordValues(
            session,
            [
                {
                    "res_model": "apizee.test.video.record",
                    "res_id": self.record.id,
                    "ticket_id": False,
                    "company_id": self.company.id,
                    "agent_id": self.user.id,
                    "reference": "REC-0001",
                }
            ],
        )
        self.assertEqual(self.record.apizee_session_count, 1)
        (sent,) = self._sessions_created()
        self.assertEqual(sent["query"]["reference"], "REC-0001")
        self.assertEqual(sent["query"]["name"], self.partner.name)
        # the agent's note, on the record's chatter
        self.assertIn("opened by", self.record.message_ids[:1].body)
        # a second click reuses the live session
        self._open_room()
        self.assertEqual(len(self._sessions_created()), 1)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_sessions_follow_the_records_rules(self):
        self._open_room()
        session = self.record.apizee_session_ids
        Session = self.env["apizee.session"]
        self.assertEqual(Session.with_user(self.user).search([]), session)
        self.assertFalse(Session.with_user(self.other_user).search([]))
        with self.assertRaises(AccessError):
            session.with_user(self.other_user).read(["apizee_id"])
        with self.assertRaises(AccessError):
            self.record.with_user(self.other_user).action_apizee_open_room()
        # the record changes hands: its sessions follow
        self.record.user_id = self.other_user
        self.env.invalidate_all()
        self.assertEqual(Session.with_user(self.other_user).search([]), session)
        self.assertFalse(Session.with_user(self.user).search([]))

    def test_agents_told_whatever_the_callers_companies(self):
        """Who is told about a record's calls does not depend on the companies the
        caller has selected (an administrator working in another company too)."""
        other = self.env["res.company"].create({"name": "Other company"})
        self.env.user.company_ids |= other
        ticket = self.ticket.with_context(
            allowed_company_ids=[other.id, self.env.company.id]
        )
        self.assertIn(self.agent, ticket._apizee_users_to_tell())

    def test_portal_may_not_call(self):
        with self.assertRaises(AccessError):
            self.record.with_user(self.portal_user).action_apizee_open_room()

    def test_webhook_events_reach_the_record(self):
        with patch.object(const, "WEBHOOK_SESSION_GRACE", 0):
            created = self._deliver(
                delivery("ticket", "create", id=99501, reference="REC-0001")
            )
        session = self.record.apizee_session_ids
        self.assertEqual(created.session_id, session)
        self.assertEqual(session.res_model, "apizee.test.video.record")
        self._deliver(
            delivery(
                "conversationevent",
                id=99502,
                eventName="ticket.invitationClicked",
                ticketId=99501,
            )
        )
        notes = self.record.message_ids.filtered(
            lambda m: "Apizee session 99501" in (m.body or "")
        )
        self.assertEqual(len(notes), 2)
        self.assertIn("created in Apizee", notes[1].body)
        self.assertIn("opened the invitation", notes[0].body)

    def test_invitation_wizard_and_panel(self):
        wizard = self._invitation()
        self.assertEqual(wizard.reference, "REC-0001")
        self.assertFalse(wizard.ticket_id)
        url = wizard.action_confirm()["url"]
        self.assertIn("reference=REC-0001", url)
        self.company.apizee_company_key = "company-key"
        panel = self.record.with_user(self.user).action_apizee_agent_panel()
        self.assertEqual(panel["params"]["res_model"], "apizee.test.video.record")
        self.assertIn("apizee-test-video-record-", panel["params"]["url"])
        self.assertTrue(self.record.with_user(self.user)._apizee_panel_event("joined"))
        self.assertIn("the guest joined", self.record.message_ids[:1].body)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_the_mixin_itself_has_no_calls(self):
        """The abstract model over RPC, on an id of a record of another model: refused
        before anything reads a table it does not have."""
        Mixin = self.env["apizee.video.mixin"].with_user(self.user)
        for method in (
            "action_apizee_invite",
            "action_apizee_open_room",
            "action_apizee_agent_panel",
            "action_apizee_view_sessions",
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(Mixin, method, [[self.record.id]], {})
        self.assertFalse(self._sessions_created())

    def test_record_readable_searches_by_equality_only(self):
        Session = self.env["apizee.session"].with_user(self.user)
        self._open_room()
        for operator, value in (("=", True), ("!=", False)):
            self.assertEqual(
                Session.search([("record_readable", operator, value)]),
                self.record.apizee_session_ids,
            )
        self.assertFalse(Session.search([("record_readable", "=", False)]))
        with self.assertRaises(UserError):
            Session.search([("record_readable", "in", [True])])

    def test_an_invitation_keeps_its_record(self):
        """Created for a record the agent may read, an invitation is never re-pointed
        at another one (whose number and company it would show)."""
        wizard = self._invitation()
        for vals in (
            {"res_id": self.ticket.id},
            {"res_model": "helpdesk.ticket"},
            {"ticket_id": self.ticket.id},
            {"res_model": "res.users", "res_id": 2},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                wizard.write(vals)
        wizard.write({"phone_numbers": "+33612345678"})
        self.assertEqual(wizard.reference, "REC-0001")

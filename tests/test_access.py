# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ApizeeCommon


@tagged("post_install", "-at_install")
class TestAccess(ApizeeCommon):
    def test_helpdesk_user_can_invite(self):
        action = self._invite(user=self.agent).action_confirm()
        self.assertEqual(action["type"], "ir.actions.act_url")

    def test_personal_tickets_user_can_invite_own_ticket(self):
        own = new_test_user(
            self.env,
            login="apizee_own",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        self.ticket.user_id = own
        action = self._invite(user=own).action_confirm()
        self.assertEqual(action["type"], "ir.actions.act_url")

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_others_cannot_reach_the_action(self):
        for user in (self.portal_user, self.internal_user, self.other_agent):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).action_apizee_invite()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["apizee.invite.wizard"].with_user(user).create(
                    {"ticket_id": self.ticket.id}
                ).action_confirm()

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_services_read_only_for_agents(self):
        service = self.service_assistance.with_user(self.agent)
        self.assertEqual(service.key, self.service_assistance.key)
        with self.assertRaises(AccessError):
            service.write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["apizee.service"].with_user(self.agent).create(
                {"name": "New", "key": "c" * 32}
            )

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_services_hidden_from_others(self):
        for user in (self.portal_user, self.internal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.service_assistance.with_user(user).read(["key"])
        # another company's user does not see this company's services
        Service = self.env["apizee.service"].with_user(self.other_agent)
        self.assertFalse(Service.search([]))
        with self.assertRaises(AccessError):
            self.service_assistance.with_user(self.other_agent).read(["key"])

    def test_apizee_manager_manages_services(self):
        manager = new_test_user(
            self.env,
            login="apizee_manager",
            groups="base.group_user,helpdesk_apizee.helpdesk_apizee_group_manager",
        )
        Service = self.env["apizee.service"].with_user(manager)
        service = Service.create(
            {"name": "By manager", "key": "d" * 32, "service_type": "video_meeting"}
        )
        self.assertEqual(service.create_uid, manager)
        self.assertRecordValues(
            service,
            [
                {
                    "name": "By manager",
                    "key": "d" * 32,
                    "service_type": "video_meeting",
                    "company_id": self.company.id,
                }
            ],
        )
        service.write({"name": "Renamed", "service_type": "video_assistance"})
        self.assertEqual(service.write_uid, manager)
        service.invalidate_recordset()
        self.assertRecordValues(
            service,
            [{"name": "Renamed", "key": "d" * 32, "service_type": "video_assistance"}],
        )
        self.assertEqual(Service.search([("key", "=", "d" * 32)]), service)
        service_id = service.id
        service.unlink()
        self.assertFalse(self.env["apizee.service"].browse(service_id).exists())
        self.assertFalse(
            self.env["apizee.service"]
            .with_context(active_test=False)
            .search([("key", "=", "d" * 32)])
        )

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_settings_only_for_admins(self):
        for user in (
            self.agent,
            self.internal_user,
            self.portal_user,
            self.other_agent,
        ):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["res.config.settings"].with_user(user).create(
                    {"apizee_lock_service": True}
                )
        self.assertFalse(self.company.apizee_lock_service)

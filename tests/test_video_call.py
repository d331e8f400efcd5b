# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket's one "Video call": the company's default way, the other ways in its
menu when the settings allow them, and "Open room" with imperfect contact details."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from ..utils import apizee_urls
from .common import ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestVideoCall(ApizeeStandInCommon):
    def _call(self, user=None, **context):
        ticket = self.ticket.with_user(user or self.agent).with_context(**context)
        return ticket.action_apizee_video_call()

    def _kind(self, action):
        """Which way an action took: invite, room, form or panel."""
        if action.get("res_model") == "apizee.invite.wizard":
            return "form"
        if action.get("tag") == "helpdesk_apizee.agent_panel":
            return "panel"
        if action.get("type") == "ir.actions.act_url":
            created = self._sessions_created()
            sent = bool(created) and created[-1]["query"].get("invite") == "1"
            return "invite" if sent else "room"
        raise AssertionError(f"unexpected action {action!r}")

    def _configure(self, technical, key):
        self.company.sudo().write(
            {
                "apizee_api_username": self.TECH_USER if technical else False,
                "apizee_company_key": "ik-test" if key else False,
            }
        )

    def test_paths_follow_the_settings(self):
        """(technical account, company key) → the ways offered; the default way and
        a way named in the context run when offered, else the invitation form."""
        table = [
            (True, True, ("invite", "form", "room", "panel")),
            (True, False, ("invite", "form", "room")),
            (False, True, ("form", "panel")),
            (False, False, ("form",)),
        ]
        for technical, key, offered in table:
            self._configure(technical, key)
            ticket = self.ticket.with_user(self.agent)
            ticket.invalidate_recordset(["apizee_video_call_paths"])
            self.assertEqual(
                ticket.apizee_video_call_paths, ",".join(offered), (technical, key)
            )
            for default in ("invite", "form", "panel"):
                for asked in (None, *const.VIDEO_CALL_PATH_ALL, "bogus", ["room"]):
                    with self.subTest(
                        technical=technical, key=key, default=default, asked=asked
                    ):
                        self.company.apizee_video_call_path = default
                        self.ticket.sudo().apizee_session_ids.unlink()
                        self.standin.reset()
                        self._clear_token_cache()
                        expected = asked if asked in offered else default
                        if expected not in offered:
                            expected = "form"
                        context = {"apizee_video_call_path": asked} if asked else {}
                        self.assertEqual(self._kind(self._call(**context)), expected)

    def test_hint_for_administrators_only(self):
        self._configure(False, False)
        admin = self.env.ref("base.user_admin")
        hint = self.ticket.with_user(admin).apizee_video_call_hint
        self.assertIn("technical account", hint)
        self.assertIn("company key", hint)
        self.assertFalse(self.ticket.with_user(self.agent).apizee_video_call_hint)
        self._configure(True, True)
        self.ticket.invalidate_recordset()
        self.assertFalse(self.ticket.with_user(admin).apizee_video_call_hint)

    def test_refused_to_non_agents_and_empty_sets(self):
        for user in (self.portal_user, self.internal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).action_apizee_video_call()
        for records in (self.env["helpdesk.ticket"], self.ticket | self.ticket.copy()):
            with (
                self.subTest(ids=records.ids),
                self.assertRaisesRegex(UserError, "Choose one record"),
            ):
                records.with_user(self.agent).action_apizee_video_call()
        self.assertFalse(self.standin.requests)

    def test_other_company_ticket_refused(self):
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.other_agent).action_apizee_video_call()

    def test_customer_phone_beside_the_camera(self):
        ticket = self.ticket.with_user(self.agent)
        self.assertEqual(ticket.apizee_customer_phone, "+33 7 81 23 45 67")
        self.partner.mobile = False
        ticket.invalidate_recordset()
        self.assertEqual(ticket.apizee_customer_phone, "06 12 34 56 78")
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.portal_user).read(["apizee_customer_phone"])


@tagged("post_install", "-at_install")
class TestOpenRoomRecipients(ApizeeStandInCommon):
    """ "Open room" sends what is valid and says what it left out; with nothing valid
    the agent gets the invitation wizard, to fix the entries there."""

    def test_table(self):
        # (phone, mobile, ticket email) → (sent phone, sent email, left out)
        table = [
            ("06 12 34 56 78", "0612", "lucie@example.com", "+33612345678", True, 1),
            ("0612", "0613", "lucie@example.com", None, True, 2),
            ("0612", False, "not-an-email", None, None, "wizard"),
            (False, False, False, None, None, "wizard"),
            (False, "+33 7 81 23 45 67", "not-an-email", "+33781234567", None, 1),
        ]
        for phone, mobile, email, sent_phone, sent_email, left_out in table:
            with self.subTest(phone=phone, mobile=mobile, email=email):
                self.ticket.sudo().apizee_session_ids.unlink()
                self.standin.reset()
                self._clear_token_cache()
                self.partner.write({"phone": phone, "mobile": mobile, "email": False})
                self.ticket.partner_email = email
                messages = len(self.ticket.message_ids)
                action = self.ticket.with_user(self.agent).action_apizee_open_room()
                created = self._sessions_created()
                if left_out == "wizard":
                    self.assertEqual(action["res_model"], "apizee.invite.wizard")
                    self.assertFalse(self.standin.requests)
                    self.assertFalse(self.ticket.apizee_session_ids)
                    self.assertEqual(len(self.ticket.message_ids), messages)
                    continue
                self.assertEqual(len(created), 1)
                query = created[0]["query"]
                self.assertEqual(query.get("phone"), sent_phone)
                self.assertEqual("email" in query, bool(sent_email))
                self.assertEqual(action["tag"], "display_notification")
                message = action["params"]["message"]
                self.assertEqual(message.count("•"), left_out)
                self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_url")

    def test_all_valid_opens_the_room_at_once(self):
        action = self.ticket.with_user(self.agent).action_apizee_open_room()
        self.assertEqual(action["type"], "ir.actions.act_url")


@tagged("post_install", "-at_install")
class TestWebhookUrlWarning(ApizeeStandInCommon):
    def test_problems(self):
        table = [
            ("https://help.example.com/helpdesk_apizee/webhook/1", None),
            ("http://help.example.com/helpdesk_apizee/webhook/1", "not_https"),
            ("https://localhost:8069/x", "not_public"),
            ("https://odoo/x", "not_public"),
            ("https://odoo.local/x", "not_public"),
            ("https://127.0.0.1/x", "not_public"),
            ("https://10.1.2.3/x", "not_public"),
            ("https://[::1]/x", "not_public"),
            ("https://[::ffff:192.168.1.1]/x", "not_public"),
            ("https://93.184.215.14/x", None),
            ("HTTPS://Help.Example.com./x", None),
            ("", "not_https"),
            ("https://exa mple.com:99999/x", "not_public"),
        ]
        for url, problem in table:
            with self.subTest(url=url):
                self.assertEqual(apizee_urls.webhook_url_problem(url), problem)

    def test_password_set_on_opening(self):
        """Settings say "A password is set." as they open, not after Test
        connection only (the view reads it with the defaults)."""
        admin = self.env.ref("base.user_admin")
        Settings = self.env["res.config.settings"].with_user(admin)
        spec = {"company_id": {}, "apizee_api_password_set": {}}
        values = Settings.onchange({}, [], spec)["value"]
        self.assertIs(values["apizee_api_password_set"], True)
        self.company.sudo().apizee_api_password = False
        values = Settings.onchange({}, [], spec)["value"]
        self.assertIs(values["apizee_api_password_set"], False)

    @mute_logger("odoo.models.unlink")
    def test_settings_say_it(self):
        admin = self.env.ref("base.user_admin")
        params = self.env["ir.config_parameter"].sudo()
        for base, warned in (
            ("http://localhost:8069", True),
            ("https://help.example.com", False),
        ):
            params.set_param("web.base.url", base)
            settings = self.env["res.config.settings"].with_user(admin).create({})
            self.assertEqual(bool(settings.apizee_webhook_url_warning), warned, base)


@tagged("post_install", "-at_install")
class TestLiveStatus(ApizeeStandInCommon):
    """The ticket's latest call in words, and the bus notification that makes the
    forms of the agents concerned read it again."""

    def _notifications(self):
        self.env.cr.precommit.run()
        return (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", const.LIVE_NOTIFICATION)])
        )

    def test_status_words(self):
        ticket = self.ticket.with_user(self.agent)
        self.assertFalse(ticket.apizee_call_status)
        ticket.action_apizee_open_room()
        session = self.ticket.apizee_session_ids
        now = fields.Datetime.now()
        table = [
            ({"state": "new"}, "Room open · Waiting for the customer", True),
            ({"state": "invited"}, "Invitation sent · Waiting for the customer", True),
            ({"state": "inprogress", "start_time": now}, "In call since ", True),
            (
                {"state": "done", "end_time": now - timedelta(minutes=14)},
                "Ended 14 min ago",
                False,
            ),
            (
                {"state": "declined", "end_time": now - timedelta(hours=3)},
                "Declined 3 h ago",
                False,
            ),
            ({"state": "done", "end_time": now - timedelta(days=2)}, False, False),
        ]
        for values, words, live in table:
            with self.subTest(values=values):
                session.sudo().write(values)
                ticket.invalidate_recordset()
                if words:
                    self.assertIn(words, ticket.apizee_call_status)
                else:
                    self.assertFalse(ticket.apizee_call_status)
                self.assertEqual(ticket.apizee_call_live, live)
                # green only while the customer is in the call
                self.assertEqual(
                    ticket.apizee_call_in_progress, values["state"] == "inprogress"
                )

    def test_change_pushed_once_to_the_agents_concerned(self):
        self.team.user_ids = self.agent | self.other_agent
        self.ticket.message_subscribe(
            partner_ids=(self.portal_user | self.internal_user).partner_id.ids
        )
        self.env["bus.bus"].sudo().search([]).unlink()
        self.ticket.with_user(self.agent).action_apizee_open_room()
        session = self.ticket.apizee_session_ids
        session.sudo().write({"state": "invited"})
        session.sudo().write({"state": "inprogress"})
        notifications = self._notifications()
        channels = {json.loads(n.channel)[2] for n in notifications}
        # once per agent of the ticket and its team, whatever the number of changes
        # in the transaction; no portal follower, no follower who is no agent, no
        # agent of another company
        self.assertEqual(sorted(channels), self.agent.partner_id.ids)
        payload = json.loads(notifications[0].message)["payload"]
        self.assertEqual(
            payload, {"res_model": "helpdesk.ticket", "res_id": self.ticket.id}
        )
        # a change that the chip does not show pushes nothing
        self.env["bus.bus"].sudo().search([]).unlink()
        session.sudo().write({"last_refresh": fields.Datetime.now()})
        self.assertFalse(self._notifications())

    def test_change_pushed_to_who_started_the_call(self):
        """A manager who is neither the ticket's agent, nor in its team, nor a
        follower, sees the call they started live too."""
        manager = new_test_user(
            self.env,
            login="live_manager",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager",
        )
        self.assertNotIn(manager, self.ticket.sudo()._apizee_live_users())
        self.ticket.with_user(manager).action_apizee_open_room()
        self.env["bus.bus"].sudo().search([]).unlink()
        self.ticket.apizee_session_ids.sudo().write({"state": "inprogress"})
        channels = {json.loads(n.channel)[2] for n in self._notifications()}
        self.assertIn(manager.partner_id.id, channels)

    def test_status_hidden_from_non_agents(self):
        for user in (self.portal_user, self.internal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).read(["apizee_call_status"])


@tagged("post_install", "-at_install")
class TestSessionInWords(ApizeeStandInCommon):
    def test_ended_session_ends_when_it_ended(self):
        self.ticket.with_user(self.agent).action_apizee_open_room()
        session = self.ticket.apizee_session_ids.sudo()
        scheduled = session.end_time
        started = fields.Datetime.now() + timedelta(minutes=1)
        self.assertTrue(session._apply_state("inprogress", started))
        self.assertEqual(session.end_time, scheduled)
        ended = started + timedelta(minutes=12)
        self.assertTrue(session._apply_state("done", ended))
        self.assertEqual(session.end_time, ended)

    def test_consent_given_by_in_words(self):
        self.ticket.with_user(self.agent).action_apizee_open_room()
        session = self.ticket.apizee_session_ids.sudo()
        table = [
            ("guest", "The customer"),
            ("GUEST", "The customer"),
            ("agent", "The agent"),
            ("system", "Apizee"),
            ("kiosk-42", "kiosk-42"),
            (False, False),
        ]
        for source, words in table:
            with self.subTest(source=source):
                session.consent_source = source
                self.assertEqual(session.consent_given_by, words)

    def test_webhook_event_title_and_body(self):
        Event = self.env["apizee.webhook.event"].sudo()
        table = [
            (
                {"event_name": "ticket.completed", "session_ref": "960990882"},
                "ticket.completed · session 960990882",
            ),
            ({"object": "ticket", "event": "update"}, "ticket.update"),
            ({}, "abcdefabcdef"),
        ]
        for values, title in table:
            with self.subTest(values=values):
                event = Event.new(
                    {"digest": "abcdefabcdef" * 5, "body": '{"a": [1, "é"]}', **values}
                )
                self.assertEqual(event.display_name, title)
                self.assertEqual(
                    event.body_pretty, '{\n  "a": [\n    1,\n    "é"\n  ]\n}'
                )
        self.assertEqual(Event.new({"body": "not json"}).body_pretty, "not json")


@tagged("post_install", "-at_install")
class TestSettingsSizes(ApizeeStandInCommon):
    def test_sizes_in_kb_and_mb(self):
        admin = self.env.ref("base.user_admin")
        Settings = self.env["res.config.settings"].with_user(admin)
        params = self.env["ir.config_parameter"].sudo()
        # (written, then read back in bytes)
        table = [
            ({"apizee_webhook_max_kb": 512}, const.WEBHOOK_MAX_BYTES_PARAM, 512 * 1024),
            ({"apizee_media_max_mb": 10}, const.MEDIA_MAX_BYTES_PARAM, 10 * 1024**2),
            # the old fields still work, and a limit that is no round number stays
            (
                {"apizee_webhook_max_bytes": 300000},
                const.WEBHOOK_MAX_BYTES_PARAM,
                300000,
            ),
        ]
        for values, param, expected in table:
            with self.subTest(values=values):
                Settings.create(values).execute()
                self.assertEqual(int(params.get_param(param)), expected)
        settings = Settings.create({})
        self.assertEqual(settings.apizee_webhook_max_kb, 292)
        self.assertEqual(settings.apizee_media_max_mb, 10)
        # the form sends both: the bytes stay when the KB did not change
        Settings.create(
            {"apizee_webhook_max_bytes": 300000, "apizee_webhook_max_kb": 292}
        ).execute()
        self.assertEqual(int(params.get_param(const.WEBHOOK_MAX_BYTES_PARAM)), 300000)
        with self.assertRaises(ValidationError):
            Settings.create({"apizee_webhook_max_kb": 0})

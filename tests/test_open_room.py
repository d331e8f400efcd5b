# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from ..models.apizee_client import ApizeeError
from .common import KEY_ASSISTANCE, ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestOpenRoom(ApizeeStandInCommon):
    def _refresh(self, session):
        """Refresh, as an agent clicking it later than ``SESSION_REFRESH_MIN``."""
        session.sudo().last_refresh = "2020-01-01 00:00:00"
        session.with_user(self.agent).action_apizee_refresh()

    def test_refresh_clicks_do_not_spend_the_account(self):
        """The audit's vector: Refresh clicked 12 times in a row reads Apizee once,
        and "Open room" still gets its requests."""
        self._open()
        session = self.ticket.apizee_session_ids
        session.sudo().last_refresh = "2020-01-01 00:00:00"
        for _i in range(12):
            session.with_user(self.agent).action_apizee_refresh()
        gets = self.standin.requests_to(f"/api/v3/tickets/{session.apizee_id}", "GET")
        self.assertEqual(len(gets), 1)
        self.assertEqual(const.SESSION_REFRESH_MIN, 30)

    def _open(self, ticket=None, user=None, **context):
        ticket = (ticket or self.ticket).with_user(user or self.agent)
        return ticket.with_context(**context).action_apizee_open_room()

    def test_creates_session_and_opens_agent_room(self):
        self.partner.lang = "fr_FR"
        action = self._open()
        created = self._sessions_created()
        self.assertEqual(len(created), 1)
        self.assertEqual(
            created[0]["query"],
            {
                "reference": self.ticket.number,
                "name": "Lucie Bernard",
                "language": "fr",
                "phone": "+33781234567",
                "email": "lucie.ticket@example.com",
                "service": KEY_ASSISTANCE,
                "agent": "camille@example.com",
            },
        )
        session = self.ticket.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertRecordValues(
            session,
            [
                {
                    "state": "new",
                    "agent_id": self.agent.id,
                    "agent_username": "camille@example.com",
                    "service_id": self.service_assistance.id,
                    "invitation_sent": False,
                    "recipients": "+33781234567, lucie.ticket@example.com",
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(
            action,
            {"type": "ir.actions.act_url", "url": session.agent_url, "target": "new"},
        )
        self.assertTrue(session.agent_url.startswith(self.standin.url))
        self.assertTrue(session.guest_url)
        self.assertEqual(self.ticket.apizee_session_count, 1)
        note = self.ticket.message_ids[0]
        self.assertIn(session.apizee_id, note.body)
        self.assertIn("no invitation", note.body)
        self.assertEqual(session.origin, "agent")

    def test_invite_lets_apizee_send_it(self):
        self._open(apizee_invite=True)
        self.assertEqual(self._sessions_created()[0]["query"]["invite"], "1")
        session = self.ticket.apizee_session_ids
        self.assertEqual(session.state, "invited")
        self.assertTrue(session.invitation_sent)
        self.assertEqual(session.origin, "agent_invite")
        self.assertIn("Apizee sent the invitation", self.ticket.message_ids[0].body)

    def test_live_session_reused(self):
        first = self._open()
        second = self._open()
        self.assertEqual(first, second)
        self.assertEqual(len(self._sessions_created()), 1)
        self.assertEqual(len(self.ticket.apizee_session_ids), 1)

    def test_new_session_once_the_last_one_ended(self):
        self._open()
        session = self.ticket.apizee_session_ids
        self.standin.tickets[session.apizee_id]["state"] = "done"
        self._refresh(session)
        self.assertEqual(session.state, "done")
        self._open()
        self.assertEqual(len(self._sessions_created()), 2)
        self.assertEqual(len(self.ticket.apizee_session_ids), 2)

    def test_refresh_reads_state_back(self):
        self._open()
        session = self.ticket.apizee_session_ids
        self.standin.tickets[session.apizee_id].update(
            state="inprogress", start_time="2026-11-28T09:30:00Z"
        )
        self._refresh(session)
        self.assertEqual(session.state, "inprogress")
        self.assertEqual(str(session.start_time), "2026-11-28 09:30:00")
        self.assertTrue(session.last_refresh)
        gets = self.standin.requests_to(f"/api/v3/tickets/{session.apizee_id}", "GET")
        self.assertEqual(len(gets), 1)

    def test_room_url_variants(self):
        self.standin.url_style = "links"
        action = self._open()
        self.assertIn("/agent/room/", action["url"])

    def test_no_agent_url_said_clearly_and_session_kept(self):
        self.standin.url_style = "none"
        action = self._open()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("no address", action["params"]["message"])
        self.assertEqual(len(self.ticket.apizee_session_ids), 1)

    def test_failures_change_nothing(self):
        for kind in ("500", "502_html", "malformed", "reset", "403", "429"):
            with self.subTest(kind=kind):
                self.standin.reset()
                self._clear_token_cache()
                self.company._apizee_call("GET", const.USERS_ME_PATH)  # cache a token
                messages = len(self.ticket.message_ids)
                write_date = self.ticket.write_date
                self.standin.fail_next(kind, 2)
                with (
                    self.assertRaises(ApizeeError),
                    mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client"),
                ):
                    self._open()
                self.ticket.invalidate_recordset()
                self.assertFalse(self.ticket.apizee_session_ids)
                self.assertEqual(len(self.ticket.message_ids), messages)
                self.assertEqual(self.ticket.write_date, write_date)

    def test_credentials_refused_changes_nothing(self):
        self.company.apizee_api_password = "wrong"
        with self.assertRaisesRegex(ApizeeError, "credentials"):
            self._open()
        self.assertFalse(self.ticket.apizee_session_ids)
        self.assertFalse(self._sessions_created())

    def test_invalid_customer_phone_left_out(self):
        """A bad mobile beside a valid phone and email: opened without it, said."""
        self.partner.mobile = "0612"
        action = self._open()
        self.assertIn("“0612”", action["params"]["message"])
        self.assertEqual(self._sessions_created()[0]["query"]["phone"], "+33612345678")

    def test_customer_without_contact_gets_the_wizard(self):
        self.partner.write({"phone": False, "mobile": False, "email": False})
        self.ticket.partner_email = False
        action = self._open()
        self.assertEqual(action["res_model"], "apizee.invite.wizard")
        self.assertFalse(self.standin.requests)

    def test_agent_without_apizee_username(self):
        self.agent.apizee_username = False
        self._open()
        self.assertNotIn("agent", self._sessions_created()[0]["query"])

    def test_each_company_uses_its_own_account(self):
        self.standin.add_user("other-tech@example.com", "other-secret")
        self.other_company.write(
            {
                "apizee_server_url": self.standin.url,
                "apizee_api_username": "other-tech@example.com",
                "apizee_api_password": "other-secret",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Other company ticket",
                "description": "<p>x</p>",
                "company_id": self.other_company.id,
                "partner_id": self.partner.id,
            }
        )
        self._open(ticket, user=self.other_agent)
        self.assertEqual(
            self._token_requests()[0]["query"]["username"], "other-tech@example.com"
        )
        self.assertEqual(ticket.apizee_session_ids.company_id, self.other_company)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_access(self):
        self._open()
        session = self.ticket.apizee_session_ids
        for user in (self.portal_user, self.internal_user, self.other_agent):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._open(user=user)
                with self.assertRaises(AccessError):
                    session.with_user(user).read(["agent_url"])
        # a "personal tickets" agent sees sessions of its own tickets only
        own = new_test_user(
            self.env,
            login="apizee_own_sessions",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        Session = self.env["apizee.session"].with_user(own)
        self.assertFalse(Session.search([("id", "=", session.id)]))
        self.ticket.user_id = own
        self.assertEqual(Session.search([("id", "=", session.id)]), session)
        # agents cannot forge sessions
        with self.assertRaises(AccessError):
            Session.create({"ticket_id": self.ticket.id, "apizee_id": "1"})

    def test_agent_without_email(self):
        self.agent.partner_id.email = False
        self._open()
        note = self.ticket.message_ids[0]
        self.assertEqual(note.author_id, self.agent.partner_id)
        self.assertEqual(len(self.ticket.apizee_session_ids), 1)

    def test_stale_session_read_back_before_reuse(self):
        self._open()
        session = self.ticket.apizee_session_ids
        self.standin.tickets[session.apizee_id]["state"] = "closed"
        session.sudo().last_refresh = "2020-01-01 00:00:00"
        self._open()
        self.assertEqual(session.state, "closed")
        self.assertEqual(len(self._sessions_created()), 2)

    def test_session_past_its_end_is_not_live(self):
        self._open()
        session = self.ticket.apizee_session_ids
        session.sudo().end_time = "2020-01-01 00:00:00"
        self.assertFalse(session.live)
        self._open()
        self.assertEqual(len(self._sessions_created()), 2)

    def test_refresh_of_a_session_apizee_forgot(self):
        self._open()
        session = self.ticket.apizee_session_ids
        self.standin.tickets.clear()
        self._refresh(session)
        self.assertEqual(session.state, "expired")
        self.assertIn("404", session.last_error)

    def test_invite_on_a_live_session_says_it_was_not_sent(self):
        self._open()
        action = self._open(apizee_invite=True)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("did not send", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_url")
        self.assertEqual(len(self._sessions_created()), 1)

    def test_answer_without_id_creates_nothing(self):
        self.company._apizee_call("GET", const.USERS_ME_PATH)
        self.standin.fail_next("malformed")
        with (
            self.assertRaises(ApizeeError),
            mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client"),
        ):
            self._open()
        self.assertFalse(self.ticket.apizee_session_ids)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_followers_and_customers_cannot_invite(self):
        self.ticket.message_subscribe(
            partner_ids=(self.internal_user | self.portal_user).partner_id.ids
        )
        for user in (self.internal_user, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.ticket.with_user(user).action_apizee_invite()

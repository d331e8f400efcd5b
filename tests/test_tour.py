# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .apizee_standin import ApizeeStandIn
from .common import KEY_ASSISTANCE, StandInRequestsMixin


@tagged("post_install", "-at_install")
class TestInviteTour(HttpCase):
    """An agent opens a ticket, clicks Invite, checks the wizard and gets Apizee's form
    inside Odoo (the iframe's ``src`` is the expected URL)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "country_id": cls.env.ref("base.fr").id,
                "apizee_server_url": "https://cloud.apizee.com",
                "apizee_invitation_mode": "dialog",
                "apizee_lock_service": False,
                "apizee_lock_recipients": False,
            }
        )
        service = cls.env["apizee.service"].create(
            {"name": "Tour assistance", "key": KEY_ASSISTANCE}
        )
        cls.agent = new_test_user(
            cls.env,
            login="tour_agent",
            password="tour_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Tour Agent",
        )
        team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour team",
                "apizee_service_id": service.id,
                "user_ids": [(4, cls.agent.id)],
            }
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Tour Customer",
                "phone": "06 12 34 56 78",
                "email": "tour.customer@example.com",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Tour ticket",
                "description": "<p>tour</p>",
                "partner_id": partner.id,
                "partner_email": "tour.customer@example.com",
                "team_id": team.id,
                "user_id": cls.agent.id,
                "number": "TOUR-0001",
            }
        )

    def fetch_proxy(self, url):
        """Stand in for Apizee's quick-invitation page (no internet in tests): record
        what the iframe asked for and answer with a small page."""
        if url.startswith("https://cloud.apizee.com/quick-invitation"):
            self.apizee_requests.append(url)
            return self.make_fetch_proxy_response(
                "<html><body><h1>Apizee quick invitation (stand-in)</h1></body></html>"
            )
        return super().fetch_proxy(url)

    def test_invite_tour(self):
        self.apizee_requests = []
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{self.ticket.id}",
            "helpdesk_apizee_invite_tour",
            login="tour_agent",
        )
        self.assertEqual(
            self.apizee_requests,
            [
                "https://cloud.apizee.com/quick-invitation?reference=TOUR-0001"
                f"&service_key={KEY_ASSISTANCE}&phone_numbers=%2B33612345678"
                "&email_addresses=tour.customer@example.com"
            ],
        )
        message = self.ticket.message_ids[0]
        self.assertIn("Tour Agent", message.body)
        self.assertIn("+33612345678", message.body)


@tagged("post_install", "-at_install")
class TestOpenRoomTour(StandInRequestsMixin, HttpCase):
    """An agent clicks Open room: Apizee (the stand-in) creates the session, the room
    opens in a new tab and the ticket lists the session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin = ApizeeStandIn().start()
        cls.addClassCleanup(cls.standin.stop)
        cls.standin.add_user("tech@example.com", "tour-secret")
        cls.env.company.write(
            {
                "country_id": cls.env.ref("base.fr").id,
                "apizee_server_url": cls.standin.url,
                "apizee_api_username": "tech@example.com",
                "apizee_api_password": "tour-secret",
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="room_agent",
            password="room_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Room Agent",
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Room Customer",
                "mobile": "06 12 34 56 78",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Room ticket",
                "description": "<p>room</p>",
                "partner_id": partner.id,
                "user_id": cls.agent.id,
            }
        )

    def test_open_room_tour(self):
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{self.ticket.id}",
            "helpdesk_apizee_open_room_tour",
            login="room_agent",
        )
        created = self.standin.requests_to("/api/v3/tickets", "POST")
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["query"]["phone"], "+33612345678")
        session = self.ticket.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertEqual(session.agent_id, self.agent)
        self.assertIn(f"/agent/room/{session.apizee_id}", session.agent_url)


@tagged("post_install", "-at_install")
class TestAgentPanelTour(HttpCase):
    """An agent opens the video panel (its code loaded on first use): Apizee's agent
    app (a stand-in page) shows in the ticket and its messages reach the ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"country_id": cls.env.ref("base.fr").id, "apizee_company_key": "tour-ik"}
        )
        cls.agent = new_test_user(
            cls.env,
            login="panel_agent",
            password="panel_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Panel Agent",
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Panel ticket",
                "description": "<p>panel</p>",
                "user_id": cls.agent.id,
            }
        )

    def fetch_proxy(self, url):
        """Stand in for Apizee's agent app (no internet in tests): a page that says it
        is ready and that the guest joined, as the app does."""
        if url.startswith("https://app.apizee.com/agent/"):
            return self.make_fetch_proxy_response(
                "<html><body><script>"
                'parent.postMessage({type: "ready"}, "*");'
                'parent.postMessage(JSON.stringify({type: "joined"}), "*");'
                "</script></body></html>"
            )
        return super().fetch_proxy(url)

    def test_agent_panel_tour(self):
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{self.ticket.id}",
            "helpdesk_apizee_agent_panel_tour",
            login="panel_agent",
        )
        self.assertIn("the guest joined (Panel Agent)", self.ticket.message_ids[0].body)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import threading
import time
from contextlib import contextmanager
from unittest.mock import patch

import requests

from odoo import SUPERUSER_ID, api
from odoo.sql_db import TestCursor
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from odoo.addons.bus.models.bus import dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .. import const
from .apizee_standin import ApizeeStandIn
from .common import KEY_ASSISTANCE, StandInRequestsMixin
from .fixtures import hours_values

TICKET_URL = "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{}"
QUICK_INVITATION_URL = "https://cloud.apizee.com/quick-invitation"
AGENT_APP_URL = "https://app.apizee.com/agent/"


class TourCase(StandInRequestsMixin, HttpCase):
    """An agent's clicks on a ticket, in Chromium.

    One fixture for all the tours: a French company, an agent of a team with an Apizee
    service, a customer with a mobile and an email, their ticket; Apizee is the
    stand-in for its REST API, and pages served by ``fetch_proxy`` for its
    quick-invitation page and agent app (no internet in tests).
    """

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
                "apizee_company_key": "tour-ik",
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
                "mobile": "06 12 34 56 78",
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

    def setUp(self):
        super().setUp()
        self.standin.reset()
        self.apizee_requests = []

    def fetch_proxy(self, url):
        """Apizee's pages: the quick-invitation page (what the iframe asked for is
        recorded), and the agent app, which says it is ready and that the guest
        joined, as the app does."""
        if url.startswith(QUICK_INVITATION_URL):
            self.apizee_requests.append(url)
            return self.make_fetch_proxy_response(
                "<html><body><h1>Apizee quick invitation (stand-in)</h1></body></html>"
            )
        if url.startswith(AGENT_APP_URL):
            return self.make_fetch_proxy_response(
                "<html><body><script>"
                'parent.postMessage({type: "ready"}, "*");'
                'parent.postMessage(JSON.stringify({type: "joined"}), "*");'
                "</script></body></html>"
            )
        return super().fetch_proxy(url)

    def _tour(self, name):
        self.start_tour(TICKET_URL.format(self.ticket.id), name, login="tour_agent")

    def _bus_dispatch_on_commit(self):
        """Wake the websockets of the channels a commit notified, as the bus's
        NOTIFY does in production."""
        self.startPatcher(
            patch.object(
                WebsocketConnectionHandler, "websocket_allowed", return_value=True
            )
        )
        commit = TestCursor.commit

        def commit_and_dispatch(cursor):
            channels = list(cursor.postcommit.data.get("bus.bus.channels", ()))
            commit(cursor)
            websockets = set()
            for channel in channels:
                websockets.update(dispatch._channels_to_ws.get(hashable(channel), ()))
            for websocket in websockets:
                websocket.trigger_notification_dispatching()

        self.startPatcher(patch.object(TestCursor, "commit", commit_and_dispatch))

    @contextmanager
    def _cron_runner(self, model, start, every=0.2):
        """Run the code of ``model``'s cron (``_cron_process``) every ``every``
        seconds in a thread, as a cron runner would, once ``start`` is set and
        until the block ends. The test's own thread must not use the database
        meanwhile (the test cursors share one connection): ``start`` is set
        while the browser runs the tour, and the block waits for the runner."""
        stop = threading.Event()
        errors = []

        def runner():
            while not (start.wait(every) or stop.is_set()):
                pass
            while not stop.wait(every):
                try:
                    with self.registry.cursor() as cr:
                        api.Environment(cr, SUPERUSER_ID, {})[model]._cron_process()
                except Exception as error:  # noqa: BLE001 - reported by the test
                    errors.append(error)
                    return

        thread = threading.Thread(target=runner, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(10)
        self.assertFalse(errors, "the cron runner failed")


@tagged("post_install", "-at_install")
class TestTours(TourCase):
    """Invite, Open room, the video panel, at the desktop size."""

    def test_invite_tour(self):
        """Video call in the company's default way: the wizard, then Apizee's form
        inside Odoo (the iframe's ``src`` is the expected URL)."""
        self.assertEqual(self.env.company.apizee_video_call_path, "form")
        self.env.company.apizee_server_url = "https://cloud.apizee.com"
        self._tour("helpdesk_apizee_invite_tour")
        self.assertEqual(
            self.apizee_requests,
            [
                f"{QUICK_INVITATION_URL}?reference=TOUR-0001"
                f"&service_key={KEY_ASSISTANCE}&phone_numbers=%2B33612345678"
                "&email_addresses=tour.customer@example.com"
            ],
        )
        message = self.ticket.message_ids[0]
        self.assertIn("Tour Agent", message.body)
        self.assertIn("+33612345678", message.body)

    def test_open_room_tour(self):
        """Join the room, from the menu next to Video call (without the panel, whose
        company key is not set): Apizee creates the session, the room opens in a new
        tab and the ticket lists the session."""
        self.env.company.apizee_company_key = False
        self._tour("helpdesk_apizee_open_room_tour")
        created = self.standin.requests_to("/api/v3/tickets", "POST")
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["query"]["phone"], "+33612345678")
        self.assertNotIn("invite", created[0]["query"])
        session = self.ticket.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertEqual(session.agent_id, self.agent)
        self.assertIn(f"/agent/room/{session.apizee_id}", session.agent_url)

    def test_send_link_tour(self):
        """Video call when the company's way is "Send the link by SMS/email": Apizee
        creates the session and sends the invitation."""
        self.env.company.apizee_video_call_path = "invite"
        self._tour("helpdesk_apizee_send_link_tour")
        created = self.standin.requests_to("/api/v3/tickets", "POST")
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["query"]["invite"], "1")

    def test_agent_panel_tour(self):
        """The video panel (its code loaded on first use): Apizee's agent app shows in
        the ticket and its messages reach the ticket."""
        self.env.company.apizee_video_call_path = "panel"
        self._tour("helpdesk_apizee_agent_panel_tour")
        self.assertIn("the guest joined (Tour Agent)", self.ticket.message_ids[0].body)

    def test_settings_tour(self):
        """Settings > Helpdesk, as an administrator: "A password is set." as the
        page opens, and the password is not in the page."""
        self.start_tour(
            "/odoo/settings#helpdesk_mgmt",
            "helpdesk_apizee_settings_tour",
            login="admin",
        )

    def test_live_status_tour(self):
        """The agent keeps the ticket open while Apizee plays a whole session as
        webhooks: the status chip, the chatter and the sessions tab follow through
        the bus, with no reload.

        Two parts of production that tests lack are put back as Odoo's own tests
        do: a cron runner (the webhook cron, every 0.2 s) and the bus's NOTIFY,
        which the test cursor drops on commit (see ``bus/tests/common.py``
        ``trigger_notification_dispatching``)."""
        company = self.env.company
        company.apizee_video_call_path = "invite"
        self.standin.webhook_url = self.base_url() + const.WEBHOOK_PATH
        self.standin.webhook_secret = company.apizee_webhook_secret
        self.standin.webhook_pause = 0.8
        delivered = threading.Event()

        def webhook_headers():
            delivered.set()
            # the test server takes the requests of the running browser test only
            return {"Cookie": f"{TEST_CURSOR_COOKIE_NAME}={self.http_request_key}"}

        self.standin.webhook_headers = webhook_headers
        self.addCleanup(self._standin_no_webhooks)
        self._bus_dispatch_on_commit()
        with self._cron_runner("apizee.webhook.event", start=delivered):
            self._tour("helpdesk_apizee_live_status_tour")
            # The tour sees "Done" before the last delivery (ticket.completed): the
            # test's cursor is the requests' cursor, so wait for every delivery to be
            # answered and its request to end before reading
            self.assertTrue(self.standin.wait_webhooks(), "webhooks still playing")
            self._wait_remaining_requests()
        session = self.ticket.apizee_session_ids
        self.assertEqual(session.state, "done")
        self.assertTrue(session.end_time)

    def test_dashboard_tour(self):
        """A figure of the team's card on the helpdesk dashboard opens its sessions
        as a list whose search says the team and the figure, and a reload keeps
        it."""
        other = self.env["helpdesk.ticket.team"].create({"name": "Other team"})
        other_ticket = self.ticket.copy({"team_id": other.id})
        no_show = {"state": "expired", "invitation_sent": True}
        sessions = self.env["apizee.session"].create(
            [
                {"ticket_id": self.ticket.id, "apizee_id": "TOUR-NS1", **no_show},
                {"ticket_id": self.ticket.id, "apizee_id": "TOUR-NS2", **no_show},
                {"ticket_id": self.ticket.id, "apizee_id": "TOUR-OLD", **no_show},
                {"ticket_id": other_ticket.id, "apizee_id": "TOUR-OTHER", **no_show},
                {"ticket_id": self.ticket.id, "apizee_id": "TOUR-DONE"},
            ]
        )
        sessions.flush_recordset()
        self.env.cr.execute(
            "UPDATE apizee_session SET create_date = now() - interval '21 days' "
            "WHERE id = %s",
            [sessions[2].id],
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_dashboard_action",
            "helpdesk_apizee_dashboard_tour",
            login="tour_agent",
        )

    def _standin_no_webhooks(self):
        self.standin.webhook_url = None
        self.standin.webhook_headers = None


@tagged("post_install", "-at_install")
class TestPhoneTours(TourCase):
    """On a phone, where Odoo folds the ticket's header into the ⚙ menu."""

    browser_size = "390x844"
    touch_enabled = True

    def test_phone_ways_tour(self):
        """Every way to a call is a row of the ⚙ menu (not a menu in a menu), and a
        tap on Join the room opens the session."""
        self._tour("helpdesk_apizee_phone_ways_tour")
        self.assertEqual(len(self.standin.requests_to("/api/v3/tickets", "POST")), 1)
        self.assertEqual(len(self.ticket.apizee_session_ids), 1)


@tagged("post_install", "-at_install")
class TestCustomerTours(TourCase):
    """The customer's side: the portal, and the agent told that the customer waits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        hours = cls.env["resource.calendar"].create(hours_values("Tour hours"))
        cls.ticket.team_id.write(
            {"apizee_self_service": True, "apizee_resource_calendar_id": hours.id}
        )
        cls.customer = new_test_user(
            cls.env,
            login="tour_customer",
            password="tour_customer",
            groups="base.group_portal",
            partner_id=cls.ticket.partner_id.id,
            name="Tour Customer",
        )

    def test_portal_tour(self):
        """Log in as the customer, book the first free slot, start a call now: the
        call opens on the stand-in's guest page."""
        self.start_tour(
            f"/my/ticket/{self.ticket.id}",
            "helpdesk_apizee_portal_tour",
            login="tour_customer",
        )
        event = self.ticket.sudo().apizee_appointment_ids
        self.assertEqual(len(event), 1)
        self.assertEqual(event.user_id, self.agent)
        self.assertIn(self.ticket.partner_id, event.partner_ids)
        # The browser followed the redirect to Apizee's page for the customer
        session = self.ticket.apizee_session_ids
        self.assertEqual(session.origin, "customer_link")
        self.assertTrue(self.standin.requests_to(f"/guest/{session.apizee_id}"))

    def test_customer_waiting_tour(self):
        """The agent has the ticket open when the customer presses the join link's
        button (public, from elsewhere): a sticky notice with Join, through the
        bus, and the note in the chatter."""
        self._bus_dispatch_on_commit()
        path = self.ticket.sudo()._apizee_join_path()
        # Read now: the thread must not use the test's cursor
        agent_channel = ("res.partner", self.agent.partner_id.id)
        url = self.base_url() + path
        errors = []

        def customer():
            # Once the agent's web client listens to the bus
            for _i in range(300):
                if any(
                    channel[1:] == agent_channel
                    for channel in list(dispatch._channels_to_ws)
                    if isinstance(channel, tuple) and len(channel) == 3
                ):
                    break
                time.sleep(0.1)
            time.sleep(1)
            try:
                browser = requests.Session()
                # The key of the running browser test (set by start_tour)
                browser.cookies.set(TEST_CURSOR_COOKIE_NAME, self.http_request_key)
                page = browser.get(url, timeout=30)
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                answer = browser.post(
                    url,
                    data={"csrf_token": csrf.group(1)},
                    allow_redirects=False,
                    timeout=30,
                )
                if answer.status_code != 303:
                    errors.append(answer.status_code)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        thread = threading.Thread(target=customer, daemon=True)
        thread.start()
        self._tour("helpdesk_apizee_customer_waiting_tour")
        thread.join(30)
        self._wait_remaining_requests()  # its request shares the test's cursor
        self.assertFalse(errors)
        self.assertEqual(self.ticket.apizee_session_ids.origin, "customer_link")

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.sql_db import TestCursor
from odoo.tests import new_test_user
from odoo.tests.common import _super_send

from odoo.addons.base.tests.common import BaseCommon

from ..models import apizee_token
from ..models.apizee_token import read_committed
from .apizee_standin import ApizeeStandIn

KEY_ASSISTANCE = "5f3c0d9b7e2a4c1f8b6d0e9a3c7b5e21"
KEY_MEETING = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6"


def read_committed_but_on_test_cursors(cr):
    """``apizee_token.read_committed``, except on Odoo's test cursor.

    ``HttpCase`` hands out test cursors (``registry.cursor()`` in test mode), which run
    inside the test's transaction, where PostgreSQL refuses to change the isolation
    level: the token rows' transactions keep the test's. ``TransactionCase`` hands out
    Odoo's own cursors: READ COMMITTED as in production (``test_no_stampede``).
    """
    if not isinstance(cr, TestCursor):
        read_committed(cr)


class TokenRowsOnTestCursorMixin:
    """Token rows in their own transactions, on Odoo's test cursor too (see
    ``read_committed_but_on_test_cursors``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(
            patch.object(
                apizee_token, "read_committed", read_committed_but_on_test_cursors
            )
        )


class ApizeeCommon(TokenRowsOnTestCursorMixin, BaseCommon):
    """Fixtures: a company with two services, a team per service, a customer, a ticket,
    and users of every kind the access rules must tell apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "country_id": cls.env.ref("base.fr").id,
                "apizee_server_url": "https://cloud.apizee.com",
                "apizee_invitation_mode": "new_tab",
                "apizee_lock_service": False,
                "apizee_lock_recipients": False,
            }
        )
        Service = cls.env["apizee.service"]
        cls.service_assistance = Service.create(
            {
                "name": "Assistance",
                "key": KEY_ASSISTANCE,
                "service_type": "video_assistance",
            }
        )
        cls.service_meeting = Service.create(
            {"name": "Meeting", "key": KEY_MEETING, "service_type": "video_meeting"}
        )
        cls.company.apizee_default_service_id = cls.service_meeting
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Field support", "apizee_service_id": cls.service_assistance.id}
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Lucie Bernard",
                "email": "lucie@example.com",
                "phone": "06 12 34 56 78",
                "mobile": "+33 7 81 23 45 67",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="apizee_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Agent Apizee",
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Boiler error",
                "description": "<p>E133</p>",
                "partner_id": cls.partner.id,
                "partner_email": "lucie.ticket@example.com",
                "team_id": cls.team.id,
                "user_id": cls.agent.id,
            }
        )
        cls.portal_user = new_test_user(
            cls.env, login="apizee_portal", groups="base.group_portal"
        )
        cls.internal_user = new_test_user(
            cls.env, login="apizee_internal", groups="base.group_user"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.other_agent = new_test_user(
            cls.env,
            login="apizee_other_agent",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )

    def _invite(self, ticket=None, user=None, **values):
        """Run the Invite button as ``user`` and return the wizard, with ``values``
        written over its defaults."""
        ticket = (ticket or self.ticket).with_user(user or self.agent)
        action = ticket.action_apizee_invite()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user or self.agent)
            .with_context(**action["context"])
            .create(values)
        )
        return wizard


class StandInRequestsMixin(TokenRowsOnTestCursorMixin):
    """Let requests reach the stand-in on 127.0.0.1 untouched (and the token rows'
    transactions run on ``HttpCase``'s test cursor)."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Override of Odoo's test guard: send requests to the stand-in as they are.

        Odoo's guard raises the timeout of local requests to 10 s and compares it with a
        number, where the client passes a (connect, read) tuple.
        """
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


class ApizeeStandInCommon(StandInRequestsMixin, ApizeeCommon):
    """``ApizeeCommon`` with a stand-in Apizee server on 127.0.0.1 and the company's
    technical account set to one of its users. Every test starts with an empty token
    cache and a fresh stand-in state."""

    TECH_USER = "tech@example.com"
    TECH_PASSWORD = "tech-Secret-42"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin = ApizeeStandIn().start()
        cls.addClassCleanup(cls.standin.stop)
        cls.standin.add_user(cls.TECH_USER, cls.TECH_PASSWORD)
        cls.company.write(
            {
                "apizee_server_url": cls.standin.url,
                "apizee_api_username": cls.TECH_USER,
                "apizee_api_password": cls.TECH_PASSWORD,
            }
        )
        cls.agent.apizee_username = "camille@example.com"

    def setUp(self):
        super().setUp()
        self.standin.reset()
        self._clear_token_cache()

    def _clear_token_cache(self):
        # The cache is written in its own transactions (committed): clear it so too
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM apizee_token WHERE server_url = %s", [self.standin.url]
            )

    def _token_requests(self):
        return self.standin.requests_to("/api/v3/token", "POST")

    def _sessions_created(self):
        return self.standin.requests_to("/api/v3/tickets", "POST")

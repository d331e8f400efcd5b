# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Webhooks as an attacker sends them: to another company's URL, with another company's
secret, naming another company's sessions and tickets, with room links elsewhere than
Apizee, with bodies built to crash the route (issue 9, items 5 and 6)."""

import importlib.util
import json
import os
import tempfile
from datetime import datetime
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import file_open, file_path, mute_logger

from .. import const
from ..utils.apizee_webhooks import DeliveryError, is_room_url, parse_delivery
from .common import ApizeeStandInCommon
from .test_webhook import T0, WebhookMixin, delivery

# Hypothesis keeps a cache of Unicode data: outside the repository
set_hypothesis_home_dir(
    os.path.join(tempfile.gettempdir(), "helpdesk_apizee_hypothesis")
)

ROUTE_LOGGER = "odoo.addons.helpdesk_apizee.controllers.main"
# Where a session logs what it refused of a webhook event
SESSION_LOGGER = "odoo.addons.helpdesk_apizee.models.apizee_session_notification"
# The parameter that held the secret of the whole database in 18.0.1.0.0 (the
# migration reads it): not read from const
SECRET_PARAM_1_0 = "helpdesk_apizee.webhook_secret"

# -- JSON documents for the fuzzing ----------------------------------------------------

_TEXTS = st.one_of(
    st.text(max_size=12),
    # every code point of the BMP, lone surrogates and NUL included
    st.text(
        alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=()),
        max_size=8,
    ),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",
            "\udfff",
            "x\udc80",
            "ticket",
            "82070",
            " " * 25 + "1",
            "1795860000000",
            "2026-11-28T10:00:00Z",
            "https://evil.example/x",
            "\u2028",
            "\ufeff",
        ]
    ),
)
_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.sampled_from([10**400, -(10**400), 10**11 + 1, 2**31, 2**63, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXTS)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_TEXTS, children, max_size=4),
    ),
    max_leaves=12,
)
_PROP_KEYS = st.one_of(
    st.sampled_from(
        [
            "id",
            "ticketId",
            "ticket",
            "eventName",
            "timestamp",
            "reference",
            "state",
            "agentUrl",
            "guestUrl",
            "links",
            "url",
            "mimeType",
            "size",
            "source",
            "data",
            "modified",
        ]
    ),
    _TEXTS,
)
_DELIVERIES = st.fixed_dictionaries(
    {},
    optional={
        "event": st.one_of(st.sampled_from(const.WEBHOOK_EVENTS), _VALUES),
        "time": st.one_of(_NUMBERS, _VALUES),
        "object": st.one_of(
            st.sampled_from(
                [
                    const.WEBHOOK_OBJECT_TICKET,
                    const.WEBHOOK_OBJECT_MEDIA,
                    const.WEBHOOK_OBJECT_SESSION_EVENT,
                ]
            ),
            _VALUES,
        ),
        "objectId": _VALUES,
        "props": st.one_of(st.dictionaries(_PROP_KEYS, _VALUES, max_size=6), _VALUES),
    },
)


def _encode(document, ascii_only):
    """JSON text of ``document``: lone surrogates as ``\\ud800`` escapes, or raw (then
    as the bytes ``surrogatepass`` gives, which are no UTF-8)."""
    return json.dumps(document, ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass"
    )


_BODIES = st.one_of(
    st.builds(_encode, _DELIVERIES, st.booleans()),
    st.builds(_encode, _VALUES, st.booleans()),
    st.binary(max_size=200),
)


def _load_migration(name):
    path = file_path(f"helpdesk_apizee/migrations/18.0.1.1.0/{name}.py")
    spec = importlib.util.spec_from_file_location(f"helpdesk_apizee_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestSecurityWebhooks(WebhookMixin, HttpCase, ApizeeStandInCommon):
    """Company A is the main company (its server the stand-in), company B another one;
    each has a ticket of the same number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["apizee.webhook.event"].sudo()
        cls.company_b = cls.other_company
        cls.ticket_b = cls.env["helpdesk.ticket"].create(
            {
                "name": "Boiler error (B)",
                "description": "<p>B</p>",
                "company_id": cls.company_b.id,
                "number": cls.ticket.number,
            }
        )

    def setUp(self):
        super().setUp()
        self.startPatcher(patch.object(const, "WEBHOOK_SESSION_GRACE", 0))

    # -- helpers -----------------------------------------------------------------------

    def _secret(self, company):
        return company.sudo().apizee_webhook_secret

    def _post(self, body, company_id=None, secret=None):
        """POST ``body`` to the URL of ``company_id`` (None: the URL without an id),
        with ``secret`` (None: that company's, the main company's for no id)."""
        if secret is None:
            if company_id is None:
                secret = self._secret(self.env.ref("base.main_company"))
            else:
                secret = self._secret(self.env["res.company"].browse(company_id))
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        path = "/helpdesk_apizee/webhook"
        if company_id is not None:
            path += f"/{company_id}"
        headers = {"Content-Type": "application/json"}
        if secret is not False:
            headers["X-Apizee-Webhook-Secret"] = secret
        with mute_logger(ROUTE_LOGGER):  # url_open would send an empty body by GET
            return self.opener.post(
                self.base_url() + path, data=body, headers=headers, timeout=30
            )

    def _deliver_to(self, company, *payloads):
        events = self.Event.browse()
        for payload in payloads:
            raw = json.dumps(payload).encode()
            events |= self.Event.browse(self.Event._receive(raw, company)[0])
        self._process()
        return events

    def _session_of(self, ticket, apizee_id, **values):
        return (
            self.env["apizee.session"]
            .sudo()
            .create(
                {
                    "ticket_id": ticket.id,
                    "apizee_id": apizee_id,
                    "state": "new",
                    "reference": ticket.number,
                    **values,
                }
            )
        )

    def _notes_of(self, ticket):
        return ticket.message_ids.filtered(lambda m: "Apizee session" in (m.body or ""))

    def _count(self):
        return self.Event.search_count([])

    # -- a secret per company ----------------------------------------------------------

    def test_each_company_has_its_own_secret(self):
        secret_a, secret_b = self._secret(self.company), self._secret(self.company_b)
        self.assertTrue(secret_a and secret_b)
        self.assertNotEqual(secret_a, secret_b)
        self.assertGreaterEqual(len(secret_a), 43)
        new = self.env["res.company"].create({"name": "New Co"})
        self.assertTrue(self._secret(new))
        self.assertNotIn(self._secret(new), (secret_a, secret_b))
        field = self.env["res.company"]._fields["apizee_webhook_secret"]
        self.assertEqual(field.groups, "base.group_system")
        self.assertFalse(field.copy)
        self.assertFalse(field.compute)
        for user in (self.agent, self.internal_user, self.other_agent):
            with self.assertRaises(AccessError):
                self.company.with_user(user).read(["apizee_webhook_secret"])
        # the old parameter of the whole database is gone (install)
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param(SECRET_PARAM_1_0)
        )

    def test_settings_show_the_url_and_secret_of_their_company(self):
        for company in (self.company, self.company_b):
            settings = self.env["res.config.settings"].with_company(company).create({})
            self.assertTrue(
                settings.apizee_webhook_url.endswith(
                    f"/helpdesk_apizee/webhook/{company.id}"
                )
            )
            self.assertEqual(settings.apizee_webhook_secret, self._secret(company))

    def test_a_company_secret_opens_its_own_url_only(self):
        before = self._count()
        payload = delivery("ticket", "update", id=82070, state="done")
        for company_id, secret in (
            (self.company.id, self._secret(self.company_b)),
            (self.company_b.id, self._secret(self.company)),
            (None, self._secret(self.company_b)),
            (self.company_b.id, False),
        ):
            response = self._post(payload, company_id, secret)
            self.assertEqual(response.status_code, 403, company_id)
        self.assertEqual(self._count(), before)
        for company in (self.company, self.company_b):
            response = self._post(payload, company.id)
            self.assertEqual(response.status_code, 200)
            event = self.Event.browse(response.json()["id"])
            self.assertEqual(event.company_id, company)

    def test_unknown_company_is_refused_as_a_wrong_secret(self):
        before = self._count()
        payload = delivery("ticket", id=5)
        wrong = self._post(payload, self.company.id, "nope")
        unknown_id = self.env["res.company"].search([], order="id desc", limit=1).id
        for company_id in (unknown_id + 1000, 2**31, 10**30):
            response = self._post(payload, company_id, self._secret(self.company))
            self.assertEqual(response.status_code, 403, company_id)
            self.assertEqual(response.json(), wrong.json())
        self.assertEqual(self._count(), before)

    def test_the_url_without_id_is_the_main_company(self):
        main = self.env.ref("base.main_company")
        response = self._post(delivery("ticket", id=6), None, self._secret(main))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.Event.browse(response.json()["id"]).company_id, main)

    def test_regenerating_one_company_keeps_the_other_valid(self):
        old_a, old_b = self._secret(self.company), self._secret(self.company_b)
        settings = self.env["res.config.settings"].with_company(self.company_b)
        settings.create({}).action_apizee_regenerate_webhook_secret()
        new_b = self._secret(self.company_b)
        self.assertNotEqual(new_b, old_b)
        self.assertEqual(self._secret(self.company), old_a)
        payload = delivery("ticket", id=7)
        self.assertEqual(self._post(payload, self.company.id, old_a).status_code, 200)
        self.assertEqual(self._post(payload, None, old_a).status_code, 200)
        self.assertEqual(self._post(payload, self.company_b.id, old_b).status_code, 403)
        self.assertEqual(self._post(payload, self.company_b.id, new_b).status_code, 200)

    def test_the_same_delivery_is_stored_once_per_company(self):
        payload = delivery("ticket", "update", id=82070, state="open")
        first_a = self._post(payload, self.company.id).json()
        first_b = self._post(payload, self.company_b.id).json()
        self.assertFalse(first_a["duplicate"] or first_b["duplicate"])
        self.assertNotEqual(first_a["id"], first_b["id"])
        again = self._post(payload, self.company.id).json()
        self.assertEqual((again["id"], again["duplicate"]), (first_a["id"], True))

    # -- matching within the company ---------------------------------------------------

    def test_sessions_of_the_same_apizee_id_stay_in_their_company(self):
        session_a = self._session_of(self.ticket, "82070")
        session_b = self._session_of(self.ticket_b, "82070")
        self._deliver_to(
            self.company, delivery("ticket", "update", T0, id=82070, state="done")
        )
        self.assertEqual((session_a.state, session_b.state), ("done", "new"))
        self._deliver_to(
            self.company,
            delivery(
                "conversationevent",
                when=T0 + 1,
                id=801,
                ticketId=82070,
                eventName="ticket.invitationClicked",
            ),
        )
        self.assertTrue(self._notes_of(self.ticket))
        self.assertFalse(self._notes_of(self.ticket_b))
        media = self.standin.add_media(9101, b"\xff\xd8\xff a", "image/jpeg")
        event = self._deliver_to(
            self.company, delivery("media", id=9101, ticketId=82070, url=media["url"])
        )
        self.assertEqual(event.state, "done", event.result)
        attachments = self.env["ir.attachment"].search(
            [("name", "=like", "apizee-media-9101.%")]
        )
        self.assertEqual(
            (attachments.res_id, attachments.company_id), (self.ticket.id, self.company)
        )
        # the same session event, the same media, for company B: its own session
        events_b = self._deliver_to(
            self.company_b,
            delivery("ticket", "update", T0, id=82070, state="inprogress"),
            delivery(
                "conversationevent",
                when=T0 + 1,
                id=801,
                ticketId=82070,
                eventName="ticket.invitationClicked",
            ),
        )
        self.assertEqual(events_b.mapped("state"), ["done", "done"])  # not "already"
        self.assertEqual(events_b.session_id, session_b)
        self.assertEqual((session_a.state, session_b.state), ("done", "inprogress"))
        self.assertTrue(self._notes_of(self.ticket_b))

    def test_tickets_are_matched_by_number_in_the_company(self):
        # the same number in both companies: B's delivery makes B's session
        event = self._deliver_to(
            self.company_b,
            delivery("ticket", "create", id=99100, reference=self.ticket.number),
        )
        self.assertEqual(event.state, "done", event.result)
        self.assertEqual(self.ticket_b.apizee_session_ids.apizee_id, "99100")
        self.assertFalse(self.ticket.apizee_session_ids)
        # a number only company B has: nothing for company A
        only_b = self.env["helpdesk.ticket"].create(
            {
                "name": "B only",
                "description": "<p>B</p>",
                "company_id": self.company_b.id,
                "number": "ONLY-B-1",
            }
        )
        event = self._deliver_to(
            self.company, delivery("ticket", "create", id=99101, reference="ONLY-B-1")
        )
        self.assertEqual(event.state, "ignored")
        self.assertFalse(only_b.apizee_session_ids)
        # found by reference: company B's session without Apizee id is not A's
        waiting_b = self._session_of(self.ticket_b, False)
        self._deliver_to(
            self.company,
            delivery("ticket", "create", id=99102, reference=self.ticket.number),
        )
        self.assertFalse(waiting_b.apizee_id)
        self.assertEqual(self.ticket.apizee_session_ids.apizee_id, "99102")

    def test_another_company_session_is_never_found(self):
        session_b = self._session_of(self.ticket_b, "555")
        event = self._deliver_to(
            self.company,
            delivery(
                "conversationevent", id=900, ticketId=555, eventName="ticket.closed"
            ),
            delivery("ticket", "delete", id=555),
        )
        self.assertEqual(event.mapped("state"), ["pending", "ignored"])
        self.assertFalse(event.session_id)
        self.assertEqual(session_b.state, "new")
        self.assertFalse(self._notes_of(self.ticket_b))

    def test_waiting_events_are_woken_in_their_company_only(self):
        waiting = {}
        for company in (self.company, self.company_b):
            waiting[company] = self._deliver_to(
                company,
                delivery(
                    "conversationevent",
                    id=901,
                    ticketId=99200,
                    eventName="ticket.invitationSent",
                ),
            )
            self.assertEqual(waiting[company].attempts, 1)
        self._deliver_to(
            self.company,
            delivery("ticket", "create", id=99200, reference=self.ticket.number),
        )
        self.assertEqual(waiting[self.company].state, "done")
        self.assertEqual(waiting[self.company_b].state, "pending")
        self.assertGreater(waiting[self.company_b].next_attempt, fields.Datetime.now())

    def test_notes_are_in_the_language_of_the_event_company(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company_b.partner_id.lang = "fr_FR"
        self.company.partner_id.lang = "en_US"
        self._session_of(self.ticket, "82070")
        self._session_of(self.ticket_b, "82070")
        events = self.Event.browse(
            [
                self.Event._receive(
                    json.dumps(delivery("ticket", id=82070)).encode(), company
                )[0]
                for company in (self.company, self.company_b)
            ]
        )
        lang_of = events._langs()
        self.assertEqual([lang_of(event) for event in events], ["en_US", "fr_FR"])

    # -- room links of webhooks --------------------------------------------------------

    def test_room_link_hosts(self):
        server = "https://visio.example.com"
        for url in (
            "https://visio.example.com/agent/room/1",
            "https://VISIO.example.com:443/guest/1?x=1",
            "https://cloud.apizee.com/guest/1",
            "https://a.b.apizee.com/room",
        ):
            self.assertTrue(is_room_url(url, server), url)
        for url in (
            "https://evil.example/x",
            "http://visio.example.com/guest/1",
            "https://visio.example.com:8443/guest/1",
            "https://visio.example.com.evil.example/x",
            "https://apizee.com.evil.example/x",
            "https://evilapizee.com/x",
            "https://evil.example\\.apizee.com/x",
            "https://evil.example%2f.apizee.com/x",
            "https://user@visio.example.com/x",
            "https://visio.example.com@evil.example/x",
            "https://evil.example\t.apizee.com/x",
            "https://evil.example .apizee.com/x",
            "https://evil.example\u3002apizee.com/x",
            "https://xn--e1a.apizee.com\u200b.evil/x",
            "javascript:alert(1)//https://cloud.apizee.com",
            "//cloud.apizee.com/x",
            "https://127.0.0.1/x",
            "https://visio.example.com:0/x",
            "https://visio.example.com:99999/x",
            "",
            None,
            42,
        ):
            self.assertFalse(is_room_url(url, server), url)
        # a stand-in server on the loopback interface: its host, http too
        loopback = "http://127.0.0.1:8765"
        self.assertTrue(is_room_url("http://127.0.0.1:8765/guest/1", loopback))
        self.assertTrue(is_room_url("https://cloud.apizee.com/guest/1", loopback))
        for url in ("http://localhost:8765/guest/1", "http://10.0.0.1/guest/1"):
            self.assertFalse(is_room_url(url, loopback), url)
        self.assertFalse(is_room_url("http://127.0.0.1:8069/x", server))

    def test_room_links_of_webhooks_are_only_apizee_hosts(self):
        session = self._session_of(self.ticket, "82070")
        good = f"{self.standin.url}/agent/room/82070"
        with self.assertLogs(SESSION_LOGGER, "WARNING") as logs:
            event = self._deliver_to(
                self.company,
                delivery(
                    "ticket",
                    "update",
                    T0,
                    id=82070,
                    state="inprogress",
                    agentUrl=good,
                    guestUrl="https://evil.example/x",
                ),
            )
        self.assertEqual(event.state, "done")
        # the refused link is dropped, the rest of the event applies
        self.assertEqual(session.state, "inprogress")
        self.assertEqual(session.agent_url, good)
        self.assertFalse(session.guest_url)
        self.assertIn("'https://evil.example/x'", logs.output[0])
        # the company's server is Apizee's cloud: its host and *.apizee.com only
        self.company.apizee_server_url = "https://visio.example.com"
        self._deliver_to(
            self.company,
            delivery(
                "ticket",
                "update",
                T0 + 1,
                id=82070,
                guestUrl="https://visio.example.com/guest/82070",
                agentUrl="https://app.apizee.com/agent/82070",
            ),
        )
        self.assertEqual(session.guest_url, "https://visio.example.com/guest/82070")
        self.assertEqual(session.agent_url, "https://app.apizee.com/agent/82070")
        with mute_logger(SESSION_LOGGER):
            self._deliver_to(
                self.company,
                delivery(
                    "ticket",
                    "update",
                    T0 + 2,
                    id=82070,
                    guestUrl="https://evil.example\\.apizee.com/x",
                    links={"agent": "http://visio.example.com/agent/82070"},
                ),
                # a session created from a webhook: the same check
                delivery(
                    "ticket",
                    "create",
                    T0 + 3,
                    id=99300,
                    reference=self.ticket.number,
                    guestUrl="https://evil.example/y",
                    agentUrl="https://visio.example.com/agent/99300",
                ),
            )
        self.assertEqual(session.guest_url, "https://visio.example.com/guest/82070")
        self.assertEqual(session.agent_url, "https://app.apizee.com/agent/82070")
        created = self.ticket.apizee_session_ids.filtered(
            lambda s: s.apizee_id == "99300"
        )
        self.assertRecordValues(
            created,
            [
                {
                    "guest_url": False,
                    "agent_url": "https://visio.example.com/agent/99300",
                }
            ],
        )
        # Apizee's REST answers keep setting them (read from the server itself)
        values = self.env["apizee.session"]._values_from_answer(
            {"id": 1, "guestUrl": "https://other.example/g"}
        )
        self.assertEqual(values["guest_url"], "https://other.example/g")

    # -- bodies that must not crash the route ------------------------------------------

    def test_hostile_bodies_are_refused_or_stored_never_500(self):
        stored = (
            delivery("ticket", when=10**400, id=1),
            delivery("ticket", when=-(10**400), id=2),
            delivery("ticket", when=1e308, id=3),
            delivery("ticket", when="9" * 400, id=4),
            b'{"event": "create", "time": NaN, "props": {"timestamp": Infinity}}',
        )
        for payload in stored:
            response = self._post(payload)
            self.assertEqual(response.status_code, 200, payload)
            event = self.Event.browse(response.json()["id"])
            self.assertFalse(event.apizee_time)  # a time this far off is no time
        # digits after spaces: a time (the first 20 characters were all spaces)
        response = self._post(delivery("ticket", when=" " * 25 + "1795860000", id=5))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.Event.browse(response.json()["id"]).apizee_time,
            datetime(2026, 11, 28, 10, 0, 0),
        )
        before = self._count()
        refused = (
            {"event": "create\x00", "object": "ticket"},
            {"event": "create", "objectId": "\ud800"},
            {"event": "create", "object": "ticket", "props": {"reference": "a\x00"}},
            {"event": "create", "props": {"\udfff": 1}},
            {"event": "create", "props": {"data": [["\ud800x"]]}},
            '{"event": "\ud800"}'.encode("utf-8", "surrogatepass"),
            b'{"event": "\\u0000"}',
            b'{"objectId": "\\ud800"}',
            b"[" * 100000 + b"]" * 100000,
        )
        for payload in refused:
            response = self._post(payload)
            self.assertEqual(response.status_code, 400, payload)
            self.assertFalse(response.json()["ok"])
        self.assertEqual(self._count(), before)
        with self.assertRaises(DeliveryError) as caught:
            parse_delivery(b'{"props": {"reference": "\\u0000"}}')
        self.assertEqual(caught.exception.code, "text")

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
    @given(body=_BODIES)
    def test_fuzzed_bodies_never_crash_the_route(self, body):
        before = self._count()
        response = self._post(body)
        self.assertIn(response.status_code, (200, 400, 413), body)
        answer = response.json()
        if response.status_code == 200:
            event = self.Event.browse(answer["id"])
            self.assertEqual(event.company_id, self.company)
        else:
            self.assertFalse(answer["ok"])
            self.assertEqual(self._count(), before)

    # -- migration and neutralization --------------------------------------------------

    def test_migration_keeps_the_secret_for_the_main_company(self):
        pre, post = _load_migration("pre-migrate"), _load_migration("post-migrate")
        main = self.env.ref("base.main_company")
        params = self.env["ir.config_parameter"].sudo()
        # a database of 18.0.1.0.0: one secret in a parameter, none in companies
        params.set_param(SECRET_PARAM_1_0, "secret-of-the-database")
        self.env["res.company"].sudo().search([]).write(
            {"apizee_webhook_secret": False}
        )
        self.env.flush_all()
        for _run in range(2):  # idempotent
            pre.migrate(self.env.cr, "18.0.1.0.0")
            post.migrate(self.env.cr, "18.0.1.0.0")
            self.env.invalidate_all()
            self.assertEqual(self._secret(main), "secret-of-the-database")
            self.assertTrue(self._secret(self.company_b))
            self.assertNotEqual(self._secret(self.company_b), "secret-of-the-database")
            self.assertFalse(params.get_param(SECRET_PARAM_1_0))
        secret_b = self._secret(self.company_b)
        response = self._post(delivery("ticket", id=8), None, "secret-of-the-database")
        self.assertEqual(response.status_code, 200)
        # a database without the parameter: nothing changes
        post.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(self._secret(main), "secret-of-the-database")
        self.assertEqual(self._secret(self.company_b), secret_b)

    def test_neutralized_database_refuses_every_delivery(self):
        old_a = self._secret(self.company)
        with file_open("helpdesk_apizee/data/neutralize.sql") as sql:
            self.env.cr.execute(sql.read())
        self.env.invalidate_all()
        self.assertFalse(
            self.env["res.company"]
            .sudo()
            .search([("apizee_webhook_secret", "!=", False)])
        )
        payload = delivery("ticket", id=9)
        for company_id, secret in ((None, old_a), (self.company.id, old_a)):
            self.assertEqual(self._post(payload, company_id, secret).status_code, 403)
        self.assertEqual(self._post(payload, None, "").status_code, 403)
        # an administrator regenerates it: deliveries come in again
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.apizee_webhook_secret)
        settings.action_apizee_regenerate_webhook_secret()
        self.assertEqual(self._post(payload, None).status_code, 200)

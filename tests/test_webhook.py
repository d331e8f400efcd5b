# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import http.client
import json
import time
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import werkzeug.wrappers

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .. import const
from .common import ApizeeCommon, ApizeeStandInCommon

T0 = int(time.time()) - 3600  # an hour ago: past the grace of new sessions
# The route Apizee's console posts to (not read from const: it must never move under
# the URL an administrator pasted there)
WEBHOOK_URL_PATH = "/helpdesk_apizee/webhook"


def delivery(obj, event="create", when=T0, object_id=None, **props):
    return {
        "event": event,
        "time": when,
        "object": obj,
        "objectId": object_id if object_id is not None else props.get("id"),
        "props": props,
    }


class WebhookMixin:
    def _receive(self, payload):
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        event_id, duplicate = self.Event._receive(raw, self.company)
        return self.Event.browse(event_id), duplicate

    def _process(self):
        """Run the cron's method as its runner does: again while events are due."""
        for _batch in range(5):
            if not self.Event._cron_process():
                return

    def _deliver(self, *payloads):
        events = self.Event.browse()
        for payload in payloads:
            events |= self._receive(payload)[0]
        self._process()
        return events

    def _session(self, apizee_id="82070", **values):
        return (
            self.env["apizee.session"]
            .sudo()
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "apizee_id": apizee_id,
                    "state": "new",
                    "reference": self.ticket.number,
                    "agent_id": self.agent.id,
                    **values,
                }
            )
        )

    def _notes(self):
        return self.ticket.message_ids.filtered(
            lambda m: "Apizee session" in (m.body or "")
        )


@tagged("post_install", "-at_install")
class TestWebhookRoute(WebhookMixin, HttpCase, ApizeeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["apizee.webhook.event"].sudo()
        # The main company's: Apizee's console of single-company databases posts to
        # the URL without a company id, as these tests do
        cls.secret = cls.company.apizee_webhook_secret

    def _post(self, body, secret=None, headers=None):
        headers = dict(headers or {}, **{"Content-Type": "application/json"})
        if secret is not False:
            headers["X-Apizee-Webhook-Secret"] = secret or self.secret
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        return self.url_open(WEBHOOK_URL_PATH, data=body, headers=headers)

    def _count(self):
        return self.Event.search_count([])

    def test_stored_and_acknowledged(self):
        cron = self.env.ref("helpdesk_apizee.ir_cron_apizee_webhook_process")
        self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)]).unlink()
        payload = delivery("ticket", "update", id=82070, state="inprogress")
        response = self._post(payload)
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertTrue(answer["ok"])
        self.assertFalse(answer["duplicate"])
        event = self.Event.browse(answer["id"])
        self.assertRecordValues(
            event,
            [
                {
                    "state": "pending",
                    "object": "ticket",
                    "event": "update",
                    "object_id": "82070",
                    "session_ref": "82070",
                }
            ],
        )
        self.assertEqual(json.loads(event.body), payload)
        # the cron is woken once for a burst
        self.assertEqual(self._post(delivery("ticket", id=1)).status_code, 200)
        triggers = (
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])
        )
        self.assertEqual(len(triggers), 1)

    def test_replayed_delivery_is_stored_once(self):
        payload = delivery("ticket", "update", id=82071, state="done")
        first = self._post(payload).json()
        # the same delivery, its keys in another order
        again = self._post(json.dumps(payload, sort_keys=True).encode()).json()
        self.assertEqual(again["id"], first["id"])
        self.assertTrue(again["duplicate"])
        self.assertEqual(self.Event.search_count([("object_id", "=", "82071")]), 1)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_wrong_or_missing_secret_is_refused(self):
        before = self._count()
        for secret in (False, "nope", self.secret[:-1], self.secret + "x"):
            response = self._post(delivery("ticket", id=5), secret=secret)
            self.assertEqual(response.status_code, 403, secret)
            self.assertFalse(response.json()["ok"])
            self.assertNotIn(self.secret, response.text)
        self.assertEqual(self._count(), before)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_regenerated_secret_replaces_the_old_one(self):
        settings = self.env["res.config.settings"].create({})
        settings.action_apizee_regenerate_webhook_secret()
        new = self.company.apizee_webhook_secret
        self.assertNotEqual(new, self.secret)
        self.assertEqual(self._post(delivery("ticket", id=6)).status_code, 403)
        self.assertEqual(
            self._post(delivery("ticket", id=6), secret=new).status_code, 200
        )

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_malformed_json_is_refused(self):
        before = self._count()
        for body in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"):
            response = self._post(body)
            self.assertEqual(response.status_code, 400, body)
        headers = {"X-Apizee-Webhook-Secret": self.secret}
        empty = self.opener.post(
            self.base_url() + WEBHOOK_URL_PATH, data=b"", headers=headers
        )
        self.assertEqual(empty.status_code, 400)
        self.assertEqual(self._count(), before)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_oversized_body_is_refused(self):
        self._limit_1024()
        before = self._count()
        response = self._post(delivery("ticket", id=7, description="x" * 2000))
        self.assertEqual(response.status_code, 413)
        self.assertEqual(self._count(), before)
        self.assertEqual(self._post(delivery("ticket", id=7)).status_code, 200)

    def _limit_1024(self):
        # the smallest limit the settings accept
        self.env["ir.config_parameter"].sudo().set_param(
            "helpdesk_apizee.webhook_max_bytes", "1024"
        )

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_size_limit_setting(self):
        """256 KB by default, 1024 bytes at least; a body of exactly the limit is
        taken, one byte more refused."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("helpdesk_apizee.webhook_max_bytes", False)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.apizee_webhook_max_bytes, 256 * 1024)
        with self.assertRaisesRegex(
            ValidationError,
            "^The largest webhook delivery must be 1024 bytes or more.$",
        ):
            self.env["res.config.settings"].create({"apizee_webhook_max_bytes": 1023})
        self.env["res.config.settings"].create(
            {"apizee_webhook_max_bytes": 1024}
        ).execute()
        self.assertEqual(params.get_param("helpdesk_apizee.webhook_max_bytes"), "1024")

        def body(size, object_id):
            empty = len(json.dumps(delivery("ticket", id=object_id, description="")))
            padding = "x" * (size - empty)
            payload = delivery("ticket", id=object_id, description=padding)
            return json.dumps(payload).encode()

        self.assertEqual(len(body(1024, 11)), 1024)
        self.assertEqual(self._post(body(1024, 11)).status_code, 200)
        self.assertEqual(self._post(body(1025, 12)).status_code, 413)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_declared_oversize_is_refused_before_the_body_is_read(self):
        """A declared ``Content-Length`` over the limit gets its 413 at once: the body
        is never read (never kept in memory), even when it is all sent."""
        self._limit_1024()
        before = self._count()
        reads = []
        get_data = werkzeug.wrappers.Request.get_data

        def spy(request, *args, **kwargs):
            reads.append(request.path)
            return get_data(request, *args, **kwargs)

        body = json.dumps(delivery("ticket", id=7, description="x" * 2000)).encode()
        self.assertGreater(len(body), 1024)
        with patch.object(werkzeug.wrappers.Request, "get_data", spy):
            response = self._post(body)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(
            response.json(), {"ok": False, "error": "The body is too large."}
        )
        self.assertNotIn(WEBHOOK_URL_PATH, reads)
        self.assertEqual(self._count(), before)
        # a body within the limit is read, through the same spy
        with patch.object(werkzeug.wrappers.Request, "get_data", spy):
            self.assertEqual(self._post(delivery("ticket", id=7)).status_code, 200)
        self.assertIn(WEBHOOK_URL_PATH, reads)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_declared_oversize_answered_without_waiting_for_the_body(self):
        """Over a raw connection: 10 MB declared, 16 bytes sent. Reading the body would
        wait for the 10 MB that never come; the 413 comes back at once."""
        self._limit_1024()
        before = self._count()
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.http_port(), timeout=10
        )
        self.addCleanup(connection.close)
        connection.putrequest("POST", WEBHOOK_URL_PATH)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("X-Apizee-Webhook-Secret", self.secret)
        connection.putheader("Content-Length", str(10 * 1024 * 1024))
        connection.endheaders(b'{"event": "crea')
        started = time.monotonic()
        response = connection.getresponse()
        raw = response.read()
        elapsed = time.monotonic() - started
        self.assertEqual(response.status, 413, raw)
        self.assertLess(elapsed, 3)
        self.assertEqual(
            json.loads(raw), {"ok": False, "error": "The body is too large."}
        )
        self.assertEqual(self._count(), before)

    @mute_logger("odoo.addons.helpdesk_apizee.controllers.main")
    def test_chunked_oversize_is_refused(self):
        """A chunked body has no ``Content-Length``: read, then refused over the
        limit."""
        self._limit_1024()
        before = self._count()
        headers = {
            "Content-Type": "application/json",
            "X-Apizee-Webhook-Secret": self.secret,
        }

        def chunks(payload):
            body = json.dumps(payload).encode()
            for start in range(0, len(body), 100):
                yield body[start : start + 100]

        url = self.base_url() + WEBHOOK_URL_PATH
        big = delivery("ticket", id=9, description="x" * 2000)
        response = self.opener.post(url, data=chunks(big), headers=headers)
        self.assertEqual(response.request.headers["Transfer-Encoding"], "chunked")
        self.assertNotIn("Content-Length", response.request.headers)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(
            response.json(), {"ok": False, "error": "The body is too large."}
        )
        self.assertEqual(self._count(), before)
        # a chunked body within the limit is stored
        small = delivery("ticket", id=9)
        response = self.opener.post(url, data=chunks(small), headers=headers)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._count(), before + 1)
        event = self.Event.browse(response.json()["id"])
        self.assertEqual(json.loads(event.body), small)

    def test_unknown_object_is_stored_and_ignored(self):
        response = self._post({"event": "create", "object": "invoice", "objectId": 3})
        self.assertEqual(response.status_code, 200)
        event = self.Event.browse(response.json()["id"])
        event._process()
        self.assertEqual(event.state, "ignored")

    def test_settings_show_what_to_paste_in_apizee(self):
        """What the administrator pastes in Apizee's console: a route and a header
        that must never change under them (not read from const)."""
        settings = self.env["res.config.settings"].create({})
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(
            settings.apizee_webhook_url,
            f"{base_url}{WEBHOOK_URL_PATH}/{self.company.id}",
        )
        self.assertEqual(settings.apizee_webhook_header, "X-Apizee-Webhook-Secret")
        self.assertEqual(settings.apizee_webhook_secret, self.secret)

    def test_events_are_for_administrators_only(self):
        self._post(delivery("ticket", id=8))
        for user in (self.portal_user, self.internal_user, self.agent):
            with self.assertRaises(AccessError):
                self.env["apizee.webhook.event"].with_user(user).search([])
        public = self.env.ref("base.public_user")
        with self.assertRaises(AccessError):
            self.env["apizee.webhook.event"].with_user(public).search([])
        settings = self.env["res.config.settings"]
        for name in ("apizee_webhook_secret", "apizee_webhook_max_bytes"):
            self.assertEqual(settings._fields[name].groups, "base.group_system")


@tagged("post_install", "-at_install")
class TestWebhookProcessing(WebhookMixin, ApizeeStandInCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["apizee.webhook.event"].sudo()

    def setUp(self):
        super().setUp()
        # No wait before a webhook creates a session (tests of the wait set it back)
        self.startPatcher(patch.object(const, "WEBHOOK_SESSION_GRACE", 0))

    def _assert_retried_after_each_delay(self, event):
        """The documented retries (not read from const): after 1 min, 5 min, 15 min,
        then 1 h; each due attempt is run at once (the clock is not waited for)."""
        for delay in (60, 300, 900, 3600):
            self.assertEqual(event.state, "pending")
            wait = (event.next_attempt - fields.Datetime.now()).total_seconds()
            self.assertTrue(delay - 10 < wait <= delay, (delay, wait))
            event.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
            self._process()

    def test_ticket_states_are_applied_by_apizee_time(self):
        session = self._session()
        self._deliver(delivery("ticket", "update", T0 + 20, id=82070, state="done"))
        self.assertEqual(session.state, "done")
        # delivered late: an older "invited" never overwrites "done"
        late = self._deliver(
            delivery("ticket", "update", T0 + 5, id=82070, state="invited")
        )
        self.assertEqual(session.state, "done")
        self.assertEqual(late.state, "done")
        # same second: the state further on in the session's life wins
        self._deliver(delivery("ticket", "update", T0 + 20, id=82070, state="open"))
        self.assertEqual(session.state, "done")
        self._deliver(delivery("ticket", "update", T0 + 30, id=82070, state="closed"))
        self.assertEqual(session.state, "closed")

    def test_out_of_order_burst(self):
        session = self._session()
        payloads = [
            delivery("ticket", "update", T0 + n, id=82070, state=state)
            for n, state in ((3, "done"), (1, "invited"), (2, "inprogress"))
        ]
        for payload in payloads:
            self._receive(payload)
        self._process()
        self.assertEqual(session.state, "done")
        self.assertEqual(session.state_time, _utc(T0 + 3))

    def test_session_created_in_apizee_ui_with_our_reference(self):
        events = self._deliver(
            delivery(
                "ticket",
                "create",
                id=99001,
                reference=self.ticket.number,
                state="invited",
            )
        )
        session = self.ticket.apizee_session_ids
        self.assertEqual(len(session), 1)
        self.assertRecordValues(
            session, [{"apizee_id": "99001", "state": "invited", "origin": "apizee"}]
        )
        self.assertEqual(events.session_id, session)
        self.assertIn("created in Apizee", self._notes()[:1].body)
        # a reference that is no ticket of ours is ignored
        other = self._deliver(delivery("ticket", "create", id=99002, reference="ZZZ"))
        self.assertEqual(other.state, "ignored")

    def test_fractions_of_a_second_do_not_reorder_states(self):
        session = self._session()
        # Apizee times in milliseconds: "done" at .700, a late "invited" at .300
        base = (T0 + 50) * 1000
        done = delivery(
            "conversationevent",
            when=None,
            id=801,
            ticketId=82070,
            eventName="ticket.completed",
            timestamp=base + 700,
        )
        invited = delivery(
            "conversationevent",
            when=None,
            id=802,
            ticketId=82070,
            eventName="ticket.invitationSent",
            timestamp=base + 300,
        )
        self._deliver(done)
        self._deliver(invited)
        self.assertEqual(session.state, "done")
        self.assertEqual(session.state_time, _utc(T0 + 50))

    def test_state_read_from_apizee_is_not_undone_by_an_older_event(self):
        session = self._session()
        values = self.env["apizee.session"]._values_from_answer(
            {"id": 82070, "state": "done", "modified": "2026-01-01T10:00:00.900Z"}
        )
        self.assertEqual(values["state_time"], datetime(2026, 1, 1, 10, 0, 0))
        session.write(values)
        when = int(datetime(2026, 1, 1, 9, 59, tzinfo=timezone.utc).timestamp())
        self._deliver(delivery("ticket", "update", when, id=82070, state="inprogress"))
        self.assertEqual(session.state, "done")
        # nor by an event without a time
        self._deliver(delivery("ticket", "update", None, id=82070, state="invited"))
        self.assertEqual(session.state, "done")

    def test_times_far_off_are_no_times(self):
        session = self._session()
        future = int(time.time()) + 10 * 86400
        event = self._deliver(
            delivery("ticket", "update", future, id=82070, state="inprogress")
        )
        self.assertFalse(event.apizee_time)
        self.assertEqual(session.state, "inprogress")
        self.assertFalse(session.state_time)  # a later update is not blocked
        self._deliver(delivery("ticket", "update", T0, id=82070, state="done"))
        self.assertEqual(session.state, "done")

    def test_new_session_waits_for_the_ticket_lock(self):
        """A committed ticket whose row "Open room" holds: the webhook waits."""
        ticket = self.env.ref("helpdesk_mgmt.helpdesk_ticket_1")
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SET lock_timeout = '5s'")  # never hang the test run
            other.execute(
                "SELECT id FROM helpdesk_ticket WHERE id = %s FOR UPDATE", [ticket.id]
            )
            event = self._deliver(
                delivery("ticket", "create", id=99020, reference=ticket.number)
            )
            self.assertEqual(event.state, "pending")
            self.assertIn("Waiting", event.result)
            other.rollback()
        event.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self._process()
        self.assertEqual(event.state, "done")
        self.assertEqual(ticket.apizee_session_ids.apizee_id, "99020")

    def test_new_session_waits_for_the_agents_open_room(self):
        self.startPatcher(patch.object(const, "WEBHOOK_SESSION_GRACE", 60))
        now = int(time.time())
        event = self._deliver(
            delivery("ticket", "create", now, id=99003, reference=self.ticket.number)
        )
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.attempts, 1)
        self.assertFalse(self.ticket.apizee_session_ids)
        # meanwhile "Open room" stored the session: the event applies to it
        session = self._session("99003")
        event.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self._process()
        self.assertEqual(event.state, "done")
        self.assertEqual(event.session_id, session)
        self.assertEqual(len(self.ticket.apizee_session_ids), 1)

    def test_session_events_become_one_grouped_note(self):
        session = self._session()
        names = [
            "ticket.invitationSent",
            "ticket.invitationClicked",
            "consent.accepted",
            "ticket.sessionStarted",
            "session.established",
            "media.pictureTaken",
            "session.userLeft",
            "ticket.completed",
        ]
        payloads = [
            delivery(
                "conversationevent",
                when=T0 + n,
                id=500 + n,
                eventName=name,
                timestamp=(T0 + n) * 1000,
                source="guest",
                ticketId=82070,
            )
            for n, name in enumerate(names)
        ]
        events = self._deliver(*payloads)
        self.assertEqual(set(events.mapped("state")), {"done"})
        notes = self._notes()
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes.body.count("<li>"), len(names))
        self.assertIn("The guest accepted the consent.", notes.body)
        self.assertEqual(session.state, "done")
        self.assertEqual(session.consent_time, _utc(T0 + 2))
        self.assertEqual(session.consent_source, "guest")
        # the same session event again, in another envelope: no second line
        replay = dict(payloads[0], time=T0 + 100)
        self.assertEqual(self._deliver(replay).state, "ignored")
        self.assertEqual(self._notes().body.count("<li>"), len(names))

    def test_note_in_the_language_of_the_sessions_agent(self):
        """The cron has no language of its own: the note is in the language of the
        agent who opened the session (else of the company)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["helpdesk_apizee"], ["fr_FR"])
        self.agent.lang = "fr_FR"
        self._session()
        self._deliver(
            delivery(
                "conversationevent",
                id=600,
                eventName="consent.accepted",
                timestamp=T0 * 1000,
                source="guest",
                ticketId=82070,
            )
        )
        note = self.ticket.message_ids.filtered(
            lambda m: "Session Apizee 82070" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("a donné son consentement.", note.body)

    def test_session_event_before_its_session(self):
        event = self._deliver(
            delivery(
                "conversationevent",
                id=700,
                eventName="ticket.invitationClicked",
                ticketId=99010,
            )
        )
        self.assertEqual(event.state, "pending")
        self.assertIn("99010", event.result)
        # its session arrives: the waiting event is woken and applied
        self._deliver(
            delivery("ticket", "create", id=99010, reference=self.ticket.number)
        )
        self.assertEqual(event.state, "done")
        self.assertIn("opened the invitation", self._notes()[:1].body)

    def test_waiting_event_of_a_foreign_session_is_ignored_in_the_end(self):
        event = self._deliver(
            delivery(
                "conversationevent", id=701, eventName="ticket.closed", ticketId=123456
            )
        )
        self._assert_retried_after_each_delay(event)
        self.assertEqual(event.state, "ignored")
        self.assertEqual(event.attempts, 5)

    def test_unknown_event_name_is_ignored(self):
        self._session()
        event = self._deliver(
            delivery(
                "conversationevent",
                id=702,
                eventName="ticket.teleported",
                ticketId=82070,
            )
        )
        self.assertEqual(event.state, "ignored")
        self.assertFalse(self._notes())

    def test_media_download_fails_then_succeeds(self):
        self._session()
        media = self.standin.add_media(9001, b"\xff\xd8\xff picture", "image/jpeg")
        # both attempts of the first try fail (5xx is retried once by the client)
        self.standin.fail_next("500", 2)
        with mute_logger("odoo.addons.helpdesk_apizee.models.apizee_client"):
            event = self._deliver(
                delivery(
                    "media",
                    id=9001,
                    ticketId=82070,
                    url=media["url"],
                    mimeType="image/jpeg",
                )
            )
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.attempts, 1)
        self.assertIn("HTTP 500", event.result)
        self.assertGreater(event.next_attempt, fields.Datetime.now())
        event.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self._process()
        self.assertEqual(event.state, "done")
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "=", self.ticket.id),
                ("name", "=", "apizee-media-9001.jpg"),
            ]
        )
        self.assertEqual(attachment.raw, b"\xff\xd8\xff picture")
        self.assertIn(attachment, self._notes().attachment_ids)
        # Counted on the session and its ticket (Insight)
        self.assertEqual(event.session_id.media_count, 1)
        self.assertEqual(self.ticket.apizee_media_count, 1)
        # the bearer went to the Apizee server only
        download = self.standin.requests_to("/media-files/9001")[-1]
        self.assertTrue(download["headers"]["Authorization"].startswith("Bearer "))
        # an update of the same media: saved once
        again = self._deliver(
            delivery(
                "media", "update", T0 + 9, id=9001, ticketId=82070, url=media["url"]
            )
        )
        self.assertEqual(again.state, "ignored")
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("name", "=like", "apizee-media-9001.%")]
            ),
            1,
        )
        self.assertEqual(event.session_id.media_count, 1)

    def test_media_rate_limited_waits_without_counting(self):
        self._session()
        media = self.standin.add_media(9006, b"\xff\xd8\xff", "image/jpeg")
        self.standin.fail_next("429")
        event = self._deliver(
            delivery("media", id=9006, ticketId=82070, url=media["url"])
        )
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.attempts, 0)
        wait = (event.next_attempt - fields.Datetime.now()).total_seconds()
        self.assertTrue(30 < wait <= 42, wait)  # X-RateLimit-Reset of the stand-in
        # the cron is woken for it then
        cron = self.env.ref("helpdesk_apizee.ir_cron_apizee_webhook_process")
        self.assertIn(
            event.next_attempt,
            self.env["ir.cron.trigger"]
            .sudo()
            .search([("cron_id", "=", cron.id)])
            .mapped("call_at"),
        )

    def test_media_without_url_is_looked_up(self):
        self._session()
        self.standin.add_media(9002, b"\x89PNG\r\n\x1a\n...", "image/png", 82070)
        event = self._deliver(delivery("media", id=9002, ticketId=82070))
        self.assertEqual(event.state, "done", event.result)
        self.assertTrue(
            self.env["ir.attachment"].search([("name", "=", "apizee-media-9002.png")])
        )

    def test_media_limits(self):
        self._session()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("helpdesk_apizee.media_max_bytes", "10")
        big = self.standin.add_media(9003, b"x" * 50, "image/jpeg")
        event = self._deliver(
            delivery("media", id=9003, ticketId=82070, url=big["url"])
        )
        self.assertEqual(event.state, "ignored")
        self.assertIn("larger than", event.result)
        params.set_param("helpdesk_apizee.media_max_bytes", "1000000")
        video = self.standin.add_media(9004, b"RIFF....", "video/x-msvideo")
        event = self._deliver(
            delivery("media", id=9004, ticketId=82070, url=video["url"])
        )
        self.assertEqual(event.state, "ignored")
        self.assertIn("not allowed", event.result)
        self.assertFalse(
            self.env["ir.attachment"].search([("name", "=like", "apizee-media-%")])
        )
        # the agent learns from the notes (one per batch) that the media stayed in
        # Apizee
        notes = self._notes()
        self.assertEqual(len(notes), 2)
        self.assertIn("9004", notes[0].body)
        self.assertIn("9003", notes[1].body)

    @mute_logger(
        "odoo.addons.helpdesk_apizee.models.apizee_webhook_event",
        "odoo.addons.helpdesk_apizee.models.apizee_client",
    )
    def test_failing_event_is_left_for_an_admin_then_retried(self):
        self._session()
        self.standin.add_media(9005, b"\xff\xd8\xff", "image/jpeg")
        url = f"{self.standin.url}/media-files/9005"
        # 5 attempts of a download tried twice each (retries of GETs)
        self.standin.fail_next("500", 10)
        event = self._deliver(delivery("media", id=9005, ticketId=82070, url=url))
        self._assert_retried_after_each_delay(event)
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.attempts, 5)
        self.assertFalse(event.next_attempt)
        self.assertIn("HTTP 500", event.result)
        event.action_retry()
        self.assertEqual(event.state, "pending")
        self._process()
        self.assertEqual(event.state, "done")

    def test_the_cron_applies_events_and_reports_progress(self):
        session = self._session()
        for n, state in enumerate(("invited", "inprogress", "done")):
            self._receive(delivery("ticket", "update", T0 + n, id=82070, state=state))
        cron = self.env.ref("helpdesk_apizee.ir_cron_apizee_webhook_process")
        cron.method_direct_trigger()
        self.assertEqual(session.state, "done")
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertEqual((progress.done, progress.remaining), (3, 0))

    def test_a_batch_stops_at_its_deadline(self):
        self._session()
        for n in range(3):
            self._receive(delivery("ticket", "update", T0 + n, id=82070, state="open"))
        with patch.object(const, "WEBHOOK_BATCH_SECONDS", -1):
            self.assertEqual(self.Event._cron_process(), 1)
        self.assertEqual(self.Event.search_count([("state", "=", "pending")]), 2)

    def test_delete_of_a_session(self):
        session = self._session(state="invited", state_time=_utc(T0))
        self._deliver(delivery("ticket", "delete", T0 + 5, id=82070))
        self.assertEqual(session.state, "cancelled")


def _utc(unix):
    return datetime.fromtimestamp(unix, timezone.utc).replace(tzinfo=None)

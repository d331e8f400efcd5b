# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..models.apizee_client import ApizeeError
from ..utils.apizee_urls import is_download_url
from ..utils.apizee_webhooks import (
    DeliveryError,
    delivery_fields,
    media_extension,
    parse_delivery,
    parse_time,
    pick,
)
from .apizee_standin import ApizeeStandIn
from .common import ApizeeStandInCommon


@tagged("post_install", "-at_install")
class TestWebhookReaders(TransactionCase):
    """Readers of webhook deliveries, without I/O."""

    def test_parse_delivery_digest_ignores_key_order(self):
        payload = {"event": "update", "object": "ticket", "props": {"a": 1, "b": 2}}
        one = parse_delivery(json.dumps(payload).encode())
        two = parse_delivery(json.dumps(payload, sort_keys=True, indent=2).encode())
        self.assertEqual(one, two)
        self.assertNotEqual(
            one[1],
            parse_delivery(json.dumps(dict(payload, event="create")).encode())[1],
        )

    def test_parse_delivery_refuses_what_is_no_object(self):
        for raw in (b"", b"{", b"[]", b"1", b"null", b"\xff"):
            with self.assertRaises(DeliveryError):
                parse_delivery(raw)

    def test_parse_delivery_refuses_what_cannot_be_stored(self):
        for raw in (
            b'{"a": "\\u0000"}',
            b'{"\\ud800": 1}',
            b'{"a": [{"b": "x\\udfff"}]}',
            b'{"a": "\\ude00\\ud83d"}',  # a pair the wrong way round
        ):
            with self.assertRaises(DeliveryError) as caught:
                parse_delivery(raw)
            self.assertEqual(caught.exception.code, "text", raw)
        # a surrogate pair is one character: stored
        payload, _digest = parse_delivery(b'{"a": "\\ud83d\\ude00"}')
        self.assertEqual(payload["a"], "\U0001f600")

    def test_parse_time_of_hostile_values(self):
        for value in (10**400, -(10**400), float("inf"), float("nan"), "9" * 400):
            self.assertIsNone(parse_time(value), value)
        self.assertEqual(
            parse_time(" " * 25 + "1795860000"), datetime(2026, 11, 28, 10, 0, 0)
        )

    def test_parse_time(self):
        moment = datetime(2026, 11, 28, 10, 0, 0)
        for value in (1795860000, 1795860000000, "1795860000", "2026-11-28T10:00:00Z"):
            self.assertEqual(parse_time(value), moment, value)
        for value in (None, "", "soon", True, {}):
            self.assertIsNone(parse_time(value))

    def test_delivery_fields(self):
        fields = delivery_fields(
            {
                "event": "create",
                "object": "conversationevent",
                "time": 1795860000,
                "props": {"id": 7, "eventName": "consent.accepted", "ticketId": 82070},
            }
        )
        self.assertEqual(
            fields,
            {
                "event": "create",
                "object": "conversationevent",
                "object_id": "7",
                "event_name": "consent.accepted",
                "session_ref": "82070",
                "apizee_time": datetime(2026, 11, 28, 10, 0, 0),
            },
        )
        ticket = delivery_fields({"object": "ticket", "objectId": 5, "props": []})
        self.assertEqual(ticket["session_ref"], "5")
        self.assertIsNone(delivery_fields({"object": {"x": 1}})["object"])

    def test_pick(self):
        self.assertEqual(pick({"ticket": {"id": 3}}, (("ticket", "id"), "ticket")), 3)
        self.assertEqual(pick({"ticket": 4}, (("ticket", "id"), "ticket")), 4)
        self.assertIsNone(pick({"ticket": ""}, ("ticket",)))

    def test_media_extension(self):
        self.assertEqual(media_extension("image/jpeg"), ".jpg")
        self.assertEqual(media_extension("image/png"), ".png")
        self.assertEqual(media_extension("video/mp4"), ".mp4")
        self.assertEqual(media_extension(""), ".bin")

    def test_is_download_url(self):
        for url in ("https://cdn.apizee.com/m/1.jpg?sig=x", "http://127.0.0.1:8/f"):
            self.assertTrue(is_download_url(url), url)
        for url in (
            "http://cdn.apizee.com/m/1.jpg",
            "ftp://cloud.apizee.com/f",
            "https://user:pw@cloud.apizee.com/f",
            "https://:80/f",
            "https://cloud.apizee.com:99999/f",
            "",
        ):
            self.assertFalse(is_download_url(url), url)


@tagged("post_install", "-at_install")
class TestMediaDownload(ApizeeStandInCommon):
    """The client's download, against the stand-in."""

    def setUp(self):
        super().setUp()
        self.token = (
            self.env["apizee.token"]
            .sudo()
            ._prepare_call(self.standin.url, self.TECH_USER, self.TECH_PASSWORD)
        )

    def test_bearer_only_for_the_apizee_server(self):
        self.standin.add_media(1, b"abc", "image/png")
        client = self.env["apizee.client"]
        url = f"{self.standin.url}/media-files/1"
        self.assertEqual(
            client._download(self.standin.url, url, token=self.token),
            ("image/png", b"abc"),
        )
        self.assertEqual(
            self.standin.requests[-1]["headers"]["Authorization"],
            f"Bearer {self.token}",
        )
        # a file on another origin (a CDN, say): no bearer
        cdn = ApizeeStandIn().start()
        self.addCleanup(cdn.stop)
        with self.assertRaises(ApizeeError):  # the stand-in wants a token
            client._download(self.standin.url, f"{cdn.url}/media-files/1", self.token)
        self.assertNotIn("Authorization", cdn.requests[-1]["headers"])

    def test_download_addresses(self):
        client = self.env["apizee.client"]
        server = "https://cloud.apizee.com"
        for url, expected in (
            # a path is on the Apizee server
            ("/api/v3/medias/1/file", "https://cloud.apizee.com/api/v3/medias/1/file"),
            ("https://cloud.apizee.com/m/1", "https://cloud.apizee.com/m/1"),
            (
                "https://media.apizee.com/m/1.jpg?sig=x",
                "https://media.apizee.com/m/1.jpg?sig=x",
            ),
        ):
            with self.subTest(url=url):
                self.assertEqual(client._check_download_url(server, url), expected)
        for url in (
            "https://evil.example.com/m/1",
            "https://10.0.0.1/m/1",
            "http://127.0.0.1:8069/web/database/manager",
            "http://media.apizee.com/m/1",
            "https://apizee.com.evil.example.com/m",
            "//evil.example.com/m",
        ):
            with self.subTest(url=url), self.assertRaises(ApizeeError) as caught:
                client._check_download_url(server, url)
            self.assertEqual(caught.exception.kind, "refused", url)

    def test_media_host_download_spends_no_token(self):
        cdn = ApizeeStandIn().start()
        self.addCleanup(cdn.stop)
        self.standin.reset()
        with self.assertRaises(ApizeeError):  # the stand-in wants a token
            self.company._apizee_download(f"{cdn.url}/media-files/1")
        self.assertNotIn("Authorization", cdn.requests[-1]["headers"])
        self.assertFalse(self.standin.requests)  # no token asked, no call counted

    def test_refusals(self):
        client = self.env["apizee.client"]
        with self.assertRaises(ApizeeError) as caught:
            client._download(self.standin.url, "http://example.com/f", self.token)
        self.assertEqual(caught.exception.kind, "refused")
        self.standin.add_media(2, b"x" * 100, "image/png")
        with self.assertRaises(ApizeeError) as caught:
            client._download(
                self.standin.url, "/media-files/2", token=self.token, max_bytes=99
            )
        self.assertEqual(caught.exception.kind, "too_large")
        self.assertIn("99.00 bytes", caught.exception.args[0])

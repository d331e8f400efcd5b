# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import parse_qsl, urlsplit

from odoo.tests import BaseCase, tagged

from ..utils.apizee_urls import (
    ServerUrlError,
    build_quick_invitation_url,
    normalize_server_url,
)

SERVER = "https://cloud.apizee.com"
KEY = "5f3c0d9b7e2a4c1f8b6d0e9a3c7b5e21"


def _query(url):
    return parse_qsl(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)


@tagged("post_install", "-at_install")
class TestQuickInvitationUrl(BaseCase):
    """The URL builder, against the seed page's own examples and hostile values."""

    def test_url_table(self):
        cases = [
            # (kwargs, expected URL)
            ({}, f"{SERVER}/quick-invitation"),
            (
                {"service_key": KEY, "reference": "ABC123"},
                f"{SERVER}/quick-invitation?reference=ABC123&service_key={KEY}",
            ),
            # seed: an invalid key is passed on as is; Apizee preselects nothing
            (
                {"service_key": "invalidkey"},
                f"{SERVER}/quick-invitation?service_key=invalidkey",
            ),
            # seed: "0612,+33612345678" (validation happens before, in the wizard)
            (
                {"phone_numbers": ["0612", "+33612345678"]},
                f"{SERVER}/quick-invitation?phone_numbers=0612,%2B33612345678",
            ),
            # seed: "user@,valid@email.com"
            (
                {"email_addresses": ["user@", "valid@email.com"]},
                f"{SERVER}/quick-invitation?email_addresses=user@,valid@email.com",
            ),
            # the reference is only sent with a preselected service
            ({"reference": "ABC123"}, f"{SERVER}/quick-invitation"),
            # locks only where there is something to lock
            (
                {"read_only_service": True, "read_only_recipients": True},
                f"{SERVER}/quick-invitation",
            ),
            (
                {
                    "service_key": KEY,
                    "phone_numbers": ["+33612345678"],
                    "read_only_service": True,
                    "read_only_recipients": True,
                },
                f"{SERVER}/quick-invitation?service_key={KEY}"
                "&phone_numbers=%2B33612345678"
                "&read_only.service=true&read_only.recipients=true",
            ),
            # a server URL with a path and a trailing slash
            ({}, "https://apizee.example.com/tenant/quick-invitation"),
        ]
        for kwargs, expected in cases:
            server = (
                SERVER
                if "tenant" not in expected
                else "https://apizee.example.com/tenant/"
            )
            with self.subTest(kwargs=kwargs):
                self.assertEqual(build_quick_invitation_url(server, **kwargs), expected)

    def test_reference_truncated_to_50(self):
        reference = "R" * 49 + "€XYZ"
        url = build_quick_invitation_url(SERVER, service_key=KEY, reference=reference)
        self.assertEqual(dict(_query(url))["reference"], "R" * 49 + "€")

    def test_hostile_values_cannot_inject_parameters(self):
        reference = "A&service_key=evil#frag= +ü"
        url = build_quick_invitation_url(
            SERVER,
            service_key=KEY,
            reference=reference,
            email_addresses=["a+b&c=d#e@example.com", "é@example.com"],
            phone_numbers=["+33 6 12 34 56 78"],
        )
        self.assertNotIn("#", url)
        self.assertEqual(
            _query(url),
            [
                ("reference", reference),
                ("service_key", KEY),
                ("phone_numbers", "+33 6 12 34 56 78"),
                ("email_addresses", "a+b&c=d#e@example.com,é@example.com"),
            ],
        )


@tagged("post_install", "-at_install")
class TestServerUrl(BaseCase):
    def test_normalized(self):
        cases = {
            "https://cloud.apizee.com": "https://cloud.apizee.com",
            "https://cloud.apizee.com/": "https://cloud.apizee.com",
            "  HTTPS://Cloud.Apizee.COM//  ": "https://cloud.apizee.com",
            "https://apizee.example.com:8443/tenant/": "https://apizee.example.com:8443/tenant",
            # a stand-in server on the loopback interface
            "http://127.0.0.1:8765/": "http://127.0.0.1:8765",
            "http://localhost:8765": "http://localhost:8765",
            "http://[::1]:8765": "http://[::1]:8765",
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(normalize_server_url(url), expected)

    def test_refused(self):
        cases = {
            "": "empty",
            "   ": "empty",
            "http://cloud.apizee.com": "scheme",
            "cloud.apizee.com": "scheme",
            "javascript:alert(1)": "scheme",
            "http://10.0.0.1": "scheme",
            "http://127.0.0.1.example.com": "scheme",
            "https://": "host",
            "https://cloud.apizee.com:99999": "host",
            "https://user:secret@cloud.apizee.com": "credentials",
            "https://cloud.apizee.com/?a=b": "query",
            "https://cloud.apizee.com/#x": "query",
        }
        for url, code in cases.items():
            with self.subTest(url=url), self.assertRaises(ServerUrlError) as caught:
                normalize_server_url(url)
            self.assertEqual(caught.exception.code, code)

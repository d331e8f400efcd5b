# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 9, item 3 (the media download guard read the host with one parser while the
HTTP library connected to another) and item 6 (the video panel expected an origin
computed otherwise than the browser's ``event.origin``)."""

import socket
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.models import PreparedRequest
from urllib3.util import parse_url

from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.apizee_client import ApizeeError
from ..utils import apizee_urls
from ..utils.apizee_urls import (
    ServerUrlError,
    allowed_download,
    browser_origin,
    is_public_address,
    normalize_server_url,
    read_download_url,
)
from .common import ApizeeCommon

SERVER = "https://cloud.apizee.com"
STANDIN = "http://127.0.0.1:8765"
CLIENT_LOGGER = "odoo.addons.helpdesk_apizee.models.apizee_client"
AUDIT_VECTOR = "https://127.0.0.1\\.apizee.com/a.png"
PUBLIC_ADDRESS = "93.184.216.34"
# As documented (not read from const): Apizee's media hosts (its public pages), and
# the loopback names a stand-in may use over plain http
MEDIA_HOST_SUFFIXES = (".apizee.com",)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# (URL, allowed) with the Apizee server on SERVER: a URL allowed is one Odoo may
# download from (before resolution); every other one is refused.
DOWNLOAD_TABLE = [
    # the server itself and Apizee's media hosts
    ("/api/v3/medias/1/file", True),
    ("https://cloud.apizee.com/m/1", True),
    ("https://cloud.apizee.com:443/m/1", True),  # its default port, written out
    ("https://media.apizee.com/m/1.jpg?sig=x", True),
    ("HTTPS://Media.APIZEE.Com/m/1", True),  # mixed-case scheme and host
    ("https://media.apizee.com:8443/m/1", True),
    ("https://xn--bcher-kva.apizee.com/m", True),  # an IDN in its ASCII form
    ("https://media.apizee.com/a%2Fb/c%20d.png", True),  # "%" in the path only
    ("https://media.apizee.com/m?next=http://127.0.0.1/", True),
    ("https://media.apizee.com/m#@127.0.0.1", True),
    # backslashes: urlsplit keeps them in the host, urllib3 ends the host there
    (AUDIT_VECTOR, False),
    ("https://media.apizee.com\\@127.0.0.1/a.png", False),
    ("https://127.0.0.1\\@media.apizee.com/a.png", False),
    ("https:/\\media.apizee.com/a.png", False),
    ("https:\\\\media.apizee.com/a.png", False),
    ("https://media.apizee.com/\\..\\a.png", False),
    ("/\\127.0.0.1/a.png", False),
    # credentials, and what only looks like them
    ("https://user@media.apizee.com/a", False),
    ("https://user:pw@media.apizee.com/a", False),
    ("https://media.apizee.com@127.0.0.1/a", False),
    ("https://media.apizee.com:443@127.0.0.1/a", False),
    ("https://127.0.0.1#@media.apizee.com/a", False),
    ("https://127.0.0.1?@media.apizee.com/a", False),
    # ports
    ("https://media.apizee.com:0/a", False),
    ("https://media.apizee.com:65536/a", False),
    ("https://media.apizee.com:99999/a", False),
    ("https://media.apizee.com:4294967739/a", False),  # 443 modulo 2**32
    ("https://media.apizee.com:/a", False),
    ("https://media.apizee.com:0443/a", False),
    ("https://media.apizee.com:+443/a", False),
    ("https://media.apizee.com:443:443/a", False),
    ("https://media.apizee.com:ab/a", False),
    # IPv6 literals
    ("https://[::1]/a", False),
    ("https://[::ffff:127.0.0.1]/a", False),
    ("https://[::ffff:7f00:1]/a", False),
    ("https://[::1%25lo]/a", False),
    ("https://[fe80::1]/a", False),
    ("https://[media.apizee.com]/a", False),
    ("https://[::1/a", False),
    # IDN, full-width dots, encoded bytes
    ("https://bücher.apizee.com/a", False),
    ("https://media．apizee．com/a", False),
    ("https://media。apizee。com/a", False),
    ("https://127.0.0.1．apizee.com/a", False),
    ("https://mеdia.apizee.com/a", False),  # a Cyrillic "е"
    ("https://media%2eapizee.com/a", False),
    ("https://127.0.0.1%2f.apizee.com/a", False),
    ("https://%6dedia.apizee.com/a", False),
    ("https://%31%32%37.0.0.1/a", False),
    # dots and labels
    ("https://media.apizee.com./a", False),
    ("https://media.apizee.com../a", False),
    ("https://.apizee.com/a", False),
    ("https://media..apizee.com/a", False),
    ("https://apizee.com/a", False),
    ("https://media.apizee.com.evil.example/a", False),
    ("https://evilapizee.com/a", False),
    ("https://media_x.apizee.com/a", False),
    ("https://-media.apizee.com/a", False),
    ("https://" + "a" * 64 + ".apizee.com/a", False),
    # white space, control and format characters
    ("https://media.apizee.com\t/a", False),
    ("https://med\tia.apizee.com/a", False),
    ("https://media.apizee.com\n/a", False),
    ("https://media.apizee.com\r\n.evil.example/a", False),
    (" https://media.apizee.com/a", False),
    ("https://media.apizee.com /a", False),
    ("https://media.apizee.com/a b", False),
    ("https://media.apizee.com/a\x00", False),
    ("https://media.apizee.com\x7f/a", False),
    ("https://media.apizee.com\u200b/a", False),
    ("https://media.apizee.com\u3000/a", False),
    # schemes and scheme-relative forms
    ("//media.apizee.com/a", False),
    ("///media.apizee.com/a", False),
    ("https:media.apizee.com/a", False),
    ("https:/media.apizee.com/a", False),
    ("http://media.apizee.com/a", False),
    ("http://cloud.apizee.com/m/1", False),
    ("http://127.0.0.1:8069/web/database/manager", False),
    ("ftp://media.apizee.com/a", False),
    ("file:///etc/passwd", False),
    ("javascript:alert(1)", False),
    ("", False),
    # IPv4 in every form resolvers accept
    ("https://127.0.0.1/a", False),
    ("https://10.0.0.1/m/1", False),
    ("https://169.254.169.254/latest/meta-data", False),
    ("https://2130706433/a", False),
    ("https://0x7f.1/a", False),
    ("https://0x7f000001/a", False),
    ("https://0177.0.0.1/a", False),
    ("https://127.1/a", False),
    ("https://127.0.0.1.nip.io/a", False),
    ("https://media.apizee.com.127.0.0.1/a", False),
]

# (URL, allowed) with the Apizee server on the loopback interface (the stand-in).
STANDIN_TABLE = [
    ("http://127.0.0.1:8765/media-files/1", True),
    ("/media-files/1", True),
    ("http://localhost:9000/x", True),  # the documented loopback exception
    ("http://LOCALHOST:8765/x", True),
    ("http://[::1]:8765/x", True),
    ("https://media.apizee.com/a", True),
    ("http://127.0.0.2:8765/x", False),
    ("http://127.1:8765/x", False),
    ("http://2130706433:8765/x", False),
    ("http://0x7f.1:8765/x", False),
    ("http://0.0.0.0:8765/x", False),
    ("http://[::ffff:127.0.0.1]:8765/x", False),
    ("http://localhost.:8765/x", False),
    ("http://127.0.0.1:8765\\@evil.example/x", False),
    ("http://evil.example@127.0.0.1:8765/x", False),
    ("http://127.0.0.1:0/x", False),
    ("http://media.apizee.com/a", False),
]


def _absolute(server_url, url):
    """A path made absolute on the server, as the client does."""
    return server_url + url if url.startswith("/") and not url.startswith("//") else url


def _readings(url):
    """``(scheme, host, port)`` of ``url`` for urlsplit, urllib3, and urllib3 again on
    the URL ``requests`` prepares (what it connects to); hosts without brackets."""
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    split = urlsplit(url)
    result = [(split.scheme.lower(), split.hostname, split.port)]
    for text in (url, prepared.url):
        parsed = parse_url(text)
        result.append((parsed.scheme, (parsed.host or "").strip("[]"), parsed.port))
    return result


@contextmanager
def _resolving(answers):
    """Make the client's name resolution answer ``answers`` (a callable of the host,
    returning addresses, or raising)."""

    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port))
            for a in answers(host)
        ]

    with patch.object(socket, "getaddrinfo", getaddrinfo):
        yield


def _public_resolver(host):
    """Public addresses, except for the loopback names."""
    if host in LOOPBACK_HOSTS:
        return ["::1"] if ":" in host else ["127.0.0.1"]
    return [PUBLIC_ADDRESS]


# -- Property-based tests: generated URLs mixing the pieces of the tables ----------

# A generated URL is a valid one with up to two of its pieces replaced by a trick of
# the tables (so that many URLs are accepted and checked, and many refused).
_PIECES = {
    "scheme": ("https", ["HTTPS", "HtTp", "http", "ftp", ""]),
    "slashes": ("://", [":/\\", ":\\\\", ":", ":/", "//", ":///", "://\\"]),
    "userinfo": ("", ["u@", "u:p@", "@", "cloud.apizee.com@", "127.0.0.1@"]),
    "suffix": (".apizee.com", ["", ".apizee.com.", ".APIZEE.COM", ".evil.example"]),
    "port": ("", [":443", ":8443", ":8765", ":0", ":", ":65536", ":0443", ":1e3"]),
    "path": ("/a.png", ["", "/\\x", "?q=1", "#f", "/a b", "/%2e%2e/", "?@127.0.0.1"]),
}
_LABELS = ["media", "cdn", "a-b", "xn--bcher-kva", "MEDIA", "x1"]
_HOSTS = ["cloud.apizee.com", "127.0.0.1", "localhost", "[::1]", "LocalHost"]
_JUNK = list("\\@:%./?#[]-_ \t\n\r\x00\x7f\u200b\u3000．。ü") + [
    "%2e",
    "%40",
    "%5c",
    "0x7f",
    "2130706433",
    "127.0.0.1",
    "@127.0.0.1",
    "\\.",
    "[::ffff:127.0.0.1]",
    ":443@",
    "apizee.com",
]


@st.composite
def _tricky_urls(draw):
    tricks = draw(st.sets(st.sampled_from([*_PIECES, "host", "junk"]), max_size=2))
    piece = {
        name: draw(st.sampled_from(tricky)) if name in tricks else valid
        for name, (valid, tricky) in _PIECES.items()
    }
    labels = draw(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=3))
    host = ".".join(labels) + piece["suffix"]
    if "host" in tricks:  # the server's host, or a loopback one
        host = draw(st.sampled_from(_HOSTS))
    if "junk" in tricks:  # one character or string inserted anywhere in the host
        at = draw(st.integers(0, len(host)))
        host = host[:at] + draw(st.sampled_from(_JUNK)) + host[at:]
    return (
        f"{piece['scheme']}{piece['slashes']}{piece['userinfo']}{host}"
        f"{piece['port']}{piece['path']}"
    )


def _check_accepted(test, server_url, url):
    """Assert what a URL accepted for ``server_url`` must be: read alike by every
    parser, and on an allowed host."""
    parts = allowed_download(server_url, url)
    if not parts:
        return False
    expected = (parts.scheme, parts.host, parts.port)
    for reading in _readings(url):
        scheme, host, port = reading
        test.assertEqual((scheme, apizee_urls._host_key(host), port), expected, url)
    server = read_download_url(server_url)
    test.assertTrue(
        parts.host.endswith(MEDIA_HOST_SUFFIXES)
        or parts.host == server.host
        or {parts.host, server.host} <= set(LOOPBACK_HOSTS),
        url,
    )
    test.assertTrue(parts.scheme == "https" or parts.host in LOOPBACK_HOSTS)
    return True


@tagged("post_install", "-at_install")
class TestSecurityUrls(TransactionCase):
    """Media download addresses: the host checked is the host connected to."""

    def _client_verdict(self, server_url, url, resolve=False):
        try:
            self.env["apizee.client"]._check_download_url(
                server_url, url, resolve=resolve
            )
        except ApizeeError as error:
            self.assertEqual(error.kind, "refused", url)
            return False
        return True

    def test_audit_vector(self):
        """The audit's URL: urlsplit reads a host under apizee.com, the HTTP library
        connects to 127.0.0.1. Refused by the pure check and by the client."""
        self.assertEqual(urlsplit(AUDIT_VECTOR).hostname, "127.0.0.1\\.apizee.com")
        self.assertEqual(parse_url(AUDIT_VECTOR).host, "127.0.0.1")
        self.assertIsNone(read_download_url(AUDIT_VECTOR))
        self.assertIsNone(allowed_download(SERVER, AUDIT_VECTOR))
        self.assertFalse(apizee_urls.is_download_url(AUDIT_VECTOR))
        client = self.env["apizee.client"]
        with self.assertRaises(ApizeeError) as caught:
            client._check_download_url(SERVER, AUDIT_VECTOR)
        self.assertEqual(caught.exception.kind, "refused")
        # and the download itself stops before any connection
        with (
            patch("requests.request", side_effect=AssertionError("sent")) as send,
            self.assertRaises(ApizeeError) as caught,
        ):
            client._download(SERVER, AUDIT_VECTOR)
        self.assertEqual(caught.exception.kind, "refused")
        send.assert_not_called()

    def test_table_sizes(self):
        self.assertGreaterEqual(len(DOWNLOAD_TABLE) + len(STANDIN_TABLE), 30)
        self.assertEqual(len({url for url, _ok in DOWNLOAD_TABLE}), len(DOWNLOAD_TABLE))

    def test_download_table(self):
        for server_url, table in ((SERVER, DOWNLOAD_TABLE), (STANDIN, STANDIN_TABLE)):
            for url, allowed in table:
                with self.subTest(server=server_url, url=url):
                    absolute = _absolute(server_url, url)
                    parts = allowed_download(server_url, absolute)
                    self.assertEqual(bool(parts), allowed)
                    self.assertEqual(self._client_verdict(server_url, url), allowed)
                    with _resolving(_public_resolver):
                        self.assertEqual(
                            self._client_verdict(server_url, url, resolve=True),
                            allowed,
                        )
                    if allowed:
                        self.assertTrue(_check_accepted(self, server_url, absolute))

    def test_refused_detail_is_printable(self):
        client = self.env["apizee.client"]
        for url in (
            "https://[::1/a",
            "https://a\x00\x1b[31m.example/x",
            "https://" + "x" * 500 + "/a",
            None,
            42,
        ):
            with self.subTest(url=url), self.assertRaises(ApizeeError) as caught:
                client._check_download_url(SERVER, url)
            self.assertEqual(caught.exception.kind, "refused")
            message = caught.exception.args[0]
            self.assertTrue(message.isprintable(), repr(message))
            self.assertLess(len(message), 300)

    def test_is_download_url_kept(self):
        """The pure check's answers for good URLs are unchanged."""
        for url in (
            "https://cdn.apizee.com/m/1.jpg?sig=x",
            "http://127.0.0.1:8/f",
            "http://localhost:8765/media-files/1",
            "http://[::1]:8765/f",
            "https://apizee.example.com:8443/tenant/f",
        ):
            with self.subTest(url=url):
                self.assertTrue(apizee_urls.is_download_url(url))

    def test_accepted_urls_are_read_alike(self):
        """Generated URLs: whatever the check accepts, every parser reads the same
        scheme, host and port, on an allowed host; the client agrees with the pure
        check. Many are accepted and many refused, or the property proves little."""
        verdicts = []

        @settings(
            max_examples=800,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(url=_tricky_urls(), server_url=st.sampled_from([SERVER, STANDIN]))
        def check(url, server_url):
            accepted = _check_accepted(self, server_url, url)
            self.assertEqual(self._client_verdict(server_url, url), accepted, url)
            verdicts.append(accepted)

        check()
        self.assertGreater(verdicts.count(True), 100)
        self.assertGreater(verdicts.count(False), 100)

    @settings(max_examples=400, deadline=None, database=None)
    @given(url=st.text(max_size=60))
    def test_any_text_is_read_alike_or_refused(self, url):
        """Random text: never an exception, and what is read is read alike."""
        for candidate in (url, "https://" + url, "https://" + url + ".apizee.com/a"):
            parts = read_download_url(candidate)
            browser_origin(candidate)
            if parts:
                expected = (parts.scheme, parts.host, parts.port)
                for scheme, host, port in _readings(candidate):
                    self.assertEqual(
                        (scheme, apizee_urls._host_key(host), port), expected
                    )
            _check_accepted(self, SERVER, candidate)


@tagged("post_install", "-at_install")
class TestSecurityResolution(TransactionCase):
    """Defence in depth: the addresses a media host resolves to."""

    URL = "https://media.apizee.com/a.png"

    def _check(self, server_url, url, addresses):
        def answers(host):
            if isinstance(addresses, Exception):
                raise addresses
            return addresses

        with _resolving(answers):
            self.env["apizee.client"]._check_download_url(server_url, url, resolve=True)

    @mute_logger(CLIENT_LOGGER)
    def test_addresses(self):
        table = [
            ([PUBLIC_ADDRESS], True),
            (["2606:2800:220:1:248:1893:25c8:1946"], True),
            ([PUBLIC_ADDRESS, "2606:2800:220:1:248:1893:25c8:1946"], True),
            (["127.0.0.1"], False),
            (["127.8.9.10"], False),
            (["10.0.0.5"], False),
            (["172.16.0.1"], False),
            (["192.168.1.1"], False),
            (["169.254.169.254"], False),  # cloud metadata
            (["100.64.0.1"], False),  # shared address space
            (["0.0.0.0"], False),
            (["224.0.0.1"], False),
            (["240.0.0.1"], False),
            (["255.255.255.255"], False),
            (["::1"], False),
            (["::"], False),
            (["fe80::1"], False),
            (["fe80::1%2"], False),
            (["fc00::1"], False),
            (["ff02::1"], False),
            (["::ffff:127.0.0.1"], False),
            (["::ffff:10.0.0.1"], False),
            (["2002:7f00:1::"], False),  # 6to4 of 127.0.0.1
            (["64:ff9b::a00:1"], False),  # NAT64 of 10.0.0.1
            ([PUBLIC_ADDRESS, "10.0.0.1"], False),  # one bad address is enough
            (["not an address"], False),
            ([], False),
        ]
        for addresses, allowed in table:
            with self.subTest(addresses=addresses):
                self.assertEqual(
                    all(is_public_address(a) for a in addresses) and bool(addresses),
                    allowed,
                )
                if allowed:
                    self._check(SERVER, self.URL, addresses)
                    continue
                with self.assertRaises(ApizeeError) as caught:
                    self._check(SERVER, self.URL, addresses)
                self.assertEqual(caught.exception.kind, "refused")

    def test_unresolved_host_is_unreachable(self):
        for error in (socket.gaierror(-2, "Name or service not known"), OSError()):
            with (
                self.subTest(error=error),
                self.assertLogs(CLIENT_LOGGER, "WARNING") as logs,
                self.assertRaises(ApizeeError) as caught,
            ):
                self._check(SERVER, self.URL, error)
            self.assertEqual(caught.exception.kind, "unreachable")
            self.assertIn("'media.apizee.com' does not resolve", logs.output[0])
            self.assertIn("https://media.apizee.com", caught.exception.args[0])

    @mute_logger(CLIENT_LOGGER)
    def test_loopback_exception(self):
        """A stand-in server on loopback: loopback names may be loopback, and only
        loopback; Apizee's media hosts still must be public."""
        self._check(STANDIN, "http://localhost:9000/x", ["127.0.0.1", "::1"])
        self._check(STANDIN, "/media-files/1", ["127.0.0.1"])
        for url, addresses in (
            ("http://localhost:9000/x", ["10.0.0.1"]),
            ("http://localhost:9000/x", ["127.0.0.1", PUBLIC_ADDRESS]),
            ("https://media.apizee.com/a", ["127.0.0.1"]),
        ):
            with self.subTest(url=url, addresses=addresses):
                with self.assertRaises(ApizeeError) as caught:
                    self._check(STANDIN, url, addresses)
                self.assertEqual(caught.exception.kind, "refused")
        # not on loopback: no exception for loopback names (refused before resolution)
        with self.assertRaises(ApizeeError):
            self._check(SERVER, "https://localhost/x", ["127.0.0.1"])

    @mute_logger(CLIENT_LOGGER)
    def test_download_resolves_before_connecting(self):
        """A media host resolving to an internal address: no request is sent."""
        client = self.env["apizee.client"]
        with (
            _resolving(lambda host: ["10.1.2.3"]),
            patch("requests.request", side_effect=AssertionError("sent")) as send,
            self.assertRaises(ApizeeError) as caught,
        ):
            client._download(SERVER, self.URL)
        self.assertEqual(caught.exception.kind, "refused")
        send.assert_not_called()


@tagged("post_install", "-at_install")
class TestSecurityServerUrl(BaseCase):
    """Server URLs typed by an administrator: the same characters are refused."""

    def test_refused(self):
        for url in (
            "https://cloud.apizee.com\\@evil.example",
            "https://127.0.0.1\\.apizee.com",
            "https://cloud.apizee.com/a\\b",
            "https://cloud\t.apizee.com",
            "https://cloud.apizee.com /x",
            "https://cloud.apizee.com\x00",
            "https://cloud.apizee.com\u200b",
            "https://bücher.example",
            "https://cloud．apizee．com",
            "https://cloud%2eapizee.com",
            "https://%63loud.apizee.com",
            "https://[::1%25lo]",
            "http://127.0.0.1\\.apizee.com:8765",
        ):
            with self.subTest(url=url), self.assertRaises(ServerUrlError) as caught:
                normalize_server_url(url)
            self.assertEqual(caught.exception.code, "host")

    def test_kept(self):
        cases = {
            "https://xn--bcher-kva.example/tenant": "https://xn--bcher-kva.example/tenant",
            "https://cloud.apizee.com/a%20b": "https://cloud.apizee.com/a%20b",
            "\thttps://cloud.apizee.com/\n": "https://cloud.apizee.com",
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(normalize_server_url(url), expected)


# URL -> the origin Chromium 156 gives it (``new URL(url).origin``; checked in headless
# Chromium): "" where it gives none (it throws, or an opaque origin).
BROWSER_ORIGINS = {
    "https://app.apizee.com/agent/": "https://app.apizee.com",
    "https://App.Apizee.com:443/agent/": "https://app.apizee.com",
    "HTTPS://EXAMPLE.COM:08080": "https://example.com:8080",
    "https://h:8443/": "https://h:8443",
    "http://127.0.0.1:80/": "http://127.0.0.1",
    "http://127.0.0.1:8765/agent/": "http://127.0.0.1:8765",
    "https://bücher.example/": "https://xn--bcher-kva.example",
    "https://BÜCHER.example:443/agent/": "https://xn--bcher-kva.example",
    "https://xn--bcher-kva.example/": "https://xn--bcher-kva.example",
    "https://%62%c3%bccher.example/": "https://xn--bcher-kva.example",
    "https://faß.de/": "https://xn--fa-hia.de",
    "https://👍.example/": "https://xn--yp8h.example",
    "https://app．apizee。com/": "https://app.apizee.com",
    "https:/\\app.apizee.com\\x": "https://app.apizee.com",
    "https:app.apizee.com/x": "https://app.apizee.com",
    "  https://x.com\t/": "https://x.com",
    "https://u:p@h.com:0443/": "https://h.com",
    "https://a.apizee.com:/x": "https://a.apizee.com",
    "https://a.b./": "https://a.b.",
    "http://0x7f.1/": "http://127.0.0.1",
    "http://2130706433/": "http://127.0.0.1",
    "https://0177.0.0.1/": "https://127.0.0.1",
    "https://0x7f000001/": "https://127.0.0.1",
    "https://127.0.0.1.:443/": "https://127.0.0.1",
    "https://[0:0::1]:443/": "https://[::1]",
    "https://[::1]:8/": "https://[::1]:8",
    "http://[::1]:80/": "http://[::1]",
    "https://[::ffff:127.0.0.1]/": "https://[::ffff:7f00:1]",
    "https://[1:0:0:2:0:0:0:3]/": "https://[1:0:0:2::3]",
    "wss://h:443/": "wss://h",
    "https://h:99999/": "",
    "http://1.2.3.4.5/": "",
    "file:///etc/passwd": "",
    "data:text/html,hi": "",
    "javascript:alert(1)": "",
    "": "",
}


@tagged("post_install", "-at_install")
class TestSecurityBrowserOrigin(ApizeeCommon):
    """The video panel's expected origin is the browser's ``event.origin``."""

    def test_browser_origin_table(self):
        for url, expected in BROWSER_ORIGINS.items():
            with self.subTest(url=url):
                self.assertEqual(browser_origin(url), expected)

    def test_panel_origin_with_default_port(self):
        """An agent app URL with ``:443`` (kept by the settings): the origin is the
        browser's, and the URL has that origin."""
        self.company.apizee_company_key = "ik-1234"
        self.company.apizee_agent_app_url = "https://App.Apizee.com:443/agent/"
        action = self.ticket.with_user(self.agent).action_apizee_agent_panel()
        params = action["params"]
        self.assertTrue(params["url"].startswith("https://app.apizee.com:443/agent/?"))
        self.assertEqual(params["origin"], "https://app.apizee.com")
        self.assertEqual(browser_origin(params["url"]), params["origin"])

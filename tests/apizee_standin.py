# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A stand-in Apizee server for tests, benchmarks and demos (standard library only).

It follows Apizee's public documentation: password grant with expiry ("Authentication",
https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/authentication),
``/api/v2/users/me`` ("3rd-party software integration",
https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/3rd-party-software-integration),
video-assistance tickets, create and get ("Ticket management",
https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/ticket-management),
the 10-requests-per-minute-per-user limit with HTTP 429, ``X-RateLimit-Reset`` and an
``{"error": …}`` body ("Rate Limits",
https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/rate-limits),
and the other errors as ``{"code", "message", "details"}`` (not confirmed in a public
page [guess]). Switches make the next requests fail in every way the client must map,
and every request is recorded so that tests can assert what was sent.

It is NOT Apizee: names of fields Apizee does not publish (the room URLs) are our
guesses.

In tests::

    server = ApizeeStandIn().start()      # http://127.0.0.1:<free port>
    server.add_user("agent@example.com", "secret")
    ...
    server.stop()

As a program (``dev/run --standin``)::

    python tests/apizee_standin.py --port 8765 --user demo@example.com:demo
"""

import argparse
import html
import itertools
import json
import os
import secrets
import struct
import sys
import threading
import time
import urllib.request
import zlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

RATE_LIMIT = 10  # requests per minute and user, all endpoints together ("Rate Limits")
TOKEN_LIFETIME = 86400  # seconds ("Authentication": "expires_in": 86400)
LIVE_STATES = ("new", "open", "invited", "inprogress")

#: ``ApizeeStandIn.expires_in``: token answers without ``expires_in``.
MISSING = object()

#: Failures a test can ask for with ``fail_next(kind)``.
FAILURES = (
    "401",  # credentials or token refused, JSON {"code", "message", "details"}
    "403",
    "404",
    "429",  # rate limited, {"error": ...} + X-RateLimit-Reset
    "500",
    "502_html",  # an HTML page from a proxy
    "malformed",  # 200 with a body that is not JSON
    "slow",  # answers after `slow_seconds` (longer than the client's read timeout)
    "reset",  # closes the connection without answering
)


class ApizeeStandIn:
    """The server and its state; thread-safe."""

    def __init__(self, host="127.0.0.1", port=0, token_lifetime=TOKEN_LIFETIME):
        self.host = host
        self.port = port
        self.token_lifetime = token_lifetime
        self.slow_seconds = 3.0
        self.url_style = "agentUrl"  # how room URLs are named in answers (a guess)
        self.users = {}  # username -> password
        self.tokens = {}  # access token -> (username, expires at)
        self.tickets = {}  # id -> ticket dict
        self.medias = {}  # id -> (media dict, content bytes)
        self.requests = []  # every request, in order (see `_record`)
        self.failures = []  # kinds of the next failures, in order
        self.calls = {}  # username -> list of request times (rate limit)
        # Users whose tokens may not create sessions (403): rights Apizee does not
        # document
        self.no_session_rights = set()
        self.latency = 0.0  # added to every answer (benchmarks)
        # A hostile or broken Apizee: what token answers say in `expires_in` when set
        # (the token itself lives `token_lifetime`); `MISSING` leaves the key out
        self.expires_in = None
        # Demo only (`dev/run --standin`): where to send webhooks of each new ticket
        self.webhook_url = None
        self.webhook_secret = None
        # extra headers of each delivery: a dict, or a callable answering one
        self.webhook_headers = None
        self.webhook_header = "X-Apizee-Webhook-Secret"
        self.webhook_pause = 2.0  # seconds between two deliveries of the demo
        self._players = []  # the threads playing sessions as webhooks
        # ids keep growing across runs, as Apizee's do (a demo database keeps them)
        self._ids = itertools.count(int(time.time() * 10) % 10**9)
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    # -- control ---------------------------------------------------------------------
    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        handler = type("Handler", (_Handler,), {"standin": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def add_user(self, username, password):
        self.users[username] = password

    def add_media(self, media_id, content, mimetype="image/jpeg", ticket_id=None):
        """A picture or recording of a session, served to authenticated users at
        ``/media-files/<id>``; returns its description (as ``/api/v3/medias/<id>``)."""
        media = {
            "id": media_id,
            "ticketId": ticket_id,
            "mimeType": mimetype,
            "size": len(content),
            "url": f"{self.url}/media-files/{media_id}",
        }
        with self._lock:
            self.medias[str(media_id)] = (media, content)
        return media

    def fail_next(self, kind, count=1):
        assert kind in FAILURES, kind
        with self._lock:
            self.failures.extend([kind] * count)

    def reset(self):
        with self._lock:
            self.tokens.clear()
            self.tickets.clear()
            self.medias.clear()
            self.requests.clear()
            self.failures.clear()
            self.calls.clear()
            self.no_session_rights.clear()
            self.latency = 0.0
            self.expires_in = None
            self.slow_seconds = 3.0
            self.url_style = "agentUrl"

    def wait_webhooks(self, timeout=60):
        """Wait until every session played as webhooks was delivered (each delivery
        waits for its answer); True when none is left playing."""
        deadline = time.monotonic() + timeout
        for player in list(self._players):
            player.join(max(0, deadline - time.monotonic()))
        self._players = [player for player in self._players if player.is_alive()]
        return not self._players

    def requests_to(self, path_prefix, method=None):
        return [
            r
            for r in self.requests
            if r["path"].startswith(path_prefix) and method in (None, r["method"])
        ]

    # -- behaviour -------------------------------------------------------------------
    def handle(self, method, path, query, headers, body):
        """Return ``(status, headers, body)`` for one request; see the module doc."""
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure:
            return failure
        user = self._authenticated_user(headers)
        limited = self._rate_limited(user or query.get("username"))
        if limited:
            return limited
        if method == "GET" and path.startswith("/media-host/"):
            # As Apizee's media hosts: a file behind a signed link, no token [guess]
            media = self.medias.get(path.rsplit("/", 1)[-1])
            if not media:
                return _error(404, "Media not found")
            return 200, {"Content-Type": media[0]["mimeType"]}, media[1]
        if method == "POST" and path == "/api/v3/token":
            return self._token(query)
        if method == "POST" and path == "/api/v3/token/revoke":
            return self._revoke(headers)
        if user is None:
            return _error(401, "Invalid or expired token")
        if method == "GET" and path == "/api/v2/users/me":
            return self._me(user)
        if method == "POST" and path == "/api/v3/tickets":
            if user in self.no_session_rights:
                return _error(403, "This user may not create tickets")
            return self._create_ticket(user, query)
        if method == "GET" and path.startswith(("/api/v3/medias/", "/media-files/")):
            media = self.medias.get(path.rsplit("/", 1)[-1])
            if not media:
                return _error(404, "Media not found")
            if path.startswith("/api/"):
                return 200, {}, media[0]
            return 200, {"Content-Type": media[0]["mimeType"]}, media[1]
        if method == "GET" and path.startswith("/api/v3/tickets/"):
            ticket = self.tickets.get(path.rsplit("/", 1)[-1])
            if not ticket:
                return _error(404, "Ticket not found")
            return 200, {}, ticket
        return _error(404, "Not found")

    def _authenticated_user(self, headers):
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        username, expires = self.tokens.get(auth[7:], (None, 0))
        return username if expires > time.time() else None

    def _rate_limited(self, username):
        if not username:
            return None
        now = time.time()
        with self._lock:
            recent = [t for t in self.calls.get(username, []) if now - t < 60]
            if len(recent) >= RATE_LIMIT:
                reset = int(60 - (now - recent[0])) + 1
                self.calls[username] = recent
                return (
                    429,
                    {"X-RateLimit-Reset": str(reset)},
                    {"error": "Too many requests"},
                )
            recent.append(now)
            self.calls[username] = recent
        return None

    def _token(self, query):
        if query.get("grant_type") != "password":
            return _error(400, "Unsupported grant type", "grant_type")
        username, password = query.get("username"), query.get("password")
        if not username or self.users.get(username) != password:
            return _error(401, "Invalid credentials", "username or password")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = (username, time.time() + self.token_lifetime)
        answer = {
            "access_token": token,
            "created_at": _iso(datetime.now(timezone.utc)),
            "expires_in": self.token_lifetime,
        }
        if self.expires_in is MISSING:
            del answer["expires_in"]
        elif self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        return 200, {}, answer

    def _revoke(self, headers):
        with self._lock:
            self.tokens.pop(headers.get("Authorization", "")[7:], None)
        return 200, {}, {}

    def _me(self, username):
        return (
            200,
            {},
            {
                "userId": abs(hash(username)) % 100000,
                "apiKey": "standin-api-key",
                "nickname": username.split("@")[0],
                "token": secrets.token_urlsafe(16),
                "photo_url": "",
                "mail": username,
                "enterpriseId": 1,
            },
        )

    def _create_ticket(self, username, query):
        if not query.get("phone") and not query.get("email"):
            return _error(400, "phone or email is required", "phone, email")
        ticket_id = next(self._ids)
        now = datetime.now(timezone.utc)
        duration = int(query.get("duration") or 30)
        ticket = {
            "id": ticket_id,
            "state": "invited" if query.get("invite") == "1" else "new",
            "reference": query.get("reference", ""),
            "agent": query.get("agent") or username,
            "phone": query.get("phone", ""),
            "email": query.get("email", ""),
            "service": query.get("service", ""),
            "name": query.get("name", ""),
            "language": query.get("language", ""),
            "created": _iso(now),
            "modified": _iso(now),
            "start_time": _iso(now),
            "end_time": _iso(now + timedelta(minutes=duration)),
        }
        agent_url = f"{self.url}/agent/room/{ticket_id}"
        guest_url = f"{self.url}/guest/{ticket_id}"
        if self.url_style == "agentUrl":
            ticket.update(agentUrl=agent_url, guestUrl=guest_url)
        elif self.url_style == "links":
            ticket["links"] = {"agent": agent_url, "guest": guest_url}
        # url_style "none": no room URL at all
        self.tickets[str(ticket_id)] = ticket
        if self.webhook_url:
            invited = str(query.get("invite", "")) == "1"
            player = threading.Thread(
                target=self._play_session, args=(dict(ticket), invited), daemon=True
            )
            self._players = [p for p in self._players if p.is_alive()] + [player]
            player.start()
        return 201, {}, ticket

    # -- demo webhooks -----------------------------------------------------------------
    def _play_session(self, ticket, invited=True):
        """Play a whole video session of ``ticket`` as webhook deliveries ("Webhooks",
        https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/webhooks),
        a few seconds apart: invitation (when one was sent), consent, session, a
        picture, the end."""
        ticket_id = ticket["id"]
        picture = next(self._ids)
        self.add_media(picture, _DEMO_PICTURE, "image/png", ticket_id)
        steps = [
            ("conversationevent", "ticket.invitationSent", "system", None),
            ("conversationevent", "ticket.invitationClicked", "guest", None),
            ("conversationevent", "consent.accepted", "guest", None),
            ("ticket", "inprogress", None, None),
            ("conversationevent", "ticket.sessionStarted", "system", None),
            ("conversationevent", "media.pictureTaken", "agent", None),
            ("media", None, None, picture),
            ("conversationevent", "session.userLeft", "guest", None),
            ("ticket", "done", None, None),
            ("conversationevent", "ticket.completed", "system", None),
        ]
        if not invited:
            steps = steps[2:]  # the customer came by the link another way
        for obj, what, source, media_id in steps:
            time.sleep(self.webhook_pause)
            now = int(time.time())
            if obj == "ticket":
                ticket["state"] = what
                payload = {"event": "update", "objectId": ticket_id, "props": ticket}
            elif obj == "media":
                media = self.medias[str(media_id)][0]
                payload = {"event": "create", "objectId": media_id, "props": media}
            else:
                props = {
                    "id": next(self._ids),
                    "eventName": what,
                    "timestamp": now * 1000,
                    "source": source,
                    "ticketId": ticket_id,
                }
                payload = {"event": "create", "objectId": props["id"], "props": props}
            payload.update(object=obj, time=now)
            self._deliver(payload)

    def _extra_webhook_headers(self):
        headers = self.webhook_headers
        return (headers() if callable(headers) else headers) or {}

    def _deliver(self, payload):
        request = urllib.request.Request(
            self.webhook_url,
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Cloud Apizee",
                self.webhook_header: self.webhook_secret or "",
                **self._extra_webhook_headers(),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (OSError, ValueError) as error:
            sys.stderr.write(f"webhook delivery failed: {error}\n")


def _iso(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _error(status, message, details=""):
    return status, {}, {"code": status, "message": message, "details": details}


class _Handler(BaseHTTPRequestHandler):
    standin = None  # set by ApizeeStandIn.start
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: tests read `standin.requests`
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method):
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.standin
        server.requests.append(
            {
                "method": method,
                "path": parts.path,
                "query": query,
                "headers": dict(self.headers.items()),
                # the Apizee user of the bearer token, if any
                "user": server._authenticated_user(self.headers),
                "time": time.time(),
            }
        )
        if (
            parts.path.startswith("/agent/room/")
            or parts.path.startswith("/guest/")
            or parts.path == "/agent/"  # the agent app of the video panel
        ):
            return self._send(200, {"Content-Type": "text/html"}, _ROOM_PAGE)
        if parts.path == "/agent/loaderAgent.js":
            return self._send(
                200, {"Content-Type": "application/javascript"}, _LOADER_AGENT
            )
        if parts.path == "/quick-invitation":
            return self._send(
                200, {"Content-Type": "text/html"}, _invitation_page(query)
            )
        result = server.handle(method, parts.path, query, self.headers, body)
        if server.latency:
            time.sleep(server.latency)
        if result == "reset":
            self.close_connection = True
            self.connection.close()
            return
        if result == "slow":
            time.sleep(server.slow_seconds)
            result = (200, {}, {})
        if result == "malformed":
            return self._send(200, {"Content-Type": "application/json"}, b"{not json")
        if result == "502_html":
            return self._send(
                502, {"Content-Type": "text/html"}, b"<html><h1>Bad gateway</h1></html>"
            )
        if isinstance(result, str):  # "401", "403", "404", "429", "500"
            status = int(result)
            if status == 429:
                result = (
                    429,
                    {"X-RateLimit-Reset": "42"},
                    {"error": "Too many requests"},
                )
            else:
                result = _error(status, f"Stand-in failure {status}", "injected")
        status, headers, payload = result
        if isinstance(payload, bytes):  # a media file
            return self._send(status, headers, payload)
        self._send(
            status,
            {"Content-Type": "application/json", **headers},
            json.dumps(payload).encode(),
        )

    def _send(self, status, headers, body):
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test)


def _png(width=160, height=120):
    """A small PNG picture (a gradient), standing in for a snapshot of the guest's
    video."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00"
        + bytes(
            v for x in range(width) for v in (x * 255 // width, y * 255 // height, 160)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_DEMO_PICTURE = _png()

_ROOM_PAGE = (
    b"<!DOCTYPE html><html><head><title>Apizee stand-in room</title></head>"
    b"<body style='font-family:sans-serif'><h1>Apizee stand-in</h1>"
    b"<p>This page stands in for Apizee's video room: the real one opens on your "
    b"Apizee server.</p></body></html>"
)


# A stand-in for Apizee's loaderAgent.js: records its arguments in
# `window.apizeeStandInCalls`, shows a small box, and fires a few of the events listed
# in "Agent Event Callback" ("3rd-party software integration", loaderAgent module).
_LOADER_AGENT = b"""
window.loadAgent = function (server, apiKey, userInfos, callback, useFrame, params) {
    window.apizeeStandInCalls = (window.apizeeStandInCalls || []).concat([
        {server, apiKey, userInfos, useFrame, params},
    ]);
    const box = document.createElement("div");
    box.className = "o_apizee_standin_popin";
    box.textContent = "Apizee stand-in pop-in (" + userInfos.nickname + ")";
    // Under Odoo's dialogs (z-index 1050 and up): never over their buttons
    box.style.cssText = "position:fixed;bottom:8px;left:8px;padding:4px 8px;" +
        "font-size:12px;background:#fff;border:1px solid #888;z-index:1000";
    document.body.appendChild(box);
    setTimeout(function () {
        callback({type: "init"});
        callback("updatePresence", {eventType: "presence", time: "",
            connectedUsersList: ["guest-1", "guest-2"], state: "online"});
        callback("createNewIMDiv", {destId: 7, nickname: "Guest"});
        callback("minimize", 7);
        // The demo message once per browser session, not on every page load
        if (!window.sessionStorage.getItem("apizeeStandInGreeted")) {
            window.sessionStorage.setItem("apizeeStandInGreeted", "1");
            callback("showNewMessage", {nickname: "Guest", destId: 7,
                message: "Hello from the stand-in", html: "<b>Hello</b>"});
        }
    }, 50);
};
"""


def _invitation_page(query):
    """What Apizee's quick-invitation form would be prefilled with."""
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
        for name, value in query.items()
    )
    return (
        "<!DOCTYPE html><html><head><title>Apizee stand-in invitation</title></head>"
        "<body style='font-family:sans-serif'><h1>Quick invitation (stand-in)</h1>"
        "<p>Apizee's real form opens on your Apizee server, prefilled with:</p>"
        f"<table border='1' cellpadding='4'>{rows}</table></body></html>"
    ).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        help="USERNAME:PASSWORD of an Apizee user (repeatable)",
    )
    parser.add_argument(
        "--webhook",
        metavar="URL",
        help="play each new ticket's session as webhook deliveries sent to URL",
    )
    # The secret comes from the environment: a command line is visible to every user
    parser.add_argument(
        "--webhook-secret-env",
        default="APIZEE_STANDIN_WEBHOOK_SECRET",
        metavar="VAR",
        help="environment variable holding the secret header's value",
    )
    args = parser.parse_args()
    server = ApizeeStandIn(args.host, args.port)
    server.webhook_url = args.webhook
    server.webhook_secret = os.environ.get(args.webhook_secret_env, "")
    for spec in args.user:
        username, _sep, password = spec.partition(":")
        server.add_user(username, password)
    server.start()
    sys.stdout.write(f"Apizee stand-in listening on {server.url}\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()

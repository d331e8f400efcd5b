# Copyright 2026 helpdesk_apizee authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Constants of the Apizee integration, each with where its value comes from.

The references point at the Apizee notes the module was written from
(``shared/apizee-api.md`` in the project, itself from Apizee's public documentation).
"""

# §1 "Hosts": the SaaS portal. Customers on another host (staging, dedicated instance)
# set their own in Settings; https only.
DEFAULT_SERVER_URL = "https://cloud.apizee.com"

# §2 "Quick invitation page": path of the form, relative to the server URL.
QUICK_INVITATION_PATH = "/quick-invitation"

# §2: "reference: string, max 50 chars"; Apizee truncates longer ones, we do it
# ourselves so that the agent sees exactly what Apizee will show.
REFERENCE_MAX_LENGTH = 50

# §2: "service_key: 32 alphanumeric chars".
SERVICE_KEY_PATTERN = r"^[A-Za-z0-9]{32}$"
SERVICE_KEY_LENGTH = 32

# §2: names of the query parameters of the quick-invitation page.
PARAM_REFERENCE = "reference"
PARAM_SERVICE_KEY = "service_key"
PARAM_PHONE_NUMBERS = "phone_numbers"
PARAM_EMAIL_ADDRESSES = "email_addresses"
PARAM_READ_ONLY_SERVICE = "read_only.service"
PARAM_READ_ONLY_RECIPIENTS = "read_only.recipients"

# §5 and the seed page: the kinds of Apizee services ("reference" is only shown
# by Apizee for video-assistance services).
SERVICE_TYPES = [
    ("video_assistance", "Video assistance"),
    ("video_meeting", "Video meeting"),
]

# Where the invitation form opens: the seed's "from a new tab" and "from an iframe".
INVITATION_MODES = [
    ("new_tab", "New browser tab"),
    ("dialog", "Inside Odoo (dialog)"),
]
DEFAULT_INVITATION_MODE = "new_tab"

# §6: what an iframe showing Apizee must allow (camera, microphone, screen, clipboard).
IFRAME_ALLOW = (
    "autoplay; microphone; camera; display-capture; encrypted-media; clipboard-write"
)

# Separators an agent may use between recipients in the wizard; Apizee takes commas.
RECIPIENT_SEPARATORS = r"[,;\n\r]+"

# -- REST API (the rooms issue) ------------------------------------------------------

# §1: a stand-in Apizee server on the loopback interface may be reached over plain http
# (tests, benchmarks, the demo); every other server must be https.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# §3: token grant; §4: current user; §5: video-assistance sessions.
TOKEN_PATH = "/api/v3/token"
USERS_ME_PATH = "/api/v2/users/me"
TICKETS_PATH = "/api/v3/tickets"

# Our own choice: how long a call may take. Apizee documents no figure.
CONNECT_TIMEOUT = 5  # seconds to open the connection
READ_TIMEOUT = 15  # seconds to wait for the answer

# Retries only where safe (the rooms issue): token requests and GETs, on connection
# errors and 5xx answers, with a short growing pause.
RETRY_ATTEMPTS = 2  # attempts in all, the first one included
RETRY_BACKOFF = 0.5  # seconds before the second attempt (doubled after)

# §3: "tokens live 24 h"; renewed when less than this remains, so that a token never
# expires in the middle of a call.
TOKEN_LIFETIME_DEFAULT = 86400
TOKEN_RENEW_MARGIN = 300  # seconds

# §9: "10 requests per minute per user, all endpoints together". The client keeps
# under it itself, so that agents never see Apizee's 429.
RATE_LIMIT_CALLS = 10
RATE_LIMIT_WINDOW = 60  # seconds

# §5: the states of an Apizee video-assistance session ("ticket" on Apizee's side).
SESSION_STATES = [
    ("new", "New"),
    ("open", "Open"),
    ("invited", "Invited"),
    ("inprogress", "In progress"),
    ("done", "Done"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
    ("declined", "Declined"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]
SESSION_LIVE_STATES = ("new", "open", "invited", "inprogress")
# A live session is read back from Apizee before it is reused when its last reading is
# older than this (seconds): Apizee may have ended it meanwhile.
SESSION_REFRESH_AFTER = 120
# Webhooks also say "opened" and "updated" (§5); read as these states.
SESSION_STATE_ALIASES = {"opened": "open", "updated": None}

# §5: the names of the room URLs in Apizee's answer are not public [guess]: every name
# we accept, in order of preference; a tuple is a path into nested objects.
AGENT_URL_KEYS = (
    "agentUrl",
    "agent_url",
    "agentLink",
    "agent_link",
    "urlAgent",
    ("links", "agent"),
    ("urls", "agent"),
)
GUEST_URL_KEYS = (
    "guestUrl",
    "guest_url",
    "guestLink",
    "guest_link",
    "urlGuest",
    ("links", "guest"),
    ("urls", "guest"),
)

# §5: languages Apizee's invitations know; others fall back to English.
SESSION_LANGUAGES = ("fr", "en")
SESSION_LANGUAGE_DEFAULT = "en"

# Sent with every call, so that Apizee can tell our traffic apart.
USER_AGENT = "Odoo-helpdesk_apizee/18.0"

# -- Agent app in the ticket (the pop-in issue) ----------------------------------------

# §6: Apizee's agent app, embeddable in an iframe (a setting: customers may have
# another one).
DEFAULT_AGENT_APP_URL = "https://app.apizee.com/agent/"
# §6: the name under which the agent app ties its interaction to our record (eR).
AGENT_APP_RECORD_NAME = "odooTicket"
# §6: messages the agent app posts to its host that Odoo acts on.
PANEL_NOTE_EVENTS = ("joined", "left", "sms_sent", "sms_fail")
# Our limits for a snapshot posted by the agent app (a picture of the guest's video).
SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024
SNAPSHOT_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}

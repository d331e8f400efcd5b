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
# Our bounds on a granted token's ``expires_in``: an answer below this (or negative)
# would make every call ask a new token; above 24 h is not what Apizee documents.
TOKEN_LIFETIME_MIN = TOKEN_RENEW_MARGIN + 60

# Our choice: an agent whose own Apizee password Apizee refused this many times in a
# row is locked out of token requests for a while, so that guesses cannot spend an
# Apizee account's requests (§9) nor go on unnoticed.
GRANT_FAILURES_MAX = 3
GRANT_LOCKOUT_SECONDS = 600
# Whether agents may set their own Apizee user name in Preferences (a setting; by
# default an administrator sets it, and agents only type their password).
AGENTS_SET_USERNAME_PARAM = "helpdesk_apizee.agents_set_username"

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
# Refresh (the button) does not read a session again within this many seconds of its
# last reading: repeated clicks must not spend the account's 10 requests a minute.
SESSION_REFRESH_MIN = 30
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

# -- Webhooks (the webhooks issue) -----------------------------------------------------

# Our route for Apizee's webhooks (§8: "Configured by the Apizee admin (URL, optional
# custom HTTP headers…)").
WEBHOOK_PATH = "/helpdesk_apizee/webhook"
# §8: "No signature scheme is documented: authenticate with a secret custom header".
# The name is ours; the administrator pastes it with the secret in Apizee's console.
WEBHOOK_SECRET_HEADER = "X-Apizee-Webhook-Secret"
WEBHOOK_SECRET_PARAM = "helpdesk_apizee.webhook_secret"
WEBHOOK_SECRET_BYTES = 32  # of randomness, URL-safe base64 (43 characters)
# Our limit for one delivery's body; a setting. §8 bodies are small JSON objects.
WEBHOOK_MAX_BYTES_PARAM = "helpdesk_apizee.webhook_max_bytes"
WEBHOOK_MAX_BYTES_DEFAULT = 256 * 1024
# §8: "event": create, update or delete.
WEBHOOK_EVENTS = ("create", "update", "delete")
# §8 objects this module acts on; "conversation" and "smsmessage" deliveries are stored
# and marked ignored (nothing of them belongs on the ticket that the session events do
# not already say).
WEBHOOK_OBJECT_TICKET = "ticket"
WEBHOOK_OBJECT_MEDIA = "media"
WEBHOOK_OBJECT_SESSION_EVENT = "conversationevent"
# Processing: events per cron batch (the cron runner commits and calls again while
# some remain), and the time after which a batch stops (a slow media download must not
# hold the queue, nor reach the workers' time limit).
WEBHOOK_BATCH_SIZE = 200
WEBHOOK_BATCH_SECONDS = 20
# Applied and ignored events are deleted after this many days (failed ones are kept).
WEBHOOK_KEEP_DAYS = 90
# Retries of a failing event: pause before attempt 2, 3, …; after the last one the event
# is left "failed" for an administrator (list with the error and a Retry button).
WEBHOOK_RETRY_DELAYS = (60, 300, 900, 3600)  # seconds
# A "ticket" event with one of our references but no known session waits this long
# (seconds after its Apizee time) before creating one: the agent's "Open room" may be
# creating it at that very moment.
WEBHOOK_SESSION_GRACE = 60
# Notes of one session posted within this many minutes are grouped in one chatter
# message (at most WEBHOOK_NOTE_LINES lines), so that a burst stays readable.
WEBHOOK_NOTE_GROUP_MINUTES = 30
WEBHOOK_NOTE_LINES = 30

# §8 session events ("conversationevent"): the session state each one implies.
SESSION_EVENT_STATES = {
    "ticket.invitationSent": "invited",
    "ticket.invitationDeclined": "declined",
    "ticket.invitationExpired": "expired",
    "ticket.sessionStarted": "inprogress",
    "session.established": "inprogress",
    "ticket.completed": "done",
    "ticket.closed": "closed",
    "ticket.cancelled": "cancelled",
}
# When two state changes carry the same Apizee time (one-second precision), the one
# further on in a session's life wins: a late "invited" never overwrites "done".
SESSION_STATE_RANK = {
    "new": 0,
    "open": 1,
    "invited": 2,
    "inprogress": 3,
    "declined": 4,
    "rejected": 4,
    "expired": 4,
    "done": 5,
    "closed": 6,
    "cancelled": 6,
}
# [guess] Where a session event or a media names its Apizee session ("ticket"), in
# order of preference; a tuple is a path into nested objects.
WEBHOOK_SESSION_KEYS = (
    "ticketId",
    "ticket_id",
    ("ticket", "id"),
    "ticket",
    "conversationId",
    "conversation_id",
)
# [guess] Names of a media's fields in §8 "media" events (§5 "list the media").
MEDIA_URL_KEYS = ("url", "downloadUrl", "download_url", "link", ("links", "download"))
MEDIA_TYPE_KEYS = ("mimeType", "mimetype", "contentType", "content_type")
MEDIA_NAME_KEYS = ("name", "filename", "fileName", "title")
MEDIA_SIZE_KEYS = ("size", "fileSize", "file_size")
# §5: "GET /api/v3/medias?conversationId=…" [doc]; one media by id [guess], read when a
# media event carries no download URL.
MEDIAS_PATH = "/api/v3/medias"
# §1: media are served by *.apizee.com; a media URL elsewhere (other than the Apizee
# server itself) is not downloaded: a delivery must not make Odoo fetch internal
# addresses.
MEDIA_HOST_SUFFIXES = (".apizee.com",)
# Our limit for a whole download (the read timeout applies to each chunk).
DOWNLOAD_DEADLINE = 60  # seconds
# Our limits for media saved on tickets (settings): size and types.
MEDIA_MAX_BYTES_PARAM = "helpdesk_apizee.media_max_bytes"
MEDIA_MAX_BYTES_DEFAULT = 25 * 1024 * 1024
MEDIA_TYPES_PARAM = "helpdesk_apizee.media_types"
MEDIA_TYPES_DEFAULT = "image/jpeg,image/png,image/webp,video/mp4,video/webm"
# Attachments of saved media are named with this prefix and the media's id: the same
# media is never saved twice.
MEDIA_ATTACHMENT_PREFIX = "apizee-media-"

# Copyright 2026 helpdesk_apizee authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Constants of the Apizee integration, each with where its value comes from.

Apizee's public documentation, cited below by the title of its page:

- "Quick invitation page":
  https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/quick-invitation-page-reference
- "Authentication":
  https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/authentication
- "Ticket management":
  https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/ticket-management
- "Snapshots and recordings":
  https://apzlab.apizee.com/apizee-docs/visual-engagement-platform/rest-api-webhook-reference/snapshots-and-recordings
- "Apizee REST APIs":
  https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/apizee-api-rest-description
- "Session Events API":
  https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/apizee-api-rest-description/session-events-api
- "3rd-party software integration":
  https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/3rd-party-software-integration
- "IFrame integration reference": https://developer.apizee.com/embed/postmessage-api-reference
- "Webhooks": https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/webhooks
- "Rate Limits":
  https://dev.apirtc.com/apirtc-developer-portal/rest-apis-and-integration/rate-limits

"[guess]" marks what no public page says: our reading, kept in one constant so that it
is easy to change, listed with how to confirm it in ``readme/ROADMAP.md``.
"""

# "Quick invitation page" and "Authentication": Apizee's SaaS server. Customers on
# another host (staging, dedicated instance) set their own in Settings; https only.
DEFAULT_SERVER_URL = "https://cloud.apizee.com"

# "Quick invitation page": path of the form, relative to the server URL.
QUICK_INVITATION_PATH = "/quick-invitation"

# "Quick invitation page": reference, "String (max 50 characters)"; Apizee truncates
# longer ones, we do it ourselves so that the agent sees exactly what Apizee will show.
REFERENCE_MAX_LENGTH = 50

# "Quick invitation page": service_key, "Alphanumeric (32 characters)".
SERVICE_KEY_PATTERN = r"^[A-Za-z0-9]{32}$"
SERVICE_KEY_LENGTH = 32

# "Quick invitation page": names of its query parameters.
PARAM_REFERENCE = "reference"
PARAM_SERVICE_KEY = "service_key"
PARAM_PHONE_NUMBERS = "phone_numbers"
PARAM_EMAIL_ADDRESSES = "email_addresses"
PARAM_READ_ONLY_SERVICE = "read_only.service"
PARAM_READ_ONLY_RECIPIENTS = "read_only.recipients"

# "Apizee REST APIs": the two kinds of Apizee services ("Quick invitation page": the
# reference is only shown for video-assistance services).
SERVICE_TYPES = [
    ("video_assistance", "Video assistance"),
    ("video_meeting", "Video meeting"),
]

# Where the invitation form opens: "3rd-party software integration", "Send invitations
# from a new tab" and "Send invitations from an iframe".
INVITATION_MODES = [
    ("new_tab", "New browser tab"),
    ("dialog", "Inside Odoo (dialog)"),
]
DEFAULT_INVITATION_MODE = "new_tab"

# The agent's ways to a video call, by task (issue "One Video call for the agent"):
# the company's default one is the ticket's "Video call"; the others are in its menu.
#   invite: Apizee sends the customer the link (REST, "Open room and invite")
#   form: Apizee's quick-invitation form, prefilled (the invitation wizard)
#   room: the agent's room of the ticket's session (REST, "Open room")
#   panel: Apizee's agent app inside Odoo (the video panel)
VIDEO_CALL_PATHS = [
    ("invite", "Send the link by SMS/email"),
    ("form", "Open the invitation form"),
    ("panel", "Show the call in Odoo"),
]
VIDEO_CALL_PATH_ALL = ("invite", "form", "room", "panel")
DEFAULT_VIDEO_CALL_PATH = "form"

# What an iframe showing Apizee must allow (camera, microphone, screen, clipboard):
# "3rd-party software integration", "Agent-side video interface as an iframe".
IFRAME_ALLOW = (
    "autoplay; microphone; camera; display-capture; encrypted-media; clipboard-write"
)

# Separators an agent may use between recipients in the wizard; Apizee takes commas.
RECIPIENT_SEPARATORS = r"[,;\n\r]+"

# -- REST API (the rooms issue) ------------------------------------------------------

# Our choice: a stand-in Apizee server on the loopback interface may be reached over
# plain http (tests, benchmarks, the demo); every other server must be https.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# "Authentication": token grant; "3rd-party software integration" (loaderAgent
# module): current user; "Ticket management": video-assistance sessions.
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

# "Authentication": tokens live 24 h ("expires_in": 86400); renewed when less than
# this remains, so that a token never expires in the middle of a call.
TOKEN_LIFETIME_DEFAULT = 86400
TOKEN_RENEW_MARGIN = 300  # seconds
# Our bounds on a granted token's ``expires_in``: an answer below this (or negative)
# would make every call ask a new token; above 24 h is not what Apizee documents.
TOKEN_LIFETIME_MIN = TOKEN_RENEW_MARGIN + 60

# Our choice: an agent whose own Apizee password Apizee refused this many times in a
# row is locked out of token requests for a while, so that guesses cannot spend an
# Apizee account's requests ("Rate Limits") nor go on unnoticed.
GRANT_FAILURES_MAX = 3
GRANT_LOCKOUT_SECONDS = 600
# Whether agents may set their own Apizee user name in Preferences (a setting; by
# default an administrator sets it, and agents only type their password).
AGENTS_SET_USERNAME_PARAM = "helpdesk_apizee.agents_set_username"

# "Rate Limits": 10 requests per minute, per user, across all endpoints. The client
# keeps under it itself, so that agents never see Apizee's 429.
RATE_LIMIT_CALLS = 10
RATE_LIMIT_WINDOW = 60  # seconds
# Our fair share of an Apizee user's window: background work (webhook processing,
# media) never takes the last slots, which are kept for an agent's clicks.
RATE_LIMIT_KEPT_FOR_CLICKS = 3
# Our choice: a click that finds the window full waits this long at most for a slot,
# then says how long to wait (a worker must not sleep longer).
CLICK_WAIT_MAX = 5  # seconds
# Our choice: with a webhook delivery of the company seen this recently, what Odoo
# stores of a session is up to date: reusing a live session reads no state from Apizee.
WEBHOOKS_FRESH_MINUTES = 10

# "Ticket management": the states of an Apizee video-assistance session ("ticket" on
# Apizee's side).
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
# Refresh of many sessions at once: this many are read at the click, the others by the
# background refresh (cron), at most this many per run.
REFRESH_NOW_MAX = 3
REFRESH_BATCH_SIZE = 50
# "Webhooks" also say "opened" and "updated" for a ticket's state; read as these.
SESSION_STATE_ALIASES = {"opened": "open", "updated": None}

# "Ticket management": the created ticket comes with "join links", whose names are not
# documented publicly [guess]: every name we accept, in order of preference; a tuple is
# a path into nested objects.
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

# "Ticket management": "language" sets the invitation's template; which languages it
# knows is not documented publicly [guess]: French and English, as the agent app's "l"
# ("IFrame integration reference"). Others fall back to English.
SESSION_LANGUAGES = ("fr", "en")
SESSION_LANGUAGE_DEFAULT = "en"

# Sent with every call, so that Apizee can tell our traffic apart.
USER_AGENT = "Odoo-helpdesk_apizee/18.0"

# -- Agent app in the ticket (the pop-in issue) ----------------------------------------

# "IFrame integration reference": Apizee's agent app, embeddable in an iframe (a
# setting: customers may have another one).
DEFAULT_AGENT_APP_URL = "https://app.apizee.com/agent/"
# Our name in the agent app's "eR" ("IFrame integration reference": references for
# the interaction creation, [{"name": …, "reference": …}]).
AGENT_APP_RECORD_NAME = "odooTicket"
# Messages the agent app posts to its host that Odoo acts on, besides the documented
# "snapshot" ("IFrame integration reference"): not documented publicly [guess], seen in
# the open-source ancestor of the agent app.
PANEL_NOTE_EVENTS = ("joined", "left", "sms_sent", "sms_fail")
# Our limits for a snapshot posted by the agent app (a picture of the guest's video).
SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024
SNAPSHOT_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}

# -- Webhooks (the webhooks issue) -----------------------------------------------------

# Our route for Apizee's webhooks ("Webhooks": the Apizee admin sets the URL and
# optional custom headers in the ApiRTC console).
WEBHOOK_PATH = "/helpdesk_apizee/webhook"
# "Webhooks" documents no signature, only custom headers: a secret custom header
# authenticates deliveries. The name is ours; the administrator pastes it with the
# secret in Apizee's console.
WEBHOOK_SECRET_HEADER = "X-Apizee-Webhook-Secret"
WEBHOOK_SECRET_PARAM = "helpdesk_apizee.webhook_secret"
WEBHOOK_SECRET_BYTES = 32  # of randomness, URL-safe base64 (43 characters)
# Our limit for one delivery's body; a setting. "Webhooks": bodies are small JSON
# objects.
WEBHOOK_MAX_BYTES_PARAM = "helpdesk_apizee.webhook_max_bytes"
WEBHOOK_MAX_BYTES_DEFAULT = 256 * 1024
# "Webhooks": "event" is create, update or delete.
WEBHOOK_EVENTS = ("create", "update", "delete")
# "Webhooks" objects this module acts on; "conversation" deliveries (and any other
# object) are stored and marked ignored (nothing of them belongs on the ticket that
# the session events do not already say).
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

# "Session Events API" (webhook object "conversationevent"): the session state each
# event implies (our reading of the event names).
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
# Where a session event or a media names its Apizee session ("ticket"): not documented
# publicly [guess]; every name we accept, in order of preference; a tuple is a path
# into nested objects.
WEBHOOK_SESSION_KEYS = (
    "ticketId",
    "ticket_id",
    ("ticket", "id"),
    "ticket",
    "conversationId",
    "conversation_id",
)
# Names of a media's fields in "media" webhook events and in "Snapshots and
# recordings" answers: not documented publicly [guess].
MEDIA_URL_KEYS = ("url", "downloadUrl", "download_url", "link", ("links", "download"))
MEDIA_TYPE_KEYS = ("mimeType", "mimetype", "contentType", "content_type")
MEDIA_NAME_KEYS = ("name", "filename", "fileName", "title")
MEDIA_SIZE_KEYS = ("size", "fileSize", "file_size")
# "Snapshots and recordings": GET /api/v3/medias (filter conversationId); one media by
# id, read when a media event carries no download URL, is documented there too, its
# path /api/v3/medias/<id> is our reading [guess].
MEDIAS_PATH = "/api/v3/medias"
# Apizee's media hosts, *.apizee.com: not documented publicly [guess]. A media URL
# elsewhere (other than the Apizee server itself) is not downloaded: a delivery must
# not make Odoo fetch internal addresses.
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

# The bus notification that a record's video calls changed, with the payload
# ``{"res_model", "res_id"}``: the ticket forms showing it read it again
LIVE_NOTIFICATION = "helpdesk_apizee/calls_changed"

# -- The customer's side (join link, portal, appointments) -----------------------------

# Our route of a ticket's join link: /helpdesk_apizee/join/<ticket id>/<token>. The
# token is random (as the portal's access_token), stored on the ticket, compared in
# constant time; "Reset the join link" makes the old ones stale.
JOIN_PATH = "/helpdesk_apizee/join"
JOIN_TOKEN_BYTES = 24  # of randomness, URL-safe base64 (32 characters)
# Our choice: a join link creates at most one Apizee session per ticket in this many
# seconds (a session that ended at once is not created again and again).
JOIN_CREATE_EVERY = 60
# Our choice: the agents are told again that the customer waits after this many
# seconds only (a customer pressing the button twice makes one note).
JOIN_NOTIFY_EVERY = 60
# The bus notification that a customer is waiting in a record's call, with the payload
# ``{"title", "message", "url", "res_model", "res_id"}``: a sticky notification with
# a "Join" button in the agents' web clients
WAITING_NOTIFICATION = "helpdesk_apizee/customer_waiting"
# Our choices for video appointments: slots offered from this many minutes from now,
# up to this many days ahead, at most this many.
APPOINTMENT_LEAD_MINUTES = 60
APPOINTMENT_DAYS = 14
APPOINTMENT_MAX_SLOTS = 1000
# Our choice: a customer books at most this many coming appointments (all their
# tickets together).
APPOINTMENT_MAX_PER_CUSTOMER = 3
# Our choices for "send me the link" (portal): Apizee texts or emails the customer's
# own contact details, at most once every this many seconds per ticket, and at most
# this many times a day per ticket and per recipient (SMS cost money).
JOIN_INVITE_EVERY = 600
JOIN_INVITES_PER_DAY = 3
APPOINTMENT_DURATION_DEFAULT = 30  # minutes (a team setting)
APPOINTMENT_MISSED_DEFAULT = 15  # minutes (a team setting)

# How a session ended (reporting), from its milestones
SESSION_OUTCOMES = [
    ("live", "Live"),
    ("completed", "Completed"),
    ("no_show", "No show"),
    ("declined", "Declined"),
    ("expired", "Expired"),
    ("failed", "Failed"),
]

# How a session started (reporting): the features that open sessions
SESSION_ORIGINS = [
    ("agent", "Agent"),
    ("agent_invite", "Agent, invitation sent by Apizee"),
    ("apizee", "Apizee's invitation form or video panel"),
    ("customer_link", "Customer's join link"),
    ("portal_invite", "Customer's request from the portal"),
    ("appointment", "Video appointment"),
]
# The messages that count as an agent's reply to the customer (Tickets with Video),
# with the "Discussions" subtype: posted from the chatter, or mailed in
REPLY_MESSAGE_TYPES = ("comment", "email")
# The sessions a customer started (Odoo's technical accounts, for the record's agent);
# the others are an agent's ("Open room", with or without Apizee's invitation) or
# reported by Apizee's webhooks (its invitation form, the video panel)
CUSTOMER_ORIGINS = frozenset({"customer_link", "portal_invite", "appointment"})

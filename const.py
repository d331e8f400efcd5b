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

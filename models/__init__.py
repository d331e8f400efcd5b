# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import apizee_client
from . import apizee_token
from . import apizee_agent_credential
from . import apizee_technical_account
from . import apizee_service
from . import apizee_session
from . import apizee_session_notification
from . import apizee_webhook_event
from . import res_company
from . import res_config_settings
from . import helpdesk_ticket_team
from . import apizee_video_mixin
from . import helpdesk_ticket
from . import calendar_event
from . import res_users
from . import ir_http
from . import res_partner

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import test_apizee_urls
from . import test_recipients
from . import test_apizee_answers
from . import test_apizee_service
from . import test_settings
from . import test_invite
from . import test_apizee_client
from . import test_apizee_token
from . import test_open_room
from . import test_settings_account
from . import test_agent_bootstrap
from . import test_agent_panel
from . import test_access
from . import test_module
from . import test_assets
from . import test_js
from . import test_tour

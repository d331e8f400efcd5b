# Copyright 2026 helpdesk_apizee authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Apizee",
    "summary": "Apizee video assistance from helpdesk tickets: invite customers "
    "by SMS or email and see through their phone's camera",
    "version": "18.0.1.5.1",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "helpdesk_apizee authors, Odoo Community Association (OCA)",
    "website": "https://github.com/OCA/helpdesk",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": ["helpdesk_mgmt", "calendar", "resource"],
    "external_dependencies": {
        "python": ["requests", "phonenumbers", "email_validator"],
    },
    "data": [
        "security/helpdesk_apizee_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/apizee_service_views.xml",
        "views/apizee_session_views.xml",
        "views/apizee_technical_account_views.xml",
        "views/apizee_webhook_event_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_apizee_templates.xml",
        "views/calendar_event_views.xml",
        "data/mail_data.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/res_partner_views.xml",
        "wizards/apizee_invite_wizard_views.xml",
    ],
    "demo": ["demo/helpdesk_apizee_demo.xml"],
    "post_init_hook": "post_init_hook",
    "assets": {
        # Loaded with the web client: the video pop-in (it starts with it) and the
        # loaders of the client actions of helpdesk_apizee.assets_lazy
        "web.assets_backend": [
            "helpdesk_apizee/static/src/agent_popin/**/*",
            "helpdesk_apizee/static/src/lazy_actions/**/*",
        ],
        # Loaded when an agent first opens the invitation dialog or the video panel
        "helpdesk_apizee.assets_lazy": [
            "helpdesk_apizee/static/src/invitation_dialog/**/*",
            "helpdesk_apizee/static/src/agent_panel/**/*",
            "helpdesk_apizee/static/src/waiting/**/*",
        ],
        # Loaded when a ticket form first shows its live call status
        "helpdesk_apizee.assets_live": [
            "helpdesk_apizee/static/src/live_status/**/*",
        ],
        "web.assets_unit_tests": [
            ("include", "helpdesk_apizee.assets_lazy"),
            ("include", "helpdesk_apizee.assets_live"),
            "helpdesk_apizee/static/tests/**/*.test.js",
        ],
        "web.assets_tests": [
            "helpdesk_apizee/static/tests/tours/**/*.esm.js",
        ],
    },
    # An application, so that the Apps menu finds it when one types "Apizee"
    # (its default filter shows applications only).
    "application": True,
    "installable": True,
}

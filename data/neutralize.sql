-- Copied databases must not call Apizee with production credentials or tokens
UPDATE res_company SET apizee_api_username = NULL, apizee_api_password = NULL;
DELETE FROM apizee_token;
DELETE FROM apizee_technical_account;
DELETE FROM apizee_agent_credential;
-- ... nor accept production's webhooks: every company's secret is blanked, deliveries
-- are refused until an administrator regenerates it in Settings (and the parameter of
-- the first versions, one secret for the whole database, goes too)
UPDATE res_company SET apizee_webhook_secret = NULL;
DELETE FROM ir_config_parameter WHERE key = 'helpdesk_apizee.webhook_secret';

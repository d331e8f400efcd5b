-- Copied databases must not call Apizee with production credentials or tokens
UPDATE res_company SET apizee_api_username = NULL, apizee_api_password = NULL;
DELETE FROM apizee_token;
DELETE FROM apizee_agent_credential;
-- ... nor accept production's webhooks: a new secret is made when an admin opens Settings
DELETE FROM ir_config_parameter WHERE key = 'helpdesk_apizee.webhook_secret';

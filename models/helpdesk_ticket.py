# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import const
from ..utils import apizee_urls, recipients


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # For helpdesk agents only: the ticket's customer (portal) or an internal
    # follower may read the ticket, not its sessions (the agent's room links)
    apizee_session_ids = fields.One2many(
        comodel_name="apizee.session",
        inverse_name="ticket_id",
        string="Video sessions",
        readonly=True,
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    apizee_session_count = fields.Integer(
        compute="_compute_apizee_session_count",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    @api.depends("apizee_session_ids")
    def _compute_apizee_session_count(self):
        counts = dict(
            self.env["apizee.session"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.apizee_session_count = counts.get(ticket._origin, 0)

    def action_apizee_invite(self):
        """Open the wizard that reviews an Apizee invitation for this ticket.

        The wizard's defaults (service, recipients) come from the ticket, in the
        returned action's context, so that the agent sees and can edit what will be
        sent.

        :return: an ``ir.actions.act_window`` opening ``apizee.invite.wizard``
            in a dialog
        :raise AccessError: when the user may not read the ticket
        """
        self._apizee_check_agent()
        self.ensure_one()
        self.check_access("read")
        service = self._apizee_get_service()
        phones, emails = self._apizee_get_default_recipients()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invite with Apizee"),
            "res_model": "apizee.invite.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_ticket_id": self.id,
                "default_service_id": service.id,
                "default_phone_numbers": ", ".join(phones),
                "default_email_addresses": ", ".join(emails),
            },
        }

    def _apizee_get_service(self):
        """Return the Apizee service of the ticket: its team's, else its company's
        default.

        :return: an ``apizee.service`` record, possibly empty
        """
        self.ensure_one()
        # Read as superuser: prefetching would otherwise read services of companies the
        # user cannot see. The service returned belongs to the ticket's company.
        ticket = self.sudo()
        company = ticket.company_id or self.env.company.sudo()
        service = ticket.team_id.apizee_service_id or company.apizee_default_service_id
        if not service.active or service.company_id != company:
            return self.env["apizee.service"]
        return service.with_env(self.env)

    def _apizee_get_region(self):
        """Country code used to read national phone numbers: the customer's, else the
        company's.

        :return: an ISO 3166 alpha-2 code, or an empty string
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.partner_id.country_id.code or company.country_id.code or ""

    def _apizee_get_default_recipients(self):
        """Recipients of an invitation, as found on the ticket's customer.

        Phones are the customer's phone and mobile, in the form they were typed (the
        wizard normalises and flags them); the email is the ticket's, else the
        customer's.

        :return: a pair of lists ``(phones, emails)``
        """
        self.ensure_one()
        partner = self.partner_id
        phones = [p for p in (partner.phone, partner.mobile) if p]
        email = self.partner_email or partner.email
        return list(dict.fromkeys(phones)), [email] if email else []

    def action_apizee_open_room(self):
        """Open the agent's Apizee room of this ticket in a new tab.

        Reuses the ticket's live session (not done, closed, expired, cancelled, declined
        or rejected); otherwise creates one with ``POST /api/v3/tickets``. With the
        context key ``apizee_invite``, Apizee sends the invitation (SMS/email) itself.
        Two agents clicking at once get one session: the second one waits for the
        first, then reuses its session.

        :return: an ``ir.actions.act_url`` to the agent's room (``target: new``), or a
            warning notification when Apizee gave no room URL
        :raise UserError: missing settings, invalid recipients or an Apizee failure;
            nothing is changed then
        """
        self._apizee_check_agent()
        self.ensure_one()
        self.check_access("write")
        invite = bool(self.env.context.get("apizee_invite"))
        session = self._apizee_get_live_session()
        if session and (
            not session.last_refresh
            or (fields.Datetime.now() - session.last_refresh).total_seconds()
            > const.SESSION_REFRESH_AFTER
        ):
            # Apizee may have ended it since: read it back before reusing it
            session._apizee_refresh()
            session = self._apizee_get_live_session()
        if not session:
            # Lock the ticket row: a concurrent click waits here, then (PostgreSQL's
            # serialization error, retried by Odoo) sees the session created first.
            self.env.cr.execute(
                "UPDATE helpdesk_ticket SET write_date = write_date WHERE id = %s",
                [self.id],
                log_exceptions=False,
            )
            self.invalidate_recordset(["apizee_session_ids"])
            session = self._apizee_get_live_session()
            if not session:
                session = self._apizee_create_session(invite=invite)
                return self._apizee_room_action(session)
        if invite and not session.invitation_sent:
            return self._apizee_room_action(session, invitation_not_sent=True)
        return self._apizee_room_action(session)

    def action_apizee_agent_panel(self):
        """Show Apizee's agent app for this ticket inside Odoo.

        The URL carries the company key (``iK``), a conversation name unique and
        stable per ticket (``cN``), the customer's phone (``gP``), the agent's language
        (``l``) and the ticket number (``eR``), as Apizee documents them.

        :return: an ``ir.actions.client`` (``helpdesk_apizee.agent_panel``) whose
            ``params`` carry the ``url``, the iframe's ``allow`` list and the app's
            ``origin`` (messages from any other origin are dropped)
        :raise UserError: when the company key is not set
        """
        self._apizee_check_agent()
        self.ensure_one()
        self.check_access("read")
        company = (self.company_id or self.env.company).sudo()
        if not company.apizee_company_key:
            raise UserError(
                self.env._(
                    "The Apizee company identification key is not set: an "
                    "administrator sets it in Settings > Helpdesk > Apizee video "
                    "assistance."
                )
            )
        app_url = company.apizee_agent_app_url or const.DEFAULT_AGENT_APP_URL
        entries = self._apizee_get_recipients(
            self._apizee_get_default_recipients()[0], []
        )
        phones = recipients.unique_values(entries)
        lang = (self.env.user.lang or "")[:2]
        url = apizee_urls.build_agent_app_url(
            app_url,
            company.apizee_company_key,
            self._apizee_conversation_name(),
            phone=phones[-1] if phones else None,
            lang=lang if lang in const.SESSION_LANGUAGES else None,
            reference=self.number,
        )
        return {
            "type": "ir.actions.client",
            "tag": "helpdesk_apizee.agent_panel",
            "name": self.env._("Video panel: %(ticket)s", ticket=self.number),
            "target": "new",
            "params": {
                "url": url,
                "allow": const.IFRAME_ALLOW,
                "origin": apizee_urls.browser_origin(url),
                "ticket_id": self.id,
            },
            "context": {"dialog_size": "extra-large"},
        }

    def _apizee_conversation_name(self):
        """A conversation name unique to this database and ticket, stable over time."""
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-ticket-{self.id}"

    def _apizee_panel_event(self, kind, data_url=None):
        """Act on a message of Apizee's agent app posted from the video panel.

        ``snapshot`` saves the picture as an image attachment with a note;
        ``joined``, ``left``, ``sms_sent`` and ``sms_fail`` become short notes.

        :param str kind: the message type
        :param str data_url: for ``snapshot``, a ``data:image/...;base64,`` URL
        :return: the created attachment's id for a snapshot, else True
        :raise AccessError: when the user may not write the ticket
        :raise UserError: for an unknown, malformed or oversized message
        """
        self._apizee_check_agent()
        self.ensure_one()
        self.check_access("write")
        user = self.env.user.name
        if kind == "snapshot":
            mimetype, raw = self._apizee_read_snapshot(data_url)
            extension = "png" if mimetype == "image/png" else "jpg"
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"apizee-snapshot-{self.number}-"
                        f"{fields.Datetime.now():%Y%m%d-%H%M%S}.{extension}",
                        "raw": raw,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
            self.sudo().message_post(
                body=self.env._(
                    "Snapshot of the guest's video taken by %(user)s.", user=user
                ),
                author_id=self.env.user.partner_id.id,
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
            return attachment.id
        notes = {
            "joined": self.env._(
                "Video panel: the guest joined (%(user)s).", user=user
            ),
            "left": self.env._("Video panel: the guest left (%(user)s).", user=user),
            "sms_sent": self.env._(
                "Video panel: Apizee sent the SMS invitation (%(user)s).", user=user
            ),
            "sms_fail": self.env._(
                "Video panel: Apizee could not send the SMS invitation (%(user)s).",
                user=user,
            ),
        }
        if kind not in notes:
            raise UserError(self.env._("Unknown message from Apizee's agent app."))
        self._apizee_post_note(notes[kind])
        return True

    def _apizee_read_snapshot(self, data_url):
        """Decode a snapshot's data URL, within the allowed types and size.

        :return: ``(mimetype, bytes)``
        :raise UserError: when it is not a PNG or JPEG image of an allowed size
        """
        prefix, _sep, payload = (data_url or "").partition(";base64,")
        mimetype = prefix.removeprefix("data:")
        if not prefix.startswith("data:") or mimetype not in const.SNAPSHOT_TYPES:
            raise UserError(self.env._("The snapshot is not a PNG or JPEG image."))
        if len(payload) > const.SNAPSHOT_MAX_BYTES * 4 // 3 + 4:
            raise UserError(
                self.env._(
                    "The snapshot is larger than %(size)s MB.",
                    size=const.SNAPSHOT_MAX_BYTES // 1024 // 1024,
                )
            )
        try:
            raw = base64.b64decode(payload, validate=True)
        except ValueError as error:
            raise UserError(
                self.env._("The snapshot is not a PNG or JPEG image.")
            ) from error
        if not raw.startswith(const.SNAPSHOT_TYPES[mimetype]):
            raise UserError(self.env._("The snapshot is not a PNG or JPEG image."))
        return mimetype, raw

    def action_apizee_view_sessions(self):
        """List the video sessions of the ticket."""
        self._apizee_check_agent()
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_apizee.apizee_session_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    def _apizee_get_live_session(self):
        """The most recent session of the ticket Apizee still runs, if any.

        Read as superuser (the caller checked its access to the ticket): a session
        hidden from the agent by a record rule must not make "Open room" create a
        second live one.
        """
        self.ensure_one()
        return self.sudo().apizee_session_ids.filtered("live")[:1]

    def _apizee_create_session(self, invite=False):
        """Create the Apizee session of the ticket, then its record and a chatter note.

        :param bool invite: let Apizee send the invitation itself
        :return: the new ``apizee.session``
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        params = self._prepare_apizee_session_params(invite)
        answer = company._apizee_call("POST", const.TICKETS_PATH, params=params)
        values = self.env["apizee.session"]._apizee_values_from_answer(answer)
        session = (
            self.env["apizee.session"]
            .sudo()
            .create(
                {
                    **values,
                    "ticket_id": self.id,
                    "service_id": self._apizee_get_service().id,
                    "agent_id": self.env.user.id,
                    "agent_username": params.get("agent"),
                    "recipients": ", ".join(
                        filter(None, (params.get("phone"), params.get("email")))
                    ),
                    "invitation_sent": invite,
                    "reference": params["reference"],
                    "last_refresh": fields.Datetime.now(),
                }
            )
        )
        if invite:
            body = self.env._(
                "Apizee video session %(session)s opened by %(user)s; Apizee sent the "
                "invitation to %(recipients)s.",
                session=session.apizee_id,
                user=self.env.user.name,
                recipients=session.recipients,
            )
        else:
            body = self.env._(
                "Apizee video session %(session)s opened by %(user)s (no invitation "
                "sent by Apizee).",
                session=session.apizee_id,
                user=self.env.user.name,
            )
        self._apizee_post_note(body)
        # Webhook events of this session may have arrived before it was stored
        self.env["apizee.webhook.event"].sudo()._apizee_wake_waiting(session)
        return session

    def _apizee_post_note(self, body):
        """Post an internal note on the ticket as the current user.

        As superuser, so that an agent without an email address posts it too (Odoo
        refuses messages without a sender address otherwise): losing the note would
        lose the trace of a session that exists in Apizee.
        """
        self.ensure_one()
        self.sudo().message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )

    def _prepare_apizee_session_params(self, invite=False):
        """Query parameters of ``POST /api/v3/tickets`` for this ticket, without I/O.

        :return: a dict (see ``shared/apizee-api.md`` §5)
        :raise UserError: when a recipient of the customer is invalid, or none is valid
        """
        self.ensure_one()
        entries = self._apizee_get_recipients(*self._apizee_get_default_recipients())
        invalid = [entry for entry in entries if entry.error]
        if invalid:
            raise UserError(
                self.env._(
                    "Fix the customer's contact details before opening a video "
                    "session:\n%(entries)s",
                    entries="\n".join(
                        f"• {self._apizee_recipient_error(entry)}" for entry in invalid
                    ),
                )
            )
        phones = recipients.unique_values(e for e in entries if e.kind == "phone")
        emails = recipients.unique_values(e for e in entries if e.kind == "email")
        if not phones and not emails:
            raise UserError(
                self.env._(
                    "Apizee needs the customer's mobile phone or email to open a "
                    "video session: add one to the ticket's customer."
                )
            )
        lang = (self.partner_id.lang or "")[:2]
        params = {
            "reference": apizee_urls.truncate_reference(self.number),
            "name": self.partner_id.name or self.partner_name or "",
            "language": lang
            if lang in const.SESSION_LANGUAGES
            else const.SESSION_LANGUAGE_DEFAULT,
        }
        if phones:
            params["phone"] = phones[-1]  # the mobile, when both are set
        if emails:
            params["email"] = ",".join(emails)
        service = self._apizee_get_service()
        if service:
            params["service"] = service.key
        if self.env.user.apizee_username:
            params["agent"] = self.env.user.apizee_username
        if invite:
            params["invite"] = "1"
        return params

    def _apizee_check_agent(self):
        """Refuse users who are no helpdesk agents (a portal customer or a follower
        may read the ticket, not invite from it).

        :raise AccessError: for them (superuser code passes)
        """
        if not self.env.su and not self.env.user.has_group(
            "helpdesk_mgmt.group_helpdesk_user_own"
        ):
            raise AccessError(
                self.env._("Only helpdesk agents may use Apizee from a ticket.")
            )

    def _apizee_room_action(self, session, invitation_not_sent=False):
        """The action that opens ``session``'s agent room, or says it has none.

        :param bool invitation_not_sent: the agent asked Apizee to invite the
            customer, but the live session was reused: say so, then open the room
        """
        if invitation_not_sent and session.agent_url:
            return self._apizee_warning(
                self.env._("Invitation not sent"),
                self.env._(
                    "The video session %(session)s of this ticket is still live: "
                    "its room opens again, and Apizee did not send a new "
                    "invitation. The customer's link: %(link)s",
                    session=session.apizee_id,
                    link=session.guest_url or self.env._("unknown"),
                ),
                self._apizee_room_action(session),
            )
        if not session.agent_url:
            return self._apizee_warning(
                self.env._("No room address"),
                self.env._(
                    "Apizee created the video session %(session)s but gave no "
                    "address for the agent's room: open it from Apizee's own "
                    "interface.",
                    session=session.apizee_id,
                ),
                {"type": "ir.actions.client", "tag": "soft_reload"},
            )
        return {"type": "ir.actions.act_url", "url": session.agent_url, "target": "new"}

    def _apizee_warning(self, title, message, next_action):
        """A sticky warning notification, then ``next_action``."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": title,
                "message": message,
                "next": next_action,
            },
        }

    def _apizee_get_recipients(self, phones, emails):
        """Normalise phones (E.164, region of the customer or company) and check emails.

        :param phones: iterable of phone numbers as typed
        :param emails: iterable of email addresses as typed
        :return: list of ``utils.recipients.Recipient``
        """
        self.ensure_one()
        region = self._apizee_get_region()
        return [recipients.normalize_phone(raw, region) for raw in phones] + [
            recipients.normalize_email(raw) for raw in emails
        ]

    def _apizee_recipient_error(self, entry):
        """Translated sentence that says why a recipient cannot be sent."""
        messages = {
            "phone_unreadable": self.env._(
                "“%(entry)s” is not a phone number.", entry=entry.raw
            ),
            "phone_invalid": self.env._(
                "“%(entry)s” is not a valid phone number (add the country code, "
                "e.g. +33, if it is a foreign number).",
                entry=entry.raw,
            ),
            "email_invalid": self.env._(
                "“%(entry)s” is not a valid email address.", entry=entry.raw
            ),
        }
        return messages[entry.error]

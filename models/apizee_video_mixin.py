# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a record needs to have Apizee video calls: ``apizee.video.mixin``.

A model inherits the mixin (and ``mail.thread``, for its notes) and implements the
hooks of the section "Hooks" below; everything else (the sessions, the actions, the
recipients, the panel's messages, the lock, the notes) comes from here. The ticket
(``models/helpdesk_ticket.py``) is the model of reference; ``tests/video_record.py``
is a second one, defined in the tests only.
"""

import base64
import logging
import math
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq

from .. import const
from ..exceptions import JoinWait
from ..utils import apizee_urls, apizee_webhooks, recipients
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


def lock_rows(records, nowait=False):
    """Lock the rows of ``records`` until the end of the transaction, as an update.

    ``SELECT ... FOR UPDATE``, then a write of the rows: a transaction that waited for
    the lock and read before the holder committed fails with PostgreSQL's
    serialization error (which Odoo retries), so that it sees what the holder created
    (a session, a booking) instead of creating it again.

    :param bool nowait: raise at once when another transaction holds the lock
    :raise psycopg2.errors.LockNotAvailable: with ``nowait``, when it is held
    """
    if not records:
        return
    table = SQL.identifier(records._table)
    ids = tuple(records.ids)
    records.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id IN %s FOR UPDATE%s",
            table,
            ids,
            SQL(" NOWAIT") if nowait else SQL(),
        ),
        log_exceptions=False,
    )
    records.env.cr.execute(
        SQL("UPDATE %s SET write_date = write_date WHERE id IN %s", table, ids),
        log_exceptions=False,
    )


def seconds_left(period, waited):
    """Whole seconds until ``period`` seconds have passed, ``waited`` of them
    already (at least 1, at most ``period``)."""
    return min(period, max(1, math.ceil(period - waited)))


class ApizeeVideoMixin(models.AbstractModel):
    _name = "apizee.video.mixin"
    _description = "Apizee Video Calls"

    # The group whose users may call from the record (a class attribute: read before
    # any record exists, to check a caller)
    _apizee_agent_group = "base.group_user"

    apizee_session_ids = fields.One2many(
        comodel_name="apizee.session",
        inverse_name="res_id",
        string="Video sessions",
        readonly=True,
        domain=lambda self: [("res_model", "=", self._name)],
    )
    apizee_session_count = fields.Integer(compute="_compute_apizee_session_count")
    # The ways to a video call the user has here (``const.VIDEO_CALL_PATH_ALL``,
    # comma-separated, for the views), and what an administrator could configure
    apizee_video_call_paths = fields.Char(compute="_compute_apizee_video_call_paths")
    apizee_video_call_hint = fields.Char(compute="_compute_apizee_video_call_paths")
    # The state of the record's latest call in words, for the header's live chip
    apizee_call_status = fields.Char(compute="_compute_apizee_call_status")
    apizee_call_live = fields.Boolean(compute="_compute_apizee_call_status")
    # The customer is in the call (green chip); a live call waiting for them is not
    apizee_call_in_progress = fields.Boolean(compute="_compute_apizee_call_status")

    # The customer's join link (see "The customer's side" below): its token is a
    # secret of the record, for administrators only; the link is for its agents
    apizee_join_token = fields.Char(
        copy=False, groups="base.group_system", index="btree_not_null"
    )
    # Snapshots saved from the video panel: Apizee's agent app names no session of
    # ours, so they count on the record (the ticket's video record adds them)
    apizee_panel_media_count = fields.Integer(
        string="Pictures from the video panel", readonly=True, copy=False
    )
    apizee_join_url = fields.Char(
        string="Customer's join link",
        compute="_compute_apizee_join_url",
        help="The customer opens it to start a video call with the agents; it works "
        "as long as the record is open.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Override: each record has its join link's token from the start, made
        here (a token given by a caller is not kept, but by superuser code); the
        counted figures are not given by users, and counters start at 0, not NULL
        (NULL rows would be left out of the reports' averages)."""
        counters = [
            name
            for name in self._apizee_counted_fields()
            if not self._fields[name].compute
        ]
        for vals in vals_list:
            self._apizee_check_counted_fields(vals)
            for name in counters:
                vals.setdefault(name, 0)
            if not (self.env.su and vals.get("apizee_join_token")):
                vals["apizee_join_token"] = self._apizee_new_join_token()
        return super().create(vals_list)

    def write(self, vals):
        """Override: the figures Odoo counts are not written by users."""
        self._apizee_check_counted_fields(vals)
        return super().write(vals)

    @api.model
    def default_get(self, fields_list):
        """Override: no default for the figures Odoo counts (a ``default_*`` key of
        the context or a user's saved default would forge them)."""
        defaults = super().default_get(fields_list)
        for name in self._apizee_counted_fields().intersection(defaults):
            del defaults[name]
        return defaults

    def _apizee_increment(self, field):
        """Add 1 to a counter of the records in one UPDATE (two at once both
        count; the records' write date and tracking stay as they are), then let
        the fields that depend on it be recomputed."""
        if not self:
            return
        self.flush_recordset([field])
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = COALESCE(%s, 0) + 1 WHERE id IN %s",
                SQL.identifier(self._table),
                SQL.identifier(field),
                SQL.identifier(field),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset([field])
        self.modified([field])

    @api.model
    def _apizee_counted_fields(self):
        """The fields only Odoo writes (counted or computed for the reports): a
        user who may write the record may not forge them over RPC."""
        return {"apizee_panel_media_count"}

    @api.model
    def _apizee_check_counted_fields(self, vals):
        """:raise UserError: when ``vals`` writes a counted field, but as
        superuser (Odoo's own code)"""
        forged = self._apizee_counted_fields() & set(vals)
        if forged and not self.env.su:
            raise UserError(
                self.env._(
                    "These figures are counted by Odoo and cannot be written: "
                    "%(fields)s.",
                    fields=", ".join(
                        sorted(
                            self._fields[name]._description_string(self.env)
                            for name in forged
                        )
                    ),
                )
            )

    def copy_data(self, default=None):
        """Override: a copy has its own join link."""
        vals_list = super().copy_data(default=default)
        for vals in vals_list:
            vals["apizee_join_token"] = self._apizee_new_join_token()
        return vals_list

    def _compute_apizee_join_url(self):
        for record in self:
            record.apizee_join_url = (
                record._apizee_join_url() if record._origin.id else False
            )

    def _compute_apizee_session_count(self):
        counts = dict(
            self.env["apizee.session"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for record in self:
            record.apizee_session_count = counts.get(record._origin.id, 0)

    @api.depends_context("uid", "company")
    def _compute_apizee_video_call_paths(self):
        is_admin = self.env.is_system()
        by_company = {}
        for record in self:
            company = record._apizee_company()
            if company not in by_company:
                paths = company._apizee_video_call_paths(self.env.user)
                by_company[company] = (
                    ",".join(paths),
                    self._apizee_video_call_hint(paths) if is_admin else False,
                )
            record.apizee_video_call_paths, record.apizee_video_call_hint = by_company[
                company
            ]

    @api.depends(
        "apizee_session_ids.state",
        "apizee_session_ids.start_time",
        "apizee_session_ids.end_time",
    )
    @api.depends_context("tz")
    def _compute_apizee_call_status(self):
        now = fields.Datetime.now()
        for record in self:
            session = record.sudo().apizee_session_ids[:1]  # the latest (_order)
            record.apizee_call_live = bool(session.live)
            record.apizee_call_in_progress = bool(
                session.live and session.state == "inprogress"
            )
            record.apizee_call_status = (
                record._apizee_call_status(session, now) if session else False
            )

    def _apizee_call_status(self, session, now):
        """The latest session's state in a few words: while it lives, what it waits
        for; for a day after it ended, how it ended and when."""
        if session.live:
            if session.state == "inprogress":
                since = session.start_time or session.state_time
                if since:
                    local = fields.Datetime.context_timestamp(self, since)
                    return self.env._(
                        "In call since %(time)s", time=local.strftime("%H:%M")
                    )
                return self.env._("In call")
            if session.state == "invited" or session.invitation_sent:
                return self.env._("Invitation sent · Waiting for the customer")
            return self.env._("Room open · Waiting for the customer")
        ended = session.end_time or session.state_time or session.write_date
        if not ended or (now - ended).total_seconds() > 86400:
            return False
        minutes = max(0, int((now - ended).total_seconds() // 60))
        ago = (
            self.env._("%(minutes)s min", minutes=minutes)
            if minutes < 60
            else self.env._("%(hours)s h", hours=minutes // 60)
        )
        if session.state in ("done", "closed"):
            if not minutes:
                return self.env._("Ended just now")
            return self.env._("Ended %(ago)s ago", ago=ago)
        state = dict(session._fields["state"]._description_selection(self.env))
        return self.env._(
            "%(state)s %(ago)s ago", state=state.get(session.state, ""), ago=ago
        )

    def _apizee_live_users(self):
        """The users who may have the record open and follow its calls: the agents
        who opened its sessions and the users among its followers (hook: a model
        adds its own, e.g. the ticket's team). Only those who may call from the
        record are told (``_apizee_is_agent``).

        :return: ``res.users`` records
        """
        self.ensure_one()
        record = self.sudo()
        users = record.apizee_session_ids.agent_id
        if "message_partner_ids" in self._fields:
            users |= record.message_partner_ids.user_ids
        return users

    def _apizee_users_to_tell(self):
        """The users of ``_apizee_live_users`` who may call from the record and read
        it: those a notice about its calls goes to."""
        self.ensure_one()

        def told(user):
            if user.share:
                return False
            # In the user's own companies: the caller's (allowed_company_ids) may be
            # ones the user does not belong to, which Odoo refuses
            record = self.with_user(user).with_context(
                allowed_company_ids=user.company_ids.ids
            )
            return record._apizee_is_agent() and record.has_access("read")

        return self._apizee_live_users().filtered(told)

    def _apizee_notify_live(self):
        """Push "its calls changed" to the agents who may have the record open (a bus
        notification to each of them, sent when the transaction commits, once per
        record): their form reads the record again. The payload names the record
        only; what they then read is what their rights allow."""
        data = self.env.cr.precommit.data
        pending = data.get("helpdesk_apizee.live")
        if pending is None:
            pending = data["helpdesk_apizee.live"] = set()
            self.env.cr.precommit.add(self._apizee_send_live)
        pending.update((record._name, record.id) for record in self)

    @api.model
    def _apizee_send_live(self):
        pending = self.env.cr.precommit.data.pop("helpdesk_apizee.live", set())
        for model, record_id in sorted(pending):
            record = self.env[model].sudo().browse(record_id).exists()
            if not record:
                continue
            record._apizee_users_to_tell().partner_id._bus_send(
                const.LIVE_NOTIFICATION, {"res_model": model, "res_id": record_id}
            )

    @api.model
    def _apizee_video_call_hint(self, paths):
        """What an administrator sets in Settings for the paths missing from
        ``paths``: one sentence, or False."""
        missing = []
        if "invite" not in paths:
            missing.append(
                self.env._(
                    "a technical account (to send the link by SMS/email and join "
                    "the room)"
                )
            )
        if "panel" not in paths:
            missing.append(self.env._("the company key (to show the call in Odoo)"))
        if not missing:
            return False
        return self.env._(
            "More ways to call: set %(missing)s in Settings > Helpdesk > Apizee.",
            missing=self.env._(" and ").join(missing),
        )

    def unlink(self):
        """Override: the sessions of deleted records go with them."""
        self.env["apizee.session"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        ).unlink()
        return super().unlink()

    # -- Hooks: what the record says of itself -------------------------------------

    def _apizee_reference(self):
        """The record's reference, shown by Apizee and sent back by its webhooks
        (a session created in Apizee's UI with it is linked to the record).

        :return: a string, unique among the records of the company
        """
        self.ensure_one()
        return self.display_name

    @api.model
    def _apizee_reference_domain(self, reference):
        """The domain of the records whose reference is ``reference``, or None when
        sessions created in Apizee's UI are never linked to records of this model."""
        return None

    def _apizee_customer(self):
        """The customer the agent calls: a ``res.partner``, possibly empty."""
        self.ensure_one()
        return self.env["res.partner"]

    def _apizee_customer_name(self):
        """The customer's name, as Apizee shows it to the agent."""
        self.ensure_one()
        return self._apizee_customer().name or ""

    def _apizee_default_agent(self):
        """The agent of a session the customer starts (a ``res.users``, possibly
        empty): Apizee puts the call in their queue."""
        self.ensure_one()
        return self.env["res.users"]

    def _apizee_company(self):
        """The company whose Apizee account and settings the record uses."""
        self.ensure_one()
        company = self["company_id"] if "company_id" in self._fields else None
        return company or self.env.company

    def _apizee_get_service(self):
        """The record's Apizee service: the company's default one.

        :return: an ``apizee.service`` record, possibly empty
        """
        self.ensure_one()
        company = self.sudo()._apizee_company()
        return self._apizee_checked_service(company.apizee_default_service_id)

    def _apizee_get_region(self):
        """Country code used to read national phone numbers: the customer's, else the
        company's.

        :return: an ISO 3166 alpha-2 code, or an empty string
        """
        self.ensure_one()
        company = self._apizee_company()
        return self._apizee_customer().country_id.code or company.country_id.code or ""

    def _apizee_conversation_name(self):
        """A conversation name unique to this database and record, stable over time."""
        self.ensure_one()
        kind = self._name.replace(".", "-")
        return f"odoo-{self._apizee_database_tag()}-{kind}-{self.id}"

    # -- Actions -------------------------------------------------------------------

    def action_apizee_video_call(self):
        """The record's "Video call": the company's default way to a call
        (``apizee_video_call_path`` of Settings), or the one the context key
        ``apizee_video_call_path`` names (``const.VIDEO_CALL_PATH_ALL``). A way the
        settings do not allow (no technical account, no company key) falls back to
        the invitation form, which needs none.

        :return: the action of ``action_apizee_open_room`` (invite: Apizee sends
            the link; room), ``action_apizee_invite`` (form) or
            ``action_apizee_agent_panel`` (panel)
        :raise AccessError: for users who may not call from the record
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("read")
        company = self._apizee_company()
        paths = company._apizee_video_call_paths(self.env.user)
        path = self.env.context.get("apizee_video_call_path")
        if not isinstance(path, str) or path not in paths:
            path = company.sudo().apizee_video_call_path
        if path not in paths:
            path = "form"
        if path == "panel":
            return self.action_apizee_agent_panel()
        if path == "form":
            return self.action_apizee_invite()
        return self.with_context(
            apizee_invite=path == "invite"
        ).action_apizee_open_room()

    def action_apizee_invite(self):
        """Open the wizard that reviews an Apizee invitation for this record.

        The wizard's defaults (service, recipients) come from the record, in the
        returned action's context, so that the agent sees and can edit what will be
        sent.

        :return: an ``ir.actions.act_window`` opening ``apizee.invite.wizard``
            in a dialog
        :raise AccessError: when the user may not read the record
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
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
                **self._apizee_wizard_defaults(),
                "default_service_id": service.id,
                "default_phone_numbers": ", ".join(phones),
                "default_email_addresses": ", ".join(emails),
            },
        }

    def _apizee_wizard_defaults(self):
        """The wizard's defaults that name the record."""
        return {"default_res_model": self._name, "default_res_id": self.id}

    def action_apizee_open_room(self):
        """Open the agent's Apizee room of this record in a new tab.

        Reuses the record's live session (not done, closed, expired, cancelled,
        declined or rejected); otherwise creates one with ``POST /api/v3/tickets``.
        With the context key ``apizee_invite``, Apizee sends the invitation
        (SMS/email) itself. Two agents clicking at once get one session: the second
        one waits for the first, then reuses its session.

        :return: an ``ir.actions.act_url`` to the agent's room (``target: new``), or a
            warning notification when Apizee gave no room URL
        :raise UserError: missing settings or an Apizee failure;
            nothing is changed then
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("write")
        invite = bool(self.env.context.get("apizee_invite"))
        session = self._apizee_get_live_session()
        if (
            session
            and (
                not session.last_refresh
                or (fields.Datetime.now() - session.last_refresh).total_seconds()
                > const.SESSION_REFRESH_AFTER
            )
            and not self._apizee_company()._apizee_webhooks_fresh()
        ):
            # Apizee may have ended it since (and no webhook would have said so):
            # read it back before reusing it
            session._read_from_apizee()
            session = self._apizee_get_live_session()
        if not session:
            valid, invalid = self._apizee_session_recipients()
            if not valid:
                # Nothing to send the session to: the wizard shows the entries, to
                # be fixed there (it needs no valid one to open Apizee's form)
                return self.action_apizee_invite()
            # A concurrent click waits here, then (PostgreSQL's serialization error,
            # retried by Odoo) sees the session created first
            self._apizee_lock()
            self.invalidate_recordset(["apizee_session_ids"])
            session = self._apizee_get_live_session()
            if not session:
                session = self._apizee_create_session(
                    invite=invite, origin="agent_invite" if invite else "agent"
                )
                if invalid:
                    return session._warning(
                        self.env._("Contact details left out"),
                        self.env._(
                            "The video session was opened with %(valid)s only:\n"
                            "%(entries)s",
                            valid=", ".join(recipients.unique_values(valid)),
                            entries="\n".join(
                                f"• {self._apizee_recipient_error(entry)}"
                                for entry in invalid
                            ),
                        ),
                        session._room_action(),
                    )
                return session._room_action()
        return session._room_action(
            invitation_not_sent=invite and not session.invitation_sent
        )

    def action_apizee_agent_panel(self):
        """Show Apizee's agent app for this record inside Odoo.

        The URL carries the company key (``iK``), a conversation name unique and
        stable per record (``cN``), the customer's phone (``gP``), the agent's
        language (``l``) and the record's reference (``eR``), as Apizee documents
        them.

        :return: an ``ir.actions.client`` (``helpdesk_apizee.agent_panel``) whose
            ``params`` carry the ``url``, the iframe's ``allow`` list and the app's
            ``origin`` (messages from any other origin are dropped)
        :raise UserError: when the company key is not set
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("read")
        company = self._apizee_company().sudo()
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
            reference=self._apizee_reference(),
        )
        return {
            "type": "ir.actions.client",
            "tag": "helpdesk_apizee.agent_panel",
            "name": self.env._(
                "Video panel: %(ticket)s", ticket=self._apizee_reference()
            ),
            "target": "new",
            "params": {
                "url": url,
                "allow": const.IFRAME_ALLOW,
                "origin": apizee_urls.browser_origin(url),
                "res_model": self._name,
                "res_id": self.id,
            },
            "context": {"dialog_size": "extra-large"},
        }

    def action_apizee_view_sessions(self):
        """List the video sessions of the record."""
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_apizee.apizee_session_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- Checks and the lock -------------------------------------------------------

    @api.model
    def _apizee_is_agent(self):
        """Whether the user may call from records of this model (a model with
        records: not the mixin itself)."""
        if self._abstract:
            return False
        return self.env.su or self.env.user.has_group(self._apizee_agent_group)

    def _apizee_check_agent(self):
        """Refuse users who may not call from records of this model (a portal
        customer or a follower may read a ticket, not invite from it).

        :raise AccessError: for them (superuser code passes)
        """
        if not self._apizee_is_agent():
            raise AccessError(
                self.env._("Only helpdesk agents may use Apizee from a ticket.")
            )

    def _apizee_lock(self, nowait=False):
        """Lock the records' rows until the end of the transaction, as an update
        (see ``lock_rows``).

        :param bool nowait: raise at once when another transaction holds the lock
        :raise psycopg2.errors.LockNotAvailable: with ``nowait``, when it is held
        """
        lock_rows(self, nowait=nowait)

    # -- Sessions ------------------------------------------------------------------

    def _apizee_get_live_session(self):
        """The most recent session of the record Apizee still runs, if any.

        Read as superuser (the caller checked its access to the record): a session
        hidden from the agent must not make "Open room" create a second live one.
        """
        self.ensure_one()
        return self.sudo().apizee_session_ids.filtered("live")[:1]

    def _apizee_create_session(self, invite=False, origin="agent", contacts=None):
        """Create the Apizee session of the record, then its record and a note.

        :param bool invite: let Apizee send the invitation itself
        :param str origin: who starts it (``const.SESSION_ORIGINS``): an agent, with
            their own Apizee account when they have one; else the customer, with the
            company's technical accounts, for the record's agent
            (``_apizee_default_agent``)
        :param contacts: the customer's contact details to send it to, instead of
            all of them: a pair of lists ``(phones, emails)``
        :return: the new ``apizee.session``
        """
        self.ensure_one()
        by_agent = origin not in const.CUSTOMER_ORIGINS
        agent = self.env.user if by_agent else self._apizee_default_agent()
        params = self._prepare_apizee_session_params(
            invite, agent=agent, contacts=contacts
        )
        answer = self._apizee_company()._apizee_call(
            "POST",
            const.TICKETS_PATH,
            params=params,
            user=self.env.user if by_agent else None,
        )
        return self.env["apizee.session"]._create_from_answer(
            self,
            answer,
            {
                "origin": origin,
                "service_id": self._apizee_get_service().id,
                "agent_id": agent.id,
                "agent_username": params.get("agent"),
                "recipients": ", ".join(
                    filter(None, (params.get("phone"), params.get("email")))
                ),
                "invitation_sent": invite,
                "reference": params["reference"],
            },
        )

    def _prepare_apizee_session_params(self, invite=False, agent=None, contacts=None):
        """Query parameters of ``POST /api/v3/tickets`` for this record, without I/O.

        Invalid contact details of the customer are left out.

        :param agent: the agent of the session (``res.users``), else the current user
        :param contacts: ``(phones, emails)`` instead of the customer's
        :return: a dict (Apizee's "Ticket management" page, see ``const``)
        :raise UserError: when none of the customer's contact details is valid
        """
        self.ensure_one()
        agent = self.env.user if agent is None else agent
        entries = self._apizee_session_recipients(contacts)[0]
        phones = recipients.unique_values(e for e in entries if e.kind == "phone")
        emails = recipients.unique_values(e for e in entries if e.kind == "email")
        if not phones and not emails:
            raise UserError(
                self.env._(
                    "Apizee needs the customer's mobile phone or email to open a "
                    "video session: add one to the ticket's customer."
                )
            )
        lang = (self._apizee_customer().lang or "")[:2]
        params = {
            "reference": apizee_urls.truncate_reference(self._apizee_reference()),
            "name": self._apizee_customer_name(),
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
            params["service"] = service.key  # its name: [guess] (readme/ROADMAP.md)
        if agent.sudo().apizee_username:
            params["agent"] = agent.sudo().apizee_username
        if invite:
            params["invite"] = "1"
        return params

    # -- Recipients ----------------------------------------------------------------

    def _apizee_get_default_recipients(self):
        """Recipients of an invitation, as found on the record's customer: the
        customer's phone and mobile, in the form they were typed (the wizard
        normalises and flags them), and email.

        :return: a pair of lists ``(phones, emails)``
        """
        self.ensure_one()
        partner = self._apizee_customer()
        phones = [p for p in (partner.phone, partner.mobile) if p]
        return list(dict.fromkeys(phones)), [partner.email] if partner.email else []

    def _apizee_session_recipients(self, contacts=None):
        """The customer's contact details, read and checked, without I/O.

        :param contacts: ``(phones, emails)`` to check instead of the customer's
        :return: a pair of lists of ``utils.recipients.Recipient``:
            ``(valid, invalid)``
        """
        entries = self._apizee_get_recipients(
            *(contacts or self._apizee_get_default_recipients())
        )
        return (
            [entry for entry in entries if not entry.error],
            [entry for entry in entries if entry.error],
        )

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

    @api.model
    def _apizee_recipient_error(self, entry):
        """Translated sentence that says why a recipient cannot be sent."""
        if entry.error == "phone_unreadable":
            return self.env._("“%(entry)s” is not a phone number.", entry=entry.raw)
        if entry.error == "phone_invalid":
            return self.env._(
                "“%(entry)s” is not a valid phone number (add the country code, "
                "e.g. +33, if it is a foreign number).",
                entry=entry.raw,
            )
        return self.env._("“%(entry)s” is not a valid email address.", entry=entry.raw)

    # -- The video panel's messages, notes -----------------------------------------

    def _apizee_panel_event(self, kind, data_url=None):
        """Act on a message of Apizee's agent app posted from the video panel.

        ``snapshot`` saves the picture as an image attachment with a note;
        ``joined``, ``left``, ``sms_sent`` and ``sms_fail`` become short notes.

        :param str kind: the message type
        :param str data_url: for ``snapshot``, a ``data:image/...;base64,`` URL
        :return: the created attachment's id for a snapshot, else True
        :raise AccessError: when the user may not write the record
        :raise UserError: for an unknown, malformed or oversized message
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("write")
        user = self.env.user.name
        if kind == "snapshot":
            mimetype, raw = self._apizee_read_snapshot(data_url)
            extension = "png" if mimetype == "image/png" else "jpg"
            name = (
                f"apizee-snapshot-{self._apizee_reference()}-"
                f"{fields.Datetime.now():%Y%m%d-%H%M%S}.{extension}"
            )
            self._apizee_increment("apizee_panel_media_count")
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "raw": raw,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
            self._apizee_post_note(
                self.env._(
                    "Snapshot of the guest's video taken by %(user)s.", user=user
                ),
                attachment,
            )
            return attachment.id
        if kind == "joined":
            note = self.env._("Video panel: the guest joined (%(user)s).", user=user)
        elif kind == "left":
            note = self.env._("Video panel: the guest left (%(user)s).", user=user)
        elif kind == "sms_sent":
            note = self.env._(
                "Video panel: Apizee sent the SMS invitation (%(user)s).", user=user
            )
        elif kind == "sms_fail":
            note = self.env._(
                "Video panel: Apizee could not send the SMS invitation (%(user)s).",
                user=user,
            )
        else:
            raise UserError(self.env._("Unknown message from Apizee's agent app."))
        self._apizee_post_note(note)
        return True

    @api.model
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

    def _apizee_post_note(self, body, attachments=None, author=None):
        """Log an internal note on the record, by the current user (or ``author``).

        Logged with ``_message_log``: an agent without an email address logs it too,
        and losing the note would lose the trace of a session that exists in Apizee.

        :param body: plain text (escaped) or ``Markup``
        :param attachments: ``ir.attachment`` records shown with the note
        :param author: a ``res.partner``, else the current user's
        """
        self.ensure_one()
        self.sudo()._message_log(
            body=body,
            author_id=(author or self.env.user.partner_id).id,
            attachment_ids=attachments.ids if attachments else [],
        )

    @api.model
    def _apizee_database_tag(self):
        """Eight characters of the database's uuid, to tell its conversations apart."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return uuid[:8]

    def _apizee_checked_service(self, service):
        """``service`` when it may be used for the record's company, else none."""
        self.ensure_one()
        company = self.sudo()._apizee_company()
        if not service.active or service.company_id != company:
            return self.env["apizee.service"]
        return service.with_env(self.env)

    # -- The customer's side: the join link ----------------------------------------

    @api.model
    def _apizee_new_join_token(self):
        return secrets.token_urlsafe(const.JOIN_TOKEN_BYTES)

    def _apizee_join_url(self):
        """The record's join link, with its token (made now when it has none: a
        record created before the join links existed).

        :return: an absolute URL
        """
        self.ensure_one()
        record = self.sudo()
        if not record.apizee_join_token:
            record.apizee_join_token = self._apizee_new_join_token()
        return f"{record.get_base_url()}{self._apizee_join_path()}"

    def _apizee_join_path(self):
        """The join link's path: ``/helpdesk_apizee/join/<model>/<id>/<token>``
        (hook: the ticket's has no model part)."""
        self.ensure_one()
        token = self.sudo().apizee_join_token
        return f"{const.JOIN_PATH}/{self._name.replace('.', '-')}/{self.id}/{token}"

    @api.model
    def _apizee_fill_join_tokens(self):
        """Give a join link's token to the records that have none (at install, in
        batches)."""
        while True:
            records = (
                self.sudo()
                .with_context(active_test=False)
                .search([("apizee_join_token", "=", False)], limit=1000)
            )
            if not records:
                return
            for record in records:
                record.apizee_join_token = self._apizee_new_join_token()
            records.flush_recordset(["apizee_join_token"])
            records.invalidate_recordset()

    def _apizee_check_join_token(self, token):
        """Whether ``token`` is the record's join link's token (constant time).

        :return: bool; False for a record without a token, or an empty one
        """
        self.ensure_one()
        expected = self.sudo().apizee_join_token
        return bool(
            expected
            and isinstance(token, str)
            and consteq(expected.encode(), token.encode("utf-8", "replace"))
        )

    def get_apizee_join_url(self):
        """The record's join link, for its agents (the menu's "Copy the customer's
        join link" reads it when clicked, not with the form).

        :return: the URL
        :raise AccessError: for users who may not call from the record or read it
        """
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("read")
        return self._apizee_join_url()

    def action_apizee_reset_join_link(self):
        """Give the record a new join link: the old one answers "not found" from now
        on (a link sent to the wrong person, say)."""
        self._apizee_check_agent()
        self._apizee_ensure_one()
        self.check_access("write")
        self.sudo().apizee_join_token = self._apizee_new_join_token()
        self._apizee_post_note(
            self.env._(
                "%(user)s reset the customer's join link: the previous one no longer "
                "works.",
                user=self.env.user.name,
            )
        )
        return True

    def _apizee_ensure_one(self):
        """``ensure_one`` for the public actions: a translated error, not a
        ``ValueError``.

        :raise UserError: on an empty set or several records
        """
        if len(self) != 1:
            raise UserError(self.env._("Choose one record to call from."))

    def _apizee_self_service_problem(self):
        """Why the customer may not start a video call from the record now, or
        None (hook: a ticket says "closed", "disabled"...).

        :return: a key among ``closed``, ``disabled``, or False
        """
        self.ensure_one()
        return False

    def _apizee_customer_start(self, origin="customer_link", opener=None, invite=None):
        """The customer starts a video call: reuse the record's live session or create
        one (with the company's technical accounts, for the record's agent), tell
        the agents, and give the customer's link.

        Called as superuser by the routes, once they checked the join link's token or
        the portal user's access. A second press at once waits for the first and
        reuses its session (the lock).

        :param str origin: ``customer_link``, ``portal_invite`` or ``appointment``
        :param opener: the ``res.partner`` who pressed (a portal user), else the
            record's customer
        :param invite: ``(phones, emails)`` for Apizee to send the link to (the
            portal's "Send me the link"), instead of redirecting
        :return: the session's guest URL (checked: Apizee's hosts only), or None
            when the link was sent (``invite``)
        :raise JoinWait: within a minute of the last session created this way, or
            when Apizee's limit is reached: when to try again
        :raise UserError: the settings miss, no contact detail, Apizee failed
        """
        self.ensure_one()
        problem = self._apizee_self_service_problem()
        if problem:
            raise UserError(self.env._("Video calls are not available here."))
        self._apizee_lock()
        self.invalidate_recordset(["apizee_session_ids"])
        session = self._apizee_get_live_session()
        now = fields.Datetime.now()
        if session and invite:
            # Apizee sends a session's link when it creates it: a new session
            session = None
        if invite:
            self._apizee_check_invite_limits(invite, now)
        if not session:
            last = self.sudo().apizee_session_ids.filtered(
                lambda s: s.origin in const.CUSTOMER_ORIGINS
            )[:1]
            waited = (now - last.create_date).total_seconds() if last else None
            if waited is not None and waited < const.JOIN_CREATE_EVERY:
                seconds = seconds_left(const.JOIN_CREATE_EVERY, waited)
                raise JoinWait(
                    self.env._(
                        "A video call was started here a moment ago: try again in "
                        "%(seconds)s seconds.",
                        seconds=seconds,
                    ),
                    seconds,
                )
            try:
                session = self.with_context(
                    apizee_background=True
                )._apizee_create_session(
                    invite=bool(invite), origin=origin, contacts=invite
                )
            except ApizeeError as error:
                if error.kind == "rate_limited":
                    # Spread the customers told to wait, so that they do not all
                    # come back in the same second
                    seconds = error.retry_after + secrets.randbelow(
                        error.retry_after // 2 + 1
                    )
                    raise JoinWait(
                        self.env._(
                            "Many customers are starting video calls right now: try "
                            "again in %(seconds)s seconds.",
                            seconds=seconds,
                        ),
                        seconds,
                    ) from error
                raise
        if invite:
            # A note only: the customer is not in the call yet (the webhooks and
            # the live status say when they are)
            self._apizee_customer_waiting(session, opener, sent=True)
            return None
        server_url = self._apizee_company().sudo().apizee_server_url
        url = session.guest_url
        if not apizee_webhooks.is_room_url(url, server_url or const.DEFAULT_SERVER_URL):
            _logger.warning(
                "Apizee session %s: customer's link %r refused (not https on the "
                "Apizee server's host nor *.apizee.com)",
                session.id,
                (url or "")[:200],
            )
            raise UserError(
                self.env._("The video call could not be started: Apizee gave no link.")
            )
        self._apizee_customer_waiting(session, opener)
        return url

    def _apizee_check_invite_limits(self, invite, now):
        """Refuse a "send me the link" beyond its limits: one every
        ``const.JOIN_INVITE_EVERY`` seconds per record, ``JOIN_INVITES_PER_DAY`` a
        day per record and per recipient (Apizee's SMS are the company's cost).

        :param invite: ``(phones, emails)``
        :raise JoinWait: when to try again
        """
        Session = self.env["apizee.session"].sudo()
        day_ago = now - timedelta(days=1)
        sent = Session.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("origin", "=", "portal_invite"),
                ("create_date", ">=", day_ago),
            ],
            order="create_date desc",
        )
        recipient = ", ".join(filter(None, [*invite[0], *invite[1]]))
        to_recipient = Session.search_count(
            [
                ("origin", "=", "portal_invite"),
                ("recipients", "=", recipient),
                ("create_date", ">=", day_ago),
            ]
        )
        if sent:
            waited = (now - sent[0].create_date).total_seconds()
            if waited < const.JOIN_INVITE_EVERY:
                seconds = seconds_left(const.JOIN_INVITE_EVERY, waited)
                raise JoinWait(
                    self.env._(
                        "The link was sent a moment ago: try again in %(minutes)s "
                        "minutes.",
                        minutes=math.ceil(seconds / 60),
                    ),
                    seconds,
                )
        if (
            len(sent) >= const.JOIN_INVITES_PER_DAY
            or to_recipient >= const.JOIN_INVITES_PER_DAY
        ):
            oldest = sent[const.JOIN_INVITES_PER_DAY - 1] if sent else None
            seconds = (
                max(1, math.ceil((oldest.create_date - day_ago).total_seconds()))
                if oldest
                else 86400
            )
            raise JoinWait(
                self.env._(
                    "The link was sent %(count)s times today: open one of them, or "
                    "try again tomorrow.",
                    count=const.JOIN_INVITES_PER_DAY,
                ),
                seconds,
            )

    def _apizee_customer_waiting(self, session, opener=None, sent=False):
        """Tell the record's agents that the customer is waiting in ``session``'s
        call: a note on the record that names who opened the link and when (once a
        minute), and a sticky notification with "Join" for whoever has Odoo open."""
        now = fields.Datetime.now()
        last = session.customer_opened_time
        session.sudo().customer_opened_time = now
        if last and (now - last).total_seconds() < const.JOIN_NOTIFY_EVERY:
            return
        customer = (
            opener.name if opener else self._apizee_customer_name()
        ) or self.env._("The customer")
        reference = self._apizee_reference()
        if sent:
            body = self.env._(
                "%(customer)s asked for the video call link by SMS or email (session "
                "%(session)s).",
                customer=customer,
                session=session.apizee_id,
            )
        else:
            body = self.env._(
                "%(customer)s opened the video call link and is waiting in the call "
                "(session %(session)s).",
                customer=customer,
                session=session.apizee_id,
            )
        self._apizee_post_note(body, author=opener or self._apizee_customer() or None)
        if not sent:
            self._apizee_notify_waiting(session, customer, reference)

    def _apizee_notify_waiting(self, session, customer, reference):
        """The sticky "customer waiting" notification, sent at commit to the agents
        who may call from the record and read it (``_apizee_live_users``)."""
        for user in self._apizee_users_to_tell():
            lang_self = self.with_context(lang=user.lang)
            payload = {
                "title": lang_self.env._("A customer is waiting"),
                "message": lang_self.env._(
                    "%(customer)s is waiting in the video call of %(reference)s.",
                    customer=customer,
                    reference=reference,
                ),
                "url": session.agent_url or False,
                "res_model": self._name,
                "res_id": self.id,
            }
            user.partner_id._bus_send(const.WAITING_NOTIFICATION, payload)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rules of a session's life, as Apizee's webhooks tell it.

For an event, the session is found first (``_get_from_notification``), then applies
the facts (``_process_notification``), as ``payment.transaction`` does with its
providers' notifications: which state wins by Apizee's time, the room links, consent,
media saved once, and the lines of its timeline note (``Timeline``).
"""

import logging
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote as url_quote

from markupsafe import Markup
from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import human_size

from .. import const
from ..exceptions import Ignored, RetryLater
from ..utils import apizee_webhooks
from ..utils.apizee_webhooks import pick
from .apizee_client import ApizeeError

_logger = logging.getLogger(__name__)


class Timeline:
    """The lines of the sessions' timeline notes gathered while a batch of webhook
    events is applied: one note per session and batch (``post``), whatever the
    number of its events.

    A line is ``(when, text, attachment)``. An event whose changes are rolled back
    takes its lines back (``mark`` then ``rollback``).
    """

    def __init__(self):
        self.entries = []  # (session, when, text, attachment), in order

    def add(self, session, text, when=None, attachment=None):
        self.entries.append((session, when, text, attachment))

    def mark(self):
        return len(self.entries)

    def rollback(self, mark):
        del self.entries[mark:]

    def post(self):
        """Log one note per session on its record, as OdooBot."""
        by_session = defaultdict(list)
        for session, when, text, attachment in self.entries:
            by_session[session].append((when, text, attachment))
        self.entries = []
        for session, lines in by_session.items():
            session._log_timeline(lines)


class ApizeeSession(models.Model):
    _inherit = "apizee.session"

    # -- Webhook notifications: found, then applied --------------------------------

    @api.model
    def _get_from_notification(self, event, props):
        """The session a webhook event is about, among the sessions of the event's
        company. A "ticket" event that names the reference of one of the company's
        records creates the session (created in Apizee's own UI).

        :param event: the ``apizee.webhook.event``
        :param dict props: the delivery's ``props``
        :return: ``(session, created)``
        :raise Ignored: the event is about nothing of this database
        :raise RetryLater: its session is not known (yet)
        """
        if event.object == const.WEBHOOK_OBJECT_TICKET:
            return self._get_from_ticket_notification(event, props)
        if event.object == const.WEBHOOK_OBJECT_SESSION_EVENT:
            if (event.event_name or "") not in self._timeline_labels():
                raise Ignored(self.env._("Unknown session event."))
        elif event.event == "delete":  # a media
            raise Ignored(self.env._("Media deleted in Apizee: kept in Odoo."))
        if not event.session_ref:
            raise RetryLater(
                self.env._("The event names no Apizee session."),
                give_up_state="ignored",
            )
        session = self.sudo().search(
            [
                ("apizee_id", "=", event.session_ref),
                ("company_id", "=", event.company_id.id),
            ],
            limit=1,
        )
        if not session:
            raise RetryLater(
                self.env._(
                    "No session %(session)s in this database (yet).",
                    session=event.session_ref,
                ),
                give_up_state="ignored",
            )
        return session, False

    @api.model
    def _get_from_ticket_notification(self, event, props):
        """``_get_from_notification`` for an Apizee "ticket" (our session): found
        by Apizee id, else by reference; created for a record of that reference."""
        Session = self.sudo()
        company = [("company_id", "=", event.company_id.id)]
        session = Session.search(
            [("apizee_id", "=", event.object_id), *company], limit=1
        )
        reference = str(props.get("reference") or "")
        if not session and reference:
            session = Session.search(
                [("reference", "=", reference), ("apizee_id", "=", False), *company],
                limit=1,
            )
        if session:
            return session, False
        if event.event == "delete" or not reference:
            raise Ignored(self.env._("No session of this database."))
        record = self._find_record(reference, event.company_id)
        if not record:
            raise Ignored(
                self.env._(
                    "No ticket of this database has the reference %(reference)s.",
                    reference=reference,
                )
            )
        # The agent's "Open room" may be storing this very session now: wait a
        # little (by Odoo's clock, Apizee's may differ), then take the record's
        # lock as "Open room" does, so that only one of them creates it.
        waiting = self.env._("Waiting for the session to be stored by Odoo.")
        if fields.Datetime.now() - event.create_date < timedelta(
            seconds=const.WEBHOOK_SESSION_GRACE
        ):
            raise RetryLater(waiting, give_up_state="ignored")
        try:
            record._apizee_lock(nowait=True)
        except (errors.LockNotAvailable, errors.SerializationFailure):
            raise RetryLater(waiting, give_up_state="ignored") from None
        values = self._checked_room_links(
            self._values_from_answer({**props, "id": event.object_id}), event
        )
        values.pop("state_time", None)
        values.pop("state", None)  # applied by the event's time, in the next step
        session = Session.create(
            {
                **values,
                "res_model": record._name,
                "res_id": record.id,
                "reference": reference,
                # Not opened by Odoo: Apizee's invitation form or the video panel
                "origin": "apizee",
            }
        )
        event._wake_waiting(session)
        return session, True

    @api.model
    def _checked_room_links(self, values, event):
        """``values`` without the room links a webhook may not set: only https on the
        host of the company's Apizee server or ``*.apizee.com`` (see
        ``apizee_webhooks.is_room_url``), since "Open room" opens them for the agent.
        A refused link is dropped and logged; the rest of the event applies.

        :param dict values: session values read from the delivery
        :param event: the ``apizee.webhook.event`` (for the log)
        :return: the same dict
        """
        company = event.company_id
        server_url = company.apizee_server_url or const.DEFAULT_SERVER_URL
        for field in ("agent_url", "guest_url"):
            url = values.get(field)
            if url and not apizee_webhooks.is_room_url(url, server_url):
                del values[field]
                _logger.warning(
                    "Apizee webhook event %s: room link %r refused (not https on the "
                    "Apizee server's host nor *.apizee.com)",
                    event.id,
                    url[:200],
                )
        return values

    @api.model
    def _find_record(self, reference, company):
        """The record of ``company`` whose reference is ``reference``, among the
        models with video calls (as superuser)."""
        for model in self._video_models():
            Model = self.env[model].sudo()
            domain = Model._apizee_reference_domain(reference)
            if domain is None:
                continue
            if "company_id" in Model._fields:
                domain = [*domain, ("company_id", "=", company.id)]
            record = Model.search(domain, limit=1)
            if record:
                return record
        return None

    def _process_notification(self, event, props, timeline, created=False):
        """Apply what a webhook event says of the session.

        :param event: the ``apizee.webhook.event`` (its company is the session's)
        :param dict props: the delivery's ``props``
        :param Timeline timeline: where the lines of the session's note go
        :param bool created: the session was created for this event
        :return: ``(state, result)``: ``done`` or ``ignored``, and what happened
        :raise RetryLater: a failure worth another attempt
        """
        self.ensure_one()
        # The note's lines are read by the agents: in the language of the agent who
        # opened the session, else of its company (the cron's user has none)
        lang = self.agent_id.lang or self.company_id.partner_id.lang
        session = self.with_context(lang=lang) if lang else self
        if event.object == const.WEBHOOK_OBJECT_TICKET:
            return session._process_ticket(event, props, timeline, created)
        if event.object == const.WEBHOOK_OBJECT_SESSION_EVENT:
            if event._already_applied():
                return "ignored", session.env._("Already applied.")
            return session._process_session_event(event, props, timeline)
        return session._process_media(event, props, timeline)

    def _process_ticket(self, event, props, timeline, created):
        """A "ticket" event: created, updated or deleted in Apizee."""
        when = event.apizee_time
        if created:
            timeline.add(
                self, self.env._("Session created in Apizee for this ticket."), when
            )
            values = self._values_from_answer({**props, "id": event.object_id})
            if values.get("state"):
                self._apply_state(values["state"], when)
            return "done", self.env._("Session created.")
        if event.event == "delete":
            if self._apply_state("cancelled", when):
                timeline.add(self, self.env._("Session deleted in Apizee."), when)
            return "done", self.env._("Session deleted in Apizee.")
        values = self._checked_room_links(
            self._values_from_answer({**props, "id": event.object_id}), event
        )
        state = values.pop("state", None)
        values.pop("state_time", None)  # set with the state, by the event's time
        values.pop("reference", None)
        if self.apizee_id:  # else found by reference: now it has its id
            values.pop("apizee_id", None)
        if values and (not self.state_time or not when or when >= self.state_time):
            self.sudo().write(values)
        if state and self._apply_state(state, when):
            label = dict(self._fields["state"]._description_selection(self.env))
            return "done", self.env._("State: %(state)s.", state=label.get(state))
        return "done", self.env._("Nothing newer than what the session says.")

    def _process_session_event(self, event, props, timeline):
        """One entry of a session's timeline (``conversationevent``): a line of the
        note, and the state or the consent it implies."""
        name = event.event_name
        when = event.apizee_time
        line = self._timeline_labels()[name]
        if name == "consent.accepted" and (
            not self.consent_time or (when and when < self.consent_time)
        ):
            source = str(props.get("source") or "")
            self.sudo().write(
                {
                    "consent_time": when or fields.Datetime.now(),
                    "consent_source": source[:64] or False,
                }
            )
        if name == "survey.answered":
            answer = pick(props.get("data") or {}, ("rating", "score", "answer"))
            if answer is not None:
                line = self.env._(
                    "Survey answered: %(answer)s", answer=str(answer)[:100]
                )
        state = const.SESSION_EVENT_STATES.get(name)
        if state:
            self._apply_state(state, when)
        timeline.add(self, line, when)
        return "done", line

    @api.model
    def _timeline_labels(self):
        """The line of each session event Apizee's webhooks send."""
        return {
            "consent.accepted": self.env._("The guest accepted the consent."),
            "ticket.invitationSent": self.env._("Invitation sent."),
            "ticket.invitationClicked": self.env._("The guest opened the invitation."),
            "ticket.invitationAccepted": self.env._(
                "The guest accepted the invitation."
            ),
            "ticket.invitationDeclined": self.env._(
                "The guest declined the invitation."
            ),
            "ticket.invitationExpired": self.env._("The invitation expired."),
            "ticket.sessionStarted": self.env._("Video session started."),
            "session.established": self.env._("Video connection established."),
            "session.userLeft": self.env._("The guest left the session."),
            "session.agentLeft": self.env._("The agent left the session."),
            "media.pictureTaken": self.env._("Picture taken."),
            "survey.answered": self.env._("Survey answered."),
            "ticket.completed": self.env._("Session completed."),
            "ticket.closed": self.env._("Session closed."),
            "ticket.cancelled": self.env._("Session cancelled."),
        }

    def _process_media(self, event, props, timeline):
        """A picture or recording of the session: saved on its record once, within
        the size and types of the settings."""
        record = self._record()
        media_id = event.object_id or ""
        prefix = f"{const.MEDIA_ATTACHMENT_PREFIX}{media_id}"
        Attachment = self.env["ir.attachment"].sudo()
        # Per record, so per company: the record is one of the event's company
        if Attachment.search_count(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("name", "=like", f"{prefix}.%"),
            ],
            limit=1,
        ):
            return "ignored", self.env._("Already saved.")
        max_bytes, types = self._media_limits()
        declared_type = str(pick(props, const.MEDIA_TYPE_KEYS) or "").lower()
        declared_size = pick(props, const.MEDIA_SIZE_KEYS)
        refused = None
        if declared_type and declared_type not in types:
            refused = self._media_refused(event, mimetype=declared_type)
        elif str(declared_size or "").isdigit() and int(declared_size) > max_bytes:
            refused = self._media_refused(event, max_bytes=max_bytes)
        else:
            try:
                mimetype, content = self._download_media(event, props, max_bytes)
            except ApizeeError as error:
                if error.kind != "too_large":
                    raise
                refused = self._media_refused(event, max_bytes=max_bytes)
            else:
                mimetype = mimetype or declared_type
                if mimetype not in types:
                    refused = self._media_refused(event, mimetype=mimetype)
        if refused:
            timeline.add(self, refused, event.apizee_time)
            return "ignored", refused
        name = prefix + apizee_webhooks.media_extension(mimetype)
        attachment = Attachment.create(
            {
                "name": name,
                "raw": content,
                "mimetype": mimetype,
                "res_model": record._name,
                "res_id": record.id,
                "company_id": self.company_id.id,
            }
        )
        self.sudo().media_count += 1
        line = self.env._(
            "Media saved: %(name)s (%(size)s kB).",
            name=name,
            size=round(len(content) / 1024),
        )
        timeline.add(self, line, event.apizee_time, attachment)
        return "done", line

    def _download_media(self, event, props, max_bytes):
        """The media's content, through the session's company's Apizee account.

        :return: ``(mimetype, bytes)``
        :raise ApizeeError: ``too_large`` over ``max_bytes``, or any failure
        """
        company = self.company_id
        url = pick(props, const.MEDIA_URL_KEYS)
        if not url:
            media_id = url_quote(event.object_id or "", safe="")
            media = company._apizee_call("GET", f"{const.MEDIAS_PATH}/{media_id}")
            url = pick(media, const.MEDIA_URL_KEYS) if isinstance(media, dict) else None
            if not url:
                raise RetryLater(self.env._("Apizee gave no download link."))
        return company._apizee_download(str(url), max_bytes)

    @api.model
    def _media_refused(self, event, mimetype=None, max_bytes=None):
        """The line that tells the agent that the event's media stayed in Apizee:
        its type is not allowed, or it is larger than ``max_bytes``."""
        if max_bytes is None:
            return self.env._(
                "Media %(media)s (%(type)s) not saved: this type is not allowed in "
                "Settings.",
                media=event.object_id or "",
                type=mimetype or "?",
            )
        return self.env._(
            "Media %(media)s not saved: it is larger than %(size)s (Settings).",
            media=event.object_id or "",
            size=human_size(max_bytes),
        )

    @api.model
    def _media_limits(self):
        """``(max_bytes, allowed types)`` of media saved on records (settings)."""
        params = self.env["ir.config_parameter"].sudo()
        size = params.get_param(const.MEDIA_MAX_BYTES_PARAM, "")
        types = params.get_param(const.MEDIA_TYPES_PARAM) or const.MEDIA_TYPES_DEFAULT
        return (
            int(size) if size.isdigit() else const.MEDIA_MAX_BYTES_DEFAULT,
            {t.strip().lower() for t in types.split(",") if t.strip()},
        )

    def _log_timeline(self, lines):
        """Log the session's note of a batch on its record, as OdooBot.

        :param lines: ``(when, text, attachment)``, in order; ``when`` is shown in
            the time zone of the agent who opened the session, else of the record's
            user
        """
        self.ensure_one()
        session = self.sudo()
        record = session._record()
        record_user = record["user_id"] if "user_id" in record._fields else None
        tz = session.agent_id.tz or (record_user and record_user.tz) or "UTC"
        items = []
        for when, text, _attachment in lines:
            stamp = ""
            if when:
                local = fields.Datetime.context_timestamp(
                    session.with_context(tz=tz), when
                )
                stamp = local.strftime("%H:%M:%S ")
            items.append(Markup("<li>%s%s</li>") % (stamp, text))
        title = self.env._("Apizee session %(session)s", session=session.apizee_id)
        attachments = self.env["ir.attachment"].union(
            *(attachment for _when, _text, attachment in lines if attachment)
        )
        record._apizee_post_note(
            Markup("<p>%s</p><ul>%s</ul>") % (title, Markup("").join(items)),
            attachments,
            author=self.env.ref("base.partner_root"),
        )

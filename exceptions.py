# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What applying a webhook event may end with, other than done.

The shape of OCA ``queue_job``'s ``RetryableJobError``: the code that applies an event
says what should happen to it; the queue (``apizee.webhook.event``) does it.
"""


class RetryLater(Exception):
    """Try the event again later.

    :param str message: why, kept on the event (translated)
    :param int seconds: when to try again, instead of the next delay of
        ``const.WEBHOOK_RETRY_DELAYS``
    :param bool ignore_retry: the attempt does not count (not the event's fault:
        Apizee's rate limit, say)
    :param str give_up_state: what the event becomes when no attempt is left
        (``failed``, for an administrator to look at, or ``ignored``)
    :param bool final: no later attempt would differ: give up now
    """

    def __init__(
        self,
        message,
        seconds=None,
        ignore_retry=False,
        give_up_state="failed",
        final=False,
    ):
        super().__init__(message)
        self.seconds = seconds
        self.ignore_retry = ignore_retry
        self.give_up_state = give_up_state
        self.final = final


class Ignored(Exception):  # noqa: N818 (an outcome, not an error)
    """The event is about nothing of this database: marked ignored, with the reason
    given as message."""


class JoinWait(Exception):  # noqa: N818 (an outcome, not an error)
    """A customer's join link cannot create a session now: try again in ``seconds``
    (one creation per record a minute, or Apizee's rate limit).

    :param str message: what to tell the customer (translated)
    :param int seconds: when to try again
    """

    def __init__(self, message, seconds):
        super().__init__(message)
        self.seconds = seconds

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Tickets that were there before the module count their reopenings and their
    agents' replies from their history (Tickets with Video)."""
    env["helpdesk.ticket"]._apizee_count_history()

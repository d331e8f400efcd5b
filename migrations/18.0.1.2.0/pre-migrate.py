# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Sessions name their record generically (``res_model``/``res_id``): the sessions of
earlier versions all belong to tickets."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE apizee_session
            ADD COLUMN IF NOT EXISTS res_model varchar,
            ADD COLUMN IF NOT EXISTS res_id integer
        """
    )
    cr.execute(
        """
        UPDATE apizee_session
           SET res_model = 'helpdesk.ticket', res_id = ticket_id
         WHERE res_model IS NULL
        """
    )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.1.0: webhook events get a required company (see post-migrate.py), and the
token cache is emptied (its rows now have owners).

Before the models load: the events stored so far came with the one secret of the
database, now the main company's, so they are the main company's. The column is made
and filled here, so that the ORM can set it NOT NULL. Idempotent.
"""


def migrate(cr, version):
    if not version:
        return
    # The token cache had one row per Apizee user name, whoever typed it: rows are now
    # an agent's own (bound to their Odoo user) or the technical accounts'. It is a
    # cache: emptied, every account asks a new token on its next call.
    cr.execute("SELECT to_regclass('apizee_token') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("DELETE FROM apizee_token")
    cr.execute("SELECT to_regclass('apizee_webhook_event') IS NOT NULL")
    if not cr.fetchone()[0]:
        return
    cr.execute(
        "ALTER TABLE apizee_webhook_event ADD COLUMN IF NOT EXISTS company_id int4"
    )
    # base.main_company, else the lowest company id (as the route's URL without id)
    cr.execute(
        """
        SELECT COALESCE(
            (SELECT c.id FROM ir_model_data d JOIN res_company c ON c.id = d.res_id
              WHERE d.module = 'base' AND d.name = 'main_company'
                AND d.model = 'res.company'),
            (SELECT min(id) FROM res_company)
        )
        """
    )
    main_company_id = cr.fetchone()[0]
    cr.execute(
        "UPDATE apizee_webhook_event SET company_id = %s WHERE company_id IS NULL",
        [main_company_id],
    )

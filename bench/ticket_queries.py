# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SQL queries to load one ticket form and an 80-ticket list, as the web client does.

Run inside `odoo-bin shell` (see bench/ticket_queries.sh, which runs it on a
database with helpdesk_mgmt only and on one with helpdesk_apizee). Prints one
line of numbers.
"""
# ruff: noqa: F821 - `env` is given by odoo-bin shell

from lxml import etree


def _spec(model, arch):
    """Web client specification of the fields of a view arch."""
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        name = node.get("name")
        field = model._fields.get(name)
        if not field or node.getparent().tag == "field":
            continue
        if field.type in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def _count(env, func):
    env.invalidate_all()
    func()  # warm the registry caches (views, ACLs, rules)
    env.invalidate_all()
    before = env.cr.sql_log_count
    func()
    return env.cr.sql_log_count - before


Ticket = env["helpdesk.ticket"]
missing = 80 - Ticket.search_count([])
if missing > 0:
    team = env["helpdesk.ticket.team"].search([], limit=1)
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {i}",
                "phone": "+33612345678",
                "email": f"b{i}@x.fr",
            }
            for i in range(missing)
        ]
    )
    Ticket.create(
        [
            {
                "name": f"Bench ticket {i}",
                "description": "<p>bench</p>",
                "partner_id": partner.id,
                "team_id": team.id,
            }
            for i, partner in enumerate(partners)
        ]
    )
    env.cr.commit()

user = env.ref("base.user_admin")
Ticket = Ticket.with_user(user)
views = Ticket.get_views([(False, "form"), (False, "list")])["views"]
form_spec = _spec(Ticket, views["form"]["arch"])
list_spec = _spec(Ticket, views["list"]["arch"])
ticket = Ticket.search([], limit=1, order="id desc")
form = _count(env, lambda: ticket.web_read(form_spec))
listing = _count(env, lambda: Ticket.web_search_read([], list_spec, limit=80))
installed = bool(
    env["ir.module.module"].search_count(
        [("name", "=", "helpdesk_apizee"), ("state", "=", "installed")]
    )
)
print(
    f"BENCH module={'with' if installed else 'without'} "
    f"form_queries={form} list80_queries={listing} "
    f"form_fields={len(form_spec)} list_fields={len(list_spec)}"
)

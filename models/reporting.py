# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Medians in Odoo's reports.

Odoo's ``read_group`` knows sums, averages, minima and maxima; a field declared with
``aggregator="median"`` on a model that routes ``_read_group_select`` here is read in
pivots, graphs and grouped lists as the median of its group, over the rows where a
second field is set (a call's length over the sessions with a call, hours to close
over the tickets closed): a row without the fact does not pull the median to 0.
"""

from odoo.models import parse_read_group_spec
from odoo.tools import SQL

MEDIAN = "median"


def median_select(model, aggregate_spec, query, over):
    """The SQL of ``aggregate_spec`` when it asks for a median, else None.

    :param model: the model read (``self`` of ``_read_group_select``)
    :param str aggregate_spec: e.g. ``"call_minutes:median"``
    :param query: the ``Query`` of the read_group
    :param dict over: field name -> the field whose rows count (set, not NULL)
    :raise ValueError: for a median of a field not in ``over`` (as Odoo does for
        any aggregate it does not know)
    """
    if aggregate_spec == "__count":
        return None
    fname, property_name, func = parse_read_group_spec(aggregate_spec)
    if func != MEDIAN:
        return None
    if property_name or fname not in over:
        raise ValueError(f"Invalid aggregate method {func!r} for {aggregate_spec!r}.")
    value = model._field_to_sql(model._table, fname, query)
    present = model._field_to_sql(model._table, over[fname], query)
    return SQL(
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %s) FILTER (WHERE %s IS NOT NULL)",
        value,
        present,
    )

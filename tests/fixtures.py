# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Values for the tests, the tours and the benchmarks (plain Python, no Odoo: the
benchmarks import it too)."""


def hours_values(name, tz="UTC", hour_from=0.0, hour_to=24.0, days=7):
    """Values of a ``resource.calendar``: from ``hour_from`` to ``hour_to`` on the
    first ``days`` days of the week (Monday first); every day, all day by default.

    :return: a dict for ``create``
    """
    return {
        "name": name,
        "tz": tz,
        "attendance_ids": [(5, 0, 0)]
        + [
            (
                0,
                0,
                {
                    "name": f"{name} {day}",
                    "dayofweek": str(day),
                    "hour_from": hour_from,
                    "hour_to": hour_to,
                    "day_period": "morning",
                },
            )
            for day in range(days)
        ],
    }

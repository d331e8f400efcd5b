# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The video pop-in's costs, against a running Odoo and the stand-in Apizee.

Run by bench/popin.sh. Prints numbers:

- the bootstrap route's median latency with a warm cache, as a ratio to a trivial
  authenticated JSON route of the same server (goal: at most 1.5);
- the source bytes the module adds to the backend bundle, loaded with the web client
  (goal: at most 10 KB), and to its own bundle, loaded on first use.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
sys.path.insert(0, os.path.dirname(__file__))
from apizee_standin import ApizeeStandIn  # noqa: E402
from rooms import Rpc  # noqa: E402

# Loaded with the web client (the goal is about it), and on first use
BUNDLES = ("web.assets_backend", "helpdesk_apizee.assets_lazy")


def median_ms(rpc, paths, runs):
    """Median latency of each of ``paths``, called in turns, so that a load coming and
    going on the machine weighs on all of them alike."""
    times = {path: [] for path in paths}
    for run in range(runs):
        for path in paths if run % 2 else reversed(paths):
            started = time.monotonic()
            rpc._post(path, {})
            times[path].append(time.monotonic() - started)
    return [statistics.median(times[path]) * 1000 for path in paths]


def bundle_bytes(db, odoo_args):
    """Bytes of the module's source files in each of its bundles, by folder of
    ``static/src``: the files Odoo itself puts in the bundle (``ir.asset``, that is the
    manifests' globs, includes and removes), read from the database ``db``.

    :param list odoo_args: Odoo's options to reach the database and the add-ons
    :return: ``{bundle: {folder: bytes}}`` for ``BUNDLES``
    """
    import odoo  # noqa: PLC0415 - only this measure needs Odoo in this process
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    odoo.tools.config.parse_config(odoo_args, setup_logging=False)
    sizes = {}
    with odoo.modules.registry.Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for bundle in BUNDLES:
            by_folder = sizes[bundle] = {}
            for url, path, *_rest in env["ir.asset"]._get_asset_paths(bundle, {}):
                if url.startswith("/helpdesk_apizee/static/src/"):
                    folder = url.split("/")[4]
                    by_folder[folder] = by_folder.get(folder, 0) + os.path.getsize(path)
    return sizes


def main():
    parser = argparse.ArgumentParser(
        allow_abbrev=False, epilog="Other options are Odoo's (database, add-ons path)."
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=200)
    args, odoo_args = parser.parse_known_args()
    standin = ApizeeStandIn().start()
    standin.add_user("popin@example.com", "popin-Secret")
    admin = Rpc(args.url, args.db, "admin", "admin")
    company_id = admin.company_id()
    admin.call("res.company", "write", [company_id], {"apizee_server_url": standin.url})
    group = admin.helpdesk_user_group()
    admin.call(
        "res.users",
        "create",
        {
            "name": "Pop-in agent",
            "login": "bench_popin",
            "password": "bench_popin",
            "groups_id": [(4, group)],
            "apizee_username": "popin@example.com",
            "apizee_password_input": "popin-Secret",
            "apizee_popin": True,
        },
    )
    agent = Rpc(args.url, args.db, "bench_popin", "bench_popin")
    first = agent._post("/helpdesk_apizee/agent/bootstrap", {})
    assert first["ok"], first
    bootstrap, trivial = median_ms(
        agent, ["/helpdesk_apizee/agent/bootstrap", "/web/session/check"], args.runs
    )
    calls = len(standin.requests)
    print(
        f"bootstrap_warm_median_ms={bootstrap:.2f} "
        f"trivial_json_median_ms={trivial:.2f} "
        f"ratio={bootstrap / trivial:.2f} (goal <= 1.5) runs={args.runs} "
        f"apizee_requests_during_{args.runs + 1}_bootstraps={calls}"
    )
    sizes = bundle_bytes(args.db, odoo_args)
    for bundle, by_folder in sizes.items():
        print(
            f"{bundle}_source_bytes="
            + " ".join(f"{name}:{size}" for name, size in sorted(by_folder.items()))
            + f" total={sum(by_folder.values())}"
            + (" (goal <= 10240)" if bundle == "web.assets_backend" else "")
        )
    standin.stop()


if __name__ == "__main__":
    main()

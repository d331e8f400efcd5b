# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The video pop-in's costs, against a running Odoo and the stand-in Apizee.

Run by bench/popin.sh. Prints numbers:

- the bootstrap route's median latency with a warm cache, as a ratio to a trivial
  authenticated JSON route of the same server (goal: at most 1.5);
- the source bytes the module adds to the backend bundle (goal: at most 10 KB).
"""

import argparse
import glob
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
sys.path.insert(0, os.path.dirname(__file__))
from apizee_standin import ApizeeStandIn  # noqa: E402
from rooms import Rpc  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")


def median_ms(rpc, path, runs):
    times = []
    for _i in range(runs):
        started = time.monotonic()
        rpc._post(path, {})
        times.append(time.monotonic() - started)
    return statistics.median(times) * 1000


def bundle_bytes():
    """Bytes of the module's sources in web.assets_backend (tests excluded)."""
    files = [
        path
        for ext in ("js", "xml", "scss")
        for path in glob.glob(
            os.path.join(ROOT, "static/src/**/*." + ext), recursive=True
        )
    ]
    by_feature = {}
    for path in files:
        feature = os.path.relpath(path, os.path.join(ROOT, "static/src")).split(os.sep)[
            0
        ]
        by_feature[feature] = by_feature.get(feature, 0) + os.path.getsize(path)
    return by_feature


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
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
    bootstrap = median_ms(agent, "/helpdesk_apizee/agent/bootstrap", args.runs)
    trivial = median_ms(agent, "/web/session/check", args.runs)
    calls = len(standin.requests)
    print(
        f"bootstrap_warm_median_ms={bootstrap:.2f} "
        f"trivial_json_median_ms={trivial:.2f} "
        f"ratio={bootstrap / trivial:.2f} (goal <= 1.5) runs={args.runs} "
        f"apizee_requests_during_{args.runs + 1}_bootstraps={calls}"
    )
    features = bundle_bytes()
    print(
        "backend_bundle_source_bytes="
        + " ".join(f"{name}:{size}" for name, size in sorted(features.items()))
        + f" total={sum(features.values())} popin_only={features.get('agent_popin', 0)}"
        " (goal <= 10240)"
    )
    standin.stop()


if __name__ == "__main__":
    main()

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Customers opening their tickets' join links at once, against running Odoo servers
and the stand-in Apizee.

Run by bench/join.sh. CUSTOMERS customers, each with a ticket of a self-service team,
open their join link within SPREAD seconds (the page, then its button), as public
users; a customer told to wait ("try again in N seconds", 429) presses again after
N seconds, until a redirect. The company has POOL technical accounts. Prints:

- sessions Apizee created vs tickets (goal: equal: one per ticket, none twice);
- the most requests Apizee saw from one technical account in any 60 s (goal: at most
  its limit, 10) and in all (the accounts' capacity is 7 a minute each: the last
  3 slots are kept for the agents' clicks);
- the answers by status (goal: no 500);
- the time from the button to the redirect when no wait was needed (median, p95),
  and until each customer's redirect including the waits.
"""

import argparse
import os
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
sys.path.insert(0, os.path.dirname(__file__))
from apizee_standin import ApizeeStandIn  # noqa: E402
from fixtures import hours_values  # noqa: E402
from rooms import Rpc, max_per_minute, spread  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(admin, standin, customers, pool):
    """The company on the stand-in with ``pool`` technical accounts, a self-service
    team open every day all day, and one ticket per customer.

    :return: the join links
    """
    france = admin.call("res.country", "search", [("code", "=", "FR")], limit=1)
    admin.use_standin(standin, country_id=france[0])
    for index in range(2, pool):  # use_standin made 2
        username = f"bench-pool-{index}@example.com"
        standin.add_user(username, f"bench-pool-{index}-Secret")
        if not admin.call(
            "apizee.technical.account", "search", [("username", "=", username)]
        ):
            admin.call(
                "apizee.technical.account",
                "create",
                {"username": username, "password_input": f"bench-pool-{index}-Secret"},
            )
    hours = admin.call("resource.calendar", "create", hours_values("Bench: every day"))
    team = admin.call(
        "helpdesk.ticket.team",
        "create",
        {
            "name": "Bench self-service",
            "apizee_self_service": True,
            "apizee_resource_calendar_id": hours,
        },
    )
    partners = admin.call(
        "res.partner",
        "create",
        [
            {"name": f"Bench customer {i}", "mobile": f"+3361234{i:04d}"}
            for i in range(customers)
        ],
    )
    tickets = admin.call(
        "helpdesk.ticket",
        "create",
        [
            {
                "name": f"Bench join {i}",
                "description": "bench",
                "team_id": team,
                "partner_id": partner,
            }
            for i, partner in enumerate(partners)
        ],
    )
    return [
        row["apizee_join_url"]
        for row in admin.call("helpdesk.ticket", "read", tickets, ["apizee_join_url"])
    ]


class Customers:
    def __init__(self, urls, links):
        self.urls, self.links = urls, links
        self.lock = threading.Lock()
        self.statuses = {}
        self.first_press = []  # button -> redirect, when no wait was needed
        self.until_redirect = []  # first press -> redirect, waits included
        self.waits = 0
        self.failures = []

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def customer(self, index, start_at, deadline):
        time.sleep(max(0, start_at - time.time()))
        # Spread over the servers, as a proxy would
        base = self.urls[index % len(self.urls)]
        link = self.links[index]
        path = link[link.index("/helpdesk_apizee/") :]
        browser = requests.Session()
        try:
            page = browser.get(base + path, timeout=120)
            self.count(page.status_code)
            csrf = CSRF.search(page.text).group(1)
            first = time.time()
            waited = False
            while time.time() < deadline:
                started = time.time()
                answer = browser.post(
                    base + path,
                    data={"csrf_token": csrf},
                    allow_redirects=False,
                    timeout=120,
                )
                self.count(answer.status_code)
                if answer.status_code == 303:
                    with self.lock:
                        if not waited:
                            self.first_press.append(time.time() - started)
                        self.until_redirect.append(time.time() - first)
                    return
                if answer.status_code != 429:
                    self.failures.append(answer.status_code)
                    return
                waited = True
                with self.lock:
                    self.waits += 1
                time.sleep(int(answer.headers.get("Retry-After", "5")))
        except Exception as error:  # noqa: BLE001 (counted, not raised)
            self.failures.append(repr(error))

    def run(self, spread_seconds, deadline_seconds):
        now = time.time()
        deadline = now + deadline_seconds
        step = spread_seconds / max(1, len(self.links))
        with ThreadPoolExecutor(max_workers=len(self.links)) as pool:
            for index in range(len(self.links)):
                pool.submit(self.customer, index, now + index * step, deadline)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="Odoo servers, comma-separated")
    parser.add_argument("--db", required=True)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--spread-seconds", type=float, default=60)
    parser.add_argument("--deadline-seconds", type=float, default=900)
    parser.add_argument("--standin-latency", type=float, default=0.05)
    parser.add_argument("--mode", default="", help="printed with the figures")
    args = parser.parse_args()
    urls = args.url.split(",")

    standin = ApizeeStandIn().start()
    standin.latency = args.standin_latency
    admin = Rpc(urls[0], args.db, "admin", "admin")
    links = prepare(admin, standin, args.customers, args.pool)
    time.sleep(61)  # an empty rate-limit window
    standin.requests.clear()

    started = time.time()
    customers = Customers(urls, links)
    customers.run(args.spread_seconds, args.deadline_seconds)
    elapsed = time.time() - started

    created = standin.requests_to("/api/v3/tickets", "POST")
    references = [request["query"].get("reference") for request in created]
    by_user = {}
    for request in standin.requests:
        user = request["query"].get("username") or request["user"] or "anonymous"
        by_user.setdefault(user, []).append(request["time"])
    most = max((max_per_minute(times) for times in by_user.values()), default=0)
    total = max_per_minute([request["time"] for request in standin.requests])
    print(
        f"[{args.mode}] customers={args.customers} spread_s={args.spread_seconds:.0f} "
        f"technical_accounts={args.pool} elapsed_s={elapsed:.0f}"
    )
    print(
        f"[{args.mode}] sessions_created={len(created)} tickets={args.customers} "
        f"distinct_tickets={len(set(references))} (goal: equal)"
    )
    print(
        f"[{args.mode}] apizee_requests_max_per_minute_per_account={most} (goal <= 10) "
        f"apizee_requests_max_per_minute_all={total} accounts_used={len(by_user)}"
    )
    statuses = " ".join(f"{k}={v}" for k, v in sorted(customers.statuses.items()))
    print(
        f"[{args.mode}] answers: {statuses} (goal: no 500) waits={customers.waits} "
        f"failures={len(customers.failures)} {customers.failures[:3]}"
    )
    if customers.first_press:
        print(f"[{args.mode}] redirect_without_wait: {spread(customers.first_press)}")
    if customers.until_redirect:
        print(
            f"[{args.mode}] redirect_including_waits: "
            f"{spread(customers.until_redirect)} "
            f"max_s={max(customers.until_redirect):.0f} "
            f"median_s={statistics.median(customers.until_redirect):.0f}"
        )
    standin.stop()


if __name__ == "__main__":
    main()

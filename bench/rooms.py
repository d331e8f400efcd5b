# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Agents opening Apizee rooms at once, against a running Odoo and the stand-in Apizee.

Run by bench/rooms.sh, which starts a threaded Odoo server. Prints numbers:

- concurrent clicks on one ticket and the sessions Apizee created for it (goal: 1);
- a peak of AGENTS agents opening rooms and refreshing sessions, each with their own
  Apizee account on the stand-in (``--accounts own``, the default) or all through the
  technical account (``--accounts technical``, as before the Scale issue): calls
  refused by the client's own limiter (goal: 0), token requests per Apizee user
  (goal: 1), the most requests Apizee saw in any 60 s from one user (goal: never above
  its limit of 10);
- the latency Open room adds over the stand-in's own response time.
"""

import argparse
import os
import statistics
import sys
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from apizee_standin import ApizeeStandIn  # noqa: E402

TECH_USER, TECH_PASSWORD = "bench-tech@example.com", "bench-Secret-1"


class Rpc:
    """A logged-in JSON-RPC session of the web client."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.http = url, db, requests.Session()
        self.uid = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )["uid"]

    def _post(self, path, params):
        answer = self.http.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        ).json()
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer.get("result")  # absent when the route returns None

    def call(self, model, method, *args, **kwargs):
        return self._post(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def helpdesk_user_group(self):
        """Id of helpdesk_mgmt's "User" group."""
        return self.call(
            "ir.model.data",
            "check_object_reference",
            "helpdesk_mgmt",
            "group_helpdesk_user",
        )[1]

    def company_id(self):
        """Id of the administrator's company."""
        return self.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]

    def use_standin(self, standin, **values):
        """Point the administrator's company at ``standin``, with a technical account
        (``values``: more fields of the company)."""
        standin.add_user(TECH_USER, TECH_PASSWORD)
        self.call(
            "res.company",
            "write",
            [self.company_id()],
            {
                "apizee_server_url": standin.url,
                "apizee_api_username": TECH_USER,
                **values,
            },
        )
        # The password is written through Settings only (never read back)
        settings = self.call(
            "res.config.settings",
            "create",
            [{"apizee_api_password_input": TECH_PASSWORD}],
        )
        self.call("res.config.settings", "execute", settings)

    def button(self, model, method, ids, context=None):
        return self._post(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": {"context": context or {}},
            },
        )


def prepare(admin, standin, agents, own_accounts=True):
    """Point the company at the stand-in and make one ticket per agent (each agent
    with an Apizee account of their own on the stand-in, when ``own_accounts``)."""
    france = admin.call("res.country", "search", [("code", "=", "FR")], limit=1)
    admin.use_standin(standin, country_id=france[0])
    group = admin.helpdesk_user_group()
    logins = [f"bench_agent_{i:02d}" for i in range(agents)]
    existing = {
        u["login"]: u["id"]
        for u in admin.call(
            "res.users", "search_read", [("login", "in", logins)], ["login"]
        )
    }
    tickets = []
    for i, login in enumerate(logins):
        user_id = existing.get(login) or admin.call(
            "res.users",
            "create",
            {
                "name": f"Bench agent {i}",
                "login": login,
                "password": login,
                "groups_id": [(4, group)],
            },
        )
        if own_accounts:
            username = f"{login}@bench.example.com"
            standin.add_user(username, f"{login}-Secret")
            admin.call("res.users", "write", [user_id], {"apizee_username": username})
            # the agent types their password in their Preferences
            agent = Rpc(admin.url, admin.db, login, login)
            agent.call(
                "res.users",
                "write",
                [agent.uid],
                {"apizee_password_input": f"{login}-Secret"},
            )
        partner = admin.call(
            "res.partner",
            "create",
            {"name": f"Bench customer {i}", "mobile": f"+336{12000000 + i:08d}"},
        )
        tickets.append(
            admin.call(
                "helpdesk.ticket",
                "create",
                {
                    "name": f"Bench ticket {i}",
                    "description": "<p>bench</p>",
                    "partner_id": partner,
                    "user_id": user_id,
                },
            )
        )
    return logins, tickets


def concurrent_clicks(url, db, logins, ticket_id, standin, clicks):
    """`clicks` agents click Open room on the same ticket at the same moment."""
    sessions = [Rpc(url, db, login, login) for login in logins[:clicks]]
    barrier = threading.Barrier(clicks)
    errors = []

    def click(rpc):
        barrier.wait()
        try:
            rpc.button("helpdesk.ticket", "action_apizee_open_room", [ticket_id])
        except RuntimeError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=click, args=(rpc,)) for rpc in sessions]
    before = len(standin.requests_to("/api/v3/tickets", "POST"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = len(standin.requests_to("/api/v3/tickets", "POST")) - before
    return created, errors


def peak(url, db, logins, tickets, standin, seconds):
    """Every agent opens its room then refreshes its sessions, spread over `seconds`."""
    results = {"ok": 0, "refused": 0, "other": 0}
    timings = {"open_create": [], "refresh": [], "open_reuse": []}
    lock = threading.Lock()

    def agent(index, login, ticket_id):
        time.sleep(seconds * index / len(logins))
        rpc = Rpc(url, db, login, login)
        for method in ("open_create", "refresh", "open_reuse"):
            started = time.monotonic()
            try:
                if method.startswith("open"):
                    rpc.button(
                        "helpdesk.ticket", "action_apizee_open_room", [ticket_id]
                    )
                else:
                    ids = rpc.call(
                        "apizee.session", "search", [("ticket_id", "=", ticket_id)]
                    )
                    rpc.button("apizee.session", "action_apizee_refresh", ids)
                outcome = "ok"
            except RuntimeError as error:
                outcome = "refused" if "per minute" in str(error) else "other"
            with lock:
                results[outcome] += 1
                if outcome == "ok":
                    timings[method].append(time.monotonic() - started)

    threads = [
        threading.Thread(target=agent, args=(i, login, ticket))
        for i, (login, ticket) in enumerate(zip(logins, tickets, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, timings


def max_per_minute(times):
    """Most requests in any 60 s window."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def latency(url, db, login, ticket_id, standin, runs=20):
    """Median time of Open room on a ticket whose session is live."""
    rpc = Rpc(url, db, login, login)
    reuse = []
    for _i in range(runs):
        started = time.monotonic()
        rpc.button("helpdesk.ticket", "action_apizee_open_room", [ticket_id])
        reuse.append(time.monotonic() - started)
    return statistics.median(reuse)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--peak-seconds", type=float, default=60)
    parser.add_argument("--standin-latency", type=float, default=0.05)
    parser.add_argument("--accounts", choices=("own", "technical"), default="own")
    args = parser.parse_args()

    standin = ApizeeStandIn().start()
    standin.latency = args.standin_latency
    admin = Rpc(args.url, args.db, "admin", "admin")
    logins, tickets = prepare(
        admin, standin, args.agents, own_accounts=args.accounts == "own"
    )

    created, errors = concurrent_clicks(
        args.url, args.db, logins, tickets[0], standin, args.clicks
    )
    print(
        f"concurrent_clicks={args.clicks} sessions_created={created} "
        f"errors={len(errors)}"
    )
    time.sleep(61)  # an empty rate-limit window for the peak

    results, timings = peak(
        args.url, args.db, logins[1:], tickets[1:], standin, args.peak_seconds
    )
    by_user = {}
    for request in standin.requests:
        user = request["query"].get("username") or request["user"] or "anonymous"
        by_user.setdefault(user, []).append(request["time"])
    tokens = standin.requests_to("/api/v3/token", "POST")
    token_users = {r["query"]["username"] for r in tokens}
    print(
        f"peak_agents={len(logins) - 1} peak_seconds={args.peak_seconds:.0f} "
        f"calls_ok={results['ok']} refused_by_client_limiter={results['refused']} "
        f"other_errors={results['other']}"
    )
    print(
        f"apizee_users={len(token_users)} token_requests={len(tokens)} "
        "token_requests_per_user_per_lifetime="
        f"{len(tokens) / max(1, len(token_users)):.2f}"
    )
    busiest = max(by_user, key=lambda user: max_per_minute(by_user[user]))
    print(
        f"accounts={args.accounts} "
        f"max_requests_per_60s_per_user={max_per_minute(by_user[busiest])} "
        f"(Apizee limit: 10; busiest: {busiest})"
    )
    for name, values in timings.items():
        if values:
            print(
                f"{name}_ok={len(values)} "
                f"median_ms={statistics.median(values) * 1000:.0f}"
            )
    reuse = latency(args.url, args.db, logins[1], tickets[1], standin)
    print(
        f"open_room_reuse_median_ms={reuse * 1000:.1f} (live session: no Apizee call)"
    )
    # Open room that creates a session: one POST to Apizee (the token is cached)
    time.sleep(61)
    created = []
    for login, ticket_id in list(zip(logins, tickets, strict=True))[1:9]:
        rpc = Rpc(args.url, args.db, login, login)
        ids = rpc.call("apizee.session", "search", [("ticket_id", "=", ticket_id)])
        admin.call("apizee.session", "write", ids, {"state": "done"}) if ids else None
        started = time.monotonic()
        rpc.button("helpdesk.ticket", "action_apizee_open_room", [ticket_id])
        created.append(time.monotonic() - started)
    median = statistics.median(created) * 1000
    print(
        f"open_room_create_median_ms={median:.0f} "
        f"standin_latency_ms={args.standin_latency * 1000:.0f} "
        f"added_by_odoo_ms={median - args.standin_latency * 1000:.0f}"
    )
    standin.stop()


if __name__ == "__main__":
    main()

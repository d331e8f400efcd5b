# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Agents opening Apizee rooms at once, against running Odoo servers and the stand-in
Apizee.

Run by bench/rooms.sh, which starts one threaded Odoo server, or several servers in
prefork mode on one database (``--servers 2 --workers 4``, as two machines behind a
proxy would be). Prints numbers:

- concurrent clicks on one ticket, spread over the servers, and the sessions Apizee
  created for it (goal: 1);
- a peak of AGENTS agents, spread over the servers, each clicking Open room twice at
  once (a double click that reaches two servers), then refreshing its sessions, then
  Open room again; each agent with their own Apizee account on the stand-in
  (``--accounts own``, the default) or all through the technical accounts
  (``--accounts technical``, as before the Scale issue), the company with two
  technical accounts: calls refused by the client's own limiter (goal: 0), token
  requests per Apizee user (goal: 1), the most requests Apizee saw in any 60 s from
  one user (goal: never above its limit of 10), sessions created vs tickets clicked
  (goal: equal), the median and 95th percentile time Open room adds over the
  stand-in's own.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from apizee_standin import ApizeeStandIn  # noqa: E402

TECH_USER, TECH_PASSWORD = "bench-tech@example.com", "bench-Secret-1"
POOL_USER, POOL_PASSWORD = "bench-tech-2@example.com", "bench-Secret-2"


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
        # A second technical account in the company's pool
        standin.add_user(POOL_USER, POOL_PASSWORD)
        if not self.call(
            "apizee.technical.account", "search", [("username", "=", POOL_USER)]
        ):
            self.call(
                "apizee.technical.account",
                "create",
                {"username": POOL_USER, "password_input": POOL_PASSWORD},
            )

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


def concurrent_clicks(urls, db, logins, ticket_id, standin, clicks):
    """``clicks`` agents click Open room on the same ticket at the same moment, each
    on the next server."""
    sessions = [
        Rpc(urls[i % len(urls)], db, login, login)
        for i, login in enumerate(logins[:clicks])
    ]
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


def apizee_requests_of(standin, username, started, ended):
    """Requests the stand-in received from ``username`` between two instants."""
    return sum(
        1
        for request in list(standin.requests)
        if started <= request["time"] <= ended
        and username in (request["user"], request["query"].get("username"))
    )


class Peak:
    """Every agent double-clicks Open room (two servers at once), refreshes its
    sessions, then opens its room again, the agents spread over ``seconds``."""

    def __init__(self, urls, db, standin, own_accounts):
        self.urls, self.db, self.standin = urls, db, standin
        self.own_accounts = own_accounts
        self.results = {"ok": 0, "refused": 0, "other": 0}
        self.timings = {"open_create": [], "refresh": [], "open_reuse": []}
        # Open room's time beyond the stand-in's own: the click that created the
        # session, and its twin that waited for it (Odoo retries a transaction that
        # met a concurrent update after a random pause)
        self.added = {"first_click": [], "twin_click": [], "reuse": []}
        self.errors = []
        self.lock = threading.Lock()

    def run(self, logins, tickets, seconds):
        # The agents are at work already: their browsers logged in before the peak
        # (a login hashes the password, which is not what this bench measures)
        with ThreadPoolExecutor(4) as pool:
            browsers = list(pool.map(self.log_in, enumerate(logins)))
        threads = [
            threading.Thread(
                target=self.agent,
                args=(i, login, rpcs, ticket, seconds, len(logins)),
            )
            for i, (login, rpcs, ticket) in enumerate(
                zip(logins, browsers, tickets, strict=True)
            )
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.seconds = time.monotonic() - started

    def log_in(self, item):
        """The agent's browser on one server; their double click reaches the next
        server too."""
        index, login = item
        return [
            Rpc(self.urls[(index + k) % len(self.urls)], self.db, login, login)
            for k in range(2)
        ]

    def agent(self, index, login, rpcs, ticket_id, seconds, agents):
        time.sleep(seconds * index / agents)
        username = f"{login}@bench.example.com"
        barrier = threading.Barrier(2)

        def double_click(rpc):
            barrier.wait()
            self.step(
                "open_create",
                username,
                lambda: rpc.button(
                    "helpdesk.ticket", "action_apizee_open_room", [ticket_id]
                ),
            )

        twins = [threading.Thread(target=double_click, args=(rpc,)) for rpc in rpcs]
        for twin in twins:
            twin.start()
        for twin in twins:
            twin.join()

        def refresh():
            ids = rpcs[0].call(
                "apizee.session", "search", [("ticket_id", "=", ticket_id)]
            )
            rpcs[0].button("apizee.session", "action_apizee_refresh", ids)

        self.step("refresh", username, refresh)
        self.step(
            "open_reuse",
            username,
            lambda: rpcs[0].button(
                "helpdesk.ticket", "action_apizee_open_room", [ticket_id]
            ),
        )

    def step(self, name, username, func):
        started_at, started = time.time(), time.monotonic()
        try:
            func()
            outcome = "ok"
        except RuntimeError as error:
            outcome = "refused" if "per minute" in str(error) else "other"
            with self.lock:
                self.errors.append(str(error)[:200])
        elapsed = time.monotonic() - started
        with self.lock:
            self.results[outcome] += 1
            if outcome == "ok":
                self.timings[name].append(elapsed)
        if outcome == "ok" and name.startswith("open") and self.own_accounts:
            calls = apizee_requests_of(self.standin, username, started_at, time.time())
            kind = (
                "reuse"
                if name == "open_reuse"
                else ("first_click" if calls else "twin_click")
            )
            with self.lock:
                self.added[kind].append(elapsed - calls * self.standin.latency)


class ConnectionSampler(threading.Thread):
    """The most connections PostgreSQL held at once to the database (from every Odoo
    process), sampled every 250 ms (PG* variables of dev/setup.sh)."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db, self.most, self.done = db, 0, threading.Event()

    def run(self):
        try:
            import psycopg2  # noqa: PLC0415 (Odoo's requirement, in the venv)

            connection = psycopg2.connect(dbname="postgres")
            connection.autocommit = True
            with connection.cursor() as cr:
                while not self.done.wait(0.25):
                    cr.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                        (self.db,),
                    )
                    self.most = max(self.most, cr.fetchone()[0])
            connection.close()
        except Exception:  # noqa: BLE001 (a figure missing, not a failed bench)
            self.most = -1


def max_per_minute(times):
    """Most requests in any 60 s window."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def spread(seconds):
    """``n=.. median_ms=.. p95_ms=..`` of durations in seconds."""
    return (
        f"n={len(seconds)} median_ms={statistics.median(seconds) * 1000:.0f} "
        f"p95_ms={percentile(seconds, 0.95) * 1000:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="Odoo servers, comma-separated")
    parser.add_argument("--db", required=True)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--peak-seconds", type=float, default=60)
    parser.add_argument("--standin-latency", type=float, default=0.05)
    parser.add_argument("--accounts", choices=("own", "technical"), default="own")
    parser.add_argument("--mode", default="", help="printed with the figures")
    args = parser.parse_args()
    urls = args.url.split(",")

    standin = ApizeeStandIn().start()
    standin.latency = args.standin_latency
    admin = Rpc(urls[0], args.db, "admin", "admin")
    own = args.accounts == "own"
    logins, tickets = prepare(admin, standin, args.agents + 1, own_accounts=own)

    created, errors = concurrent_clicks(
        urls, args.db, logins, tickets[0], standin, args.clicks
    )
    print(
        f"[{args.mode}] servers={len(urls)} concurrent_clicks={args.clicks} "
        f"sessions_created={created} (goal 1) errors={len(errors)}"
    )
    time.sleep(61)  # an empty rate-limit window for the peak
    standin.requests.clear()

    peak = Peak(urls, args.db, standin, own)
    sampler = ConnectionSampler(args.db)
    sampler.start()
    peak.run(logins[1:], tickets[1:], args.peak_seconds)
    sampler.done.set()
    sampler.join()
    peak_s = peak.seconds
    by_user = {}
    for request in standin.requests:
        user = request["query"].get("username") or request["user"] or "anonymous"
        by_user.setdefault(user, []).append(request["time"])
    tokens = standin.requests_to("/api/v3/token", "POST")
    token_users = {r["query"]["username"] for r in tokens}
    sessions = len(standin.requests_to("/api/v3/tickets", "POST"))
    results = peak.results
    print(
        f"[{args.mode}] peak_agents={args.agents} peak_seconds={peak_s:.0f} "
        f"calls_ok={results['ok']} refused_by_client_limiter={results['refused']} "
        f"other_errors={results['other']} "
        f"tickets_clicked={args.agents} sessions_created={sessions}"
    )
    print(
        f"[{args.mode}] apizee_users={len(token_users)} token_requests={len(tokens)} "
        "token_requests_per_user_per_lifetime="
        f"{len(tokens) / max(1, len(token_users)):.2f}"
    )
    busiest = max(by_user, key=lambda user: max_per_minute(by_user[user]))
    print(
        f"[{args.mode}] accounts={args.accounts} "
        f"max_requests_per_60s_per_user={max_per_minute(by_user[busiest])} "
        f"(Apizee limit: 10; busiest: {busiest})"
    )
    for name, values in peak.timings.items():
        if values:
            print(f"[{args.mode}] {name} {spread(values)}")
    for kind, values in peak.added.items():
        if values:
            print(
                f"[{args.mode}] open_room_added_over_standin {kind} {spread(values)} "
                f"(stand-in latency per request {args.standin_latency * 1000:.0f} ms)"
            )
    print(f"[{args.mode}] postgresql_connections_max={sampler.most}")
    for error in sorted(set(peak.errors))[:5]:
        print(f"[{args.mode}] error: {error}")
    standin.stop()


if __name__ == "__main__":
    main()

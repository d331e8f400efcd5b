# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The video sessions report's pivot at scale (run inside `odoo-bin shell` by
bench/insight.sh). Prints numbers:

- the pivot's read_group on the sessions (team x month: count, average minutes in
  call and of wait), as a helpdesk agent of every team (record rules apply), median of
  several runs, and in the same run a comparable read_group on the tickets (team x
  month: count, average hours to close), and their ratio (goal: at most 2);
- the same for the two reports' pivots as shipped: the sessions' count, completed
  and no-show shares, median wait and minutes in call; the tickets' count, median
  hours to close, reopened share, average agent replies;
  each pair of read_groups run one right after the other, the ratio the median of
  the pairs' (the load of a small machine changes between runs);
- the queries the dashboard's figures take for 1 team card and for 20 (goal: the
  same).
"""
# ruff: noqa: F821 - `env` is given by odoo-bin shell

import os
import statistics
import time

SESSIONS = int(os.environ.get("BENCH_SESSIONS", 100000))
TICKETS = int(os.environ.get("BENCH_TICKETS", 50000))
RUNS = 15

cr = env.cr
Team = env["helpdesk.ticket.team"]
teams = Team.search([("name", "=like", "Bench insight %")])
if len(teams) < 20:
    teams |= Team.create(
        [{"name": f"Bench insight {i}"} for i in range(len(teams), 20)]
    )
partner = env["res.partner"].search([("name", "=", "Bench insight customer")], limit=1)
if not partner:
    partner = env["res.partner"].create({"name": "Bench insight customer"})
have = env["helpdesk.ticket"].search_count([("name", "=like", "Bench insight %")])
if have < TICKETS:
    stage = env["helpdesk.ticket.stage"].search([], limit=1)
    company = env.company
    # Plain SQL: 50,000 tickets over the last year, a third closed
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (name, number, description, team_id, partner_id,
            stage_id, company_id, create_date, write_date, closed_date, priority,
            active, apizee_hours_to_close, apizee_join_token)
        SELECT 'Bench insight ' || n, 'BI' || n, '<p>bench</p>',
            (%(teams)s)[1 + n %% 20], %(partner)s, %(stage)s, %(company)s,
            now() - (n %% 365) * interval '1 day', now(),
            CASE WHEN n %% 3 = 0 THEN now() - (n %% 365) * interval '1 day'
                + (n %% 72) * interval '1 hour' END,
            '1', true, CASE WHEN n %% 3 = 0 THEN n %% 72 ELSE 0 END, md5(n::text)
        FROM generate_series(%(start)s, %(stop)s) n
        """,
        {
            "teams": teams.ids,
            "partner": partner.id,
            "stage": stage.id,
            "company": company.id,
            "start": have + 1,
            "stop": TICKETS,
        },
    )
have = env["apizee.session"].search_count([("apizee_id", "=like", "BI-%")])
if have < SESSIONS:
    cr.execute(
        """
        INSERT INTO apizee_session (res_model, res_id, ticket_id, team_id, company_id,
            apizee_id, state, origin, create_date, write_date, call_start_time,
            call_end_time, call_minutes, wait_minutes, outcome, consent_given,
            invitation_sent)
        SELECT 'helpdesk.ticket', t.id, t.id, t.team_id, t.company_id, 'BI-' || n,
            CASE WHEN n %% 5 = 0 THEN 'expired' ELSE 'done' END, 'agent',
            t.create_date, now(), t.create_date, t.create_date + interval '12 minutes',
            CASE WHEN n %% 5 = 0 THEN 0 ELSE 12 END,
            CASE WHEN n %% 5 = 0 THEN 0 ELSE 2 END,
            CASE WHEN n %% 5 = 0 THEN 'no_show' ELSE 'completed' END,
            n %% 5 <> 0, true
        FROM generate_series(%(start)s, %(stop)s) n
        CROSS JOIN (
            SELECT array_agg(id ORDER BY id) AS ids FROM helpdesk_ticket
            WHERE name LIKE 'Bench insight %%'
        ) bench
        JOIN helpdesk_ticket t ON t.id = bench.ids[1 + n %% cardinality(bench.ids)]
        """,
        {"start": have + 1, "stop": SESSIONS},
    )
# The tickets' report facts as the ORM keeps them (set by SQL like the rows):
# a third closed in a closed stage, solved without video, hours to close; some
# reopened, a few agent replies each
closed_stage = env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
cr.execute(
    """
    UPDATE helpdesk_ticket SET
        stage_id = CASE WHEN closed_date IS NOT NULL THEN %(closed)s ELSE stage_id END,
        apizee_video_solution = CASE WHEN closed_date IS NOT NULL THEN 'other' END,
        apizee_hours_to_close = CASE WHEN closed_date IS NOT NULL
            THEN EXTRACT(EPOCH FROM closed_date - create_date) / 3600 ELSE 0 END,
        apizee_reopen_rate = CASE WHEN id %% 10 = 0 THEN 1 ELSE 0 END,
        apizee_agent_reply_count = id %% 6
    WHERE name LIKE 'Bench insight %%'
        AND apizee_agent_reply_count IS DISTINCT FROM id %% 6
    """,
    {"closed": closed_stage.id},
)
cr.execute("ANALYZE apizee_session")
cr.execute("ANALYZE helpdesk_ticket")
env.cr.commit()

agent = env["res.users"].search([("login", "=", "bench_insight_agent")], limit=1)
if not agent:
    agent = env["res.users"].create(
        {
            "name": "Bench insight agent",
            "login": "bench_insight_agent",
            "groups_id": [
                (6, 0, [env.ref("helpdesk_mgmt.group_helpdesk_user_team").id])
            ],
        }
    )
    teams.write({"user_ids": [(4, agent.id)]})
    env.cr.commit()
if os.environ.get("BENCH_STEP") == "prepare":
    raise SystemExit(0)  # bench/insight.sh vacuums the tables, then times


def paired_ms(sessions_func, tickets_func):
    """Median times of the two read_groups, each run right after the other (the
    machine's load changes between runs, not within a pair), and the median of
    the pairs' ratios."""
    pairs = []
    for _run in range(RUNS):
        pair = []
        for func in (sessions_func, tickets_func):
            env.invalidate_all()
            started = time.perf_counter()
            func()
            pair.append((time.perf_counter() - started) * 1000)
        pairs.append(pair)
    return (
        statistics.median(s for s, _t in pairs),
        statistics.median(t for _s, t in pairs),
        statistics.median(s / t for s, t in pairs),
    )


Session = env["apizee.session"].with_user(agent)
Ticket = env["helpdesk.ticket"].with_user(agent)
GROUPS = ["team_id", "create_date:month"]
plain = paired_ms(
    lambda: Session.read_group(
        [], ["call_minutes:avg", "wait_minutes:avg"], GROUPS, lazy=False
    ),
    lambda: Ticket.read_group([], ["apizee_hours_to_close:avg"], GROUPS, lazy=False),
)
# The reports' pivots as shipped (their fields' aggregators: medians, shares)
report = paired_ms(
    lambda: Session.read_group(
        [],
        ["completed_rate", "no_show_rate", "wait_minutes", "call_minutes"],
        GROUPS,
        lazy=False,
    ),
    lambda: Ticket.read_group(
        [],
        ["apizee_hours_to_close", "apizee_reopen_rate", "apizee_agent_reply_count"],
        GROUPS,
        lazy=False,
    ),
)
counts = (
    env["apizee.session"].search_count([]),
    env["helpdesk.ticket"].search_count([]),
)


def dashboard_queries(records):
    env.invalidate_all()
    before = env.cr.sql_log_count
    records.with_user(agent).mapped("apizee_sessions_today")
    return env.cr.sql_log_count - before


one, twenty = dashboard_queries(teams[:1]), dashboard_queries(teams)
print(
    f"BENCH sessions={counts[0]} tickets={counts[1]} averages: "
    f"pivot_sessions_ms={plain[0]:.0f} pivot_tickets_ms={plain[1]:.0f} "
    f"ratio={plain[2]:.2f} (goal <= 2)"
)
print(
    f"BENCH report_pivots (medians, shares) sessions_ms={report[0]:.0f} "
    f"tickets_ms={report[1]:.0f} ratio={report[2]:.2f} (goal <= 2)"
)
print(f"BENCH dashboard_queries 1_card={one} 20_cards={twenty} (goal: equal)")

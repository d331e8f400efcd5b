# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A burst of Apizee webhook deliveries, against a running Odoo and the stand-in Apizee.

Run by bench/webhooks.sh, against one threaded Odoo server, or several servers in
prefork mode on one database with their cron runners (``--servers 2 --workers 4``):
the deliveries are spread over the servers. Prints numbers:

- deliveries accepted per second by ``/helpdesk_apizee/webhook`` as a ratio to a trivial
  public route of the same server (``/web/manifest.webmanifest``), same concurrency
  (goal: at least 0.5);
- the time to drain the queue (the cron applying every event), from the first delivery
  and after the last one, and without the media (whose downloads wait for Apizee's
  limit of 10 requests a minute);
- counts proving nothing was lost or doubled: stored events, events done or ignored,
  chatter lines, saved media, replays answered as duplicates; and applied in order:
  each session ends in the state of its latest ticket event by Apizee's time;
- with ``--media-host``, the pictures sit on another host than the API server (as on
  Apizee's media hosts): their downloads spend no API call.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
sys.path.insert(0, os.path.dirname(__file__))
from apizee_standin import ApizeeStandIn  # noqa: E402
from rooms import Rpc  # noqa: E402

SESSION_EVENTS = [
    "ticket.invitationSent",
    "ticket.invitationClicked",
    "ticket.invitationAccepted",
    "consent.accepted",
    "ticket.sessionStarted",
    "session.established",
    "media.pictureTaken",
    "session.userLeft",
    "session.agentLeft",
    "survey.answered",
    "ticket.completed",
]
STATES = ["invited", "inprogress", "done", "closed"]
# The session events that change a session's state (const.SESSION_EVENT_STATES)
EVENT_STATES = {
    "ticket.invitationSent": "invited",
    "ticket.sessionStarted": "inprogress",
    "session.established": "inprogress",
    "ticket.completed": "done",
}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000


def build_deliveries(count, sessions, standin, media_count, media_host):
    """``count`` distinct deliveries over ``sessions`` (Apizee ids), shuffled so that
    they arrive out of order; returns them with the chatter lines they must make and
    each session's final state (that of its latest state-changing event by Apizee's
    time). The pictures sit on the API server, or on a media host (``media_host``):
    the stand-in on another origin, a link that needs no token."""
    if media_host:
        media_origin = standin.url.replace("127.0.0.1", "localhost")
        media_path = "media-host"
    else:
        media_origin, media_path = standin.url, "media-files"
    t0 = int(time.time()) - 3600
    deliveries, lines, media, final = [], 0, 0, {}
    for n in range(count):
        session = sessions[n % len(sessions)]
        when = t0 + n
        if n % 10 == 0:
            # every session gets ticket events, in changing states
            turn = n // 10
            session = sessions[turn % len(sessions)]
            state = STATES[(turn // len(sessions)) % len(STATES)]
            props = {"id": session, "state": state}
            obj, object_id = "ticket", session
            final[session] = props["state"]
        elif n % 10 == 9 and media < media_count:
            media_id = 700000 + n
            standin.add_media(media_id, JPEG, "image/jpeg", session)
            props = {
                "id": media_id,
                "ticketId": session,
                "mimeType": "image/jpeg",
                "url": f"{media_origin}/{media_path}/{media_id}",
            }
            obj, object_id, media = "media", media_id, media + 1
            lines += 1
        else:
            name = SESSION_EVENTS[n % len(SESSION_EVENTS)]
            props = {
                "id": 900000 + n,
                "eventName": name,
                "timestamp": when * 1000,
                "source": "guest",
                "ticketId": session,
            }
            obj, object_id = "conversationevent", 900000 + n
            lines += 1
            if name in EVENT_STATES:  # the latest state-changing event wins
                final[session] = EVENT_STATES[name]
        deliveries.append(
            json.dumps(
                {
                    "event": "update" if obj == "ticket" else "create",
                    "time": when,
                    "object": obj,
                    "objectId": object_id,
                    "props": props,
                }
            ).encode()
        )
    random.Random(42).shuffle(deliveries)
    return deliveries, lines, media, final


def burst(urls, bodies, concurrency, headers=None, method="POST"):
    """Send ``bodies`` with ``concurrency`` keep-alive sessions, the n-th to the n-th
    of ``urls`` in turn (one URL per server); return (seconds, answers)."""
    local = threading.local()

    def send(item):
        index, body = item
        url = urls[index % len(urls)]
        if not hasattr(local, "http"):
            local.http = requests.Session()
        if method == "GET":
            response = local.http.get(url, timeout=60)
        else:
            response = local.http.post(url, data=body, headers=headers, timeout=60)
        return response.status_code, response.json() if method == "POST" else None

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(send, enumerate(bodies)))
    return time.monotonic() - started, answers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--media", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--media-host",
        action="store_true",
        help="pictures on another host than the API server",
    )
    parser.add_argument("--mode", default="", help="printed with the figures")
    args = parser.parse_args()
    urls = args.url.split(",")

    standin = ApizeeStandIn().start()
    admin = Rpc(urls[0], args.db, "admin", "admin")
    admin.use_standin(standin)
    # The webhook URL and secret of the administrator's company
    company_id = admin.company_id()
    (company,) = admin.call(
        "res.company", "read", [company_id], ["apizee_webhook_secret"]
    )
    secret = company["apizee_webhook_secret"]
    sessions = []
    for n in range(args.sessions):
        ticket = admin.call(
            "helpdesk.ticket",
            "create",
            {"name": f"Webhook bench {n}", "description": "<p>bench</p>"},
        )
        apizee_id = str(500000 + n)
        admin.call(
            "apizee.session",
            "create",
            {"ticket_id": ticket, "apizee_id": apizee_id, "state": "new"},
        )
        sessions.append(apizee_id)
    tickets = admin.call(
        "apizee.session", "search_read", [["apizee_id", "in", sessions]], ["ticket_id"]
    )
    ticket_ids = [s["ticket_id"][0] for s in tickets]
    deliveries, expected_lines, expected_media, final = build_deliveries(
        args.events, sessions, standin, args.media, args.media_host
    )

    trivial_urls = [url + "/web/manifest.webmanifest" for url in urls]
    burst(trivial_urls, [None] * 50, args.concurrency, method="GET")  # warm up
    trivial_s, trivial_answers = burst(
        trivial_urls, [None] * args.events, args.concurrency, method="GET"
    )
    assert all(status == 200 for status, _a in trivial_answers)

    headers = {"Content-Type": "application/json", "X-Apizee-Webhook-Secret": secret}
    webhook_urls = [f"{url}/helpdesk_apizee/webhook/{company_id}" for url in urls]
    standin.requests.clear()
    started = time.monotonic()
    burst_s, answers = burst(webhook_urls, deliveries, args.concurrency, headers)
    statuses = {status for status, _a in answers}
    accepted = sum(1 for status, a in answers if status == 200 and not a["duplicate"])
    # Apizee sends some deliveries twice: 10 % of them again
    replays = deliveries[: args.events // 10]
    _s, replay_answers = burst(webhook_urls, replays, args.concurrency, headers)
    duplicates = sum(1 for status, a in replay_answers if a.get("duplicate"))
    after_burst = time.monotonic()

    non_media_drained = None
    while True:
        pending = admin.call(
            "apizee.webhook.event",
            "read_group",
            [["state", "=", "pending"]],
            ["object"],
            ["object"],
        )
        pending = {group["object"]: group["object_count"] for group in pending}
        if non_media_drained is None and not set(pending) - {"media"}:
            non_media_drained = time.monotonic()
        if not pending or time.monotonic() - started > 900:
            break
        time.sleep(0.2)
    drained = time.monotonic()

    counts = {
        state: admin.call(
            "apizee.webhook.event", "search_count", [["state", "=", state]]
        )
        for state in ("done", "ignored", "failed", "pending")
    }
    stored = sum(counts.values())
    messages = admin.call(
        "mail.message",
        "search_read",
        [
            ["model", "=", "helpdesk.ticket"],
            ["res_id", "in", ticket_ids],
            ["body", "ilike", "Apizee session"],
        ],
        ["body"],
    )
    lines = sum(m["body"].count("<li>") for m in messages)
    media = admin.call(
        "ir.attachment", "search_count", [["name", "=like", "apizee-media-%"]]
    )
    states = {
        s["apizee_id"]: s["state"]
        for s in admin.call(
            "apizee.session",
            "search_read",
            [["apizee_id", "in", sessions]],
            ["apizee_id", "state"],
        )
    }
    out_of_order = sum(1 for key, state in final.items() if states.get(key) != state)
    api_calls = sum(
        1
        for r in standin.requests
        if not r["path"].startswith(("/media-files/", "/media-host/"))
    )
    trivial_rate = args.events / trivial_s
    webhook_rate = args.events / burst_s
    print(
        f"trivial_public_route_per_s={trivial_rate:.0f} "
        f"webhook_accepted_per_s={webhook_rate:.0f} "
        f"ratio={webhook_rate / trivial_rate:.2f} (goal >= 0.5) "
        f"concurrency={args.concurrency} statuses={sorted(statuses)}"
    )
    print(
        f"drain_s_from_first_delivery={drained - started:.1f} "
        f"drain_s_after_last_delivery={drained - after_burst:.1f} "
        f"drain_s_without_media={non_media_drained - started:.1f} "
        f"events_per_s_applied={stored / (drained - started):.0f}"
    )
    print(
        f"[{args.mode}] servers={len(urls)} media_on="
        f"{'media host' if args.media_host else 'API server'} "
        f"drain_s={drained - started:.1f} apizee_api_calls={api_calls} "
        f"sessions_not_in_final_state={out_of_order} of {len(final)} (goal 0)"
    )
    print(
        f"sent={args.events} accepted={accepted} stored={stored} "
        f"replayed={len(replays)} answered_duplicate={duplicates} "
        f"done={counts['done']} ignored={counts['ignored']} "
        f"failed={counts['failed']} pending={counts['pending']} "
        f"chatter_lines={lines} (expected {expected_lines}) "
        f"chatter_messages={len(messages)} media_saved={media} "
        f"(expected {expected_media}) apizee_requests={len(standin.requests)}"
    )
    standin.stop()
    ok = (
        stored == accepted == args.events
        and duplicates == len(replays)
        and counts["failed"] == counts["pending"] == 0
        and lines == expected_lines
        and media == expected_media
        and out_of_order == 0
    )
    print("nothing lost, nothing doubled" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

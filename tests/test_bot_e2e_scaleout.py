"""End to end, scaled out: two ``python -m bot run`` processes in webhook mode behind a load balancer, on one
PostgreSQL database, as docs/deploy.md describes. The fake Bot API delivers 200 forwarded articles split
between them, 20 of them to both (Telegram delivering again, the balancer picking the other process);
one process is cut off from Telegram and SIGKILLed mid-burst holding work; the other takes that work
over once its lease expires. Every article is answered exactly once.

Texts: Wikinews articles (tests/data/wikinews-sample.jsonl, CC BY 2.5, Wikinews contributors).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import asyncpg
from bot_processes import bot_env, bot_process, kill_group, stop
from fakebotapi import FakeBotAPI, RecordedRequest, channel_chat, make_user, origin_channel, private_chat
from loadbalancer import LoadBalancer, free_port, listening

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    json.loads(line)["text"]
    for line in (ROOT / "tests" / "data" / "wikinews-sample.jsonl").read_text("utf-8").splitlines()
]
CHANNEL = channel_chat(-1009876, "Wikinews", username="wikinews")
USERS = [make_user(3000 + n, f"Reader {n}") for n in range(20)]
ARTICLES = 200
TWICE = 20
LEASE_SECONDS = 10.0
SECRET = "shared-webhook-secret_0123456789"
#: Articles the first process answers before it is cut off and killed.
ANSWERED_BEFORE_KILL = 15


def answered_by(server: FakeBotAPI, client: str) -> int:
    return sum(1 for r in server.requests_for("sendMessage") if r.client == client and r.ok)


def reply_requests(server: FakeBotAPI) -> dict[tuple[int, int], list[RecordedRequest]]:
    """The answered sendMessage calls by (chat id, id of the message replied to)."""
    found: dict[tuple[int, int], list[RecordedRequest]] = {}
    for request in server.requests_for("sendMessage"):
        target = request.params.get("reply_parameters")
        target = json.loads(target) if isinstance(target, str) else target
        if request.ok and target:
            found.setdefault((int(request.params["chat_id"]), int(target["message_id"])), []).append(request)
    return found


def reports_to(server: FakeBotAPI, message_ids: dict[int, tuple[int, int]]) -> dict[int, list[dict[str, Any]]]:
    """For every forwarded message (by update id), the bot's replies to it."""
    found: dict[int, list[dict[str, Any]]] = {update_id: [] for update_id in message_ids}
    by_message = {value: key for key, value in message_ids.items()}
    for user in USERS:
        for message in server.bot_messages(user["id"]):
            replied = message.get("reply_to_message", {}).get("message_id")
            update_id = by_message.get((user["id"], replied))
            if update_id is not None:
                found[update_id].append(message)
    return found


async def inbox_statuses(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM inbox GROUP BY status")
    finally:
        await conn.close()
    return {row["status"]: row["n"] for row in rows}


async def test_bot_e2e_scaleout_two_processes_answer_every_article_once(
    fake_bot_api: FakeBotAPI, postgres_db: str, tmp_path: Path
) -> None:
    ports = {"a": free_port(), "b": free_port()}
    async with LoadBalancer([f"http://127.0.0.1:{ports[name]}/claimdesk" for name in ("a", "b")]) as balancer:
        settings = {
            "CLAIMDESK_INBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "CLAIMDESK_USER_RATE": "0",  # 10 articles from each reader: the limits are not under test here
            "CLAIMDESK_CHAT_RATE": "0",
        }

        def process(name: str, *extra: str) -> Any:
            return bot_process(
                tmp_path,
                name,
                env=bot_env(fake_bot_api, postgres_db, client=name, **settings),
                args=(
                    "--webhook-url",
                    balancer.url,
                    "--listen",
                    "127.0.0.1",
                    "--port",
                    str(ports[name]),
                    "--webhook-secret",
                    SECRET,
                    *extra,
                ),
                ready=lambda: (
                    any(r.client == name for r in fake_bot_api.requests_for("setMyCommands")) and listening(ports[name])
                ),
            )

        async with process("a") as first, process("b", "--no-set-webhook") as second:
            await fake_bot_api.wait_for(lambda: fake_bot_api.webhook_url == balancer.url, 30)
            assert [r.client for r in fake_bot_api.requests_for("setWebhook")] == ["a"]
            assert fake_bot_api.requests_for("setWebhook")[0].params["secret_token"] == SECRET

            messages: dict[int, tuple[int, int]] = {}
            for number in range(ARTICLES):
                user = USERS[number % len(USERS)]
                text = TEXTS[number % len(TEXTS)] + ("" if number % 2 else f"\n\n(Edition {number % 4}.)")
                update = fake_bot_api.forward_update(
                    private_chat(user), user, text, origin_channel(CHANNEL, number + 1)
                )
                messages[update["update_id"]] = (user["id"], update["message"]["message_id"])
            # set before the deliveries run (they start at the next await): every tenth reaches both
            balancer.both = frozenset(list(messages)[:: ARTICLES // TWICE])

            # The first process answers some, is cut off from Telegram (nothing it sends from now on
            # arrives), and is killed while it holds work.
            await fake_bot_api.wait_for(lambda: answered_by(fake_bot_api, "a") >= ANSWERED_BEFORE_KILL, 120)
            fake_bot_api.hold_client("a")
            await fake_bot_api.wait_for(lambda: fake_bot_api.held_requests("a"), 30)
            await asyncio.sleep(0.5)  # what it had sent before the hold is recorded in the inbox
            kill_group(first)
            await first.wait()
            killed_at = time.monotonic()
            fake_bot_api.drop_client("a")
            to_a = {u for u, index, status in balancer.deliveries if index == 0 and status == 200}

            await fake_bot_api.wait_for(
                lambda: all(len(found) == 1 for found in reports_to(fake_bot_api, messages).values()), 180
            )
            await asyncio.sleep(LEASE_SECONDS + 1)  # time for a second answer, were one coming
            assert await stop(second) == 0

    replies = reports_to(fake_bot_api, messages)
    assert sorted(len(found) for found in replies.values()) == [1] * ARTICLES  # every article once
    assert all("Forwarded from Wikinews" in found[0]["text"] for found in replies.values())
    assert {u for u, _, _ in balancer.deliveries} == set(messages)
    both = [u for u in balancer.both if {i for v, i, s in balancer.deliveries if v == u and s == 200} == {0, 1}]
    assert len(both) == TWICE  # each of these reached both processes, and was answered once
    answers = reply_requests(fake_bot_api)
    assert sorted(len(answers[messages[u]]) for u in messages) == [1] * ARTICLES
    taken_over = [u for u in to_a if answers[messages[u]][0].client == "b" and u not in balancer.both]
    assert taken_over  # the killed process held work that only it had received ...
    # ... until its lease ran out: renewed up to a third of a lease before the kill, in whole seconds
    earliest = killed_at + LEASE_SECONDS * 2 / 3 - 1
    assert all(answers[messages[u]][0].time > earliest for u in taken_over)
    assert await inbox_statuses(postgres_db) == {"done": ARTICLES}

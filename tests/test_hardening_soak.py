"""Soak: 2,000 updates through the fake Bot API, every one answered exactly once, memory flat (issue 7).

Mostly cheap updates (/help, short texts refused at once, repeated forwards of the same few articles
answered from storage) and a handful of real analyses (the seed and five Wikinews articles, text by
Wikinews contributors, CC BY 2.5; URLs in tests/data/README.md), from 200 users in private chats and
four groups. Telegram's own pacing is switched off (the fake server has no limits to protect) but floods
are still retried; a few faults are injected on the way. The process's resident memory (VmRSS) at the
2,000th update may be at most 10% above the 500th.

The fake server keeps every request and message it saw; the test reads what it needs after each batch and
drops the server's history, so the memory measured is the bot's.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from bot_harness import JSON, ROOT, running_bot, seed_text, settle
from fakebotapi import FakeBotAPI, flood, group_chat, make_user, origin_channel, private_chat, server_error
from hardening_stats import FAULTS, count
from telegram.ext import AIORateLimiter

from bot.config import DEFAULT_SPACY_MODEL
from bot.extraction.runner import ExtractionRunner

UPDATES = 2_000
BATCH = 100
MEASURE_AT = 500
USERS = [make_user(5000 + n, f"User {n}") for n in range(200)]
GROUPS = [group_chat(-500000 - n, f"Desk {n}") for n in range(10)]
CHANNEL = {"id": -1005000, "type": "channel", "title": "Wire", "username": "wire_news"}
SHORT = "Is this true? Someone sent it to me this morning."


def articles() -> list[str]:
    lines = (ROOT / "tests" / "data" / "wikinews-sample.jsonl").read_text("utf-8").splitlines()
    return [seed_text(), *(json.loads(line)["text"] for line in lines)]


def vm_rss_kib() -> int:
    """Resident memory of this process (kB), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def forward(server: FakeBotAPI, chat: JSON, user: JSON, texts: list[str], n: int) -> tuple[int, int]:
    origin = origin_channel(CHANNEL, 1 + n % len(texts))
    return chat["id"], server.forward_update(chat, user, texts[n % len(texts)], origin)["message"]["message_id"]


def queue(server: FakeBotAPI, n: int, texts: list[str]) -> tuple[int, int]:
    """Queue update number ``n`` (a /help, a short text or a forward of an article): (chat, message id).
    Each user sends 10 updates, each group gets 20 forwards: within the default limits."""
    user = USERS[n % len(USERS)]
    group = GROUPS[(n // 10) % len(GROUPS)]
    kind = n % 10
    if kind < 4:
        chat = private_chat(user) if kind < 3 else group
        return chat["id"], server.text_update(chat, user, "/help")["message"]["message_id"]
    if kind < 6:
        return user["id"], server.text_update(private_chat(user), user, f"{SHORT} #{n}")["message"]["message_id"]
    return forward(server, private_chat(user) if kind < 9 else group, user, texts, n)


def answered(server: FakeBotAPI) -> Counter[tuple[int, int]]:
    """(chat, replied-to message) of every message the bot sent successfully."""
    replies: Counter[tuple[int, int]] = Counter()
    for request in server.requests_for("sendMessage"):
        if request.ok and request.response is not None:
            result = request.response["result"]
            target = result.get("reply_to_message", {}).get("message_id")
            if target is not None:
                replies[(result["chat"]["id"], target)] += 1
    return replies


def forget_history(server: FakeBotAPI) -> None:
    """Drop what the fake server remembers (requests, chat messages): the test has read it (and counted
    the faults injected, which the fixture would otherwise count at the end)."""
    count(FAULTS, sum(1 for request in server.requests if request.fault is not None))
    server.requests.clear()
    for chat_id in {u["id"] for u in USERS} | {g["id"] for g in GROUPS}:
        state = server._chats.get(chat_id)  # the server's own record, not the bot's memory
        if state is not None:
            state.messages.clear()


@pytest.mark.soak
async def test_hardening_soak_two_thousand_updates(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    texts = articles()
    runner = ExtractionRunner(DEFAULT_SPACY_MODEL, 1)
    server = fake_bot_api
    unpaced = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    replies: Counter[tuple[int, int]] = Counter()
    expected: set[tuple[int, int]] = set()
    rss: dict[int, int] = {}
    try:
        async with running_bot(server, runner, tmp_path / "soak.sqlite3", rate_limiter=unpaced) as bot:
            for n in range(len(texts)):  # the real analyses, one at a time; every later forward is stored
                key = forward(server, private_chat(USERS[n]), USERS[n], texts, n)
                expected.add(key)
                await server.wait_for(lambda key=key: key in answered(server), timeout=60)
            for start in range(len(texts), UPDATES, BATCH):
                if start == 1006:
                    server.inject("sendChatAction", server_error(502))
                    server.inject("sendMessage", flood(retry_after=1))
                keys = {queue(server, n, texts) for n in range(start, min(start + BATCH, UPDATES))}
                expected |= keys
                await server.wait_for(lambda keys=keys: keys <= set(answered(server)), timeout=60)
                await settle(bot, record=False)
                replies += answered(server)
                forget_history(server)
                done = min(start + BATCH, UPDATES)
                if done in (MEASURE_AT + len(texts), UPDATES):
                    rss[done] = vm_rss_kib()
            statuses = await settle(bot)
            calls = bot.runner.calls
    finally:
        await runner.close()
    assert len(expected) == UPDATES
    duplicates = {key: n for key, n in replies.items() if n > 1}
    assert set(replies) == expected and not duplicates
    assert statuses["lost"] == 0 and set(statuses) <= {"done", "lost"}
    assert calls == len(texts)  # the rest came from storage or were refused before any analysis
    first, last = rss[MEASURE_AT + len(texts)], rss[UPDATES]
    growth = (last - first) / first
    print(
        f"\nsoak: {UPDATES} updates; VmRSS {first} kB at update {MEASURE_AT + len(texts)}, {last} kB at "
        f"{UPDATES} ({growth:+.1%}); {calls} analyses"
    )
    assert growth < 0.10, rss

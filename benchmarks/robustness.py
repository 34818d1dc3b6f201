"""``python -m benchmarks robustness``: the figures of the README's robustness section (issue 15).

- the stacked compression bomb: peak resident memory of a process fetching ``gzip, gzip`` over 1 GiB of
  zeros (and one gzip layer over 1 GiB) from tests/pageserver.py in another process, against idle;
- ``/help`` p50 and p95 idle, during a heavy analysis (183,000 characters of quotation pairs, which runs
  into the 60 s limit here) and during an export of 2,000 reports: the real application in this process
  against the fake Bot API (tests/fakebotapi.py), one extraction worker;
- the double-answer window (docs/robustness.md): from a report's sendMessage reaching the Bot API to the
  inbox row marked done, over 20 articles.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, percentile

sys.path.insert(0, str(ROOT / "tests"))
from bot_harness import Bot, copy_analyses, running_bot, seed_text
from fakebotapi import FakeBotAPI, RecordedRequest, channel_chat, make_user, origin_channel, private_chat

from bot.config import DEFAULT_SPACY_MODEL
from bot.extraction.runner import ExtractionRunner
from bot.links.fetch import Fetcher
from bot.links.page import FetchError
from bot.links.policy import AllowList
from bot.service import RateLimits

#: Invented: 8,000 short quotation-and-tag pairs.
HEAVY = "Council vote ends in uproar\n" + "".join(f"“No {n % 97} way,” Ann said.\n" for n in range(8000))
READER, ASKER = make_user(2001, "Reader"), make_user(2002, "Asker")
CHANNEL = channel_chat(-1001, "Radio Free Asia", username="rfa_news")
PAGE_SERVER = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from pageserver import PageServer

async def serve():
    async with PageServer(bomb_size=1024 ** 3) as pages:
        print(pages.port, flush=True)
        await asyncio.sleep(600)

asyncio.run(serve())
"""


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def bombs() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", PAGE_SERVER, str(ROOT / "tests")], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    fetcher = Fetcher(AllowList.parse(["127.0.0.1"]))
    try:
        await fetcher.fetch(f"http://127.0.0.1:{port}/news/saudi-drones")  # imports and caches warm
        for path in ("/bomb", "/single-bomb"):
            idle = resident_mb()
            peak = [idle]
            done = threading.Event()

            def sample(peak: list[float] = peak) -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], resident_mb())
                    time.sleep(0.005)

            watcher = threading.Thread(target=sample)
            watcher.start()
            try:
                await fetcher.fetch(f"http://127.0.0.1:{port}{path}")
                outcome = "read"
            except FetchError as error:
                outcome = error.code
            done.set()
            watcher.join()
            print(f"bomb {path}: idle {idle:.0f} MB, peak {peak[0]:.0f} MB (+{peak[0] - idle:.0f} MB), {outcome}")
    finally:
        server.kill()


async def helps(bot: Bot, until: Callable[[], bool] | None = None, count: int = 40) -> list[float]:
    """/help asked one after another (count of them, or until ``until``); each answer's latency in s."""
    latencies: list[float] = []
    while (until is None and len(latencies) < count) or (until is not None and not until()):
        asked = bot.server.text_update(private_chat(ASKER), ASKER, "/help")["message"]
        started = time.perf_counter()
        await bot.reply(ASKER["id"], asked["message_id"])
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    return latencies


def line(name: str, latencies: list[float]) -> str:
    p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
    return f"{name}: /help p50 {p50:.0f} ms, p95 {p95:.0f} ms ({len(latencies)} asked)"


async def responsiveness(runner: ExtractionRunner, db: Path) -> None:
    async with FakeBotAPI() as server, running_bot(server, runner, db) as bot:
        bot.app.bot_data.exports = RateLimits(0, 0)
        await helps(bot, count=5)
        print(line("idle", await helps(bot)))
        heavy = server.forward_update(private_chat(READER), READER, HEAVY, origin_channel(CHANNEL, 1))["message"]
        started = time.perf_counter()

        def answered(message_id: int, field: str = "text") -> bool:
            return any(
                field in r and not r.get("text", "").startswith("Analysing")
                for r in bot.replies(READER["id"], message_id)
            )

        during = await helps(bot, until=lambda: answered(heavy["message_id"]))
        print(line(f"heavy analysis ({time.perf_counter() - started:.1f} s)", during))
        seed = server.forward_update(private_chat(READER), READER, seed_text(), origin_channel(CHANNEL, 2))["message"]
        await bot.reply(READER["id"], seed["message_id"], timeout=120)
        copy_analyses(bot.db, READER["id"], 1999)
        ask = server.text_update(private_chat(READER), READER, "/export json")["message"]
        started = time.perf_counter()
        exporting = await helps(bot, until=lambda: answered(ask["message_id"], "document"))
        print(line(f"export of 2,000 reports ({time.perf_counter() - started:.1f} s)", exporting))


async def window(runner: ExtractionRunner, db: Path) -> None:
    sent: dict[int, float] = {}
    done: dict[int, float] = {}
    async with FakeBotAPI() as server, running_bot(server, runner, db) as bot:

        def stamp(request: RecordedRequest) -> None:
            if request.method == "sendMessage":
                sent.setdefault(int(request.params["chat_id"]), time.perf_counter())

        server.on_request.append(stamp)
        mark: Callable[..., Awaitable[None]] = bot.store.inbox_mark_done

        async def timed(update_id: int, **fields: Any) -> None:
            await mark(update_id, **fields)
            done[update_id] = time.perf_counter()

        bot.store.inbox_mark_done = timed  # type: ignore[method-assign]
        gaps = []
        for n in range(20):
            user = make_user(4000 + n, f"Reader {n}")
            update = server.forward_update(private_chat(user), user, seed_text(), origin_channel(CHANNEL, n))
            await bot.reply(user["id"], update["message"]["message_id"], timeout=60)
            await server.wait_for(lambda u=update: u["update_id"] in done, 10)
            gaps.append(done[update["update_id"]] - sent[user["id"]])
    print(
        f"double-answer window: median {percentile(gaps, 0.5) * 1000:.1f} ms, p95 "
        f"{percentile(gaps, 0.95) * 1000:.1f} ms, longest {max(gaps) * 1000:.1f} ms ({len(gaps)} articles)"
    )


async def run() -> None:
    await bombs()
    runner = ExtractionRunner(DEFAULT_SPACY_MODEL, 1)
    await runner.warm()
    try:
        with tempfile.TemporaryDirectory() as directory:
            await responsiveness(runner, Path(directory) / "help.sqlite3")
            await window(runner, Path(directory) / "window.sqlite3")
    finally:
        await runner.close()


def main(argv: Sequence[str] | None = None) -> int:
    if argv:
        print("python -m benchmarks robustness takes no options", file=sys.stderr)
        return 2
    asyncio.run(run())
    return 0

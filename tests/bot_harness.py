"""A running bot for the end-to-end, hardening and soak tests, and the account of every accepted article.

``running_bot`` starts the real application (long polling against the fake Bot API server, a real Store)
with the given limits; ``settle`` waits until no inbox item is left in work and counts what ended how:
an article is *lost* when it ended neither answered ("done") nor given up with the chat told.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakebotapi import FakeBotAPI
from hardening_stats import ACCEPTED, LOST, count
from telegram.ext import AIORateLimiter, Application

from bot.config import Settings
from bot.report import Report
from handlers.app import Webhook, build_application, serve
from storage import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
JSON = dict[str, Any]


class CountingRunner:
    """Wraps the module's runner (its close does nothing: the module closes it); ``failures`` analyses raise first;
    ``gate``, when a test sets it, holds analyses until set."""

    def __init__(self, runner: Any, failures: int = 0) -> None:
        self._runner = runner
        self.failures = failures
        self.calls = 0
        self.texts: list[str] = []  # every text analysed, in order
        self.gate: asyncio.Event | None = None

    async def warm(self) -> None:
        await self._runner.warm()

    async def close(self) -> None:
        """Nothing: the module's runner outlives the application."""

    async def analyze(self, text: str, **meta: str | None) -> Report:
        self.calls += 1
        self.texts.append(text)
        if self.gate is not None:
            await self.gate.wait()
        if self.calls <= self.failures:
            raise RuntimeError("worker crashed")
        return await self._runner.analyze(text, **meta)


@dataclass
class Bot:
    server: FakeBotAPI
    app: Application  # type: ignore[type-arg]
    store: Store
    runner: CountingRunner
    db: Path

    async def reply(self, chat_id: int, message_id: int, *, timeout: float = 20.0, final: bool = True) -> JSON:
        """The bot's answer to ``message_id`` (with ``final``, a progress message is waited past)."""

        def find() -> JSON | None:
            for message in self.replies(chat_id, message_id):
                text = message.get("text", "")
                if not final or not text.startswith(("Analysing", "Reading the linked")):
                    return message
            return None

        return await self.server.wait_for(find, timeout)

    def replies(self, chat_id: int, message_id: int) -> list[JSON]:
        return self.server.replies_to(chat_id, message_id)

    async def press(self, chat_id: int, user: JSON, message_id: int, data: str) -> JSON:
        """Press a button; returns the callback answer once the bot has given it."""
        update = self.server.callback_update(chat_id, user, message_id, data)
        query_id = update["callback_query"]["id"]
        return await self.server.wait_for(lambda: self.server.callback_answers.get(query_id), 20.0)

    async def command(self, chat: JSON, user: JSON, text: str, **fields: Any) -> JSON:
        """Send a command; the bot's reply to it."""
        message = self.server.text_update(chat, user, text, **fields)["message"]
        return await self.reply(chat["id"], message["message_id"])

    async def alive(self, chat: JSON, user: JSON) -> None:
        """The bot still answers /help."""
        message = self.server.text_update(chat, user, "/help")["message"]
        reply = await self.reply(chat["id"], message["message_id"])
        assert "Claimdesk" in reply["text"]


@asynccontextmanager
async def running_bot(
    server: FakeBotAPI,
    runner: Any,
    db: Path,
    *,
    failures: int = 0,
    max_attempts: int = 3,
    user_rate: int = 10,
    chat_rate: int = 30,
    rate_window: float = 60.0,
    rate_limiter: AIORateLimiter | None = None,
    webhook: Webhook | None = None,
    fetch_allow: tuple[str, ...] = (),
) -> AsyncIterator[Bot]:
    """The real application against ``server`` (long polling, or ``webhook``) until the block ends."""
    settings = Settings(
        telegram_token=server.token,
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        workers=1,
        user_rate=user_rate,
        chat_rate=chat_rate,
        rate_window_seconds=rate_window,
        fetch_allow=fetch_allow,
    )
    store = await Store.open(db, max_attempts=max_attempts, retry_base_seconds=0.2)
    counting = CountingRunner(runner, failures)
    app = build_application(settings, runner=counting, store=store, retry_seconds=0.2, rate_limiter=rate_limiter)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, webhook=webhook))
    try:
        started = "setWebhook" if webhook else "getUpdates"
        await server.wait_for(lambda: server.requests_for(started) or task.done(), timeout=60)
        if task.done():
            task.result()
        async with asyncio.timeout(30):
            while not app.running:  # the webhook server listens before the application is started
                await asyncio.sleep(0.01)
        yield Bot(server, app, store, counting, db)
    finally:
        stop.set()
        await task


async def until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll ``predicate`` (for state the fake server does not see change, e.g. the runner's calls)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def inbox_rows(db: Path) -> list[tuple[int, int, str, int]]:
    """(update_id, chat_id, status, reported) of every inbox item, read straight from the file."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(
            "SELECT update_id, chat_id, status, reported FROM inbox ORDER BY update_id"
        ).fetchall()


async def settle(bot: Bot, *, accepted: int = 0, timeout: float = 20.0, record: bool = True) -> dict[str, int]:
    """Wait until at least ``accepted`` items are in the inbox and none is pending or waiting for a retry;
    return {status: items, "lost": n}; with ``record``, add accepted and lost to the run's figures (once
    per test: the last call)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    def busy() -> bool:
        rows = inbox_rows(bot.db)
        return len(rows) < accepted or any(status in ("pending", "retry") for _, _, status, _ in rows)

    while busy() and loop.time() < deadline:
        await asyncio.sleep(0.05)  # an item still in work at the deadline counts as lost
    rows = inbox_rows(bot.db)
    lost = [row for row in rows if not (row[2] == "done" or (row[2] == "gave_up" and row[3]))]
    if record:
        count(ACCEPTED, len(rows))
        count(LOST, len(lost))
    statuses: dict[str, int] = {}
    for _, _, status, _ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    statuses["lost"] = len(lost)
    return statuses


def buttons(message: JSON) -> dict[str, str]:
    """Button text -> callback data of a message's inline keyboard."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


async def copy_analyses(db: Path, chat_id: int, copies: int) -> None:
    """``copies`` more analyses of the chat's first one (same report, later message ids), in one statement.

    In a thread, so that the bot on this event loop can finish a write it has begun (the desk's, after
    the reply) instead of this connection waiting on it with the loop blocked."""
    await asyncio.to_thread(_copy_analyses, db, chat_id, copies)


def _copy_analyses(db: Path, chat_id: int, copies: int) -> None:
    with closing(sqlite3.connect(db, isolation_level=None, timeout=30)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(analyses)") if row[1] != "id"]
        chosen = ", ".join("message_id + n.i" if c == "message_id" else c for c in columns)
        conn.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            f" INSERT INTO analyses ({', '.join(columns)}) SELECT {chosen} FROM n,"
            " (SELECT * FROM analyses WHERE chat_id = ? ORDER BY id LIMIT 1)",
            (copies, chat_id),
        )

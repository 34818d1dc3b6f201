"""handlers/app.py: wiring (defaults, rate limiter, handlers, edits ignored), run_command, logging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, Application

from bot.__main__ import build_parser
from bot.config import Settings, SettingsError
from bot.report import Report
from handlers.app import (
    RATE_LIMIT_RETRIES,
    MessageRateLimiter,
    RedactingFormatter,
    build_application,
    run_command,
    settings_from_args,
    setup_logging,
)
from storage import Store

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAsecretTOKENvalue0123456789"


class NoRunner:
    async def analyze(self, text: str, **meta: str | None) -> Report:
        raise AssertionError("not called")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Application]:
    store = await Store.open(tmp_path / "db.sqlite3")
    yield build_application(Settings(telegram_token=TOKEN), runner=NoRunner(), store=store)
    await store.close()


def test_app_build_application_wires_html_rate_limiter_and_concurrency(app: Application) -> None:
    assert app.bot.defaults is not None and app.bot.defaults.parse_mode == "HTML"
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)
    assert app.bot.rate_limiter._max_retries == RATE_LIMIT_RETRIES  # noqa: SLF001 - no public accessor
    assert app.concurrent_updates > 1
    commands = {c for handler in app.handlers[0] for c in getattr(handler, "commands", ())}
    assert commands >= {"start", "help", "check", "settings", "history", "search", "export", "forget"}
    assert len(app.error_handlers) == 1


def _update(kind: str, **message: object) -> Update:
    base = {
        "message_id": 3,
        "date": 1734705060,
        "chat": {"id": 5, "type": "private", "first_name": "A"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
        "text": "x " * 60,
    }
    return Update.de_json({"update_id": 1, kind: {**base, **message}}, None)


@pytest.mark.parametrize(
    ("update", "callbacks"),
    [
        (_update("message"), ["on_private_message"]),
        (_update("edited_message", edit_date=1734705070), ["on_edited_message"]),
        (
            _update(
                "edited_message",
                edit_date=1734705070,
                forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "X"},
            ),
            ["on_edited_message"],
        ),
    ],
)
def test_app_edited_messages_reach_only_the_edit_handler(
    app: Application, update: Update, callbacks: list[str]
) -> None:
    matched = [h for h in app.handlers[0] if h.check_update(update) not in (None, False)]
    assert [h.callback.__name__ for h in matched] == callbacks


def test_app_build_application_requires_a_token(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        build_application(Settings(), runner=NoRunner(), store=object())  # type: ignore[arg-type]


def test_app_run_command_without_token_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run_command(build_parser().parse_args(["run"])) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


def test_app_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "from-env")
    monkeypatch.setenv("CLAIMDESK_WORKERS", "4")
    args = build_parser().parse_args(["run", "--token", "from-flag", "--db", "x.sqlite3", "--log-level", "debug"])
    settings = settings_from_args(args)
    assert (settings.telegram_token, settings.db_path, settings.workers, settings.log_level) == (
        "from-flag",
        "x.sqlite3",
        4,
        "DEBUG",
    )


def test_app_logging_never_shows_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO", TOKEN)
        assert logging.getLogger("httpx").level == logging.WARNING
        log = logging.getLogger("claimdesk.test")
        log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        try:
            raise RuntimeError(f"connect failed for /bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("failed")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "getUpdates" in err and "sendMessage" in err
    assert TOKEN not in err and "<token>" in err


def test_app_redacting_formatter_replaces_every_occurrence() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s and %s", (TOKEN, TOKEN), None)
    assert RedactingFormatter("%(message)s", [TOKEN]).format(record) == "<token> and <token>"


async def test_app_retention_loop_purges_at_start_and_keeps_running(monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import app as app_module

    purged: list[int] = []

    class RecordingStore:
        async def purge_older_than(self, days: int) -> int:
            purged.append(days)
            if len(purged) == 1:
                raise app_module.StorageError("database is busy")  # a failure must not end the loop
            return 3

    monkeypatch.setattr(app_module, "RETENTION_PERIOD_SECONDS", 0.0)
    task = asyncio.create_task(app_module._retention_loop(RecordingStore(), 30))  # type: ignore[arg-type]
    while len(purged) < 3:
        await asyncio.sleep(0)
    task.cancel()
    assert purged[:3] == [30, 30, 30]


async def _flooded(*args: object, **kwargs: object) -> bool:
    raise RetryAfter(5)


async def test_app_rate_limiter_drops_a_flooded_chat_action_without_waiting() -> None:
    limiter = MessageRateLimiter(max_retries=RATE_LIMIT_RETRIES)
    await limiter.initialize()
    answered = await asyncio.wait_for(
        limiter.process_request(_flooded, (), {}, "sendChatAction", {"chat_id": 5}, None), 1.0
    )
    assert answered is True


async def test_app_rate_limiter_still_limits_and_retries_messages() -> None:
    limiter = MessageRateLimiter(max_retries=0)
    await limiter.initialize()
    with pytest.raises(RetryAfter):
        await limiter.process_request(_flooded, (), {}, "sendMessage", {"chat_id": 5, "text": "x"}, None)


async def test_app_rate_limiter_sends_chat_actions_ahead_of_queued_messages() -> None:
    """With the overall limit used up by messages, a chat action is still sent at once."""
    limiter = MessageRateLimiter(overall_max_rate=1, overall_time_period=3600, max_retries=0)
    await limiter.initialize()
    sent: list[str] = []

    def call(name: str):  # type: ignore[no-untyped-def]
        async def send(*args: object, **kwargs: object) -> bool:
            sent.append(name)
            return True

        return send

    await limiter.process_request(call("first message"), (), {}, "sendMessage", {"chat_id": 5}, None)
    waiting = asyncio.create_task(
        limiter.process_request(call("second message"), (), {}, "sendMessage", {"chat_id": 6}, None)
    )
    await asyncio.wait_for(
        limiter.process_request(call("chat action"), (), {}, "sendChatAction", {"chat_id": 7}, None), 1.0
    )
    assert sent == ["first message", "chat action"]
    waiting.cancel()

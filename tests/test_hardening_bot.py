"""The bot under Telegram faults, abuse and forged input (issue 7), end to end against the fake Bot API.

For every fault the bot keeps running (it still answers /help) and every accepted article ends answered,
or failed with a reason the chat was told (``settle`` counts the inbox; no article may be lost). Access:
rate limits, size limits, admin-only commands and buttons, callback data that names another chat's report,
and what the logs may not contain.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_harness import JSON, Bot, buttons, inbox_rows, running_bot, seed_text, settle, until
from fakebotapi import (
    FakeBotAPI,
    channel_chat,
    delay,
    dropped_connection,
    flood,
    group_chat,
    make_user,
    origin_channel,
    private_chat,
    server_error,
)

from bot.extraction.runner import ExtractionRunner
from bot.origin import Origin
from bot.service import ArticleInput, Job
from handlers import app as bot_app
from handlers.app import setup_logging
from storage import Store

ALICE = make_user(3001, "Alice")
BOB = make_user(3002, "Bob")
CAROL = make_user(3003, "Carol")
RFA = channel_chat(-1003001, "Radio Free Asia", username="rfa_news")
GROUP = group_chat(-300555, "Newsroom")
OTHER_GROUP = group_chat(-300666, "Other desk")
SEED_TITLE_WORDS = "North Korean"


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "claimdesk.sqlite3") as harness:
        yield harness
        assert (await settle(harness))["lost"] == 0


def forward(server: FakeBotAPI, chat: JSON | None = None, user: JSON = ALICE, text: str | None = None) -> JSON:
    """A forwarded article (the seed unless ``text``), by default from Alice in her private chat."""
    origin = origin_channel(RFA, 4242)
    return server.forward_update(chat or private_chat(ALICE), user, text or seed_text(), origin)["message"]


def is_report(message: JSON) -> bool:
    return SEED_TITLE_WORDS in message.get("text", "") and "claim" in message.get("text", "")


# --- Telegram faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "fault", "times"),
    [
        ("sendMessage", flood(retry_after=1), 2),
        ("sendMessage", server_error(500), 1),
        ("sendMessage", server_error(502), 2),
        ("sendMessage", dropped_connection(), 1),
        ("sendChatAction", server_error(502), 1),
        ("getUpdates", dropped_connection(), 2),
        ("getUpdates", server_error(502), 1),
        ("getUpdates", server_error(500), 1),
        ("getUpdates", flood(retry_after=1), 1),
    ],
    ids=[
        "send-429",
        "send-500",
        "send-502x2",
        "send-dropped",
        "action-502",
        "poll-dropped",
        "poll-502",
        "poll-500",
        "poll-429",
    ],
)
async def test_hardening_bot_transient_fault_article_still_answered(
    bot: Bot, method: str, fault: object, times: int
) -> None:
    bot.server.inject(method, fault, times=times)  # type: ignore[arg-type]
    if method == "getUpdates":  # a poll is in flight already: it ends with /help, the next polls fail
        await bot.alive(private_chat(BOB), BOB)
        await bot.server.wait_for(lambda: bot.server.pending_faults(method) == 0, 30)
    forwarded = forward(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"], timeout=30)
    assert is_report(reply) or "couldn't analyse" in reply["text"]
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.replies(ALICE["id"], forwarded["message_id"])), 30)
    assert bot.server.pending_faults(method) == 0
    await bot.alive(private_chat(ALICE), ALICE)


async def test_hardening_bot_send_timeout_is_retried(bot: Bot) -> None:
    """The reply's sendMessage answers after the client's 5 s read timeout: kept, retried, answered (at least
    once: Telegram cannot say whether a timed-out send arrived)."""
    bot.server.inject("sendMessage", delay(6))
    forwarded = forward(bot.server)
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.replies(ALICE["id"], forwarded["message_id"])), 30)
    await settle(bot, record=False)
    await bot.server.wait_for(
        lambda: not bot.server.pending_faults("sendMessage") and len(bot.server.requests_for("sendMessage")) >= 2
    )
    # At least once: the timed-out send reached the chat too (late), so the report can show twice.
    assert 1 <= len([m for m in bot.replies(ALICE["id"], forwarded["message_id"]) if is_report(m)]) <= 2
    await bot.alive(private_chat(ALICE), ALICE)


async def test_hardening_bot_poll_timeout_loses_no_update(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A getUpdates that answers after the client's read timeout (long-poll timeout + 5 s): the next poll
    gets the update again (it was never confirmed) and the article is answered once."""
    monkeypatch.setattr(bot_app, "POLL_TIMEOUT", 1)  # read timeout 6 s instead of 15 s
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3") as bot:
        bot.server.inject("getUpdates", delay(7))
        await bot.server.wait_for(lambda: any(r.fault for r in bot.server.requests_for("getUpdates")), 10)
        forwarded = forward(bot.server)
        reply = await bot.reply(ALICE["id"], forwarded["message_id"], timeout=30)
        assert is_report(reply)
        await bot.alive(private_chat(ALICE), ALICE)
        assert len(bot.replies(ALICE["id"], forwarded["message_id"])) == 1
        assert (await settle(bot))["lost"] == 0


async def test_hardening_bot_flood_on_edit_of_the_progress_message(bot: Bot) -> None:
    bot.server.inject("editMessageText", flood(retry_after=1), times=2)
    message = bot.server.document_update(private_chat(ALICE), ALICE, seed_text().encode(), "kursk.txt")["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"], timeout=30)
    assert is_report(reply)
    assert len(bot.replies(ALICE["id"], message["message_id"])) == 1  # the progress message became the report
    assert [r.fault is not None for r in bot.server.requests_for("editMessageText")] == [True, True, False]


async def test_hardening_bot_edit_500_on_the_progress_message_is_retried(bot: Bot) -> None:
    bot.server.inject("editMessageText", server_error(500))
    message = bot.server.document_update(private_chat(ALICE), ALICE, seed_text().encode(), "kursk.txt")["message"]
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.replies(ALICE["id"], message["message_id"])), 30)


async def test_hardening_bot_message_not_modified_is_no_error(bot: Bot) -> None:
    forwarded = forward(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    claims = buttons(reply)["Claims"]
    await bot.press(ALICE["id"], ALICE, reply["message_id"], claims)
    shown = bot.server.message(ALICE["id"], reply["message_id"])["text"]
    answer = await bot.press(ALICE["id"], ALICE, reply["message_id"], claims)  # same page again
    assert not answer.get("show_alert")
    assert (
        bot.server.requests_for("editMessageText")[-1]
        .response["description"]
        .startswith(  # type: ignore[index]
            "Bad Request: message is not modified"
        )
    )
    assert bot.server.message(ALICE["id"], reply["message_id"])["text"] == shown
    await bot.alive(private_chat(ALICE), ALICE)


async def test_hardening_bot_replied_message_deleted_is_answered_without_reply(bot: Bot) -> None:
    """The user deleted the message before the bot answered: reports and command replies still arrive."""
    chat = private_chat(ALICE)
    article = bot.server.new_message(chat, ALICE, text=seed_text(), forward_origin=origin_channel(RFA, 7))
    command = bot.server.new_message(chat, ALICE, text="/help")
    state = bot.server._chat_state(ALICE["id"])  # the test deletes them as a user would
    for message in (article, command):
        del state.messages[message["message_id"]]
        bot.server.queue_update({"message": message})
    await bot.server.wait_for(lambda: len(bot.server.bot_messages(ALICE["id"])) >= 2, 30)
    texts = [m["text"] for m in bot.server.bot_messages(ALICE["id"])]
    assert any("Claimdesk" in text and "How to use it" in text for text in texts)
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.server.bot_messages(ALICE["id"])), 30)
    assert not any("reply_to_message" in m for m in bot.server.bot_messages(ALICE["id"]))


async def test_hardening_bot_blocked_by_the_user_marks_the_chat_and_stops(bot: Bot) -> None:
    bot.server.add_chat(private_chat(ALICE))
    bot.server.block_chat(ALICE["id"])
    forwarded = forward(bot.server)
    settled = await settle(bot, accepted=1, record=False)
    assert settled == {"done": 1, "lost": 0}
    assert "blocked" in ((await bot.store.chat_settings(ALICE["id"])).unreachable or "")
    assert len([r for r in bot.server.requests if r.params.get("chat_id") == ALICE["id"]]) == 1  # one try only
    assert not bot.replies(ALICE["id"], forwarded["message_id"])
    await bot.alive(private_chat(BOB), BOB)


async def test_hardening_bot_chat_not_found_marks_the_chat(bot: Bot) -> None:
    article = bot.server.new_message(GROUP, ALICE, text=seed_text())
    bot.server.remove_chat(GROUP["id"])
    bot.server.text_update(GROUP, ALICE, "/check", reply_to=article)
    assert await settle(bot, accepted=1, record=False) == {"done": 1, "lost": 0}
    assert "chat not found" in ((await bot.store.chat_settings(GROUP["id"])).unreachable or "").lower()
    await bot.alive(private_chat(BOB), BOB)


async def test_hardening_bot_unreachable_chat_gets_no_retry_and_no_give_up_notice(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    """Inbox items of a chat marked unreachable (a retry, an untold give-up) end without a send."""
    db = tmp_path / "db.sqlite3"
    chat = private_chat(ALICE)
    retry = fake_bot_api.new_message(chat, ALICE, text=seed_text())
    gave_up = fake_bot_api.new_message(chat, ALICE, text=seed_text())
    async with await Store.open(db, max_attempts=1, lease_seconds=0) as store:  # a process that died: no lease
        for update_id, message in ((1, retry), (2, gave_up)):
            article = ArticleInput(seed_text(), Origin(kind="direct"), ALICE["id"], message["message_id"])
            job = Job(update_id, ALICE["id"], message["message_id"], article, sender_id=ALICE["id"])
            await store.inbox_add(
                update_id=update_id, chat_id=ALICE["id"], message_id=message["message_id"], raw=job.inbox_raw()
            )
        await store.inbox_mark_failed(2, "RuntimeError: worker crashed")
        await store.mark_chat_unreachable(ALICE["id"], "Forbidden: bot was blocked by the user")
    async with running_bot(fake_bot_api, extraction_runner, db) as bot:
        await bot.server.wait_for(lambda: bot.server.requests_for("getUpdates"), 10)
        settled = await settle(bot)
        assert settled == {"done": 1, "gave_up": 1, "lost": 0}
        await bot.alive(private_chat(BOB), BOB)
        assert not [r for r in bot.server.requests if r.params.get("chat_id") == ALICE["id"]]
        assert bot.runner.calls == 0


async def test_hardening_bot_user_writing_again_is_reachable_again(bot: Bot) -> None:
    await bot.store.mark_chat_unreachable(ALICE["id"], "Forbidden: bot was blocked by the user")
    forwarded = forward(bot.server)
    assert is_report(await bot.reply(ALICE["id"], forwarded["message_id"]))
    assert (await bot.store.chat_settings(ALICE["id"])).unreachable is None


async def test_hardening_bot_send_to_a_migrated_group_follows_the_new_id(bot: Bot) -> None:
    old = group_chat(-300777, "Old desk", supergroup=False)
    article = bot.server.new_message(old, ALICE, text=seed_text())
    new = bot.server.migrate_chat(old["id"], -1003000777)
    bot.server.text_update(old, ALICE, "/check", reply_to=article)
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.server.bot_messages(new["id"])), 30)
    settled = await settle(bot, record=False)
    assert settled == {"done": 1, "lost": 0}
    assert [row[1] for row in inbox_rows(bot.db)] == [new["id"]]
    assert len(await bot.store.history(new["id"])) == 1
    assert not await bot.store.history(old["id"])
    assert not bot.server.bot_messages(old["id"])


async def test_hardening_bot_retry_after_migration_answers_in_the_supergroup(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    """The first analysis fails (told in the group); the group migrates; the retry answers in the new chat."""
    old = group_chat(-300888, "Old desk", supergroup=False)
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", failures=1) as bot:
        article = bot.server.new_message(old, ALICE, text=seed_text())
        await bot.store.set_chat_mode(old["id"], "mentions_only")
        bot.runner.gate = asyncio.Event()
        bot.server.text_update(old, ALICE, "/check", reply_to=article)
        await until(lambda: bot.runner.calls == 1)
        new = bot.server.migrate_chat(old["id"], -1003000888)
        bot.server.queue_update({"message": bot.server.new_message(old, ALICE, migrate_to_chat_id=new["id"])})
        bot.runner.gate.set()
        await bot.server.wait_for(lambda: any(is_report(m) for m in bot.server.bot_messages(new["id"])), 30)
        assert (await settle(bot))["lost"] == 0
        assert len([m for m in bot.server.bot_messages(new["id"]) if is_report(m)]) == 1
        assert (await bot.store.chat_settings(new["id"])).mode == "mentions_only"
        assert [row[1] for row in inbox_rows(bot.db)] == [new["id"]]


async def test_hardening_bot_callback_for_a_forgotten_report(bot: Bot) -> None:
    forwarded = forward(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    ask = await bot.reply(
        ALICE["id"], bot.server.text_update(private_chat(ALICE), ALICE, "/forget")["message"]["message_id"]
    )
    await bot.press(ALICE["id"], ALICE, ask["message_id"], "f:y")
    for data in buttons(reply).values():
        answer = await bot.press(ALICE["id"], ALICE, reply["message_id"], data)
        assert answer.get("show_alert") and "not available" in answer["text"]
    assert not bot.server.requests_for("sendDocument")
    await bot.alive(private_chat(ALICE), ALICE)


async def test_hardening_bot_unexpected_error_is_kept_told_and_retried(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error no handler foresaw (here: decoding the document raises once): told, kept, retried."""
    from bot.service import articles

    real = articles.decode_document
    calls: list[str | None] = []

    def flaky(content: bytes, file_name: str | None) -> tuple[str, str | None]:
        calls.append(file_name)
        if len(calls) == 1:
            raise RuntimeError("a bug nobody foresaw")
        return real(content, file_name)

    monkeypatch.setattr(articles, "decode_document", flaky)
    message = bot.server.document_update(private_chat(ALICE), ALICE, seed_text().encode(), "kursk.txt")["message"]
    await bot.server.wait_for(lambda: any(is_report(m) for m in bot.server.bot_messages(ALICE["id"])), 30)
    texts = [m["text"] for m in bot.server.bot_messages(ALICE["id"])]
    assert any("couldn't analyse this article just now (RuntimeError)" in text for text in texts)
    assert len(calls) == 2 and message["message_id"]


async def test_hardening_bot_broken_utf16_document_is_analysed(bot: Bot) -> None:
    content = b"\xff\xfe" + seed_text().encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate at the end
    message = bot.server.document_update(private_chat(ALICE), ALICE, content, "kursk.txt")["message"]
    assert is_report(await bot.reply(ALICE["id"], message["message_id"]))


# --- abuse and access -----------------------------------------------------------------------------


async def test_hardening_bot_rate_limits_keep_every_article_and_answer_it_later(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    """Over a limit nothing is dropped: the article is kept and analysed when the window allows it, and
    the chat gets one notice a window saying how many wait and about how long (window shortened to 3 s)."""
    async with running_bot(
        fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", user_rate=2, chat_rate=3, rate_window=3.0
    ) as bot:
        # Why a first article from Bob: with its report stored, every later one is read from storage, so
        # the count of analyses below does not depend on how fast the machine is.
        first = forward(bot.server, private_chat(BOB), BOB)
        assert is_report(await bot.server.wait_for(lambda: _report_to(bot, BOB["id"], first), 30))
        alone = [forward(bot.server) for _ in range(5)]  # Alice's limit is 2: three wait
        reports = [await bot.server.wait_for(lambda m=m: _report_to(bot, ALICE["id"], m), 30) for m in alone]
        assert all(is_report(report) for report in reports)
        notices = [m for m in bot.server.bot_messages(ALICE["id"]) if m["text"].startswith("Too many articles")]
        assert len(notices) == 1
        assert "you sent 2 in the last minute" in notices[0]["text"]
        assert "I'll answer the next 3 articles in about" in notices[0]["text"]
        in_group = [forward(bot.server, GROUP, make_user(3000 + n, f"Reader {n}")) for n in range(4)]
        for message in in_group:  # the chat's limit is 3: the fourth waits for the window
            assert is_report(await bot.server.wait_for(lambda m=message: _report_to(bot, GROUP["id"], m), 30))
        told = [m["text"] for m in bot.server.bot_messages(GROUP["id"]) if m["text"].startswith("Too many")]
        assert len(told) == 1 and "this chat sent 3" in told[0]
        assert (await settle(bot, accepted=10))["lost"] == 0
        assert bot.runner.calls == 1  # Bob's: the nine that waited or not all came from storage
        assert [len([r for r in bot.replies(ALICE["id"], m["message_id"]) if is_report(r)]) for m in alone] == [1] * 5


def _report_to(bot: Bot, chat_id: int, message: JSON) -> JSON | None:
    return next((r for r in bot.replies(chat_id, message["message_id"]) if is_report(r)), None)


@pytest.mark.parametrize(
    ("file_name", "size", "answer"),
    [("big.txt", 3 * 1024 * 1024, "3.0 MB; I take files up to 2 MB"), ("scan.pdf", 100, "can't read .pdf files")],
)
async def test_hardening_bot_document_refused_before_download_and_answered_once(
    bot: Bot, file_name: str, size: int, answer: str
) -> None:
    update = bot.server.document_update(private_chat(ALICE), ALICE, b"a " * (size // 2), file_name)
    bot.server.queue_update(update)  # Telegram delivers it again (same update_id)
    reply = await bot.reply(ALICE["id"], update["message"]["message_id"])
    assert answer in reply["text"]
    await bot.alive(private_chat(ALICE), ALICE)
    assert len(bot.replies(ALICE["id"], update["message"]["message_id"])) == 1
    assert not bot.server.requests_for("getFile")


async def test_hardening_bot_text_over_the_size_limit_is_refused(bot: Bot) -> None:
    content = ((seed_text() + "\n") * 200)[:1_500_000].encode()
    message = bot.server.document_update(private_chat(ALICE), ALICE, content, "long.txt")["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"])
    assert "longer than 200,000 characters" in reply["text"]
    assert bot.runner.calls == 0


async def test_hardening_bot_admin_only_commands_and_buttons_refuse_members(bot: Bot) -> None:
    bot.server.add_chat(GROUP)
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "creator")
    forwarded = forward(bot.server, GROUP, ALICE)
    await bot.reply(GROUP["id"], forwarded["message_id"])
    for command in ("/settings", "/forget"):
        refused = bot.server.text_update(GROUP, BOB, command)["message"]
        assert "Only the group's admins" in (await bot.reply(GROUP["id"], refused["message_id"]))["text"]
    settings = await bot.reply(GROUP["id"], bot.server.text_update(GROUP, ALICE, "/settings")["message"]["message_id"])
    for data in ("m:mentions_only", "f:y", "m:every_long_message"):
        answer = await bot.press(GROUP["id"], BOB, settings["message_id"], data)
        assert answer.get("show_alert") and "admins" in answer["text"]
    assert (await bot.store.chat_settings(GROUP["id"])).mode == "forwards_and_mentions"
    assert len(await bot.store.history(GROUP["id"])) == 1


FORGED = ["r:{id}:claims:0", "r:{id}:overview:0", "j:{id}", "o:{id}", "r:{id}:sources:99"]
MALFORMED = [
    "r:abc:claims:0",
    "r:1:evil:0",
    "r:999999:overview:0",
    "j:",
    "o:-1",
    "o:1e3",
    "r:" + "9" * 60,
    "c:-1009999:1",
    "c:x:1",
    "m:",
    "m:delete_everything",
]


async def test_hardening_bot_forged_callback_data_opens_nothing_of_another_chat(bot: Bot) -> None:
    forwarded = forward(bot.server, GROUP, ALICE)
    report = await bot.reply(GROUP["id"], forwarded["message_id"])
    analysis_id = buttons(report)["JSON"].split(":")[1]
    bot.server.set_chat_member(OTHER_GROUP["id"], BOB["id"], "creator")
    help_reply = await bot.reply(
        OTHER_GROUP["id"], bot.server.text_update(OTHER_GROUP, BOB, "/help")["message"]["message_id"]
    )
    before = bot.server.message(OTHER_GROUP["id"], help_reply["message_id"])
    for data in [d.format(id=analysis_id) for d in FORGED] + MALFORMED:
        answer = await bot.press(OTHER_GROUP["id"], BOB, help_reply["message_id"], data)
        assert answer.get("text"), data
    assert bot.server.message(OTHER_GROUP["id"], help_reply["message_id"]) == before
    assert not any(SEED_TITLE_WORDS in m.get("text", "") for m in bot.server.bot_messages(OTHER_GROUP["id"]))
    assert not bot.server.requests_for("sendDocument")
    assert (await bot.store.chat_settings(OTHER_GROUP["id"])).mode == "forwards_and_mentions"
    await bot.alive(OTHER_GROUP, BOB)


async def test_hardening_bot_logs_hold_no_token_and_no_message_text(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At the default level (INFO, as ``python -m bot run`` configures it) nothing logs the token or texts."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging("INFO", fake_bot_api.token)
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.INFO)
    secret = "Zebra-unicorn confidential phrase"
    article = seed_text().replace("\n", f" {secret}\n", 1)
    try:
        async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", failures=1) as bot:
            forwarded = forward(bot.server, text=article)
            await bot.server.wait_for(
                lambda: any(is_report(m) for m in bot.replies(ALICE["id"], forwarded["message_id"])), 30
            )
            bot.server.inject("sendMessage", server_error(502))
            for text in (f"/search {secret}", f"/check {secret}", secret, "/history"):
                bot.server.text_update(private_chat(BOB), BOB, text)
            await bot.server.wait_for(lambda: len(bot.server.bot_messages(BOB["id"])) >= 3, 20)
            await settle(bot)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    records = [r for r in caplog.records if r.name != "fakebotapi"]
    assert records, "nothing was logged at INFO"
    formatter = logging.Formatter("%(message)s")
    for record in records:
        line = formatter.format(record)
        assert fake_bot_api.token not in line, line
        assert fake_bot_api.token.split(":")[1] not in line, line
        assert secret not in line and "Zebra" not in line, line


async def test_hardening_bot_twelve_forwards_in_one_second_are_all_answered(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    """Issue 14: twelve posts forwarded at once by one user (the default limit is 10 a window) are all
    answered, each once; the two over the limit wait for the window (shortened to 3 s)."""
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", rate_window=3.0) as bot:
        burst = [forward(bot.server) for _ in range(12)]
        reports = [await bot.server.wait_for(lambda m=m: _report_to(bot, ALICE["id"], m), 30) for m in burst]
        assert all(is_report(report) for report in reports)
        assert [len([r for r in bot.replies(ALICE["id"], m["message_id"]) if is_report(r)]) for m in burst] == [1] * 12
        assert (await settle(bot, accepted=12))["lost"] == 0

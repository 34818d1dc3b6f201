"""End to end, in one process: the real python-telegram-bot stack against the fake Bot API server, a real
ExtractionRunner (one worker, shared by the module) and a real Store on a temporary SQLite file."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import socket
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from bot_harness import Bot, buttons, copy_analyses, running_bot
from fakebotapi import (
    FakeBotAPI,
    channel_chat,
    flood,
    group_chat,
    make_user,
    origin_channel,
    private_chat,
)

from bot.extraction.runner import ExtractionRunner
from bot.origin import Origin
from bot.report import Article, Claim, Report, Source, Unverified
from bot.service import RateLimits
from handlers import commands
from handlers.app import Webhook
from storage import StorageError, Store

SEED = Path(__file__).resolve().parent.parent / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
JSON = dict[str, Any]

ALICE = make_user(1001, "Alice")
BOB = make_user(1002, "Bob")
RFA = channel_chat(-1001234, "Radio Free Asia", username="rfa_news")
GROUP = group_chat(-100555, "Newsroom")
OTHER_GROUP = group_chat(-100666, "Other desk")

GERMAN = (
    "Die ukrainischen Streitkräfte haben am Samstag Bilder veröffentlicht, die nach ihren Angaben die Leichen "
    "nordkoreanischer Soldaten in der russischen Region Kursk zeigen. Der Geheimdienst schätzt, dass etwa "
    "zweihundert Soldaten getötet oder verwundet wurden. Unabhängig überprüfen ließen sich die Angaben nicht, "
    "und das Verteidigungsministerium in Moskau äußerte sich zunächst nicht zu den Berichten aus der Region."
)


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "claimdesk.sqlite3") as harness:
        yield harness


async def inbox_status(store: Store, update_id: int, *, reported: bool = False) -> str | None:
    """The inbox status of an update (None while ``reported`` is asked for and not yet set)."""
    item = await store.inbox_get(update_id)
    if item is None or (reported and not item.reported):
        return None
    return item.status


async def eventually(probe: Callable[[], Awaitable[Any]], expected: Any, timeout: float = 10.0) -> None:
    """Poll ``probe`` until it returns ``expected`` (the bot marks work done just after replying)."""
    async with asyncio.timeout(timeout):
        while (value := await probe()) != expected:
            await asyncio.sleep(0.02)
    assert value == expected


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def forward_seed(server: FakeBotAPI, chat: JSON = private_chat(ALICE), user: JSON = ALICE) -> JSON:
    origin = origin_channel(RFA, 4242, author_signature="Desk Editor")
    return server.forward_update(chat, user, seed_text(), origin)["message"]


def many_claims_report(count: int = 60) -> Report:
    sources = (Source("s1", "Ministry of Defence", ("MoD",), "government", None, True),)
    claims = tuple(
        Claim(
            f"c{i}",
            f"Claim number {i} about troop movements near the border " * 3,
            (0, 10),
            "s1",
            "said",
            "paraphrase",
            checkworthiness=1.0 - i / 1000,
        )
        for i in range(count)
    )
    unverified = (Unverified("c0", "not_confirmed", "could not be confirmed", (0, 10)),)
    return Report(
        article=Article("Hand-built report", "Test", None, "en", 900, "0" * 64),
        summary=(),
        sources=sources,
        claims=claims,
        attributions=(),
        unverified=unverified,
        extractor_version="test",
    )


# --- the seed, forwarded ----------------------------------------------------------------------------


async def test_bot_e2e_forwarded_seed_gets_a_report_reply_with_buttons(bot: Bot) -> None:
    forwarded = forward_seed(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    text = reply["text"]
    assert "Forwarded from Radio Free Asia" in text
    assert "by Desk Editor" in text
    assert re.search(r"\d+ claims? · \d+ sources? · \d+ unverified", text)
    link = next(e for e in reply["entities"] if e["type"] == "text_link")
    assert link["url"] == "https://t.me/rfa_news/4242"
    assert set(buttons(reply)) == {"Claims", "Sources", "Unverified", "Article", "JSON"}
    assert all(len(data.encode()) <= 64 for data in buttons(reply).values())
    assert bot.server.requests_for("sendChatAction", chat_id=ALICE["id"], action="typing")
    assert {c["command"] for c in bot.server.requests_for("setMyCommands")[0].params["commands"]} >= {"help", "check"}


async def test_bot_e2e_seed_report_names_sources_and_unverified_evidence(bot: Bot) -> None:
    forwarded = forward_seed(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    shown = [reply["text"]]
    for section in ("Claims", "Sources", "Unverified"):
        await bot.press(
            ALICE["id"],
            ALICE,
            reply["message_id"],
            buttons(bot.server.message(ALICE["id"], reply["message_id"]))[section],
        )
        shown.append(bot.server.message(ALICE["id"], reply["message_id"])["text"])
    everything = "\n".join(shown)
    for name in ("DIU", "Zelenskiy", "Pat Ryder"):
        assert name in everything
    assert "has not been able to independently verify" in everything


async def test_bot_e2e_every_button(bot: Bot) -> None:
    chat_id = ALICE["id"]
    forwarded = forward_seed(bot.server)
    reply = await bot.reply(chat_id, forwarded["message_id"])
    report_id = reply["message_id"]
    for section, heading in (("Claims", "Claims ("), ("Sources", "Sources ("), ("Unverified", "Unverified (")):
        data = buttons(bot.server.message(chat_id, report_id))[section]
        assert data.startswith("r:")
        answer = await bot.press(chat_id, ALICE, report_id, data)
        assert not answer.get("show_alert")
        edited = bot.server.message(chat_id, report_id)
        assert heading in edited["text"]
        assert section not in buttons(edited) and "Overview" in buttons(edited)
    await bot.press(chat_id, ALICE, report_id, buttons(bot.server.message(chat_id, report_id))["Overview"])
    assert bot.server.message(chat_id, report_id)["text"] == reply["text"]

    await bot.press(chat_id, ALICE, report_id, buttons(reply)["JSON"])
    document = await bot.server.wait_for(
        lambda: next((m for m in bot.server.bot_messages(chat_id) if "document" in m), None)
    )
    assert document["reply_to_message"]["message_id"] == report_id
    report = Report.from_dict(json.loads(bot.server.file_content(document)))
    assert report.article.words > 500


async def test_bot_e2e_paging_previous_next(bot: Bot) -> None:
    chat_id = ALICE["id"]
    hello = bot.server.text_update(private_chat(ALICE), ALICE, "/help")["message"]
    await bot.reply(chat_id, hello["message_id"])
    analysis = await bot.store.save_analysis(
        chat_id=chat_id, message_id=hello["message_id"], text="hand-built", report=many_claims_report(), origin=Origin()
    )
    history = await bot.command(private_chat(ALICE), ALICE, "/history")
    await bot.press(chat_id, ALICE, history["message_id"], buttons(history)["Open 1"])
    report_message = await bot.server.wait_for(
        lambda: next((m for m in bot.server.bot_messages(chat_id) if "Hand-built report" in m.get("text", "")), None)
    )
    message_id = report_message["message_id"]
    await bot.press(chat_id, ALICE, message_id, f"r:{analysis.id}:claims:0")
    first = bot.server.message(chat_id, message_id)
    assert "(page 1/" in first["text"] and "Next ›" in buttons(first) and "‹ Previous" not in buttons(first)
    await bot.press(chat_id, ALICE, message_id, buttons(first)["Next ›"])
    second = bot.server.message(chat_id, message_id)
    assert "(page 2/" in second["text"] and "‹ Previous" in buttons(second)
    await bot.press(chat_id, ALICE, message_id, buttons(second)["‹ Previous"])
    assert bot.server.message(chat_id, message_id)["text"] == first["text"]


async def test_bot_e2e_buttons_are_isolated_per_chat(bot: Bot) -> None:
    forwarded = forward_seed(bot.server, GROUP, ALICE)
    reply = await bot.reply(GROUP["id"], forwarded["message_id"])
    claims_data = buttons(reply)["Claims"]
    other = await bot.command(OTHER_GROUP, BOB, "/help")
    answer = await bot.press(OTHER_GROUP["id"], BOB, other["message_id"], claims_data)
    assert answer.get("show_alert") and "not available" in answer["text"]
    assert bot.server.message(OTHER_GROUP["id"], other["message_id"])["text"] == other["text"]
    answer = await bot.press(OTHER_GROUP["id"], BOB, other["message_id"], buttons(reply)["JSON"])
    assert answer.get("show_alert")
    assert not any("document" in m for m in bot.server.bot_messages(OTHER_GROUP["id"]))


async def test_bot_e2e_help_answers_while_an_analysis_runs(bot: Bot) -> None:
    bot.runner.gate = asyncio.Event()
    forwarded = forward_seed(bot.server)
    await bot.server.wait_for(lambda: bot.server.requests_for("sendChatAction", chat_id=ALICE["id"]))
    help_reply = await bot.command(private_chat(BOB), BOB, "/help")
    assert "Claimdesk" in help_reply["text"]
    assert not bot.replies(ALICE["id"], forwarded["message_id"])  # still analysing
    bot.runner.gate.set()
    assert "JSON" in buttons(await bot.reply(ALICE["id"], forwarded["message_id"]))


# --- groups -----------------------------------------------------------------------------------------


async def test_bot_e2e_check_as_reply_in_group(bot: Bot) -> None:
    article = bot.server.text_update(GROUP, ALICE, seed_text())["message"]  # a plain message: not analysed
    check = bot.server.text_update(GROUP, BOB, "/check", reply_to=article)["message"]
    reply = await bot.reply(GROUP["id"], article["message_id"])
    assert "claim" in reply["text"] and "JSON" in buttons(reply)
    assert not bot.replies(GROUP["id"], check["message_id"])
    assert len(bot.replies(GROUP["id"], article["message_id"])) == 1


async def test_bot_e2e_group_forward_that_is_no_article_gets_no_answer(bot: Bot) -> None:
    short = bot.server.forward_update(GROUP, ALICE, "Look at this!", origin_channel(RFA, 5))
    pdf = bot.server.document_update(GROUP, ALICE, b"%PDF", "a.pdf", forward_origin=origin_channel(RFA, 6))["message"]
    await eventually(lambda: inbox_status(bot.store, short["update_id"]), "done")  # looked at, and rejected
    marker = await bot.command(GROUP, ALICE, "/help")
    assert marker["text"]
    assert not bot.replies(GROUP["id"], short["message"]["message_id"])
    assert not bot.replies(GROUP["id"], pdf["message_id"])


async def test_bot_e2e_check_without_reply_explains(bot: Bot) -> None:
    reply = await bot.command(GROUP, ALICE, "/check")
    assert "as a reply" in reply["text"]


async def test_bot_e2e_mention_only_mode(bot: Bot) -> None:
    server = bot.server
    server.add_chat(GROUP)
    server.set_chat_member(GROUP["id"], ALICE["id"], "administrator")
    refused = await bot.command(GROUP, BOB, "/settings")
    assert "Only the group's admins" in refused["text"]
    settings = await bot.command(GROUP, ALICE, "/settings")
    answer = await bot.press(GROUP["id"], BOB, settings["message_id"], buttons(settings)["Only /check and mentions"])
    assert answer.get("show_alert")  # Bob is not an admin
    await bot.press(GROUP["id"], ALICE, settings["message_id"], buttons(settings)["Only /check and mentions"])
    assert (await bot.store.chat_settings(GROUP["id"])).mode == "mentions_only"
    assert "✓ Only /check and mentions" in buttons(server.message(GROUP["id"], settings["message_id"]))

    forwarded = forward_seed(server, GROUP, ALICE)  # ignored in this mode
    mention = server.text_update(GROUP, BOB, f"@{server.bot_user['username']} {seed_text()}")["message"]
    reply = await bot.reply(GROUP["id"], mention["message_id"])
    assert "claim" in reply["text"]
    assert not bot.replies(GROUP["id"], forwarded["message_id"])


async def test_bot_e2e_mention_as_reply_analyses_the_replied_message(bot: Bot) -> None:
    article = bot.server.text_update(GROUP, ALICE, seed_text())["message"]
    bot.server.text_update(GROUP, BOB, f"@{bot.server.bot_user['username']} check this", reply_to=article)
    reply = await bot.reply(GROUP["id"], article["message_id"])
    assert "claim" in reply["text"]


# --- documents and bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "encode"),
    [
        ("article.txt", lambda text: text.encode("utf-16")),
        (
            "article.html",
            lambda text: (
                "<html><head><title>Kursk</title><script>x()</script></head><body>"
                + "".join(f"<p>{line}</p>" for line in text.splitlines())
                + "</body></html>"
            ).encode("utf-8"),
        ),
    ],
)
async def test_bot_e2e_document_progress_message_becomes_report(
    bot: Bot, file_name: str, encode: Callable[[str], bytes]
) -> None:
    document = bot.server.document_update(private_chat(ALICE), ALICE, encode(seed_text()), file_name)["message"]
    reply = await bot.reply(ALICE["id"], document["message_id"])
    assert "JSON" in buttons(reply)
    assert f"file {file_name}" in reply["text"]
    progress = bot.server.requests_for("sendMessage", chat_id=ALICE["id"])
    assert any(r.params["text"].startswith("Analysing") for r in progress)
    assert reply.get("edit_date")  # the progress message was edited into the report
    assert len(bot.replies(ALICE["id"], document["message_id"])) == 1


async def test_bot_e2e_flood_control_on_send_is_retried(bot: Bot) -> None:
    bot.server.inject("sendMessage", flood(retry_after=1))
    forwarded = forward_seed(bot.server)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    assert "claim" in reply["text"]
    sends = bot.server.requests_for("sendMessage", chat_id=ALICE["id"])
    assert sends[0].response["error_code"] == 429 and sends[-1].response["ok"]


BAD_INPUTS = [
    pytest.param(
        lambda s: s.text_update(private_chat(ALICE), ALICE, "Breaking: troops seen near Kursk."),
        "too short",
        id="too-short",
    ),
    pytest.param(lambda s: s.text_update(private_chat(ALICE), ALICE, GERMAN), "English", id="not-english"),
    pytest.param(
        lambda s: s.document_update(private_chat(ALICE), ALICE, b"%PDF-1.4", "scan.pdf", mime_type="application/pdf"),
        "can't read .pdf",
        id="unsupported-file",
    ),
    pytest.param(
        lambda s: s.document_update(private_chat(ALICE), ALICE, b"a " * (1024 * 1024 + 1), "big.txt"),
        "up to 2 MB",
        id="too-large-file",
    ),
    pytest.param(
        lambda s: s.queue_update(
            {
                "message": s.new_message(
                    private_chat(ALICE),
                    ALICE,
                    sticker={
                        "file_id": "st",
                        "file_unique_id": "stu",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    },
                )
            }
        ),
        "Send me a news article",
        id="sticker",
    ),
]


@pytest.mark.parametrize(("send", "expected"), BAD_INPUTS)
async def test_bot_e2e_bad_input_gets_a_clear_answer(
    bot: Bot, send: Callable[[FakeBotAPI], JSON], expected: str
) -> None:
    message = send(bot.server)["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"])
    assert expected in reply["text"]
    assert "reply_markup" not in reply


# --- idempotency, repeats, edits --------------------------------------------------------------------


async def test_bot_e2e_same_update_delivered_twice_is_answered_once(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    update = fake_bot_api.forward_update(private_chat(ALICE), ALICE, seed_text(), origin_channel(RFA, 1))
    fake_bot_api.queue_update(update)  # Telegram delivers it again (same update_id)
    marker = fake_bot_api.text_update(private_chat(ALICE), ALICE, "/help")["message"]
    assert [u["update_id"] for u in fake_bot_api.pending_updates].count(update["update_id"]) == 2
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3") as bot:
        await bot.reply(ALICE["id"], update["message"]["message_id"])
        await bot.reply(ALICE["id"], marker["message_id"])
        await eventually(lambda: inbox_status(bot.store, update["update_id"]), "done")
        assert len(bot.replies(ALICE["id"], update["message"]["message_id"])) == 1
        assert bot.runner.calls == 1


async def test_bot_e2e_second_forward_answers_from_stored_report(bot: Bot) -> None:
    first = forward_seed(bot.server)
    first_reply = await bot.reply(ALICE["id"], first["message_id"])
    assert "Seen" not in first_reply["text"]
    second = forward_seed(bot.server)
    second_reply = await bot.reply(ALICE["id"], second["message_id"])
    assert "Seen 2 times in this chat" in second_reply["text"]
    assert bot.runner.calls == 1


async def test_bot_e2e_edit_of_a_short_text_into_an_article_replaces_the_refusal(bot: Bot) -> None:
    message = bot.server.text_update(private_chat(ALICE), ALICE, "Too short.")["message"]
    refusal = await bot.reply(ALICE["id"], message["message_id"])
    assert "too short" in refusal["text"]
    bot.server.edited_message_update(ALICE["id"], message["message_id"], seed_text())

    def reported() -> JSON | None:
        answer = bot.server.message(ALICE["id"], refusal["message_id"])
        return answer if "Analysed again" in answer["text"] else None

    report = await bot.server.wait_for(reported, 20.0)
    assert "Key claims" in report["text"] and "Article" in buttons(report)
    assert len(bot.replies(ALICE["id"], message["message_id"])) == 1  # the refusal became the report


async def test_bot_e2e_analysis_failure_is_told_kept_and_retried(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", failures=1) as bot:
        update = fake_bot_api.forward_update(private_chat(ALICE), ALICE, seed_text(), origin_channel(RFA, 2))
        forwarded = update["message"]
        told = await bot.reply(ALICE["id"], forwarded["message_id"])
        assert "couldn't analyse this article just now" in told["text"]
        assert "try again automatically" in told["text"]
        replies = await bot.server.wait_for(lambda: bot.replies(ALICE["id"], forwarded["message_id"])[1:], 20)
        assert "JSON" in buttons(replies[0])
        await eventually(lambda: inbox_status(bot.store, update["update_id"]), "done")
        assert len(bot.replies(ALICE["id"], forwarded["message_id"])) == 2
        assert bot.runner.calls == 2


async def test_bot_e2e_analysis_given_up_is_told_once(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", failures=9, max_attempts=2) as bot:
        update = fake_bot_api.forward_update(private_chat(ALICE), ALICE, seed_text(), origin_channel(RFA, 3))
        message_id = update["message"]["message_id"]
        gave_up = await bot.server.wait_for(
            lambda: [m for m in bot.replies(ALICE["id"], message_id) if "gave up" in m["text"]], 20
        )
        assert "after 2 attempts" in gave_up[0]["text"]
        await eventually(lambda: inbox_status(bot.store, update["update_id"], reported=True), "gave_up")
        assert len(bot.replies(ALICE["id"], message_id)) == 2  # "kept and retried", then "gave up"


async def test_bot_e2e_untold_give_up_is_told_at_start(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    message = fake_bot_api.new_message(private_chat(ALICE), ALICE, text=seed_text())
    store = await Store.open(db, max_attempts=1)
    await store.inbox_add(update_id=7, chat_id=ALICE["id"], message_id=message["message_id"], raw={})
    await store.inbox_mark_failed(7, "RuntimeError: worker crashed")  # the process died before telling
    await store.close()
    async with running_bot(fake_bot_api, extraction_runner, db) as bot:
        told = await bot.reply(ALICE["id"], message["message_id"])
        assert "gave up on this article after 1 attempt (RuntimeError)" in told["text"]
        await eventually(lambda: inbox_status(bot.store, 7, reported=True), "gave_up")


# --- commands ---------------------------------------------------------------------------------------


async def test_bot_e2e_help_explains_groups_and_limits(bot: Bot) -> None:
    reply = await bot.command(private_chat(ALICE), ALICE, "/start")
    for phrase in ("privacy mode", "/check", "admin", "does not judge truth"):
        assert phrase in reply["text"]


async def test_bot_e2e_history_search_export_forget(bot: Bot) -> None:
    chat = private_chat(ALICE)
    chat_id = ALICE["id"]
    empty = await bot.command(chat, ALICE, "/history")
    assert "Nothing has been analysed" in empty["text"]
    forwarded = forward_seed(bot.server)
    await bot.reply(chat_id, forwarded["message_id"])
    await bot.store.save_analysis(
        chat_id=chat_id,
        message_id=forwarded["message_id"],
        text="hand-built",
        report=many_claims_report(3),
        origin=Origin(),
    )

    history = await bot.command(chat, ALICE, "/history 5")
    assert "Last 2 articles analysed" in history["text"] and "Hand-built report" in history["text"]
    assert set(buttons(history)) == {"Open 1", "Open 2"}

    found = await bot.command(chat, ALICE, "/search troop movements")
    assert "Claim number" in found["text"] and "Hand-built report" in found["text"]
    nothing = await bot.command(chat, ALICE, "/search zebra")
    assert "Nothing in this chat's reports matches" in nothing["text"]

    for fmt in ("json", "csv", "md"):
        exported = await bot.command(chat, ALICE, f"/export {fmt}")
        assert exported["document"]["file_name"].endswith(f".{fmt}")
        content = bot.server.file_content(exported)
        assert b"Hand-built report" in content or b"Claim number" in content
    bad = await bot.command(chat, ALICE, "/export pdf")
    assert "Usage" in bad["text"]

    ask = await bot.command(chat, ALICE, "/forget")
    await bot.press(chat_id, ALICE, ask["message_id"], buttons(ask)["Delete everything"])
    assert "Deleted everything" in bot.server.message(chat_id, ask["message_id"])["text"]
    assert await bot.store.history(chat_id) == []


async def test_bot_e2e_forget_in_group_is_for_admins(bot: Bot) -> None:
    bot.server.add_chat(GROUP)
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "creator")
    forwarded = forward_seed(bot.server, GROUP, ALICE)
    await bot.reply(GROUP["id"], forwarded["message_id"])
    refused = await bot.command(GROUP, BOB, "/forget")
    assert "Only the group's admins" in refused["text"]
    ask = await bot.command(GROUP, ALICE, "/forget")
    answer = await bot.press(GROUP["id"], BOB, ask["message_id"], buttons(ask)["Delete everything"])
    assert answer.get("show_alert")
    assert len(await bot.store.history(GROUP["id"])) == 1
    await bot.press(GROUP["id"], ALICE, ask["message_id"], buttons(ask)["Cancel"])
    assert "Nothing was deleted" in bot.server.message(GROUP["id"], ask["message_id"])["text"]


async def test_bot_e2e_export_of_2000_reports_leaves_the_bot_responsive(bot: Bot) -> None:
    """2,000 reports (about 36 MB of JSON): the file is written off the event loop, so /help in another
    chat is answered at once; it is gzipped under Telegram's 50 MB; a second export right after waits."""
    bot.app.bot_data.exports = RateLimits(0, 1, window=60)  # one a minute here (the default allows 3 in 5)
    forwarded = forward_seed(bot.server)
    await bot.reply(ALICE["id"], forwarded["message_id"])
    await copy_analyses(bot.db, ALICE["id"], 1999)
    export = bot.server.text_update(private_chat(ALICE), ALICE, "/export json")["message"]
    started = time.monotonic()
    asked = bot.server.text_update(private_chat(BOB), BOB, "/help")["message"]
    await bot.reply(BOB["id"], asked["message_id"])
    help_seconds = time.monotonic() - started
    sent = await bot.reply(ALICE["id"], export["message_id"], timeout=120)
    assert bot.replies(ALICE["id"], export["message_id"])[0] is not None
    assert help_seconds < 1.0, f"/help took {help_seconds:.2f} s during the export"
    assert sent.get("document", {}).get("file_name", "").endswith(".json.gz"), sent.get("text")
    data = json.loads(gzip.decompress(bot.server.file_content(sent)))
    assert len(data) == 2000 and "(2000, json)" in sent["caption"]
    again = await bot.command(private_chat(ALICE), ALICE, "/export csv")
    assert "try again in" in again["text"]


async def test_bot_e2e_export_over_the_upload_limit_is_refused_with_the_count(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export whose gzipped file passes the upload limit (here 20 KB) is given up as soon as it does,
    and the chat is told how many reports it has and what to try instead; no document is sent."""
    monkeypatch.setattr(commands, "COMPRESS_ABOVE", 5_000)
    monkeypatch.setattr(commands, "UPLOAD_LIMIT", 20_000)
    forwarded = forward_seed(bot.server)
    await bot.reply(ALICE["id"], forwarded["message_id"])
    await copy_analyses(bot.db, ALICE["id"], 199)
    refused = await bot.command(private_chat(ALICE), ALICE, "/export json")
    assert "document" not in refused
    assert "200 reports are too many" in refused["text"] and "/export csv" in refused["text"]


async def test_bot_e2e_demoted_admin_cannot_confirm_forget_or_change_settings(bot: Bot) -> None:
    """Admin rights are asked of Telegram again right before a destructive action, not taken from the
    cache that /forget and /settings filled a moment before."""
    bot.server.add_chat(GROUP)
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "administrator")
    forwarded = forward_seed(bot.server, GROUP, ALICE)
    await bot.reply(GROUP["id"], forwarded["message_id"])
    ask = await bot.command(GROUP, ALICE, "/forget")
    menu = await bot.command(GROUP, ALICE, "/settings")
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "member")  # demoted after asking
    answer = await bot.press(GROUP["id"], ALICE, ask["message_id"], buttons(ask)["Delete everything"])
    assert answer.get("show_alert")
    assert len(await bot.store.history(GROUP["id"])) == 1
    mode_buttons = [label for label in buttons(menu) if label != "Channel posts: reports off"]
    answer = await bot.press(GROUP["id"], ALICE, menu["message_id"], buttons(menu)[mode_buttons[-1]])
    assert answer.get("show_alert")
    assert (await bot.store.chat_settings(GROUP["id"])).mode == "forwards_and_mentions"


async def test_bot_e2e_document_lying_about_its_size_is_read_only_up_to_the_cap(bot: Bot) -> None:
    """A 15 MB document whose message claims 1,000 bytes: the download stops just past the 2 MB cap (the
    whole file was read into memory before), and the user is told the limit."""
    content = b"word " * (3 * 1024 * 1024)
    document = bot.server.document_update(private_chat(ALICE), ALICE, content, "huge.txt", file_size=1000)["message"]
    tracemalloc.start()
    try:
        answer = await bot.reply(ALICE["id"], document["message_id"])
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "files up to 2 MB" in answer["text"]
    assert peak < 8 * 1024 * 1024


async def test_bot_e2e_webhook_mode(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook = Webhook(url=f"http://127.0.0.1:{port}/claimdesk/hook", listen="127.0.0.1", port=port)
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", webhook=webhook) as bot:
        assert fake_bot_api.webhook_url == webhook.url
        assert fake_bot_api.requests_for("setWebhook")[0].params["secret_token"] == webhook.secret_token
        forwarded = forward_seed(bot.server)
        reply = await bot.reply(ALICE["id"], forwarded["message_id"])
        assert "JSON" in buttons(reply)
    assert not fake_bot_api.requests_for("getUpdates")


async def test_bot_e2e_webhook_answers_only_after_the_update_is_kept(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update is written before the webhook answers: when the write fails, Telegram gets an error
    (and sends the update again later), not a 200 for an update the bot would then lose."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook = Webhook(url=f"http://127.0.0.1:{port}/claimdesk/hook", listen="127.0.0.1", port=port)
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "db.sqlite3", webhook=webhook) as bot:

        async def disk_full(update_id: int, raw: dict[str, Any]) -> bool:
            raise StorageError("database or disk is full", problem="full")

        monkeypatch.setattr(bot.store, "received_add", disk_full)
        update = fake_bot_api.text_update(private_chat(ALICE), ALICE, "/help")
        await fake_bot_api.wait_for(lambda: fake_bot_api.webhook_deliveries, timeout=10)
        assert fake_bot_api.webhook_deliveries == [(update["update_id"], False)]
        assert [u["update_id"] for u in fake_bot_api.pending_updates] == [update["update_id"]]
        assert not bot.replies(ALICE["id"], update["message"]["message_id"])


async def test_bot_e2e_removed_from_group_marks_chat_unreachable(bot: Bot) -> None:
    bot.server.my_chat_member_update(GROUP, ALICE, old_status="member", new_status="kicked")
    await eventually(lambda: unreachable(bot.store, GROUP["id"]), True)
    bot.server.my_chat_member_update(GROUP, ALICE, old_status="left", new_status="member")
    await eventually(lambda: unreachable(bot.store, GROUP["id"]), False)


async def unreachable(store: Store, chat_id: int) -> bool:
    return (await store.chat_settings(chat_id)).unreachable is not None


# --- channels ---------------------------------------------------------------------------------------


async def test_bot_e2e_channel_post_report_goes_to_discussion_group(bot: Bot) -> None:
    server = bot.server
    channel = channel_chat(-1009999, "Desk Channel", username="desk_channel")
    server.add_chat(channel)
    server.add_chat(GROUP)
    server.link_discussion_group(channel["id"], GROUP["id"])
    server.set_chat_member(GROUP["id"], ALICE["id"], "administrator")

    post = server.channel_post_update(channel, seed_text())["channel_post"]
    off = server.automatic_forward_update(GROUP, channel, seed_text(), channel_message_id=post["message_id"])["message"]
    settings = await bot.command(GROUP, ALICE, "/settings")
    assert not bot.replies(GROUP["id"], off["message_id"])  # channel reports are off by default
    assert "Channel posts: reports off" in buttons(settings)

    await bot.press(GROUP["id"], ALICE, settings["message_id"], buttons(settings)["Channel posts: reports off"])
    assert (await bot.store.chat_settings(channel["id"])).channel_reports
    post = server.channel_post_update(channel, seed_text())["channel_post"]
    copy = server.automatic_forward_update(GROUP, channel, seed_text(), channel_message_id=post["message_id"])[
        "message"
    ]
    reply = await bot.reply(GROUP["id"], copy["message_id"])
    assert "Forwarded from Desk Channel" in reply["text"]
    assert not server.bot_messages(channel["id"])  # nothing is posted in the channel itself


async def test_bot_e2e_settings_posted_in_the_channel(bot: Bot) -> None:
    server = bot.server
    channel = channel_chat(-1008888, "Own Channel")
    server.add_chat(channel)
    server.set_chat_member(channel["id"], ALICE["id"], "administrator")
    post = server.channel_post_update(channel, "/settings")["channel_post"]
    settings = await bot.reply(channel["id"], post["message_id"])
    assert "linked discussion group" in settings["text"]
    answer = await bot.press(
        channel["id"], BOB, settings["message_id"], buttons(settings)["Channel posts: reports off"]
    )
    assert answer.get("show_alert")  # Bob is no admin of the channel
    await bot.press(channel["id"], ALICE, settings["message_id"], buttons(settings)["Channel posts: reports off"])
    assert (await bot.store.chat_settings(channel["id"])).channel_reports
    assert "Channel posts: reports on ✓" in buttons(server.message(channel["id"], settings["message_id"]))
    post = server.channel_post_update(channel, seed_text())["channel_post"]
    await eventually(lambda: history_size(bot.store, channel["id"]), 1)  # analysed and kept, not posted
    assert not bot.replies(channel["id"], post["message_id"])


async def history_size(store: Store, chat_id: int) -> int:
    return len(await store.history(chat_id))


async def test_bot_e2e_long_history_and_search_fit_one_message(bot: Bot) -> None:
    chat = private_chat(ALICE)
    marker = await bot.command(chat, ALICE, "/help")
    nasty = 'Troops & <tanks> "near" the border 🙂 ' * 20
    for i in range(30):
        report = many_claims_report(3)
        report = Report.from_dict(
            {**report.to_dict(), "article": {**report.to_dict()["article"], "title": f"{i} {nasty}"}}
        )
        await bot.store.save_analysis(
            chat_id=ALICE["id"],
            message_id=marker["message_id"],
            text=f"text {i}",
            report=report,
            origin=Origin(chat_title=nasty),
        )
    history = await bot.command(chat, ALICE, "/history 30")
    assert history["text"].startswith("Last ") and "Troops & <tanks>" in history["text"]
    assert len(buttons(history)) == int(history["text"].split()[1])
    found = await bot.command(chat, ALICE, "/search troop movements")
    assert "matches for" in found["text"] and buttons(found)


async def test_bot_e2e_check_with_pasted_text_in_private(bot: Bot) -> None:
    message = bot.server.text_update(private_chat(ALICE), ALICE, "/check\n" + seed_text())["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"])
    assert "JSON" in buttons(reply)

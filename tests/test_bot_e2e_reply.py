"""The reply an editor reads (issue 14), end to end: the real bot against the fake Bot API server, a real
extraction worker and a real Store. The first message of the seed, titles of posts without a headline,
/history with repeat forwards."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bot_harness import Bot, buttons, running_bot, seed_text
from browser import dump_dom, parse
from fakebotapi import FakeBotAPI, channel_chat, make_user, origin_channel, private_chat

from bot.extraction.runner import ExtractionRunner
from bot.render import FIRST_MESSAGE_LIMIT

JSON = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
ALICE = make_user(2001, "Alice")
RFA = channel_chat(-1004321, "Radio Free Asia", username="rfa_news")
DESK = channel_chat(-1005555, "London Desk", username="london_desk")
#: A Wikinews article (CC BY 2.5, see tests/data/README.md) whose post starts with its date, not a headline.
WIKINEWS = json.loads((ROOT / "tests" / "data" / "wikinews-sample.jsonl").read_text("utf-8").splitlines()[0])


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "claimdesk.sqlite3") as running:
        yield running


def forward(bot: Bot, text: str, channel: JSON = RFA, post: int = 4242) -> JSON:
    return bot.server.forward_update(private_chat(ALICE), ALICE, text, origin_channel(channel, post))["message"]


def section(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` in a message's text, up to the next blank line."""
    return text.split(f"\n{heading}\n", 1)[1].split("\n\n", 1)[0].splitlines()


async def test_bot_e2e_reply_first_message_of_the_seed_tells_the_story(bot: Bot) -> None:
    forwarded = forward(bot, seed_text())
    text = (await bot.reply(ALICE["id"], forwarded["message_id"]))["text"]
    assert len(text) <= FIRST_MESSAGE_LIMIT
    assert text.startswith("Ukrainian forces released images and videos of what it said were the bodies")
    sources = "\n".join(section(text, "Sources"))
    for name in ("Volodymyr Zelenskiy", "Pat Ryder", "Defence Intelligence of Ukraine (DIU, military)"):
        assert name in sources
    assert "a U.S. official (anonymous)" in sources
    key_claims = section(text, "Key claims")
    assert key_claims[0].startswith(("• DIU", "• U.S. and South Korea", "• a U.S. official"))
    assert not any(line.startswith("• Radio Free Asia") for line in key_claims)
    lines = section(text, "Not established")
    assert lines[-1].startswith("… ") and lines[-1].endswith("more under Unverified")
    for line in lines[:-1]:
        assert " claim" in line or " quote" in line, line  # each names the claim it is about


async def test_bot_e2e_reply_post_without_headline_is_titled_from_its_lead(bot: Bot) -> None:
    forwarded = forward(bot, WIKINEWS["text"], DESK, 7)
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    title = reply["text"].split("\n", 1)[0]
    assert title.startswith("An apartment building collapsed on Monday in Magnitogorsk")
    assert "Untitled" not in reply["text"] and "January 4, 2019" not in title
    listed = (await bot.command(private_chat(ALICE), ALICE, "/history"))["text"]
    assert f"1. {title} — London Desk" in listed


async def test_bot_e2e_reply_history_lists_three_forwards_as_one_row(bot: Bot) -> None:
    for post in (1, 2, 3):
        forwarded = forward(bot, seed_text(), RFA, post)
        await bot.reply(ALICE["id"], forwarded["message_id"])
    listed = (await bot.command(private_chat(ALICE), ALICE, "/history"))["text"]
    rows = [line for line in listed.splitlines() if line[:1].isdigit()]
    assert listed.startswith("Last 1 article analysed in this chat")
    assert rows == [
        "1. Ukrainian forces released images and videos of what it said were the bodies of North… — Radio Free Asia"
    ]
    assert re.search(r"\d+ claims · \d+ sources · \d+ unverified · forwarded 3 times", listed)
    found = (await bot.command(private_chat(ALICE), ALICE, "/search radio free asia"))["text"]
    assert "• article from: Radio Free Asia\n" in found


async def until_history(bot: Bot, rows: int) -> None:
    async with asyncio.timeout(10):
        while len(await bot.store.history(ALICE["id"])) != rows:
            await asyncio.sleep(0.02)


async def test_bot_e2e_reply_article_button_sends_the_marked_up_page(bot: Bot, tmp_path: Path) -> None:
    forwarded = forward(bot, seed_text())
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    await bot.press(ALICE["id"], ALICE, reply["message_id"], buttons(reply)["Article"])
    sent = await bot.server.wait_for(lambda: next((m for m in bot.replies(ALICE["id"], reply["message_id"])), None))
    assert sent["document"]["file_name"].endswith(".html") and "marked up" in sent["caption"]
    page = tmp_path / sent["document"]["file_name"]
    page.write_bytes(bot.server.file_content(sent))
    answered = await bot.store.answered(ALICE["id"], forwarded["message_id"])
    assert answered is not None and answered.analysis_id is not None
    stored = await bot.store.get_analysis(answered.analysis_id, chat_id=ALICE["id"])
    assert stored is not None
    dom = parse(dump_dom(page))  # the real browser renders what the bot sent
    assert dom.counts["data-attributions"] == str(len(stored.report.attributions)) != "0"
    assert dom.numbers("unv") == set(range(1, len(stored.report.unverified) + 1))


async def test_bot_e2e_reply_edit_reanalyses_and_replaces_the_report_in_place(bot: Bot) -> None:
    chat = private_chat(ALICE)
    pasted = bot.server.text_update(chat, ALICE, WIKINEWS["text"])["message"]
    first = await bot.reply(ALICE["id"], pasted["message_id"])
    assert first["text"].startswith("An apartment building collapsed")
    bot.server.edited_message_update(ALICE["id"], pasted["message_id"], seed_text())

    def replaced() -> JSON | None:
        answer = bot.server.message(ALICE["id"], first["message_id"])
        return answer if answer["text"].startswith("Ukrainian forces released") else None

    report = await bot.server.wait_for(replaced, 20.0)
    assert "✎ Analysed again: the message was edited." in report["text"] and "Article" in buttons(report)
    assert len(bot.replies(ALICE["id"], pasted["message_id"])) == 1
    await until_history(bot, 1)  # the superseded analysis is forgotten just after the report is replaced
    listed = (await bot.command(chat, ALICE, "/history"))["text"]
    assert listed.startswith("Last 1 article analysed") and "Magnitogorsk" not in listed  # superseded


async def test_bot_e2e_reply_edit_answers_anew_when_the_report_cannot_be_edited(bot: Bot) -> None:
    pasted = bot.server.text_update(private_chat(ALICE), ALICE, WIKINEWS["text"])["message"]
    first = await bot.reply(ALICE["id"], pasted["message_id"])
    await bot.app.bot.delete_message(ALICE["id"], first["message_id"])
    bot.server.edited_message_update(ALICE["id"], pasted["message_id"], seed_text())

    def answered_anew() -> JSON | None:
        return next((m for m in bot.replies(ALICE["id"], pasted["message_id"]) if "Analysed again" in m["text"]), None)

    report = await bot.server.wait_for(answered_anew, 20.0)
    assert report["message_id"] != first["message_id"]
    assert report["text"].startswith("Ukrainian forces released")

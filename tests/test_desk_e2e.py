"""The desk end to end: the real bot against the fake Bot API, a real extraction worker and a real Store.

Verdicts by button (and refused to a non-admin where only admins may mark), a note as a reply, /desk,
a repeated claim seen before with its verdict carried over, a conflicting figure, chats kept apart, and
a forgotten chat's verdicts gone. The articles are four Wikinews articles of 2019 (tests/data/README.md).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bot_harness import Bot, buttons, running_bot
from fakebotapi import FakeBotAPI, channel_chat, group_chat, make_user, origin_channel, private_chat

from bot.extraction.runner import ExtractionRunner

JSON = dict[str, Any]
DATA = Path(__file__).resolve().parent / "data" / "wikinews-desk.jsonl"
ARTICLES = {
    row["id"].removeprefix("wikinews-2019-"): row for row in map(json.loads, DATA.read_text("utf-8").splitlines())
}
HK_JUNE = "Hong_Kong_protesters_surround_downtown_police_complex"
HK_AUGUST = "Hong_Kong_protests_continue_through_police_opposition,_rainstorms"
STORM_MONDAY = "Tropical_Storm_Humberto_upgraded_to_hurricane_status"
STORM_THURSDAY = "Hurricane_Humberto_strengthens_to_Category_3_while_approaching_Bermuda"
#: A claim both Hong Kong articles make word for word.
HANDOVER = "The British relinquished control of Hong Kong to China in 1997."

ALICE = make_user(2001, "Alice", username="alice")
BOB = make_user(2002, "Bob")
WIKINEWS = channel_chat(-1009999, "Wikinews", username="wikinews")
GROUP = group_chat(-100777, "Verification desk")
OTHER_GROUP = group_chat(-100888, "Sports desk")


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "claimdesk.sqlite3") as harness:
        yield harness


async def forward(bot: Bot, name: str, chat: JSON, user: JSON = ALICE) -> JSON:
    """Forward one article (its title first, as a channel post would carry it); the bot's report."""
    row = ARTICLES[name]
    text = f"{row['title']}\n\n{row['text']}"
    message = bot.server.forward_update(chat, user, text, origin_channel(WIKINEWS, 100 + len(name)))["message"]
    return await bot.reply(chat["id"], message["message_id"])


async def open_claims(bot: Bot, chat_id: int, user: JSON, report: JSON) -> JSON:
    """Press Claims under a report (Overview first when the Claims page is shown); the message then."""
    if "Claims" not in buttons(report):
        await bot.press(chat_id, user, report["message_id"], buttons(report)["Overview"])
        report = bot.server.message(chat_id, report["message_id"])
    await bot.press(chat_id, user, report["message_id"], buttons(report)["Claims"])
    return bot.server.message(chat_id, report["message_id"])


def claim_number(page: JSON, text: str) -> int:
    """The number the Claims page gives the claim that starts with ``text``."""
    for line in page["text"].splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit() and text[:40] in rest:
            return int(number)
    raise AssertionError(f"claim {text[:40]!r} not on the page:\n{page['text']}")


async def mark(bot: Bot, chat_id: int, user: JSON, report: JSON, number: int, verdict: str) -> JSON:
    """✎ <number>, then the verdict button; the callback answer of the second press (or the first, refused)."""
    page = bot.server.message(chat_id, report["message_id"])
    answer = await bot.press(chat_id, user, report["message_id"], buttons(page)[f"✎ {number}"])
    if answer.get("show_alert"):
        return answer
    chooser = bot.server.message(chat_id, report["message_id"])
    label = next(text for text in buttons(chooser) if text.endswith(verdict))
    return await bot.press(chat_id, user, report["message_id"], buttons(chooser)[label])


async def test_desk_e2e_a_verdict_by_button_shows_on_the_report_with_its_note(bot: Bot) -> None:
    chat = private_chat(ALICE)
    report = await forward(bot, HK_JUNE, chat)
    page = await open_claims(bot, ALICE["id"], ALICE, report)
    number = claim_number(page, HANDOVER)
    answer = await mark(bot, ALICE["id"], ALICE, report, number, "verified")
    assert answer.get("text") == f"Claim {number}: verified."
    shown = bot.server.message(ALICE["id"], report["message_id"])["text"]
    assert "✅ verified · @alice" in shown
    prompt = await bot.server.wait_for(
        lambda: next((m for m in bot.server.bot_messages(ALICE["id"]) if m["text"].startswith("📝 Note")), None), 20.0
    )
    note = bot.server.text_update(chat, ALICE, "Checked against the 1997 handover treaty", reply_to=prompt)["message"]
    assert (await bot.reply(ALICE["id"], note["message_id"]))["text"] == f"Note kept with claim {number}."
    page = await open_claims(bot, ALICE["id"], ALICE, bot.server.message(ALICE["id"], report["message_id"]))
    assert "Checked against the 1997 handover treaty" in page["text"]
    assert bot.runner.calls == 1  # the note was not taken for an article
    desk = await bot.command(chat, ALICE, "/desk")
    assert "Latest verdicts (1)" in desk["text"] and "relinquished" in desk["text"]
    assert "Open 1" in buttons(desk)


async def test_desk_e2e_admins_only_refuses_a_member_until_opened_to_all(bot: Bot) -> None:
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "administrator")
    report = await forward(bot, HK_JUNE, GROUP)
    page = await open_claims(bot, GROUP["id"], BOB, report)
    number = claim_number(page, HANDOVER)
    refused = await mark(bot, GROUP["id"], BOB, report, number, "false")
    assert refused.get("show_alert") and "Only the group's admins" in refused["text"]
    assert "❌" not in bot.server.message(GROUP["id"], report["message_id"])["text"]
    settings = await bot.command(GROUP, ALICE, "/settings")
    await bot.press(GROUP["id"], ALICE, settings["message_id"], buttons(settings)["Verdicts: every member"])
    assert "✓ Verdicts: every member" in buttons(bot.server.message(GROUP["id"], settings["message_id"]))
    await open_claims(bot, GROUP["id"], BOB, bot.server.message(GROUP["id"], report["message_id"]))
    answer = await mark(bot, GROUP["id"], BOB, report, number, "disputed")
    assert answer.get("text") == f"Claim {number}: disputed."
    assert "⚖️ disputed · Bob" in bot.server.message(GROUP["id"], report["message_id"])["text"]


async def test_desk_e2e_a_repeated_claim_is_seen_before_with_its_verdict(bot: Bot) -> None:
    chat = private_chat(ALICE)
    first = await forward(bot, HK_JUNE, chat)
    page = await open_claims(bot, ALICE["id"], ALICE, first)
    await mark(bot, ALICE["id"], ALICE, first, claim_number(page, HANDOVER), "verified")
    second = await forward(bot, HK_AUGUST, chat)
    assert "seen before" in second["text"]  # the count on the first page
    page = await open_claims(bot, ALICE["id"], ALICE, second)
    block = page["text"].split(HANDOVER, 1)[1].split("\n\n")[0]
    title = ARTICLES[HK_JUNE]["title"]
    assert f"↺ seen before in {title}" in block
    assert "✅ verified there (carried over)" in block


async def test_desk_e2e_a_conflicting_figure_is_shown(bot: Bot) -> None:
    chat = private_chat(ALICE)
    await forward(bot, STORM_MONDAY, chat)
    second = await forward(bot, STORM_THURSDAY, chat)
    assert "in conflict" in second["text"]
    page = await open_claims(bot, ALICE["id"], ALICE, second)
    title = ARTICLES[STORM_MONDAY]["title"]
    assert f"≠ conflicting figure: 120 here, 75 in {title}" in page["text"]


async def test_desk_e2e_nothing_of_one_chat_appears_in_another(bot: Bot) -> None:
    first = await forward(bot, HK_JUNE, GROUP)
    bot.server.set_chat_member(GROUP["id"], ALICE["id"], "administrator")
    page = await open_claims(bot, GROUP["id"], ALICE, first)
    await mark(bot, GROUP["id"], ALICE, first, claim_number(page, HANDOVER), "verified")
    other = await forward(bot, HK_AUGUST, OTHER_GROUP)
    assert "seen before" not in other["text"]
    page = await open_claims(bot, OTHER_GROUP["id"], ALICE, other)
    assert "seen before" not in page["text"] and "carried over" not in page["text"]
    desk = await bot.command(OTHER_GROUP, ALICE, "/desk")
    assert desk["text"].startswith("No claim of this chat has a verdict yet")
    stolen = await bot.press(OTHER_GROUP["id"], ALICE, other["message_id"], f"vs:{first_id(first)}:c1:0:false")
    assert stolen.get("show_alert")


def first_id(report: JSON) -> int:
    """The analysis id a report's buttons carry."""
    return int(buttons(report)["JSON"].split(":")[1])


async def test_desk_e2e_a_forgotten_chat_loses_its_verdicts(bot: Bot) -> None:
    chat = private_chat(ALICE)
    first = await forward(bot, HK_JUNE, chat)
    page = await open_claims(bot, ALICE["id"], ALICE, first)
    await mark(bot, ALICE["id"], ALICE, first, claim_number(page, HANDOVER), "verified")
    ask = await bot.command(chat, ALICE, "/forget")
    await bot.press(ALICE["id"], ALICE, ask["message_id"], buttons(ask)["Delete everything"])
    assert (await bot.store.desk(ALICE["id"])) == ([], [])
    desk = await bot.command(chat, ALICE, "/desk")
    assert desk["text"].startswith("No claim of this chat has a verdict yet")
    again = await forward(bot, HK_AUGUST, chat)
    assert "seen before" not in again["text"]

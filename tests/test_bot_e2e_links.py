"""End to end: posts that carry a link to an article, through the fake Bot API, the real extraction
runner and a real Store; the linked pages come from the local web server (tests/pageserver.py) on
127.0.0.1, allowed with the fetch allow list exactly as an operator would (CLAIMDESK_FETCH_ALLOW)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bot_harness import Bot, running_bot
from fakebotapi import FakeBotAPI, channel_chat, entity_for, group_chat, make_user, origin_channel, private_chat
from pageserver import CHROME, PageServer

from bot.config import Settings
from bot.extraction.runner import ExtractionRunner
from bot.report import Report

JSON = dict[str, Any]
ALICE = make_user(2001, "Alice")
BOB = make_user(2002, "Bob")
GAZETTE = channel_chat(-1007001, "Gazette Headlines", username="gazette_headlines")
GROUP = group_chat(-100777, "Night desk")
PASTE = "You can paste the article's text instead."


@pytest.fixture
async def pages() -> AsyncIterator[PageServer]:
    async with PageServer() as server:
        yield server


@pytest.fixture
async def bot(
    fake_bot_api: FakeBotAPI, extraction_runner: ExtractionRunner, tmp_path: Path, pages: PageServer
) -> AsyncIterator[Bot]:
    allow = Settings.from_env({"CLAIMDESK_FETCH_ALLOW": "127.0.0.1"}).fetch_allow
    async with running_bot(fake_bot_api, extraction_runner, tmp_path / "claimdesk.sqlite3", fetch_allow=allow) as bot:
        yield bot


async def stored_report(bot: Bot, chat_id: int) -> tuple[Report, str]:
    """The chat's latest report and the exact text it was made from."""
    latest = (await bot.store.history(chat_id, limit=1))[0]
    stored = await bot.store.get_analysis(latest.id, chat_id=chat_id)
    assert stored is not None
    return stored.report, stored.text


def headline_post(bot: Bot, pages: PageServer, chat: JSON, slug: str, *, channel_message_id: int = 310) -> JSON:
    """A channel post forwarded into ``chat``: a headline, and "Read more" linking to the article."""
    text = "Drone strikes hit Saudi oil plants; Houthi rebels claim the attack. Read more"
    entities = [entity_for(text, "Read more", "text_link", url=pages.url(f"/news/{slug}"))]
    origin = origin_channel(GAZETTE, channel_message_id)
    return bot.server.forward_update(chat, ALICE, text, origin, entities=entities)["message"]


def link_entity_urls(message: JSON) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


async def test_e2e_links_forwarded_headline_gets_the_linked_articles_report(bot: Bot, pages: PageServer) -> None:
    forwarded = headline_post(bot, pages, private_chat(ALICE), "saudi-drones")
    reply = await bot.reply(ALICE["id"], forwarded["message_id"])
    text = reply["text"]
    assert text.startswith("Oil facilities in Saudi Arabia hit by drone attacks")
    assert "Forwarded from Gazette Headlines" in text
    assert "Article on The Harbour Gazette · published 2019-09-15" in text
    assert pages.url("/news/saudi-drones") in link_entity_urls(reply)
    assert "https://t.me/gazette_headlines/310" in link_entity_urls(reply)

    report, article_text = await stored_report(bot, ALICE["id"])
    assert report.article.title == "Oil facilities in Saudi Arabia hit by drone attacks"
    assert report.article.outlet == "The Harbour Gazette" and report.article.published == "2019-09-15"
    assert "Houthi military spokesperson Yahya Sarea" in article_text
    assert report.claims, "the article's attributed statements are found"
    shown = [c.text for c in report.claims] + [s.name for s in report.sources] + [u.evidence for u in report.unverified]
    for item in shown:
        assert item in article_text
    for chrome in CHROME:
        assert chrome not in article_text and all(chrome not in item for item in shown)
    assert "Drone strikes hit Saudi oil plants" not in article_text  # the post's headline is not analysed


async def test_e2e_links_same_link_again_is_not_fetched_again(bot: Bot, pages: PageServer) -> None:
    first = headline_post(bot, pages, private_chat(ALICE), "gdansk-mayor", channel_message_id=311)
    await bot.reply(ALICE["id"], first["message_id"])
    second = headline_post(bot, pages, private_chat(BOB), "gdansk-mayor", channel_message_id=311)
    reply = await bot.reply(BOB["id"], second["message_id"])
    assert reply["text"].startswith("Arrest made as mayor of Gdańsk, Poland stabbed on stage")
    assert pages.hits == ["/news/gdansk-mayor"]
    assert len(bot.runner.texts) == 1  # the stored report of the same text is reused too


async def test_e2e_links_check_as_reply_in_a_group_reads_the_link(bot: Bot, pages: PageServer) -> None:
    url = pages.url("/news/paris-court")
    post = bot.server.text_update(GROUP, ALICE, f"Two police officers jailed in Paris: {url}")["message"]
    assert post["entities"][0]["type"] == "url"  # detected as Telegram does
    bot.server.text_update(GROUP, BOB, "/check", reply_to=post)
    reply = await bot.reply(GROUP["id"], post["message_id"])
    assert reply["text"].startswith("Paris court jails two police in high-profile rape case")
    assert "Article on Continental Ledger · published 2019-02-02" in reply["text"]
    assert url in link_entity_urls(reply)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/news/no-such-story", "The site answered HTTP 404 (Not Found)."),
        ("/image", "The link leads to image/png, not an article page."),
        ("/empty", "I found no article text on this page"),
    ],
)
async def test_e2e_links_failure_names_the_reason_and_suggests_pasting(
    bot: Bot, pages: PageServer, path: str, words: str
) -> None:
    message = bot.server.text_update(private_chat(ALICE), ALICE, f"What about this? {pages.url(path)}")["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"])
    assert words in reply["text"] and reply["text"].endswith(PASTE)
    assert bot.runner.texts == []


async def test_e2e_links_private_address_is_refused_without_fetching(bot: Bot, pages: PageServer) -> None:
    message = bot.server.text_update(
        private_chat(ALICE), ALICE, "Check http://169.254.169.254/latest/meta-data/iam/ please"
    )["message"]
    reply = await bot.reply(ALICE["id"], message["message_id"])
    assert "link-local address, not a public web server" in reply["text"] and reply["text"].endswith(PASTE)
    assert pages.hits == []


async def test_e2e_links_group_forward_whose_link_fails_gets_no_answer(bot: Bot, pages: PageServer) -> None:
    text = "Breaking: read the story"
    entities = [entity_for(text, "the story", "text_link", url=pages.url("/news/no-such-story"))]
    forwarded = bot.server.forward_update(GROUP, ALICE, text, origin_channel(GAZETTE, 312), entities=entities)
    await bot.server.wait_for(lambda: pages.hits == ["/news/no-such-story"], 20)
    marker = bot.server.text_update(GROUP, ALICE, "/help")["message"]
    await bot.reply(GROUP["id"], marker["message_id"])
    async with asyncio.timeout(10):
        while (item := await bot.store.inbox_get(forwarded["update_id"])) is None or item.status != "done":
            await asyncio.sleep(0.02)
    assert all(not m.get("text", "").startswith("Reading") for m in bot.server.bot_messages(GROUP["id"]))
    assert not bot.replies(GROUP["id"], forwarded["message"]["message_id"])

"""The fake Bot API server, driven by the real python-telegram-bot networking stack."""

import asyncio
import re

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from fakebotapi import (
    FakeBotAPI,
    delay,
    dropped_connection,
    flood,
    group_chat,
    make_user,
    origin_channel,
    channel_chat,
    private_chat,
    server_error,
)

ALICE = make_user(1001, "Alice", username="alice")


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> Bot:
    async with Bot(**fake_bot_api.bot_kwargs) as bot:
        yield bot


async def test_fakebotapi_get_me_describes_the_bot(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.username == fake_bot_api.bot_user["username"]
    assert me.is_bot


async def test_fakebotapi_send_message_is_stored_as_the_chat_shows_it(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    update = fake_bot_api.text_update(private_chat(ALICE), ALICE, "hello")
    sent = await bot.send_message(
        ALICE["id"], "<b>Report</b> &amp; more", parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(update["message"]["message_id"]),
    )
    assert sent.text == "Report & more"
    assert sent.entities[0].type == "bold"
    assert sent.reply_to_message.text == "hello"
    assert fake_bot_api.last_bot_message(ALICE["id"])["text"] == "Report & more"


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<br>", 'Unsupported start tag "br"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("a < b", "Unsupported start tag"),
        ("Q&A", "not part of an entity"),
        ("x" * 4097, "message is too long"),
        ("   ", "message text is empty"),
    ],
)
async def test_fakebotapi_send_message_rejects_what_telegram_rejects(
    bot: Bot, fake_bot_api: FakeBotAPI, text: str, description: str
) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    with pytest.raises(BadRequest, match=f"(?i){re.escape(description)}"):
        await bot.send_message(ALICE["id"], text, parse_mode=ParseMode.HTML)
    assert fake_bot_api.bot_messages(ALICE["id"]) == []


async def test_fakebotapi_length_limit_counts_visible_utf16_units(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    sent = await bot.send_message(ALICE["id"], "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(sent.text) == 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(ALICE["id"], "😀" * 2049)  # 4098 UTF-16 units


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://t.me/c/1">link</a> <i>i</i><em>e</em><u>u</u><s>s</s><del>d</del><ins>n</ins>',
        '<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span><strike>z</strike><strong>w</strong>',
        '<pre><code class="language-python">x = 1</code></pre><code>c</code>',
        "<blockquote expandable>q</blockquote><blockquote>b</blockquote> &lt;&gt;&quot;&#39;&#x41;",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    ],
)
async def test_fakebotapi_accepts_every_telegram_tag(bot: Bot, fake_bot_api: FakeBotAPI, html: str) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    sent = await bot.send_message(ALICE["id"], html, parse_mode=ParseMode.HTML)
    assert "<" not in sent.text.replace("<>", "")
    assert sent.entities


async def test_fakebotapi_rejects_long_callback_data(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="x" * 65)]])
    await bot.send_message(ALICE["id"], "fits", reply_markup=ok)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(ALICE["id"], "too long", reply_markup=too_long)


async def test_fakebotapi_edit_to_identical_content_is_not_modified(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Claims", callback_data="r:1:claims")]])
    sent = await bot.send_message(ALICE["id"], "<b>Report</b>", parse_mode=ParseMode.HTML, reply_markup=markup)
    edited = await bot.edit_message_text(
        "<b>Claims</b>", ALICE["id"], sent.message_id, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    assert edited.text == "Claims"
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Claims</b>", ALICE["id"], sent.message_id, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    shown = fake_bot_api.message(ALICE["id"], sent.message_id)
    assert shown["text"] == "Claims"
    assert shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "r:1:claims"


async def test_fakebotapi_injected_flood_surfaces_as_retry_after(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    fake_bot_api.inject("sendMessage", flood(retry_after=3))
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE["id"], "first")
    assert "Retry in 3 seconds" in str(caught.value)
    sent = await bot.send_message(ALICE["id"], "second")
    assert [m["text"] for m in fake_bot_api.bot_messages(ALICE["id"])] == [sent.text]


async def test_fakebotapi_long_poll_returns_when_an_update_arrives(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await fake_bot_api.wait_for(lambda: fake_bot_api.requests_for("getUpdates"))
    assert not poll.done()
    fake_bot_api.text_update(private_chat(ALICE), ALICE, "/start")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates] == ["/start"]
    assert updates[0].message.entities[0].type == "bot_command"


async def test_fakebotapi_long_poll_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=0.2) == ()


async def test_fakebotapi_offset_confirms_earlier_updates(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    chat = private_chat(ALICE)
    for text in ("one", "two", "three"):
        fake_bot_api.text_update(chat, ALICE, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    again = await bot.get_updates(limit=2)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert len(fake_bot_api.pending_updates) == 1


async def test_fakebotapi_application_replies_to_start(fake_bot_api: FakeBotAPI) -> None:
    app = (
        ApplicationBuilder()
        .token(fake_bot_api.token)
        .base_url(fake_bot_api.base_url)
        .base_file_url(fake_bot_api.base_file_url)
        .get_updates_read_timeout(5)
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Welcome to <b>Claimdesk</b>", parse_mode=ParseMode.HTML, do_quote=True
        )

    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        update = fake_bot_api.text_update(private_chat(ALICE), ALICE, "/start")
        reply = await fake_bot_api.next_request("sendMessage", chat_id=ALICE["id"])
        await app.updater.stop()
        await app.stop()
    assert reply.ok
    shown = fake_bot_api.last_bot_message(ALICE["id"])
    assert shown["text"] == "Welcome to Claimdesk"
    assert shown["reply_to_message"]["message_id"] == update["message"]["message_id"]

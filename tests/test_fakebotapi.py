"""The fake Bot API server, driven by the real python-telegram-bot networking stack."""

import asyncio
import re
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from fakebotapi import (
    DEFAULT_TOKEN,
    FakeBotAPI,
    Fault,
    channel_chat,
    delay,
    dropped_connection,
    entity_for,
    fast_request,
    flood,
    group_chat,
    make_user,
    origin_channel,
    origin_chat,
    origin_hidden_user,
    origin_user,
    parse_telegram_html,
    private_chat,
    server_error,
)
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

# PTB warns about its own RetryAfter.retry_after type change whenever it builds the message.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

ALICE = make_user(1001, "Alice", username="alice")


async def test_fakebotapi_get_me_describes_the_bot(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    me = await fake_bot.get_me()
    assert me.username == fake_bot_api.bot_user["username"]
    assert me.is_bot


async def test_fakebotapi_send_message_is_stored_as_the_chat_shows_it(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    update = fake_bot_api.text_update(private_chat(ALICE), ALICE, "hello")
    sent = await fake_bot.send_message(
        ALICE["id"],
        "<b>Report</b> &amp; more",
        parse_mode=ParseMode.HTML,
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
    fake_bot: Bot, fake_bot_api: FakeBotAPI, text: str, description: str
) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    with pytest.raises(BadRequest, match=f"(?i){re.escape(description)}"):
        await fake_bot.send_message(ALICE["id"], text, parse_mode=ParseMode.HTML)
    assert fake_bot_api.bot_messages(ALICE["id"]) == []


async def test_fakebotapi_length_limit_counts_visible_utf16_units(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    sent = await fake_bot.send_message(ALICE["id"], "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(sent.text) == 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await fake_bot.send_message(ALICE["id"], "😀" * 2049)  # 4098 UTF-16 units


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
async def test_fakebotapi_accepts_every_telegram_tag(fake_bot: Bot, fake_bot_api: FakeBotAPI, html: str) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    sent = await fake_bot.send_message(ALICE["id"], html, parse_mode=ParseMode.HTML)
    assert "<" not in sent.text.replace("<>", "")
    assert sent.entities


async def test_fakebotapi_rejects_long_callback_data(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="x" * 65)]])
    await fake_bot.send_message(ALICE["id"], "fits", reply_markup=ok)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await fake_bot.send_message(ALICE["id"], "too long", reply_markup=too_long)


async def test_fakebotapi_edit_to_identical_content_is_not_modified(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Claims", callback_data="r:1:claims")]])
    sent = await fake_bot.send_message(ALICE["id"], "<b>Report</b>", parse_mode=ParseMode.HTML, reply_markup=markup)
    edited = await fake_bot.edit_message_text(
        "<b>Claims</b>", ALICE["id"], sent.message_id, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    assert edited.text == "Claims"
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await fake_bot.edit_message_text(
            "<b>Claims</b>", ALICE["id"], sent.message_id, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    shown = fake_bot_api.message(ALICE["id"], sent.message_id)
    assert shown["text"] == "Claims"
    assert shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "r:1:claims"


async def test_fakebotapi_injected_flood_surfaces_as_retry_after(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    fake_bot_api.inject("sendMessage", flood(retry_after=3))
    with pytest.raises(RetryAfter) as caught:
        await fake_bot.send_message(ALICE["id"], "first")
    assert "Retry in 3 seconds" in str(caught.value)
    sent = await fake_bot.send_message(ALICE["id"], "second")
    assert [m["text"] for m in fake_bot_api.bot_messages(ALICE["id"])] == [sent.text]


async def test_fakebotapi_long_poll_returns_when_an_update_arrives(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    poll = asyncio.create_task(fake_bot.get_updates(timeout=5, read_timeout=10))
    await fake_bot_api.wait_for(lambda: fake_bot_api.requests_for("getUpdates"))
    assert not poll.done()
    fake_bot_api.text_update(private_chat(ALICE), ALICE, "/start")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates] == ["/start"]
    assert updates[0].message.entities[0].type == "bot_command"


async def test_fakebotapi_long_poll_times_out_empty(fake_bot: Bot) -> None:
    assert await fake_bot.get_updates(timeout=0.2) == ()


async def test_fakebotapi_offset_confirms_earlier_updates(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    chat = private_chat(ALICE)
    for text in ("one", "two", "three"):
        fake_bot_api.text_update(chat, ALICE, text)
    first = await fake_bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    again = await fake_bot.get_updates(limit=2)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await fake_bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert len(fake_bot_api.pending_updates) == 1


async def test_fakebotapi_application_replies_to_start(fake_bot_api: FakeBotAPI) -> None:
    app = (
        ApplicationBuilder()
        .token(fake_bot_api.token)
        .base_url(fake_bot_api.base_url)
        .base_file_url(fake_bot_api.base_file_url)
        .request(fast_request())
        .get_updates_request(fast_request())
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


NEWSROOM = group_chat(-100200300, "Newsroom")
CHANNEL = channel_chat(-100900800, "Kyiv Desk", username="kyivdesk")
BOB = make_user(1002, "Bob")


def _build_every_update_kind(server: FakeBotAPI) -> list[tuple[str, Callable[[Update], object]]]:
    """Queue one update of each kind; return (name, what PTB must see) pairs in queue order."""
    article = server.forward_update(
        NEWSROOM,
        ALICE,
        "Officials said on Monday ...",
        origin_channel(CHANNEL, 4321, 1_700_000_000, author_signature="Jane Roe"),
    )["message"]
    server.forward_update(private_chat(ALICE), ALICE, "from a user", origin_user(BOB))
    server.forward_update(private_chat(ALICE), ALICE, "from hidden", origin_hidden_user("Carol C."))
    server.forward_update(private_chat(ALICE), ALICE, "from a group", origin_chat(NEWSROOM, author_signature="Admin"))
    server.automatic_forward_update(NEWSROOM, CHANNEL, "channel post copy", channel_message_id=77)
    server.photo_update(private_chat(ALICE), ALICE, "A caption with https://example.org/a")
    server.document_update(private_chat(ALICE), ALICE, b"Article text", "article.txt")
    linked = "Read the report 😀 here"
    server.video_update(
        private_chat(ALICE),
        ALICE,
        linked,
        forward_origin=origin_user(BOB),
        caption_entities=[entity_for(linked, "here", "text_link", url="https://example.org/r")],
    )
    server.text_update(NEWSROOM, BOB, "/check", reply_to=article)
    server.text_update(NEWSROOM, BOB, f"@{server.bot_user['username']} please look")
    bot_message = server.new_message(
        private_chat(ALICE),
        server.bot_user,
        text="Report",
        reply_markup={"inline_keyboard": [[{"text": "Claims", "callback_data": "r:1:claims"}]]},
    )
    server.callback_update(ALICE["id"], ALICE, bot_message["message_id"], "r:1:claims")
    server.channel_post_update(CHANNEL, "Breaking: ...", author_signature="Jane Roe")
    server.edited_message_update(NEWSROOM["id"], article["message_id"], "Officials said on Tuesday ...")
    server.my_chat_member_update(NEWSROOM, ALICE, old_status="left", new_status="administrator")
    return [
        (
            "channel forward",
            lambda u: (
                (
                    u.message.forward_origin.chat.username,
                    u.message.forward_origin.message_id,
                    u.message.forward_origin.author_signature,
                    u.message.forward_origin.date.year,
                )
                == ("kyivdesk", 4321, "Jane Roe", 2023)
            ),
        ),
        ("user forward", lambda u: u.message.forward_origin.sender_user.first_name == "Bob"),
        ("hidden user forward", lambda u: u.message.forward_origin.sender_user_name == "Carol C."),
        ("chat forward", lambda u: u.message.forward_origin.sender_chat.title == "Newsroom"),
        (
            "automatic forward",
            lambda u: u.message.is_automatic_forward and u.message.sender_chat.id == CHANNEL["id"],
        ),
        ("photo", lambda u: u.message.photo and u.message.caption_entities[0].type == "url"),
        ("document", lambda u: u.message.document.file_name == "article.txt"),
        (
            "forwarded video",
            lambda u: (
                u.message.video.width == 1280
                and u.message.parse_caption_entity(u.message.caption_entities[0]) == "here"
                and u.message.caption_entities[0].url == "https://example.org/r"
            ),
        ),
        (
            "/check reply",
            lambda u: (
                u.message.reply_to_message.forward_origin.type == "channel"
                and u.message.entities[0].type == "bot_command"
            ),
        ),
        ("mention", lambda u: u.message.entities[0].type == "mention"),
        (
            "callback",
            lambda u: u.callback_query.data == "r:1:claims" and u.callback_query.message.text == "Report",
        ),
        ("channel post", lambda u: u.channel_post.author_signature == "Jane Roe"),
        ("edited message", lambda u: u.edited_message.text.endswith("Tuesday ...")),
        ("my chat member", lambda u: u.my_chat_member.new_chat_member.status == "administrator"),
    ]


async def test_fakebotapi_builds_updates_python_telegram_bot_parses(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    expectations = _build_every_update_kind(fake_bot_api)
    updates = await fake_bot.get_updates()
    assert len(updates) == len(expectations)
    failed = [name for (name, check), update in zip(expectations, updates, strict=True) if not check(update)]
    assert failed == []


async def test_fakebotapi_message_ids_increase_per_chat(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    first = fake_bot_api.text_update(private_chat(ALICE), ALICE, "one")["message"]
    fake_bot_api.text_update(NEWSROOM, ALICE, "elsewhere")
    sent = await fake_bot.send_message(ALICE["id"], "reply")
    second = fake_bot_api.text_update(private_chat(ALICE), ALICE, "two")["message"]
    assert [first["message_id"], sent.message_id, second["message_id"]] == [1, 2, 3]
    assert [m["text"] for m in fake_bot_api.chat_messages(ALICE["id"])] == ["one", "reply", "two"]


async def test_fakebotapi_callback_query_is_answered_once(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sources", callback_data="r:1:sources")]])
    sent = await fake_bot.send_message(ALICE["id"], "Report", reply_markup=markup)
    update = fake_bot_api.callback_update(ALICE["id"], ALICE, sent.message_id, "r:1:sources")
    query_id = update["callback_query"]["id"]
    assert await fake_bot.answer_callback_query(query_id, text="Loading")
    assert fake_bot_api.callback_answers[query_id]["text"] == "Loading"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await fake_bot.answer_callback_query(query_id)


async def test_fakebotapi_edit_without_markup_removes_the_keyboard(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("JSON", callback_data="r:1:json")]])
    sent = await fake_bot.send_message(ALICE["id"], "Report", reply_markup=markup)
    await fake_bot.edit_message_reply_markup(ALICE["id"], sent.message_id, reply_markup=None)
    assert "reply_markup" not in fake_bot_api.message(ALICE["id"], sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await fake_bot.edit_message_reply_markup(ALICE["id"], sent.message_id, reply_markup=None)
    await fake_bot.edit_message_text("Report, edited", ALICE["id"], sent.message_id, reply_markup=markup)
    await fake_bot.edit_message_text("Report, edited again", ALICE["id"], sent.message_id)
    assert "reply_markup" not in fake_bot_api.message(ALICE["id"], sent.message_id)


async def test_fakebotapi_document_upload_and_download_round_trip(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    payload = '{"claims": ["é"]}'.encode()
    sent = await fake_bot.send_document(
        ALICE["id"], payload, filename="report.json", caption="<b>JSON</b>", parse_mode=ParseMode.HTML
    )
    assert sent.document.file_name == "report.json"
    assert sent.caption == "JSON"
    assert fake_bot_api.file_content(fake_bot_api.last_bot_message(ALICE["id"])) == payload
    telegram_file = await fake_bot.get_file(sent.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == payload
    upload = fake_bot_api.requests_for("sendDocument")[0].files["document"]
    assert (upload.filename, upload.content) == ("report.json", payload)


async def test_fakebotapi_user_document_downloads(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    update = fake_bot_api.document_update(private_chat(ALICE), ALICE, b"\xef\xbb\xbfText", "a.txt")
    telegram_file = await fake_bot.get_file(update["message"]["document"]["file_id"])
    assert bytes(await telegram_file.download_as_bytearray()) == b"\xef\xbb\xbfText"
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await fake_bot.get_file("nope")


async def test_fakebotapi_caption_limit_is_1024(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    await fake_bot.send_document(ALICE["id"], b"x", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await fake_bot.send_document(ALICE["id"], b"x", filename="a.txt", caption="c" * 1025)


async def test_fakebotapi_reply_to_missing_message(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await fake_bot.send_message(ALICE["id"], "x", reply_parameters=ReplyParameters(99))
    sent = await fake_bot.send_message(
        ALICE["id"], "x", reply_parameters=ReplyParameters(99, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None


@pytest.mark.parametrize(
    ("condition", "error", "description"),
    [
        (lambda s: s.block_chat(ALICE["id"]), Forbidden, "bot was blocked by the user"),
        (lambda s: s.remove_chat(ALICE["id"]), BadRequest, "chat not found"),
        (lambda s: s.kick_bot(ALICE["id"]), Forbidden, "bot was kicked"),
    ],
)
async def test_fakebotapi_chat_conditions(
    fake_bot: Bot,
    fake_bot_api: FakeBotAPI,
    condition: Callable[[FakeBotAPI], None],
    error: type,
    description: str,
) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    condition(fake_bot_api)
    with pytest.raises(error, match=f"(?i){description}"):
        await fake_bot.send_message(ALICE["id"], "x")
    with pytest.raises(error):
        await fake_bot.send_chat_action(ALICE["id"], "typing")


async def test_fakebotapi_unknown_chat_is_not_found(fake_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await fake_bot.send_message(424242, "x")


async def test_fakebotapi_migrated_group_names_the_supergroup(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    old_group = group_chat(-4001, "Old group", supergroup=False)
    fake_bot_api.add_chat(old_group)
    supergroup = fake_bot_api.migrate_chat(old_group["id"], -1004001)
    with pytest.raises(ChatMigrated) as caught:
        await fake_bot.send_message(old_group["id"], "x")
    assert caught.value.new_chat_id == supergroup["id"]
    sent = await fake_bot.send_message(supergroup["id"], "x")
    assert sent.chat.type == "supergroup"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (server_error(500), NetworkError),
        (server_error(502), NetworkError),
        (dropped_connection(), NetworkError),
        (flood(1), RetryAfter),
    ],
)
async def test_fakebotapi_faults_are_consumed_in_order(
    fake_bot: Bot, fake_bot_api: FakeBotAPI, fault: Fault, error: type
) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    fake_bot_api.inject("sendMessage", fault, times=2)
    for _ in range(2):
        with pytest.raises(error):
            await fake_bot.send_message(ALICE["id"], "x")
    await fake_bot.send_message(ALICE["id"], "delivered")
    assert fake_bot_api.pending_faults("sendMessage") == 0
    assert [m["text"] for m in fake_bot_api.bot_messages(ALICE["id"])] == ["delivered"]
    assert [r.fault for r in fake_bot_api.requests_for("sendMessage")] == [fault, fault, None]


async def test_fakebotapi_delay_then_timeout(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    fake_bot_api.inject("sendChatAction", delay(0.5))
    with pytest.raises(TimedOut):
        await fake_bot.send_chat_action(ALICE["id"], "typing", read_timeout=0.1)
    assert await fake_bot.send_chat_action(ALICE["id"], "typing")


async def test_fakebotapi_commands_members_webhook_and_housekeeping(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    commands = [
        BotCommand("start", "What Claimdesk does"),
        BotCommand("check", "Analyse the replied message"),
    ]
    assert await fake_bot.set_my_commands(commands)
    assert [c.command for c in await fake_bot.get_my_commands()] == ["start", "check"]
    with pytest.raises(BadRequest):
        await fake_bot.set_my_commands([BotCommand("Bad-Name", "x")])
    fake_bot_api.add_chat(NEWSROOM)
    fake_bot_api.set_chat_member(NEWSROOM["id"], ALICE["id"], "creator")
    assert (await fake_bot.get_chat_member(NEWSROOM["id"], ALICE["id"])).status == "creator"
    assert (await fake_bot.get_chat_member(NEWSROOM["id"], BOB["id"])).status == "member"
    assert (await fake_bot.get_chat_member(NEWSROOM["id"], fake_bot_api.bot_user["id"])).status == "administrator"
    fake_bot_api.text_update(NEWSROOM, ALICE, "pending")
    assert (await fake_bot.get_webhook_info()).pending_update_count == 1
    assert await fake_bot.delete_webhook(drop_pending_updates=True)
    assert fake_bot_api.pending_updates == []
    sent = await fake_bot.send_message(NEWSROOM["id"], "to delete")
    assert await fake_bot.delete_message(NEWSROOM["id"], sent.message_id)
    assert fake_bot_api.bot_messages(NEWSROOM["id"]) == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await fake_bot.delete_message(NEWSROOM["id"], sent.message_id)
    assert await fake_bot.log_out()
    assert await fake_bot.close()


async def test_fakebotapi_wrong_token_is_unauthorized(fake_bot_api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=fake_bot_api.base_url, request=fast_request()):
            pass


def _application(server: FakeBotAPI, reply: str) -> Application:
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .request(fast_request())
        .get_updates_request(fast_request())
        .build()
    )

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(reply)

    app.add_handler(CommandHandler("help", answer))
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_fakebotapi_delivers_to_a_webhook(fake_bot_api: FakeBotAPI) -> None:
    app = _application(fake_bot_api, "help via webhook")
    port = _free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        update = fake_bot_api.text_update(private_chat(ALICE), ALICE, "/help")
        await fake_bot_api.next_request("sendMessage", chat_id=ALICE["id"])
        await app.updater.stop()
        await app.stop()
    assert fake_bot_api.webhook_deliveries == [(update["update_id"], True)]
    assert fake_bot_api.last_bot_message(ALICE["id"])["text"] == "help via webhook"
    assert fake_bot_api.pending_updates == []
    with pytest.raises(Conflict):
        await Bot(**fake_bot_api.bot_kwargs, request=fast_request()).get_updates()


async def test_fakebotapi_second_poller_terminates_the_first(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    first = asyncio.create_task(fake_bot.get_updates(timeout=5, read_timeout=10))
    await fake_bot_api.wait_for(lambda: fake_bot_api.requests_for("getUpdates"))
    second = asyncio.create_task(fake_bot.get_updates(timeout=0.1))
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await asyncio.wait_for(first, 5)
    assert await second == ()


async def test_fakebotapi_allowed_updates_drops_other_kinds(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.channel_post_update(CHANNEL, "post")
    fake_bot_api.text_update(private_chat(ALICE), ALICE, "text")
    updates = await fake_bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates] == ["text"]


async def test_fakebotapi_accepts_json_bodies(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    async with aiohttp.ClientSession() as session:
        url = f"{fake_bot_api.base_url}{fake_bot_api.token}/sendMessage"
        async with session.post(url, json={"chat_id": ALICE["id"], "text": "1234"}) as response:
            body = await response.json()
        async with session.post(
            url, json={"chat_id": str(ALICE["id"]), "text": "<i>x", "parse_mode": "HTML"}
        ) as response:
            error = await response.json()
        async with session.get(f"{fake_bot_api.base_url}{fake_bot_api.token}/noSuchMethod") as response:
            missing = await response.json()
    assert body["ok"] and body["result"]["text"] == "1234"
    assert error == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"i\"",
    }
    assert missing == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_fakebotapi_next_request_returns_each_request_once(fake_bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    await fake_bot.send_message(ALICE["id"], "one")
    await fake_bot.send_message(ALICE["id"], "two")
    assert (await fake_bot_api.next_request("sendMessage")).params["text"] == "one"
    assert (await fake_bot_api.next_request("sendMessage", chat_id=ALICE["id"])).params["text"] == "two"
    with pytest.raises(TimeoutError):
        await fake_bot_api.next_request("sendMessage", timeout=0.05)


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("😀 <b>bold</b>", "😀 bold", [{"type": "bold", "offset": 3, "length": 4}]),
        (
            "<b>a<i>b</i></b>",
            "ab",
            [{"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 1, "length": 1}],
        ),
        (
            '<pre><code class="language-python">x</code></pre>',
            "x",
            [{"type": "pre", "offset": 0, "length": 1, "language": "python"}],
        ),
        (
            '<a href="https://t.me/kyivdesk/4321?a=1&amp;b=2">post</a>',
            "post",
            [{"type": "text_link", "offset": 0, "length": 4, "url": "https://t.me/kyivdesk/4321?a=1&b=2"}],
        ),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#8212; &#x2014;", '<tag> & "q" — —', []),
        ("<B>caps</B>", "caps", [{"type": "bold", "offset": 0, "length": 4}]),
    ],
)
def test_fakebotapi_html_parser_yields_text_and_utf16_entities(html: str, text: str, entities: list[dict]) -> None:
    assert parse_telegram_html(html) == (text, entities)


async def test_fakebotapi_runs_standalone() -> None:
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("fakebotapi.py")),
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        banner = await asyncio.wait_for(server.stdout.readline(), 10)
        assert f"127.0.0.1:{port}" in banner.decode()
        update = {"message": {"message_id": 1, "date": 1_700_000_000, "chat": private_chat(ALICE), "text": "hi"}}
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{port}/fake/updates", json=update) as response:
                assert response.status == 200
        base = {
            "base_url": f"http://127.0.0.1:{port}/bot",
            "request": fast_request(),
            "get_updates_request": fast_request(),
        }
        async with Bot(DEFAULT_TOKEN, **base) as bot:
            [received] = await bot.get_updates()
            sent = await bot.send_message(ALICE["id"], "reply", reply_parameters=ReplyParameters(1))
        assert received.message.text == "hi"
        assert sent.reply_to_message.text == "hi"
    finally:
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 10) == 0


async def test_fakebotapi_wrong_parameter_shape_is_a_bad_request(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.add_chat(private_chat(ALICE))
    async with aiohttp.ClientSession() as session:
        url = f"{fake_bot_api.base_url}{fake_bot_api.token}/editMessageText"
        async with session.post(url, data={"chat_id": ALICE["id"], "message_id": "x", "text": "t"}) as response:
            assert response.status == 400
    assert fake_bot_api.requests_for("editMessageText")[0].response["error_code"] == 400


async def test_fakebotapi_held_then_dropped_client_leaves_no_trace(fake_bot_api: FakeBotAPI) -> None:
    chat = private_chat(ALICE)
    fake_bot_api.add_chat(chat)
    first = Bot(fake_bot_api.token, base_url=fake_bot_api.client_base_url("first"), request=fast_request())
    second = Bot(fake_bot_api.token, base_url=fake_bot_api.client_base_url("second"), request=fast_request())
    async with first, second:
        await first.send_message(ALICE["id"], "before the hold")
        fake_bot_api.hold_client("first")
        held = asyncio.create_task(first.send_message(ALICE["id"], "held, then dropped"))
        await fake_bot_api.wait_for(lambda: fake_bot_api.held_requests("first"))
        await second.send_message(ALICE["id"], "the other process is not held")
        fake_bot_api.drop_client("first")
        with pytest.raises(NetworkError):
            await held
        with pytest.raises(NetworkError):
            await first.send_message(ALICE["id"], "after the drop")
    assert [m["text"] for m in fake_bot_api.bot_messages(ALICE["id"])] == [
        "before the hold",
        "the other process is not held",
    ]
    assert [r.client for r in fake_bot_api.requests_for("sendMessage")] == ["first", "first", "second", "first"]
    assert fake_bot_api.held_requests("first") == []

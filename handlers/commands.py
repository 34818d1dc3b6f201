"""Commands: /start, /help, /settings, /history, /search, /export, /forget (and /desk in handlers/desk.py)."""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from telegram import BotCommand, Update
from telegram.constants import ChatType

from bot.render import TELEGRAM_LIMIT, esc, fit_blocks, plural
from handlers.context import Context
from handlers.keyboards import forget_keyboard, reopen_keyboard, settings_keyboard
from storage import CHAT_MODES
from storage.formats import EXPORT_FORMATS, export_format

#: Bytes of an export file sent as it is; past them it is gzipped as it is written (a JSON export shrinks
#: about tenfold, and a phone opens a small plain file directly).
COMPRESS_ABOVE = 10 * 1024 * 1024
#: The largest file a bot may send is 50 MB; the multipart envelope needs a little of it. The export stops
#: writing as soon as its file passes this.
UPLOAD_LIMIT = 50 * 1000 * 1000 - 64 * 1024
#: Exports one chat may ask for in :data:`EXPORT_WINDOW` seconds (each is a whole file of its reports).
EXPORTS_PER_WINDOW = 3
EXPORT_WINDOW = 300.0
TOO_LARGE = (
    "This chat's {count} reports are too many for one file even compressed (Telegram takes files up to "
    "50 MB). Try /export csv, which is much smaller, or /forget old analyses."
)
HISTORY_DEFAULT = 10
HISTORY_MAX = 30
#: Room for the list lines of /history and /search (a heading and the limit's margin aside).
LIST_BUDGET = TELEGRAM_LIMIT - 200

COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("help", "What Claimdesk does and how to use it"),
    BotCommand("check", "Reply with /check to a message to analyse it"),
    BotCommand("history", "Last analyses in this chat: /history [n]"),
    BotCommand("search", "Search claims and sources: /search words"),
    BotCommand("export", f"This chat's reports as a file: /export {'|'.join(EXPORT_FORMATS)}"),
    BotCommand("desk", "Claims that need checking and the latest verdicts"),
    BotCommand("settings", "Group admins: what the bot analyses here"),
    BotCommand("forget", "Delete everything stored for this chat"),
)

HELP = """<b>Claimdesk</b> reads a news article and shows <b>who claims what</b>: the claims, the sources \
behind them (named, anonymous, official) and the points the article itself does not establish \
(not independently verified, denied, estimates, anonymous sources, unnamed reports).

<b>How to use it</b>
• In a private chat: forward an article, paste its text or a link to it, or send a .txt, .md or .html file (up to 2 MB).
• In a group: add the bot. With privacy mode on (the default) it does not see ordinary messages, so \
reply to any message with /check, or mention the bot. Make it an admin (or turn privacy mode off with \
@BotFather) to analyse forwards automatically. Group admins choose what is analysed with /settings.
• In a channel: make the bot an admin and turn on channel reports with /settings in the linked \
discussion group; reports then appear there as comments.
• Tap Claims, Sources, Unverified or JSON under a report. /history, /search, /export and /forget work \
on this chat's reports only.
• Verdicts: on the Claims page tap ✎ and a claim's number to mark it verified, false, disputed or \
needs checking, then reply to the bot's prompt with a one-line note if you like. In a group, admins \
choose with /settings whether only they or every member may mark claims. /desk lists what needs checking.
• Memory: a new article's claims are compared with the ones this chat saw before: the report says \
"seen before", "also reported by" and "conflicting figure", and carries earlier verdicts over.

<b>What it does not do</b>
It does not judge truth or rate outlets. It shows who says what and what is not established, so that \
you can decide what to check. Only English articles are supported for now."""

FORGET_ASK = "Delete everything Claimdesk has stored for this chat (reports, history, settings)? This cannot be undone."
ADMINS_ONLY = "Only the group's admins can do that."


def _date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso[:16]


async def on_help(update: Update, context: Context) -> None:
    """/start and /help."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(HELP, disable_web_page_preview=True)


async def _admin(update: Update, context: Context) -> bool:
    message = update.effective_message
    assert message is not None
    user = update.effective_user
    return await context.bot_data.admins.is_admin(
        context.bot,
        message.chat,
        user.id if user else None,
        sender_chat_id=message.sender_chat.id if message.sender_chat else None,
    )


async def on_settings(update: Update, context: Context) -> None:
    """/settings: group admins choose the mode; a channel (or the group linked to it) turns reports on."""
    message = update.effective_message
    if message is None:
        return
    chat = message.chat
    store = context.bot_data.store
    if chat.type == ChatType.PRIVATE:
        await message.reply_text("In a private chat every article is analysed; /settings is for groups and channels.")
        return
    if not await _admin(update, context):
        await message.reply_text(ADMINS_ONLY)
        return
    if chat.type == ChatType.CHANNEL:
        enabled = (await store.chat_settings(chat.id)).channel_reports
        await message.reply_text(
            "Reports on this channel's posts go to its linked discussion group as comments.",
            reply_markup=settings_keyboard(None, (chat.id, enabled)),
        )
        return
    settings = await store.chat_settings(chat.id)
    full = await context.bot.get_chat(chat.id)
    channel = None
    if full.linked_chat_id is not None:
        channel = (full.linked_chat_id, (await store.chat_settings(full.linked_chat_id)).channel_reports)
    await message.reply_text(
        f"What should I analyse in this group? Now: <b>{CHAT_MODES[settings.mode]}</b>.",
        reply_markup=settings_keyboard(settings.mode, channel, settings.verdicts_by),
    )


async def on_history(update: Update, context: Context) -> None:
    """/history [n]: the last analyses in this chat, each with a button to reopen its report."""
    message = update.effective_message
    if message is None:
        return
    try:
        limit = int(context.args[0]) if context.args else HISTORY_DEFAULT
    except ValueError:
        await message.reply_text("Usage: /history [n], for example /history 5.")
        return
    items = await context.bot_data.store.history(message.chat.id, max(1, min(limit, HISTORY_MAX)))
    if not items:
        await message.reply_text("Nothing has been analysed in this chat yet.")
        return
    blocks = []
    for n, item in enumerate(items, 1):
        where = item.origin.chat_title or item.origin.sender_name
        title = item.title or (f"Post from {where}" if where else "Untitled article")
        source = f" — {esc(where, 60)}" if where and not title.startswith("Post from") else ""
        counts = item.counts
        forwards = f" · forwarded {plural(item.seen_in_chat, 'time')}" if item.seen_in_chat > 1 else ""
        blocks.append(
            f"{n}. <b>{esc(title, 120)}</b>{source}\n   {_date(item.created_at)} · "
            f"{plural(counts.get('claims', 0), 'claim')} · {plural(counts.get('sources', 0), 'source')} · "
            f"{counts.get('unverified', 0)} unverified{forwards}"
        )
    shown, _ = fit_blocks(blocks, LIST_BUDGET)
    head = f"<b>Last {plural(len(shown), 'article')} analysed in this chat</b>"
    await message.reply_text(
        "\n".join([head, *shown]), reply_markup=reopen_keyboard([i.id for i in items[: len(shown)]])
    )


async def on_search(update: Update, context: Context) -> None:
    """/search words: matching claims and sources of this chat's history, with their articles."""
    message = update.effective_message
    if message is None:
        return
    query = " ".join(context.args or [])
    if not query:
        await message.reply_text("Usage: /search words, for example /search casualties Kursk.")
        return
    hits = await context.bot_data.store.search(message.chat.id, query, limit=10)
    if not hits:
        await message.reply_text(f"Nothing in this chat's reports matches “{esc(query, 100)}”.")
        return
    opened: list[int] = []
    blocks = []
    for hit in hits:
        if hit.analysis_id not in opened:
            opened.append(hit.analysis_id)
        n = opened.index(hit.analysis_id) + 1
        kind = "article from" if hit.kind == "article" else hit.kind
        blocks.append(
            f"• {kind}: {esc(hit.text, 300)}\n   in [{n}] <i>{esc(hit.title or 'Untitled article', 100)}</i>, "
            f"{_date(hit.created_at)}"
        )
    shown, _ = fit_blocks(blocks, LIST_BUDGET)
    shown_ids = sorted({opened.index(hit.analysis_id) for hit in hits[: len(shown)]})
    head = f"<b>{plural(len(shown), 'match', 'matches')} for “{esc(query, 100)}”</b>"
    await message.reply_text("\n".join([head, *shown]), reply_markup=reopen_keyboard([opened[i] for i in shown_ids]))


async def on_export(update: Update, context: Context) -> None:
    """/export json|csv|md: this chat's reports as a file, written off the event loop, gzipped on the fly
    once it passes :data:`COMPRESS_ABOVE`, and given up (the chat told at once) the moment it passes
    Telegram's :data:`UPLOAD_LIMIT`; :data:`EXPORTS_PER_WINDOW` a chat in :data:`EXPORT_WINDOW` seconds."""
    message = update.effective_message
    if message is None:
        return
    output = export_format(context.args[0] if context.args else "json")
    if output is None:
        choices = [f"/export {name}" for name in EXPORT_FORMATS]
        await message.reply_text(f"Usage: {', '.join(choices[:-1])} or {choices[-1]}.")
        return
    refusal = context.bot_data.exports.take(None, message.chat.id)
    if refusal is not None:
        await message.reply_text(
            f"This chat was exported a moment ago; try again in {math.ceil(refusal.retry_after)} s."
        )
        return
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    with tempfile.TemporaryDirectory(prefix="claimdesk-export-") as directory:
        destination = Path(directory) / f"claimdesk-{abs(message.chat.id)}-{stamp}.{output.suffix}"
        exported = await context.bot_data.store.export_to(
            message.chat.id, output.name, destination, compress_above=COMPRESS_ABOVE, limit=UPLOAD_LIMIT
        )
        if exported.path is None:
            await message.reply_text(TOO_LARGE.format(count=exported.reports))
            return
        with exported.path.open("rb") as document:
            await message.reply_document(
                document,
                filename=exported.path.name,
                caption=f"This chat's reports ({exported.reports}, {output.suffix}).",
            )


async def on_forget(update: Update, context: Context) -> None:
    """/forget: asks for a confirmation (group admins only in groups)."""
    message = update.effective_message
    if message is None:
        return
    if not await _admin(update, context):
        await message.reply_text(ADMINS_ONLY)
        return
    await message.reply_text(FORGET_ASK, reply_markup=forget_keyboard())

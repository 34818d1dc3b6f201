"""Inline buttons: report sections and pages, the marked-up article, JSON, reopen, settings, forget confirmation.

Each callback is registered with its pattern from :data:`BUTTONS` (handlers/keyboards.py builds the data
from the same table) and reads the match python-telegram-bot hands it (``context.matches[0]``); data no
pattern matches gets "Unknown button." (:func:`on_unknown_button`). Every report button is checked
against the chat it was pressed in: an analysis of another chat is never shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, Message, ReplyParameters, Update
from telegram.error import BadRequest

from bot.article_page import render_article_page
from bot.render import plural
from handlers.commands import ADMINS_ONLY
from handlers.context import Context
from handlers.keyboards import (
    ARTICLE,
    CHANNEL,
    FORGET,
    JSON,
    MODE,
    REOPEN,
    REPORT,
    Callback,
    ReportButton,
    channel_of,
    report_message,
    settings_keyboard,
)
from storage import CHAT_MODES, ChatMode, StoredAnalysis

log = logging.getLogger(__name__)

NOT_HERE = "This report is not available in this chat."
ARTICLE_CAPTION = (
    "The article marked up: sources, cues and what they say highlighted; what is not established underlined."
)


async def stored_for_button(query: CallbackQuery, context: Context, analysis_id: int) -> StoredAnalysis | None:
    """The analysis a button is about, when it belongs to the chat the button was pressed in (else answered)."""
    message = query.message
    if not isinstance(message, Message):
        await query.answer("This message is too old.", show_alert=True)
        return None
    stored = await context.bot_data.store.get_analysis(analysis_id, chat_id=message.chat.id)
    if stored is None:
        await query.answer(NOT_HERE, show_alert=True)
    return stored


def pressed(update: Update, context: Context) -> tuple[CallbackQuery, re.Match[str]]:
    """The query and the match of its data against the callback's pattern."""
    query = update.callback_query
    assert query is not None and context.matches
    return query, context.matches[0]


async def on_unknown_button(update: Update, context: Context) -> None:
    """Callback data that no pattern matches (forged, or from an older keyboard)."""
    if update.callback_query is not None:
        await update.callback_query.answer("Unknown button.")


async def show_page(query: CallbackQuery, context: Context, stored: StoredAnalysis, section: str, page: int) -> None:
    """Edit the button's message into one page of the report, with the chat's desk, and its keyboard."""
    analysis = stored.analysis
    desk = await context.bot_data.store.desk_view(analysis.id, chat_id=analysis.chat_id)
    text, keyboard = report_message(analysis, stored.report, section=section, page=page, desk=desk)
    try:
        await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def on_report_button(update: Update, context: Context) -> None:
    """:data:`REPORT` a section page: edit the same message."""
    query, match = pressed(update, context)
    button = ReportButton.from_match(match)
    stored = await stored_for_button(query, context, button.analysis_id)
    if stored is None:
        return
    await show_page(query, context, stored, button.section, button.page)
    await query.answer()


async def on_json_button(update: Update, context: Context) -> None:
    """:data:`JSON` the report as a JSON document."""
    await _send_file(update, context, _report_json)


async def on_article_button(update: Update, context: Context) -> None:
    """:data:`ARTICLE` the article marked up, as a self-contained HTML document (opens offline, in Telegram's
    viewer)."""
    await _send_file(update, context, _article_page)


def _report_json(stored: StoredAnalysis) -> tuple[bytes, str, str | None]:
    return stored.report.to_json().encode("utf-8"), f"claimdesk-report-{stored.analysis.id}.json", None


def _article_page(stored: StoredAnalysis) -> tuple[bytes, str, str | None]:
    page = render_article_page(stored.report, stored.text, stored.analysis.origin)
    return page.encode("utf-8"), f"claimdesk-article-{stored.analysis.id}.html", ARTICLE_CAPTION


async def _send_file(
    update: Update, context: Context, make: Callable[[StoredAnalysis], tuple[bytes, str, str | None]]
) -> None:
    """A button with an analysis: the document ``make`` gives (content, file name, caption), as a reply."""
    query, match = pressed(update, context)
    stored = await stored_for_button(query, context, int(match["analysis"]))
    if stored is None:
        return
    try:
        content, filename, caption = make(stored)
    except ValueError:  # the stored text is not the one the report was made from
        await query.answer(NOT_HERE, show_alert=True)
        return
    message = query.message
    assert isinstance(message, Message)
    await query.answer()
    await context.bot.send_document(
        message.chat.id,
        content,
        filename=filename,
        caption=caption,
        reply_parameters=ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True),
    )


async def on_reopen_button(update: Update, context: Context) -> None:
    """:data:`REOPEN` a report from /history or /search, sent again as a reply to its article."""
    query, match = pressed(update, context)
    stored = await stored_for_button(query, context, int(match["analysis"]))
    if stored is None:
        return
    analysis = stored.analysis
    desk = await context.bot_data.store.desk_view(analysis.id, chat_id=analysis.chat_id)
    text, keyboard = report_message(analysis, stored.report, seen=False, desk=desk)
    await query.answer()
    await context.bot.send_message(
        analysis.chat_id,
        text,
        reply_markup=keyboard,
        disable_web_page_preview=True,
        reply_parameters=ReplyParameters(message_id=analysis.message_id, allow_sending_without_reply=True),
    )


async def _admin(query: CallbackQuery, context: Context) -> bool:
    """Whether the user pressing a settings or /forget button is an admin, asked of Telegram now."""
    message = query.message
    assert isinstance(message, Message)
    admin = await context.bot_data.admins.is_admin(context.bot, message.chat, query.from_user.id, fresh=True)
    if not admin:
        await query.answer(ADMINS_ONLY, show_alert=True)
    return admin


async def on_mode_button(update: Update, context: Context) -> None:
    """:data:`MODE`: a group admin sets what the bot analyses."""
    query, match = pressed(update, context)
    mode: ChatMode = next(key for key in CHAT_MODES if key == match["mode"])
    if not await _admin(query, context):
        return
    message = query.message
    assert isinstance(message, Message)
    store = context.bot_data.store
    await store.set_chat_mode(message.chat.id, mode)
    verdicts_by = (await store.chat_settings(message.chat.id)).verdicts_by
    await query.edit_message_text(
        f"What should I analyse in this group? Now: <b>{CHAT_MODES[mode]}</b>.",
        reply_markup=settings_keyboard(mode, channel_of(message.reply_markup), verdicts_by),
    )
    await query.answer("Saved.")


async def on_channel_button(update: Update, context: Context) -> None:
    """:data:`CHANNEL`: channel reports off/on, from the channel or its linked discussion group."""
    query, match = pressed(update, context)
    message = query.message
    assert isinstance(message, Message)
    channel_id = int(match["channel"])
    if channel_id != message.chat.id:
        linked = (await context.bot.get_chat(message.chat.id)).linked_chat_id
        if linked != channel_id:
            await query.answer(NOT_HERE, show_alert=True)
            return
    if not await _admin(query, context):
        return
    enabled = match["turn_on"] == "1"
    store = context.bot_data.store
    await store.set_channel_reports(channel_id, enabled)
    group = None if channel_id == message.chat.id else await store.chat_settings(message.chat.id)
    await query.edit_message_reply_markup(
        settings_keyboard(group.mode if group else None, (channel_id, enabled), group.verdicts_by if group else None)
    )
    await query.answer("Channel reports on." if enabled else "Channel reports off.")


async def on_forget_button(update: Update, context: Context) -> None:
    """:data:`FORGET` ``y`` deletes everything stored for this chat; ``n`` cancels."""
    query, match = pressed(update, context)
    message = query.message
    assert isinstance(message, Message)
    if not await _admin(query, context):
        return
    if match["answer"] != "y":
        await query.edit_message_text("Nothing was deleted.")
        await query.answer()
        return
    deleted = await context.bot_data.store.forget_chat(message.chat.id)
    await query.edit_message_text(f"Deleted everything stored for this chat ({plural(deleted, 'record')}).")
    await query.answer("Deleted.")


#: Every button: the kind of callback data and the callback that answers it, in the order they are tried.
BUTTONS: tuple[tuple[Callback, Callable[[Update, Context], Coroutine[Any, Any, None]]], ...] = (
    (REPORT, on_report_button),
    (JSON, on_json_button),
    (ARTICLE, on_article_button),
    (REOPEN, on_reopen_button),
    (MODE, on_mode_button),
    (CHANNEL, on_channel_button),
    (FORGET, on_forget_button),
)

"""Inline buttons: report sections and pages, JSON, reopen, settings, forget confirmation.

Every report button is checked against the chat it was pressed in: an analysis of another chat is
never shown.
"""

from __future__ import annotations

import json
import logging

from telegram import CallbackQuery, Message, ReplyParameters, Update
from telegram.error import BadRequest

from bot.render import render_telegram
from handlers.commands import ADMINS_ONLY
from handlers.context import Context
from handlers.keyboards import MODE_LABELS, parse_id, parse_report_button, report_keyboard, settings_keyboard
from storage import StoredAnalysis

log = logging.getLogger(__name__)

NOT_HERE = "This report is not available in this chat."


async def _stored(query: CallbackQuery, context: Context, analysis_id: int) -> StoredAnalysis | None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer("This message is too old.", show_alert=True)
        return None
    stored = await context.bot_data.store.get_analysis(analysis_id, chat_id=message.chat.id)
    if stored is None:
        await query.answer(NOT_HERE, show_alert=True)
    return stored


async def on_report_button(update: Update, context: Context) -> None:
    """``r:`` a section page: edit the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = parse_report_button(query.data)
    if button is None:
        await query.answer("Unknown button.")
        return
    stored = await _stored(query, context, button.analysis_id)
    if stored is None:
        return
    analysis = stored.analysis
    page = render_telegram(
        stored.report,
        analysis.origin,
        section=button.section,
        page=button.page,
        seen_in_chat=analysis.seen_in_chat,
        first_seen_in_chat=analysis.first_seen_in_chat,
    )
    try:
        await query.edit_message_text(
            page.html, reply_markup=report_keyboard(analysis.id, page), disable_web_page_preview=True
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
    await query.answer()


async def on_json_button(update: Update, context: Context) -> None:
    """``j:`` the report as a JSON document."""
    query = update.callback_query
    assert query is not None and query.data is not None
    analysis_id = parse_id(query.data, "j")
    if analysis_id is None:
        await query.answer("Unknown button.")
        return
    stored = await _stored(query, context, analysis_id)
    if stored is None:
        return
    content = json.dumps(stored.report.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    message = query.message
    assert isinstance(message, Message)
    await query.answer()
    await context.bot.send_document(
        message.chat.id,
        content,
        filename=f"claimdesk-report-{analysis_id}.json",
        reply_parameters=ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True),
    )


async def on_reopen_button(update: Update, context: Context) -> None:
    """``o:`` a report from /history or /search, sent again as a reply to its article."""
    query = update.callback_query
    assert query is not None and query.data is not None
    analysis_id = parse_id(query.data, "o")
    if analysis_id is None:
        await query.answer("Unknown button.")
        return
    stored = await _stored(query, context, analysis_id)
    if stored is None:
        return
    analysis = stored.analysis
    page = render_telegram(stored.report, analysis.origin)
    await query.answer()
    await context.bot.send_message(
        analysis.chat_id,
        page.html,
        reply_markup=report_keyboard(analysis.id, page),
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
    """``m:<mode>``: a group admin sets what the bot analyses."""
    query = update.callback_query
    assert query is not None and query.data is not None
    mode = query.data.partition(":")[2]
    if mode not in MODE_LABELS:
        await query.answer("Unknown setting.")
        return
    if not await _admin(query, context):
        return
    message = query.message
    assert isinstance(message, Message)
    await context.bot_data.store.set_chat_mode(message.chat.id, mode)
    keyboard = message.reply_markup
    channel_row = keyboard.inline_keyboard[-1] if keyboard and keyboard.inline_keyboard else ()
    channel = _channel_from_row(channel_row)
    await query.edit_message_text(
        f"What should I analyse in this group? Now: <b>{MODE_LABELS[mode]}</b>.",
        reply_markup=settings_keyboard(mode, channel),
    )
    await query.answer("Saved.")


def _channel_from_row(row: tuple | list) -> tuple[int, bool] | None:
    for button in row:
        data = button.callback_data if isinstance(button.callback_data, str) else ""
        if data.startswith("c:"):
            _, channel_id, turn_on = data.split(":")
            return int(channel_id), turn_on == "0"
    return None


async def on_channel_button(update: Update, context: Context) -> None:
    """``c:<channel>:<0|1>``: channel reports off/on, from the channel or its linked discussion group."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message = query.message
    assert isinstance(message, Message)
    try:
        _, channel_text, turn_on = query.data.split(":")
        channel_id = int(channel_text)
    except ValueError:
        await query.answer("Unknown setting.")
        return
    if channel_id != message.chat.id:
        linked = (await context.bot.get_chat(message.chat.id)).linked_chat_id
        if linked != channel_id:
            await query.answer(NOT_HERE, show_alert=True)
            return
    if not await _admin(query, context):
        return
    enabled = turn_on == "1"
    store = context.bot_data.store
    await store.set_channel_reports(channel_id, enabled)
    mode = None if channel_id == message.chat.id else (await store.chat_settings(message.chat.id)).mode
    await query.edit_message_reply_markup(settings_keyboard(mode, (channel_id, enabled)))
    await query.answer("Channel reports on." if enabled else "Channel reports off.")


async def on_forget_button(update: Update, context: Context) -> None:
    """``f:y`` deletes everything stored for this chat; ``f:n`` cancels."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message = query.message
    assert isinstance(message, Message)
    if not await _admin(query, context):
        return
    if query.data != "f:y":
        await query.edit_message_text("Nothing was deleted.")
        await query.answer()
        return
    deleted = await context.bot_data.store.forget_chat(message.chat.id)
    await query.edit_message_text(f"Deleted everything stored for this chat ({deleted} records).")
    await query.answer("Deleted.")

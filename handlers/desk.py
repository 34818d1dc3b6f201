"""The verification desk in Telegram: verdict buttons on the Claims page, a note as a reply to the bot's
prompt, ``/desk``, and who may give verdicts in a group (a ``/settings`` choice).

In a private chat its user gives verdicts; in a group, the admins only or every member, as the group's
admins chose. Every button is checked against the chat it was pressed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import ForceReply, Message, ReplyParameters, Update, User
from telegram.constants import ChatType
from telegram.ext import filters

from bot.desk import NOTE_LIMIT, VERDICTS
from bot.render import ranked_claims, render_desk
from handlers.callbacks import NOT_HERE, pressed, show_page, stored_for_button
from handlers.context import Context
from handlers.keyboards import (
    GIVE_VERDICT,
    VERDICT,
    VERDICTS_BY_SETTING,
    Callback,
    channel_of,
    reopen_keyboard,
    settings_keyboard,
    verdict_keyboard,
)
from storage import StoredAnalysis

ADMINS_MARK = "Only the group's admins can mark claims here (an admin can open it to every member with /settings)."
NOTE_PROMPT = "📝 Note for claim {number} of report {analysis}: reply to this message with one line (optional)."
#: Reads a note prompt back from the bot's own message it answers.
_PROMPT = re.compile(r"^📝 Note for claim (\d+) of report (\d+):")
DESK_LIMIT = 10


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return f"@{user.username}" if user.username else user.full_name


async def may_mark(context: Context, message: Message, user: User | None) -> bool:
    """A private chat's user; in a group every member or only its admins (the group's choice)."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    if (await context.bot_data.store.chat_settings(message.chat.id)).verdicts_by == "members":
        return user is not None
    return await context.bot_data.admins.is_admin(context.bot, message.chat, user.id if user else None)


def claim_number(stored: StoredAnalysis, claim_id: str) -> int | None:
    """The claim's number on the Claims page (1-based, most check-worthy first); None when unknown."""
    ids = [claim.id for claim in ranked_claims(stored.report)]
    return ids.index(claim_id) + 1 if claim_id in ids else None


async def on_verdict_button(update: Update, context: Context) -> None:
    """:data:`VERDICT` choose a verdict for a claim; :data:`GIVE_VERDICT` give it, then ask for an optional note."""
    query, match = pressed(update, context)
    analysis_id, claim_id, page = int(match["analysis"]), match["claim"], int(match["page"])
    verdict = match.groupdict().get("verdict")
    stored = await stored_for_button(query, context, analysis_id)
    if stored is None:
        return
    number = claim_number(stored, claim_id)
    if number is None:
        await query.answer(NOT_HERE, show_alert=True)
        return
    message = query.message
    assert isinstance(message, Message)
    if not await may_mark(context, message, query.from_user):
        await query.answer(ADMINS_MARK, show_alert=True)
        return
    if verdict is None:
        await query.edit_message_reply_markup(verdict_keyboard(analysis_id, claim_id, page))
        await query.answer(f"Claim {number}: choose a verdict.")
        return
    await context.bot_data.store.set_verdict(
        message.chat.id, analysis_id, claim_id, verdict, user_id=query.from_user.id, user_name=_name(query.from_user)
    )
    await show_page(query, context, stored, "claims", page)
    await query.answer(f"Claim {number}: {VERDICTS[verdict]}.")
    await context.bot.send_message(
        message.chat.id,
        NOTE_PROMPT.format(number=number, analysis=analysis_id),
        reply_markup=ForceReply(selective=True, input_field_placeholder="A one-line note"),
        reply_parameters=ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True),
    )


def is_note_reply(message: Message) -> bool:
    """A reply to this bot's note prompt."""
    prompt = message.reply_to_message
    if prompt is None or prompt.from_user is None or not prompt.from_user.is_bot:
        return False
    try:
        ours = prompt.from_user.id == message.get_bot().id
    except RuntimeError:  # a message without its bot (built by hand): any bot's prompt
        ours = True
    return ours and bool(_PROMPT.match(prompt.text or ""))


class _NoteReply(filters.MessageFilter):
    """Messages that answer the bot's note prompt (they go to :func:`on_note_reply`, not to analysis)."""

    def filter(self, message: Message) -> bool:
        return is_note_reply(message)


NOTE_REPLY = _NoteReply(name="NOTE_REPLY")


async def on_note_reply(update: Update, context: Context) -> None:
    """A reply to a note prompt: the note goes with the claim's current verdict."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    found = _PROMPT.match(message.reply_to_message.text or "")
    assert found is not None  # the handler's filter checked it
    number, analysis_id = int(found.group(1)), int(found.group(2))
    store = context.bot_data.store
    stored = await store.get_analysis(analysis_id, chat_id=message.chat.id)
    claims = ranked_claims(stored.report) if stored else []
    if stored is None or not 0 < number <= len(claims):
        await message.reply_text(NOT_HERE)
        return
    if not await may_mark(context, message, update.effective_user):
        await message.reply_text(ADMINS_MARK)
        return
    note = " ".join((message.text or "").split())
    if not note:
        await message.reply_text("A note is one line of text.")
        return
    user = update.effective_user
    try:
        await store.note_verdict(
            message.chat.id,
            analysis_id,
            claims[number - 1].id,
            note,
            user_id=user.id if user else None,
            user_name=_name(user),
        )
    except KeyError:
        await message.reply_text("That claim has no verdict yet: mark it first.")
        return
    cut = " (cut to one line)" if len(note) > NOTE_LIMIT else ""
    await message.reply_text(f"Note kept with claim {number}{cut}.")


async def on_desk(update: Update, context: Context) -> None:
    """/desk: the chat's claims still marked "needs checking" and its latest verdicts, with their reports."""
    message = update.effective_message
    if message is None:
        return
    needs, recent = await context.bot_data.store.desk(message.chat.id, DESK_LIMIT)
    if not needs and not recent:
        await message.reply_text("No claim of this chat has a verdict yet: mark claims on a report's Claims page.")
        return
    opened: list[int] = []
    for entry in (*needs, *recent):
        if entry.analysis_id not in opened:
            opened.append(entry.analysis_id)
    await message.reply_text(render_desk(needs, recent), reply_markup=reopen_keyboard(opened))


async def on_verdicts_by_button(update: Update, context: Context) -> None:
    """:data:`VERDICTS_BY_SETTING`: a group admin chooses who may give verdicts."""
    query, match = pressed(update, context)
    who = match["who"]
    message = query.message
    if not isinstance(message, Message):
        await query.answer("This message is too old.", show_alert=True)
        return
    if not await context.bot_data.admins.is_admin(context.bot, message.chat, query.from_user.id):
        await query.answer("Only the group's admins can do that.", show_alert=True)
        return
    store = context.bot_data.store
    await store.set_verdicts_by(message.chat.id, who)
    settings = await store.chat_settings(message.chat.id)
    await query.edit_message_reply_markup(
        settings_keyboard(settings.mode, channel_of(message.reply_markup), settings.verdicts_by)
    )
    await query.answer("Saved.")


#: The desk's buttons, with the callbacks that answer them (registered with the others by handlers/app.py).
BUTTONS: tuple[tuple[Callback, Callable[[Update, Context], Coroutine[Any, Any, None]]], ...] = (
    (VERDICT, on_verdict_button),
    (GIVE_VERDICT, on_verdict_button),
    (VERDICTS_BY_SETTING, on_verdicts_by_button),
)

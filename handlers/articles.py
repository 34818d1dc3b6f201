"""Article messages in, jobs out: private chats, groups (modes), /check and channel posts.

Each callback decides whether and what to analyse, unpacks the update into a :class:`~bot.service.Job`
(:func:`submit`) and hands it to the service with a :class:`~handlers.reply.TelegramReply`; the service
does the rest (inbox, limits, reading, analysis, the answer, retries).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from telegram import Message, Update
from telegram.constants import ChatType

from bot.extraction.checks import MIN_WORDS
from bot.service import ArticleInput, Job
from bot.service.articles import NOTHING_TO_READ
from handlers.context import Context
from handlers.inputs import article_from_message, mentions_bot, without_mention
from handlers.reply import TelegramReply

#: Which message's content a job analyses: the message itself, the one it replies to (/check, a mention),
#: or the text after the command (/check with the article pasted).
Target = Literal["self", "reply", "command_args"]

CHECK_USAGE = "Send /check as a reply to the message with the article."


# --- callbacks ------------------------------------------------------------------------------------


async def on_private_message(update: Update, context: Context) -> None:
    """Private chat: every text, caption or document is an article."""
    message = update.effective_message
    if message is None:
        return
    if not (message.text or message.caption or message.document):
        await message.reply_text(NOTHING_TO_READ)
        return
    await submit(context, update, message)


async def on_group_message(update: Update, context: Context) -> None:
    """Group: forwards and mentions by default; the chat's mode (set with /settings) decides."""
    message = update.effective_message
    if message is None:
        return
    data = context.bot_data
    bot = context.bot
    if message.is_automatic_forward:
        channel_id = message.sender_chat.id if message.sender_chat else None
        if channel_id is not None and (await data.store.chat_settings(channel_id)).channel_reports:
            await submit(context, update, message, explicit=False)
        return
    if mentions_bot(message, bot.username, bot.id):
        own_words = len(without_mention(message.text or message.caption or "", bot.username).split())
        if message.reply_to_message is not None and own_words < MIN_WORDS:
            await submit(context, update, message, target="reply")
        else:
            await submit(context, update, message, strip_mention=True)
        return
    mode = (await data.store.chat_settings(message.chat.id)).mode
    if mode == "mentions_only":
        return
    long_text = len((message.text or message.caption or "").split()) >= MIN_WORDS
    if message.forward_origin is not None or (mode == "every_long_message" and (long_text or message.document)):
        await submit(context, update, message, explicit=False)


async def on_check(update: Update, context: Context) -> None:
    """/check as a reply analyses the replied-to message (works with privacy mode on)."""
    message = update.effective_message
    if message is None:
        return
    if message.reply_to_message is None:
        if context.args and message.chat.type == ChatType.PRIVATE:
            await submit(context, update, message, target="command_args")
        else:
            await message.reply_text(CHECK_USAGE)
        return
    await submit(context, update, message, target="reply")


async def on_channel_post(update: Update, context: Context) -> None:
    """A channel post, when the channel asked for reports: analysed and kept; the report is posted as a
    comment when the post reaches the linked discussion group (see :func:`on_group_message`)."""
    message = update.effective_message
    if message is None or not (await context.bot_data.store.chat_settings(message.chat.id)).channel_reports:
        return
    await submit(context, update, message, post_report=False, explicit=False)


async def on_edited_message(update: Update, context: Context) -> None:
    """An edited message. One the bot answered is analysed again and the answer replaced (in place when
    Telegram allows, else answered anew); one it did not answer is looked at like a new message, so an
    edit that turns a short text into an article is analysed."""
    message = update.edited_message
    if message is None:
        return
    answered = await context.bot_data.service.answered(message.chat.id, message.message_id)
    if answered is None:
        if message.chat.type == ChatType.PRIVATE:
            await on_private_message(update, context)
        else:
            await on_group_message(update, context)
        return
    await submit(
        context,
        update,
        message,
        strip_mention=mentions_bot(message, context.bot.username, context.bot.id),
        edit_of=answered.reply_message_id,
        replaces=answered.analysis_id,
    )


# --- the job ---------------------------------------------------------------------------------------


async def submit(
    context: Context,
    update: Update,
    message: Message,
    *,
    target: Target = "self",
    post_report: bool = True,
    strip_mention: bool = False,
    explicit: bool = True,
    edit_of: int | None = None,
    replaces: int | None = None,
) -> None:
    """Unpack the update into a job (``target``: which message's content to analyse) and hand it to the
    service with a reply in this chat (``edit_of``, ``replaces``: see :class:`~bot.service.Job`): kept in the
    inbox before this returns, then done in the background."""
    analysed, article = _target_input(message, target, strip_mention=strip_mention, username=context.bot.username)
    job = Job(
        update_id=update.update_id,
        chat_id=message.chat.id,
        message_id=analysed.message_id,
        article=article,
        sender_id=_sender_id(message),
        post_report=post_report,
        explicit=explicit,
        edit_of=edit_of,
        replaces=replaces,
    )
    await context.bot_data.service.start(job, TelegramReply.to_job(context.bot, job))


def _target_input(
    message: Message, target: Target, *, strip_mention: bool, username: str | None
) -> tuple[Message, ArticleInput]:
    if target == "reply" and message.reply_to_message is not None:
        analysed = message.reply_to_message
        return analysed, article_from_message(analysed)
    article = article_from_message(message)
    if target == "command_args":
        parts = article.text.split(maxsplit=1)  # "/check" and the pasted article
        return message, replace(article, text=parts[1] if len(parts) == 2 else "")
    if strip_mention:
        return message, replace(article, text=without_mention(article.text, username))
    return message, article


def _sender_id(message: Message) -> int | None:
    """Whom the per-user limit counts: the person who sent the message (None for a chat posting as
    itself: channels, anonymous admins, automatic forwards from a channel)."""
    if message.sender_chat is not None or message.from_user is None:
        return None
    return message.from_user.id

"""Article messages in, reports out: private chats, groups (modes), /check, channel posts, recovery.

Every analysed update goes through :func:`process`: the update is kept in the inbox first (a known
update is never answered again), a document is downloaded and decoded, a message too short to be an
article that carries a link to one gets the linked article (fetched, or the stored page), the service
analyses (or reuses the stored report), and the report is sent as a reply to the analysed message.
"""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import replace
from typing import Any

from telegram import Bot, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.extraction.checks import MIN_WORDS
from bot.links.page import FetchError
from bot.links.policy import article_link
from bot.render import render_telegram
from bot.service import Analysed, Failed, Outcome, Rejected
from handlers.context import BotData, Context
from handlers.inputs import (
    ArticleInput,
    DocumentProblem,
    article_from_message,
    decode_document,
    document_problem,
    mentions_bot,
    without_mention,
)
from handlers.keyboards import report_keyboard

log = logging.getLogger(__name__)

READING_LINK = "Reading the linked article …"
NOTHING_TO_READ = (
    "Send me a news article: forward it, paste its text or a link to it, or send a .txt, .md or .html file."
)
CHECK_USAGE = "Send /check as a reply to the message with the article."
FAILED = "I couldn't analyse this article just now ({reason}). It is kept and I will try again automatically."
GAVE_UP = "I gave up on this article after {attempts} ({reason}). Please send it again later."


def raw_for(message: Message, *, target: str, post_report: bool, strip_mention: bool, explicit: bool) -> dict[str, Any]:
    """What the inbox keeps: the whole message and which part of it to analyse, enough to redo the work."""
    return {
        "message": message.to_dict(),
        "target": target,
        "post_report": post_report,
        "strip_mention": strip_mention,
        "explicit": explicit,
    }


# --- callbacks ------------------------------------------------------------------------------------


async def on_private_message(update: Update, context: Context) -> None:
    """Private chat: every text, caption or document is an article."""
    message = update.effective_message
    if message is None:
        return
    if not (message.text or message.caption or message.document):
        await message.reply_text(NOTHING_TO_READ)
        return
    await process(context.bot, context.bot_data, update.update_id, message, target="self")


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
            await process(bot, data, update.update_id, message, target="self", explicit=False)
        return
    if mentions_bot(message, bot.username, bot.id):
        own_words = len(without_mention(message.text or message.caption or "", bot.username).split())
        if message.reply_to_message is not None and own_words < MIN_WORDS:
            await process(bot, data, update.update_id, message, target="reply")
        else:
            await process(bot, data, update.update_id, message, target="self", strip_mention=True)
        return
    mode = (await data.store.chat_settings(message.chat.id)).mode
    if mode == "mentions_only":
        return
    long_text = len((message.text or message.caption or "").split()) >= MIN_WORDS
    if message.forward_origin is not None or (mode == "every_long_message" and (long_text or message.document)):
        await process(bot, data, update.update_id, message, target="self", explicit=False)


async def on_check(update: Update, context: Context) -> None:
    """/check as a reply analyses the replied-to message (works with privacy mode on)."""
    message = update.effective_message
    if message is None:
        return
    if message.reply_to_message is None:
        if context.args and message.chat.type == ChatType.PRIVATE:
            await process(context.bot, context.bot_data, update.update_id, message, target="command_args")
        else:
            await message.reply_text(CHECK_USAGE)
        return
    await process(context.bot, context.bot_data, update.update_id, message, target="reply")


async def on_channel_post(update: Update, context: Context) -> None:
    """A channel post, when the channel asked for reports: analysed and kept; the report is posted as a
    comment when the post reaches the linked discussion group (see :func:`on_group_message`)."""
    message = update.effective_message
    if message is None or not (await context.bot_data.store.chat_settings(message.chat.id)).channel_reports:
        return
    await process(
        context.bot, context.bot_data, update.update_id, message, target="self", post_report=False, explicit=False
    )


# --- the work -------------------------------------------------------------------------------------


def _target_input(
    message: Message, target: str, *, strip_mention: bool, username: str | None
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


async def process(
    bot: Bot,
    data: BotData,
    update_id: int,
    message: Message,
    *,
    target: str,
    post_report: bool = True,
    strip_mention: bool = False,
    explicit: bool = True,
    recovered: bool = False,
    chat_id: int | None = None,
) -> None:
    """Analyse the target of ``message`` for update ``update_id`` and reply (once, ever).

    ``explicit``: the user asked (private chat, /check, a mention). A forward or a long message that a
    group's mode picks up is not explicit: when it is not an article, the bot stays silent.
    ``chat_id``: where to answer when it is not the message's chat (a group that became a supergroup).

    The update is kept in the inbox before anything is sent, so a redelivered update is never answered
    twice; every kept update ends answered, refused with a reason, or failed with the reason told.
    """
    analysed, article = _target_input(message, target, strip_mention=strip_mention, username=bot.username)
    chat_id = message.chat.id if chat_id is None else chat_id
    reply_to = ReplyParameters(message_id=analysed.message_id, allow_sending_without_reply=True)

    async def say(text: str) -> Message | None:
        if not post_report:
            return None
        return await bot.send_message(chat_id, text, reply_parameters=reply_to)

    async def done(sent: Message | int | None = None, analysis_id: int | None = None) -> None:
        sent_id = sent.message_id if isinstance(sent, Message) else sent
        await data.service.finish(update_id, reply_message_id=sent_id, analysis_id=analysis_id)

    if not recovered:
        raw = raw_for(message, target=target, post_report=post_report, strip_mention=strip_mention, explicit=explicit)
        if not await data.service.accept(update_id=update_id, chat_id=chat_id, message_id=analysed.message_id, raw=raw):
            log.info("update %d is known already: not answered again", update_id)
            return

    progress: Message | None = None
    try:
        unreachable = (await data.store.chat_settings(chat_id)).unreachable
        if unreachable is not None:
            if recovered:  # blocked or gone: nothing is sent there any more
                log.info("inbox item %d not answered: chat %d is unreachable (%s)", update_id, chat_id, unreachable)
                await done()
                return
            await data.store.mark_chat_reachable(chat_id)  # it wrote to the bot: it can hear from it again
        if article.document is not None and (problem := document_problem(article.document)):
            await done(await say(html.escape(problem, quote=False)) if explicit else None)
            return
        if not article.text.strip() and article.document is None:
            await done(await say(NOTHING_TO_READ) if explicit else None)
            return
        if not recovered and (refusal := data.limits.take(_sender_id(message), chat_id)) is not None:
            log.info("update %d refused: %s limit of %d a minute", update_id, refusal.scope, refusal.limit)
            await done(await say(html.escape(refusal.message(), quote=False)) if refusal.first else None)
            return
        if post_report:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        read: ArticleInput | Rejected = article
        link = _link_to_read(article)
        if article.document is not None:
            name = article.document.file_name or "the file"
            progress = await say(f"Analysing {html.escape(name, quote=False)} …")
            read = await _with_document_text(bot, article)
        elif link is not None:
            progress = await say(READING_LINK)
            read = await _with_page_text(data, article, link)
        outcome: Outcome = (
            read
            if isinstance(read, Rejected)
            else await data.service.analyse(
                update_id,
                chat_id=chat_id,
                message_id=analysed.message_id,
                text=read.text,
                origin=read.origin,
                title=read.title,
            )
        )
        if isinstance(outcome, Failed):
            await _tell_failure(bot, data, update_id, chat_id, progress, outcome, reply_to, post_report, recovered)
            return
        if isinstance(outcome, Rejected):
            sent = None
            if explicit:
                sent = await _answer(
                    bot, chat_id, progress, html.escape(outcome.message, quote=False), reply_to, post_report
                )
            elif progress is not None:
                await progress.delete()
            await done(sent)
            return
        sent = await _send_report(bot, chat_id, progress, outcome, reply_to, post_report)
        await done(sent, outcome.analysis.id)
    except ChatMigrated as exc:  # the group became a supergroup: move what is stored, answer there
        log.info("chat %d migrated to %d while answering update %d", chat_id, exc.new_chat_id, update_id)
        await data.store.migrate_chat(chat_id, exc.new_chat_id)
        item = await data.store.inbox_get(update_id)
        if item is None or item.status != "pending":  # failed already: its retry answers at the new id
            return
        await process(
            bot,
            data,
            update_id,
            message,
            target=target,
            post_report=post_report,
            strip_mention=strip_mention,
            explicit=explicit,
            recovered=True,
            chat_id=exc.new_chat_id,
        )
    except Forbidden as exc:  # blocked, kicked: stop sending to this chat
        log.warning("chat %d is unreachable: %s", chat_id, exc.message)
        await data.store.mark_chat_unreachable(chat_id, exc.message)
        await done()
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            log.warning("chat %d is unreachable: %s", chat_id, exc.message)
            await data.store.mark_chat_unreachable(chat_id, exc.message)
            await done()
        else:
            await data.service.fail(update_id, f"BadRequest: {exc.message}")
            raise
    except TelegramError as exc:  # network trouble, flood beyond the retries: kept for a retry
        await data.service.fail(update_id, f"{type(exc).__name__}: {exc.message}")
        raise
    except Exception as exc:  # a bug or an input nobody foresaw: kept, retried, and the chat is told
        log.exception("update %d failed", update_id)
        failed = await data.service.fail(update_id, type(exc).__name__)
        with contextlib.suppress(TelegramError):
            await _tell_failure(bot, data, update_id, chat_id, progress, failed, reply_to, post_report, recovered)


def _sender_id(message: Message) -> int | None:
    """Whom the per-user limit counts: the person who sent the message (None for a chat posting as
    itself: channels, anonymous admins, automatic forwards from a channel)."""
    if message.sender_chat is not None or message.from_user is None:
        return None
    return message.from_user.id


async def _with_document_text(bot: Bot, article: ArticleInput) -> ArticleInput | Rejected:
    """Download the article's document and decode it (any common encoding; HTML reduced to text)."""
    assert article.document is not None
    file = await bot.get_file(article.document.file_id)
    content = bytes(await file.download_as_bytearray())
    try:
        text, title = decode_document(content, article.document.file_name)
    except DocumentProblem as problem:
        return Rejected("document", str(problem))
    return article.with_text(text, title=title)


def _link_to_read(article: ArticleInput) -> str | None:
    """The link to read instead of the message: when its own text is too short to be an article."""
    if article.document is not None or len(article.text.split()) >= MIN_WORDS:
        return None
    return article_link(article.links)


async def _with_page_text(data: BotData, article: ArticleInput, link: str) -> ArticleInput | Rejected:
    """The linked article as the input (its text and title; the page described in the origin)."""
    try:
        page = await data.service.read_link(link)
    except FetchError as error:
        log.info("link not read (%s): %s", error.code, error)
        return Rejected(f"link_{error.code}", error.told)
    return replace(article.with_text(page.text, title=page.title), origin={**article.origin, "page": page.origin()})


async def _answer(
    bot: Bot, chat_id: int, progress: Message | None, text: str, reply_to: ReplyParameters, post_report: bool, **kw: Any
) -> int | None:
    """Replace the progress message with ``text``, or send ``text`` as a reply; the message id."""
    if not post_report:
        return None
    if progress is not None:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=progress.message_id, **kw)
        return progress.message_id
    sent = await bot.send_message(chat_id, text, reply_parameters=reply_to, **kw)
    return sent.message_id


async def _send_report(
    bot: Bot, chat_id: int, progress: Message | None, outcome: Analysed, reply_to: ReplyParameters, post_report: bool
) -> int | None:
    analysis = outcome.analysis
    page = render_telegram(
        outcome.report,
        analysis.origin,
        seen_in_chat=analysis.seen_in_chat,
        first_seen_in_chat=analysis.first_seen_in_chat,
    )
    return await _answer(
        bot,
        chat_id,
        progress,
        page.html,
        reply_to,
        post_report,
        reply_markup=report_keyboard(analysis.id, page),
        disable_web_page_preview=True,
    )


async def _tell_failure(
    bot: Bot,
    data: BotData,
    update_id: int,
    chat_id: int,
    progress: Message | None,
    failed: Failed,
    reply_to: ReplyParameters,
    post_report: bool,
    recovered: bool,
) -> None:
    """Tell the chat once that the article is kept and retried, and once more if it is given up."""
    reason = html.escape(failed.reason.split(":", 1)[0], quote=False)
    if failed.gave_up:
        await _answer(
            bot,
            chat_id,
            progress,
            GAVE_UP.format(attempts=_attempts(failed.attempts), reason=reason),
            reply_to,
            post_report,
        )
        await data.service.reported(update_id)
    elif not recovered or failed.attempts == 1:
        await _answer(bot, chat_id, progress, FAILED.format(reason=reason), reply_to, post_report)


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"


async def tell_given_up(bot: Bot, data: BotData) -> None:
    """Tell chats about give-ups they were not told of (the process died before telling)."""
    for item in await data.store.inbox_unreported():
        reason = html.escape((item.last_error or "unknown error").split(":", 1)[0], quote=False)
        if (await data.store.chat_settings(item.chat_id)).unreachable is not None:
            await data.service.reported(item.update_id)  # blocked or gone: nobody to tell
            continue
        try:
            await bot.send_message(
                item.chat_id,
                GAVE_UP.format(attempts=_attempts(item.attempts), reason=reason),
                reply_parameters=ReplyParameters(message_id=item.message_id, allow_sending_without_reply=True),
            )
        except Forbidden as exc:
            await data.store.mark_chat_unreachable(item.chat_id, exc.message)
        except TelegramError as exc:
            log.warning("inbox item %d: could not tell the give-up: %s", item.update_id, exc)
            continue
        await data.service.reported(item.update_id)


async def recover(bot: Bot, data: BotData) -> int:
    """Process the inbox items that are due (left by a process that died, or waiting for a retry)."""
    items = await data.service.due()
    for item in items:
        raw = item.raw
        try:
            message = Message.de_json(raw["message"], bot)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("inbox item %d cannot be read back: %s", item.update_id, exc)
            await data.service.finish(item.update_id, reply_message_id=None, analysis_id=None)
            continue
        log.info("processing inbox item %d (attempt %d)", item.update_id, item.attempts + 1)
        try:
            await process(
                bot,
                data,
                item.update_id,
                message,
                target=raw.get("target", "self"),
                post_report=raw.get("post_report", True),
                strip_mention=raw.get("strip_mention", False),
                explicit=raw.get("explicit", True),
                recovered=True,
                chat_id=item.chat_id,
            )
        except TelegramError as exc:
            log.warning("inbox item %d: %s (kept for a retry)", item.update_id, exc)
    return len(items)

"""The answer to one job in Telegram: :class:`TelegramReply`, the service's :class:`~bot.service.Reply`.

Every answer replies to the analysed message; a progress message ("Reading the linked article …") is
edited into the answer. Telegram's errors leave this module only as the service's delivery errors: a
group that became a supergroup (:class:`~bot.service.ChatMoved`), a bot blocked or removed or a chat
not found (:class:`~bot.service.ChatUnreachable`), anything else (:class:`~bot.service.DeliveryFailed`).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telegram import Bot, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.service import Analysed, ChatMoved, ChatUnreachable, DeliveryFailed, DocumentRef, Failed, Job
from handlers.keyboards import report_message

FAILED = "I couldn't analyse this article just now ({reason}). It is kept and I will try again automatically."
GAVE_UP = "I gave up on this article after {attempts} ({reason}). Please send it again later."


@contextmanager
def delivery() -> Iterator[None]:
    """Telegram's errors as the service's delivery errors."""
    try:
        yield
    except ChatMigrated as exc:
        raise ChatMoved(f"ChatMigrated: {exc.message}", exc.new_chat_id) from exc
    except Forbidden as exc:
        raise ChatUnreachable(exc.message) from exc
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            raise ChatUnreachable(exc.message) from exc
        raise DeliveryFailed(f"BadRequest: {exc.message}") from exc
    except TelegramError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc.message}") from exc


def failure_text(failed: Failed) -> str:
    """ "I couldn't analyse this article just now (RuntimeError) …", or the give-up (plain text)."""
    reason = failed.reason.split(":", 1)[0]
    if failed.gave_up:
        attempts = f"{failed.attempts} attempt" if failed.attempts == 1 else f"{failed.attempts} attempts"
        return GAVE_UP.format(attempts=attempts, reason=reason)
    return FAILED.format(reason=reason)


class TelegramReply:
    """Answers in ``chat_id`` as a reply to ``message_id``; with ``post_report`` False nothing is sent."""

    def __init__(self, bot: Bot, chat_id: int, message_id: int, *, post_report: bool = True) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.post_report = post_report
        self._progress: Message | None = None

    @classmethod
    def to_job(cls, bot: Bot, job: Job) -> TelegramReply:
        """The reply to ``job``, in its chat."""
        return cls(bot, job.chat_id, job.message_id, post_report=job.post_report)

    async def typing(self) -> None:
        if self.post_report:
            with delivery():
                await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)

    async def progress(self, text: str) -> None:
        if self.post_report:
            with delivery():
                self._progress = await self.bot.send_message(
                    self.chat_id, html.escape(text, quote=False), reply_parameters=self._reply_to()
                )

    async def say(self, text: str) -> int | None:
        return await self._answer(html.escape(text, quote=False))

    async def failure(self, failed: Failed) -> int | None:
        return await self.say(failure_text(failed))

    async def report(self, analysed: Analysed) -> int | None:
        text, keyboard = report_message(analysed.analysis, analysed.report)
        return await self._answer(text, reply_markup=keyboard, disable_web_page_preview=True)

    async def withdraw(self) -> None:
        if self._progress is not None:
            with delivery():
                await self._progress.delete()
            self._progress = None

    async def download(self, document: DocumentRef) -> bytes:
        with delivery():
            file = await self.bot.get_file(document.file_id)
            return bytes(await file.download_as_bytearray())

    def moved(self, chat_id: int) -> TelegramReply:
        return TelegramReply(self.bot, chat_id, self.message_id, post_report=self.post_report)

    def _reply_to(self) -> ReplyParameters:
        return ReplyParameters(message_id=self.message_id, allow_sending_without_reply=True)

    async def _answer(self, text: str, **kw: Any) -> int | None:
        """Replace the progress message with ``text`` (HTML), or send ``text`` as a reply; the message id."""
        if not self.post_report:
            return None
        with delivery():
            if self._progress is not None:
                await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=self._progress.message_id, **kw)
                return self._progress.message_id
            sent = await self.bot.send_message(self.chat_id, text, reply_parameters=self._reply_to(), **kw)
            return sent.message_id

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
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.render import plural
from bot.service import (
    Analysed,
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    DocumentProblem,
    DocumentRef,
    Failed,
    Job,
)
from handlers.keyboards import report_message

#: Seconds a document download may take.
DOWNLOAD_TIMEOUT = 30.0
MEGABYTE = 1024 * 1024
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


async def read_capped(location: str | None, max_bytes: int) -> bytes:
    """The file at ``location`` (the download URL, or a path with a local Bot API server), read in chunks
    and stopped as soon as it passes ``max_bytes`` (:class:`~bot.service.DocumentProblem`). Why: the size a
    message states can be a lie, and reading the whole file first held 951 MB for a 200 MB document."""
    if not location:
        raise DeliveryFailed("getFile gave no file path")
    too_large = DocumentProblem(
        f"This file is over {max_bytes / MEGABYTE:g} MB; I take files up to {max_bytes / MEGABYTE:g} MB."
    )
    if not location.startswith(("http://", "https://")):
        with Path(location).open("rb") as local:
            data = local.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_large
        return data
    chunks: list[bytes] = []
    size = 0
    try:
        async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT) as client, client.stream("GET", location) as response:
            if response.status_code != 200:
                raise DeliveryFailed(f"download answered HTTP {response.status_code}")
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise too_large
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"download failed ({type(exc).__name__})") from exc
    return b"".join(chunks)


def failure_text(failed: Failed) -> str:
    """ "I couldn't analyse this article just now (RuntimeError) …", or the give-up (plain text)."""
    reason = failed.reason.split(":", 1)[0]
    if failed.gave_up:
        return GAVE_UP.format(attempts=plural(failed.attempts, "attempt"), reason=reason)
    return FAILED.format(reason=reason)


class TelegramReply:
    """Answers in ``chat_id`` as a reply to ``message_id``; with ``post_report`` False nothing is sent.

    ``edit_of``: the bot's earlier answer to this message (the message was edited since): the new answer
    replaces it in place, or, when Telegram no longer lets the bot edit it (deleted, too old), is sent as
    a new reply; the report then says it was analysed again.
    """

    def __init__(
        self, bot: Bot, chat_id: int, message_id: int, *, post_report: bool = True, edit_of: int | None = None
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.post_report = post_report
        self.edit_of = edit_of
        self.edited = edit_of is not None  # the report says it was analysed again, wherever it is shown
        self._progress: int | None = None  # the progress message this reply sent (the next answer replaces it)

    @classmethod
    def to_job(cls, bot: Bot, job: Job) -> TelegramReply:
        """The reply to ``job``, in its chat."""
        return cls(bot, job.chat_id, job.message_id, post_report=job.post_report, edit_of=job.edit_of)

    async def typing(self) -> None:
        if self.post_report:
            with delivery():
                await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)

    async def progress(self, text: str) -> None:
        if self.post_report:
            shown = await self._answer(html.escape(text, quote=False))
            if shown != self.edit_of:
                self._progress = shown

    async def say(self, text: str) -> int | None:
        return await self._answer(html.escape(text, quote=False))

    async def failure(self, failed: Failed) -> int | None:
        return await self.say(failure_text(failed))

    async def report(self, analysed: Analysed) -> int | None:
        text, keyboard = report_message(analysed.analysis, analysed.report, edited=self.edited, desk=analysed.desk)
        return await self._answer(text, reply_markup=keyboard, disable_web_page_preview=True)

    async def withdraw(self) -> None:
        if self._progress is not None:
            with delivery():
                await self.bot.delete_message(self.chat_id, self._progress)
            self._progress = None

    async def download(self, document: DocumentRef, max_bytes: int) -> bytes:
        with delivery():
            file = await self.bot.get_file(document.file_id)
        return await read_capped(file.file_path, max_bytes)

    def moved(self, chat_id: int) -> TelegramReply:
        return TelegramReply(self.bot, chat_id, self.message_id, post_report=self.post_report)

    def _reply_to(self) -> ReplyParameters:
        return ReplyParameters(message_id=self.message_id, allow_sending_without_reply=True)

    async def _answer(self, text: str, **kw: Any) -> int | None:
        """``text`` (HTML) in place of the progress message or the earlier answer, else as a reply; its id."""
        if not self.post_report:
            return None
        replaced = self._progress or self.edit_of
        with delivery():
            if replaced is not None:
                try:
                    await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=replaced, **kw)
                    return replaced
                except BadRequest as exc:
                    problem = exc.message.lower()
                    if "not modified" in problem:
                        return replaced
                    if replaced != self.edit_of or "chat not found" in problem:
                        raise
                    self.edit_of = None  # the earlier answer cannot be edited any more: answer anew
            sent = await self.bot.send_message(self.chat_id, text, reply_parameters=self._reply_to(), **kw)
            return sent.message_id

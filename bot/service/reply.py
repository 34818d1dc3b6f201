"""What the service needs of the chat it answers, without knowing Telegram: :class:`Reply`.

The handlers layer implements it (``handlers/reply.py``) and turns the messenger's errors into the three
kinds the service has a policy for: the chat moved (:class:`ChatMoved`), it cannot be reached any more
(:class:`ChatUnreachable`), or this one delivery failed (:class:`DeliveryFailed`, retried later).
"""

from __future__ import annotations

from typing import Protocol

from bot.service.jobs import DocumentRef
from bot.service.outcomes import Analysed, Failed


class DeliveryError(Exception):
    """Sending to the chat (or downloading from it) went wrong; ``reason`` is fit for a log and the inbox."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatMoved(DeliveryError):
    """The group became a supergroup with ``new_chat_id``: what is stored moves there, and so does the answer."""

    def __init__(self, reason: str, new_chat_id: int) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class ChatUnreachable(DeliveryError):
    """The bot was blocked or removed, or the chat is gone: nothing is sent there any more."""


class DeliveryFailed(DeliveryError):
    """This delivery failed (network, flood beyond the retries, a refused request): kept for a retry."""


class Reply(Protocol):
    """The answer to one job, in the chat it came from. Every method may raise a :class:`DeliveryError`.

    A progress message, once sent, is replaced by the next answer; the methods that answer return the id
    of the message that holds the answer (None when nothing was sent, e.g. for a channel post).
    """

    async def typing(self) -> None:
        """Show that the bot is working."""

    async def progress(self, text: str) -> None:
        """Say what the bot is doing (plain text); the next answer replaces it."""

    async def say(self, text: str) -> int | None:
        """Answer with plain text."""

    async def report(self, analysed: Analysed) -> int | None:
        """Answer with the report."""

    async def failure(self, failed: Failed) -> int | None:
        """Say the analysis failed: kept and retried, or given up."""

    async def withdraw(self) -> None:
        """Delete the progress message, if any (the bot stays silent after all)."""

    async def download(self, document: DocumentRef, max_bytes: int) -> bytes:
        """The document's bytes; :class:`~bot.service.documents.DocumentProblem` as soon as there are
        more than ``max_bytes`` (whatever size the message claimed)."""

    def moved(self, chat_id: int) -> Reply:
        """The same answer, to be sent in the chat the group became."""

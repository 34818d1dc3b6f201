"""The work the bot was asked to do, as frozen records: what a handler unpacks from an update.

A :class:`Job` is everything the service needs to answer one update: where to answer, the article input
(text or a document still to download, its origin and links), who sent it (for the rate limits) and how
to answer. The inbox keeps it as JSON (:meth:`Job.inbox_raw`), so a job left by a process that died, or
waiting for a retry, is redone from the inbox alone (:meth:`Job.from_inbox`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.origin import Origin
from storage import InboxItem


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document attached to a message, not yet downloaded."""

    file_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int | None


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """What the bot analyses: the text (empty until a document is downloaded) and where it came from."""

    text: str
    origin: Origin
    chat_id: int
    message_id: int
    document: DocumentRef | None = None
    title: str | None = None
    links: tuple[str, ...] = field(default=())

    def with_text(self, text: str, *, title: str | None = None) -> ArticleInput:
        """The same input with the document's decoded text (and title, when the document has one)."""
        return replace(self, text=text, title=title or self.title)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "origin": self.origin.to_dict(),
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "document": None if self.document is None else asdict(self.document),
            "title": self.title,
            "links": list(self.links),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleInput:
        document = data.get("document")
        return cls(
            text=data["text"],
            origin=Origin.from_dict(data["origin"]),
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            document=None if document is None else DocumentRef(**document),
            title=data.get("title"),
            links=tuple(data.get("links") or ()),
        )


@dataclass(frozen=True, slots=True)
class Job:
    """One update to answer, once ever.

    ``chat_id``: where to answer (changes when a group becomes a supergroup); ``message_id``: the analysed
    message, which the answer replies to; ``sender_id``: whom the per-user limit counts (None for a chat
    posting as itself); ``post_report``: False for a channel post, whose report goes to the linked
    discussion group instead; ``explicit``: the user asked (private chat, /check, a mention). A forward
    or a long message that a group's mode picks up is not explicit: when it is not an article, the bot
    stays silent. ``edit_of``: the message was edited after the bot answered it with this message, which
    the new answer replaces; ``replaces``: the analysis that answer showed, superseded by the new one.
    """

    update_id: int
    chat_id: int
    message_id: int
    article: ArticleInput
    sender_id: int | None = None
    post_report: bool = True
    explicit: bool = True
    edit_of: int | None = None
    replaces: int | None = None

    def inbox_raw(self) -> dict[str, Any]:
        """What the inbox keeps beside its own columns (update, chat and message ids): enough to redo the work."""
        return {
            "article": self.article.to_dict(),
            "sender_id": self.sender_id,
            "post_report": self.post_report,
            "explicit": self.explicit,
            "edit_of": self.edit_of,
            "replaces": self.replaces,
        }

    @classmethod
    def from_inbox(cls, item: InboxItem) -> Job:
        """The job an inbox item keeps (KeyError, TypeError or ValueError when it cannot be read back)."""
        raw = item.raw
        return cls(
            update_id=item.update_id,
            chat_id=item.chat_id,
            message_id=item.message_id,
            article=ArticleInput.from_dict(raw["article"]),
            sender_id=raw.get("sender_id"),
            post_report=bool(raw.get("post_report", True)),
            explicit=bool(raw.get("explicit", True)),
            edit_of=raw.get("edit_of"),
            replaces=raw.get("replaces"),
        )

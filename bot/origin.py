"""Where an analysed article came from: a typed record, standard library only.

The bot builds an :class:`Origin` from a Telegram message (``handlers/inputs.py``), the service adds the
linked page it read (:class:`PageOrigin`), storage keeps it as JSON (:meth:`Origin.to_dict`, read back
with :meth:`Origin.from_dict`) and the renderer shows it. ``None`` and empty fields are left out of the
JSON form, except ``links``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

#: How the content reached the chat: a forward from a channel, a chat, a user or a hidden user; a post in a
#: channel the bot is in; or sent directly (pasted text, a document, a link).
OriginKind = Literal["direct", "channel", "chat", "user", "hidden_user", "channel_post"]


@dataclass(frozen=True, slots=True)
class PageOrigin:
    """A linked article the bot read instead of the message: its final URL and what the page says of itself."""

    url: str
    title: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO date, as the page states it

    def to_dict(self) -> dict[str, Any]:
        return _present({f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageOrigin:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message's content comes from (forward origin, channel, post link, signature, date, links)."""

    kind: OriginKind | None = None
    chat_id: int | None = None
    chat_title: str | None = None
    chat_username: str | None = None
    message_id: int | None = None
    post_url: str | None = None  # https://t.me/<channel>/<id>, for a public channel's post
    author_signature: str | None = None
    sender_name: str | None = None
    date: str | None = None  # ISO-8601: when the content was first posted
    automatic_forward: bool = False  # a channel post copied into its linked discussion group
    links: tuple[str, ...] = ()
    file_name: str | None = None
    page: PageOrigin | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: fields that are None or False left out; ``links`` always (a list)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["page"] = self.page.to_dict() if self.page is not None else None
        data = _present(data)
        data["links"] = list(self.links)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Origin:
        """Inverse of :meth:`to_dict`; keys it does not know are ignored (TypeError for a non-object)."""
        if not isinstance(data, dict):
            raise TypeError(f"an origin is a JSON object, not {type(data).__name__}")
        known: dict[str, Any] = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        known["links"] = tuple(known.get("links") or ())
        page = known.get("page")
        known["page"] = PageOrigin.from_dict(page) if isinstance(page, dict) and page.get("url") else None
        return cls(**known)


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None and value is not False and value != ()}

"""Telegram message -> article input: pure, and the only module that knows the shapes of Telegram messages.

Nothing here talks to the network: a document is described by a :class:`bot.service.jobs.DocumentRef`;
the service checks and decodes it (``bot/service/documents.py``) once it is downloaded.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
)

from bot.origin import Origin
from bot.service import ArticleInput, DocumentRef
from bot.service.documents import clean_text


def article_from_message(message: Message) -> ArticleInput:
    """Text or caption, origin (forward origin, channel, post link, signature, date) and links of a message."""
    text = clean_text(message.text or message.caption or "")
    links = message_links(message)
    document = None
    if message.document is not None:
        doc = message.document
        document = DocumentRef(doc.file_id, doc.file_name, doc.mime_type, doc.file_size)
    return ArticleInput(
        text=text,
        origin=message_origin(message, links=links, file_name=document.file_name if document else None),
        chat_id=message.chat.id,
        message_id=message.message_id,
        document=document,
        links=links,
    )


def message_origin(message: Message, *, links: tuple[str, ...] = (), file_name: str | None = None) -> Origin:
    """Where a message's content comes from (with the message's ``links`` and document ``file_name``)."""
    fields: dict[str, Any] = {"kind": "direct"}
    forward = message.forward_origin
    if isinstance(forward, MessageOriginChannel):
        fields.update(
            kind="channel",
            chat_id=forward.chat.id,
            chat_title=forward.chat.title,
            chat_username=forward.chat.username,
            message_id=forward.message_id,
            post_url=post_url(forward.chat.username, forward.message_id),
            author_signature=forward.author_signature,
        )
    elif isinstance(forward, MessageOriginChat):
        fields.update(
            kind="chat",
            chat_id=forward.sender_chat.id,
            chat_title=forward.sender_chat.title,
            chat_username=forward.sender_chat.username,
            author_signature=forward.author_signature,
        )
    elif isinstance(forward, MessageOriginUser):
        fields.update(kind="user", sender_name=forward.sender_user.full_name)
    elif isinstance(forward, MessageOriginHiddenUser):
        fields.update(kind="hidden_user", sender_name=forward.sender_user_name)
    elif message.chat.type == "channel":
        fields.update(
            kind="channel_post",
            chat_id=message.chat.id,
            chat_title=message.chat.title,
            chat_username=message.chat.username,
            message_id=message.message_id,
            post_url=post_url(message.chat.username, message.message_id),
            author_signature=message.author_signature,
        )
    if forward is not None:
        fields["date"] = forward.date.isoformat()
    elif message.date is not None:
        fields["date"] = message.date.isoformat()
    return Origin(**fields, automatic_forward=bool(message.is_automatic_forward), links=links, file_name=file_name)


def post_url(username: str | None, message_id: int | None) -> str | None:
    """``https://t.me/<username>/<id>`` for a post in a public channel; None for a private one."""
    if not username or message_id is None:
        return None
    return f"https://t.me/{username}/{message_id}"


def message_links(message: Message) -> tuple[str, ...]:
    """URLs in the text or caption: ``url`` entities (the text itself) and ``text_link`` entities, in order."""
    links: list[str] = []
    found = entity_texts(message, (MessageEntity.URL, MessageEntity.TEXT_LINK))
    for entity, text in sorted(found, key=lambda item: item[0].offset):
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else text
        if url and url not in links:
            links.append(url)
    return tuple(links)


def entity_texts(message: Message, kinds: tuple[str, ...]) -> list[tuple[MessageEntity, str]]:
    """The text (or caption) entities of ``kinds`` with the text each covers.

    Offsets count UTF-16 units. Unlike ``Message.parse_entities`` this never raises: an entity that
    splits a surrogate pair gets U+FFFD for the half, one past the end gets what there is.
    """
    text = message.text or message.caption or ""
    entities = message.entities if message.text else message.caption_entities
    units = text.encode("utf-16-le", "surrogatepass")
    return [
        (entity, units[entity.offset * 2 : (entity.offset + entity.length) * 2].decode("utf-16-le", "replace"))
        for entity in entities
        if entity.type in kinds
    ]


def mentions_bot(message: Message, username: str | None, bot_id: int) -> bool:
    """True when the text or caption mentions the bot (``@username`` or a text mention of its user)."""
    for entity, text in entity_texts(message, (MessageEntity.MENTION, MessageEntity.TEXT_MENTION)):
        if entity.type == MessageEntity.MENTION and username and text.lower() == f"@{username.lower()}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id:
            return True
    return False


def without_mention(text: str, username: str | None) -> str:
    """The text with ``@username`` removed (case-insensitive), for a message that mentions the bot."""
    if not username:
        return text
    needle = f"@{username}".lower()
    lowered = text.lower()
    out, start = [], 0
    while (at := lowered.find(needle, start)) != -1:
        out.append(text[start:at])
        start = at + len(needle)
    out.append(text[start:])
    return "".join(out).strip()

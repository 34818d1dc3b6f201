"""Telegram message -> article input: pure, and the only module that knows the shapes of Telegram messages.

Nothing here talks to the network: documents are described by :class:`DocumentRef`, checked with
:func:`document_problem`, and their downloaded bytes turned into text with :func:`decode_document`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

from telegram import (
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
)

#: Largest document the bot downloads (the Bot API's own download limit is 20 MB).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
#: File name extensions accepted as articles.
DOCUMENT_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm")
#: Encodings tried in order when a document has no byte-order mark and is not mostly UTF-8; latin-1
#: decodes anything.
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252", "latin-1")
#: A UTF-16 surrogate on its own (a Python string holds a valid pair as one code point).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
    origin: dict[str, Any]
    chat_id: int
    message_id: int
    document: DocumentRef | None = None
    title: str | None = None
    links: tuple[str, ...] = field(default=())

    def with_text(self, text: str, *, title: str | None = None) -> ArticleInput:
        """The same input with the document's decoded text (and title, when the document has one)."""
        return replace(self, text=text, title=title or self.title)


class DocumentProblem(ValueError):
    """A document the bot cannot take; the message says so to a person."""


# --- messages -------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """``text`` with lone UTF-16 surrogates replaced by U+FFFD: no UTF-8 encoder (hashing, SQLite,
    Telegram) takes them, and a message or a broken UTF-16 file can carry them."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def article_from_message(message: Message) -> ArticleInput:
    """Text or caption, origin (forward origin, channel, post link, signature, date) and links of a message."""
    text = clean_text(message.text or message.caption or "")
    links = message_links(message)
    origin = message_origin(message)
    origin["links"] = list(links)
    document = None
    if message.document is not None:
        doc = message.document
        document = DocumentRef(doc.file_id, doc.file_name, doc.mime_type, doc.file_size)
        origin["file_name"] = doc.file_name
    return ArticleInput(
        text=text,
        origin=origin,
        chat_id=message.chat.id,
        message_id=message.message_id,
        document=document,
        links=links,
    )


def message_origin(message: Message) -> dict[str, Any]:
    """A JSON-able description of where a message's content comes from."""
    origin: dict[str, Any] = {"kind": "direct"}
    forward = message.forward_origin
    if isinstance(forward, MessageOriginChannel):
        origin.update(
            kind="channel",
            chat_id=forward.chat.id,
            chat_title=forward.chat.title,
            chat_username=forward.chat.username,
            message_id=forward.message_id,
            post_url=post_url(forward.chat.username, forward.message_id),
            author_signature=forward.author_signature,
        )
    elif isinstance(forward, MessageOriginChat):
        origin.update(
            kind="chat",
            chat_id=forward.sender_chat.id,
            chat_title=forward.sender_chat.title,
            chat_username=forward.sender_chat.username,
            author_signature=forward.author_signature,
        )
    elif isinstance(forward, MessageOriginUser):
        origin.update(kind="user", sender_name=forward.sender_user.full_name)
    elif isinstance(forward, MessageOriginHiddenUser):
        origin.update(kind="hidden_user", sender_name=forward.sender_user_name)
    elif message.chat.type == "channel":
        origin.update(
            kind="channel_post",
            chat_id=message.chat.id,
            chat_title=message.chat.title,
            chat_username=message.chat.username,
            message_id=message.message_id,
            post_url=post_url(message.chat.username, message.message_id),
            author_signature=message.author_signature,
        )
    if forward is not None:
        origin["date"] = forward.date.isoformat()
    elif message.date is not None:
        origin["date"] = message.date.isoformat()
    if message.is_automatic_forward:
        origin["automatic_forward"] = True
    return {key: value for key, value in origin.items() if value is not None}


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


# --- documents ------------------------------------------------------------------------------------


def document_problem(document: DocumentRef) -> str | None:
    """Why a document cannot be taken (unsupported type or too large), or None when it can."""
    suffix = PurePath(document.file_name or "").suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS:
        shown = suffix or "files without an extension"
        return f"I can't read {shown} files. Send the article as text, or as a .txt, .md or .html file (up to 2 MB)."
    if document.file_size is not None and document.file_size > MAX_DOCUMENT_BYTES:
        megabytes = document.file_size / (1024 * 1024)
        return f"This file is {megabytes:.1f} MB; I take files up to 2 MB."
    return None


def decode_bytes(data: bytes) -> str:
    """Text from bytes in any common encoding: a BOM decides (UTF-8, UTF-16; broken sequences become
    U+FFFD); else UTF-8 when its valid multi-byte characters outnumber its invalid bytes (one bad byte
    is one U+FFFD, not a whole file of mojibake); else cp1252, latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return clean_text(data.decode("utf-8-sig", "replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean_text(data.decode("utf-16", "replace"))
    utf8 = data.decode("utf-8", "replace")
    invalid = utf8.count("\ufffd") - data.count("\ufffd".encode())
    if invalid == 0 or sum(char > "\x7f" for char in utf8) - utf8.count("\ufffd") > invalid:
        return clean_text(utf8)
    for encoding in LEGACY_ENCODINGS:
        try:
            return clean_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def decode_document(data: bytes, file_name: str | None) -> tuple[str, str | None]:
    """The article text of a downloaded document and its title when it has one (HTML ``<title>``)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentProblem(f"This file is {len(data) / (1024 * 1024):.1f} MB; I take files up to 2 MB.")
    text = decode_bytes(data)
    if PurePath(file_name or "").suffix.lower() in (".html", ".htm"):
        return html_to_text(text)
    return text, None


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page: script, style and similar dropped, block elements end lines."""

    SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg"})
    BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "blockquote",
            "section",
            "article",
            "header",
            "footer",
            "pre",
            "hr",
            "figcaption",
            "dd",
            "dt",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Visible text of an HTML document (one paragraph a line) and its ``<title>``, standard library only."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title_parts).split()) or None
    return text, title

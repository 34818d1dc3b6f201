"""An in-process fake of the Telegram Bot API for tests (aiohttp, bound to 127.0.0.1).

The real python-telegram-bot networking stack talks to it over HTTP; nothing is mocked inside the
library. It answers like Telegram (same JSON shapes, same error descriptions for the cases it knows),
keeps every chat's messages so tests can read what a user would see, and can inject faults.

Usage (the ``fake_bot_api`` fixture in conftest.py starts and stops one per test)::

    async def test_start_replies(fake_bot_api: FakeBotAPI) -> None:
        app = (ApplicationBuilder().token(fake_bot_api.token)
               .base_url(fake_bot_api.base_url).base_file_url(fake_bot_api.base_file_url).build())
        ...
        alice = make_user(1001, "Alice")
        fake_bot_api.text_update(private_chat(alice), alice, "/start")
        request = await fake_bot_api.next_request("sendMessage", chat_id=alice["id"], timeout=5)
        assert "Claimdesk" in fake_bot_api.last_bot_message(alice["id"])["text"]

Updates: ``text_update``, ``forward_update``, ``automatic_forward_update``, ``photo_update``,
``video_update``, ``document_update``, ``callback_update``, ``channel_post_update``,
``edited_message_update``, ``my_chat_member_update`` build schema-valid updates, store the messages
in their chat and queue them for getUpdates (real long polling; ``offset`` confirms) or the webhook.
``new_message`` stores a message without queueing it; ``entity_for`` builds an entity by substring.
Faults: ``server.inject("sendMessage", flood(retry_after=1), times=2)``; also ``server_error(500|502)``,
``dropped_connection()``, ``delay(seconds)``, ``api_error(status, description)``. Chats:
``block_chat``, ``remove_chat``, ``migrate_chat``, ``kick_bot``, ``set_chat_member``.
Several bot processes: each can call through its own ``client_base_url(name)`` (recorded as the request's
``client``); ``hold_client(name)`` holds that client's calls unanswered and ``drop_client(name)`` answers
them, and every later one, 502 without doing anything (a process cut off, then killed, leaves no trace).
Inspection: ``requests`` (every call; ``on_request`` hooks see each one as it arrives), ``requests_for``, ``await next_request(...)``,
``await wait_for(...)``, ``chat_messages``, ``bot_messages``, ``last_bot_message``, ``message``,
``file_content``, ``callback_answers``, ``pending_updates``, ``webhook_deliveries``.

Deliberate strictness: sending to a chat the server has never seen is "chat not found" (as on Telegram);
a bare ``<`` or ``&`` in HTML text is rejected (Telegram asks for them to be escaped). Markdown parse
modes are accepted without validation.

Standalone: ``python tests/fakebotapi.py --port 8081`` serves an empty fake (updates can be queued with
``POST /fake/updates`` and a JSON update body without update_id; ``GET /fake/requests`` lists the calls).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import functools
import json
import logging
import re
import signal
import ssl
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from telegram.request import HTTPXRequest

JSON = dict[str, Any]
logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOKEN = "123456789:AAFakeTokenForClaimdeskTests0123456789"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
DOWNLOAD_CHUNK = 64 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# Form and multipart values are JSON-encoded by python-telegram-bot except plain strings; these
# parameters are always strings and must not be JSON-decoded ("123" stays text).
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "inline_message_id",
        "action",
        "url",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "document",
        "photo",
        "title",
    }
)


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Text that Telegram refuses with "Bad Request: can't parse entities: ..."."""


_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset in the plain text
    byte_offset: int


def parse_telegram_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text and entities (UTF-16 offsets), as Telegram does.

    Raises HtmlParseError with Telegram's description (without the "Bad Request: " prefix).
    """
    pieces: list[str] = []
    offset = 0
    entities: list[JSON] = []
    stack: list[_OpenTag] = []
    i = 0

    def byte_offset(index: int) -> int:
        return len(source[:index].encode("utf-8"))

    def emit(text: str) -> None:
        nonlocal offset
        pieces.append(text)
        offset += utf16_length(text)

    while i < len(source):
        char = source[i]
        if char == "&":
            decoded, i = _decode_entity(source, i, byte_offset(i))
            emit(decoded)
        elif char == "<":
            if source.startswith("</", i):
                i = _close_tag(source, i, stack, entities, offset, byte_offset(i))
            else:
                tag, i = _open_tag(source, i, byte_offset(i))
                tag.start = offset
                stack.append(tag)
        else:
            end = i
            while end < len(source) and source[end] not in "<&":
                end += 1
            emit(source[i:end])
            i = end
    if stack:
        raise HtmlParseError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1].name}\""
        )
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(pieces), entities


def _decode_entity(source: str, i: int, at_byte: int) -> tuple[str, int]:
    match = _ENTITY_RE.match(source, i)
    if match is None:
        raise HtmlParseError(
            f"can't parse entities: Character '&' at byte offset {at_byte} is not part of an entity; use &amp;"
        )
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise HtmlParseError(f'can\'t parse entities: Unsupported HTML entity "&{name};" at byte offset {at_byte}')
        return _NAMED_ENTITIES[name], match.end()
    code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        raise HtmlParseError(f"can't parse entities: Invalid character entity at byte offset {at_byte}")
    return chr(code_point), match.end()


def _open_tag(source: str, i: int, at_byte: int) -> tuple[_OpenTag, int]:
    name_match = _TAG_NAME_RE.match(source, i + 1)
    name = name_match.group(0).lower() if name_match else ""
    if name not in _SIMPLE_TAGS:
        raise HtmlParseError(f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {at_byte}')
    assert name_match is not None
    j = name_match.end()
    attributes: dict[str, str] = {}
    while True:
        while j < len(source) and source[j].isspace():
            j += 1
        if j >= len(source):
            raise HtmlParseError(f"can't parse entities: Unclosed start tag at byte offset {at_byte}")
        if source[j] == ">":
            j += 1
            break
        attr_match = _ATTR_NAME_RE.match(source, j)
        if attr_match is None:
            raise HtmlParseError(
                f"can't parse entities: Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {at_byte}'
            )
        attr_name = attr_match.group(0).lower()
        j = attr_match.end()
        value = ""
        if j < len(source) and source[j] == "=":
            j += 1
            if j < len(source) and source[j] in "\"'":
                quote = source[j]
                close = source.find(quote, j + 1)
                if close < 0:
                    raise HtmlParseError(f"can't parse entities: Unclosed start tag at byte offset {at_byte}")
                value = _decode_attribute(source[j + 1 : close], at_byte)
                j = close + 1
            else:
                end = j
                while end < len(source) and not source[end].isspace() and source[end] != ">":
                    end += 1
                value = _decode_attribute(source[j:end], at_byte)
                j = end
        attributes[attr_name] = value
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError(f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset {at_byte}')
    if name == "tg-emoji" and "emoji-id" not in attributes:
        raise HtmlParseError(f"can't parse entities: Custom emoji entity must have emoji-id at byte offset {at_byte}")
    return _OpenTag(name=name, attributes=attributes, start=0, byte_offset=at_byte), j


def _decode_attribute(raw: str, at_byte: int) -> str:
    out: list[str] = []
    k = 0
    while k < len(raw):
        if raw[k] == "&":
            decoded, k = _decode_entity(raw, k, at_byte)
            out.append(decoded)
        else:
            out.append(raw[k])
            k += 1
    return "".join(out)


def _close_tag(source: str, i: int, stack: list[_OpenTag], entities: list[JSON], offset: int, at_byte: int) -> int:
    name_match = _TAG_NAME_RE.match(source, i + 2)
    name = name_match.group(0).lower() if name_match else ""
    j = name_match.end() if name_match else i + 2
    while j < len(source) and source[j].isspace():
        j += 1
    if j >= len(source) or source[j] != ">":
        raise HtmlParseError(f"can't parse entities: Unclosed end tag at byte offset {at_byte}")
    if not stack:
        raise HtmlParseError(f"can't parse entities: Unexpected end tag at byte offset {at_byte}")
    tag = stack[-1]
    if tag.name != name:
        raise HtmlParseError(
            f'can\'t parse entities: Unmatched end tag at byte offset {at_byte}, expected "</{tag.name}>", '
            f'found "</{name}>"'
        )
    stack.pop()
    length = offset - tag.start
    entity = _entity_for(tag, stack, length)
    if entity is not None and length > 0:
        entities.append(entity)
    return j + 1


def _entity_for(tag: _OpenTag, outer: list[_OpenTag], length: int) -> JSON | None:
    entity: JSON = {"type": _SIMPLE_TAGS[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attributes.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif tag.name == "code" and outer and outer[-1].name == "pre":
        language = tag.attributes.get("class", "")
        if language.startswith("language-"):
            outer[-1].attributes["language"] = language.removeprefix("language-")
        return None
    elif tag.name == "pre" and tag.attributes.get("language"):
        entity["language"] = tag.attributes["language"]
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attributes["emoji-id"]
    return entity


# --------------------------------------------------------------------------------------------------
# Users, chats, origins, entities (plain dicts shaped like the Bot API objects)
# --------------------------------------------------------------------------------------------------


def now() -> int:
    """Telegram dates are Unix times in whole seconds."""
    return int(time.time())


def make_user(
    user_id: int,
    first_name: str = "Alice",
    *,
    username: str | None = None,
    last_name: str | None = None,
    is_bot: bool = False,
    language_code: str | None = "en",
) -> JSON:
    user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        user["last_name"] = last_name
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def private_chat(user: JSON) -> JSON:
    chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def group_chat(chat_id: int, title: str = "Newsroom", *, supergroup: bool = True, username: str | None = None) -> JSON:
    chat: JSON = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
    if username is not None:
        chat["username"] = username
    return chat


def channel_chat(chat_id: int, title: str = "News Channel", *, username: str | None = None) -> JSON:
    chat: JSON = {"id": chat_id, "type": "channel", "title": title}
    if username is not None:
        chat["username"] = username
    return chat


def origin_user(user: JSON, date: int | None = None) -> JSON:
    return {"type": "user", "date": date or now(), "sender_user": user}


def origin_hidden_user(sender_user_name: str, date: int | None = None) -> JSON:
    return {"type": "hidden_user", "date": date or now(), "sender_user_name": sender_user_name}


def origin_chat(sender_chat: JSON, date: int | None = None, *, author_signature: str | None = None) -> JSON:
    origin: JSON = {"type": "chat", "date": date or now(), "sender_chat": sender_chat}
    if author_signature is not None:
        origin["author_signature"] = author_signature
    return origin


def origin_channel(
    channel: JSON, message_id: int, date: int | None = None, *, author_signature: str | None = None
) -> JSON:
    origin: JSON = {"type": "channel", "date": date or now(), "chat": channel, "message_id": message_id}
    if author_signature is not None:
        origin["author_signature"] = author_signature
    return origin


_COMMAND_RE = re.compile(r"^/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{5,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{5,32}")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")


def entity_for(text: str, part: str, kind: str, **extra: Any) -> JSON:
    """An entity of type ``kind`` over the first occurrence of ``part`` in ``text`` (UTF-16 offsets),
    e.g. ``entity_for(text, "the report", "text_link", url="https://example.org/r")``."""
    start = text.index(part)
    return {"type": kind, "offset": utf16_length(text[:start]), "length": utf16_length(part), **extra}


def detect_entities(text: str) -> list[JSON]:
    """The entities Telegram adds to a user's plain text: a leading bot_command, @mentions, URLs."""
    entities: list[JSON] = []

    def add(kind: str, start: int, end: int) -> None:
        entities.append({"type": kind, "offset": utf16_length(text[:start]), "length": utf16_length(text[start:end])})

    if command := _COMMAND_RE.match(text):
        add("bot_command", 0, command.end())
    for match in _MENTION_RE.finditer(text):
        if not (command and match.start() < command.end()):
            add("mention", match.start(), match.end())
    for match in _URL_RE.finditer(text):
        add("url", match.start(), match.end())
    entities.sort(key=lambda entity: entity["offset"])
    return entities


# --------------------------------------------------------------------------------------------------
# Faults, recorded requests, files
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What the server does instead of (or before) answering one request."""

    kind: Literal["error", "drop", "delay"]
    status: int = 0
    description: str = ""
    parameters: JSON | None = None
    seconds: float = 0.0


def flood(retry_after: int = 1) -> Fault:
    """429 with parameters.retry_after; python-telegram-bot raises telegram.error.RetryAfter."""
    return Fault("error", 429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def server_error(status: int = 500) -> Fault:
    """500 Internal Server Error or 502 Bad Gateway; python-telegram-bot raises NetworkError."""
    description = {500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Server Error")
    return Fault("error", status, description)


def api_error(status: int, description: str, parameters: JSON | None = None) -> Fault:
    """Any Bot API error answer, for cases the server does not model itself."""
    return Fault("error", status, description, parameters)


def dropped_connection() -> Fault:
    """Close the connection without an answer; python-telegram-bot raises NetworkError."""
    return Fault("drop")


def delay(seconds: float) -> Fault:
    """Wait, then answer normally (a client read timeout shorter than this raises TimedOut)."""
    return Fault("delay", seconds=seconds)


@dataclass
class RecordedRequest:
    """One call as the server received it; ``params`` are decoded (ints, dicts, lists)."""

    method: str
    params: JSON
    time: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    fault: Fault | None = None
    response: JSON | None = None  # the JSON body answered (None for a dropped connection)
    client: str = ""  # the name in client_base_url(name), "" for base_url
    held: bool = False  # waiting in hold_client

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class ChatState:
    chat: JSON
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    error: tuple[int, str, JSON | None] | None = None  # what every send to this chat answers


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A fake Telegram Bot API server; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "claimdesk_test_bot",
        bot_first_name: str = "Claimdesk",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_user = make_user(
            int(token.split(":", 1)[0]),
            bot_first_name,
            username=bot_username,
            is_bot=True,
            language_code=None,
        )
        self.requests: list[RecordedRequest] = []
        #: Called with every request the moment it arrives, before it is answered (a test kills the bot there).
        self.on_request: list[Callable[[RecordedRequest], None]] = []
        self.callback_answers: dict[str, JSON] = {}
        self.webhook_url = ""
        self.webhook_deliveries: list[tuple[int, bool]] = []  # (update_id, answered 2xx)
        self._port = port
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._chats: dict[int, ChatState] = {}
        self._updates: list[JSON] = []
        self._next_update_id = 100_000
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callbacks: dict[str, JSON] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._linked_chats: dict[int, int] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._consumed: set[int] = set()  # ids of RecordedRequest objects returned by next_request
        self._waiters: list[asyncio.Future[None]] = []
        self._closing = False
        self._poll_generation = 0
        self._webhook_secret = ""
        self._webhook_session: aiohttp.ClientSession | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()
        self._held_clients: set[str] = set()
        self._dropped_clients: set[str] = set()

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("*", "/client/{client}/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        app.router.add_post("/fake/updates", self._handle_fake_update)
        app.router.add_get("/fake/requests", self._handle_fake_requests)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        for task in list(self._webhook_tasks):
            task.cancel()
        await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        if self._webhook_session is not None:
            await self._webhook_session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)`` (the token is appended)."""
        return f"{self.url}/bot"

    def client_base_url(self, name: str) -> str:
        """Like :attr:`base_url`, for one bot process among several: its calls are recorded with ``client``."""
        return f"{self.url}/client/{name}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_kwargs(self) -> dict[str, str]:
        """``telegram.Bot(**server.bot_kwargs)``."""
        return {"token": self.token, "base_url": self.base_url, "base_file_url": self.base_file_url}

    # ---- waiting ------------------------------------------------------------------------------

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy (re-checked whenever the server's state changes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass

    async def next_request(self, method: str, timeout: float = 5.0, **params: Any) -> RecordedRequest:
        """The earliest answered request to ``method`` whose params include ``params`` and that no
        earlier ``next_request`` call returned; waits for it. ``chat_id`` matches ints and their strings.
        A request whose connection was dropped is never answered: find it in ``requests_for``."""

        def find() -> RecordedRequest | None:
            for request in self.requests_for(method, **params):
                if id(request) not in self._consumed and request.response is not None:
                    return request
            return None

        request = await self.wait_for(find, timeout)
        self._consumed.add(id(request))
        return request

    def requests_for(self, method: str, **params: Any) -> list[RecordedRequest]:
        """Recorded requests to ``method`` (case-insensitive) whose params include ``params``."""
        return [
            request
            for request in self.requests
            if request.method.lower() == method.lower()
            and all(_same_param(request.params.get(key), value) for key, value in params.items())
        ]

    # ---- faults and chat conditions -----------------------------------------------------------------

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` get ``fault`` (queued after faults already injected)."""
        self._faults[method.lower()].extend([fault] * times)

    def hold_client(self, name: str) -> None:
        """Leave the calls of client ``name`` unanswered (from now on) until :meth:`drop_client`."""
        self._held_clients.add(name)

    def drop_client(self, name: str) -> None:
        """Answer the held and all later calls of client ``name`` with 502, doing nothing they ask."""
        self._dropped_clients.add(name)
        self._held_clients.discard(name)
        self._notify()

    def held_requests(self, name: str) -> list[RecordedRequest]:
        """Calls of client ``name`` waiting in :meth:`hold_client`."""
        return [r for r in self.requests if r.client == name and r.held]

    def pending_faults(self, method: str) -> int:
        return len(self._faults[method.lower()])

    def clear_faults(self, method: str) -> None:
        """Forget the faults still waiting for ``method``."""
        self._faults[method.lower()].clear()

    def add_chat(self, chat: JSON) -> ChatState:
        """Make a chat known to the server (updates do this for their chats)."""
        state = self._chats.get(chat["id"])
        if state is None:
            state = self._chats[chat["id"]] = ChatState(chat=copy.deepcopy(chat))
        return state

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends answer 403 "Forbidden: bot was blocked by the user"."""
        self._chat_state(chat_id).error = (403, "Forbidden: bot was blocked by the user", None)

    def kick_bot(self, chat_id: int) -> None:
        """The bot was removed from a group: sends answer 403."""
        self._chat_state(chat_id).error = (403, "Forbidden: bot was kicked from the supergroup chat", None)

    def remove_chat(self, chat_id: int) -> None:
        """The chat is gone: sends answer 400 "Bad Request: chat not found"."""
        self._chat_state(chat_id).error = (400, "Bad Request: chat not found", None)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> JSON:
        """A group became a supergroup: sends to the old id answer 400 with migrate_to_chat_id.
        Returns the new supergroup chat (known to the server)."""
        old = self._chat_state(chat_id)
        old.error = (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )
        new_chat = {**old.chat, "id": new_chat_id, "type": "supergroup"}
        self.add_chat(new_chat)
        return copy.deepcopy(new_chat)

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """getChatMember answers ``status`` (creator, administrator, member, restricted, left, kicked).
        Default: "administrator" for the bot itself, otherwise "member"."""
        self._members[(chat_id, user_id)] = status

    def link_discussion_group(self, channel_id: int, group_id: int) -> None:
        """getChat(channel) reports ``linked_chat_id`` = group_id, and the other way round."""
        self._linked_chats[channel_id] = group_id
        self._linked_chats[group_id] = channel_id

    # ---- inspection ------------------------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """What a member sees in the chat now: every message not deleted, oldest first, after edits."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        return [copy.deepcopy(state.messages[key]) for key in sorted(state.messages)]

    def bot_messages(self, chat_id: int) -> list[JSON]:
        return [m for m in self.chat_messages(chat_id) if m.get("from", {}).get("id") == self.bot_user["id"]]

    def replies_to(self, chat_id: int, message_id: int) -> list[JSON]:
        """The bot's messages in the chat that answer ``message_id``, oldest first, after edits.

        Why not a filter over :meth:`bot_messages`: that copies every message of the chat, and a waiter
        re-checks on every request, so a benchmark asking 400 times in one chat spent most of its own CPU
        copying old answers and measured the harness, not the bot."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        bot_id = self.bot_user["id"]
        return [
            copy.deepcopy(message)
            for key in sorted(state.messages)
            if (message := state.messages[key]).get("from", {}).get("id") == bot_id
            and message.get("reply_to_message", {}).get("message_id") == message_id
        ]

    def last_bot_message(self, chat_id: int) -> JSON:
        messages = self.bot_messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> JSON:
        return copy.deepcopy(self._chats[chat_id].messages[message_id])

    def file_content(self, file_id_or_message: str | JSON) -> bytes:
        """The bytes behind a file_id, or behind a message's document."""
        if isinstance(file_id_or_message, dict):
            file_id_or_message = file_id_or_message["document"]["file_id"]
        return self._files[file_id_or_message].content

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates not yet confirmed with an offset."""
        return copy.deepcopy(self._updates)

    # ---- update builders -------------------------------------------------------------------------

    def queue_update(self, payload: JSON) -> JSON:
        """Queue ``payload`` (an update without update_id, e.g. {"message": {...}}); returns the update."""
        update = {"update_id": self._next_update_id, **copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._notify()
        if self.webhook_url:
            self._deliver_to_webhook(update)
        return copy.deepcopy(update)

    def _deliver_to_webhook(self, update: JSON) -> None:
        """POST ``update`` to the webhook like Telegram does; it leaves the queue once answered 2xx."""

        async def deliver() -> None:
            if self._webhook_session is None:
                self._webhook_session = aiohttp.ClientSession()
            headers = {"X-Telegram-Bot-Api-Secret-Token": self._webhook_secret} if self._webhook_secret else {}
            try:
                async with self._webhook_session.post(self.webhook_url, json=update, headers=headers) as response:
                    delivered = 200 <= response.status < 300
            except aiohttp.ClientError:
                delivered = False
            self.webhook_deliveries.append((update["update_id"], delivered))
            if delivered:
                self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
            self._notify()

        task = asyncio.get_running_loop().create_task(deliver())
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)

    def new_message(
        self,
        chat: JSON,
        from_user: JSON | None,
        *,
        text: str | None = None,
        entities: list[JSON] | None = None,
        reply_to: JSON | int | None = None,
        forward_origin: JSON | None = None,
        date: int | None = None,
        **fields: Any,
    ) -> JSON:
        """Store a message in ``chat`` with the next message id and return it (nothing is queued).
        ``entities=None`` detects bot_command, mention and url entities in ``text``; ``reply_to`` is a
        message of the same chat (dict or id); ``fields`` are added as they are (caption, photo, ...)."""
        state = self.add_chat(chat)
        message: JSON = {
            "message_id": state.next_message_id,
            "date": date or now(),
            "chat": copy.deepcopy(state.chat),
        }
        state.next_message_id += 1
        if from_user is not None:
            message["from"] = copy.deepcopy(from_user)
        if forward_origin is not None:
            message["forward_origin"] = copy.deepcopy(forward_origin)
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            message["reply_to_message"] = _without_reply(state.messages[reply_id])
        if text is not None:
            message["text"] = text
            found = detect_entities(text) if entities is None else entities
            if found:
                message["entities"] = copy.deepcopy(found)
        message.update(copy.deepcopy(fields))
        state.messages[message["message_id"]] = message
        return copy.deepcopy(message)

    def text_update(self, chat: JSON, from_user: JSON, text: str, **message_fields: Any) -> JSON:
        """A user's text message (private or group); ``message_fields`` go to ``new_message``
        (reply_to=..., entities=..., forward_origin=...). "/check" as a reply:
        ``text_update(group, alice, "/check", reply_to=article_message)``."""
        return self.queue_update({"message": self.new_message(chat, from_user, text=text, **message_fields)})

    def forward_update(self, chat: JSON, from_user: JSON, text: str, origin: JSON, **message_fields: Any) -> JSON:
        """A forwarded text message; ``origin`` from origin_user / origin_hidden_user / origin_chat /
        origin_channel."""
        return self.text_update(chat, from_user, text, forward_origin=origin, **message_fields)

    def automatic_forward_update(
        self,
        group: JSON,
        channel: JSON,
        text: str,
        *,
        channel_message_id: int,
        author_signature: str | None = None,
    ) -> JSON:
        """A channel post copied into its linked discussion group (is_automatic_forward)."""
        origin = origin_channel(channel, channel_message_id, author_signature=author_signature)
        message = self.new_message(
            group,
            make_user(777000, "Telegram", language_code=None),
            text=text,
            forward_origin=origin,
            sender_chat=channel,
            is_automatic_forward=True,
        )
        return self.queue_update({"message": message})

    def photo_update(self, chat: JSON, from_user: JSON, caption: str | None = None, **message_fields: Any) -> JSON:
        """A photo message (with a caption if given; caption_entities detected like text entities)."""
        photo = [
            {
                "file_id": f"photo-{uuid.uuid4().hex}",
                "file_unique_id": uuid.uuid4().hex[:16],
                "width": width,
                "height": width,
                "file_size": width * 100,
            }
            for width in (90, 320, 800)
        ]
        return self._media_update(chat, from_user, caption, {"photo": photo}, message_fields)

    def video_update(self, chat: JSON, from_user: JSON, caption: str | None = None, **message_fields: Any) -> JSON:
        """A video message (with a caption if given; caption_entities detected like text entities)."""
        video = {
            "file_id": f"video-{uuid.uuid4().hex}",
            "file_unique_id": uuid.uuid4().hex[:16],
            "width": 1280,
            "height": 720,
            "duration": 42,
            "mime_type": "video/mp4",
        }
        return self._media_update(chat, from_user, caption, {"video": video}, message_fields)

    def _media_update(
        self, chat: JSON, from_user: JSON, caption: str | None, media: JSON, message_fields: JSON
    ) -> JSON:
        if caption is not None:
            message_fields["caption"] = caption
            message_fields.setdefault("caption_entities", detect_entities(caption))
            if not message_fields["caption_entities"]:
                del message_fields["caption_entities"]
        return self.queue_update({"message": self.new_message(chat, from_user, **media, **message_fields)})

    def document_update(
        self,
        chat: JSON,
        from_user: JSON,
        content: bytes,
        file_name: str,
        *,
        mime_type: str = "text/plain",
        caption: str | None = None,
        file_size: int | None = None,
        **message_fields: Any,
    ) -> JSON:
        """A document message whose bytes getFile and the file download serve; ``file_size``: the size the
        message claims, when it lies (default: the real size)."""
        stored = self._store_file(content, f"documents/{file_name}")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content) if file_size is None else file_size,
        }
        if caption is not None:
            message_fields["caption"] = caption
        return self.queue_update({"message": self.new_message(chat, from_user, document=document, **message_fields)})

    def callback_update(self, chat_id: int, from_user: JSON, message_id: int, data: str) -> JSON:
        """A press on an inline button of the bot's message ``message_id`` (its current state)."""
        message = self._chats[chat_id].messages[message_id]
        query_id = str(uuid.uuid4().int % 10**18)
        self._callbacks[query_id] = {"chat_id": chat_id, "message_id": message_id}
        query = {
            "id": query_id,
            "from": copy.deepcopy(from_user),
            "message": _without_reply(message),
            "chat_instance": str(abs(hash(chat_id)) % 10**12),
            "data": data,
        }
        return self.queue_update({"callback_query": query})

    def channel_post_update(
        self, channel: JSON, text: str, *, author_signature: str | None = None, **message_fields: Any
    ) -> JSON:
        """A post in a channel where the bot is an admin."""
        if author_signature is not None:
            message_fields["author_signature"] = author_signature
        message = self.new_message(channel, None, text=text, sender_chat=channel, **message_fields)
        return self.queue_update({"channel_post": message})

    def edited_message_update(self, chat_id: int, message_id: int, text: str) -> JSON:
        """The user edits their message to ``text``."""
        message = self._chats[chat_id].messages[message_id]
        message["text"] = text
        message["edit_date"] = max(now(), message["date"])
        message.pop("entities", None)
        if found := detect_entities(text):
            message["entities"] = found
        key = "edited_channel_post" if message["chat"]["type"] == "channel" else "edited_message"
        return self.queue_update({key: copy.deepcopy(message)})

    def my_chat_member_update(
        self, chat: JSON, from_user: JSON, *, old_status: str = "left", new_status: str = "member"
    ) -> JSON:
        """The bot's membership in ``chat`` changed (added to a group, made admin, blocked, ...)."""
        self.add_chat(chat)
        self.set_chat_member(chat["id"], self.bot_user["id"], new_status)
        update = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(from_user),
            "date": now(),
            "old_chat_member": self._member(chat["id"], self.bot_user, old_status),
            "new_chat_member": self._member(chat["id"], self.bot_user, new_status),
        }
        return self.queue_update({"my_chat_member": update})

    # ---- HTTP ------------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        params, files = await _read_params(request)
        name = request.match_info["method"]
        handler = self._api_methods.get(name.lower())
        client = request.match_info.get("client", "")
        recorded = RecordedRequest(
            method=handler.__name__.removeprefix("_api_") if handler else name,
            params=params,
            time=time.monotonic(),
            files=files,
            client=client,
        )
        self.requests.append(recorded)
        for hook in self.on_request:
            hook(recorded)
        self._notify()
        try:
            if client in self._held_clients:
                recorded.held = True
                self._notify()
                with contextlib.suppress(TimeoutError):
                    await self.wait_for(lambda: client not in self._held_clients or self._closing, 3600)
                recorded.held = False
            if client in self._dropped_clients or self._closing:
                raise ApiError(502, "Bad Gateway")
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found")
            fault = self._faults[name.lower()].popleft() if self._faults[name.lower()] else None
            recorded.fault = fault
            if fault is not None and fault.kind == "drop":
                assert request.transport is not None
                request.transport.abort()
                return web.Response()  # never written: the connection is gone
            if fault is not None and fault.kind == "delay":
                with contextlib.suppress(TimeoutError):
                    await self.wait_for(lambda: self._closing, fault.seconds)
            if fault is not None and fault.kind == "error":
                raise ApiError(fault.status, fault.description, fault.parameters)
            body: JSON = {"ok": True, "result": await handler(params, files)}
            status = 200
        except ApiError as error:
            status = error.status
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # a parameter of the wrong shape
            logger.warning("fake Bot API: %s(%s) failed: %r", recorded.method, params, error)
            status = 400
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: wrong parameter: {error}"}
        recorded.response = body
        self._notify()
        return web.json_response(body, status=status)

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = len(stored.content)
        await response.prepare(request)
        view = memoryview(stored.content)
        with contextlib.suppress(ConnectionError):  # the bot may stop reading (a file over its cap)
            for start in range(0, len(view), DOWNLOAD_CHUNK):  # in chunks: nothing buffered whole
                await response.write(view[start : start + DOWNLOAD_CHUNK])
            await response.write_eof()
        return response

    async def _handle_fake_update(self, request: web.Request) -> web.StreamResponse:
        """Standalone mode: queue a JSON update; its chat and message become known to the server."""
        payload = await request.json()
        for value in payload.values():
            message = value.get("message", value) if isinstance(value, dict) else None
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                state = self.add_chat(message["chat"])
                if isinstance(message.get("message_id"), int):
                    state.messages[message["message_id"]] = copy.deepcopy(message)
                    state.next_message_id = max(state.next_message_id, message["message_id"] + 1)
        return web.json_response(self.queue_update(payload))

    async def _handle_fake_requests(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            [{"method": r.method, "params": r.params, "time": r.time, "response": r.response} for r in self.requests]
        )

    @functools.cached_property
    def _api_methods(self) -> dict[str, Callable[[JSON, dict[str, UploadedFile]], Awaitable[Any]]]:
        """Bot API method name (lower case; Telegram ignores case) -> the coroutine implementing it."""
        return {
            name.removeprefix("_api_").lower(): getattr(self, name)
            for name in dir(type(self))
            if name.startswith("_api_") and name != "_api_methods"
        }

    # ---- Bot API methods -------------------------------------------------------------------------

    async def _api_getMe(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # a poll still waiting is terminated by this one, as on Telegram
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        allowed = params.get("allowed_updates") or None
        if allowed:
            self._updates = [u for u in self._updates if _update_kind(u) in allowed]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        with contextlib.suppress(TimeoutError):
            await self.wait_for(
                lambda: bool(self._updates) or self._closing or generation != self._poll_generation, timeout
            )
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        return copy.deepcopy(self._updates[:limit])

    async def _api_sendMessage(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        state = self._sendable_chat(params.get("chat_id"))
        text, entities = _formatted(params.get("text"), params, "entities", MAX_TEXT_LENGTH, caption=False)
        markup = _checked_markup(params.get("reply_markup"))
        fields: JSON = {}
        if markup is not None:
            fields["reply_markup"] = markup
        if params.get("link_preview_options") is not None:
            fields["link_preview_options"] = params["link_preview_options"]
        return self.new_message(
            state.chat,
            self.bot_user,
            text=text,
            entities=entities,
            reply_to=self._reply_target(state, params),
            **fields,
        )

    async def _api_sendDocument(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        state = self._sendable_chat(params.get("chat_id"))
        document_param = params.get("document")
        upload = files.get("document")
        if isinstance(document_param, str) and document_param.startswith("attach://"):
            upload = files.get(document_param.removeprefix("attach://"))
        if upload is not None:
            stored = self._store_file(upload.content, f"documents/{upload.filename}")
            document = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": upload.filename,
                "mime_type": upload.mime_type,
                "file_size": len(upload.content),
            }
        elif isinstance(document_param, str) and document_param in self._files:
            stored = self._files[document_param]
            document = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            }
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        fields: JSON = {"document": document}
        if params.get("caption") is not None:
            caption, caption_entities = _formatted(
                params["caption"], params, "caption_entities", MAX_CAPTION_LENGTH, caption=True
            )
            fields["caption"] = caption
            if caption_entities:
                fields["caption_entities"] = caption_entities
        markup = _checked_markup(params.get("reply_markup"))
        if markup is not None:
            fields["reply_markup"] = markup
        return self.new_message(state.chat, self.bot_user, reply_to=self._reply_target(state, params), **fields)

    async def _api_editMessageText(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        message = self._editable_message(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = _formatted(params.get("text"), params, "entities", MAX_TEXT_LENGTH, caption=False)
        markup = _checked_markup(params.get("reply_markup"))
        new = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._apply_edit(message, new)

    async def _api_editMessageCaption(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        message = self._editable_message(params)
        caption, entities = _formatted(
            params.get("caption") or "", params, "caption_entities", MAX_CAPTION_LENGTH, caption=True
        )
        markup = _checked_markup(params.get("reply_markup"))
        return self._apply_edit(
            message,
            {"caption": caption or None, "caption_entities": entities or None, "reply_markup": markup},
        )

    async def _api_editMessageReplyMarkup(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        message = self._editable_message(params)
        return self._apply_edit(message, {"reply_markup": _checked_markup(params.get("reply_markup"))})

    async def _api_deleteMessage(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        state = self._sendable_chat(params.get("chat_id"))
        if state.messages.pop(int(params.get("message_id") or 0), None) is None:
            raise _bad_request("message to delete not found")
        return True

    async def _api_answerCallbackQuery(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._callbacks or query_id in self.callback_answers:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        if utf16_length(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        return True

    async def _api_sendChatAction(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._sendable_chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _api_getFile(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _api_setMyCommands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[_commands_key(params)] = copy.deepcopy(commands)
        return True

    async def _api_getMyCommands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    async def _api_deleteMyCommands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    async def _api_getChatMember(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        state = self._sendable_chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        if user_id == self.bot_user["id"]:
            user = self.bot_user
        else:
            user = self._known_user(user_id)
        status = self._members.get((state.chat["id"], user_id))
        if status is None:
            status = "administrator" if user_id == self.bot_user["id"] and state.chat["type"] != "private" else "member"
        return self._member(state.chat["id"], user, status)

    async def _api_getChat(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        state = self._sendable_chat(params.get("chat_id"))
        info: JSON = {
            **copy.deepcopy(state.chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if state.chat["id"] in self._linked_chats:
            info["linked_chat_id"] = self._linked_chats[state.chat["id"]]
        return info

    async def _api_setWebhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self._webhook_secret = str(params.get("secret_token") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self.webhook_url:
            for update in self._updates:
                self._deliver_to_webhook(update)
        return True

    async def _api_deleteWebhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_logOut(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _api_close(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _api_setMyDescription(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _api_setMyShortDescription(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    # ---- helpers ---------------------------------------------------------------------------------

    def _chat_state(self, chat_id: int) -> ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            raise KeyError(f"chat {chat_id} is not known to the fake server; add_chat() it first")
        return state

    def _sendable_chat(self, chat_id: Any) -> ChatState:
        state: ChatState | None = None
        if isinstance(chat_id, int):
            state = self._chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            state = next(
                (s for s in self._chats.values() if s.chat.get("username", "").lower() == chat_id[1:].lower()),
                None,
            )
        elif chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if state is None:
            raise _bad_request("chat not found")
        if state.error is not None:
            raise ApiError(*state.error)
        return state

    def _reply_target(self, state: ChatState, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"]}
        if reply is None:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise _bad_request("can't parse reply parameters JSON object")
        target = state
        if reply.get("chat_id") is not None:
            target = self._sendable_chat(reply["chat_id"])
        message_id = int(reply["message_id"])
        if message_id in target.messages and target is state:
            return message_id
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return None
        raise _bad_request("message to be replied not found")

    def _editable_message(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the fake server")
        state = self._sendable_chat(params.get("chat_id"))
        message = state.messages.get(int(params.get("message_id") or 0))
        if message is None:
            raise _bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: JSON, new: JSON) -> JSON:
        if all(message.get(key) == value for key, value in new.items()):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        for key, value in new.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = copy.deepcopy(value)
        message["edit_date"] = max(now(), message["date"])
        return copy.deepcopy(message)

    def _store_file(self, content: bytes, path: str) -> StoredFile:
        unique = uuid.uuid4().hex
        stored = StoredFile(
            file_id=f"BQACAgI-{unique}",
            file_unique_id=unique[:16],
            file_path=f"{path.rsplit('/', 1)[0]}/file_{len(self._files)}_{path.rsplit('/', 1)[-1]}",
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _known_user(self, user_id: int) -> JSON:
        for state in self._chats.values():
            for message in state.messages.values():
                if message.get("from", {}).get("id") == user_id:
                    return copy.deepcopy(message["from"])
        return make_user(user_id, f"User {user_id}")

    def _member(self, chat_id: int, user: JSON, status: str) -> JSON:
        member: JSON = {"status": status, "user": copy.deepcopy(user)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": False,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": False,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_post_messages": True,
                    "can_edit_messages": True,
                    "can_pin_messages": True,
                }
            )
        elif status == "restricted":
            member.update(
                {"is_member": True, "until_date": 0, "can_edit_tag": False}
                | dict.fromkeys(
                    [
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                    ],
                    False,
                )
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member


# --------------------------------------------------------------------------------------------------
# Request decoding and validation
# --------------------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    params: JSON = {key: _decode_value(key, value) for key, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    filename=value.filename, content=value.file.read(), mime_type=value.content_type
                )
            else:
                params[key] = _decode_value(key, value if isinstance(value, str) else value.decode())
    if isinstance(params.get("chat_id"), str) and re.fullmatch(r"-?\d+", params["chat_id"]):
        params["chat_id"] = int(params["chat_id"])
    return params, files


def _decode_value(key: str, raw: str) -> Any:
    if key in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _same_param(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    return isinstance(expected, int | str) and isinstance(actual, int | str) and str(actual) == str(expected)


def _update_kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def _without_reply(message: JSON) -> JSON:
    return {key: copy.deepcopy(value) for key, value in message.items() if key != "reply_to_message"}


def _commands_key(params: JSON) -> str:
    return json.dumps([params.get("scope") or {"type": "default"}, params.get("language_code") or ""], sort_keys=True)


def _formatted(text: Any, params: JSON, entities_key: str, limit: int, *, caption: bool) -> tuple[str, list[JSON]]:
    """The visible text and entities of a text or caption parameter, validated like Telegram does."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    parse_mode = str(params.get("parse_mode") or "")
    entities: list[JSON] = []
    if parse_mode.lower() == "html":
        try:
            text, entities = parse_telegram_html(text)
        except HtmlParseError as error:
            raise _bad_request(str(error)) from None
    elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
    elif params.get(entities_key):
        entities = params[entities_key]
        if not isinstance(entities, list):
            raise _bad_request("can't parse entities JSON object")
    text, entities = _stripped(text, entities)
    if not text and not caption:
        raise _bad_request("message text is empty")
    if utf16_length(text) > limit:
        raise _bad_request("message caption is too long" if caption else "message is too long")
    return text, entities


def _stripped(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram drops leading and trailing whitespace and moves the entities with the text."""
    stripped = text.strip()
    shift = utf16_length(text[: len(text) - len(text.lstrip())])
    total = utf16_length(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "web_app",
    "login_url",
    "copy_text",
    "pay",
    "callback_game",
    "switch_inline_query_chosen_chat",
)


def _checked_markup(markup: Any) -> JSON | None:
    """The reply markup as Telegram would store it, or the error Telegram answers for it."""
    if markup is None:
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise _bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'can\'t parse inline keyboard markup JSON object: Field "inline_keyboard" must be of type Array'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
        if not any(rows):
            return None  # an empty inline keyboard removes the keyboard
        return copy.deepcopy(markup)
    if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        return None  # reply keyboards are not part of the message
    raise _bad_request("object expected as reply markup")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str) or not button["text"].strip():
        raise _bad_request(
            "BUTTON_TEXT_EMPTY"
            if isinstance(button.get("text"), str)
            else 'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise _bad_request(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")


_SHARED_SSL_CONTEXT: ssl.SSLContext | None = None


def fast_request(**httpx_request_kwargs: Any) -> HTTPXRequest:
    """A python-telegram-bot HTTPXRequest that reuses one SSL context: building a fresh one costs about
    50 ms per client, and a Bot has two. For ``Bot(request=..., get_updates_request=...)`` and
    ``ApplicationBuilder().request(...).get_updates_request(...)``."""
    from telegram.request import HTTPXRequest

    global _SHARED_SSL_CONTEXT
    if _SHARED_SSL_CONTEXT is None:
        _SHARED_SSL_CONTEXT = ssl.create_default_context()
    return HTTPXRequest(httpx_kwargs={"verify": _SHARED_SSL_CONTEXT}, **httpx_request_kwargs)


def _serve_forever(port: int, token: str) -> None:
    async def run() -> None:
        server = FakeBotAPI(token=token, port=port)
        await server.start()
        print(f"fake Bot API on {server.url} (base_url {server.base_url})", flush=True)
        stopped = asyncio.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signal_number, stopped.set)
        try:
            await stopped.wait()
        finally:
            await server.stop()

    asyncio.run(run())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve a fake Telegram Bot API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    arguments = parser.parse_args()
    _serve_forever(arguments.port, arguments.token)

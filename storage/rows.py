"""Pure mapping between reports, articles and table rows (no database access here).

Rows are read by column name (:class:`sqlite3.Row` in SQLite, ``asyncpg.Record`` in PostgreSQL): a dataclass
field is filled from the column of the same name (:func:`from_row`), so a new column is a migration, a
field and the query that selects it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from bot.origin import Origin
from bot.report import Report

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_T = TypeVar("_T", bound="DataclassInstance")

_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One incoming update kept before its analysis starts."""

    update_id: int
    chat_id: int
    message_id: int
    raw: dict[str, Any]
    status: str  # "pending" | "retry" | "done" | "gave_up"
    attempts: int
    last_error: str | None
    next_attempt_at: str | None  # "retry": when it is due; "pending": when its lease ends
    reply_message_id: int | None
    reported: bool


@dataclass(frozen=True, slots=True)
class Analysis:
    """One forward of an article in one chat, and what the chat has seen of that article."""

    id: int
    chat_id: int
    message_id: int
    article_key: str
    title: str | None
    origin: Origin
    created_at: str
    seen_in_chat: int  # this is the n-th analysis of the article in this chat
    first_seen_in_chat: str
    counts: dict[str, int]  # "claims", "sources", "unverified"


@dataclass(frozen=True, slots=True)
class StoredAnalysis:
    """An analysis with its report and the exact article text the report's spans point into."""

    analysis: Analysis
    report: Report
    text: str


@dataclass(frozen=True, slots=True)
class Answered:
    """How the bot last answered one message: its reply, and the analysis shown (None: a refusal)."""

    reply_message_id: int
    analysis_id: int | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A claim or a source of this chat's history that matches a search."""

    analysis_id: int
    kind: Literal["claim", "source", "article"]  # an article: found by its channel, ``text`` names it
    text: str
    title: str | None
    created_at: str


#: What the bot analyses in a group (a mode is a name here and a label in /settings); the first is the default.
ChatMode = Literal["forwards_and_mentions", "mentions_only", "every_long_message"]
CHAT_MODES: dict[ChatMode, str] = {
    "forwards_and_mentions": "Forwards, /check and mentions",
    "mentions_only": "Only /check and mentions",
    "every_long_message": "Every long message",
}
DEFAULT_CHAT_MODE: ChatMode = "forwards_and_mentions"


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Per-chat state; defaults for a chat never seen."""

    chat_id: int
    mode: ChatMode
    channel_reports: bool
    unreachable: str | None
    verdicts_by: str = "admins"  # who may give verdicts in a group: "admins" or "members"


def normalise(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, stripped."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def article_key(text: str) -> str:
    """SHA-256 (hex) of the normalised text: the same article in any chat has the same key."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with seconds, so that strings sort like the times they stand for."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one (UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def query_words(words: str) -> list[str]:
    """The words of a search (letters and digits; punctuation and FTS or SQL syntax dropped)."""
    return _WORD.findall(words)


def fts_query(words: str) -> str | None:
    """User words -> an FTS5 query that cannot be a syntax error: every word quoted, all required."""
    tokens = query_words(words)
    if not tokens:
        return None
    return " ".join(f'"{token}"' for token in tokens)


#: The ``chat_search`` entry keys of one chat (SQLite: rowids) are ``block x SEARCH_BLOCK`` + the entry's number.
SEARCH_BLOCK = 2**40
#: A search reads the chat's newest this many entries (about 900 analyses), or all of them when those
#: hold fewer matches than it returns, ...
SEARCH_WINDOW = 20_000
#: ... and ranks the newest this many of their matches: bounded work in a chat of any size.
SEARCH_CANDIDATES = 1000
#: PostgreSQL: a chat's entries go in buckets of this many, each an indexed word of its entries
#: (:func:`bucket_word`), so that "the newest entries" is a few exact index keys.
SEARCH_BUCKET = 5000


def bucket_word(block: int, entry: int) -> str:
    """The indexed word of the bucket holding entry number ``entry`` of the chat with ``block``."""
    return f"w{block}x{entry // SEARCH_BUCKET}"


def channel_name(origin: Origin) -> str | None:
    """The name ``/search`` finds an analysis's article by (``analyses.channel``): the channel or chat it
    was forwarded from, else its sender's name."""
    return origin.chat_title or origin.sender_name or None


def claim_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)``."""
    return [(report_id, c.id, c.text, c.source_id, c.cue, c.kind, c.span[0], c.span[1]) for c in report.claims]


def source_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``sources (report_id, source_id, name, aliases, kind, role, named)``."""
    return [(report_id, s.id, s.name, dumps(list(s.aliases)), s.kind, s.role, int(s.named)) for s in report.sources]


def unverified_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``unverified (report_id, claim_id, reason, evidence, span_start, span_end)``."""
    return [(report_id, u.claim_id, u.reason, u.evidence, u.span[0], u.span[1]) for u in report.unverified]


class NamedRow(Protocol):
    """A row whose columns are read by name: :class:`sqlite3.Row` (SQLite) or ``asyncpg.Record`` (PostgreSQL)."""

    def __getitem__(self, key: str, /) -> Any: ...


def from_row(cls: type[_T], row: NamedRow, **converted: Any) -> _T:
    """An instance of the dataclass ``cls`` from the columns of ``row`` named like its fields; the fields
    in ``converted`` are given (values that need decoding: JSON, booleans, counts)."""
    names = [f.name for f in fields(cls)]
    return cls(**{name: converted[name] if name in converted else row[name] for name in names})


def inbox_item(row: NamedRow) -> InboxItem:
    """An ``inbox`` row as an :class:`InboxItem`."""
    return from_row(InboxItem, row, raw=json.loads(row["raw"]), reported=bool(row["reported"]))


#: The columns :func:`analysis` needs, from ``analyses a``: its own, and what the chat has seen of the article.
ANALYSIS_COLUMNS = """
       a.id, a.chat_id, a.message_id, a.article_key, a.title, a.origin, a.created_at,
       (SELECT count(*) FROM analyses s WHERE s.chat_id = a.chat_id AND s.article_key = a.article_key
                                          AND s.id <= a.id) AS seen_in_chat,
       (SELECT min(s.created_at) FROM analyses s WHERE s.chat_id = a.chat_id
                                                   AND s.article_key = a.article_key) AS first_seen_in_chat,
       (SELECT count(*) FROM claims c WHERE c.report_id = a.report_id) AS claim_count,
       (SELECT count(*) FROM sources s WHERE s.report_id = a.report_id) AS source_count,
       (SELECT count(*) FROM unverified u WHERE u.report_id = a.report_id) AS unverified_count
"""
ANALYSIS_SELECT = f"SELECT {ANALYSIS_COLUMNS} FROM analyses a"


def analysis(row: NamedRow) -> Analysis:
    """A row with :data:`ANALYSIS_COLUMNS` as an :class:`Analysis`."""
    counts = {"claims": row["claim_count"], "sources": row["source_count"], "unverified": row["unverified_count"]}
    return from_row(Analysis, row, origin=Origin.from_dict(json.loads(row["origin"])), counts=counts)


def analysis_dict(item: Analysis) -> dict[str, Any]:
    """The JSON form of an :class:`Analysis` (for exports)."""
    return {
        "id": item.id,
        "chat_id": item.chat_id,
        "message_id": item.message_id,
        "article_key": item.article_key,
        "title": item.title,
        "origin": item.origin.to_dict(),
        "created_at": item.created_at,
        "seen_in_chat": item.seen_in_chat,
        "first_seen_in_chat": item.first_seen_in_chat,
        "counts": item.counts,
    }

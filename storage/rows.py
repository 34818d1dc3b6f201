"""Pure mapping between reports, articles and table rows (no database access here)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.report import Report

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
    origin: dict[str, Any]
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
class SearchHit:
    """A claim or a source of this chat's history that matches a search."""

    analysis_id: int
    kind: Literal["claim", "source"]
    text: str
    title: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Per-chat state; defaults for a chat never seen."""

    chat_id: int
    mode: str
    channel_reports: bool
    unreachable: str | None


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


def fts_query(words: str) -> str | None:
    """User words -> an FTS5 query that cannot be a syntax error: every word quoted, all required."""
    tokens = _WORD.findall(words)
    if not tokens:
        return None
    return " ".join(f'"{token}"' for token in tokens)


#: SQLite: the ``chat_search`` rowids of one chat are ``block x SEARCH_BLOCK`` + the entry's number.
SEARCH_BLOCK = 2**40
#: A search ranks the newest this many matching entries of the chat (bounded work at any size).
SEARCH_CANDIDATES = 1000


def claim_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)``."""
    return [(report_id, c.id, c.text, c.source_id, c.cue, c.kind, c.span[0], c.span[1]) for c in report.claims]


def source_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``sources (report_id, source_id, name, aliases, kind, role, named)``."""
    return [(report_id, s.id, s.name, dumps(list(s.aliases)), s.kind, s.role, int(s.named)) for s in report.sources]


def unverified_rows(report_id: int, report: Report) -> list[tuple[Any, ...]]:
    """Rows for ``unverified (report_id, claim_id, reason, evidence, span_start, span_end)``."""
    return [(report_id, u.claim_id, u.reason, u.evidence, u.span[0], u.span[1]) for u in report.unverified]


def inbox_item(row: Any) -> InboxItem:
    """An ``inbox`` row (selected with :data:`INBOX_COLUMNS`) as an :class:`InboxItem`."""
    return InboxItem(
        update_id=row[0],
        chat_id=row[1],
        message_id=row[2],
        raw=json.loads(row[3]),
        status=row[4],
        attempts=row[5],
        last_error=row[6],
        next_attempt_at=row[7],
        reply_message_id=row[8],
        reported=bool(row[9]),
    )


INBOX_COLUMNS = (
    "update_id, chat_id, message_id, raw, status, attempts, last_error, next_attempt_at, reply_message_id, reported"
)

#: The columns :func:`analysis` needs, from ``analyses a``.
ANALYSIS_COLUMNS = """
       a.id, a.chat_id, a.message_id, a.article_key, a.title, a.origin, a.created_at,
       (SELECT count(*) FROM analyses s WHERE s.chat_id = a.chat_id AND s.article_key = a.article_key
                                          AND s.id <= a.id),
       (SELECT min(s.created_at) FROM analyses s WHERE s.chat_id = a.chat_id
                                                   AND s.article_key = a.article_key),
       (SELECT count(*) FROM claims c WHERE c.report_id = a.report_id),
       (SELECT count(*) FROM sources s WHERE s.report_id = a.report_id),
       (SELECT count(*) FROM unverified u WHERE u.report_id = a.report_id)
"""
ANALYSIS_SELECT = f"SELECT {ANALYSIS_COLUMNS} FROM analyses a"


def analysis(row: Any) -> Analysis:
    """A row starting with :data:`ANALYSIS_COLUMNS` as an :class:`Analysis`."""
    return Analysis(
        id=row[0],
        chat_id=row[1],
        message_id=row[2],
        article_key=row[3],
        title=row[4],
        origin=json.loads(row[5]),
        created_at=row[6],
        seen_in_chat=row[7],
        first_seen_in_chat=row[8],
        counts={"claims": row[9], "sources": row[10], "unverified": row[11]},
    )


def analysis_dict(item: Analysis) -> dict[str, Any]:
    """The JSON form of an :class:`Analysis` (for exports)."""
    return {
        "id": item.id,
        "chat_id": item.chat_id,
        "message_id": item.message_id,
        "article_key": item.article_key,
        "title": item.title,
        "origin": item.origin,
        "created_at": item.created_at,
        "seen_in_chat": item.seen_in_chat,
        "first_seen_in_chat": item.first_seen_in_chat,
        "counts": item.counts,
    }

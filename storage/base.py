"""What the two storage backends share above their SQL: settings kept per chat, the retry schedule,
reading rows that may be damaged, and the error type. :class:`storage.store.Store` (SQLite) and
:class:`storage.postgres.PostgresStore` (PostgreSQL) each add the SQL of every operation."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

from bot.report import Report
from storage.rows import (
    CHAT_MODES,
    Analysis,
    InboxItem,
    NamedRow,
    SearchHit,
    StoredAnalysis,
    analysis,
    from_row,
    inbox_item,
    iso,
    query_words,
)

log = logging.getLogger(__name__)

#: Longest wait between two attempts of a failing inbox item.
MAX_RETRY_DELAY = timedelta(hours=6)
#: How long an inbox item taken by a process stays its own unless renewed (``inbox_renew``).
DEFAULT_LEASE_SECONDS = 60.0
#: Error texts (the last error of an inbox item, an unreachable chat's reason) are cut to this length.
MAX_ERROR_CHARS = 500

StorageProblem = Literal["busy", "full", "corrupt", "schema_too_new", "bad_row", "error"]
SettingColumn = Literal["mode", "channel_reports", "unreachable"]

_R = TypeVar("_R")
#: Channel names looked up per statement by ``_articles_by_channel`` (one LIMIT-ed index probe each).
CHANNELS_PER_QUERY = 100
#: ``a`` is the latest analysis of its article in its chat (lists show each article once).
LATEST_OF_ARTICLE = "(SELECT max(b.id) FROM analyses b WHERE b.article_key = a.article_key AND b.chat_id = a.chat_id)"

#: The newest ``?`` (limit) articles of the chat ``?`` from the channel ``?`` (analyses_by_channel).
_NEWEST_OF_CHANNEL = (
    "SELECT a.id AS analysis_id, a.channel AS text, a.title, a.created_at FROM analyses a"
    f" WHERE a.chat_id = ? AND a.channel = ? AND a.id = {LATEST_OF_ARTICLE} ORDER BY a.id DESC LIMIT ?"
)

#: A chat's articles came from the channel (or sender) ``?`` (``chat_channels``: the names it searches).
CHANNEL_INSERT = "INSERT INTO chat_channels (chat_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING"
#: The names no analysis of their chat came from any more (after deleting analyses).
CHANNEL_ORPHANS = (
    "DELETE FROM chat_channels WHERE NOT EXISTS (SELECT 1 FROM analyses a"
    " WHERE a.chat_id = chat_channels.chat_id AND a.channel = chat_channels.name)"
)


class StorageError(Exception):
    """The database cannot do what was asked; ``str(error)`` is fit for a log line and a user.

    ``problem`` says which kind: "busy" (another process holds a lock), "full" (disk or database
    full), "corrupt" (not a database / malformed), "schema_too_new" (written by a newer Claimdesk),
    "bad_row" (one stored row cannot be read), "error" (anything else).
    """

    def __init__(self, message: str, *, problem: StorageProblem = "error") -> None:
        super().__init__(message)
        self.problem: StorageProblem = problem


def channel_words(query: str) -> list[str]:
    """The words a channel's (or sender's) name must all hold for its articles to match ``query``."""
    return [word.casefold() for word in query_words(query)]


def prefilter(words: Iterable[str]) -> list[str]:
    """The words a database can look for in a channel name before :func:`matching_channels` reads it (the
    ASCII ones: ``lower`` and ``LIKE`` fold the case of ASCII letters alike in both engines)."""
    return [word for word in words if word.isascii()]


def matching_channels(names: Iterable[str], words: list[str]) -> list[str]:
    """The channel (or sender) names among ``names`` that hold every one of ``words`` (casefolded words)."""
    return [name for name in names if all(word in query_words(name.casefold()) for word in words)]


def log_skipped(analysis_id: int, problem: str) -> None:
    """Log an analysis that cannot be read and is left out."""
    log.error("storage: skipping analysis %s, it cannot be read: %s", analysis_id, problem)


def read_report(stored: str) -> Report:
    """A stored report JSON as a Report (ValueError, KeyError or TypeError when it cannot be read)."""
    return Report.from_dict(json.loads(stored))


class StoreBase:
    """The engine-independent part of a store; subclasses set these attributes and implement ``_set``
    and ``close``, and the engine's hooks: ``_reading`` and ``_transaction`` (a connection), ``_fetch``,
    ``_run`` and ``_execute`` (SQL written once, with ``?`` placeholders: :class:`storage.desk.DeskStore`
    for SQLite, :class:`storage.postgres_desk.PostgresDeskStore` for PostgreSQL)."""

    _clock: Callable[[], datetime]
    _max_attempts: int
    _retry_base: timedelta

    if TYPE_CHECKING:  # the engine's

        def _reading(self) -> AbstractAsyncContextManager[Any]: ...
        def _transaction(self) -> AbstractAsyncContextManager[Any]: ...
        @staticmethod
        async def _fetch(db: Any, sql: str, *args: Any) -> list[Any]: ...
        @staticmethod
        async def _run(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
        @staticmethod
        async def _execute(db: Any, sql: str, *args: Any) -> int: ...

    def _now(self) -> datetime:
        return self._clock()

    def _after_failure(self, attempts: int, now: datetime) -> tuple[Literal["retry", "gave_up"], str | None]:
        """The status and next attempt time of an item that has failed ``attempts`` times: retried after
        ``retry_base * 2 ** (attempts - 1)`` (at most :data:`MAX_RETRY_DELAY`), given up at ``max_attempts``."""
        if attempts >= self._max_attempts:
            return "gave_up", None
        return "retry", iso(now + min(self._retry_base * 2 ** (attempts - 1), MAX_RETRY_DELAY))

    @staticmethod
    def _cached(row: NamedRow | None) -> Report | None:
        """A ``reports`` row (``id``, ``report``) as its Report; None when missing, or unreadable (logged:
        the article is analysed again)."""
        if row is None:
            return None
        try:
            return read_report(row["report"])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("storage: stored report %s cannot be read, analysing again: %s", row["id"], exc)
            return None

    @staticmethod
    def _stored(row: NamedRow | None, analysis_id: int) -> StoredAnalysis | None:
        """An analysis row with ``report`` and ``text`` as a StoredAnalysis (StorageError "bad_row" when
        its report cannot be read)."""
        if row is None:
            return None
        try:
            return StoredAnalysis(analysis=analysis(row), report=read_report(row["report"]), text=row["text"])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("storage: analysis %d cannot be read: %s", analysis_id, exc)
            raise StorageError(
                f"the stored report of analysis {analysis_id} cannot be read", problem="bad_row"
            ) from exc

    @staticmethod
    def _inbox_items(rows: Iterable[Any]) -> list[InboxItem]:
        items: list[InboxItem] = []
        for row in rows:
            try:
                items.append(inbox_item(row))
            except ValueError as exc:  # raw JSON unreadable: skip this one, keep the others
                log.error("storage: inbox item %s cannot be read: %s", row["update_id"], exc)
        return items

    @staticmethod
    def _parsed(
        rows: Iterable[Any],
        *,
        read_report: Callable[[Any], _R],
        skip: Callable[[int, str], None] | None = None,
    ) -> list[tuple[Analysis, _R]]:
        """Rows as (analysis, ``read_report(row)``) pairs; a row that fails is skipped (``skip`` is told
        its id and the problem; default: logged)."""
        result: list[tuple[Analysis, _R]] = []
        for row in rows:
            try:
                result.append((analysis(row), read_report(row)))
            except (ValueError, KeyError, TypeError) as exc:
                (skip or log_skipped)(row["id"], str(exc))
        return result

    # -- search -----------------------------------------------------------------------------------

    async def _articles_by_channel(self, db: Any, chat_id: int, query: str, limit: int) -> list[SearchHit]:
        """This chat's articles forwarded from a channel (or sender) whose name holds every word of
        ``query``, newest first (the latest analysis of each article).

        Why: reading every article of the chat to look into its origin took 200 ms in a chat of 50,000
        articles. The chat's distinct names (``chat_channels``, migration 9) are read and matched here;
        each matching name's newest articles are an index probe with LIMIT (``analyses_by_channel``).
        """
        words = channel_words(query)
        if not words or limit <= 0:
            return []
        patterns = [f"%{word}%" for word in prefilter(words)]
        rows = await self._fetch(
            db,
            "SELECT name FROM chat_channels WHERE chat_id = ?" + " AND lower(name) LIKE ?" * len(patterns),
            chat_id,
            *patterns,
        )
        names = matching_channels((row["name"] for row in rows), words)
        hits: list[SearchHit] = []
        for start in range(0, len(names), CHANNELS_PER_QUERY):
            chunk = names[start : start + CHANNELS_PER_QUERY]
            rows = await self._fetch(
                db,
                " UNION ALL ".join(f"SELECT * FROM ({_NEWEST_OF_CHANNEL}) c{n}" for n in range(len(chunk))),
                *(value for name in chunk for value in (chat_id, name, limit)),
            )
            hits += (from_row(SearchHit, row, kind="article") for row in rows)
        return sorted(hits, key=lambda hit: hit.analysis_id, reverse=True)[:limit]

    # -- per-chat state ---------------------------------------------------------------------------

    async def set_chat_mode(self, chat_id: int, mode: str) -> None:
        """Which messages the bot analyses in this chat: one of :data:`storage.rows.CHAT_MODES`."""
        if mode not in CHAT_MODES:
            raise ValueError(f"unknown chat mode {mode!r}; use one of {', '.join(CHAT_MODES)}")
        await self._set(chat_id, "mode", mode)

    async def set_channel_reports(self, chat_id: int, enabled: bool) -> None:
        """Whether the bot reports on posts in this channel."""
        await self._set(chat_id, "channel_reports", int(enabled))

    async def mark_chat_unreachable(self, chat_id: int, reason: str) -> None:
        """The bot cannot send to this chat (blocked, chat not found): stop sending."""
        await self._set(chat_id, "unreachable", reason[:MAX_ERROR_CHARS])

    async def mark_chat_reachable(self, chat_id: int) -> None:
        """The chat wrote to the bot again: sending works again."""
        await self._set(chat_id, "unreachable", None)

    async def _set(self, chat_id: int, column: SettingColumn, value: Any) -> None:
        """Set one column of the chat's ``chat_settings`` row (made with the defaults when missing)."""
        raise NotImplementedError

    # -- lifetime ---------------------------------------------------------------------------------

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

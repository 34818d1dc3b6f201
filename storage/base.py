"""What the two storage backends share: the operations whose SQL both engines run alike (written once,
with ``?`` placeholders, through the engine's hooks ``_fetch``, ``_run`` and ``_execute``), the retry
schedule, reading rows that may be damaged, and the error type. :class:`storage.store.Store` (SQLite)
and :class:`storage.postgres.PostgresStore` (PostgreSQL) add their connections, migrations, export, and
the search index, which differs (FTS5 rowid blocks; ``tsvector`` entries with bucket words)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self, TypedDict, TypeVar, Unpack

from bot.links.page import FetchedPage
from bot.origin import Origin
from bot.report import Report
from storage.formats import EXPORT_FORMATS, export_format
from storage.rows import (
    ANALYSIS_COLUMNS,
    ANALYSIS_SELECT,
    CHAT_MODES,
    DEFAULT_CHAT_MODE,
    Analysis,
    Answered,
    ChatSettings,
    InboxItem,
    NamedRow,
    SearchHit,
    StoredAnalysis,
    analysis,
    article_key,
    channel_name,
    claim_rows,
    dumps,
    from_row,
    fts_query,
    inbox_item,
    iso,
    query_words,
    source_rows,
    unverified_rows,
)

if TYPE_CHECKING:
    from storage.export import ExportResult

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


class StoreOptions(TypedDict):
    """What both engines' stores are opened with (``Store.open`` says what each means)."""

    max_attempts: int
    retry_base_seconds: float
    busy_timeout: float
    clock: Callable[[], datetime]
    lease_seconds: float


class StoreBase:
    """The engine-independent part of a store; subclasses implement ``close`` and the engine's hooks:
    ``_reading``, ``_transaction`` and ``_leasing`` (a connection), ``_fetch``, ``_run`` and ``_execute``
    (SQL written once, with ``?`` placeholders: :class:`storage.desk.DeskStore` for SQLite,
    :class:`storage.postgres_desk.PostgresDeskStore` for PostgreSQL), and the search index's."""

    #: The engine's clauses: rows read to be written locked against other processes, inbox items
    #: another process is taking left to it (PostgreSQL; SQLite's write transaction locks the file).
    _LOCKED: str
    _SKIP_LOCKED: str
    #: The tables whose rows carry their chat's id, moved by :meth:`migrate_chat`.
    _CHAT_ROWS: tuple[str, ...]

    def __init__(self, **options: Unpack[StoreOptions]) -> None:
        self._max_attempts = options["max_attempts"]
        self._retry_base = timedelta(seconds=options["retry_base_seconds"])
        self._busy_timeout = options["busy_timeout"]
        self._clock = options["clock"]
        self._lease = timedelta(seconds=options["lease_seconds"])
        self._closed = False
        #: Marks inbox items taken by this process (the ones :meth:`inbox_renew` renews).
        self._session = uuid.uuid4().hex

    if TYPE_CHECKING:  # the engine's

        def _reading(self) -> AbstractAsyncContextManager[Any]: ...
        def _transaction(self) -> AbstractAsyncContextManager[Any]: ...
        def _leasing(self) -> AbstractAsyncContextManager[Any]:
            """The connection :meth:`inbox_renew` writes on (PostgreSQL: one of its own)."""

        @staticmethod
        async def _fetch(db: Any, sql: str, *args: Any) -> list[Any]: ...
        @staticmethod
        async def _run(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
        @staticmethod
        async def _execute(db: Any, sql: str, *args: Any) -> int: ...
        async def _index_for_search(self, db: Any, chat_id: int, key: str, analysis_id: int, report_id: int) -> None:
            """Add a new analysis's claims and sources to its chat's search entries (and drop those of
            the earlier analyses of the same article in the chat)."""

        @staticmethod
        async def _matching_entries(db: Any, chat_id: int, match: str, limit: int) -> list[SearchHit]:
            """The chat's claims and sources matching ``match`` (:func:`storage.rows.fts_query`), best first."""

        @staticmethod
        async def _drop_search_entries(db: Any, analysis_ids: Iterable[int]) -> None:
            """Delete the search entries of these analyses (before the analyses are deleted)."""

        @staticmethod
        async def _forget_search(db: Any, chat_id: int) -> None:
            """Delete what the chat's search holds beside its analyses' entries."""

        async def _write_export(
            self, chat_id: int, fmt: str, to: Path, compress_above: int, limit: int
        ) -> ExportResult:
            """:meth:`export_to` once the format is known."""

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

    # -- received updates ---------------------------------------------------------------------------

    async def received_add(self, update_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update as it arrives from Telegram; False when it is kept already (sent again, to this
        process or another)."""
        async with self._transaction() as db:
            added = await self._execute(
                db,
                "INSERT INTO received_updates (update_id, raw, received_at) VALUES (?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                update_id,
                dumps(raw),
                iso(self._now()),
            )
        return added == 1

    async def received_done(self, update_id: int) -> None:
        """The update's handlers have run: it is not handled again after a restart."""
        async with self._transaction() as db:
            await self._execute(db, "DELETE FROM received_updates WHERE update_id = ?", update_id)

    async def received_left(self) -> list[dict[str, Any]]:
        """Updates received but never handled (their process died), oldest first.

        With several processes (PostgreSQL) this also lists updates another live process is handling
        right now: an article among them is answered once all the same (its update is added to the inbox
        once, and only the process that added it answers), a command could be answered twice in that
        moment. Why not only updates older than the lease: a process restarted within it would leave its
        own unhandled updates until some later restart.
        """
        async with self._reading() as db:
            rows = await self._fetch(db, "SELECT raw FROM received_updates ORDER BY update_id")
        return [json.loads(row["raw"]) for row in rows]

    # -- inbox ------------------------------------------------------------------------------------

    async def inbox_add(self, *, update_id: int, chat_id: int, message_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update before its analysis starts, taken by this process (leased); False when this
        update id is already known (another process had it first, or Telegram delivered it again)."""
        now = self._now()
        async with self._transaction() as db:
            added = await self._execute(
                db,
                "INSERT INTO inbox (update_id, chat_id, message_id, raw, status, attempts, session,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                update_id,
                chat_id,
                message_id,
                dumps(raw),
                self._session,
                iso(now + self._lease),
                iso(now),
                iso(now),
            )
        return added == 1

    async def inbox_get(self, update_id: int) -> InboxItem | None:
        """The inbox item of this update, or None."""
        async with self._reading() as db:
            rows = await self._fetch(db, "SELECT * FROM inbox WHERE update_id = ?", update_id)
        return next(iter(self._inbox_items(rows)), None)

    async def inbox_mark_done(self, update_id: int, *, reply_message_id: int | None, analysis_id: int | None) -> None:
        """The update was answered (``reply_message_id``) with this analysis (None: no analysis)."""
        async with self._transaction() as db:
            changed = await self._execute(
                db,
                "UPDATE inbox SET status = 'done', reply_message_id = ?, analysis_id = ?,"
                " next_attempt_at = NULL, updated_at = ? WHERE update_id = ?",
                reply_message_id,
                analysis_id,
                iso(self._now()),
                update_id,
            )
        if changed == 0:
            raise KeyError(f"no inbox item for update {update_id}")

    async def inbox_mark_failed(self, update_id: int, reason: str) -> InboxItem:
        """One more failed attempt: status "retry" (with the next attempt's time) or "gave_up"."""
        now = self._now()
        async with self._transaction() as db:
            rows = await self._fetch(db, "SELECT attempts FROM inbox WHERE update_id = ?" + self._LOCKED, update_id)
            if not rows:
                raise KeyError(f"no inbox item for update {update_id}")
            attempts = int(rows[0]["attempts"]) + 1
            status, next_attempt_at = self._after_failure(attempts, now)
            rows = await self._fetch(
                db,
                "UPDATE inbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?,"
                " updated_at = ? WHERE update_id = ? RETURNING *",
                status,
                attempts,
                reason[:MAX_ERROR_CHARS],
                next_attempt_at,
                iso(now),
                update_id,
            )
        if status == "gave_up":
            log.warning("storage: gave up on update %d after %d attempts: %s", update_id, attempts, reason)
        return inbox_item(rows[0])

    async def inbox_mark_reported(self, update_id: int) -> None:
        """The give-up of this update was told to its chat (so it is never told twice)."""
        async with self._transaction() as db:
            await self._execute(
                db, "UPDATE inbox SET reported = 1, updated_at = ? WHERE update_id = ?", iso(self._now()), update_id
            )

    async def inbox_due(self, *, now: datetime | None = None) -> list[InboxItem]:
        """Take the items to analyse now: "pending" ones whose lease expired (their process died, or
        stopped renewing) and "retry" ones whose time has come; oldest update first.

        Taking an item makes it "pending" for this process with a new lease (``next_attempt_at`` is
        when it ends), so it is handed out once; call :meth:`inbox_mark_done` or
        :meth:`inbox_mark_failed` for each, and :meth:`inbox_renew` while they are in work. Pending
        items of this process are in work already and are never returned. PostgreSQL: rows another
        process is taking at the same moment are skipped (``FOR UPDATE SKIP LOCKED``), so each item
        goes to one process.
        """
        moment = now or self._now()
        async with self._transaction() as db:
            rows = await self._fetch(
                db,
                "UPDATE inbox SET status = 'pending', session = ?, next_attempt_at = ?, updated_at = ?"
                " WHERE update_id IN (SELECT update_id FROM inbox"
                "   WHERE status IN ('pending', 'retry') AND NOT (status = 'pending' AND session = ?)"
                "     AND coalesce(next_attempt_at, '') <= ?"  # no time: a pending item written before leases
                + self._SKIP_LOCKED
                + ") RETURNING *",
                self._session,
                iso(moment + self._lease),
                iso(moment),
                self._session,
                iso(moment),
            )
        return sorted(self._inbox_items(rows), key=lambda item: item.update_id)

    async def inbox_renew(self, *, now: datetime | None = None) -> int:
        """Renew the lease of every item this process holds ("pending", taken by it); how many.

        Call it more often than the lease lasts (the inbox worker does, every third of it), so that no
        other process takes over work this one is still doing.
        """
        moment = now or self._now()
        async with self._leasing() as db:
            return await self._execute(
                db,
                "UPDATE inbox SET next_attempt_at = ? WHERE status = 'pending' AND session = ?",
                iso(moment + self._lease),
                self._session,
            )

    async def inbox_unreported(self) -> list[InboxItem]:
        """Items given up on whose chat was not told yet (e.g. the process died before telling)."""
        async with self._reading() as db:
            rows = await self._fetch(
                db, "SELECT * FROM inbox WHERE status = 'gave_up' AND reported = 0 ORDER BY update_id"
            )
        return self._inbox_items(rows)

    async def answered(self, chat_id: int, message_id: int) -> Answered | None:
        """How the bot last answered this message of this chat (for an edit of it), or None if it never did."""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                "SELECT reply_message_id, analysis_id FROM inbox WHERE chat_id = ? AND message_id = ?"
                " AND status = 'done' AND reply_message_id IS NOT NULL ORDER BY update_id DESC LIMIT 1",
                chat_id,
                message_id,
            )
        return next((from_row(Answered, row) for row in rows), None)

    # -- articles, reports, analyses --------------------------------------------------------------

    async def cached_report(self, text: str, extractor_version: str) -> Report | None:
        """The stored report of this article (same normalised text, any chat) by this extractor version."""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                "SELECT id, report FROM reports WHERE article_key = ? AND extractor_version = ?",
                article_key(text),
                extractor_version,
            )
        return self._cached(next(iter(rows), None))

    async def save_analysis(
        self,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        report: Report,
        origin: Origin,
        title: str | None = None,
    ) -> Analysis:
        """Store one analysis; the article and its report (per extractor version) are stored once, also
        when two processes save the same article at the same moment.

        When a report of this article by the same extractor version is stored already, that one is
        kept and ``report`` is not stored again. ``title`` is what lists show (default: the report's).
        """
        key = article_key(text)
        now = iso(self._now())
        channel = channel_name(origin)
        # Why in a thread: a report of thousands of quotations takes a second to encode; the event loop
        # keeps answering meanwhile (and the write lock is not held for it).
        report_json = await asyncio.to_thread(report.to_json, indent=None)
        async with self._transaction() as db:
            await self._execute(
                db,
                "INSERT INTO articles (key, text, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                key,
                text,
                now,
            )
            added = await self._fetch(
                db,
                "INSERT INTO reports (article_key, extractor_version, report, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (article_key, extractor_version) DO NOTHING RETURNING id",
                key,
                report.extractor_version,
                report_json,
                now,
            )
            if added:
                report_id = int(added[0]["id"])
                await self._run(
                    db,
                    "INSERT INTO claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    claim_rows(report_id, report),
                )
                await self._run(
                    db,
                    "INSERT INTO sources (report_id, source_id, name, aliases, kind, role, named)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    source_rows(report_id, report),
                )
                await self._run(
                    db,
                    "INSERT INTO unverified (report_id, claim_id, reason, evidence, span_start, span_end)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    unverified_rows(report_id, report),
                )
            else:
                found = await self._fetch(
                    db,
                    "SELECT id FROM reports WHERE article_key = ? AND extractor_version = ?",
                    key,
                    report.extractor_version,
                )
                report_id = int(found[0]["id"])
            inserted = await self._fetch(
                db,
                "INSERT INTO analyses (chat_id, message_id, article_key, report_id, title, origin, channel,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                chat_id,
                message_id,
                key,
                report_id,
                title or report.article.title,
                dumps(origin.to_dict()),
                channel,
                now,
            )
            analysis_id = int(inserted[0]["id"])
            if channel is not None:
                await self._execute(db, CHANNEL_INSERT, chat_id, channel)
            await self._index_for_search(db, chat_id, key, analysis_id, report_id)
            rows = await self._fetch(db, ANALYSIS_SELECT + " WHERE a.id = ?", analysis_id)
        return analysis(rows[0])

    async def get_analysis(self, analysis_id: int, *, chat_id: int) -> StoredAnalysis | None:
        """The analysis with its report and text; None when unknown or it belongs to another chat."""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                f"SELECT {ANALYSIS_COLUMNS}, r.report, ar.text FROM analyses a"
                " JOIN reports r ON r.id = a.report_id JOIN articles ar ON ar.key = a.article_key"
                " WHERE a.id = ? AND a.chat_id = ?",
                analysis_id,
                chat_id,
            )
        return self._stored(next(iter(rows), None), analysis_id)

    async def history(self, chat_id: int, limit: int = 10) -> list[Analysis]:
        """The last ``limit`` articles analysed in this chat, newest first: one row per article, its
        latest analysis (whose ``seen_in_chat`` counts the forwards of the article here)."""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                ANALYSIS_SELECT + f" WHERE a.chat_id = ? AND a.id = {LATEST_OF_ARTICLE} ORDER BY a.id DESC LIMIT ?",
                chat_id,
                max(limit, 0),
            )
        return [item for item, _ in self._parsed(rows, read_report=lambda row: None)]

    async def search(self, chat_id: int, query: str, limit: int = 20) -> list[SearchHit]:
        """Claims and sources (by name or any alias) of this chat's analyses that contain all words of
        ``query``, and articles whose channel (or sender) name does.

        Best matches first (SQLite: BM25; PostgreSQL: ``ts_rank``; a source's aliases count as its words)
        among the newest :data:`~storage.rows.SEARCH_CANDIDATES` matches of the chat's newest
        :data:`~storage.rows.SEARCH_WINDOW` entries (all of them when those hold fewer than ``limit``
        matches), articles last; only the latest analysis of each article in this chat (and its
        report) is searched, so an article forwarded or re-analysed again gives no duplicate hits. Only
        this chat's entries are read (migration 8: the engine's ``_matching_entries``), and its articles
        by channel through an index (migration 9: :meth:`_articles_by_channel`).
        """
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        async with self._reading() as db:
            hits = await self._matching_entries(db, chat_id, match, limit)
            if len(hits) < limit:  # articles come last: looked for only when there is room for them
                hits += await self._articles_by_channel(db, chat_id, query, limit - len(hits))
        return hits

    async def export_to(
        self,
        chat_id: int,
        fmt: str,
        destination: str | os.PathLike[str],
        *,
        compress_above: int,
        limit: int,
    ) -> ExportResult:
        """Write all analyses of this chat, oldest first, to the file ``destination`` in the export format
        ``fmt`` (a name or suffix of :data:`storage.formats.FORMATS`): plain up to ``compress_above`` bytes,
        else gzipped into ``destination`` + ".gz"; stopped, and nothing kept, as soon as the file passes
        ``limit`` bytes (:class:`storage.export.ExportResult`; unreadable reports are skipped, logged).
        The engine's ``_write_export`` does the reading (docs/robustness.md)."""
        output = export_format(fmt)
        if output is None or output.export is None:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        return await self._write_export(chat_id, output.name, Path(destination), compress_above, limit)

    async def forget_chat(self, chat_id: int) -> int:
        """Delete everything stored for this chat (analyses, inbox, settings, and articles and reports
        no other chat refers to); the number of records deleted (claim/source rows not counted)."""
        async with self._transaction() as db:
            await self._forget_search(db, chat_id)
            deleted = 0
            for table in ("inbox", "analyses", "chat_settings", "chat_memories"):
                deleted += await self._execute(db, f"DELETE FROM {table} WHERE chat_id = ?", chat_id)
            deleted += await self._delete_orphans(db)
        log.info("storage: forgot chat %d (%d records)", chat_id, deleted)
        return deleted

    async def forget_analysis(self, analysis_id: int, *, chat_id: int) -> bool:
        """Delete one analysis of this chat (superseded: its message was edited and analysed again), and
        the article and report when nothing else refers to them; False when there was none."""
        async with self._transaction() as db:
            mine = await self._fetch(db, "SELECT id FROM analyses WHERE id = ? AND chat_id = ?", analysis_id, chat_id)
            await self._drop_search_entries(db, [row["id"] for row in mine])
            deleted = await self._execute(db, "DELETE FROM analyses WHERE id = ? AND chat_id = ?", analysis_id, chat_id)
            if deleted:
                await self._delete_orphans(db)
        return bool(deleted)

    async def purge_older_than(self, days: int, *, now: datetime | None = None) -> int:
        """Retention: delete analyses (and finished inbox items) older than ``days`` days, then
        articles and reports nothing refers to any more; the number of records deleted."""
        if days < 0:
            raise ValueError("days must not be negative")
        cutoff = iso((now or self._now()) - timedelta(days=days))
        async with self._transaction() as db:
            old = await self._fetch(db, "SELECT id FROM analyses WHERE created_at < ?", cutoff)
            await self._drop_search_entries(db, [row["id"] for row in old])
            deleted = await self._execute(db, "DELETE FROM analyses WHERE created_at < ?", cutoff)
            deleted += await self._execute(
                db,
                "DELETE FROM inbox WHERE updated_at < ? AND (status = 'done' OR (status = 'gave_up' AND reported = 1))",
                cutoff,
            )
            deleted += await self._execute(db, "DELETE FROM fetched_pages WHERE fetched_at < ?", cutoff)
            deleted += await self._delete_orphans(db)
        if deleted:
            log.info("storage: retention purged %d records older than %s", deleted, cutoff)
        return deleted

    async def _delete_orphans(self, db: Any) -> int:
        """Delete the reports and articles no analysis refers to any more (how many), and the statements
        and channel names nothing refers to (not counted)."""
        deleted = await self._execute(
            db, "DELETE FROM reports WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.report_id = reports.id)"
        )
        await self._execute(  # claims the chat no longer holds are no longer remembered
            db,
            "DELETE FROM statements WHERE NOT EXISTS"
            " (SELECT 1 FROM statement_claims c WHERE c.statement_id = statements.id)",
        )
        await self._execute(db, CHANNEL_ORPHANS)
        return deleted + await self._execute(
            db,
            "DELETE FROM articles WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.article_key = articles.key)"
            " AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.article_key = articles.key)",
        )

    # -- fetched pages ----------------------------------------------------------------------------

    async def cached_page(self, url: str, *, max_age: timedelta | None = None) -> FetchedPage | None:
        """The page fetched for ``url`` (as requested, or as a final URL), when younger than ``max_age``."""
        since = iso(self._now() - max_age) if max_age is not None else ""
        async with self._reading() as db:
            rows = await self._fetch(
                db,
                "SELECT url, text, title, site_name, published FROM fetched_pages"
                " WHERE (url = ? OR url = (SELECT page_url FROM fetched_urls WHERE url = ?)) AND fetched_at >= ?",
                url,
                url,
                since,
            )
        return next((from_row(FetchedPage, row) for row in rows), None)

    async def save_page(self, requested_url: str, page: FetchedPage) -> None:
        """Keep a fetched page by its final URL (replacing an older fetch) and the URL that led to it."""
        async with self._transaction() as db:
            await self._execute(
                db,
                "INSERT INTO fetched_pages (url, text, title, site_name, published, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET text = excluded.text,"
                " title = excluded.title, site_name = excluded.site_name, published = excluded.published,"
                " fetched_at = excluded.fetched_at",
                page.url,
                page.text,
                page.title,
                page.site_name,
                page.published,
                iso(self._now()),
            )
            if requested_url != page.url:
                await self._execute(
                    db,
                    "INSERT INTO fetched_urls (url, page_url) VALUES (?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET page_url = excluded.page_url",
                    requested_url,
                    page.url,
                )

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

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """This chat's settings (defaults when none were set)."""
        async with self._reading() as db:
            rows = await self._fetch(db, "SELECT * FROM chat_settings WHERE chat_id = ?", chat_id)
        row = next(iter(rows), None)
        if row is None:
            return ChatSettings(chat_id=chat_id, mode=DEFAULT_CHAT_MODE, channel_reports=False, unreachable=None)
        mode = row["mode"] if row["mode"] in CHAT_MODES else DEFAULT_CHAT_MODE
        return from_row(ChatSettings, row, mode=mode, channel_reports=bool(row["channel_reports"]))

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
        async with self._transaction() as db:
            await self._execute(
                db,
                f"INSERT INTO chat_settings (chat_id, {column}, updated_at) VALUES (?, ?, ?)"
                f" ON CONFLICT (chat_id) DO UPDATE SET {column} = excluded.{column},"
                " updated_at = excluded.updated_at",
                chat_id,
                value,
                iso(self._now()),
            )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its history, inbox, settings, search entries, claim memory and
        channel names move to the new id (a supergroup's id is new: nothing to merge with)."""
        async with self._transaction() as db:
            for table in self._CHAT_ROWS:
                await self._execute(db, f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", new_chat_id, old_chat_id)
            for table in ("search_chats", "chat_memories"):  # one row a chat (its search block, its memory)
                await self._execute(
                    db,
                    f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?"
                    f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE chat_id = ?)",
                    new_chat_id,
                    old_chat_id,
                    new_chat_id,
                )
            await self._execute(
                db,
                "INSERT INTO chat_settings (chat_id, mode, channel_reports, unreachable, verdicts_by, updated_at)"
                " SELECT ?, mode, channel_reports, NULL, verdicts_by, ? FROM chat_settings WHERE chat_id = ?"
                " ON CONFLICT (chat_id) DO NOTHING",
                new_chat_id,
                iso(self._now()),
                old_chat_id,
            )
            await self._execute(
                db,
                "INSERT INTO chat_channels (chat_id, name) SELECT ?, name FROM chat_channels WHERE chat_id = ?"
                " ON CONFLICT DO NOTHING",
                new_chat_id,
                old_chat_id,
            )
            for table in ("chat_settings", "chat_channels"):
                await self._execute(db, f"DELETE FROM {table} WHERE chat_id = ?", old_chat_id)

    # -- lifetime ---------------------------------------------------------------------------------

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

"""The Claimdesk database: one SQLite file, one aiosqlite connection, one lock.

Every operation takes ``Store._lock``: aiosqlite runs all statements of one connection on one thread,
and a transaction opened by one task must not see another task's statements in the middle of it.
Writes run in ``BEGIN IMMEDIATE ... COMMIT`` (rolled back on any error), so a failure never leaves a
partial row. SQLite errors leave this module only as :class:`StorageError` with a message that says
what happened (busy, disk full, corrupt file, schema too new).
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.links.page import FetchedPage
from bot.origin import Origin
from bot.report import Report
from storage.base import (
    CHANNEL_INSERT,
    CHANNEL_ORPHANS,
    DEFAULT_LEASE_SECONDS,
    LATEST_OF_ARTICLE,
    MAX_ERROR_CHARS,
    SettingColumn,
    StorageError,
    log_skipped,
    read_report,
)
from storage.desk import DeskStore
from storage.formats import EXPORT_FORMATS, export_format
from storage.migrations import LATEST_VERSION, MIGRATIONS, statements
from storage.rows import (
    ANALYSIS_COLUMNS,
    ANALYSIS_SELECT,
    CHAT_MODES,
    DEFAULT_CHAT_MODE,
    SEARCH_BLOCK,
    SEARCH_CANDIDATES,
    SEARCH_WINDOW,
    Analysis,
    Answered,
    ChatSettings,
    InboxItem,
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
    source_rows,
    unverified_rows,
)

log = logging.getLogger(__name__)


#: Problems ``PRAGMA quick_check`` lists at most (the message names the first of them).
QUICK_CHECK_ROWS = 3


#: Added to the export process's nice value: the bot's own process answers first on a busy machine.
EXPORT_NICENESS = 10


def write_export(path: str, chat_id: int, fmt: str, destination: str) -> tuple[int, list[tuple[int, str]]]:
    """The export of :meth:`Store.export_to`, run in a process of its own: the chat's analyses read through a
    read-only connection and written one at a time; (how many written, [(skipped id, problem)])."""
    output = export_format(fmt)
    assert output is not None and output.export is not None
    skipped: list[tuple[int, str]] = []
    written = 0

    def parsed(rows: Iterable[Any]) -> Iterator[tuple[Analysis, Report]]:
        nonlocal written
        for row in rows:
            for item in Store._parsed([row], read_report=lambda row: read_report(row["report"]), skip=skip):
                written += 1
                yield item

    def skip(analysis_id: int, problem: str) -> None:
        skipped.append((analysis_id, problem))

    reader = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    reader.row_factory = sqlite3.Row
    try:
        with Path(destination).open("w", encoding="utf-8", newline="") as out:
            rows = reader.execute(
                f"SELECT {ANALYSIS_COLUMNS}, r.report FROM analyses a JOIN reports r ON r.id = a.report_id"
                " WHERE a.chat_id = ? ORDER BY a.id",
                (chat_id,),
            )
            output.export(parsed(rows), out)
    except sqlite3.Error as exc:
        raise _storage_error(exc, path, 0) from exc
    finally:
        reader.close()
    return written, skipped


def _storage_error(exc: sqlite3.Error, path: str, busy_timeout: float) -> StorageError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(
            f"database is busy: another process holds a lock on {path} (waited {busy_timeout:g} s); try again later",
            problem="busy",
        )
    if "full" in text:
        return StorageError(
            f"database or disk is full: cannot write to {path}; nothing was saved, free some space",
            problem="full",
        )
    if "not a database" in text or "malformed" in text:
        return StorageError(
            f"database file {path} is corrupt or not a Claimdesk database ({exc}); "
            "move it away (a new one is created on start) or restore a backup",
            problem="corrupt",
        )
    return StorageError(f"database error on {path}: {exc}")


class Store(DeskStore):
    """Inbox, articles, reports, analyses, search, export and chat settings in one SQLite file."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        path: str,
        *,
        max_attempts: int,
        retry_base_seconds: float,
        busy_timeout: float,
        clock: Callable[[], datetime],
        lease_seconds: float,
    ) -> None:
        """Use :meth:`open`; this only keeps what it is given."""
        self._db = db
        self._path = path
        self._max_attempts = max_attempts
        self._retry_base = timedelta(seconds=retry_base_seconds)
        self._busy_timeout = busy_timeout
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._lock = asyncio.Lock()
        self._closed = False
        #: Marks inbox items taken by this process (the ones :meth:`inbox_renew` renews).
        self._session = uuid.uuid4().hex

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        max_attempts: int = 3,
        retry_base_seconds: float = 30.0,
        busy_timeout: float = 5.0,
        clock: Callable[[], datetime] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> Store:
        """Open (create if missing) and migrate the database at ``path``.

        ``max_attempts``: analyses of one inbox item before it is given up; ``retry_base_seconds``:
        the first retry delay (doubled for each further attempt, at most :data:`MAX_RETRY_DELAY`);
        ``busy_timeout``: seconds to wait for another process's lock; ``clock``: returns the current
        aware UTC time (tests pass their own); ``lease_seconds``: how long an inbox item this process
        took stays its own without :meth:`inbox_renew` (then another process may take it over).
        """
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        path_text = os.fspath(path)
        try:
            db = await aiosqlite.connect(path_text, isolation_level=None, timeout=busy_timeout)
            db.row_factory = sqlite3.Row  # rows are read by column name (storage/rows.py)
        except sqlite3.Error as exc:
            raise _storage_error(exc, path_text, busy_timeout) from exc
        store = cls(
            db,
            path_text,
            max_attempts=max_attempts,
            retry_base_seconds=retry_base_seconds,
            busy_timeout=busy_timeout,
            clock=clock or (lambda: datetime.now(UTC)),
            lease_seconds=lease_seconds,
        )
        try:
            await store._prepare()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Finish the running operation, then close the connection (a second call does nothing)."""
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self._db.close()

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    # -- connection, transactions, migrations ---------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            error = _storage_error(exc, self._path, self._busy_timeout)
            log.error("storage: %s", error)
            raise error from exc

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            if self._closed:
                raise StorageError(f"database {self._path} is closed")
            with self._errors():
                yield self._db

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; ``ROLLBACK`` when anything fails."""
        async with self._reading() as db:
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                await db.execute("COMMIT")
            except BaseException:
                await self._rollback()
                raise

    async def _rollback(self) -> None:
        if not self._db.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
            return
        try:
            await self._db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            log.error("storage: rollback failed on %s: %s", self._path, exc)

    async def _prepare(self) -> None:
        with self._errors():
            await self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            await self._check_integrity()
            await self._db.execute("PRAGMA foreign_keys = ON")
            async with self._db.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                log.warning("storage: WAL journal not available for %s (mode %s)", self._path, row)
            await self._db.execute("PRAGMA synchronous = FULL")
            version = await self._user_version()
        if version > LATEST_VERSION:
            error = StorageError(
                f"database {self._path} has schema version {version}, but this Claimdesk knows only up "
                f"to {LATEST_VERSION}: it was written by a newer Claimdesk; upgrade Claimdesk or use "
                "another database file",
                problem="schema_too_new",
            )
            log.error("storage: %s", error)
            raise error
        for target in range(version + 1, LATEST_VERSION + 1):
            async with self._transaction() as db:
                if await self._user_version() >= target:  # another process migrated meanwhile
                    continue
                for statement in statements(MIGRATIONS[target - 1]):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {target}")
            log.info("storage: %s migrated to schema version %d", self._path, target)

    async def _check_integrity(self) -> None:
        """``PRAGMA quick_check`` before anything is written: a file whose header is sound but whose
        pages are damaged opens without an error and would be written into, spreading the damage
        (checks every page and index; a second or so for a database of 10,000 reports)."""
        async with self._db.execute(f"PRAGMA quick_check({QUICK_CHECK_ROWS})") as cursor:
            found = [str(row[0]) for row in await cursor.fetchall()]
        if found != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed: {'; '.join(found)}")

    async def _user_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # -- inbox ------------------------------------------------------------------------------------

    # -- received updates ---------------------------------------------------------------------------

    async def received_add(self, update_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update as it arrives from Telegram; False when it is kept already (sent again)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO received_updates (update_id, raw, received_at) VALUES (?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, dumps(raw), iso(self._now())),
            )
            return cursor.rowcount == 1

    async def received_done(self, update_id: int) -> None:
        """The update's handlers have run: it is not handled again after a restart."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM received_updates WHERE update_id = ?", (update_id,))

    async def received_left(self) -> list[dict[str, Any]]:
        """Updates received but never handled (their process died), oldest first."""
        async with self._reading() as db:
            rows = await db.execute_fetchall("SELECT raw FROM received_updates ORDER BY update_id")
        return [json.loads(row["raw"]) for row in rows]

    async def inbox_add(self, *, update_id: int, chat_id: int, message_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update before its analysis starts, taken by this process (leased); False when this
        update id is already known (another process, or Telegram delivering it again)."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO inbox (update_id, chat_id, message_id, raw, status, attempts, session,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, chat_id, message_id, dumps(raw), self._session, iso(now + self._lease), iso(now), iso(now)),
            )
            return cursor.rowcount == 1

    async def inbox_get(self, update_id: int) -> InboxItem | None:
        """The inbox item of this update, or None."""
        async with self._reading() as db:
            rows = await db.execute_fetchall("SELECT * FROM inbox WHERE update_id = ?", (update_id,))
        return next((inbox_item(row) for row in rows), None)

    async def inbox_mark_done(self, update_id: int, *, reply_message_id: int | None, analysis_id: int | None) -> None:
        """The update was answered (``reply_message_id``) with this analysis (None: no analysis)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE inbox SET status = 'done', reply_message_id = ?, analysis_id = ?,"
                " next_attempt_at = NULL, updated_at = ? WHERE update_id = ?",
                (reply_message_id, analysis_id, iso(self._now()), update_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no inbox item for update {update_id}")

    async def inbox_mark_failed(self, update_id: int, reason: str) -> InboxItem:
        """One more failed attempt: status "retry" (with the next attempt's time) or "gave_up"."""
        now = self._now()
        async with self._transaction() as db:
            rows = await db.execute_fetchall("SELECT attempts FROM inbox WHERE update_id = ?", (update_id,))
            if not rows:
                raise KeyError(f"no inbox item for update {update_id}")
            attempts = int(next(iter(rows))["attempts"]) + 1
            status, next_attempt_at = self._after_failure(attempts, now)
            await db.execute(
                "UPDATE inbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?,"
                " updated_at = ? WHERE update_id = ?",
                (status, attempts, reason[:MAX_ERROR_CHARS], next_attempt_at, iso(now), update_id),
            )
            rows = await db.execute_fetchall("SELECT * FROM inbox WHERE update_id = ?", (update_id,))
        if status == "gave_up":
            log.warning("storage: gave up on update %d after %d attempts: %s", update_id, attempts, reason)
        return inbox_item(next(iter(rows)))

    async def inbox_mark_reported(self, update_id: int) -> None:
        """The give-up of this update was told to its chat (so it is never told twice)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE inbox SET reported = 1, updated_at = ? WHERE update_id = ?",
                (iso(self._now()), update_id),
            )

    async def inbox_due(self, *, now: datetime | None = None) -> list[InboxItem]:
        """Take the items to analyse now: "pending" ones whose lease expired (their process died, or
        stopped renewing) and "retry" ones whose time has come; oldest update first.

        Taking an item makes it "pending" for this process with a new lease (``next_attempt_at`` is
        when it ends), so it is handed out once; call :meth:`inbox_mark_done` or
        :meth:`inbox_mark_failed` for each, and :meth:`inbox_renew` while they are in work. Pending
        items of this process are in work already and are never returned.
        """
        moment = now or self._now()
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "UPDATE inbox SET status = 'pending', session = ?, next_attempt_at = ?, updated_at = ?"
                " WHERE status IN ('pending', 'retry') AND NOT (status = 'pending' AND session = ?)"
                "   AND coalesce(next_attempt_at, '') <= ?"  # no time: a pending item written before leases
                " RETURNING *",
                (self._session, iso(moment + self._lease), iso(moment), self._session, iso(moment)),
            )
        return sorted(self._inbox_items(rows), key=lambda item: item.update_id)

    async def inbox_renew(self, *, now: datetime | None = None) -> int:
        """Renew the lease of every item this process holds ("pending", taken by it); how many.

        Call it more often than the lease lasts (the inbox worker does, every third of it), so that no
        other process takes over work this one is still doing.
        """
        moment = now or self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE inbox SET next_attempt_at = ? WHERE status = 'pending' AND session = ?",
                (iso(moment + self._lease), self._session),
            )
            return cursor.rowcount

    async def inbox_unreported(self) -> list[InboxItem]:
        """Items given up on whose chat was not told yet (e.g. the process died before telling)."""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                "SELECT * FROM inbox WHERE status = 'gave_up' AND reported = 0 ORDER BY update_id"
            )
        return self._inbox_items(rows)

    async def answered(self, chat_id: int, message_id: int) -> Answered | None:
        """How the bot last answered this message of this chat (for an edit of it), or None if it never did."""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                "SELECT reply_message_id, analysis_id FROM inbox WHERE chat_id = ? AND message_id = ?"
                " AND status = 'done' AND reply_message_id IS NOT NULL ORDER BY update_id DESC LIMIT 1",
                (chat_id, message_id),
            )
        return next((from_row(Answered, row) for row in rows), None)

    # -- articles, reports, analyses --------------------------------------------------------------

    async def cached_report(self, text: str, extractor_version: str) -> Report | None:
        """The stored report of this article (same normalised text, any chat) by this extractor version."""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                "SELECT id, report FROM reports WHERE article_key = ? AND extractor_version = ?",
                (article_key(text), extractor_version),
            )
        row = next(iter(rows), None)
        return self._cached(row)

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
        """Store one analysis; the article and its report (per extractor version) are stored once.

        When a report of this article by the same extractor version is stored already, that one is
        kept and ``report`` is not stored again. ``title`` is what lists show (default: the report's).
        """
        key = article_key(text)
        now = iso(self._now())
        report_json = report.to_json(indent=None)
        origin_json = dumps(origin.to_dict())
        channel = channel_name(origin)
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO articles (key, text, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, text, now),
            )
            cursor = await db.execute(
                "INSERT INTO reports (article_key, extractor_version, report, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (article_key, extractor_version) DO NOTHING",
                (key, report.extractor_version, report_json, now),
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                report_id = cursor.lastrowid
                await db.executemany(
                    "INSERT OR IGNORE INTO claims (report_id, claim_id, text, source_id, cue, kind,"
                    " span_start, span_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    claim_rows(report_id, report),
                )
                await db.executemany(
                    "INSERT OR IGNORE INTO sources (report_id, source_id, name, aliases, kind, role, named)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    source_rows(report_id, report),
                )
                await db.executemany(
                    "INSERT INTO unverified (report_id, claim_id, reason, evidence, span_start, span_end)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    unverified_rows(report_id, report),
                )
            else:
                rows = await db.execute_fetchall(
                    "SELECT id FROM reports WHERE article_key = ? AND extractor_version = ?",
                    (key, report.extractor_version),
                )
                report_id = int(next(iter(rows))["id"])
            cursor = await db.execute(
                "INSERT INTO analyses (chat_id, message_id, article_key, report_id, title, origin, channel,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_id, message_id, key, report_id, title or report.article.title, origin_json, channel, now),
            )
            analysis_id = cursor.lastrowid
            assert analysis_id is not None
            if channel is not None:
                await db.execute(CHANNEL_INSERT, (chat_id, channel))
            await self._index_for_search(db, chat_id, key, analysis_id, report_id)
            rows = await db.execute_fetchall(ANALYSIS_SELECT + " WHERE a.id = ?", (analysis_id,))
        return analysis(next(iter(rows)))

    async def _index_for_search(
        self, db: aiosqlite.Connection, chat_id: int, key: str, analysis_id: int, report_id: int
    ) -> None:
        """The new analysis's claims and sources become its chat's newest search entries; the entries of
        earlier analyses of the same article in the chat go (only the latest is searched)."""
        earlier = await db.execute_fetchall(
            "SELECT id FROM analyses WHERE chat_id = ? AND article_key = ? AND id < ?", (chat_id, key, analysis_id)
        )
        await self._drop_search_entries(db, [row["id"] for row in earlier])
        rows = await db.execute_fetchall("SELECT block, next_entry FROM search_chats WHERE chat_id = ?", (chat_id,))
        if rows:
            found = next(iter(rows))
            block, next_entry = found["block"], found["next_entry"]
        else:
            rows = await db.execute_fetchall("SELECT coalesce(max(block), 0) + 1 AS block FROM search_chats")
            block, next_entry = next(iter(rows))["block"], 0
            await db.execute("INSERT INTO search_chats (chat_id, block) VALUES (?, ?)", (chat_id, block))
        first = block * SEARCH_BLOCK + next_entry
        cursor = await db.execute(
            "INSERT INTO chat_search (rowid, words, analysis_id, kind, shown)"
            " SELECT ? + row_number() OVER (ORDER BY kind, place) - 1, words, ?, kind, shown FROM ("
            "  SELECT 'claim' AS kind, text AS words, NULL AS shown, id AS place FROM claims WHERE report_id = ?"
            "  UNION ALL"
            "  SELECT 'source', name || ' ' || aliases, name, id FROM sources WHERE report_id = ?)",
            (first, analysis_id, report_id, report_id),
        )
        added = cursor.rowcount
        if added > 0:
            await db.execute(
                "INSERT INTO search_entries (analysis_id, first_rowid, last_rowid) VALUES (?, ?, ?)",
                (analysis_id, first, first + added - 1),
            )
            await db.execute("UPDATE search_chats SET next_entry = next_entry + ? WHERE chat_id = ?", (added, chat_id))

    @staticmethod
    async def _drop_search_entries(db: aiosqlite.Connection, analysis_ids: Iterable[int]) -> None:
        """Delete the ``chat_search`` entries of these analyses (the rowid ranges in ``search_entries``)."""
        for analysis_id in analysis_ids:
            ranges = await db.execute_fetchall(
                "SELECT first_rowid, last_rowid FROM search_entries WHERE analysis_id = ?", (analysis_id,)
            )
            await db.executemany(
                "DELETE FROM chat_search WHERE rowid BETWEEN ? AND ?",
                [(r["first_rowid"], r["last_rowid"]) for r in ranges],
            )
            await db.execute("DELETE FROM search_entries WHERE analysis_id = ?", (analysis_id,))

    async def get_analysis(self, analysis_id: int, *, chat_id: int) -> StoredAnalysis | None:
        """The analysis with its report and text; None when unknown or it belongs to another chat."""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                f"SELECT {ANALYSIS_COLUMNS}, r.report, ar.text FROM analyses a"
                " JOIN reports r ON r.id = a.report_id JOIN articles ar ON ar.key = a.article_key"
                " WHERE a.id = ? AND a.chat_id = ?",
                (analysis_id, chat_id),
            )
        row = next(iter(rows), None)
        return self._stored(row, analysis_id)

    async def history(self, chat_id: int, limit: int = 10) -> list[Analysis]:
        """The last ``limit`` articles analysed in this chat, newest first: one row per article, its
        latest analysis (whose ``seen_in_chat`` counts the forwards of the article here)."""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                ANALYSIS_SELECT
                + " WHERE a.chat_id = ? AND a.id = "
                + LATEST_OF_ARTICLE
                + " ORDER BY a.id DESC LIMIT ?",
                (chat_id, max(limit, 0)),
            )
        return [item for item, _ in self._parsed(rows, read_report=lambda row: None)]

    async def search(self, chat_id: int, query: str, limit: int = 20) -> list[SearchHit]:
        """Claims and sources (by name or any alias) of this chat's analyses that contain all words of
        ``query``, and articles whose channel (or sender) or title does.

        Best matches first (BM25; a source's aliases count as its words) among the newest
        :data:`~storage.rows.SEARCH_CANDIDATES` matches of the chat's newest
        :data:`~storage.rows.SEARCH_WINDOW` entries (all of them when those hold fewer than ``limit``
        matches), articles last; only the latest analysis of each article in this chat (and its
        report) is searched, so an article forwarded or re-analysed again gives no duplicate hits. Only
        this chat's block of ``chat_search`` is read (migration 8).
        """
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        async with self._reading() as db:
            hits = await self._matching_entries(db, chat_id, match, limit)
            if len(hits) < limit:  # articles come last: looked for only when there is room for them
                hits += await self._articles_by_channel(db, chat_id, query, limit - len(hits))
        return hits

    @staticmethod
    async def _matching_entries(db: aiosqlite.Connection, chat_id: int, match: str, limit: int) -> list[SearchHit]:
        rows = await db.execute_fetchall("SELECT block, next_entry FROM search_chats WHERE chat_id = ?", (chat_id,))
        if not rows:
            return []
        chat = next(iter(rows))
        first = chat["block"] * SEARCH_BLOCK
        for since in dict.fromkeys((max(0, chat["next_entry"] - SEARCH_WINDOW), 0)):
            rows = await db.execute_fetchall(
                "SELECT hit.analysis_id, hit.kind, hit.text, a.title, a.created_at FROM ("
                "  SELECT rowid AS place, analysis_id, kind, coalesce(shown, words) AS text, rank FROM chat_search"
                "  WHERE chat_search MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?"
                ") hit JOIN analyses a ON a.id = hit.analysis_id ORDER BY hit.rank, hit.place DESC LIMIT ?",
                (match, first + since, first + SEARCH_BLOCK - 1, SEARCH_CANDIDATES, limit),
            )
            if len(list(rows)) >= limit:
                break
        return [from_row(SearchHit, row) for row in rows]

    async def export_to(self, chat_id: int, fmt: str, destination: str | os.PathLike[str]) -> int:
        """Write all analyses of this chat, oldest first, to the file ``destination`` in the export format
        ``fmt`` (a name or suffix of :data:`storage.formats.FORMATS`); how many were written (unreadable
        reports are skipped, logged).

        Why: 2,000 reports are a 36 MB file, 5.6 s of work that held the event loop; in a thread it still
        held the GIL (/help p95 325 ms). It runs in a process of its own (:func:`write_export`) with a
        read-only connection (WAL lets it read while this store writes), one analysis at a time.
        """
        output = export_format(fmt)
        if output is None or output.export is None:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        loop = asyncio.get_running_loop()
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(EXPORT_NICENESS,),
        )
        try:
            written, skipped = await loop.run_in_executor(
                pool, write_export, self._path, chat_id, output.name, os.fspath(destination)
            )
        finally:
            pool.shutdown(wait=False)
        for analysis_id, problem in skipped:
            log_skipped(analysis_id, problem)
        return written

    async def forget_chat(self, chat_id: int) -> int:
        """Delete everything stored for this chat (analyses, inbox, settings, and articles and reports
        no other chat refers to); the number of records deleted (claim/source rows not counted)."""
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM chat_search WHERE rowid BETWEEN"
                " (SELECT block FROM search_chats WHERE chat_id = ?1) * ?2"
                " AND (SELECT block FROM search_chats WHERE chat_id = ?1) * ?2 + ?2 - 1",
                (chat_id, SEARCH_BLOCK),
            )
            await db.execute("DELETE FROM search_chats WHERE chat_id = ?", (chat_id,))
            deleted = 0
            for table in ("inbox", "analyses", "chat_settings", "chat_memories"):
                cursor = await db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
                deleted += cursor.rowcount
            deleted += await self._delete_orphans(db)
        log.info("storage: forgot chat %d (%d records)", chat_id, deleted)
        return deleted

    async def forget_analysis(self, analysis_id: int, *, chat_id: int) -> bool:
        """Delete one analysis of this chat (superseded: its message was edited and analysed again), and
        the article and report when nothing else refers to them; False when there was none."""
        async with self._transaction() as db:
            mine = await db.execute_fetchall(
                "SELECT id FROM analyses WHERE id = ? AND chat_id = ?", (analysis_id, chat_id)
            )
            await self._drop_search_entries(db, [row["id"] for row in mine])
            cursor = await db.execute("DELETE FROM analyses WHERE id = ? AND chat_id = ?", (analysis_id, chat_id))
            if cursor.rowcount:
                await self._delete_orphans(db)
        return bool(cursor.rowcount)

    async def purge_older_than(self, days: int, *, now: datetime | None = None) -> int:
        """Retention: delete analyses (and finished inbox items) older than ``days`` days, then
        articles and reports nothing refers to any more; the number of records deleted."""
        if days < 0:
            raise ValueError("days must not be negative")
        cutoff = iso((now or self._now()) - timedelta(days=days))
        async with self._transaction() as db:
            old = await db.execute_fetchall("SELECT id FROM analyses WHERE created_at < ?", (cutoff,))
            await self._drop_search_entries(db, [row["id"] for row in old])
            cursor = await db.execute("DELETE FROM analyses WHERE created_at < ?", (cutoff,))
            deleted = cursor.rowcount
            cursor = await db.execute(
                "DELETE FROM inbox WHERE updated_at < ? AND (status = 'done' OR (status = 'gave_up' AND reported = 1))",
                (cutoff,),
            )
            deleted += cursor.rowcount
            cursor = await db.execute("DELETE FROM fetched_pages WHERE fetched_at < ?", (cutoff,))
            deleted += cursor.rowcount
            deleted += await self._delete_orphans(db)
        if deleted:
            log.info("storage: retention purged %d records older than %s", deleted, cutoff)
        return deleted

    @staticmethod
    async def _delete_orphans(db: aiosqlite.Connection) -> int:
        cursor = await db.execute("DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM analyses)")
        deleted = cursor.rowcount
        await db.execute(  # claims the chat no longer holds are no longer remembered (not counted)
            "DELETE FROM statements WHERE NOT EXISTS (SELECT 1 FROM statement_claims c WHERE c.statement_id = statements.id)"
        )
        await db.execute(CHANNEL_ORPHANS)  # names no article came from any more (not counted)
        cursor = await db.execute(
            "DELETE FROM articles WHERE key NOT IN (SELECT article_key FROM analyses)"
            " AND key NOT IN (SELECT article_key FROM reports)"
        )
        return deleted + cursor.rowcount

    # -- fetched pages ----------------------------------------------------------------------------

    async def cached_page(self, url: str, *, max_age: timedelta | None = None) -> FetchedPage | None:
        """The page fetched for ``url`` (as requested, or as a final URL), when younger than ``max_age``."""
        since = iso(self._now() - max_age) if max_age is not None else ""
        async with self._reading() as db:
            rows = await db.execute_fetchall(
                "SELECT url, text, title, site_name, published FROM fetched_pages"
                " WHERE (url = ? OR url = (SELECT page_url FROM fetched_urls WHERE url = ?)) AND fetched_at >= ?",
                (url, url, since),
            )
        row = next(iter(rows), None)
        if row is None:
            return None
        return from_row(FetchedPage, row)

    async def save_page(self, requested_url: str, page: FetchedPage) -> None:
        """Keep a fetched page by its final URL (replacing an older fetch) and the URL that led to it."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO fetched_pages (url, text, title, site_name, published, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET text = excluded.text,"
                " title = excluded.title, site_name = excluded.site_name, published = excluded.published,"
                " fetched_at = excluded.fetched_at",
                (page.url, page.text, page.title, page.site_name, page.published, iso(self._now())),
            )
            if requested_url != page.url:
                await db.execute(
                    "INSERT INTO fetched_urls (url, page_url) VALUES (?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET page_url = excluded.page_url",
                    (requested_url, page.url),
                )

    # -- per-chat state ---------------------------------------------------------------------------

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """This chat's settings (defaults when none were set)."""
        async with self._reading() as db:
            rows = await db.execute_fetchall("SELECT * FROM chat_settings WHERE chat_id = ?", (chat_id,))
        row = next(iter(rows), None)
        if row is None:
            return ChatSettings(chat_id=chat_id, mode=DEFAULT_CHAT_MODE, channel_reports=False, unreachable=None)
        mode = row["mode"] if row["mode"] in CHAT_MODES else DEFAULT_CHAT_MODE
        return from_row(ChatSettings, row, mode=mode, channel_reports=bool(row["channel_reports"]))

    async def _set(self, chat_id: int, column: SettingColumn, value: Any) -> None:
        async with self._transaction() as db:
            await db.execute(
                f"INSERT INTO chat_settings (chat_id, {column}, updated_at) VALUES (?, ?, ?)"
                f" ON CONFLICT (chat_id) DO UPDATE SET {column} = excluded.{column},"
                " updated_at = excluded.updated_at",
                (chat_id, value, iso(self._now())),
            )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its history, inbox and settings move to the new id."""
        async with self._transaction() as db:
            for table in ("analyses", "inbox"):
                await db.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))
            # the chat's search block goes with it (a supergroup's id is new: nothing to merge with)
            await db.execute(
                "UPDATE OR IGNORE search_chats SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            await db.execute(
                "INSERT INTO chat_settings (chat_id, mode, channel_reports, unreachable, verdicts_by, updated_at)"
                " SELECT ?, mode, channel_reports, NULL, verdicts_by, ? FROM chat_settings WHERE chat_id = ?"
                " ON CONFLICT (chat_id) DO NOTHING",
                (new_chat_id, iso(self._now()), old_chat_id),
            )
            await db.execute(
                "UPDATE OR IGNORE chat_memories SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            await db.execute(
                "INSERT INTO chat_channels (chat_id, name) SELECT ?, name FROM chat_channels WHERE chat_id = ?"
                " ON CONFLICT DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await db.execute("DELETE FROM chat_channels WHERE chat_id = ?", (old_chat_id,))
            await db.execute("DELETE FROM chat_settings WHERE chat_id = ?", (old_chat_id,))

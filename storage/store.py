"""The Claimdesk database: one SQLite file, one aiosqlite connection, one lock.

Every operation takes ``Store._lock``: aiosqlite runs all statements of one connection on one thread,
and a transaction opened by one task must not see another task's statements in the middle of it.
Writes run in ``BEGIN IMMEDIATE ... COMMIT`` (rolled back on any error), so a failure never leaves a
partial row. SQLite errors leave this module only as :class:`StorageError` with a message that says
what happened (busy, disk full, corrupt file, schema too new).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Unpack

import aiosqlite

from storage.base import (
    DEFAULT_LEASE_SECONDS,
    StorageError,
    StoreOptions,
    log_skipped,
)
from storage.desk import DeskStore
from storage.export import EXPORT_COUNT, EXPORT_ROWS, ExportResult, write_rows
from storage.migrations import LATEST_VERSION, MIGRATIONS, statements
from storage.rows import (
    SEARCH_BLOCK,
    SEARCH_CANDIDATES,
    SEARCH_WINDOW,
    SearchHit,
    from_row,
)

log = logging.getLogger(__name__)


#: Problems ``PRAGMA quick_check`` lists at most (the message names the first of them).
QUICK_CHECK_ROWS = 3


#: Added to the export process's nice value: the bot's own process answers first on a busy machine.
EXPORT_NICENESS = 10


def write_export(
    path: str, chat_id: int, fmt: str, destination: str, compress_above: int, limit: int
) -> tuple[ExportResult, list[tuple[int, str]]]:
    """The export of :meth:`Store.export_to`, run in a process of its own: the chat's analyses read through a
    read-only connection one row at a time and written through :func:`storage.export.write_rows`;
    (what was written, [(skipped id, problem)])."""
    skipped: list[tuple[int, str]] = []

    def skip(analysis_id: int, problem: str) -> None:
        skipped.append((analysis_id, problem))

    reader = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    reader.row_factory = sqlite3.Row
    try:
        rows = reader.execute(EXPORT_ROWS, (chat_id, 0))
        result = write_rows(
            fmt,
            ([row] for row in rows),
            Path(destination),
            compress_above=compress_above,
            limit=limit,
            skip=skip,
            count=lambda: int(reader.execute(EXPORT_COUNT, (chat_id,)).fetchone()[0]),
        )
    except sqlite3.Error as exc:
        raise _storage_error(exc, path, 0) from exc
    finally:
        reader.close()
    return result, skipped


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
        **options: Unpack[StoreOptions],
    ) -> None:
        """Use :meth:`open`; this only keeps what it is given."""
        self._db = db
        self._path = path
        self._lock = asyncio.Lock()
        super().__init__(**options)

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

    # -- the engine's part of the shared operations (storage.base.StoreBase) ----------------------

    #: No row locks: a write transaction (``BEGIN IMMEDIATE``) holds the file's write lock.
    _LOCKED = ""
    _SKIP_LOCKED = ""
    #: The tables whose rows carry their chat's id (``migrate_chat``); the search entries go with the
    #: chat's block (``search_chats``).
    _CHAT_ROWS = ("analyses", "inbox")

    def _leasing(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        return self._transaction()

    @staticmethod
    async def _forget_search(db: aiosqlite.Connection, chat_id: int) -> None:
        """The chat's search entries (its rowid block) and its block."""
        await db.execute(
            "DELETE FROM chat_search WHERE rowid BETWEEN"
            " (SELECT block FROM search_chats WHERE chat_id = ?1) * ?2"
            " AND (SELECT block FROM search_chats WHERE chat_id = ?1) * ?2 + ?2 - 1",
            (chat_id, SEARCH_BLOCK),
        )
        await db.execute("DELETE FROM search_chats WHERE chat_id = ?", (chat_id,))

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

    async def _write_export(self, chat_id: int, fmt: str, to: Path, compress_above: int, limit: int) -> ExportResult:
        """The export of :meth:`storage.base.StoreBase.export_to` on SQLite.

        Why: 2,000 reports are a 36 MB file, 5.6 s of work that held the event loop; in a thread it still
        held the GIL (/help p95 325 ms). It runs in a process of its own (:func:`write_export`) with a
        read-only connection (WAL lets it read while this store writes), one analysis at a time.
        """
        loop = asyncio.get_running_loop()
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(EXPORT_NICENESS,),
        )
        try:
            result, skipped = await loop.run_in_executor(
                pool, write_export, self._path, chat_id, fmt, os.fspath(to), compress_above, limit
            )
        finally:
            pool.shutdown(wait=False)
        for analysis_id, problem in skipped:
            log_skipped(analysis_id, problem)
        return result

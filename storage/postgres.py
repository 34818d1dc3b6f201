"""The Claimdesk database on PostgreSQL (asyncpg): the same operations and behaviour as the SQLite
:class:`storage.store.Store`, for several bot processes sharing one database.

Chosen by the setting ``CLAIMDESK_DB=postgresql://user@host/db`` (:func:`storage.open_store`). Every
operation takes a connection from a pool; writes run in one transaction each (rolled back on any
error), in PostgreSQL's default READ COMMITTED isolation: inserts that may meet another process's
(the same article, the same update) use ``ON CONFLICT``, and inbox items are taken with
``FOR UPDATE SKIP LOCKED``, so no two processes take the same one. Errors leave this module only as
:class:`storage.store.StorageError`, the same kinds as SQLite's ("busy" when a lock was not granted
within ``busy_timeout``, "full", "corrupt", "schema_too_new", "bad_row", "error"). The DSN's password
never appears in a message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Unpack

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.base import (
    DEFAULT_LEASE_SECONDS,
    StorageError,
    StoreOptions,
    log_skipped,
)
from storage.export import EXPORT_BATCH, EXPORT_COUNT, EXPORT_ROWS, ExportResult, write_rows
from storage.migrations import LATEST_VERSION
from storage.postgres_desk import PostgresDeskStore
from storage.postgres_migrations import POSTGRES_MIGRATIONS
from storage.rows import (
    SEARCH_BUCKET,
    SEARCH_CANDIDATES,
    SEARCH_WINDOW,
    SearchHit,
    bucket_word,
    from_row,
)

log = logging.getLogger(__name__)

#: ``pg_advisory_xact_lock`` key held while migrating, so that processes starting together migrate once.
MIGRATION_LOCK_KEY = 0x436C61696D64  # "Claimd"
#: Connections per process; an operation holds one for its statement or transaction only.
DEFAULT_POOL_SIZE = 10

_PASSWORD = re.compile(r"(//[^:/@]*:)[^@]*@")


def is_postgres_url(db: str) -> bool:
    """Whether the ``CLAIMDESK_DB`` setting names a PostgreSQL database rather than a SQLite file."""
    return db.startswith(("postgresql://", "postgres://"))


def redacted(dsn: str) -> str:
    """The DSN without its password (for logs and messages)."""
    return _PASSWORD.sub(r"\1***@", dsn)


def _storage_error(exc: BaseException, where: str, busy_timeout: float) -> StorageError:
    state = getattr(exc, "sqlstate", None) or ""
    if state in ("55P03", "40P01", "40001", "57014"):
        return StorageError(
            f"database is busy: another process holds a lock on {where} (waited {busy_timeout:g} s); try again later",
            problem="busy",
        )
    if state.startswith("53"):
        return StorageError(f"database server {where} is out of resources ({exc}); nothing was saved", problem="full")
    if state.startswith("XX"):
        return StorageError(f"database {where} reports corruption ({exc}); restore a backup", problem="corrupt")
    if not isinstance(exc, asyncpg.PostgresError) or state.startswith(("08", "28", "3D", "57P")):
        return StorageError(f"cannot reach database {where}: {exc}")
    return StorageError(f"database error on {where}: {exc}")


class PostgresStore(PostgresDeskStore):
    """Inbox, articles, reports, analyses, search, export and chat settings in one PostgreSQL database."""

    def __init__(
        self,
        pool: asyncpg.Pool[asyncpg.Record],
        lease_pool: asyncpg.Pool[asyncpg.Record],
        dsn: str,
        **options: Unpack[StoreOptions],
    ) -> None:
        """Use :meth:`open`; this only keeps what it is given."""
        self._pool = pool
        #: One connection of its own for renewing leases: a renewal never queues behind a burst of work
        #: waiting for the main pool (it would come too late, and another process would take the work).
        self._lease_pool = lease_pool
        self._where = redacted(dsn)
        super().__init__(**options)

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        max_attempts: int = 3,
        retry_base_seconds: float = 30.0,
        busy_timeout: float = 5.0,
        clock: Callable[[], datetime] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> PostgresStore:
        """Connect (a pool of up to ``pool_size`` connections) and migrate the database at ``dsn``.

        The other arguments mean what they mean for :meth:`storage.store.Store.open`; ``busy_timeout``
        is PostgreSQL's ``lock_timeout``.
        """
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        where = redacted(dsn)
        settings = {"lock_timeout": str(int(busy_timeout * 1000)), "application_name": "claimdesk"}
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=max(pool_size, 1), timeout=max(busy_timeout, 5.0), server_settings=settings
            )
            lease_pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=1, timeout=max(busy_timeout, 5.0), server_settings=settings
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            error = _storage_error(exc, where, busy_timeout)
            log.error("storage: %s", error)
            raise error from exc
        store = cls(
            pool,
            lease_pool,
            dsn,
            max_attempts=max_attempts,
            retry_base_seconds=retry_base_seconds,
            busy_timeout=busy_timeout,
            clock=clock or (lambda: datetime.now(UTC)),
            lease_seconds=lease_seconds,
        )
        try:
            await store._prepare()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        """Wait for running operations, then close the pools (a second call does nothing)."""
        if not self._closed:
            self._closed = True
            await self._pool.close()
            await self._lease_pool.close()

    @property
    def path(self) -> str:
        """The database, as its DSN without a password."""
        return self._where

    # -- connections, transactions, migrations ----------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            error = _storage_error(exc, self._where, self._busy_timeout)
            log.error("storage: %s", error)
            raise error from exc

    @asynccontextmanager
    async def _reading(
        self, pool: asyncpg.Pool[asyncpg.Record] | None = None
    ) -> AsyncIterator[PoolConnectionProxy[asyncpg.Record]]:
        if self._closed:
            raise StorageError(f"database {self._where} is closed")
        with self._errors():
            async with (pool or self._pool).acquire() as conn:
                yield conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[PoolConnectionProxy[asyncpg.Record]]:
        """One transaction on one pooled connection; rolled back when anything fails."""
        async with self._reading() as conn, conn.transaction():
            yield conn

    async def _prepare(self) -> None:
        for target in range(1, LATEST_VERSION + 2):
            async with self._transaction() as conn:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
                await conn.execute("CREATE TABLE IF NOT EXISTS claimdesk_schema (version INTEGER NOT NULL)")
                version = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM claimdesk_schema"))
                if version > LATEST_VERSION:
                    error = StorageError(
                        f"database {self._where} has schema version {version}, but this Claimdesk knows only up "
                        f"to {LATEST_VERSION}: it was written by a newer Claimdesk; upgrade Claimdesk or use "
                        "another database",
                        problem="schema_too_new",
                    )
                    log.error("storage: %s", error)
                    raise error
                if version >= LATEST_VERSION:
                    return
                if version >= target:  # another process migrated meanwhile
                    continue
                await conn.execute(POSTGRES_MIGRATIONS[target - 1])
                await conn.execute("DELETE FROM claimdesk_schema")
                await conn.execute("INSERT INTO claimdesk_schema (version) VALUES ($1)", target)
            log.info("storage: %s migrated to schema version %d", self._where, target)

    # -- the engine's part of the shared operations (storage.base.StoreBase) ----------------------

    #: Rows read before they are written in a transaction are locked against the other processes.
    _LOCKED = " FOR UPDATE"
    #: Inbox items another process is taking at this moment are left to it.
    _SKIP_LOCKED = " FOR UPDATE SKIP LOCKED"
    #: The tables whose rows carry their chat's id (``migrate_chat``); the search entries too.
    _CHAT_ROWS = ("analyses", "inbox", "chat_search")

    def _leasing(self) -> AbstractAsyncContextManager[PoolConnectionProxy[asyncpg.Record]]:
        """The lease pool's connection (one statement: a transaction of its own)."""
        return self._reading(self._lease_pool)

    async def _index_for_search(
        self, db: PoolConnectionProxy[asyncpg.Record], chat_id: int, key: str, analysis_id: int, report_id: int
    ) -> None:
        """The new analysis's claims and sources become its chat's newest search entries, numbered after
        the chat's others and in the word of their bucket; the entries of earlier analyses of the same
        article in the chat go (only the latest is searched)."""
        await db.execute(
            "DELETE FROM chat_search WHERE analysis_id IN"
            " (SELECT id FROM analyses WHERE chat_id = $1 AND article_key = $2 AND id < $3)",
            chat_id,
            key,
            analysis_id,
        )
        entries = await db.fetchval(
            "SELECT (SELECT count(*) FROM claims WHERE report_id = $1)"
            " + (SELECT count(*) FROM sources WHERE report_id = $1)",
            report_id,
        )
        await db.execute("INSERT INTO search_chats (chat_id) VALUES ($1) ON CONFLICT (chat_id) DO NOTHING", chat_id)
        chat = await db.fetchrow(  # the row lock orders two processes adding to one chat
            "UPDATE search_chats SET next_entry = next_entry + $2 WHERE chat_id = $1"
            " RETURNING block, next_entry - $2 AS first",
            chat_id,
            entries,
        )
        assert chat is not None  # inserted above when missing
        await db.execute(
            "INSERT INTO chat_search (chat_id, entry, analysis_id, kind, text, search)"
            " SELECT $1, entry, $3, kind, text,"
            "  to_tsvector('claimdesk', words) || array_to_tsvector(ARRAY['w' || $5::bigint || 'x' || entry / $6])"
            " FROM (SELECT $2 + row_number() OVER (ORDER BY kind, place) - 1 AS entry, kind, text, words FROM ("
            "  SELECT 'claim' AS kind, text, text AS words, id AS place FROM claims WHERE report_id = $4"
            "  UNION ALL SELECT 'source', name, name || ' ' || aliases, id FROM sources WHERE report_id = $4) e) n",
            chat_id,
            chat["first"],
            analysis_id,
            report_id,
            chat["block"],
            SEARCH_BUCKET,
        )

    @staticmethod
    async def _drop_search_entries(db: PoolConnectionProxy[asyncpg.Record], analysis_ids: Iterable[int]) -> None:
        """Nothing to do: search entries go with their analysis (``ON DELETE CASCADE``)."""

    @staticmethod
    async def _forget_search(db: PoolConnectionProxy[asyncpg.Record], chat_id: int) -> None:
        """The chat's entry numbers (its entries go with its analyses)."""
        await db.execute("DELETE FROM search_chats WHERE chat_id = $1", chat_id)

    # -- search ---------------------------------------------------------------------------------

    @staticmethod
    async def _matching_entries(
        conn: PoolConnectionProxy[asyncpg.Record], chat_id: int, match: str, limit: int
    ) -> list[SearchHit]:
        chat = await conn.fetchrow("SELECT block, next_entry FROM search_chats WHERE chat_id = $1", chat_id)
        if chat is None:
            return []
        rows = []
        for since in dict.fromkeys((max(0, chat["next_entry"] - SEARCH_WINDOW), 0)):
            # the newest entries: their buckets' words (exact keys; the chat_id key, a posting list of
            # the whole chat, is left out: "+ 0"); the whole chat: its chat_id key
            buckets = range(since // SEARCH_BUCKET, (chat["next_entry"] - 1) // SEARCH_BUCKET + 1)
            window = (
                (" | ".join(f"'{bucket_word(chat['block'], b * SEARCH_BUCKET)}'" for b in buckets),) if since else ()
            )
            rows = await conn.fetch(
                "WITH q AS (SELECT websearch_to_tsquery('claimdesk', $2) AS q),"
                " matches AS MATERIALIZED ("
                "  SELECT s.id, s.entry, s.search FROM chat_search s, q WHERE "
                + (
                    "s.chat_id + 0 = $1 AND s.search @@ (q.q && $5::tsquery)"
                    if window
                    else "s.chat_id = $1 AND s.search @@ q.q"
                )
                + "),"
                " newest AS (SELECT * FROM matches ORDER BY entry DESC LIMIT $4),"
                " best AS (SELECT n.id, n.entry, ts_rank(n.search, q.q) AS rank FROM newest n, q"
                "          ORDER BY rank DESC, n.entry DESC LIMIT $3)"
                " SELECT s.analysis_id, s.kind, s.text, a.title, a.created_at FROM best b"
                " JOIN chat_search s ON s.id = b.id JOIN analyses a ON a.id = s.analysis_id"
                " ORDER BY b.rank DESC, b.entry DESC",
                chat_id,
                match,
                limit,
                SEARCH_CANDIDATES,
                *window,
            )
            if len(rows) >= limit:
                break
        return [from_row(SearchHit, row) for row in rows]

    async def _write_export(self, chat_id: int, fmt: str, to: Path, compress_above: int, limit: int) -> ExportResult:
        """The export of :meth:`storage.base.StoreBase.export_to` on PostgreSQL.

        Why: the chat's rows were read in one query and parsed on the event loop (2,000 large reports:
        gigabytes, and seconds with the loop held). Now a thread writes the file and asks the loop for
        one page of :data:`storage.export.EXPORT_BATCH` rows at a time (keyset by id, a pooled connection
        per page, held only for its query); it parses and writes each page itself, so memory is bounded
        by a page and the loop only waits on the server (SQLite's export runs in a process of its own
        instead: its reader shares the file; here the server does the reading).
        """
        loop = asyncio.get_running_loop()

        def on_loop(sql: str, *args: Any) -> list[Any]:
            return asyncio.run_coroutine_threadsafe(self._read(sql, *args), loop).result()

        def pages() -> Iterator[list[Any]]:
            after = 0
            while rows := on_loop(EXPORT_ROWS + " LIMIT ?", chat_id, after, EXPORT_BATCH):
                yield rows
                after = rows[-1]["id"]

        return await asyncio.to_thread(
            write_rows,
            fmt,
            pages(),
            to,
            compress_above=compress_above,
            limit=limit,
            skip=log_skipped,
            count=lambda: int(on_loop(EXPORT_COUNT, chat_id)[0][0]),
        )

    async def _read(self, sql: str, *args: Any) -> list[Any]:
        """One query (``?`` placeholders) on a pooled connection."""
        async with self._reading() as conn:
            return await self._fetch(conn, sql, *args)

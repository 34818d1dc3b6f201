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
import json
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

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
    read_report,
)
from storage.formats import EXPORT_FORMATS, export_format
from storage.migrations import LATEST_VERSION
from storage.postgres_desk import PostgresDeskStore, affected
from storage.postgres_migrations import POSTGRES_MIGRATIONS
from storage.rows import (
    ANALYSIS_COLUMNS,
    ANALYSIS_SELECT,
    CHAT_MODES,
    DEFAULT_CHAT_MODE,
    SEARCH_BUCKET,
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
    bucket_word,
    channel_name,
    claim_rows,
    dumps,
    from_row,
    fts_query,
    iso,
    source_rows,
    unverified_rows,
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
        *,
        max_attempts: int,
        retry_base_seconds: float,
        busy_timeout: float,
        clock: Callable[[], datetime],
        lease_seconds: float,
    ) -> None:
        """Use :meth:`open`; this only keeps what it is given."""
        self._pool = pool
        #: One connection of its own for renewing leases: a renewal never queues behind a burst of work
        #: waiting for the main pool (it would come too late, and another process would take the work).
        self._lease_pool = lease_pool
        self._where = redacted(dsn)
        self._max_attempts = max_attempts
        self._retry_base = timedelta(seconds=retry_base_seconds)
        self._busy_timeout = busy_timeout
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._closed = False
        self._session = uuid.uuid4().hex

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

    # -- inbox ------------------------------------------------------------------------------------

    # -- received updates ---------------------------------------------------------------------------

    async def received_add(self, update_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update as it arrives from Telegram; False when it is kept already (sent again, to this
        process or another)."""
        async with self._transaction() as conn:
            added = await conn.fetchval(
                "INSERT INTO received_updates (update_id, raw, received_at) VALUES ($1, $2, $3)"
                " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                update_id,
                dumps(raw),
                iso(self._now()),
            )
        return added is not None

    async def received_done(self, update_id: int) -> None:
        """The update's handlers have run: it is not handled again after a restart."""
        async with self._transaction() as conn:
            await conn.execute("DELETE FROM received_updates WHERE update_id = $1", update_id)

    async def received_left(self) -> list[dict[str, Any]]:
        """Updates received but never handled (their process died), oldest first.

        With several processes this also lists updates another live process is handling right now: an
        article among them is answered once all the same (its update is added to the inbox once, and
        only the process that added it answers), a command could be answered twice in that moment.
        Why not only updates older than the lease: a process restarted within it would leave its own
        unhandled updates until some later restart.
        """
        async with self._reading() as conn:
            rows = await conn.fetch("SELECT raw FROM received_updates ORDER BY update_id")
        return [json.loads(row["raw"]) for row in rows]

    async def inbox_add(self, *, update_id: int, chat_id: int, message_id: int, raw: dict[str, Any]) -> bool:
        """Keep an update before its analysis starts, taken by this process (leased); False when this
        update id is already known (another process had it first, or Telegram delivered it again)."""
        now = self._now()
        async with self._transaction() as conn:
            added = await conn.fetchval(
                "INSERT INTO inbox (update_id, chat_id, message_id, raw, status, attempts, session,"
                " next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7, $7)"
                " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                update_id,
                chat_id,
                message_id,
                dumps(raw),
                self._session,
                iso(now + self._lease),
                iso(now),
            )
        return added is not None

    async def inbox_get(self, update_id: int) -> InboxItem | None:
        """The inbox item of this update, or None."""
        async with self._reading() as conn:
            rows = await conn.fetch("SELECT * FROM inbox WHERE update_id = $1", update_id)
        return next(iter(self._inbox_items(rows)), None)

    async def inbox_mark_done(self, update_id: int, *, reply_message_id: int | None, analysis_id: int | None) -> None:
        """The update was answered (``reply_message_id``) with this analysis (None: no analysis)."""
        async with self._transaction() as conn:
            status = await conn.execute(
                "UPDATE inbox SET status = 'done', reply_message_id = $1, analysis_id = $2,"
                " next_attempt_at = NULL, updated_at = $3 WHERE update_id = $4",
                reply_message_id,
                analysis_id,
                iso(self._now()),
                update_id,
            )
        if affected(status) == 0:
            raise KeyError(f"no inbox item for update {update_id}")

    async def inbox_mark_failed(self, update_id: int, reason: str) -> InboxItem:
        """One more failed attempt: status "retry" (with the next attempt's time) or "gave_up"."""
        now = self._now()
        async with self._transaction() as conn:
            attempts = await conn.fetchval("SELECT attempts FROM inbox WHERE update_id = $1 FOR UPDATE", update_id)
            if attempts is None:
                raise KeyError(f"no inbox item for update {update_id}")
            attempts += 1
            status, next_attempt_at = self._after_failure(attempts, now)
            rows = await conn.fetch(
                "UPDATE inbox SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4,"
                " updated_at = $5 WHERE update_id = $6 RETURNING *",
                status,
                attempts,
                reason[:MAX_ERROR_CHARS],
                next_attempt_at,
                iso(now),
                update_id,
            )
        if status == "gave_up":
            log.warning("storage: gave up on update %d after %d attempts: %s", update_id, attempts, reason)
        return self._inbox_items(rows)[0]

    async def inbox_mark_reported(self, update_id: int) -> None:
        """The give-up of this update was told to its chat (so it is never told twice)."""
        async with self._transaction() as conn:
            await conn.execute(
                "UPDATE inbox SET reported = 1, updated_at = $1 WHERE update_id = $2", iso(self._now()), update_id
            )

    async def inbox_due(self, *, now: datetime | None = None) -> list[InboxItem]:
        """Take the items to analyse now (see :meth:`storage.store.Store.inbox_due`); rows another
        process is taking at the same moment are skipped (``FOR UPDATE SKIP LOCKED``), so each item
        goes to one process."""
        moment = now or self._now()
        async with self._transaction() as conn:
            rows = await conn.fetch(
                "UPDATE inbox SET status = 'pending', session = $1, next_attempt_at = $2, updated_at = $3"
                " WHERE update_id IN (SELECT update_id FROM inbox"
                "   WHERE status IN ('pending', 'retry') AND NOT (status = 'pending' AND session = $1)"
                "     AND coalesce(next_attempt_at, '') <= $3"
                "   FOR UPDATE SKIP LOCKED)"
                " RETURNING *",
                self._session,
                iso(moment + self._lease),
                iso(moment),
            )
        return sorted(self._inbox_items(rows), key=lambda item: item.update_id)

    async def inbox_renew(self, *, now: datetime | None = None) -> int:
        """Renew the lease of every item this process holds (see :meth:`storage.store.Store.inbox_renew`)."""
        moment = now or self._now()
        async with self._reading(self._lease_pool) as conn:  # one statement: a transaction of its own
            status = await conn.execute(
                "UPDATE inbox SET next_attempt_at = $1 WHERE status = 'pending' AND session = $2",
                iso(moment + self._lease),
                self._session,
            )
        return affected(status)

    async def answered(self, chat_id: int, message_id: int) -> Answered | None:
        """How the bot last answered this message of this chat (see :meth:`storage.store.Store.answered`)."""
        async with self._reading() as conn:
            row = await conn.fetchrow(
                "SELECT reply_message_id, analysis_id FROM inbox WHERE chat_id = $1 AND message_id = $2"
                " AND status = 'done' AND reply_message_id IS NOT NULL ORDER BY update_id DESC LIMIT 1",
                chat_id,
                message_id,
            )
        return None if row is None else from_row(Answered, row)

    async def inbox_unreported(self) -> list[InboxItem]:
        """Items given up on whose chat was not told yet (e.g. the process died before telling)."""
        async with self._reading() as conn:
            rows = await conn.fetch("SELECT * FROM inbox WHERE status = 'gave_up' AND reported = 0 ORDER BY update_id")
        return self._inbox_items(rows)

    # -- articles, reports, analyses --------------------------------------------------------------

    async def cached_report(self, text: str, extractor_version: str) -> Report | None:
        """The stored report of this article (same normalised text, any chat) by this extractor version."""
        async with self._reading() as conn:
            row = await conn.fetchrow(
                "SELECT id, report FROM reports WHERE article_key = $1 AND extractor_version = $2",
                article_key(text),
                extractor_version,
            )
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
        """Store one analysis; the article and its report (per extractor version) are stored once,
        also when two processes save the same article at the same moment. ``title`` is what lists
        show (default: the report's)."""
        key = article_key(text)
        now = iso(self._now())
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO articles (key, text, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                key,
                text,
                now,
            )
            report_id = await conn.fetchval(
                "INSERT INTO reports (article_key, extractor_version, report, created_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (article_key, extractor_version) DO NOTHING RETURNING id",
                key,
                report.extractor_version,
                dumps(report.to_dict()),
                now,
            )
            if report_id is not None:
                await conn.executemany(
                    "INSERT INTO claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    claim_rows(report_id, report),
                )
                await conn.executemany(
                    "INSERT INTO sources (report_id, source_id, name, aliases, kind, role, named)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                    source_rows(report_id, report),
                )
                await conn.executemany(
                    "INSERT INTO unverified (report_id, claim_id, reason, evidence, span_start, span_end)"
                    " VALUES ($1, $2, $3, $4, $5, $6)",
                    unverified_rows(report_id, report),
                )
            else:
                report_id = await conn.fetchval(
                    "SELECT id FROM reports WHERE article_key = $1 AND extractor_version = $2",
                    key,
                    report.extractor_version,
                )
            channel = channel_name(origin)
            analysis_id = await conn.fetchval(
                "INSERT INTO analyses (chat_id, message_id, article_key, report_id, title, origin, channel,"
                " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                chat_id,
                message_id,
                key,
                report_id,
                title or report.article.title,
                dumps(origin.to_dict()),
                channel,
                now,
            )
            if channel is not None:
                await self._execute(conn, CHANNEL_INSERT, chat_id, channel)
            await conn.execute(  # only the latest analysis of an article in a chat is searched
                "DELETE FROM chat_search WHERE analysis_id IN"
                " (SELECT id FROM analyses WHERE chat_id = $1 AND article_key = $2 AND id < $3)",
                chat_id,
                key,
                analysis_id,
            )
            entries = await conn.fetchval(
                "SELECT (SELECT count(*) FROM claims WHERE report_id = $1)"
                " + (SELECT count(*) FROM sources WHERE report_id = $1)",
                report_id,
            )
            await conn.execute(
                "INSERT INTO search_chats (chat_id) VALUES ($1) ON CONFLICT (chat_id) DO NOTHING", chat_id
            )
            chat = await conn.fetchrow(  # the row lock orders two processes adding to one chat
                "UPDATE search_chats SET next_entry = next_entry + $2 WHERE chat_id = $1"
                " RETURNING block, next_entry - $2 AS first",
                chat_id,
                entries,
            )
            assert chat is not None  # inserted above when missing
            await conn.execute(
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
            row = await conn.fetchrow(ANALYSIS_SELECT + " WHERE a.id = $1", analysis_id)
        assert row is not None  # inserted above, in the same transaction
        return analysis(row)

    async def get_analysis(self, analysis_id: int, *, chat_id: int) -> StoredAnalysis | None:
        """The analysis with its report and text; None when unknown or it belongs to another chat."""
        async with self._reading() as conn:
            row = await conn.fetchrow(
                f"SELECT {ANALYSIS_COLUMNS}, r.report, ar.text FROM analyses a"
                " JOIN reports r ON r.id = a.report_id JOIN articles ar ON ar.key = a.article_key"
                " WHERE a.id = $1 AND a.chat_id = $2",
                analysis_id,
                chat_id,
            )
        return self._stored(row, analysis_id)

    async def history(self, chat_id: int, limit: int = 10) -> list[Analysis]:
        """The last ``limit`` articles analysed in this chat, newest first (see
        :meth:`storage.store.Store.history`)."""
        async with self._reading() as conn:
            rows = await conn.fetch(
                ANALYSIS_SELECT + f" WHERE a.chat_id = $1 AND a.id = {LATEST_OF_ARTICLE} ORDER BY a.id DESC LIMIT $2",
                chat_id,
                max(limit, 0),
            )
        return [item for item, _ in self._parsed(rows, read_report=lambda row: None)]

    async def search(self, chat_id: int, query: str, limit: int = 20) -> list[SearchHit]:
        """Claims and sources of this chat's analyses that contain all words of ``query`` (see
        :meth:`storage.store.Store.search`), best first by ``ts_rank``: every word quoted for
        ``websearch_to_tsquery``, so none is an operator. The GIN index over (chat, entry, words) finds
        the chat's matches among its newest :data:`~storage.rows.SEARCH_WINDOW` entries (all of them when
        the chat has fewer, or those hold fewer than ``limit`` matches); the materialised step keeps the
        planner on that index whatever the words' frequency elsewhere."""
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        async with self._reading() as conn:
            hits = await self._matching_entries(conn, chat_id, match, limit)
            if len(hits) < limit:  # articles come last: looked for only when there is room for them
                hits += await self._articles_by_channel(conn, chat_id, query, limit - len(hits))
        return hits

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

    async def export_to(self, chat_id: int, fmt: str, destination: str | os.PathLike[str]) -> int:
        """Write all analyses of this chat, oldest first, to the file ``destination`` (see
        :meth:`storage.store.Store.export_to`); how many were written (unreadable reports skipped, logged).

        The chat's rows are read in one query and the file is written in a thread, so the event loop is
        not held while it is written (SQLite's export runs in a process of its own instead: its reader
        shares the file; here the server does the reading).
        """
        output = export_format(fmt)
        if output is None or output.export is None:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        async with self._reading() as conn:
            rows = await conn.fetch(
                f"SELECT {ANALYSIS_COLUMNS}, r.report FROM analyses a JOIN reports r ON r.id = a.report_id"
                " WHERE a.chat_id = $1 ORDER BY a.id",
                chat_id,
            )
        items = self._parsed(rows, read_report=lambda row: read_report(row["report"]))
        export = output.export

        def write() -> None:
            with Path(destination).open("w", encoding="utf-8", newline="") as out:
                export(items, out)

        await asyncio.to_thread(write)
        return len(items)

    async def forget_chat(self, chat_id: int) -> int:
        """Delete everything stored for this chat (see :meth:`storage.store.Store.forget_chat`)."""
        async with self._transaction() as conn:
            deleted = 0
            for table in ("inbox", "analyses", "chat_settings", "chat_memories"):
                deleted += affected(await conn.execute(f"DELETE FROM {table} WHERE chat_id = $1", chat_id))
            await conn.execute("DELETE FROM search_chats WHERE chat_id = $1", chat_id)  # its entries went with analyses
            deleted += await self._delete_orphans(conn)
        log.info("storage: forgot chat %d (%d records)", chat_id, deleted)
        return deleted

    async def forget_analysis(self, analysis_id: int, *, chat_id: int) -> bool:
        """Delete one analysis of this chat (see :meth:`storage.store.Store.forget_analysis`); its search
        entries go with it; False when there was none."""
        async with self._transaction() as conn:
            status = await conn.execute("DELETE FROM analyses WHERE id = $1 AND chat_id = $2", analysis_id, chat_id)
            if affected(status):
                await self._delete_orphans(conn)
        return bool(affected(status))

    async def purge_older_than(self, days: int, *, now: datetime | None = None) -> int:
        """Retention: delete analyses (and finished inbox items) older than ``days`` days, then
        articles and reports nothing refers to any more; the number of records deleted."""
        if days < 0:
            raise ValueError("days must not be negative")
        cutoff = iso((now or self._now()) - timedelta(days=days))
        async with self._transaction() as conn:
            deleted = affected(await conn.execute("DELETE FROM analyses WHERE created_at < $1", cutoff))
            deleted += affected(
                await conn.execute(
                    "DELETE FROM inbox WHERE updated_at < $1"
                    " AND (status = 'done' OR (status = 'gave_up' AND reported = 1))",
                    cutoff,
                )
            )
            deleted += affected(await conn.execute("DELETE FROM fetched_pages WHERE fetched_at < $1", cutoff))
            deleted += await self._delete_orphans(conn)
        if deleted:
            log.info("storage: retention purged %d records older than %s", deleted, cutoff)
        return deleted

    @staticmethod
    async def _delete_orphans(conn: PoolConnectionProxy[asyncpg.Record]) -> int:
        deleted = affected(
            await conn.execute(
                "DELETE FROM reports r WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.report_id = r.id)"
            )
        )
        await conn.execute(  # claims the chat no longer holds are no longer remembered (not counted)
            "DELETE FROM statements s WHERE NOT EXISTS (SELECT 1 FROM statement_claims c WHERE c.statement_id = s.id)"
        )
        await conn.execute(CHANNEL_ORPHANS)  # names no article came from any more (not counted)
        return deleted + affected(
            await conn.execute(
                "DELETE FROM articles ar WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.article_key = ar.key)"
                " AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.article_key = ar.key)"
            )
        )

    # -- fetched pages ----------------------------------------------------------------------------

    async def cached_page(self, url: str, *, max_age: timedelta | None = None) -> FetchedPage | None:
        """The page fetched for ``url`` (as requested, or as a final URL), when younger than ``max_age``."""
        since = iso(self._now() - max_age) if max_age is not None else ""
        async with self._reading() as conn:
            row = await conn.fetchrow(
                "SELECT url, text, title, site_name, published FROM fetched_pages"
                " WHERE (url = $1 OR url = (SELECT page_url FROM fetched_urls WHERE url = $1)) AND fetched_at >= $2",
                url,
                since,
            )
        if row is None:
            return None
        return from_row(FetchedPage, row)

    async def save_page(self, requested_url: str, page: FetchedPage) -> None:
        """Keep a fetched page by its final URL (replacing an older fetch) and the URL that led to it."""
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO fetched_pages (url, text, title, site_name, published, fetched_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO UPDATE SET text = excluded.text,"
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
                await conn.execute(
                    "INSERT INTO fetched_urls (url, page_url) VALUES ($1, $2)"
                    " ON CONFLICT (url) DO UPDATE SET page_url = excluded.page_url",
                    requested_url,
                    page.url,
                )

    # -- per-chat state ---------------------------------------------------------------------------

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """This chat's settings (defaults when none were set)."""
        async with self._reading() as conn:
            row = await conn.fetchrow("SELECT * FROM chat_settings WHERE chat_id = $1", chat_id)
        if row is None:
            return ChatSettings(chat_id=chat_id, mode=DEFAULT_CHAT_MODE, channel_reports=False, unreachable=None)
        mode = row["mode"] if row["mode"] in CHAT_MODES else DEFAULT_CHAT_MODE
        return from_row(ChatSettings, row, mode=mode, channel_reports=bool(row["channel_reports"]))

    async def _set(self, chat_id: int, column: SettingColumn, value: Any) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                f"INSERT INTO chat_settings (chat_id, {column}, updated_at) VALUES ($1, $2, $3)"
                f" ON CONFLICT (chat_id) DO UPDATE SET {column} = excluded.{column},"
                " updated_at = excluded.updated_at",
                chat_id,
                value,
                iso(self._now()),
            )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its history, inbox and settings move to the new id."""
        async with self._transaction() as conn:
            for table in ("analyses", "inbox", "chat_search"):
                await conn.execute(f"UPDATE {table} SET chat_id = $1 WHERE chat_id = $2", new_chat_id, old_chat_id)
            # the entry numbers go with the chat (a supergroup's id is new: nothing to merge with)
            await conn.execute(
                "UPDATE search_chats SET chat_id = $1 WHERE chat_id = $2"
                " AND NOT EXISTS (SELECT 1 FROM search_chats WHERE chat_id = $1)",
                new_chat_id,
                old_chat_id,
            )
            await conn.execute(
                "INSERT INTO chat_settings (chat_id, mode, channel_reports, unreachable, verdicts_by, updated_at)"
                " SELECT $1, mode, channel_reports, NULL, verdicts_by, $2 FROM chat_settings WHERE chat_id = $3"
                " ON CONFLICT (chat_id) DO NOTHING",
                new_chat_id,
                iso(self._now()),
                old_chat_id,
            )
            await conn.execute(
                "UPDATE chat_memories SET chat_id = $1 WHERE chat_id = $2"
                " AND NOT EXISTS (SELECT 1 FROM chat_memories WHERE chat_id = $1)",
                new_chat_id,
                old_chat_id,
            )
            await conn.execute(
                "INSERT INTO chat_channels (chat_id, name) SELECT $1, name FROM chat_channels WHERE chat_id = $2"
                " ON CONFLICT DO NOTHING",
                new_chat_id,
                old_chat_id,
            )
            await conn.execute("DELETE FROM chat_channels WHERE chat_id = $1", old_chat_id)
            await conn.execute("DELETE FROM chat_settings WHERE chat_id = $1", old_chat_id)

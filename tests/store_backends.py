"""One fresh database of either storage backend, for the storage tests (the ``store_backend`` fixture).

``StoreBackend`` opens stores on it and reaches into it the way a test needs to (row counts, raw SQL,
a lock held by another connection), so that one test body runs against SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from storage import Storage, open_store
from storage.base import DEFAULT_LEASE_SECONDS

BackendName = Literal["sqlite", "postgresql"]
_PLACEHOLDER = re.compile(r"\?")


@dataclass(frozen=True)
class StoreBackend:
    """``db`` is a SQLite file path or a PostgreSQL DSN, as ``CLAIMDESK_DB`` would name it."""

    name: BackendName
    db: str

    async def open(
        self,
        *,
        max_attempts: int = 3,
        retry_base_seconds: float = 30.0,
        busy_timeout: float = 5.0,
        clock: Callable[[], datetime] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> Storage:
        return await open_store(
            self.db,
            max_attempts=max_attempts,
            retry_base_seconds=retry_base_seconds,
            busy_timeout=busy_timeout,
            clock=clock,
            lease_seconds=lease_seconds,
        )

    async def execute(self, sql: str, *args: Any) -> None:
        """Run SQL with ``?`` placeholders outside any store (as another program would)."""
        if self.name == "sqlite":
            with closing(sqlite3.connect(self.db, isolation_level=None)) as db:
                db.execute(sql, args)
            return
        numbers = iter(range(1, len(args) + 1))
        conn = await asyncpg.connect(self.db)
        try:
            await conn.execute(_PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql), *args)
        finally:
            await conn.close()

    async def fetchval(self, sql: str) -> Any:
        """The first column of the first row of a query run outside any store."""
        if self.name == "sqlite":
            with closing(sqlite3.connect(self.db)) as db:
                return db.execute(sql).fetchone()[0]
        conn = await asyncpg.connect(self.db)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    async def count(self, table: str) -> int:
        return int(await self.fetchval(f"SELECT count(*) FROM {table}"))

    async def schema_version(self) -> int:
        if self.name == "sqlite":
            return int(await self.fetchval("PRAGMA user_version"))
        return int(await self.fetchval("SELECT version FROM claimdesk_schema"))

    async def set_schema_version(self, version: int) -> None:
        """Mark the (empty) database as written at this schema version."""
        if self.name == "sqlite":
            await self.execute(f"PRAGMA user_version = {version}")
            return
        await self.execute("CREATE TABLE IF NOT EXISTS claimdesk_schema (version INTEGER NOT NULL)")
        await self.execute("DELETE FROM claimdesk_schema")
        await self.execute("INSERT INTO claimdesk_schema (version) VALUES (?)", version)

    @asynccontextmanager
    async def write_locked(self, table: str) -> AsyncIterator[None]:
        """Another connection holds a write lock (on the whole SQLite file; on ``table`` in PostgreSQL)."""
        if self.name == "sqlite":
            other = sqlite3.connect(self.db, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                yield
                other.execute("ROLLBACK")
            finally:
                other.close()
            return
        conn = await asyncpg.connect(self.db)
        try:
            async with conn.transaction():
                await conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                yield
        finally:
            await conn.close()

"""Claimdesk storage: the inbox, articles, reports and chat state, in one SQLite file (aiosqlite, the
default) or one PostgreSQL database shared by several processes (asyncpg), chosen by ``CLAIMDESK_DB``."""

from collections.abc import Callable
from datetime import datetime

from storage.base import DEFAULT_LEASE_SECONDS, StorageError
from storage.postgres import PostgresStore, is_postgres_url
from storage.rows import (
    CHAT_MODES,
    DEFAULT_CHAT_MODE,
    Analysis,
    Answered,
    ChatMode,
    ChatSettings,
    InboxItem,
    SearchHit,
    StoredAnalysis,
    article_key,
    normalise,
)
from storage.store import Store

#: Either backend: both have the same methods, arguments and behaviour.
Storage = Store | PostgresStore


async def open_store(
    db: str,
    *,
    max_attempts: int = 3,
    retry_base_seconds: float = 30.0,
    busy_timeout: float = 5.0,
    clock: Callable[[], datetime] | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> Storage:
    """Open the database the ``CLAIMDESK_DB`` setting names: a ``postgresql://`` URL, else a SQLite file."""
    backend = PostgresStore if is_postgres_url(db) else Store
    return await backend.open(
        db,
        max_attempts=max_attempts,
        retry_base_seconds=retry_base_seconds,
        busy_timeout=busy_timeout,
        clock=clock,
        lease_seconds=lease_seconds,
    )


__all__ = [
    "CHAT_MODES",
    "DEFAULT_CHAT_MODE",
    "Analysis",
    "Answered",
    "ChatMode",
    "ChatSettings",
    "InboxItem",
    "PostgresStore",
    "SearchHit",
    "StorageError",
    "Storage",
    "Store",
    "StoredAnalysis",
    "article_key",
    "normalise",
    "open_store",
]

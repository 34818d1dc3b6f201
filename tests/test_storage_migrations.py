"""Migrations on both engines: upgrading an old database, atomic migrations, statement splitting, the
PostgreSQL migrations numbered like the SQLite ones, processes starting together migrating once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from storage import PostgresStore, Storage, StorageError, Store, article_key
from storage import postgres as postgres_module
from storage import store as store_module
from storage.migrations import LATEST_VERSION, MIGRATIONS, statements
from storage.postgres_migrations import POSTGRES_MIGRATIONS

CREATED = "2026-01-05T10:00:00+00:00"
TEXT = "The river ferry resumed service, the mayor said."


def make_database(path: Path, up_to: int) -> None:
    """A database as migrations 1..``up_to`` alone leave it (an older Claimdesk)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for version in range(1, up_to + 1):
            db.execute("BEGIN")
            for statement in statements(MIGRATIONS[version - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")


async def make_postgres_database(dsn: str, up_to: int) -> None:
    """A PostgreSQL database as migrations 1..``up_to`` alone leave it."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE claimdesk_schema (version INTEGER NOT NULL)")
        for version in range(1, up_to + 1):
            async with conn.transaction():
                await conn.execute(POSTGRES_MIGRATIONS[version - 1])
                await conn.execute("DELETE FROM claimdesk_schema")
                await conn.execute("INSERT INTO claimdesk_schema VALUES ($1)", version)
    finally:
        await conn.close()


async def postgres_version(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT version FROM claimdesk_schema"))
    finally:
        await conn.close()


def version_1_rows() -> list[tuple[str, tuple[object, ...]]]:
    """One analysis with one claim and one source, written the way schema version 1 stores them."""
    report = {
        "article": {
            "title": "Ferry",
            "outlet": None,
            "published": None,
            "language": "en",
            "words": 8,
            "sha256": "0" * 64,
        },
        "summary": [],
        "sources": [
            {
                "id": "s1",
                "name": "Mayor Okonkwo",
                "aliases": [],
                "kind": "person",
                "role": "mayor",
                "named": True,
                "claims": ["c1"],
            }
        ],
        "claims": [
            {
                "id": "c1",
                "text": "the river ferry resumed service",
                "span": [0, 31],
                "source_id": "s1",
                "cue": "said",
                "kind": "paraphrase",
                "figures": [],
                "hedges": [],
                "checkworthiness": 0.0,
            }
        ],
        "attributions": [],
        "unverified": [],
        "extractor_version": "old-1",
        "schema": "claimdesk.report/1",
    }
    key = article_key(TEXT)
    return [
        ("INSERT INTO articles VALUES (?, ?, ?)", (key, TEXT, CREATED)),
        (
            "INSERT INTO reports (id, article_key, extractor_version, report, created_at) VALUES (1, ?, ?, ?, ?)",
            (key, "old-1", json.dumps(report), CREATED),
        ),
        (
            "INSERT INTO analyses (id, chat_id, message_id, article_key, report_id, title, origin,"
            " created_at) VALUES (1, 42, 7, ?, 1, 'Ferry', '{}', ?)",
            (key, CREATED),
        ),
        (
            "INSERT INTO claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)"
            " VALUES (1, 'c1', 'the river ferry resumed service', 's1', 'said', 'paraphrase', 0, 31)",
            (),
        ),
        (
            "INSERT INTO sources (report_id, source_id, name, aliases, kind, role, named)"
            " VALUES (1, 's1', 'Mayor Okonkwo', '[]', 'person', 'mayor', 1)",
            (),
        ),
    ]


def insert_version_1_analysis(path: Path, rows: list[tuple[str, tuple[object, ...]]] | None = None) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for sql, args in rows or version_1_rows():
            db.execute(sql, args)


async def insert_version_1_analysis_postgres(
    dsn: str, rows: list[tuple[str, tuple[object, ...]]] | None = None
) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for sql, args in rows or version_1_rows():
            for number in range(1, len(args) + 1):
                sql = sql.replace("?", f"${number}", 1)
            await conn.execute(sql, *args)
    finally:
        await conn.close()


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def assert_version_1_analysis_searchable(store: Storage) -> None:
    assert [(h.kind, h.text) for h in await store.search(42, "ferry service")] == [
        ("claim", "the river ferry resumed service")
    ]
    assert [h.text for h in await store.search(42, "Okonkwo")] == ["Mayor Okonkwo"]
    stored = await store.get_analysis(1, chat_id=42)
    assert stored is not None and stored.report.claims[0].cue == "said"


async def test_migrations_upgrade_version_1_database_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_database(path, up_to=1)
    insert_version_1_analysis(path)
    assert user_version(path) == 1
    async with await Store.open(path) as store:
        await assert_version_1_analysis_searchable(store)
    assert user_version(path) == LATEST_VERSION


async def test_migrations_postgres_upgrade_version_1_database_to_latest(postgres_db: str) -> None:
    await make_postgres_database(postgres_db, up_to=1)
    await insert_version_1_analysis_postgres(postgres_db)
    async with await PostgresStore.open(postgres_db) as store:
        await assert_version_1_analysis_searchable(store)
    assert await postgres_version(postgres_db) == LATEST_VERSION


#: Analyses of the version-1 article in chats of their own, as a version-8 database holds them: by origin,
#: the name migration 9 gives each (None: no channel).
CHANNEL_ORIGINS = [
    (43, '{"kind":"channel","chat_title":"London Desk","links":[]}', "London Desk"),
    (44, '{"kind":"user","chat_title":"","sender_name":"Ana Díaz","links":[]}', "Ana Díaz"),
    (45, "not json", None),
    (46, '["a list"]', None),
]


def channel_rows() -> list[tuple[str, tuple[object, ...]]]:
    return [
        (
            "INSERT INTO analyses (id, chat_id, message_id, article_key, report_id, title, origin, created_at)"
            " VALUES (?, ?, 1, ?, 1, 'Ferry', ?, ?)",
            (analysis_id, chat_id, article_key(TEXT), origin, CREATED),
        )
        for analysis_id, (chat_id, origin, _) in enumerate(CHANNEL_ORIGINS, start=2)
    ]


async def assert_channels_found(store: Storage) -> None:
    for chat_id, _, name in CHANNEL_ORIGINS:
        query = name.split()[-1].upper() if name else "json"
        assert [(h.kind, h.text) for h in await store.search(chat_id, query)] == ([("article", name)] if name else [])


async def test_migrations_9_gives_existing_analyses_their_channel(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_database(path, up_to=8)
    insert_version_1_analysis(path, version_1_rows() + channel_rows())
    async with await Store.open(path) as store:
        await assert_channels_found(store)


async def test_migrations_postgres_9_gives_existing_analyses_their_channel(postgres_db: str) -> None:
    await make_postgres_database(postgres_db, up_to=8)
    await insert_version_1_analysis_postgres(postgres_db, version_1_rows() + channel_rows())
    async with await PostgresStore.open(postgres_db) as store:
        await assert_channels_found(store)


def test_migrations_postgres_has_every_sqlite_migration() -> None:
    assert len(POSTGRES_MIGRATIONS) == len(MIGRATIONS) == LATEST_VERSION


async def test_migrations_postgres_processes_starting_together_migrate_once(postgres_db: str) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(postgres_db) for _ in range(4)))
    try:
        assert await postgres_version(postgres_db) == LATEST_VERSION
        assert [await s.inbox_add(update_id=1, chat_id=1, message_id=1, raw={}) for s in stores] == [
            True,
            False,
            False,
            False,
        ]
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_migrations_postgres_failing_migration_is_rolled_back(
    postgres_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_postgres_database(postgres_db, up_to=LATEST_VERSION)
    broken = "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(postgres_module, "POSTGRES_MIGRATIONS", (*POSTGRES_MIGRATIONS, broken))
    monkeypatch.setattr(postgres_module, "LATEST_VERSION", LATEST_VERSION + 1)
    with pytest.raises(StorageError, match="no_such_table"):
        await PostgresStore.open(postgres_db)
    assert await postgres_version(postgres_db) == LATEST_VERSION
    conn = await asyncpg.connect(postgres_db)
    try:
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
    finally:
        await conn.close()


async def test_migrations_reopening_latest_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "current.sqlite3"
    make_database(path, up_to=LATEST_VERSION)
    async with await Store.open(path):
        pass
    assert user_version(path) == LATEST_VERSION


async def test_migrations_failing_migration_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "broken.sqlite3"
    make_database(path, up_to=LATEST_VERSION)
    broken = "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    monkeypatch.setattr(store_module, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(store_module, "LATEST_VERSION", LATEST_VERSION + 1)
    with pytest.raises(StorageError, match="no_such_table"):
        await Store.open(path)
    assert user_version(path) == LATEST_VERSION
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables


@pytest.mark.parametrize("version", range(1, LATEST_VERSION + 1))
def test_migrations_statements_are_complete(version: int) -> None:
    parts = statements(MIGRATIONS[version - 1])
    assert parts
    assert all(sqlite3.complete_statement(part) for part in parts)


def test_migrations_statements_keep_trigger_bodies_whole() -> None:
    script = (
        "CREATE TABLE t (x);\n-- a comment\nCREATE TRIGGER g AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
    )
    parts = statements(script)
    assert len(parts) == 2
    assert parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END;")


def test_migrations_statements_reject_incomplete_sql() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        statements("CREATE TABLE t (x);\nCREATE TABLE u (")


#: Statements of two chats' memories as a version-9 database holds them: (memory id, chat id, tokens).
MEMORY_STATEMENTS = [(1, 7, "m1xbridg m1xriver"), (1, 7, "m1xbridg m1xshell"), (2, 8, "m2xbridg")]


def memory_rows() -> list[tuple[str, tuple[object, ...]]]:
    memories = sorted({(memory, chat) for memory, chat, _ in MEMORY_STATEMENTS})
    return [("INSERT INTO chat_memories (id, chat_id) VALUES (?, ?)", pair) for pair in memories] + [
        (
            "INSERT INTO statements (memory_id, digest, key, source_name, tokens) VALUES (?, ?, '{}', NULL, ?)",
            (memory, f"d{n}", tokens),
        )
        for n, (memory, _, tokens) in enumerate(MEMORY_STATEMENTS)
    ]


async def test_migrations_10_counts_the_statements_already_stored(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_database(path, up_to=9)
    insert_version_1_analysis(path, memory_rows())
    async with await Store.open(path):
        pass
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT chat_id, statements FROM chat_memories ORDER BY chat_id").fetchall() == [
            (7, 2),
            (8, 1),
        ]
        assert dict(db.execute("SELECT token, doc FROM statement_terms").fetchall()) == {
            "m1xbridg": 2,
            "m1xriver": 1,
            "m1xshell": 1,
            "m2xbridg": 1,
        }


async def test_migrations_postgres_10_counts_the_statements_already_stored(postgres_db: str) -> None:
    await make_postgres_database(postgres_db, up_to=9)
    await insert_version_1_analysis_postgres(postgres_db, memory_rows())
    async with await PostgresStore.open(postgres_db):
        pass
    conn = await asyncpg.connect(postgres_db)
    try:
        rows = await conn.fetch("SELECT chat_id, statements FROM chat_memories ORDER BY chat_id")
    finally:
        await conn.close()
    assert [tuple(row) for row in rows] == [(7, 2), (8, 1)]

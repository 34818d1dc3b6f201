"""Migrations: upgrading an old database, atomic migrations, statement splitting."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import StorageError, Store, article_key
from storage import store as store_module
from storage.migrations import LATEST_VERSION, MIGRATIONS, statements

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


def insert_version_1_analysis(path: Path) -> None:
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
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("INSERT INTO articles VALUES (?, ?, ?)", (key, TEXT, CREATED))
        db.execute(
            "INSERT INTO reports (id, article_key, extractor_version, report, created_at) VALUES (1, ?, ?, ?, ?)",
            (key, "old-1", json.dumps(report), CREATED),
        )
        db.execute(
            "INSERT INTO analyses (id, chat_id, message_id, article_key, report_id, title, origin,"
            " created_at) VALUES (1, 42, 7, ?, 1, 'Ferry', '{}', ?)",
            (key, CREATED),
        )
        db.execute(
            "INSERT INTO claims (report_id, claim_id, text, source_id, cue, kind, span_start, span_end)"
            " VALUES (1, 'c1', 'the river ferry resumed service', 's1', 'said', 'paraphrase', 0, 31)"
        )
        db.execute(
            "INSERT INTO sources (report_id, source_id, name, aliases, kind, role, named)"
            " VALUES (1, 's1', 'Mayor Okonkwo', '[]', 'person', 'mayor', 1)"
        )


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def test_migrations_upgrade_version_1_database_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_database(path, up_to=1)
    insert_version_1_analysis(path)
    assert user_version(path) == 1
    async with await Store.open(path) as store:
        assert [(h.kind, h.text) for h in await store.search(42, "ferry service")] == [
            ("claim", "the river ferry resumed service")
        ]
        assert [h.text for h in await store.search(42, "Okonkwo")] == ["Mayor Okonkwo"]
        stored = await store.get_analysis(1, chat_id=42)
        assert stored is not None and stored.report.claims[0].cue == "said"
    assert user_version(path) == LATEST_VERSION


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

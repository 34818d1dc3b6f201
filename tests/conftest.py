"""Shared fixtures: the fake Telegram Bot API server (tests/fakebotapi.py), a Bot connected to it, one
extraction worker pool per test module, the spaCy pipeline (``nlp``, loaded once per run), and a fresh
database of each storage backend (a throwaway PostgreSQL server, tests/pgserver.py, started once per
run when a test needs it)."""

from __future__ import annotations

import asyncio
import atexit
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
from fakebotapi import FakeBotAPI, fast_request
from hardening_stats import FAULTS, count, summary_lines
from pgserver import PostgresServer, database_name, missing_programs, with_database
from store_backends import StoreBackend
from telegram import Bot

from bot.config import DEFAULT_SPACY_MODEL
from bot.extraction.runner import ExtractionRunner
from bot.report import Report

if TYPE_CHECKING:
    from spacy.language import Language

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
#: Expected renderer output, and the seed's report they are rendered from (frozen, so that a change of the
#: extraction rules does not move them). Regenerate both with ``make golden``.
GOLDEN = ROOT / "tests" / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* (see make golden)")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, actual)``: asserts ``actual`` equals tests/golden/NAME, or rewrites it with --update-golden."""

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.write_text(actual, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"{name} differs from the renderer's output; if intended, run make golden"

    return check


@pytest.fixture(scope="session")
def seed_report() -> tuple[Report, str]:
    """The seed article's text and its frozen report (tests/golden/seed-report.json)."""
    report = Report.from_dict(json.loads((GOLDEN / "seed-report.json").read_text(encoding="utf-8")))
    return report, SEED.read_text(encoding="utf-8")


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API on 127.0.0.1 (free port); ``fake_bot_api.bot_kwargs`` configures a Bot."""
    async with FakeBotAPI() as server:
        yield server
        count(FAULTS, sum(1 for request in server.requests if request.fault is not None))


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pinned spaCy pipeline, as the extraction workers load it."""
    from bot.extraction.pipeline import load_pipeline

    return load_pipeline(DEFAULT_SPACY_MODEL)


@pytest.fixture(scope="module")
def extraction_runner() -> Iterator[ExtractionRunner]:
    """One real extraction worker (the pinned model) shared by a module's tests: starting one costs seconds."""
    runner = ExtractionRunner(DEFAULT_SPACY_MODEL, 1)
    yield runner
    asyncio.run(runner.close())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The hardening figures (tests/hardening_stats.py): bad inputs, faults injected, articles lost."""
    terminalreporter.write_sep("-", "hardening")
    for line in summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture
async def fake_bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An initialised ``telegram.Bot`` talking to ``fake_bot_api``."""
    async with Bot(**fake_bot_api.bot_kwargs, request=fast_request(), get_updates_request=fast_request()) as bot:
        yield bot


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The DSN of a PostgreSQL server for this run: ``CLAIMDESK_TEST_POSTGRES`` when set, else a throwaway
    one started now and stopped at the end of the run. Without PostgreSQL on PATH the tests that need it
    skip, except in CI (``CI=true``), where they fail."""
    given = os.environ.get("CLAIMDESK_TEST_POSTGRES")
    if given:
        yield given
        return
    missing = missing_programs()
    if missing:
        message = f"PostgreSQL tests need {', '.join(missing)} on PATH (or CLAIMDESK_TEST_POSTGRES=postgresql://...)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer()
    server.start()
    atexit.register(server.stop)  # also when the run is interrupted before fixtures are torn down
    try:
        yield server.dsn()
    finally:
        server.stop()


@pytest.fixture
async def postgres_db(postgres_server: str) -> AsyncIterator[str]:
    """The DSN of a new empty database on the test server, dropped afterwards."""
    name = database_name("test")
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield with_database(postgres_server, name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreBackend:
    """A fresh database of each storage backend in turn: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return StoreBackend("sqlite", str(tmp_path / "claimdesk.sqlite3"))
    return StoreBackend("postgresql", request.getfixturevalue("postgres_db"))

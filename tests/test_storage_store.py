"""Both storage backends (a temporary SQLite file, a fresh PostgreSQL database; the ``store_backend``
fixture): inbox, de-duplication, search, export, forget, errors. SQLite-only cases (WAL, a corrupt file,
a full disk) open their own file."""

from __future__ import annotations

import asyncio
import csv
import gzip
import hashlib
import io
import json
import logging
import sqlite3
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_backends import StoreBackend

from bot.origin import Origin
from bot.report import Article, Claim, Report, Source, Unverified
from storage import CHAT_MODES, Analysis, Answered, Storage, StorageError, Store, article_key
from storage import base as base_module
from storage import export as export_module
from storage import postgres as postgres_module
from storage import store as store_module
from storage.migrations import LATEST_VERSION

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A settable clock, so that backoff and retention need no sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_report(words: str, *, version: str = "test-1", title: str | None = None) -> Report:
    """A small report whose claim and source texts contain ``words`` (distinct per article)."""
    claim_text = f"the {words} bridge was closed"
    return Report(
        article=Article(
            title=title or f"Article about {words}",
            outlet="Example Times",
            published=None,
            language="en",
            words=40,
            sha256="0" * 64,
        ),
        summary=(claim_text,),
        sources=(
            Source(
                id="s1",
                name=f"Minister {words.title()}",
                aliases=("the minister",),
                kind="government",
                role="minister",
                named=True,
                claims=("c1",),
            ),
        ),
        claims=(
            Claim(
                id="c1",
                text=claim_text,
                span=(0, len(claim_text)),
                source_id="s1",
                cue="said",
                kind="paraphrase",
            ),
            Claim(
                id="c2",
                text=f"{words} casualties were reported",
                span=(40, 60),
                source_id=None,
                cue=None,
                kind="outlet",
            ),
        ),
        attributions=(),
        unverified=(
            Unverified(claim_id="c2", reason="not_confirmed", evidence="could not be confirmed", span=(61, 80)),
        ),
        extractor_version=version,
    )


def article_text(words: str) -> str:
    return f"The {words} bridge was closed, the minister said.\n\nFurther {words} details   followed."


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(store_backend: StoreBackend, clock: Clock) -> AsyncIterator[Storage]:
    opened = await store_backend.open(clock=clock, retry_base_seconds=10)
    yield opened
    await opened.close()


async def save(
    store: Storage, words: str, *, chat_id: int = 1, message_id: int = 1, text: str | None = None
) -> Analysis:
    return await store.save_analysis(
        chat_id=chat_id,
        message_id=message_id,
        text=text or article_text(words),
        report=make_report(words),
        origin=Origin(kind="channel", chat_title="Example channel"),
    )


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# -- opening ----------------------------------------------------------------------------------------


async def test_store_open_creates_latest_schema(store_backend: StoreBackend) -> None:
    async with await store_backend.open():
        pass
    assert await store_backend.schema_version() == LATEST_VERSION


async def test_store_open_sqlite_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    async with await Store.open(path):
        pass
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_store_open_refuses_newer_schema(store_backend: StoreBackend) -> None:
    await store_backend.set_schema_version(LATEST_VERSION + 5)
    with pytest.raises(StorageError, match="newer Claimdesk") as caught:
        await store_backend.open()
    assert caught.value.problem == "schema_too_new"


async def test_store_open_refuses_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not sqlite at all " * 400)
    with pytest.raises(StorageError, match="corrupt") as caught:
        await Store.open(path)
    assert caught.value.problem == "corrupt"


async def test_store_open_refuses_malformed_database(tmp_path: Path) -> None:
    """A real Claimdesk database with one damaged page (its header intact, so it opens): the start-up
    check finds it and nothing is written; the message says how to get out."""
    path = tmp_path / "damaged.sqlite3"
    await (await Store.open(path)).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE filler (x BLOB)")
        db.executemany("INSERT INTO filler VALUES (?)", [(bytes([n % 256]) * 900,) for n in range(400)])
        db.commit()
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    with path.open("r+b") as damaged:
        damaged.seek(page_size * (pages - 20))
        damaged.write(b"\xa5" * page_size)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="corrupt") as caught:
        await Store.open(path)
    assert caught.value.problem == "corrupt"
    assert "restore a backup" in str(caught.value) and "move it away" in str(caught.value)
    assert path.read_bytes() == before


async def test_store_write_fails_clearly_when_database_is_locked(store_backend: StoreBackend) -> None:
    store = await store_backend.open(busy_timeout=0.05)
    try:
        async with store_backend.write_locked("inbox"):
            with pytest.raises(StorageError, match="database is busy") as caught:
                await store.inbox_add(update_id=1, chat_id=1, message_id=1, raw={})
            assert caught.value.problem == "busy"
        assert await store.inbox_add(update_id=1, chat_id=1, message_id=1, raw={}) is True
    finally:
        await store.close()


async def test_store_disk_full_leaves_no_partial_rows(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite3"
    store = await Store.open(path)
    try:
        await save(store, "harbour")
        # Simulate a full disk: the database may not grow beyond its current size.
        await store._db.execute("PRAGMA max_page_count = 1")
        with pytest.raises(StorageError, match="full") as caught:
            await save(store, "glacier", text="glacier " * 20_000)
        assert caught.value.problem == "full"
        assert len(await store.history(1)) == 1
    finally:
        await store.close()
    assert count(path, "articles") == 1
    assert count(path, "reports") == 1
    assert count(path, "claims") == 2


# -- inbox ------------------------------------------------------------------------------------------


async def test_store_received_updates_are_kept_until_done(store: Storage) -> None:
    assert await store.received_add(5, {"update_id": 5, "message": {"text": "b"}}) is True
    assert await store.received_add(3, {"update_id": 3}) is True
    assert await store.received_add(5, {"update_id": 5}) is False  # sent again: kept already
    assert await store.received_left() == [{"update_id": 3}, {"update_id": 5, "message": {"text": "b"}}]
    await store.received_done(3)
    await store.received_done(3)  # twice: nothing left to delete, no error
    assert await store.received_left() == [{"update_id": 5, "message": {"text": "b"}}]


async def test_store_received_replay_by_another_process_is_not_answered_twice(store_backend: StoreBackend) -> None:
    """A process restarting replays what a live process is handling: the inbox lets one of them answer."""
    live = await store_backend.open()
    restarted = await store_backend.open()
    try:
        assert await live.received_add(40, {"update_id": 40}) is True
        assert await live.inbox_add(update_id=40, chat_id=1, message_id=9, raw={}) is True  # live answers it
        assert await restarted.received_left() == [{"update_id": 40}]
        assert await restarted.inbox_add(update_id=40, chat_id=1, message_id=9, raw={}) is False  # no answer
        await live.received_done(40)
        assert await restarted.received_left() == []
    finally:
        await live.close()
        await restarted.close()


async def test_store_inbox_add_same_update_twice_is_refused(store: Storage) -> None:
    assert await store.inbox_add(update_id=10, chat_id=1, message_id=5, raw={"text": "a"}) is True
    assert await store.inbox_add(update_id=10, chat_id=1, message_id=5, raw={"text": "a"}) is False
    item = await store.inbox_get(10)
    assert item is not None and item.status == "pending" and item.raw == {"text": "a"}


async def test_store_inbox_due_skips_own_pending_items(store: Storage) -> None:
    await store.inbox_add(update_id=11, chat_id=1, message_id=5, raw={})
    assert await store.inbox_due() == []


async def test_store_inbox_pending_items_are_recovered_when_their_lease_expires(
    store_backend: StoreBackend, clock: Clock
) -> None:
    first = await store_backend.open(clock=clock, lease_seconds=60)
    await first.inbox_add(update_id=20, chat_id=7, message_id=3, raw={"text": "left behind"})
    await first.inbox_add(update_id=21, chat_id=7, message_id=4, raw={"text": "answered"})
    await first.inbox_mark_done(21, reply_message_id=99, analysis_id=None)
    await first.close()  # stands for a process that died before answering update 20

    second = await store_backend.open(clock=clock, lease_seconds=60)
    try:
        assert await second.inbox_due(now=START + timedelta(seconds=59)) == []  # still leased
        due = await second.inbox_due(now=START + timedelta(seconds=60))
        assert [(i.update_id, i.chat_id, i.raw, i.status) for i in due] == [(20, 7, {"text": "left behind"}, "pending")]
        assert due[0].next_attempt_at == (START + timedelta(seconds=120)).isoformat()  # leased anew
        assert await second.inbox_due(now=START + timedelta(seconds=300)) == []  # handed out once
        assert await second.inbox_add(update_id=20, chat_id=7, message_id=3, raw={}) is False
    finally:
        await second.close()


async def test_store_inbox_renewed_leases_keep_items_from_other_processes(
    store_backend: StoreBackend, clock: Clock
) -> None:
    working = await store_backend.open(clock=clock, lease_seconds=30)
    other = await store_backend.open(clock=clock, lease_seconds=30)
    try:
        await working.inbox_add(update_id=50, chat_id=1, message_id=1, raw={})
        await working.inbox_add(update_id=51, chat_id=1, message_id=2, raw={})
        await working.inbox_mark_done(51, reply_message_id=9, analysis_id=None)
        for seconds in (20, 40, 60):
            clock.now = START + timedelta(seconds=seconds)
            assert await working.inbox_renew() == 1  # only the item still in work
            assert await other.inbox_due() == []
        clock.now = START + timedelta(seconds=95)  # the working process stopped renewing 35 s ago
        assert [i.update_id for i in await other.inbox_due()] == [50]
        assert await working.inbox_renew() == 0  # it is the other's now
        assert await working.inbox_due() == []  # leased to the other until 125 s
    finally:
        await working.close()
        await other.close()


async def test_store_inbox_expired_items_go_to_one_of_two_processes_taking_at_once(
    store_backend: StoreBackend, clock: Clock
) -> None:
    dead = await store_backend.open(clock=clock, lease_seconds=10)
    for update_id in range(100):
        await dead.inbox_add(update_id=update_id, chat_id=1, message_id=update_id, raw={})
    await dead.close()
    first, second = await store_backend.open(clock=clock), await store_backend.open(clock=clock)
    try:
        later = START + timedelta(seconds=10)
        taken = await asyncio.gather(*(s.inbox_due(now=later) for s in (first, second, first, second)))
        ids = [item.update_id for items in taken for item in items]
        assert sorted(ids) == list(range(100))  # every item once, none twice
    finally:
        await first.close()
        await second.close()


async def test_store_inbox_retries_with_backoff_then_gives_up(store_backend: StoreBackend, clock: Clock) -> None:
    store = await store_backend.open(max_attempts=3, retry_base_seconds=10, clock=clock)
    try:
        await store.inbox_add(update_id=30, chat_id=1, message_id=1, raw={})
        first = await store.inbox_mark_failed(30, "worker crashed")
        assert (first.status, first.attempts, first.last_error) == ("retry", 1, "worker crashed")
        assert first.next_attempt_at == (START + timedelta(seconds=10)).isoformat()
        assert await store.inbox_due(now=START + timedelta(seconds=9)) == []
        assert [i.update_id for i in await store.inbox_due(now=START + timedelta(seconds=10))] == [30]

        second = await store.inbox_mark_failed(30, "worker crashed again")
        assert (second.status, second.attempts) == ("retry", 2)
        assert second.next_attempt_at == (START + timedelta(seconds=20)).isoformat()  # doubled

        third = await store.inbox_mark_failed(30, "still failing")
        assert (third.status, third.attempts, third.next_attempt_at) == ("gave_up", 3, None)
        assert await store.inbox_due(now=START + timedelta(days=1)) == []
        assert [i.update_id for i in await store.inbox_unreported()] == [30]
        await store.inbox_mark_reported(30)
        assert await store.inbox_unreported() == []
        item = await store.inbox_get(30)
        assert item is not None and item.reported is True
    finally:
        await store.close()


async def test_store_inbox_mark_done_keeps_reply(store: Storage) -> None:
    await store.inbox_add(update_id=40, chat_id=1, message_id=1, raw={})
    saved = await save(store, "orchard")
    await store.inbox_mark_done(40, reply_message_id=77, analysis_id=saved.id)
    item = await store.inbox_get(40)
    assert item is not None and (item.status, item.reply_message_id) == ("done", 77)


async def test_store_inbox_mark_unknown_update_raises(store: Storage) -> None:
    with pytest.raises(KeyError):
        await store.inbox_mark_failed(404, "nope")


# -- analyses, de-duplication -----------------------------------------------------------------------


async def test_store_save_analysis_returns_counts_and_round_trips(store: Storage) -> None:
    saved = await save(store, "harbour", chat_id=5, message_id=9)
    assert saved.counts == {"claims": 2, "sources": 1, "unverified": 1}
    assert (saved.chat_id, saved.message_id, saved.seen_in_chat) == (5, 9, 1)
    assert saved.first_seen_in_chat == saved.created_at == START.isoformat()
    assert saved.article_key == article_key(article_text("harbour"))
    stored = await store.get_analysis(saved.id, chat_id=5)
    assert stored is not None
    assert stored.report == make_report("harbour")
    assert stored.text == article_text("harbour")
    assert stored.analysis.origin == Origin(kind="channel", chat_title="Example channel")


async def test_store_cached_report_is_shared_across_chats(store: Storage, store_backend: StoreBackend) -> None:
    assert await store.cached_report(article_text("harbour"), "test-1") is None
    await save(store, "harbour", chat_id=1)
    # the same article with other whitespace, forwarded in another chat
    same = "  " + article_text("harbour").replace("\n\n", "\n") + "\n"
    cached = await store.cached_report(same, "test-1")
    assert cached == make_report("harbour")
    assert await store.cached_report(same, "test-2") is None
    again = await store.save_analysis(chat_id=2, message_id=1, text=same, report=cached, origin=Origin())
    assert again.seen_in_chat == 1
    assert await store_backend.count("articles") == 1
    assert await store_backend.count("reports") == 1
    assert await store_backend.count("claims") == 2


async def test_store_seen_in_chat_counts_per_chat(store: Storage, clock: Clock) -> None:
    first = await save(store, "harbour", chat_id=1, message_id=1)
    clock.now = START + timedelta(hours=2)
    second = await save(store, "harbour", chat_id=1, message_id=2)
    other = await save(store, "harbour", chat_id=2, message_id=1)
    assert (first.seen_in_chat, second.seen_in_chat, other.seen_in_chat) == (1, 2, 1)
    assert second.first_seen_in_chat == START.isoformat()
    assert other.first_seen_in_chat == clock.now.isoformat()


async def test_store_get_analysis_refuses_other_chat(store: Storage) -> None:
    saved = await save(store, "harbour", chat_id=1)
    assert await store.get_analysis(saved.id, chat_id=2) is None
    assert await store.get_analysis(saved.id + 100, chat_id=1) is None


async def test_store_history_is_newest_first_and_per_chat(store: Storage) -> None:
    for index, words in enumerate(("harbour", "orchard", "glacier")):
        await save(store, words, chat_id=1, message_id=index)
    await save(store, "volcano", chat_id=2)
    history = await store.history(1, limit=2)
    assert [a.title for a in history] == ["Article about glacier", "Article about orchard"]
    assert [a.title for a in await store.history(2)] == ["Article about volcano"]


async def test_store_concurrent_saves_all_succeed(store: Storage, store_backend: StoreBackend) -> None:
    saves = asyncio.gather(*(save(store, f"topic{n}", chat_id=n % 3, message_id=n) for n in range(100)))
    adds = asyncio.gather(*(store.inbox_add(update_id=n, chat_id=1, message_id=n, raw={}) for n in range(100)))
    saved, added = await asyncio.gather(saves, adds)
    assert len({a.id for a in saved}) == 100
    assert all(added)
    assert await store_backend.count("analyses") == 100
    assert await store_backend.count("claims") == 200


# -- search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("harbour bridge", [("claim", "the harbour bridge was closed")]),
        ("casualties orchard", [("claim", "orchard casualties were reported")]),
        ("Minister Glacier", [("source", "Minister Glacier")]),
        ("bridges closed glacier", [("claim", "the glacier bridge was closed")]),  # porter stemming
        ("volcano", []),  # only in chat 2
        ('"; DROP TABLE claims; --', []),  # not FTS syntax, not SQL
        ("   ", []),
    ],
)
async def test_store_search_finds_claims_and_sources_of_this_chat_only(
    store: Storage, query: str, expected: list[tuple[str, str]]
) -> None:
    for words in ("harbour", "orchard", "glacier"):
        await save(store, words, chat_id=1)
    await save(store, "volcano", chat_id=2)
    hits = await store.search(1, query)
    assert [(h.kind, h.text) for h in hits] == expected
    assert all(h.title and h.title.startswith("Article about") for h in hits)


async def test_store_search_shared_article_points_at_own_chat(store: Storage) -> None:
    await save(store, "harbour", chat_id=1)
    other = await save(store, "harbour", chat_id=2)
    hits = await store.search(2, "harbour bridge")
    assert [h.analysis_id for h in hits] == [other.id]


# -- export -----------------------------------------------------------------------------------------


#: Bytes no test export reaches: written plain, never stopped.
NO_LIMIT = 1 << 40


async def exported(store: Storage, fmt: str, chat_id: int = 1) -> bytes:
    """What /export writes for ``chat_id`` (the file's bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / f"export.{fmt}"
        result = await store.export_to(chat_id, fmt, destination, compress_above=NO_LIMIT, limit=NO_LIMIT)
        assert result.path == destination
        return destination.read_bytes()


def noise(size: int) -> str:
    """``size`` hex digits that gzip shrinks only to about half (a chain of SHA-256 digests)."""
    digests, digest = [], b"claimdesk"
    while len(digests) * 64 < size:
        digest = hashlib.sha256(digest).digest()
        digests.append(digest.hex())
    return "".join(digests)[:size]


async def save_large(store: Storage, copies: int) -> None:
    """``copies`` analyses in chat 1 of one report with a 40,000-character claim (about 20 KB gzipped:
    more than gzip's 32 KB window, so the copies do not shrink one another)."""
    report = make_report("harbour")
    report = replace(report, claims=(replace(report.claims[0], text=noise(40_000)), *report.claims[1:]))
    for message_id in range(1, copies + 1):
        await store.save_analysis(
            chat_id=1, message_id=message_id, text=article_text("harbour"), report=report, origin=Origin()
        )


@pytest.mark.parametrize(
    ("compress_above", "name"),
    [(NO_LIMIT, "export.json"), (2_000, "export.json.gz"), (20_000_000, "export.json")],
)
async def test_store_export_is_plain_while_small_and_gzipped_past_the_threshold(
    store: Storage, compress_above: int, name: str
) -> None:
    await save_large(store, 3)
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / "export.json"
        result = await store.export_to(1, "json", destination, compress_above=compress_above, limit=NO_LIMIT)
        assert result.path == Path(folder) / name
        assert [p.name for p in Path(folder).iterdir()] == [name]
        content = result.path.read_bytes()
        assert result.size == len(content) and result.reports == 3
    data = json.loads(gzip.decompress(content) if name.endswith(".gz") else content)
    assert [entry["report"]["claims"][0]["text"] for entry in data] == [noise(40_000)] * 3


async def test_store_export_stops_as_soon_as_the_file_passes_the_limit(store: Storage) -> None:
    """40 reports of about 20 KB gzipped each (800 KB) against a 100 KB limit: writing stops just past
    100 KB, nothing is left on disk, and the outcome says how many reports the chat has."""
    limit = 100_000
    await save_large(store, 40)
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / "export.json"
        whole = await store.export_to(1, "json", destination, compress_above=50_000, limit=NO_LIMIT)
        assert whole.path is not None and whole.path.name == "export.json.gz" and whole.reports == 40
        assert whole.size > 6 * limit
        whole.path.unlink()
        capped = await store.export_to(1, "json", destination, compress_above=50_000, limit=limit)
        assert capped.path is None and capped.reports == 40
        assert limit < capped.size <= limit + export_module.WRITE_BUFFER  # the limit and about one write more
        assert list(Path(folder).iterdir()) == []


async def test_store_export_in_small_pages_keeps_every_analysis_in_order(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_module, "EXPORT_BATCH", 3)
    words = [f"place{n}" for n in range(8)]
    for word in words:
        await save(store, word, chat_id=1)
    await save(store, "volcano", chat_id=2)
    data = json.loads(await exported(store, "json"))
    assert [entry["analysis"]["title"] for entry in data] == [f"Article about {word}" for word in words]


async def test_store_export_postgres_reads_pages_and_parses_them_off_the_event_loop(
    store: Storage, store_backend: StoreBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the rows come a page at a time (memory bounded by a page), and the reports are parsed
    in the writing thread, not on the event loop. (SQLite's export runs in a process of its own.)"""
    if store_backend.name != "postgresql":
        pytest.skip("SQLite's export reads one row at a time in a process of its own")
    monkeypatch.setattr(postgres_module, "EXPORT_BATCH", 4)
    for n in range(10):
        await save(store, f"place{n}", chat_id=1)
    pages: list[int] = []
    parsed_on: set[int] = set()
    read, parse = postgres_module.PostgresStore._read, export_module.read_report

    async def counted(self: postgres_module.PostgresStore, sql: str, *args: object) -> list[object]:
        rows = await read(self, sql, *args)
        pages.append(len(rows))
        return rows

    def traced(stored: str) -> Report:
        parsed_on.add(threading.get_ident())
        return parse(stored)

    monkeypatch.setattr(postgres_module.PostgresStore, "_read", counted)
    monkeypatch.setattr(export_module, "read_report", traced)
    data = json.loads(await exported(store, "json"))
    assert len(data) == 10
    assert pages == [4, 4, 2, 0]
    assert parsed_on and threading.get_ident() not in parsed_on


async def test_store_export_json_parses_back(store: Storage) -> None:
    await save(store, "harbour", chat_id=1)
    await save(store, "orchard", chat_id=1)
    await save(store, "volcano", chat_id=2)
    data = json.loads(await exported(store, "json"))
    assert [entry["analysis"]["title"] for entry in data] == [
        "Article about harbour",
        "Article about orchard",
    ]
    assert Report.from_dict(data[0]["report"]) == make_report("harbour")
    assert data[0]["analysis"]["counts"] == {"claims": 2, "sources": 1, "unverified": 1}


async def test_store_export_csv_has_one_row_per_claim(store: Storage) -> None:
    saved = await save(store, "harbour", chat_id=1)
    await save(store, "volcano", chat_id=2)
    rows = list(csv.DictReader(io.StringIO((await exported(store, "csv")).decode("utf-8"))))
    assert [(r["analysis_id"], r["claim_id"], r["source"], r["claim"], r["unverified"]) for r in rows] == [
        (str(saved.id), "c1", "Minister Harbour", "the harbour bridge was closed", ""),
        (str(saved.id), "c2", "", "harbour casualties were reported", "not confirmed"),
    ]


async def test_store_export_md_is_readable(store: Storage) -> None:
    await save(store, "harbour", chat_id=1)
    text = (await exported(store, "md")).decode("utf-8")
    assert "## Article about harbour" in text
    assert "- **Minister Harbour** (said): the harbour bridge was closed" in text
    assert "- *not confirmed*: could not be confirmed" in text
    assert "volcano" not in text


async def test_store_export_skips_unreadable_report(
    store: Storage, store_backend: StoreBackend, caplog: pytest.LogCaptureFixture
) -> None:
    await save(store, "harbour", chat_id=1)
    broken = await save(store, "orchard", chat_id=1)
    await store_backend.execute(
        "UPDATE reports SET report = '{not json' WHERE id = (SELECT report_id FROM analyses WHERE id = ?)", broken.id
    )
    with caplog.at_level(logging.ERROR, logger="storage"):
        data = json.loads(await exported(store, "json"))
    assert [entry["analysis"]["title"] for entry in data] == ["Article about harbour"]
    assert "cannot be read" in caplog.text
    with pytest.raises(StorageError, match="cannot be read"):
        await store.get_analysis(broken.id, chat_id=1)


async def test_store_export_csv_neutralises_formulas(store: Storage) -> None:
    report = make_report("harbour")
    formula = Claim(id="c1", text="=HYPERLINK(1)", span=(0, 13), source_id=None, cue=None, kind="outlet")
    report = replace(report, claims=(formula,))
    await store.save_analysis(chat_id=1, message_id=1, text="x", report=report, origin=Origin())
    rows = list(csv.DictReader(io.StringIO((await exported(store, "csv")).decode("utf-8"))))
    assert rows[0]["claim"] == "'=HYPERLINK(1)"


# -- forget, retention ------------------------------------------------------------------------------


async def test_store_forget_chat_deletes_only_that_chat(store: Storage, store_backend: StoreBackend) -> None:
    await save(store, "harbour", chat_id=1)
    await save(store, "orchard", chat_id=1)
    await save(store, "harbour", chat_id=2)  # shared article: stays for chat 2
    await store.inbox_add(update_id=1, chat_id=1, message_id=1, raw={"text": "secret"})
    await store.set_chat_mode(1, "mentions_only")
    deleted = await store.forget_chat(1)
    # 2 analyses + 1 inbox item + 1 settings row + the orchard report and article
    assert deleted == 6
    assert await store.history(1) == []
    assert await store.inbox_get(1) is None
    assert (await store.chat_settings(1)).mode == "forwards_and_mentions"
    assert await store.search(1, "harbour") == []
    assert [h.text for h in await store.search(2, "harbour bridge")] == ["the harbour bridge was closed"]
    assert [await store_backend.count(table) for table in ("articles", "reports", "claims")] == [1, 1, 2]
    assert await store_backend.count("chat_search") == 3  # chat 2's harbour: two claims, one source


async def test_store_purge_older_than_removes_old_data(store: Storage, clock: Clock) -> None:
    await save(store, "harbour", chat_id=1)
    await store.inbox_add(update_id=1, chat_id=1, message_id=1, raw={})
    await store.inbox_mark_done(1, reply_message_id=2, analysis_id=None)
    await store.inbox_add(update_id=2, chat_id=1, message_id=2, raw={})  # still pending: kept
    clock.now = START + timedelta(days=40)
    recent = await save(store, "orchard", chat_id=1)
    deleted = await store.purge_older_than(30)
    assert deleted == 4  # analysis, inbox item, report, article
    assert [a.id for a in await store.history(1)] == [recent.id]
    assert await store.inbox_get(1) is None
    assert await store.inbox_get(2) is not None
    assert await store.search(1, "harbour") == []
    assert await store.cached_report(article_text("harbour"), "test-1") is None


# -- chat settings ----------------------------------------------------------------------------------


async def test_store_chat_settings_defaults_and_updates(store: Storage) -> None:
    assert (await store.chat_settings(3)).mode == "forwards_and_mentions"
    await store.set_chat_mode(3, "every_long_message")
    await store.set_channel_reports(3, True)
    await store.mark_chat_unreachable(3, "bot was blocked by the user")
    settings = await store.chat_settings(3)
    assert (settings.mode, settings.channel_reports, settings.unreachable) == (
        "every_long_message",
        True,
        "bot was blocked by the user",
    )
    await store.mark_chat_reachable(3)
    assert (await store.chat_settings(3)).unreachable is None


@pytest.mark.parametrize("mode", ["", "everything", "MENTIONS_ONLY"])
async def test_store_set_chat_mode_rejects_unknown_modes(store: Storage, mode: str) -> None:
    assert mode not in CHAT_MODES
    with pytest.raises(ValueError, match="unknown chat mode"):
        await store.set_chat_mode(3, mode)


async def test_store_migrate_chat_moves_history_and_settings(store: Storage) -> None:
    saved = await save(store, "harbour", chat_id=-100)
    await store.set_chat_mode(-100, "mentions_only")
    await store.migrate_chat(-100, -1001)
    assert await store.history(-100) == []
    assert [a.id for a in await store.history(-1001)] == [saved.id]
    assert (await store.chat_settings(-1001)).mode == "mentions_only"
    assert (await store.chat_settings(-100)).mode == "forwards_and_mentions"


async def test_store_unreadable_rows_are_skipped_not_fatal(store: Storage, store_backend: StoreBackend) -> None:
    good = await save(store, "harbour", chat_id=1)
    bad = await save(store, "orchard", chat_id=1)
    await store_backend.execute("UPDATE analyses SET origin = 'not json' WHERE id = ?", bad.id)
    await store_backend.execute(
        "UPDATE reports SET report = '{}' WHERE id = (SELECT report_id FROM analyses WHERE id = ?)", bad.id
    )
    assert [a.id for a in await store.history(1)] == [good.id]
    assert await store.cached_report(article_text("orchard"), "test-1") is None  # analysed again
    assert await store.cached_report(article_text("harbour"), "test-1") == make_report("harbour")


async def test_store_newer_extractor_version_stores_a_second_report(
    store: Storage, store_backend: StoreBackend
) -> None:
    first = await save(store, "harbour", chat_id=1)
    newer = await store.save_analysis(
        chat_id=1,
        message_id=2,
        text=article_text("harbour"),
        report=make_report("harbour", version="test-2"),
        origin=Origin(),
    )
    assert newer.article_key == first.article_key and newer.seen_in_chat == 2
    stored = await store.get_analysis(newer.id, chat_id=1)
    assert stored is not None and stored.report.extractor_version == "test-2"
    assert await store.cached_report(article_text("harbour"), "test-1") is not None
    assert (await store_backend.count("articles"), await store_backend.count("reports")) == (1, 2)
    assert [h.analysis_id for h in await store.search(1, "harbour bridge")] == [newer.id]


async def test_store_search_reads_the_newest_entries_then_the_whole_chat(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (store_module, postgres_module):
        monkeypatch.setattr(module, "SEARCH_WINDOW", 5)  # entries: 3 an analysis (two claims, one source)
    saved = [await save(store, words, chat_id=1) for words in ("harbour", "orchard", "glacier", "volcano")]
    newest = {saved[-1].id, saved[-2].id}
    found = await store.search(1, "bridge", limit=2)  # the window (the two newest analyses) holds two
    assert {h.analysis_id for h in found} == newest
    assert len(await store.search(1, "bridge", limit=10)) == 4  # fewer than asked: the whole chat
    assert [h.text for h in await store.search(1, "harbour bridge")] == ["the harbour bridge was closed"]


async def test_store_history_lists_an_article_once_with_its_forwards(store: Storage) -> None:
    first = await save(store, "harbour", chat_id=1, message_id=1)
    await save(store, "orchard", chat_id=1, message_id=2)
    again = await save(store, "harbour", chat_id=1, message_id=3)
    third = await save(store, "harbour", chat_id=1, message_id=4)
    history = await store.history(1)
    assert [(a.title, a.seen_in_chat) for a in history] == [("Article about harbour", 3), ("Article about orchard", 1)]
    assert history[0].id == third.id != again.id and history[0].first_seen_in_chat == first.created_at


async def test_store_saves_the_title_it_is_given(store: Storage) -> None:
    saved = await store.save_analysis(
        chat_id=1,
        message_id=1,
        text=article_text("harbour"),
        report=make_report("harbour"),
        origin=Origin(),
        title="The harbour bridge was closed, the minister said",
    )
    assert saved.title == "The harbour bridge was closed, the minister said"
    assert [a.title for a in await store.history(1)] == [saved.title]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DIU", [("source", "Minister Harbour")]),  # an alias finds its source, shown by its name
        ("london desk", [("article", "London Desk")]),  # the channel finds its articles
        ("desk", [("article", "London Desk")]),
        ("london desks", []),
        ("harbour desk", []),  # all words, in the channel's name
    ],
)
async def test_store_search_finds_sources_by_alias_and_articles_by_channel(
    store: Storage, query: str, expected: list[tuple[str, str]]
) -> None:
    report = make_report("harbour")
    report = replace(report, sources=(replace(report.sources[0], aliases=("DIU", "the minister")),))
    await store.save_analysis(
        chat_id=1,
        message_id=1,
        text=article_text("harbour"),
        report=report,
        origin=Origin(kind="channel", chat_title="London Desk"),
    )
    await store.save_analysis(
        chat_id=2,
        message_id=1,
        text=article_text("orchard"),
        report=make_report("orchard"),
        origin=Origin(kind="channel", chat_title="London Desk"),
    )
    hits = await store.search(1, query)
    assert [(h.kind, h.text) for h in hits] == expected
    assert all(h.title == "Article about harbour" for h in hits)


#: Where five articles of chat 1 came from, oldest first.
CHANNEL_ORIGINS = [
    Origin(kind="channel", chat_title="Kyiv Desk"),
    Origin(kind="channel", chat_title="kyiv night desk"),
    Origin(kind="user", sender_name="Olena Desk-Kyiv"),
    Origin(kind="channel", chat_title="Lviv Desk"),
    Origin(kind="channel", chat_title="Kyiv Desk"),
]


@pytest.mark.parametrize(
    ("query", "limit", "expected"),
    [
        ("kyiv desk", 10, [4, 2, 1, 0]),  # every word in the name, any case; a sender's name too
        ("KYIV DESK", 2, [4, 2]),  # the newest first, at most ``limit``
        ("desk", 10, [4, 3, 2, 1, 0]),
        ("night", 10, [1]),
        ("kyi", 10, []),  # whole words only
    ],
)
async def test_store_search_finds_articles_by_channel_newest_first(
    store: Storage, monkeypatch: pytest.MonkeyPatch, query: str, limit: int, expected: list[int]
) -> None:
    monkeypatch.setattr(base_module, "CHANNELS_PER_QUERY", 2)  # the names looked up in several statements
    saved = [
        await store.save_analysis(
            chat_id=1, message_id=n, text=article_text(words), report=make_report(words), origin=origin
        )
        for n, (words, origin) in enumerate(
            zip(("harbour", "orchard", "glacier", "volcano", "meadow"), CHANNEL_ORIGINS)
        )
    ]
    hits = await store.search(1, query, limit=limit)
    assert [(h.analysis_id, h.kind, h.text) for h in hits] == [
        (saved[n].id, "article", CHANNEL_ORIGINS[n].chat_title or CHANNEL_ORIGINS[n].sender_name) for n in expected
    ]


async def test_store_search_by_channel_follows_forgetting_and_migration(
    store: Storage, store_backend: StoreBackend
) -> None:
    first = await save(store, "harbour", chat_id=-100)  # from "Example channel"
    other = await save(store, "orchard", chat_id=-100)
    again = await save(store, "harbour", chat_id=-100)  # forwarded again: the article once, its latest
    assert [h.analysis_id for h in await store.search(-100, "example")] == [again.id, other.id]
    await store.migrate_chat(-100, -1001)
    assert await store.search(-100, "example") == []
    assert [h.analysis_id for h in await store.search(-1001, "example channel")] == [again.id, other.id]
    await save(store, "glacier", chat_id=7)
    for analysis in (first, other, again):
        assert await store.forget_analysis(analysis.id, chat_id=-1001)
    assert await store.search(-1001, "example") == []
    assert await store_backend.count("chat_channels") == 1  # chat 7's: the names no article came from go
    await store.forget_chat(7)
    assert await store_backend.count("chat_channels") == 0


async def test_store_answered_is_the_latest_reply_to_a_message(store: Storage) -> None:
    assert await store.answered(1, 10) is None
    await store.inbox_add(update_id=1, chat_id=1, message_id=10, raw={})
    assert await store.answered(1, 10) is None  # pending: not answered yet
    await store.inbox_mark_done(1, reply_message_id=11, analysis_id=None)
    saved = await save(store, "harbour", chat_id=1, message_id=10)
    await store.inbox_add(update_id=2, chat_id=1, message_id=10, raw={})
    await store.inbox_mark_done(2, reply_message_id=11, analysis_id=saved.id)
    await store.inbox_add(update_id=3, chat_id=1, message_id=12, raw={})
    await store.inbox_mark_done(3, reply_message_id=None, analysis_id=None)  # deliberately not answered
    assert await store.answered(1, 10) == Answered(reply_message_id=11, analysis_id=saved.id)
    assert await store.answered(2, 10) is None and await store.answered(1, 12) is None


async def test_store_forget_analysis_removes_it_and_its_orphans(store: Storage, store_backend: StoreBackend) -> None:
    old = await save(store, "harbour", chat_id=1, message_id=10)
    kept = await save(store, "orchard", chat_id=1, message_id=11)
    assert not await store.forget_analysis(old.id, chat_id=2)  # another chat's
    assert await store.forget_analysis(old.id, chat_id=1)
    assert [a.id for a in await store.history(1)] == [kept.id]
    assert await store_backend.count("articles") == 1 and await store_backend.count("reports") == 1

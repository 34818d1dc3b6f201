"""Storage: the fetched-page cache (migration 3) on both backends (the ``store_backend`` fixture)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_backends import StoreBackend

from bot.links.page import FetchedPage
from storage import Storage, Store
from storage.migrations import LATEST_VERSION, MIGRATIONS, statements

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAGE = FetchedPage(
    url="https://news.example/2019/oil-facilities",
    text="Oil facilities were hit. " * 20,
    title="Oil facilities hit",
    site_name="News Example",
    published="2019-09-15",
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(store_backend: StoreBackend, clock: Clock) -> AsyncIterator[Storage]:
    async with await store_backend.open(clock=clock) as opened:
        yield opened


async def test_pages_cached_by_final_url_and_by_the_requested_url(store: Storage) -> None:
    assert await store.cached_page(PAGE.url) is None
    await store.save_page("https://short.example/x1", PAGE)
    assert await store.cached_page(PAGE.url) == PAGE
    assert await store.cached_page("https://short.example/x1") == PAGE
    assert await store.cached_page("https://short.example/other") is None


async def test_pages_saved_again_replace_the_older_fetch(store: Storage) -> None:
    await store.save_page(PAGE.url, PAGE)
    newer = FetchedPage(url=PAGE.url, text="Updated text. " * 50, title="Updated", site_name=None, published=None)
    await store.save_page("https://short.example/x1", newer)
    assert await store.cached_page(PAGE.url) == newer
    assert await store.cached_page("https://short.example/x1") == newer


async def test_pages_older_than_max_age_are_not_returned(store: Storage, clock: Clock) -> None:
    await store.save_page("https://short.example/x1", PAGE)
    clock.now = START + timedelta(hours=25)
    assert await store.cached_page(PAGE.url, max_age=timedelta(days=1)) is None
    assert await store.cached_page("https://short.example/x1", max_age=timedelta(days=2)) == PAGE
    assert await store.cached_page(PAGE.url) == PAGE


async def test_pages_purged_with_retention_aliases_too(
    store: Storage, store_backend: StoreBackend, clock: Clock
) -> None:
    await store.save_page("https://short.example/x1", PAGE)
    clock.now = START + timedelta(days=31)
    fresh = FetchedPage(url="https://news.example/fresh", text="Fresh text. " * 50)
    await store.save_page(fresh.url, fresh)
    assert await store.purge_older_than(30) == 1
    assert await store.cached_page("https://short.example/x1") is None
    assert await store.cached_page(fresh.url) == fresh
    assert await store_backend.count("fetched_urls") == 0


async def test_pages_migration_3_applies_to_a_version_2_database(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for script in MIGRATIONS[:2]:
            for statement in statements(script):
                db.execute(statement)
        db.execute("PRAGMA user_version = 2")
    async with await Store.open(path) as store:
        await store.save_page(PAGE.url, PAGE)
        assert await store.cached_page(PAGE.url) == PAGE
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION  # 3, and the ones after it

"""bot/service/articles.py: inbox, cache, extraction, save; with a counting analyzer and a real Store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.origin import Origin
from bot.report import Article, Report
from bot.service import Analysed, ArticleInput, ArticleService, DocumentRef, Failed, Job, Rejected
from storage import Store

ARTICLE = (
    "The city council voted on Tuesday to close the old bridge over the river for repairs, officials said. "
    "The mayor told reporters that the work would take about six months and cost the city nearly two million "
    "dollars. Residents who live near the bridge said they were worried about longer journeys to work and "
    "school, and a local business group said the closure could hurt shops on both sides of the river during "
    "the busy summer season."
)


class CountingAnalyzer:
    def __init__(self, failures: int = 0) -> None:
        self.calls = 0
        self.failures = failures

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("boom")
        return Report(Article(title, outlet, published, "en", len(text.split()), "0" * 64), (), (), (), (), (), "v1")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "db.sqlite3", max_attempts=2)
    yield opened
    await opened.close()


async def _accept(service: ArticleService, update_id: int, chat_id: int = 1) -> bool:
    article = ArticleInput(text=ARTICLE, origin=Origin(), chat_id=chat_id, message_id=update_id)
    return await service.accept(Job(update_id=update_id, chat_id=chat_id, message_id=update_id, article=article))


async def test_service_second_analysis_of_an_article_reuses_the_report(store: Store) -> None:
    analyzer = CountingAnalyzer()
    service = ArticleService(analyzer, store, extractor_version="v1")
    outcomes = []
    for update_id in (1, 2):
        assert await _accept(service, update_id)
        outcomes.append(
            await service.analyse(
                update_id, chat_id=1, message_id=update_id, text=ARTICLE, origin=Origin(chat_title="Desk")
            )
        )
        await service.finish(update_id, reply_message_id=10, analysis_id=outcomes[-1].analysis.id)
    first, second = outcomes
    assert isinstance(first, Analysed) and isinstance(second, Analysed)
    assert (first.cached, second.cached) == (False, True)
    assert second.analysis.seen_in_chat == 2
    assert first.report.article.outlet == "Desk"
    assert analyzer.calls == 1
    assert not await _accept(service, 1)  # known update: never answered twice


async def test_service_rejects_short_text_without_a_worker(store: Store) -> None:
    analyzer = CountingAnalyzer()
    service = ArticleService(analyzer, store)
    await _accept(service, 1)
    outcome = await service.analyse(1, chat_id=1, message_id=1, text="Too short.", origin=Origin())
    assert isinstance(outcome, Rejected) and outcome.code == "too_short"
    assert analyzer.calls == 0


async def test_service_failure_is_kept_for_retry_then_given_up(store: Store) -> None:
    service = ArticleService(CountingAnalyzer(failures=5), store)
    await _accept(service, 1)
    first = await service.analyse(1, chat_id=1, message_id=1, text=ARTICLE, origin=Origin())
    assert first == Failed("RuntimeError: boom", 1, False)
    item = await store.inbox_get(1)
    assert item is not None and item.status == "retry"
    second = await service.analyse(1, chat_id=1, message_id=1, text=ARTICLE, origin=Origin())
    assert isinstance(second, Failed) and second.gave_up
    await service.reported(1)
    item = await store.inbox_get(1)
    assert item is not None and item.status == "gave_up" and item.reported


async def test_service_job_is_redone_from_the_inbox_alone(store: Store) -> None:
    document = DocumentRef("F", "a.txt", "text/plain", 10)
    article = ArticleInput(
        text="", origin=Origin(kind="user", sender_name="Bo"), chat_id=7, message_id=3, document=document
    )
    job = Job(update_id=5, chat_id=7, message_id=3, article=article, sender_id=11, post_report=False, explicit=False)
    service = ArticleService(CountingAnalyzer(), store)
    assert await service.accept(job)
    item = await store.inbox_get(5)
    assert item is not None
    assert Job.from_inbox(item) == job

"""bot/service/articles.py: inbox, cache, extraction, save; with a counting analyzer and a real Store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.extraction.checks import EXTRACTOR_VERSION, report_version
from bot.extraction.runner import AnalysisOverrun
from bot.origin import Origin
from bot.report import Article, Report
from bot.service import (
    Analysed,
    ArticleInput,
    ArticleService,
    ChatMoved,
    ChatUnreachable,
    DeliveryError,
    DeliveryFailed,
    DocumentRef,
    Failed,
    Job,
    RateLimits,
    Rejected,
)
from storage import Store

ARTICLE = (
    "The city council voted on Tuesday to close the old bridge over the river for repairs, officials said. "
    "The mayor told reporters that the work would take about six months and cost the city nearly two million "
    "dollars. Residents who live near the bridge said they were worried about longer journeys to work and "
    "school, and a local business group said the closure could hurt shops on both sides of the river during "
    "the busy summer season."
)


class CountingAnalyzer:
    def __init__(self, failures: int = 0, version: str = "v1") -> None:
        self.calls = 0
        self.failures = failures
        self.version = version

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("boom")
        article = Article(title, outlet, published, "en", len(text.split()), "0" * 64)
        return Report(article, (), (), (), (), (), self.version)


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


async def test_service_report_of_the_other_extractor_is_not_reused(store: Store) -> None:
    """After CLAIMDESK_EXTRACTOR changes, the article is analysed again by the extractor now chosen."""
    made = []
    for update_id, extractor in ((1, "rules"), (2, "model"), (3, "model")):
        analyzer = CountingAnalyzer(version=report_version(extractor))
        service = ArticleService(analyzer, store, extractor_version=report_version(extractor))
        assert await _accept(service, update_id)
        outcome = await service.analyse(update_id, chat_id=1, message_id=update_id, text=ARTICLE, origin=Origin())
        assert isinstance(outcome, Analysed)
        made.append((outcome.cached, outcome.report.extractor_version))
    assert made == [
        (False, f"{EXTRACTOR_VERSION}+rules"),
        (False, f"{EXTRACTOR_VERSION}+model"),
        (True, f"{EXTRACTOR_VERSION}+model"),
    ]


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


@pytest.mark.parametrize(("edit_of", "replaces"), [(None, None), (40, 12)])
async def test_service_job_is_redone_from_the_inbox_alone(
    store: Store, edit_of: int | None, replaces: int | None
) -> None:
    document = DocumentRef("F", "a.txt", "text/plain", 10)
    article = ArticleInput(
        text="", origin=Origin(kind="user", sender_name="Bo"), chat_id=7, message_id=3, document=document
    )
    job = Job(
        update_id=5,
        chat_id=7,
        message_id=3,
        article=article,
        sender_id=11,
        post_report=False,
        explicit=False,
        edit_of=edit_of,
        replaces=replaces,
    )
    service = ArticleService(CountingAnalyzer(), store)
    assert await service.accept(job)
    item = await store.inbox_get(5)
    assert item is not None
    assert Job.from_inbox(item) == job


class OneWorker:
    """One extraction worker: analyses run one at a time, first come first served, 0.3 s each."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self._worker = asyncio.Lock()

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report:
        async with self._worker:
            await asyncio.sleep(0.3)
        self.done.append(text.rsplit(" ", 1)[-1])
        article = Article(title, outlet, published, "en", len(text.split()), "0" * 64)
        return Report(article, (), (), (), (), (), "v1")


async def test_service_one_chats_queue_delays_another_chats_first_article_by_one_analysis(store: Store) -> None:
    worker = OneWorker()
    service = ArticleService(worker, store, extractor_version="v1", slots=1)

    def analyse(chat_id: int, n: int) -> asyncio.Task[object]:
        text = f"{ARTICLE} {chat_id}-{n}"
        return asyncio.create_task(service.analyse(n, chat_id=chat_id, message_id=n, text=text, origin=Origin()))

    backlog = [analyse(1, n) for n in range(5)]
    await asyncio.sleep(0.15)  # chat 1's five wait for the worker (the first runs)
    first_of_chat_2 = analyse(2, 9)
    await asyncio.gather(*backlog, first_of_chat_2)
    assert worker.done.index("2-9") == 1  # after the analysis that was running, not after all five


async def test_service_analysis_over_its_limit_is_answered_too_complex(store: Store) -> None:
    class Overrunning:
        async def analyze(self, text: str, **meta: str | None) -> Report:
            raise AnalysisOverrun("it took more than 60 s")

    service = ArticleService(Overrunning(), store, extractor_version="v1")  # type: ignore[arg-type]
    assert await _accept(service, 5)
    outcome = await service.analyse(5, chat_id=1, message_id=5, text=ARTICLE, origin=Origin())
    assert isinstance(outcome, Rejected) and outcome.code == "too_complex"
    assert "too complex to analyse (it took more than 60 s)" in outcome.message


# --- the whole job, through a recording reply ---------------------------------------------------------


class RecordingReply:
    """A Reply that records what the service asked for; ``fail_with`` is raised by the next answer."""

    def __init__(self, chat_id: int = 1, fail_with: DeliveryError | None = None) -> None:
        self.chat_id = chat_id
        self.fail_with = fail_with
        self.said: list[tuple[str, str]] = []  # (method, what)
        self.moved_to: list[RecordingReply] = []

    async def typing(self) -> None:
        self.said.append(("typing", ""))

    async def progress(self, text: str) -> None:
        self.said.append(("progress", text))

    async def say(self, text: str) -> int | None:
        return self._answer("say", text)

    async def report(self, analysed: Analysed) -> int | None:
        return self._answer("report", str(analysed.analysis.id))

    async def failure(self, failed: Failed) -> int | None:
        return self._answer("failure", failed.reason)

    async def withdraw(self) -> None:
        self.said.append(("withdraw", ""))

    async def download(self, document: DocumentRef, max_bytes: int) -> bytes:
        return ARTICLE.encode("utf-8")

    def moved(self, chat_id: int) -> RecordingReply:
        self.moved_to.append(RecordingReply(chat_id))
        return self.moved_to[-1]

    def _answer(self, method: str, what: str) -> int:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.said.append((method, what))
        return 100 + len(self.said)


def job(update_id: int = 1, *, text: str = ARTICLE, explicit: bool = True, **article: object) -> Job:
    fields: dict[str, object] = {"text": text, "origin": Origin(), "chat_id": 1, "message_id": 5, **article}
    return Job(update_id, 1, 5, ArticleInput(**fields), sender_id=9, explicit=explicit)  # type: ignore[arg-type]


async def test_service_submit_answers_once_and_marks_the_inbox(store: Store) -> None:
    service, reply = ArticleService(CountingAnalyzer(), store), RecordingReply()
    await service.submit(job(), reply)
    await service.submit(job(), reply)  # redelivered: never answered twice
    assert [method for method, _ in reply.said] == ["typing", "report"]
    item = await store.inbox_get(1)
    assert item is not None and item.status == "done" and item.reply_message_id == 102


async def test_service_submit_downloads_a_document_behind_a_progress_message(store: Store) -> None:
    service, reply = ArticleService(CountingAnalyzer(), store), RecordingReply()
    await service.submit(job(text="", document=DocumentRef("F", "a.txt", "text/plain", 10)), reply)
    assert reply.said[:2] == [("typing", ""), ("progress", "Analysing a.txt …")]
    assert reply.said[-1][0] == "report"


@pytest.mark.parametrize(
    ("explicit", "said"), [(True, ["typing", "say"]), (False, ["typing", "withdraw"])], ids=["asked", "picked-up"]
)
async def test_service_not_an_article_is_said_only_when_asked(store: Store, explicit: bool, said: list[str]) -> None:
    service, reply = ArticleService(CountingAnalyzer(), store), RecordingReply()
    await service.submit(job(text="Too short to be an article.", explicit=explicit), reply)
    assert [method for method, _ in reply.said] == said
    item = await store.inbox_get(1)
    assert item is not None and item.status == "done"


async def test_service_over_the_limit_is_kept_answered_later_and_told_once(store: Store) -> None:
    """Nothing dropped: the two articles over the limit wait for the window and are answered; one notice."""
    service = ArticleService(CountingAnalyzer(), store, limits=RateLimits(per_user=1, per_chat=0, window=0.6))
    replies = [RecordingReply() for _ in range(3)]
    await asyncio.gather(*(service.submit(job(update_id), reply) for update_id, reply in enumerate(replies, 1)))
    assert [[method for method, _ in r.said if method != "say"] for r in replies] == [["typing", "report"]] * 3
    notices = [what for r in replies for method, what in r.said if method == "say"]
    assert len(notices) == 1
    assert "Too many articles: you sent 1" in notices[0] and "I'll answer the next 2 articles in about" in notices[0]


async def test_service_unreachable_chat_is_marked_and_the_job_ends(store: Store) -> None:
    service = ArticleService(CountingAnalyzer(), store)
    await service.submit(job(), RecordingReply(fail_with=ChatUnreachable("Forbidden: bot was blocked by the user")))
    assert (await store.chat_settings(1)).unreachable == "Forbidden: bot was blocked by the user"
    item = await store.inbox_get(1)
    assert item is not None and item.status == "done"


async def test_service_moved_chat_answers_in_the_new_chat(store: Store) -> None:
    service, reply = ArticleService(CountingAnalyzer(), store), RecordingReply(fail_with=ChatMoved("moved", -1009))
    await service.submit(job(), reply)
    assert [r.chat_id for r in reply.moved_to] == [-1009]
    assert [method for method, _ in reply.moved_to[0].said] == ["typing", "report"]
    item = await store.inbox_get(1)
    assert item is not None and item.chat_id == -1009 and item.status == "done"
    # both analyses (before and after the move) are the new chat's: one history row, seen twice
    assert [a.seen_in_chat for a in await store.history(-1009)] == [2] and not await store.history(1)


async def test_service_failed_delivery_is_kept_for_a_retry(store: Store) -> None:
    service = ArticleService(CountingAnalyzer(), store)
    with pytest.raises(DeliveryFailed):
        await service.submit(job(), RecordingReply(fail_with=DeliveryFailed("NetworkError: down")))
    item = await store.inbox_get(1)
    assert item is not None and item.status == "retry" and item.last_error == "NetworkError: down"


async def test_service_articles_an_analysis_carries_its_desk(store: Store) -> None:
    service = ArticleService(CountingAnalyzer(), store, extractor_version="v1")
    await _accept(service, 1)
    outcome = await service.analyse(1, chat_id=1, message_id=1, text=ARTICLE, origin=Origin())
    assert isinstance(outcome, Analysed) and outcome.desk is not None
    assert outcome.desk.verdicts == {} and outcome.desk.earlier == {}


async def test_service_articles_a_failed_match_still_sends_the_report(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("index broken")

    monkeypatch.setattr(store, "remember_report", broken)
    service = ArticleService(CountingAnalyzer(), store, extractor_version="v1")
    await _accept(service, 1)
    outcome = await service.analyse(1, chat_id=1, message_id=1, text=ARTICLE, origin=Origin())
    assert isinstance(outcome, Analysed) and outcome.desk is None
    assert "could not be matched" in caplog.text

"""The article service: inbox, cache, extraction, storage. No Telegram here; handlers call it and reply.

``accept`` keeps an update in the inbox before any work (False: known already, never answer twice);
``read_link`` gives the article behind a link (the stored page, or fetched and stored); ``analyse``
reuses a stored report of the same article or runs the extraction, saves the analysis and says what
to tell the chat; ``finish`` marks the update answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.extraction.checks import EXTRACTOR_VERSION, InputRejected, check_input
from bot.links.page import FetchedPage
from bot.render import title_of
from bot.report import Report
from storage import Analysis, InboxItem, Store

log = logging.getLogger(__name__)

#: How long a fetched page is reused before the link is fetched again.
PAGE_CACHE_AGE = timedelta(days=1)


class Analyzer(Protocol):
    """What the service needs of :class:`bot.extraction.runner.ExtractionRunner`."""

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report: ...


class PageFetcher(Protocol):
    """What the service needs of :class:`bot.links.fetch.Fetcher`: the article behind a link, or
    :class:`bot.links.page.FetchError`."""

    async def fetch(self, url: str) -> FetchedPage: ...


@dataclass(frozen=True, slots=True)
class Analysed:
    """A report to show: the stored analysis (with how often this chat has seen the article)."""

    analysis: Analysis
    report: Report
    cached: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    """Not an article the bot can analyse; ``message`` says why to a person."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The analysis failed; the article is kept and retried unless ``gave_up``."""

    reason: str
    attempts: int
    gave_up: bool


Outcome = Analysed | Rejected | Failed


class ArticleService:
    """Inbox -> cached report or extraction -> saved analysis."""

    def __init__(
        self,
        runner: Analyzer,
        store: Store,
        *,
        fetcher: PageFetcher | None = None,
        extractor_version: str = EXTRACTOR_VERSION,
    ) -> None:
        self.runner = runner
        self.store = store
        self.fetcher = fetcher
        self.extractor_version = extractor_version

    async def accept(self, *, update_id: int, chat_id: int, message_id: int, raw: dict[str, Any]) -> bool:
        """Keep the update before analysing it; False when it is known already (do not answer it again)."""
        return await self.store.inbox_add(update_id=update_id, chat_id=chat_id, message_id=message_id, raw=raw)

    async def read_link(self, url: str) -> FetchedPage:
        """The article behind ``url``: the stored page, or fetched and stored (FetchError when none)."""
        page = await self.store.cached_page(url, max_age=PAGE_CACHE_AGE)
        if page is None:
            if self.fetcher is None:
                raise RuntimeError("this service has no page fetcher")
            page = await self.fetcher.fetch(url)
            await self.store.save_page(url, page)
        return page

    async def analyse(
        self,
        update_id: int,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        origin: dict[str, Any],
        title: str | None = None,
    ) -> Outcome:
        """Analyse (or reuse the stored report of) one article and save the analysis for this chat."""
        try:
            check_input(text)  # cheap, and here rather than in a worker process
            report = await self.store.cached_report(text, self.extractor_version)
            cached = report is not None
            if report is None:
                page = origin.get("page") or {}  # a linked article: its site and date, not the post's
                report = await self.runner.analyze(
                    text,
                    title=title,
                    outlet=page.get("site_name") or origin.get("chat_title"),
                    published=page.get("published") or origin.get("date"),
                )
            saved = await self.store.save_analysis(
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                report=report,
                origin=origin,
                title=title_of(report, origin),  # a headline, else the lead's first sentence, else the channel
            )
        except InputRejected as rejected:
            return Rejected(rejected.code, str(rejected))
        except Exception as exc:  # noqa: BLE001 - any failure is kept and retried, the user told
            log.exception("analysis of update %d failed", update_id)
            return await self.fail(update_id, f"{type(exc).__name__}: {exc}")
        return Analysed(saved, report, cached)

    async def fail(self, update_id: int, reason: str) -> Failed:
        """Count a failed attempt (analysis or reply); the store schedules the retry or gives up."""
        item = await self.store.inbox_mark_failed(update_id, reason)
        return Failed(reason, item.attempts, item.status == "gave_up")

    async def finish(self, update_id: int, *, reply_message_id: int | None, analysis_id: int | None) -> None:
        """The update is answered (or deliberately not): never analysed again."""
        await self.store.inbox_mark_done(update_id, reply_message_id=reply_message_id, analysis_id=analysis_id)

    async def reported(self, update_id: int) -> None:
        """The give-up of this update was told to the chat."""
        await self.store.inbox_mark_reported(update_id)

    async def due(self) -> list[InboxItem]:
        """Inbox items to (re)process now: left pending by a process that died, or due for a retry."""
        return await self.store.inbox_due()

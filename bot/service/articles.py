"""The article lifecycle: inbox, limits, reading, analysis, saving, answering, retries. No Telegram here.

A handler unpacks an update into a :class:`~bot.service.jobs.Job` and calls :meth:`ArticleService.submit`
with a :class:`~bot.service.reply.Reply` for the chat. The job is kept in the inbox before any work (a
known update is never answered twice); a document is downloaded and decoded, a message too short to be
an article that carries a link to one gets the linked article (the stored page, or fetched and stored);
the stored report of the same article is reused or the extraction runs; the analysis is saved and the
answer sent. Every kept job ends answered, refused with a reason, or failed with the reason told, and a
failed one is retried from the inbox (:meth:`ArticleService.recover`) until it is given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from bot.desk import DeskView
from bot.extraction.checks import DEFAULT_EXTRACTOR, MIN_WORDS, InputRejected, check_input, report_version
from bot.extraction.runner import AnalysisOverrun
from bot.links.page import FetchedPage, FetchError
from bot.links.policy import article_link
from bot.origin import Origin
from bot.render import title_of
from bot.report import Report
from bot.service.documents import MAX_DOCUMENT_BYTES, DocumentProblem, decode_document, document_problem
from bot.service.jobs import ArticleInput, Job
from bot.service.limits import RateLimits, Refusal
from bot.service.outcomes import Analysed, Failed, Outcome, Rejected
from bot.service.reply import ChatMoved, ChatUnreachable, DeliveryError, DeliveryFailed, Reply
from bot.service.turns import FairTurns
from bot.service.workers import Runner
from storage import Answered, InboxItem, Storage, StorageError

log = logging.getLogger(__name__)

#: How long a fetched page is reused before the link is fetched again.
PAGE_CACHE_AGE = timedelta(days=1)

NOTHING_TO_READ = (
    "Send me a news article: forward it, paste its text or a link to it, or send a .txt, .md or .html file."
)
READING_LINK = "Reading the linked article …"
TOO_COMPLEX = "This article is too complex to analyse ({limit}). A shorter part of it may work."
#: Seconds between the first article over a rate limit and the notice that counts the waiting ones.
NOTICE_AFTER_SECONDS = 0.5


class PageFetcher(Protocol):
    """What the service needs of :class:`bot.links.fetch.Fetcher`: the article behind a link, or
    :class:`bot.links.page.FetchError`."""

    async def fetch(self, url: str) -> FetchedPage: ...


class ArticleService:
    """Inbox -> limits -> reading -> cached report or extraction -> saved analysis -> answer."""

    def __init__(
        self,
        runner: Runner,
        store: Storage,
        *,
        fetcher: PageFetcher | None = None,
        limits: RateLimits | None = None,
        extractor_version: str = report_version(DEFAULT_EXTRACTOR),
        slots: int = 1,
    ) -> None:
        """``slots``: analyses run at once (the extraction workers), handed out fairly across chats."""
        self.runner = runner
        self.store = store
        self.fetcher = fetcher
        self.limits = limits or RateLimits(0, 0)
        self.extractor_version = extractor_version
        self.turns = FairTurns(slots)
        self._in_work: set[asyncio.Task[None]] = set()
        self._deferred: dict[int, int] = {}  # chat id -> articles waiting for the rate window

    # -- one job, start to end ----------------------------------------------------------------------

    async def submit(self, job: Job, reply: Reply) -> None:
        """Keep ``job`` in the inbox, then do it and answer through ``reply`` (once, ever)."""
        if not await self.accept(job):
            log.info("update %d is known already: not answered again", job.update_id)
            return
        await self._run(job, reply, recovered=False)

    async def start(self, job: Job, reply: Reply) -> None:
        """Keep ``job`` in the inbox, then do it in a task of its own (an update's handler returns at once,
        and the update is done with while its article waits for its turn)."""
        if not await self.accept(job):
            log.info("update %d is known already: not answered again", job.update_id)
            return
        self._in_background(self._run_detached(job, reply), f"claimdesk-update-{job.update_id}")

    async def _run_detached(self, job: Job, reply: Reply) -> None:
        """:meth:`_run` with nobody to raise to: what it raises is logged (the item stays in the inbox)."""
        try:
            await self._run(job, reply, recovered=False)
        except DeliveryError as exc:
            log.warning("update %d: %s (kept for a retry)", job.update_id, exc)
        except StorageError as exc:
            log.error("update %d: %s", job.update_id, exc)

    async def close(self) -> None:
        """Stop the articles in work; they are kept in the inbox and done after the next start."""
        for task in list(self._in_work):
            task.cancel()
        await asyncio.gather(*self._in_work, return_exceptions=True)

    async def accept(self, job: Job) -> bool:
        """Keep the job before doing it; False when its update is known already (do not answer it again)."""
        return await self.store.inbox_add(
            update_id=job.update_id, chat_id=job.chat_id, message_id=job.message_id, raw=job.inbox_raw()
        )

    async def _run(self, job: Job, reply: Reply, *, recovered: bool) -> None:
        """Do ``job``; ``recovered``: from the inbox (a retry, or left by a process that died)."""
        update_id, chat_id, article = job.update_id, job.chat_id, job.article
        try:
            if (await self.store.chat_settings(chat_id)).unreachable is not None:
                if recovered:  # blocked or gone: nothing is sent there any more
                    log.info("inbox item %d not answered: chat %d is unreachable", update_id, chat_id)
                    await self.finish(update_id)
                    return
                await self.store.mark_chat_reachable(chat_id)  # it wrote to the bot: it can hear from it again
            if article.document is not None and (problem := document_problem(article.document)):
                await self.finish(update_id, await reply.say(problem) if job.explicit else None)
                return
            if not article.text.strip() and article.document is None:
                await self.finish(update_id, await reply.say(NOTHING_TO_READ) if job.explicit else None)
                return
            if not recovered:
                await self._wait_for_window(job, reply)
            await reply.typing()
            read = await self._read(article, reply)
            outcome: Outcome = (
                read
                if isinstance(read, Rejected)
                else await self.analyse(
                    update_id,
                    chat_id=chat_id,
                    message_id=job.message_id,
                    text=read.text,
                    origin=read.origin,
                    title=read.title,
                )
            )
            if isinstance(outcome, Failed):
                await self._tell_failure(update_id, reply, outcome, recovered=recovered)
            elif isinstance(outcome, Rejected):
                if job.explicit:
                    await self.finish(update_id, await reply.say(outcome.message))
                else:
                    await reply.withdraw()
                    await self.finish(update_id)
            else:
                await self.finish(update_id, await reply.report(outcome), outcome.analysis.id)
                if job.replaces is not None and job.replaces != outcome.analysis.id:
                    await self.store.forget_analysis(job.replaces, chat_id=chat_id)  # the message was edited
        except ChatMoved as moved:  # the group became a supergroup: move what is stored, answer there
            log.info("chat %d migrated to %d while answering update %d", chat_id, moved.new_chat_id, update_id)
            await self.migrate_chat(chat_id, moved.new_chat_id)
            item = await self.store.inbox_get(update_id)
            if item is None or item.status != "pending":  # failed already: its retry answers at the new id
                return
            await self._run(replace(job, chat_id=moved.new_chat_id), reply.moved(moved.new_chat_id), recovered=True)
        except ChatUnreachable as gone:  # blocked, kicked, chat not found: stop sending to this chat
            log.warning("chat %d is unreachable: %s", chat_id, gone.reason)
            await self.chat_unreachable(chat_id, gone.reason)
            await self.finish(update_id)
        except DeliveryFailed as failed:  # network trouble, flood beyond the retries: kept for a retry
            await self.fail(update_id, failed.reason)
            raise
        except Exception as exc:  # a bug or an input nobody foresaw: kept, retried, and the chat is told
            log.exception("update %d failed", update_id)
            told = await self.fail(update_id, type(exc).__name__)
            with contextlib.suppress(DeliveryError):
                await self._tell_failure(update_id, reply, told, recovered=recovered)

    async def _wait_for_window(self, job: Job, reply: Reply) -> None:
        """Over a rate limit the article waits, kept in the inbox, until the window takes it (nothing is
        dropped); the chat is told once a window how many wait and about how long."""
        waited = False
        while (refusal := self.limits.take(job.sender_id, job.chat_id)) is not None:
            log.info("update %d waits %.1f s: %s limit", job.update_id, refusal.retry_after, refusal.scope)
            self._deferred[job.chat_id] = self._deferred.get(job.chat_id, 0) + 1
            if refusal.first and not waited:  # one refused again after its wait was counted already
                self._in_background(self._tell_deferred(job, reply, refusal), f"claimdesk-notice-{job.update_id}")
            waited = True
            try:
                await asyncio.sleep(refusal.retry_after)
            finally:
                self._deferred[job.chat_id] -= 1
                if not self._deferred[job.chat_id]:
                    del self._deferred[job.chat_id]

    async def _tell_deferred(self, job: Job, reply: Reply, refusal: Refusal) -> None:
        """After a moment (the rest of a burst arrives with it), say how many articles of the chat wait."""
        await asyncio.sleep(NOTICE_AFTER_SECONDS)
        waiting = self._deferred.get(job.chat_id, 0)
        if waiting:
            with contextlib.suppress(DeliveryError):
                await reply.say(refusal.message(waiting, refusal.retry_after - NOTICE_AFTER_SECONDS))

    def _in_background(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._in_work.add(task)
        task.add_done_callback(self._in_work.discard)

    async def _read(self, article: ArticleInput, reply: Reply) -> ArticleInput | Rejected:
        """The article to analyse: the message itself, its downloaded document, or the linked article."""
        if article.document is not None:
            await reply.progress(f"Analysing {article.document.file_name or 'the file'} …")
            try:
                text, title = decode_document(
                    await reply.download(article.document, MAX_DOCUMENT_BYTES), article.document.file_name
                )
            except DocumentProblem as problem:
                return Rejected("document", str(problem))
            return article.with_text(text, title=title)
        link = None if len(article.text.split()) >= MIN_WORDS else article_link(article.links)
        if link is None:
            return article
        await reply.progress(READING_LINK)
        try:
            page = await self.read_link(link)
        except FetchError as error:
            log.info("link not read (%s): %s", error.code, error)
            return Rejected(f"link_{error.code}", error.told)
        return replace(
            article.with_text(page.text, title=page.title), origin=replace(article.origin, page=page.origin())
        )

    async def _tell_failure(self, update_id: int, reply: Reply, failed: Failed, *, recovered: bool) -> None:
        """Tell the chat once that the article is kept and retried, and once more if it is given up."""
        if failed.gave_up:
            await reply.failure(failed)
            await self.reported(update_id)
        elif not recovered or failed.attempts == 1:
            await reply.failure(failed)

    # -- the steps ----------------------------------------------------------------------------------

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
        origin: Origin,
        title: str | None = None,
    ) -> Outcome:
        """Analyse (or reuse the stored report of) one article and save the analysis for this chat."""
        try:
            check_input(text)  # cheap, and here rather than in a worker process
            report = await self.store.cached_report(text, self.extractor_version)
            cached = report is not None
            if report is None:
                page = origin.page  # a linked article: its site and date, not the post's
                async with self.turns.turn(chat_id):
                    report = await self.runner.analyze(
                        text,
                        title=title,
                        outlet=(page.site_name if page else None) or origin.chat_title,
                        published=(page.published if page else None) or origin.date,
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
        except AnalysisOverrun as overrun:
            log.warning("analysis of update %d stopped: %s", update_id, overrun.limit)
            return Rejected("too_complex", TOO_COMPLEX.format(limit=overrun.limit))
        except Exception as exc:  # noqa: BLE001 - any failure is kept and retried, the user told
            log.exception("analysis of update %d failed", update_id)
            return await self.fail(update_id, f"{type(exc).__name__}: {exc}")
        return Analysed(saved, report, cached, await self.remember(saved.id, chat_id, report))

    async def remember(self, analysis_id: int, chat_id: int, report: Report) -> DeskView | None:
        """Match the report's claims against the chat's earlier articles and add them to its memory;
        what the desk then knows of them. None when that failed: the report is still sent (logged)."""
        try:
            await self.store.remember_report(chat_id, analysis_id, report)
            return await self.store.desk_view(analysis_id, chat_id=chat_id)
        except Exception:  # noqa: BLE001 - the analysis is saved; without the desk the report still stands
            log.exception("claims of analysis %d could not be matched", analysis_id)
            return None

    async def fail(self, update_id: int, reason: str) -> Failed:
        """Count a failed attempt (analysis or reply); the store schedules the retry or gives up."""
        item = await self.store.inbox_mark_failed(update_id, reason)
        return Failed(reason, item.attempts, item.status == "gave_up")

    async def finish(self, update_id: int, reply_message_id: int | None = None, analysis_id: int | None = None) -> None:
        """The update is answered (or deliberately not): never analysed again."""
        await self.store.inbox_mark_done(update_id, reply_message_id=reply_message_id, analysis_id=analysis_id)

    async def answered(self, chat_id: int, message_id: int) -> Answered | None:
        """How the bot last answered this message (None: it never did), for an edit of the message."""
        return await self.store.answered(chat_id, message_id)

    async def reported(self, update_id: int) -> None:
        """The give-up of this update was told to the chat."""
        await self.store.inbox_mark_reported(update_id)

    # -- the inbox over time ------------------------------------------------------------------------

    async def renew(self) -> int:
        """Keep the inbox items this process is working on its own (their lease renewed); how many."""
        return await self.store.inbox_renew()

    async def recover(self, reply_for: Callable[[Job], Reply]) -> int:
        """Do the inbox items that are due (their process died or stopped renewing, or a retry is due)."""
        items = await self.store.inbox_due()
        for item in items:
            try:
                job = Job.from_inbox(item)
            except (KeyError, TypeError, ValueError) as exc:
                log.error("inbox item %d cannot be read back: %s", item.update_id, exc)
                await self.finish(item.update_id)
                continue
            log.info("processing inbox item %d (attempt %d)", item.update_id, item.attempts + 1)
            try:
                await self._run(job, reply_for(job), recovered=True)
            except DeliveryError as exc:
                log.warning("inbox item %d: %s (kept for a retry)", item.update_id, exc)
        return len(items)

    async def tell_given_up(self, reply_for: Callable[[InboxItem], Reply]) -> None:
        """Tell chats about give-ups they were not told of (the process died before telling)."""
        for item in await self.store.inbox_unreported():
            if (await self.store.chat_settings(item.chat_id)).unreachable is None:
                failed = Failed(item.last_error or "unknown error", item.attempts, gave_up=True)
                try:
                    await reply_for(item).failure(failed)
                except ChatUnreachable as gone:
                    await self.chat_unreachable(item.chat_id, gone.reason)
                except DeliveryError as exc:
                    log.warning("inbox item %d: could not tell the give-up: %s", item.update_id, exc)
                    continue
            await self.reported(item.update_id)  # told, or blocked or gone: nobody to tell

    # -- chats ----------------------------------------------------------------------------------------

    async def chat_unreachable(self, chat_id: int, reason: str) -> None:
        """The bot cannot send to this chat (blocked, removed, chat not found): stop sending there."""
        await self.store.mark_chat_unreachable(chat_id, reason)

    async def chat_reachable(self, chat_id: int) -> None:
        """The bot is back in this chat."""
        await self.store.mark_chat_reachable(chat_id)

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its history, inbox and settings move to the new id."""
        await self.store.migrate_chat(old_chat_id, new_chat_id)

"""The async boundary: extraction runs in worker processes, never on the event loop.

One ``spawn`` process per worker (each a single-process pool whose initializer loads the spaCy pipeline
once); callers await :meth:`ExtractionRunner.analyze` and get a :class:`~bot.report.Report` (or
:class:`~bot.extraction.checks.InputRejected`). Every analysis has a time and a memory limit
(:class:`AnalysisLimits`): a worker that runs past either is killed and replaced, and the analysis
raises :class:`AnalysisOverrun` at once, so the chat is answered in time and the other workers go on.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.extraction import worker
from bot.extraction.checks import DEFAULT_EXTRACTOR
from bot.report import Report

#: Seconds between two looks at a running analysis (its time, its worker's memory).
WATCH_SECONDS = 0.1
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True, slots=True)
class AnalysisLimits:
    """Most seconds one analysis may take, and most memory (resident, MB) its worker may hold meanwhile
    (a worker with the model loaded holds about 300 MB, and the parse of a 200,000-character text about
    1.3 GB; 0 turns a limit off)."""

    seconds: float = 60.0
    memory_mb: int = 2048


class AnalysisOverrun(Exception):
    """The analysis ran past a limit (``limit`` says which, in words); its worker was replaced."""

    def __init__(self, limit: str) -> None:
        super().__init__(f"analysis stopped: {limit}")
        self.limit = limit


class _Worker:
    """One worker process, as a single-process pool (so it can be killed alone)."""

    def __init__(self, model: str, extractor: str) -> None:
        self.pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.load,
            initargs=(model, os.getpid(), extractor),
        )
        #: Loading the model (a replacement worker): analyses wait for it outside their time limit.
        self.loading: asyncio.Task[None] | None = None

    def pids(self) -> list[int]:
        return list(self.pool._processes or {})  # the executor's own table of its processes

    def kill(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pool.shutdown(wait=False, cancel_futures=True)


class ExtractionRunner:
    """Extraction workers, each with the model loaded once; at most one analysis per worker at a time."""

    def __init__(
        self, model: str, workers: int, *, limits: AnalysisLimits | None = None, extractor: str = DEFAULT_EXTRACTOR
    ) -> None:
        self.model = model
        self.extractor = extractor
        self.workers = max(1, workers)
        self.limits = limits or AnalysisLimits()
        self.replaced = 0
        self._all = [_Worker(model, extractor) for _ in range(self.workers)]
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        for each in self._all:
            self._idle.put_nowait(each)

    async def warm(self) -> None:
        """Start every worker and load its model, so the first real article is as fast as the rest."""
        await asyncio.gather(*(self._warm(each) for each in self._all))

    async def analyze(
        self,
        text: str,
        *,
        title: str | None = None,
        outlet: str | None = None,
        published: str | None = None,
    ) -> Report:
        """Analyse one article in a free worker; raises ``InputRejected`` for text that is not an article
        and :class:`AnalysisOverrun` when it takes too long or too much memory."""
        chosen = await self._idle.get()
        try:
            if chosen.loading is not None:
                await asyncio.shield(chosen.loading)
            running = chosen.pool.submit(worker.analyze, text, title, outlet, published)
            limit = await self._watch(chosen, running)
            if limit is None:
                return running.result()
            chosen = self._replace(chosen)
            raise AnalysisOverrun(limit)
        finally:
            self._idle.put_nowait(chosen)

    async def close(self) -> None:
        """Stop the workers (waits for running analyses; queued ones are cancelled)."""
        for each in self._all:
            if each.loading is not None:
                each.loading.cancel()
        await asyncio.gather(
            *(asyncio.to_thread(each.pool.shutdown, wait=True, cancel_futures=True) for each in self._all)
        )

    async def _watch(self, chosen: _Worker, running: Future[Report]) -> str | None:
        """Wait for ``running``; the limit it ran past, or None once it is done."""
        loop = asyncio.get_running_loop()
        waiting = asyncio.wrap_future(running)
        seconds, memory = self.limits.seconds, self.limits.memory_mb
        deadline = loop.time() + seconds if seconds > 0 else float("inf")
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=max(0.0, min(WATCH_SECONDS, deadline - loop.time())))
            if done:
                return None
            limit = None
            if loop.time() >= deadline:
                limit = f"it took more than {seconds:g} s"
            elif memory > 0 and max(map(_resident_mb, chosen.pids()), default=0.0) > memory:
                limit = f"it needed more than {memory} MB"
            if limit is not None:
                waiting.cancel()  # given up on: the worker's death is nobody's news
                return limit

    def _replace(self, overrun: _Worker) -> _Worker:
        """Kill the worker that overran; a new one starts loading its model at once."""
        overrun.kill()
        fresh = _Worker(self.model, self.extractor)
        self._all[self._all.index(overrun)] = fresh
        self.replaced += 1
        fresh.loading = asyncio.create_task(self._warm(fresh))
        return fresh

    async def _warm(self, each: _Worker) -> None:
        await asyncio.get_running_loop().run_in_executor(each.pool, worker.ready)


def _resident_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (0 when it is gone or there is no /proc)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * _PAGE_BYTES / (1024 * 1024)

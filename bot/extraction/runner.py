"""The async boundary: extraction runs in worker processes, never on the event loop.

A ``spawn`` process pool whose initializer loads the spaCy pipeline once per worker; callers
await :meth:`ExtractionRunner.analyze` and get a :class:`~bot.report.Report` (or
:class:`~bot.extraction.checks.InputRejected`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from bot.extraction import worker
from bot.extraction.checks import DEFAULT_EXTRACTOR
from bot.report import Report


class ExtractionRunner:
    """A pool of extraction workers, each with the model loaded once."""

    def __init__(self, model: str, workers: int, extractor: str = DEFAULT_EXTRACTOR) -> None:
        self.model = model
        self.workers = max(1, workers)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.load,
            initargs=(model, extractor),
        )

    async def warm(self) -> None:
        """Start every worker and load its model, so the first real article is as fast as the rest."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, worker.ready) for _ in range(self.workers)))

    async def analyze(
        self,
        text: str,
        *,
        title: str | None = None,
        outlet: str | None = None,
        published: str | None = None,
    ) -> Report:
        """Analyse one article in a worker; raises ``InputRejected`` for text that is not an article."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, worker.analyze, text, title, outlet, published)

    async def close(self) -> None:
        """Stop the workers (waits for running analyses; queued ones are cancelled)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)

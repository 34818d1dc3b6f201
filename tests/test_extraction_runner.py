"""bot/extraction/runner.py: a time and a memory limit on every analysis; the worker that overruns is
replaced and the next article is analysed as usual (issue 15 item 3)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from bot.config import DEFAULT_SPACY_MODEL
from bot.extraction.runner import AnalysisLimits, AnalysisOverrun, ExtractionRunner, _resident_mb
from bot.report import Report

#: Invented: 8,000 short quotation-and-tag pairs, just under 200,000 characters (a minute of parsing here).
HEAVY = "Council vote ends in uproar\n" + "".join(f"“No {n % 97} way,” Ann said.\n" for n in range(8000))
#: Invented for this test.
ARTICLE = (
    "Flood water closed the main bridge in the river town of Eastfield on Monday, officials said. "
    "“We have never seen the water rise this fast,” said Mayor Ruth Calder, who added that about 300 "
    "homes had been evacuated overnight. The regional weather office said more rain was expected on "
    "Tuesday, but the number of damaged buildings could not be independently verified."
)


@pytest.mark.parametrize("limit", ["seconds", "memory"])
async def test_runner_overrun_is_stopped_in_time_and_the_worker_replaced(limit: str) -> None:
    runner = ExtractionRunner(DEFAULT_SPACY_MODEL, 1, limits=AnalysisLimits(seconds=0, memory_mb=0))
    try:
        await runner.warm()
        idle = max(_resident_mb(pid) for each in runner._all for pid in each.pids())
        low = {
            "seconds": AnalysisLimits(seconds=2.0, memory_mb=0),
            "memory": AnalysisLimits(seconds=0, memory_mb=int(idle) + 150),
        }
        runner.limits = low[limit]
        started = time.monotonic()
        with pytest.raises(AnalysisOverrun) as caught:
            await runner.analyze(HEAVY)
        elapsed = time.monotonic() - started
        assert ("more than 2 s" if limit == "seconds" else "MB") in caught.value.limit
        assert elapsed < 20  # the whole parse takes a minute and more
        assert runner.replaced == 1
        report = await runner.analyze(ARTICLE, title="After")
        assert isinstance(report, Report) and report.article.title == "After"
    finally:
        await runner.close()


def test_runner_limits_come_from_the_settings() -> None:
    from bot.config import Settings

    settings = Settings.from_env({"CLAIMDESK_ANALYSIS_SECONDS": "5", "CLAIMDESK_ANALYSIS_MEMORY_MB": "900"})
    assert (settings.analysis_seconds, settings.analysis_memory_mb) == (5, 900)
    assert dataclasses.astuple(AnalysisLimits()) == (Settings().analysis_seconds, Settings().analysis_memory_mb)

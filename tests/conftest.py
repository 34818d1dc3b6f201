"""Shared fixtures: the fake Telegram Bot API server (tests/fakebotapi.py), a Bot connected to it, and one
extraction worker pool per test module."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
from fakebotapi import FakeBotAPI, fast_request
from hardening_stats import FAULTS, count, summary_lines
from telegram import Bot

from bot.config import DEFAULT_SPACY_MODEL
from bot.extraction.runner import ExtractionRunner

if TYPE_CHECKING:
    from spacy.language import Language


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API on 127.0.0.1 (free port); ``fake_bot_api.bot_kwargs`` configures a Bot."""
    async with FakeBotAPI() as server:
        yield server
        count(FAULTS, sum(1 for request in server.requests if request.fault is not None))


@pytest.fixture(scope="session")
def nlp() -> "Language":
    """The pinned spaCy pipeline with Claimdesk's additions, loaded once per test session."""
    from bot.extraction.pipeline import load_pipeline

    return load_pipeline(DEFAULT_SPACY_MODEL)


@pytest.fixture(scope="module")
def extraction_runner() -> Iterator[ExtractionRunner]:
    """One real extraction worker (the pinned model) shared by a module's tests: starting one costs seconds."""
    runner = ExtractionRunner(DEFAULT_SPACY_MODEL, 1)
    yield runner
    asyncio.run(runner.close())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The hardening figures (tests/hardening_stats.py): bad inputs, faults injected, articles lost."""
    terminalreporter.write_sep("-", "hardening")
    for line in summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture
async def fake_bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An initialised ``telegram.Bot`` talking to ``fake_bot_api``."""
    async with Bot(**fake_bot_api.bot_kwargs, request=fast_request(), get_updates_request=fast_request()) as bot:
        yield bot

"""Shared fixtures: the fake Telegram Bot API server (tests/fakebotapi.py)."""

from collections.abc import AsyncIterator

import pytest

from fakebotapi import FakeBotAPI


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API on 127.0.0.1 (free port); ``fake_bot_api.bot_kwargs`` configures a Bot."""
    async with FakeBotAPI() as server:
        yield server

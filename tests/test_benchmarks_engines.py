"""The pure parts of the engines benchmark: how its analyses spread over chats at every size."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.engines import BIG_CHAT, SMALL_CHAT, chat_of


@pytest.mark.parametrize("size", [1_000, 10_000, 100_000])
def test_benchmarks_engines_half_in_the_big_chat_a_twentieth_in_each_small_one(size: int) -> None:
    chats = Counter(chat_of(number) for number in range(size))
    assert chats[BIG_CHAT] == size // 2
    assert sorted(chats) == [BIG_CHAT, *range(SMALL_CHAT, SMALL_CHAT + 10)]
    assert all(chats[chat] == size // 20 for chat in range(SMALL_CHAT, SMALL_CHAT + 10))

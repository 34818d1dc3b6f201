"""bot/limits.py: per-user and per-chat sliding windows, one told refusal per window, bounded memory."""

from __future__ import annotations

import pytest

from bot.service.limits import SWEEP_AT, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_limits_user_limit_refuses_the_eleventh_and_says_when(clock: Clock) -> None:
    limits = RateLimits(10, 30, clock=clock)
    for n in range(10):
        clock.now += 1
        assert limits.take(7, -100) is None, n
    refusal = limits.take(7, -100)
    assert refusal is not None
    assert (refusal.scope, refusal.limit, refusal.first) == ("user", 10, True)
    assert refusal.retry_after == pytest.approx(51.0)
    told = refusal.message(3, refusal.retry_after)
    assert "you sent 10 in the last minute" in told and "answer the next 3 articles in about 51 s" in told
    assert "the next article in about 2 s" in refusal.message(1, 1.2)
    assert limits.take(8, -100) is None  # another user in the same chat is not limited
    elsewhere = limits.take(7, -200)
    assert elsewhere is not None and elsewhere.first  # told once in each chat
    assert limits.take(7, -200) is not None and not limits.take(7, -200).first  # type: ignore[union-attr]


def test_limits_only_the_first_refusal_of_a_window_is_told(clock: Clock) -> None:
    limits = RateLimits(2, 30, clock=clock)
    assert limits.take(1, 1) is None and limits.take(1, 1) is None
    firsts = [refusal.first for refusal in (limits.take(1, 1), limits.take(1, 1)) if refusal]
    assert firsts == [True, False]
    clock.now += 61
    assert limits.take(1, 1) is None
    assert limits.take(1, 1) is None
    refusal = limits.take(1, 1)
    assert refusal is not None and refusal.first


def test_limits_chat_limit_counts_every_user(clock: Clock) -> None:
    limits = RateLimits(10, 30, clock=clock)
    for user in range(30):
        assert limits.take(user, -5) is None
    refusal = limits.take(99, -5)
    assert refusal is not None and (refusal.scope, refusal.limit) == ("chat", 30)
    assert "this chat sent 30" in refusal.message(1, refusal.retry_after)
    assert limits.take(99, -6) is None


def test_limits_refused_analyses_are_not_counted(clock: Clock) -> None:
    limits = RateLimits(1, 30, clock=clock)
    assert limits.take(1, 1) is None
    for _ in range(50):
        assert limits.take(1, 1) is not None
    clock.now += 60.5
    assert limits.take(1, 1) is None


@pytest.mark.parametrize(("per_user", "per_chat"), [(0, 0), (0, 5), (5, 0)])
def test_limits_zero_means_no_limit(clock: Clock, per_user: int, per_chat: int) -> None:
    limits = RateLimits(per_user, per_chat, clock=clock)
    results = [limits.take(1, 1) for _ in range(20)]
    refused = [r for r in results if r is not None]
    assert len(refused) == (0 if per_user == per_chat == 0 else 15)


def test_limits_channel_posts_have_only_the_chat_limit(clock: Clock) -> None:
    limits = RateLimits(1, 3, clock=clock)
    assert [limits.take(None, -9) for _ in range(3)] == [None] * 3
    refusal = limits.take(None, -9)
    assert refusal is not None and refusal.scope == "chat"


def test_limits_memory_is_bounded_by_recent_activity(clock: Clock) -> None:
    limits = RateLimits(10, 30, clock=clock)
    for user in range(SWEEP_AT):
        limits.take(user, user)
    clock.now += 61
    limits.take(-1, -1)
    assert limits.tracked <= 2


def test_limits_settings_from_env_defaults_and_overrides() -> None:
    from bot.config import Settings, SettingsError

    assert (Settings.from_env({}).user_rate, Settings.from_env({}).chat_rate) == (10, 30)
    settings = Settings.from_env({"CLAIMDESK_USER_RATE": "3", "CLAIMDESK_CHAT_RATE": "0"})
    assert (settings.user_rate, settings.chat_rate) == (3, 0)
    with pytest.raises(SettingsError, match="CLAIMDESK_USER_RATE"):
        Settings.from_env({"CLAIMDESK_USER_RATE": "-1"})
    with pytest.raises(SettingsError, match="CLAIMDESK_CHAT_RATE"):
        Settings.from_env({"CLAIMDESK_CHAT_RATE": "many"})

"""Rate limits on analyses: per user and per chat, in a sliding window. Pure: no Telegram, no storage.

``RateLimits(per_user=10, per_chat=30).take(user_id, chat_id)`` records one analysis and returns None, or
returns a :class:`Refusal` (nothing recorded) saying which limit was hit and when to try again (the
service keeps the article and tries then: nothing is dropped). Only the
first refusal of a window in a chat is marked ``first``, so the bot says it once there instead of
answering every refused message.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

#: The window the limits count in (seconds).
WINDOW_SECONDS = 60.0
#: Above this many tracked keys, keys with nothing left in the window are dropped (at most once a window).
SWEEP_AT = 10_000


@dataclass(frozen=True, slots=True)
class Refusal:
    """An analysis refused: ``scope``'s limit of ``limit`` per window was reached; ``retry_after`` seconds
    until one more is taken; ``first``: the first refusal for this key in this chat in this window."""

    scope: Literal["user", "chat"]
    limit: int
    retry_after: float
    first: bool

    def message(self, waiting: int, seconds: float) -> str:
        """What to tell the chat (plain text): ``waiting`` articles kept, answered in about ``seconds``."""
        who = "you" if self.scope == "user" else "this chat"
        articles = "article" if waiting == 1 else f"{waiting} articles"
        return (
            f"Too many articles: {who} sent {self.limit} in the last minute, the most I analyse at once. "
            f"I'll answer the next {articles} in about {max(1, math.ceil(seconds))} s."
        )


class RateLimits:
    """Sliding-window counters for users and chats; a limit of 0 means no limit."""

    def __init__(
        self,
        per_user: int,
        per_chat: int,
        *,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user = per_user
        self.per_chat = per_chat
        self.window = window
        self.clock = clock
        self._taken: dict[tuple[str, int], deque[float]] = {}
        self._told_until: dict[tuple[str, int, int], float] = {}  # (scope, id, chat told)
        self._next_sweep = 0.0

    def take(self, user_id: int | None, chat_id: int) -> Refusal | None:
        """Record one analysis for the user (None: no user, e.g. a channel post) and the chat, or refuse it."""
        now = self.clock()
        keys: list[tuple[Literal["user", "chat"], int, int]] = [("chat", chat_id, self.per_chat)]
        if user_id is not None:
            keys.insert(0, ("user", user_id, self.per_user))
        for scope, key_id, limit in keys:
            if limit <= 0:
                continue
            taken = self._window((scope, key_id), now)
            if len(taken) >= limit:
                told_key = (scope, key_id, chat_id)
                first = self._told_until.get(told_key, 0.0) <= now
                retry_after = taken[0] + self.window - now
                if first:
                    self._told_until[told_key] = now + self.window
                return Refusal(scope, limit, retry_after, first)
        for scope, key_id, limit in keys:
            if limit > 0:
                self._taken.setdefault((scope, key_id), deque()).append(now)
        if len(self._taken) > SWEEP_AT and now >= self._next_sweep:
            self._sweep(now)
        return None

    @property
    def tracked(self) -> int:
        """How many users and chats have analyses in the window (memory stays bounded by activity)."""
        return len(self._taken)

    def _window(self, key: tuple[str, int], now: float) -> deque[float]:
        taken = self._taken.get(key)
        if taken is None:
            return deque()
        while taken and taken[0] <= now - self.window:
            taken.popleft()
        return taken

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + self.window
        for key in list(self._taken):
            if not self._window(key, now):
                del self._taken[key]
        for told, until in list(self._told_until.items()):
            if until <= now:
                del self._told_until[told]

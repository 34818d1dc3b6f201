"""Turns at the extraction workers, fair across chats: pure asyncio, no Telegram, no storage.

``async with turns.turn(chat_id):`` waits until a worker is free for this chat. A freed worker goes to
the waiting chat that was served longest ago (a chat never served first), one article at a time, so a
chat that sent fifty articles delays another chat's first article by at most one analysis (the one the
freed worker was running), where a single first-come queue made it wait for all fifty.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: Above this many remembered chats, those with nothing waiting are forgotten (memory stays bounded).
FORGET_AT = 10_000


class FairTurns:
    """``slots`` analyses at once (one per worker); the waiting ones served by chat, least recently served first."""

    def __init__(self, slots: int) -> None:
        self.free = max(1, slots)
        self._waiting: dict[int, deque[asyncio.Future[None]]] = {}
        self._served: dict[int, int] = {}  # chat id -> when it last got a turn (a count of turns)
        self._turns = 0

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Hold one slot for ``chat_id`` while the block runs."""
        if self.free > 0 and not self._waiting:
            self.free -= 1
            self._serve(chat_id)
        else:
            granted = asyncio.get_running_loop().create_future()
            self._waiting.setdefault(chat_id, deque()).append(granted)
            try:
                await granted
            except asyncio.CancelledError:
                if granted.done() and not granted.cancelled():
                    self._release()  # the slot came with the cancellation: pass it on
                else:
                    self._withdraw(chat_id, granted)
                raise
        try:
            yield
        finally:
            self._release()

    def _serve(self, chat_id: int) -> None:
        self._turns += 1
        self._served[chat_id] = self._turns
        if len(self._served) > FORGET_AT:
            self._served = {chat: turn for chat, turn in self._served.items() if chat in self._waiting}

    def _release(self) -> None:
        """Give the slot to the waiting chat served longest ago."""
        while self._waiting:
            chat_id = min(self._waiting, key=lambda chat: self._served.get(chat, 0))
            queue = self._waiting[chat_id]
            granted = queue.popleft()
            if not queue:
                del self._waiting[chat_id]
            if not granted.done():
                self._serve(chat_id)
                granted.set_result(None)
                return
        self.free += 1

    def _withdraw(self, chat_id: int, granted: asyncio.Future[None]) -> None:
        queue = self._waiting.get(chat_id)
        if queue is not None and granted in queue:
            queue.remove(granted)
            if not queue:
                del self._waiting[chat_id]

"""No update lost between Telegram and the inbox: every update is written to the database before
Telegram is told it arrived, and deleted only once its handlers have run.

Long polling confirms updates with the offset of the next ``getUpdates``, which python-telegram-bot's
``Updater`` sends right after it has put the batch into the application's update queue; a webhook is
answered when its handler has put the update there. :class:`DurableUpdateQueue` writes each update to
``received_updates`` inside ``put``, so the confirming ``getUpdates`` (or the webhook's 200) comes after
the write; when the write fails, ``put`` raises a :class:`~telegram.error.NetworkError`: the Updater
polls again with the old offset (nothing is confirmed) and a webhook answers 500 (Telegram sends the
update again). :class:`DurableUpdateProcessor` deletes the row once the application has processed the
update. At start, :meth:`DurableUpdateQueue.put_left` queues what a process that died had received but
not handled; article updates are kept in the inbox by then and are never answered twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import SimpleUpdateProcessor

from storage import Storage, StorageError

log = logging.getLogger(__name__)

#: Updates processed at once (python-telegram-bot's default for ``concurrent_updates(True)``).
CONCURRENT_UPDATES = 256


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue; an :class:`Update` is written to ``store`` before it is queued."""

    def __init__(self, store: Storage) -> None:
        super().__init__()
        self.store = store

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            try:
                new = await self.store.received_add(item.update_id, item.to_dict())
            except StorageError as exc:
                raise NetworkError(f"update {item.update_id} could not be kept, so it is not confirmed: {exc}") from exc
            if not new:  # sent again (a poll repeated after a failed write, a webhook retry): queued already
                log.info("update %d is kept already: not queued again", item.update_id)
                return
        await super().put(item)

    async def put_left(self, bot: Bot) -> int:
        """Queue the updates a process that died received but did not handle; how many."""
        left = await self.store.received_left()
        for raw in left:
            update = Update.de_json(raw, bot)
            if update is not None:
                log.info("update %d was received before a restart: handling it now", update.update_id)
                await super().put(update)
        return len(left)


class DurableUpdateProcessor(SimpleUpdateProcessor):
    """Processes updates concurrently; an update's row in ``received_updates`` goes once it is processed."""

    def __init__(self, store: Storage, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._store = store

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine
        if isinstance(update, Update):
            try:
                await self._store.received_done(update.update_id)
            except StorageError as exc:  # kept: handled once more after a restart (articles never twice)
                log.error("update %d: %s", update.update_id, exc)

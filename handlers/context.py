"""Typed context for every callback: ``context.bot_data`` is a :class:`BotData` holding the resources."""

from __future__ import annotations

import time
from typing import Any

from telegram import Bot, Chat
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.service import ArticleService, RateLimits
from storage import Storage

#: Seconds an answer of getChatMember is trusted.
ADMIN_CACHE_SECONDS = 300.0


class AdminCache:
    """Who is an admin of which chat, from getChatMember, remembered for :data:`ADMIN_CACHE_SECONDS`."""

    def __init__(self, ttl: float = ADMIN_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def is_admin(
        self, bot: Bot, chat: Chat, user_id: int | None, *, sender_chat_id: int | None = None, fresh: bool = False
    ) -> bool:
        """True in a private chat, for the chat itself posting (anonymous admin), and for admins;
        ``fresh``: ask Telegram now, whatever the cache holds (right before a destructive action: an
        admin demoted a moment ago must not still confirm one)."""
        if chat.type == ChatType.PRIVATE or (sender_chat_id is not None and sender_chat_id == chat.id):
            return True
        if user_id is None:
            return False
        key = (chat.id, user_id)
        known = self._known.get(key)
        if known is not None and known[1] > time.monotonic() and not fresh:
            return known[0]
        member = await bot.get_chat_member(chat.id, user_id)
        admin = member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
        self._known[key] = (admin, time.monotonic() + self.ttl)
        return admin


class BotData:
    """``application.bot_data``: set once by :func:`handlers.app.build_application`."""

    service: ArticleService
    store: Storage
    admins: AdminCache
    exports: RateLimits  # exports a chat a window
    retry_seconds: float
    lease_seconds: float
    retention_days: int | None
    background: list[Any]


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
#: The application :func:`handlers.app.build_application` builds: its ``bot_data`` is a :class:`BotData`.
App = Application[ExtBot[Any], Any, dict[Any, Any], dict[Any, Any], BotData, Any]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)

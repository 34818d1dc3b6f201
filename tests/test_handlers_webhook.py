"""The webhook server: only requests with the shared secret and a JSON update reach the update queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from fakebotapi import FakeBotAPI, make_user, private_chat
from loadbalancer import SECRET_HEADER, free_port
from telegram import Bot, Update

from handlers.webhook import WebhookServer, webhook_path

SECRET = "the-shared-secret_1"
ALICE = make_user(4001, "Alice")


@pytest.fixture
async def served(fake_bot: Bot) -> AsyncIterator[tuple[str, asyncio.Queue[object]]]:
    queue: asyncio.Queue[object] = asyncio.Queue()
    port = free_port()
    server = WebhookServer(fake_bot, queue, listen="127.0.0.1", port=port, path="claimdesk", secret_token=SECRET)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}/claimdesk", queue
    finally:
        await server.stop()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.org/claimdesk", "claimdesk"),
        ("https://bot.example.org/a/b/", "a/b"),
        ("https://bot.example.org", "telegram"),
    ],
)
def test_webhook_path_is_the_public_urls(url: str, path: str) -> None:
    assert webhook_path(url) == path


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"{}", 403),  # no secret
        ({SECRET_HEADER: "another-secret"}, b"{}", 403),
        ({SECRET_HEADER: SECRET, "Content-Type": "text/plain"}, b"{}", 415),
        ({SECRET_HEADER: SECRET, "Content-Type": "application/json"}, b"not json", 400),
    ],
)
async def test_webhook_refuses_requests_without_the_secret_or_an_update(
    served: tuple[str, asyncio.Queue[object]], headers: dict[str, str], body: bytes, status: int
) -> None:
    url, queue = served
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        assert response.status == status
    assert queue.empty()


async def test_webhook_queues_an_update_with_the_secret(
    served: tuple[str, asyncio.Queue[object]], fake_bot_api: FakeBotAPI
) -> None:
    url, queue = served
    update = fake_bot_api.new_message(private_chat(ALICE), ALICE, text="hello")
    payload = {"update_id": 7, "message": update}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=payload, headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status == 200
    queued = queue.get_nowait()
    assert isinstance(queued, Update) and queued.update_id == 7 and queued.message is not None
    assert queued.message.text == "hello"

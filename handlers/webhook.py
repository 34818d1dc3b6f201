"""Webhook mode: a web server (tornado, which python-telegram-bot's webhook extra installs) that takes
Telegram's updates at one path and puts them on the application's update queue.

python-telegram-bot's ``Updater.start_webhook`` always registers the webhook with Telegram; behind a load
balancer only one process may do that (``--no-set-webhook`` on the others), so the server here only
serves, and :func:`register` is a separate call. Every process checks the same secret token
(``CLAIMDESK_WEBHOOK_SECRET``): a request without it is refused (403) before its body is read as JSON.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram import Bot, Update
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(url: str) -> str:
    """The path the server listens at: the public URL's (a reverse proxy passes it on), else "telegram"."""
    return urlsplit(url).path.strip("/") or "telegram"


class _UpdateHandler(tornado.web.RequestHandler):
    """POST with the secret token and a JSON update -> the update queue; 200 as soon as it is queued."""

    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret_token: str) -> None:
        self.bot = bot
        self.queue = queue
        self.secret_token = secret_token

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            update = Update.de_json(json.loads(self.request.body), self.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("webhook: a request that is not an update was refused: %s", exc)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        await self.queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Refusals are logged above (or not at all: a scanner without the token is not news)."""


class _Server(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: python-telegram-bot's logging setup is the bot's."""


class WebhookServer:
    """Serves ``path`` on ``listen:port`` until :meth:`stop`; updates go to ``queue`` (the application's)."""

    def __init__(
        self, bot: Bot, queue: asyncio.Queue[object], *, listen: str, port: int, path: str, secret_token: str
    ) -> None:
        handlers = [(rf"/{path}/?", _UpdateHandler, {"bot": bot, "queue": queue, "secret_token": secret_token})]
        self._server = HTTPServer(_Server(handlers))
        self._listen = listen
        self._port = port

    def start(self) -> None:
        self._server.listen(self._port, address=self._listen)
        log.info("webhook server listening on %s:%d", self._listen, self._port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


async def register(bot: Bot, url: str, secret_token: str) -> None:
    """Tell Telegram to send every kind of update to ``url`` with ``secret_token`` (one process does this)."""
    await bot.set_webhook(url, secret_token=secret_token, allowed_updates=Update.ALL_TYPES)
    log.info("webhook registered with Telegram")

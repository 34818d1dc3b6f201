"""A load balancer for webhook tests and benchmarks: Telegram posts updates to it, it passes each one on
to one of several bot processes (aiohttp, bound to 127.0.0.1).

Updates go round-robin; ``both`` names update ids passed to every process in turn (as when Telegram
delivers an update again after a slow answer and the balancer picks the other process); a process that
refuses the connection is skipped (a health check), as a real balancer does. The secret-token header
passes through.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    """A TCP port on 127.0.0.1 free at this moment (for a process behind the balancer)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class LoadBalancer:
    """``url`` is the webhook URL to register; ``targets`` are the processes' webhook URLs."""

    def __init__(self, targets: Sequence[str], *, both: frozenset[int] = frozenset()) -> None:
        self.targets = list(targets)
        self.both = both
        self.url = ""
        #: (update_id, target index, status) for every delivery to a process (status 0: refused).
        self.deliveries: list[tuple[int, int, int]] = []
        self._turn = itertools.cycle(range(len(self.targets)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LoadBalancer:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/claimdesk"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        update: dict[str, Any] = json.loads(body)
        update_id = int(update["update_id"])
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, ""), "Content-Type": "application/json"}
        first = next(self._turn)
        order = [(first + step) % len(self.targets) for step in range(len(self.targets))]
        answered = 0
        for index in order:
            status = await self._forward(index, body, headers)
            self.deliveries.append((update_id, index, status))
            if status:
                answered = answered or status
                if update_id not in self.both:
                    break
        return web.Response(status=answered or 502)

    async def _forward(self, index: int, body: bytes, headers: dict[str, str]) -> int:
        assert self._session is not None
        try:
            async with self._session.post(self.targets[index], data=body, headers=headers) as response:
                return response.status
        except aiohttp.ClientError:
            return 0

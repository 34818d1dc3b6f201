"""``python -m bot run`` as a subprocess against the fake Bot API server (its own session, so that a kill
reaches its extraction workers too), for the end-to-end tests of whole processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fakebotapi import FakeBotAPI

START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


def bot_env(server: FakeBotAPI, db: str, *, client: str = "", **settings: str) -> dict[str, str]:
    """The environment of a bot process on ``server`` (as ``client``, when named) with database ``db``,
    one extraction worker, and ``settings`` (``CLAIMDESK_...`` names) on top."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": server.token,
        "CLAIMDESK_TELEGRAM_BASE_URL": server.client_base_url(client) if client else server.base_url,
        "CLAIMDESK_TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "CLAIMDESK_DB": db,
        "CLAIMDESK_WORKERS": "1",
        "CLAIMDESK_LOG_LEVEL": "DEBUG",
        **settings,
    }


@asynccontextmanager
async def bot_process(
    cwd: Path,
    name: str,
    *,
    env: Mapping[str, str],
    ready: Callable[[], object],
    args: Sequence[str] = (),
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run ARGS``, its output in ``cwd/NAME.log``; yields once ``ready()`` is true; killed if
    a test leaves it running."""
    log = (cwd / f"{name}.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=cwd,
        env=dict(env),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():  # polled: readiness may be more than the fake server's state (a port listening)
            assert process.returncode is None, f"{name} exited with {process.returncode}: see {cwd / (name + '.log')}"
            assert time.monotonic() < deadline, f"{name} not ready within {START_TIMEOUT} s"
            await asyncio.sleep(0.05)
        yield process
    finally:
        if process.returncode is None:
            kill_group(process)
            await process.wait()
        log.close()


def kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the bot and its worker processes (its own session: the group id is its pid)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def stop(process: asyncio.subprocess.Process, sig: signal.Signals = signal.SIGINT) -> int:
    process.send_signal(sig)
    return await asyncio.wait_for(process.wait(), STOP_TIMEOUT)

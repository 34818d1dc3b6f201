"""``python -m bot analyze http://...`` in a subprocess, the page from the local web server on 127.0.0.1:
allowed with CLAIMDESK_FETCH_ALLOW, refused without it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pageserver import CHROME, PageServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def pages() -> AsyncIterator[PageServer]:
    async with PageServer() as server:
        yield server


async def analyze(url: str, *args: str, allow: str | None, tmp_path: Path) -> tuple[int, str, str]:
    """Run the CLI while this event loop keeps serving the pages; (exit code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    if allow is not None:
        env["CLAIMDESK_FETCH_ALLOW"] = allow
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "analyze",
        url,
        *args,
        cwd=tmp_path,
        env=env,  # cwd: no stray .env
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_links_analyze_url_reads_the_article(pages: PageServer, tmp_path: Path) -> None:
    code, out, err = await analyze(pages.url("/hop/1"), "--format", "json", allow="127.0.0.1", tmp_path=tmp_path)
    assert code == 0, err
    report = json.loads(out)
    assert report["article"]["title"] == "Oil facilities in Saudi Arabia hit by drone attacks"
    assert report["article"]["outlet"] == "The Harbour Gazette"
    assert report["article"]["published"] == "2019-09-15"
    assert pages.url("/news/saudi-drones") in err  # the final URL is named
    assert report["claims"] and not any(chrome in out for chrome in CHROME)


async def test_cli_links_analyze_url_refused_without_the_allow_list(pages: PageServer, tmp_path: Path) -> None:
    code, out, err = await analyze(pages.url("/news/saudi-drones"), allow=None, tmp_path=tmp_path)
    assert code == 2 and out == ""
    assert "loopback address, not a public web server" in err
    assert pages.hits == []


async def test_cli_links_analyze_url_failure_is_told(pages: PageServer, tmp_path: Path) -> None:
    code, out, err = await analyze(pages.url("/news/missing"), allow="127.0.0.1", tmp_path=tmp_path)
    assert code == 2 and out == ""
    assert "HTTP 404 (Not Found)" in err

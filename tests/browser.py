"""A real headless browser for the tests: Debian's ``chromium`` (``make test`` installs it when missing).

:func:`dump_dom` gives the document as the browser built it; :func:`screenshot` a PNG of the page and
its size in pixels; :func:`parse` what an article page (bot/article_page.py) holds: its tags and the marks
in its article element. Each run gets its own profile directory and everything that would reach the network
on its own (updates, sync, QUIC, background fetches) is switched off; the pages tested load nothing.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT = 90  # seconds; a run takes one or two on an idle machine


def chromium() -> str:
    """The browser's path; the test is skipped (with the way to install it) when there is none."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs it: apt-get install chromium)")
    return path


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="claimdesk-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )


def dump_dom(page: Path) -> str:
    """The page's DOM after the browser parsed and laid it out, serialised as HTML."""
    return _run(page, "--dump-dom").stdout


def screenshot(page: Path, out: Path, width: int, height: int) -> tuple[int, int]:
    """A PNG screenshot of ``page`` at ``width`` x ``height`` into ``out``; the PNG's own width and height."""
    _run(page, f"--screenshot={out}", f"--window-size={width},{height}", "--hide-scrollbars")
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", "not a PNG"
    png_width, png_height = struct.unpack(">II", header[16:24])
    return png_width, png_height


class Marks(HTMLParser):
    """What a page holds: its tags and attributes, and the marks inside its article element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: set[str] = set()
        self.counts: dict[str, str | None] = {}
        self.depth = 0  # inside <article id="text">

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "article" and attributes.get("id") == "text":
            self.depth, self.counts = 1, attributes
        elif self.depth and tag not in ("br",):
            self.depth += 1
            self.marks.update((attributes.get("data-marks") or "").split())

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def numbers(self, kind: str) -> set[int]:
        return {int(m.split("-")[1]) for m in self.marks if m.startswith(kind + "-")}


def parse(markup: str) -> Marks:
    parser = Marks()
    parser.feed(markup)
    parser.close()
    return parser

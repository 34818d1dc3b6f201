"""A local web server for link tests: realistic article pages (tests/data/pages), redirects, a slow
page, a huge body, other content types, a 404, pages without article text. Listens on 127.0.0.1
(or another loopback address) on a free port and records every request it gets."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

PAGES = Path(__file__).resolve().parent / "data" / "pages"
#: The Wikinews articles served under /news/<slug> (see tests/data/README.md for the credits).
ARTICLES: tuple[str, ...] = ("saudi-drones", "gdansk-mayor", "paris-court")
#: Text on the article pages around the article: none of it may reach a report.
CHROME: tuple[str, ...] = (
    "cookies",
    "Accept all",
    "belly fat",
    "nutritionists",
    "retirees",
    "neighbour said",
    "friend who works",
    "Most read",
    "Markets rally",
    "Newsletter",
    "All rights reserved",
    "Subscribe",
)

EMPTY_PAGE = b"""<!DOCTYPE html><html><head><title>Home | The Harbour Gazette</title></head><body>
<nav><a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies. <button>Accept all</button></div>
<main><ul><li><a href="/news/a">Markets rally</a></li><li><a href="/news/b">Storm warning</a></li></ul></main>
<footer>All rights reserved.</footer></body></html>"""

PAYWALL_PAGE = b"""<!DOCTYPE html><html><head><title>Budget row deepens | Continental Ledger</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Budget row deepens", "isAccessibleForFree": false}</script></head><body>
<article><h1>Budget row deepens</h1><p>The finance minister said on Monday that the plan would go ahead.</p>
<div class="paywall">Subscribe to read the full story.</div></article></body></html>"""


def gzip_of_zeros(size: int) -> bytes:
    """``size`` zero bytes gzipped, compressed a block at a time (never ``size`` bytes in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, packer.compress(bytes(size % len(block))), packer.flush()])


@dataclass
class PageServer:
    """``async with PageServer() as pages``: ``pages.url("/news/saudi-drones")``; ``pages.hits`` the paths asked."""

    host: str = "127.0.0.1"
    hits: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    #: Where /to-elsewhere redirects (a test sets it).
    elsewhere: str = "http://169.254.169.254/latest/meta-data/"
    #: The slow page answers only when this is set (set at exit, so the server stops at once).
    release: asyncio.Event = field(default_factory=asyncio.Event)
    #: Zero bytes inside the stacked compression bomb at /bomb (gzip of gzip; 1 GiB gives 1.8 KB).
    bomb_size: int = 256 * 1024 * 1024
    #: The ``Host`` header of every request, in order.
    host_headers: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def __aenter__(self) -> PageServer:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_get("/news/{slug}", self._article)
        app.router.add_get("/hop/{n}", self._hop)
        app.router.add_get("/loop", self._loop)
        app.router.add_get("/to-elsewhere", self._to_elsewhere)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/huge-declared", self._huge_declared)
        app.router.add_get("/photo.jpg", self._image)
        app.router.add_get("/image", self._image)
        app.router.add_get("/empty", self._html(EMPTY_PAGE))
        app.router.add_get("/paywall", self._html(PAYWALL_PAGE))
        app.router.add_get("/plain", self._plain)
        app.router.add_get("/bomb", self._bomb)
        app.router.add_get("/single-bomb", self._single_bomb)
        app.router.add_get("/coded/{coding}", self._coded)
        app.router.add_get("/br", self._brotli)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()
        await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler: web.Handler) -> web.StreamResponse:
        self.hits.append(request.path_qs)
        self.user_agents.append(request.headers.get("User-Agent", ""))
        self.host_headers.append(request.headers.get("Host", ""))
        return await handler(request)

    async def _article(self, request: web.Request) -> web.StreamResponse:
        path = PAGES / f"{request.match_info['slug']}.html"
        if request.match_info["slug"] not in ARTICLES:
            return web.Response(status=404, text="<h1>Not found</h1>", content_type="text/html")
        return web.Response(body=path.read_bytes(), content_type="text/html", charset="utf-8")

    async def _hop(self, request: web.Request) -> web.StreamResponse:
        """/hop/2 -> /hop/1 -> /news/saudi-drones (a relative, then an absolute Location)."""
        n = int(request.match_info["n"])
        target = self.url("/news/saudi-drones") if n <= 1 else f"/hop/{n - 1}"
        raise web.HTTPFound(target)

    async def _loop(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/loop")

    async def _to_elsewhere(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPTemporaryRedirect(self.elsewhere)

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        await self.release.wait()
        return web.Response(text="late", content_type="text/html")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """Chunked, no Content-Length: the client must count and stop."""
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"filler text " * 5000 + b"</p>\n"
        try:
            for _ in range(200):  # about 12 MB if nobody stops reading
                await response.write(chunk)
        except (ConnectionResetError, ConnectionError):
            pass
        return response

    async def _huge_declared(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"x" * (3 * 1024 * 1024), content_type="text/html")

    async def _image(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")

    @staticmethod
    def _html(body: bytes) -> web.Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=body, content_type="text/html", charset="utf-8")

        return handler

    async def _plain(self, request: web.Request) -> web.StreamResponse:
        article = (PAGES / "gdansk-mayor.html").read_text(encoding="utf-8")
        start, end = article.index("<p>An individual"), article.index('<p class="credit">')
        text = article[start:end].replace("<p>", "").replace("</p>", "\n")
        return web.Response(text=text, content_type="text/plain", charset="utf-8")

    async def _bomb(self, request: web.Request) -> web.StreamResponse:
        """A stacked compression bomb: a small body whose two gzip layers hold ``bomb_size`` zeros."""
        body = gzip.compress(gzip_of_zeros(self.bomb_size), 9)
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}
        return web.Response(body=body, headers=headers)

    async def _single_bomb(self, request: web.Request) -> web.StreamResponse:
        """One gzip layer over ``bomb_size`` zeros: each 64 KB read expands about a thousandfold."""
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        return web.Response(body=gzip_of_zeros(self.bomb_size), headers=headers)

    async def _coded(self, request: web.Request) -> web.StreamResponse:
        """The saudi-drones page compressed as sites do: /coded/gzip, /coded/deflate (zlib-wrapped) and
        /coded/raw-deflate (the headerless deflate some servers send)."""
        page = (PAGES / "saudi-drones.html").read_bytes()
        coding = request.match_info["coding"]
        packer = zlib.compressobj(6, zlib.DEFLATED, {"gzip": 31, "deflate": 15, "raw-deflate": -15}[coding])
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": coding.removeprefix("raw-")}
        return web.Response(body=packer.compress(page) + packer.flush(), headers=headers)

    async def _brotli(self, request: web.Request) -> web.StreamResponse:
        """A content coding nobody asked for (the fetcher only accepts gzip and deflate)."""
        headers = {"Content-Type": "text/html", "Content-Encoding": "br"}
        return web.Response(body=b"\x1b\x03\x00\xf8\x25\x00\x02", headers=headers)

"""bot/links/fetch.py and extract.py against a local web server (tests/pageserver.py) on 127.0.0.1,
allowed through the allow list; refusals checked with a recording transport that must stay unused;
and the service's page cache on a real temporary database."""

from __future__ import annotations

import ipaddress
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pageserver import ARTICLES, CHROME, PAGES, PageServer

from bot.links.extract import extract_page, strip_site_suffix
from bot.links.fetch import USER_AGENT, Fetcher, FetchLimits
from bot.links.page import FetchError
from bot.links.policy import AllowList, IPAddress
from bot.service import ArticleService
from storage import Store

LOCAL = AllowList.parse(["127.0.0.1"])
TITLES = {
    "saudi-drones": ("Oil facilities in Saudi Arabia hit by drone attacks", "The Harbour Gazette", "2019-09-15"),
    "gdansk-mayor": ("Arrest made as mayor of Gdańsk, Poland stabbed on stage", "Baltic Evening Post", "2019-01-14"),
    "paris-court": ("Paris court jails two police in high-profile rape case", "Continental Ledger", "2019-02-02"),
}


@pytest.fixture
async def pages() -> AsyncIterator[PageServer]:
    async with PageServer() as server:
        yield server


def small_limits(total_seconds: float = 10.0) -> FetchLimits:
    return FetchLimits(connect_seconds=5.0, total_seconds=total_seconds, max_bytes=200_000, max_redirects=5)


def article_paragraphs(slug: str) -> list[str]:
    """The article's own paragraphs as the page holds them."""
    markup = (PAGES / f"{slug}.html").read_text(encoding="utf-8")
    body = markup[markup.index('<p class="byline">') : markup.index('<p class="credit">')]
    return [p.split("</p>", 1)[0] for p in body.split("<p>")[1:]]


@pytest.mark.parametrize("slug", ARTICLES)
async def test_fetch_article_page_without_the_chrome(pages: PageServer, slug: str) -> None:
    page = await Fetcher(LOCAL).fetch(pages.url(f"/news/{slug}"))
    assert (page.title, page.site_name, page.published) == TITLES[slug]
    assert page.url == pages.url(f"/news/{slug}")
    for paragraph in article_paragraphs(slug):
        first_words = " ".join(paragraph.split()[:8]).replace("&amp;", "&")
        assert first_words in page.text
    for chrome in CHROME:
        assert chrome not in page.text
    assert pages.user_agents == [USER_AGENT] and USER_AGENT.startswith("Claimdesk/")


async def test_fetch_follows_a_redirect_chain_checking_every_hop(pages: PageServer) -> None:
    page = await Fetcher(LOCAL).fetch(pages.url("/hop/3"))
    assert page.url == pages.url("/news/saudi-drones")
    assert page.title == TITLES["saudi-drones"][0]
    assert pages.hits == ["/hop/3", "/hop/2", "/hop/1", "/news/saudi-drones"]


async def test_fetch_stops_after_five_redirects(pages: PageServer) -> None:
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL).fetch(pages.url("/loop"))
    assert caught.value.code == "too_many_redirects"
    assert len(pages.hits) == 6  # the link and five redirects


async def test_fetch_redirect_to_another_loopback_server_is_refused_unsent(pages: PageServer) -> None:
    """The first hop is allowed (127.0.0.1); the redirect leads to 127.0.0.2, where a server really
    listens: the allow list does not cover it, so it is refused and that server gets nothing."""
    async with PageServer(host="127.0.0.2") as private:
        pages.elsewhere = private.url("/news/saudi-drones")
        with pytest.raises(FetchError) as caught:
            await Fetcher(LOCAL).fetch(pages.url("/to-elsewhere"))
        assert caught.value.code == "refused" and "loopback" in str(caught.value)
        assert pages.hits == ["/to-elsewhere"]
        assert private.hits == []
        # the same server is reachable when allowed: the refusal above was the policy, not the network
        page = await Fetcher(AllowList.parse(["127.0.0.0/8"])).fetch(pages.url("/to-elsewhere"))
        assert page.url == private.url("/news/saudi-drones") and private.hits == ["/news/saudi-drones"]


@pytest.mark.parametrize(
    "elsewhere",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://[::1]/", "http://internal.example/"],
)
async def test_fetch_redirect_to_a_private_address_is_refused(pages: PageServer, elsewhere: str) -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("192.168.0.10")]  # internal.example: an intranet address

    pages.elsewhere = elsewhere
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL, resolver=resolver).fetch(pages.url("/to-elsewhere"))
    assert caught.value.code == "refused"
    assert pages.hits == ["/to-elsewhere"]


class RecordingTransport(httpx.AsyncBaseTransport):
    """A transport that must never be used: it records what would have been sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, text="should not be reached")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://intranet.example/",
        "http://127.0.0.1:8080/",
        "http://[64:ff9b::a9fe:a9fe]/",
    ],
)
async def test_fetch_refuses_private_addresses_without_sending(url: str) -> None:
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    transport = RecordingTransport()
    with pytest.raises(FetchError) as caught:
        await Fetcher(AllowList(), resolver=resolver, transport=transport).fetch(url)
    assert caught.value.code == "refused"
    assert transport.requests == []
    assert asked == (["intranet.example"] if "intranet" in url else [])  # IP literals are not looked up


async def test_fetch_connects_to_the_resolved_address_with_the_host_name(pages: PageServer) -> None:
    """A name is resolved once (by the injected resolver) and the request goes to that address with
    the name in the Host header."""

    async def resolver(host: str, port: int) -> list[IPAddress]:
        assert host == "gazette.example"
        return [ipaddress.ip_address("127.0.0.1")]

    page = await Fetcher(LOCAL, resolver=resolver).fetch(f"http://gazette.example:{pages.port}/news/paris-court")
    assert page.title == TITLES["paris-court"][0]
    assert page.url == f"http://gazette.example:{pages.port}/news/paris-court"


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/huge", "too_large", "larger than 195 KB"),
        ("/huge-declared", "too_large", "larger than"),
        ("/image", "not_article", "image/png"),
        ("/news/no-such-story", "http_status", "HTTP 404 (Not Found)"),
        ("/empty", "no_text", "no article text"),
        ("/paywall", "paywall", "paywall"),
    ],
)
async def test_fetch_failures_name_the_reason(pages: PageServer, path: str, code: str, words: str) -> None:
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL, limits=small_limits()).fetch(pages.url(path))
    assert caught.value.code == code
    assert words in str(caught.value)
    assert caught.value.told.endswith("You can paste the article's text instead.")


async def test_fetch_slow_site_times_out(pages: PageServer) -> None:
    """The slow page never answers while the test runs (it is released when the server stops)."""
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL, limits=small_limits(total_seconds=0.5)).fetch(pages.url("/slow"))
    assert caught.value.code == "timeout"
    assert "did not answer within 0.5 seconds" in caught.value.told


async def test_fetch_plain_text_article(pages: PageServer) -> None:
    page = await Fetcher(LOCAL).fetch(pages.url("/plain"))
    assert page.text.startswith("An individual has been arrested")
    assert page.title is None and page.site_name == "127.0.0.1"


async def test_fetch_service_reads_a_link_once_and_keeps_it(pages: PageServer, tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "claimdesk.sqlite3") as store:
        service = ArticleService(runner=None, store=store, fetcher=Fetcher(LOCAL))  # type: ignore[arg-type]
        first = await service.read_link(pages.url("/hop/2"))
        again = await service.read_link(pages.url("/hop/2"))
        final = await service.read_link(pages.url("/news/saudi-drones"))
        assert first == again == final
        assert pages.hits == ["/hop/2", "/hop/1", "/news/saudi-drones"]
        with pytest.raises(FetchError):
            await service.read_link(pages.url("/news/no-such-story"))
        with pytest.raises(FetchError):  # failures are not kept: asked again
            await service.read_link(pages.url("/news/no-such-story"))
        assert pages.hits.count("/news/no-such-story") == 2


@pytest.mark.parametrize("url", ["http://127.0.0.1/a\x00b", "ftp://127.0.0.1/file", "http://user:pw@127.0.0.1/"])
async def test_fetch_bad_urls_are_refused_unsent(url: str) -> None:
    transport = RecordingTransport()
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL, transport=transport).fetch(url)
    assert caught.value.code == "bad_url"
    assert transport.requests == []


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.1/", "http://localhost/", "http://127.1:8080/"])
async def test_fetch_other_spellings_of_loopback_resolve_and_are_refused_unsent(url: str) -> None:
    """Numeric and short forms reach the system resolver (no network needed) and are checked after it."""
    transport = RecordingTransport()
    with pytest.raises(FetchError) as caught:
        await Fetcher(AllowList(), transport=transport).fetch(url)
    assert caught.value.code == "refused" and "loopback" in str(caught.value)
    assert transport.requests == []


@pytest.mark.parametrize(("path", "code"), [("/bomb", "encoding"), ("/single-bomb", "too_large")])
async def test_fetch_compression_bomb_is_stopped_in_small_steps(pages: PageServer, path: str, code: str) -> None:
    """A stacked bomb (``Content-Encoding: gzip, gzip``: gzip of gzip of 256 MB of zeros) is refused
    for its second coding; a single gzip layer is decoded 64 KB at a time and stopped at the cap, so
    memory stays far below what the body expands to (httpx's own decoder expanded a whole chunk)."""
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await Fetcher(LOCAL, limits=small_limits()).fetch(pages.url(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == code
    assert peak < 16 * 1024 * 1024


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
async def test_fetch_compressed_article_is_decoded(pages: PageServer, coding: str) -> None:
    page = await Fetcher(LOCAL).fetch(pages.url(f"/coded/{coding}"))
    assert page.title == TITLES["saudi-drones"][0]


async def test_fetch_content_coding_not_asked_for_is_refused(pages: PageServer) -> None:
    with pytest.raises(FetchError) as caught:
        await Fetcher(LOCAL).fetch(pages.url("/br"))
    assert caught.value.code == "encoding" and "br" in str(caught.value)


async def test_fetch_international_host_name_is_encoded_with_idna_2008(pages: PageServer) -> None:
    """UTS 46 / IDNA 2008 as browsers do: faß.de is xn--fa-hia.de (IDNA 2003 made it fass.de, another site)."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    page = await Fetcher(LOCAL, resolver=resolver).fetch(f"http://FAß.de:{pages.port}/news/paris-court")
    assert page.title == TITLES["paris-court"][0]
    assert asked == ["xn--fa-hia.de"]
    assert pages.host_headers == [f"xn--fa-hia.de:{pages.port}"]


@pytest.mark.parametrize(
    ("title", "site_name", "url", "expected"),
    [
        (
            "Storm closes the bridge - Example Times",
            "Example Times",
            "https://example.org/a",
            "Storm closes the bridge",
        ),
        ("Storm closes the bridge – Example Times", None, "https://www.example-times.com/a", "Storm closes the bridge"),
        ("Election night | The Guardian", None, "https://www.theguardian.com/x", "Election night"),
        ("Markets fall - BBC News", None, "https://www.bbc.co.uk/news/1", "Markets fall"),
        ("Brexit - what next", "Example Times", "https://example-times.com/a", "Brexit - what next"),
        ("Kursk: casualties reported", "Example Times", "https://example-times.com/a", "Kursk: casualties reported"),
        ("Plain headline", None, "https://example.org/a", "Plain headline"),
    ],
)
def test_links_extract_drops_the_site_suffix_of_a_title(
    title: str, site_name: str | None, url: str, expected: str
) -> None:
    assert strip_site_suffix(title, site_name, url) == expected


def test_links_extract_page_title_without_site_suffix() -> None:
    body = (
        "<html><head><title>Storm closes the bridge | The Example Times</title>"
        '<meta property="og:title" content="Storm closes the bridge – Example Times"></head><body><article><p>'
        + "The storm closed the bridge on Monday, officials said, and traffic was diverted. " * 10
        + "</p></article></body></html>"
    ).encode()
    page = extract_page(body, url="https://www.example-times.com/a", content_type="text/html", charset="utf-8")
    assert page.title == "Storm closes the bridge"

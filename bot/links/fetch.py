"""Fetching a linked page safely: httpx, every hop checked, the connection made to the checked address.

For each hop (the link, then at most :attr:`FetchLimits.max_redirects` redirects, followed here one by
one): :func:`~bot.links.policy.check_url`, resolve the host once, :func:`~bot.links.policy.check_addresses`,
then send the request to the checked IP address itself with the ``Host`` header and, for https, the
TLS server name (``sni_hostname``) set to the host name, so the certificate is verified for the host
name and no second DNS lookup can change where the connection goes. Proxies from the environment are
ignored for the same reason.

The body is read raw and decoded here, not by httpx (whose decoder expands every layer of a chunk in
one call, so ``Content-Encoding: gzip, gzip`` turned 1.8 KB into 1 GiB before any size check): at most
one content coding (gzip or deflate), undone :data:`DECODE_STEP` bytes at a time, each step counted
against :attr:`FetchLimits.max_bytes`.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from importlib import metadata
from urllib.parse import urljoin

import httpx

from bot.links.extract import extract_page
from bot.links.page import FetchedPage, FetchError
from bot.links.policy import AllowList, IPAddress, Target, check_addresses, check_url, literal_address

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return metadata.version("claimdesk")
    except metadata.PackageNotFoundError:
        return "dev"


#: Names Claimdesk and its version to the sites it reads.
USER_AGENT = f"Claimdesk/{_version()} (newsroom verification assistant; fetches links sent to the bot)"
CONTENT_TYPES: frozenset[str] = frozenset({"text/html", "text/plain"})
REDIRECTS: frozenset[int] = frozenset({301, 302, 303, 307, 308})
#: Content codings the fetcher undoes, with their zlib window bits (the only ones it asks for).
CONTENT_CODINGS: dict[str, int] = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
#: Most bytes one decoding step may produce: the event loop never expands more than this at once.
DECODE_STEP = 64 * 1024

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Seconds to connect, seconds for the whole fetch (every hop and the body), body bytes, redirects."""

    connect_seconds: float = 5.0
    total_seconds: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (the system resolver, through the event loop)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("network", f"The site {host} could not be found.") from exc
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def request_for(client: httpx.AsyncClient, target: Target, address: IPAddress) -> httpx.Request:
    """A GET of ``target`` sent to ``address``: ``Host`` and the TLS server name stay the host name."""
    request_url = httpx.URL(target.url).copy_with(host=str(address), port=target.port)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return client.build_request("GET", request_url, headers={"Host": target.host_header}, extensions=extensions)


class Fetcher:
    """Fetch a link and extract its article: ``await Fetcher(allow).fetch(url)`` -> :class:`FetchedPage`.

    ``resolver`` and ``transport`` are for tests (an injected DNS answer; a transport that records).
    """

    def __init__(
        self,
        allow: AllowList | None = None,
        *,
        limits: FetchLimits | None = None,
        resolver: Resolver = resolve,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.allow = allow or AllowList()
        self.limits = limits or FetchLimits()
        self._resolver = resolver
        self._transport = transport

    async def fetch(self, url: str) -> FetchedPage:
        """The article behind ``url``; :class:`FetchError` says why there is none."""
        limits = self.limits
        try:
            async with asyncio.timeout(limits.total_seconds):
                final_url, body, content_type, charset = await self._download(url)
        except TimeoutError:
            raise self._timeout() from None
        return await asyncio.to_thread(extract_page, body, url=final_url, content_type=content_type, charset=charset)

    async def _download(self, url: str) -> tuple[str, bytes, str, str | None]:
        limits = self.limits
        timeout = httpx.Timeout(limits.total_seconds, connect=limits.connect_seconds)
        async with httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=self._transport,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,text/plain;q=0.9",
                "Accept-Encoding": ", ".join(coding for coding in CONTENT_CODINGS if coding != "x-gzip"),
            },
        ) as client:
            for _hop in range(limits.max_redirects + 1):
                target = check_url(url)
                addresses = await self._addresses(target)
                check_addresses(target, addresses, self.allow)
                response = await self._send(client, target, addresses)
                try:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECTS and location:
                        url = urljoin(target.url, location)
                        continue
                    body, content_type, charset = await self._body(response)
                    return target.url, body, content_type, charset
                finally:
                    await response.aclose()
        raise FetchError("too_many_redirects", f"The link redirects more than {limits.max_redirects} times.")

    def _timeout(self) -> FetchError:
        return FetchError("timeout", f"The site did not answer within {self.limits.total_seconds:g} seconds.")

    async def _addresses(self, target: Target) -> list[IPAddress]:
        literal = literal_address(target.host)
        return [literal] if literal is not None else await self._resolver(target.host, target.port)

    async def _send(self, client: httpx.AsyncClient, target: Target, addresses: list[IPAddress]) -> httpx.Response:
        """Send to the checked addresses in turn until one connects."""
        for address in addresses:
            try:
                request = request_for(client, target, address)
            except httpx.InvalidURL as exc:
                raise FetchError("bad_url", "This link is not a valid web address.") from exc
            try:
                return await client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise self._timeout() from exc
            except httpx.ConnectError as exc:
                log.info("fetch: %s at %s: %s", target.host, address, exc)
                continue
            except httpx.HTTPError as exc:
                raise FetchError("network", f"The site could not be read ({type(exc).__name__}).") from exc
        raise FetchError("network", f"I could not connect to {target.host}.")

    async def _body(self, response: httpx.Response) -> tuple[bytes, str, str | None]:
        """The body of a final response: checked status and type, at most ``max_bytes`` read."""
        if response.status_code != 200:
            try:
                phrase = HTTPStatus(response.status_code).phrase
            except ValueError:
                phrase = "error"
            raise FetchError("http_status", f"The site answered HTTP {response.status_code} ({phrase}).")
        content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in CONTENT_TYPES:
            raise FetchError(
                "not_article", f"The link leads to {content_type or 'a file of unknown type'}, not an article page."
            )
        max_bytes = self.limits.max_bytes
        too_large = FetchError("too_large", f"The page is larger than {_size(max_bytes)}; I stop reading there.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in _decoded(response, max_bytes, too_large):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large
                chunks.append(chunk)
        except zlib.error as exc:
            raise FetchError("encoding", "The page's compressed data is damaged.") from exc
        except httpx.TimeoutException as exc:
            raise self._timeout() from exc
        except httpx.HTTPError as exc:
            raise FetchError("network", f"The page could not be read ({type(exc).__name__}).") from exc
        return b"".join(chunks), content_type, _charset(response)


def _content_coding(response: httpx.Response) -> str | None:
    """The one content coding of the body (None: identity), or :class:`FetchError` (``encoding``)."""
    header = response.headers.get("content-encoding", "")
    codings = [part.strip().lower() for part in header.split(",") if part.strip().lower() not in ("", "identity")]
    if len(codings) > 1:
        raise FetchError("encoding", f"The site compressed the page more than once ({header}); I don't unpack that.")
    if codings and codings[0] not in CONTENT_CODINGS:
        raise FetchError("encoding", f"The site sent the page in an encoding I can't read ({codings[0]}).")
    return codings[0] if codings else None


async def _decoded(response: httpx.Response, max_bytes: int, too_large: FetchError) -> AsyncIterator[bytes]:
    """The body's bytes with its content coding undone, never more than :data:`DECODE_STEP` at a time;
    the compressed bytes count against ``max_bytes`` too (a body can expand to nothing)."""
    coding = _content_coding(response)
    inflater: zlib._Decompress | None = None
    received = 0
    async for raw in response.aiter_raw():
        received += len(raw)
        if received > max_bytes:
            raise too_large
        if coding is None:
            yield raw
            continue
        if inflater is None:
            inflater = zlib.decompressobj(_window_bits(coding, raw))
        for piece in _inflate(inflater, raw):
            yield piece
        if inflater.eof:
            return


def _window_bits(coding: str, first: bytes) -> int:
    """zlib's window bits for ``coding``; "deflate" without the zlib header (RFC 1950) is raw deflate,
    which some servers send."""
    zlib_header = len(first) >= 2 and first[0] & 0x0F == 8 and int.from_bytes(first[:2], "big") % 31 == 0
    return -zlib.MAX_WBITS if coding == "deflate" and not zlib_header else CONTENT_CODINGS[coding]


def _inflate(inflater: zlib._Decompress, data: bytes) -> Iterator[bytes]:
    """``data`` decompressed in pieces of at most :data:`DECODE_STEP` bytes (what follows the end of
    the compressed stream is ignored, as browsers do)."""
    while data and not inflater.eof:
        piece = inflater.decompress(data, DECODE_STEP)
        data = inflater.unconsumed_tail
        if piece:
            yield piece


def _charset(response: httpx.Response) -> str | None:
    """The charset the response declares, when Python knows it."""
    charset = response.charset_encoding
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _size(count: int) -> str:
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count // 1024} KB"

"""Which URLs and addresses may be fetched, and which link of a message to follow: pure functions.

The bot fetches addresses sent by anyone, so a URL is fetched only when (see :func:`check_url` and
:func:`address_problem`):

- its scheme is http or https, it carries no credentials, its port is the default or 80/443/8080/8443;
- EVERY address its host resolves to is a public unicast address: not loopback, private, link-local
  (169.254.0.0/16: cloud metadata), multicast, reserved, unspecified, shared (100.64.0.0/10) or
  otherwise not globally routable, in IPv4 and IPv6, and no IPv6 address that embeds or translates to
  an IPv4 one (IPv4-mapped ``::ffff:0:0/96``, IPv4-compatible ``::/96``, 6to4 ``2002::/16``, Teredo
  ``2001::/32``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``), nor deprecated site-local ``fec0::/10``.

The operator's allow list (``CLAIMDESK_FETCH_ALLOW``: hosts, addresses or CIDR networks) lifts the
address and port rules for what it names; scheme and credential rules always hold.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

import idna

from bot.links.page import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES: frozenset[str] = frozenset({"http", "https"})
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}
#: Ports a URL may name without the allow list.
ALLOWED_PORTS: frozenset[int] = frozenset({80, 443, 8080, 8443})

#: IPv6 ranges refused whatever ``ipaddress`` says of them: translations to IPv4 and deprecated ranges.
REFUSED_IPV6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv6Network("::/96"), "an IPv4-compatible IPv6 address"),
    (ipaddress.IPv6Network("64:ff9b::/96"), "a NAT64 address"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "a NAT64 address"),
    (ipaddress.IPv6Network("2002::/16"), "a 6to4 address"),
    (ipaddress.IPv6Network("2001::/32"), "a Teredo address"),
    (ipaddress.IPv6Network("fec0::/10"), "a site-local address"),
)

#: Hosts whose links are never articles (Telegram itself, video and social sites).
NON_ARTICLE_HOSTS: frozenset[str] = frozenset(
    {
        "t.me",
        "telegram.me",
        "telegram.org",
        "telegra.ph",
        "youtube.com",
        "youtu.be",
        "vimeo.com",
        "tiktok.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "facebook.com",
        "fb.watch",
    }
)
#: File name extensions of links that are media or downloads, not article pages.
NON_ARTICLE_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".svg",
        ".bmp",
        ".ico",
        ".heic",
        ".mp4",
        ".mov",
        ".webm",
        ".avi",
        ".mkv",
        ".mp3",
        ".ogg",
        ".wav",
        ".m4a",
        ".pdf",
        ".zip",
        ".gz",
        ".rar",
        ".7z",
        ".exe",
        ".apk",
        ".dmg",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
    }
)
#: A scheme followed by something other than a port number ("mailto:", "javascript:").
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Target:
    """A URL that passed :func:`check_url`: what to resolve and what to send."""

    url: str  # the URL with a scheme, no fragment
    scheme: str
    host: str  # lower case ASCII (IDNA); an IPv6 literal without brackets
    port: int

    @property
    def host_header(self) -> str:
        """The ``Host`` header: the host, bracketed when IPv6, with the port when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts and networks the operator lets the bot fetch despite the address and port rules."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From ``CLAIMDESK_FETCH_ALLOW`` entries: ``127.0.0.1``, ``10.0.0.0/8``, ``[::1]``, ``intranet.example``."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)


def check_url(url: str) -> Target:
    """The URL's scheme, host and port, or :class:`FetchError` (``bad_url``) when it may not be fetched."""
    url = url.strip()
    if "://" not in url and not _SCHEME.match(url):
        url = "https://" + url  # Telegram marks a bare "example.com/news" as a link
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("bad_url", "This link is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError("bad_url", f"I only fetch http and https links, not {scheme or 'this kind of'} links.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("bad_url", "I don't fetch links that carry a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("bad_url", "This link has no host name.")
    try:
        host = ascii_host(host)
    except UnicodeError:
        raise FetchError("bad_url", "This link's host name is not valid.") from None
    clean = urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return Target(clean, scheme, host, port if port is not None else DEFAULT_PORTS[scheme])


def ascii_host(host: str) -> str:
    """The host name DNS, the Host header and TLS see: an international name encoded as browsers do
    (UTS 46 mapping, then IDNA 2008: "faß.de" is ``xn--fa-hia.de``, where IDNA 2003 gave "fass.de",
    another site); an ASCII name as it is (``idna`` would refuse an underscore, which DNS allows)."""
    if host.isascii():
        return host.encode("idna").decode("ascii")  # checks label lengths
    return idna.encode(host, uts46=True).decode("ascii").rstrip(".")


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address (e.g. "a loopback address"), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            inner = address_problem(address.ipv4_mapped)
            return f"an IPv4-mapped address ({inner})" if inner else "an IPv4-mapped address"
        for network, label in REFUSED_IPV6:
            if address in network and not address.is_loopback and not address.is_unspecified:
                return label
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    return next((label for refused, label in checks if refused), None)


def check_addresses(target: Target, addresses: Sequence[IPAddress], allow: AllowList) -> None:
    """Raise :class:`FetchError` (``refused``) unless every address (and the port) may be used for ``target``.

    An allowed host may use any address and port; otherwise each address must be public or allowed,
    and the port must be in :data:`ALLOWED_PORTS` unless every address is allowed.
    """
    if not addresses:
        raise FetchError("network", f"{target.host} has no address.")
    if allow.allows_host(target.host):
        return
    for address in addresses:
        if allow.allows_address(address):
            continue
        problem = address_problem(address)
        if problem is not None:
            raise FetchError("refused", f"I don't fetch {target.host}: it leads to {problem}, not a public web server.")
    if target.port not in ALLOWED_PORTS and not all(allow.allows_address(a) for a in addresses):
        raise FetchError("refused", f"I don't fetch links to port {target.port}; only 80, 443, 8080 and 8443.")


def literal_address(host: str) -> IPAddress | None:
    """The address when ``host`` is an IP literal (``[::1]`` given as ``::1``), else None."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def looks_like_article(url: str) -> bool:
    """True for an http(s) link that may lead to an article: not Telegram (a post's own link, other
    posts), video or social sites, not a media file or download, not a bare home page."""
    try:
        target = check_url(url)
    except FetchError:
        return False
    host = target.host.removeprefix("www.").removeprefix("m.")
    if host in NON_ARTICLE_HOSTS or any(host.endswith("." + known) for known in NON_ARTICLE_HOSTS):
        return False
    path = urlsplit(target.url).path
    if PurePosixPath(path).suffix.lower() in NON_ARTICLE_EXTENSIONS:
        return False
    return path.strip("/") != "" or bool(urlsplit(target.url).query)


def article_link(links: Iterable[str]) -> str | None:
    """The first link that :func:`looks_like_article`, or None."""
    return next((link for link in links if looks_like_article(link)), None)

"""bot/links/policy.py: URL rules, address rules (IPv4, IPv6, embeddings), the allow list, link choice.

Pure functions: nothing here resolves a name or opens a connection."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from bot.links.fetch import request_for
from bot.links.page import FetchError
from bot.links.policy import AllowList, address_problem, article_link, check_addresses, check_url, looks_like_article

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/news/1", ("https", "example.com", 443)),
        ("http://Example.COM/a?b=1#comments", ("http", "example.com", 80)),
        ("example.com/news/1", ("https", "example.com", 443)),
        ("example.com:8080/news/1", ("https", "example.com", 8080)),
        ("http://[2606:4700::1111]:8443/x", ("http", "2606:4700::1111", 8443)),
        ("https://bücher.example/artikel", ("https", "xn--bcher-kva.example", 443)),
        ("https://faß.de/", ("https", "xn--fa-hia.de", 443)),  # IDNA 2008 (2003 gave fass.de)
        ("https://βόλος.gr/", ("https", "xn--nxasmm1c.gr", 443)),  # final sigma kept (2003: σ)
        ("https://ＥＸＡＭＰＬＥ。com/", ("https", "example.com", 443)),  # UTS 46 maps width and dots
        ("http://my_host.example/", ("http", "my_host.example", 80)),  # ASCII names as they are
    ],
)
def test_policy_check_url_accepts_web_links(url: str, expected: tuple[str, str, int]) -> None:
    target = check_url(url)
    assert (target.scheme, target.host, target.port) == expected
    assert "#" not in target.url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/file", "not ftp"),
        ("javascript:alert(1)", "not javascript"),
        ("mailto:desk@example.com", "not mailto"),
        ("file:///etc/passwd", "not file"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a valid"),
        ("http:///path-only", "no host"),
    ],
)
def test_policy_check_url_refuses(url: str, words: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url)
    assert caught.value.code == "bad_url"
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.8.8", "loopback"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "private"),
        ("100.64.0.1", "not a public"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("fec0::1", "site-local"),
        ("::ffff:127.0.0.1", "IPv4-mapped address (a loopback"),
        ("::ffff:10.0.0.1", "IPv4-mapped address (a private"),
        ("::ffff:169.254.169.254", "IPv4-mapped address (a link-local"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("64:ff9b::7f00:1", "NAT64"),
        ("64:ff9b::a9fe:a9fe", "NAT64"),
        ("64:ff9b:1::1", "NAT64"),
        ("2002:7f00:1::1", "6to4"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("2001:db8::1", "private"),
    ],
)
def test_policy_address_problem_refuses_non_public(address: str, label: str) -> None:
    problem = address_problem(ip(address))
    assert problem is not None and label in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "2a00:1450:4001:80b::200e"])
def test_policy_address_problem_accepts_public(address: str) -> None:
    assert address_problem(ip(address)) is None


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://10.0.0.1/", ["10.0.0.1"]),
        ("http://169.254.169.254/latest/meta-data/", ["169.254.169.254"]),
        ("http://[::1]/", ["::1"]),
        ("http://[::ffff:127.0.0.1]/", ["::ffff:127.0.0.1"]),
        ("http://0.0.0.0/", ["0.0.0.0"]),
        ("http://intranet.example/", ["127.0.0.1"]),  # a name that resolves to loopback
        ("http://mixed.example/", ["93.184.216.34", "10.1.2.3"]),  # ANY bad address refuses
        ("http://mixed6.example/", ["2606:4700::1111", "fe80::1"]),
    ],
)
def test_policy_check_addresses_refuses_without_allow(url: str, addresses: list[str]) -> None:
    with pytest.raises(FetchError) as caught:
        check_addresses(check_url(url), [ip(a) for a in addresses], AllowList())
    assert caught.value.code == "refused"
    assert "not a public web server" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "port_ok"),
    [
        ("https://example.com/", True),
        ("http://example.com:8080/", True),
        ("https://example.com:8443/", True),
        ("http://example.com:22/", False),
        ("http://example.com:6379/", False),
    ],
)
def test_policy_check_addresses_ports(url: str, port_ok: bool) -> None:
    target = check_url(url)
    if port_ok:
        check_addresses(target, [ip("93.184.216.34")], AllowList())
    else:
        with pytest.raises(FetchError, match="port"):
            check_addresses(target, [ip("93.184.216.34")], AllowList())


def test_policy_allow_list_lifts_address_and_port_rules_for_what_it_names() -> None:
    allow = AllowList.parse([" 127.0.0.1 ", "10.0.0.0/8", "[::1]", "Intranet.Example.", ""])
    assert allow.hosts == frozenset({"intranet.example"})
    check_addresses(check_url("http://127.0.0.1:5555/x"), [ip("127.0.0.1")], allow)
    check_addresses(check_url("http://10.9.8.7/x"), [ip("10.9.8.7")], allow)
    check_addresses(check_url("http://[::1]:8000/x"), [ip("::1")], allow)
    check_addresses(check_url("http://intranet.example:9000/"), [ip("192.168.0.1")], allow)
    check_addresses(check_url("http://local.example/"), [ip("127.0.0.1")], allow)  # resolves to an allowed address
    for url, address in [
        ("http://127.0.0.2:5555/x", "127.0.0.2"),  # another loopback address: not allowed
        ("http://169.254.169.254/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),  # the mapped form of an allowed IPv4 is not allowed
    ]:
        with pytest.raises(FetchError):
            check_addresses(check_url(url), [ip(address)], allow)
    with pytest.raises(
        FetchError, match="port 22"
    ):  # a public address on another port: the allow list does not cover it
        check_addresses(check_url("http://example.com:22/"), [ip("93.184.216.34")], allow)


def test_policy_request_goes_to_the_checked_address_with_host_and_sni() -> None:
    client = httpx.AsyncClient()
    secure = request_for(client, check_url("https://news.example/a?b=1"), ip("93.184.216.34"))
    assert str(secure.url) == "https://93.184.216.34/a?b=1"
    assert secure.headers["host"] == "news.example"
    assert secure.extensions["sni_hostname"] == "news.example"
    plain = request_for(client, check_url("http://news.example:8080/a"), ip("2606:4700::1111"))
    assert str(plain.url) == "http://[2606:4700::1111]:8080/a"
    assert plain.headers["host"] == "news.example:8080"
    assert "sni_hostname" not in plain.extensions


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://news.example/2019/09/15/oil-facilities-hit", True),
        ("https://news.example/story?id=42", True),
        ("news.example/world/attack", True),
        ("https://t.me/rfa_news/4242", False),
        ("https://telegram.me/s/rfa_news", False),
        ("https://www.youtube.com/watch?v=abc", False),
        ("https://x.com/someone/status/1", False),
        ("https://news.example/photos/front.JPG", False),
        ("https://news.example/report.pdf", False),
        ("https://news.example/", False),
        ("https://news.example", False),
        ("mailto:desk@news.example", False),
    ],
)
def test_policy_looks_like_article(url: str, article: bool) -> None:
    assert looks_like_article(url) is article


def test_policy_article_link_takes_the_first_article_link() -> None:
    links = (
        "https://t.me/rfa_news/4242",
        "https://cdn.example/a.png",
        "https://news.example/a",
        "https://other.example/b",
    )
    assert article_link(links) == "https://news.example/a"
    assert article_link(("https://t.me/rfa_news/1",)) is None
    assert article_link(()) is None

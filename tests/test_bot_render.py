"""bot/render.py: hand-built reports, nasty text, Telegram limits and HTML validity."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from bot.desk import DeskEntry, DeskView, Earlier, Verdict
from bot.origin import Origin, PageOrigin
from bot.render import (
    FIRST_MESSAGE_LIMIT,
    SECTIONS,
    TELEGRAM_LIMIT,
    TelegramPage,
    origin_html,
    plural,
    ranked_claims,
    render_desk,
    render_markdown,
    render_telegram,
    render_text,
    short_name,
    shorten,
    speaker,
    title_of,
    utf16_len,
    visible_len,
)
from bot.report import Article, Claim, Figure, Report, Source, Unverified

TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
NASTY = "Tom & Jerry <script>alert(\"x\")</script> said 'hi' 🙂👍🏽 &amp; <b>not bold</b>"


class TelegramHtmlChecker(HTMLParser):
    """Balanced, known tags only; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"unknown tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(markup: str) -> str:
    """Assert ``markup`` is valid Telegram HTML (known balanced tags, only Telegram's entities); its text."""
    checker = TelegramHtmlChecker()
    checker.feed(markup)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed {checker.stack}"
    stripped = markup
    for entity in ("&lt;", "&gt;", "&amp;", "&quot;"):
        stripped = stripped.replace(entity, "")
    assert "&" not in stripped, "an unescaped & or an entity Telegram does not name"
    return "".join(checker.text)


def make_report(
    *,
    claims: int = 3,
    sources: int = 2,
    unverified: int = 2,
    text: str = "Troops were killed in the region",
    title: str | None = "Kursk: casualties reported",
    summary: tuple[str, ...] = ("A summary sentence.",),
) -> Report:
    source_list = tuple(
        Source(
            id=f"s{i}",
            name=f"Source {i} {text[:20]}" if i else "Defence Intelligence (DIU)",
            aliases=("DIU", "the agency") if i == 0 else (),
            kind="military" if i == 0 else "person",
            role="spokesperson" if i == 1 else None,
            named=True,
            claims=(f"c{i}",),
        )
        for i in range(sources)
    )
    claim_list = tuple(
        Claim(
            id=f"c{i}",
            text=f"{text} #{i}",
            span=(0, 10),
            source_id=f"s{i % sources}" if sources else None,
            cue="said",
            kind="paraphrase",
            figures=(Figure("200", (0, 3), 200.0, True, "personnel"),) if i == 0 else (),
            hedges=("estimated",) if i == 0 else (),
            checkworthiness=i / 10,
        )
        for i in range(claims)
    )
    unverified_list = tuple(
        Unverified(
            claim_id=f"c{i}" if claims else None,
            reason="not_independently_verified" if i == 0 else "anonymous_source",
            evidence=f"has not been able to independently verify {text} #{i}",
            span=(0, 10),
        )
        for i in range(unverified)
    )
    return Report(
        article=Article(title=title, outlet="RFA", published="2024-12-20", language="en", words=700, sha256="0" * 64),
        summary=summary,
        sources=source_list,
        claims=claim_list,
        attributions=(),
        unverified=unverified_list,
        extractor_version="0.1.0",
    )


ORIGIN = Origin(
    kind="channel",
    chat_title="RFA <News> & Co",
    chat_username="rfa_news",
    post_url="https://t.me/rfa_news/42",
    author_signature='Jane "J" Doe',
    date="2024-12-20T14:31:00+00:00",
)


def all_pages(report: Report, section: str, origin: Origin | None = ORIGIN) -> list[TelegramPage]:
    first = render_telegram(report, origin, section=section)
    return [first] + [render_telegram(report, origin, section=section, page=p) for p in range(1, first.pages)]


def test_render_overview_has_title_origin_counts_claims_and_unverified() -> None:
    page = render_telegram(make_report(), ORIGIN)
    text = check_html(page.html)
    assert page.section == "overview" and page.pages == 1
    assert "Kursk: casualties reported" in text
    assert "Forwarded from RFA <News> & Co" in text
    assert '<a href="https://t.me/rfa_news/42">' in page.html
    assert 'by Jane "J" Doe' in text and "2024-12-20" in text
    assert "3 claims · 2 sources · 2 unverified" in text
    assert "Defence Intelligence (DIU) (military) · 1 claim\n" in text
    assert "Not independently verified: “has not been able to independently verify" in text
    assert "does not judge truth" in text


def test_render_overview_puts_most_checkworthy_claim_first() -> None:
    text = check_html(render_telegram(make_report(claims=3)).html)
    assert text.index("#2") < text.index("#1") < text.index("#0")


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("size", [0, 1, 40, 100])
def test_render_telegram_pages_are_valid_html_within_limit(section: str, size: int) -> None:
    report = make_report(claims=size, sources=min(size, 60), unverified=size, text=NASTY * 3)
    pages = all_pages(report, section)
    for page in pages:
        assert utf16_len(page.html) <= TELEGRAM_LIMIT
        check_html(page.html)
    if section != "overview" and size == 100:
        assert len(pages) > 1
        assert f"(page {len(pages)}/{len(pages)})" in pages[-1].html


@pytest.mark.parametrize("section", ["claims", "unverified"])
def test_render_telegram_pages_show_every_item_once(section: str) -> None:
    report = make_report(claims=120, sources=3, unverified=120, text="Item")
    shown = "\n".join(check_html(p.html) for p in all_pages(report, section))
    numbers = re.findall(r"Item #(\d+)\b", shown)
    per_item = 2 if section == "unverified" else 1  # an unverified line repeats its claim
    assert sorted(numbers, key=int) == [str(i) for i in range(120) for _ in range(per_item)]


def test_render_telegram_escapes_article_text() -> None:
    page = render_telegram(make_report(text=NASTY, title=NASTY), replace(ORIGIN, chat_title=NASTY))
    assert "<script>" not in page.html and "&lt;script&gt;" in page.html
    assert "&amp;amp;" in page.html  # the literal "&amp;" of the article stays literal
    text = check_html(page.html)
    assert "Tom & Jerry <script>" in text
    assert "🙂👍🏽" in text


def test_render_telegram_truncates_very_long_claims_safely() -> None:
    long_text = ("<&>" * 2000) + " end 🙂"
    for section in ("overview", "claims", "unverified"):
        for page in all_pages(make_report(claims=5, unverified=5, text=long_text), section):
            assert utf16_len(page.html) <= TELEGRAM_LIMIT
            check_html(page.html)
            assert "…" in page.html


def test_render_telegram_counts_utf16_units_for_emoji() -> None:
    emoji = "🙂" * 5000
    for section in SECTIONS:
        for page in all_pages(make_report(claims=30, unverified=30, text=emoji, title=emoji), section):
            assert utf16_len(page.html) <= TELEGRAM_LIMIT
            check_html(page.html)


def test_render_telegram_clamps_page_and_rejects_unknown_section() -> None:
    report = make_report()
    assert render_telegram(report, section="claims", page=99).page == 0
    with pytest.raises(ValueError, match="unknown section"):
        render_telegram(report, section="figures")


def test_render_telegram_says_when_an_article_was_seen_before() -> None:
    first = check_html(render_telegram(make_report()).html)
    again = check_html(render_telegram(make_report(), seen_in_chat=3, first_seen_in_chat="2026-11-20T10:00:00Z").html)
    assert "Seen" not in first
    assert "Seen 3 times in this chat, first on 2026-11-20" in again


def test_render_telegram_says_when_an_edited_message_was_analysed_again() -> None:
    lines = check_html(render_telegram(make_report(), ORIGIN, seen_in_chat=2, edited=True).html).splitlines()
    assert lines[2].startswith("↺ Seen 2 times") and lines[3] == "✎ Analysed again: the message was edited."
    assert "Analysed again" not in render_telegram(make_report(), ORIGIN).html
    assert "Analysed again" not in render_telegram(make_report(), ORIGIN, section="claims", edited=True).html


def test_render_telegram_empty_report_and_no_origin() -> None:
    report = make_report(claims=0, sources=0, unverified=0, title=None, summary=())
    text = check_html(render_telegram(report).html)
    assert "Article from RFA" in text and "0 claims · 0 sources · 0 unverified" in text
    assert "No attributed claims" in text
    assert "No sources found." in check_html(render_telegram(report, section="sources").html)


def test_render_telegram_private_channel_has_no_link() -> None:
    origin = Origin(kind="channel", chat_title="Closed", date="2024-12-20T00:00:00+00:00")
    page = render_telegram(make_report(), origin)
    assert "<a " not in page.html and "Forwarded from Closed" in check_html(page.html)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two three four five", 12, "one two…"),
        ("🙂🙂🙂🙂", 5, "🙂🙂…"),
        ("a  b\n c", 10, "a b c"),
    ],
)
def test_render_shorten_counts_utf16_and_cuts_at_words(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert utf16_len(shorten(text, limit)) <= limit


def test_render_text_lists_claims_sources_and_unverified() -> None:
    out = render_text(make_report())
    assert "Kursk: casualties reported" in out
    assert "Defence Intelligence (DIU) (said): Troops were killed in the region #0" in out
    assert "also: DIU, the agency" in out
    assert "[person, spokesperson]" in out
    assert "not independently verified: has not been able to independently verify" in out
    assert "figures: 200" in out and "hedges: estimated" in out


def test_render_markdown_escapes_and_has_sections() -> None:
    out = render_markdown(make_report(text="a *b* _c_ <d>"))
    for heading in ("# Kursk", "## Claims (3)", "## Sources (2)", "## Unverified (2)"):
        assert heading in out
    assert r"a \*b\* \_c\_ \<d\>" in out
    assert "*not independently verified*" in out


def test_render_html_escape_is_html_escape() -> None:
    page = render_telegram(make_report(text="x < y & z"), section="claims")
    assert html.escape("x < y & z", quote=False) in page.html


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            {
                "url": "https://news.example/a?b=1&c=2",
                "title": "T",
                "site_name": "News <Example>",
                "published": "2019-09-15",
            },
            'Article on <a href="https://news.example/a?b=1&amp;c=2">News &lt;Example&gt;</a> · published 2019-09-15',
        ),
        ({"url": "http://127.0.0.1:8080/x"}, 'Article on <a href="http://127.0.0.1:8080/x">127.0.0.1</a>'),
        (
            {"url": 'https://news.example/"><b>x'},
            'Article on <a href="https://news.example/&quot;&gt;&lt;b&gt;x">news.example</a>',
        ),
    ],
)
def test_render_origin_names_and_links_a_fetched_page(page: dict[str, str], expected: str) -> None:
    fetched = PageOrigin.from_dict(page)
    lines = origin_html(Origin(kind="channel", chat_title="Gazette", page=fetched)).split("\n")
    assert lines == ["Forwarded from Gazette", expected]
    assert origin_html(Origin(kind="direct", page=fetched)) == expected
    header = render_telegram(make_report(), Origin(page=fetched)).html.split("\n")
    assert header[1] == expected


# --- the first message ------------------------------------------------------------------------------


def _claim(cid: str, source_id: str | None, kind: str, text: str, worth: float = 0.5) -> Claim:
    return Claim(
        id=cid,
        text=text,
        span=(0, 1),
        source_id=source_id,
        cue="said" if source_id else None,
        kind=kind,
        checkworthiness=worth,
    )  # type: ignore[arg-type]


def _story(outlet: str | None = "London Desk") -> Report:
    """An eyewitness quote whose speaker was not found, the outlet's background, an anonymous source."""
    base = make_report(claims=0, sources=0, unverified=0)
    return replace(
        base,
        article=replace(base.article, outlet=outlet),
        sources=(
            Source("s1", "Pat Ryder", ("Ryder",), "person", "spokesperson", True, ("c2",)),
            Source("s2", "a U.S. official", (), "anonymous", None, False, ("c4",)),
        ),
        claims=(
            _claim("c1", None, "outlet", "The region has been contested since August of last year.", 0.9),
            _claim("c2", "s1", "paraphrase", "troops had been killed in the region", 0.4),
            _claim("c3", None, "quote", "“I was crossing the road when the first shell fell.”", 0.6),
            _claim("c4", "s2", "paraphrase", "losses amounted to about 200 servicemen in one week of fighting", 0.8),
        ),
        unverified=(
            Unverified("c4", "estimate", "about 200 servicemen", (0, 1)),
            Unverified("c4", "anonymous_source", "a U.S. official said", (0, 1)),
            Unverified(None, "hedged", "what appear to be corpses", (0, 1)),
        ),
    )


def test_render_overview_ranks_attributed_claims_before_the_outlets_background() -> None:
    text = check_html(render_telegram(_story()).html)
    key = text.split("Key claims\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split(":")[0] for line in key] == [
        "• a U.S. official said",
        "• Ryder said",
        "• unattributed quote",
        "• London Desk (outlet)",
    ]


@pytest.mark.parametrize(
    ("claim_id", "outlet", "expected"),
    [
        ("c1", "London Desk", "London Desk (outlet)"),
        ("c1", None, "the outlet"),
        ("c2", "London Desk", "Pat Ryder"),
        ("c3", "London Desk", "unattributed quote"),
    ],
)
def test_render_speaker_never_gives_an_unattributed_quote_to_the_outlet(
    claim_id: str, outlet: str | None, expected: str
) -> None:
    report = _story(outlet)
    claim = report.claim(claim_id)
    assert claim is not None and speaker(report, claim) == expected
    shown = check_html(render_telegram(report, section="claims").html)
    assert f"{expected}:" in shown or f"{expected} said:" in shown
    assert "London Desk said" not in shown and "London Desk: “I was" not in shown


def test_render_speaker_of_a_paraphrase_without_source() -> None:
    report = replace(_story(), claims=(_claim("c9", None, "paraphrase", "the bridge was closed"),))
    assert speaker(report, report.claims[0]) == "source not found"


def test_render_overview_lists_sources_with_kind_and_count_anonymous_marked() -> None:
    story = _story()
    markup = render_telegram(story).html
    assert "• <b>Pat Ryder</b> (person) · 1 claim\n" in markup
    assert "• <b>a U.S. official</b> (<i>anonymous</i>) · 1 claim\n" in markup
    unclear = (
        Source("s1", "the company", (), "unknown", None, True, ("c2",)),
        Source("s2", "local media", (), "media", None, False, ("c4",)),
    )
    markup = render_telegram(replace(story, sources=unclear)).html
    assert "• <b>the company</b> · 1 claim\n" in markup
    assert "• <b>local media</b> (media, <i>unnamed</i>) · 1 claim\n" in markup


def test_render_overview_not_established_names_reason_evidence_and_claim() -> None:
    text = check_html(render_telegram(_story()).html)
    lines = text.split("Not established\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert lines == [
        "• Estimate: “about 200 servicemen”; anonymous source: “a U.S. official said” in a U.S. official’s "
        "claim that losses amounted to about 200 servicemen in one week of…",
        "• Hedged wording: “what appear to be corpses”",
    ]


@pytest.mark.parametrize("size", [1, 5, 40, 300])
@pytest.mark.parametrize("text", ["Troops were killed in the region", NASTY * 3, "🙂" * 400])
def test_render_overview_fits_one_phone_screen(size: int, text: str) -> None:
    report = make_report(claims=size, sources=min(size, 60), unverified=size, text=text)
    page = render_telegram(report, ORIGIN, seen_in_chat=3, first_seen_in_chat="2026-11-20")
    check_html(page.html)
    assert visible_len(page.html) <= FIRST_MESSAGE_LIMIT
    assert "Sources" in page.html and "Key claims" in page.html and "Not established" in page.html
    if size == 300:
        assert "more under Claims" in page.html and "more under Unverified" in page.html


def test_render_overview_content_ends_with_an_ellipsis_at_a_word_boundary() -> None:
    long_claim = " ".join(f"word{i}" for i in range(60))
    report = replace(_story(), claims=(_claim("c2", "s1", "paraphrase", long_claim),), unverified=())
    line = next(li for li in check_html(render_telegram(report).html).splitlines() if li.startswith("• Ryder"))
    content = line.split(": ", 1)[1]
    assert content.endswith("…") and long_claim.startswith(content[:-1]) and long_claim[len(content) - 1] == " "


@pytest.mark.parametrize(
    ("title", "summary", "origin", "expected"),
    [
        ("Kursk: casualties", ("Troops were killed.",), None, "Kursk: casualties"),
        (
            None,
            ("Ukrainian forces released images of what it said were bodies of soldiers.",),
            None,
            "Ukrainian forces released images of what it said were bodies of soldiers",
        ),
        (None, (" ".join(["word"] * 40) + ".",), None, " ".join(["word"] * 17) + "…"),
        (
            None,
            (),
            Origin(chat_title="London Desk", date="2024-12-20T14:31:00+00:00"),
            "Post from London Desk, 2024-12-20",
        ),
        (None, (), Origin(chat_title="London Desk"), "Post from London Desk"),
        (None, (), None, "Article from RFA"),
        (
            "Friday, January 4, 2019",
            ("A building collapsed on Monday in the city.",),
            None,
            "A building collapsed on Monday in the city",
        ),
        ("Dec. 20, 2024", (), Origin(chat_title="London Desk"), "Post from London Desk"),
        ("May 2019 elections: the results", (), None, "May 2019 elections: the results"),
    ],
)
def test_render_title_of_a_post_without_headline(
    title: str | None, summary: tuple[str, ...], origin: Origin | None, expected: str
) -> None:
    assert title_of(make_report(title=title, summary=summary), origin) == expected


@pytest.mark.parametrize(
    ("count", "word", "many", "expected"),
    [
        (0, "claim", None, "0 claims"),
        (1, "claim", None, "1 claim"),
        (2, "match", "matches", "2 matches"),
        (1, "match", "matches", "1 match"),
    ],
)
def test_render_plural(count: int, word: str, many: str | None, expected: str) -> None:
    assert plural(count, word, many) == expected


SEED_ORIGIN = replace(ORIGIN, chat_title="RFA News", author_signature=None, date="2024-12-20T19:31:00+00:00")


def test_render_golden_first_message_of_the_seed(seed_report: tuple[Report, str], golden) -> None:
    report, _ = seed_report
    page = render_telegram(report, SEED_ORIGIN)
    check_html(page.html)
    assert visible_len(page.html) <= FIRST_MESSAGE_LIMIT
    golden("seed-first-message.html", page.html + "\n")


def test_render_first_message_of_the_seed_tells_the_story(seed_report: tuple[Report, str]) -> None:
    report, _ = seed_report
    text = check_html(render_telegram(report, SEED_ORIGIN).html)
    sources = text.split("Sources\n", 1)[1].split("\n\n", 1)[0]
    for name in ("Volodymyr Zelenskiy", "Pat Ryder", "Defence Intelligence of Ukraine (DIU, military)"):
        assert name in sources
    assert "a U.S. official (anonymous)" in sources
    unverified = text.split("Not established\n", 1)[1].split("\n\n", 1)[0].splitlines()
    for line in unverified[:-1]:  # the last says how many more there are
        assert " claim" in line or " quote" in line, line


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (Source("s1", "Pat Ryder", ("Ryder",), "person", None, True), "Ryder"),
        (Source("s1", "Defence Intelligence of Ukraine", ("DIU",), "military", None, True), "DIU"),
        (Source("s1", "the governor", (), "person", None, False), "the governor"),
        (Source("s1", "", (), "person", None, True), ""),  # a name made of nothing stays nothing
    ],
)
def test_render_short_name_surname_or_acronym(source: Source, expected: str) -> None:
    assert short_name(source) == expected


# --- the desk: verdicts and earlier matches ----------------------------------------------------------

ALICE_VERDICT = Verdict(1, "c2", "verified", "Seen the <original> & agreed", 7, "Alice", "2026-12-01T10:00:00+00:00")
EARLIER = (
    Earlier("same", 5, "c9", "Monday <story>", "2026-11-30T09:00:00+00:00", None, (), ALICE_VERDICT),
    Earlier("corroborating", 6, "c1", None, "2026-11-29T09:00:00+00:00", "Reuters & Co"),
    Earlier("conflicting", 7, "c4", "Sunday", "2026-11-28T09:00:00+00:00", "MoD", (("200", "500"), ("3", "4"))),
)


def test_render_desk_counts_verdicts_and_matches_on_the_first_page() -> None:
    desk = DeskView(
        verdicts={"c2": ALICE_VERDICT, "c1": replace(ALICE_VERDICT, claim_id="c1", verdict="disputed")},
        earlier={"c0": EARLIER, "c1": EARLIER[:1]},
    )
    page = render_telegram(make_report(), desk=desk)
    text = check_html(page.html)
    assert "1 verified · 1 disputed" in text
    assert "2 seen before · 1 corroborated · 1 in conflict" in text
    assert "seen before" not in check_html(render_telegram(make_report(), desk=DeskView()).html)


def test_render_desk_claims_page_numbers_claims_and_shows_verdicts_and_matches() -> None:
    report = make_report(claims=3)
    desk = DeskView(verdicts={"c2": ALICE_VERDICT}, earlier={"c2": EARLIER[:1], "c0": EARLIER})
    page = render_telegram(report, section="claims", desk=desk)
    text = check_html(page.html)
    assert page.claim_ids == ("c2", "c1", "c0") and page.first_item == 0
    assert "1. Source 0" in text or "1. Defence" in text
    assert "✅ verified · Alice · 2026-12-01: Seen the <original> & agreed" in text
    assert "↺ seen before in Monday <story>, 2026-11-30" in text
    assert "＋ also reported by Reuters & Co in an untitled article, 2026-11-29" in text
    assert "≠ conflicting figure: 200 here, 500 in Sunday, 2026-11-28 (also 3 here, 4 there)" in text
    carried = text.split("#0")[1]
    assert "✅ verified there (carried over)" in carried  # c0 has no verdict of its own
    own = text.split("#2")[1].split("#1")[0]
    assert "carried over" not in own  # c2's own verdict stands


def test_render_desk_long_claims_pages_carry_their_claim_ids() -> None:
    report = make_report(claims=80, text="A long claim about shelling near the river " * 8)
    pages = [render_telegram(report, section="claims", page=n, desk=DeskView()) for n in range(40)]
    seen = [claim_id for page in {p.page: p for p in pages}.values() for claim_id in page.claim_ids]
    assert seen == [c.id for c in ranked_claims(report)]
    assert pages[1].first_item == len(pages[0].claim_ids)
    for page in pages:
        assert utf16_len(page.html) <= TELEGRAM_LIMIT


def test_render_desk_lists_what_needs_checking_and_the_latest_verdicts() -> None:
    needing = [DeskEntry(1, "c1", "The <bridge> fell", "Monday", replace(ALICE_VERDICT, verdict="needs_checking"))]
    latest = [DeskEntry(1, "c2", "Six died", None, ALICE_VERDICT)]
    text = check_html(render_desk(needing, latest))
    assert "Needs checking (1)\n1. The <bridge> fell\n   ❓ needs checking · Alice" in text
    assert "Latest verdicts (1)\n1. Six died\n   ✅ verified" in text and "in Untitled article" in text
    many = [DeskEntry(1, f"c{i}", "x" * 200, "T", ALICE_VERDICT) for i in range(60)]
    assert utf16_len(render_desk(many, many)) <= TELEGRAM_LIMIT

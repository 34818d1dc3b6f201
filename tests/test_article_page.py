"""bot/article_page.py: the article marked up as one self-contained HTML document; hand-built reports for
the rules, the seed for the golden file, and a real headless browser (tests/browser.py) for the rendering."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import replace
from pathlib import Path

import pytest
from browser import dump_dom, parse, screenshot
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.article_page import render_article_page
from bot.origin import Origin
from bot.report import Article, Attribution, Claim, Report, Source, Unverified

TEXT = "Ryder said “troops <were> killed & wounded”.\n\nThe region is contested, about 200 were hurt.\n"
ORIGIN = Origin(kind="channel", chat_title="RFA <News>", post_url="https://t.me/rfa_news/42", date="2024-12-20")


def _span(part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return start, start + len(part)


def hand_report(text: str = TEXT) -> Report:
    """One attribution (source, cue, content), an unverified item inside its content, another across the
    outlet's sentence."""
    quote = _span("“troops <were> killed & wounded”")
    return Report(
        article=Article(
            title=None,
            outlet=None,
            published=None,
            language="en",
            words=len(text.split()),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        ),
        summary=(),
        sources=(Source("s1", "Pat Ryder", ("Ryder",), "person", "spokesperson", True, ("c1",)),),
        claims=(
            Claim("c1", TEXT[slice(*quote)], quote, "s1", "said", "quote"),
            Claim(
                "c2",
                "The region is contested, about 200 were hurt.",
                _span("The region is contested, about 200 were hurt."),
                None,
                None,
                "outlet",
            ),
        ),
        attributions=(
            Attribution("Ryder", _span("Ryder"), "said", _span("said"), TEXT[slice(*quote)], quote, "s1", True),
        ),
        unverified=(
            Unverified("c1", "single_source", "killed & wounded", _span("killed & wounded")),
            Unverified("c2", "estimate", "contested, about 200", _span("contested, about 200")),
        ),
        extractor_version="test",
    )


def article_text(page: str) -> list[str]:
    """The paragraphs' text as a reader sees it, without the note numbers and the margin notes."""
    body = page.split('<article id="text"', 1)[1].split("</article>", 1)[0]
    body = re.sub(r"<sup .*?</sup>|<aside>.*?</aside>", "", body)
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", body)]


def test_article_page_marks_source_cue_content_and_unverified() -> None:
    page = render_article_page(hand_report(), TEXT, ORIGIN)
    marks = parse(page)
    assert marks.numbers("src") == marks.numbers("cue") == marks.numbers("content") == {1}
    assert marks.numbers("unv") == {1, 2}
    assert article_text(page) == [line for line in TEXT.splitlines() if line]
    # the item inside the content is one piece with both marks, its reason on hover
    assert (
        '<span class="content unv" data-marks="content-1 unv-1" title="Single source: killed &amp; wounded · '
        'Content, from Pat Ryder">killed &amp; wounded</span>'
    ) in page
    assert '<p id="note-2"><b>2</b> Estimate: “contested, about 200”. In the claim of the outlet.</p>' in page
    assert '<sup id="ref-1"><a href="#note-1">1</a></sup>' in page
    assert 'Forwarded from <a href="https://t.me/rfa_news/42">RFA &lt;News&gt;</a>' in page


def test_article_page_is_self_contained() -> None:
    page = render_article_page(hand_report(), TEXT, ORIGIN)
    tags = parse(page).tags
    assert not [t for t, _ in tags if t in ("script", "img", "iframe", "link", "object", "embed", "video", "audio")]
    assert all(not name.startswith("on") for _, attributes in tags for name in attributes), "an event handler"
    assert all("src" not in attributes for _, attributes in tags)
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs and all(h.startswith("#") or h == ORIGIN.post_url for h in hrefs)  # links, never loads
    assert not re.search(r"url\(|@import|@font-face", page)
    assert "default-src 'none'" in page


def test_article_page_legend_and_sources_with_claims() -> None:
    page = render_article_page(hand_report(), TEXT)
    assert 'aria-label="Legend"' in page
    assert '<b>Pat Ryder</b> <span class="kind">(person, spokesperson; also “Ryder”)</span> · 1 claim' in page
    assert "not established: single source" in page
    assert "<h2>The outlet’s own claims (1)</h2>" in page


def test_article_page_refuses_another_text_and_skips_spans_outside_it() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        render_article_page(hand_report(), TEXT + "x")
    report = hand_report()
    bad = Unverified("c1", "hedged", "nothing", (len(TEXT) - 1, len(TEXT) + 50))
    page = render_article_page(replace(report, unverified=(bad,)), TEXT)
    assert parse(page).numbers("unv") == set()


def test_article_page_golden_of_the_seed(seed_report: tuple[Report, str], golden) -> None:
    report, text = seed_report
    golden("seed-article-page.html", render_article_page(report, text))


def test_article_page_renders_in_a_headless_browser(seed_report: tuple[Report, str], tmp_path: Path) -> None:
    report, text = seed_report
    page = tmp_path / "article.html"
    page.write_text(render_article_page(report, text), encoding="utf-8")
    dom = parse(dump_dom(page))
    assert dom.counts["data-attributions"] == str(len(report.attributions))
    assert dom.numbers("src") | dom.numbers("content") == set(range(1, len(report.attributions) + 1))
    assert dom.numbers("unv") == set(range(1, len(report.unverified) + 1))
    assert any(tag == "aside" for tag, _ in dom.tags)
    shot = tmp_path / "article.png"
    assert screenshot(page, shot, 900, 1400) == (900, 1400)
    assert shot.stat().st_size > 60_000  # a page of highlighted text, not a blank one (about 3 kB)


_SPAN = st.tuples(st.integers(-3, 80), st.integers(-3, 80))


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.sampled_from("ab <&>\"'\n“”🙂"), max_size=60),
    pieces=st.lists(st.tuples(_SPAN, _SPAN, _SPAN), max_size=6),
    items=st.lists(_SPAN, max_size=6),
)
def test_article_page_any_spans_give_a_well_formed_page(
    text: str, pieces: list[tuple[tuple[int, int], ...]], items: list[tuple[int, int]]
) -> None:
    base = hand_report()
    report = replace(
        base,
        article=replace(base.article, sha256=hashlib.sha256(text.encode()).hexdigest()),
        attributions=tuple(
            Attribution(None, source, None, cue, "", content, None, False) for source, cue, content in pieces
        ),
        unverified=tuple(Unverified(None, "hedged", "", span) for span in items),
    )
    page = render_article_page(report, text)
    marks = parse(page)
    assert not [t for t, _ in marks.tags if t == "script"]
    inside = [p for p in (*[s for trio in pieces for s in trio], *items) if 0 <= p[0] < p[1] <= len(text)]
    assert len(marks.marks) <= len(inside)
    assert article_text(page) == [line for line in text.split("\n") if line.strip()]

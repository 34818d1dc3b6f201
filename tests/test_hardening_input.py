"""Bad input never crashes extraction, rendering or the message and document readers (issue 7).

Property-based (hypothesis, derandomised and database-free so every run tries the same examples) plus a
fixed corpus of nasty cases: emoji, right-to-left scripts, combining marks, zero-width characters, NUL,
lone surrogates, a 100,000-character word, unbalanced quotes, HTML and Markdown specials, text that looks
like tags, entities whose UTF-16 offsets split a surrogate pair, captions at the 1024 limit, documents with
wrong extensions, empty and binary files, HTML with scripts.

Properties: ``check_input`` raises nothing but ``InputRejected``; ``build_report(nlp(text))`` never raises
on text ``check_input`` accepts; every span satisfies ``text[start:end] == its string``; every Telegram
page of every section is valid Telegram HTML (the fake server's parser) within 4096 UTF-16 units;
``render_text`` and ``render_markdown`` never raise. The invented article is the tests' own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fakebotapi import parse_telegram_html
from hardening_stats import BAD_INPUTS, count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from telegram import Message

from bot.extraction.checks import MAX_CHARS, InputRejected, check_input
from bot.extraction.pipeline import build_report
from bot.origin import Origin, OriginKind
from bot.render import SECTIONS, TELEGRAM_LIMIT, render_markdown, render_telegram, render_text, utf16_len
from bot.report import Article, Claim, Figure, Reason, Report, Source, SourceKind, Unverified
from bot.service import DocumentRef
from bot.service.documents import (
    DOCUMENT_EXTENSIONS,
    MAX_DOCUMENT_BYTES,
    DocumentProblem,
    clean_text,
    decode_bytes,
    decode_document,
    document_problem,
    html_to_text,
)
from handlers.inputs import article_from_message, mentions_bot, without_mention
from storage import Store

#: Every property runs on the same examples each time (derandomised), with no example database on disk.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Invented for these tests: an attributed quotation, a paraphrase, an estimate, an unverified point.
ARTICLE = (
    "Flood water closed the main bridge in the river town of Eastfield on Monday, officials said.\n"
    "“We have never seen the water rise this fast,” said Mayor Ruth Calder, who added that about 300 "
    "homes had been evacuated overnight.\n"
    "The regional weather office said more rain was expected on Tuesday, but the number of damaged "
    "buildings could not be independently verified. A police spokesman said that two people were "
    "missing, according to a statement released late on Monday."
)

#: Fragments that have broken text pipelines before; inserted into the article or used alone.
NASTY: dict[str, str] = {
    "emoji-zwj": "👨‍👩‍👧‍👦 🏳️‍🌈 😀😀 ❤️",
    "arabic": "قال المتحدث باسم الوزارة إن ٣٠٠ شخص",
    "hebrew": "אמר הדובר",
    "rtl-override": "\u202etxt.exe\u202c \u200f",
    "combining": "e\u0301\u0301\u0301 Z\u0334\u031b\u0335a\u0336l\u0337g\u0338o",
    "zero-width": "wo\u200brd\u200c\u200d\ufeff\u2060",
    "nul": "before\x00after",
    "lone-high-surrogate": "broken \ud83d emoji",
    "lone-low-surrogate": "\udfff",
    "unbalanced-quotes": "“He said that the bridge «was closed \" and ' „never",
    "many-quotes": "“”“”“”\"\"\"''''",
    "html-tags": "<b>bold</b> <i>unclosed <script>alert(1)</script> </a> <tg-spoiler>",
    "html-entities": "&amp; &lt; &gt; & &#0; &#x110000; &nbsp; &bogus;",
    "tag-lookalikes": 'a < b > c <3 <<<>>> <not a tag <a href="javascript:alert(1)">x</a>',
    "markdown": "*bold* _it_ `code` [link](http://x) ~~s~~ ||spoiler|| \\ # > | ```",
    "controls": "\x07\x08\x1b[31m\x7f\x9b",
    "line-breaks": "a\r\nb\rc\vd\fe\x85f\u2028g\u2029h\t",
    "spaces": "\u00a0\u2009\u3000\u180e",
    "numbers": "٣٠٠ ①② ½ 1e309 " + "9" * 400 + " -0 0x1F 1,000,000,000,000,000",
    "cue-words": "said said said according to according to “ said ” told told",
    "url": 'https://example.org/a?b=<c>&d="e"',
}

_SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
_ANY_CHAR = st.one_of(st.characters(), _SURROGATE)
_PIECE = st.one_of(st.sampled_from(sorted(NASTY.values())), st.text(_ANY_CHAR, max_size=40))
#: Text without lone surrogates (what a Telegram message or a decoded document can hold).
_TEXT_CHAR = st.characters(codec="utf-8")
_LABEL = st.text(_TEXT_CHAR, max_size=80)
_LONG = st.text(_TEXT_CHAR, max_size=1500)


# --- checks ---------------------------------------------------------------------------------------


def report_spans(report: Report) -> Iterator[tuple[str, tuple[int, int] | None, str | None]]:
    """(what, span, string) for every span of the report."""
    for claim in report.claims:
        yield f"claim {claim.id}", claim.span, claim.text
        for figure in claim.figures:
            yield f"figure of {claim.id}", figure.span, figure.text
    for n, attribution in enumerate(report.attributions):
        yield f"attribution {n} source", attribution.source_span, attribution.source
        yield f"attribution {n} cue", attribution.cue_span, attribution.cue
        yield f"attribution {n} content", attribution.content_span, attribution.content
    for n, item in enumerate(report.unverified):
        yield f"unverified {n}", item.span, item.evidence


def assert_spans(text: str, report: Report) -> None:
    for what, span, value in report_spans(report):
        assert (span is None) == (value is None), what
        if span is not None:
            start, end = span
            assert 0 <= start <= end <= len(text), f"{what}: {span} outside the text"
            assert text[start:end] == value, f"{what}: text{span} = {text[start:end]!r}, not {value!r}"


def assert_renders(report: Report, origin: Origin | None = None, **seen: Any) -> int:
    """Every page of every section is valid Telegram HTML within the limit; the CLI formats render.
    Returns how many pages were checked."""
    pages = 0
    for section in SECTIONS:
        first = render_telegram(report, origin, section=section, **seen)
        for number in range(first.pages):
            page = render_telegram(report, origin, section=section, page=number, **seen)
            assert (page.section, page.page) == (section, number)
            assert utf16_len(page.html) <= TELEGRAM_LIMIT, f"{section} page {number}: {utf16_len(page.html)}"
            plain, _ = parse_telegram_html(page.html)  # raises HtmlParseError as Telegram would refuse it
            assert plain.strip()
            pages += 1
    assert render_text(report)
    assert render_markdown(report)
    json.dumps(report.to_dict(), ensure_ascii=False)
    return pages


def analyse_if_accepted(nlp: Language, text: str) -> Report | None:
    """``check_input`` then ``build_report(nlp(text))``: None when the text is rejected (and only
    InputRejected may say so)."""
    count(BAD_INPUTS)
    try:
        check_input(text)
    except InputRejected as rejected:
        assert rejected.code in {"empty", "binary", "too_long", "too_short", "not_english"}
        assert str(rejected)
        return None
    report = build_report(nlp(text))
    assert_spans(text, report)
    assert_renders(report)
    return report


def with_pieces(pieces: list[tuple[int, str]]) -> str:
    """The article with each piece inserted before word ``n`` (counted in the original article)."""
    words = ARTICLE.split(" ")
    for position, piece in sorted(pieces, key=lambda item: -item[0]):
        at = position % (len(words) + 1)
        words.insert(at, piece)
    return " ".join(words)


# --- extraction -----------------------------------------------------------------------------------


def test_hardening_input_base_article_is_accepted_and_analysed(nlp: Language) -> None:
    report = analyse_if_accepted(nlp, ARTICLE)
    assert report is not None and report.claims


@pytest.mark.parametrize("name", sorted(NASTY))
@pytest.mark.parametrize("where", ["alone", "inside", "everywhere"])
def test_hardening_input_nasty_corpus_never_crashes_extraction(nlp: Language, name: str, where: str) -> None:
    fragment = NASTY[name]
    text = {
        "alone": fragment,
        "inside": with_pieces([(7, fragment), (40, fragment)]),
        "everywhere": " ".join(f"{word} {fragment}" for word in ARTICLE.split(" ")),
    }[where]
    analyse_if_accepted(nlp, clean_text(text))
    raw = analyse_if_accepted(nlp, text)
    if _has_surrogate(text):
        assert raw is None  # rejected: no UTF-8 encoder (hashing, SQLite, Telegram) takes a lone surrogate


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def test_hardening_input_hundred_thousand_character_word(nlp: Language) -> None:
    text = with_pieces([(10, "x" * 100_000)])
    report = analyse_if_accepted(nlp, text)
    assert report is not None
    assert all(len(claim.text) < len(text) for claim in report.claims)


def test_hardening_input_huge_number_gives_strict_json(nlp: Language) -> None:
    text = with_pieces([(3, "9" * 400 + " soldiers"), (30, "1e309 people")])
    report = analyse_if_accepted(nlp, text)
    assert report is not None
    json.dumps(report.to_dict(), allow_nan=False)


def test_hardening_input_too_long_text_is_rejected_before_parsing() -> None:
    count(BAD_INPUTS)
    with pytest.raises(InputRejected) as rejected:
        check_input((ARTICLE + "\n") * (MAX_CHARS // len(ARTICLE) + 2))
    assert rejected.value.code == "too_long"


@PROPERTY
@given(text=st.text(_ANY_CHAR, max_size=400))
def test_hardening_input_arbitrary_text_is_rejected_cleanly_or_analysed(nlp: Language, text: str) -> None:
    analyse_if_accepted(nlp, clean_text(text))


@PROPERTY
@given(pieces=st.lists(st.tuples(st.integers(0, 200), _PIECE), min_size=1, max_size=8))
def test_hardening_input_article_with_nasty_insertions(nlp: Language, pieces: list[tuple[int, str]]) -> None:
    text = clean_text(with_pieces(pieces))
    report = analyse_if_accepted(nlp, text)
    if report is not None:
        assert report.article.words == len(text.split())


# --- rendering ------------------------------------------------------------------------------------


@st.composite
def reports(draw: st.DrawFn) -> Report:
    """A report with arbitrary strings everywhere rendering looks (spans do not matter to rendering)."""
    kinds = list(get_args(SourceKind))
    sources = tuple(
        Source(
            f"s{n}",
            draw(_LABEL),
            tuple(draw(st.lists(_LABEL, max_size=3))),
            draw(st.sampled_from(kinds)),
            draw(st.none() | _LABEL),
            draw(st.booleans()),
        )
        for n in range(draw(st.integers(0, 6)))
    )
    figure = st.builds(
        Figure, _LABEL, st.just((0, 1)), st.none() | st.floats(allow_nan=True), st.booleans(), st.none() | _LABEL
    )
    claims = tuple(
        Claim(
            f"c{n}",
            draw(_LONG),
            (0, 1),
            draw(st.sampled_from([None, *(s.id for s in sources)])),
            draw(st.none() | _LABEL),
            draw(st.sampled_from(["quote", "paraphrase", "according_to", "outlet"])),
            figures=tuple(draw(st.lists(figure, max_size=3))),
            hedges=tuple(draw(st.lists(_LABEL, max_size=3))),
            checkworthiness=draw(st.floats(0, 1)),
        )
        for n in range(draw(st.integers(0, 40)))
    )
    reasons = [*get_args(Reason), "a_reason_from_a_newer_extractor"]
    unverified = tuple(
        Unverified(
            draw(st.sampled_from([None, "c404", *(c.id for c in claims)])),
            draw(st.sampled_from(reasons)),
            draw(_LONG),
            (0, 1),
        )
        for _ in range(draw(st.integers(0, 25)))
    )
    article = Article(
        draw(st.none() | _LABEL),
        draw(st.none() | _LABEL),
        draw(st.none() | _LABEL),
        "en",
        draw(st.integers(0, 10**6)),
        "0" * 64,
    )
    sources = tuple(
        Source(s.id, s.name, s.aliases, s.kind, s.role, s.named, tuple(c.id for c in claims if c.source_id == s.id))
        for s in sources
    )
    return Report(article, tuple(draw(st.lists(_LONG, max_size=3))), sources, claims, (), unverified, "test")


_URLS = (
    st.sampled_from(
        [
            "https://t.me/rfa_news/42",
            'https://t.me/x"><b>bold</b>',
            "javascript:alert(1)",
            "http://example.org/a?b=<c>&d",
            "https://example.org/" + "a" * 3000,
            "",
        ]
    )
    | _LABEL
)
ORIGINS = st.none() | st.builds(
    Origin.from_dict,
    st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(get_args(OriginKind)),
            "chat_title": _LABEL,
            "sender_name": _LABEL,
            "post_url": _URLS,
            "author_signature": _LABEL,
            "date": _LABEL,
            "file_name": _LABEL,
            "page": st.fixed_dictionaries({"url": _URLS}, optional={"site_name": _LABEL, "published": _LABEL}),
        },
    ),
)


@PROPERTY
@given(report=reports(), origin=ORIGINS, seen=st.integers(0, 10**6), first=st.none() | _LABEL)
def test_hardening_input_rendering_any_report_is_valid_telegram_html(
    report: Report, origin: Origin | None, seen: int, first: str | None
) -> None:
    count(BAD_INPUTS)
    assert assert_renders(report, origin, seen_in_chat=seen, first_seen_in_chat=first) >= len(SECTIONS)


def test_hardening_input_rendering_huge_fields_stay_within_one_message() -> None:
    count(BAD_INPUTS)
    huge = "<&>" * 5000 + "😀" * 5000
    report = Report(
        Article(huge, huge, huge, "en", 1, "0" * 64),
        (huge,),
        (Source("s0", huge, (huge,) * 3, "person", huge, True, ("c0",)),),
        (Claim("c0", huge, (0, 1), "s0", huge, "quote", (Figure(huge, (0, 1), 1e309, True, huge),), (huge,)),),
        (),
        (Unverified("c0", "denied", huge, (0, 1)),),
        "test",
    )
    origin = Origin.from_dict(
        {
            "kind": "channel",
            "chat_title": huge,
            "post_url": "https://t.me/" + huge,
            "author_signature": huge,
            "date": huge,
            "file_name": huge,
            "page": {"url": "https://x.org/" + huge, "site_name": huge},
        }
    )
    assert assert_renders(report, origin, seen_in_chat=3, first_seen_in_chat=huge) == len(SECTIONS)


# --- messages -------------------------------------------------------------------------------------

DATE = 1734705060
GROUP = {"id": -100555, "type": "supergroup", "title": "Newsroom"}
USER = {"id": 1001, "is_bot": False, "first_name": "Ana"}
BOT_USERNAME = "claimdesk_test_bot"


def message(**fields: Any) -> Message:
    return Message.de_json({"message_id": 5, "date": DATE, "chat": GROUP, "from": USER, **fields}, None)


def _entity(kind: str, offset: int, length: int) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = "https://example.org/x"
    if kind == "text_mention":
        entity["user"] = {"id": 42, "is_bot": True, "first_name": "Claimdesk"}
    return entity


ENTITY_KINDS = ["url", "text_link", "mention", "text_mention", "bold", "bot_command"]


@pytest.mark.parametrize("field", ["text", "caption"])
@pytest.mark.parametrize(
    ("offset", "length"),
    [(1, 1), (2, 1), (1, 2), (2, 3), (0, 1), (3, 100), (100, 5)],
    ids=["high-half", "low-half", "whole-pair", "from-low-half", "before", "past-the-end", "outside"],
)
def test_hardening_input_entities_splitting_surrogate_pairs(field: str, offset: int, length: int) -> None:
    """Offsets are UTF-16 units: 😀 is two, so offset 2 points at its second half."""
    count(BAD_INPUTS)
    text = "a😀b @claimdesk_test_bot https://example.org/article 😀"
    msg = message(
        **{
            field: text,
            "entities" if field == "text" else "caption_entities": [
                _entity(kind, offset, length) for kind in ENTITY_KINDS
            ],
        }
    )
    article = article_from_message(msg)
    assert article.text == text
    assert all(not _has_surrogate(link) for link in article.links)
    mentions_bot(msg, BOT_USERNAME, 42)
    json.dumps(article.origin.to_dict())


@PROPERTY
@given(
    text=st.text(_ANY_CHAR, min_size=1, max_size=120),
    entities=st.lists(st.tuples(st.sampled_from(ENTITY_KINDS), st.integers(0, 130), st.integers(1, 40)), max_size=6),
    caption=st.booleans(),
)
def test_hardening_input_any_message_and_entities_are_read(
    text: str, entities: list[tuple[str, int, int]], caption: bool
) -> None:
    count(BAD_INPUTS)
    key = "caption_entities" if caption else "entities"
    msg = message(**{"caption" if caption else "text": text, key: [_entity(*e) for e in entities]})
    article = article_from_message(msg)
    assert not _has_surrogate(article.text)
    assert all(not _has_surrogate(link) for link in article.links)
    assert isinstance(mentions_bot(msg, BOT_USERNAME, 42), bool)
    assert isinstance(without_mention(article.text, BOT_USERNAME), str)
    json.dumps(article.origin.to_dict(), ensure_ascii=False).encode("utf-8")


def test_hardening_input_caption_at_the_1024_limit(nlp: Language) -> None:
    """A caption of exactly 1024 UTF-16 units, emoji counted twice, is read whole and analysed."""
    base = ARTICLE.replace("\n", " ")[:900] + " 😀"
    caption = base + "x" * (1024 - utf16_len(base))
    assert utf16_len(caption) == 1024
    msg = message(
        caption=caption,
        caption_entities=[_entity("url", 1018, 6), _entity("bold", 1022, 2)],
        photo=[{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
    )
    article = article_from_message(msg)
    assert article.text == caption
    report = analyse_if_accepted(nlp, article.text)
    assert report is not None


# --- documents ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "accepted"),
    [
        ("article.txt", True),
        ("ARTICLE.TXT", True),
        ("notes.md", True),
        ("page.HTM", True),
        ("article.pdf", False),
        ("article.docx", False),
        ("article.txt.exe", False),
        ("article", False),
        (None, False),
        ("", False),
        (".txt", False),
        ("\u202etxt.exe", False),
        ("a" * 300 + ".txt", True),
        ("<b>x</b>.html", True),
        ("../../etc/passwd", False),
    ],
)
def test_hardening_input_documents_by_extension(file_name: str | None, accepted: bool) -> None:
    count(BAD_INPUTS)
    problem = document_problem(DocumentRef("f", file_name, "application/octet-stream", 10))
    assert (problem is None) == accepted
    if problem is not None:
        assert ".txt" in problem


BINARY = bytes(range(256)) * 40
DOCUMENTS: dict[str, bytes] = {
    "empty": b"",
    "binary": BINARY,
    "png-named-txt": b"\x89PNG\r\n\x1a\n" + BINARY,
    "nul-bytes": ARTICLE.encode() + b"\x00" * 50,
    "utf16-bom-odd-length": b"\xff\xfe" + ARTICLE.encode("utf-16-le") + b"\x00",
    "utf16-bom-lone-surrogate": b"\xff\xfe" + "a \ud800 b ".encode("utf-16-le", "surrogatepass") * 30,
    "utf16-be": b"\xfe\xff" + ARTICLE.encode("utf-16-be"),
    "utf8-bom": b"\xef\xbb\xbf" + ARTICLE.encode(),
    "cp1252": ARTICLE.replace("“", '"').replace("”", '"').encode() + " caf\xe9 \x93q\x94".encode("latin-1"),
    "invalid-utf8": ARTICLE.encode() + b"\xc3\x28\xa0\xa1\xed\xa0\x80",
    "cesu-surrogates": ARTICLE.encode() + b"\xed\xa0\xbd\xed\xb8\x80",
    "only-whitespace": b" \n\t\r\n" * 100,
    "too-big": b"a " * (MAX_DOCUMENT_BYTES // 2 + 1),
}


@pytest.mark.parametrize("extension", [".txt", ".html"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_hardening_input_document_bytes_decode_or_say_why(nlp: Language, name: str, extension: str) -> None:
    try:
        text, _title = decode_document(DOCUMENTS[name], "file" + extension)
    except DocumentProblem as problem:
        count(BAD_INPUTS)
        assert name == "too-big" and "2 MB" in str(problem)
        return
    assert not _has_surrogate(text)
    analyse_if_accepted(nlp, text)


HTML_WITH_SCRIPTS = (
    "<!DOCTYPE html><html><head><title>Flood &amp; <b>bridge</b></title>"
    "<script>var secret = 'SCRIPT-TEXT'; document.write('<p>')</script>"
    "<style>p { content: 'STYLE-TEXT' }</style></head><body>"
    "<noscript>NOSCRIPT-TEXT</noscript><template>TEMPLATE-TEXT</template>"
    "<svg><script>SVG-SCRIPT</script></svg>"
    + "".join(f"<p>{line}</p>" for line in ARTICLE.split("\n"))
    + "<script src='x.js'></script><p>Unclosed <b>bold <i>and <script>UNCLOSED-SCRIPT"
    "<!-- comment COMMENT-TEXT --><![CDATA[ CDATA ]]><? pi ?></body></html>"
)


def test_hardening_input_html_document_drops_scripts_and_keeps_the_article(nlp: Language) -> None:
    text, title = decode_document(HTML_WITH_SCRIPTS.encode(), "page.html")
    for hidden in (
        "SCRIPT-TEXT",
        "STYLE-TEXT",
        "NOSCRIPT-TEXT",
        "TEMPLATE-TEXT",
        "SVG-SCRIPT",
        "COMMENT-TEXT",
        "UNCLOSED-SCRIPT",
    ):
        assert hidden not in text
    assert title == "Flood & bridge"
    assert "Mayor Ruth Calder" in text
    assert analyse_if_accepted(nlp, text) is not None


@PROPERTY
@given(data=st.binary(max_size=3000), extension=st.sampled_from([*DOCUMENT_EXTENSIONS, ".pdf", ""]))
def test_hardening_input_any_bytes_decode_without_crashing(data: bytes, extension: str) -> None:
    count(BAD_INPUTS)
    text, title = decode_document(data, "file" + extension)
    assert not _has_surrogate(text) and not _has_surrogate(title or "")
    assert decode_bytes(data) is not None


@PROPERTY
@given(markup=st.text(_ANY_CHAR, max_size=600), inject=st.text(_TEXT_CHAR, max_size=60))
def test_hardening_input_any_markup_reduces_to_text_without_scripts(markup: str, inject: str) -> None:
    count(BAD_INPUTS)
    text, title = html_to_text(markup + "<script>SCRIPT-TEXT" + inject.replace("<", "") + "</script>")
    assert "SCRIPT-TEXT" not in text
    assert isinstance(title, str | None)


# --- search words ---------------------------------------------------------------------------------

SEARCHES = [
    "",
    '"',
    "*",
    "NEAR(a b)",
    "a OR",
    "-x",
    "^x",
    "😀",
    "\ud800",
    "x" * 10_000,
    "AND AND",
    "casualties*",
    "'; DROP TABLE analyses; --",
    "col:umn",
    "(((",
    "\x00",
]


@pytest.mark.parametrize("query", SEARCHES)
async def test_hardening_input_search_words_never_break_the_query(query: str, tmp_path: Path, nlp: Language) -> None:
    """/search passes user words to SQLite full-text search: none may be a syntax error or reach SQL."""
    count(BAD_INPUTS)
    report = build_report(nlp(ARTICLE))
    async with await Store.open(tmp_path / "search.sqlite3") as store:
        await store.save_analysis(chat_id=1, message_id=1, text=ARTICLE, report=report, origin=Origin())
        hits = await store.search(1, query)
        assert isinstance(hits, list)
        assert len(await store.history(1)) == 1

"""Schema and offsets over real articles: the seed and five Wikinews articles (tests/data/README.md).

Every span is ``[start, end)`` in characters of the exact input and ``text[start:end]`` equals its string;
ids are unique and cross-references resolve; the report survives ``to_dict``/``from_dict`` and JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from spacy.language import Language

from bot.extraction.pipeline import analyze_text
from bot.report import ClaimKind, Reason, Report, SourceKind

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
WIKINEWS = [
    json.loads(line) for line in (ROOT / "tests" / "data" / "wikinews-sample.jsonl").read_text("utf-8").splitlines()
]
#: Invented, with what shifts offsets: characters outside the BMP, curly quotes, tabs, blank lines.
INVENTED = (
    "Heavy rain flooded three coastal towns on Sunday 🌧️, and about 200 people spent the night in schools.\n"
    "“The water came into the houses within minutes,” said Mayor Hanna Lindqvist. She said that the damage\t"
    "would cost several million dollars.\n\n"
    "The weather service has warned that more rain could fall on Tuesday, and officials have not confirmed "
    "the number of homes lost.\n"
    "Residents said that the river rose by two metres in one hour 😱 before the dam gave way."
)
ARTICLES = [
    pytest.param(SEED.read_text("utf-8"), id="seed"),
    *(pytest.param(a["text"], id=a["id"].removeprefix("wikinews-2019-")[:40]) for a in WIKINEWS),
    pytest.param(INVENTED, id="invented-emoji-lf"),
    pytest.param(INVENTED.replace("\n", "\r\n"), id="invented-emoji-crlf"),
]


@pytest.fixture(scope="module", params=ARTICLES)
def analysed(request: pytest.FixtureRequest, nlp: Language) -> tuple[str, Report]:
    text: str = request.param
    return text, analyze_text(nlp, text)


def _assert_span(text: str, span: tuple[int, int] | None, value: str | None, what: str) -> None:
    assert (span is None) == (value is None), what
    if span is None:
        return
    start, end = span
    assert 0 <= start < end <= len(text), f"{what}: span {span} outside the text"
    assert text[start:end] == value, f"{what}: text{span} = {text[start:end]!r}, not {value!r}"


def test_offsets_sample_articles_are_credited() -> None:
    readme = (ROOT / "tests" / "data" / "README.md").read_text("utf-8")
    assert "Wikinews contributors" in readme and "CC BY 2.5" in readme
    assert len(WIKINEWS) >= 4
    for article in WIKINEWS:
        assert article["url"] in readme


def test_offsets_report_is_not_empty(analysed: tuple[str, Report]) -> None:
    text, report = analysed
    assert report.claims and report.summary
    assert report.article.words == len(text.split())


def test_offsets_claim_and_figure_spans_match_text(analysed: tuple[str, Report]) -> None:
    text, report = analysed
    for claim in report.claims:
        _assert_span(text, claim.span, claim.text, f"claim {claim.id}")
        for figure in claim.figures:
            _assert_span(text, figure.span, figure.text, f"figure in {claim.id}")
            assert claim.span[0] <= figure.span[0] and figure.span[1] <= claim.span[1], f"figure outside {claim.id}"


def test_offsets_attribution_spans_match_text(analysed: tuple[str, Report]) -> None:
    text, report = analysed
    for n, attribution in enumerate(report.attributions):
        _assert_span(text, attribution.source_span, attribution.source, f"attribution {n} source")
        _assert_span(text, attribution.cue_span, attribution.cue, f"attribution {n} cue")
        _assert_span(text, attribution.content_span, attribution.content, f"attribution {n} content")
        pieces = attribution.content_fragments
        if pieces:
            assert len(pieces) >= 2 and list(pieces) == sorted(pieces), f"attribution {n} fragments"
            assert pieces[0][0] == attribution.content_span[0] and pieces[-1][1] == attribution.content_span[1]
            assert all(a[1] <= b[0] for a, b in zip(pieces, pieces[1:])), f"attribution {n} fragments overlap"


def test_offsets_unverified_evidence_spans_match_text(analysed: tuple[str, Report]) -> None:
    text, report = analysed
    for item in report.unverified:
        _assert_span(text, item.span, item.evidence, f"unverified {item.reason}")


def test_offsets_ids_unique_and_references_resolve(analysed: tuple[str, Report]) -> None:
    _, report = analysed
    claim_ids = [c.id for c in report.claims]
    source_ids = [s.id for s in report.sources]
    assert len(set(claim_ids)) == len(claim_ids)
    assert len(set(source_ids)) == len(source_ids)
    for claim in report.claims:
        assert claim.source_id is None or claim.source_id in source_ids, claim
        if claim.source_id is not None:
            assert claim.id in report.source(claim.source_id).claims  # type: ignore[union-attr]
    for source in report.sources:
        for claim_id in source.claims:
            claim = report.claim(claim_id)
            assert claim is not None and claim.source_id == source.id
    for attribution in report.attributions:
        assert attribution.source_id is None or attribution.source_id in source_ids
    for item in report.unverified:
        assert item.claim_id is None or item.claim_id in claim_ids


def test_offsets_enumerations_and_ranges(analysed: tuple[str, Report]) -> None:
    _, report = analysed
    assert {u.reason for u in report.unverified} <= set(get_args(Reason))
    assert {s.kind for s in report.sources} <= set(get_args(SourceKind))
    assert {c.kind for c in report.claims} <= set(get_args(ClaimKind))
    for claim in report.claims:
        assert 0.0 <= claim.checkworthiness <= 1.0
        if claim.kind == "outlet":
            assert claim.source_id is None and claim.cue is None, claim
    for source in report.sources:
        if source.named:
            assert source.kind not in ("anonymous", "unknown"), source
    assert 1 <= len(report.summary) <= 3
    assert report.article.language == "en" and len(report.article.sha256) == 64


def test_offsets_round_trip_through_dict_and_json(analysed: tuple[str, Report]) -> None:
    _, report = analysed
    assert Report.from_dict(report.to_dict()) == report
    assert Report.from_dict(json.loads(json.dumps(report.to_dict()))) == report

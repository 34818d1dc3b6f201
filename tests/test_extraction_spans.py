"""bot/extraction/spans.py, and the text that made extraction quadratic (issue 15 item 3): many short
quotation-and-tag pairs."""

from __future__ import annotations

import random
import time

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from bot.extraction.pipeline import build_report
from bot.extraction.spans import Span, SpanIndex, overlap

#: Invented speech tags, one a line (a pair is about 22 characters, as in the report).
PAIRS: tuple[str, ...] = tuple(f"“No {n} way,” {name} said." for n, name in enumerate(["Ann", "Bo", "Cy", "Di"]))
HEADER = "Council vote ends in uproar\nThe town council met on Monday to vote on the new budget plan, officials said."


def _scan(spans: list[Span], span: Span) -> list[int]:
    return [position for position, (start, end) in enumerate(spans) if start < span[1] and end > span[0]]


@pytest.mark.parametrize(
    ("spans", "query", "expected"),
    [
        ([], (0, 5), []),
        ([(0, 10), (2, 3), (20, 30)], (5, 25), [0, 2]),
        ([(20, 30), (0, 100), (40, 50)], (45, 46), [1, 2]),  # a long span reaches past shorter ones
        ([(0, 5), (5, 10)], (5, 5), []),  # an empty span at a boundary touches neither
        ([(0, 10), (4, 4)], (2, 6), [0, 1]),  # an empty span strictly inside counts
        ([(0, 5), (5, 10)], (4, 6), [0, 1]),
        ([(3, 8), (3, 8)], (7, 9), [0, 1]),  # duplicates keep their positions
    ],
)
def test_spans_overlapping_table(spans: list[Span], query: Span, expected: list[int]) -> None:
    assert SpanIndex(spans).overlapping(query) == expected == _scan(spans, query)


def test_spans_overlapping_agrees_with_a_scan_of_random_spans() -> None:
    chance = random.Random(15)
    spans = [(start, start + chance.randint(0, 60)) for start in (chance.randint(0, 2000) for _ in range(400))]
    index = SpanIndex(spans)
    for start in range(0, 2100, 7):
        query = (start, start + chance.randint(0, 40))
        assert index.overlapping(query) == _scan(spans, query)
        assert index.covers_most_of(query) == any(overlap(query, s) > (query[1] - query[0]) / 2 for s in spans)


def test_pipeline_many_quotation_pairs_in_linear_time(nlp: Language) -> None:
    """9,000 quotation-and-tag pairs (about 200,000 characters, the most an article may have) are built
    into one report in seconds. The parse is copied (Doc.from_docs) from a few parsed lines, so only
    Claimdesk's own steps are timed: several of them compared every quotation with every attribution
    or claim (74.9 s for this text; 1.7 s after)."""
    lines = [nlp(HEADER + "\n"), *(nlp(pair + "\n") for pair in PAIRS)]
    doc = Doc.from_docs([lines[0], *(lines[1 + n % len(PAIRS)] for n in range(9000))], ensure_whitespace=False)
    text = doc.text
    assert 190_000 < len(text) <= 200_000
    started = time.perf_counter()
    report = build_report(doc, text=text)
    elapsed = time.perf_counter() - started
    assert len(report.attributions) == 9001
    assert elapsed < 20, f"build_report took {elapsed:.1f} s"

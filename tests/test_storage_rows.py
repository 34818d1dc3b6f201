"""Pure helpers of storage.rows: normalisation, article keys, search queries, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.rows import article_key, fts_query, iso, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a\tb \n\n c  ", "a b c"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC
        ("one\u00a0two", "one two"),  # no-break space is whitespace
        ("", ""),
    ],
)
def test_rows_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_rows_article_key_ignores_whitespace_only() -> None:
    assert article_key("The  ferry\nsailed.") == article_key(" The ferry sailed. ")
    assert article_key("The ferry sailed.") != article_key("The ferry sailed!")
    assert len(article_key("x")) == 64


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("harbour bridge", '"harbour" "bridge"'),
        ('bridge" OR NOT (x', '"bridge" "OR" "NOT" "x"'),
        ("Zürich*", '"Zürich"'),
        ("  -- ;", None),
    ],
)
def test_rows_fts_query_quotes_every_word(words: str, expected: str | None) -> None:
    assert fts_query(words) == expected


def test_rows_iso_is_utc_and_refuses_naive_times() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=2)))
    assert iso(moment) == "2026-01-02T01:04:05+00:00"
    assert iso(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00+00:00"
    with pytest.raises(ValueError, match="naive"):
        iso(datetime(2026, 1, 2))

"""Source kinds against the hand-labelled Wikinews table (tests/data/source-kinds.jsonl, rules in source-kinds.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import get_args

from spacy.language import Language

from bot.extraction.sources import mention_kind
from bot.report import SourceKind

TABLE = Path(__file__).parent / "data" / "source-kinds.jsonl"
ROWS = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_extraction_sources_kinds_table_is_large_and_well_formed() -> None:
    assert len(ROWS) >= 150
    labelled = {row["kind"] for row in ROWS}
    assert labelled <= set(get_args(SourceKind)) - {"unknown"}
    assert labelled == {"person", "organization", "government", "military", "police", "media", "group", "anonymous"}
    for row in ROWS:
        assert row["context"][row["start"] : row["start"] + len(row["mention"])] == row["mention"], row
        assert row["url"].startswith("https://en.wikinews.org/wiki/")


def test_extraction_sources_kind_accuracy_on_the_table(nlp: Language) -> None:
    wrong: Counter[tuple[str, str]] = Counter()
    for row in ROWS:
        doc = nlp(row["context"])
        got = mention_kind(doc, (row["start"], row["start"] + len(row["mention"])))
        if got != row["kind"]:
            wrong[(row["kind"], got)] += 1
    accuracy = 1 - sum(wrong.values()) / len(ROWS)
    assert accuracy >= 0.90, f"kind accuracy {accuracy:.3f}; labelled -> given: {wrong.most_common()}"

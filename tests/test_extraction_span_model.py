"""The span model (spaCy's ner over sources, cues and contents): gold spans, features, tagging without
touching the doc's own entities, and training on a tiny invented corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Span
from test_extraction_model import INVENTED, said_doc

from bot.config import Settings
from bot.extraction.attribution import Found
from bot.extraction.checks import report_version
from bot.extraction.pipeline import build_report, rule_attributions
from bot.extraction.span_model import (
    FEATURES_KEY,
    SPAN_MODEL_PATH,
    SpanTagger,
    entity_tags,
    load_span_tagger,
    prepare,
    restore,
    span_features,
)
from bot.extraction.train import Frame
from bot.extraction.train_spans import gold_spans, span_examples, train_spans

O, B, I = "O", "B-CON", "I-CON"  # noqa: E741


@pytest.mark.parametrize(
    ("tags", "starts", "expected"),
    [
        # source, cue, content: one span each
        (["B-SRC", "B-CUE", B, I, O], [1, 0, 0, 0, 0], [(0, 1, "SRC"), (1, 2, "CUE"), (2, 4, "CON")]),
        # a content resumed after its speech tag continues it
        (
            [B, I, "B-SRC", "B-CUE", I, I],
            [1, 0, 0, 0, 0, 0],
            [(0, 2, "CON"), (2, 3, "SRC"), (3, 4, "CUE"), (4, 6, "CONT")],
        ),
        # a content over two sentences is cut at the sentence start (ner never crosses one)
        ([B, I, I, I], [1, 0, 1, 0], [(0, 2, "CON"), (2, 4, "CONT")]),
        # two contents side by side stay two
        ([B, I, B, I], [1, 0, 0, 0], [(0, 2, "CON"), (2, 4, "CON")]),
    ],
)
def test_span_model_gold_spans_cut_runs_at_gaps_and_sentences(
    tags: list[str], starts: list[int], expected: list[tuple[int, int, str]]
) -> None:
    assert gold_spans(tags, [bool(s) for s in starts]) == expected


def test_span_model_entity_tags_join_a_continuation_to_its_content() -> None:
    doc = said_doc()
    assert entity_tags(doc, [(0, 1, "SRC"), (1, 2, "CUE"), (2, 3, "CON"), (3, 4, "CONT")]) == [
        "B-SRC",
        "B-CUE",
        "B-CON",
        "I-CON",
        "O",
    ]


def test_span_model_features_carry_the_rules_and_quotations() -> None:
    doc = said_doc()
    plain = span_features(doc, [], [])
    (finds,) = [rule_attributions(doc, doc.text)[1]]
    quoted = span_features(doc, [(11, 22)], finds)
    assert plain.shape == (len(doc), 13) and plain.dtype == "uint64"
    assert (plain[:, :11] == quoted[:, :11]).all()  # the word, parse and cue columns do not depend on them
    assert plain[2, 12] != quoted[2, 12] and plain[1, 12] == quoted[1, 12]  # "taxes" is quoted, "said" not
    assert finds and plain[2, 11] != quoted[2, 11]  # the rules tag "taxes" as content


def test_span_model_prepare_and_restore_keep_the_docs_own_entities() -> None:
    doc = said_doc()
    doc.set_ents([Span(doc, 0, 1, label="PERSON")], default="outside")
    saved = prepare(doc, [], [])
    assert not doc.ents and doc[2].ent_iob_ == "" and FEATURES_KEY in doc.user_data
    restore(doc, saved)
    assert [(e.text, e.label_) for e in doc.ents] == [("Smith", "PERSON")] and doc[2].ent_iob_ == "O"
    assert FEATURES_KEY not in doc.user_data


def _frames(text: str, gold: tuple[str, str, str] | None) -> list[Frame]:
    if gold is None:
        return []
    (content, source, cue) = ((text.index(part), text.index(part) + len(part)) for part in gold)
    return [([content], [source], [cue])]


def test_span_model_trains_on_a_tiny_corpus_and_tags_a_sentence(nlp: Language, tmp_path: Path) -> None:
    texts = [text for text, _ in INVENTED] * 4
    frames = [_frames(text, gold) for text, gold in INVENTED * 4]
    path = train_spans(span_examples(nlp.pipe(texts), texts, frames), tmp_path / "tiny", epochs=12)
    again = train_spans(span_examples(nlp.pipe(texts), texts, frames), tmp_path / "again", epochs=12)
    weights = Path("ner") / "model"
    assert (path / weights).read_bytes() == (again / weights).read_bytes()  # the same seed, the same model
    text = "Ann Cole said the school was full."
    doc = nlp(text)
    entities = [(e.text, e.label_) for e in doc.ents]
    quotes, rules = rule_attributions(doc, text)
    found = SpanTagger(path).tag(doc, quotes, rules, text)
    assert [(text[f.content[0] : f.content[1]], text[f.source[0] : f.source[1]]) for f in found if f.source] == [
        ("the school was full", "Ann Cole")
    ]
    assert [(e.text, e.label_) for e in doc.ents] == entities  # the pipeline's own entities untouched


def test_span_model_setting_selects_the_span_tagger(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    text = INVENTED[0][0] + " " + " ".join(t for t, _ in INVENTED[1:]) * 3
    calls: list[str] = []

    class Fake:
        def tag(self, doc: object, quotes: object, rules: object, text: str) -> list[Found]:
            calls.append(text)
            return []

    monkeypatch.setattr("bot.extraction.pipeline.load_span_tagger", lambda: Fake())
    report = build_report(nlp(text), text=text, extractor="spans")
    assert calls == [text] and report.extractor_version == report_version("spans")
    assert Settings.from_env({"CLAIMDESK_EXTRACTOR": "spans"}).extractor == "spans"


def test_span_model_committed_model_is_packaged_small_and_loaded_once() -> None:
    files = [p for p in SPAN_MODEL_PATH.rglob("*") if p.is_file()]
    assert (SPAN_MODEL_PATH / "ner" / "model").exists()
    assert sum(p.stat().st_size for p in files) <= 25_000_000
    assert load_span_tagger() is load_span_tagger()

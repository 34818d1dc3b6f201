"""The trained attribution tagger: features on hand-built docs, decoding, training, the committed model,
and the setting that switches extractors."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from bot.config import Settings, SettingsError
from bot.extraction import model as model_module
from bot.extraction.attribution import Found
from bot.extraction.checks import report_version
from bot.extraction.model import (
    MODEL_PATH,
    AttributionTagger,
    clusters_path,
    combine,
    decode,
    load_tagger,
    sequence_tokens,
    span_tags,
    token_features,
)
from bot.extraction.pipeline import build_report, rule_attributions
from bot.extraction.text import paragraphs
from bot.extraction.train import fit, held_back

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rfa-kursk-north-korean-casualties-2024-12-20.txt"
VOCAB = spacy.blank("en").vocab


def said_doc() -> Doc:
    """Invented: ‘Smith said taxes rose .’ with its parse built by hand."""
    return Doc(
        VOCAB,
        words=["Smith", "said", "taxes", "rose", "."],
        spaces=[True, True, True, False, False],
        heads=[1, 1, 3, 1, 1],
        deps=["nsubj", "ROOT", "nsubj", "ccomp", "punct"],
        pos=["PROPN", "VERB", "NOUN", "VERB", "PUNCT"],
        lemmas=["Smith", "say", "tax", "rise", "."],
    )


@pytest.mark.parametrize(
    ("index", "expected", "absent"),
    [
        (1, {"cuepath=self", "cue=speech", "cuechild=nsubj", "cuechild=ccomp", "depth=0"}, set()),
        (
            0,
            {"sent_start", "cuepath=nsubj", "cuedist=1", "hlemma=say", "hcue=speech", "ledge=nsubj", "redge=nsubj"},
            {"cue=speech"},
        ),
        (2, {"cuepath=ccomp", "cuedist=2", "depth=2", "ledge=ccomp", "quoted=False"}, {"redge=ccomp"}),
        (3, {"cuepath=ccomp", "redge=ccomp", "dep|hpos=ccomp|VERB", "-1p=NOUN", "2p=<edge>"}, {"ledge=ccomp"}),
    ],
)
def test_model_features_follow_the_cue_and_its_children(index: int, expected: set[str], absent: set[str]) -> None:
    doc = said_doc()
    features = token_features(doc, [], ["O"] * len(doc))
    assert len(features) == len(doc)
    assert expected <= set(features[index])
    assert not absent & set(features[index])


def test_model_features_carry_the_token_and_head_clusters() -> None:
    doc = said_doc()
    clusters = [[5, 7, 5, 7, 9], [1, 2, 3, 4, 0]]  # two clusterings, a cluster per token
    features = token_features(doc, [], ["O"] * len(doc), clusters)
    assert {"k0=5", "k0h=7", "k1=3", "k1h=4"} <= set(features[2])  # "taxes", whose head is "rose"
    assert {"k0=7", "k0h=7", "k1=2", "k1h=2"} <= set(features[1])  # "said", the root
    assert not any(f.startswith("k0") for f in token_features(doc, [], ["O"] * len(doc))[2])


def test_model_features_mark_quotations_and_rule_tags() -> None:
    doc = said_doc()
    rules = ["B-SRC", "B-CUE", "B-CON", "I-CON", "O"]
    features = token_features(doc, [(11, 22)], rules)  # the characters of "taxes rose"
    assert "quoted=True" in features[2] and "quoted=False" in features[1]
    assert "rule=B-CON" in features[2] and "-1r=B-CUE" in features[2] and "rule=B-SRC" in features[0]


def test_model_span_tags_and_decode_round_trip() -> None:
    doc = said_doc()
    tags = span_tags(doc, [([(11, 21)], [(0, 5)], [(6, 10)])])
    assert tags == ["B-SRC", "B-CUE", "B-CON", "I-CON", "O"]
    (found,) = decode(doc, tags, doc.text)
    assert (found.content, found.cue, found.source, found.source_token) == ((11, 21), (6, 10), (0, 5), 0)
    assert (found.cue_lemma, found.kind, found.direct, found.fragments) == ("say", "paraphrase", False, ())


def test_model_decode_leaves_the_complementizer_out_of_a_content() -> None:
    """Invented: ‘Smith said that taxes rose .’; tagged with ‘that’ inside the content, as PolNeAR marks it."""
    doc = Doc(
        VOCAB,
        words=["Smith", "said", "that", "taxes", "rose", "."],
        spaces=[True, True, True, True, False, False],
        heads=[1, 1, 4, 4, 1, 1],
        deps=["nsubj", "ROOT", "mark", "nsubj", "ccomp", "punct"],
        pos=["PROPN", "VERB", "SCONJ", "NOUN", "VERB", "PUNCT"],
        lemmas=["Smith", "say", "that", "tax", "rise", "."],
    )
    (found,) = decode(doc, ["B-SRC", "B-CUE", "B-CON", "I-CON", "I-CON", "O"], doc.text)
    assert doc.text[found.content[0] : found.content[1]] == "taxes rose"
    assert found.source == (0, 5)


def test_model_decode_takes_the_noun_of_a_misparsed_source_as_its_head() -> None:
    """Invented: ‘The Lopez campaign projects that taxes rise .’, parsed (as the small pipeline does)
    with ‘projects’ a noun and all three words of the source hung on it: the head is ‘campaign’."""
    doc = Doc(
        VOCAB,
        words=["The", "Lopez", "campaign", "projects", "that", "taxes", "rise", "."],
        spaces=[True, True, True, True, True, True, False, False],
        heads=[3, 3, 3, 3, 6, 6, 3, 3],
        deps=["det", "compound", "compound", "ROOT", "mark", "nsubj", "acl", "punct"],
        pos=["DET", "PROPN", "NOUN", "NOUN", "SCONJ", "NOUN", "VERB", "PUNCT"],
        lemmas=["the", "Lopez", "campaign", "project", "that", "tax", "rise", "."],
    )
    (found,) = decode(doc, ["B-SRC", "I-SRC", "I-SRC", "B-CUE", "O", "B-CON", "I-CON", "O"], doc.text)
    assert found.source_token == 2
    assert doc.text[found.source[0] : found.source[1]] == "The Lopez campaign"  # type: ignore[index]


def test_model_decode_joins_a_quotation_split_by_its_speech_tag() -> None:
    words = ["“", "Taxes", "rose", ",", "”", "he", "said", ",", "“", "again", ".", "”"]
    doc = Doc(
        VOCAB,
        words=words,
        heads=[2, 2, 6, 2, 2, 6, 6, 6, 9, 6, 9, 9],
        deps=[
            "punct",
            "nsubj",
            "ccomp",
            "punct",
            "punct",
            "nsubj",
            "ROOT",
            "punct",
            "punct",
            "advmod",
            "punct",
            "punct",
        ],
    )
    tags = ["B-CON", "I-CON", "I-CON", "I-CON", "I-CON", "B-SRC", "B-CUE", "O", "I-CON", "I-CON", "I-CON", "I-CON"]
    (found,) = decode(doc, tags, doc.text)
    assert len(found.fragments) == 2 and found.direct and found.kind == "quote"
    assert doc.text[found.source[0] : found.source[1]] == "he"  # type: ignore[index]


def _found(content: tuple[int, int], source: tuple[int, int] | None = None, *, direct: bool = False) -> Found:
    cue = (source[1] + 1, source[1] + 5) if source else None
    return Found(content, cue, "say" if cue else None, None, source, direct, "quote" if direct else "paraphrase")


@pytest.mark.parametrize(
    ("rules", "model", "expected"),
    [
        # the model's boundaries, the rule's cue and source
        ([_found((20, 60), (0, 5))], [_found((20, 45), (8, 12))], [_found((20, 45), (0, 5))]),
        # a rule's direct quotation is kept whole
        ([_found((20, 60), (0, 5), direct=True)], [_found((25, 40))], [_found((20, 60), (0, 5), direct=True)]),
        # each side's findings where the other found nothing
        ([_found((100, 140), (80, 85))], [_found((20, 45))], [_found((20, 45)), _found((100, 140), (80, 85))]),
        # a rule attribution nesting the one a model content went to stays ("confirmed that X, after
        # media reports that Y")
        (
            [_found((20, 60), (0, 5)), _found((40, 60), (30, 34))],
            [_found((40, 60))],
            [_found((20, 60), (0, 5)), _found((40, 60), (30, 34))],
        ),
        # one rule gives its speaker to one model content; a second overlapping one stands on its own
        (
            [_found((20, 60), (0, 5))],
            [_found((20, 35)), _found((40, 60), (8, 12))],
            [_found((20, 35), (0, 5)), _found((40, 60), (8, 12))],
        ),
    ],
)
def test_model_combine_takes_model_contents_with_rule_speakers(
    rules: list[Found], model: list[Found], expected: list[Found]
) -> None:
    assert combine(rules, model) == expected


def test_model_held_back_split_is_fixed() -> None:
    flags = [held_back(f"article-{n}") for n in range(3000)]
    assert flags == [held_back(f"article-{n}") for n in range(3000)]
    assert 0.10 < sum(flags) / len(flags) < 0.17  # 2 in 15


INVENTED = [
    ("Mary Lane said the bridge was unsafe.", ("the bridge was unsafe", "Mary Lane", "said")),
    ("Tom Hart said the plan would fail.", ("the plan would fail", "Tom Hart", "said")),
    ("The mayor said taxes will rise next year.", ("taxes will rise next year", "The mayor", "said")),
    ("Officials said the road is closed.", ("the road is closed", "Officials", "said")),
    ("The river rose overnight after the storm.", None),
    ("Schools opened again on Monday morning.", None),
]


def test_model_trains_on_a_tiny_corpus_and_tags_a_sentence(nlp: Language, tmp_path: Path) -> None:
    texts = [text for text, _ in INVENTED] * 3
    frames: list[list[tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]]] = []
    for text, gold in INVENTED * 3:
        if gold is None:
            frames.append([])
            continue
        content, source, cue = (text.index(part) for part in gold)
        frames.append([([(content, content + len(gold[0]))], [(source, source + len(gold[1]))], [(cue, cue + 3)])])
    docs = list(nlp.pipe(texts))
    path = fit(docs, texts, frames, tmp_path / "tiny.crfsuite", {"max_iterations": 30})
    again = fit(docs, texts, frames, tmp_path / "again.crfsuite", {"max_iterations": 30})
    # reproducible: the same data give the same model and the same word clusters
    assert path.read_bytes() == again.read_bytes()
    assert clusters_path(path).read_bytes() == clusters_path(again).read_bytes()
    text = "Ann Cole said the school was full."
    doc = nlp(text)
    quotes, rules = rule_attributions(doc, text)
    found = AttributionTagger(path).tag(doc, quotes, rules, text)
    assert [(text[f.content[0] : f.content[1]], text[f.source[0] : f.source[1]]) for f in found if f.source] == [
        ("the school was full", "Ann Cole")
    ]


def test_model_committed_model_is_packaged_and_small() -> None:
    assert MODEL_PATH.exists() and clusters_path(MODEL_PATH).exists()
    assert MODEL_PATH.stat().st_size + clusters_path(MODEL_PATH).stat().st_size <= 25_000_000


@pytest.mark.parametrize("extractor", ["model", "spans"])  # the CRF, and the span model (span_model.py)
@pytest.mark.parametrize(
    ("source", "content_word"),
    [("Zelenskiy", "Kursk"), ("Ryder", "North Korean"), ("Kovalenko", "")],
)
def test_model_committed_model_finds_the_seeds_main_attributions(
    nlp: Language, source: str, content_word: str, extractor: str
) -> None:
    text = SEED.read_text("utf-8")
    report = build_report(nlp(text), text=text, extractor=extractor)
    names = {s.id: {s.name, *s.aliases} for s in report.sources}
    contents = [a.content for a in report.attributions if a.source_id and any(source in n for n in names[a.source_id])]
    assert contents and any(content_word in c for c in contents)


def test_model_setting_switches_extractors(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SEED.read_text("utf-8")
    doc = nlp(text)
    taken = [f.content for f in rule_attributions(doc, text)[1]]
    # a body sentence no rule attributes (boilerplate lines are skipped for the model's finds too)
    body = [p.span for p in paragraphs(text) if not p.boilerplate]
    sentence = next(
        s
        for s in doc.sents
        if len(s) > 8
        and any(b <= s.start_char < e for b, e in body)
        and not any(a < s.end_char and s.start_char < b for a, b in taken)
    )
    span = (sentence.start_char, sentence.end_char)
    marker = Found(span, None, None, None, None, False, "paraphrase")

    class Fake:
        def tag(self, *args: object) -> list[Found]:
            return [marker]

    monkeypatch.setattr("bot.extraction.pipeline.load_tagger", lambda: Fake())
    rules = build_report(doc, text=text, extractor="rules")
    model = build_report(doc, text=text, extractor="model")
    assert span in {a.content_span for a in model.attributions}
    assert span not in {a.content_span for a in rules.attributions}
    assert [a.content_span for a in rules.attributions] == [f.content for f in rule_attributions(doc, text)[1]]
    assert (rules.extractor_version, model.extractor_version) == (report_version("rules"), report_version("model"))


@pytest.mark.parametrize(("raw", "expected"), [(None, "model"), ("rules", "rules"), (" Model ", "model")])
def test_model_setting_is_read_from_the_environment(raw: str | None, expected: str) -> None:
    environ = {} if raw is None else {"CLAIMDESK_EXTRACTOR": raw}
    assert Settings.from_env(environ).extractor == expected


def test_model_setting_rejects_an_unknown_extractor() -> None:
    with pytest.raises(SettingsError, match="CLAIMDESK_EXTRACTOR"):
        Settings.from_env({"CLAIMDESK_EXTRACTOR": "bert"})


def test_model_tagger_is_loaded_once_per_process() -> None:
    assert load_tagger() is load_tagger()
    assert isinstance(model_module.load_tagger(), AttributionTagger)
    assert sequence_tokens(said_doc()) == [0, 1, 2, 3, 4]

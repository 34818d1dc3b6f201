"""A second learner for attributions: spaCy's transition-based ``ner`` over source, cue and content spans.

PolNeAR labels each token once (source, cue, content or none), so an article's attributions are
non-overlapping spans, which is what spaCy's entity recogniser predicts; unlike the CRF over hand-made
features (:mod:`bot.extraction.model`) it reads each token through a learned convolutional encoder
(hash embeddings of the word, its affixes and shape, the parse, the cue lexicon and the rules' tags;
a window of neighbours per layer), so its content boundaries see several tokens either side.

The component is its own small pipeline (``models/spans/``), run on the runtime pipeline's parsed doc:
its features are computed from the doc first (:func:`span_features`, stored in ``Doc.user_data`` for
the embedding layer), the doc's own named entities are set aside and restored after it ran (spaCy's
``ner`` keeps preset entities, so they would fix its answer), and its spans are decoded into
attributions by the CRF's decoder (:func:`bot.extraction.model.decode`: content, then cue by the parse,
then source).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy
import spacy
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.language import Language
from spacy.strings import hash_string  # type: ignore[attr-defined]  # compiled, missing from the stub
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array

from bot.extraction.attribution import Found
from bot.extraction.model import QUOTE_CHARS, cue_class, cue_paths, decode, inside_quotes, rule_tags, sequence_tokens

Span = tuple[int, int]

#: The committed span model, rebuilt by ``python -m bot.extraction.train_spans``.
SPAN_MODEL_PATH = Path(__file__).with_name("models") / "spans"
#: The training configuration (architecture and sizes); the trained pipeline keeps a copy.
CONFIG_PATH = Path(__file__).with_name("models") / "spans.cfg"
#: Source, cue, content, and a content's later piece (a quotation resumed after its speech tag, or its
#: part in a later sentence: spaCy's ``ner`` never lets an entity cross a sentence boundary).
LABELS = ("SRC", "CUE", "CON", "CONT")
#: Where :func:`span_features` leaves its array for the embedding layer.
FEATURES_KEY = "claimdesk.span_features"
_QUOTE_KEYS = frozenset(hash_string(c) for c in QUOTE_CHARS)
#: The token attributes read from the doc (hashes already): those before ``HEAD`` are feature columns as
#: they are, ``HEAD`` and ``ORTH`` feed the derived columns.
_DOC_ATTRS: list[int | str] = [
    "NORM", "SUFFIX", "SHAPE", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE", "HEAD", "ORTH"
]  # fmt: skip


def span_features(doc: Doc, quotes: Sequence[Span], rules: Sequence[Found]) -> numpy.ndarray[Any, Any]:
    """One row of 13 hashed features per token of ``doc`` (whitespace included): the norm, suffix,
    shape, lemma, part of speech, fine tag, dependency and entity type; the head's lemma with
    the token's dependency; the cue-lexicon class of the token and its head; the dependency below the
    nearest cue ancestor and how far up it is; the rules' tag; inside a quotation, and a quote mark.

    Why these: the word and its affixes carry cue words outside every lexicon; the parse and the cue
    paths say what a cue governs (content through ``ccomp``, source through ``nsubj``); the rules' tags
    let the model learn where the rules are right and where to reach further (stacking, as the CRF).
    """
    n = len(doc)
    array = doc.to_array(_DOC_ATTRS).reshape(n, len(_DOC_ATTRS)).astype("uint64")
    strings = doc.vocab.strings
    column = {name: array[:, k] for k, name in enumerate(_DOC_ATTRS)}
    lemmas = [strings[key].lower() if key else "" for key in column["LEMMA"].tolist()]
    deps = [strings[key] if key else "" for key in column["DEP"].tolist()]
    heads = [i + offset for i, offset in enumerate(column["HEAD"].view("int64").tolist())]
    quote_chars = [key in _QUOTE_KEYS for key in column["ORTH"].tolist()]
    classes = [cue_class(lemma) for lemma in lemmas]
    paths = cue_paths(heads, deps, classes)
    tags = rule_tags(doc, rules)
    inside = inside_quotes(doc, quotes)
    derived = [
        [
            f"{lemmas[heads[i]]}|{deps[i]}",
            f"{classes[i]}|{classes[heads[i]]}",
            f"{paths[i][1]}|{min(paths[i][2], 4)}",
            tags[i],
            f"{inside[i]}|{quote_chars[i]}",
        ]
        for i in range(n)
    ]
    hashed = numpy.array([[hash_string(value) for value in row] for row in derived], dtype="uint64").reshape(n, 5)
    return numpy.concatenate([array[:, : _DOC_ATTRS.index("HEAD")], hashed], axis=1)


def _extract(model: Model[list[Doc], list[Any]], docs: list[Doc], is_train: bool) -> tuple[list[Any], Any]:
    features = [model.ops.asarray2i(doc.user_data[FEATURES_KEY], dtype="uint64") for doc in docs]
    return features, lambda d_features: []


def span_embed(width: int, rows: list[int]) -> Model[list[Doc], list[Any]]:
    """spaCy's ``MultiHashEmbed`` over the columns of :func:`span_features` instead of doc attributes."""
    embeddings: list[Model[Any, Any]] = [
        HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0) for i, n_rows in enumerate(rows)
    ]
    return cast(
        Model[list[Doc], list[Any]],
        chain(
            Model("claimdesk_span_features", _extract),
            list2ragged(),
            with_array(concatenate(*embeddings)),
            with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
            ragged2list(),
        ),
    )


registry.architectures.register("claimdesk.SpanEmbed.v1", func=span_embed)


def prepare(doc: Doc, quotes: Sequence[Span], rules: Sequence[Found]) -> numpy.ndarray[Any, Any]:
    """Ready ``doc`` for the component: its features stored, its entities cleared; returns the entities
    to restore (:func:`restore`)."""
    doc.user_data[FEATURES_KEY] = span_features(doc, quotes, rules)
    saved = doc.to_array([ENT_IOB, ENT_TYPE])
    doc.set_ents([], default="missing")
    return saved


def restore(doc: Doc, saved: numpy.ndarray[Any, Any]) -> None:
    """The doc's own entities back, and the features gone."""
    doc.from_array([ENT_IOB, ENT_TYPE], saved)  # type: ignore[arg-type]
    doc.user_data.pop(FEATURES_KEY, None)


def entity_tags(doc: Doc, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """The tags of :func:`bot.extraction.model.sequence_tokens` for the component's (start, end, label)
    token spans: ``B-`` then ``I-`` of the label, a ``CONT`` span all ``I-CON`` (it continues the content
    before it)."""
    tags = ["O"] * len(doc)
    for start, end, label in spans:
        for i in range(start, end):
            if label == "CONT":
                tags[i] = "I-CON"
            else:
                tags[i] = ("B-" if i == start else "I-") + label
    return [tags[i] for i in sequence_tokens(doc)]


class SpanTagger:
    """The trained span component, loaded once per process."""

    def __init__(self, path: Path) -> None:
        self._nlp: Language = spacy.load(path)
        self._ner = self._nlp.get_pipe("ner")

    def tag(self, doc: Doc, quotes: Sequence[Span], rules: Sequence[Found], text: str) -> list[Found]:
        """The component's attributions in ``doc`` (its own entities left as they were)."""
        if not len(doc):
            return []
        for label in LABELS:
            doc.vocab.strings.add(label)
        saved = prepare(doc, quotes, rules)
        try:
            self._ner(doc)
            spans = [(e.start, e.end, e.label_) for e in doc.ents]
        finally:
            restore(doc, saved)
        return decode(doc, entity_tags(doc, spans), text)


@lru_cache(maxsize=4)
def load_span_tagger(path: Path = SPAN_MODEL_PATH) -> SpanTagger:
    """The span tagger at ``path`` (by default the committed model), loaded once per process."""
    return SpanTagger(path)

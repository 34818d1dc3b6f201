"""A trained attribution tagger beside the rules: features, tagging and decoding.

One linear-chain CRF (python-crfsuite) reads an article as one sequence of tokens and gives each token
one of seven tags: ``B-``/``I-`` of ``SRC`` (source), ``CUE`` and ``CON`` (content), or ``O``. PolNeAR
annotates one label per token, so an article is directly such a sequence (see
:mod:`bot.extraction.train`). The tags are decoded into :class:`~bot.extraction.attribution.Found`
records: a content is a ``B-CON`` and every later ``I-CON`` until the next ``B-CON`` (a quotation split by
its speech tag is one content in fragments), its cue the nearest cue span linked to it by the parse or by
distance, its source the source span nearest that cue. The rules' own findings are features, so the
model learns where to trust them and where to reach further (stacking).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy
import pycrfsuite
from spacy.attrs import HEAD, IDX, IS_SPACE, SENT_START
from spacy.tokens import Doc, Token

from bot.extraction.attribution import Found
from bot.extraction.clusters import WordClusters
from bot.extraction.lexicon import (
    COGNITION_VERBS,
    EVIDENCE_VERBS,
    INTENT_VERBS,
    NOUN_OBJECT_CUES,
    PREPOSITION_CUES,
    RAISING_VERBS,
    REPORTING_NOUNS,
    SPEECH_VERBS,
    STANCE_VERBS,
    TOPIC_VERBS,
)
from bot.extraction.spans import SpanIndex, overlap

Span = tuple[int, int]

#: The committed model, rebuilt by ``make train`` (``python -m bot.extraction.train``).
MODEL_PATH = Path(__file__).with_name("models") / "attribution.crfsuite"
LABELS = ("SRC", "CUE", "CON")
QUOTE_CHARS = frozenset('"“”«»„')
#: Cue classes a token's lemma can belong to (one feature value per class).
_CUE_CLASSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("speech", SPEECH_VERBS),
    ("cognition", COGNITION_VERBS),
    ("evidence", EVIDENCE_VERBS),
    ("intent", INTENT_VERBS),
    ("object", NOUN_OBJECT_CUES),
    ("noun", REPORTING_NOUNS),
    ("prep", frozenset(PREPOSITION_CUES) | {"according", "accord"}),
    ("stance", STANCE_VERBS),
    ("topic", TOPIC_VERBS),
    ("raising", RAISING_VERBS),
)
_MAX_DEPTH = 8
_VERBAL = frozenset({"VERB", "AUX"})
_FUNCTION_POS = frozenset({"DET", "ADP", "PUNCT", "CCONJ", "SPACE", "PART"})  # never the head of a speaker phrase
#: The dependencies by which a verb outside the cue lexicon governs what may be its content.
_CLAUSE_CHILDREN = frozenset({"ccomp", "xcomp", "dobj", "prep", "attr", "advcl"})
_LINK_WINDOW = 40  # tokens: a content's cue and a cue's source are looked for this near
#: The mean probability of its tags below which a content the model proposes is dropped. On the inner
#: validation articles content F1 was flat from 0.5 to 0.7 (0.690 to 0.694) and fell at 0.8; 0.5 gives the
#: highest recall (the target furthest off) and the most gold speakers found, precision staying above 0.70.
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=65536)
def cue_class(lemma: str) -> str:
    """The first cue class of :data:`_CUE_CLASSES` that ``lemma`` belongs to, or ``""``."""
    return next((name for name, words in _CUE_CLASSES if lemma in words), "")


def clusters_path(model: Path) -> Path:
    """Where the word clusters trained with the CRF at ``model`` are kept: beside it, ``NAME.clusters.json``
    (:mod:`bot.extraction.clusters`)."""
    return model.with_suffix(".clusters.json")


def sequence_tokens(doc: Doc) -> list[int]:
    """Indices of the tokens the model tags: every token but whitespace."""
    return numpy.flatnonzero(doc.to_array(IS_SPACE) == 0).tolist()


def _sentence_ids(doc: Doc) -> list[int]:
    """The number of each token's sentence."""
    return numpy.cumsum(doc.to_array(SENT_START).view("int64") == 1).tolist()  # type: ignore[no-any-return]


def rule_tags(doc: Doc, finds: Sequence[Found]) -> list[str]:
    """One tag per token of ``doc`` from the rules' findings (``B-CON``, ``I-SRC``, ... or ``O``)."""
    return span_tags(
        doc, [(f.fragments or (f.content,), (f.source,) if f.source else (), (f.cue,) if f.cue else ()) for f in finds]
    )


def span_tags(doc: Doc, frames: Iterable[tuple[Sequence[Span], Sequence[Span], Sequence[Span]]]) -> list[str]:
    """Tags per token for attributions given as (content, source, cue) character fragments.

    The first token of a content, source or cue is ``B-``, every later one ``I-`` (a content's later
    fragments too); a token claimed twice keeps the last claim.
    """
    tags = ["O"] * len(doc)
    starts = doc.to_array(IDX).tolist()
    space = doc.to_array(IS_SPACE).tolist()
    for content, source, cue in frames:
        for label, fragments in (("CON", content), ("SRC", source), ("CUE", cue)):
            first = True
            for start, end in sorted(fragments):
                for i in _token_range(doc, starts, start, end):
                    if space[i]:
                        continue
                    tags[i] = ("B-" if first else "I-") + label
                    first = False
    return tags


def _token_range(doc: Doc, starts: list[int], start: int, end: int) -> range:
    """Indices of the tokens that overlap the characters [start, end)."""
    first = max(0, bisect_right(starts, start) - 1)
    if first < len(doc) and doc[first].idx + len(doc[first].text) <= start:
        first += 1
    return range(first, bisect_left(starts, end))


def token_features(
    doc: Doc, quotes: Sequence[Span], rules: Sequence[str], clusters: Sequence[Sequence[int]] = ()
) -> list[list[str]]:
    """Features of each token of :func:`sequence_tokens`, as ``name=value`` strings.

    ``quotes`` are the character spans of direct quotations, ``rules`` the rules' tag per token of the
    whole doc (:func:`rule_tags`), ``clusters`` each clustering's cluster per token of the whole doc
    (:meth:`bot.extraction.clusters.WordClusters.assign`; no cluster features without them). Per token:
    its form (lower case, shape), lemma, part of speech, dependency, head lemma and dependency, depth in
    the tree, cue-lexicon class of itself and its head, the dependency path to the nearest ancestor that
    is a cue, the clausal children of a verb, whether it opens or closes a subtree of a cue's child,
    whether it is inside a quotation, its place in the sentence and paragraph, and the rules' tag; with
    the part of speech, rule tag and quotation flag of its neighbours; its and its head's word cluster in
    each clustering.

    Why the arrays: reading the attributes from ``Doc.to_array`` instead of through ``Token`` objects
    keeps the tagger a small fraction of parsing time.
    """
    n_doc = len(doc)
    array = doc.to_array(_ATTRS).reshape(n_doc, len(_ATTRS))
    signed = array.view("int64")  # HEAD and SENT_START are signed offsets and flags

    def strings(k: int) -> list[str]:
        return [_string(doc, key) for key in array[:, k].tolist()]

    lower, shape, lemmas, pos, tag, dep, ent = (strings(k) for k in range(7))
    lemmas = [lemma.lower() for lemma in lemmas]
    heads = [i + offset for i, offset in enumerate(signed[:, 7].tolist())]
    space, sent = (signed[:, k].tolist() for k in (8, 9))
    classes = [cue_class(lemma) for lemma in lemmas]
    inside = inside_quotes(doc, quotes)
    paths = cue_paths(heads, dep, classes)
    edges = _cue_child_edges(doc, classes)
    sentences = _sentence_flags(sent, classes, rules)
    order = [i for i in range(n_doc) if not space[i]]
    own: list[list[str]] = []
    paragraph_start = True
    for i in order:
        h = heads[i]
        depth, path, distance = paths[i]
        word, rule = lower[i], rules[i]
        feats = [
            "bias",
            f"w={word}",
            f"shape={shape[i]}",
            f"lemma={lemmas[i]}",
            f"pos={pos[i]}",
            f"tag={tag[i]}",
            f"dep={dep[i]}",
            f"hlemma={lemmas[h]}",
            f"hdep={dep[h]}",
            f"hpos={pos[h]}",
            f"dep|hpos={dep[i]}|{pos[h]}",
            f"hside={'left' if h > i else 'right' if h < i else 'root'}",
            f"depth={min(depth, _MAX_DEPTH)}",
            f"cue={classes[i]}",
            f"hcue={classes[h]}",
            f"cuepath={path}",
            f"cuedist={min(distance, 4)}",
            f"quoted={inside[i]}",
            f"rule={rule}",
            f"rule|pos={rule}|{pos[i]}",
            f"ent={ent[i]}",
            f"hlemma|dep={lemmas[h]}|{dep[i]}",
            f"glemma|hdep={lemmas[heads[h]]}|{dep[h]}",
            f"sentence={sentences[i]}",
        ]
        if sent[i] == 1 or i == 0:
            feats.append("sent_start")
        if i + 1 == n_doc or sent[i + 1] == 1:
            feats.append("sent_end")
        if paragraph_start:
            feats.append("para_start")
        if word in QUOTE_CHARS:
            feats.append("quote_char")
        if classes[i]:
            feats.extend(f"cuechild={dep[c.i]}" for c in doc[i].children)
        elif pos[i] in _VERBAL:
            feats.extend(f"vchild={dep[c.i]}" for c in doc[i].children if dep[c.i] in _CLAUSE_CHILDREN)
        feats.extend(edges.get(i, ()))
        for n, cluster in enumerate(clusters):
            feats.extend((f"k{n}={cluster[i]}", f"k{n}h={cluster[h]}"))
        own.append(feats)
        paragraph_start = i + 1 < n_doc and bool(space[i + 1]) and "\n" in doc[i + 1].text
    last = len(order) - 1
    # Why no neighbour forms, bigrams or suffixes: they are the sparse features a CRF trained on 790
    # articles learns by heart; without them and with stronger regularisation the model generalised
    # better on the inner validation articles (docs/model.md).
    around = {
        offset: [[f"{offset}p={pos[i]}", f"{offset}r={rules[i]}", f"{offset}q={inside[i]}"] for i in order]
        for offset in (-2, -1, 1, 2)
    }
    for n, feats in enumerate(own):
        for offset, values in around.items():
            m = n + offset
            if 0 <= m <= last:
                feats.extend(values[m])
            else:
                feats.append(f"{offset}p=<edge>")
    return own


#: The token attributes the features read: seven strings, then the head offset and two flags.
_ATTRS: list[int | str] = ["LOWER", "SHAPE", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE", "HEAD", "IS_SPACE", "SENT_START"]


def _string(doc: Doc, key: int) -> str:
    return _STRINGS.get(key) or _STRINGS.setdefault(key, doc.vocab.strings[key] if key else "")


_STRINGS: dict[int, str] = {}


def _sentence_flags(sent_starts: Sequence[int], classes: Sequence[str], rules: Sequence[str]) -> list[str]:
    """Per token: whether its sentence has a cue-lexicon word, and whether the rules found content in it.

    Why: content is reported by a cue in or next to its sentence; a sentence with neither a cue nor a
    rule finding is rarely annotated.
    """
    bounds = [i for i, start in enumerate(sent_starts) if start == 1 or i == 0] + [len(sent_starts)]
    flags: list[str] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        cue = any(classes[start:end])
        ruled = any(rule != "O" for rule in rules[start:end])
        flags.extend([f"{'cue' if cue else 'nocue'}|{'rule' if ruled else 'norule'}"] * (end - start))
    return flags


def cue_paths(heads: Sequence[int], deps: Sequence[str], classes: Sequence[str]) -> list[tuple[int, str, int]]:
    """Per token: its depth, the dependency below its nearest cue ancestor, and how many steps up it is.

    Why: what a cue verb governs through ``ccomp`` is its content, through ``nsubj`` its source
    (PARC 3.0's attribution relation over the parse); the path names which.
    """
    result: list[tuple[int, str, int] | None] = [None] * len(heads)

    def walk(i: int) -> None:
        chain: list[int] = []
        while result[i] is None and heads[i] != i and len(chain) <= len(heads):
            chain.append(i)
            i = heads[i]
        known = result[i] if result[i] is not None else (0, "none", 0)
        if result[i] is None:
            result[i] = known
        for j in reversed(chain):
            depth, path, distance = result[heads[j]]  # type: ignore[misc]
            if classes[heads[j]]:
                result[j] = (depth + 1, deps[j], 1)
            elif distance:
                result[j] = (depth + 1, path, distance + 1)
            else:
                result[j] = (depth + 1, "none", 0)

    for i in range(len(heads)):
        if result[i] is None:
            walk(i)
    return [(d, "self" if classes[i] else p, n) for i, (d, p, n) in enumerate(r for r in result if r is not None)]


def _cue_child_edges(doc: Doc, classes: Sequence[str]) -> dict[int, list[str]]:
    """For each token that opens or closes the subtree of a cue's child: ``ledge=DEP`` or ``redge=DEP``.

    Why: Citron's content and source CRFs key their span boundaries on the left and right edges of
    the cue's children.
    """
    edges: dict[int, list[str]] = {}
    for i, name in enumerate(classes):
        if not name:
            continue
        for child in doc[i].children:
            edges.setdefault(child.left_edge.i, []).append(f"ledge={child.dep_}")
            edges.setdefault(child.right_edge.i, []).append(f"redge={child.dep_}")
    return edges


def inside_quotes(doc: Doc, quotes: Sequence[Span]) -> list[bool]:
    inside = [False] * len(doc)
    spans = sorted(quotes)
    k = 0
    for i, idx in enumerate(doc.to_array(IDX).tolist()):
        while k < len(spans) and spans[k][1] <= idx:
            k += 1
        inside[i] = k < len(spans) and spans[k][0] <= idx
    return inside


# --- decoding -----------------------------------------------------------------------------------


@dataclass
class _Piece:
    label: str
    tokens: list[int]


@dataclass
class _Content:
    fragments: list[list[int]]

    @property
    def tokens(self) -> list[int]:
        return [i for f in self.fragments for i in f]


def decode(
    doc: Doc, tags: Sequence[str], text: str, confidence: Sequence[float] | None = None, threshold: float = 0.0
) -> list[Found]:
    """Attributions from the tags of :func:`sequence_tokens` (one tag each).

    ``confidence`` is the model's probability of each tag; a content whose mean falls below ``threshold``
    is dropped.
    """
    order = sequence_tokens(doc)
    tree = _Tree(
        heads=[i + offset for i, offset in enumerate(doc.to_array(HEAD).view("int64").tolist())],
        sentence=_sentence_ids(doc),
    )
    contents: list[_Content] = []
    scores: list[list[float]] = []
    pieces: list[_Piece] = []
    previous = "O"
    for n, (i, tag) in enumerate(zip(order, tags, strict=True)):
        if tag == "O":
            previous = tag
            continue
        prefix, label = tag[0], tag[2:]
        continues = previous[2:] == label
        if label == "CON":
            if prefix == "B" or not contents:
                contents.append(_Content([[i]]))
                scores.append([])
            elif continues:
                contents[-1].fragments[-1].append(i)
            else:
                contents[-1].fragments.append([i])
            scores[-1].append(confidence[n] if confidence is not None else 1.0)
        elif continues and prefix == "I":
            pieces[-1].tokens.append(i)
        else:
            pieces.append(_Piece(label, [i]))
        previous = tag
    cues = [p for p in pieces if p.label == "CUE"]
    sources = [p for p in pieces if p.label == "SRC"]
    found = []
    for content, score in zip(contents, scores, strict=True):
        if sum(score) / len(score) < threshold:
            continue
        record = _record(doc, text, tree, content, cues, sources)
        if record is not None:
            found.append(record)
    return found


@dataclass(frozen=True, slots=True)
class _Tree:
    heads: list[int]  # each token's head index
    sentence: list[int]  # each token's sentence number


def _record(
    doc: Doc, text: str, tree: _Tree, content: _Content, cues: list[_Piece], sources: list[_Piece]
) -> Found | None:
    first = doc[content.fragments[0][0]]
    if first.lower_ == "that" and first.dep_ == "mark":
        # Why: the rules leave the complementizer out of a content ("said that X" reports X), and so
        # does the report; PolNeAR keeps it, which costs exact matches only.
        content = _Content([f for f in (content.fragments[0][1:], *content.fragments[1:]) if f])
        if not content.fragments:
            return None
    fragments = [span for span in (_char_span(doc, f) for f in content.fragments) if span is not None]
    if not fragments or not any(_has_word(text, f) for f in fragments):
        return None
    cue = _nearest(tree, content.tokens, cues, _content_link)
    source = None
    if cue is not None:
        source = _nearest(tree, cue.tokens, sources, _source_link)
    elif sources:
        source = _nearest(tree, content.tokens, sources, _source_link, same_sentence=True)
    cue_token = _root(doc, cue.tokens) if cue is not None else None
    source_token = _root(doc, source.tokens) if source is not None else None
    span = (fragments[0][0], fragments[-1][1])
    lemma = cue_token.lemma_.lower() if cue_token is not None else None
    direct = text[span[0]] in QUOTE_CHARS
    return Found(
        content=span,
        cue=_char_span(doc, cue.tokens) if cue is not None else None,
        cue_lemma=lemma,
        source_token=source_token.i if source_token is not None else None,
        source=_char_span(doc, source.tokens) if source is not None else None,
        direct=direct,
        kind="according_to" if lemma == "according" else "quote" if direct else "paraphrase",
        fragments=tuple(fragments) if len(fragments) > 1 else (),
        negated=cue_token is not None and any(c.dep_ == "neg" or c.lower_ == "never" for c in cue_token.children),
    )


def _nearest(
    tree: _Tree,
    anchor: list[int],
    candidates: list[_Piece],
    linked: Callable[[list[int], set[int], list[int]], bool],
    *,
    same_sentence: bool = False,
) -> _Piece | None:
    """The candidate linked to ``anchor`` through the parse, else the nearest within the window.

    Why: a cue governs its content ("said" heads the ``ccomp``) and its source (the ``nsubj``); where the
    parse links none, the annotation almost always puts them side by side.
    """
    lo, hi = anchor[0], anchor[-1]
    anchor_set = set(anchor)
    best: tuple[int, int, _Piece] | None = None
    anchor_sents = {tree.sentence[lo], tree.sentence[hi]}
    # The candidates are disjoint and in token order: only those within the window can be chosen, so
    # bisect to them (a scan of all made a text of many short quotations quadratic).
    first = bisect_left(candidates, lo - _LINK_WINDOW, key=lambda piece: piece.tokens[-1])
    last = bisect_right(candidates, hi + _LINK_WINDOW, key=lambda piece: piece.tokens[0])
    for piece in candidates[first:last]:
        p_lo, p_hi = piece.tokens[0], piece.tokens[-1]
        distance = lo - p_hi if p_hi < lo else p_lo - hi if p_lo > hi else 0
        if distance > _LINK_WINDOW:
            continue
        same = tree.sentence[p_lo] in anchor_sents
        if same_sentence and not same:
            continue
        rank = 0 if linked(tree.heads, anchor_set, piece.tokens) else 1 if same else 2
        key = (rank, distance)
        if best is None or key < best[:2]:
            best = (rank, distance, piece)
    return best[2] if best is not None else None


def _content_link(heads: list[int], content: set[int], cue: list[int]) -> bool:
    """The cue heads a content token, or a content token heads the cue (an interrupting speech tag)."""
    return any(heads[i] in content for i in cue) or any(heads[i] in cue for i in content)


def _source_link(heads: list[int], cue: set[int], source: list[int]) -> bool:
    """A source token hangs from the cue (its subject, or the agent of a passive cue)."""
    return any(heads[i] in cue or heads[heads[i]] in cue for i in source)


def _root(doc: Doc, tokens: list[int]) -> Token:
    """The span's head: its first token attached outside it that is neither a function word nor a
    compound's modifier, else its last compound word (a misparse of "The Sanders campaign projects
    that" attaches all three words to "projects", a noun to it: "campaign")."""
    inside = set(tokens)
    outside = [doc[i] for i in tokens if doc[i].head.i not in inside or doc[i].head.i == i]
    words = [t for t in outside if t.pos_ not in _FUNCTION_POS]
    heads = [t for t in words if t.dep_ != "compound"]
    return heads[0] if heads else words[-1] if words else outside[0] if outside else doc[tokens[0]]


def _char_span(doc: Doc, tokens: list[int]) -> Span | None:
    kept = [i for i in tokens if not doc[i].is_space]
    if not kept:
        return None
    last = doc[kept[-1]]
    return (doc[kept[0]].idx, last.idx + len(last.text))


def _has_word(text: str, span: Span) -> bool:
    return any(c.isalnum() for c in text[span[0] : span[1]])


# --- the tagger --------------------------------------------------------------------------------


class AttributionTagger:
    """A trained CRF and the word clusters trained with it (:func:`clusters_path`), opened once per process."""

    def __init__(self, path: Path) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._clusters = WordClusters.load(clusters_path(path))

    def tag(
        self, doc: Doc, quotes: Sequence[Span], rules: Sequence[Found], text: str, threshold: float = MIN_CONFIDENCE
    ) -> list[Found]:
        """The model's attributions in ``doc`` whose content it is at least ``threshold`` sure of."""
        if not len(doc):
            return []
        features = token_features(doc, quotes, rule_tags(doc, rules), self._clusters.assign(doc))
        if not features:
            return []
        tags = self._tagger.tag(features)
        confidence = (
            [self._tagger.marginal(t, n) if t.endswith("CON") else 1.0 for n, t in enumerate(tags)]
            if threshold > 0
            else None
        )
        return decode(doc, tags, text, confidence, threshold)


@lru_cache(maxsize=4)
def load_tagger(path: Path = MODEL_PATH) -> AttributionTagger:
    """The tagger at ``path`` (by default the committed model), loaded once per process."""
    return AttributionTagger(path)


def _likeness(a: Span, b: Span) -> float:
    """The characters two spans share over the characters either covers."""
    return overlap(a, b) / (max(a[1], b[1]) - min(a[0], b[0]))


def _nests(outer: Found, inner: Found) -> bool:
    """``inner``'s content lies inside ``outer``'s, after ``outer``'s cue ("confirmed that X, after media
    reports that Y"): two attributions the rules nest, not one the model drew better."""
    return (
        outer.cue is not None
        and outer.cue[1] <= inner.content[0]
        and outer.content[0] < inner.content[0]
        and inner.content[1] <= outer.content[1]
    )


def combine(rules: Sequence[Found], model: Sequence[Found]) -> list[Found]:
    """The model's contents, with the rules' cues and sources; the rules' attributions where the model
    found nothing.

    A model content that overlaps a rule attribution takes that rule's cue and source (the rule most
    like it: the most characters shared over those either covers; each rule used once); a rule's direct
    quotation is kept whole.
    Why: on the inner validation articles the model's content boundaries beat the rules' (exact match
    0.50 against 0.43), while the rules' speakers are the more precise (quotes, "according to", the
    speaker of "he said"), so each side gives what it does best (docs/model.md).
    """
    index = SpanIndex([r.content for r in rules])
    used: set[int] = set()
    kept: list[Found] = []
    origin: list[int | None] = []  # the rule each kept attribution came from (a graft) or None
    for found in model:
        over = [k for k in index.overlapping(found.content) if k not in used]
        if not over:
            kept.append(found)
            origin.append(None)
            continue
        k = max(over, key=lambda k: _likeness(rules[k].content, found.content))
        used.add(k)
        rule = rules[k]
        kept.append(rule if rule.direct else replace(rule, content=found.content, fragments=found.fragments))
        origin.append(k)
    taken = SpanIndex([f.content for f in kept])
    for k, rule in enumerate(rules):
        if k not in used and all(
            _nests(rule, kept[j]) and origin[j] is not None for j in taken.overlapping(rule.content)
        ):
            kept.append(rule)
    kept.sort(key=lambda f: f.content[0])
    return kept

"""Claims: attributed contents and the outlet's own check-worthy statements, with figures and hedges."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from spacy.tokens import Doc

from bot.extraction.attribution import MIN_CLAIM_WORDS, Found
from bot.extraction.figures import find_figures
from bot.extraction.lexicon import HEDGE_WORDS, MEASURE_UNITS
from bot.extraction.spans import SpanIndex
from bot.extraction.text import dateline_end
from bot.report import Claim, ClaimKind, Figure

Span = tuple[int, int]

#: Entity labels that make an outlet sentence check-worthy: it names actors, places or amounts.
NEWSWORTHY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "EVENT", "LAW", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "FAC", "LOC"}
)
_MIN_OUTLET_WORDS = 6
_QUOTED = re.compile(r"[“\"«„]([^”\"»“]+)[”\"»“]")


def build_claims(
    doc: Doc, text: str, finds: Sequence[Found], source_ids: Sequence[str | None], body: Sequence[Span]
) -> tuple[list[Claim], list[tuple[Span, str]]]:
    """One claim per attribution, plus outlet claims for body sentences no attribution covers.

    Also returns conflicting figures, as (figure span, claim id): the same thing counted with a
    different number by another source ("200 killed" / "500 killed").
    """
    drafts: list[tuple[Span, str | None, str | None, ClaimKind]] = []
    # a denied cue ("did not confirm ...") asserts nothing for its source: its sentence is the outlet's
    asserted = [(f, s) for f, s in zip(finds, source_ids, strict=True) if not f.negated]
    for found, source_id in asserted:
        cue = text[found.cue[0] : found.cue[1]] if found.cue else None
        content = whole_words(text, found.content)
        for piece, kind in split_foreign_quotes(text, content, found.kind):
            if len(text[piece[0] : piece[1]].split()) >= MIN_CLAIM_WORDS:
                drafts.append((piece, source_id, cue, kind))
    covered = SpanIndex([f.content for f, _ in asserted])
    cues = SpanIndex([f.cue for f, _ in asserted if f.cue])
    for sentence in _body_sentences(doc, text, body):
        if covered.covers_most_of(sentence):
            continue
        if covered.overlapping(sentence) and cues.overlapping(sentence):
            continue  # the sentence that frames an attribution is not a claim of the outlet's
        drafts.append((sentence, None, None, "outlet"))
    drafts.sort(key=lambda d: d[0])
    claims = []
    conflicts: list[tuple[Span, str]] = []
    counted: dict[tuple[str, str], tuple[float, str | None]] = {}
    for number, (span, source_id, cue, kind) in enumerate(drafts, 1):
        found_figures = find_figures(doc, *span)
        figures = tuple(
            Figure(
                text=text[f.span[0] : f.span[1]], span=f.span, value=f.value, approximate=f.approximate, counts=f.counts
            )
            for f in found_figures
        )
        for f in found_figures:
            if (
                f.value is None
                or not f.counts
                or not f.predicate
                or f.counts.lower().split()[-1].rstrip("s") in MEASURE_UNITS
            ):
                continue
            key = (f.counts.lower().split()[-1], f.predicate)
            earlier = counted.setdefault(key, (f.value, source_id))
            if earlier[0] != f.value and earlier[1] != source_id:
                conflicts.append((f.span, f"c{number}"))
        hedges = tuple(dict.fromkeys(w for w in _words(text, span) if w in HEDGE_WORDS))
        claims.append(
            Claim(
                id=f"c{number}",
                text=text[span[0] : span[1]],
                span=span,
                source_id=source_id,
                cue=cue,
                kind=kind,
                figures=figures,
                hedges=hedges,
            )  # type: ignore[arg-type]
        )
    return claims, conflicts


def whole_words(text: str, span: Span) -> Span:
    """The span widened to whole words: a content cut mid-word ("power line de") is a bug, not a claim.

    Why: a parse splits "de-energize" or "U.S.-led" into several tokens, and a span that ends at one
    of them ends inside a word.
    """
    start, end = span
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    if 0 < end < len(text) and text[end - 1].isalnum() and _continues(text, end):
        stop = end
        while stop < len(text) and not text[stop].isspace():
            stop += 1
        while stop > end and text[stop - 1] in _CLOSING:
            stop -= 1
        end = stop
    return (start, end)


_CLOSING = ',.;:!?"”’)]'


def _continues(text: str, end: int) -> bool:
    """The character at ``end`` goes on with the word before it: a letter, or a hyphen, apostrophe or full
    stop followed by more of the word ("de-energize", "U.S.-led")."""
    char = text[end]
    if char.isalnum():
        return True
    following = text[end + 1] if end + 1 < len(text) else " "
    return char in "-’'." and (following.isalnum() or following == "-")


def split_foreign_quotes(text: str, span: Span, kind: ClaimKind) -> list[tuple[Span, ClaimKind]]:
    """A quotation in another script inside an English claim is a quote of its own, not part of the claim.

    Why: articles quote a speaker in the original language and then translate or paraphrase it; the
    two belong to the same speaker, but as two claims, so the English one reads as English.
    """
    pieces: list[tuple[Span, ClaimKind]] = []
    cursor = span[0]
    for match in _QUOTED.finditer(text, span[0], span[1]):
        if not _foreign(match.group(1)) or (match.start(), match.end()) == span:
            continue
        if match.start() > cursor:
            pieces.append(((cursor, match.start()), kind))
        pieces.append(((match.start(), match.end()), "quote"))
        cursor = match.end()
    if not pieces:
        return [(span, kind)]
    if cursor < span[1]:
        pieces.append(((cursor, span[1]), kind))
    return [(_stripped(text, piece), k) for piece, k in pieces if text[piece[0] : piece[1]].strip(" ,.;:—–-")]


def _foreign(quoted: str) -> bool:
    """Most letters are not Latin (Cyrillic, Arabic, Chinese...)."""
    letters = [c for c in quoted if c.isalpha()]
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return bool(letters) and latin < len(letters) / 2


def _stripped(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start] in " ,;:—–-":
        start += 1
    while end > start and text[end - 1] in " ,;:—–-":
        end -= 1
    return (start, end)


def _body_sentences(doc: Doc, text: str, body: Sequence[Span]) -> list[Span]:
    """Sentences of the body paragraphs worth checking: long enough, not questions, naming something."""
    spans: list[Span] = []
    body_iter = iter(body)
    current = next(body_iter, None)
    for sent in doc.sents:
        start = sent.start_char
        while current is not None and current[1] <= start:
            current = next(body_iter, None)
        if current is None:
            break
        if not current[0] <= start < current[1]:
            continue
        end = min(sent.end_char, current[1])
        if start == current[0]:
            start += dateline_end(text[start:end])
        while end > start and text[end - 1].isspace():
            end -= 1
        words = text[start:end].split()
        if len(words) < _MIN_OUTLET_WORDS or text[start:end].rstrip('”"’ ').endswith("?"):
            continue
        if not any(t.ent_type_ in NEWSWORTHY_LABELS for t in sent):
            continue
        spans.append((start, end))
    return spans


def _words(text: str, span: Span) -> list[str]:
    return [w.strip(".,;:“”\"'’()").lower() for w in text[span[0] : span[1]].split()]

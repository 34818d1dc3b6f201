"""Claims: attributed contents and the outlet's own check-worthy statements, with figures and hedges."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from bot.extraction.attribution import Found
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
        drafts.append((found.content, source_id, cue, found.kind))
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

"""Unverified items tied to claims, and how check-worthy each claim is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace

from bot.extraction.attribution import Found
from bot.extraction.lexicon import MEASURE_UNITS
from bot.extraction.spans import SpanIndex
from bot.report import Claim, Figure, Source, Unverified

Span = tuple[int, int]


def link_unverified(
    text: str,
    claims: Sequence[Claim],
    finds: Sequence[Found],
    source_ids: Sequence[str | None],
    signals: Sequence[tuple[str, Span]],
    conflicts: Sequence[tuple[Span, str]],
) -> list[Unverified]:
    """Turn signals and source facts into unverified items, each tied to the claim it concerns."""
    items: list[tuple[str, Span, str | None]] = []
    claim_spans = SpanIndex([c.span for c in claims])
    speakers = sorted((part, f.content) for f in finds for part in (f.source, f.cue) if part is not None)
    speaker_spans = SpanIndex([part for part, _ in speakers])
    for reason, span in signals:
        # Why: "a senior official said" is about what the official said, not about the words themselves
        said = speaker_spans.overlapping(span)
        spoken = speakers[said[0]][1] if said else None
        items.append((reason, span, _claim_for(claims, claim_spans, spoken or span)))
    for found in finds:
        if found.cue_lemma == "estimate" and found.cue is not None:
            # Why: "X estimates that more than 10,000 ..." flags the estimating; an estimate of a
            # duration or of nothing countable ("estimated this would take 24 hours") is no figure
            claim_id = _claim_for(claims, claim_spans, found.content)
            claim = next((c for c in claims if c.id == claim_id), None)
            counted = [f for f in claim.figures if _counts_things(f)] if claim is not None else []
            if counted:
                items.append(("estimate", (found.cue[0], max(counted[0].span[1], found.cue[1])), claim_id))
    items.extend(_single_source(claims, finds, source_ids))
    items.extend(("conflicting_figures", span, claim_id) for span, claim_id in conflicts)
    result = []
    widest: dict[str, Span] = {}
    # widest span first at each start, so that a span inside another of its reason is dropped
    for reason, span, claim_id in sorted(items, key=lambda item: (item[1][0], -item[1][1], item[0])):
        held = widest.get(reason)
        if span[0] >= span[1] or held is not None and held[0] <= span[0] and span[1] <= held[1]:
            continue
        if held is None or span[1] > held[1]:
            widest[reason] = span
        result.append(Unverified(claim_id=claim_id, reason=reason, evidence=text[span[0] : span[1]], span=span))  # type: ignore[arg-type]
    return result


def score_checkworthiness(
    claims: Sequence[Claim], sources: Sequence[Source], unverified: Sequence[Unverified]
) -> list[Claim]:
    """A 0..1 score: figures, named actors, attribution and open questions make a claim worth checking.

    Why: the features that check-worthiness models weigh most (Hassan et al., ClaimBuster, KDD 2017)
    are numbers, named entities and the claim being made by someone on the record.
    """
    flagged: defaultdict[str, int] = defaultdict(int)
    for item in unverified:
        if item.claim_id:
            flagged[item.claim_id] += 1
    named = {s.id for s in sources if s.named}
    scored = []
    for claim in claims:
        score = 0.2
        score += 0.25 if claim.figures else 0.0
        score += 0.15 if claim.source_id in named else (0.05 if claim.source_id else 0.0)
        score += min(0.3, 0.15 * flagged[claim.id])
        score += 0.1 if claim.kind in ("quote", "according_to") else 0.0
        score += 0.05 if len(claim.text.split()) >= 12 else 0.0
        scored.append(replace(claim, checkworthiness=round(min(score, 1.0), 2)))
    return scored


def _counts_things(figure: Figure) -> bool:
    """The figure counts people, money or things, not a distance, a size or a time span."""
    if not figure.counts:
        return False
    unit = figure.counts.lower().split()[-1]
    return unit not in MEASURE_UNITS and unit.rstrip("s") not in MEASURE_UNITS


def _claim_for(claims: Sequence[Claim], claim_spans: SpanIndex, span: Span) -> str | None:
    """The claim that contains the span, or the nearest claim overlapping it (``claim_spans`` indexes
    the claims' spans: only the claims that overlap are looked at)."""
    best: tuple[int, str] | None = None
    for claim in (claims[position] for position in claim_spans.overlapping(span)):
        overlap = min(claim.span[1], span[1]) - max(claim.span[0], span[0])
        if claim.span[0] <= span[0] and span[1] <= claim.span[1]:
            return claim.id
        if overlap > 0 and (best is None or overlap > best[0]):
            best = (overlap, claim.id)
    return best[1] if best else None


def _source_and_cue(found: Found) -> Span:
    assert found.source is not None
    if found.cue is not None and 0 <= found.cue[0] - found.source[1] <= 40:
        return (found.source[0], found.cue[1])
    return found.source


def _single_source(
    claims: Sequence[Claim], finds: Sequence[Found], source_ids: Sequence[str | None]
) -> Iterator[tuple[str, Span, str | None]]:
    """Figures that one source alone gives: no other source or the outlet states the same number."""
    by_value: dict[float, set[str | None]] = defaultdict(set)
    for claim in claims:
        for figure in claim.figures:
            if figure.value is not None:
                by_value[figure.value].add(claim.source_id)
    cue_of = {f.content: f for f in finds}
    for claim in claims:
        if claim.source_id is None:
            continue
        lonely = [
            f
            for f in claim.figures
            if f.value is not None and _counts_things(f) and by_value[f.value] == {claim.source_id}
        ]
        found = cue_of.get(claim.span)
        if lonely and found is not None and found.cue is not None:
            span = _source_and_cue(found) if found.source is not None else found.cue
            yield ("single_source", span, claim.id)

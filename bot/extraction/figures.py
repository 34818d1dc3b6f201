"""Numbers in claims: "about 200 servicemen" -> 200.0, approximate, counting "servicemen"."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from bot.extraction.lexicon import APPROXIMATORS, MULTIPLIERS, NUMBER_WORDS, VAGUE_QUANTITIES

Span = tuple[int, int]

#: Entity labels whose numbers are not counts (dates, times, ordinals).
NOT_COUNTS = frozenset({"DATE", "TIME", "ORDINAL"})
_NUMERIC = re.compile(r"^[$€£¥]?\d[\d,]*(?:\.\d+)?%?$")


@dataclass(frozen=True, slots=True)
class FoundFigure:
    span: Span
    value: float | None
    approximate: bool
    counts: str | None
    predicate: str | None  # lemma of the verb the counted noun depends on ("kill", "send")


def find_figures(doc: Doc, start_char: int, end_char: int) -> list[FoundFigure]:
    """Figures within a character range of ``doc``: counts, amounts and percentages, not dates."""
    figures: list[FoundFigure] = []
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None:
        return figures
    used: set[int] = set()
    for token in span:
        if token.i in used or not (token.like_num or token.lower_ in VAGUE_QUANTITIES or token.lower_ in NUMBER_WORDS):
            continue
        if token.ent_type_ in NOT_COUNTS or not _is_number(token):
            continue
        if _looks_like_year(token):
            continue
        first, last = token.i, token.i
        while last + 1 < span.end:
            following = doc[last + 1]
            if _is_number(following) and following.ent_type_ not in NOT_COUNTS:
                last += 1
            elif following.text == "-" and last + 2 < span.end and doc[last + 2].lower_ in NUMBER_WORDS:
                last += 2  # "twenty-five"
            else:
                break
        if last + 1 < span.end and doc[last + 1].lower_ in ("percent", "%", "per"):
            last += 1
        approximate = False
        while first - 1 >= span.start and (
            _is_approximator(doc[first - 1])
            or doc[first - 1].is_space
            and approximate is False
            and first - 2 >= span.start
            and _is_approximator(doc[first - 2])
        ):
            first -= 2 if doc[first - 1].is_space else 1
            approximate = True
        if (
            approximate
            and doc[first].lower_ in ("least", "most")
            and first - 1 >= span.start
            and doc[first - 1].lower_ == "at"
        ):
            first -= 1  # "at least 12"

        used.update(range(first, last + 1))
        words = [t for t in doc[token.i : last + 1]]
        value = _value(words)
        vague = any(t.lower_ in VAGUE_QUANTITIES for t in words)
        figures.append(
            FoundFigure(
                span=(doc[first].idx, doc[last].idx + len(doc[last].text)),
                value=value,
                approximate=approximate or vague,
                counts=_counted(doc[last]),
                predicate=_predicate(doc[last]),
            )
        )
    return figures


def _is_number(token: Token) -> bool:
    lower = token.lower_
    return (
        bool(_NUMERIC.match(token.text))
        or lower in NUMBER_WORDS
        or lower in MULTIPLIERS
        and token.i > 0
        and _NUMERIC.match(token.nbor(-1).text) is not None
        or lower in VAGUE_QUANTITIES
    )


def _is_approximator(token: Token) -> bool:
    lower = token.lower_
    return (
        lower in APPROXIMATORS
        or lower in ("than", "to", "an")
        and token.i > 0
        and (token.nbor(-1).lower_ in APPROXIMATORS)
    )


def _looks_like_year(token: Token) -> bool:
    return token.text.isdigit() and len(token.text) == 4 and 1800 <= int(token.text) <= 2100


def _value(words: list[Token]) -> float | None:
    total: float | None = None
    for word in words:
        lower = word.lower_.replace(",", "").lstrip("$€£¥").rstrip("%")
        if lower in ("percent", "%", "per", "-"):
            continue
        if lower in MULTIPLIERS and total is not None:
            total *= MULTIPLIERS[lower]
            continue
        try:
            number = float(lower)
        except ValueError:
            number = NUMBER_WORDS.get(lower)  # type: ignore[assignment]
            if number is None:
                break
        total = number if total is None else total + number
    # a number beyond floating point ("9" * 400) has no usable value; JSON cannot hold infinity
    return total if total is not None and math.isfinite(total) else None


def _counted(last: Token) -> str | None:
    """What a number counts: the noun it modifies, with its compounds ("North Koreans")."""
    noun = last.head if last.dep_ in ("nummod", "quantmod", "amod", "compound") else None
    if noun is None:
        following = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
        noun = following if following is not None and following.pos_ in ("NOUN", "PROPN") else None
    if noun is None or noun.pos_ not in ("NOUN", "PROPN") or noun.i < last.i:
        return None
    start = noun.i
    while (
        start - 1 > last.i and noun.doc[start - 1].dep_ in ("compound", "amod") and noun.doc[start - 1].head.i >= start
    ):
        start -= 1
    return noun.doc[start : noun.i + 1].text


def _predicate(last: Token) -> str | None:
    node = last.head if last.dep_ in ("nummod", "quantmod", "amod", "compound") else last
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX") or node.head is node:
            break
        node = node.head
    return node.lemma_.lower() if node.pos_ in ("VERB", "AUX") else None

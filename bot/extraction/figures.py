"""Numbers in claims: "about 200 servicemen" -> 200.0, approximate, counting "servicemen"."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from bot.extraction.lexicon import (
    APPROXIMATOR_PAIRS,
    APPROXIMATOR_WORDS,
    APPROXIMATORS,
    ESTIMATE_EXCLUDED_UNITS,
    FORECAST_WORDS,
    FRACTION_WORDS,
    MULTIPLIERS,
    NUMBER_WORDS,
    SURPASS_VERBS,
    THRESHOLD_VERBS,
    THRESHOLD_WORDS,
    VAGUE_NUMBER_WORDS,
    VAGUE_QUANTITIES,
)
from bot.extraction.select import number_tokens, tokens_with

Span = tuple[int, int]

#: Entity labels whose numbers are not counts (dates, times, ordinals).
NOT_COUNTS = frozenset({"DATE", "TIME", "ORDINAL"})
_NUMERIC = re.compile(r"^[$€£¥]?\d[\d,]*(?:\.\d+)?%?$")
#: "GBP738", "US$5", "5bn": a number glued to its currency or multiplier.
_AMOUNT = re.compile(r"^(?:[A-Z]{2,3}\$?|[$€£¥])?\d[\d,]*(?:\.\d+)?(?:%|bn|m|k)?$")
#: Number words that take "a": "a quarter", "a dozen", "a hundred", "a million".
_A_NUMBERS = FRACTION_WORDS | {"dozen", "hundred", "thousand", "million", "billion"}
_CURRENCY = frozenset("$ € £ ¥".split())
_ESTIMATE_TRIGGERS = frozenset(NUMBER_WORDS.keys() | MULTIPLIERS.keys() | VAGUE_NUMBER_WORDS | FRACTION_WORDS)


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


def find_estimates(doc: Doc) -> Iterator[Span]:
    """Approximate figures: an approximator and a number ("about 7,000 people", "more than 95%",
    "roughly a third"), or a vague number word ("thousands", "a few hundred"), with what they count.

    Why: the labelling rules mark the approximation itself, in the outlet's sentences and in quotes
    alike, but never dates, times, ages, durations, measurements, thresholds or figures of a plan
    or forecast, nor a bare quantifier ("many", "several").
    """
    candidates = {t.i for t in number_tokens(doc)}
    candidates.update(t.i for t in tokens_with(doc, _ESTIMATE_TRIGGERS))
    candidates.update(t.i + 1 for t in tokens_with(doc, _CURRENCY) if t.i + 1 < len(doc))  # "$2bn"
    done = -1
    for i in sorted(candidates):
        if i >= 1 and doc[i].lower_ in MULTIPLIERS and _AMOUNT.match(doc[i - 1].text):
            i -= 1  # "GBP738 thousand": the amount before the multiplier starts the figure
        token = doc[i]
        if i <= done or not _figure_word(token) or _looks_like_year(token) or ":" in token.text:
            continue
        if token.ent_type_ in ("DATE", "TIME") and token.lower_ not in FRACTION_WORDS:
            continue
        last = _run_end(doc, i)
        done = last
        first, approximate = _approximator_start(doc, i)
        if last == i and token.lower_ == "one" and first != i - 2:
            continue  # "some one of us": a pronoun; "at least one" is a lower bound
        estimated = None if approximate or _vague(doc, i, last) else _estimate_before(doc, i)
        if not (approximate or _vague(doc, i, last) or estimated is not None):
            continue
        if estimated is not None:
            first = estimated  # the evidence runs from "estimating" to the figure: "estimating 200"
        if i >= 2 and doc[i - 1].lower_ == "few" and doc[i - 2].lower_ == "a":
            first = min(first, i - 2)
        if _not_an_estimate(doc, first, last):
            continue
        end = _counted_end(doc, last)
        yield (doc[first].idx, doc[end].idx + len(doc[end].text))


def _figure_word(token: Token) -> bool:
    lower = token.lower_
    return bool(_AMOUNT.match(token.text)) or lower in _ESTIMATE_TRIGGERS or token.like_num


def _run_end(doc: Doc, i: int) -> int:
    """The last token of the figure that starts at ``i``: "1.6 million", "45% to 60%", "half a million"."""
    last = i
    while last + 1 < len(doc):
        nxt = doc[last + 1]
        lower = nxt.lower_
        if lower in MULTIPLIERS and lower != "m" or lower in ("percent", "%") or _AMOUNT.match(nxt.text):
            last += 1
        elif lower in ("-", "to", "and", "or") and last + 2 < len(doc) and _AMOUNT.match(doc[last + 2].text):
            last += 2  # "200 to 300"
        elif lower == "-" and last + 2 < len(doc) and doc[last + 2].lower_ in NUMBER_WORDS.keys() | FRACTION_WORDS:
            last += 2  # "twenty-five", "two-thirds"
        elif lower == "a" and last + 2 < len(doc) and doc[last + 2].lower_ in MULTIPLIERS:
            last += 2  # "half a million"
        elif lower in ("of", "as") and last + 2 < len(doc) and doc[last + 2].lower_ in ("thousands", "millions"):
            last += 2  # "tens of thousands"
        else:
            break
    return last


def _approximator_start(doc: Doc, i: int) -> tuple[int, bool]:
    """Where the approximator before the figure at ``i`` starts, and whether there is one."""
    first = i
    if first >= 1 and doc[first - 1].is_currency:
        first -= 1
    if first >= 1 and doc[first - 1].lower_ in ("a", "an") and doc[i].lower_ in _A_NUMBERS:
        first -= 1  # "about a quarter", "more than a hundred"
    if first >= 2 and (doc[first - 2].lower_, doc[first - 1].lower_) in APPROXIMATOR_PAIRS:
        start = first - 2
        if start >= 1 and (doc[start - 1].lower_, doc[start].lower_) in (
            ("in", "excess"),
            ("as", "many"),
            ("as", "much"),
        ):
            start -= 1  # "in excess of", "as many as"
        return start, True
    if first >= 1 and (doc[first - 1].lower_ in APPROXIMATOR_WORDS or doc[first - 1].lemma_.lower() in SURPASS_VERBS):
        return first - 1, True
    return first, False


def _vague(doc: Doc, i: int, last: int) -> bool:
    """ "thousands", "tens of thousands", "a few hundred", "several thousand"."""
    if any(t.lower_ in VAGUE_NUMBER_WORDS for t in doc[i : last + 1]):
        return True
    return i >= 1 and doc[i].lower_ in MULTIPLIERS and doc[i - 1].lower_ in ("few", "several", "many")


def _estimate_before(doc: Doc, i: int) -> int | None:
    """Where the noun or adjective "estimate" stands a few words before the figure in its sentence
    ("some estimates ranging from 45%", "the estimated cost is six billion"), or None.

    Why: the verb ("X estimated that 200 ...") is an attribution cue; its estimate is flagged with the
    attribution, tied to what the estimating source said (``verification.link_unverified``).
    """
    start = max(doc[i].sent.start, i - 12)
    nouns = (
        t
        for t in reversed(doc[start:i])
        if (t.lemma_.lower() == "estimate" or t.lower_ == "estimated") and (t.pos_ != "VERB" or t.dep_ == "amod")
    )
    return next((t.i for t in nouns), None)


def _not_an_estimate(doc: Doc, first: int, last: int) -> bool:
    """Dates, ages, measurements, thresholds and the figures of plans and forecasts."""
    figure = doc[first : last + 1]
    if any(t.ent_type_ in ("DATE", "TIME") and t.lower_ not in FRACTION_WORDS and _figure_word(t) for t in figure):
        return True
    after = [t.lower_ for t in doc[last + 1 : last + 4]]
    unit = after[1] if after[:1] == ["of"] and len(after) > 1 else after[0] if after else ""
    if unit in ESTIMATE_EXCLUDED_UNITS or after[:2] == ["-", "year"] or "old" in after[:3]:
        return True
    head = doc[last].head
    if head.i > last and head.lower_ in ESTIMATE_EXCLUDED_UNITS:
        return True
    if first >= 1 and doc[first - 1].lower_ in ("aged", "age", "ages"):
        return True
    sent = doc[first].sent
    window = doc[max(sent.start, first - 8) : min(sent.end, last + 9)]
    if any(
        t.lemma_.lower() in THRESHOLD_WORDS and (t.pos_ == "VERB" or t.lemma_ not in THRESHOLD_VERBS) for t in window
    ):
        return True
    return in_forecast(doc[last])


def in_forecast(token: Token) -> bool:
    """The token hangs from a verb of plan or forecast, or from one with "will", "would", "could".

    Why: figures and hedges of plans, forecasts and hypotheticals are not about an established fact.
    """
    node = token
    for _ in range(5):
        if node.pos_ in ("VERB", "AUX"):
            if node.lemma_.lower() in FORECAST_WORDS:
                return True
            auxes = [c.lower_ for c in node.children if c.dep_ in ("aux", "auxpass")]
            if any(a in FORECAST_WORDS for a in auxes) and "have" not in auxes:
                return True
        if node.head is node:
            break
        node = node.head
    return False


def _counted_end(doc: Doc, last: int) -> int:
    """The figure and the noun it counts ("about 200 servicemen", "thousands of Swedes")."""
    head = doc[last].head
    if head.pos_ in ("NOUN", "PROPN") and 0 < head.i - last <= 4:
        return head.i
    if last + 2 < len(doc) and doc[last + 1].lower_ == "of" and doc[last].lower_ in VAGUE_NUMBER_WORDS:
        objects = [c for c in doc[last + 1].children if c.dep_ == "pobj"]
        if objects and objects[0].i - last <= 4:
            return objects[0].i
    return last

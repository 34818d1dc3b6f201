"""Matching claims across articles: is a claim stored earlier the same statement as a new one?

Pure, standard library only. A claim is reduced once to a :class:`ClaimKey` (its content words,
normalised; the names in it; its source; its figures), and two keys are compared by :func:`compare`:

- the score is the mean of the Dice and the overlap coefficients of the two sets of content words,
  each word weighted by its inverse document frequency among the claims stored so far (a word every
  claim uses says little);
- a claim that denies what the other asserts ("will not approve" / "will approve") is another statement;
- names that only one side has on both sides ("Hickenlooper ended his campaign" against "Gillibrand
  ended her campaign") mean two different statements, however alike the rest; a name is mentioned by
  the word of it that tells which one it is, by a title used as the name, or by the other's source;
- figures: the same counted thing with different numbers, in two claims that share a name, is a
  conflict ("conflicting figure: 6 here, 8 in ..."); other figures that all differ mean different
  statements;
- the label is ``same`` when the source is the same (or both are the outlet's own claims),
  ``corroborating`` when another source says it, ``conflicting`` for a conflict of figures.

The thresholds (:data:`THRESHOLDS`) are chosen on a labelled set of claim pairs from Wikinews
(``tests/data/claim-pairs.jsonl``) by ``python -m bot.matching_eval``: a sweep on one half of the pairs,
checked on the other half. Storage finds the candidates (the statements sharing the rarest of :func:`search_terms`);
this module only decides.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from bot.extraction.lexicon import (
    ABBREVIATIONS,
    CONDITIONALS,
    IRREGULAR_FORMS,
    MATCH_STOPWORDS,
    MATCH_SYNONYMS,
    MULTIPLIERS,
    NAME_KIND_WORDS,
    NEGATIONS,
    NUMBER_WORDS,
    NUMBERED_NOUNS,
    ORGANISATION_HEADS,
    TITLE_WORDS,
    VAGUE_QUANTITIES,
)
from bot.report import Figure, Report

MatchLabel = Literal["same", "corroborating", "conflicting"]
#: An inverse document frequency for a term (see :func:`idf_from_counts`).
Idf = Callable[[str], float]
_T = TypeVar("_T")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
#: What a search token drops: anything not a letter or digit (``\W`` is exactly "not isalnum", and "_").
_NOT_ALNUM = re.compile(r"[\W_]+")
#: A number that names rather than counts: "category 3", "Route 2", "Advisory Number 14".
_NUMBERED = re.compile(r"\b(" + "|".join(sorted(NUMBERED_NOUNS)) + r")\.?\s+(\d+[a-z]?)\b", re.IGNORECASE)
#: Every abbreviation of :data:`ABBREVIATIONS` in one pattern, the longest first ("U.S.A." before "U.S.").
_ABBREVIATIONS = re.compile(
    r"(?<![\w.])(" + "|".join(map(re.escape, sorted(ABBREVIATIONS, key=len, reverse=True))) + r")(?![\w])"
)
_SENTENCE_END = frozenset(".!?:;\"“”'‘’([—–-")
#: What ends a clause: a conditional clause reaches no further (:func:`denied_terms`).
_CLAUSE_ENDS = frozenset(",;:.!?()—–")
_NUMBER_WORDS = frozenset(NUMBER_WORDS) | frozenset(MULTIPLIERS) | frozenset(VAGUE_QUANTITIES)
#: How many words after a negator it governs ("could not reach an agreement": reach, agreement).
DENIAL_REACH = 3
#: Two claims with fewer content words in common are not compared: that is a phrase, not a statement;
#: one fewer is enough when they name one thing and give it a number (the same, or a conflicting one).
MIN_SHARED_TERMS = 3
#: A name counts as mentioned by the other claim when a word there starts with the same letters
#: ("China" and "Chinese", "Kurds" and "Kurdish").
NAME_PREFIX = 4
#: What may stand between two words of one name: "Queen Elizabeth II", "Workers' Party", "St. Louis".
_NAME_JOINERS = frozenset(" '’.")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where two claims match.

    ``match``: the score from which they are the same statement (same or corroborating); ``conflict``:
    the score from which a conflict of figures is reported (the rest must be nearly the same).
    """

    match: float
    conflict: float


#: Chosen by ``python -m bot.matching_eval`` (the sweep on the tuning half of the labelled pairs).
THRESHOLDS = Thresholds(match=0.57, conflict=0.95)


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A figure as matching compares it: its value, what it counts (normalised), and its text."""

    text: str
    value: float | None
    counts: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClaimKey:
    """What matching compares of one claim."""

    terms: frozenset[str]
    #: The names written with a capital inside the sentence (people, places, organisations), each as the
    #: set of its terms.
    names: tuple[frozenset[str], ...]
    #: The source's names (name and aliases), each as a set of terms; empty for the outlet's own claim.
    source: tuple[frozenset[str], ...]
    outlet: str | None
    figures: tuple[KeyFigure, ...]
    #: The terms the claim denies: content words just after a negator (:func:`denied_terms`).
    denied: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Match:
    """How a stored claim relates to a new one: ``conflicts`` pairs (figure here, figure there)."""

    label: MatchLabel
    score: float
    conflicts: tuple[tuple[KeyFigure, KeyFigure], ...] = ()


def stem(word: str) -> str:
    """A light English suffix stripper: "impeached", "impeaches" -> "impeach"; "countries" -> "country";
    "died", "dies" -> "die"; "stepped", "steps" -> "step"; derivations to their base: "extradition",
    "extradite" -> "extradit", "governorship" -> "governor".

    Why: two reports of one fact inflect its words differently; a full stemmer would need a
    dependency, and the candidates are already narrowed down by the search.
    """
    for possessive in ("'s", "’s"):
        if word.endswith(possessive):
            word = word[:-2]
    if len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif len(word) == 4 and word.endswith("ied"):
        word = word[:-1]  # "died", "lied", "tied"
    elif word.endswith("sses"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = _undoubled(word[:-3])
    elif len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = _undoubled(word[:-2])
    if len(word) > 4 and word.endswith("eed"):
        word = word[:-1]  # "succeed", "succeeded", "succeeding": "succe"
    for suffix in ("ations", "ation", "ions", "ion", "ships", "ship", "ments", "ment", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _undoubled(word: str) -> str:
    """A doubled final consonant left by a stripped ending made single: "stepp" -> "step", "committ"
    -> "commit" (not "ll", "ss", "zz": "fall", "pass"; not when two letters would be left: "add")."""
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        return word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 16)
def _term(word: str) -> str | None:
    """A word as matching compares it (None: a word that says nothing, :data:`MATCH_STOPWORDS`, or a
    number): lower case, an irregular form to its base ("made" -> "make"), stemmed (:func:`stem`), a
    synonym to the word it stands for ("killed" -> "die"). Cached: news reuses its words."""
    lower = word.lower()
    if lower in MATCH_STOPWORDS or lower in _NUMBER_WORDS or lower[0].isdigit() or len(lower) < 2:
        return None
    stemmed = stem(IRREGULAR_FORMS.get(lower, lower))
    return MATCH_SYNONYMS.get(stemmed, stemmed)


#: Titles as terms: "the Queen" names "Queen Elizabeth II" (:func:`_mentioned`).
_TITLES = frozenset(t for t in map(_term, TITLE_WORDS) if t)
#: Words of a name that do not tell which one it is: titles, the heads of organisations' names, and the
#: kinds and places of :data:`NAME_KIND_WORDS`.
_NAME_DESCRIPTORS = _TITLES | frozenset(t for t in map(_term, ORGANISATION_HEADS | NAME_KIND_WORDS) if t)


def _spelled_out(text: str) -> str:
    """Country and union abbreviations written out: "U.S." -> "United States"."""
    return _ABBREVIATIONS.sub(lambda found: ABBREVIATIONS[found.group()], text)


def terms_of(text: str) -> frozenset[str]:
    """The normalised content words of a text (no function words, dates or numbers)."""
    return frozenset(t for t in map(_term, _WORD.findall(_spelled_out(text))) if t)


def _capitalised(text: str) -> Iterable[tuple[re.Match[str], bool]]:
    """The capitalised words of a text, each with whether it starts a sentence."""
    for found in _WORD.finditer(text):
        if found.group()[0].isupper():
            before = found.start() - 1
            while before >= 0 and text[before].isspace():
                before -= 1
            possessive = before > 0 and text[before] in "'’" and text[before - 1].isalpha()  # "Workers' Party"
            yield found, before < 0 or (text[before] in _SENTENCE_END and not possessive)


def article_names(report: Report) -> frozenset[str]:
    """The words an article writes as names: capitalised inside a sentence of a claim or the summary,
    or in a source's names ("Gillibrand" of "Kirsten Gillibrand, who ..."), as written."""
    texts = [c.text for c in report.claims] + list(report.summary)
    words = {word.group() for text in texts for word, starts in _capitalised(_spelled_out(text)) if not starts}
    return frozenset(words) | {
        w.group() for s in report.sources for n in (s.name, *s.aliases) for w, _ in _capitalised(_spelled_out(n))
    }


def _names(text: str, known: frozenset[str]) -> tuple[frozenset[str], ...]:
    """The claim's names, each as the set of its terms: runs of words capitalised inside a sentence, and
    at a sentence's start those the article writes as names elsewhere (``known``): "Gillibrand dropped
    out" -> ({"gillibrand"},); "the Kurdistan Workers' Party" -> ({"kurdistan", "worker", "party"},).

    Why: a capital at the start of a sentence says nothing; the same word capitalised inside another
    sentence of the article, or naming a source, says it is a name. The words of one name are kept
    together, so that another claim mentions the name when it mentions the word that tells which one
    it is (:func:`_mentioned`).
    """
    names: list[set[str]] = []
    end = -1
    text = _spelled_out(text)
    for found, starts in _capitalised(text):
        term = _term(found.group())
        if not term or (starts and found.group() not in known):
            end = -1
            continue
        gap = text[end : found.start()] if end >= 0 else None
        if gap is not None and all(ch in _NAME_JOINERS for ch in gap):
            names[-1].add(term)
        else:
            names.append({term})
        end = found.end()
    return tuple(sorted({frozenset(n) for n in names}, key=sorted))


def _key_figure(figure: Figure) -> KeyFigure:
    return KeyFigure(figure.text, figure.value, terms_of(figure.counts or ""))


def claim_key(
    text: str,
    source_names: Iterable[str],
    outlet: str | None,
    figures: Iterable[Figure],
    known_names: frozenset[str] = frozenset(),
) -> ClaimKey:
    """The key of one claim: ``source_names`` empty for the outlet's own claim; ``known_names``: the
    words its article writes as names (:func:`article_names`)."""
    numbered = frozenset(f"{m.group(1).lower()}#{m.group(2).lower()}" for m in _NUMBERED.finditer(text))
    return ClaimKey(
        terms=terms_of(text) | numbered,
        names=_names(text, known_names),
        source=tuple(s for s in (terms_of(name) for name in source_names) if s),
        outlet=(outlet or "").strip().lower() or None,
        figures=tuple(_key_figure(f) for f in figures if not _NUMBERED.search(_around(text, f.text))),
        denied=denied_terms(text),
    )


def denied_terms(text: str) -> frozenset[str]:
    """The terms a negator governs: the content words among the :data:`DENIAL_REACH` words after "not",
    "never", "won't" ... ("he will not approve a budget" -> {"approv", "budget"}), unless the negator is
    inside a conditional clause ("if the Senate does not confirm me, ...": from "if" or "unless" to the
    next punctuation).

    Why: "he will not approve a budget" and "he will approve a budget" share every content word and
    state opposite things; a negator elsewhere in a long claim ("not reconvene until October 14" /
    "remain out of session through October 14") says nothing about the words the two share, and one in
    a condition denies nothing ("if the Senate does not confirm me, I will leave" / "he would leave if
    the Senate voted against confirming him").
    """
    text = _spelled_out(text)
    found = list(_WORD.finditer(text))
    words = [m.group() for m in found]
    denied: set[str] = set()
    condition = False
    for at, match in enumerate(found):
        lower = words[at].lower()
        if at and any(ch in _CLAUSE_ENDS for ch in text[found[at - 1].end() : match.start()]):
            condition = False
        if lower in CONDITIONALS:
            condition = True
        elif (lower in NEGATIONS or lower.endswith(("n't", "n’t"))) and not condition:
            denied.update(t for t in map(_term, words[at + 1 : at + 1 + DENIAL_REACH]) if t)
    return frozenset(denied)


def _denies(a: ClaimKey, b: ClaimKey) -> bool:
    """``a`` denies what ``b`` asserts: a term ``a`` denies is in ``b`` and not denied there."""
    return bool(a.denied & (b.terms - b.denied))


def _around(text: str, figure: str) -> str:
    """The figure with the word before it, to tell "category 3" (a name) from "3 hurricanes"."""
    at = text.find(figure)
    return text[max(0, at - 20) : at + len(figure)] if at >= 0 else ""


def report_keys(report: Report) -> list[tuple[str, ClaimKey]]:
    """Every claim of a report with its key, in report order."""
    keys = []
    known = article_names(report)
    for claim in report.claims:
        source = report.source(claim.source_id)
        names = (source.name, *source.aliases) if source else ()
        keys.append((claim.id, claim_key(claim.text, names, report.article.outlet, claim.figures, known)))
    return keys


def search_token(term: str) -> str:
    """A term as a full-text search token: letters and digits only ("category#3" -> "category3")."""
    return _NOT_ALNUM.sub("", term)


def search_terms(key: ClaimKey) -> list[str]:
    """The tokens to index and look a claim up by (sorted, so a query is the same for the same claim)."""
    return sorted({t for t in map(search_token, key.terms) if t})


def key_to_json(key: ClaimKey) -> str:
    """The key as JSON (sorted, so one key always gives the same text)."""
    return json.dumps(
        {
            "terms": sorted(key.terms),
            "names": sorted(sorted(name) for name in key.names),
            "source": sorted(sorted(name) for name in key.source),
            "outlet": key.outlet,
            "figures": [[f.text, f.value, sorted(f.counts)] for f in key.figures],
            "denied": sorted(key.denied),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def key_from_json(text: str) -> ClaimKey:
    """Inverse of :func:`key_to_json`."""
    data = json.loads(text)
    return ClaimKey(
        terms=frozenset(data["terms"]),
        names=tuple(frozenset([name] if isinstance(name, str) else name) for name in data["names"]),
        source=tuple(frozenset(name) for name in data["source"]),
        outlet=data["outlet"],
        figures=tuple(KeyFigure(t, v, frozenset(c)) for t, v, c in data["figures"]),
        denied=frozenset(data.get("denied", ())),
    )


def idf_from_counts(doc_freq: Mapping[str, int], docs: int) -> Idf:
    """BM25's inverse document frequency over ``docs`` stored claims: ``log(1 + (N - n + 0.5) / (n + 0.5))``
    (each term's value computed once)."""
    known: dict[str, float] = {}

    def idf(term: str) -> float:
        value = known.get(term)
        if value is None:
            n = min(doc_freq.get(term, 0), docs)
            value = known[term] = math.log(1 + (docs - n + 0.5) / (n + 0.5))
        return value

    return idf


def score(a: ClaimKey, b: ClaimKey, idf: Idf) -> float:
    """The content words' overlap, 0..1: the mean of their weighted Dice coefficient and their weighted
    overlap coefficient (the shared weight over the shorter claim's).

    Why: one report often adds a clause to the statement of another ("Before resigning, Rosselló
    appointed Pierluisi as secretary of state, the position which ..."); Dice alone punishes the added
    clause, the overlap coefficient alone would let a short phrase match any long claim that holds it.
    """
    weight_a = sum(idf(t) for t in a.terms)
    weight_b = sum(idf(t) for t in b.terms)
    if not weight_a or not weight_b:
        return 0.0
    shared = sum(idf(t) for t in a.terms & b.terms)
    return (2 * shared / (weight_a + weight_b) + shared / min(weight_a, weight_b)) / 2


def same_source(a: ClaimKey, b: ClaimKey) -> bool:
    """One source: both the outlet's own claims (of the same outlet, or an outlet not known), or two
    names of which one holds the other ("Trump" in "Donald Trump")."""
    if not a.source and not b.source:
        return a.outlet is None or b.outlet is None or a.outlet == b.outlet
    return any(x <= y or y <= x for x in a.source for y in b.source)


def _names_clash(a: ClaimKey, b: ClaimKey) -> bool:
    """Each side names someone or something the other does not mention at all.

    Why: claims built on one template ("X, who was a candidate ..., ended his campaign") share every
    content word but the name, and the name is what the claim is about.
    """
    return any(not _mentioned(n, b) for n in a.names) and any(not _mentioned(n, a) for n in b.names)


def _mentioned(name: frozenset[str], other: ClaimKey) -> bool:
    """Whether the claim ``other`` mentions ``name`` (a name's terms): in its words or its source's names
    (a word there starting with the same :data:`NAME_PREFIX` letters: "China" and "Chinese"), by a word
    that tells which one it is (the surname of a full name, "Humberto" of "Hurricane Humberto"), or by
    a title used as the name ("the Queen" of "Queen Elizabeth II").

    Why: reports name one person or thing in several ways, and the claim a source makes is about the
    source as much as its words say ("allow him to" in Trump's claim, "Trump's" in the other); a
    title or a kind ("Hurricane", "United", "Party") is shared by names of different things.
    """
    prefixes = {t[:NAME_PREFIX] for t in other.terms.union(*other.source)}
    telling = name - _NAME_DESCRIPTORS
    if not telling:
        return all(t[:NAME_PREFIX] in prefixes for t in name)
    return any(t[:NAME_PREFIX] in prefixes for t in telling) or any(n <= _TITLES & name for n in other.names)


def _numbered_differ(a: ClaimKey, b: ClaimKey) -> bool:
    """Both name a numbered thing of one kind, with different numbers ("category 1" against "category 3").

    Why: the number says which thing the claim is about; the rest of two such claims is often word for
    word the same (a definition repeated for each category).
    """
    kinds_a = {t.split("#")[0] for t in a.terms if "#" in t}
    kinds_b = {t.split("#")[0] for t in b.terms if "#" in t}
    shared = {t for t in a.terms & b.terms if "#" in t}
    return bool(kinds_a & kinds_b) and not shared


def _share_a_name(a: ClaimKey, b: ClaimKey) -> bool:
    """Some name of one claim is mentioned by the other (:func:`_mentioned`).

    Why: two figures of one counted thing conflict only when they are of one event or storm, and a claim
    says which by a name ("Humberto had winds of 75 mph" / "... of 120 mph"); "the attack killed twelve"
    and "six Mexicans were killed in the attack" are two attacks. The same name with the same figure is
    what a short report of a longer statement keeps, so one word fewer in common is enough then.
    """
    return any(_mentioned(n, b) for n in a.names) or any(_mentioned(n, a) for n in b.names)


def _named_with_a_figure(a: ClaimKey, b: ClaimKey) -> bool:
    """The two claims share a name, and give a figure the same number or conflicting ones."""
    agreed = {f.value for f in a.figures} & {f.value for f in b.figures} - {None}
    return bool(agreed or figure_conflicts(a.figures, b.figures)) and _share_a_name(a, b)


def figure_conflicts(here: Sequence[KeyFigure], there: Sequence[KeyFigure]) -> tuple[tuple[KeyFigure, KeyFigure], ...]:
    """Pairs of figures that count the same thing with different numbers, when no figure of the two
    claims gives that thing the same number."""
    pairs = [(a, b) for a in here for b in there if a.counts & b.counts and a.value is not None and b.value is not None]
    agreed = {t for a, b in pairs if a.value == b.value for t in a.counts & b.counts}
    return tuple((a, b) for a, b in pairs if a.value != b.value and not (a.counts & b.counts) & agreed)


def _figures_differ(here: Sequence[KeyFigure], there: Sequence[KeyFigure]) -> bool:
    """Both claims give numbers and share none: they tell of different things."""
    mine = {f.value for f in here if f.value is not None}
    theirs = {f.value for f in there if f.value is not None}
    return bool(mine) and bool(theirs) and not mine & theirs


def best_matches(
    new: ClaimKey, candidates: Iterable[tuple[_T, ClaimKey]], idf: Idf, thresholds: Thresholds = THRESHOLDS
) -> dict[MatchLabel, tuple[_T, Match]]:
    """The best stored claim of each label for ``new``: the highest score, the first one on a tie."""
    best: dict[MatchLabel, tuple[_T, Match]] = {}
    for ref, old in candidates:
        found = compare(new, old, idf, thresholds)
        if found and (found.label not in best or found.score > best[found.label][1].score):
            best[found.label] = (ref, found)
    return best


def decide(new: ClaimKey, old: ClaimKey, idf: Idf, thresholds: Thresholds = THRESHOLDS) -> Match | str:
    """How the stored claim ``old`` relates to ``new``, or the rule that makes it another statement (the
    reasons ``python -m bot.matching_eval --details`` lists)."""
    common = len(new.terms & old.terms)
    if common < MIN_SHARED_TERMS - 1 or (common < MIN_SHARED_TERMS and not _named_with_a_figure(new, old)):
        return f"fewer than {MIN_SHARED_TERMS} content words in common (or {MIN_SHARED_TERMS - 1}, a name and a figure)"
    if _denies(new, old) or _denies(old, new):
        return "one denies what the other asserts"
    if _names_clash(new, old):
        return "each names something the other does not mention"
    if _numbered_differ(new, old):
        return "numbered things of one kind with other numbers"
    value = score(new, old, idf)
    conflicts = figure_conflicts(new.figures, old.figures)
    if conflicts:
        if not _share_a_name(new, old):
            return "a conflict of figures, and no name in common"
        if value >= thresholds.conflict:
            return Match("conflicting", value, conflicts)
        return f"a conflict of figures, but the score {value:.3f} is under {thresholds.conflict}"
    if value < thresholds.match:
        return f"the score {value:.3f} is under {thresholds.match}"
    if _figures_differ(new.figures, old.figures):
        return "figures that all differ"
    return Match("same" if same_source(new, old) else "corroborating", value)


def compare(new: ClaimKey, old: ClaimKey, idf: Idf, thresholds: Thresholds = THRESHOLDS) -> Match | None:
    """How the stored claim ``old`` relates to ``new``, or None when it is another statement."""
    found = decide(new, old, idf, thresholds)
    return found if isinstance(found, Match) else None

"""What is not established, why, and the article's own words that show it.

Signals after the verification handbooks editors use (Silverman, *Verification Handbook*, 2014; AP
Stylebook on anonymous sources) and the CoNLL-2010 hedge-cue guidelines (Farkas et al. 2010).
Each finder returns ``(reason, evidence span)`` pairs over a parsed ``Doc``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Token

from bot.extraction.lexicon import HEDGE_MODALS, HEDGE_VERBS, HEDGE_WORDS
from bot.extraction.select import tokens_with

Span = tuple[int, int]
Signal = tuple[str, Span]
_FAR = 1 << 62  # sorts after any real span end

_NEGATORS = frozenset("not n't never no neither nor unable".split())
#: "without providing numbers", "offered no evidence", "no evidence has been presented".
NO_EVIDENCE = re.compile(
    r"\bwithout (?:providing|giving|offering|presenting|citing|showing|producing|publishing|releasing|"
    r"any|further)?\s*(?:any |further |specific )?(?:numbers|evidence|details|proof|figures|specifics|data)\b"
    r"|\b(?:offered|provided|gave|presented|cited|produced) no (?:evidence|proof|details|numbers|figures)\b"
    r"|\bno evidence (?:has|had|was|were)? ?(?:been )?(?:presented|provided|offered|given|produced)\b"
    r"|\bwithout evidence\b",
    re.IGNORECASE,
)
#: "media reports", "local media", "according to reports", "it was reported", "reportedly".
UNNAMED_REPORT_NOUNS = frozenset("reports report media accounts rumors rumours".split())
#: Every word a signal rule can fire on (lemmas and lower-case forms).
TRIGGER_WORDS: frozenset[str] = (
    frozenset(
        "verify unverified unconfirmed confirm corroborate deny refute dismiss reject reportedly anonymity".split()
    )
    | UNNAMED_REPORT_NOUNS
    | HEDGE_WORDS
    | HEDGE_VERBS
    | HEDGE_MODALS
)


def find_signals(doc: Doc, text: str, body: Sequence[Span]) -> list[Signal]:
    """All verification signals in the body paragraphs (sorted spans) of ``doc``."""
    signals: list[Signal] = []
    for match in NO_EVIDENCE.finditer(text):
        if _in_body(match.start(), body):
            signals.append(("no_evidence", (match.start(), match.end())))
    for token in tokens_with(doc, TRIGGER_WORDS):
        if not _in_body(token.idx, body):
            continue
        lemma = token.lemma_.lower()
        if lemma == "verify" or token.lower_ in ("unverified", "unconfirmed"):
            signals.extend(_non_verification(token))
        elif lemma in ("confirm", "corroborate"):
            signals.extend(_non_confirmation(token))
        elif lemma in ("deny", "refute", "dismiss", "reject") and token.pos_ == "VERB":
            signals.extend(_denial(token))
        elif token.lower_ in UNNAMED_REPORT_NOUNS and token.pos_ == "NOUN":
            signals.extend(_unnamed_reports(token))
        elif token.lower_ == "reportedly" or token.lower_ == "anonymity":
            signals.append(
                ("unnamed_reports" if token.lower_ == "reportedly" else "anonymous_source", _phrase(token, 6))
            )
        elif token.lower_ in HEDGE_WORDS:
            signals.append(("hedged", _phrase(token, 5)))
        elif lemma in HEDGE_VERBS and token.pos_ == "VERB" and _governs_infinitive(token):
            signals.append(("hedged", _hedge_verb_phrase(token)))
        elif token.lower_ in HEDGE_MODALS and token.dep_ == "aux" and token.head.pos_ == "VERB":
            if any(c.lower_ == "have" for c in token.head.children) or token.head.lemma_ == "be":
                signals.append(("hedged", _phrase(token, 5)))
    return signals


def _non_verification(token: Token) -> Iterator[Signal]:
    """ "has not been able to independently verify", "could not be verified", "unverified"."""
    if token.lower_ in ("unverified", "unconfirmed"):
        yield ("not_independently_verified" if token.lower_ == "unverified" else "not_confirmed", _phrase(token, 4))
        return
    if not _negated(token):
        return
    start = _clause_start(token)
    end = _object_end(token)
    yield ("not_independently_verified", (token.doc[start].idx, end))


def _non_confirmation(token: Token) -> Iterator[Signal]:
    """ "Neither X nor Y have confirmed", "did not confirm", "declined to confirm"."""
    declined = token.dep_ == "xcomp" and token.head.lemma_ in ("decline", "refuse")
    if not (_negated(token) or declined):
        return
    if any(c.lower_ == "independently" for c in token.children):
        reason = "not_independently_verified"
    else:
        reason = "not_confirmed"
    subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if declined:
        subject = next((c for c in token.head.children if c.dep_ == "nsubj"), subject)
    start = subject.left_edge.i if subject is not None else _clause_start(token)
    yield (reason, (token.doc[start].idx, _object_end(token)))


def _denial(token: Token) -> Iterator[Signal]:
    subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
    start = subject.left_edge.i if subject is not None else token.i
    yield ("denied", (token.doc[start].idx, _object_end(token)))


def _unnamed_reports(token: Token) -> Iterator[Signal]:
    """ "media reports that ...", "according to reports", "local media reported"."""
    doc = token.doc
    if token.lower_ in ("report", "reports", "accounts"):
        modifiers = [c for c in token.children if c.dep_ in ("compound", "amod") and c.i < token.i]
        named = any(
            c.ent_type_ in ("ORG", "PERSON", "GPE", "NORP") for c in token.children if c.dep_ in ("poss", "compound")
        )
        vague = token.lower_ == "reports" and not any(
            c.dep_ in ("det", "poss") and c.lower_ not in ("some",) for c in token.children
        )
        media = any(c.lemma_.lower() in ("media", "medium", "news", "press", "unconfirmed", "local") for c in modifiers)
        if named or not (media or vague and token.head.lower_ in ("to", "after", "amid")):
            return
        start = modifiers[0].i if modifiers else token.i
        clause = next((c for c in token.children if c.dep_ in ("acl", "relcl", "ccomp")), None)
        end = clause.right_edge.i if clause is not None else token.i
        yield ("unnamed_reports", (doc[start].idx, doc[end].idx + len(doc[end].text)))
    elif token.lower_ == "media" and token.dep_ in ("nsubj", "pobj") and not any(c.ent_type_ for c in token.children):
        yield ("unnamed_reports", _phrase(token, 4))


def _negated(token: Token) -> bool:
    """The verb, or a verb above it in its clause chain ("not been able to verify"), is negated."""
    node, hops = token, 0
    while hops < 4:
        for child in node.children:
            if (
                child.lower_ in _NEGATORS
                or child.dep_ == "neg"
                or child.dep_ == "preconj"
                and child.lower_ == "neither"
            ):
                return True
            if child.dep_ in ("nsubj", "nsubjpass") and any(g.lower_ == "neither" for g in child.children):
                return True
        if node.dep_ not in ("xcomp", "acomp", "ccomp") or node.head is node:
            return False
        node, hops = node.head, hops + 1
    return False


def _clause_start(token: Token) -> int:
    """First auxiliary or negation of the verb chain above ``token`` ("has not been able to ...")."""
    node, start = token, token.i
    for _ in range(4):
        for child in node.children:
            if child.dep_ in ("aux", "auxpass", "neg") and child.i < start:
                start = child.i
        if node.dep_ not in ("xcomp", "acomp") or node.head is node:
            break
        node = node.head
        start = min(start, node.i)
        for child in node.children:
            if child.dep_ in ("aux", "auxpass", "neg") and child.i < start:
                start = child.i
    return start


def _object_end(token: Token) -> int:
    obj = next((c for c in token.children if c.dep_ in ("dobj", "ccomp", "attr")), None)
    last = obj.right_edge if obj is not None and obj.right_edge.i - token.i <= 14 else (obj or token)
    return last.idx + len(last.text)


def _governs_infinitive(token: Token) -> bool:
    return any(c.dep_ == "xcomp" and any(g.lower_ == "to" for g in c.children) for c in token.children)


def _hedge_verb_phrase(token: Token) -> Span:
    """ "what appear to be corpses": the hedging verb, its wh-subject and what it hedges."""
    doc = token.doc
    start = token.i
    subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.i == token.i - 1 and subject.tag_.startswith("W"):
        start = subject.i
    complement = next(c for c in token.children if c.dep_ == "xcomp")
    target = next((c for c in complement.children if c.dep_ in ("attr", "dobj", "acomp")), complement)
    end = target.i
    return (doc[start].idx, doc[end].idx + len(doc[end].text))


def _phrase(token: Token, width: int) -> Span:
    """The token and the words after it in its sentence, up to ``width`` tokens."""
    doc = token.doc
    sent_end = token.sent.end
    end = token.i
    while end + 1 < min(sent_end, token.i + width) and not doc[end + 1].is_punct:
        end += 1
    return (token.idx, doc[end].idx + len(doc[end].text))


def _in_body(position: int, body: Sequence[Span]) -> bool:
    index = bisect_right(body, (position, _FAR)) - 1
    return index >= 0 and body[index][0] <= position < body[index][1]

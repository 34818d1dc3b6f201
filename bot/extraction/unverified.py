"""What is not established, why, and the article's own words that show it.

The definition is the labelling rules in ``../shared/eval/unverified-guidelines.md``: type by type what
an editor flags and what never counts. Signals after the verification handbooks editors use (Silverman,
*Verification Handbook*, 2014; AP Stylebook on anonymous sources) and the CoNLL-2010 hedge-cue
guidelines (Farkas et al. 2010). Each finder returns ``(reason, evidence span)`` pairs over a parsed
``Doc``; every rule visits only the tokens its trigger words hit, so the cost stays linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Token

from bot.extraction.figures import find_estimates, in_forecast
from bot.extraction.lexicon import (
    AGENTLESS_SPEECH_VERBS,
    ALWAYS_UNNAMED_HEADS,
    ANALYSIS_NOUNS,
    ANONYMITY_PHRASES,
    BELIEF_VERBS,
    CONFLICT_PHRASES,
    DENIED_GRANTS,
    EVIDENCE_VERBS,
    FACT_HEDGES,
    FORECAST_WORDS,
    HEDGE_ADVERBS,
    HEDGE_NOUNS,
    OPINION_VERBS,
    PRESS_NOUNS,
    RECORDINGS,
    REPORT_NOUNS,
    SPEECH_VERBS,
    SPOKESPERSON_HEADS,
    SUGGEST_VERBS,
    TALK_NOUNS,
    UNCERTIFIED_RESULT_WORDS,
    UNNAMED_SOURCE_HEADS,
    VERSION_VERBS,
)
from bot.extraction.select import number_tokens, tokens_with

Span = tuple[int, int]
Signal = tuple[str, Span]
_FAR = 1 << 62  # sorts after any real span end

#: Verbs of belief by which an unnamed source gives a fact ("officials believe the fire was set").
_BELIEFS = frozenset("believe think know suspect".split())
_SENTENCE_END = re.compile(r"[.!?\n]")
_NEGATORS = frozenset("not n't never no neither nor unable".split())
_PRESS_HEADS = frozenset("reports report accounts outlets outlet sources organisations organizations".split())
_PLACES = ("close", "familiar", "within", "inside")
_STUDY_GROUPS = frozenset("scientists researchers experts".split())
_PERSON_PRONOUNS = frozenset("i we you he she they someone somebody".split())


def _phrases(phrases: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)


#: "without providing numbers", "offered no evidence", "there is no evidence that", "unsubstantiated".
NO_EVIDENCE = re.compile(
    r"\bwithout (?:providing|giving|offering|presenting|citing|showing|producing|publishing|releasing|"
    r"any|further)?\s*(?:any |further |specific )?(?:numbers|evidence|details|proof|figures|specifics|data)\b"
    r"|\b(?:offered|provided|gave|presented|cited|produced|showed|specified) no (?:\w+ )?"
    r"(?:evidence|proof|details|numbers|figures|date|source)\b"
    r"|\b(?:did not|didn't|failed to) (?:offer|provide|give|present|produce|show) (?:any )?(?:evidence|proof)\b"
    r"|\bno (?:\w+ )?(?:evidence|proof|suggestion|indication)\b"
    r"|\b(?:insufficient|lack of|scant|little) evidence\b"
    r"|\bwithout evidence\b|\bunsubstantiated\b|\bunproven\b",
    re.IGNORECASE,
)
#: "it is not clear how", "no cause was immediately known", "we don't yet know".
UNKNOWN = re.compile(
    r"\b(?:not|n't) (?:yet |immediately |entirely |fully |officially )?(?:clear|known|certain)\b"
    r"|\bunclear\b|\b(?:do|does|did) (?:not|n't) (?:yet )?know\b|\bdon't (?:yet )?know\b"
    r"|\bno (?:\w+ ){0,2}(?:was|were|is|has been|had been) (?:immediately |yet |officially )?"
    r"(?:known|given|determined|established)\b"
    r"|\b(?:is|was|are|were|remains?|remained) (?:still |as yet |largely )?unknown\b|\ban unknown number\b"
    r"|\b(?:not|n't) (?:yet )?(?:been )?(?:determined|established)\b",
    re.IGNORECASE,
)
ANONYMITY = _phrases(ANONYMITY_PHRASES)
CONFLICT = _phrases(CONFLICT_PHRASES)
#: A version replaced by a later one: "was later found to be a fake", "has since said".
RETRACTION = re.compile(
    r"\b(?:later|since|subsequently) (?:found|shown|proved|proven|revealed|determined|established) to be\b"
    r"|\b(?:has|have|had) since (?:said|claimed|retracted|recanted|alleged|insisted|maintained)\b",
    re.IGNORECASE,
)
_TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("no_evidence", NO_EVIDENCE),
    ("hedged", UNKNOWN),
    ("anonymous_source", ANONYMITY),
    ("conflicting", CONFLICT),
    ("conflicting", RETRACTION),
)

_NEGATED_CONFIRMS = frozenset("confirm corroborate concede uphold acknowledge admit".split())
_DENIALS = frozenset("deny refute dismiss reject".split())
_CLAIM_NOUNS = frozenset(
    "claim claims report reports allegation allegations accusation accusations charge charges suggestion "
    "story rumour rumours rumor rumors assertion notion idea it this that which wrongdoing involvement "
    "responsibility role link links".split()
)
_APPOINTED = frozenset("him her me them us".split())
#: Nouns for one version of a fact or figure ("disputed the account", "the disputed toll").
_VERSION_NOUNS = frozenset("account accounts version versions figure figures toll number numbers count tally".split())
_PRONOUNS = frozenset("it this that which".split())
_DENIAL_WORDS = frozenset("false untrue baseless groundless unfounded fabricated fabrication nonsense".split())
#: Every word a token rule can fire on (lemmas and lower-case forms).
TRIGGER_WORDS: frozenset[str] = (
    frozenset("verify unverified unconfirmed comment reportedly suggest question results dispute contest fear".split())
    | _NEGATED_CONFIRMS
    | _DENIALS
    | _DENIAL_WORDS
    | REPORT_NOUNS
    | PRESS_NOUNS
    | ANALYSIS_NOUNS
    | TALK_NOUNS
    | AGENTLESS_SPEECH_VERBS
    | HEDGE_ADVERBS
    | HEDGE_NOUNS
    | FACT_HEDGES
    | BELIEF_VERBS
    | SUGGEST_VERBS
    | UNNAMED_SOURCE_HEADS
    | RECORDINGS
    | frozenset("appear seem may might project but though although whereas".split())
)


def find_signals(doc: Doc, text: str, body: Sequence[Span]) -> list[Signal]:
    """All signals that something is not established, in the body paragraphs (sorted spans) of ``doc``."""
    found: list[Signal] = []
    for reason, pattern in _TEXT_RULES:
        found.extend((reason, m.span()) for m in pattern.finditer(text))
    found.extend(("estimate", span) for span in find_estimates(doc))
    found.extend(("conflicting", span) for span in _figures_of_two_sources(doc))
    named_spokesperson = _names_a_spokesperson(doc)
    for token in tokens_with(doc, TRIGGER_WORDS):
        found.extend(_token_signals(token, named_spokesperson))
    return [(reason, span) for reason, span in found if _in_body(span[0], body) and not _in_question(text, span)]


def _in_question(text: str, span: Span) -> bool:
    """The span's sentence ends in a question mark.

    Why: questions are never marked; an interviewer's "do you think it might be ..." asserts nothing.
    """
    end = _SENTENCE_END.search(text, span[1])
    return end is not None and end.group() == "?"


def _token_signals(token: Token, named_spokesperson: bool) -> Iterator[Signal]:
    lemma, lower = token.lemma_.lower(), token.lower_
    if lemma == "verify" or lower in ("unverified", "unconfirmed"):
        yield from _non_verification(token)
    elif lemma in _NEGATED_CONFIRMS or lemma == "comment":
        yield from _non_confirmation(token)
    elif lemma in _DENIALS and token.pos_ == "VERB":
        yield from _denial(token)
    elif lower in _DENIAL_WORDS:
        yield from _called_false(token)
    elif lower == "reportedly":
        yield ("unnamed_reports", _phrase(token, 6))
    elif lemma in ("dispute", "contest") and token.pos_ in ("VERB", "ADJ"):
        yield from _disputed(token)
    elif lower in ("but", "though", "although", "whereas"):
        yield from _second_version(token)
    if lower in UNNAMED_SOURCE_HEADS:
        yield from _unnamed_source(token, named_spokesperson)
    if token.pos_ in ("NOUN", "PROPN"):
        yield from _unnamed_reports(token)
    elif token.pos_ in ("VERB", "AUX"):
        yield from _agentless_speech(token)
    yield from _hedges(token)


# --- non-verification, non-confirmation and denial --------------------------------------------------


def _non_verification(token: Token) -> Iterator[Signal]:
    """ "has not been able to independently verify", "could not be verified", "unverified".

    Why: the outlet or a party saying a claim was not verified is the plainest signal of all.
    """
    if token.lower_ == "unconfirmed" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "by":
        return  # "remain unconfirmed by the Senate": an appointment
    if token.lower_ in ("unverified", "unconfirmed"):
        # Why: the labels treat "unconfirmed reports" like "unverified footage": nobody checked it.
        yield ("not_independently_verified", _phrase(token, 4))
        return
    if not _negated(token):
        return
    start = _clause_start(token)
    yield ("not_independently_verified", (token.doc[start].idx, _object_end(token)))


def _non_confirmation(token: Token) -> Iterator[Signal]:
    """ "Neither X nor Y have confirmed", "did not concede defeat", "declined to comment".

    Why: a party in a position to confirm that has not leaves the claim open; confirming a person
    ("the Senate has not confirmed him") is an appointment, not a claim.
    """
    declined = token.dep_ == "xcomp" and token.head.lemma_ in ("decline", "refuse")
    if any(c.dep_ == "dobj" and (c.ent_type_ == "PERSON" or c.lower_ in _APPOINTED) for c in token.children):
        return  # "the Senate had not confirmed him": an appointment, not a claim
    if token.lemma_.lower() == "comment" and not declined:
        return
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
    """ "denied the report", "which he denied", "dismissed the claim"; not "denied funding".

    Why: "deny" also means to refuse a grant ("denied them citizenship"); only a denied claim
    leaves something unconfirmed.
    """
    objects = [c for c in token.children if c.dep_ in ("dobj", "ccomp", "dative")]
    following = token.doc[token.i + 1 : token.i + 5]
    if any(c.dep_ == "dative" for c in token.children) or any(t.lemma_.lower() in DENIED_GRANTS for t in following):
        return
    if token.lemma_.lower() != "deny" and not any(c.lower_ in _CLAIM_NOUNS - _PRONOUNS for c in objects):
        return  # "rejected the plan", "which they rejected": a refusal, not a denial
    subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
    start = subject.left_edge.i if subject is not None and subject.i < token.i else token.i
    if token.i >= 1 and token.doc[token.i - 1].lower_ == "which" or subject is not None and subject.i == token.i - 1:
        start = min(start, token.i - 1)
    yield ("denied", (token.doc[start].idx, _object_end(token)))


def _called_false(token: Token) -> Iterator[Signal]:
    """ "called the story absolutely false", "the reports are groundless".

    Why: calling a claim false is a denial in other words.
    """
    head = token.head
    claims = [c for c in head.children if c.dep_ in ("dobj", "nsubj", "nsubjpass") and c.lower_ in _CLAIM_NOUNS]
    if claims:
        start = min(claims[0].left_edge.i, head.i)
        yield ("not_confirmed", (token.doc[start].idx, token.idx + len(token.text)))


# --- anonymous sources and unnamed reports -----------------------------------------------------------


def _names_a_spokesperson(doc: Doc) -> bool:
    """Whether the article names any spokesperson ("police spokesman Mariusz Ciarka")."""
    for token in tokens_with(doc, SPOKESPERSON_HEADS):
        window = doc[max(0, token.i - 4) : token.i + 5]
        if any(t.ent_type_ == "PERSON" for t in window):
            return True
    return False


def _unnamed_source(token: Token, named_spokesperson: bool) -> Iterator[Signal]:
    """A person or group who gives a claim without a name: "officials said", "according to witnesses",
    "citing sources close to the investigation", "one of the victims said".

    Why: AP treats a claim by an unnamed official as needing a named second source. Not marked: a
    named person, a counted group that points back to named people ("both officers"), a spokesperson
    when the article names one, and groups that give opinions ("activists condemned").
    """
    lower = token.lower_
    if token.ent_type_ == "PERSON" or lower in SPOKESPERSON_HEADS and named_spokesperson:
        return
    eyewitness_reports = lower.startswith("eyewitness") and token.head.lower_ in REPORT_NOUNS
    if token.dep_ == "compound" and not eyewitness_reports:
        return
    placed = _placed(token)
    if lower in ("people", "person") and not placed:
        return
    if not placed and any(
        c.dep_ == "appos" or c.dep_ == "nummod" and c.lower_ != "one" or c.lower_ in ("both", "these", "those")
        for c in token.children
    ):
        return
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else token
    if token.dep_ == "appos" or following.ent_type_ == "PERSON":  # "spokesman John Smith"
        return
    if lower in _STUDY_GROUPS and (_named_by(token) or any(c.lower_ == "the" for c in token.children)):
        return  # "researchers from the University of Washington"; "the scientists" of a named study
    node = token
    while node.dep_ == "conj" and node.head is not node:
        node = node.head
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in ("one", "some", "many"):
        node = node.head.head  # "one of the victims said"
    if not (lower in ALWAYS_UNNAMED_HEADS or eyewitness_reports or _speaks(node) or placed):
        return
    start = min([c.left_edge.i for c in token.children if c.i < token.i] + [token.i, node.i])
    end = token.i
    if placed:
        end = max(c.right_edge.i for c in token.children if c.i > token.i and c.lower_ in _PLACES)
        end = min(end, token.i + 8)  # "sources close to the investigation"
    head = node.head
    if node.dep_ == "nsubj" and 0 < head.i - end <= 3:
        end = head.i
    elif node.dep_ == "pobj" and _according(node):
        start = min(start, node.head.head.i)
    doc = token.doc
    yield ("anonymous_source", (doc[start].idx, doc[end].idx + len(doc[end].text)))


def _speaks(node: Token) -> bool:
    """The noun phrase is the one who says, reports or finds something (not an opinion)."""
    head = node.head
    lemma = head.lemma_.lower()
    if node.dep_ == "nsubj":
        said = lemma in SPEECH_VERBS or lemma in _BELIEFS or lemma in EVIDENCE_VERBS
        says_something = head.dep_ in ("parataxis", "ccomp") or any(
            c.dep_ in ("ccomp", "xcomp", "dobj", "parataxis", "prep") for c in head.children
        )
        negated = any(c.dep_ == "neg" for c in head.children)
        asserted = lemma not in OPINION_VERBS and lemma not in FORECAST_WORDS and not negated
        return said and says_something and asserted  # "officials did not respond": nothing given
    if node.dep_ == "pobj" and head.lower_ == "to":
        return _according(node)
    if node.dep_ == "pobj" and head.lower_ == "by":
        return head.head.lemma_.lower() in SPEECH_VERBS or head.head.lemma_.lower() in ("estimate", "report")
    return node.dep_ == "dobj" and lemma in ("cite", "quote")


def _placed(token: Token) -> bool:
    """ "sources close to the investigation", "sources within the ministry", "people familiar with"."""
    places = _PLACES if token.lower_ in ("source", "sources") else _PLACES[:2]
    return any(c.lower_ in places for c in token.children if c.i > token.i)


def _unnamed_reports(token: Token) -> Iterator[Signal]:
    """Reports, media, polls and analyses that carry a claim without saying whose.

    Why: a claim resting on "reports" or "local media" has no source a reader could check; the same
    words with an owner ("the BBC's report", "reports from the hospital") name one.
    """
    lower, lemma = token.lower_, token.lemma_.lower()
    if _named_by(token):
        return
    if lower in TALK_NOUNS and token.dep_ == "attr" and any(c.dep_ == "expl" for c in token.head.children):
        yield ("unnamed_reports", _noun_phrase(token))  # "there have been complaints that"
    elif lower in REPORT_NOUNS:
        yield from _reports(token)
    elif lower in PRESS_NOUNS:
        yield from _press(token)
    elif lemma in ANALYSIS_NOUNS or lower in ANALYSIS_NOUNS:
        if lemma in ("tradition", "legend"):
            if token.dep_ == "pobj" and (token.head.lower_ == "by" or _according(token)):
                yield ("unnamed_reports", (token.head.idx, token.idx + len(token.text)))
        elif token.dep_ == "nsubj" and token.head.lemma_.lower() in EVIDENCE_VERBS | {"estimate", "conclude"}:
            if any(c.lower_ in ("the", "this", "that", "our", "their", "its") for c in token.children):
                return  # "the study found": the study the article names
            yield ("unnamed_reports", _noun_phrase(token))
    elif lower in RECORDINGS and _according(token):
        yield ("unnamed_reports", _noun_phrase(token))  # "according to videos posted on social media"


def _press(token: Token) -> Iterator[Signal]:
    """ "local media reported", "according to local news", "several news outlets", "media reports that";
    not the press as an audience ("told the press") or a setting ("a press conference")."""
    if token.dep_ == "compound":
        if token.head.lower_ not in _PRESS_HEADS:
            return
        target = token.head
    elif token.dep_ == "nsubj" and token.head.lemma_.lower() in SPEECH_VERBS | EVIDENCE_VERBS or _according(token):
        target = token
    elif token.dep_ == "pobj" and token.head.lower_ in ("by", "per", "in") and token.lower_ != "news":
        if token.head.head.lemma_.lower() not in SPEECH_VERBS | AGENTLESS_SPEECH_VERBS:
            return  # "specializes in digital media"
        target = token
    else:
        return
    if any(c.lower_ == "social" for c in target.children) or token.lower_ == "news" and target is token:
        if not _according(token):
            return
    start, end = _noun_phrase(target)
    head = target.head
    if target.dep_ == "nsubj" and head.lemma_.lower() in SPEECH_VERBS:
        end = _object_end(head)
    yield ("unnamed_reports", (start, max(end, _clause_end(target))))


def _reports(token: Token) -> Iterator[Signal]:
    """ "reports said", "by early reports", "according to varying reports", "anger at reports that"."""
    if token.lower_ == "report" and not (_according(token) or token.head.lower_ in ("by", "per")):
        return
    if token.lower_ == "report" and any(c.lower_ in ("the", "this", "that") for c in token.children):
        return  # "according to the report": the report the article names
    if any(c.dep_ == "poss" for c in token.children):
        return
    if token.lower_ == "reports" and token.pos_ == "VERB":
        return
    start, end = _noun_phrase(token)
    yield ("unnamed_reports", (start, max(end, _clause_end(token))))


def _named_by(token: Token) -> bool:
    """The noun has a named owner: "the BBC's report", "a Reuters poll", "reports from the hospital"."""
    for child in token.children:
        if child.dep_ in ("poss", "compound", "nmod") and child.ent_type_ in ("ORG", "PERSON", "GPE", "NORP"):
            return True
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            if any(g.ent_type_ in ("ORG", "PERSON", "GPE", "NORP") or g.pos_ == "PROPN" for g in child.subtree):
                return True
            body = next((g for g in child.children if g.dep_ == "pobj"), None)
            if body is not None and any(d.lower_ == "the" for d in body.children):
                return True  # "reports from the hospital": a body, named by its office
    return False


def _agentless_speech(token: Token) -> Iterator[Signal]:
    """ "it was reported", "is reported to have jumped", "was mentioned as a possible candidate",
    "the reported magnitude": speech whose speaker the sentence does not give.

    Why: the labels count agentless speech as unnamed reports; agentless factual passives ("the body
    was found") are not speech and never fire.
    """
    lemma = token.lemma_.lower()
    if lemma not in AGENTLESS_SPEECH_VERBS or any(c.dep_ == "agent" for c in token.children):
        return
    doc = token.doc
    if lemma == "report" and token.dep_ == "amod" and token.tag_ == "VBN":
        yield ("unnamed_reports", (token.idx, token.head.idx + len(token.head.text)))
        return
    passive = any(c.dep_ == "auxpass" for c in token.children)
    if not passive:
        return
    complement = any(c.dep_ in ("xcomp", "ccomp", "oprd") for c in token.children)
    expletive = any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in token.children)
    as_what = lemma in ("mention", "call") and any(c.lower_ == "as" for c in token.children)
    accused = lemma == "accuse" and any(c.lower_ == "of" for c in token.children)
    if lemma == "call" and not any(c.dep_ == "advmod" and c.lower_.endswith("ly") for c in token.children):
        return  # "has widely been called an honour killing", not the plain naming "are called nationals"
    if any(c.lower_ == "missing" for c in token.children):
        return  # "was reported missing": a missing-person report, not unsourced speech
    if complement or expletive or as_what or accused:
        start = min([c.i for c in token.children if c.dep_ in ("auxpass", "aux") or c.lower_ == "it"] + [token.i])
        yield ("unnamed_reports", (doc[start].idx, token.idx + len(token.text)))


def _according(token: Token) -> bool:
    """The noun is the object of "according to"."""
    return token.head.lower_ == "to" and token.head.head.lower_ == "according"


# --- hedges -------------------------------------------------------------------------------------


def _hedges(token: Token) -> Iterator[Signal]:
    """Wording that marks a fact as uncertain; not the hedges of forecasts, plans or hypotheticals.

    Why: CoNLL-2010 hedge cues, kept to what the labels mark: a hedge of what happened or is the case
    ("may have flooded", "is believed to have fled"), never of what will or would happen.
    """
    lower, lemma = token.lower_, token.lemma_.lower()
    if lower in HEDGE_ADVERBS or lower in HEDGE_NOUNS:
        if not in_forecast(token):
            yield ("hedged", _phrase(token, 5))
    elif lower in FACT_HEDGES:
        if _hedges_a_fact(token):
            yield ("hedged", _phrase(token, 5))
    elif lemma in ("appear", "seem") and token.pos_ in ("VERB", "AUX"):
        if _governs_infinitive(token) or any(c.lower_ in ("if", "though") for c in token.subtree):
            yield ("hedged", _hedge_verb_phrase(token))
    elif lemma == "fear" and token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children):
        yield ("hedged", _phrase(token, 3))  # "are feared dead", "is feared to have drowned"
    elif lemma in BELIEF_VERBS and token.pos_ == "VERB":
        if _belief_about_fact(token):
            yield ("hedged", _phrase(token, 5))
    elif lemma in SUGGEST_VERBS and token.pos_ == "VERB":
        subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
        if subject is not None and _is_evidence(subject) and any(c.dep_ in ("ccomp", "dobj") for c in token.children):
            yield ("hedged", (subject.left_edge.idx, token.idx + len(token.text)))
    elif lemma == "question" and token.pos_ == "VERB":
        if any(g.lower_ in ("whether", "if") for c in token.children if c.dep_ == "ccomp" for g in c.children):
            yield ("hedged", _phrase(token, 4))
    elif lower in ("may", "might") and token.dep_ == "aux" and token.head.pos_ in ("VERB", "AUX"):
        head = token.head
        perfect = any(c.lower_ == "have" for c in head.children)
        if perfect or lower == "may" and head.lemma_ == "be":
            if lower == "may" or not _counterfactual(head):
                yield ("hedged", _phrase(token, 5))
    elif lower == "results" and any(c.lower_ in UNCERTIFIED_RESULT_WORDS for c in token.children):
        yield ("hedged", _noun_phrase(token))
    elif lemma == "project" and token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children):
        yield ("hedged", _phrase(token, 4))  # "is projected to win": an election projection


def _hedges_a_fact(token: Token) -> bool:
    """ "likely died", "the likely cause", "it is possible that he fled"; not "is likely to rise"."""
    if in_forecast(token):
        return False
    if token.dep_ == "amod":
        return token.lower_ in ("likely", "unlikely", "probable")
    if token.dep_ == "advmod":
        return token.head.tag_ in ("VBD", "VBN") or any(c.lower_ == "have" for c in token.head.children)
    complement = next((c for c in token.children if c.dep_ in ("xcomp", "ccomp")), None)
    if complement is None:
        complement = next((c for c in token.head.children if c.dep_ == "ccomp"), None)
    if complement is None:
        return False
    return complement.tag_ == "VBD" or any(c.lower_ in ("have", "had", "has") for c in complement.children)


def _belief_about_fact(token: Token) -> bool:
    """ "is believed to have", "believe him to be aged 25", "believed they had identified",
    "I think it was": belief about a past fact; not an opinion ("I believe I am right")."""
    passive = any(c.dep_ == "auxpass" for c in token.children)
    if passive and (
        _governs_infinitive(token) or any(c.dep_ in ("nsubjpass", "expl") and c.lower_ == "it" for c in token.children)
    ):
        return True  # "is believed to have fled", "it is thought that"
    complement = next((c for c in token.children if c.dep_ in ("ccomp", "xcomp")), None)
    if complement is None:
        return False
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in complement.children):
        return True
    if any(c.dep_ == "aux" and c.lower_ == "had" for c in complement.children):
        return True
    subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
    first_person = subject is not None and subject.lower_ in ("i", "we")
    return first_person and token.tag_ in ("VBP", "VB") and complement.tag_ == "VBD"


def _is_evidence(subject: Token) -> bool:
    """A thing, not a person: "the data", "satellite imaging", "preliminary investigations"."""
    return (
        subject.pos_ == "NOUN"
        and not subject.ent_type_
        and subject.lower_ not in UNNAMED_SOURCE_HEADS
        and subject.lower_ not in _PERSON_PRONOUNS
    )


def _counterfactual(verb: Token) -> bool:
    """ "if we had been there, we might have seen it", "as it might have caused damage": "might" in a
    condition or a reason clause is a hypothetical, not a hedge of what happened."""
    sent = verb.sent
    return any(t.lower_ == "if" for t in sent) or verb.dep_ == "advcl"


# --- conflicting versions ------------------------------------------------------------------------


def _disputed(token: Token) -> Iterator[Signal]:
    """ "the family disputed the police account", "the disputed death toll".

    Why: a party disputing an account or a figure says another version exists (the labels' "named
    parties disputing each other's checkable claim").
    """
    if token.dep_ == "amod" and token.head.lower_ in _VERSION_NOUNS:
        yield ("conflicting", (token.idx, token.head.idx + len(token.head.text)))
        return
    objects = [
        c for c in token.children if c.dep_ in ("dobj", "nsubjpass") and c.lower_ in _VERSION_NOUNS | _CLAIM_NOUNS
    ]
    if objects and not _negated(token):
        subject = next((c for c in token.children if c.dep_ == "nsubj" and c.i < token.i), None)
        start = subject.left_edge.i if subject is not None else token.i
        yield ("conflicting", (token.doc[start].idx, _object_end(token)))


def _second_version(token: Token) -> Iterator[Signal]:
    """ "The attack was claimed by X, but Y said ...": a second version given against a reported first.

    Why: the labels mark the second version of a fact when the article shows both; a contrast whose
    second clause is a fresh statement of someone's (not "but added") after a reported first one is
    the plainest form of it.
    """
    if token.dep_ == "cc":
        second = next((c for c in token.head.children if c.dep_ == "conj" and c.i > token.i), None)
    elif token.dep_ == "mark":
        second = token.head
    else:
        return
    if second is not None and second.lemma_.lower() not in VERSION_VERBS:
        # "..., but upon learning X he claimed ...": the version verb further down the second clause
        second = next((t for t in second.subtree if t.i > token.i and t.lemma_.lower() in VERSION_VERBS), None)
    if second is None or _negated(second) or in_forecast(second):
        return
    subject = next((c for c in second.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < second.i), None)
    said = any(
        c.dep_ in ("ccomp", "xcomp") or c.dep_ == "dobj" and second.lemma_.lower() in ("allege", "claim", "report")
        for c in second.children
    )
    if subject is None or not said:
        return  # "..., but said ..." goes on with the same speaker; "maintains a policy" is no version
    doc = token.doc
    before = doc[token.sent.start : token.i]
    reported = any(t.lemma_.lower() in SPEECH_VERBS | {"deny", "claim"} or t.lower_ in REPORT_NOUNS for t in before)
    if not reported:
        return
    yield ("conflicting", (doc[subject.left_edge.i].idx, _object_end(second)))


def _figures_of_two_sources(doc: Doc) -> Iterator[Span]:
    """ "Phivolcs reported magnitude 5.5; the USGS reported 5.8": one sentence in which two named sources
    each give a figure of the same form, and the figures differ.

    Why: the labels mark the second of two versions of one figure. Each figure goes to the source of
    the nearest reporting verb above it (the nearer source when one verb has two), so "six killed and
    seven injured, according to X" is one source and no conflict.
    """
    by_sentence: dict[int, list[Token]] = {}
    for token in number_tokens(doc):
        if token.ent_type_ not in ("DATE", "TIME", "ORDINAL") and token.pos_ == "NUM":
            by_sentence.setdefault(token.sent.start, []).append(token)
    for numbers in by_sentence.values():
        if len(numbers) < 2 or len({n.lower_ for n in numbers}) < 2:
            continue
        speakers: dict[int, list[Token]] = {}
        for token in numbers[0].sent:
            named = token.pos_ == "PROPN" or token.ent_type_ in ("ORG", "PERSON", "GPE", "NORP")
            verb = _reporting_verb(token) if named else None
            if verb is not None:
                speakers.setdefault(verb.i, []).append(token)
        if len({t.text for ts in speakers.values() for t in ts}) < 2:
            continue
        first = numbers[0]
        source = _source_of(first, speakers)
        for other in numbers[1:]:
            if other.lower_ == first.lower_ or not _same_form(first, other):
                continue
            other_source = _source_of(other, speakers)
            if source is not None and other_source is not None and other_source != source:
                yield (other.idx, other.idx + len(other.text))
                break


def _reporting_verb(token: Token) -> Token | None:
    """The verb a named source gives something with: its reporting verb, "according to", a passive's "by"."""
    node = token
    while node.dep_ in ("compound", "appos") and node.head is not node:
        node = node.head
    head = node.head
    if node.dep_ == "nsubj" and head.lemma_.lower() in VERSION_VERBS:
        return head
    if node.dep_ == "pobj" and _according(node):
        return head.head.head
    if node.dep_ == "pobj" and head.lower_ == "by" and head.dep_ == "agent":
        return head.head
    return None


def _source_of(number: Token, speakers: dict[int, list[Token]]) -> str | None:
    node = number
    for _ in range(8):
        if node.i in speakers:
            return min(speakers[node.i], key=lambda s: abs(s.i - number.i)).text
        if node.head is node:
            return None
        node = node.head
    return None


def _same_form(a: Token, b: Token) -> bool:
    """Two figures that can be versions of one: both decimals or both whole, counting the same noun."""
    if ("." in a.text) != ("." in b.text):
        return False
    return _counted_word(a) == _counted_word(b)


def _counted_word(number: Token) -> str:
    doc = number.doc
    i = number.i + 1
    while i < len(doc) and doc[i].pos_ == "NUM":
        i += 1  # "415 thousand priests"
    return doc[i].lower_ if i < len(doc) and doc[i].pos_ == "NOUN" else ""


# --- helpers ------------------------------------------------------------------------------------


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
    """The end of the verb and its object or clause (at most 14 tokens on), or of the verb alone."""
    obj = next((c for c in token.children if c.dep_ in ("dobj", "ccomp", "attr", "oprd") and c.i > token.i), None)
    last = obj.right_edge if obj is not None and obj.right_edge.i - token.i <= 14 else (obj or token)
    return last.idx + len(last.text)


def _governs_infinitive(token: Token) -> bool:
    return any(
        c.dep_ == "xcomp" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children) for c in token.children
    )


def _hedge_verb_phrase(token: Token) -> Span:
    """ "what appear to be corpses": the hedging verb, its wh-subject and what it hedges."""
    doc = token.doc
    start = token.i
    subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.i == token.i - 1 and subject.tag_.startswith("W"):
        start = subject.i
    complement = next((c for c in token.children if c.dep_ in ("xcomp", "ccomp", "advcl")), token)
    target = next((c for c in complement.children if c.dep_ in ("attr", "dobj", "acomp")), complement)
    end = max(target.i, token.i)
    return (doc[start].idx, doc[end].idx + len(doc[end].text))


def _noun_phrase(token: Token) -> Span:
    """The noun with the words before it that modify it ("several news outlets", "by early reports")."""
    doc = token.doc
    start = min([c.left_edge.i for c in token.children if c.i < token.i] + [token.i])
    if token.dep_ == "pobj" and token.head.i < start:
        start = token.head.i
        if _according(token):
            start = token.head.head.i
    return (doc[start].idx, token.idx + len(token.text))


def _clause_end(noun: Token) -> int:
    """The end of the "that" clause a report noun carries ("reports that 500 soldiers had been killed")."""
    clause = next((c for c in noun.children if c.dep_ in ("acl", "relcl", "ccomp") and c.i > noun.i), None)
    last = clause.right_edge if clause is not None and clause.right_edge.i - noun.i <= 20 else noun
    return last.idx + len(last.text)


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

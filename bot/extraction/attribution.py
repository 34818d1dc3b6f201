"""Who says what: attributions found over a dependency parse.

Each rule is a pure function over tokens of a parsed ``Doc`` and returns :class:`Found` records with
character spans. The rules follow the patterns of PARC 3.0 (Pareti 2016) and the SFU Gender Gap
Tracker's quote extractor, with the gaps those systems document closed: cue lemmas rather than
inflected forms, participial cues ("adding that", "with X estimating"), quote-first order, colon
quotes, quotations that run over several sentences, floating quotations that continue the previous
speaker, and reporting nouns ("media reports that ...").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from spacy.tokens import Doc, Token

from bot.extraction.lexicon import (
    COGNITION_VERBS,
    EVIDENCE_VERBS,
    INTENT_VERBS,
    NOUN_OBJECT_CUES,
    PHRASAL_SPEECH_VERBS,
    PREPOSITION_CUES,
    RAISING_VERBS,
    REPORTING_NOUNS,
    SPEECH_VERBS,
    STANCE_NOUNS,
)
from bot.extraction.select import tokens_with
from bot.extraction.spans import SpanIndex
from bot.report import ClaimKind

Span = tuple[int, int]

#: Every verb lemma that can introduce reported content through a clause.
CLAUSE_CUES: frozenset[str] = SPEECH_VERBS | COGNITION_VERBS | EVIDENCE_VERBS

#: Every word a rule can fire on (lemmas and lower-case forms).
TRIGGER_WORDS: frozenset[str] = (
    CLAUSE_CUES
    | INTENT_VERBS
    | NOUN_OBJECT_CUES
    | frozenset(PREPOSITION_CUES)
    | RAISING_VERBS
    | REPORTING_NOUNS
    | frozenset(STANCE_NOUNS)
    | frozenset(verb for verb, _ in PHRASAL_SPEECH_VERBS)
    | frozenset({"according", ":"})
)
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CLAUSE_DEPS = frozenset({"ccomp"})
_VERBAL = frozenset({"VERB", "AUX"})

#: A claim's content is a clause or a quotation of at least this many words (issue 13): "calling: it" is not one.
MIN_CLAIM_WORDS = 3


@dataclass(frozen=True, slots=True)
class Found:
    """One attribution, before its source is resolved to an entity."""

    content: Span
    cue: Span | None
    cue_lemma: str | None
    source_token: int | None
    source: Span | None
    direct: bool
    kind: ClaimKind  # "quote" | "paraphrase" | "according_to"
    fragments: tuple[Span, ...] = ()  # pieces of a quotation interrupted by its speech tag
    negated: bool = False  # "did not confirm", "Neither X nor Y have confirmed": not asserted by the source


def find_attributions(
    doc: Doc, quotes: Sequence[Span], skip: Sequence[Span] = (), text: str | None = None
) -> list[Found]:
    """All attributions in ``doc``: clause cues, "according to", reporting nouns, then floating quotes.

    ``quotes`` are the direct quotations of the text (see :func:`bot.extraction.text.quotations`);
    ``skip`` are character spans (boilerplate lines) where nothing is extracted; ``text`` is
    ``doc.text`` when the caller has it (``Doc.text`` is rebuilt from the tokens on every access).
    """
    text = doc.text if text is None else text
    quoted = Quotes(text, quotes, [q[0] for q in quotes])
    skip_starts = [s[0] for s in skip]
    found: list[Found] = []
    for token in tokens_with(doc, TRIGGER_WORDS):
        if _inside(token.idx, skip, skip_starts):
            continue
        record = next((r for rule in RULE_ORDER if (r := rule(token, quoted)) is not None), None)
        if record is None:
            continue
        if record.cue is not None and _inside(record.cue[0], quotes, quoted.starts):
            # Why: "I think", "you know" inside a quotation are the speaker's words, not a new
            # attribution; nested cues in quotes are rarely annotated (PolNeAR, PARC 3.0).
            continue
        found.append(record)
    found = _drop_nested(found)
    found.extend(_join_interrupted_quotes(doc, text, found, _floating_quotes(doc, quoted, found, skip, skip_starts)))
    found.sort(key=lambda f: f.content[0])
    return found


class Quotes(NamedTuple):
    """The article's text and its direct quotations (sorted spans and their starts), for the rules."""

    text: str
    spans: Sequence[Span]
    starts: list[int]


def _found(
    content: Span,
    cue: Span | None,
    cue_lemma: str | None,
    speaker: Token | None,
    *,
    direct: bool = False,
    kind: ClaimKind = "paraphrase",
    negated: bool = False,
) -> Found:
    """The record of one attribution whose source is the noun phrase headed by ``speaker`` (or none)."""
    return Found(
        content=content,
        cue=cue,
        cue_lemma=cue_lemma,
        source_token=speaker.i if speaker is not None else None,
        source=mention_span(speaker) if speaker is not None else None,
        direct=direct,
        kind=kind,
        negated=negated,
    )


# --- rules -------------------------------------------------------------------------------------


def _clause_cue(verb: Token, quoted: Quotes) -> Found | None:
    """A cue verb with a clausal complement, a colon, or an adjacent quotation.

    Why: the complement clause of a verb of saying or thinking is what is said (PARC 3.0); a colon
    or a quotation right beside "X said" is the same thing written as a direct quote.
    """
    if verb.pos_ not in _VERBAL:
        return None
    lemma = verb.lemma_.lower()
    phrasal = lemma not in CLAUSE_CUES and any(
        (lemma, c.lower_) in PHRASAL_SPEECH_VERBS for c in verb.children if c.dep_ == "prt"
    )
    if lemma not in CLAUSE_CUES and not phrasal:
        return None
    complement = next((c for c in verb.children if c.dep_ in _CLAUSE_DEPS), None)
    if verb.dep_ == "parataxis" and verb.head.pos_ in _VERBAL:
        # "The reality, he said, is ..." and "“A,” he said, “b ...”": the cue interrupts the
        # clause it reports, which is the whole sentence around it.
        head = verb.head
        content = _trim(
            verb.doc, min(head.left_edge.i, verb.left_edge.i), max(head.right_edge.i, verb.right_edge.i) + 1
        )
        if content is None:
            return None
    elif complement is not None:
        content = _subtree_span(complement)
        if complement.i > verb.i:
            content = _through_colon(complement, content)
            content = _from_stranded_that(verb, complement, content)
    elif lemma in SPEECH_VERBS or phrasal:
        content = _colon_or_adjacent_quote(verb, quoted)
        if content is None:
            return None
    else:
        return None
    content, direct = _widen_to_quotation(content, verb, quoted)
    return _found(
        content,
        _cue_span(verb),
        verb.lemma_.lower(),
        _subject_of(verb),
        direct=direct,
        kind="quote" if direct else "paraphrase",
        negated=_is_negated(verb),
    )


def _according_to(token: Token, _: Quotes) -> Found | None:
    """ "according to X": X is the source of the clause the phrase modifies.

    Why: the most frequent non-verbal cue in news (2% of PolNeAR cues); its content is the rest of
    the sentence, on whichever side of the phrase it stands.
    """
    if token.lower_ != "according":
        return None
    to = next((c for c in token.children if c.lower_ == "to"), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if to is None or source is None:
        return None
    sent = token.sent
    phrase_start, phrase_end = token.i, max(source.right_edge.i, to.i)
    before = _trim(sent.doc, sent.start, phrase_start)
    after = _trim(sent.doc, phrase_end + 1, sent.end)
    side = max((s for s in (before, after) if s is not None), key=lambda s: s[1] - s[0], default=None)
    if side is None:
        return None
    return _found(side, (token.idx, to.idx + len(to.text)), "according to", source, kind="according_to")


def _reporting_noun(noun: Token, _: Quotes) -> Found | None:
    """A reporting noun with a "that" clause: "media reports that ...", "his claim that ...".

    Why: news often reports speech as a noun ("the statement that ..."); its possessor or
    compound modifier is the source, and with neither the source is unnamed.
    """
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in REPORTING_NOUNS:
        return None
    clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "relcl") and _has_that_mark(c)), None)
    if clause is None:
        return None
    holder = next((c for c in noun.children if c.dep_ in ("poss", "compound")), None)
    return _found(_subtree_span(clause), (noun.idx, noun.idx + len(noun.text)), noun.lemma_.lower(), holder)


def _intent_cue(verb: Token, _: Quotes) -> Found | None:
    """ "X wants to ...", "X promised to ...": an infinitive after a verb of intent, with a subject.

    Why: PolNeAR counts stated intentions and demands as attributions ("wants", "plans", "urged").
    """
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in INTENT_VERBS:
        return None
    complement = next((c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i), None)
    if complement is None or not any(c.dep_ == "aux" and c.lower_ == "to" for c in complement.children):
        return None
    subject = _subject_of(verb)
    if subject is None or subject.lower_ in ("it", "there"):
        return None
    return _found(_subtree_span(complement), _cue_span(verb), verb.lemma_.lower(), subject, negated=_is_negated(verb))


def _object_cue(verb: Token, _: Quotes) -> Found | None:
    """ "X denied the report", "X called Y 'unhinged'", "X called for a ban": a noun object as content.

    Why: PolNeAR annotates what is announced, denied, praised or called for as the content of the
    cue even without a clause (about 10% of its attributions).
    """
    if verb.pos_ != "VERB":
        return None
    lemma = verb.lemma_.lower()
    if any(c.dep_ == "prt" for c in verb.children):
        return None  # a phrasal verb means something else: "called off the strike", "backed down"
    target: Token | None = None
    if lemma in NOUN_OBJECT_CUES:
        target = next((c for c in verb.children if c.dep_ in ("dobj", "xcomp") and c.i > verb.i), None)
    if target is None:
        preps = PREPOSITION_CUES.get(lemma)
        if preps:
            prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in preps and c.i > verb.i), None)
            target = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
    if target is None:
        return None
    subject = _subject_of(verb)
    if subject is None or subject.lower_ in ("it", "there", "that", "which"):
        return None
    end = target.right_edge.i
    for child in verb.children:  # "described X as Y", "called X 'unhinged'"
        if child.i > end and (
            child.dep_ == "oprd" or (child.dep_ == "prep" and child.lower_ in ("as", "for", "of", "over"))
        ):
            end = child.right_edge.i
    content = _trim(verb.doc, target.left_edge.i, end + 1)
    if content is None:
        return None
    return _found(content, _cue_span(verb), lemma, subject, negated=_is_negated(verb))


def _raising_cue(verb: Token, _: Quotes) -> Found | None:
    """ "X seemed to ...", "X is expected to ...": a view reported with no one holding it.

    Why: PolNeAR counts these as attributions without a source (7% of its cues have none); the
    content is the subject with the infinitive, the cue the raising verb.
    """
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in RAISING_VERBS:
        return None
    complement = next((c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i), None)
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if complement is None or subject is None or subject.i > verb.i or subject.pos_ == "PRON":
        return None
    if verb.lemma_.lower() == "expect" and not _is_passive(verb):
        return None
    content = _trim(verb.doc, subject.left_edge.i, complement.right_edge.i + 1)
    if content is None:
        return None
    return _found(content, _cue_span(verb), verb.lemma_.lower(), _agent(verb))


def _colon_attribution(colon: Token, _: Quotes) -> Found | None:
    """ "Graham: Trump's rhetoric is destroying the party": a name, a colon, then what is said.

    Why: the headline and summary convention of news sites; the colon is the cue (PolNeAR
    annotates it as such). Only a short noun phrase with no verb may stand before the colon.
    """
    if colon.text != ":":
        return None
    doc = colon.doc
    sent_start = colon.i
    while sent_start > 0 and not doc[sent_start].is_sent_start and colon.i - sent_start <= 6:
        sent_start -= 1
    before = [t for t in doc[sent_start : colon.i] if not t.is_space]
    if not before or len(before) > 6 or not doc[sent_start].is_sent_start:
        return None
    if any(t.pos_ in _VERBAL or t.is_punct and t.text not in ".'’" for t in before):
        return None
    if not any(t.pos_ == "PROPN" for t in before) or not before[0].text[:1].isupper():
        return None
    end = colon.i + 1
    while end < len(doc) and not doc[end].is_sent_start:
        end += 1
    content = _trim(doc, colon.i + 1, end)
    if content is None or len(doc.text[content[0] : content[1]].split()) < MIN_CLAIM_WORDS:
        return None  # a table's row ("Clinton: 1,769"), a handle ("Twitter: @name"): nothing said
    head = max(before, key=lambda t: t.i if t.pos_ in ("PROPN", "NOUN") else -1)
    return Found(
        content=content,
        cue=(colon.idx, colon.idx + 1),
        cue_lemma=":",
        source_token=head.i,
        source=(before[0].idx, before[-1].idx + len(before[-1].text)),
        direct=False,
        kind="paraphrase",
    )


def _stance_noun(noun: Token, _: Quotes) -> Found | None:
    """ "Smith's criticism of the deal", "they voiced concerns about costs": a stance noun and its object.

    Why: PolNeAR annotates nominal cues with a preposition (about 9% of its missed cues end in
    "of", "about", "for" or "on"); the holder is the possessor, or the subject of the verb that
    takes the noun as its object ("voiced concerns").
    """
    if noun.pos_ != "NOUN":
        return None
    preps = STANCE_NOUNS.get(noun.lemma_.lower())
    if not preps:
        return None
    prep = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ in preps), None)
    target = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
    if prep is None or target is None:
        return None
    holder = next((c for c in noun.children if c.dep_ == "poss"), None)
    if holder is None and noun.dep_ == "dobj":
        holder = _subject_of(noun.head)
    content = _trim(noun.doc, target.left_edge.i, target.right_edge.i + 1)
    if content is None:
        return None
    return _found(content, (noun.idx, prep.idx + len(prep.text)), noun.lemma_.lower(), holder)


#: The rules tried on every trigger word, in this order; the first that returns a record wins, so the
#: order decides: a cue verb with its clause beats a reading of the same word as a noun object or a
#: raising verb, and the colon and stance-noun rules, the loosest, come last.
RULE_ORDER: tuple[Callable[[Token, Quotes], Found | None], ...] = (
    _clause_cue,
    _according_to,
    _reporting_noun,
    _intent_cue,
    _object_cue,
    _raising_cue,
    _colon_attribution,
    _stance_noun,
)


def _floating_quotes(
    doc: Doc, quoted: Quotes, found: list[Found], skip: Sequence[Span], skip_starts: list[int]
) -> Iterable[Found]:
    """Quotations with no cue of their own continue the most recent speaker.

    Why: a paragraph that opens with a quotation and names nobody continues the previous
    speaker's quote (the "floating quote" of the SFU Gender Gap Tracker; AP style).
    """
    text = quoted.text
    taken = SpanIndex([f.content for f in found])
    attributed = sorted((f for f in found if f.source_token is not None), key=lambda f: f.content[1])
    for start, end in quoted.spans:
        if _inside(start, skip, skip_starts) or _word_count(text, (start, end)) < 4:
            continue
        if taken.covers_most_of((start, end)):
            continue
        introducer = _colon_introducer(doc, text, start)
        if introducer is not None:
            yield _found((start, end), None, None, introducer, direct=True, kind="quote")
            continue
        if not _starts_sentence(text, start):
            # A quoted phrase inside a sentence belongs to that sentence's subject ("the writer
            # supposes a 'cultural replacement'"), not to whoever spoke last.
            embedding = _embedding_clause(doc, start)
            if embedding is not None:
                verb, subject = embedding
                yield _found((start, end), _cue_span(verb), verb.lemma_.lower(), subject, direct=True, kind="quote")
            continue
        previous = [f for f in attributed if max(f.content[1], f.cue[1] if f.cue else 0) <= start]
        if not previous:
            continue
        speaker = previous[-1]
        gap = text[max(speaker.content[1], speaker.cue[1] if speaker.cue else 0) : start]
        if gap.count("\n") > 2 or len(gap) > 400:
            continue
        yield replace(
            speaker,
            content=(start, end),
            cue=None,
            cue_lemma=None,
            direct=True,
            kind="quote",
            fragments=(),
            negated=False,
        )


def _starts_sentence(text: str, position: int) -> bool:
    """Nothing but a paragraph break or the end of a sentence stands before ``position``."""
    before = text[max(0, position - 3) : position].rstrip(" \t")
    return not before or before[-1] in "\n.!?:;”\"'—–-"


def _embedding_clause(doc: Doc, position: int) -> tuple[Token, Token] | None:
    """The verb and subject of the clause a quoted phrase sits in, when the subject can speak."""
    inside = doc.char_span(position, position + 1, alignment_mode="expand")
    if inside is None:
        return None
    node = inside[0]
    for _ in range(12):
        if node.pos_ == "VERB" and node.i < inside[0].i:
            subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
            if subject is not None and (
                subject.pos_ == "PROPN"
                or subject.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
                or subject.lower_ in ("he", "she", "they")
            ):
                return node, subject
        if node.head is node:
            return None
        node = node.head
    return None


def _colon_introducer(doc: Doc, text: str, quote_start: int) -> Token | None:
    """The subject of a clause that ends in a colon right before a quotation ("Trump went further: “...”")."""
    colon_at = quote_start - 1
    while colon_at > 0 and text[colon_at] == " ":
        colon_at -= 1
    if colon_at <= 0 or text[colon_at] != ":":
        return None
    colon = doc.char_span(colon_at, colon_at + 1)
    if colon is None:
        return None
    head = colon[0].head
    if head.pos_ not in _VERBAL:
        return None
    subject = next((c for c in head.children if c.dep_ == "nsubj"), None)
    return subject if subject is not None and subject.pos_ in ("PROPN", "NOUN", "PRON") else None


def _join_interrupted_quotes(doc: Doc, text: str, found: list[Found], floating: Iterable[Found]) -> list[Found]:
    """Join “A,” X said. “B.” into one attribution of X; returns the floating quotes left over.

    Why: a quotation interrupted by its speech tag is one attribution (PARC 3.0 and PolNeAR annotate
    both parts as one content). A continuation that opens with a reporting frame of its own ("As
    we've said all along, ...") is a new statement and stays a separate attribution.
    """
    left: list[Found] = []
    for quote in floating:
        before = [
            f
            for f in found
            if f.direct
            and f.cue is not None
            and f.source_token == quote.source_token
            and (f.fragments[0] if f.fragments else f.content)[1] <= f.cue[0]
            and f.cue[1] <= quote.content[0]
        ]
        if before and not _opens_with_own_frame(doc, quote.content):
            first = max(before, key=lambda f: f.content[1])
            assert first.cue is not None  # "before" holds attributions with a cue only
            gap = text[first.cue[1] : quote.content[0]]
            # only the speech tag between the parts: the speaker, an apposition, one full stop
            if "\n" not in gap and len(gap) < 300 and _sentence_ends(gap) <= 1:
                found[found.index(first)] = replace(
                    first,
                    content=(first.content[0], quote.content[1]),
                    direct=True,
                    fragments=(first.fragments or (first.content,)) + (quote.content,),
                    negated=False,
                )
                continue
        left.append(quote)
    return left


_ABBREVIATION = re.compile(r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Jr|Sr|St|Prof|Rev|No|U\.S|U\.N)\.$")


def _sentence_ends(text: str) -> int:
    """Full stops, question and exclamation marks that end a sentence (not "Mr." or "J.")."""
    return sum(1 for m in re.finditer(r"\S*[.!?](?=\s|$)", text) if not _ABBREVIATION.search(m.group()))


def _opens_with_own_frame(doc: Doc, span: Span) -> bool:
    """The quotation starts with its speaker's own reporting clause ("As we've said, ...", "I told them ...")."""
    opening = doc.char_span(span[0], min(span[1], span[0] + 40), alignment_mode="contract")
    if opening is None:
        return False
    return any(
        t.lemma_.lower() in SPEECH_VERBS and any(c.dep_ == "nsubj" and c.lower_ in _QUOTED_SPEAKERS for c in t.children)
        for t in opening
    )


# --- helpers -----------------------------------------------------------------------------------

_QUOTED_SPEAKERS = frozenset("i we you me us".split())


def _subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The subject of a cue verb, following participles and coordination up to the verb that has one.

    "X said Y, adding that Z": "adding" has no subject of its own; it belongs to the nearest
    governing cue verb, not to the verb of the reported clause it hangs from.
    """
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
    if subjects:
        before = [c for c in subjects if c.i < verb.i]
        after = [c for c in subjects if c.i > verb.i]
        if after and verb.i > 0 and (verb.nbor(-1).is_punct or verb.nbor(-1).is_quote):
            child = after[0]  # quote first, then the speech tag inverted: "“...,” said Cruz"
        else:
            # the subject nearest before the verb: a dateline ("KYIV, Ukraine – The ministry said")
            # is parsed as a second subject further left
            child = before[-1] if before else subjects[0]
        if child.dep_ == "nsubjpass" or child.lower_ in ("it", "there") and _is_passive(verb):
            return _agent(verb)
        return child
    agent = _agent(verb)
    if agent is not None:
        return agent
    if verb.head.i == verb.i:  # spaCy makes a new Token object on every access: compare indices
        return _split_off_subject(verb)
    if depth >= 4:
        return None
    if verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return None  # "Asked whether ..., he said": the one who asked is not named
    head = verb.head
    while head.head is not head and head.lemma_.lower() not in CLAUSE_CUES:
        if head.dep_ not in ("ccomp", "advcl", "xcomp", "conj", "relcl", "pcomp", "prep"):
            break
        head = head.head  # through "by saying", "upon saying" to the verb they hang from
    if head.pos_ in _VERBAL and head is not verb:
        return _subject_of(head, depth + 1)
    return None


def _split_off_subject(verb: Token) -> Token | None:
    """A name the parser left as a sentence of its own just before the cue ("Vickers | said he ...").

    Why: after a paragraph break the parser sometimes ends a sentence after a lone name, leaving
    the cue without its subject; a one-word sentence of a proper noun right before the cue is it.
    """
    before = verb.i - 1
    while before >= 0 and verb.doc[before].is_space:
        before -= 1
    if before < 0 or not verb.is_sent_start:
        return None
    name = verb.doc[before]
    words = [t for t in name.sent if not t.is_space and not t.is_punct]
    return name if name.pos_ == "PROPN" and words == [name] else None


def _is_negated(verb: Token) -> bool:
    """The cue is denied, not used: "did not confirm", "never said", "Neither X nor Y have confirmed"."""
    for child in verb.children:
        if child.dep_ == "neg" or child.lower_ == "never":
            return True
        if child.dep_ in _SUBJECT_DEPS and any(g.lower_ in ("neither", "no") for g in child.children):
            return True
    return False


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in verb.children)


def _cue_span(verb: Token) -> Span:
    """The cue with its particles ("pointed out"), not its auxiliaries."""
    end = verb
    for child in verb.children:
        if child.dep_ == "prt" and child.i == end.i + 1:
            end = child
    return (verb.idx, end.idx + len(end.text))


def mention_span(head: Token) -> Span:
    """The noun phrase of a source: its subtree, cut before a comma or a relative clause.

    Why: the whole subject subtree swallows asides ("X, who replaced Y, said"), a documented failure
    of subtree-based speaker spans.
    """
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i
    for child in head.children:
        if child.i > head.i and (child.dep_ in ("relcl", "acl", "appos") or child.text in ",(—–" or _temporal(child)):
            end = min(end, child.left_edge.i - 1)
        if child.i < head.i and child.dep_ in ("relcl", "appos"):
            start = max(start, child.right_edge.i + 1)
    # a quotation mark or punctuation at either end is not part of the name
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > head.i and (doc[end].is_punct or doc[end].is_space or doc[end].dep_ == "advmod"):
        end -= 1  # "The Ministry of Defence later said": the adverb belongs to the verb
    return (doc[start].idx, doc[end].idx + len(doc[end].text))


_TIME_PREPOSITIONS = frozenset("during after before since amid until".split())


def _temporal(child: Token) -> bool:
    """A time phrase hung on a name ("a report ... during the weekend", "a report in the Globe Thursday")
    is not part of the name."""
    if child.dep_ == "npadvmod" and child.ent_type_ in ("DATE", "TIME"):
        return True
    if child.dep_ != "prep":
        return False
    if child.lower_ in _TIME_PREPOSITIONS:
        return True
    return any(c.dep_ == "pobj" and c.ent_type_ in ("DATE", "TIME") for c in child.children)


def _subtree_span(token: Token) -> Span:
    """The clause of ``token`` without its complementizer ("that") and outer punctuation."""
    doc = token.doc
    start = token.left_edge.i
    if doc[start].dep_ == "mark" and doc[start].lower_ in ("that", "whether", "if") and start < token.i:
        start += 1
    span = _trim(doc, start, token.right_edge.i + 1)
    return span if span is not None else (token.idx, token.idx + len(token.text))


def _trim(doc: Doc, start: int, end: int) -> Span | None:
    """Character span of tokens [start, end) without leading or trailing punctuation and spaces,
    except quotation marks, which belong to a direct quote."""
    while start < end and (doc[start].is_space or (doc[start].is_punct and not doc[start].is_quote)):
        start += 1
    while end > start and (doc[end - 1].is_space or (doc[end - 1].is_punct and not doc[end - 1].is_quote)):
        end -= 1
    if start >= end:
        return None
    return (doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text))


def _from_stranded_that(verb: Token, clause: Token, content: Span) -> Span:
    """Start the content after a "that" the parser hung elsewhere ("confirmed to X that troops ... had suffered").

    Why: when the clause's subject is misparsed as a relative clause of the preceding noun, the
    complement's subtree loses its subject; the complementizer still marks where the content begins.
    """
    if any(c.dep_ in _SUBJECT_DEPS for c in clause.children):
        return content
    for token in verb.doc[verb.i + 1 : clause.left_edge.i]:
        if token.lower_ == "that" and token.i + 1 < clause.left_edge.i:
            return (verb.doc[token.i + 1].idx, content[1])
    return content


def _through_colon(clause: Token, content: Span) -> Span:
    """Carry reported content on past a colon or dash that continues it ("... seriously: His words were ...")."""
    doc = clause.doc
    after = clause.right_edge.i + 1
    if after < len(doc) and doc[after].text in (":", "—", "–") and not doc[after].is_sent_start:
        end = after + 1
        while end < len(doc) and not doc[end].is_sent_start:
            end += 1
        tail = _trim(doc, after + 1, end)
        if tail is not None:
            return (content[0], tail[1])
    return content


def _has_that_mark(clause: Token) -> bool:
    return any(c.lower_ == "that" and c.i < clause.i for c in clause.children)


def _colon_or_adjacent_quote(verb: Token, quoted: Quotes) -> Span | None:
    """Content of a cue with no complement clause: "X said: ..." or a quotation right beside it."""
    doc = verb.doc
    text, quotes = quoted.text, quoted.spans
    subject = next((c for c in verb.children if c.dep_ in _SUBJECT_DEPS), None)
    left = min(verb.i, subject.left_edge.i) if subject is not None else verb.i
    right = max(verb.right_edge.i, verb.i)
    colon = next((c for c in verb.children if c.text == ":" and c.i > verb.i), None)
    if colon is not None:
        after = colon.idx + 1
        quote = _quote_starting_near(after, quoted)
        if quote is not None:
            return quote
        sent_end = colon.sent.end
        tail = _trim(doc, colon.i + 1, sent_end)
        if tail is not None:
            return tail
        if sent_end < len(doc):
            return _subtree_span(doc[sent_end].sent.root) if doc[sent_end].sent else None
    # "“...,” he said." with the quotation parsed as its own sentence
    before = doc[left].idx
    index = bisect_right(quotes, before, key=lambda q: q[1]) - 1
    if index >= 0:
        q_start, q_end = quotes[index]
        gap = text[q_end:before]
        if len(gap) <= 3 and not gap.strip(" ,—–-"):
            return (q_start, q_end)
    after = doc[right].idx + len(doc[right].text)
    return _quote_starting_near(after, quoted, gap_chars=",:—– ")


def _quote_starting_near(position: int, quoted: Quotes, gap_chars: str = " \n") -> Span | None:
    index = bisect_right(quoted.starts, position + 3) - 1
    if index >= 0:
        q_start, q_end = quoted.spans[index]
        if q_start >= position and not quoted.text[position:q_start].strip(gap_chars):
            return (q_start, q_end)
    return None


def _widen_to_quotation(content: Span, verb: Token, quoted: Quotes) -> tuple[Span, bool]:
    """Extend content to the whole quotation it lies in (quotes run over several sentences).

    Returns the span and whether the content is a direct quote.
    """
    index = bisect_right(quoted.starts, content[1]) - 1
    while index >= 0:
        q_start, q_end = quoted.spans[index]
        if q_end <= content[0]:
            break
        cue_inside = q_start <= verb.idx < q_end
        if not cue_inside and _overlap((q_start, q_end), content) >= 0.5 * (content[1] - content[0]):
            return (min(q_start, content[0]), max(q_end, content[1])), True
        index -= 1
    return content, False


def _drop_nested(found: list[Found]) -> list[Found]:
    """Keep one attribution per content: a content inside another with the same source (or cue) goes.

    In order of start, every kept content starts no later than the next one, so it is inside a kept
    one exactly when a kept one with its source or its cue reaches as far (the furthest end per source
    and per cue is kept; one pass, where comparing with every kept one was quadratic)."""
    kept: list[Found] = []
    reach_by_source: dict[int | None, int] = {}
    reach_by_cue: dict[Span | None, int] = {}
    for record in sorted(found, key=lambda f: (f.content[0], -f.content[1])):
        end = record.content[1]
        if reach_by_source.get(record.source_token, -1) >= end or reach_by_cue.get(record.cue, -1) >= end:
            continue
        kept.append(record)
        reach_by_source[record.source_token] = max(reach_by_source.get(record.source_token, -1), end)
        reach_by_cue[record.cue] = max(reach_by_cue.get(record.cue, -1), end)
    return kept


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _inside(position: int, spans: Sequence[Span], starts: list[int]) -> bool:
    index = bisect_right(starts, position) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _word_count(text: str, span: Span) -> int:
    return len(text[span[0] : span[1]].split())

"""One entry per real source: mentions resolved (pronouns, surnames, acronyms, spellings) and classified.

The resolution is salience-based, in the tradition of Lappin and Leass (1994): a pronoun takes the
most recent compatible mention before it (person, number and gender where the text gives them); a
surname, an acronym or a shorter form takes the cluster whose name contains it, unless something in
the two mentions contradicts it. Every merge of two names keeps its reason, so it can be explained.
A mention that cannot speak (an event, a thing, a relative pronoun with no antecedent) is no source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from bot.extraction.attribution import Found, mention_span
from bot.extraction.lexicon import (
    AGENT_SUFFIXES,
    ANONYMITY_MARKERS,
    ANONYMOUS_HEADS,
    COMPANY_HEADS,
    DELIVERY_VERBS,
    DOCUMENT_NOUNS,
    GENDERED_WORDS,
    GENERIC_ONE_MODALS,
    GIVEN_NAMES,
    GOVERNMENT_WORDS,
    GROUP_HEADS,
    INFORMANT_WORDS,
    MEDIA_NAMES,
    MEDIA_WORDS,
    MILITARY_WORDS,
    OFFICE_TITLES,
    ORGANISATION_HEADS,
    OUTLET_NOUNS,
    PARTITIVE_NOUNS,
    PERSON_NOUNS,
    POLICE_WORDS,
    PUBLIC_SERVICE_WORDS,
    PUBLISH_VERBS,
    PUBLISHED_NOUNS,
    QUANTIFIER_PRONOUNS,
    SAYING_VERBS,
    SELF_REFERENCE_NOUNS,
    SOURCELESS_PREPOSITIONS,
    SPEAKER_HEADS,
    SPEAKER_PRONOUNS,
    STATEMENT_CUES,
    TITLE_WORDS,
    WEB_LABELS,
)
from bot.extraction.spans import SpanIndex
from bot.extraction.text import paragraphs, quotations
from bot.report import Source

Span = tuple[int, int]

PERSON_PRONOUNS = frozenset("he she him her his hers".split())
FEMALE_PRONOUNS = frozenset("she her hers".split())
PLURAL_PRONOUNS = frozenset("they them their".split())
THING_PRONOUNS = frozenset("it its".split())
RELATIVE_PRONOUNS = frozenset("who which that whom whose".split())
_REFERRING_PRONOUNS = PERSON_PRONOUNS | PLURAL_PRONOUNS | THING_PRONOUNS | RELATIVE_PRONOUNS
#: British and American spellings that name the same thing ("Defence" / "Defense").
SPELLING_VARIANTS = {
    "defence": "defense",
    "organisation": "organization",
    "centre": "center",
    "programme": "program",
    "labour": "labor",
}
#: Words an outlet's name may carry or drop ("The Daily Telegraph" / "the Telegraph").
OUTLET_MODIFIERS = frozenset("daily weekly sunday newspaper".split())
#: Collective heads that name one body even in the plural ("police", "South Korean police").
COLLECTIVE_HEADS = POLICE_WORDS | frozenset("government military army navy authorities media press".split())
_AGE = re.compile(r"\b(?:\d+|[a-z]+)-year-old\b", re.I)
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")
#: A party letter, a state abbreviation, or both: "D-Conn.", "R-Texas", "I-Vt.", "D-N.Y.", "R", "Ariz.".
_AFFILIATION = re.compile(r"^(?:[DRI](?:-[A-Z][A-Za-z.]{1,7})?|[A-Z][a-z]{1,4}\.(?:[A-Z]\.)?|[A-Z]\.[A-Z]\.)$")
_QUANTIFIERS = re.compile(
    r"^(?:(?:some|many|most|other|several|few|more|even|another|all|both|one|two|three|a|an|the|these|those)\s+)+",
    re.I,
)
#: Characters of markup, and a clock time glued to a word, which no speaker's name contains.
_MARKUP = re.compile(r"[=<>{}]|\d[AP]M[A-Z]")
#: Punctuation that ends the words of a phrase that name its referent (an aside follows).
_BREAKS = frozenset(",;:(—–")
_STOP = frozenset("the a an of for and in on at to its his her their 's ’s".split())
_NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC")
#: Heads of a public body when the name says "National" ("National Hurricane Center", "National Institute for ...").
_AGENCY_HEADS = frozenset("center centre institute service agency office bureau laboratory survey".split())
_BODIES = frozenset({"organization", "government", "military", "media", "police"})
#: Dependencies of a name that modifies another noun ("the *Obama* administration", "*Trump*'s poll
#: numbers"): it names the owner of a thing, not someone the next "he" is likely to be.
_MODIFIER_DEPS = frozenset({"compound", "poss", "nmod"})
#: How many earlier pronouns of a chain ("he ... he ... he said") are followed back to a name.
_PRONOUN_CHAIN = 3
#: How far back (in tokens) a pronoun looks for its antecedent.
_PRONOUN_REACH = 250
#: A description longer than this is a clause about the source, not a way of naming it.
_DESCRIPTION_WORDS = 16


@dataclass(slots=True)
class Mention:
    """What one noun phrase says about its referent."""

    name: str
    role: str | None
    kind: str
    person: bool
    anonymous: bool
    proper: bool
    plural: bool
    gender: str | None
    head_lemma: str
    forms: tuple[str, ...] = ()  # fuller names the article gives elsewhere (a full name, an acronym's expansion)
    definite: bool = False  # a common-noun description with "the" ("the department", "the prime minister")
    descriptions: tuple[str, ...] = ()  # how this mention describes its referent ("Sanders' campaign manager")


@dataclass(slots=True)
class _Cluster:
    names: list[str] = field(default_factory=list)
    kind: str = "unknown"
    role: str | None = None
    person: bool = False
    anonymous: bool = False
    head_lemma: str = ""
    plural: bool = False
    proper: bool = False  # some mention is a proper name (Pat Ryder, DIU), not only a description
    gender: str | None = None
    finds: list[int] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)

    @property
    def named(self) -> bool:
        return self.proper and not self.anonymous and self.kind != "anonymous"

    @property
    def name(self) -> str:
        named = [n for n in self.names if n[:1].isupper()] or self.names  # a proper name before a description
        if self.person:
            return max(named, key=lambda n: (len(n.split()), len(n)))
        if self.anonymous:
            return self.names[0]
        return max(named, key=len)


@dataclass(slots=True)
class _Resolver:
    """The state of one article's resolution: its clusters and which token went to which."""

    doc: Doc
    acronyms: dict[str, str]
    people: dict[str, list[Token]]
    quotes: SpanIndex = field(default_factory=lambda: SpanIndex([]))
    clusters: list[_Cluster] = field(default_factory=list)
    by_token: dict[int, int] = field(default_factory=dict)


def resolve_sources(
    doc: Doc, text: str, finds: list[Found], quotes: Sequence[Span] | None = None
) -> tuple[list[Source], list[str | None]]:
    """Group the sources of ``finds`` into entities; returns the sources and each find's source id.

    This is the one place where mentions are resolved and merged: every rule's source span, and
    any model's, comes through here as a :class:`Found`. ``quotes`` are the text's direct
    quotations (:func:`bot.extraction.text.quotations`), found here when the caller has none.
    """
    if quotes is None:
        quotes = quotations(text, [p.span for p in paragraphs(text)])
    resolver = _Resolver(doc, _acronyms(doc), _people(doc), SpanIndex(quotes))
    assigned: list[int | None] = []
    for index, found in enumerate(finds):
        if found.source_token is None:
            assigned.append(None)
            continue
        cluster_index = resolver.by_token.get(found.source_token)
        if cluster_index is None and found.source_token not in resolver.by_token:
            head = doc[found.source_token]
            span = found.source if found.source is not None else (head.idx, head.idx + len(head.text))
            cluster_index = _place(resolver, head, span, found.cue_lemma)
            if cluster_index is not None:
                resolver.by_token[found.source_token] = cluster_index
        assigned.append(cluster_index)
        if cluster_index is not None:
            resolver.clusters[cluster_index].finds.append(index)
    clusters = resolver.clusters
    unlisted = {c for c, cluster in enumerate(clusters) if not _stated(doc, [finds[i] for i in cluster.finds])}
    assigned = [None if c in unlisted else c for c in assigned]
    order = sorted({c for c in assigned if c is not None}, key=lambda c: clusters[c].finds[0])
    ids = {c: f"s{n}" for n, c in enumerate(order, 1)}
    sources = []
    for c in order:
        cluster = clusters[c]
        name = cluster.name
        aliases = _aliases(name, cluster.names + cluster.descriptions)
        sources.append(
            Source(
                id=ids[c],
                name=name,
                aliases=aliases,
                kind=cluster.kind,  # type: ignore[arg-type]
                role=cluster.role,
                named=cluster.named,
                claims=(),
                merge_reasons=tuple(cluster.merges),
            )
        )
    return sources, [ids.get(c) if c is not None else None for c in assigned]


def _stated(doc: Doc, finds: Sequence[Found]) -> bool:
    """Whether a source's attributions show it stating something: one names it by more than a pronoun,
    or one is a statement (a quotation, "according to", or a cue of speech, thought or evidence).

    Why: a source the attributions reach only through "he", "they" or "who", none of them a statement
    ("members who have endorsed Trump", "they extracted an agreement", "people who identified themselves
    as teachers"), is the subject of an action taken for a cue, linked by the least certain step (a
    pronoun's antecedent): on the training articles half of such sources are no annotated speaker.
    """
    return any(
        f.direct
        or f.kind == "according_to"
        or (f.cue_lemma or "") in STATEMENT_CUES
        or (f.source_token is not None and doc[f.source_token].lower_ not in _REFERRING_PRONOUNS)
        for f in finds
    )


def _aliases(name: str, forms: list[str]) -> tuple[str, ...]:
    """The other forms by which the article refers to a source, once each (by their words), the name left out.

    Why: an editor reads how the article refers to a source ("Weaver", "Sanders' campaign manager"), and
    a search for any of them should find it.
    """

    def surface(form: str) -> str:  # the words, whatever the case and punctuation; spellings kept apart
        return " ".join(w for w in re.findall(r"\w+", form.lower()) if w not in ("the", "a", "an"))

    seen = {surface(name)}
    aliases: list[str] = []
    for form in forms:
        key = surface(form)
        if key and key not in seen:
            seen.add(key)
            aliases.append(form)
    return tuple(aliases)


def mention_kind(doc: Doc, span: Span) -> str:
    """The kind :func:`resolve_sources` gives the source named by the noun phrase at ``span`` of ``doc``."""
    phrase = doc.char_span(span[0], span[1], alignment_mode="expand")
    if phrase is None:
        return "unknown"
    mention = describe(doc, phrase.root, span, _people(doc), _acronyms(doc))
    return mention.kind if mention is not None else "unknown"


def _place(resolver: _Resolver, head: Token, span: Span, cue: str | None = None) -> int | None:
    """The cluster of the mention headed by ``head`` (spanning ``span``, the source of an attribution
    whose cue has the lemma ``cue``), or None when it cannot speak."""
    behind = speaker_behind(head)
    if behind is None:
        return None
    if behind.i != head.i:
        if behind.i in resolver.by_token:
            return resolver.by_token[behind.i]
        head, span = behind, mention_span(behind)
    lower = head.lower_
    if lower in SPEAKER_PRONOUNS:
        return None  # "I", "we", "you": the writer or the quotation's own speaker, not an earlier source
    if _expletive(head):
        return None
    if head.pos_ == "PRON" or lower in PERSON_PRONOUNS | PLURAL_PRONOUNS | THING_PRONOUNS:
        return _antecedent(resolver, head)
    mention = describe(resolver.doc, head, span, resolver.people, resolver.acronyms)
    if mention is None or _part_of_a_thing(head) or not (can_speak(head, mention) or _says(head, cue)):
        return None
    if _self_reference(head) or _quoted_words(resolver, span) or _in_a_thing(head):
        return None
    if cue == ":" and mention.kind == "unknown":
        # Why: a headline's kicker ("Bombshell:", "Spoiler no more:", "Delegate Update:") is written in
        # title case like a name, but a speaker's label before a colon is a person, a body or a group.
        return None
    return _office_holder(resolver, head, mention) if _by_office(head, mention) else _add(resolver, head, mention)


def _by_office(head: Token, mention: Mention) -> bool:
    """A definite description of one person by the office they hold ("the prime minister", "the
    senator", "the former governor"), with no owner or kind of office of its own ("the party's
    governor", "the environment minister"), or by their age ("the 26-year-old")."""
    placed = head.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
    if not (mention.definite or placed) or mention.plural or mention.anonymous:
        return False
    if _AGE.search(head.doc[head.left_edge.i : head.i + 1].text):
        return True  # "the 26-year-old right wing said": the age of the person just spoken of
    word_start = _hyphen_start(head)  # "front-runner": its own "front" is no modifier
    return (
        mention.person
        and mention.head_lemma in OFFICE_TITLES
        # not "the environment minister" (an office of its own kind), but "the Ohio governor"
        and not any(c.dep_ in ("poss", "compound") and not _place_name(c) and c.i < word_start for c in head.children)
    )


def _place_name(token: Token) -> bool:
    """A place's name before an office ("the Ohio governor", "the Vermont senator"): where the office
    is, which says which holder, not another kind of office."""
    return token.ent_type_ in ("GPE", "NORP", "LOC") and token.pos_ == "PROPN"


def _office_holder(resolver: _Resolver, head: Token, mention: Mention) -> int:
    """The person a description by office takes up: the one whose role names the office
    (:func:`_add`), else the person the text spoke of last, found as a pronoun's referent; a new source
    when there is none.

    Why: news names an officeholder once and then calls them by the office ("Trudeau made the
    comments ... The prime minister said"); listed apart, the office is a second, unnamed source for
    the same speaker. Offices and a race's roles only: a description by trade or status ("the lawyer",
    "the activist") is too often another person.
    """
    clusters = resolver.clusters
    if _match(mention, head, clusters, resolver.acronyms) or _description_of(mention, clusters):
        return _add(resolver, head, mention)
    index = _search_back(resolver, head, "she" if mention.gender == "f" else "he", mention.gender, 0)
    if index is None or not clusters[index].person or not clusters[index].proper:
        return _add(resolver, head, mention)
    cluster = clusters[index]
    if mention.name not in cluster.descriptions:
        cluster.merges.append(
            f"{mention.name} = {cluster.names[0]}: its office or age, said of the person spoken of before"
        )
        cluster.descriptions.append(mention.name)
    return index


def _expletive(pronoun: Token) -> bool:
    """A dummy "it" that stands for a clause after it, not for anything said before: "it is obvious
    that ...", "it should have been common sense that ...", "it's hard not to wonder whether ...".

    Why: an expletive subject has no referent; resolving it gives the statement to the last body named.
    """
    if pronoun.lower_ != "it":
        return False
    if pronoun.dep_ == "expl":
        return True
    verb = pronoun.head
    deps = {c.dep_ for c in verb.children if c.i > pronoun.i}
    return pronoun.dep_ == "nsubj" and verb.lemma_ == "be" and bool(deps & {"acomp", "attr"}) and _clause_after(verb)


def _clause_after(verb: Token) -> bool:
    """Whether a clause or an infinitive follows the verb's complement ("... obvious that voters want")."""
    return any(t.dep_ in ("ccomp", "xcomp", "csubj", "advcl") for t in verb.subtree if t.i > verb.i)


def speaker_behind(head: Token) -> Token | None:
    """The token that names who speaks when the source phrase points elsewhere; None for no one.

    Why: "X, who said" is X's statement; "her statement said" and "a statement by X" are the author's;
    "X read out a message from Y" reports Y's words, not the reader's.
    """
    if head.pos_ == "PRON" and head.lower_ in QUANTIFIER_PRONOUNS:
        # Why: "any of the Republicans said", "many of them say": the part speaks for the group named
        # after "of" (the pronoun alone, "Some said", names no one).
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        group = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        return speaker_behind(group) if group is not None else head
    if head.lower_ in RELATIVE_PRONOUNS and head.pos_ in ("PRON", "DET"):
        if head.head.dep_ not in ("relcl", "acl") or head.head.head.i == head.head.i:
            return None
        antecedent = head.head.head
        if antecedent.dep_ == "appos" and antecedent.head.pos_ == "PROPN" and antecedent.pos_ != "PROPN":
            return antecedent.head  # "Scott Reed, the Chamber's strategist, who added": Reed
        if head.lower_ == "who" and antecedent.ent_type_ in ("GPE", "LOC", "FAC", "ORG") and antecedent.dep_ == "pobj":
            # Why: "who" takes people before a place or a body: "Democrats on Capitol Hill, who argued",
            # "members of the board, who said" are the Democrats and the members, the people the
            # preposition hangs from.
            holder = antecedent.head.head
            if _people_word(holder):
                return holder
        return _publisher(antecedent) or antecedent
    if head.lemma_.lower() in DOCUMENT_NOUNS:
        author = _author_of(head) or _earlier_author(head)
        if author is not None:
            return author
    verb = head.head
    if head.dep_ == "nsubj" and verb.lemma_.lower() in DELIVERY_VERBS:
        message = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in DOCUMENT_NOUNS), None)
        author = _author_of(message) if message is not None else None
        if author is not None:
            return author
    return head


def _publisher(document: Token) -> Token | None:
    """Who put out the document a relative clause speaks through: "Greenberg released data that suggest
    ...", "the committee issued a memo which says ...": the subject of the verb of publishing.

    Why: the document carries its publisher's claim; its relative clause is the publisher's statement.
    """
    if document.dep_ != "dobj" or document.lemma_.lower() not in PUBLISHED_NOUNS:
        return None
    verb = document.head
    if verb.lemma_.lower() not in PUBLISH_VERBS:
        return None
    return next((c for c in verb.children if c.dep_ == "nsubj" and c.pos_ in ("PROPN", "NOUN")), None)


def _author_of(document: Token) -> Token | None:
    """The possessor of a document noun ("her statement"), its "by"/"from" object ("a message from Y"),
    or the agent of a participle on it ("a statement e-mailed to reporters by Y")."""
    for child in document.children:
        if child.dep_ == "poss":
            return child
        holders = [child] if child.dep_ == "prep" and child.lower_ in ("by", "from") else []
        if child.dep_ == "acl":
            holders = [c for c in child.children if c.dep_ == "agent" or c.dep_ == "prep" and c.lower_ == "by"]
        for holder in holders:
            author = next((c for c in holder.children if c.dep_ == "pobj"), None)
            if author is not None and (author.pos_ in ("PROPN", "PRON") or author.ent_type_ in _NAME_LABELS):
                return author
    return None


def _earlier_author(document: Token) -> Token | None:
    """For "the statement", the author of the statement the article mentioned just before: "X said in a
    statement that ... The statement also said" is X's.

    Why: a definite document noun takes up the last one of its kind, and that one was framed with
    its author as the subject of the verb it hangs from ("said in a statement", "issued a statement").
    """
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in document.children):
        return None
    doc, lemma = document.doc, document.lemma_.lower()
    for token in reversed(doc[max(0, document.i - _PRONOUN_REACH) : document.i]):
        if token.lemma_.lower() != lemma or token.pos_ != "NOUN":
            continue
        author = _author_of(token)
        if author is not None:
            return author
        verb = token.head.head if token.dep_ == "pobj" else token.head if token.dep_ == "dobj" else None
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None) if verb is not None else None
        return subject if subject is not None and subject.pos_ in ("PROPN", "NOUN") else None
    return None


def _antecedent(resolver: _Resolver, pronoun: Token, depth: int = 0) -> int | None:
    """The most recent earlier mention compatible with the pronoun in person, number and gender.

    Why: salience by recency with agreement (Lappin and Leass 1994). Sentences are searched from the
    pronoun back; in each, an earlier source or main-clause subject of the pronoun's gender comes
    first, then any person named there with that gender, then a source or subject whose gender the
    text does not give: "Pavel Novak met Elena Varga. She said ..." is Varga.
    """
    lower = pronoun.lower_
    if lower not in PERSON_PRONOUNS | PLURAL_PRONOUNS | THING_PRONOUNS:
        return None  # "this", "that", "someone": nothing to resolve
    gender = ("f" if lower in FEMALE_PRONOUNS else "m") if lower in PERSON_PRONOUNS else None
    return _search_back(resolver, pronoun, lower, gender, depth)


def _search_back(resolver: _Resolver, pronoun: Token, lower: str, gender: str | None, depth: int) -> int | None:
    """The referent :func:`_antecedent` finds for ``pronoun`` read as the pronoun ``lower`` of ``gender``
    (None: a person of either gender)."""
    doc = resolver.doc
    window = doc[max(0, pronoun.i - _PRONOUN_REACH) : pronoun.i]
    outside = not _quoted(resolver, pronoun)
    sentence_start = pronoun.i
    while sentence_start > window.start:
        first = max(window.start, doc[sentence_start - 1].sent.start)
        ranked: list[tuple[int, Token, int | Mention]] = []
        for token in reversed(doc[first:sentence_start]):
            if outside and _quoted(resolver, token):
                # Why: the speaker of "“... beat Hillary Clinton ...,” she said" is not a person named
                # inside the quotation; a speech tag's pronoun looks outside the quotes.
                continue
            found = _referent(resolver, token, lower, gender, depth)
            if found is not None:
                referent, subject, known = found
                rank = 0 if subject and (known or gender is None) else (1 if known else (2 if subject else 3))
                ranked.append((rank, token, referent))
        best = min((r for r in ranked if r[0] < 3), key=lambda r: r[0], default=None)
        if best is not None:
            return _commit(resolver, best[1], best[2], gender)
        sentence_start = first
    return None


def _referent(
    resolver: _Resolver, token: Token, pronoun: str, gender: str | None, depth: int = 0
) -> tuple[int | Mention, bool, bool] | None:
    """What ``token`` offers as the pronoun's referent: an earlier cluster or a new mention, whether it
    is a source or main-clause subject, and whether its gender is known; None when it offers nothing."""
    if token.i in resolver.by_token:
        index = resolver.by_token[token.i]
        cluster = resolver.clusters[index]
        if not _agrees(pronoun, gender, cluster.person, cluster.plural, cluster.kind, cluster.gender):
            return None
        return index, True, cluster.gender is not None
    subject = token.dep_ in ("nsubj", "nsubjpass") and _main_clause(token)
    if subject and token.lower_ == pronoun and depth < _PRONOUN_CHAIN:
        # Why: "He visited Prime Minister Netanyahu, where he met reporters": the second "he" is the
        # first one's referent, the subject of the sentence, not the last man named in it.
        earlier = _antecedent(resolver, token, depth + 1)
        if earlier is None:
            return None
        return earlier, True, resolver.clusters[earlier].gender is not None
    if token.pos_ not in ("NOUN", "PROPN"):
        return None
    if not subject and not (gender and _ends_entity(token) and token.dep_ not in _MODIFIER_DEPS):
        return None
    mention = describe(resolver.doc, token, mention_span(token), resolver.people, resolver.acronyms)
    if mention is None or not can_speak(token, mention):
        return None
    if mention.person and mention.gender is None:
        # Why: "the pronoun of an earlier mention of the same person": "Carson" takes the gender the
        # article gave Ben Carson before.
        same = _match(mention, token, resolver.clusters, resolver.acronyms)
        if same is not None:
            mention.gender = resolver.clusters[same[0]].gender
    if not _agrees(pronoun, gender, mention.person, mention.plural, mention.kind, mention.gender):
        return None
    if not subject and mention.gender is None:
        return None
    return mention, subject, mention.gender is not None


def _quoted(resolver: _Resolver, token: Token) -> bool:
    """Whether ``token`` stands inside one of the text's direct quotations."""
    return bool(resolver.quotes.overlapping((token.idx, token.idx + len(token.text))))


def _ends_entity(token: Token) -> bool:
    """The last token of a PERSON entity: the head of a name ("Elena *Varga*")."""
    doc = token.doc
    return token.ent_type_ == "PERSON" and (token.i + 1 == len(doc) or doc[token.i + 1].ent_iob_ != "I")


def _commit(resolver: _Resolver, token: Token, referent: int | Mention, gender: str | None) -> int:
    """The referent's cluster (a new mention joins or starts one), with the pronoun's gender learnt."""
    if isinstance(referent, Mention):
        if gender and referent.person and referent.gender is None:
            referent.gender = gender
        index = _add(resolver, token, referent)
        resolver.by_token[token.i] = index
    else:
        index = referent
    cluster = resolver.clusters[index]
    if gender and cluster.person and cluster.gender is None:
        cluster.gender = gender  # "the pronoun of an earlier mention of the same person"
    return index


def _main_clause(subject: Token) -> bool:
    """The subject of its sentence's main verb (or of a verb coordinated with it), not of a clause inside."""
    verb = subject.head
    if verb.dep_ == "conj":
        verb = verb.head
    return verb.dep_ == "ROOT"


def _agrees(pronoun: str, gender: str | None, person: bool, plural: bool, kind: str, known: str | None) -> bool:
    """Whether a pronoun can stand for a referent of this person-ness, number, kind and gender.

    Why "they" takes a plural or a group, not one body named in the singular ("The Associated Press
    interviewed 20 crew members. They described ..."): news calls a body "it", so a "they" after one
    is the people just spoken of (on the training articles such links were mostly no annotated speaker).
    """
    if pronoun in PERSON_PRONOUNS:
        return (person or kind == "anonymous") and not plural and (gender is None or known in (None, gender))
    if pronoun in THING_PRONOUNS:  # a body is "it" even with a plural name ("Ukrainian forces ... it said")
        return not person and kind not in ("group", "anonymous") and (not plural or kind in _BODIES)
    return plural or kind == "group"


def can_speak(head: Token, mention: Mention) -> bool:
    """A source must be able to state things: a name, or a phrase headed by a person, group, body,
    document or medium.

    Why: subjects of cue-like verbs are often events or things ("the clash raised doubts", "the
    footage did not show", "the drinking continued"); listing them as sources invents speakers.
    """
    if _AGE.search(head.doc[head.left_edge.i : head.i + 1].text):
        return True  # "the 26-year-old right wing", "my two-year-old" (a date to the recogniser): a person
    if head.pos_ in ("VERB", "AUX"):
        return False  # a clause taken for the source ("X will be interviewed about Y"): no one in particular
    if len(mention.name.strip(". ")) < 2:
        return False  # a transcript's "Q:" or "A:" label: the letter names no one an editor can check
    if mention.name.isupper() and mention.name.lower() in WEB_LABELS:
        return False  # "VIDEO:", "WATCH:": a web page's label for what follows, not a speaker
    if _MARKUP.search(mention.name):
        return False  # 'datetime="2016', "9:12PMTrump": an embed's markup or a live blog's time stamp
    if _generic_one(head):
        return False
    if head.ent_type_ in ("DATE", "TIME"):
        return False  # "Wednesday added": a day parsed as the subject
    if mention.person or mention.anonymous or (mention.proper and _proper_head(head)):
        return True
    if head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "PERCENT") or head.like_num:
        return True  # "22 percent say": a share of people polled
    return _speaker_word(head)


def _speaker_word(head: Token) -> bool:
    """A noun of the speaker lexicons, or one that names a person by what they do ("physicist")."""
    words = {head.lemma_.lower(), head.lower_, _hyphenated_first(head)}  # "sergeant-at-arms": sergeant
    if words & (SPEAKER_HEADS | TITLE_WORDS | GROUP_HEADS | ORGANISATION_HEADS | ANONYMOUS_HEADS):
        return True
    lower = head.lower_
    return len(lower) > 4 and lower.endswith(AGENT_SUFFIXES)


def _people_word(token: Token) -> bool:
    """A noun for a person or people: a name, a nationality or party ("Democrats"), or a word of the
    person, title, group and unnamed-source lexicons ("members", "spokesman", "officials")."""
    if token.ent_type_ in ("PERSON", "NORP"):
        return True
    words = {token.lemma_.lower(), token.lower_}
    return token.pos_ in ("NOUN", "PROPN") and bool(
        words & (PERSON_NOUNS | TITLE_WORDS | GROUP_HEADS | ANONYMOUS_HEADS)
    )


def _part_of_a_thing(head: Token) -> bool:
    """A number or a noun of a part whose whole, after "of", is a thing: "one of her first moves",
    "part of the problem in detecting tunnels".

    Why: a part speaks only as much as its whole does ("one of the aides", "half of the voters"); the
    subject of a misparsed or figurative cue ("Part of the problem, say experts, is") is no speaker.
    """
    if not ((head.pos_ == "NUM" and head.like_num) or head.lemma_.lower() in PARTITIVE_NOUNS):
        return False
    of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    whole = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    if whole is None:
        return False
    return not (whole.pos_ in ("PRON", "PROPN") or whole.ent_type_ in _NAME_LABELS or _speaker_word(whole))


def _quoted_words(resolver: _Resolver, span: Span) -> bool:
    """The source phrase is a whole quotation's words ("Purdy, who lost 16 lbs. “and two belt loops”,
    says"): a model reading quotation marks as a speaker's.

    Why: quotation marks enclose what someone said, never who said it.
    """
    for position in resolver.quotes.overlapping(span):
        start, end = resolver.quotes.spans[position]
        if start <= span[0] and span[1] <= end and end - start - (span[1] - span[0]) <= 2:
            return True
    return False


def _in_a_thing(head: Token) -> bool:
    """The object of a preposition of place, topic or comparison: "do well in polls", "asked about the
    plan", "much like Kerry".

    Why: a speaker is the subject of the cue, its agent ("by"), the object of "according to", or the
    author a statement is "from"; a place, a topic or a thing compared with says nothing.
    """
    return head.dep_ == "pobj" and head.head.lower_ in SOURCELESS_PREPOSITIONS


def _self_reference(head: Token) -> bool:
    """ "This column", "this newspaper", "this reporter": the publication or its writer speaking of itself.

    Why: what the outlet says in its own voice is the outlet's claim, which the report lists as such;
    listed as a source, the article would seem to cite someone else.
    """
    return head.lemma_.lower() in SELF_REFERENCE_NOUNS and any(
        c.dep_ == "det" and c.lower_ == "this" for c in head.children
    )


def _generic_one(head: Token) -> bool:
    """ "One" as the generic pronoun: "one can argue", "one must ask" (anyone at all, not a person).

    Why: with a modal, "one" stands for people in general; the sentence is the writer's own reasoning.
    """
    return (
        head.lower_ == "one"
        and head.dep_ == "nsubj"
        and any(c.dep_ == "aux" and c.lower_ in GENERIC_ONE_MODALS for c in head.head.children)
    )


def _says(head: Token, cue: str | None) -> bool:
    """A noun that is the subject of a verb that only a speaker does ("the tycoon told Reuters", "the
    questioner claimed", "boosters insisted"), and not a thing of someone's ("Berlin's hesitance told").

    Why: the speaker lexicon cannot list every noun for a person (trades, roles, nicknames), but
    things do not tell, claim or insist; the verb says the subject is someone. A possessed noun is
    the possessor's act or quality, said of it by a figure of speech.
    """
    return (
        cue is not None
        and cue.lower() in SAYING_VERBS
        and head.pos_ == "NOUN"
        and head.dep_ == "nsubj"
        and head.head.lemma_.lower() == cue.lower()
        and not any(c.dep_ == "poss" for c in head.children)
    )


def _hyphenated_word(head: Token) -> str:
    """The whole hyphenated word, lower case, that ends in ``head`` ("front-runner", which the tokenizer
    splits); "" when the head is a word of its own."""
    start = _hyphen_start(head)
    return head.doc[start : head.i + 1].text.lower() if start < head.i else ""


def _hyphenated_first(head: Token) -> str:
    """The first part, lower case, of the hyphenated word that ends in ``head`` ("sergeant-at-arms",
    which the tokenizer splits); the head itself when it is not such a word."""
    return head.doc[_hyphen_start(head)].lower_


def _hyphen_start(head: Token) -> int:
    """Index of the first token of the hyphenated word that ends in ``head`` (``head.i`` if none)."""
    doc, i = head.doc, head.i
    while i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_:
        i -= 2
    return i


def _proper_head(head: Token) -> bool:
    """The head of the phrase, or a word of its name before it, is a proper name ("Reuters", "the Kremlin
    press office"); a name further out does not make a thing speak ("Berlin's hesitance", "the timeline
    of events in San Bernardino").
    """
    words = [head, *(c for c in head.children if c.dep_ in ("compound", "amod", "nmod") and c.i < head.i)]
    return any(t.pos_ == "PROPN" or (t.ent_type_ in _NAME_LABELS and t.pos_ != "ADJ") for t in words)


def describe(
    doc: Doc, head: Token, span: Span, people: dict[str, list[Token]], acronyms: dict[str, str]
) -> Mention | None:
    """Name, role, kind, gender and the rest of the mention headed by ``head`` over ``span``."""
    mention = doc.char_span(span[0], span[1], alignment_mode="expand")
    if mention is None:
        return None
    role_parts: list[str] = []
    descriptions: list[str] = []
    of_phrase = ""  # "of Harbor Capital" after a person's name
    named_apposition = next(
        (c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON" and head.ent_type_ != "PERSON"), None
    )
    described_as = ""  # the head noun an apposed name follows: "mayor", "group"
    if named_apposition is not None:
        # "The mayor, Hanna Lindqvist, said": the apposition is the name, the head noun the role
        described_as = head.lemma_.lower()
        role_parts.append(_strip_det(doc[mention.start : head.i + 1].text))
        before_name = doc[mention.start : named_apposition.left_edge.i].text.strip(" ,;:—–-(")
        descriptions.append(_strip_det(before_name))  # "the American ambassador at the time, John Herbst"
        head = named_apposition
        mention = doc[head.left_edge.i : head.right_edge.i + 1]
    entity = _entity_around(head)
    if _has_conj(head):
        name = _clean_name(mention.text)
        label = entity.label_ if entity is not None else ""
    elif entity is not None and entity.label_ in _NAME_LABELS:
        label = entity.label_
        first, last = max(entity.start, mention.start), entity.end - 1
        while last > head.i and doc[last].pos_ in ("ADV", "PUNCT", "SPACE"):
            last -= 1  # the recogniser sometimes takes a following adverb: "Ministry of Defence later"
        titled = doc[mention.start].lower_ in TITLE_WORDS and head.pos_ == "PROPN"
        if label == "PERSON" or titled:
            while first > mention.start and _given_name_before(doc[first - 1]):
                first -= 1  # "Sadiq Khan" with only "Khan" recognised
            cut = _title_end(doc, mention.start, last)
            if cut > first:  # "President of Ukraine Volodymyr Zelenskyy", the entity taking "Ukraine"
                first = cut
            if titled and _head_word(_key(doc[first : last + 1].text)) not in ORGANISATION_HEADS:
                label = "PERSON"  # a title before a name makes a person, whatever the recogniser said
            of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of" and c.i > last), None)
            if of is not None and of.i < mention.end:
                role_parts.append(doc[of.i : of.right_edge.i + 1].text)  # "Lena Park of Harbor Capital"
                of_phrase = _description(of, of)
        name = _clean_name(doc[first : last + 1].text)
        if label == "NORP" and head.i == last:
            # Why: "Senate Republicans", "an Iowa Democrat": the words before a party or a people say
            # which group or which person it is; the name alone would merge them all (a quantifier,
            # "some", "many", says how many of them spoke, not who).
            name = _without_quantifiers(_clean_name(doc[mention.start : last + 1].text), head)
        before = doc[mention.start : first].text.strip(" ,")
        if before and label == "PERSON":
            role_parts.insert(0, _strip_det(before))
    else:
        aside = next(
            (
                c
                for c in head.children
                if c.dep_ == "appos" and head.i < c.i < mention.end and not _ACRONYM.match(c.text)
            ),
            None,
        )
        # "Navdeep Bains, Minister of Innovation, ...": the name ends before its apposition (the role)
        name = _clean_name(doc[mention.start : aside.left_edge.i].text if aside is not None else mention.text)
        label = ""
        titles = [t for t in mention if t.lower_ in TITLE_WORDS and t.i < head.i]
        if titles and head.pos_ == "PROPN":
            name = _clean_name(doc[titles[-1].i + 1 : head.i + 1].text) or name
            role_parts.append(_strip_det(doc[mention.start : titles[-1].i + 1].text))
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        opening = doc[mention.start]
        two_names = head.i - mention.start == 1 and opening.pos_ == "PROPN" and head.lower_ not in ORGANISATION_HEADS
        if (
            of is not None
            and head.pos_ == "PROPN"
            and (opening.lower_ in GIVEN_NAMES | GENDERED_WORDS.keys() or two_names)
        ):
            # "Jingyi Pan of IG", "Mr. Morgan of the Sierra Club": the name, then where the person works
            name = _clean_name(doc[mention.start : head.i + 1].text)
            role_parts.append(doc[of.i : of.right_edge.i + 1].text)
            of_phrase = _description(of, of)
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ != "PERSON" and not _ACRONYM.match(child.text):
            role_parts.append(_strip_det(doc[child.left_edge.i : child.right_edge.i + 1].text.strip(" ,")))
            bracketed = child.left_edge.i > 0 and doc[child.left_edge.i - 1].text == "("
            tag = bracketed or _AFFILIATION.match(doc[child.left_edge.i : child.right_edge.i + 1].text.replace(" ", ""))
            if not tag:  # not "(R-Ga.)" or ", D-Md.,"
                descriptions.append(_description(child.left_edge, child))
    previous = _preceding_title_fragment(doc, mention.start)
    if previous:
        role_parts.insert(0, previous)
    if not name:
        return None
    if of_phrase:
        descriptions.insert(0, f"{name} {of_phrase}")  # the name as the article gives it: "Ted Cruz of Texas"
    role = " ".join(part for part in role_parts if part) or None
    words = {t.lower_ for t in mention}
    head_lemma = _hyphenated_word(head) or head.lemma_.lower()  # "front-runner", not "runner"
    name_words = [w.lower() for w in re.findall(r"[\w’'-]+", name)]
    organisation_head = bool(name_words) and _head_word(_key(name)) in ORGANISATION_HEADS
    anonymous = (
        label not in ("PERSON", "ORG") and head_lemma in ANONYMOUS_HEADS | {h.rstrip("s") for h in ANONYMOUS_HEADS}
    ) or bool(words & ANONYMITY_MARKERS)
    if anonymous and head_lemma in ("people", "person") and not {t.lower_ for t in head.subtree} & INFORMANT_WORDS:
        anonymous = False  # "two million people replied": a crowd; "people familiar with the plan": unnamed
    if anonymous and any(c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in head.children):
        anonymous = False  # "Two Democratic Representatives, Collin Peterson and Jeff Van Drew"
    earlier = _same_surname_person(people, name, head)
    person = (
        label == "PERSON"
        or (head.pos_ == "PROPN" and any(t.lower_ in TITLE_WORDS for t in mention) and label != "ORG")
        or (_name_like(head) and earlier is not None)
        or (head.pos_ == "PROPN" and len(name_words) >= 2 and name_words[0] in GIVEN_NAMES and label != "GPE")
    )
    if person and (head_lemma in ANONYMOUS_HEADS or (organisation_head and (label == "ORG" or len(name_words) > 1))):
        person = False  # "Saskatoon Police Service": the recogniser's PERSON loses to the head word
    if person and described_as in ORGANISATION_HEADS:
        person, label = False, "ORG"  # "the activist group Mosul Eye": the noun it follows says what it is
    forms: list[str] = []
    if earlier is not None and person:
        full = _clean_name(_entity_around(earlier).text)  # type: ignore[union-attr]
        if len(full.split()) > len(name.split()) and _title_end(doc, earlier.i, earlier.i) == earlier.i:
            forms.append(full)
    if name in acronyms:
        forms.append(acronyms[name])
    gender = _gender(name, role, mention, people) if person else None
    if person:
        kind = "person"
    elif anonymous:
        kind = "anonymous"
    else:
        kind = kind_of(head, name, label)
    if not person and not anonymous and head_lemma in TITLE_WORDS | PERSON_NOUNS and head.tag_ == "NN":
        kind, person = "person", True  # "the governor", "the father": a person, though not named
        gender = _gender(name, role, mention, people)
    proper = any(t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") for t in mention)
    plural = head.tag_ in ("NNS", "NNPS") or _has_conj(head)
    definite = not proper and any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
    if not person:
        # Why: "Republicans on the House Financial Services Committee", "officials involved at the
        # time": for a body, a group or an unnamed source the words around its head say which one;
        # the phrase as the article gives it is an alias.
        phrase = _identifying_phrase(head, mention.start)
        if len(phrase.split()) > len(name.split()) and _key(phrase) != _key(name):
            descriptions.append(phrase)
    affiliation = _affiliation(head) if person else ""
    if affiliation:
        descriptions.insert(0, f"{name} ({affiliation})")  # "Chris Murphy (D-Conn.)"
    described = tuple(
        d for d in descriptions if d and len(d.split()) <= _DESCRIPTION_WORDS and not d.isdigit()
    )  # not an age ("Diana Ruocco, 21, a student")
    return Mention(
        name, role, kind, person, anonymous, proper, plural, gender, head_lemma, tuple(forms), definite, described
    )


def _affiliation(head: Token) -> str:
    """The party and state tag right after a politician's name: "(D-Conn.)", "(R)", ", I-Vt.,"; "" for none.

    Why: US news names a legislator with that tag ("Sen. Chris Murphy (D-Conn.)"); it is the form an
    editor reads and searches the source by, so the name with its tag is an alias (the tag alone is none).
    """
    doc = head.doc
    opening = head.i + 1
    if opening >= len(doc) or doc[opening].text not in ("(", ","):
        return ""
    closing = next(
        (t.i for t in doc[opening + 1 : opening + 9] if t.text == (")" if doc[opening].text == "(" else ",")), None
    )
    if closing is None:
        return ""
    tag = doc[opening + 1 : closing].text.replace(" ", "")
    if doc[opening].text == "," and "-" not in tag:
        return ""  # ", Texas," is a place, not a tag
    return tag if _AFFILIATION.match(tag) else ""


def _identifying_phrase(head: Token, start: int) -> str:
    """The noun phrase of ``head`` (:func:`mention_span`) with a participle that says which one it is
    ("officials involved at the time", "data released Friday by state regulators"), quantifiers dropped;
    "" when the phrase starts before token ``start``."""
    doc = head.doc
    around = doc.char_span(*mention_span(head), alignment_mode="expand")
    if around is None or around.start < start:
        return ""
    end = around.end
    participle = next((c for c in head.children if c.dep_ == "acl" and c.i > head.i and _participle(c)), None)
    if participle is not None and not any(t.text in _BREAKS for t in doc[head.i + 1 : participle.i]):
        reach = doc[participle.i : participle.right_edge.i + 1]
        stops = [t.i for t in reach if t.text in _BREAKS] + [t.left_edge.i for t in reach if t.dep_ == "relcl"]
        end = max(end, min(stops, default=participle.right_edge.i + 1))
    return _without_quantifiers(_clean_name(doc[around.start : end].text), head)


def _participle(verb: Token) -> bool:
    """A participle on a noun: "-ing" with or without an object, a past participle without one (a past
    form with an object is a misparsed main verb: "the administration allowed some states")."""
    return verb.tag_ == "VBG" or (verb.tag_ == "VBN" and not any(c.dep_ in ("dobj", "nsubj") for c in verb.children))


def _without_quantifiers(phrase: str, head: Token) -> str:
    """``phrase`` without the quantifiers that open it ("some Republicans" -> "Republicans"), unless they
    are its head ("one more concerned with ...")."""
    bare = _QUANTIFIERS.sub("", phrase)
    return bare if head.text in bare.split() else phrase


def _name_like(head: Token) -> bool:
    """A proper noun, or a capitalised word inside the sentence the tagger took for a common noun.

    Why: the tagger reads a surname alone as a noun now and then ("Trump", "Sanders"); when the article
    names that person in full, the word is that person's name.
    """
    return head.pos_ == "PROPN" or (head.pos_ == "NOUN" and head.text[:1].isupper() and not head.is_sent_start)


def _description(first: Token, head: Token) -> str:
    """The noun phrase from ``first`` to the end of ``head``'s phrase, without a relative clause on it and
    without its determiner: "a former aide to the governor, who ..." -> "former aide to the governor".

    Why: an apposition or a description names the source by what it is; the clause after it tells
    something else about it.
    """
    end = head.right_edge.i + 1
    for token in head.subtree:
        if token.dep_ in ("relcl", "acl") and token.head.i >= head.i:
            end = min(end, token.left_edge.i)
    return _strip_det(head.doc[first.i : end].text.strip(" ,;:—–-()"))


def kind_of(head: Token, name: str, label: str) -> str:
    """The kind of a source that is not a person or anonymous, from its name's words and NER label.

    Why: the words of an organisation's name say what it is ("Police Service", "Ministry of
    Defence", "Daily Telegraph") more reliably than the recogniser's label, which calls most of them ORG.
    """
    words = {SPELLING_VARIANTS.get(w, w) for w in (w.lower().strip(".") for w in re.findall(r"[\w.]+", name))}
    head_word = _head_word(_key(name))
    if label == "PERSON" and head_word not in ORGANISATION_HEADS:
        return "person"
    if head_word in COMPANY_HEADS and len(words) > 1:
        return "organization"  # "Hirtenberger Defence Group": a company, whatever it makes
    if words & POLICE_WORDS:
        return "police"
    if words & MILITARY_WORDS:
        return "military"
    if words & MEDIA_WORDS or any(outlet in name.lower() for outlet in MEDIA_NAMES):
        return "media"
    if (
        words & PUBLIC_SERVICE_WORDS
        and words & ORGANISATION_HEADS
        or "national" in words
        and head_word in _AGENCY_HEADS
    ):
        return "government"  # "Rural Fire Service", "London Ambulance Service"
    if head.lower_ in GROUP_HEADS or head.lemma_.lower() in GROUP_HEADS:
        return "group"
    if label in ("GPE",) or words & GOVERNMENT_WORDS:
        return "government"
    if label == "NORP" and head.tag_ in ("NNS", "NNPS"):
        return "group"  # "Americans", "Democrats"
    if label in ("ORG", "NORP", "FAC") or _head_word(_key(name)) in ORGANISATION_HEADS:
        return "organization"
    if head.tag_ in ("NNS", "NNPS"):
        return "group"
    return "unknown"


def _add(resolver: _Resolver, head: Token, mention: Mention) -> int:
    """Merge the mention into the cluster it matches (keeping the reason), or start a new cluster."""
    clusters = resolver.clusters
    matched = _match(mention, head, clusters, resolver.acronyms) or _description_of(mention, clusters)
    if matched is None:
        clusters.append(
            _Cluster(
                names=[mention.name],
                kind=mention.kind,
                role=mention.role,
                person=mention.person,
                anonymous=mention.anonymous,
                head_lemma=mention.head_lemma,
                plural=mention.plural,
                proper=mention.proper,
                gender=mention.gender,
            )
        )
        index = len(clusters) - 1
    else:
        index, reason = matched
        cluster = clusters[index]
        if mention.name not in cluster.names:
            cluster.merges.append(f"{mention.name} = {cluster.names[0]}: {reason}")
            cluster.names.append(mention.name)
        if mention.role and not cluster.role:
            cluster.role = mention.role
        if mention.person and not cluster.person:
            cluster.person, cluster.kind = True, "person"
        cluster.gender = cluster.gender or mention.gender
        cluster.proper = cluster.proper or mention.proper
    cluster = clusters[index]
    cluster.descriptions.extend(d for d in mention.descriptions if d not in cluster.descriptions)
    for form in mention.forms:
        if form not in cluster.names:
            cluster.merges.append(f"{form} = {cluster.names[0]}: named so elsewhere in the article")
            cluster.names.append(form)
    return index


def _match(mention: Mention, head: Token, clusters: list[_Cluster], acronyms: dict[str, str]) -> tuple[int, str] | None:
    """The cluster this mention belongs to and why, searching the most recent first."""
    name = mention.name
    key = _key(name)
    expanded = _key(acronyms[name]) if name in acronyms else None
    for index in range(len(clusters) - 1, -1, -1):
        cluster = clusters[index]
        keys = [_key(n) for n in cluster.names]
        if key in keys:
            return index, "same name"
        if (expanded and expanded in keys) or any(acronyms.get(n) and _key(acronyms[n]) == key for n in cluster.names):
            return index, "acronym"
        if cluster.person and (mention.person or head.pos_ == "PROPN"):
            reason = _same_person(mention, key, cluster, keys)
            if reason:
                return index, reason
            continue
        if not mention.person and not mention.anonymous and not cluster.person and not cluster.anonymous:
            reason = _same_body(key, mention, keys, cluster)
            if reason:
                return index, reason
        if (
            mention.anonymous
            and cluster.anonymous
            and mention.head_lemma == cluster.head_lemma
            and not mention.plural
            and not cluster.plural
        ):
            # "a U.S. official ... the unidentified official": a definite description takes up an
            # earlier indefinite one with the same head noun.
            if name.lower().startswith(("the ", "that ", "this ")) or not mention.person:
                return index, "the same unnamed source described again"
    return None


def _description_of(mention: Mention, clusters: list[_Cluster]) -> tuple[int, str] | None:
    """The named person (or outlet) a definite description takes up: "the prime minister" after "Prime
    Minister Justin Trudeau", "the campaign manager" after "Jeff Weaver, Sanders' campaign manager".

    Why: news names a source once and then refers to it by its role; the description takes the most
    recent person whose role has its head word (a title), or whose role or description has all its
    words. An outlet called by what it is ("the network", "the newspaper") is the outlet named last.
    (Another body described by what it is, "the department", is left alone: the last named body is
    too often another one.)
    """
    if not mention.definite or mention.anonymous or mention.plural:
        return None
    words = _content_words(_key(mention.name))
    if words == {mention.head_lemma} and mention.head_lemma in OUTLET_NOUNS:
        # Why: "CNN ... the network did not respond": an outlet is taken up by what it is, and the
        # articles that do so name one outlet before (another body would be called otherwise).
        outlet = next(
            (i for i in range(len(clusters) - 1, -1, -1) if clusters[i].kind == "media" and clusters[i].proper), None
        )
        return (outlet, "the outlet named before, called by what it is") if outlet is not None else None
    for index in range(len(clusters) - 1, -1, -1):
        cluster = clusters[index]
        if not cluster.person:
            continue
        role = set(_key(cluster.role or "").split())
        if mention.head_lemma in TITLE_WORDS and mention.head_lemma in role:
            return index, "a description by the role of this person"
        described = role.union(*(_key(d).split() for d in cluster.descriptions))
        if mention.head_lemma in words and words <= described:
            return index, "the description the article gave this person"
    return None


def _same_person(mention: Mention, key: str, cluster: _Cluster, keys: list[str]) -> str:
    """Why two person mentions are one person ("" when they are not): a shared surname, with nothing
    against it (different given names, different genders)."""
    words = key.split()
    if not words or len(words[-1]) <= 2:
        return ""
    if mention.gender and cluster.gender and mention.gender != cluster.gender:
        return ""
    for other in keys:
        theirs = other.split()
        if not theirs or not _same_surname(words[-1], theirs[-1]):
            continue
        if len(words) > 1 and len(theirs) > 1 and not _given_names_agree(words[0], theirs[0]):
            continue  # "Bill Clinton" and "Hillary Clinton"
        return "same surname" if words[-1] == theirs[-1] else "spelling variant of the surname"
    return ""


def _given_names_agree(a: str, b: str) -> bool:
    """Given names that can be one person's: equal, or one is the other's initial."""
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _same_body(key: str, mention: Mention, keys: list[str], cluster: _Cluster) -> str:
    """Why two organisation names are one body ("" when they are not).

    A country and its government merge, a country and one of its departments do not (their head
    words differ); a shorter form merges with a longer one of the same head word, except a bare
    plural ("officials" is not "Japanese officials"); outlet names merge across "The Daily X" / "X".
    """
    mine = _content_words(key)
    bare_plural = (
        len(mine) == 1 and mention.plural and not mention.proper and mention.head_lemma not in COLLECTIVE_HEADS
    )
    for other in keys:
        theirs = _content_words(other)
        if not mine or not theirs:
            continue
        if mine - OUTLET_MODIFIERS == theirs - OUTLET_MODIFIERS and (mine | theirs) & OUTLET_MODIFIERS:
            return "the same outlet with and without its 'Daily'"
        if mine == theirs:
            return "the same words in another order"
        if mine ^ theirs <= {"government", "administration"} and (mine ^ theirs):
            return "a country and its government"
        small, large = (mine, theirs) if len(mine) < len(theirs) else (theirs, mine)
        if not small < large or _head_word(key) != _head_word(other):
            continue
        small_is_bare = bare_plural if small is mine else (len(theirs) == 1 and cluster.plural and not cluster.proper)
        if small_is_bare and _head_word(key) not in COLLECTIVE_HEADS:
            continue
        return "a shorter form of the same name"
    return ""


def _head_word(key: str) -> str:
    """The head word of a name's key: the last word before "of" / "for", else the last word."""
    words = [w for w in key.split() if w not in ("the", "a", "an")]
    for i, word in enumerate(words):
        if word in ("of", "for") and i > 0:
            return words[i - 1]
    return words[-1] if words else ""


def _same_surname(a: str, b: str) -> bool:
    """Surnames equal, or spelling variants of one name ("Zelenskiy" / "Zelenskyy")."""
    if a == b:
        return True
    return len(a) >= 5 and len(b) >= 5 and a[:4] == b[:4] and SequenceMatcher(None, a, b).ratio() >= 0.8


def _people(doc: Doc) -> dict[str, list[Token]]:
    """Surname -> the last token of every multi-word PERSON entity with that surname, in text order."""
    found: dict[str, list[Token]] = {}
    for entity in doc.ents:
        if entity.label_ == "PERSON" and len(entity) >= 2 and entity[-1].text[:1].isupper():
            found.setdefault(_key(entity[-1].text), []).append(entity[-1])
    return found


def _same_surname_person(people: dict[str, list[Token]], name: str, head: Token) -> Token | None:
    """A one-word name that is the surname of a person the article names in full (nearest first)."""
    key = _key(name)
    if " " in key or key not in people:
        return None
    tokens = [t for t in people[key] if t.i != head.i]
    before = [t for t in tokens if t.i < head.i]
    return before[-1] if before else (tokens[0] if tokens else None)


def _gender(name: str, role: str | None, mention: SpacySpan, people: dict[str, list[Token]]) -> str | None:
    """A person's gender where the text gives it: a title (Ms, Mr), a gendered role word, a given name."""
    for token in mention:
        gender = GENDERED_WORDS.get(token.lower_)
        if gender:
            return gender
    for word in (role or "").lower().split():
        if word in GENDERED_WORDS:
            return GENDERED_WORDS[word]
    words = _key(name).split()
    if len(words) >= 2 and words[0] in GIVEN_NAMES:
        return GIVEN_NAMES[words[0]]
    if len(words) == 1 and words[0] in people:
        entity = _entity_around(people[words[0]][0])
        given = _key(entity[0].text) if entity is not None else ""
        return GIVEN_NAMES.get(given)
    return None


def _given_name_before(token: Token) -> bool:
    """A capitalised word before a recognised surname that is part of the name, not a title or a place."""
    return (
        token.pos_ == "PROPN"
        and token.text[:1].isupper()
        and token.lower_ not in TITLE_WORDS
        and token.ent_type_ not in ("ORG", "GPE", "NORP", "LOC")
        and not token.is_punct
    )


def _title_end(doc: Doc, start: int, last: int) -> int:
    """Index of the first name token after the titles that open a person entity ("President of
    Ukraine Volodymyr Zelenskyy" -> "Volodymyr"); ``start`` when the entity opens with the name.

    Why: the recogniser often takes a title and its "of X" into the PERSON entity, and a name is at
    most its last two words after such an "of X".
    """
    titles = [i for i in range(start, last) if doc[i].lower_ in TITLE_WORDS]
    if not titles:
        return start
    cut = titles[-1] + 1
    if cut <= last and doc[cut].lower_ == "of":
        rest = last - cut  # tokens after "of"
        if rest < 2:
            return start
        cut = last - 1 if rest >= 3 else last
    return cut if cut <= last else start


def _acronyms(doc: Doc) -> dict[str, str]:
    """Acronyms introduced in the text: "Defence Intelligence of Ukraine, or DIU" and "... (DIU)".

    Why: the initials of the capitalised words just before an all-capitals token spell it; commas and
    "and" may stand between them ("Immigration, Refugees and Citizenship Canada (IRCC)").
    """
    found: dict[str, str] = {}
    for token in doc:
        if not token.is_upper or not _ACRONYM.match(token.text):
            continue
        letters = token.text.replace("&", "")
        words: list[Token] = []
        i = token.i - 1
        while i >= 0 and token.i - i <= 12:
            t = doc[i]
            if t.is_punct or t.lower_ == "or":
                if words and (t.text != "," or t.lower_ == "or"):
                    break
            elif t.text[:1].isupper() or t.lower_ in _STOP:
                words.insert(0, t)
            else:
                break
            i -= 1
        capitals = [w for w in words if w.text[:1].isupper()]
        for start in range(len(capitals)):
            if "".join(w.text[0] for w in capitals[start:]).upper() == letters:
                first = capitals[start]
                found[letters] = doc[first.i : words[-1].i + 1].text
                break
    return found


def _preceding_title_fragment(doc: Doc, start: int) -> str:
    """A title cut off by a wrong sentence split at an abbreviation ("Pentagon spokesperson Brig. | Gen. ...")."""
    if start < 2 or not doc[start].is_sent_start:
        return ""
    previous = doc[start - 1].sent
    if len(previous) <= 6 and previous.text.rstrip().endswith(".") and doc[previous.end - 1].lower_ in TITLE_WORDS:
        return previous.text.strip()
    return ""


def _entity_around(token: Token) -> SpacySpan | None:
    """The named entity that holds ``token``, found from its IOB tags (``Doc.ents`` rebuilds every entity)."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return SpacySpan(doc, start, end, label=token.ent_type_)


def _has_conj(head: Token) -> bool:
    return any(c.dep_ == "conj" for c in head.children)


def _clean_name(name: str) -> str:
    name = re.sub(r"\s*\([^)]*\)?\s*$", "", re.sub(r"\s+", " ", name))  # a bracketed acronym after the name
    name = name.strip(" ,.;:“”\"'’")
    if name.count(")") > name.count("("):
        name = name.rstrip(")").strip()  # "many GOP elected officials)": the close of an aside it began in
    name = re.sub(r"^(?:neither|both|either)\s+", "", name, flags=re.I)
    name = re.sub(r"\s+nor\s+", " and ", name)  # "Neither Russia nor North Korea": Russia and North Korea
    name = re.sub(r"(?:’s|'s)$", "", name)
    return _strip_det(name, keep_indefinite=True)


def _strip_det(text: str, keep_indefinite: bool = False) -> str:
    pattern = r"^(?:its|his|her|their|the)\s+" if keep_indefinite else r"^(?:its|his|her|their|the|a|an)\s+"
    return re.sub(pattern, "", text, flags=re.I)


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [SPELLING_VARIANTS.get(w, w) for w in re.findall(r"[a-z0-9]+", folded)]
    return " ".join(w for w in words if w not in ("the", "a", "an", "s"))


def _content_words(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if w not in _STOP)

"""One entry per real source: mentions resolved (pronouns, surnames, acronyms, spellings) and classified.

The resolution is salience-based, in the tradition of Lappin and Leass (1994): a pronoun takes the
most recent compatible mention before it; a surname, an acronym or a shorter form takes the
cluster whose name contains it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from bot.extraction.attribution import Found
from bot.extraction.lexicon import (
    ANONYMITY_MARKERS,
    ANONYMOUS_HEADS,
    GOVERNMENT_WORDS,
    GROUP_HEADS,
    MEDIA_WORDS,
    MILITARY_WORDS,
    TITLE_WORDS,
)
from bot.report import Source

Span = tuple[int, int]

PERSON_PRONOUNS = frozenset("he she him her his hers".split())
PLURAL_PRONOUNS = frozenset("they them their we us our".split())
THING_PRONOUNS = frozenset("it its".split())
RELATIVE_PRONOUNS = frozenset("who which that whom whose".split())
#: British and American spellings that name the same thing ("Defence" / "Defense").
SPELLING_VARIANTS = {
    "defence": "defense",
    "organisation": "organization",
    "centre": "center",
    "programme": "program",
    "labour": "labor",
}
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")
_STOP = frozenset("the a an of for and in on at to its his her their 's ’s".split())


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
    finds: list[int] = field(default_factory=list)

    @property
    def named(self) -> bool:
        return self.proper and not self.anonymous and self.kind != "anonymous"

    @property
    def name(self) -> str:
        if self.person:
            return max(self.names, key=lambda n: (len(n.split()), len(n)))
        named = [n for n in self.names if not n.lower().startswith(("a ", "an ", "the "))] or self.names
        return max(named, key=len) if not self.anonymous else self.names[0]


def resolve_sources(doc: Doc, text: str, finds: list[Found]) -> tuple[list[Source], list[str | None]]:
    """Group the sources of ``finds`` into entities; returns the sources and each find's source id."""
    acronyms = _acronyms(doc)
    clusters: list[_Cluster] = []
    assigned: list[int | None] = []
    by_token: dict[int, int] = {}
    cluster_index: int | None
    for index, found in enumerate(finds):
        if found.source_token is None:
            assigned.append(None)
            continue
        if found.source_token in by_token:
            cluster_index = by_token[found.source_token]
        else:
            head = doc[found.source_token]
            cluster_index = _place(doc, text, head, found, clusters, acronyms, by_token)
            if cluster_index is not None:
                by_token[found.source_token] = cluster_index
        assigned.append(cluster_index)
        if cluster_index is not None:
            clusters[cluster_index].finds.append(index)
    order = sorted({c for c in assigned if c is not None}, key=lambda c: clusters[c].finds[0])
    ids = {c: f"s{n}" for n, c in enumerate(order, 1)}
    sources = []
    for c in order:
        cluster = clusters[c]
        name = cluster.name
        aliases = tuple(dict.fromkeys(n for n in cluster.names if n != name))
        sources.append(
            Source(
                id=ids[c],
                name=name,
                aliases=aliases,
                kind=cluster.kind,  # type: ignore[arg-type]
                role=cluster.role,
                named=cluster.named,
                claims=(),
            )
        )
    return sources, [ids.get(c) if c is not None else None for c in assigned]


def _place(
    doc: Doc,
    text: str,
    head: Token,
    found: Found,
    clusters: list[_Cluster],
    acronyms: dict[str, str],
    by_token: dict[int, int],
) -> int | None:
    lower = head.lower_
    if lower in RELATIVE_PRONOUNS and head.head.dep_ in ("relcl", "acl"):
        antecedent = head.head.head
        if antecedent.i in by_token:
            return by_token[antecedent.i]
        head = antecedent
        lower = head.lower_
    if head.pos_ == "PRON" or lower in PERSON_PRONOUNS | PLURAL_PRONOUNS | THING_PRONOUNS:
        return _antecedent(doc, head, clusters, by_token)
    name, role, kind, person, anonymous, proper = _describe(doc, head, found)
    if not name:
        return None
    key_match = _match(name, person, anonymous, head, clusters, acronyms)
    if key_match is not None:
        cluster = clusters[key_match]
        if name not in cluster.names:
            cluster.names.append(name)
        if role and not cluster.role:
            cluster.role = role
        if person and not cluster.person:
            cluster.person, cluster.kind = True, "person"
        cluster.proper = cluster.proper or proper
        return key_match
    clusters.append(
        _Cluster(
            names=[name],
            kind=kind,
            role=role,
            person=person,
            anonymous=anonymous,
            head_lemma=head.lemma_.lower(),
            plural=head.tag_ in ("NNS", "NNPS") or _has_conj(head),
            proper=proper,
        )
    )
    return len(clusters) - 1


def _antecedent(doc: Doc, pronoun: Token, clusters: list[_Cluster], by_token: dict[int, int]) -> int | None:
    """The most recent earlier source compatible with the pronoun; "they" prefers plural and group sources."""
    lower = pronoun.lower_
    candidates = sorted(((t, c) for t, c in by_token.items() if t < pronoun.i), reverse=True)
    for _, c in candidates:
        cluster = clusters[c]
        if lower in PERSON_PRONOUNS and (cluster.person or cluster.kind == "anonymous" and not cluster.plural):
            return c
        if lower in THING_PRONOUNS and not cluster.person:
            return c
        if lower in PLURAL_PRONOUNS and (cluster.plural or cluster.kind not in ("person",)):
            return c
    # no earlier source: the nearest earlier subject noun phrase of the right type
    for token in reversed(doc[max(0, pronoun.i - 60) : pronoun.i]):
        if token.dep_ not in ("nsubj", "nsubjpass") or token.pos_ not in ("NOUN", "PROPN"):
            continue
        is_person = token.ent_type_ == "PERSON"
        if (lower in PERSON_PRONOUNS) != is_person:
            continue
        span = (token.left_edge.idx, token.idx + len(token.text))
        found = Found(
            content=span, cue=None, cue_lemma=None, source_token=token.i, source=span, direct=False, kind="paraphrase"
        )
        name, role, kind, person, anonymous, proper = _describe(doc, token, found)
        for index, cluster in enumerate(clusters):
            if _key(name) in {_key(n) for n in cluster.names}:
                return index
        clusters.append(
            _Cluster(
                names=[name],
                kind=kind,
                role=role,
                person=person,
                anonymous=anonymous,
                head_lemma=token.lemma_.lower(),
                plural=token.tag_ in ("NNS", "NNPS"),
                proper=proper,
            )
        )
        return len(clusters) - 1
    return None


def _describe(doc: Doc, head: Token, found: Found) -> tuple[str, str | None, str, bool, bool, bool]:
    """Name, role, kind, is-person, is-anonymous and is-proper-name of the mention headed by ``head``."""
    start, end = found.source if found.source is not None else (head.idx, head.idx + len(head.text))
    mention = doc.char_span(start, end, alignment_mode="expand")
    if mention is None:
        return "", None, "unknown", False, False, False
    role_parts: list[str] = []
    named_apposition = next(
        (c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON" and head.ent_type_ != "PERSON"), None
    )
    if named_apposition is not None:
        # "The mayor, Hanna Lindqvist, said": the apposition is the name, the head noun the role
        role_parts.append(_strip_det(doc[mention.start : head.i + 1].text))
        head = named_apposition
        mention = doc[head.left_edge.i : head.right_edge.i + 1]
    entity = _entity_around(head)
    if _has_conj(head):
        name = _clean_name(mention.text)
        label = entity.label_ if entity is not None else ""
    elif entity is not None and entity.label_ in ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"):
        last = entity.end - 1
        while last > head.i and doc[last].pos_ in ("ADV", "PUNCT", "SPACE"):
            last -= 1  # the recogniser sometimes takes a following adverb: "Ministry of Defence later"
        name = _clean_name(doc[entity.start : last + 1].text)
        label = entity.label_
        before = doc[mention.start : entity.start].text.strip(" ,")
        if before and label == "PERSON":
            role_parts.append(_strip_det(before))
    else:
        name = _clean_name(mention.text)
        label = ""
        titles = [t for t in mention if t.lower_ in TITLE_WORDS and t.i < head.i]
        if titles and head.pos_ == "PROPN":
            name = _clean_name(doc[titles[-1].i + 1 : head.i + 1].text) or name
            role_parts.append(doc[mention.start : titles[-1].i + 1].text)
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ != "PERSON" and not _ACRONYM.match(child.text):
            role_parts.append(_strip_det(doc[child.left_edge.i : child.right_edge.i + 1].text.strip(" ,")))
    previous = _preceding_title_fragment(doc, mention.start)
    if previous:
        role_parts.insert(0, previous)
    role = " ".join(part for part in role_parts if part) or None
    words = {t.lower_ for t in mention}
    anonymous = (
        label not in ("PERSON", "ORG")
        and head.lemma_.lower() in ANONYMOUS_HEADS | {h.rstrip("s") for h in ANONYMOUS_HEADS}
    ) or bool(words & ANONYMITY_MARKERS)
    person = label == "PERSON" or (
        head.pos_ == "PROPN" and any(t.lower_ in TITLE_WORDS for t in mention) and label != "ORG"
    )
    if person and head.lemma_.lower() in ANONYMOUS_HEADS:
        person = False
    kind = "person" if person else ("anonymous" if anonymous else _kind_of(head, name, label))
    if kind == "unknown" and head.lemma_.lower() in TITLE_WORDS:
        kind = "person"  # "the governor": a person, though not named
    proper = any(t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") for t in mention)
    return name, role, kind, person, anonymous, proper


def _kind_of(head: Token, name: str, label: str) -> str:
    words = {w.lower().strip(".") for w in re.findall(r"[\w.]+", name)}
    words = {SPELLING_VARIANTS.get(w, w) for w in words}
    if label == "PERSON":
        return "person"
    if words & MEDIA_WORDS:
        return "media"
    if words & MILITARY_WORDS:
        return "military"
    if head.lower_ in GROUP_HEADS or head.lemma_.lower() in GROUP_HEADS:
        return "group"
    if label in ("GPE",) or words & GOVERNMENT_WORDS:
        return "government"
    if label in ("ORG", "NORP", "FAC"):
        return "organization"
    if head.tag_ in ("NNS", "NNPS"):
        return "group"
    return "unknown"


def _match(
    name: str, person: bool, anonymous: bool, head: Token, clusters: list[_Cluster], acronyms: dict[str, str]
) -> int | None:
    key = _key(name)
    expanded = _key(acronyms[name]) if name in acronyms else None
    surname = key.split()[-1] if key else ""
    for index in range(len(clusters) - 1, -1, -1):
        cluster = clusters[index]
        keys = [_key(n) for n in cluster.names]
        if key in keys or (expanded and expanded in keys):
            return index
        if any(acronyms.get(n) and _key(acronyms[n]) == key for n in cluster.names):
            return index
        if cluster.person and (person or head.pos_ == "PROPN") and len(surname) > 2:
            if any(_same_surname(surname, k.split()[-1]) for k in keys if k):
                return index
        if not person and not cluster.person and not anonymous and not cluster.anonymous:
            mine = _content_words(key)
            if len(mine) >= 2 and any(
                mine <= _content_words(k) or _content_words(k) <= mine and len(_content_words(k)) >= 2 for k in keys
            ):
                return index
        if anonymous and cluster.anonymous and head.lemma_.lower() == cluster.head_lemma:
            # "a U.S. official ... the unidentified official": a definite description takes up an
            # earlier indefinite one with the same head noun.
            if name.lower().startswith(("the ", "that ", "this ")) or not person:
                return index
    return None


def _same_surname(a: str, b: str) -> bool:
    """Surnames equal, or spelling variants of one name ("Zelenskiy" / "Zelenskyy")."""
    if a == b:
        return True
    return len(a) >= 5 and len(b) >= 5 and a[:4] == b[:4] and SequenceMatcher(None, a, b).ratio() >= 0.8


def _acronyms(doc: Doc) -> dict[str, str]:
    """Acronyms introduced in the text: "Defence Intelligence of Ukraine, or DIU" and "... (DIU)".

    Why: the initials of the capitalised words just before an all-capitals token spell it.
    """
    found: dict[str, str] = {}
    for token in doc:
        if not token.is_upper or not _ACRONYM.match(token.text):
            continue
        letters = token.text.replace("&", "")
        words: list[Token] = []
        i = token.i - 1
        while i >= 0 and token.i - i <= 10:
            t = doc[i]
            if t.is_punct or t.lower_ in ("or", "and"):
                if words:
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

"""The report: what Claimdesk found in one article (schema ``claimdesk.report/1``).

Frozen dataclasses, standard library only, so that every layer (extraction workers, storage,
rendering, the CLI) can share them. Every span is ``[start, end)`` in characters of the exact
input text, and ``text[start:end]`` equals the string it goes with. The JSON form is documented
field by field in ``docs/report-schema.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

SCHEMA = "claimdesk.report/1"

Span = tuple[int, int]

SourceKind = Literal[
    "person", "organization", "government", "military", "police", "media", "anonymous", "group", "unknown"
]
ClaimKind = Literal["quote", "paraphrase", "according_to", "outlet"]

# --- why an item is not established -----------------------------------------------------------------
# One reason, two lines: its name in ``Reason`` and its words in ``REASON_LABELS`` (mypy checks that every
# label's key is a reason; tests/test_bot_report.py that every reason has a label). Render and export read
# the labels through :func:`reason_label`.

Reason = Literal[
    "not_independently_verified",
    "not_confirmed",
    "denied",
    "anonymous_source",
    "unnamed_reports",
    "hedged",
    "estimate",
    "no_evidence",
    "single_source",
    "conflicting_figures",
    "conflicting",
]

#: Why an item is listed as unverified, in words for a reader.
REASON_LABELS: dict[Reason, str] = {
    "not_independently_verified": "not independently verified",
    "not_confirmed": "not confirmed",
    "denied": "denied",
    "anonymous_source": "anonymous source",
    "unnamed_reports": "unnamed reports",
    "hedged": "hedged wording",
    "estimate": "estimate",
    "no_evidence": "no evidence given",
    "single_source": "single source",
    "conflicting_figures": "conflicting figures",
    "conflicting": "conflicting versions",
}


def reason_label(reason: Reason) -> str:
    """A reason in words; one this version does not know (from a newer extractor) with spaces for underscores."""
    return REASON_LABELS.get(reason) or reason.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Article:
    """What the article is: its metadata as given or found, and its size."""

    title: str | None
    outlet: str | None
    published: str | None
    language: str
    words: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A number in a claim: "about 200" -> value 200.0, approximate True, counts "servicemen"."""

    text: str
    span: Span
    value: float | None
    approximate: bool
    counts: str | None


@dataclass(frozen=True, slots=True)
class Claim:
    """One assertion: attributed to a source, or the outlet's own (``source_id`` None)."""

    id: str
    text: str
    span: Span
    source_id: str | None
    cue: str | None
    kind: ClaimKind
    figures: tuple[Figure, ...] = ()
    hedges: tuple[str, ...] = ()
    checkworthiness: float = 0.0


@dataclass(frozen=True, slots=True)
class Source:
    """One real source, with every name the article uses for it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: SourceKind
    role: str | None
    named: bool
    claims: tuple[str, ...] = ()
    #: Why each alias was merged into this source ("Khan = Sadiq Khan: same surname"); optional.
    merge_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who says what, as it stands in the text: source, cue and content spans."""

    source: str | None
    source_span: Span | None
    cue: str | None
    cue_span: Span | None
    content: str
    content_span: Span
    source_id: str | None
    direct: bool
    #: The pieces of a content that its speech tag interrupts (“A,” she said, “B.”): the spans of A
    #: and B; empty when the content is one piece. ``content_span`` covers them all.
    content_fragments: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Unverified:
    """A claim that is not established, why, and the article's own words that show it."""

    claim_id: str | None
    reason: Reason
    evidence: str
    span: Span


@dataclass(frozen=True, slots=True)
class Report:
    """The whole analysis of one article."""

    article: Article
    summary: tuple[str, ...]
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]
    attributions: tuple[Attribution, ...]
    unverified: tuple[Unverified, ...]
    extractor_version: str
    schema: str = SCHEMA
    id: str | None = field(default=None)
    # Why an index: the renderers look claims up by id once per unverified item; a scan per lookup made
    # the first page of a report with 8,000 quotations take 6 s on the bot's event loop.
    _claims_by_id: dict[str, Claim] = field(init=False, repr=False, compare=False)
    _sources_by_id: dict[str, Source] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_claims_by_id", {c.id: c for c in reversed(self.claims)})
        object.__setattr__(self, "_sources_by_id", {s.id: s for s in reversed(self.sources)})

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: tuples become lists; ``id`` only when set."""
        data: dict[str, Any] = _plain(self)
        if self.id is None:
            data.pop("id")
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON text (non-ASCII kept as is): indented for a person, or compact with ``indent=None``."""
        separators = (",", ": ") if indent is not None else (",", ":")
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, separators=separators)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Inverse of :meth:`to_dict`."""
        if data.get("schema", SCHEMA) != SCHEMA:
            raise ValueError(f"unsupported report schema {data.get('schema')!r}")
        return cls(
            article=Article(**data["article"]),
            summary=tuple(data["summary"]),
            sources=tuple(
                Source(
                    **{
                        **s,
                        "aliases": tuple(s["aliases"]),
                        "claims": tuple(s["claims"]),
                        "merge_reasons": tuple(s.get("merge_reasons") or ()),
                    }
                )
                for s in data["sources"]
            ),
            claims=tuple(
                Claim(
                    **{
                        **c,
                        "span": _span(c["span"]),
                        "figures": tuple(Figure(**{**f, "span": _span(f["span"])}) for f in c["figures"]),
                        "hedges": tuple(c["hedges"]),
                    }
                )
                for c in data["claims"]
            ),
            attributions=tuple(
                Attribution(
                    **{
                        **a,
                        "source_span": _span(a["source_span"]),
                        "cue_span": _span(a["cue_span"]),
                        "content_span": _span(a["content_span"]),
                        "content_fragments": tuple(_span(f) for f in a.get("content_fragments") or ()),
                    }
                )
                for a in data["attributions"]
            ),
            unverified=tuple(Unverified(**{**u, "span": _span(u["span"])}) for u in data["unverified"]),
            extractor_version=data["extractor_version"],
            schema=data.get("schema", SCHEMA),
            id=data.get("id"),
        )

    def source(self, source_id: str | None) -> Source | None:
        """The source with this id, or None (the outlet itself)."""
        return None if source_id is None else self._sources_by_id.get(source_id)

    def claim(self, claim_id: str | None) -> Claim | None:
        """The claim with this id, or None."""
        return None if claim_id is None else self._claims_by_id.get(claim_id)


def _span(value: Any) -> Span | None:
    return None if value is None else (int(value[0]), int(value[1]))


def _plain(value: Any) -> Any:
    """``value`` as JSON data: a dataclass as the dict of its fields, a tuple as a list. Why not
    ``dataclasses.asdict``: it deep-copies every leaf, which made saving a report of 8,000 quotations
    take seconds on the bot's event loop; this walk is several times faster."""
    names = _field_names(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type (those its constructor takes, not its indexes), None for any
    other type (looked up once per type)."""
    if kind not in _FIELD_NAMES:
        _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind) if f.init) if is_dataclass(kind) else None
    return _FIELD_NAMES[kind]

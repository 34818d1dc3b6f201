"""The article, marked up: one self-contained HTML document (pure, standard library only).

:func:`render_article_page` gives the article's text with every attribution's source, cue and content
highlighted in its own colour, every unverified item underlined (its reason on hover, in the ``title``
attribute, and in a numbered margin note beside its paragraph), a legend, and the sources with their
claims. The document has no scripts and loads nothing (inline CSS, system fonts, a Content-Security-Policy
that forbids every fetch), so it works offline and in Telegram's viewer on a phone; on a narrow screen the
margin notes move under their paragraph.

Every highlighted piece of text is a ``<span>`` whose ``data-marks`` lists what covers it ("src-3 cue-3
unv-1": the source and cue of attribution 3, unverified item 1), so a piece covered by several marks is
one element, however marks overlap or nest; the article element's ``data-attributions`` and
``data-unverified`` give the counts the marks add up to.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass

from bot.origin import Origin
from bot.render import origin_html, plural, speaker, title_of
from bot.report import Claim, Report, Span, reason_label

#: The marks, in the order their colours stack (a later one wins where they overlap: a nested
#: attribution's source shows inside the content that holds it).
MARK_KINDS: tuple[str, ...] = ("content", "src", "cue", "unv")

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fbfaf7; color: #1d1d1f; font: 17px/1.6 Georgia, "Times New Roman", serif; }
header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1.2rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .4rem; }
h2 { font: 600 1.05rem/1.3 system-ui, sans-serif; margin: 1.6rem 0 .6rem; }
.meta, .legend, aside, .sources, footer { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.meta { color: #555; margin: 0 0 .3rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding: .5rem 0; margin: .4rem 0 1rem;
  border-top: 1px solid #ddd; border-bottom: 1px solid #ddd; list-style: none; }
.para { display: grid; grid-template-columns: minmax(0, 1fr) 15rem; gap: 0 1.5rem; }
.para p { margin: 0 0 .9rem; }
aside { color: #8a1c1c; } aside:empty { display: none; }
aside p { margin: 0 0 .5rem; border-left: 3px solid #c62828; padding-left: .5rem; }
@media (max-width: 44rem) { .para { grid-template-columns: minmax(0, 1fr); } aside { margin-bottom: .9rem; } }
.content { background: #d9f2d0; }
.src { background: #c9defc; font-weight: 600; }
.cue { background: #ffdf8c; font-style: italic; }
.unv { text-decoration: underline wavy #c62828; text-decoration-thickness: 2px; text-underline-offset: 3px; }
sup, sup a { font: 600 11px system-ui, sans-serif; color: #c62828; text-decoration: none; }
.sources ol { padding-left: 1.3rem; } .sources li { margin-bottom: .6rem; }
.sources ul { padding-left: 1rem; margin: .2rem 0; } .kind { color: #555; }
footer { color: #666; padding-bottom: 2rem; }
"""

#: Nothing may be fetched: no scripts, images, fonts, frames or connections; only the inline style.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True, slots=True)
class _Mark:
    kind: str  # one of MARK_KINDS
    index: int  # the attribution's or unverified item's number (1-based)
    span: Span
    title: str  # what a reader sees on hover


def render_article_page(report: Report, text: str, origin: Origin | None = None) -> str:
    """The article ``text`` with ``report``'s findings marked up, as a complete HTML document.

    Raises ``ValueError`` when ``text`` is not the text the report was made from (its SHA-256 differs),
    since every span would then point at the wrong words.
    """
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != report.article.sha256:
        raise ValueError("the text is not the one this report was made from (SHA-256 differs)")
    marks = _marks(report, text)
    title = title_of(report, origin)
    where = origin_html(origin)
    meta = [f'<p class="meta">{where.replace(chr(10), " · ")}</p>'] if where else []
    meta.append(
        f'<p class="meta">{plural(len(report.attributions), "attribution")} · {plural(len(report.sources), "source")}'
        f" · {len(report.unverified)} not established · {plural(report.article.words, 'word')}</p>"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<header><h1>{_esc(title)}</h1>",
        *meta,
        _legend(),
        "</header><main>",
        f'<article id="text" data-attributions="{len(report.attributions)}" data-unverified="{len(report.unverified)}">',
        *_paragraphs(report, text, marks),
        "</article>",
        _sources(report),
        "</main>",
        f"<footer><p>Claimdesk {_esc(report.extractor_version)}: who says what, and what the article itself does "
        "not establish. It does not judge truth.</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _legend() -> str:
    items = [
        '<li><span class="src">Source</span> who says it</li>',
        '<li><span class="cue">cue</span> how it is said</li>',
        '<li><span class="content">content</span> what is said</li>',
        '<li><span class="unv">underlined</span><sup>1</sup> not established: the reason on hover and in the note</li>',
    ]
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def _marks(report: Report, text: str) -> list[_Mark]:
    """Every span to mark, each inside the text (a span outside it is left out rather than misplaced)."""
    marks: list[_Mark] = []
    for number, attribution in enumerate(report.attributions, 1):
        who = attribution.source or "source not found"
        if attribution.source_id is not None:
            source = report.source(attribution.source_id)
            who = source.name if source is not None else who
        pieces: list[tuple[str, Span | None, str]] = [
            ("src", attribution.source_span, f"Source: {who}"),
            ("cue", attribution.cue_span, f"Cue of {who}"),
        ]
        fragments = attribution.content_fragments or (attribution.content_span,)
        pieces += [("content", fragment, f"Content, from {who}") for fragment in fragments]
        marks += [_Mark(kind, number, span, hover) for kind, span, hover in pieces if span is not None]
    for number, item in enumerate(report.unverified, 1):
        marks.append(_Mark("unv", number, item.span, f"{_sentence(reason_label(item.reason))}: {item.evidence}"))
    return [m for m in marks if 0 <= m.span[0] < m.span[1] <= len(text)]


def _sentence(label: str) -> str:
    return label[:1].upper() + label[1:]


def _lines(text: str) -> list[Span]:
    """The text's non-blank lines (its paragraphs), as spans."""
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def _paragraphs(report: Report, text: str, marks: list[_Mark]) -> list[str]:
    out: list[str] = []
    for start, end in _lines(text):
        inside = [m for m in marks if m.span[0] < end and m.span[1] > start]
        cuts = sorted({start, end} | {p for m in inside for p in m.span if start < p < end})
        pieces: list[str] = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            covering = sorted(
                (m for m in inside if m.span[0] <= left and right <= m.span[1]),
                key=lambda m: (MARK_KINDS.index(m.kind), m.index),
            )
            pieces.append(_piece(text[left:right], covering))
            pieces += [_reference(m) for m in inside if m.kind == "unv" and m.span[1] == right]
        notes = [_note(report, m) for m in inside if m.kind == "unv" and start <= m.span[0]]
        aside = f"<aside>{''.join(notes)}</aside>" if notes else "<aside></aside>"
        out.append(f'<div class="para"><p>{"".join(pieces)}</p>{aside}</div>')
    return out


def _piece(fragment: str, covering: list[_Mark]) -> str:
    if not covering:
        return _esc(fragment)
    kinds = " ".join(dict.fromkeys(m.kind for m in covering))
    ids = " ".join(f"{m.kind}-{m.index}" for m in covering)
    hover = " · ".join(dict.fromkeys(m.title for m in reversed(covering)))
    return f'<span class="{kinds}" data-marks="{ids}" title="{_esc(hover)}">{_esc(fragment)}</span>'


def _reference(mark: _Mark) -> str:
    return f'<sup id="ref-{mark.index}"><a href="#note-{mark.index}">{mark.index}</a></sup>'


def _note(report: Report, mark: _Mark) -> str:
    item = report.unverified[mark.index - 1]
    claim = report.claim(item.claim_id)
    about = f" In the claim of {_esc(speaker(report, claim))}." if claim is not None else ""
    return (
        f'<p id="note-{mark.index}"><b>{mark.index}</b> {_esc(_sentence(reason_label(item.reason)))}: '
        f"“{_esc(item.evidence)}”.{about}</p>"
    )


def _sources(report: Report) -> str:
    unverified: dict[str, list[str]] = {}
    for item in report.unverified:
        if item.claim_id is not None:
            unverified.setdefault(item.claim_id, []).append(reason_label(item.reason))
    out = [f'<section class="sources"><h2>Sources ({len(report.sources)})</h2><ol>']
    for source in report.sources:
        bits = [source.kind] + ([source.role] if source.role else []) + ([] if source.named else ["not named"])
        also = f"; also “{_esc('”, “'.join(source.aliases))}”" if source.aliases else ""
        claims = [c for c in report.claims if c.source_id == source.id]
        out.append(
            f'<li><b>{_esc(source.name)}</b> <span class="kind">({_esc(", ".join(bits))}{also})</span> · '
            f"{plural(len(claims), 'claim')}{_claim_list(claims, unverified)}</li>"
        )
    out.append("</ol>")
    for heading, claims in (
        ("Claims whose source was not found", [c for c in report.claims if c.source_id is None and c.kind != "outlet"]),
        ("The outlet’s own claims", [c for c in report.claims if c.source_id is None and c.kind == "outlet"]),
    ):
        if claims:
            out.append(f"<h2>{heading} ({len(claims)})</h2>{_claim_list(claims, unverified)}")
    out.append("</section>")
    return "".join(out)


def _claim_list(claims: list[Claim], unverified: Mapping[str, list[str]]) -> str:
    if not claims:
        return ""
    items = []
    for claim in claims:
        cue = f"<i>{_esc(claim.cue)}</i>: " if claim.cue else ""
        reasons = unverified.get(claim.id)
        flag = (
            f' <span class="kind">· not established: {_esc(", ".join(dict.fromkeys(reasons)))}</span>'
            if reasons
            else ""
        )
        items.append(f"<li>{cue}{_esc(claim.text)}{flag}</li>")
    return f"<ul>{''.join(items)}</ul>"

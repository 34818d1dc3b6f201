"""Rendering a report: pure functions, standard library only.

- :func:`render_text` and :func:`render_markdown` for a person at a terminal or a file;
- :func:`render_telegram` for the bot: one page of Telegram HTML (parse mode HTML) per call, every piece
  of article text escaped, at most :data:`TELEGRAM_LIMIT` UTF-16 code units, long sections paged.

The CLI's ``--format html`` prints ``render_telegram(report).html``, exactly what the bot sends first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.desk import VERDICT_MARKS, VERDICTS, DeskEntry, DeskView, Earlier, Verdict, match_counts, verdict_counts
from bot.origin import Origin, PageOrigin
from bot.report import Claim, Reason, Report, Source, Unverified, reason_label

#: Telegram's limit for one message, in UTF-16 code units.
TELEGRAM_LIMIT = 4096
#: The sections a Telegram report can show; the keyboard names the same ones.
SECTIONS: tuple[str, ...] = ("overview", "claims", "sources", "unverified")
SECTION_TITLES: dict[str, str] = {
    "overview": "Overview",
    "claims": "Claims",
    "sources": "Sources",
    "unverified": "Unverified",
}
#: The first message fits one phone screen: at most this many characters of visible text (tags and
#: link targets not counted), whatever the article.
FIRST_MESSAGE_LIMIT = 1500
#: How many sources, key claims and "not established" lines the first message shows at most; fewer when
#: the screen is full (the section taking the most room gives a line up first).
OVERVIEW_SOURCES = 6
OVERVIEW_CLAIMS = 4
OVERVIEW_UNVERIFIED = 4
#: Longest piece of article text shown in one item (characters of plain text, before escaping).
ITEM_TEXT_LIMIT = 600
#: In the first message: a key claim's content, a claim named by a "not established" line, its evidence.
OVERVIEW_CLAIM_LIMIT = 100
OVERVIEW_ABOUT_LIMIT = 60
OVERVIEW_EVIDENCE_LIMIT = 50
TITLE_LIMIT = 200
#: A title made from the lead's first sentence, for a post without a headline line.
LEAD_TITLE_LIMIT = 90
#: Longest link target put in a report (UTF-16 units, escaped); a longer URL leaves its label unlinked.
LINK_LIMIT = 1000
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class TelegramPage:
    """One Telegram message: ``html`` to send with parse mode HTML; ``page`` of ``pages`` (0-based)."""

    html: str
    section: str
    page: int
    pages: int
    #: The claims this page lists, in order (the Claims page: its verdict buttons), and the index of its
    #: first item in the whole section (the Claims page numbers its claims from ``first_item + 1``).
    claim_ids: tuple[str, ...] = ()
    first_item: int = 0


# --- length and safe truncation -------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """Plain ``text`` cut to at most ``limit`` UTF-16 units, at a word boundary when one is near, with "…".

    Works on plain text (escape afterwards), so a cut can never fall inside an HTML entity or tag, and
    never inside a surrogate pair (Python strings hold whole code points).
    """
    text = " ".join(text.split())
    if utf16_len(text) <= limit:
        return text
    budget = max(0, limit - 1)
    used = 0
    end = 0
    for end, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > budget:
            break
    cut = text[:end]
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def esc(text: str | None, limit: int | None = None) -> str:
    """Escaped article text for Telegram HTML; with ``limit``, shortened so the ESCAPED form fits it.

    Quotes are left as they are (they need no escaping outside attributes), so only ``&lt;``, ``&gt;``
    and ``&amp;`` appear, the entities Telegram names.
    """
    plain = "" if text is None else text
    if limit is None:
        return html.escape(plain, quote=False)
    target = limit
    escaped = html.escape(shorten(plain, target), quote=False)
    while utf16_len(escaped) > limit:
        target -= utf16_len(escaped) - limit
        escaped = html.escape(shorten(plain, max(target, 1)), quote=False)
    return escaped


# --- shared helpers -------------------------------------------------------------------------------


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 claim", "2 claims"; ``many`` for an irregular plural ("1 match", "2 matches")."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def counts_line(report: Report) -> str:
    """ "3 claims · 2 sources · 1 unverified" (plain text, no article text in it)."""
    return (
        f"{plural(len(report.claims), 'claim')} · {plural(len(report.sources), 'source')} · "
        f"{len(report.unverified)} unverified"
    )


def speaker(report: Report, claim: Claim) -> str:
    """Who makes a claim: its source's name; the outlet for the outlet's own claims; otherwise the claim is
    an attribution whose source was not found, never the outlet's or the forwarding channel's words."""
    source = report.source(claim.source_id)
    if source is not None:
        return source.name
    if claim.kind == "outlet":
        return f"{report.article.outlet} (outlet)" if report.article.outlet else "the outlet"
    return "unattributed quote" if claim.kind == "quote" else "source not found"


def short_name(source: Source) -> str:
    """The name a reader knows a source by in a list: a named person's surname ("Ryder"), an
    organisation's acronym ("DIU"), else the name as given."""
    acronym = next((a for a in source.aliases if a.isupper() and " " not in a and len(a) >= 2), None)
    if acronym is not None:
        return acronym
    words = source.name.split()
    if source.kind == "person" and source.named and words:
        return words[-1]
    return source.name


def ranked_claims(report: Report) -> list[Claim]:
    """Claims, most check-worthy first within each group (stable: the article's order breaks ties):
    attributed claims, then those whose source was not found, then the outlet's own (background) sentences."""

    def group(claim: Claim) -> int:
        return 0 if report.source(claim.source_id) is not None else 2 if claim.kind == "outlet" else 1

    return sorted(report.claims, key=lambda c: (group(c), -c.checkworthiness))


#: Words of a line that only dates a post ("Friday, January 4, 2019", "Dec. 20, 2024"): English weekday and
#: month names and their usual abbreviations (AP style "Sept."), as news sites and Wikinews print them.
DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def is_date_line(line: str) -> bool:
    """True for a line that is only a date (a post's dateline, not a headline): "Friday, January 4, 2019"."""
    tokens = _DATE_TOKEN.findall(line.lower())
    return bool(tokens) and all(t.isdigit() or t in DATE_WORDS for t in tokens) and any(t.isdigit() for t in tokens)


def title_of(report: Report, origin: Origin | None = None) -> str:
    """The article's title (plain text): its headline; else the first sentence of its lead, shortened at a
    word boundary; else the channel it came from and the date; else the outlet; else "Untitled article"."""
    if report.article.title and not is_date_line(report.article.title):
        return report.article.title
    if report.summary:
        return shorten(report.summary[0].rstrip(" ."), LEAD_TITLE_LIMIT)
    if origin is not None and origin.chat_title:
        date = (origin.date or "")[:10]
        return f"Post from {origin.chat_title}" + (f", {date}" if date else "")
    if report.article.outlet:
        return f"Article from {report.article.outlet}"
    return "Untitled article"


def _source_bits(source: Source) -> str:
    bits: list[str] = [source.kind]
    if source.role:
        bits.append(source.role)
    if not source.named:
        bits.append("unnamed")
    return ", ".join(bits)


# --- plain text and Markdown (CLI) ----------------------------------------------------------------


def render_text(report: Report) -> str:
    """The report for a person at a terminal."""
    lines: list[str] = [title_of(report), "=" * min(72, max(8, len(title_of(report))))]
    meta = [m for m in (report.article.outlet, report.article.published) if m]
    if meta:
        lines.append(" · ".join(meta))
    lines.append(f"{counts_line(report)} · {report.article.words} words · extractor {report.extractor_version}")
    if report.summary:
        lines += ["", "Summary"]
        lines += [f"  {sentence}" for sentence in report.summary]
    lines += ["", f"Claims ({len(report.claims)})"]
    for claim in ranked_claims(report):
        cue = f" ({claim.cue})" if claim.cue else ""
        lines.append(f"  - {speaker(report, claim)}{cue}: {claim.text}")
        details = []
        if claim.figures:
            details.append("figures: " + ", ".join(f.text for f in claim.figures))
        if claim.hedges:
            details.append("hedges: " + ", ".join(claim.hedges))
        if details:
            lines.append("      " + "; ".join(details))
    lines += ["", f"Sources ({len(report.sources)})"]
    for source in report.sources:
        lines.append(f"  - {source.name} [{_source_bits(source)}]")
        if source.aliases:
            lines.append("      also: " + ", ".join(source.aliases))
    lines += ["", f"Unverified ({len(report.unverified)})"]
    for item in report.unverified:
        lines.append(f"  - {reason_label(item.reason)}: {item.evidence}")
        about = report.claim(item.claim_id)
        if about is not None:
            lines.append(f"      claim: {about.text}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape Markdown's inline specials in article text."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in " ".join(text.split()))


def render_markdown(report: Report, *, level: int = 1, note: str | None = None) -> str:
    """The report as a Markdown document; its title a heading of ``level`` (2 inside an export), with
    ``note`` (plain text) in italics under it."""
    title, section = "#" * level, "#" * (level + 1)
    out: list[str] = [f"{title} {_md(title_of(report))}", ""]
    if note:
        out += [f"*{_md(note)}*", ""]
    meta = [m for m in (report.article.outlet, report.article.published) if m]
    if meta:
        out += [_md(" · ".join(meta)), ""]
    out += [f"*{counts_line(report)}* · {report.article.words} words · extractor {report.extractor_version}", ""]
    if report.summary:
        out += [f"{section} Summary", ""] + [f"- {_md(s)}" for s in report.summary] + [""]
    out += [f"{section} Claims ({len(report.claims)})", ""]
    for claim in ranked_claims(report):
        cue = f" ({_md(claim.cue)})" if claim.cue else ""
        out.append(f"- **{_md(speaker(report, claim))}**{cue}: {_md(claim.text)}")
    out += ["", f"{section} Sources ({len(report.sources)})", ""]
    for source in report.sources:
        also = f"; also: {_md(', '.join(source.aliases))}" if source.aliases else ""
        out.append(f"- **{_md(source.name)}** ({_md(_source_bits(source))}){also}")
    out += ["", f"{section} Unverified ({len(report.unverified)})", ""]
    for item in report.unverified:
        out.append(f"- *{reason_label(item.reason)}*: {_md(item.evidence)}")
    return "\n".join(out) + "\n"


# --- Telegram HTML --------------------------------------------------------------------------------


def origin_html(origin: Origin | None) -> str:
    """Where the article came from, as escaped HTML (empty when nothing is known)."""
    if origin is None:
        return ""
    parts: list[str] = []
    name = origin.chat_title or origin.sender_name
    if name:
        label = esc(name, TITLE_LIMIT)
        url = origin.post_url
        if url and url.startswith("https://t.me/"):
            label = _link(url, label)
        verb = "Forwarded from" if origin.kind else "From"
        parts.append(f"{verb} {label}")
    elif origin.kind == "hidden_user":
        parts.append("Forwarded from a hidden account")
    if origin.author_signature:
        parts.append("by " + esc(origin.author_signature, 100))
    if origin.date:
        parts.append(esc(origin.date[:10]))
    if origin.file_name:
        parts.append("file " + esc(origin.file_name, 100))
    lines = [" · ".join(parts)] if parts else []
    if origin.page is not None and origin.page.url:
        lines.append(page_html(origin.page))
    return "\n".join(lines)


def _link(url: str, label: str) -> str:
    """``label`` (escaped HTML) linked to ``url``; unlinked when the URL is too long to be worth a message."""
    href = html.escape(url, quote=True)
    if utf16_len(href) > LINK_LIMIT:
        return label
    return f'<a href="{href}">{label}</a>'


def page_html(page: PageOrigin) -> str:
    """A fetched page (its title heads the report): "Article on <a href=URL>Site</a> · published 2019-01-04"."""
    url = page.url
    label = esc(page.site_name or urlsplit(url).hostname or url, TITLE_LIMIT)
    if url.startswith(("https://", "http://")):
        label = _link(url, label)
    line = f"Article on {label}"
    if page.published:
        line += " · published " + esc(page.published[:10])
    return line


#: The first line under the origin when a message was edited after its report and analysed again.
EDITED_NOTE = "✎ Analysed again: the message was edited."


def seen_html(seen_in_chat: int, first_seen_in_chat: str | None) -> str:
    """ "Seen 3 times in this chat, first on 2026-11-25." for a repeat; empty for a first sighting."""
    if seen_in_chat <= 1:
        return ""
    first = f", first on {esc(first_seen_in_chat[:10])}" if first_seen_in_chat else ""
    return f"↺ Seen {seen_in_chat} times in this chat{first}; this is the stored report."


def _claim_html(report: Report, claim: Claim, limit: int) -> str:
    cue = f" <i>{esc(claim.cue, 40)}</i>" if claim.cue else ""
    return f"• <b>{esc(speaker(report, claim), 120)}</b>{cue}: {esc(claim.text, limit)}"


def _unverified_html(item: Unverified, limit: int) -> str:
    return f"• <i>{esc(reason_label(item.reason))}</i>: {esc(item.evidence, limit)}"


def _source_html(source: Source) -> str:
    line = f"• <b>{esc(source.name, 150)}</b> ({esc(_source_bits(source), 150)})"
    if source.aliases:
        line += "\n   also: " + esc(", ".join(source.aliases), 300)
    if source.claims:
        line += f"\n   {plural(len(source.claims), 'claim')}"
    return line


def _header(report: Report, origin: Origin | None, seen: str) -> list[str]:
    lines = [f"<b>{esc(title_of(report, origin), TITLE_LIMIT)}</b>"]
    where = origin_html(origin)
    if where:
        lines.append(where)
    if seen:
        lines.append(seen)
    return lines


def fit_blocks(blocks: list[str], budget: int) -> tuple[list[str], int]:
    """As many leading blocks as fit in ``budget`` UTF-16 units (joined by newlines); and how many were left."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        cost = utf16_len(block) + 1
        if used + cost > budget:
            break
        kept.append(block)
        used += cost
    return kept, len(blocks) - len(kept)


def visible_len(markup: str) -> int:
    """How long Telegram HTML reads: UTF-16 units of its text, tags and link targets not counted."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))


_TAG = re.compile(r"<[^>]*>")


def _possessive(name: str) -> str:
    return name + ("’" if name.endswith("s") else "’s")


def _overview_source(source: Source) -> str:
    """ "• <b>Defence Intelligence of Ukraine</b> (DIU, military) · 6 claims"; anonymous ones marked."""
    acronym = short_name(source)
    bits = [esc(acronym, 20)] if acronym not in source.name and acronym.isupper() else []
    if source.kind == "anonymous":
        bits.append("<i>anonymous</i>")
    elif source.kind != "unknown":  # a kind the rules could not tell is not worth a word
        bits.append(esc(source.kind))
    if not source.named and source.kind != "anonymous":
        bits.append("<i>unnamed</i>")
    kinds = f" ({', '.join(bits)})" if bits else ""
    return f"• <b>{esc(source.name, 60)}</b>{kinds} · {plural(len(source.claims), 'claim')}"


def _overview_claim(report: Report, claim: Claim) -> str:
    """ "• <b>DIU</b> <i>adding</i>: the estimated losses of the units…"; the outlet's and unattributed
    claims named in italics, so they never read as a source's."""
    source = report.source(claim.source_id)
    who = f"<b>{esc(short_name(source), 60)}</b>" if source is not None else f"<i>{esc(speaker(report, claim), 60)}</i>"
    cue = f" <i>{esc(claim.cue, 30)}</i>" if claim.cue and source is not None else ""
    return f"• {who}{cue}: {esc(claim.text, OVERVIEW_CLAIM_LIMIT)}"


def _claim_phrase(report: Report, claim: Claim) -> tuple[str, str]:
    """Whose claim it is, as a phrase ("DIU’s claim"), and the word that leads into its text ("that")."""
    source = report.source(claim.source_id)
    if source is not None:
        owner = _possessive(short_name(source))
        return (f"{owner} quote", "") if claim.kind == "quote" else (f"{owner} claim", " that")
    if claim.kind == "outlet":
        return f"{_possessive(report.article.outlet) if report.article.outlet else 'the outlet’s'} own claim", ":"
    if claim.kind == "quote":
        return "an unattributed quote", ""
    return "a claim whose source was not found", ":"


def _not_established(report: Report) -> list[tuple[str, int]]:
    """One line per claim with unverified items (article order), and how many items each line covers:
    "• <i>Estimate</i>: “about 200 servicemen” in DIU’s claim that the estimated losses…"."""
    groups: dict[str | None, list[Unverified]] = {}
    lines: list[tuple[str, int]] = []
    for item in report.unverified:
        if item.claim_id is not None and report.claim(item.claim_id) is not None:
            groups.setdefault(item.claim_id, []).append(item)
        else:
            groups[f"#{len(groups)}"] = [item]  # an item about no claim stands alone
    for claim_id, items in groups.items():
        by_reason: dict[Reason, list[str]] = {}
        for item in items:
            by_reason.setdefault(item.reason, []).append(item.evidence)
        parts = []
        for number, (reason, evidence) in enumerate(by_reason.items()):
            label = reason_label(reason)
            label = label[:1].upper() + label[1:] if number == 0 else label
            quoted = ", ".join(f"“{esc(e.strip('“”'), OVERVIEW_EVIDENCE_LIMIT)}”" for e in evidence[:2])
            parts.append(f"<i>{esc(label)}</i>: {quoted}")
        line = "• " + "; ".join(parts)
        claim = report.claim(claim_id)
        if claim is not None:
            phrase, lead = _claim_phrase(report, claim)
            if any(len(e) >= 0.5 * len(claim.text) for e in (i.evidence for i in items) if e in claim.text):
                # the evidence is most of the claim: the claim itself says it, with its owner
                line = line.split(": ", 1)[0] + f": “{esc(claim.text.strip('“”'), OVERVIEW_CLAIM_LIMIT)}”"
                line += f" ({esc(phrase, 80)})"
            else:
                line += f" in {esc(phrase, 80)}{lead} {esc(claim.text, OVERVIEW_ABOUT_LIMIT)}"
        lines.append((line, len(items)))
    return lines


def desk_lines(desk: DeskView | None) -> list[str]:
    """The first page's desk lines: "2 verified · 1 disputed" and "3 seen before · 1 corroborated"."""
    if desk is None:
        return []
    lines = []
    verdicts = verdict_counts(desk)
    if verdicts:
        lines.append(" · ".join(f"{n} {VERDICTS[name]}" for name, n in verdicts.items()))
    matches = match_counts(desk)
    words = {"same": "seen before", "corroborating": "corroborated", "conflicting": "in conflict"}
    found = [f"{n} {words[label]}" for label, n in matches.items() if n]
    if found:
        lines.append("↺ " + " · ".join(found) + " (earlier articles in this chat)")
    return lines


def _overview(report: Report, origin: Origin | None, seen: str, desk: DeskView | None) -> TelegramPage:
    """The first message: one phone screen (:data:`FIRST_MESSAGE_LIMIT`) that tells the story."""
    head = _header(report, origin, seen) + [counts_line(report)] + desk_lines(desk)
    footer = "<i>Who says what, and what is not established; Claimdesk does not judge truth.</i>"
    main = sorted(
        (s for s in report.sources if s.claims), key=lambda s: (-len(s.claims), s.kind != "anonymous")
    )  # stable: the article's order breaks ties
    sources = [(_overview_source(s), 1) for s in main]
    claims = [(_overview_claim(report, c), 1) for c in ranked_claims(report)]
    unverified = _not_established(report)
    # (heading, lines, total, the page that has the rest, how many lines at most)
    sections = [
        ("Sources", sources, len(report.sources), "Sources", OVERVIEW_SOURCES),
        ("Key claims", claims, len(report.claims), "Claims", OVERVIEW_CLAIMS),
        ("Not established", unverified, len(report.unverified), "Unverified", OVERVIEW_UNVERIFIED),
    ]
    shown = [min(len(lines), most) for _, lines, _, _, most in sections]

    def build() -> str:
        body = list(head)
        for (heading, lines, total, page, _), count in zip(sections, shown, strict=True):
            if not count:
                continue
            body += ["", f"<b>{heading}</b>"] + [line for line, _ in lines[:count]]
            rest = total - sum(n for _, n in lines[:count])
            if rest > 0:
                body.append(f"<i>… {rest} more under {page}</i>")
        if not report.claims and not report.unverified:
            body += ["", "No attributed claims or unverified points were found."]
        return "\n".join(body + ["", footer])

    markup = build()
    while visible_len(markup) > FIRST_MESSAGE_LIMIT and max(shown) > 1:
        room = [
            sum(visible_len(line) for line, _ in lines[:n]) if n > 1 else 0
            for (_, lines, *_), n in zip(sections, shown, strict=True)
        ]
        shown[room.index(max(room))] -= 1  # the section taking the most room gives a line up
        markup = build()
    return TelegramPage(html=markup, section="overview", page=0, pages=1)


def _paged(
    report: Report,
    origin: Origin | None,
    blocks: list[str],
    section: str,
    page: int,
    ids: Sequence[str] = (),
) -> TelegramPage:
    name = SECTION_TITLES[section]
    head = f"<b>{esc(title_of(report, origin), TITLE_LIMIT)}</b>\n<b>{name} ({len(blocks)})</b>"
    reserve = 40  # the " (page 10/12)" suffix and newlines
    budget = TELEGRAM_LIMIT - utf16_len(head) - reserve
    pages: list[list[str]] = []
    starts: list[int] = []
    rest = blocks
    while rest:
        kept, _ = fit_blocks(rest, budget)
        assert kept, "every block is bounded well below a page by the esc() limits"
        starts.append(len(blocks) - len(rest))
        pages.append(kept)
        rest = rest[len(kept) :]
    if not pages:
        pages, starts = [[f"No {name.lower()} found."]], [0]
    page = min(max(page, 0), len(pages) - 1)
    suffix = f" (page {page + 1}/{len(pages)})" if len(pages) > 1 else ""
    text = f"{head}{suffix}\n\n" + "\n".join(pages[page])
    shown = tuple(ids[starts[page] : starts[page] + len(pages[page])])
    return TelegramPage(
        html=text, section=section, page=page, pages=len(pages), claim_ids=shown, first_item=starts[page]
    )


def render_telegram(
    report: Report,
    origin: Origin | None = None,
    *,
    section: str = "overview",
    page: int = 0,
    seen_in_chat: int = 1,
    first_seen_in_chat: str | None = None,
    edited: bool = False,
    desk: DeskView | None = None,
) -> TelegramPage:
    """One page of the report as Telegram HTML (<= 4096 UTF-16 units, balanced tags, escaped text).

    ``section`` is one of :data:`SECTIONS`; ``page`` is 0-based and clamped to the pages there are.
    ``seen_in_chat`` > 1 adds a line saying this article was seen before in the chat, ``edited`` one saying
    it was analysed again because its message was edited (overview only). ``desk``: the chat's verdicts
    and earlier matches; the first page counts them, the Claims page numbers its claims and shows each
    one's verdict and matches.
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    if section == "overview":
        notes = [seen_html(seen_in_chat, first_seen_in_chat), EDITED_NOTE if edited else ""]
        return _overview(report, origin, "\n".join(note for note in notes if note), desk)
    if section == "claims":
        claims = ranked_claims(report)
        if desk is None:
            blocks = [_claim_with_figures(report, c) for c in claims]
        else:
            blocks = [_claim_on_desk(report, c, n, desk) for n, c in enumerate(claims, 1)]
        return _paged(report, origin, blocks, section, page, [c.id for c in claims])
    builders: dict[str, Callable[[], list[str]]] = {
        "sources": lambda: [_source_html(s) for s in report.sources],
        "unverified": lambda: _unverified_blocks(report),
    }
    return _paged(report, origin, builders[section](), section, page)


def _claim_with_figures(report: Report, claim: Claim, number: int | None = None) -> str:
    line = _claim_html(report, claim, ITEM_TEXT_LIMIT)
    if number is not None:
        line = f"<b>{number}.</b>" + line.removeprefix("•")
    if claim.hedges:
        line += "\n   hedged: " + esc(", ".join(claim.hedges), 200)
    if claim.figures:
        line += "\n   figures: " + esc(", ".join(f.text for f in claim.figures), 200)
    return line


def _claim_on_desk(report: Report, claim: Claim, number: int, desk: DeskView) -> str:
    """A numbered claim with its verdict and what it matched in earlier articles."""
    lines = [_claim_with_figures(report, claim, number)]
    own = desk.verdicts.get(claim.id)
    if own is not None:
        lines.append("   " + verdict_html(own))
    for earlier in desk.earlier.get(claim.id, ()):
        lines.append("   " + earlier_html(earlier, carried=own is None))
    return "\n".join(lines)


def verdict_html(verdict: Verdict) -> str:
    """ "✅ verified · Alice · 2026-12-01: the note" (escaped HTML)."""
    line = f"{VERDICT_MARKS[verdict.verdict]} <b>{VERDICTS[verdict.verdict]}</b>"
    if verdict.user_name:
        line += " · " + esc(verdict.user_name, 60)
    line += " · " + esc(verdict.created_at[:10])
    if verdict.note:
        line += ": " + esc(verdict.note, 300)
    return line


def _where(earlier: Earlier) -> str:
    return f"<i>{esc(earlier.title or 'an untitled article', 120)}</i>, {esc(earlier.created_at[:10])}"


def earlier_html(earlier: Earlier, *, carried: bool = True) -> str:
    """One match in an earlier article: seen before, also reported by, or a conflicting figure.

    With ``carried``, the earlier claim's verdict is shown, marked as carried over.
    """
    if earlier.label == "conflicting" and earlier.conflicts:
        (here, there), *more = earlier.conflicts
        line = f"≠ conflicting figure: {esc(here, 40)} here, {esc(there, 40)} in {_where(earlier)}"
        if more:
            line += " (also " + "; ".join(f"{esc(h, 40)} here, {esc(t, 40)} there" for h, t in more[:3]) + ")"
    elif earlier.label == "corroborating":
        who = f"<b>{esc(earlier.source_name, 120)}</b>" if earlier.source_name else "another outlet"
        line = f"＋ also reported by {who} in {_where(earlier)}"
    else:
        line = f"↺ seen before in {_where(earlier)}"
    if carried and earlier.verdict is not None:
        mark, name = VERDICT_MARKS[earlier.verdict.verdict], VERDICTS[earlier.verdict.verdict]
        line += f" · {mark} {name} there (carried over)"
    return line


def render_desk(needs_checking: Sequence[DeskEntry], recent: Sequence[DeskEntry]) -> str:
    """``/desk``: the chat's claims still marked "needs checking", then its latest verdicts (HTML)."""
    blocks = ["<b>Desk</b>"]
    sections = (("Needs checking", needs_checking), ("Latest verdicts", recent))
    for heading, entries in sections:
        blocks += ["", f"<b>{heading} ({len(entries)})</b>"]
        if not entries:
            blocks.append("None.")
        for n, entry in enumerate(entries, 1):
            title = esc(entry.title or "Untitled article", 80)
            blocks.append(f"{n}. {esc(entry.claim_text, 200)}\n   {verdict_html(entry.verdict)} · in <i>{title}</i>")
    kept, left = fit_blocks(blocks, TELEGRAM_LIMIT - 40)
    if left:
        kept.append(f"<i>… {left} more</i>")
    return "\n".join(kept)


def _unverified_blocks(report: Report) -> list[str]:
    claims = {claim.id: claim for claim in report.claims}
    blocks = []
    for item in report.unverified:
        line = _unverified_html(item, ITEM_TEXT_LIMIT)
        claim = claims.get(item.claim_id) if item.claim_id else None
        if claim is not None and claim.text != item.evidence:
            line += "\n   claim: " + esc(claim.text, 300)
        blocks.append(line)
    return blocks

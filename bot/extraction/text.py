"""Character-level structure of an article: paragraphs, quotations and boilerplate lines.

Pure functions over the raw text (no spaCy), so the rules that use them can be tested on plain strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extraction.lexicon import HOUSEKEEPING_PREFIXES, NOTE_PREFIXES, RELATED_BLOCK_OPENERS

Span = tuple[int, int]

_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”]\s*$")
#: A photo credit or caption line: "... Image: Name.", "Photo: Name", "Name / Agency via Getty Images".
_CREDIT = re.compile(
    r"\b(?:image|photo|picture|photograph|credit)s?\s*:\s*[^.:]{1,80}\.?\s*$|\bvia getty images\b|"
    r"^(?:file )?(?:photo|image|picture)\b|\b(?:getty images|afp photo|ap photo|reuters photo)\b",
    re.I,
)
_CAPTION_WORDS = 40
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s*[A-Z][\w .'-]+)?\s*[–—-]\s+")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One line of the article, and whether it is body text or boilerplate."""

    span: Span
    boilerplate: bool


def paragraphs(text: str) -> list[Paragraph]:
    """Split text into lines and mark the ones that are not article body.

    Boilerplate: a related-links opener ("More coverage on this topic") and the headline-like lines
    after it (no sentence-final punctuation), newsroom housekeeping ("Edited by ...", update notes),
    bylines, editor's notes, and photo captions with their credits ("... Image: Name."). Why: these
    lines are the outlet's navigation and picture desk, not what the article asserts; quote
    extractors that read them report headlines of other stories as quotes and credit lines as sources.
    """
    found: list[Paragraph] = []
    in_related_block = False
    for match in _PARAGRAPH.finditer(text):
        line = match.group().strip()
        if not line:
            continue
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        span = (start, start + len(line))
        lower = line.lower()
        ends_like_sentence = bool(_SENTENCE_END.search(line))
        if any(lower.startswith(opener) for opener in RELATED_BLOCK_OPENERS) and len(line.split()) <= 8:
            in_related_block = True
            found.append(Paragraph(span, True))
            continue
        if in_related_block and not ends_like_sentence:
            found.append(Paragraph(span, True))
            continue
        in_related_block = False
        words = len(line.split())
        housekeeping = any(lower.startswith(p) for p in HOUSEKEEPING_PREFIXES) and words <= 20
        note = lower.startswith(NOTE_PREFIXES)
        caption = words <= _CAPTION_WORDS and bool(_CREDIT.search(line))
        found.append(Paragraph(span, housekeeping or note or caption))
    return found


def dateline_end(line: str) -> int:
    """Length of a leading dateline ("TAIPEI, Taiwan – "), or 0."""
    match = _DATELINE.match(line)
    return match.end() if match else 0


_QUOTE_MARK = re.compile(r"''|``|[“”«»„\"]")


def quotations(text: str, paragraph_spans: list[Span]) -> list[Span]:
    """Spans of direct quotations, quote marks included.

    Marks: curly and straight double quotes, guillemets, and the doubled apostrophes (''...'')
    of some wire and newspaper archives. A quotation opened and not closed in a paragraph ends
    with the paragraph: newspapers reopen it at the start of the next paragraph, which is then a
    quotation of its own (AP style). Straight marks pair up left to right within a paragraph.
    """
    spans: list[Span] = []
    for p_start, p_end in paragraph_spans:
        open_at: int | None = None
        opener = ""
        for match in _QUOTE_MARK.finditer(text, p_start, p_end):
            mark, i = match.group(), match.start()
            if open_at is None:
                if mark in "“«„``" or (mark in ('"', "''") and _opens(text, i)):
                    open_at, opener = i, mark
            elif (
                mark in "”»"
                or (mark == opener and mark in ('"', "''"))
                or (mark == "“" and opener == "„")
                or (mark == "''" and opener == "``")
            ):
                spans.append((open_at, match.end()))
                open_at = None
            elif mark == "“" and opener == "“":
                # Two openers in a row: the first was never closed; start over here.
                open_at = i
        if open_at is not None and p_end - open_at > 1:
            spans.append((open_at, p_end))
    return spans


def _opens(text: str, i: int) -> bool:
    """A straight quote opens when it is not glued to the word before it."""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in ".,!?")

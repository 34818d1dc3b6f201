"""Claimdesk's output formats, in one registry: ``python -m bot analyze --format`` offers the ones that
render one report, ``/export`` the ones that write a chat's analyses as a file (UTF-8 bytes). Pure: no
database access here; the renderers of one report are :mod:`bot.render`'s and :meth:`Report.to_json`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.article_page import render_article_page
from bot.render import render_markdown, render_telegram, render_text
from bot.report import Report, reason_label
from storage.rows import Analysis, analysis_dict

#: One analysis of a chat, with its report, as an export takes it.
Exported = tuple[Analysis, Report]

CSV_HEADER = (
    "analysis_id",
    "date",
    "title",
    "claim_id",
    "source",
    "cue",
    "kind",
    "claim",
    "unverified",
)

# A spreadsheet runs a cell that starts with one of these as a formula; article text is untrusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """A format by ``name`` (``--format``; ``/export`` takes the ``suffix`` too, e.g. "md"); ``report``
    renders one report (the CLI), ``article`` one report with the article text its spans point into (the
    CLI), ``export`` writes a chat's analyses, oldest first, to a text stream one at a time (``/export``: a
    file, so thousands of reports are never held at once)."""

    name: str
    suffix: str
    report: Callable[[Report], str] | None = None
    export: Callable[[Iterable[Exported], TextIO], None] | None = None
    article: Callable[[Report, str], str] | None = None


def _json(items: Iterable[Exported], out: TextIO) -> None:
    """A JSON array of {"analysis", "report"}, one entry a line, written entry by entry (compact: the
    indented form went through json's pure-Python encoder, 3 times slower for 2,000 reports)."""
    separator = "[\n"
    for item, report in items:
        out.write(
            separator + json.dumps({"analysis": analysis_dict(item), "report": report.to_dict()}, ensure_ascii=False)
        )
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(items: Iterable[Exported], out: TextIO) -> None:
    """One row per claim; an analysis without claims still gets one row (claim columns empty)."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for item, report in items:
        head = (item.id, item.created_at, item.title)
        if not report.claims:
            writer.writerow([_cell(v) for v in (*head, "", "", "", "", "", "")])
        for claim in report.claims:
            source = report.source(claim.source_id)
            reasons = "; ".join(reason_label(u.reason) for u in report.unverified if u.claim_id == claim.id)
            row = (*head, claim.id, source.name if source else "", claim.cue, claim.kind, claim.text, reasons)
            writer.writerow([_cell(v) for v in row])


def _markdown(items: Iterable[Exported], out: TextIO) -> None:
    """Every report as :func:`bot.render.render_markdown` writes it, under one heading."""
    out.write("# Claimdesk export\n")
    for item, report in items:
        out.write("\n" + render_markdown(report, level=2, note=f"analysis {item.id}, analysed {item.created_at}"))


#: Every output format; the order is the order offered.
FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("text", "txt", report=render_text),
    OutputFormat("json", "json", report=lambda report: report.to_json() + "\n", export=_json),
    OutputFormat("csv", "csv", export=_csv),
    OutputFormat("markdown", "md", report=render_markdown, export=_markdown),
    OutputFormat("html", "html", report=lambda report: render_telegram(report).html + "\n"),
    OutputFormat("article-html", "html", article=render_article_page),
)
#: ``--format`` choices.
REPORT_FORMATS: tuple[str, ...] = tuple(f.name for f in FORMATS if f.report is not None or f.article is not None)
#: ``/export`` choices, as the command shows them (the file suffix).
EXPORT_FORMATS: tuple[str, ...] = tuple(f.suffix for f in FORMATS if f.export is not None)


def render_report(report: Report, name: str, text: str | None = None) -> str:
    """``report`` in the format of ``--format name``; ``text``: the article, for a format that shows it
    (ValueError when there is no such format, or it needs the text and none is given)."""
    for output in FORMATS:
        if output.name == name and output.report is not None:
            return output.report(report)
        if output.name == name and output.article is not None and text is not None:
            return output.article(report, text)
    raise ValueError(f"unknown report format {name!r}; use one of {', '.join(REPORT_FORMATS)}")


def export_format(word: str) -> OutputFormat | None:
    """The format ``/export word`` asks for, by name or suffix ("md", "markdown", ".md"); None when none."""
    word = word.lower().lstrip(".")
    return next((f for f in FORMATS if word in (f.name, f.suffix) and f.export is not None), None)

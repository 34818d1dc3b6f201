"""Claimdesk's output formats, in one registry: ``python -m bot analyze --format`` offers the ones that
render one report, ``/export`` the ones that write a chat's analyses as a file (UTF-8 bytes). Pure: no
database access here; the renderers of one report are :mod:`bot.render`'s and :meth:`Report.to_json`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    CLI), ``export`` a chat's analyses, oldest first (``/export``)."""

    name: str
    suffix: str
    report: Callable[[Report], str] | None = None
    export: Callable[[Sequence[Exported]], bytes] | None = None
    article: Callable[[Report, str], str] | None = None


def _json(items: Sequence[Exported]) -> bytes:
    data = [{"analysis": analysis_dict(item), "report": report.to_dict()} for item, report in items]
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(items: Sequence[Exported]) -> bytes:
    """One row per claim; an analysis without claims still gets one row (claim columns empty)."""
    out = io.StringIO()
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
    return out.getvalue().encode("utf-8")


def _markdown(items: Sequence[Exported]) -> bytes:
    """Every report as :func:`bot.render.render_markdown` writes it, under one heading."""
    parts = ["# Claimdesk export\n"]
    parts += [
        render_markdown(report, level=2, note=f"analysis {item.id}, analysed {item.created_at}")
        for item, report in items
    ]
    return "\n".join(parts).encode("utf-8")


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

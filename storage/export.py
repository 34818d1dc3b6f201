"""Pure formatting of a chat's analyses as an export file: JSON, CSV or Markdown (UTF-8 bytes)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Literal

from bot.report import REASON_LABELS, Report
from storage.rows import Analysis, analysis_dict

ExportFormat = Literal["json", "csv", "md"]
FORMATS: tuple[ExportFormat, ...] = ("json", "csv", "md")

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


def render(items: Sequence[tuple[Analysis, Report]], fmt: ExportFormat) -> bytes:
    """The export file for these analyses (oldest first)."""
    if fmt == "json":
        return _json(items)
    if fmt == "csv":
        return _csv(items)
    if fmt == "md":
        return _markdown(items)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _json(items: Sequence[tuple[Analysis, Report]]) -> bytes:
    data = [{"analysis": analysis_dict(item), "report": report.to_dict()} for item, report in items]
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _reasons(report: Report, claim_id: str | None) -> list[str]:
    return [REASON_LABELS.get(u.reason, u.reason) for u in report.unverified if u.claim_id == claim_id]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(items: Sequence[tuple[Analysis, Report]]) -> bytes:
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
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        *head,
                        claim.id,
                        source.name if source else "",
                        claim.cue,
                        claim.kind,
                        claim.text,
                        "; ".join(_reasons(report, claim.id)),
                    )
                ]
            )
    return out.getvalue().encode("utf-8")


def _markdown(items: Sequence[tuple[Analysis, Report]]) -> bytes:
    lines = ["# Claimdesk export", ""]
    for item, report in items:
        lines.append(f"## {item.title or 'Untitled article'}")
        lines.append("")
        meta = [f"analysis {item.id}", f"analysed {item.created_at}"]
        if report.article.outlet:
            meta.append(f"from {report.article.outlet}")
        if report.article.published:
            meta.append(f"published {report.article.published}")
        lines.append("*" + ", ".join(meta) + "*")
        lines.append("")
        lines.append("### Claims")
        lines.append("")
        if not report.claims:
            lines.append("No attributed claims found.")
        for claim in report.claims:
            source = report.source(claim.source_id)
            who = source.name if source else "the outlet itself"
            cue = f" ({claim.cue})" if claim.cue else ""
            lines.append(f"- **{who}**{cue}: {claim.text}")
        lines.append("")
        if report.sources:
            lines.append("### Sources")
            lines.append("")
            for src in report.sources:
                role = f", {src.role}" if src.role else ""
                lines.append(f"- {src.name} ({src.kind}{role}): {len(src.claims)} claim(s)")
            lines.append("")
        lines.append("### Unverified")
        lines.append("")
        if not report.unverified:
            lines.append("Nothing flagged as unverified.")
        for entry in report.unverified:
            lines.append(f"- {entry.evidence} — {REASON_LABELS.get(entry.reason, entry.reason)}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")

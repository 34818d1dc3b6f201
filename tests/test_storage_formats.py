"""storage/formats.py: the one registry of output formats, for ``--format`` and ``/export``."""

from __future__ import annotations

import io
import json

import pytest
from test_bot_report import hand_built

from bot.origin import Origin
from bot.render import render_markdown
from bot.report import Report
from storage.formats import EXPORT_FORMATS, FORMATS, REPORT_FORMATS, export_format, render_report
from storage.rows import Analysis, analysis_dict


def test_formats_cli_and_export_choices_come_from_the_registry() -> None:
    assert REPORT_FORMATS == ("text", "json", "markdown", "html", "article-html")
    assert EXPORT_FORMATS == ("json", "csv", "md")
    assert len({f.name for f in FORMATS}) == len(FORMATS)


@pytest.mark.parametrize(
    ("word", "name"),
    [("json", "json"), ("MD", "markdown"), (".md", "markdown"), ("markdown", "markdown"), ("csv", "csv")],
)
def test_formats_export_format_by_name_or_suffix(word: str, name: str) -> None:
    found = export_format(word)
    assert found is not None and found.name == name


@pytest.mark.parametrize("word", ["pdf", "text", "html", ""])
def test_formats_export_format_unknown_or_not_for_export(word: str) -> None:
    assert export_format(word) is None


def test_formats_render_report_json_and_unknown() -> None:
    assert json.loads(render_report(hand_built(), "json")) == hand_built().to_dict()
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(hand_built(), "csv")


def test_formats_article_html_needs_the_article_text(seed_report: tuple[Report, str]) -> None:
    report, text = seed_report
    page = render_report(report, "article-html", text)
    assert page.startswith("<!DOCTYPE html>") and f'data-attributions="{len(report.attributions)}"' in page
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(report, "article-html")


def test_formats_markdown_export_is_the_report_markdown() -> None:
    report = hand_built()
    analysis = Analysis(7, 1, 2, "k", "Floods", Origin(), "2026-11-25T10:00:00+00:00", 1, "2026-11-25", {})
    markdown = export_format("md")
    assert markdown is not None and markdown.export is not None
    out = io.StringIO()
    markdown.export([(analysis, report)], out)
    text = out.getvalue()
    assert text.startswith("# Claimdesk export\n")
    assert render_markdown(report, level=2, note="analysis 7, analysed 2026-11-25T10:00:00+00:00") in text


@pytest.mark.parametrize("count", [0, 1, 3])
def test_formats_json_export_is_one_array_written_entry_by_entry(count: int) -> None:
    analysis = Analysis(7, 1, 2, "k", "Floods", Origin(), "2026-11-25T10:00:00+00:00", 1, "2026-11-25", {})
    items = [(analysis, hand_built())] * count
    out = io.StringIO()
    output = export_format("json")
    assert output is not None and output.export is not None
    output.export(iter(items), out)
    assert json.loads(out.getvalue()) == [{"analysis": analysis_dict(a), "report": r.to_dict()} for a, r in items]
    assert out.getvalue().count("\n") == count + 1 + (count > 0)  # one entry a line

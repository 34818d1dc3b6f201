"""The report dataclasses: the JSON form (``to_dict``) and its inverse (``from_dict``)."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest

from bot.report import (
    REASON_LABELS,
    SCHEMA,
    Article,
    Attribution,
    Claim,
    Figure,
    Reason,
    Report,
    Source,
    Unverified,
    reason_label,
)

TEXT = "Mayor Ada Lind said that about 200 homes were flooded. Officials have not confirmed the figure."


def hand_built(report_id: str | None = None) -> Report:
    """A small report over ``TEXT`` with every kind of record and every optional field used."""
    content = (25, 54)
    return Report(
        article=Article(
            title="Floods",
            outlet="Example Times",
            published="2026-11-25",
            language="en",
            words=len(TEXT.split()),
            sha256="0" * 64,
        ),
        summary=(TEXT[:54],),
        sources=(
            Source(
                id="s1",
                name="Ada Lind",
                aliases=("Lind",),
                kind="person",
                role="Mayor",
                named=True,
                claims=("c1",),
            ),
        ),
        claims=(
            Claim(
                id="c1",
                text=TEXT[25:54],
                span=content,
                source_id="s1",
                cue="said",
                kind="paraphrase",
                figures=(Figure(text="about 200", span=(25, 34), value=200.0, approximate=True, counts="homes"),),
                hedges=(),
                checkworthiness=0.8,
            ),
            Claim(id="c2", text=TEXT[55:], span=(55, len(TEXT)), source_id=None, cue=None, kind="outlet"),
        ),
        attributions=(
            Attribution(
                source="Mayor Ada Lind",
                source_span=(0, 14),
                cue="said",
                cue_span=(15, 19),
                content=TEXT[20:54],
                content_span=(20, 54),
                source_id="s1",
                direct=False,
            ),
            Attribution(
                source=None,
                source_span=None,
                cue=None,
                cue_span=None,
                content=TEXT[25:54],
                content_span=content,
                source_id=None,
                direct=False,
            ),
        ),
        unverified=(Unverified(claim_id="c1", reason="not_confirmed", evidence="have not confirmed", span=(65, 83)),),
        extractor_version="test",
        id=report_id,
    )


def test_report_hand_built_spans_match_text() -> None:
    report = hand_built()
    assert TEXT[0:14] == "Mayor Ada Lind" and TEXT[15:19] == "said"
    assert TEXT[25:34] == "about 200" and TEXT[65:83] == "have not confirmed"
    assert report.claims[0].text == "about 200 homes were flooded."


@pytest.mark.parametrize("report_id", [None, "batch-7"])
def test_report_round_trips_through_dict_and_json(report_id: str | None) -> None:
    report = hand_built(report_id)
    data = report.to_dict()
    assert Report.from_dict(data) == report
    assert Report.from_dict(json.loads(json.dumps(data))) == report
    assert ("id" in data) == (report_id is not None)


def test_report_to_dict_uses_lists_and_the_schema_name() -> None:
    data = hand_built().to_dict()
    assert data["schema"] == SCHEMA == "claimdesk.report/1"
    assert data["claims"][0]["span"] == [25, 54]
    assert data["claims"][0]["figures"][0]["span"] == [25, 34]
    assert data["sources"][0]["aliases"] == ["Lind"] and data["sources"][0]["claims"] == ["c1"]
    assert data["attributions"][1]["source_span"] is None


def test_report_from_dict_without_schema_reads_as_current() -> None:
    data = hand_built().to_dict()
    del data["schema"]
    assert Report.from_dict(data) == hand_built()


@pytest.mark.parametrize("schema", ["claimdesk.report/2", "claimdesk.report/0", "other", ""])
def test_report_from_dict_rejects_another_schema(schema: str) -> None:
    data: dict[str, Any] = {**hand_built().to_dict(), "schema": schema}
    with pytest.raises(ValueError, match="unsupported report schema"):
        Report.from_dict(data)


def test_report_lookups_by_id() -> None:
    report = hand_built()
    assert report.source("s1") is report.sources[0]
    assert report.source(None) is None and report.source("s9") is None
    assert report.claim("c2") is report.claims[1] and report.claim("c9") is None


def test_report_every_reason_has_a_label() -> None:
    assert set(REASON_LABELS) == set(get_args(Reason))


@pytest.mark.parametrize(("indent", "compact"), [(2, False), (None, True)])
def test_report_to_json_is_the_dict_form(indent: int | None, compact: bool) -> None:
    text = hand_built().to_json(indent=indent)
    assert json.loads(text) == hand_built().to_dict()
    assert ("\n" not in text and '":' in text and '": ' not in text) == compact


@pytest.mark.parametrize(
    ("reason", "label"),
    [("not_confirmed", "not confirmed"), ("hedged", "hedged wording"), ("a_newer_reason", "a newer reason")],
)
def test_report_reason_label_names_known_and_unknown_reasons(reason: Reason, label: str) -> None:
    assert reason_label(reason) == label

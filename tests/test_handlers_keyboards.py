"""handlers/keyboards.py: callback data holds ids only, fits 64 bytes, and decodes back."""

from __future__ import annotations

import pytest

from bot.render import SECTIONS, TelegramPage
from handlers.keyboards import (
    CALLBACKS,
    GIVE_VERDICT,
    JSON,
    REOPEN,
    REPORT,
    VERDICTS_BY_SETTING,
    Callback,
    ReportButton,
    channel_of,
    forget_keyboard,
    reopen_keyboard,
    report_keyboard,
    settings_keyboard,
    verdict_keyboard,
)


def parse_report_button(data: str) -> ReportButton | None:
    match = REPORT.pattern.match(data)
    return ReportButton.from_match(match) if match else None


BIG_ID = 2**53


def _data(markup) -> list[str]:  # type: ignore[no-untyped-def]
    return [button.callback_data for row in markup.inline_keyboard for button in row]


@pytest.mark.parametrize("section", SECTIONS)
def test_keyboards_report_keyboard_round_trips_and_fits(section: str) -> None:
    markup = report_keyboard(BIG_ID, TelegramPage("x", section, 1, 3))
    labels = [button.text for row in markup.inline_keyboard for button in row]
    assert "JSON" in labels and "Article" in labels and "‹ Previous" in labels and "Next ›" in labels
    assert len([label for label in labels if label.lower() == section]) == 0
    for data in _data(markup):
        assert len(data.encode()) <= 64
        if data.startswith("r:"):
            button = parse_report_button(data)
            assert button is not None and button.analysis_id == BIG_ID
    assert f"r:{BIG_ID}:{section}:2" in _data(markup) and f"r:{BIG_ID}:{section}:0" in _data(markup)


def test_keyboards_single_page_has_no_paging() -> None:
    labels = [b.text for row in report_keyboard(1, TelegramPage("x", "overview", 0, 1)).inline_keyboard for b in row]
    assert labels == ["Claims", "Sources", "Unverified", "Article", "JSON"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("r:12:claims:3", ReportButton(12, "claims", 3)),
        ("r:12:claims:-1", ReportButton(12, "claims", 0)),
        ("r:12:figures:0", None),
        ("r:x:claims:0", None),
        ("r:12:claims", None),
        ("j:12", None),
    ],
)
def test_keyboards_parse_report_button(data: str, expected: ReportButton | None) -> None:
    assert parse_report_button(data) == expected


@pytest.mark.parametrize(("data", "kind", "expected"), [("j:7", JSON, 7), ("o:7", JSON, None), ("j:x", JSON, None)])
def test_keyboards_id_patterns(data: str, kind: Callback, expected: int | None) -> None:
    match = kind.pattern.match(data)
    assert (int(match["analysis"]) if match else None) == expected


def test_keyboards_every_button_matches_exactly_one_pattern() -> None:
    markups = [
        report_keyboard(BIG_ID, TelegramPage("x", "claims", 1, 3)),
        reopen_keyboard([1, 2]),
        settings_keyboard("mentions_only", (-1002000000000, False)),
        forget_keyboard(),
    ]
    for data in [d for markup in markups for d in _data(markup)]:
        assert len([kind for kind in CALLBACKS if kind.pattern.match(data)]) == 1, data
    assert REOPEN.pattern.match(REOPEN.data(analysis=BIG_ID))


def test_keyboards_channel_of_a_settings_keyboard() -> None:
    assert channel_of(settings_keyboard("mentions_only", (-100200, True))) == (-100200, True)
    assert channel_of(settings_keyboard(None, (-100200, False))) == (-100200, False)
    assert channel_of(settings_keyboard("mentions_only", None)) is None


def test_keyboards_lists_settings_and_forget_fit() -> None:
    markups = [
        reopen_keyboard([BIG_ID] * 12),
        settings_keyboard("mentions_only", (-1002000000000, True)),
        forget_keyboard(),
    ]
    for markup in markups:
        assert all(len(data.encode()) <= 64 for data in _data(markup))
    assert [len(row) for row in markups[0].inline_keyboard] == [5, 5, 2]
    labels = [b.text for row in markups[1].inline_keyboard for b in row]
    assert "✓ Only /check and mentions" in labels and "Channel posts: reports on ✓" in labels
    assert "c:-1002000000000:0" in _data(markups[1])


def test_keyboards_claims_page_has_a_verdict_button_per_claim_numbered_by_the_page() -> None:
    page = TelegramPage("x", "claims", 1, 3, claim_ids=("c7", "c3", "c12"), first_item=8)
    markup = report_keyboard(BIG_ID, page)
    marks = {b.text: b.callback_data for row in markup.inline_keyboard for b in row if b.text.startswith("✎")}
    assert marks == {"✎ 9": f"v:{BIG_ID}:c7:1", "✎ 10": f"v:{BIG_ID}:c3:1", "✎ 11": f"v:{BIG_ID}:c12:1"}
    sources = report_keyboard(1, TelegramPage("x", "sources", 0, 1)).inline_keyboard
    assert not any(b.text.startswith("✎") for row in sources for b in row)


def test_keyboards_verdict_keyboard_round_trips_and_fits() -> None:
    data = _data(verdict_keyboard(BIG_ID, "c123", 4))
    assert REPORT.data(analysis=BIG_ID, section="claims", page=4) in data
    given = [GIVE_VERDICT.pattern.match(d) for d in data if d.startswith("vs:")]
    assert [m["verdict"] for m in given if m] == ["verified", "false", "disputed", "needs_checking"]
    assert all(m is not None and (m["analysis"], m["claim"], m["page"]) == (str(BIG_ID), "c123", "4") for m in given)
    assert all(len(d.encode()) <= 64 for d in data)


@pytest.mark.parametrize("data", ["v:1:c1", "vs:1:c1:0:true", "v:x:c1:0", "vs:1:c1:0", "v:1:s1:0", "vb:everyone"])
def test_keyboards_malformed_verdict_buttons_match_no_pattern(data: str) -> None:
    assert not any(kind.pattern.match(data) for kind in CALLBACKS)


def test_keyboards_settings_show_who_may_give_verdicts() -> None:
    markup = settings_keyboard("mentions_only", (-100, True), "members")
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert "✓ Verdicts: every member" in labels and "Verdicts: admins only" in labels
    assert channel_of(markup) == (-100, True)  # the channel toggle is still found
    assert VERDICTS_BY_SETTING.data(who="admins") in _data(markup)

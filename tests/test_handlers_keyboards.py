"""handlers/keyboards.py: callback data holds ids only, fits 64 bytes, and decodes back."""

from __future__ import annotations

import pytest

from bot.render import SECTIONS, TelegramPage
from handlers.keyboards import (
    CALLBACKS,
    JSON,
    REOPEN,
    REPORT,
    Callback,
    ReportButton,
    channel_of,
    forget_keyboard,
    reopen_keyboard,
    report_keyboard,
    settings_keyboard,
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

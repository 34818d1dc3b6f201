"""Inline keyboards and their callback data (ids only, well under Telegram's 64 bytes).

Callback data: ``r:<analysis>:<section>:<page>`` show a section page, ``j:<analysis>`` send the JSON,
``o:<analysis>`` reopen a report from /history, /search or /desk, ``m:<mode>`` set the chat mode,
``c:<chat>:<0|1>`` channel reports for a channel, ``f:y`` / ``f:n`` confirm or cancel /forget,
``v:<analysis>:<claim>:<page>`` choose a verdict for a claim of the Claims page,
``vs:<analysis>:<claim>:<page>:<verdict>`` give it, ``vb:<admins|members>`` who may give verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.desk import VERDICT_MARKS, VERDICTS, VERDICTS_BY
from bot.render import SECTION_TITLES, SECTIONS, TelegramPage

MODE_LABELS: dict[str, str] = {
    "forwards_and_mentions": "Forwards, /check and mentions",
    "mentions_only": "Only /check and mentions",
    "every_long_message": "Every long message",
}


@dataclass(frozen=True, slots=True)
class ReportButton:
    """A decoded ``r:`` callback."""

    analysis_id: int
    section: str
    page: int


def report_keyboard(analysis_id: int, page: TelegramPage) -> InlineKeyboardMarkup:
    """Section buttons (all but the one shown), previous/next when paged, JSON."""
    sections = [
        InlineKeyboardButton(SECTION_TITLES[name], callback_data=f"r:{analysis_id}:{name}:0")
        for name in SECTIONS
        if name != page.section
    ]
    rows = [sections]
    if page.section == "claims" and page.claim_ids:
        marks = [
            InlineKeyboardButton(f"✎ {number}", callback_data=f"v:{analysis_id}:{claim_id}:{page.page}")
            for number, claim_id in enumerate(page.claim_ids, page.first_item + 1)
        ]
        rows += [marks[i : i + MARKS_PER_ROW] for i in range(0, len(marks), MARKS_PER_ROW)]
    paging = []
    if page.page > 0:
        paging.append(
            InlineKeyboardButton("‹ Previous", callback_data=f"r:{analysis_id}:{page.section}:{page.page - 1}")
        )
    if page.page < page.pages - 1:
        paging.append(InlineKeyboardButton("Next ›", callback_data=f"r:{analysis_id}:{page.section}:{page.page + 1}"))
    if paging:
        rows.append(paging)
    rows.append([InlineKeyboardButton("JSON", callback_data=f"j:{analysis_id}")])
    return InlineKeyboardMarkup(rows)


#: Verdict buttons ("✎ 3": mark claim 3) in one row of the Claims page's keyboard.
MARKS_PER_ROW = 6


@dataclass(frozen=True, slots=True)
class VerdictButton:
    """A decoded ``v:`` or ``vs:`` callback (``verdict`` None: choose one)."""

    analysis_id: int
    claim_id: str
    page: int
    verdict: str | None


def verdict_keyboard(analysis_id: int, claim_id: str, page: int) -> InlineKeyboardMarkup:
    """The verdicts for one claim, and back to the Claims page."""
    choices = [
        InlineKeyboardButton(
            f"{VERDICT_MARKS[name]} {label}", callback_data=f"vs:{analysis_id}:{claim_id}:{page}:{name}"
        )
        for name, label in VERDICTS.items()
    ]
    back = InlineKeyboardButton("‹ Back to the claims", callback_data=f"r:{analysis_id}:claims:{page}")
    return InlineKeyboardMarkup([choices[:2], choices[2:], [back]])


def parse_verdict_button(data: str) -> VerdictButton | None:
    """``v:<id>:<claim>:<page>`` or ``vs:<id>:<claim>:<page>:<verdict>`` -> VerdictButton; None when malformed."""
    parts = data.split(":")
    shape = {"v": 4, "vs": 5}.get(parts[0])
    if shape != len(parts) or (shape == 5 and parts[4] not in VERDICTS):
        return None
    try:
        return VerdictButton(int(parts[1]), parts[2], max(0, int(parts[3])), parts[4] if shape == 5 else None)
    except ValueError:
        return None


def parse_report_button(data: str) -> ReportButton | None:
    """``r:<id>:<section>:<page>`` -> ReportButton; None when malformed."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "r" or parts[2] not in SECTIONS:
        return None
    try:
        return ReportButton(int(parts[1]), parts[2], max(0, int(parts[3])))
    except ValueError:
        return None


def parse_id(data: str, prefix: str) -> int | None:
    """``<prefix>:<id>`` -> id; None when malformed."""
    head, _, tail = data.partition(":")
    if head != prefix:
        return None
    try:
        return int(tail)
    except ValueError:
        return None


def reopen_keyboard(analysis_ids: list[int]) -> InlineKeyboardMarkup:
    """Numbered "reopen" buttons, five a row, for /history and /search lists."""
    buttons = [InlineKeyboardButton(f"Open {n}", callback_data=f"o:{aid}") for n, aid in enumerate(analysis_ids, 1)]
    return InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])


VERDICTS_BY_LABELS: dict[str, str] = {"admins": "Verdicts: admins only", "members": "Verdicts: every member"}


def settings_keyboard(
    mode: str | None, channel: tuple[int, bool] | None, verdicts_by: str | None = None
) -> InlineKeyboardMarkup:
    """Mode choices for a group (the current one ticked), who may give verdicts there; a channel-reports
    toggle for a channel (always the last row)."""
    rows = []
    if mode is not None:
        rows += [
            [InlineKeyboardButton(("✓ " if key == mode else "") + label, callback_data=f"m:{key}")]
            for key, label in MODE_LABELS.items()
        ]
    if verdicts_by is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    ("✓ " if key == verdicts_by else "") + VERDICTS_BY_LABELS[key], callback_data=f"vb:{key}"
                )
                for key in VERDICTS_BY
            ]
        )
    if channel is not None:
        channel_id, enabled = channel
        label = "Channel posts: reports on ✓" if enabled else "Channel posts: reports off"
        rows.append([InlineKeyboardButton(label, callback_data=f"c:{channel_id}:{0 if enabled else 1}")])
    return InlineKeyboardMarkup(rows)


def forget_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Delete everything", callback_data="f:y"),
                InlineKeyboardButton("Cancel", callback_data="f:n"),
            ]
        ]
    )

"""Inline keyboards and their callback data (ids only, well under Telegram's 64 bytes).

Callback data: ``r:<analysis>:<section>:<page>`` show a section page, ``a:<analysis>`` send the article
marked up (HTML), ``j:<analysis>`` send the JSON,
``o:<analysis>`` reopen a report from /history or /search, ``m:<mode>`` set the chat mode,
``c:<chat>:<0|1>`` channel reports for a channel, ``f:y`` / ``f:n`` confirm or cancel /forget.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

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
    """Section buttons (all but the one shown), previous/next when paged, the marked-up article and JSON."""
    sections = [
        InlineKeyboardButton(SECTION_TITLES[name], callback_data=f"r:{analysis_id}:{name}:0")
        for name in SECTIONS
        if name != page.section
    ]
    rows = [sections]
    paging = []
    if page.page > 0:
        paging.append(
            InlineKeyboardButton("‹ Previous", callback_data=f"r:{analysis_id}:{page.section}:{page.page - 1}")
        )
    if page.page < page.pages - 1:
        paging.append(InlineKeyboardButton("Next ›", callback_data=f"r:{analysis_id}:{page.section}:{page.page + 1}"))
    if paging:
        rows.append(paging)
    rows.append(
        [
            InlineKeyboardButton("Article", callback_data=f"a:{analysis_id}"),
            InlineKeyboardButton("JSON", callback_data=f"j:{analysis_id}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


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


def settings_keyboard(mode: str | None, channel: tuple[int, bool] | None) -> InlineKeyboardMarkup:
    """Mode choices for a group (the current one ticked); a channel-reports toggle for a channel."""
    rows = []
    if mode is not None:
        rows += [
            [InlineKeyboardButton(("✓ " if key == mode else "") + label, callback_data=f"m:{key}")]
            for key, label in MODE_LABELS.items()
        ]
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

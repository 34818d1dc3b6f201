"""Inline keyboards and their callback data (ids only, well under Telegram's 64 bytes).

Every kind of callback data is one :class:`Callback` in :data:`CALLBACKS`: its template builds the data
here, and its pattern is what the application's ``CallbackQueryHandler`` matches, handing the match to
the callback as ``context.matches[0]`` (handlers/callbacks.py), so nothing is parsed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.desk import VERDICT_MARKS, VERDICTS, VERDICTS_BY, DeskView
from bot.render import SECTION_TITLES, SECTIONS, TelegramPage, render_telegram
from bot.report import Report
from storage import CHAT_MODES, Analysis, ChatMode


@dataclass(frozen=True, slots=True)
class Callback:
    """One kind of callback data: ``template`` (``str.format`` fields) builds it, ``pattern`` matches it
    with a group of the same name for each field."""

    template: str
    pattern: re.Pattern[str]

    def data(self, **fields: object) -> str:
        return self.template.format(**fields)


#: Show a section page of a report.
REPORT = Callback(
    "r:{analysis}:{section}:{page}",
    re.compile(rf"^r:(?P<analysis>\d+):(?P<section>{'|'.join(SECTIONS)}):(?P<page>-?\d+)$"),
)
#: Send the report as a JSON document.
JSON = Callback("j:{analysis}", re.compile(r"^j:(?P<analysis>\d+)$"))
#: Send the article marked up, as a self-contained HTML document.
ARTICLE = Callback("a:{analysis}", re.compile(r"^a:(?P<analysis>\d+)$"))
#: Reopen a report from /history or /search.
REOPEN = Callback("o:{analysis}", re.compile(r"^o:(?P<analysis>\d+)$"))
#: Set the group's mode.
MODE = Callback("m:{mode}", re.compile(rf"^m:(?P<mode>{'|'.join(CHAT_MODES)})$"))
#: Channel reports on (1) or off (0) for a channel.
CHANNEL = Callback("c:{channel}:{turn_on}", re.compile(r"^c:(?P<channel>-?\d+):(?P<turn_on>[01])$"))
#: Confirm (y) or cancel (n) /forget.
FORGET = Callback("f:{answer}", re.compile(r"^f:(?P<answer>[yn])$"))

#: Choose a verdict for a claim of the Claims page (the page to go back to).
VERDICT = Callback("v:{analysis}:{claim}:{page}", re.compile(r"^v:(?P<analysis>\d+):(?P<claim>c\d+):(?P<page>\d+)$"))
#: Give a claim a verdict.
GIVE_VERDICT = Callback(
    "vs:{analysis}:{claim}:{page}:{verdict}",
    re.compile(rf"^vs:(?P<analysis>\d+):(?P<claim>c\d+):(?P<page>\d+):(?P<verdict>{'|'.join(VERDICTS)})$"),
)
#: Who may give verdicts in a group.
VERDICTS_BY_SETTING = Callback("vb:{who}", re.compile(rf"^vb:(?P<who>{'|'.join(VERDICTS_BY)})$"))

CALLBACKS: tuple[Callback, ...] = (
    REPORT,
    JSON,
    ARTICLE,
    REOPEN,
    MODE,
    CHANNEL,
    FORGET,
    VERDICT,
    GIVE_VERDICT,
    VERDICTS_BY_SETTING,
)
#: Verdict buttons ("✎ 3": mark claim 3) in one row of the Claims page's keyboard.
MARKS_PER_ROW = 6


@dataclass(frozen=True, slots=True)
class ReportButton:
    """A matched :data:`REPORT` callback (the page clamped to 0 or more)."""

    analysis_id: int
    section: str
    page: int

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ReportButton:
        return cls(int(match["analysis"]), match["section"], max(0, int(match["page"])))


def report_keyboard(analysis_id: int, page: TelegramPage) -> InlineKeyboardMarkup:
    """Section buttons (all but the one shown), previous/next when paged, the marked-up article and JSON."""

    def show(section: str, number: int) -> str:
        return REPORT.data(analysis=analysis_id, section=section, page=number)

    sections = [
        InlineKeyboardButton(SECTION_TITLES[name], callback_data=show(name, 0))
        for name in SECTIONS
        if name != page.section
    ]
    rows = [sections]
    if page.section == "claims" and page.claim_ids:
        marks = [
            InlineKeyboardButton(
                f"✎ {number}", callback_data=VERDICT.data(analysis=analysis_id, claim=claim_id, page=page.page)
            )
            for number, claim_id in enumerate(page.claim_ids, page.first_item + 1)
        ]
        rows += [marks[i : i + MARKS_PER_ROW] for i in range(0, len(marks), MARKS_PER_ROW)]
    paging = []
    if page.page > 0:
        paging.append(InlineKeyboardButton("‹ Previous", callback_data=show(page.section, page.page - 1)))
    if page.page < page.pages - 1:
        paging.append(InlineKeyboardButton("Next ›", callback_data=show(page.section, page.page + 1)))
    if paging:
        rows.append(paging)
    rows.append(
        [
            InlineKeyboardButton("Article", callback_data=ARTICLE.data(analysis=analysis_id)),
            InlineKeyboardButton("JSON", callback_data=JSON.data(analysis=analysis_id)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def report_message(
    analysis: Analysis,
    report: Report,
    *,
    section: str = "overview",
    page: int = 0,
    seen: bool = True,
    edited: bool = False,
    desk: DeskView | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of a stored report as a message: its Telegram HTML and its keyboard; with ``seen``, the
    overview says how often this chat has seen the article, with ``edited`` that it was analysed again
    because its message was edited; ``desk``: the chat's verdicts and matches of its claims."""
    shown = render_telegram(
        report,
        analysis.origin,
        section=section,
        page=page,
        seen_in_chat=analysis.seen_in_chat if seen else 1,
        first_seen_in_chat=analysis.first_seen_in_chat if seen else None,
        edited=edited,
        desk=desk,
    )
    return shown.html, report_keyboard(analysis.id, shown)


def reopen_keyboard(analysis_ids: list[int]) -> InlineKeyboardMarkup:
    """Numbered "reopen" buttons, five a row, for /history and /search lists."""
    buttons = [
        InlineKeyboardButton(f"Open {n}", callback_data=REOPEN.data(analysis=aid))
        for n, aid in enumerate(analysis_ids, 1)
    ]
    return InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])


VERDICTS_BY_LABELS: dict[str, str] = {"admins": "Verdicts: admins only", "members": "Verdicts: every member"}


def settings_keyboard(
    mode: ChatMode | None, channel: tuple[int, bool] | None, verdicts_by: str | None = None
) -> InlineKeyboardMarkup:
    """Mode choices for a group (the current one ticked), who may give verdicts there; a channel-reports
    toggle for a channel (always the last row)."""
    rows = []
    if mode is not None:
        rows += [
            [InlineKeyboardButton(("✓ " if key == mode else "") + label, callback_data=MODE.data(mode=key))]
            for key, label in CHAT_MODES.items()
        ]
    if verdicts_by is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    ("✓ " if key == verdicts_by else "") + VERDICTS_BY_LABELS[key],
                    callback_data=VERDICTS_BY_SETTING.data(who=key),
                )
                for key in VERDICTS_BY
            ]
        )
    if channel is not None:
        channel_id, enabled = channel
        label = "Channel posts: reports on ✓" if enabled else "Channel posts: reports off"
        toggle = CHANNEL.data(channel=channel_id, turn_on=0 if enabled else 1)
        rows.append([InlineKeyboardButton(label, callback_data=toggle)])
    return InlineKeyboardMarkup(rows)


def channel_of(markup: InlineKeyboardMarkup | None) -> tuple[int, bool] | None:
    """The channel and whether its reports are on, from a settings keyboard's toggle (None without one)."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else ""
            if match := CHANNEL.pattern.match(data):
                return int(match["channel"]), match["turn_on"] == "0"
    return None


def verdict_keyboard(analysis_id: int, claim_id: str, page: int) -> InlineKeyboardMarkup:
    """The verdicts for one claim, and back to the Claims page."""
    choices = [
        InlineKeyboardButton(
            f"{VERDICT_MARKS[name]} {label}",
            callback_data=GIVE_VERDICT.data(analysis=analysis_id, claim=claim_id, page=page, verdict=name),
        )
        for name, label in VERDICTS.items()
    ]
    back = InlineKeyboardButton(
        "‹ Back to the claims", callback_data=REPORT.data(analysis=analysis_id, section="claims", page=page)
    )
    return InlineKeyboardMarkup([choices[:2], choices[2:], [back]])


def forget_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Delete everything", callback_data=FORGET.data(answer="y")),
                InlineKeyboardButton("Cancel", callback_data=FORGET.data(answer="n")),
            ]
        ]
    )

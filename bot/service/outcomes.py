"""What became of one article: analysed, rejected (not an article), or failed (kept and retried)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.desk import DeskView
from bot.report import Report
from storage import Analysis


@dataclass(frozen=True, slots=True)
class Analysed:
    """A report to show: the stored analysis (with how often this chat has seen the article), and what
    the desk knows of its claims (matches in the chat's earlier articles, their verdicts carried over)."""

    analysis: Analysis
    report: Report
    cached: bool
    desk: DeskView | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Not an article the bot can analyse; ``message`` says why to a person."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The analysis failed; the article is kept and retried unless ``gave_up``."""

    reason: str
    attempts: int
    gave_up: bool


Outcome = Analysed | Rejected | Failed

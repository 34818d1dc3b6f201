"""The verification desk of one chat, as the report shows it: verdicts on claims, and what a claim
matched in the chat's earlier articles. Pure data (storage fills it, ``bot/render.py`` shows it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

VerdictName = Literal["verified", "false", "disputed", "needs_checking"]

#: The verdicts an editor can give, in the order the buttons show them, with their words.
VERDICTS: dict[str, str] = {
    "verified": "verified",
    "false": "false",
    "disputed": "disputed",
    "needs_checking": "needs checking",
}
#: A sign per verdict, for buttons and the report.
VERDICT_MARKS: dict[str, str] = {"verified": "✅", "false": "❌", "disputed": "⚖️", "needs_checking": "❓"}
#: Who may give verdicts in a group (``/settings``); in a private chat it is always its user.
VERDICTS_BY: tuple[str, ...] = ("admins", "members")
#: Longest note kept with a verdict (one line).
NOTE_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Verdict:
    """One verdict given on one claim of one analysis; the newest per claim is its current verdict."""

    analysis_id: int
    claim_id: str
    verdict: VerdictName
    note: str | None
    user_id: int | None
    user_name: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Earlier:
    """A claim of an earlier article of the chat that a claim of this one matched.

    ``label``: "same" (seen before), "corroborating" (also reported by another source) or
    "conflicting" (the same counted thing with other numbers: ``conflicts`` holds (here, there)
    figure texts). ``verdict``: the newest verdict given on that earlier claim, carried over.
    """

    label: Literal["same", "corroborating", "conflicting"]
    analysis_id: int
    claim_id: str
    title: str | None
    created_at: str
    source_name: str | None
    conflicts: tuple[tuple[str, str], ...] = ()
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class DeskView:
    """What the desk knows about one analysis: current verdicts and earlier matches, by claim id."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    earlier: dict[str, tuple[Earlier, ...]] = field(default_factory=dict)


def verdict_counts(view: DeskView) -> dict[str, int]:
    """How many claims carry each verdict (given here, not carried over), in :data:`VERDICTS` order."""
    counts = {name: 0 for name in VERDICTS}
    for verdict in view.verdicts.values():
        counts[verdict.verdict] += 1
    return {name: n for name, n in counts.items() if n}


def match_counts(view: DeskView) -> dict[str, int]:
    """How many claims were seen before, corroborated, or in conflict (a claim counts once per kind)."""
    counts = {"same": 0, "corroborating": 0, "conflicting": 0}
    for found in view.earlier.values():
        for label in {e.label for e in found}:
            counts[label] += 1
    return counts


@dataclass(frozen=True, slots=True)
class DeskEntry:
    """A claim of the chat with its current verdict, for ``/desk``."""

    analysis_id: int
    claim_id: str
    claim_text: str
    title: str | None
    verdict: Verdict

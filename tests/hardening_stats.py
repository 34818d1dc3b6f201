"""Counters the hardening tests add to; ``pytest_terminal_summary`` in tests/conftest.py prints them.

``BAD_INPUTS``: nasty texts, messages, documents and reports tried (every hypothesis example counts);
``FAULTS``: faults the fake Bot API server injected (any test); ``ACCEPTED`` / ``LOST``: articles the
bot accepted in the fault, abuse and soak tests, and those of them that ended neither answered nor
failed with a reason the user was told (must stay 0).
"""

from __future__ import annotations

from collections import Counter

BAD_INPUTS = "bad inputs tried"
FAULTS = "faults injected"
ACCEPTED = "articles accepted"
LOST = "articles lost"

COUNTS: Counter[str] = Counter()


def count(name: str, amount: int = 1) -> None:
    """Add ``amount`` to the counter ``name``."""
    COUNTS[name] += amount


def summary_lines() -> list[str]:
    """One line per counter, in a fixed order (zeros shown)."""
    return [f"{name}: {COUNTS[name]}" for name in (BAD_INPUTS, FAULTS, ACCEPTED, LOST)]

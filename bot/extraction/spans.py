"""Character spans that overlap a given span, found without looking at every span: pure.

Why: the rules ask "which attribution, claim or quotation overlaps this one?" once per quotation or
sentence; a scan of every span made a text of many short quotations quadratic (9,000 quotation-and-tag
pairs took 37 s). Sorted starts and a running maximum of the ends bound each question to the spans
that can reach it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

Span = tuple[int, int]


class SpanIndex:
    """The spans given, searchable by overlap; answers name them by their position in that sequence."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = list(spans)
        self._order = sorted(range(len(spans)), key=lambda position: spans[position])
        self._spans = [spans[position] for position in self._order]
        self._starts = [start for start, _ in self._spans]
        #: the furthest end among the first i + 1 spans by start
        self._reach = list(accumulate((end for _, end in self._spans), max))

    def overlapping(self, span: Span) -> list[int]:
        """Positions, ascending, of the spans that start before ``span`` ends and end after it starts
        (every span sharing a character with it; an empty span strictly inside counts too)."""
        index = bisect_left(self._starts, span[1])
        found: list[int] = []
        while index > 0 and self._reach[index - 1] > span[0]:
            index -= 1
            if self._spans[index][1] > span[0]:
                found.append(self._order[index])
        return sorted(found)

    def covers_most_of(self, span: Span) -> bool:
        """True when one of the spans holds more than half of ``span``."""
        half = 0.5 * (span[1] - span[0])
        return any(overlap(span, self.spans[position]) > half for position in self.overlapping(span))


def overlap(a: Span, b: Span) -> int:
    """Characters ``a`` and ``b`` share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))

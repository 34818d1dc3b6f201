"""What the burst and storage benchmarks share: their figure record, nearest-rank percentiles, the code measured."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.extraction import ROOT

#: The packages whose uncommitted changes would make a figure describe code that is not in the commit.
CODE_PATHS = ("bot", "handlers", "storage")


@dataclass(frozen=True)
class Figure:
    """One measured figure next to its baseline."""

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str | None
    ratio: float | None
    ratio_meaning: str | None
    target: str | None
    met: bool | None
    detail: dict[str, Any] = field(default_factory=dict)
    other_cores: float | None = None  # average CPU cores other processes kept busy meanwhile


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


def code_version() -> dict[str, Any]:
    """The commit measured and which of bot/, handlers/, storage/ had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted": [path for path in CODE_PATHS if git("status", "--porcelain", path)],
    }


def code_line(code: dict[str, Any]) -> str:
    """ "commit abc1234567" and, if any, which packages had uncommitted changes."""
    dirty = (
        f" with uncommitted changes in {', '.join(p + '/' for p in code['uncommitted'])}" if code["uncommitted"] else ""
    )
    return f"commit {code['commit'][:10]}{dirty}"

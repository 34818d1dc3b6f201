"""What the benchmarks share: where things are, the figure record and its table, nearest-rank percentiles,
the machine and the code measured, the load other processes put on the machine, and the result files."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"
#: The packages whose uncommitted changes would make a figure describe code that is not in the commit.
CODE_PATHS = ("bot", "handlers", "storage")


@dataclass(frozen=True)
class Figure:
    """One measured figure next to its baseline; ``ratio`` is what the target is stated on."""

    name: str
    value: float
    unit: str
    baseline: float | None = None  # a figure without a baseline or target leaves these out
    baseline_name: str | None = None
    ratio: float | None = None
    ratio_meaning: str | None = None
    target: str | None = None
    met: bool | None = None
    corpus: str | None = None  # the texts measured, when the benchmark has several corpora
    runs: dict[str, list[float]] = field(default_factory=dict)
    spread: dict[str, float] = field(default_factory=dict)
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


def machine() -> dict[str, Any]:
    """The machine line: CPUs, CPU model, memory, OS."""
    cpu_model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(memory_gib, 1),
        "platform": platform.platform(),
    }


class OtherLoad:
    """CPU time the rest of the machine used while a measurement ran (Linux ``/proc/stat``).

    Why: the machine is shared; busy core-seconds minus this process tree's own CPU time says how
    much the figures were disturbed. Children count once reaped, so call :meth:`cores` after they exit.
    """

    def __init__(self) -> None:
        self._busy, self._own, self._wall = self._busy_seconds(), self._own_seconds(), time.perf_counter()

    @staticmethod
    def _busy_seconds() -> float:
        stat = Path("/proc/stat")
        if not stat.exists():
            return 0.0
        jiffies = [int(value) for value in stat.read_text().split("\n", 1)[0].split()[1:]]
        idle = jiffies[3] + (jiffies[4] if len(jiffies) > 4 else 0)  # idle + iowait
        return (sum(jiffies[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is already in user

    @staticmethod
    def _own_seconds() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def cores(self) -> float | None:
        """Average cores busy with other processes since construction (None off Linux)."""
        if not Path("/proc/stat").exists():
            return None
        other = (self._busy_seconds() - self._busy) - (self._own_seconds() - self._own)
        return max(0.0, other) / (time.perf_counter() - self._wall)


def table(
    figures: Sequence[Figure], number: Callable[[float | None, str], str], *, ratio_digits: int = 2, load: bool = True
) -> str:
    """The Markdown table of ``figures``: figure, (corpus,) value, baseline, ratio, target, met? (, other load);
    ``number(value, unit)`` writes a value."""
    corpus = any(f.corpus is not None for f in figures)
    head = ["figure", *(["corpus"] if corpus else []), "value", "baseline", "ratio", "target", "met?"]
    head += ["other load"] if load else []
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in figures:
        baseline = f"{number(f.baseline, f.unit)} ({f.baseline_name})" if f.baseline is not None else "—"
        if f.ratio is None:
            ratio = "—"
        elif f.ratio_meaning is not None and f.ratio_meaning.startswith("difference, "):
            unit = f.ratio_meaning.removeprefix("difference, ")
            ratio = f"{f.ratio:+.{2 if unit == 's' else 0}f} {unit} ({f.ratio_meaning})"
        else:
            ratio = f"{f.ratio:.{ratio_digits}f} ({f.ratio_meaning})"
        met = "—" if f.met is None else ("yes" if f.met else "**no**")
        cells = [f.name, *([f.corpus or "—"] if corpus else []), number(f.value, f.unit), baseline, ratio]
        cells += [f.target or "—", met]
        cells += ["—" if f.other_cores is None else f"{f.other_cores:.2f} cores"] if load else []
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def started(name: str, argv: Sequence[str] | None) -> dict[str, Any]:
    """The head of a result record, taken as a run starts: benchmark, date, command, machine, code, Python
    and the load average at the start."""
    words = argv if argv is not None else sys.argv[1:]
    return {
        "benchmark": name,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": f"python -m benchmarks {name} {' '.join(words)}".rstrip(),
        "machine": machine(),
        "code": code_version(),
        "python": platform.python_version(),
        "load_average_1_5_15min": {"start": list(os.getloadavg())},
    }


def loads(result: dict[str, Any]) -> dict[str, str]:
    """The load averages (1, 5, 15 min) at the start and the end of a run, as "0.12/0.34/0.56"."""
    return {when: "/".join(f"{v:.2f}" for v in values) for when, values in result["load_average_1_5_15min"].items()}


def finish(
    result: dict[str, Any],
    figures: Sequence[Figure],
    out: Path,
    markdown: Callable[[dict[str, Any], Sequence[Figure]], str],
    printed: str,
) -> int:
    """Complete ``result`` (the load at the end, the figures), write ``<benchmark>.json`` and ``.md`` to ``out``
    and print the table ``printed``."""
    result["load_average_1_5_15min"]["end"] = list(os.getloadavg())
    result["figures"] = [asdict(f) for f in figures]
    name = result["benchmark"]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / f"{name}.md").write_text(markdown(result, figures), encoding="utf-8")
    print(printed)
    return 0

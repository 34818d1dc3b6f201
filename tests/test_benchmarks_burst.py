"""The pure parts of the burst and storage benchmarks: percentiles, the ideal schedule, the process tree."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from benchmarks.bot_burst import PhaseLoad, _tree, ideal_latencies
from benchmarks.common import percentile


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        (list(range(1, 101)), 0.95, 95),
        (list(range(1, 101)), 0.50, 50),
        ([3.0, 1.0, 2.0], 0.95, 3.0),
        ([7.0], 0.5, 7.0),
        ([1.0, 2.0], 0.5, 1.0),
    ],
)
def test_benchmarks_percentile_is_nearest_rank(values: list[float], fraction: float, expected: float) -> None:
    assert percentile(values, fraction) == expected


@pytest.mark.parametrize(
    ("articles", "workers", "expected"),
    [
        (4, 2, [1.0, 1.0, 2.0, 2.0]),
        (3, 2, [1.0, 1.0, 2.0]),
        (3, 1, [1.0, 2.0, 3.0]),
    ],
)
def test_benchmarks_ideal_latencies_answer_a_round_of_workers_per_article_time(
    articles: int, workers: int, expected: list[float]
) -> None:
    assert ideal_latencies(articles, workers, 1.0) == expected


def test_benchmarks_ideal_p95_of_the_burst_is_48_rounds() -> None:
    assert percentile(ideal_latencies(100, 2, 0.5), 0.95) == 24.0  # article 95 waits ceil(95 / 2) = 48 rounds


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc")
def test_benchmarks_process_tree_holds_children_and_load_is_a_fraction_of_cores() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert set(_tree(os.getpid())) >= {os.getpid(), child.pid}
        assert _tree(child.pid) == [child.pid]  # a leaf: only itself
        phase = PhaseLoad(os.getpid())
        time.sleep(0.5)  # /proc/stat counts in 10 ms ticks: a longer window keeps one tick small
        load = phase.cores()
        assert 0.0 <= load <= (os.cpu_count() or 1) + 0.1
    finally:
        child.kill()
        child.wait()

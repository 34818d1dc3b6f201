"""Extraction speed: bare spaCy parsing versus the full Claimdesk extraction, and batch mode on 1 and 2 workers.

Every figure is recorded next to the baseline it is compared against, measured in the same run, because
absolute times on shared machines drift:

- in-process words per second of ``nlp.pipe`` alone (baseline) and of ``nlp.pipe`` + ``build_report``
  (full), on the same texts and the SAME loaded pipeline (``load_pipeline``, which adds Claimdesk's tiny
  paragraph component and tokenizer exceptions, so both sides pay for them); runs alternate the order
  bare/full to cancel drift and the median is reported with the run-to-run spread;
- ``build_report`` alone on documents parsed once, against the median bare parse time (the overhead);
- the real batch CLI (``python -m bot analyze --jsonl FILE --workers N``) as a subprocess, wall-clock time
  including start-up and model loading, 2 workers against 1; the start-up on a one-line file is reported
  separately so the reader sees where it goes.

Texts are read at run time; PolNeAR texts are never copied into the repository (only word counts and
figures are recorded). A corpus whose file is missing is skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, ROOT, SHARED, Figure, OtherLoad, code_line, finish, loads, started
from benchmarks.common import table as common_table

BATCH_SIZE = 16
FULL_TO_BARE_TARGET = 1.4  # full extraction (the attribution model included, issue 12) at most 1.4 x bare parsing time
SPEEDUP_TARGET = 1.6  # 2 workers at least 1.6 x the throughput of 1
MODEL_LOAD_TARGET = 2.0  # seconds the attribution model may add to a worker's start (issue 12)
#: A worker's start in a fresh interpreter: the imports, the spaCy pipeline, then what the extractor needs.
WORKER_START = """
import sys, time
began = time.perf_counter()
from bot.extraction.pipeline import load_extractor, load_pipeline
load_pipeline(sys.argv[1])
load_extractor(sys.argv[2])
print(time.perf_counter() - began)
"""


@dataclass(frozen=True)
class Corpus:
    """Texts read at run time from a JSON-lines file (only the "text" field)."""

    name: str
    path: Path
    texts: tuple[str, ...]
    subset: str

    @property
    def words(self) -> int:
        return sum(len(text.split()) for text in self.texts)


def load_corpus(name: str, path: Path, limit: int | None) -> Corpus | None:
    """The corpus's texts (the first ``limit`` when given), or None with a message when the file is missing."""
    if not path.exists():
        print(f"benchmarks: {path} is missing: skipping the {name} corpus", file=sys.stderr)
        return None
    with path.open(encoding="utf-8") as lines:
        texts = tuple(json.loads(line)["text"] for line in lines if line.strip())
    subset = "all articles"
    if limit is not None and limit < len(texts):
        texts, subset = texts[:limit], f"the first {limit} articles of the file"
    return Corpus(name=name, path=path, texts=texts, subset=subset)


def spread(seconds: Sequence[float]) -> float:
    """Run-to-run spread: (slowest - fastest) / median."""
    return (max(seconds) - min(seconds)) / statistics.median(seconds)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure_in_process(nlp: Any, corpus: Corpus, repeats: int) -> list[Figure]:
    """Bare ``nlp.pipe`` versus ``nlp.pipe`` + ``build_report``, then ``build_report`` alone on parsed docs."""
    from bot.extraction.pipeline import build_report

    texts = list(corpus.texts)

    def bare() -> None:
        for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass

    def full() -> None:
        for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
            build_report(doc)

    for _doc in nlp.pipe(texts[:BATCH_SIZE], batch_size=BATCH_SIZE):
        pass  # untimed warm-up: the first batch pays for lazy initialisation
    bare_runs: list[float] = []
    full_runs: list[float] = []
    for run in range(repeats):
        order = [("bare", bare), ("full", full)] if run % 2 == 0 else [("full", full), ("bare", bare)]
        for label, action in order:
            seconds = timed(action)
            (bare_runs if label == "bare" else full_runs).append(seconds)
            print(f"  {corpus.name}: run {run + 1} {label}: {seconds:.2f} s", file=sys.stderr)

    docs = list(nlp.pipe(texts, batch_size=BATCH_SIZE))
    extract_runs = [timed(lambda: [build_report(doc) for doc in docs]) for _ in range(repeats)]
    print(f"  {corpus.name}: build_report alone: {', '.join(f'{s:.2f}' for s in extract_runs)} s", file=sys.stderr)

    words = corpus.words
    bare_time, full_time = statistics.median(bare_runs), statistics.median(full_runs)
    extract_time = statistics.median(extract_runs)
    time_ratio = full_time / bare_time
    overhead = extract_time / bare_time
    return [
        Figure(
            name="full extraction, words/s (in process)",
            corpus=corpus.name,
            value=words / full_time,
            unit="words/s",
            baseline=words / bare_time,
            baseline_name="bare nlp.pipe, words/s",
            ratio=time_ratio,
            ratio_meaning="full time / bare time",
            target=f"<= {FULL_TO_BARE_TARGET}",
            met=time_ratio <= FULL_TO_BARE_TARGET,
            runs={"bare_seconds": bare_runs, "full_seconds": full_runs},
            spread={"bare": spread(bare_runs), "full": spread(full_runs)},
        ),
        Figure(
            name="build_report alone on parsed docs, s",
            corpus=corpus.name,
            value=extract_time,
            unit="s",
            baseline=bare_time,
            baseline_name="bare nlp.pipe time",
            ratio=overhead,
            ratio_meaning="extraction time / parse time (the overhead)",
            target=f"<= {FULL_TO_BARE_TARGET - 1:.2f}",
            met=overhead <= FULL_TO_BARE_TARGET - 1,
            runs={"build_report_seconds": extract_runs},
            spread={"build_report": spread(extract_runs)},
        ),
    ]


def run_cli(jsonl: Path, workers: int) -> float:
    """Wall-clock seconds of the real batch command, output discarded."""
    command = [
        sys.executable,
        "-m",
        "bot",
        "analyze",
        "--jsonl",
        str(jsonl),
        "--workers",
        str(workers),
        "--no-progress",
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def write_jsonl(corpus: Corpus, directory: Path) -> Path:
    """The corpus as a temporary ``id``/``text`` JSON-lines file for the CLI (deleted after the run)."""
    path = directory / f"{corpus.name}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number, text in enumerate(corpus.texts, 1):
            out.write(json.dumps({"id": number, "text": text}) + "\n")
    return path


def measure_batch(corpus: Corpus, directory: Path, repeats: int) -> Figure:
    """The batch CLI on 1 and on 2 workers, alternating the order; speed-up of 2 over 1."""
    jsonl = write_jsonl(corpus, directory)
    runs: dict[int, list[float]] = {1: [], 2: []}
    for run in range(repeats):
        for workers in (1, 2) if run % 2 == 0 else (2, 1):
            seconds = run_cli(jsonl, workers)
            runs[workers].append(seconds)
            print(f"  {corpus.name}: CLI run {run + 1}, {workers} worker(s): {seconds:.2f} s", file=sys.stderr)
    one, two = statistics.median(runs[1]), statistics.median(runs[2])
    speedup = one / two
    return Figure(
        name="batch CLI, 2 workers, words/s (wall clock)",
        corpus=corpus.name,
        value=corpus.words / two,
        unit="words/s",
        baseline=corpus.words / one,
        baseline_name="batch CLI, 1 worker, words/s",
        ratio=speedup,
        ratio_meaning="speed-up: 1-worker time / 2-worker time",
        target=f">= {SPEEDUP_TARGET}",
        met=speedup >= SPEEDUP_TARGET,
        runs={"1_worker_seconds": runs[1], "2_workers_seconds": runs[2]},
        spread={"1_worker": spread(runs[1]), "2_workers": spread(runs[2])},
    )


def measure_startup(corpus: Corpus, directory: Path, repeats: int) -> Figure:
    """The batch CLI on a one-line file: interpreter start, imports and model load, one article."""
    one_line = Corpus(name="startup", path=corpus.path, texts=corpus.texts[:1], subset="first article")
    jsonl = write_jsonl(one_line, directory)
    runs = [run_cli(jsonl, 1) for _ in range(repeats)]
    print(f"  start-up (1-line file): {', '.join(f'{s:.2f}' for s in runs)} s", file=sys.stderr)
    return Figure(
        name="batch CLI start-up incl. model load (1-line file), s",
        corpus=f"{corpus.name} (first article)",
        value=statistics.median(runs),
        unit="s",
        runs={"seconds": runs},
        spread={"seconds": spread(runs)},
    )


def measure_model_load(model: str, repeats: int) -> Figure:
    """A worker's start (fresh interpreter: imports, pipeline, extractor) with the trained model against the
    rules alone, alternated; the figure is what the model adds."""
    runs: dict[str, list[float]] = {"model": [], "rules": []}
    for _ in range(repeats):
        for extractor in ("rules", "model"):
            done = subprocess.run(
                [sys.executable, "-c", WORKER_START, model, extractor],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            runs[extractor].append(float(done.stdout.split()[-1]))
    with_model, rules = statistics.median(runs["model"]), statistics.median(runs["rules"])
    print(f"  worker start: model {with_model:.2f} s, rules {rules:.2f} s", file=sys.stderr)
    return Figure(
        name="worker start with the attribution model, s",
        corpus="—",
        value=with_model,
        unit="s",
        baseline=rules,
        baseline_name="worker start with the rules alone",
        ratio=with_model - rules,
        ratio_meaning="difference, s",
        target=f"model adds < {MODEL_LOAD_TARGET:.0f} s",
        met=with_model - rules < MODEL_LOAD_TARGET,
        runs=runs,
        spread={"model": spread(runs["model"]), "rules": spread(runs["rules"])},
    )


def with_other_load(measure: Callable[[], list[Figure]]) -> list[Figure]:
    """Run a measurement and stamp its figures with the load other processes put on the machine meanwhile."""
    meter = OtherLoad()
    figures = measure()
    other_cores = meter.cores()
    return [replace(f, other_cores=other_cores) for f in figures]


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "words/s":
        return f"{value:,.0f} words/s"
    return f"{value:.2f} s" if unit == "s" else f"{value:.3f}"


def table(figures: Sequence[Figure]) -> str:
    return common_table(figures, _number, ratio_digits=3)


def markdown(result: dict[str, Any], figures: Sequence[Figure]) -> str:
    m, load = result["machine"], loads(result)
    corpora = "\n".join(
        f"- {c['name']}: {c['articles']} articles, {c['words']:,} words ({c['subset']}; `{c['file']}`)"
        for c in result["corpora"]
    )
    spreads = "\n".join(
        f"- {f.name} ({f.corpus}): " + ", ".join(f"{k} {v:.1%}" for k, v in f.spread.items()) for f in figures
    )
    return (
        "# Extraction speed\n\n"
        f"Run {result['date']} with `{result['command']}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM, {m['platform']}; {code_line(result['code'])}; "
        f"Python {result['python']}, spaCy {result['spacy']}, "
        f"model `{result['model']}` (pipes: {', '.join(result['pipes'])}). Load average (1, 5, 15 min) "
        f"at start {load['start']}, at end {load['end']}: other work on the machine "
        "shows here.\n\n"
        f"{table(figures)}\n"
        "Each in-process figure is the median of "
        f"{result['repeats']} runs (order bare/full alternated); the CLI figures the median of "
        f"{result['cli_repeats']} runs each. Bare and full use the same `load_pipeline` object, so both include "
        "Claimdesk's paragraph component and tokenizer exceptions. CLI times are wall clock with nothing "
        "subtracted (start-up and model load included; the start-up row shows how much that is). "
        '"Other load" is the average number of CPU cores other processes kept busy during that measurement '
        f"(from /proc/stat minus this benchmark's own process tree); on this {m['cpus']}-core machine anything "
        "well above 0 means the figure was disturbed, the 2-worker figures most.\n\n"
        f"Corpora:\n{corpora}\n\nRun-to-run spread ((slowest - fastest) / median):\n{spreads}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="in-process runs per measurement (default 3)")
    parser.add_argument("--cli-repeats", type=int, default=2, help="CLI runs per worker count (default 2)")
    parser.add_argument(
        "--wikinews-articles", type=int, default=0, help="Wikinews subset: the first N articles (default 0: all 171)"
    )
    parser.add_argument(
        "--polnear-articles",
        type=int,
        default=100,
        help="PolNeAR subset: the first N articles of the dev file (default 100; 0 for all)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for extraction.json and .md")
    args = parser.parse_args(argv)

    import spacy

    from bot.config import Settings
    from bot.extraction.pipeline import load_pipeline

    model = Settings.from_env().spacy_model
    corpora = [
        c
        for c in (
            load_corpus("wikinews", SHARED / "data" / "wikinews-2019.jsonl", args.wikinews_articles or None),
            load_corpus("polnear-dev", SHARED / "eval" / "polnear-dev.jsonl", args.polnear_articles or None),
        )
        if c is not None
    ]
    if not corpora:
        print("benchmarks: no corpus found under ../shared: nothing to measure", file=sys.stderr)
        return 2

    result = started("extraction", argv)
    nlp = load_pipeline(model)
    figures: list[Figure] = []
    for corpus in corpora:
        print(
            f"benchmarks: in process, {corpus.name} ({len(corpus.texts)} articles, {corpus.words:,} words)",
            file=sys.stderr,
        )
        figures += with_other_load(lambda: measure_in_process(nlp, corpus, args.repeats))
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-") as directory:
        for corpus in corpora:
            print(f"benchmarks: batch CLI, {corpus.name}", file=sys.stderr)
            figures += with_other_load(lambda: [measure_batch(corpus, Path(directory), args.cli_repeats)])
        figures += with_other_load(lambda: [measure_startup(corpora[0], Path(directory), args.cli_repeats)])
    figures += with_other_load(lambda: [measure_model_load(model, max(3, args.cli_repeats))])

    result |= {
        "spacy": spacy.__version__,
        "model": model,
        "pipes": list(nlp.pipe_names),
        "batch_size": BATCH_SIZE,
        "repeats": args.repeats,
        "cli_repeats": args.cli_repeats,
        "corpora": [
            {
                "name": c.name,
                "file": str(c.path.relative_to(ROOT.parent)) if c.path.is_relative_to(ROOT.parent) else str(c.path),
                "subset": c.subset,
                "articles": len(c.texts),
                "words": c.words,
            }
            for c in corpora
        ],
    }
    return finish(result, figures, args.out, markdown, table(figures))

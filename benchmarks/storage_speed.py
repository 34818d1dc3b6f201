"""Storage speed: reports saved per second, and ``/search`` latency on a database of 10,000 reports.

Every figure is recorded next to the baseline it is compared against, measured in the same run:

- ``Store.save_analysis`` (article, report, claim/source/unverified rows, FTS triggers, the analysis row,
  one ``BEGIN IMMEDIATE ... COMMIT`` each) against a raw aiosqlite insert of the same report JSON into a
  one-table database with the same pragmas (WAL, ``synchronous = FULL``), also one transaction per row;
  rounds alternate store/raw and the median rate is reported;
- ``Store.search`` p95 over a few queries taken from the reports (repeated) in the biggest chat and in a small chat of a
  database holding ``--reports`` reports (default 10,000), built once per run in a temporary directory;
  the build time is reported. Target: p95 < 50 ms.

Reports are realistic: the real extraction of a few CC BY Wikinews articles (read at run time, never
copied into the repository), each saved text varied by a numbered line so every save is a new article
with its own report (same claims, same JSON size).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, SHARED, Figure, OtherLoad, code_line, finish, loads, percentile, started
from benchmarks.common import table as common_table
from bot.origin import Origin

WIKINEWS = SHARED / "data" / "wikinews-2019.jsonl"
SEARCH_TARGET_MS = 50.0
NO_HIT = "zzyzx"
WORD = re.compile(r"[A-Za-z]{5,}")


@dataclass(frozen=True)
class Sample:
    """A realistic report and the text it was made from."""

    text: str
    report: Any  # bot.report.Report
    url: str


def realistic_samples(model: str, articles: int) -> list[Sample]:
    """The real extraction of the first ``articles`` Wikinews articles with at least one claim."""
    from bot.extraction.checks import InputRejected
    from bot.extraction.pipeline import analyze_text, load_pipeline

    nlp = load_pipeline(model)
    samples: list[Sample] = []
    with WIKINEWS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            try:
                report = analyze_text(nlp, row["text"], title=row["title"], outlet="Wikinews", published=row["date"])
            except InputRejected:
                continue
            if report.claims:
                samples.append(Sample(text=row["text"], report=report, url=row["url"]))
            if len(samples) == articles:
                break
    return samples


def variant(sample: Sample, number: int) -> tuple[str, Any]:
    """Text and report of save number ``number``: a new article every time, same report content."""
    text = f"{sample.text}\n\n(Copy {number} for the storage benchmark.)"
    article = replace(sample.report.article, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return text, replace(sample.report, article=article)


def queries_for(samples: Sequence[Sample]) -> list[tuple[str, str]]:
    """What a newsroom would type: an everyday word and a role, then queries taken from the reports (a named
    source, two words of one claim, a word of one article only) and a word found nowhere.
    (query, why) pairs."""
    words = [Counter(w.lower() for c in s.report.claims for w in WORD.findall(c.text)) for s in samples]
    everywhere = sum(words, Counter())
    rare = next(w for w, n in sorted(words[-1].items()) if n == everywhere[w])
    named = next(src.name for s in samples for src in s.report.sources if src.named and src.name)
    claim_words = sorted(set(WORD.findall(samples[0].report.claims[0].text)), key=len, reverse=True)[:2]
    return [
        ("police", "an everyday word"),
        ("minister", "a role"),
        (named, "a named source of one report"),
        (" ".join(claim_words), "two words of one claim"),
        (rare, "a word of one article's claims"),
        (NO_HIT, "no hit"),
    ]


def chat_for(number: int, total: int) -> int:
    """Half the analyses in one big newsroom chat (id 1), the rest spread over ten small chats (2..11)."""
    return 1 if number < total // 2 else 2 + number % 10


async def save_round(store: Any, samples: Sequence[Sample], start: int, count: int, total: int) -> float:
    """Seconds for ``count`` ``Store.save_analysis`` calls, numbered from ``start``."""
    prepared = [variant(samples[n % len(samples)], n) for n in range(start, start + count)]
    began = time.perf_counter()
    for offset, (text, report) in enumerate(prepared):
        number = start + offset
        await store.save_analysis(
            chat_id=chat_for(number, total),
            message_id=number + 1,
            text=text,
            report=report,
            origin=Origin(kind="channel", chat_title="Wikinews"),
        )
    return time.perf_counter() - began


async def raw_round(path: Path, samples: Sequence[Sample], start: int, count: int) -> float:
    """Seconds for ``count`` raw inserts of the same report JSON (one table, same pragmas, one
    ``BEGIN IMMEDIATE ... COMMIT`` each)."""
    import aiosqlite

    payloads = [variant(samples[n % len(samples)], n)[1].to_json(indent=None) for n in range(start, start + count)]
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = FULL")
        await db.execute("CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, report TEXT NOT NULL)")
        began = time.perf_counter()
        for payload in payloads:
            await db.execute("BEGIN IMMEDIATE")
            await db.execute("INSERT INTO reports (report) VALUES (?)", (payload,))
            await db.execute("COMMIT")
        return time.perf_counter() - began


async def measure(
    samples: Sequence[Sample], directory: Path, args: argparse.Namespace
) -> tuple[list[Figure], dict[str, Any]]:
    from storage import Store

    total = args.reports
    queries = queries_for(samples)
    store = await Store.open(directory / "bench.sqlite3")
    raw_path = directory / "raw.sqlite3"
    try:
        saved = 0
        store_runs: list[float] = []
        raw_runs: list[float] = []
        raw_saved = 0
        meter = OtherLoad()
        for round_number in range(args.save_rounds):
            order = ("store", "raw") if round_number % 2 == 0 else ("raw", "store")
            for label in order:
                if label == "store":
                    seconds = await save_round(store, samples, saved, args.saves_per_round, total)
                    saved += args.saves_per_round
                    store_runs.append(args.saves_per_round / seconds)
                else:
                    seconds = await raw_round(raw_path, samples, raw_saved, args.saves_per_round)
                    raw_saved += args.saves_per_round
                    raw_runs.append(args.saves_per_round / seconds)
                print(
                    f"  saves round {round_number + 1} {label}: {args.saves_per_round / seconds:,.0f}/s",
                    file=sys.stderr,
                )
        save_load = meter.cores()
        store_rate, raw_rate = statistics.median(store_runs), statistics.median(raw_runs)
        report_bytes = statistics.mean(len(s.report.to_json(indent=None)) for s in samples)

        began = time.perf_counter()
        await store._db.execute("PRAGMA synchronous = OFF")  # build fast path: no fsync per save
        chunk = 500
        while saved < total:
            count = min(chunk, total - saved)
            await save_round(store, samples, saved, count, total)
            saved += count
        await store._db.execute("PRAGMA synchronous = FULL")
        build_seconds = time.perf_counter() - began
        print(
            f"  database built: {total:,} reports ({total - args.save_rounds * args.saves_per_round:,} "
            f"saved with synchronous = OFF in {build_seconds:.1f} s)",
            file=sys.stderr,
        )

        meter = OtherLoad()
        latencies: dict[int, dict[str, list[float]]] = {}
        hits: dict[int, dict[str, int]] = {}
        for chat in (1, 2):
            latencies[chat] = {query: [] for query, _ in queries}
            hits[chat] = {}
            for _ in range(args.search_repeats):
                for query, _why in queries:
                    began = time.perf_counter()
                    found = await store.search(chat, query)
                    latencies[chat][query].append((time.perf_counter() - began) * 1000)
                    hits[chat][query] = len(found)
        search_load = meter.cores()
    finally:
        await store.close()

    figures = [
        Figure(
            name="Store.save_analysis, reports saved/s",
            value=store_rate,
            unit="/s",
            baseline=raw_rate,
            baseline_name="raw aiosqlite insert of the same JSON, one table, rows/s",
            ratio=raw_rate / store_rate,
            ratio_meaning="time per save / time per raw insert",
            target=None,
            met=None,
            detail={
                "store_rates": store_runs,
                "raw_rates": raw_runs,
                "saves_per_round": args.saves_per_round,
                "mean_report_json_bytes": round(report_bytes),
            },
            other_cores=save_load,
        )
    ]
    for chat, label in (
        (1, f"the big chat ({total // 2:,} analyses)"),
        (2, f"a small chat ({total // 20:,} analyses)"),
    ):
        every = [ms for runs in latencies[chat].values() for ms in runs]
        p95, p50 = percentile(every, 0.95), percentile(every, 0.50)
        figures.append(
            Figure(
                name=f"Store.search p95, {label}, ms",
                value=p95,
                unit="ms",
                baseline=p50,
                baseline_name="p50 of the same searches",
                ratio=None,
                ratio_meaning=None,
                target=f"< {SEARCH_TARGET_MS:.0f} ms",
                met=p95 < SEARCH_TARGET_MS,
                detail={
                    "per_query": {
                        query: {
                            "p50_ms": percentile(runs, 0.5),
                            "p95_ms": percentile(runs, 0.95),
                            "max_ms": max(runs),
                            "hits": hits[chat][query],
                        }
                        for query, runs in latencies[chat].items()
                    },
                    "samples": len(every),
                },
                other_cores=search_load,
            )
        )
    build = {
        "reports": total,
        "seconds": build_seconds + sum(args.saves_per_round / r for r in store_runs),
        "fast_path_seconds": build_seconds,
        "database_bytes": sum(p.stat().st_size for p in directory.glob("bench.sqlite3*")),
    }
    return figures, build


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}{unit}" if unit == "/s" else f"{value:.1f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    return common_table(figures, _value)


def markdown(result: dict[str, Any], figures: Sequence[Figure]) -> str:
    m, build, load = result["machine"], result["database"], loads(result)
    per_query = "\n".join(
        f"- {f.name.split(', ')[1]}: "
        + "; ".join(
            f"`{q}` p50 {d['p50_ms']:.1f} ms, p95 {d['p95_ms']:.1f} ms ({d['hits']} hits)"
            for q, d in f.detail["per_query"].items()
        )
        for f in figures
        if "per_query" in f.detail
    )
    return (
        "# Storage speed\n\n"
        f"Run {result['date']} with `{result['command']}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM, {m['platform']}; {code_line(result['code'])}; "
        f"Python {result['python']}, SQLite {result['sqlite']}, aiosqlite {result['aiosqlite']}. Load average "
        f"(1, 5, 15 min) at start {load['start']}, at end {load['end']}.\n\n"
        f"{table(figures)}\n"
        f"Saves: median of {result['save_rounds']} rounds of {result['saves_per_round']} saves each, store and raw "
        "rounds alternated; every save is its own `BEGIN IMMEDIATE ... COMMIT` with `synchronous = FULL` "
        "(an fsync per save, as in the bot). The raw baseline writes only the report JSON into one table; "
        "the store also writes the article text, the claim, source and unverified rows, their FTS5 index "
        f"and the analysis row. Reports: the real extraction of {result['sample_articles']} Wikinews articles "
        f"(mean report JSON {figures[0].detail['mean_report_json_bytes']:,} bytes), each save a new variant "
        "of the text; texts by Wikinews contributors, CC BY 2.5 (their URLs are in storage.json).\n\n"
        f"Database: {build['reports']:,} reports (half in one chat, the rest over ten chats), built in "
        f"{build['seconds']:.1f} s, of which {build['fast_path_seconds']:.1f} s for the saves after the timed "
        "rounds with `synchronous = OFF` (the build's fast path); "
        f"{build['database_bytes'] / 2**20:.0f} MiB on disk.\n\n"
        f"Searches: {len(result['queries'])} queries x {result['search_repeats']} repeats in each chat, p95 nearest rank over "
        f"all of them:\n{per_query}\n\n"
        '"Other load": average CPU cores other processes kept busy during the measurement (the machine is shared).\n'
        "\nWhat the profiles showed, and the fixes: benchmarks/PROFILE.md.\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks storage", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000, help="reports in the search database (default 10000)")
    parser.add_argument(
        "--articles", type=int, default=24, help="Wikinews articles extracted for the reports (default 24)"
    )
    parser.add_argument(
        "--save-rounds", type=int, default=4, help="timed rounds of saves, store and raw each (default 4)"
    )
    parser.add_argument("--saves-per-round", type=int, default=100, help="saves per timed round (default 100)")
    parser.add_argument("--search-repeats", type=int, default=20, help="repeats of every query (default 20)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for storage.json and .md")
    args = parser.parse_args(argv)
    if not WIKINEWS.exists():
        print(f"benchmarks: {WIKINEWS} is missing: skipping the storage benchmark", file=sys.stderr)
        return 0

    import sqlite3

    import aiosqlite

    from bot.config import Settings

    result = started("storage", argv)
    print(f"benchmarks: storage: extracting {args.articles} Wikinews articles for realistic reports", file=sys.stderr)
    samples = realistic_samples(Settings.from_env().spacy_model, args.articles)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-storage-") as directory:
        figures, build = asyncio.run(measure(samples, Path(directory), args))

    result |= {
        "sqlite": sqlite3.sqlite_version,
        "aiosqlite": aiosqlite.__version__,
        "sample_articles": len(samples),
        "sample_urls": [s.url for s in samples],
        "save_rounds": args.save_rounds,
        "saves_per_round": args.saves_per_round,
        "search_repeats": args.search_repeats,
        "queries": [{"query": q, "why": why} for q, why in queries_for(samples)],
        "database": build,
    }
    return finish(result, figures, args.out, markdown, table(figures))


if __name__ == "__main__":
    sys.exit(main())

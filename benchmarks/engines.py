"""Storage on both engines: save and ``/search`` speed of SQLite and PostgreSQL at 10,000 and 100,000 reports.

For each engine one database grows to each size in turn (``--sizes``, default 10,000 then 100,000); at
every size, measured in the same run on the same machine:

- saves: ``save_analysis`` through the store, one transaction each, durable (SQLite ``synchronous =
  FULL``; PostgreSQL with ``fsync`` and ``synchronous_commit`` on), median of ``--save-rounds`` rounds;
- ``/search`` p95 (nearest rank) over the storage benchmark's queries, repeated, in the big chat (half of
  all analyses) and in a small chat (a twentieth). Target: p95 < 50 ms at every size, on both engines.

The figure for PostgreSQL stands beside SQLite's (its baseline) at the same size. Reports are the real
extraction of a few CC BY Wikinews articles (read at run time, never copied into the repository), each
stored as a new variant of its text (``benchmarks.storage_speed``). Growing the database is not timed as
saves are: it inserts the same rows the store writes in large transactions (SQLite: ``synchronous =
OFF`` meanwhile; PostgreSQL: ``COPY``, the search index's new entries kept in its pending list meanwhile
and merged at the end, then ``VACUUM ANALYZE``, as autovacuum would after a bulk load: the timed saves
must not meet a vacuum of the whole grown table). PostgreSQL is a throwaway
server started for the run (``tests/pgserver.py``, durable settings), on a Unix socket.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, ROOT, Figure, OtherLoad, code_line, finish, loads, percentile, started
from benchmarks.storage_speed import (
    SEARCH_TARGET_MS,
    WIKINEWS,
    Sample,
    queries_for,
    realistic_samples,
    save_round,
    table,
    variant,
)

sys.path.insert(0, str(ROOT / "tests"))
from pgserver import PostgresServer  # noqa: E402

ENGINES = ("sqlite", "postgresql")
CREATED = "2026-11-01T09:00:00+00:00"
ORIGIN = {"kind": "channel", "chat_title": "Wikinews", "links": []}  # Origin.to_dict() of the saved ones
BIG_CHAT, SMALL_CHAT = 1, 2
#: Reports inserted per transaction (or COPY) while the database grows.
CHUNK = 2_000


def chat_of(number: int) -> int:
    """Every other analysis in the big chat (1), the rest over ten small chats (2..11), at every size."""
    return BIG_CHAT if number % 2 == 0 else SMALL_CHAT + (number // 2) % 10


def grown_rows(samples: Sequence[Sample], start: int, stop: int, first_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows ``save_analysis`` writes for reports ``start`` .. ``stop - 1``; report and analysis ids from
    ``first_id`` on."""
    from storage.rows import article_key, claim_rows, dumps, source_rows, unverified_rows

    base = [(s.report, dumps(s.report.to_dict())) for s in samples]
    rows: dict[str, list[tuple[Any, ...]]] = {
        name: [] for name in ("articles", "reports", "claims", "sources", "unverified", "analyses")
    }
    origin, channel = dumps(ORIGIN), ORIGIN["chat_title"]
    for number in range(start, stop):
        original, report_json = base[number % len(samples)]
        text, report = variant(samples[number % len(samples)], number)
        key, report_id = article_key(text), first_id + number - start
        rows["articles"].append((key, text, CREATED))
        stored = report_json.replace(original.article.sha256, report.article.sha256)
        rows["reports"].append((report_id, key, report.extractor_version, stored, CREATED))
        rows["claims"] += claim_rows(report_id, report)
        rows["sources"] += source_rows(report_id, report)
        rows["unverified"] += unverified_rows(report_id, report)
        rows["analyses"].append(
            (report_id, chat_of(number), number + 1, key, report_id, report.article.title, origin, channel, CREATED)
        )
    return rows


COLUMNS = {
    "articles": ("key", "text", "created_at"),
    "reports": ("id", "article_key", "extractor_version", "report", "created_at"),
    "claims": ("report_id", "claim_id", "text", "source_id", "cue", "kind", "span_start", "span_end"),
    "sources": ("report_id", "source_id", "name", "aliases", "kind", "role", "named"),
    "unverified": ("report_id", "claim_id", "reason", "evidence", "span_start", "span_end"),
    "analyses": ("id", "chat_id", "message_id", "article_key", "report_id", "title", "origin", "channel", "created_at"),
}
#: The channel names of the grown analyses ? .. ?, as ``save_analysis`` keeps them.
GROWN_CHANNELS = (
    "INSERT INTO chat_channels (chat_id, name) SELECT DISTINCT chat_id, channel FROM analyses"
    " WHERE id BETWEEN ? AND ? AND channel IS NOT NULL ON CONFLICT DO NOTHING"
)


#: PostgreSQL: the search entries of the grown analyses $1 .. $2, numbered per chat after the chat's
#: earlier ones, as ``PostgresStore.save_analysis`` adds them.
POSTGRES_ENTRIES = """
WITH e AS (
    SELECT a.chat_id, a.id AS analysis_id, 'claim' AS kind, t.text, t.text AS words, t.id AS place
        FROM analyses a JOIN claims t ON t.report_id = a.report_id WHERE a.id BETWEEN $1 AND $2
    UNION ALL
    SELECT a.chat_id, a.id, 'source', t.name, t.name || ' ' || t.aliases, t.id
        FROM analyses a JOIN sources t ON t.report_id = a.report_id WHERE a.id BETWEEN $1 AND $2
), numbered AS (
    SELECT e.*, row_number() OVER (PARTITION BY e.chat_id ORDER BY e.analysis_id, e.kind, e.place) - 1 AS number
    FROM e
)
INSERT INTO chat_search (chat_id, entry, analysis_id, kind, text, search)
SELECT n.chat_id, sc.next_entry + n.number, n.analysis_id, n.kind, n.text,
       to_tsvector('claimdesk', n.words)
       || array_to_tsvector(ARRAY['w' || sc.block || 'x' || (sc.next_entry + n.number) / 5000])
FROM numbered n JOIN search_chats sc ON sc.chat_id = n.chat_id
"""
#: ... and the chats' next numbers after them.
POSTGRES_NEXT = """
UPDATE search_chats sc SET next_entry = sc.next_entry + added.n
FROM (SELECT chat_id, count(*) AS n FROM chat_search s
      WHERE s.analysis_id BETWEEN $1 AND $2 GROUP BY chat_id) added
WHERE sc.chat_id = added.chat_id
"""

#: The highest ids used (the first id free in both tables is one more than the larger).
LAST_IDS = "SELECT (SELECT coalesce(max(id), 0) FROM reports), (SELECT coalesce(max(id), 0) FROM analyses)"


async def grow_sqlite(store: Any, samples: Sequence[Sample], start: int, stop: int) -> None:
    db = store._db  # the benchmark reaches into the store for its fast path
    await db.execute("PRAGMA synchronous = OFF")
    for first in range(start, stop, CHUNK):
        async with db.execute(LAST_IDS) as cursor:
            last = await cursor.fetchone()
        first_id = max(last or (0,)) + 1
        rows = grown_rows(samples, first, min(first + CHUNK, stop), first_id)
        await db.execute("BEGIN IMMEDIATE")
        for name, columns in COLUMNS.items():
            marks = ", ".join("?" for _ in columns)
            await db.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows[name])
        for analysis_id, chat_id, _, key, report_id, *_ in rows["analyses"]:
            await store._index_for_search(db, chat_id, key, analysis_id, report_id)  # the store's own entries
        await db.execute(GROWN_CHANNELS, (first_id, first_id + len(rows["analyses"]) - 1))
        await db.execute("COMMIT")
    await db.execute("PRAGMA synchronous = FULL")


async def grow_postgres(dsn: str, samples: Sequence[Sample], start: int, stop: int) -> None:
    import asyncpg

    from storage.postgres_desk import numbered

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("ALTER INDEX chat_search_words SET (fastupdate = on)")  # batched while growing
        for first in range(start, stop, CHUNK):
            last = await conn.fetchrow(LAST_IDS)
            first_id = max(last or (0,)) + 1
            rows = grown_rows(samples, first, min(first + CHUNK, stop), first_id)
            async with conn.transaction():
                for name, columns in COLUMNS.items():
                    await conn.copy_records_to_table(name, records=rows[name], columns=columns)
                last_id = first_id + len(rows["analyses"]) - 1
                await conn.execute(
                    "INSERT INTO search_chats (chat_id) SELECT DISTINCT chat_id FROM analyses"
                    " WHERE id BETWEEN $1 AND $2 ON CONFLICT (chat_id) DO NOTHING",
                    first_id,
                    last_id,
                )
                await conn.execute(POSTGRES_ENTRIES, first_id, last_id)
                await conn.execute(POSTGRES_NEXT, first_id, last_id)
                await conn.execute(numbered(GROWN_CHANNELS), first_id, last_id)
        for table in ("reports", "analyses"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("ALTER INDEX chat_search_words SET (fastupdate = off)")  # as migration 9 leaves it
        await conn.execute("SELECT gin_clean_pending_list('chat_search_words'::regclass)")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def measure_engine(
    engine: str, db: str, samples: Sequence[Sample], args: argparse.Namespace
) -> dict[int, dict[str, Any]]:
    """Per size: save rates, search latencies and hits, the time the growth took."""
    from storage import open_store

    store = await open_store(db)
    queries = [query for query, _ in queries_for(samples)]
    results: dict[int, dict[str, Any]] = {}
    size = 0
    extra = 0  # reports saved by the timed rounds, numbered after the grown ones
    try:
        for target in args.sizes:
            began = time.perf_counter()
            if engine == "sqlite":
                await grow_sqlite(store, samples, size, target - extra)
            else:
                await grow_postgres(db, samples, size, target - extra)
            grow_seconds = time.perf_counter() - began
            size = target - extra
            print(f"  {engine}: grown to {target:,} reports in {grow_seconds:.1f} s", file=sys.stderr)
            meter = OtherLoad()
            rates = []
            for _ in range(args.save_rounds):
                seconds = await save_round(store, samples, 10_000_000 + extra, args.saves_per_round, 0)
                extra += args.saves_per_round
                rates.append(args.saves_per_round / seconds)
            save_load = meter.cores()
            meter = OtherLoad()
            latencies: dict[int, dict[str, list[float]]] = {BIG_CHAT: {}, SMALL_CHAT: {}}
            hits: dict[int, dict[str, int]] = {BIG_CHAT: {}, SMALL_CHAT: {}}
            for chat in (BIG_CHAT, SMALL_CHAT):
                for query in queries:
                    await store.search(chat, query)  # warm the cache: the figure is a warm /search
                    runs = latencies[chat].setdefault(query, [])
                    for _ in range(args.search_repeats):
                        began = time.perf_counter()
                        found = await store.search(chat, query)
                        runs.append((time.perf_counter() - began) * 1000)
                    hits[chat][query] = len(found)
            results[target] = {
                "grow_seconds": grow_seconds,
                "save_rates": rates,
                "save_other_cores": save_load,
                "latencies": latencies,
                "hits": hits,
                "search_other_cores": meter.cores(),
            }
            print(
                f"  {engine} at {target:,}: saves {statistics.median(rates):,.0f}/s, search p95 "
                + ", ".join(
                    f"chat {chat} {percentile([v for r in latencies[chat].values() for v in r], 0.95):.1f} ms"
                    for chat in latencies
                ),
                file=sys.stderr,
            )
    finally:
        await store.close()
    return results


def figures_for(measured: dict[str, dict[int, dict[str, Any]]], sizes: Sequence[int]) -> list[Figure]:
    figures: list[Figure] = []
    for size in sizes:
        sqlite, postgres = measured["sqlite"][size], measured["postgresql"][size]
        for engine, data, other in (("SQLite", sqlite, None), ("PostgreSQL", postgres, sqlite)):
            rate = statistics.median(data["save_rates"])
            base = statistics.median(other["save_rates"]) if other else None
            figures.append(
                Figure(
                    name=f"{engine} save_analysis at {size:,} reports, saves/s",
                    value=rate,
                    unit="/s",
                    baseline=base,
                    baseline_name="SQLite at the same size" if other else None,
                    ratio=base / rate if base else None,
                    ratio_meaning="time per save / SQLite's" if other else None,
                    target=None,
                    met=None,
                    detail={"rates": data["save_rates"], "grow_seconds": data["grow_seconds"]},
                    other_cores=data["save_other_cores"],
                )
            )
            for chat, label in ((BIG_CHAT, f"big chat ({size // 2:,})"), (SMALL_CHAT, f"small chat ({size // 20:,})")):
                runs = data["latencies"][chat]
                every = [v for r in runs.values() for v in r]
                p95 = percentile(every, 0.95)
                base_p95 = (
                    percentile([v for r in other["latencies"][chat].values() for v in r], 0.95) if other else None
                )
                figures.append(
                    Figure(
                        name=f"{engine} search p95 at {size:,} reports, {label}, ms",
                        value=p95,
                        unit="ms",
                        baseline=base_p95 if other else percentile(every, 0.5),
                        baseline_name="SQLite's p95, same searches" if other else "p50 of the same searches",
                        ratio=None,
                        ratio_meaning=None,
                        target=f"< {SEARCH_TARGET_MS:.0f} ms",
                        met=p95 < SEARCH_TARGET_MS,
                        detail={
                            "per_query": {
                                query: {
                                    "p50_ms": percentile(values, 0.5),
                                    "p95_ms": percentile(values, 0.95),
                                    "hits": data["hits"][chat][query],
                                }
                                for query, values in runs.items()
                            }
                        },
                        other_cores=data["search_other_cores"],
                    )
                )
    return figures


def markdown(result: dict[str, Any], figures: Sequence[Figure]) -> str:
    m = result["machine"]
    grow = "; ".join(
        f"{engine} to {size:,}: {seconds:.0f} s"
        for engine, sizes in result["grow_seconds"].items()
        for size, seconds in sizes.items()
    )
    return (
        "# Storage engines: SQLite and PostgreSQL\n\n"
        f"Run {result['date']} with `{result['command']}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM, {m['platform']}; {code_line(result['code'])}; Python {result['python']}, "
        f"SQLite {result['sqlite']}, {result['postgresql']}, asyncpg {result['asyncpg']}. Load average "
        f"(1, 5, 15 min) at start {loads(result)['start']}, at end {loads(result)['end']}.\n\n"
        f"{table(figures)}\n"
        f"Saves: median of {result['save_rounds']} rounds of {result['saves_per_round']} durable saves. "
        f"Searches: {len(result['queries'])} queries x {result['search_repeats']} repeats per chat, warm. "
        f"Reports: the real extraction of {result['sample_articles']} Wikinews articles (texts by Wikinews "
        f"contributors, CC BY 2.5; URLs in engines.json). Growing the databases (not timed as saves): {grow}.\n\n"
        '"Other load": average CPU cores other processes kept busy meanwhile (the machine is shared).\n'
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks engines", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted(int(part) for part in text.split(",")),
        default=[10_000, 100_000],
        help="database sizes in reports, comma-separated (default 10000,100000)",
    )
    parser.add_argument("--articles", type=int, default=24, help="Wikinews articles extracted (default 24)")
    parser.add_argument("--save-rounds", type=int, default=3, help="timed rounds of saves per size (default 3)")
    parser.add_argument("--saves-per-round", type=int, default=100, help="saves per timed round (default 100)")
    parser.add_argument("--search-repeats", type=int, default=10, help="repeats of every query (default 10)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for engines.json and .md")
    args = parser.parse_args(argv)
    if not WIKINEWS.exists():
        print(f"benchmarks: {WIKINEWS} is missing: skipping the engines benchmark", file=sys.stderr)
        return 0

    import sqlite3

    import asyncpg

    from bot.config import Settings

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the PostgreSQL server and clean up
    result = started("engines", argv)
    print(f"benchmarks: engines: extracting {args.articles} Wikinews articles", file=sys.stderr)
    samples = realistic_samples(Settings.from_env().spacy_model, args.articles)
    measured: dict[str, dict[int, dict[str, Any]]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="claimdesk-bench-engines-") as directory,
        PostgresServer(durable=True) as server,
    ):
        measured["sqlite"] = asyncio.run(
            measure_engine("sqlite", str(Path(directory) / "bench.sqlite3"), samples, args)
        )
        measured["postgresql"] = asyncio.run(measure_engine("postgresql", server.dsn(), samples, args))
        version = asyncio.run(_server_version(server.dsn()))
    figures = figures_for(measured, args.sizes)
    result |= {
        "sqlite": sqlite3.sqlite_version,
        "postgresql": version,
        "asyncpg": asyncpg.__version__,
        "sample_articles": len(samples),
        "sample_urls": [s.url for s in samples],
        "sizes": args.sizes,
        "save_rounds": args.save_rounds,
        "saves_per_round": args.saves_per_round,
        "search_repeats": args.search_repeats,
        "queries": [{"query": q, "why": why} for q, why in queries_for(samples)],
        "grow_seconds": {e: {s: measured[e][s]["grow_seconds"] for s in args.sizes} for e in ENGINES},
    }
    return finish(result, figures, args.out, markdown, table(figures))


async def _server_version(dsn: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SELECT version()")).split(" on ")[0]
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())

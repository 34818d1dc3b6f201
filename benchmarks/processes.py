"""Scale-out throughput: one against two ``python -m bot run`` processes on one PostgreSQL database.

Each process runs in webhook mode with one extraction worker, behind a round-robin load balancer
(``tests/loadbalancer.py``), as docs/deploy.md describes; the first registers the webhook, the other runs
``--no-set-webhook``. For each configuration, on a fresh database of a throwaway PostgreSQL server
(``tests/pgserver.py``, durable settings): two warm-up articles, then a burst of ``--articles`` distinct
Wikinews articles from 10 chats queued at once. Throughput is articles over the time from the first
update queued to the last reply received; the single process is the baseline of the pair.

Articles are the CC BY Wikinews texts of ``../shared/data/wikinews-2019.jsonl`` that fit in one message,
read at run time (never copied into the repository).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from benchmarks.bot_burst import Article, Replies, load_articles, send_article, stop_bot
from benchmarks.common import RESULTS, ROOT, Figure, OtherLoad, code_line, finish, percentile, started

sys.path.insert(0, str(ROOT / "tests"))
from bot_processes import bot_env, bot_process  # noqa: E402
from fakebotapi import FakeBotAPI, make_user  # noqa: E402
from loadbalancer import LoadBalancer, free_port, listening  # noqa: E402
from pgserver import PostgresServer, database_name, with_database  # noqa: E402

SECRET = "benchmark-webhook-secret"
WARM_UP = 2
CHATS = 10


def ready(server: FakeBotAPI, name: str, port: int) -> bool:
    """The process ``name`` has warmed its worker (it registered its commands) and serves its webhook."""
    return any(r.client == name for r in server.requests_for("setMyCommands")) and listening(port)


async def fresh_database(admin_dsn: str) -> str:
    import asyncpg

    name = database_name("bench")
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return with_database(admin_dsn, name)


@asynccontextmanager
async def processes(
    server: FakeBotAPI, directory: Path, dsn: str, count: int
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """``count`` bot processes behind one load balancer, registered; stopped (SIGINT) at the end."""
    ports = [free_port() for _ in range(count)]
    async with (
        LoadBalancer([f"http://127.0.0.1:{port}/claimdesk" for port in ports]) as balancer,
        AsyncExitStack() as stack,
    ):
        started = []
        for number, port in enumerate(ports):
            name = f"p{count}-{number}"
            settings = {"CLAIMDESK_USER_RATE": "0", "CLAIMDESK_CHAT_RATE": "0", "CLAIMDESK_LOG_LEVEL": "INFO"}
            args = ["--webhook-url", balancer.url, "--port", str(port), "--webhook-secret", SECRET]
            process = await stack.enter_async_context(
                bot_process(
                    directory,
                    name,
                    env=bot_env(server, dsn, client=name, **settings),
                    args=args if number == 0 else [*args, "--no-set-webhook"],
                    ready=functools.partial(ready, server, name, port),
                )
            )
            started.append(process)
        await server.wait_for(lambda: server.webhook_url == balancer.url, 30)
        try:
            yield started
        finally:
            await asyncio.gather(*(stop_bot(p) for p in started))


async def burst(server: FakeBotAPI, articles: Sequence[Article], timeout: float) -> dict[str, Any]:
    users = [make_user(7000 + n, f"Desk {n}") for n in range(CHATS)]
    replies = Replies(server)
    warm = [send_article(server, users[n], articles[n], n + 1) for n in range(WARM_UP)]
    await replies.wait([(s.chat_id, s.message_id) for s in warm], timeout)
    meter = OtherLoad()
    sent = [
        send_article(server, users[n % CHATS], article, n + 1)
        for n, article in enumerate(articles[WARM_UP:], start=WARM_UP)
    ]
    await replies.wait([(s.chat_id, s.message_id) for s in sent], timeout)
    latencies = [s.latency(replies) for s in sent]
    seconds = max(replies.get(s.chat_id, s.message_id).time for s in sent) - sent[0].queued
    return {
        "articles": len(sent),
        "seconds": seconds,
        "per_second": len(sent) / seconds,
        "latency_p50": percentile(latencies, 0.5),
        "latency_p95": percentile(latencies, 0.95),
        "other_cores": meter.cores(),
        "answered_once": all(len(replies_to(server, s.chat_id, s.message_id)) == 1 for s in sent),
    }


def replies_to(server: FakeBotAPI, chat_id: int, message_id: int) -> list[dict[str, Any]]:
    return [m for m in server.bot_messages(chat_id) if m.get("reply_to_message", {}).get("message_id") == message_id]


async def measure(args: argparse.Namespace, articles: Sequence[Article], directory: Path) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    with PostgresServer(durable=True) as postgres:
        for count in (1, 2):
            dsn = await fresh_database(postgres.dsn())
            async with FakeBotAPI() as server, processes(server, directory, dsn, count):
                results[count] = await burst(server, articles, args.timeout)
            print(
                f"  {count} process(es): {results[count]['per_second']:.2f} articles/s "
                f"({results[count]['articles']} in {results[count]['seconds']:.1f} s)",
                file=sys.stderr,
            )
    return results


def figures_for(results: dict[int, dict[str, Any]]) -> list[Figure]:
    one, two = results[1], results[2]
    return [
        Figure(
            name="2 bot processes (1 worker each), one PostgreSQL database: articles/s",
            value=two["per_second"],
            unit="/s",
            baseline=one["per_second"],
            baseline_name="1 bot process, 1 worker",
            ratio=two["per_second"] / one["per_second"],
            ratio_meaning="x the throughput of one process",
            target=None,
            met=None,
            detail={"one": one, "two": two},
            other_cores=two["other_cores"],
        )
    ]


def markdown(result: dict[str, Any], figures: Sequence[Figure]) -> str:
    m = result["machine"]
    f = figures[0]
    one, two = f.detail["one"], f.detail["two"]
    rows = "\n".join(
        f"| {label} | {d['per_second']:.2f} articles/s | {d['seconds']:.1f} s | {d['latency_p50']:.1f} s | "
        f"{d['latency_p95']:.1f} s | {'yes' if d['answered_once'] else '**no**'} | {d['other_cores']:.2f} cores |"
        for label, d in (("1 process", one), ("2 processes", two))
    )
    return (
        "# Scale-out: bot processes on one PostgreSQL database\n\n"
        f"Run {result['date']} with `{result['command']}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM, {m['platform']}; {code_line(result['code'])}; Python {result['python']}.\n\n"
        "| configuration | throughput | burst time | latency p50 | latency p95 | every article answered once | other load |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Two processes: **{f.ratio:.2f} x** the throughput of one. Burst: {one['articles']} distinct Wikinews "
        f"articles (texts by Wikinews contributors, CC BY 2.5) from {CHATS} chats queued at once, after "
        f"{WARM_UP} warm-up articles; each process has one extraction worker, webhook mode behind a round-robin "
        'load balancer, PostgreSQL with fsync on. "Other load": CPU cores other processes kept busy '
        "meanwhile (the machine is shared): with 2 cores, two processes each with a worker compete with it.\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks processes", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60, help="articles in the burst (default 60)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the replies")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for processes.json and .md")
    args = parser.parse_args(argv)
    articles = load_articles(args.articles + WARM_UP)
    if articles is None:
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers and processes, clean up
    result = started("processes", argv)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-processes-") as directory:
        results = asyncio.run(measure(args, articles, Path(directory)))
    figures = figures_for(results)
    result["article_urls"] = [a.url for a in articles]
    return finish(result, figures, args.out, markdown, markdown(result, figures))


if __name__ == "__main__":
    sys.exit(main())

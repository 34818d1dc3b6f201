"""The bot end to end under a burst: ``python -m bot run`` as a real subprocess against the fake Bot API server.

Every figure is recorded next to the baseline it is compared against, measured in the same run:

- start-up: process start to the first getUpdates the fake server sees (the bot warms its workers in
  ``post_init``, before polling starts, so this includes loading the model in every worker); the time to
  getMe (interpreter, imports, database) and to setMyCommands (sent right after the workers are warm)
  are recorded too; target < 5 s;
- idle: ``/help`` sent one at a time (its p95 is the baseline for ``/help`` during the burst), then a few
  articles one at a time, half before the burst and half after it (their mean reply latency is the
  per-article time of the latency bound);
- the burst: 100 distinct forwarded articles from 10 private chats, queued at once, while 50 ``/help``
  from 5 other chats are spread over the burst. Latency is update queued ->
  the reply's sendMessage received by the server. Targets: ``/help`` p95 during the burst within 100 ms of
  the idle p95; burst p95 within 10 % of the p95 of an ideal schedule (see :func:`ideal_latencies`);
- peak resident memory (sum of VmRSS over the bot's whole process tree: main process, spawn workers, the
  resource tracker) sampled every 100 ms from start to stop; target < 700 MB with 2 workers.

Articles are the CC BY Wikinews texts of ``../shared/data/wikinews-2019.jsonl``, read at run time (never
copied into the repository); only those that fit in one Telegram message (4096 characters) are used, each
forwarded once, so none is answered from the de-duplication cache.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, ROOT, SHARED, Figure, OtherLoad, code_line, finish, loads, percentile, started
from benchmarks.common import table as common_table

sys.path.insert(0, str(ROOT / "tests"))
from fakebotapi import FakeBotAPI, channel_chat, make_user, origin_channel, private_chat

WIKINEWS = SHARED / "data" / "wikinews-2019.jsonl"
TELEGRAM_TEXT_LIMIT = 4096
HELP_MARGIN_MS = 100.0  # /help p95 during the burst within 100 ms of the idle p95
BOUND_MARGIN = 1.10  # burst p95 at most 10 % above the ideal schedule's p95
MEMORY_TARGET_MB = 700.0
STARTUP_TARGET_S = 5.0
SAMPLE_SECONDS = 0.1
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
CHANNEL = channel_chat(-1009000, "Wikinews", username="wikinews_bench")


@dataclass(frozen=True)
class Article:
    text: str
    url: str


def load_articles(count: int) -> list[Article] | None:
    """The first ``count`` Wikinews articles that fit in one message; None (with a message) when missing."""
    if not WIKINEWS.exists():
        print(f"benchmarks: {WIKINEWS} is missing: skipping the bot burst benchmark", file=sys.stderr)
        return None
    with WIKINEWS.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    fitting = [Article(r["text"], r["url"]) for r in rows if len(r["text"]) <= TELEGRAM_TEXT_LIMIT]
    if len(fitting) < count:
        print(f"benchmarks: only {len(fitting)} Wikinews articles fit in a message, {count} needed", file=sys.stderr)
        return None
    return fitting[:count]


def ideal_latencies(articles: int, workers: int, per_article: float) -> list[float]:
    """Latencies if all ``articles`` are queued at once and ``workers`` workers never idle while one
    waits: the k-th article (1-based) is answered after ceil(k / workers) article times."""
    return [math.ceil(k / workers) * per_article for k in range(1, articles + 1)]


# --- the process tree's memory --------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc/<pid>/stat parent ids)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(entry.path, "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class MemorySampler(threading.Thread):
    """Every 100 ms: the sum of VmRSS over the process tree of ``pid`` (a thread, so the samples keep
    their pace whatever the event loop does)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name="memory-sampler")
        self.pid = pid
        self.samples: list[tuple[float, float, int]] = []  # (monotonic time, MiB, processes)
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            pids = _tree(self.pid)
            kib = sum(_rss_kib(pid) for pid in pids)
            if kib:
                self.samples.append((time.monotonic(), kib / 1024, len(pids)))
            self._stopping.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def peak(self, start: float = 0.0, end: float = math.inf) -> tuple[float, int]:
        """Peak MiB (and the number of processes then) between ``start`` and ``end``."""
        window = [(mib, n) for t, mib, n in self.samples if start <= t <= end]
        return max(window) if window else (0.0, 0)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its reaped children (0 when it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return 0.0


class PhaseLoad:
    """Cores other processes kept busy during one phase of the run: the machine's busy time minus this
    benchmark's CPU and the CPU of the bot's process tree (read live, the bot is not reaped yet)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._start = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        bot = sum(_cpu_seconds(pid) for pid in _tree(self.pid))
        return OtherLoad._busy_seconds(), OtherLoad._own_seconds(), bot, time.perf_counter()

    def cores(self) -> float:
        busy, own, bot, wall = (now - then for now, then in zip(self._now(), self._start, strict=True))
        return max(0.0, busy - own - bot) / wall


# --- replies --------------------------------------------------------------------------------------


class Replies:
    """The first sendMessage that replies to each (chat, message), indexed as requests arrive."""

    def __init__(self, server: FakeBotAPI) -> None:
        self.server = server
        self.seen = 0
        self.first: dict[tuple[int, int], Any] = {}

    def refresh(self) -> None:
        requests = self.server.requests
        for request in requests[self.seen :]:
            if request.method != "sendMessage":
                continue
            target = request.params.get("reply_parameters") or {}
            key = (int(request.params.get("chat_id", 0)), int(target.get("message_id", 0)))
            self.first.setdefault(key, request)
        self.seen = len(requests)

    def get(self, chat_id: int, message_id: int) -> Any:
        self.refresh()
        return self.first.get((chat_id, message_id))

    async def wait(self, keys: Sequence[tuple[int, int]], timeout: float) -> None:
        await self.server.wait_for(lambda: all(self.get(*key) is not None for key in keys), timeout)


@dataclass
class Sent:
    """One update queued, and what answered it."""

    chat_id: int
    message_id: int
    queued: float

    def latency(self, replies: Replies) -> float:
        return replies.get(self.chat_id, self.message_id).time - self.queued

    def text(self, replies: Replies) -> str:
        return str(replies.get(self.chat_id, self.message_id).params.get("text", ""))


def send_help(server: FakeBotAPI, user: dict[str, Any]) -> Sent:
    update = server.text_update(private_chat(user), user, "/help")
    return Sent(user["id"], update["message"]["message_id"], time.monotonic())


def send_article(server: FakeBotAPI, user: dict[str, Any], article: Article, number: int) -> Sent:
    update = server.forward_update(private_chat(user), user, article.text, origin_channel(CHANNEL, number))
    return Sent(user["id"], update["message"]["message_id"], time.monotonic())


def help_gap(replies: Replies, burst: Sequence[Sent], start: float, seconds_per_article: float, left: int) -> float:
    """Seconds until the next ``/help``, so that the ``left`` still to send spread over the rest of the burst:
    the rest is estimated from the articles still unanswered and the pace so far (the idle pace at first)."""
    answered = sum(replies.get(s.chat_id, s.message_id) is not None for s in burst)
    if answered:
        seconds_per_article = (time.monotonic() - start) / answered
    return (len(burst) - answered) * seconds_per_article / (left + 0.5)


# --- the bot process ------------------------------------------------------------------------------


@dataclass
class Started:
    process: asyncio.subprocess.Process
    spawned: float
    get_me: float
    set_commands: float
    first_poll: float
    log_path: Path


async def start_bot(server: FakeBotAPI, directory: Path, name: str, workers: int) -> Started:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMDESK_", "TELEGRAM_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": server.token,
            "CLAIMDESK_TELEGRAM_BASE_URL": server.base_url,
            "CLAIMDESK_TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "CLAIMDESK_DB": str(directory / f"{name}.sqlite3"),
            "CLAIMDESK_WORKERS": str(workers),
            "CLAIMDESK_USER_RATE": "0",  # no per-user or per-chat limit: the benchmark measures the analyses
            "CLAIMDESK_CHAT_RATE": "0",
        }
    )
    log_path = directory / f"{name}.log"
    before = len(server.requests)
    with log_path.open("wb") as log:
        spawned = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=directory,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def first(method: str) -> float | None:
        return next((r.time for r in server.requests[before:] if r.method == method), None)

    try:
        await server.wait_for(lambda: first("getUpdates") or process.returncode is not None, START_TIMEOUT)
    except TimeoutError:
        await stop_bot(process)
        raise
    if process.returncode is not None:
        raise RuntimeError(f"the bot exited with {process.returncode}: see {log_path}")
    return Started(
        process,
        spawned,
        first("getMe") or math.nan,
        first("setMyCommands") or math.nan,
        first("getUpdates") or math.nan,
        log_path,
    )


async def stop_bot(process: asyncio.subprocess.Process) -> int:
    """SIGINT, then SIGKILL of the whole group if it does not stop in time."""
    if process.returncode is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return await process.wait()


# --- the run --------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, articles: list[Article], directory: Path) -> dict[str, Any]:
    burst_articles = articles[: args.articles]
    idle_articles = articles[args.articles :]
    article_users = [make_user(3000 + n, f"Reporter {n}") for n in range(args.chats)]
    help_users = [make_user(4000 + n, f"Editor {n}") for n in range(args.help_chats)]
    idle_user = make_user(5000, "Idle editor")

    async with FakeBotAPI() as server:
        replies = Replies(server)
        startups: list[dict[str, float]] = []
        for number in range(args.starts - 1):  # extra starts: start-up only
            started = await start_bot(server, directory, f"start{number + 1}", args.workers)
            startups.append(_startup(started))
            await stop_bot(started.process)
            print(f"  start-up {number + 1}: {startups[-1]['first_getupdates_s']:.2f} s", file=sys.stderr)

        meter = OtherLoad()
        started = await start_bot(server, directory, "burst", args.workers)
        sampler = MemorySampler(started.process.pid)
        sampler.start()
        startups.append(_startup(started))
        print(f"  start-up {args.starts}: {startups[-1]['first_getupdates_s']:.2f} s", file=sys.stderr)
        try:
            idle_load = PhaseLoad(started.process.pid)
            idle_help: list[Sent] = []
            for _ in range(args.idle_help):
                sent = send_help(server, idle_user)
                await replies.wait([(sent.chat_id, sent.message_id)], 30)
                idle_help.append(sent)
                await asyncio.sleep(args.help_gap)
            idle_help_ms = [s.latency(replies) * 1000 for s in idle_help]

            async def one_at_a_time(chosen: Sequence[Article], first_number: int) -> list[float]:
                """Reply latencies of articles sent to the idle bot, each after the previous reply."""
                done: list[Sent] = []
                for number, article in enumerate(chosen, first_number):
                    done.append(send_article(server, idle_user, article, number))
                    await replies.wait([(done[-1].chat_id, done[-1].message_id)], 120)
                return [sent.latency(replies) for sent in done]

            before = len(idle_articles) // 2 + 1  # a warm-up, then half of the timed articles before the burst
            per_article_runs = (await one_at_a_time(idle_articles[:before], 10_000))[1:]
            idle_memory, _ = sampler.peak()
            other_idle = idle_load.cores()

            burst_load = PhaseLoad(started.process.pid)
            burst_start = time.monotonic()
            burst: list[Sent] = []
            for number, article in enumerate(burst_articles):  # chats interleaved: 0, 1, ..., 9, 0, 1, ...
                burst.append(send_article(server, article_users[number % args.chats], article, number + 1))
            burst_help: list[Sent] = []
            for number in range(args.burst_help):
                await asyncio.sleep(
                    help_gap(
                        replies,
                        burst,
                        burst_start,
                        statistics.mean(per_article_runs) / args.workers,
                        args.burst_help - number,
                    )
                )
                burst_help.append(send_help(server, help_users[number % args.help_chats]))
            await replies.wait([(s.chat_id, s.message_id) for s in burst + burst_help], args.burst_timeout)
            burst_end = max(replies.get(s.chat_id, s.message_id).time for s in burst)
            other_burst = burst_load.cores()
            peak, processes = sampler.peak(burst_start, burst_end)
            overall_peak, _ = sampler.peak()

            after_load = PhaseLoad(started.process.pid)  # the other half after the burst: load drift cancels
            per_article_runs += await one_at_a_time(idle_articles[before:], 20_000)
            other_idle = (other_idle + after_load.cores()) / 2
            per_article = statistics.mean(per_article_runs)
            print(
                f"  idle: /help p95 {percentile(idle_help_ms, 0.95):.0f} ms; article {per_article:.2f} s "
                f"({', '.join(f'{s:.2f}' for s in per_article_runs)})",
                file=sys.stderr,
            )
        finally:
            code = await stop_bot(started.process)
            sampler.stop()
        other_cores = meter.cores()
        print(
            f"  bot stopped with exit code {code}; other processes' load: {other_idle:.2f} cores while idle, "
            f"{other_burst:.2f} during the burst, {other_cores:.2f} over the whole run",
            file=sys.stderr,
        )

    burst_ms = [s.latency(replies) * 1000 for s in burst]
    during = [s for s in burst_help if s.queued <= burst_end]
    during_ms = [s.latency(replies) * 1000 for s in during]
    reports = sum("Forwarded from" in s.text(replies) for s in burst)
    ideal = ideal_latencies(args.articles, args.workers, per_article)
    ideal_p95 = percentile(ideal, 0.95)
    bound_p95 = ideal_p95 * BOUND_MARGIN
    last_reply = burst_end - burst_start
    idle_p95, during_p95 = percentile(idle_help_ms, 0.95), percentile(during_ms, 0.95) if during_ms else math.nan
    startup_s = statistics.median(s["first_getupdates_s"] for s in startups)

    figures = [
        Figure(
            "/help reply latency p95 during the burst, ms",
            during_p95,
            "ms",
            idle_p95,
            "/help p95 on the idle bot, ms",
            during_p95 - idle_p95,
            "difference, ms",
            f"<= idle + {HELP_MARGIN_MS:.0f} ms",
            during_p95 - idle_p95 <= HELP_MARGIN_MS,
            detail={
                "during_ms": during_ms,
                "idle_ms": idle_help_ms,
                "during_p50_ms": percentile(during_ms, 0.5),
                "idle_p50_ms": percentile(idle_help_ms, 0.5),
                "during_max_ms": max(during_ms),
                "sent_during_burst": len(during),
                "sent": len(burst_help),
            },
        ),
        Figure(
            "burst reply latency p95, s",
            percentile(burst_ms, 0.95) / 1000,
            "s",
            ideal_p95,
            "p95 of the ideal schedule, s",
            percentile(burst_ms, 0.95) / 1000 / ideal_p95,
            "measured / ideal",
            f"<= {BOUND_MARGIN:.2f} x ideal = {bound_p95:.2f} s",
            percentile(burst_ms, 0.95) / 1000 <= bound_p95,
            detail={
                "latencies_ms": burst_ms,
                "p50_s": percentile(burst_ms, 0.5) / 1000,
                "ideal_p50_s": percentile(ideal, 0.5),
                "per_article_s": per_article,
                "per_article_runs_s": per_article_runs,
                "reports": reports,
            },
        ),
        Figure(
            "burst reply latency p50, s",
            percentile(burst_ms, 0.5) / 1000,
            "s",
            percentile(ideal, 0.5),
            "p50 of the ideal schedule, s",
            percentile(burst_ms, 0.5) / 1000 / percentile(ideal, 0.5),
            "measured / ideal",
            None,
            None,
        ),
        Figure(
            "time to the last reply of the burst, s",
            last_reply,
            "s",
            ideal[-1],
            "ideal: articles x per-article time / workers, s",
            last_reply / ideal[-1],
            "measured / ideal",
            None,
            None,
            detail={"articles_per_second": args.articles / last_reply},
        ),
        Figure(
            "peak RSS of the bot's process tree during the burst, MB",
            peak * 2**20 / 1e6,
            "MB",
            idle_memory * 2**20 / 1e6,
            "peak RSS on the idle bot (after start-up, /help, idle articles), MB",
            peak / idle_memory,
            "burst / idle",
            f"< {MEMORY_TARGET_MB:.0f} MB",
            peak * 2**20 / 1e6 < MEMORY_TARGET_MB,
            detail={
                "processes": processes,
                "overall_peak_mb": overall_peak * 2**20 / 1e6,
                "samples": len(sampler.samples),
            },
        ),
        Figure(
            "start-up: process start to first getUpdates, s",
            startup_s,
            "s",
            None,
            None,
            None,
            None,
            f"< {STARTUP_TARGET_S:.0f} s",
            startup_s < STARTUP_TARGET_S,
            detail={"starts": startups},
        ),
    ]
    return {
        "figures": figures,
        "per_article_s": per_article,
        "other_cores": other_cores,
        "other_cores_by_phase": {"idle": other_idle, "burst": other_burst},
        "bot_exit_code": code,
        "memory_timeline": [(round(t - started.spawned, 2), round(mib, 1), n) for t, mib, n in sampler.samples[::5]],
        "articles": {
            "burst": len(burst_articles),
            "idle": len(idle_articles),
            "burst_mean_words": statistics.mean(len(a.text.split()) for a in burst_articles),
            "idle_mean_words": statistics.mean(len(a.text.split()) for a in idle_articles[1:]),
            "urls": [a.url for a in burst_articles + idle_articles],
        },
    }


def _startup(started: Started) -> dict[str, float]:
    return {
        "first_getme_s": started.get_me - started.spawned,
        "set_my_commands_s": started.set_commands - started.spawned,
        "first_getupdates_s": started.first_poll - started.spawned,
    }


def _value(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.0f} {unit}" if unit in ("ms", "MB") else f"{value:.2f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    return common_table(figures, _value, load=False)


def markdown(result: dict[str, Any], figures: Sequence[Figure]) -> str:
    m, a, load = result["machine"], result["settings"], loads(result)
    by_name = {f.name.split(",")[0]: f for f in figures}
    burst = by_name["burst reply latency p95"]
    help_ = by_name["/help reply latency p95 during the burst"]
    startups = by_name["start-up: process start to first getUpdates"].detail["starts"]
    t = result["per_article_s"]
    starts = "; ".join(
        f"getMe {s['first_getme_s']:.2f} s, setMyCommands {s['set_my_commands_s']:.2f} s, first getUpdates "
        f"{s['first_getupdates_s']:.2f} s"
        for s in startups
    )
    return (
        "# The bot under a burst\n\n"
        f"Run {result['date']} with `{result['command']}` on {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB RAM, {m['platform']}; {code_line(result['code'])}; "
        f"Python {result['python']}, python-telegram-bot {result['ptb']}. Load average (1, 5, 15 min) at start "
        f"{load['start']}, at end {load['end']}; other processes kept {result['other_cores']:.2f} cores busy on "
        f"average while the bot ran ({result['other_cores_by_phase']['idle']:.2f} during the idle measurements before and after the burst, "
        f"{result['other_cores_by_phase']['burst']:.2f} during the burst; anything well above 0 on this machine "
        "disturbs the figures, and a difference between the two phases skews the burst bound).\n\n"
        f"`python -m bot run` as a subprocess with CLAIMDESK_WORKERS={a['workers']} against the fake Bot API server "
        f"(tests/fakebotapi.py, in the benchmark's process). Burst: {a['articles']} distinct Wikinews articles "
        f"forwarded from {a['chats']} private chats, all queued at once; {help_.detail['sent']} `/help` from "
        f"{a['help_chats']} other chats spread over the burst, each gap re-estimated from the pace of the replies "
        f"so far ({help_.detail['sent_during_burst']} of them queued before the last article reply). Latency: update queued -> the reply's sendMessage "
        f"received by the server. {burst.detail['reports']}/{a['articles']} burst replies are reports. Per-user and "
        "per-chat rate limits are off (CLAIMDESK_USER_RATE=0, CLAIMDESK_CHAT_RATE=0). Texts by Wikinews "
        "contributors, CC BY 2.5 (their URLs are in burst.json).\n\n"
        f"{table(figures)}\n"
        "How the burst bound is computed: the per-article time t is the mean reply latency of "
        f"{a['idle_articles'] - 1} articles sent one at a time to the idle bot (after one warm-up article; half "
        "before the burst, half after it, so that a change of load during the run cancels out): "
        f"t = {t:.3f} s (those articles have {result['articles']['idle_mean_words']:.0f} words on average, the "
        f"burst's {result['articles']['burst_mean_words']:.0f}). With all N = {a['articles']} articles queued at once and W = {a['workers']} workers "
        "that never idle while an article waits, article k (1-based) is answered after ceil(k / W) x t; the "
        "ideal p95 is the nearest-rank p95 of those latencies, i.e. queue length ceil(0.95 N) = "
        f"{math.ceil(0.95 * a['articles'])} x t / W rounded up to whole rounds = {burst.baseline:.2f} s; "
        f"the target is that plus 10 %. The last reply's ideal time is N x t / W = {a['articles'] * t / a['workers']:.2f} s. "
        "The idle per-article time has a free core for the bot's main process and the fake server; "
        "in the burst both cores run workers, so the bound is strict on 2 cores.\n\n"
        "Start-up is measured from the moment the benchmark spawns `python -m bot run` to the first getUpdates "
        "the server sees. The bot warms its workers in `post_init` (spawn + model load in each) before it "
        "polls, so start-up includes the warm-up: getMe comes after interpreter start, imports and opening "
        "the database; setMyCommands right after the workers are warm; then deleteWebhook and getUpdates. "
        f"{len(startups)} starts (the figure is their median): {starts}.\n\n"
        "Memory is the sum of VmRSS over the bot's process tree (main, spawn workers, resource tracker), "
        "sampled every 100 ms; shared pages count once per process, so it is an upper bound of the real "
        f"footprint. Peak over the whole run (start-up included): "
        f"{by_name['peak RSS of the bot' + chr(39) + 's process tree during the burst'].detail['overall_peak_mb']:.0f} MB.\n\n"
        f"`/help` p50: idle {help_.detail['idle_p50_ms']:.0f} ms, during the burst {help_.detail['during_p50_ms']:.0f} ms "
        f"(max {help_.detail['during_max_ms']:.0f} ms).\n"
        "\nWhat the profiles showed, and the fixes: benchmarks/PROFILE.md.\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks burst", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100, help="articles in the burst (default 100)")
    parser.add_argument("--chats", type=int, default=10, help="chats the burst comes from (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="CLAIMDESK_WORKERS (default 2)")
    parser.add_argument(
        "--idle-articles",
        type=int,
        default=11,
        help="articles sent one at a time to the idle bot, the first a warm-up (default 11)",
    )
    parser.add_argument(
        "--idle-help", type=int, default=30, help="/help sent one at a time to the idle bot (default 30)"
    )
    parser.add_argument("--help-gap", type=float, default=0.05, help="seconds between idle /help (default 0.05)")
    parser.add_argument("--burst-help", type=int, default=50, help="/help spread through the burst (default 50)")
    parser.add_argument("--help-chats", type=int, default=5, help="chats the burst /help come from (default 5)")
    parser.add_argument("--starts", type=int, default=3, help="bot starts for the start-up median (default 3)")
    parser.add_argument("--burst-timeout", type=float, default=600.0, help="seconds to wait for every reply")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for burst.json and .md")
    args = parser.parse_args(argv)
    articles = load_articles(args.articles + args.idle_articles)
    if articles is None:
        return 0

    import telegram

    result = started("burst", argv)
    print(f"benchmarks: bot burst ({args.articles} articles, {args.workers} workers)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-burst-") as directory:
        measured = asyncio.run(measure(args, articles, Path(directory)))
    figures: list[Figure] = measured.pop("figures")
    result |= {
        "ptb": telegram.__version__,
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        **measured,
    }
    return finish(result, figures, args.out, markdown, table(figures))


if __name__ == "__main__":
    sys.exit(main())

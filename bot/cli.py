"""``python -m bot analyze``: one article to the terminal, or a JSON-lines batch to JSON lines."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TextIO

from bot.config import Settings
from bot.links.page import FetchedPage
from storage.formats import REPORT_FORMATS, render_report

BATCH_CHUNK = 8  # articles a worker takes at a time: small enough to keep both cores busy to the end


def add_analyze_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="article file, - for standard input, or an http(s) link to an article")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--jsonl", metavar="FILE", help="batch: one JSON object per line with 'id' and 'text'")
    parser.add_argument("--workers", type=int, help="batch worker processes (default: CLAIMDESK_WORKERS or cores)")
    parser.add_argument("--model", help="installed spaCy pipeline (default: CLAIMDESK_SPACY_MODEL)")
    parser.add_argument("--title", help="the article's title, when the text does not start with it")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")


def analyze_command(args: argparse.Namespace) -> int:
    """Run ``analyze``; returns the exit code (2 for input that is not an article)."""
    settings = Settings.from_env()
    if args.model:
        settings = replace(settings, spacy_model=args.model)
    if args.workers:
        settings = replace(settings, workers=args.workers)
    if args.jsonl:
        return _batch(args.jsonl, settings, progress=not args.no_progress)
    if not args.path:
        print("claimdesk analyze: give a file, - for standard input, or --jsonl FILE", file=sys.stderr)
        return 2
    from bot.extraction.checks import InputRejected, check_input
    from bot.extraction.pipeline import analyze_text, load_pipeline
    from bot.links.page import FetchError

    try:
        if args.path.lower().startswith(("http://", "https://")):
            page = _fetch(args.path, settings)
            text, title, outlet, published = page.text, args.title or page.title, page.site_name, page.published
            print(f"claimdesk analyze: read {page.url}", file=sys.stderr)
        else:
            text, title, outlet, published = _read_text(args.path), args.title, None, None
        check_input(text)  # before the model loads: a rejected file costs nothing
        nlp = load_pipeline(settings.spacy_model)
        report = analyze_text(nlp, text, title=title, outlet=outlet, published=published, extractor=settings.extractor)
    except (InputRejected, OSError, FetchError) as error:
        print(f"claimdesk analyze: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render_report(report, args.format, text))
    return 0


def _fetch(url: str, settings: Settings) -> FetchedPage:
    """The article behind ``url`` (:class:`bot.links.page.FetchedPage`), with the settings' allow list."""
    import asyncio

    from bot.links.fetch import Fetcher
    from bot.links.policy import AllowList

    return asyncio.run(Fetcher(AllowList.parse(settings.fetch_allow)).fetch(url))


def _read_text(path: str) -> str:
    raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise OSError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


# --- batch mode ---------------------------------------------------------------------------------

Item = tuple[int, Any, "str | None", "dict[str, str] | None"]  # line number, id, text, error


def _batch(path: str, settings: Settings, *, progress: bool) -> int:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as error:
        print(f"claimdesk analyze: {error}", file=sys.stderr)
        return 2
    items = [_parse_line(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    chunks = [items[i : i + BATCH_CHUNK] for i in range(0, len(items), BATCH_CHUNK)]
    bar = _Progress(len(items), sys.stderr if progress else None)
    workers = max(1, min(settings.worker_count, len(chunks) or 1))
    out = sys.stdout
    if workers == 1:
        _init_batch_worker(settings.spacy_model, settings.extractor)
        for chunk in chunks:
            _write(out, _analyze_chunk(chunk), bar)
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(
            workers, initializer=_init_batch_worker, initargs=(settings.spacy_model, settings.extractor)
        ) as pool:
            for records in pool.imap(_analyze_chunk, chunks):
                _write(out, records, bar)
    bar.done()
    return 0


def _parse_line(number: int, line: str) -> Item:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return (number, None, None, {"code": "bad_json", "message": f"line {number}: {error.msg}"})
    if not isinstance(record, dict):
        return (number, None, None, {"code": "bad_json", "message": f"line {number}: not a JSON object"})
    text = record.get("text")
    if not isinstance(text, str):
        return (number, record.get("id"), None, {"code": "no_text", "message": f"line {number}: no 'text' string"})
    return (number, record.get("id"), text, None)


_batch_nlp: Any = None
_batch_extractor = "rules"


def _init_batch_worker(model: str, extractor: str) -> None:
    global _batch_nlp, _batch_extractor
    from bot.extraction.pipeline import load_extractor, load_pipeline

    _batch_nlp = load_pipeline(model)
    _batch_extractor = load_extractor(extractor)


def _analyze_chunk(chunk: Sequence[Item]) -> list[str]:
    """Analyse a chunk of lines with ``nlp.pipe``: one JSON line each, in order; a bad line becomes an
    error record, never a crash."""
    from bot.extraction.checks import InputRejected, check_input
    from bot.extraction.pipeline import build_report

    records: list[str | None] = [None] * len(chunk)
    good: list[int] = []
    for index, (number, item_id, text, error) in enumerate(chunk):
        if error is None and text is not None:
            try:
                check_input(text)
                good.append(index)
                continue
            except InputRejected as rejected:
                error = {"code": rejected.code, "message": str(rejected)}
        records[index] = _error_line(item_id, number, error)
    docs = _batch_nlp.pipe((chunk[i][2] for i in good), batch_size=BATCH_CHUNK)
    for index, doc in zip(good, docs, strict=True):
        number, item_id, text = chunk[index][0], chunk[index][1], chunk[index][2]
        try:
            report = build_report(doc, text=text, extractor=_batch_extractor)
            records[index] = replace(report, id=item_id).to_json(indent=None)
        except Exception as error:  # one article's failure must not stop the batch
            records[index] = _error_line(item_id, number, {"code": "failed", "message": repr(error)})
    return [r for r in records if r is not None]


def _error_line(item_id: Any, number: int, error: dict[str, str] | None) -> str:
    return json.dumps({"id": item_id, "line": number, "error": error}, ensure_ascii=False)


def _write(out: TextIO, records: Sequence[str], bar: _Progress) -> None:
    for record in records:
        out.write(record + "\n")
    out.flush()
    bar.advance(len(records))


class _Progress:
    """A one-line progress bar on standard error (nothing when disabled)."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.stream, self.count, self.started = total, stream, 0, time.monotonic()

    def advance(self, n: int) -> None:
        self.count += n
        if self.stream is not None:
            rate = self.count / max(time.monotonic() - self.started, 1e-6)
            width = 30
            filled = int(width * self.count / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} ({rate:.1f}/s)")
            self.stream.flush()

    def done(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

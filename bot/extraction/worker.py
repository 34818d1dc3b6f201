"""Entry points of an extraction worker process (a ``spawn`` pool; see :mod:`bot.extraction.runner`).

Importing this module does not import spaCy: the main process only needs these functions by name,
and each worker loads the pipeline once, in :func:`load`. A worker exits by itself when the process
that started it is gone (:func:`watch_parent`), so a SIGKILL of the bot leaves no worker behind, nor
the multiprocessing resource tracker, which exits once the last process holding its pipe has.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

from bot.extraction.checks import DEFAULT_EXTRACTOR

if TYPE_CHECKING:
    from bot.report import Report

_nlp: Any = None
_extractor = "rules"
#: Seconds between two looks at the parent process.
PARENT_CHECK_SECONDS = 0.25
#: Added to a worker's nice value. Why: on a busy machine the bot's own process (the event loop that
#: answers /help) must get the CPU before an analysis does (p50 of /help went from 18 to 123 ms).
WORKER_NICENESS = 10


def load(model: str, parent: int, extractor: str = DEFAULT_EXTRACTOR) -> None:
    """Pool initializer: watch the parent (pid ``parent``), then load the spaCy pipeline (and the
    attribution model, if used) once per worker."""
    global _nlp, _extractor
    watch_parent(parent)
    os.nice(WORKER_NICENESS)
    from bot.extraction.pipeline import load_extractor, load_pipeline

    _nlp = load_pipeline(model)
    _extractor = load_extractor(extractor)


def watch_parent(parent: int) -> threading.Thread:
    """A daemon thread that ends this process as soon as ``parent`` is no longer its parent (it died and
    the process was re-parented). Why: a pool worker waits on its task queue forever, and nothing tells
    it that the process which should send tasks was killed."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread


def ready() -> bool:
    """True once this worker has its pipeline (used to warm the pool)."""
    return _nlp is not None


def analyze(text: str, title: str | None, outlet: str | None, published: str | None) -> Report:
    """Analyse one article in this worker."""
    from bot.extraction.pipeline import analyze_text

    if _nlp is None:
        raise RuntimeError("bot.extraction.worker.load was not run in this worker")
    return analyze_text(_nlp, text, title=title, outlet=outlet, published=published, extractor=_extractor)

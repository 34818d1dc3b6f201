"""Entry points of an extraction worker process (a ``spawn`` pool; see :mod:`bot.extraction.runner`).

Importing this module does not import spaCy: the main process only needs these functions by name,
and each worker loads the pipeline once, in :func:`load`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.extraction.checks import DEFAULT_EXTRACTOR

if TYPE_CHECKING:
    from bot.report import Report

_nlp: Any = None
_extractor = "rules"


def load(model: str, extractor: str = DEFAULT_EXTRACTOR) -> None:
    """Pool initializer: load the spaCy pipeline (and the attribution model, if used) once per worker."""
    global _nlp, _extractor
    from bot.extraction.pipeline import load_extractor, load_pipeline

    _nlp = load_pipeline(model)
    _extractor = load_extractor(extractor)


def ready() -> bool:
    """True once this worker has its pipeline (used to warm the pool)."""
    return _nlp is not None


def analyze(text: str, title: str | None, outlet: str | None, published: str | None) -> Report:
    """Analyse one article in this worker."""
    from bot.extraction.pipeline import analyze_text

    if _nlp is None:
        raise RuntimeError("bot.extraction.worker.load was not run in this worker")
    return analyze_text(_nlp, text, title=title, outlet=outlet, published=published, extractor=_extractor)

"""Text in, report out: pure, synchronous and CPU-bound. spaCy objects never leave this package."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language

from bot.report import Article, Report

EXTRACTOR_VERSION = "0.1.0"
MIN_WORDS = 40
MAX_CHARS = 200_000


class InputRejected(ValueError):
    """The input is not an article Claimdesk can analyse; ``code`` says why, the message says it to a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def load_pipeline(model: str) -> Language:
    """Load an installed spaCy pipeline by package name."""
    return spacy.load(model)


def check_input(text: str) -> None:
    """Raise :class:`InputRejected` for empty, binary, too short, too long or non-English text."""
    if not text.strip():
        raise InputRejected("empty", "The text is empty.")
    if "\x00" in text:
        raise InputRejected("binary", "This looks like binary data, not text.")
    if len(text) > MAX_CHARS:
        raise InputRejected("too_long", f"The text is longer than {MAX_CHARS:,} characters.")
    if len(text.split()) < MIN_WORDS:
        raise InputRejected("too_short", f"The text is too short to be an article (under {MIN_WORDS} words).")


def analyze_text(nlp: Language, text: str, **meta: str | None) -> Report:
    """Analyse one article."""
    check_input(text)
    return build_report(nlp(text), **meta)


def analyze_texts(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Report]:
    """Analyse many articles with ``nlp.pipe`` (every text must pass :func:`check_input`)."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield build_report(doc)


def build_report(doc, *, title: str | None = None, outlet: str | None = None, published: str | None = None) -> Report:
    text = doc.text
    article = Article(
        title=title,
        outlet=outlet,
        published=published,
        language="en",
        words=sum(1 for t in doc if not t.is_punct and not t.is_space),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Report(
        article=article, summary=(), sources=(), claims=(), attributions=(), unverified=(),
        extractor_version=EXTRACTOR_VERSION,
    )


# --- worker-process entry points (used by runner.py through a spawn pool) ---------------------

_worker_nlp: Language | None = None


def load_worker_pipeline(model: str) -> None:
    """Process-pool initializer: load the model once per worker."""
    global _worker_nlp
    _worker_nlp = load_pipeline(model)


def worker_ready() -> bool:
    return _worker_nlp is not None


def analyze_in_worker(text: str, title: str | None, outlet: str | None, published: str | None) -> Report:
    assert _worker_nlp is not None, "load_worker_pipeline was not run in this worker"
    return analyze_text(_worker_nlp, text, title=title, outlet=outlet, published=published)

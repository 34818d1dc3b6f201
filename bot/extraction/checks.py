"""What counts as an article Claimdesk can analyse, and the extractor's version.

Standard library only: the bot's main process imports this module to reject bad input at once,
without importing spaCy (which only the extraction workers load).
"""

from __future__ import annotations

import re

#: Stored reports carry it; a report made by an older version is re-analysed on demand.
EXTRACTOR_VERSION = "1.5.0"
#: The attribution extractors (``CLAIMDESK_EXTRACTOR``): the trained tagger with the rules, the rules alone,
#: or the span model (spaCy's ner, :mod:`bot.extraction.span_model`) with the rules.
EXTRACTORS = ("model", "rules", "spans")
DEFAULT_EXTRACTOR = "model"


def report_version(extractor: str) -> str:
    """What a report made by ``extractor`` records as its maker, "1.5.0+model", and the key its cached copy
    is found by. Why the extractor is in it: after ``CLAIMDESK_EXTRACTOR`` changes, a report the other
    extractor made must not be served from the cache."""
    return f"{EXTRACTOR_VERSION}+{extractor}"


MIN_WORDS = 40
MAX_CHARS = 200_000
#: The commonest English function words: a text that uses almost none of them is not English.
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to a in that is was he for it with as his on be at by i this had not are but from or have an "
    "they which one you were her all she there would their we him been has when who will more no if out so "
    "said what up its about into than them can only other new some could time these two may then do first "
    "any my now such like our over man me even most made after also did many before must through back "
    "years where much your way well down should because each just those people how too".split()
)


class InputRejected(ValueError):
    """The input is not an article Claimdesk can analyse; ``code`` says why, the message says it to a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[InputRejected], tuple[str, str]]:
        # Why: raised in a pool worker, it must pickle back with both arguments.
        return (InputRejected, (self.code, str(self)))


def check_input(text: str) -> None:
    """Raise :class:`InputRejected` for empty, binary, too short, too long or non-English text."""
    if not text.strip():
        raise InputRejected("empty", "The text is empty.")
    if re.search("[\ud800-\udfff]", text):  # a lone UTF-16 surrogate: spaCy and hashing cannot encode it
        raise InputRejected("binary", "The text has broken characters (lone UTF-16 surrogates).")
    if "\x00" in text or sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\n\r\t") > 5:
        raise InputRejected("binary", "This looks like binary data, not text.")
    if len(text) > MAX_CHARS:
        raise InputRejected("too_long", f"The text is longer than {MAX_CHARS:,} characters.")
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(text.split()) < MIN_WORDS:
        raise InputRejected("too_short", f"The text is too short to be an article (under {MIN_WORDS} words).")
    latin = sum(1 for w in words if w.isascii())
    english = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS)
    if not words or latin < 0.6 * len(words) or english < 0.12 * len(words):
        raise InputRejected("not_english", "Language not supported yet: Claimdesk reads English articles only.")

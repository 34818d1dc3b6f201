"""Finding the few tokens a rule can fire on without visiting every token in Python."""

from __future__ import annotations

from functools import lru_cache

import numpy
from spacy.attrs import LEMMA, LIKE_NUM, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token


@lru_cache(maxsize=32)
def _keys(words: frozenset[str]) -> numpy.ndarray:
    return numpy.fromiter((get_string_id(w) for w in words), dtype=numpy.uint64, count=len(words))


def tokens_with(doc: Doc, words: frozenset[str]) -> list[Token]:
    """Tokens whose lemma or lower-case form is one of ``words``, in document order.

    Why: the rules fire on a few hundred trigger words; testing the token arrays with numpy and
    visiting only the hits keeps extraction a small fraction of parsing time.
    """
    if not len(doc):
        return []
    keys = _keys(words)
    array = doc.to_array([LEMMA, LOWER])
    hits = numpy.flatnonzero(numpy.isin(array[:, 0], keys) | numpy.isin(array[:, 1], keys))
    return [doc[int(i)] for i in hits]


def number_tokens(doc: Doc) -> list[Token]:
    """Tokens that look like numbers ("7,000", "6.3", "ten"), in document order, found the same way."""
    if not len(doc):
        return []
    return [doc[int(i)] for i in numpy.flatnonzero(doc.to_array([LIKE_NUM]))]

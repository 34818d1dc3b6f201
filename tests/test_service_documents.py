"""bot/service/documents.py: which documents the bot takes, and their bytes as text."""

from __future__ import annotations

import pytest

from bot.service import DocumentRef
from bot.service.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentProblem,
    decode_bytes,
    decode_document,
    document_problem,
    html_to_text,
)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (DocumentRef("f", "a.txt", "text/plain", 100), None),
        (DocumentRef("f", "A.HTML", "text/html", 100), None),
        (DocumentRef("f", "notes.md", None, None), None),
        (DocumentRef("f", "scan.pdf", "application/pdf", 100), "can't read .pdf"),
        (DocumentRef("f", None, None, 100), "without an extension"),
        (DocumentRef("f", "big.txt", "text/plain", MAX_DOCUMENT_BYTES + 1), "up to 2 MB"),
    ],
)
def test_documents_document_problem(document: DocumentRef, problem: str | None) -> None:
    found = document_problem(document)
    assert (found is None) if problem is None else (problem in (found or ""))


SAMPLE = "Café “quoted” – naïve € 🙂"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-8-sig"),
        SAMPLE.encode("utf-16"),
        SAMPLE.encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
)
def test_documents_decode_bytes_unicode_encodings(data: bytes) -> None:
    assert decode_bytes(data) == SAMPLE


def test_documents_decode_bytes_legacy_encodings() -> None:
    assert decode_bytes("Café “quoted” – €".encode("cp1252")) == "Café “quoted” – €"
    assert decode_bytes(b"caf\xe9 \x81") == "café \x81"  # not cp1252 (0x81 undefined): latin-1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("“Quoted,” she said – café.".encode() + b"\xff", "“Quoted,” she said – café.\ufffd"),
        (b"\x80" + "He said “yes” and “no”.".encode(), "\ufffdHe said “yes” and “no”."),
        ("“Ünïcödé” ".encode() * 3 + b"\xe2\x80 end", "“Ünïcödé” " * 3 + "\ufffd end"),
    ],
)
def test_documents_decode_bytes_mostly_valid_utf8_keeps_utf8(data: bytes, expected: str) -> None:
    """One bad byte among valid UTF-8 sequences is one U+FFFD, not a whole file of latin-1 mojibake."""
    assert decode_bytes(data) == expected


def test_documents_html_to_text_drops_script_and_style_and_keeps_title() -> None:
    markup = (
        "<html><head><title>The &amp; Title</title><style>p{}</style></head><body>"
        "<script>var x = '<p>no</p>';</script><h1>Head</h1><p>First &lt;para&gt;.</p><p>Second<br>line</p>"
        "</body></html>"
    )
    text, title = html_to_text(markup)
    assert title == "The & Title"
    assert text == "Head\nFirst <para>.\nSecond\nline"


def test_documents_decode_document_html_txt_and_size() -> None:
    assert decode_document(b"<p>Hi</p><p>there</p>", "a.htm") == ("Hi\nthere", None)
    assert decode_document(b"<p>Hi</p>", "a.txt") == ("<p>Hi</p>", None)
    with pytest.raises(DocumentProblem, match="2 MB"):
        decode_document(b"x" * (MAX_DOCUMENT_BYTES + 1), "a.txt")

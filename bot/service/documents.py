"""Documents sent as articles: which ones the bot takes, and their bytes as text. Pure, standard library only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import PurePath

from bot.service.jobs import DocumentRef

#: Largest document the bot downloads (the Bot API's own download limit is 20 MB).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
#: File name extensions accepted as articles.
DOCUMENT_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm")
#: Encodings tried in order when a document has no byte-order mark and is not mostly UTF-8; latin-1
#: decodes anything.
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252", "latin-1")
#: A UTF-16 surrogate on its own (a Python string holds a valid pair as one code point).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class DocumentProblem(ValueError):
    """A document the bot cannot take; the message says so to a person."""


def clean_text(text: str) -> str:
    """``text`` with lone UTF-16 surrogates replaced by U+FFFD: no UTF-8 encoder (hashing, SQLite,
    Telegram) takes them, and a message or a broken UTF-16 file can carry them."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def document_problem(document: DocumentRef) -> str | None:
    """Why a document cannot be taken (unsupported type or too large), or None when it can."""
    suffix = PurePath(document.file_name or "").suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS:
        shown = suffix or "files without an extension"
        return f"I can't read {shown} files. Send the article as text, or as a .txt, .md or .html file (up to 2 MB)."
    if document.file_size is not None and document.file_size > MAX_DOCUMENT_BYTES:
        megabytes = document.file_size / (1024 * 1024)
        return f"This file is {megabytes:.1f} MB; I take files up to 2 MB."
    return None


def decode_bytes(data: bytes) -> str:
    """Text from bytes in any common encoding: a BOM decides (UTF-8, UTF-16; broken sequences become
    U+FFFD); else UTF-8 when its valid multi-byte characters outnumber its invalid bytes (one bad byte
    is one U+FFFD, not a whole file of mojibake); else cp1252, latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return clean_text(data.decode("utf-8-sig", "replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean_text(data.decode("utf-16", "replace"))
    utf8 = data.decode("utf-8", "replace")
    invalid = utf8.count("\ufffd") - data.count("\ufffd".encode())
    if invalid == 0 or sum(char > "\x7f" for char in utf8) - utf8.count("\ufffd") > invalid:
        return clean_text(utf8)
    for encoding in LEGACY_ENCODINGS:
        try:
            return clean_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def decode_document(data: bytes, file_name: str | None) -> tuple[str, str | None]:
    """The article text of a downloaded document and its title when it has one (HTML ``<title>``)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentProblem(f"This file is {len(data) / (1024 * 1024):.1f} MB; I take files up to 2 MB.")
    text = decode_bytes(data)
    if PurePath(file_name or "").suffix.lower() in (".html", ".htm"):
        return html_to_text(text)
    return text, None


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page: script, style and similar dropped, block elements end lines."""

    SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg"})
    BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "blockquote",
            "section",
            "article",
            "header",
            "footer",
            "pre",
            "hr",
            "figcaption",
            "dd",
            "dt",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Visible text of an HTML document (one paragraph a line) and its ``<title>``, standard library only."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title_parts).split()) or None
    return text, title

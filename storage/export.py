"""An export file written as it is produced, on both engines: the chat's analyses read in batches, parsed
and written one batch at a time through a file that counts its bytes, gzipped on the fly once the plain
output passes a threshold, and abandoned the moment the file on disk passes a limit.

Why: the export used to be written whole as plain text and only then compressed and measured against
the upload limit: 2,000 copies of an 800 KB report were 1.6 GB on disk before anyone knew the answer was
"too large". The caller (the handlers, which know Telegram's limit) gives both numbers; this module knows
no Telegram.
"""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.base import StoreBase, read_report
from storage.formats import Exported, export_format
from storage.rows import ANALYSIS_COLUMNS

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

#: The chat's analyses with their reports, oldest first, after the analysis id ``?`` (0: from the start).
EXPORT_ROWS = (
    f"SELECT {ANALYSIS_COLUMNS}, r.report FROM analyses a JOIN reports r ON r.id = a.report_id"
    " WHERE a.chat_id = ? AND a.id > ? ORDER BY a.id"
)
#: How many analyses the chat has (what a file over the limit would have held).
EXPORT_COUNT = "SELECT count(*) FROM analyses WHERE chat_id = ?"
#: Rows a PostgreSQL page reads (keyset by id): memory is bounded by one page of reports.
EXPORT_BATCH = 50
#: gzip's level for a large export (6, zlib's default: a JSON export shrinks about tenfold).
GZIP_LEVEL = 6
#: Bytes the text layer collects before it hands them to the counting file (the file may pass the limit by
#: about one such write, or one analysis when that is larger).
WRITE_BUFFER = 64 * 1024
#: Bytes copied at once when the plain start of a file is compressed.
COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :meth:`export_to` wrote: ``path`` is the file (the destination, or the destination with
    ``.gz`` when compressed), None when the file passed the limit (nothing is left on disk);
    ``reports``: the analyses in the file, or, over the limit, the chat's analyses; ``size``: bytes on
    disk (over the limit: when writing stopped)."""

    path: Path | None
    reports: int
    size: int


class _TooLarge(Exception):
    """The file on disk passed the limit: stop writing."""


class CappedFile(io.RawIOBase):
    """A binary file at ``destination`` that counts what it is given: plain while the output stays within
    ``compress_above`` bytes (or ``limit``, when lower); past that, ``destination.gz`` (the plain start
    compressed first, the plain file removed) and gzip from then on. A write that takes the file on disk
    past ``limit`` raises :class:`_TooLarge`; what comes after it is dropped."""

    def __init__(self, destination: Path, *, compress_above: int, limit: int) -> None:
        super().__init__()
        self._plain_path = destination
        self.path = destination
        self._compress_above = min(compress_above, limit)
        self._limit = limit
        self._file = destination.open("wb")
        self._gzip: gzip.GzipFile | None = None
        self._plain = 0
        self._over = False

    def writable(self) -> bool:
        return True

    @property
    def size(self) -> int:
        """Bytes on disk so far."""
        return self._file.tell() if not self._file.closed else self.path.stat().st_size

    def write(self, data: ReadableBuffer, /) -> int:
        given = memoryview(data).nbytes
        if self._over:
            return given
        if self._gzip is None and self._plain + given > self._compress_above:
            self._compress()
        if self._gzip is None:
            self._file.write(data)
            self._plain += given
        else:
            self._gzip.write(data)
        self._check()
        return given

    def _compress(self) -> None:
        plain = self._plain_path
        self._file.close()
        self.path = plain.with_name(plain.name + ".gz")
        self._file = self.path.open("wb")
        self._gzip = gzip.GzipFile(filename=plain.name, mode="wb", fileobj=self._file, compresslevel=GZIP_LEVEL)
        with plain.open("rb") as start:
            shutil.copyfileobj(start, self._gzip, COPY_CHUNK)
        plain.unlink()

    def _check(self) -> None:
        if self.size > self._limit:
            self._over = True
            raise _TooLarge

    def close(self) -> None:
        """Finish the file (gzip's last block and trailer); :class:`_TooLarge` when they pass the limit."""
        if self.closed:
            return
        try:
            if self._gzip is not None and not self._over:
                self._gzip.close()
                self._check()
        finally:
            self._file.close()
            super().close()

    def discard(self) -> None:
        """Close without finishing and delete the file."""
        self._over = True
        self.close()
        for path in (self._plain_path, self.path):
            path.unlink(missing_ok=True)


def write_rows(
    fmt: str,
    batches: Iterable[Iterable[Any]],
    destination: Path,
    *,
    compress_above: int,
    limit: int,
    skip: Callable[[int, str], None],
    count: Callable[[], int],
) -> ExportResult:
    """Rows of :data:`EXPORT_ROWS`, a batch at a time, parsed and written in the export format ``fmt``
    through a :class:`CappedFile`; a row that cannot be read is left out (``skip`` is told); ``count``
    gives the chat's analyses when the file passes ``limit``."""
    output = export_format(fmt)
    if output is None or output.export is None:
        raise ValueError(f"unknown export format {fmt!r}")
    written = 0

    def parsed() -> Iterator[Exported]:
        nonlocal written
        for rows in batches:
            for item in StoreBase._parsed(rows, read_report=lambda row: read_report(row["report"]), skip=skip):
                written += 1
                yield item

    sink = CappedFile(destination, compress_above=compress_above, limit=limit)
    try:
        with io.TextIOWrapper(io.BufferedWriter(sink, WRITE_BUFFER), encoding="utf-8", newline="") as out:
            output.export(parsed(), out)
    except _TooLarge:
        size = sink.size
        sink.discard()
        return ExportResult(None, count(), size)
    except BaseException:
        sink.discard()
        raise
    return ExportResult(sink.path, written, sink.size)

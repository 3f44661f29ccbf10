"""The one module that reads files: bytes in, a grid of cell text out.

It recognises the format from the bytes (not the extension), refuses broken or hostile files
with a message before any heavy parsing (size limit, corrupt zip, zip bombs, XML entity
declarations, password protection, binary garbage, empty files), decodes CSV text as UTF-8
(with or without BOM) or GB18030, and chooses the sheet that holds opportunities.

The grid keeps every cell as text (or missing) with its spreadsheet row number, so every
later finding can name the row a user sees in Excel.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .grid import (
    DEFAULT_LIMITS,
    LIMIT_SETTINGS,
    STRING,
    Limits,
    NotChunkable,
    RawGrid,
    UnusableFile,
    column_letter,
)
from .isolation import read_workbook_isolated
from .workbooks import check_xlsx_bounds, read_workbook, with_sheet_marks, workbook_sheet_names

__all__ = [
    "DEFAULT_LIMITS",
    "LIMIT_SETTINGS",
    "Limits",
    "RawGrid",
    "UnusableFile",
    "read_bytes",
    "read_grid",
    "sheet_names",
]

# --------------------------------------------------------------------------------------------
# Format sniffing and safety
# --------------------------------------------------------------------------------------------
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_bytes(
    source: str | Path | bytes, file_name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[bytes, str]:
    """Read a path (or take uploaded bytes) within the size limit; return ``(data, name)``."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = file_name or "upload"
    else:
        path = Path(source)
        name = file_name or path.name
        _file_size(path, name, limits)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnusableFile("unreadable", file=name, detail=exc.strerror or str(exc)) from exc
    if len(data) > limits.max_file_bytes:
        raise UnusableFile(
            "too_large",
            file=name,
            size_mb=len(data) / 2**20,
            limit_mb=limits.max_file_bytes / 2**20,
        )
    # Only blank space? (Checked on the head first: stripping a large file would copy it.)
    if not data[:65536].strip() and not data.strip():
        raise UnusableFile("empty", file=name)
    return data, name


def _file_size(path: Path, name: str, limits: Limits) -> int:
    """The file's size in bytes, or :class:`UnusableFile` when it cannot be read or is over
    the size limit (checked before any byte is read)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnusableFile("unreadable", file=name, detail=exc.strerror or str(exc)) from exc
    if size > limits.max_file_bytes:
        raise UnusableFile(
            "too_large", file=name, size_mb=size / 2**20, limit_mb=limits.max_file_bytes / 2**20
        )
    return size


def _sniff(data: bytes, name: str) -> str:
    ext = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    if data[:8] == _OLE:
        return "ole"
    if data[:5] == b"%PDF-":
        raise UnusableFile("not_spreadsheet", file=name, detail="PDF")
    head = data[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "csv"
    if b"\x00" in head:
        raise UnusableFile("not_spreadsheet", file=name, detail="binary data")
    if ext in {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}:
        raise UnusableFile(
            "not_spreadsheet", file=name, detail=f"plain text named {ext}; rename it to .csv"
        )
    return "csv"


def _check_zip(data: bytes, name: str, limits: Limits) -> str:
    """Inspect an Office/ODF zip before any parser inflates it; return the format."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnusableFile("corrupt_zip", file=name, detail=str(exc) or type(exc).__name__) from exc
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        fmt = "xlsx"
    elif "xl/workbook.bin" in names:
        fmt = "xlsb"
    elif "content.xml" in names:
        fmt = "ods"
    else:
        raise UnusableFile("not_spreadsheet", file=name, detail="a zip file without a workbook")
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1))
    worst_ratio = worst.file_size / max(worst.compress_size, 1)
    if total > limits.max_inflated_bytes or (
        worst.file_size > limits.ratio_floor_bytes and worst_ratio > limits.max_ratio
    ):
        raise UnusableFile(
            "zip_bomb", file=name, inflated_mb=total / 2**20, ratio=max(total / packed, worst_ratio)
        )
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")) or info.file_size == 0:
            continue
        try:
            with zf.open(info) as fh:
                prolog = fh.read(65536)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
                raise UnusableFile("encrypted", file=name) from exc
            raise UnusableFile(
                "corrupt_zip", file=name, detail=str(exc) or type(exc).__name__
            ) from exc
        upper = prolog.upper()
        if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
            raise UnusableFile("xml_entities", file=name, part=info.filename)
        # A prolog longer than the window could hide a DOCTYPE past it: look for a root tag.
        if len(prolog) == 65536 and not _has_root_element(prolog):
            raise UnusableFile("xml_entities", file=name, part=info.filename)
    return fmt


def _has_root_element(prolog: bytes) -> bool:
    i = 0
    while True:
        i = prolog.find(b"<", i)
        if i < 0 or i + 1 >= len(prolog):
            return False
        if prolog[i + 1 : i + 2] not in (b"?", b"!"):
            return True
        i += 1


def _check_ole(data: bytes, name: str) -> str:
    if _ENCRYPTED in data[:1_000_000] or _ENCRYPTED in data[-1_000_000:]:
        raise UnusableFile("encrypted", file=name)
    return "xls"


def sheet_names(
    source: str | Path | bytes, file_name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, ...]:
    """Names of the visible sheets of a workbook (empty for CSV)."""
    data, name = read_bytes(source, file_name, limits)
    kind = _sniff(data, name)
    if kind == "csv":
        return ()
    if kind == "zip":
        _check_zip(data, name, limits)
    else:
        _check_ole(data, name)
    return workbook_sheet_names(data, name)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise UnusableFile("not_spreadsheet", file=name, detail="broken UTF-16 text") from exc
    try:
        return data.decode("utf-8-sig"), "UTF-8" + (" (BOM)" if data[:3] == b"\xef\xbb\xbf" else "")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        pass
    # Western exports (Salesforce reports in some orgs, Excel's "CSV" on Windows) are written
    # in Windows-1252; its five undefined bytes fall back to Latin-1.
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:50])
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _clean(cells: pd.DataFrame) -> pd.DataFrame:
    """Trim cells, blank ones become missing; index = spreadsheet row; columns 0..n-1."""
    index = pd.RangeIndex(1, len(cells) + 1)
    columns = {}
    for i, (_, col) in enumerate(cells.items()):  # built in one step, not a column at a time
        stripped = col.astype(STRING).str.strip()
        columns[i] = stripped.mask(stripped == "").set_axis(index)
    return pd.DataFrame(columns, index=index) if columns else pd.DataFrame(index=index)


def _csv_with_pandas(data: bytes, name: str) -> RawGrid:
    """The general path: any encoding, ragged rows, blank lines (kept as blank rows)."""
    text, encoding = _decode(data, name)
    sep = _delimiter(text)
    kwargs = dict(
        header=None,
        dtype=str,
        sep=sep,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        engine="c",
    )
    try:
        cells = pd.read_csv(io.StringIO(text), **kwargs)
    except pd.errors.ParserError:
        # A row longer than the first one: size the frame from the widest row.
        width = int(
            _record_widths(np.frombuffer(text.encode("utf-8"), dtype=np.uint8), ord(sep)).max()
        )
        try:
            cells = pd.read_csv(io.StringIO(text), names=range(width), **kwargs)
        except (pd.errors.ParserError, ValueError) as exc:
            raise UnusableFile("unreadable", file=name, detail=str(exc).splitlines()[0]) from exc
    except pd.errors.EmptyDataError as exc:
        raise UnusableFile("empty", file=name) from exc
    cells = _clean(cells)
    return RawGrid(
        cells,
        name,
        "csv",
        None,
        (),
        encoding,
        tuple(column_letter(i) for i in range(cells.shape[1])),
    )


def _has_blank_line(data: bytes, line_ends: np.ndarray | None = None) -> bool:
    """Whether ``data`` holds ``\\n\\n`` or ``\\n\\r\\n``. Given the positions of its line
    feeds (which the bounds check has found), two ends one or two bytes apart answer it without
    another search of the bytes (a substring search of a large file takes 10-15 ms each)."""
    if line_ends is None:
        return b"\n\n" in data or b"\n\r\n" in data
    gaps = np.diff(line_ends)
    if (gaps == 1).any():
        return True
    two = line_ends[:-1][gaps == 2]
    return bool(len(two)) and bool((np.frombuffer(data, np.uint8)[two + 1] == 0x0D).any())


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV's bytes are parsed, as sniffed from its first 64 KB: Arrow's name for the
    encoding, the label shown to the user, the delimiter, the width (fields in the widest of
    the first 50 lines) and whether the file starts with a UTF-8 byte-order mark."""

    encoding: str
    label: str
    sep: str
    width: int
    bom: bool

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(column_letter(i) for i in range(self.width))


def _csv_format(data: bytes) -> CsvFormat | None:
    """The format of CSV bytes for Arrow's parser, or None when they need the general path
    (UTF-16, an unknown encoding, no field)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    bom = data[:3] == b"\xef\xbb\xbf"
    head = data[3:65536] if bom else data[:65536]
    try:
        head_text = head.decode("utf-8")
        encoding, label = "utf8", "UTF-8" + (" (BOM)" if bom else "")
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut at the window's edge
            head_text = head[: exc.start].decode("utf-8")
            encoding, label = "utf8", "UTF-8" + (" (BOM)" if bom else "")
        else:
            try:
                head_text = head.decode("gb18030", errors="strict")
            except UnicodeDecodeError:
                return None
            encoding, label = "gb18030", "GB18030"
    sep = _delimiter(head_text)
    lines = head_text.splitlines()[:50]
    width = max((len(r) for r in csv.reader(lines, delimiter=sep)), default=0)
    if width == 0:
        return None
    return CsvFormat(encoding, label, sep, width, bom)


def _csv_cells(
    data: bytes, fmt: CsvFormat, first_row: int = 1, skip: int = 0
) -> pd.DataFrame | None:
    """CSV bytes, from byte ``skip`` (past a byte-order mark), parsed by Arrow into trimmed text
    cells indexed by spreadsheet row from ``first_row``; None when Arrow cannot read them
    (invalid text in the encoding, a row wider than ``fmt.width``)."""
    names = [str(i) for i in range(fmt.width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(memoryview(data)[skip:] if skip else data)),
            read_options=pacsv.ReadOptions(
                column_names=names, encoding=fmt.encoding, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(delimiter=fmt.sep, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, LookupError):
        return None  # invalid text past the sniffed window, or ragged rows
    if _may_hold_spaces(data):
        columns = []
        for column in table.columns:
            trimmed = pc.utf8_trim_whitespace(column)
            # Trimming only removes bytes: the column changed if and only if it lost some
            # (byte lengths come from the offsets, without decoding any character).
            if _byte_total(trimmed) != _byte_total(column):
                column = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
            columns.append(column)
        table = pa.table(columns, names=names)
    cells = table.to_pandas(types_mapper=lambda _t: STRING)
    cells.index = pd.RangeIndex(first_row, first_row + len(cells))
    cells.columns = range(cells.shape[1])
    return cells


def _csv_with_arrow(data: bytes, name: str, line_ends: np.ndarray | None = None) -> RawGrid | None:
    """The fast path: Arrow's multithreaded parser on the bytes, every column as text.

    Returns None when the file needs the general path (UTF-16, blank lines, rows of unequal
    width): those are parsed by pandas instead, never dropped. ``line_ends``: the positions
    of the file's line feeds, when known.
    """
    fmt = _csv_format(data)
    if fmt is None or _has_blank_line(data, line_ends):
        return None
    cells = _csv_cells(data, fmt, skip=3 if fmt.bom else 0)
    if cells is None:
        return None
    return RawGrid(cells, name, "csv", None, (), fmt.label, fmt.letters)


def _byte_total(column: pa.ChunkedArray) -> int:
    return int(pc.sum(pc.binary_length(column)).as_py() or 0)


def _may_hold_spaces(data: bytes) -> bool:
    """Could any cell start or end with white space? A file with no space, tab, full-width or
    non-breaking space cannot, and skips trimming (single-byte searches stop at the first hit)."""
    return any(
        p in data
        for p in (b" ", b"\t", "\u3000".encode(), "\u3000".encode("gb18030"), "\u00a0".encode())
    )


def _outside_quotes(arr: np.ndarray) -> np.ndarray:
    """For CSV bytes, whether each byte lies outside quotes (a doubled quote toggles twice,
    so it changes nothing; a separator's own byte is never a quote, so the parity at it is
    the parity before it)."""
    return ~np.bitwise_xor.accumulate((arr == 0x22).view(np.uint8)).view(bool)


def _record_widths(arr: np.ndarray, sep: int) -> np.ndarray:
    """Fields per record of CSV bytes, quote-aware."""
    outside = _outside_quotes(arr)
    ends = np.flatnonzero((arr == 0x0A) & outside)
    seps = np.flatnonzero((arr == sep) & outside)
    return np.bincount(np.searchsorted(ends, seps), minlength=len(ends) + 1) + 1


def _longest_field(arr: np.ndarray, sep: int) -> tuple[int, int]:
    """(start, end) byte offsets of the longest field, quote-aware."""
    bounds = np.flatnonzero(((arr == 0x0A) | (arr == sep)) & _outside_quotes(arr))
    edges = np.concatenate(([-1], bounds, [len(arr)]))
    i = int(np.argmax(np.diff(edges)))
    return int(edges[i]) + 1, int(edges[i + 1])


def _check_csv_bounds(data: bytes, name: str, limits: Limits) -> np.ndarray | None:
    """Refuse a CSV whose longest cell, longest line or widest row exceeds a limit, measured
    on the bytes before any parser runs (one vectorised pass; exact passes only past a bound).
    UTF-16 text is measured after decoding; UTF-8 and GB18030 keep ASCII delimiters as bytes.

    Returns the positions of the line feeds in ``data`` (None for UTF-16 text)."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if utf16:
        text, _ = _decode(data, name)
        data = text.encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    lines = np.flatnonzero(arr == 0x0A)
    edges = np.concatenate(([-1], lines, [len(arr)]))
    longest_line = int(np.diff(edges).max()) - 1
    found = None if utf16 else lines
    if longest_line <= min(limits.max_cell_chars, limits.max_columns, limits.max_line_bytes):
        return found  # a line that short can hold neither a cell, nor a row, beyond the limits
    sep = ord(_delimiter(data[:65536].decode("utf-8", "ignore")))
    if longest_line > limits.max_cell_chars:
        start, end = _longest_field(arr, sep)
        if end - start > limits.max_cell_chars:
            chunk = data[start:end]
            chars = len(chunk.decode("utf-8", "ignore"))
            if chars > limits.max_cell_chars:
                raise limits.refuse("cell_too_long", "max_cell_chars", name, chars=chars)
    if longest_line > limits.max_columns:
        widest = int(_record_widths(arr, sep).max())
        if widest > limits.max_columns:
            raise limits.refuse("too_many_columns", "max_columns", name, columns=widest)
    if longest_line > limits.max_line_bytes:
        raise limits.refuse("line_too_long", "max_line_bytes", name, line_kb=longest_line / 1024)
    return found


def _read_csv(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> RawGrid:
    line_ends = _check_csv_bounds(data, name, limits)
    return _csv_with_arrow(data, name, line_ends) or _csv_with_pandas(data, name)


#: The fewest rows a piece holds: the header is looked for in the first rows of the first
#: piece, and a report's footer and totals rows in the last rows of the last one.
MIN_CHUNK_ROWS = 64

#: Bytes read from the file at a time while looking for a piece's end.
_READ_BYTES = 4 << 20


@dataclass(frozen=True)
class CsvChunk:
    """One piece of a CSV read in pieces: its cells (indexed by spreadsheet row), its place
    and its bytes' range in the file (to read it again)."""

    grid: RawGrid | None
    number: int
    last: bool
    start: int
    end: int
    first_row: int
    fmt: CsvFormat
    name: str

    def reread(self, path: str | Path) -> RawGrid:
        """This piece's cells read again from the file (a piece's cells are not kept once
        used: the orchestrator keeps the piece with ``grid=None``)."""
        with Path(path).open("rb") as fh:
            fh.seek(self.start)
            piece = fh.read(self.end - self.start)
        skip = 3 if self.fmt.bom and self.start == 0 else 0
        cells = _csv_cells(piece, self.fmt, self.first_row, skip)
        if cells is None:
            raise NotChunkable("the file changed while it was read")
        return RawGrid(cells, self.name, "csv", None, (), self.fmt.label, self.fmt.letters)


def _record_ends(buf: bytes, quoted: bool = False) -> tuple[np.ndarray, bool]:
    """The positions of the line feeds that end a record in ``buf``, given whether ``buf``
    starts inside a quoted field, and whether it ends inside one (a doubled quote toggles
    twice, so it changes nothing)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    feeds = arr == 0x0A
    if b'"' not in buf:
        return np.flatnonzero(feeds) if not quoted else np.empty(0, np.int64), quoted
    outside = _outside_quotes(arr)
    if quoted:
        outside = ~outside
    return np.flatnonzero(feeds & outside), not bool(outside[-1])


def csv_chunks(
    path: str | Path,
    rows: int,
    file_name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    hasher=None,
) -> Iterator[CsvChunk]:
    """Read a CSV file in pieces of ``rows`` records (at least :data:`MIN_CHUNK_ROWS`; the last
    piece takes a remainder smaller than that), each parsed as the whole file would be: the
    format sniffed from the file's start, every limit checked, the rows numbered as in the
    file. ``hasher`` (a ``hashlib`` object) is fed the file's bytes as they are read.

    Raises :class:`NotChunkable` for a file the pieces would read differently than one piece,
    and :class:`UnusableFile` as :func:`read_grid` does for a file over the size limit."""
    path = Path(path)
    name = file_name or path.name
    size = _file_size(path, name, limits)
    rows = max(int(rows), MIN_CHUNK_ROWS)
    with path.open("rb") as fh:

        def read() -> bytes:
            more = fh.read(_READ_BYTES)
            if hasher is not None:
                hasher.update(more)
            return more

        buf = read()
        taken = len(buf)  # bytes read from the file so far
        if not buf.strip() or _sniff(buf[:65536], name) != "csv":
            raise NotChunkable("format")
        fmt = _csv_format(buf[:65536])
        if fmt is None:
            raise NotChunkable("format")
        offset, first_row, number = 0, 1, 0  # the file position of buf[0], its row, the piece
        ends, quoted = _record_ends(buf)
        while True:
            while len(ends) < rows + MIN_CHUNK_ROWS and taken < size:
                more = read()
                if not more:
                    break
                more_ends, quoted = _record_ends(more, quoted)
                ends = np.concatenate((ends, more_ends + len(buf)))
                taken += len(more)
                buf += more
            eof = taken >= size
            # The piece ends after its last record; a remainder of fewer than MIN_CHUNK_ROWS
            # records joins it, so the last piece holds a report's footer whole.
            cut = int(ends[rows - 1]) + 1 if len(ends) >= rows + MIN_CHUNK_ROWS else len(buf)
            if not eof and cut == len(buf):
                raise NotChunkable("record too long")
            piece, buf = buf[:cut], buf[cut:]
            ends = ends[rows:] - cut if buf else ends[:0]
            last = eof and not buf
            line_ends = _check_csv_bounds(piece, name, limits)
            starts_blank = offset > 0 and piece[:1] in (b"\n", b"\r")
            if starts_blank or _has_blank_line(piece, line_ends):
                raise NotChunkable("blank lines")
            cells = _csv_cells(piece, fmt, first_row, 3 if fmt.bom and offset == 0 else 0)
            if cells is None:
                raise NotChunkable("arrow")
            grid = RawGrid(cells, name, "csv", None, (), fmt.label, fmt.letters)
            out = [CsvChunk(grid, number, last, offset, offset + len(piece), first_row, fmt, name)]
            offset += len(piece)
            first_row += len(cells)
            number += 1
            # Nothing here holds the piece once it is handed over: its cells go when the
            # caller lets them go, before the next piece is parsed.
            del piece, cells, grid, line_ends
            yield out.pop()
            if last:
                return


def read_grid(
    source: str | Path | bytes,
    file_name: str | None = None,
    *,
    sheet: str | int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RawGrid:
    """Read a spreadsheet or CSV into a :class:`RawGrid`, or raise :class:`UnusableFile`.

    Parameters
    ----------
    source
        A path, or the bytes of an upload (then give ``file_name``).
    sheet
        Sheet name or 0-based index; by default the sheet whose first rows look most like an
        opportunity export's header.
    limits
        Size and inflation limits (see :class:`Limits`).
    """
    data, name = read_bytes(source, file_name, limits)
    kind = _sniff(data, name)
    if kind == "csv":
        return _read_csv(data, name, limits)
    fmt = _check_zip(data, name, limits) if kind == "zip" else _check_ole(data, name)
    if not limits.isolate:
        marked = check_xlsx_bounds(data, name, limits) if fmt == "xlsx" else {}
        return with_sheet_marks(read_workbook(data, name, fmt, sheet, limits), data, marked)
    return read_workbook_isolated(data, name, fmt, sheet, limits)

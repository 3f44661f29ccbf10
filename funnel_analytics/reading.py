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
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .i18n import t

__all__ = ["DEFAULT_LIMITS", "Limits", "RawGrid", "UnusableFile", "read_bytes", "read_grid", "sheet_names"]

STRING = pd.StringDtype("pyarrow")


class UnusableFile(Exception):
    """The input cannot be used at all. ``reason`` is a message key; ``params`` fill it."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(t(reason, "en", **params))

    def message(self, lang: str = "zh") -> str:
        return t(self.reason, lang, **self.params)


@dataclass(frozen=True)
class Limits:
    """Safety limits for reading one file. The defaults suit monthly exports of 500k rows."""

    max_file_bytes: int = int(os.environ.get("FUNNEL_ANALYTICS_MAX_FILE_MB", "200")) * 1024 * 1024
    max_inflated_bytes: int = 1024 * 1024 * 1024  # everything inside an .xlsx, unpacked
    max_ratio: float = 100.0  # unpacked ÷ packed size of one part
    ratio_floor_bytes: int = 50 * 1024 * 1024  # parts smaller than this may compress freely
    header_scan_rows: int = 30


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RawGrid:
    """Cell text of one sheet: ``cells`` has one row per sheet row, columns 0..n-1.

    ``cells.index`` is the spreadsheet row number as a user sees it (1-based). ``columns``
    holds each column's letter (A, B, ...) for CSV and Excel alike.
    """

    cells: pd.DataFrame
    file_name: str
    file_format: str  # xlsx | xls | ods | xlsb | csv
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    letters: tuple[str, ...] = field(default=())


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------------------------
# Format sniffing and safety
# --------------------------------------------------------------------------------------------
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_bytes(source: str | Path | bytes, file_name: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    """Read a path (or take uploaded bytes) within the size limit; return ``(data, name)``."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = file_name or "upload"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnusableFile("unreadable", file=name, detail=exc.strerror or str(exc)) from exc
        if size > limits.max_file_bytes:
            raise UnusableFile("too_large", file=name, size_mb=size / 2**20,
                               limit_mb=limits.max_file_bytes / 2**20)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnusableFile("unreadable", file=name, detail=exc.strerror or str(exc)) from exc
    if len(data) > limits.max_file_bytes:
        raise UnusableFile("too_large", file=name, size_mb=len(data) / 2**20,
                           limit_mb=limits.max_file_bytes / 2**20)
    # Only blank space? (Checked on the head first: stripping a large file would copy it.)
    if not data[:65536].strip() and not data.strip():
        raise UnusableFile("empty", file=name)
    return data, name


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
        raise UnusableFile("not_spreadsheet", file=name,
                           detail=f"plain text named {ext}; rename it to .csv")
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
        raise UnusableFile("zip_bomb", file=name, inflated_mb=total / 2**20,
                           ratio=max(total / packed, worst_ratio))
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")) or info.file_size == 0:
            continue
        try:
            with zf.open(info) as fh:
                prolog = fh.read(65536)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
                raise UnusableFile("encrypted", file=name) from exc
            raise UnusableFile("corrupt_zip", file=name, detail=str(exc) or type(exc).__name__) from exc
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
        if prolog[i + 1:i + 2] not in (b"?", b"!"):
            return True
        i += 1


def _check_ole(data: bytes, name: str) -> str:
    if _ENCRYPTED in data[:1_000_000] or _ENCRYPTED in data[-1_000_000:]:
        raise UnusableFile("encrypted", file=name)
    return "xls"


# --------------------------------------------------------------------------------------------
# Excel-family workbooks
# --------------------------------------------------------------------------------------------
def _open_workbook(data: bytes, name: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(data)
    except Exception as exc:  # the Rust reader raises its own exception types
        raise _reader_error(exc, name) from exc


def _reader_error(exc: Exception, name: str) -> UnusableFile:
    text = str(exc)
    low = text.lower()
    if "password" in low or "encrypt" in low:
        return UnusableFile("encrypted", file=name)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return UnusableFile("unreadable", file=name, detail=first[:200])


def _load(reader: fastexcel.ExcelReader, sheet: int | str, name: str,
          n_rows: int | None = None) -> pd.DataFrame:
    try:
        sh = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=n_rows,
                               dtypes="string", skip_whitespace_tail_rows=True,
                               whitespace_as_null=True)
        columns = [c.absolute_index for c in sh.selected_columns]
        table = sh.to_arrow()
    except Exception as exc:
        low = str(exc).lower()
        if "empty" in low or "no data" in low or ("not found" in low and "sheet" not in low):
            return pd.DataFrame()
        raise _reader_error(exc, name) from exc
    frame = table.to_pandas(types_mapper=lambda _t: STRING)
    frame.columns = columns
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _header_likeness(top: pd.DataFrame) -> float:
    """How much a sheet's first rows look like an opportunity export's header."""
    from .layout import header_score  # the layout rules own what a header looks like

    if top.empty:
        return 0.0
    return max(header_score(row) for row in top.itertuples(index=False))


def sheet_names(source: str | Path | bytes, file_name: str | None = None,
                limits: Limits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """Names of the visible sheets of a workbook (empty for CSV)."""
    data, name = read_bytes(source, file_name, limits)
    kind = _sniff(data, name)
    if kind == "csv":
        return ()
    if kind == "zip":
        _check_zip(data, name, limits)
    else:
        _check_ole(data, name)
    return tuple(_open_workbook(data, name).sheet_names)


def _read_workbook(data: bytes, name: str, fmt: str, sheet: str | int | None,
                   limits: Limits) -> RawGrid:
    reader = _open_workbook(data, name)
    names = tuple(reader.sheet_names)
    if not names:
        raise UnusableFile("no_data", file=name, sheet="")
    if sheet is not None:
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            idx = int(sheet)
            if not 0 <= idx < len(names):
                raise UnusableFile("no_sheet", file=name, sheet=sheet, sheets="、".join(names))
            chosen = names[idx]
        elif sheet in names:
            chosen = sheet
        else:
            raise UnusableFile("no_sheet", file=name, sheet=sheet, sheets="、".join(names))
    elif len(names) == 1:
        chosen = names[0]
    else:
        scores = [(_header_likeness(_load(reader, n, name, limits.header_scan_rows)), -i, n)
                  for i, n in enumerate(names)]
        chosen = max(scores)[2]
    cells = _load(reader, chosen, name)
    if cells.empty:
        raise UnusableFile("no_data", file=name, sheet=chosen)
    letters = tuple(_letter(int(c)) for c in cells.columns)
    cells.columns = range(cells.shape[1])
    return RawGrid(cells, name, fmt, chosen, names, None, letters)


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
    except UnicodeDecodeError as exc:
        raise UnusableFile("not_spreadsheet", file=name,
                           detail="text in an unknown encoding (not UTF-8 or GB18030)") from exc


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:50])
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _clean(cells: pd.DataFrame) -> pd.DataFrame:
    """Trim cells, blank ones become missing; index = spreadsheet row; columns 0..n-1."""
    cells = cells.astype(STRING)
    for col in cells.columns:
        stripped = cells[col].str.strip()
        cells[col] = stripped.mask(stripped == "")
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    cells.columns = range(cells.shape[1])
    return cells


def _csv_with_pandas(data: bytes, name: str) -> RawGrid:
    """The general path: any encoding, ragged rows, blank lines (kept as blank rows)."""
    text, encoding = _decode(data, name)
    sep = _delimiter(text)
    kwargs = dict(header=None, dtype=str, sep=sep, keep_default_na=False, na_values=[""],
                  skip_blank_lines=False, engine="c")
    try:
        cells = pd.read_csv(io.StringIO(text), **kwargs)
    except pd.errors.ParserError:
        # A row longer than the first one: size the frame from the widest row.
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=1)
        try:
            cells = pd.read_csv(io.StringIO(text), names=range(width), **kwargs)
        except (pd.errors.ParserError, ValueError) as exc:
            raise UnusableFile("unreadable", file=name, detail=str(exc).splitlines()[0]) from exc
    except pd.errors.EmptyDataError as exc:
        raise UnusableFile("empty", file=name) from exc
    cells = _clean(cells)
    return RawGrid(cells, name, "csv", None, (), encoding,
                   tuple(_letter(i) for i in range(cells.shape[1])))


def _csv_with_arrow(data: bytes, name: str) -> RawGrid | None:
    """The fast path: Arrow's multithreaded parser on the bytes, every column as text.

    Returns None when the file needs the general path (UTF-16, blank lines, rows of unequal
    width): those are parsed by pandas instead, never dropped.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\n\n" in data or b"\n\r\n" in data:
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
    names = [str(i) for i in range(width)]
    buffer = pa.py_buffer(memoryview(data)[3:] if bom else data)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(column_names=names, encoding=encoding,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""]),
        )
    except (pa.ArrowException, UnicodeDecodeError, LookupError):
        return None  # invalid UTF-8 past the sniffed window, or ragged rows
    if _may_hold_spaces(data):
        columns = []
        for column in table.columns:
            trimmed = pc.utf8_trim_whitespace(column)
            if pc.any(pc.not_equal(pc.utf8_length(column), pc.utf8_length(trimmed))).as_py():
                column = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
            columns.append(column)
        table = pa.table(columns, names=names)
    cells = table.to_pandas(types_mapper=lambda _t: STRING)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    cells.columns = range(cells.shape[1])
    return RawGrid(cells, name, "csv", None, (), label, tuple(_letter(i) for i in range(width)))


def _may_hold_spaces(data: bytes) -> bool:
    """Could any cell start or end with white space? A file with no space, tab, full-width or
    non-breaking space cannot, and skips trimming (single-byte searches stop at the first hit)."""
    return any(p in data for p in (b" ", b"\t", "\u3000".encode(), "\u3000".encode("gb18030"),
                                    "\u00a0".encode()))


def _read_csv(data: bytes, name: str) -> RawGrid:
    return _csv_with_arrow(data, name) or _csv_with_pandas(data, name)


def read_grid(source: str | Path | bytes, file_name: str | None = None, *,
              sheet: str | int | None = None, limits: Limits = DEFAULT_LIMITS) -> RawGrid:
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
        return _read_csv(data, name)
    fmt = _check_zip(data, name, limits) if kind == "zip" else _check_ole(data, name)
    return _read_workbook(data, name, fmt, sheet, limits)

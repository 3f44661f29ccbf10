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
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .i18n import t

__all__ = [
    "DEFAULT_LIMITS",
    "LIMIT_SETTINGS",
    "Limits",
    "RawGrid",
    "UnusableFile",
    "check_grid",
    "check_shared_strings",
    "check_xlsx_bounds",
    "read_bytes",
    "read_grid",
    "sheet_names",
]

STRING = pd.StringDtype("pyarrow")


class UnusableFile(Exception):
    """The input cannot be used at all. ``reason`` is a message key; ``params`` fill it."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        params = dict(self.params)
        if "origin" in params:  # a proposed snapshot date: where it came from, in words
            params["origin_text"] = t(f"snapshot_origin_{params['origin']}", lang, **params)
        return t(self.reason, lang, **params)


def _setting(name: str, default: int) -> int:
    """A limit from the environment (``FUNNEL_ANALYTICS_<NAME>``), else its default."""
    raw = os.environ.get(f"FUNNEL_ANALYTICS_{name}", "").replace("_", "").replace(",", "")
    try:
        value = int(float(raw)) if raw.strip() else default
    except ValueError:
        value = default
    return value if value > 0 else default


#: The settings behind :class:`Limits`: field -> (environment variable, unit multiplier).
LIMIT_SETTINGS = {
    "max_file_bytes": ("FUNNEL_ANALYTICS_MAX_FILE_MB", 2**20),
    "max_cells": ("FUNNEL_ANALYTICS_MAX_CELLS", 1),
    "max_columns": ("FUNNEL_ANALYTICS_MAX_COLUMNS", 1),
    "max_cell_chars": ("FUNNEL_ANALYTICS_MAX_CELL_CHARS", 1),
    "max_text_bytes": ("FUNNEL_ANALYTICS_MAX_TEXT_MB", 2**20),
    "max_line_bytes": ("FUNNEL_ANALYTICS_MAX_LINE_KB", 2**10),
    "read_memory_bytes": ("FUNNEL_ANALYTICS_READ_MEMORY_MB", 2**20),
    "read_seconds": ("FUNNEL_ANALYTICS_READ_SECONDS", 1),
}


@dataclass(frozen=True)
class Limits:
    """Safety limits for reading one file (see ``isolation`` for when each is checked).

    Each has a setting (environment variable) that changes it; see :data:`LIMIT_SETTINGS`.
    The defaults suit real monthly exports: Excel's own largest sheet (1,048,576 rows) loads
    with up to 47 columns; a cell holds at most what Excel allows in one cell (32,767
    characters).
    """

    max_file_bytes: int = field(default_factory=lambda: _setting("MAX_FILE_MB", 200) * 2**20)
    max_cells: int = field(default_factory=lambda: _setting("MAX_CELLS", 50_000_000))
    max_columns: int = field(default_factory=lambda: _setting("MAX_COLUMNS", 2_000))
    max_cell_chars: int = field(default_factory=lambda: _setting("MAX_CELL_CHARS", 32_767))
    max_text_bytes: int = field(default_factory=lambda: _setting("MAX_TEXT_MB", 1024) * 2**20)
    max_line_bytes: int = field(default_factory=lambda: _setting("MAX_LINE_KB", 1024) * 2**10)
    # A workbook is parsed in a child process that may use this much memory and time.
    read_memory_bytes: int = field(default_factory=lambda: _setting("READ_MEMORY_MB", 4096) * 2**20)
    read_seconds: int = field(default_factory=lambda: _setting("READ_SECONDS", 300))
    isolate: bool = True  # False: parse in this process (the limits are then checked after)
    max_inflated_bytes: int = 1024 * 1024 * 1024  # everything inside an .xlsx, unpacked
    max_ratio: float = 100.0  # unpacked ÷ packed size of one part
    ratio_floor_bytes: int = 50 * 1024 * 1024  # parts smaller than this may compress freely
    header_scan_rows: int = 30

    def refuse(self, reason: str, limit: str, file: str, **params: object) -> UnusableFile:
        """The refusal for a file beyond one limit, naming the setting that changes it."""
        setting, unit = LIMIT_SETTINGS[limit]
        return UnusableFile(
            reason, file=file, limit=getattr(self, limit) // unit, setting=setting, **params
        )


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
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnusableFile("unreadable", file=name, detail=exc.strerror or str(exc)) from exc
        if size > limits.max_file_bytes:
            raise UnusableFile(
                "too_large", file=name, size_mb=size / 2**20, limit_mb=limits.max_file_bytes / 2**20
            )
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


# --------------------------------------------------------------------------------------------
# Excel-family workbooks
# --------------------------------------------------------------------------------------------
def _open_workbook(data: bytes, name: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(data)
    except BaseException as exc:  # the Rust reader's panics derive from BaseException
        raise _reader_error(exc, name) from None


def _reader_error(exc: BaseException, name: str) -> UnusableFile:
    """A native reader's failure as a refusal; an interrupt or exit passes through."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
    if isinstance(exc, MemoryError):
        return DEFAULT_LIMITS.refuse("out_of_memory", "read_memory_bytes", name)
    text = str(exc)
    low = text.lower()
    if "password" in low or "encrypt" in low:
        return UnusableFile("encrypted", file=name)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return UnusableFile("unreadable", file=name, detail=first[:200])


def _load(
    reader: fastexcel.ExcelReader, sheet: int | str, name: str, n_rows: int | None = None
) -> pd.DataFrame:
    try:
        sh = reader.load_sheet(
            sheet,
            header_row=None,
            skip_rows=0,
            n_rows=n_rows,
            dtypes="string",
            skip_whitespace_tail_rows=True,
            whitespace_as_null=True,
        )
        columns = [c.absolute_index for c in sh.selected_columns]
        table = sh.to_arrow()
    except BaseException as exc:  # the Rust reader's panics derive from BaseException
        low = str(exc).lower()
        if isinstance(exc, Exception) and (
            "empty" in low or "no data" in low or ("not found" in low and "sheet" not in low)
        ):
            return pd.DataFrame()
        raise _reader_error(exc, name) from None
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
    return tuple(_open_workbook(data, name).sheet_names)


def check_shared_strings(data: bytes, name: str, limits: Limits) -> np.ndarray:
    """Refuse a workbook holding a shared string past the cell limit; return the strings'
    lengths (cheap: the part is streamed, and no string is held whole)."""
    from . import xlsxscan

    lengths = xlsxscan.shared_string_lengths(zipfile.ZipFile(io.BytesIO(data)))
    if len(lengths) and int(lengths.max()) > limits.max_cell_chars:
        raise limits.refuse("cell_too_long", "max_cell_chars", name, chars=int(lengths.max()))
    return lengths


def check_xlsx_bounds(
    data: bytes, name: str, limits: Limits, lengths: np.ndarray | None = None
) -> None:
    """Refuse a workbook whose sheets would exceed a limit once read: measured from the
    sheets' XML (used range, cell text, shared strings), never from declared dimensions.
    ``lengths`` are the shared strings' lengths when :func:`check_shared_strings` has them."""
    from . import xlsxscan

    if lengths is None:
        lengths = check_shared_strings(data, name, limits)
    zf = zipfile.ZipFile(io.BytesIO(data))
    longest_shared = int(lengths.max()) if len(lengths) else 0
    for part in xlsxscan.worksheet_parts(zf):
        ext = xlsxscan.scan_worksheet(
            zf,
            part,
            max_cells=limits.max_cells,
            max_columns=limits.max_columns,
            max_cell_chars=limits.max_cell_chars,
        )
        where = f"{_letter(ext.columns - 1)}{ext.rows}" if ext.cells else ""
        if ext.cells > limits.max_cells:
            raise limits.refuse(
                "too_many_cells",
                "max_cells",
                name,
                cells=ext.cells,
                rows=ext.rows,
                columns=ext.columns,
                last=where,
            )
        if ext.columns > limits.max_columns:
            raise limits.refuse("too_many_columns", "max_columns", name, columns=ext.columns)
        longest = max(ext.longest_cell, longest_shared if ext.shared_cells else 0)
        if longest > limits.max_cell_chars:
            raise limits.refuse("cell_too_long", "max_cell_chars", name, chars=longest)
        # The grid's text: what the sheet writes (bounded by its size) and every shared string
        # once per cell that shows it. Cheap bounds first, exact counts only past the limit.
        inline = ext.xml_bytes
        shared = ext.shared_cells * longest_shared
        if inline + shared > limits.max_text_bytes:
            inline = xlsxscan.text_bytes(zf, part)
        if inline + shared > limits.max_text_bytes and len(lengths):
            shared = int((xlsxscan.shared_counts(zf, part, len(lengths)) * lengths).sum())
        text = inline + shared
        if text > limits.max_text_bytes:
            raise limits.refuse("text_too_large", "max_text_bytes", name, text_mb=text / 2**20)


def check_grid(grid: RawGrid, limits: Limits) -> None:
    """Refuse a grid past a limit (for readers whose input could not be measured first)."""
    cells = grid.cells
    rows, columns = cells.shape[0], max(cells.shape[1], 1)
    if rows * columns > limits.max_cells:
        raise limits.refuse(
            "too_many_cells",
            "max_cells",
            grid.file_name,
            cells=rows * columns,
            rows=rows,
            columns=columns,
            last=f"{_letter(columns - 1)}{rows}",
        )
    if cells.shape[1] > limits.max_columns:
        raise limits.refuse(
            "too_many_columns", "max_columns", grid.file_name, columns=cells.shape[1]
        )
    lengths = [cells[c].str.len() for c in cells.columns]
    longest = max((int(s.max()) for s in lengths if s.notna().any()), default=0)
    if longest > limits.max_cell_chars:
        raise limits.refuse("cell_too_long", "max_cell_chars", grid.file_name, chars=longest)
    text = sum(int(s.sum()) for s in lengths)
    if text > limits.max_text_bytes:
        raise limits.refuse(
            "text_too_large", "max_text_bytes", grid.file_name, text_mb=text / 2**20
        )


def _read_workbook(
    data: bytes, name: str, fmt: str, sheet: str | int | None, limits: Limits
) -> RawGrid:
    reader = _open_workbook(data, name)
    names = tuple(reader.sheet_names)
    if not names:
        raise UnusableFile("no_data", file=name, sheet="")
    if sheet is not None:
        if isinstance(sheet, int) or (
            isinstance(sheet, str) and sheet.isdigit() and sheet not in names
        ):
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
        scores = [
            (_header_likeness(_load(reader, n, name, limits.header_scan_rows)), -i, n)
            for i, n in enumerate(names)
        ]
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
        cells, name, "csv", None, (), encoding, tuple(_letter(i) for i in range(cells.shape[1]))
    )


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
            read_options=pacsv.ReadOptions(
                column_names=names, encoding=encoding, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
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


def _check_csv_bounds(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a CSV whose longest cell, longest line or widest row exceeds a limit, measured
    on the bytes before any parser runs (one vectorised pass; exact passes only past a bound).
    UTF-16 text is measured after decoding; UTF-8 and GB18030 keep ASCII delimiters as bytes."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text, _ = _decode(data, name)
        data = text.encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    lines = np.flatnonzero(arr == 0x0A)
    edges = np.concatenate(([-1], lines, [len(arr)]))
    longest_line = int(np.diff(edges).max()) - 1
    if longest_line <= min(limits.max_cell_chars, limits.max_columns, limits.max_line_bytes):
        return  # a line that short can hold neither a cell, nor a row, beyond the limits
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


def _read_csv(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> RawGrid:
    _check_csv_bounds(data, name, limits)
    return _csv_with_arrow(data, name) or _csv_with_pandas(data, name)


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
        if fmt == "xlsx":
            check_xlsx_bounds(data, name, limits)
        return _read_workbook(data, name, fmt, sheet, limits)
    from .isolation import read_workbook_isolated

    return read_workbook_isolated(data, name, fmt, sheet, limits)

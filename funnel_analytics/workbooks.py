"""Excel-family workbooks (xlsx, xls, xlsb, ods), parsed by the fast native reader (calamine,
through fastexcel) into a :class:`~funnel_analytics.grid.RawGrid`, with the checks that measure
a workbook's sheets before it is parsed. :mod:`isolation` runs :func:`read_workbook` in a child
process; :mod:`reading` decides when.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile

import fastexcel
import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from . import xlsxscan
from .grid import DEFAULT_LIMITS, STRING, Limits, RawGrid, UnusableFile, column_letter
from .layout import sheet_likeness

__all__ = [
    "check_grid",
    "check_shared_strings",
    "check_xlsx_bounds",
    "read_workbook",
    "with_sheet_marks",
    "workbook_sheet_names",
]


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


def check_shared_strings(data: bytes, name: str, limits: Limits) -> np.ndarray:
    """Refuse a workbook holding a shared string past the cell limit; return the strings'
    lengths (cheap: the part is streamed, and no string is held whole)."""
    lengths = xlsxscan.shared_string_lengths(zipfile.ZipFile(io.BytesIO(data)))
    if len(lengths) and int(lengths.max()) > limits.max_cell_chars:
        raise limits.refuse("cell_too_long", "max_cell_chars", name, chars=int(lengths.max()))
    return lengths


def check_xlsx_bounds(
    data: bytes, name: str, limits: Limits, lengths: np.ndarray | None = None
) -> dict[str, xlsxscan.SheetExtent]:
    """Refuse a workbook whose sheets would exceed a limit once read: measured from the
    sheets' XML (used range, cell text, shared strings), never from declared dimensions.
    ``lengths`` are the shared strings' lengths when :func:`check_shared_strings` has them.

    Returns the measure of each worksheet part with merged cells that span rows or hidden
    rows (found in the same pass), for :func:`with_sheet_marks`."""
    if lengths is None:
        lengths = check_shared_strings(data, name, limits)
    zf = zipfile.ZipFile(io.BytesIO(data))
    longest_shared = int(lengths.max()) if len(lengths) else 0
    marked = {}
    for part in xlsxscan.worksheet_parts(zf):
        ext = xlsxscan.scan_worksheet(
            zf,
            part,
            max_cells=limits.max_cells,
            max_columns=limits.max_columns,
            max_cell_chars=limits.max_cell_chars,
        )
        where = f"{column_letter(ext.columns - 1)}{ext.rows}" if ext.cells else ""
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
        if ext.merges or ext.hidden_rows:
            marked[part] = ext
    return marked


def with_sheet_marks(
    grid: RawGrid, data: bytes, marked: dict[str, xlsxscan.SheetExtent]
) -> RawGrid:
    """``grid`` knowing its sheet's merged cells that span rows and its hidden rows (see
    :class:`RawGrid`), from :func:`check_xlsx_bounds`'s result."""
    if not marked or grid.sheet is None:
        return grid
    part = xlsxscan.sheet_parts(zipfile.ZipFile(io.BytesIO(data))).get(grid.sheet)
    ext = marked.get(part or "")
    if ext is None:
        return grid
    return dataclasses.replace(
        grid,
        merges=tuple((column_letter(c1 - 1), r1, r2) for c1, r1, _c2, r2 in ext.merges),
        hidden_rows=ext.hidden_rows,
    )


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
            last=f"{column_letter(columns - 1)}{rows}",
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


def read_workbook(
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
            (sheet_likeness(_load(reader, n, name, limits.header_scan_rows)), -i, n)
            for i, n in enumerate(names)
        ]
        chosen = max(scores)[2]
    cells = _load(reader, chosen, name)
    if cells.empty:
        raise UnusableFile("no_data", file=name, sheet=chosen)
    letters = tuple(column_letter(int(c)) for c in cells.columns)
    cells.columns = range(cells.shape[1])
    merges = _xls_merges(data, chosen) if fmt == "xls" else ()
    return RawGrid(cells, name, fmt, chosen, names, None, letters, merges)


def _xls_merges(data: bytes, sheet: str) -> tuple[tuple[str, int, int], ...]:
    """The merged cells of an .xls sheet that span rows, as :attr:`RawGrid.merges` has
    them (calamine's own bindings give them; fastexcel does not). A legacy sheet holds at
    most 65,536 rows: reading its records again costs about 0.4 s at 60,000 rows. Empty when
    the bindings cannot read them."""
    try:
        ranges = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet)
        found = ranges.merged_cell_ranges or ()
    except Exception:  # the merges only help: a sheet read without them is read as written
        return ()
    return tuple(
        sorted({(column_letter(c1), r1 + 1, r2 + 1) for (r1, c1), (r2, _c2) in found if r2 > r1})
    )


def workbook_sheet_names(data: bytes, name: str) -> tuple[str, ...]:
    """The visible sheets of a workbook already checked by the caller."""
    return tuple(_open_workbook(data, name).sheet_names)

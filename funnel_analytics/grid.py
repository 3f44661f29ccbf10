"""What every reader shares: the grid of cell text it returns, the limits it reads within, and
the refusal it raises for a file that cannot be used."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from .errors import UnusableFile

__all__ = [
    "DEFAULT_LIMITS",
    "LIMIT_SETTINGS",
    "STRING",
    "Limits",
    "NotChunkable",
    "RawGrid",
    "UnusableFile",
    "column_letter",
]

STRING = pd.StringDtype("pyarrow")


class NotChunkable(Exception):
    """A file that read in pieces would not read exactly as in one piece (UTF-16 text, blank
    lines, ragged rows, a log, rows without an id and a name …): it is read in one piece."""


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
    holds each column's letter (A, B, ...) for CSV and Excel alike. ``merges`` are the sheet's
    merged cells that span rows, as ``(letter, first row, last row)`` of their first column
    (an .xlsx's; the table's rows under one take its value, :func:`layout.locate_table`).
    """

    cells: pd.DataFrame
    file_name: str
    file_format: str  # xlsx | xls | ods | xlsb | csv
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    letters: tuple[str, ...] = field(default=())
    merges: tuple[tuple[str, int, int], ...] = field(default=())
    hidden_rows: tuple[int, ...] = field(default=())  # an .xlsx's hidden rows (1-based)


def column_letter(i: int) -> str:
    """The spreadsheet letter of 0-based column ``i`` (0 → A, 26 → AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s

"""Small builders for test inputs: real .xlsx files (openpyxl) and CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    sheet: str = "商机",
    extra_sheets: dict[str, Sequence[Sequence[object]]] | None = None,
) -> bytes:
    """An .xlsx with ``rows`` written from A1 (None leaves a cell empty)."""
    wb = openpyxl.Workbook()
    sheets = dict(extra_sheets or {})
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(list(r))
    # Text that looks like a formula stays text, as in a cell formatted as text.
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for name, body in sheets.items():
        other = wb.create_sheet(name, 0)
        for r in body:
            other.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], **kw) -> Path:
    path.write_bytes(xlsx_bytes(rows, **kw))
    return path


def csv_bytes(rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [["" if c is None else c for c in r] for r in rows]
    )
    return buf.getvalue().encode(encoding)


def plotly_values(values: object) -> list:
    """A trace's data as a list, decoding Plotly's base64 typed arrays ({dtype, bdata})."""
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        if "shape" in values:
            shape = [int(n) for n in str(values["shape"]).split(",")]
            arr = arr.reshape(shape)
        return arr.tolist()
    return list(values)


_SCALE = {"万": 1e4, "亿": 1e8, "k": 1e3, "M": 1e6, "B": 1e9}


def amount_of(text: str) -> float:
    """A formatted amount back in full: "12,346万" → 123,460,000; "8.4M" → 8,400,000."""
    number, suffix = (text[:-1], text[-1]) if text[-1] in _SCALE else (text, "")
    return float(number.replace(",", "")) * _SCALE.get(suffix, 1.0)


def amounts_in(text: str) -> list[float]:
    """Every amount with a unit suffix written in ``text``, in full."""
    import re

    return [amount_of(m) for m in re.findall(r"-?[\d,]+(?:\.\d+)?(?:万|亿|k|M|B)", text)]

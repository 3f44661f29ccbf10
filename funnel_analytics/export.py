"""Writing spreadsheets users download: rejected rows, findings.

Every text cell is neutralised: text a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe,
so a hostile export cannot turn a download into a formula that runs on a colleague's machine.
"""

from __future__ import annotations

import datetime
import io
import math

import pandas as pd
import xlsxwriter

from .i18n import DEFINITIONS, MESSAGES, column_label, t
from .loading import LoadResult

__all__ = ["neutralize", "rejected_rows_xlsx", "report_workbook", "write_frames_xlsx"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; others pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return neutralize(value)


_PERCENT = ("rate", "probability", "share", "weight", "calibrated", "observed", "nominal",
            "balance", "p_hit", "grade_", "source_")
_AMOUNT = ("amount", "weighted", "p10", "p50", "p90", "mean", "expected", "forecast", "actual",
           "error", "target", "worse", "better", "baseline", "swing")
_DECIMAL = ("days", "per_month", "per_year", "months", "ratio", "required", "needed")


def number_format(column: str) -> str | None:
    """The spreadsheet number format a report column gets from its name."""
    name = str(column)
    if name.endswith("_lever"):  # a scenario's multiplier, e.g. 1.20
        return "0.00"
    if any(p in name for p in _PERCENT):  # rates and their _low/_high bounds
        return "0.0%"
    if any(p in name for p in _DECIMAL):
        return "#,##0.0"
    if any(p in name for p in _AMOUNT):
        return "#,##0"
    return None


def write_frames_xlsx(sheets: dict[str, pd.DataFrame],
                      formats: dict[str, dict[int, str]] | None = None) -> bytes:
    """Frames to one .xlsx (a sheet each): bold frozen header, dates formatted, text neutralised.
    ``formats`` gives, per sheet, a number format per column position."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    # A fixed creation date: the same tables give the same bytes (stable download links).
    wb.set_properties({"created": datetime.datetime(2000, 1, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    cache: dict[str, object] = {}
    for name, frame in sheets.items():
        ws = wb.add_worksheet(name[:31])
        sheet_formats = (formats or {}).get(name, {})
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, str(neutralize(str(col))), head)
            fmt = sheet_formats.get(j)
            if fmt and fmt not in cache:
                cache[fmt] = wb.add_format({"num_format": fmt})
            ws.set_column(j, j, min(max(len(str(col)) * 2, 10), 50), cache.get(fmt) if fmt else None)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                v = _cell(value)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif hasattr(v, "year"):
                    ws.write_datetime(i, j, v, date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(neutralize(str(v))))
        ws.freeze_panes(1, 0)
        if len(frame.columns):
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    wb.close()
    return buf.getvalue()


def rejected_rows_xlsx(result: LoadResult, lang: str = "zh") -> bytes:
    """The rejected rows as the user wrote them, with their row number and a reason column,
    plus a second sheet listing every finding (errors and warnings)."""
    errors = result.errors
    reasons = (
        pd.DataFrame({"row": errors["row"], "msg": result.messages(errors, lang)})
        .groupby("row")["msg"].agg(lambda m: "；".join(m) if lang == "zh" else "; ".join(m))
    )
    rejected = result.rejected.copy()
    rejected.insert(0, t("col_reason", lang), reasons.reindex(rejected.index).to_numpy())
    rejected.insert(0, t("col_row", lang), rejected.index.to_numpy())
    findings = result.findings
    listing = pd.DataFrame({
        t("col_row", lang): findings["row"].to_numpy(),
        t("col_column", lang): findings["column"].to_numpy(),
        t("col_value", lang): findings["value"].to_numpy(),
        t("col_rule", lang): findings["rule"].to_numpy(),
        t("col_severity", lang): [t(f"severity_{s}", lang) for s in findings["severity"]],
        t("col_message", lang): result.messages(findings, lang).to_numpy(),
    })
    return write_frames_xlsx({t("sheet_rejected", lang): rejected, t("sheet_findings", lang): listing})


def report_workbook(tables: dict[str, pd.DataFrame], lang: str = "zh") -> bytes:
    """The report as one workbook: a sheet per view with headers in ``lang``, number formats,
    frozen header rows, and the definition of every metric on the last sheet."""
    sheets: dict[str, pd.DataFrame] = {}
    formats: dict[str, dict[int, str]] = {}
    used: set[str] = set()
    for key, frame in tables.items():
        title = (t(f"sheet_{key}", lang) if f"sheet_{key}" in MESSAGES else key)[:31]
        while title in used:
            title = title[:29] + "_" + str(len(used))
        used.add(title)
        frame = frame.reset_index(drop=True)
        formats[title] = {j: f for j, c in enumerate(frame.columns) if (f := number_format(c))}
        sheets[title] = frame.rename(columns=lambda c: column_label(str(c), lang))
    definitions = pd.DataFrame({
        t("col_metric", lang): [t(f"metric_{k.removeprefix('def_')}", lang) for k in DEFINITIONS],
        t("col_definition", lang): [t(k, lang) for k in DEFINITIONS],
    })
    sheets[t("sheet_definitions", lang)] = definitions
    return write_frames_xlsx(sheets, formats)

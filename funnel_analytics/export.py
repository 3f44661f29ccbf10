"""Writing spreadsheets users download: rejected rows, findings.

Every text cell is neutralised: text a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe,
so a hostile export cannot turn a download into a formula that runs on a colleague's machine.
"""

from __future__ import annotations

import datetime
import io
import json
import math

import numpy as np
import pandas as pd

from .contracts import KIND_FORMATS, TABLES, Table, column
from .formatting import amount_unit
from .i18n import DEFINITIONS, MESSAGES, column_label, t
from .loading import LoadResult
from .stages import StageModel
from .values import SOURCES

__all__ = [
    "header",
    "json_records",
    "neutralize",
    "presented",
    "rejected_rows_xlsx",
    "report_workbook",
    "write_frames_xlsx",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; others pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.bool_):  # a nullable boolean column's cells: a yes/no cell, not text
        return bool(value)
    if isinstance(value, pd.Period):
        return value.to_timestamp().to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return neutralize(value)


def column_kind(
    name: str, spec: Table | None = None, model: StageModel | None = None
) -> str | None:
    """A column's declared kind: from its table's contract, else from the column vocabulary."""
    if spec is not None:
        return spec.kind(name, model.keys if model is not None else ())
    found = column(name)
    return found.kind if found is not None else None


def _member_names(model: StageModel | None, lang: str) -> dict[str, str]:
    """Display names of what a family's column stands for: stages, sources, outcomes."""
    names: dict[str, str] = {}
    for key in SOURCES:
        names[key] = t(f"source_{key}", lang)
    for key in ("won", "lost", "on_hold"):
        names[key] = t(f"outcome_{key}", lang)
    if model is not None:
        if model.evaluation is not None:  # evaluation factors' score columns (factor_<key>)
            names.update({f.key: f.name(lang) for f in model.evaluation.factors})
        names.update(model.stage_names(lang))
    return names


def _value_name(prefix: str, value: object, lang: str) -> object:
    """A coded value as the reader reads it (its message ``<prefix><value>``), else as is."""
    key = f"{prefix}{value}" if isinstance(value, str) else None
    return t(key, lang) if key in MESSAGES else value


def header(
    name: str,
    lang: str,
    spec: Table | None = None,
    model: StageModel | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """A column's header in ``lang``: its declared label (a stage column: the stage's name).
    ``names`` are the display names of stages, sources and outcomes, when already built."""
    names = _member_names(model, lang) if names is None else names
    col = spec.column(name, names) if spec is not None else column(name, names)
    if col is not None:
        return col.label(lang)
    if spec is not None and spec.stage_columns and name in names:
        return names[name]
    return column_label(name, lang)


def presented(
    frame: pd.DataFrame,
    lang: str,
    table_name: str | None = None,
    model: StageModel | None = None,
    screen: bool = False,
    unit: tuple[float, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` as a reader sees it: headers in ``lang``, stage keys as stage names, months
    as months; on screen, amounts in the language's unit (万元, k) named in the header and
    counts and days as whole numbers (``unit``: the view's, else the language's). Returns the
    frame and each header's kind."""
    spec = TABLES.get(table_name) if table_name else None
    names = _member_names(model, lang)
    div, unit = unit or amount_unit(lang)
    out: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    for name in frame.columns:
        values = frame[name]
        kind = column_kind(str(name), spec, model)
        head = header(str(name), lang, spec, model, names)
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        col = spec.column(str(name), names) if spec is not None else None
        if kind == "stage":
            values = values.map(lambda v: names.get(v, v) if isinstance(v, str) else v)
        elif col is not None and col.values:
            values = values.map(lambda v, p=col.values: _value_name(p, v, lang))
        elif kind == "month" and isinstance(values.dtype, pd.PeriodDtype):
            values = values.dt.to_timestamp()
        elif kind == "date" and pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.normalize()
        elif screen and numeric and kind == "amount":
            # + 0.0 turns the -0.0 of a small loss rounded away into 0 (shown "-0" otherwise).
            values = (values / div).round(1) + 0.0
            head = f"{head}（{unit}）" if lang == "zh" else f"{head} ({unit})"
        elif screen and numeric and kind == "share":
            values = (values * 100).round(1) + 0.0  # "17.8%": one precision for every share
        elif screen and numeric and kind in ("count", "days"):
            values = values.round().astype("Int64")
        while head in out:  # two columns with one label stay apart
            head += " "
        out[head] = values
        if kind:
            kinds[head] = kind
    return pd.DataFrame(out, index=frame.index), kinds


_DATE_FORMATS = ("yyyy-mm-dd", "yyyy-mm")


def write_frames_xlsx(
    sheets: dict[str, pd.DataFrame], formats: dict[str, dict[int, str]] | None = None
) -> bytes:
    """Frames to one .xlsx (a sheet each): bold frozen header, dates formatted, text neutralised.
    ``formats`` gives, per sheet, a number format per column position."""
    import xlsxwriter  # loads when a workbook is first written

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
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
            ws.set_column(
                j, j, min(max(len(str(col)) * 2, 10), 50), cache.get(fmt) if fmt else None
            )
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                v = _cell(value)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif hasattr(v, "year"):
                    fmt = sheet_formats.get(j)
                    ws.write_datetime(i, j, v, cache[fmt] if fmt in _DATE_FORMATS else date_fmt)
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
        .groupby("row")["msg"]
        .agg(lambda m: "；".join(m) if lang == "zh" else "; ".join(m))
    )
    rejected = result.rejected.copy()
    rejected.insert(0, t("col_reason", lang), reasons.reindex(rejected.index).to_numpy())
    rejected.insert(0, t("col_row", lang), rejected.index.to_numpy())
    findings = result.findings
    listing = pd.DataFrame(
        {
            t("col_row", lang): findings["row"].to_numpy(),
            t("col_column", lang): findings["column"].to_numpy(),
            t("col_value", lang): findings["value"].to_numpy(),
            # The rule's key, as the CLI's JSON gives it: a script can filter on it.
            t("col_rule", lang): findings["rule"].to_numpy(),
            t("col_severity", lang): [t(f"severity_{s}", lang) for s in findings["severity"]],
            t("col_message", lang): result.messages(findings, lang).to_numpy(),
        }
    )
    return write_frames_xlsx(
        {t("sheet_rejected", lang): rejected, t("sheet_findings", lang): listing}
    )


def report_workbook(
    tables: dict[str, pd.DataFrame], lang: str = "zh", model: StageModel | None = None
) -> bytes:
    """The report as one workbook: a sheet per view with headers in ``lang``, each column
    formatted by its declared kind, stages by name (given the ``model``), frozen header rows;
    then the definition of every metric, and of every column shown, on the last sheets."""
    sheets: dict[str, pd.DataFrame] = {}
    formats: dict[str, dict[int, str]] = {}
    used: set[str] = set()
    columns: dict[str, str] = {}
    for key, frame in tables.items():
        title = (t(f"sheet_{key}", lang) if f"sheet_{key}" in MESSAGES else key)[:31]
        while title in used:
            title = title[:29] + "_" + str(len(used))
        used.add(title)
        shown, kinds = presented(frame.reset_index(drop=True), lang, key, model)
        formats[title] = {
            j: f
            for j, h in enumerate(shown.columns)
            if (f := KIND_FORMATS.get(kinds.get(h, ""), None))
        }
        sheets[title] = shown
        spec = TABLES.get(key)
        for name, head in zip(frame.columns, shown.columns, strict=True):
            col = spec.column(str(name)) if spec is not None else column(str(name))
            if col is not None and head.strip() not in columns:
                columns[head.strip()] = col.about(lang)
    definitions = pd.DataFrame(
        {
            t("col_metric", lang): [
                t(f"metric_{k.removeprefix('def_')}", lang) for k in DEFINITIONS
            ],
            t("col_definition", lang): [t(k, lang) for k in DEFINITIONS],
        }
    )
    sheets[t("sheet_definitions", lang)] = definitions
    sheets[t("sheet_columns", lang)] = pd.DataFrame(
        {t("col_column", lang): list(columns), t("col_definition", lang): list(columns.values())}
    )
    return write_frames_xlsx(sheets, formats)


def json_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe records (NaN as null, dates as ISO days), encoded by pandas' C encoder."""
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=15))

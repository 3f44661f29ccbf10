"""Loading one export: read, locate the table, map columns, parse values, validate.

:func:`load_export` is the entry point. It never raises on bad rows: each row that breaks
a rule becomes a finding (spreadsheet row, column, value, rule, message) and, for errors,
moves to the rejected rows; the valid rows load. Only an input that cannot be used at all
(unreadable, not a spreadsheet, no stage column, ...) raises :class:`UnusableFile`.

The three input shapes (monthly snapshot exports, one date column per stage, stage-history
logs) come out in one canonical form: one row per deal *observation*, a deal's state as of
``snapshot_date`` (see :meth:`LoadResult.observations`).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc
import pyarrow.types as patypes

from .choices import SHAPES
from .contracts import Column, table
from .i18n import MESSAGES, t
from .inference import stage_evidence
from .layout import Layout, locate_table, outline_subtotals, row_ranges
from .mapping import ColumnMapping, header_signature, map_columns
from .memo import give_back, use_system_pool
from .procurement import PROCUREMENT_FIELD, parse_procurement
from .reading import DEFAULT_LIMITS, Limits, RawGrid, UnusableFile, read_bytes, read_grid
from .schema import (
    ERROR_RULES,
    Opportunities,
    error_schema,
    prepare_validation,
    warning_schema,
)
from .stages import LOST, ON_HOLD, OPEN, WON, StageModel, get_stage_model, normalize_label
from .values import (
    Parsed,
    parse_amount,
    parse_bool,
    parse_date,
    parse_factor,
    parse_forecast_category,
    parse_grade,
    parse_probability,
    parse_source,
    parse_status,
)

__all__ = ["SHAPES", "LoadResult", "load_export", "snapshot_date_from_name"]

# A load's working copies are freed when it returns, but an allocator keeps the pages for
# reuse: after a 500k-row CSV the process held 630 MiB where its data took under 200, and a
# dashboard server keeps running. Arrow allocates from the C library's heap, and each load
# hands back what it freed (funnel_analytics.memo).
use_system_pool()

STRING = pd.StringDtype()
FINDING_COLUMNS = ["row", "column", "letter", "field", "value", "rule", "severity", "params"]
TEXT_FIELDS = (
    Opportunities.opportunity_id,
    Opportunities.opportunity_name,
    Opportunities.account,
    Opportunities.owner,
    Opportunities.team,
)
DATE_FIELDS = (
    Opportunities.created_date,
    Opportunities.expected_close_date,
    Opportunities.close_date,
    "stage_entered_date",
    "lost_date",
)


FINDINGS = table(
    "findings",
    "row",
    "column",
    "value",
    "rule",
    "message",
    local=[
        Column(
            "row",
            "id",
            "行号",
            "Row",
            "表格中的行号（与 Excel 一致）。",
            "The row number as the spreadsheet shows it.",
        ),
        Column(
            "column", "text", "列", "Column", "文件中的列名。", "The column's header in the file."
        ),
        Column("value", "text", "值", "Value", "单元格中的原值。", "The cell's value as written."),
        Column(
            "rule", "text", "规则", "Rule", "未通过的检查规则。", "The check the row did not pass."
        ),
        Column(
            "message",
            "text",
            "说明",
            "Message",
            "问题及处理方法。",
            "What is wrong, and what to do.",
        ),
    ],
)

MAPPING = table(
    "mapping",
    "header",
    "field",
    "origin",
    "samples",
    local=[
        Column(
            "header",
            "text",
            "文件中的列",
            "Column in the file",
            "导出文件中的列名。",
            "A header of the export.",
        ),
        Column(
            "field",
            "text",
            "对应字段",
            "Field",
            "该列读作的字段（空白为不读取）。",
            "The field the column is read as (blank: not read).",
        ),
        Column(
            "origin",
            "text",
            "来源",
            "Set by",
            "对应关系从何而来：自动识别、记住的或手动设置。",
            "Where the mapping came from: recognised, remembered or set by hand.",
        ),
        Column(
            "samples",
            "text",
            "示例值",
            "Sample values",
            "该列的前几个不同值。",
            "The column's first distinct values.",
        ),
    ],
)


@dataclass(frozen=True)
class LoadResult:
    """What was understood of one export, and what was not.

    ``opportunities`` holds the valid rows in canonical form, indexed by spreadsheet row;
    ``rejected`` the rows refused, as they were in the file, with a reason column;
    ``findings`` every error and warning; ``notes`` the decisions taken for the whole file.
    """

    file_name: str
    file_format: str
    content_sha256: str
    stage_model: StageModel
    mapping: ColumnMapping
    shape: str
    header_row: int
    opportunities: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    notes: tuple[tuple[str, dict], ...]
    rows_read: int
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    snapshot_source: str | None = None
    letters: dict[str, str] = field(default_factory=dict)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)  # the first raw rows, as text
    stage_counts: dict[str, int] = field(default_factory=dict)  # stage value as written -> rows
    #: per stage value as written: rows, median probability, order in logs, share later won
    stage_evidence: pd.DataFrame = field(default_factory=pd.DataFrame)

    def inferred_model(self):
        """ "Use this file's stages": a model built from the file's own stage values
        (:func:`funnel_analytics.inference.infer_model`)."""
        from .inference import infer_model

        return infer_model(self.stage_evidence)

    def _proposal(self) -> dict | None:
        better = self.proposed_model()
        return (
            None
            if better is None
            else {"model": better[0], "rows_matched": better[1], "rows": better[2]}
        )

    def proposed_model(self) -> tuple[str, int, int] | None:
        """The built-in model to propose for this file (the dashboard's box, ``validate``'s
        hint and the report's ``stage_model_proposal``): :meth:`better_model` when that model
        also knows at least half of the rows, and of the rows at an open stage
        (:func:`funnel_analytics.stages.proposed_model`); else None."""
        from .stages import proposed_model

        return proposed_model(self.stage_counts, self.stage_model)

    def better_model(
        self, models: Mapping[str, StageModel] | None = None
    ) -> tuple[str, int, int] | None:
        """A built-in model that recognises more of this file's stage values than the one
        used: ``(name, rows matched, rows with a stage)``, else None."""
        from .stages import better_model

        return better_model(self.stage_counts, self.stage_model, models)

    @property
    def rows_valid(self) -> int:
        return len(self.opportunities)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def errors(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "warning"]

    @property
    def snapshot_dates(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        d = self.opportunities[Opportunities.snapshot_date].dropna()
        return (d.min(), d.max()) if len(d) else None

    def messages(self, findings: pd.DataFrame | None = None, lang: str = "zh") -> pd.Series:
        """Each finding's message in ``lang``."""
        f = self.findings if findings is None else findings
        return pd.Series(
            [
                _render(r, v, p, lang)
                for r, v, p in zip(f["rule"], f["value"], f["params"], strict=True)
            ],
            index=f.index,
            dtype="object",
        )

    def note_texts(self, lang: str = "zh") -> list[str]:
        """The notes in ``lang``; a parameter given per language (``model_zh``, ``model_en``)
        fills the message's ``{model}``."""
        out = []
        for key, params in self.notes:
            tail = f"_{lang}"
            own = {k.removesuffix(tail): v for k, v in params.items() if k.endswith(tail)}
            out.append(t(key, lang, **{**params, **own}))
        return out

    def unknown_stages(self) -> pd.DataFrame:
        """Unknown stage values grouped: value, count, first rows, closest known stage."""
        f = self.findings[self.findings["rule"] == "unknown_stage"]
        if f.empty:
            return pd.DataFrame(columns=["value", "count", "rows", "suggestion"])
        grouped = f.groupby("value", sort=False)
        out = pd.DataFrame(
            {
                "count": grouped.size(),
                "rows": grouped["row"].apply(
                    lambda r: (
                        ", ".join(str(x) for x in list(r)[:10]) + (" …" if len(r) > 10 else "")
                    )
                ),
            }
        ).reset_index()
        out["suggestion"] = pd.Series(
            [self.stage_model.suggest(v) for v in out["value"]], index=out.index, dtype="object"
        )
        return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

    def mapping_table(self, samples: int = 3) -> pd.DataFrame:
        """One row per column of the file (the ``mapping`` contract): header, field ("" when
        unmapped), origin, sample values."""
        rows = []
        for header in self.preview.columns:
            field_name = self.mapping.fields.get(header, "")
            values = self.preview[header].dropna().astype(str).unique()[:samples]
            rows.append(
                {
                    "header": header,
                    "field": field_name,
                    "origin": self.mapping.origin.get(header, "none") if field_name else "none",
                    "samples": " | ".join(values),
                }
            )
        return pd.DataFrame(rows, columns=["header", "field", "origin", "samples"])

    def findings_table(self, severity: str, lang: str = "zh") -> pd.DataFrame:
        """Errors or warnings (the ``findings`` contract: row, column, value, rule, message),
        the rule's name and the message in ``lang``."""
        f = self.findings[self.findings["severity"] == severity]
        return pd.DataFrame(
            {
                "row": f["row"].to_numpy(),
                "column": f["column"].to_numpy(),
                # A blank cell is shown blank (not as NaN).
                "value": f["value"].astype("object").where(f["value"].notna(), "").to_numpy(),
                "rule": [rule_name(r, lang) for r in f["rule"]],
                "message": self.messages(f, lang).to_numpy(),
            },
            columns=["row", "column", "value", "rule", "message"],
        )

    def observations(self) -> pd.DataFrame:
        """The canonical form: one row per deal observation, whatever the input shape.

        Snapshot exports give one observation per row. A stage-history log gives one per
        change. An export with a date column per stage gives, besides each row as of its
        snapshot date, one observation per filled stage date (``observed_via`` says which).
        """
        base = self.opportunities.reset_index()
        if self.shape != "stage_dates":
            return base
        stage_cols = [c for c in base.columns if str(c).startswith("stage_date.")]
        pieces = [base]
        for col in stage_cols:
            key = col.removeprefix("stage_date.")
            rows = base[base[col].notna()].copy()
            if rows.empty:
                continue
            status = WON if key == self.stage_model.won.key else OPEN
            rows[Opportunities.snapshot_date] = rows[col].astype(
                base[Opportunities.snapshot_date].dtype
            )
            rows[Opportunities.stage] = pd.Series(key, index=rows.index, dtype=STRING)
            rows[Opportunities.stage_label] = pd.Series(pd.NA, index=rows.index, dtype=STRING)
            rows[Opportunities.status] = pd.Series(status, index=rows.index, dtype=STRING)
            rows["observed_via"] = "stage_dates"
            pieces.append(rows)
        out = pd.concat(pieces, ignore_index=True)
        return out.sort_values(
            [Opportunities.opportunity_id, Opportunities.snapshot_date], kind="stable"
        ).reset_index(drop=True)

    def report(self, lang: str = "zh") -> dict:
        """The validation report as plain data (the CLI's ``--json`` object)."""

        def items(f: pd.DataFrame) -> list[dict]:
            msgs = self.messages(f, lang)
            return [
                {"row": int(r), "column": c, "value": v, "rule": rule, "message": m}
                for r, c, v, rule, m in zip(
                    f["row"], f["column"], f["value"], f["rule"], msgs, strict=True
                )
            ]

        dates = self.snapshot_dates
        return {
            "file": self.file_name,
            "format": self.file_format,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "shape": self.shape,
            "snapshot_date": None if dates is None else dates[1].date().isoformat(),
            "snapshot_dates": None if dates is None else [d.date().isoformat() for d in dates],
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "mapping": self.mapping.as_dict(),
            "unmapped_columns": list(self.mapping.unmapped),
            "stage_model": self.stage_model.name,
            "stage_model_proposal": self._proposal(),
            "errors": items(self.errors),
            "warnings": items(self.warnings),
            "unknown_stages": self.unknown_stages().to_dict(orient="records"),
            "notes": self.note_texts(lang),
        }


def rule_name(rule: str, lang: str = "zh") -> str:
    """A validation rule's short name in ``lang`` (its key where it has none)."""
    return t(f"rule_{rule}", lang) if f"rule_{rule}" in MESSAGES else rule


def _render(rule: str, value: object, params: dict, lang: str) -> str:
    """One finding's message; the stage suggestion is named in the message's language."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        value = t("blank_value", lang)
    if rule == "unknown_stage":
        s = params.get(f"suggestion_{lang}")
        hint = (
            t("unknown_stage_hint", lang, suggestion=s) if s else t("unknown_stage_no_match", lang)
        )
        return t(rule, lang, value=value, model=params.get("model"), hint=hint).strip()
    return t(rule, lang, value=value, **params)


# --------------------------------------------------------------------------------------------
# Snapshot dates from file names
# --------------------------------------------------------------------------------------------
_NAME_PATTERNS = (
    (re.compile(r"(?<!\d)(20\d{2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"), "YYYY-MM-DD"),
    (re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "YYYY年M月D日"),
    (re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])([0-3]\d)(?!\d)"), "YYYYMMDD"),
    (re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月"), "YYYY年M月"),
    (re.compile(r"(?<!\d)(20\d{2})[-_.](\d{1,2})(?!\d)"), "YYYY-MM"),
    (re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)"), "YYYYMM"),
)


#: Headers of a "last modified" column, whose latest value dates an export.
# In order of preference: a user's last edit before a system job's stamp (Salesforce's
# SystemModstamp also moves when a nightly job touches a record).
LAST_MODIFIED_HEADERS = tuple(
    dict.fromkeys(
        normalize_label(h)
        for h in (
            "LastModifiedDate",
            "Last Modified Date",
            "Last Modified",
            "Last modified",
            "Last Modified On",
            "Modified Time",
            "Last Modified Time",
            "Modified On",
            "(Do Not Modify) Modified On",
            "Date Modified",
            "Updated",
            "Updated at",
            "Updated On",
            "Update time",
            "Deal - Update time",
            "Last Updated",
            "Last Updated on",
            "Write Date",
            "最后修改时间",
            "最后修改日期",
            "修改时间",
            "修改日期",
            "更新时间",
            "更新日期",
            "最后更新时间",
            "最近修改时间",
            "SystemModstamp",
            "Last Activity Date",
            "最后跟进时间",
        )
    )
)


_FOOTER_DATE = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}年\d{1,2}月\d{1,2}日)"
)


def propose_snapshot_date(
    raw: pd.DataFrame,
    out: pd.DataFrame,
    cmap: ColumnMapping,
    dayfirst: bool | None = None,
    footer: tuple[str, ...] = (),
) -> tuple[pd.Timestamp, str, str]:
    """A default snapshot date for an export that states none: ``(date, origin, column)``.

    The date a report's footer gives ("Generated By: … 7/1/2024 9:14 AM"), else the latest
    value of a last-modified column (the export cannot be older than its newest edit), else
    the latest date among the mapped date columns that is not in the future, else today.
    ``origin`` is ``footer``, ``last_modified``, ``latest_date`` or ``today``.
    """
    today = pd.Timestamp.today().normalize()
    for line in footer:
        found = _FOOTER_DATE.search(line)
        if found:
            parsed = parse_date(pd.Series([found.group(1)], dtype="object"), dayfirst=dayfirst)
            if parsed.values.notna().all() and not parsed.bad.any():
                return pd.Timestamp(parsed.values.iloc[0]).normalize(), "footer", line
    by_label = {normalize_label(h): h for h in raw.columns}
    for label in LAST_MODIFIED_HEADERS:
        header = by_label.get(label)
        if header is None:
            continue
        latest = parse_date(raw[header], dayfirst=dayfirst).values.max()
        if pd.notna(latest):
            return pd.Timestamp(latest).normalize(), "last_modified", str(header)
    best, column_name = None, ""
    for f in DATE_FIELDS:
        if f in out.columns:
            values = out[f].dropna()
            values = values[values <= today]
            if len(values) and (best is None or values.max() > best):
                best, column_name = values.max(), str(cmap.header_for(f) or f)
    if best is not None:
        return pd.Timestamp(best).normalize(), "latest_date", column_name
    return today, "today", ""


def snapshot_date_from_name(file_name: str) -> tuple[pd.Timestamp, str] | None:
    """The as-of date a file name carries: ``2024-03`` / ``202403`` / ``2024年3月`` (month end)
    or a full date. Returns ``(date, pattern)`` or None.

    >>> snapshot_date_from_name("商机导出_2024年3月.xlsx")[0].date()
    datetime.date(2024, 3, 31)
    """
    stem = Path(file_name).stem
    for pattern, label in _NAME_PATTERNS:
        m = pattern.search(stem)
        if not m:
            continue
        y, mth = int(m.group(1)), int(m.group(2))
        if not 1 <= mth <= 12:
            continue
        if m.lastindex and m.lastindex >= 3:
            d = int(m.group(3))
            if 1 <= d <= calendar.monthrange(y, mth)[1]:
                return pd.Timestamp(y, mth, d), label
            continue
        return pd.Timestamp(y, mth, calendar.monthrange(y, mth)[1]), label
    return None


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------
class _Findings:
    """Collects findings column by column, vectorised."""

    def __init__(self, layout: Layout, mapping: ColumnMapping) -> None:
        self.parts: list[pd.DataFrame] = []
        self.layout = layout
        self.header_of = {f: h for h, f in mapping.fields.items()}

    def add(
        self,
        rows: pd.Index | np.ndarray,
        rule: str,
        severity: str,
        field_name: str | None,
        values: pd.Series | list | None = None,
        params: list[dict] | dict | None = None,
        header: str | None = None,
    ) -> None:
        rows = np.asarray(rows)
        if len(rows) == 0:
            return
        header = header or (self.header_of.get(field_name) if field_name else None)
        if values is None:
            if header is not None:
                raw = self.layout.data.loc[rows, header]
                values = [None if pd.isna(v) else str(v) for v in raw]
            else:
                values = [None] * len(rows)
        if params is None or isinstance(params, dict):
            params = [dict(params or {})] * len(rows)
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows.astype("int64"),
                    "column": header,
                    "letter": self.layout.letters.get(header) if header else None,
                    "field": field_name,
                    "value": list(values),
                    "rule": rule,
                    "severity": severity,
                    "params": params,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {c: pd.Series(dtype="int64" if c == "row" else "object") for c in FINDING_COLUMNS}
            )
        return ordered_findings(pd.concat(self.parts, ignore_index=True))


def ordered_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings as reported: one per row, rule and column (the first added), errors first, then
    by row and by rule."""
    out = findings.drop_duplicates(subset=["row", "rule", "column"], keep="first")
    order = {r: i for i, r in enumerate(ERROR_RULES)}
    out["_sev"] = (out["severity"] != "error").astype(int)
    out["_rule"] = out["rule"].map(order).fillna(len(order))
    out = out.sort_values(["_sev", "row", "_rule"], kind="stable")
    return out.drop(columns=["_sev", "_rule"]).reset_index(drop=True)


def _fmt_dates(values: pd.Series) -> list[str | None]:
    """Dates as the user wrote them: ``2024-03-05``, with the time only when there is one."""
    # Each distinct date formatted once: thousands of findings share a few hundred dates.
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = [
        u.strftime("%Y-%m-%d") if u == u.normalize() else u.strftime("%Y-%m-%d %H:%M")
        for u in uniques
    ]
    return [None if c < 0 else text[c] for c in codes]


# --------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------
def _detect_shape(shape: str, mapping: ColumnMapping, headers: tuple[str, ...]) -> str:
    if shape != "auto":
        return shape
    norm = {normalize_label(h).replace(" ", "") for h in headers}
    if "opportunityhistorykey" in norm or (
        {"opportunityid", "stagename", "createddate"} <= norm and "name" not in norm
    ):
        return "history"
    snap = mapping.header_for(Opportunities.snapshot_date)
    if snap is not None and re.search(r"change|edit|变更|修改", snap, re.IGNORECASE):
        return "history"
    if any(f.startswith("stage_date.") for f in mapping.fields.values()):
        return "stage_dates"
    return "snapshot"


def _log_date_column(
    raw: pd.DataFrame, mapping: ColumnMapping, dayfirst: bool | None
) -> str | None:
    """The date column that makes a file a stage-history log, whatever it is called, or None.

    A log repeats its deal ids (one row per change), names a stage in each row, and dates each
    row: most repeated ids show more than one stage and more than one date. The date is the snapshot-date column if one
    is mapped, else a column no field took, else the created date (some logs date each row so).
    """
    id_header = mapping.header_for(Opportunities.opportunity_id)  # names repeat by chance
    stage_header = mapping.header_for(Opportunities.stage)
    if id_header is None or stage_header is None or len(raw) < 4:
        return None
    ids = raw[id_header]
    repeated = ids.duplicated(keep=False) & ids.notna()
    if repeated.mean() < 0.2:
        return None
    # In a log a deal's rows name different stages (it moved); duplicated rows do not.
    stages = raw[stage_header][repeated].groupby(ids[repeated]).nunique()
    if (stages > 1).mean() < 0.5:
        return None
    candidates = [
        mapping.header_for(Opportunities.snapshot_date),
        *mapping.unmapped,
        mapping.header_for(Opportunities.created_date),
    ]
    for header in dict.fromkeys(h for h in candidates if h is not None and h in raw):
        values = raw[header]
        if values.notna().sum() < 0.9 * len(values):
            continue
        parsed = parse_date(values, dayfirst=dayfirst)
        dates = parsed.values
        if dates.notna().sum() < 0.9 * values.notna().sum():
            continue
        per_deal = dates[repeated].groupby(ids[repeated]).nunique()
        if (per_deal > 1).mean() >= 0.5:
            return header
    return None


def _history_mapping(mapping: ColumnMapping) -> ColumnMapping:
    """In a stage-history log, the row's created date is the date of the change."""
    if mapping.header_for(Opportunities.snapshot_date) is not None:
        return mapping
    created = mapping.header_for(Opportunities.created_date)
    if created is None:
        return mapping
    fields = dict(mapping.fields)
    fields[created] = Opportunities.snapshot_date
    origin = dict(mapping.origin)
    origin[created] = origin.get(created, "auto")
    return ColumnMapping(fields, mapping.units, mapping.signature, origin, mapping.unmapped)


def load_export(
    source: str | Path | bytes,
    file_name: str | None = None,
    *,
    stage_model: StageModel | str | None = None,
    mapping: Mapping[str, str] | None = None,
    remembered: Mapping[str, Mapping[str, str]] | None = None,
    as_of: date | str | pd.Timestamp | None = None,
    sheet: str | int | None = None,
    shape: str = "auto",
    dayfirst: bool | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read, map, parse and validate one opportunity export.

    Parameters
    ----------
    source
        A path, or the bytes of an upload (give ``file_name`` then: it carries the snapshot
        month and the format hint).
    stage_model
        A :class:`StageModel`, a built-in name or a ``.toml`` path; default six-state.
    mapping
        The user's overrides, header to field (``{"销售阶段": "stage"}``); ``"ignore"``
        unmaps a column.
    remembered
        Confirmed mappings by header signature (from the store); used when this file's
        signature matches.
    as_of
        The snapshot date when the file has no snapshot-date column; otherwise it is taken
        from the file name (``2024-03`` is taken as 2024-03-31). Never guessed.
    shape
        ``auto`` (default), ``snapshot``, ``stage_dates`` or ``history``.
    dayfirst
        Force the order of ``a/b/yy`` dates; by default decided per column from the values.

    Returns
    -------
    LoadResult
        Valid rows, rejected rows, findings and notes.

    Raises
    ------
    UnusableFile
        The input cannot be used at all (message in both languages via ``.message(lang)``).

    Examples
    --------
    >>> r = load_export("sample_data/商机导出_2026-10.xlsx")   # doctest: +SKIP
    >>> r.rows_read, r.rows_rejected                            # doctest: +SKIP
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    model = get_stage_model(stage_model)
    grid, layout, name, sha = _read(source, file_name, sheet, limits)
    notes = _file_notes(grid, layout)
    cmap, kind = _columns_and_shape(layout, model, mapping, remembered, shape, dayfirst, notes)
    _require_stage_and_id(cmap, layout, name)
    layout = _without_outline_subtotals(layout, cmap, notes)
    load = _start(name, model, layout, cmap, kind, dayfirst, notes)
    _typed(load, as_of)
    evidence = _stage_evidence(load)
    _rule_checks(load)
    _close_dates(load)
    result = _result(load, grid, sha, evidence)
    del load, grid, layout  # the rows as read, freed before the memory is given back
    give_back(collect=False)  # a few ms; the process keeps 320 MiB after 500k rows, not 690
    return result


#: The notes that name a column's day/month order, and the order each stands for.
DATE_ORDER_NOTES = {
    "dates_dayfirst": True,
    "dates_mixed_order_dayfirst": True,
    "dates_monthfirst": False,
    "dates_mixed_order_monthfirst": False,
    "dates_ambiguous_monthfirst": False,
    "dates_ambiguous_dayfirst_dots": True,
}


@dataclass
class Decisions:
    """The column-wide decisions a load makes from all of a column's values (a file read in
    pieces makes them once, from every piece, and forces them on each): the day/month order of
    each date column and its note, the probability column's scale and its note, whether the
    grade column is a temperature rating, and whether the amounts' decimal separator is a
    comma. ``None`` leaves a decision to the rows at hand."""

    date_order: dict[str, bool | None] = field(default_factory=dict)
    date_note: dict[str, str | None] = field(default_factory=dict)
    percent: bool | None = None
    probability_note: str | None = None
    rating: bool | None = None
    decimal_comma: bool | None = None


@dataclass
class Evidence:
    """What a piece's rows show for the column-wide decisions, and what it decided with: the
    x/x/yy texts of each date column (as written, distinct), the probability note its values
    alone give, what its amounts show of their decimal separator, whether its grade column had
    values and all of them were ratings."""

    order_texts: dict[str, set[str]] = field(default_factory=dict)
    order_used: dict[str, bool | None] = field(default_factory=dict)
    probability_note: str | None = None
    percent_used: bool | None = None
    amount_separators: dict[str, bool] = field(default_factory=dict)
    comma_used: bool | None = None
    grade_values: bool = False
    all_ratings: bool = True
    rating_used: bool | None = None


def _typed(load: _Load, as_of: date | str | pd.Timestamp | None) -> None:
    """Fill the typed frame column by column, in the order its columns come out."""
    _text_fields(load)
    _stage(load)
    _status(load)
    _lost_stage(load)
    _amount_and_currency(load)
    _probability(load)
    for f in DATE_FIELDS:
        load.out[f] = _dates(load, f)
    _open_deals_close_date(load)
    _source_and_grade(load)
    _snapshot_date(load, as_of)
    _checklist_and_extra_columns(load)
    if load.kind == "history":
        _reversed_outcomes(load)


@dataclass
class Piece:
    """One piece of a snapshot export read in pieces, typed and checked."""

    notes: list[tuple[str, dict]]
    evidence: Evidence
    findings: pd.DataFrame  # every rule's findings but the duplicate ids
    valid: pd.DataFrame | None  # the rows without an error, with their flags
    keys: pd.DataFrame  # every row's id and snapshot date, and whether the id is missing
    stage_counts: pd.Series  # rows per stage value as written, in the order they first appear
    currencies: pd.Series  # rows per currency, in the order they first appear


def load_piece(
    name: str,
    model: StageModel,
    layout: Layout,
    cmap: ColumnMapping,
    as_of: date | str | pd.Timestamp | None,
    dayfirst: bool | None,
    decided: Decisions,
) -> Piece:
    """One piece of a snapshot export read in pieces (:mod:`funnel_analytics.chunked`): its
    rows typed and checked with ``decided`` forced, by every rule but the duplicate ids (which
    look across pieces)."""
    notes: list[tuple[str, dict]] = []
    load = _start(name, model, layout, cmap, "snapshot", dayfirst, notes)
    load.decided, load.evidence = decided, Evidence()
    _typed(load, as_of)
    _rule_checks(load, unique=False)
    _close_dates(load)
    out = load.out
    keys = pd.DataFrame(
        {
            "id": out[Opportunities.opportunity_id],
            "date": out[Opportunities.snapshot_date],
            "missing": load.missing_id.to_numpy(dtype=bool),
        },
        index=out.index,
    )
    currencies = out[Opportunities.currency].value_counts(sort=False)
    stage_counts = out[Opportunities.stage_label].value_counts(sort=False)
    frame = load.findings.frame()
    valid = _valid(out, _rejected_rows(frame), frame)
    return Piece(notes, load.evidence, frame, valid, keys, stage_counts, currencies)


@dataclass
class _Load:
    """One load in progress: the rows as read, the typed frame being built, findings, notes."""

    name: str
    model: StageModel
    layout: Layout
    cmap: ColumnMapping
    kind: str
    dayfirst: bool | None
    raw: pd.DataFrame
    findings: _Findings
    notes: list[tuple[str, dict]]
    out: pd.DataFrame
    # Set by one step, read by a later one (the rule checks, the stage evidence, the result).
    stage_counts: dict[str, int] = field(default_factory=dict)
    implied: pd.Series | None = None  # the status each row's stage implies
    unknown: pd.Series | None = None  # rows whose stage value the model does not know
    explicit_status: pd.Series | None = None  # the status the file states, where it does
    missing_id: pd.Series | None = None
    missing_amount: pd.Series | None = None
    snapshot_source: str | None = None
    decided: Decisions | None = None  # forced on a piece of a file read in pieces
    evidence: Evidence | None = None  # gathered from a piece of a file read in pieces

    def order(self, header: str) -> bool | None:
        """The day/month order to read ``header``'s dates in: the user's, else the one
        decided for the whole file, else None (decided from these rows)."""
        if self.dayfirst is not None or self.decided is None:
            return self.dayfirst
        return self.decided.date_order.get(header)

    @property
    def index(self) -> pd.Index:
        return self.raw.index

    def column(self, field_name: str) -> pd.Series | None:
        """The raw column mapped to ``field_name``, or None."""
        h = self.cmap.header_for(field_name)
        return None if h is None else self.raw[h]


def _read(
    source: str | Path | bytes, file_name: str | None, sheet: str | int | None, limits: Limits
) -> tuple[RawGrid, Layout, str, str]:
    """Read the file into a grid and locate its table: ``(grid, layout, name, sha256)``."""
    data, name = read_bytes(source, file_name, limits)
    sha = hashlib.sha256(data).hexdigest()
    grid = read_grid(data, name, sheet=sheet, limits=limits)
    del data  # the grid holds what is needed; the file's bytes can go
    layout = locate_table(grid, limits.header_scan_rows)
    return grid, layout, name, sha


def _file_notes(grid: RawGrid, layout: Layout) -> list[tuple[str, dict]]:
    """The notes on reading the file: the sheet taken, the encoding, the table's place."""
    notes: list[tuple[str, dict]] = []
    if grid.sheets and len(grid.sheets) > 1:
        notes.append(
            (
                "note_sheet",
                {"sheet": grid.sheet, "count": len(grid.sheets), "sheets": "、".join(grid.sheets)},
            )
        )
    if grid.encoding:
        notes.append(("note_encoding", {"encoding": grid.encoding}))
    notes.extend(layout.notes)
    return notes


def _columns_and_shape(
    layout: Layout,
    model: StageModel,
    mapping: Mapping[str, str] | None,
    remembered: Mapping[str, Mapping[str, str]] | None,
    shape: str,
    dayfirst: bool | None,
    notes: list[tuple[str, dict]],
    look_at_rows: bool = True,
) -> tuple[ColumnMapping, str]:
    """The column mapping (overrides, remembered, automatic) and the input shape (without
    ``look_at_rows``, from the headers alone: a file read in pieces tells a log by its ids
    once every piece is read)."""
    signature = header_signature(layout.headers)
    remembered_map = (remembered or {}).get(signature)
    cmap = map_columns(layout.headers, model, overrides=mapping, remembered=remembered_map)
    if remembered_map:
        notes.append(("note_remembered_mapping", {}))
    kind = _detect_shape(shape, cmap, layout.headers)
    if kind == "snapshot" and shape == "auto" and look_at_rows:
        change_header = _log_date_column(layout.data, cmap, dayfirst)
        if change_header is not None:
            kind, cmap = "history", _dated_by(cmap, change_header)
    if kind == "history":
        cmap = _history_mapping(cmap)
    return cmap, kind


def _dated_by(cmap: ColumnMapping, change_header: str) -> ColumnMapping:
    """The mapping with ``change_header`` as the snapshot date (a log's date of change)."""
    fields = {h: f for h, f in cmap.fields.items() if f != Opportunities.snapshot_date}
    fields[change_header] = Opportunities.snapshot_date
    return ColumnMapping(
        fields,
        cmap.units,
        cmap.signature,
        {**cmap.origin, change_header: "auto"},
        tuple(h for h in cmap.unmapped if h != change_header),
    )


def _without_outline_subtotals(
    layout: Layout, cmap: ColumnMapping, notes: list[tuple[str, dict]]
) -> Layout:
    """The layout without the rows a spreadsheet's Data > Subtotal command inserted (a
    ledger grouped by owner or stage with "陈磊 汇总" under each group and "总计" last), noted
    as the table's own subtotal and totals rows are."""
    keys = [
        h
        for h in (
            cmap.header_for(Opportunities.opportunity_id),
            cmap.header_for(Opportunities.opportunity_name),
        )
        if h is not None
    ]
    subtotals, grand = outline_subtotals(layout.data, keys)
    if not subtotals and grand is None:
        return layout
    if subtotals:
        notes.append(
            ("note_subtotal_rows", {"count": len(subtotals), "rows": row_ranges(subtotals)})
        )
    if grand is not None:
        notes.append(("note_totals_row", {"row": grand[0], "label": grand[1]}))
    aside = [*subtotals, *([grand[0]] if grand else [])]
    return replace(layout, data=layout.data.drop(index=aside))


def _require_stage_and_id(cmap: ColumnMapping, layout: Layout, name: str) -> None:
    """Raise :class:`UnusableFile` when no column gives the stage, or neither id nor name."""
    if cmap.header_for(Opportunities.stage) is None:
        raise UnusableFile("no_stage_column", file=name, headers="、".join(layout.headers[:30]))
    id_header = cmap.header_for(Opportunities.opportunity_id)
    name_header = cmap.header_for(Opportunities.opportunity_name)
    if id_header is None and name_header is None:
        raise UnusableFile("no_id_column", file=name, headers="、".join(layout.headers[:30]))


def _start(
    name: str,
    model: StageModel,
    layout: Layout,
    cmap: ColumnMapping,
    kind: str,
    dayfirst: bool | None,
    notes: list[tuple[str, dict]],
) -> _Load:
    """The load's state: the rows with missing-value markers blanked, an empty typed frame."""
    raw = layout.data
    raw, markers = _blank_missing_markers(raw, [h for h in cmap.fields if h in raw.columns])
    if markers:
        notes.append(("note_missing_markers", {"count": markers}))
    index = raw.index
    findings = _Findings(layout, cmap)
    out = pd.DataFrame(index=index)
    out.index.name = "row"
    return _Load(name, model, layout, cmap, kind, dayfirst, raw, findings, notes, out)


def _text_fields(s: _Load) -> None:
    """Copy the text fields as strings; without an id column, make ids from the names."""
    for f in TEXT_FIELDS:
        col = s.column(f)
        s.out[f] = (
            pd.Series(pd.NA, index=s.index, dtype=STRING) if col is None else col.astype(STRING)
        )
    if s.cmap.header_for(Opportunities.opportunity_id) is None:
        _ids_from_names(s)
    s.missing_id = s.out[Opportunities.opportunity_id].isna()


def _ids_from_names(s: _Load) -> None:
    """Ids from the deal names: with the customer where that tells them apart, then numbered."""
    out, kind = s.out, s.kind
    name_header = s.cmap.header_for(Opportunities.opportunity_name)
    names = out[Opportunities.opportunity_name]
    account_header = s.cmap.header_for(Opportunities.account)
    combined = None
    if account_header is not None and kind != "history" and names.dropna().duplicated().any():
        # Names repeat across customers ("ERP Upgrade"): the customer makes them unique.
        combined = (out[Opportunities.account].fillna("") + " · " + names).where(names.notna())
        if combined.dropna().duplicated().sum() >= names.dropna().duplicated().sum():
            combined = None
    if combined is None:
        ids = names
        s.notes.append(("note_id_from_name", {"column": name_header}))
    else:
        ids = combined.astype(STRING)
        s.notes.append(
            (
                "note_id_from_account_and_name",
                {"column": name_header, "account": account_header},
            )
        )
    repeat = ids.notna() & ids.duplicated()
    if kind != "history" and repeat.any():
        # One export lists each deal once: rows that share a name are different deals,
        # told apart by their order ("ERP Upgrade #2").
        nth = ids.groupby(ids).cumcount() + 1
        ids = ids.where(~repeat, ids + " #" + nth.astype(str))
        s.notes.append(("note_id_numbered", {"count": int(repeat.sum())}))
    out[Opportunities.opportunity_id] = ids.astype(STRING)
    s.findings.header_of[Opportunities.opportunity_id] = name_header


def _stage(s: _Load) -> None:
    """Match the stage values to the model; an unknown value is an error with a suggestion."""
    model = s.model
    stage_raw = s.column(Opportunities.stage).astype(STRING)
    s.stage_counts = {str(k): int(v) for k, v in stage_raw.value_counts().items()}
    matched = model.match(stage_raw)
    s.out[Opportunities.stage] = matched["stage"].astype(STRING)
    s.out[Opportunities.stage_label] = stage_raw
    s.implied = matched["status"]
    s.unknown = stage_raw.notna() & s.implied.isna()
    note = outcome_note(model, s.stage_counts)
    if note:
        s.notes.append(note)
    elif s.evidence is not None:
        # A file read in pieces counts its stage values across pieces: the note's place is kept.
        s.notes.append(("note_outcome_by_name", {}))
    if s.unknown.any():
        rows = s.index[s.unknown.to_numpy()]
        vals = stage_raw[s.unknown]
        suggestions = {v: model.suggest(v) for v in vals.unique()}
        names = {lang: model.stage_names(lang) for lang in ("zh", "en")}
        params = [
            {
                "model": model.name,
                "suggestion": suggestions[v],
                **{
                    f"suggestion_{lang}": names[lang].get(suggestions[v] or "", suggestions[v])
                    for lang in ("zh", "en")
                },
            }
            for v in vals
        ]
        s.findings.add(rows, "unknown_stage", "error", Opportunities.stage, params=params)


def outcome_note(model: StageModel, stage_counts: dict[str, int]) -> tuple[str, dict] | None:
    """The note on stage values read as outcomes by their names, with the rows each covers."""
    by_name = model.read_by_outcome_name(stage_counts)
    if not by_name:
        return None
    params: dict[str, str] = {}
    for lang, sep in (("zh", "、"), ("en", "; ")):
        params[f"model_{lang}"] = model.title(lang)
        params[f"values_{lang}"] = sep.join(
            t(
                "note_outcome_value",
                lang,
                value=v,
                kind=t(f"kind_{k}", lang),
                rows=stage_counts[v],
            )
            for v, k in by_name.items()
        )
    return "note_outcome_by_name", params


def _stated_status(s: _Load) -> tuple[pd.Series | None, pd.Series | None]:
    """The status a status column or yes/no columns state, and the words that state it."""
    status_col = s.column(Opportunities.status)
    explicit, said = None, None
    if status_col is not None:
        parsed = parse_status(status_col)
        explicit, said = parsed.values, status_col
        s.findings.add(s.index[parsed.bad], "unknown_status", "warning", Opportunities.status)
    columns = {f: s.column(f) for f in STATUS_FLAGS}
    flagged = _flag_status(columns, s.implied, s.findings, s.index)
    if flagged is None:
        return explicit, said
    # Yes/no columns (IsClosed + IsWon, Odoo's Active) say what a status column would.
    by_flags, flag_text = flagged
    if explicit is None:
        explicit, said = by_flags, flag_text
    else:
        take = explicit.isna() & by_flags.notna()
        explicit = explicit.where(~take, by_flags)
        said = said.astype(STRING).where(~take, flag_text)
    if (by_flags == LOST).fillna(False).any() and FLAG_ACTIVE in s.cmap.fields.values():
        archived = ((by_flags == LOST) & (s.implied != LOST)).fillna(False)
        if archived.any():
            s.notes.append(
                (
                    "note_archived_lost",
                    {"column": s.cmap.header_for(FLAG_ACTIVE), "count": int(archived.sum())},
                )
            )
    return explicit, said


def _status(s: _Load) -> None:
    """Each row's status: as stated where the file says (conflicts warned), else as implied."""
    explicit, said = _stated_status(s)
    implied = s.implied
    status = implied
    if explicit is not None:
        s.explicit_status = explicit
        conflict = explicit.notna() & implied.isin([WON, LOST, ON_HOLD]) & (explicit != implied)
        won_elsewhere = (explicit == WON) & (implied == OPEN)
        flag = (conflict | won_elsewhere).fillna(False).to_numpy(dtype=bool)
        if flag.any():
            s.findings.add(
                s.index[flag],
                "stage_status_conflict",
                "warning",
                Opportunities.stage,
                params=[{"status": x} for x in said[flag].astype(str)],
            )
        status = explicit.where(explicit.notna(), status)
        # A won deal has reached the won stage, whatever stage the row last showed.
        won = (explicit == WON).fillna(False).to_numpy(dtype=bool)
        s.out.loc[won, Opportunities.stage] = s.model.won.key
    s.out[Opportunities.status] = status.fillna(OPEN).mask(s.unknown, OPEN).astype(STRING)


def _lost_stage(s: _Load) -> None:
    """Place lost deals without a stage at the stage a lost-stage column names."""
    lost_stage = s.column("lost_stage")
    if lost_stage is None:
        return
    out = s.out
    # A lost deal whose stage column says only "lost" sits at the stage it was lost in.
    was = s.model.match(lost_stage.astype(STRING))["stage"]
    fill = (
        (out[Opportunities.status] == LOST)
        & out[Opportunities.stage].isna()
        & was.notna()
        & (was != s.model.won.key)
    ).to_numpy(dtype=bool)
    if fill.any():
        out.loc[fill, Opportunities.stage] = was[fill]
        s.notes.append(
            (
                "note_lost_stage",
                {"column": s.cmap.header_for("lost_stage"), "count": int(fill.sum())},
            )
        )


def _amount_and_currency(s: _Load) -> None:
    """Parse the amounts (in the header's unit); the currency from a column, the values or header."""
    currency = _amount(s)
    cur_col = s.column(Opportunities.currency)
    if cur_col is not None:
        explicit_cur = cur_col.astype(STRING).str.strip().str.upper()
        currency = explicit_cur.where(explicit_cur.notna(), currency)
    s.out[Opportunities.currency] = currency.astype(STRING)
    note = currency_note(currency.value_counts())
    if note:
        s.notes.append(note)
    elif s.evidence is not None:
        # A file read in pieces counts its currencies across pieces: the note's place is kept.
        s.notes.append(("note_mixed_currencies", {}))


def currency_note(counts: pd.Series) -> tuple[str, dict] | None:
    """The note on amounts in several currencies (``counts``: rows per currency, most first),
    which are added up as they are."""
    if len(counts) <= 1:
        return None
    return (
        "note_mixed_currencies",
        {
            "count": len(counts),
            "currencies_zh": "、".join(f"{c} {n} 行" for c, n in counts.items()),
            "currencies_en": ", ".join(f"{c} {n} rows" for c, n in counts.items()),
        },
    )


def _amount(s: _Load) -> pd.Series:
    """Parse the amount column (in its header's unit); return the currency it gives, if any."""
    amount_header = s.cmap.header_for(Opportunities.amount)
    currency = pd.Series(pd.NA, index=s.index, dtype=STRING)
    if amount_header is None:
        # No amount column at all is a property of the file, not of each row.
        s.out[Opportunities.amount] = np.nan
        s.missing_amount = pd.Series(False, index=s.index)
        s.notes.append(("note_no_amount_column", {}))
        return currency
    mult, unit_currency = s.cmap.units.get(amount_header, (1.0, None))
    if mult != 1.0:
        unit = re.search(r"[\(（\[【/／]\s*([^\)）\]】]+)", amount_header)
        s.notes.append(
            (
                "note_unit",
                {
                    "column": amount_header,
                    "multiplier": mult,
                    "unit": unit.group(1) if unit else "",
                },
            )
        )
    decided = None if s.decided is None else s.decided.decimal_comma
    seen = None if s.evidence is None else s.evidence.amount_separators
    parsed = parse_amount(s.raw[amount_header], mult, decided, seen)
    if s.evidence is not None:
        s.evidence.comma_used = parsed.note is not None
    if parsed.note:
        s.notes.append(("note_" + parsed.note, {"column": amount_header}))
    s.out[Opportunities.amount] = parsed.values
    unclear = parsed.unclear
    s.findings.add(
        s.index[parsed.bad & ~unclear], "unparseable_amount", "error", Opportunities.amount
    )
    s.findings.add(s.index[unclear], "unclear_decimal_separator", "error", Opportunities.amount)
    if parsed.extra is not None:
        currency = parsed.extra.astype(STRING)
    if unit_currency:
        currency = currency.where(currency.notna(), unit_currency)
        s.notes.append(
            ("note_currency_from_header", {"currency": unit_currency, "column": amount_header})
        )
    s.missing_amount = s.raw[amount_header].isna()
    return currency


def _probability(s: _Load) -> None:
    """Parse the win probability (0–1 or 0–100, noted); unreadable values are warnings."""
    prob_col = s.column(Opportunities.probability)
    if prob_col is None:
        s.out[Opportunities.probability] = np.nan
        return
    percent = None if s.decided is None else s.decided.percent
    parsed = parse_probability(prob_col, percent)
    s.out[Opportunities.probability] = parsed.values
    s.findings.add(
        s.index[parsed.bad], "unparseable_probability", "warning", Opportunities.probability
    )
    note = parsed.note
    if s.evidence is not None:
        s.evidence.probability_note = note
        s.evidence.percent_used = (
            percent if percent is not None else note == "probability_scale_percent"
        )
    if s.decided is not None and s.decided.percent is not None:
        note = s.decided.probability_note
    header = s.cmap.header_for(Opportunities.probability)
    if note:
        s.notes.append(("note_" + note, {"column": header}))
    fractions = parsed.extra.to_numpy(dtype=bool)
    if fractions.any():
        # Cells formatted as percentages among typed whole numbers: read as fractions, said.
        first = int(np.argmax(fractions))
        s.notes.append(
            (
                "note_probability_fractions",
                {
                    "column": header,
                    "count": int(fractions.sum()),
                    "row": int(s.index[first]),
                    "value": str(prob_col.iloc[first]).strip(),
                },
            )
        )


def _dates(s: _Load, field_name: str, header: str | None = None) -> pd.Series:
    """One date column parsed; unreadable and impossible dates are warnings (and blanked)."""
    header = header or s.cmap.header_for(field_name)
    if header is None:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    parsed = _parse_dates(s, header)
    note = parsed.note
    if s.decided is not None and s.dayfirst is None and header in s.decided.date_note:
        note = s.decided.date_note[header]
    values = parsed.values
    s.findings.add(s.index[parsed.bad], "unparseable_date", "warning", field_name, header=header)
    if parsed.extra is not None:
        imp = parsed.extra.to_numpy(dtype=bool)
        s.findings.add(s.index[imp], "impossible_date", "warning", field_name, header=header)
        values = values.mask(parsed.extra)
    if note:
        s.notes.append(("note_" + note, {"column": header}))
    return values


def _parse_dates(s: _Load, header: str) -> Parsed:
    """``header``'s dates parsed in the order decided for them; a piece of a file read in
    pieces records the texts that decide the order and the order it used."""
    order = s.order(header)
    texts: list | None = [] if s.evidence is not None else None
    parsed = parse_date(s.raw[header], dayfirst=order, order_texts=texts)
    if s.evidence is not None:
        s.evidence.order_texts.setdefault(header, set()).update(texts)
        used = order if order is not None else DATE_ORDER_NOTES.get(parsed.note)
        s.evidence.order_used[header] = used
    return parsed


def _source_and_grade(s: _Load) -> None:
    """Parse the deal source, grade and forecast category; an unknown grade is a warning."""
    out, index = s.out, s.index
    src = s.column(Opportunities.source)
    out[Opportunities.source] = (
        pd.Series(pd.NA, index=index, dtype=STRING)
        if src is None
        else parse_source(src).values.astype(STRING)
    )
    grade_col = s.column(Opportunities.grade)
    rating = grade_col is not None and _is_rating(grade_col)
    if s.evidence is not None and grade_col is not None:
        s.evidence.grade_values = _has_text(grade_col)
        s.evidence.all_ratings = rating or not s.evidence.grade_values
    if grade_col is not None and s.decided is not None and s.decided.rating is not None:
        rating = s.decided.rating
    if s.evidence is not None and grade_col is not None:
        s.evidence.rating_used = rating
    if rating:
        # Dynamics' and Salesforce's "Rating" (Hot, Warm, Cold) rates the deal, not the customer:
        # read as a grade, every row would be an unknown grade.
        s.notes.append(("note_grade_is_rating", {"column": s.cmap.header_for(Opportunities.grade)}))
        grade_col = None
    if grade_col is not None:
        parsed = parse_grade(grade_col)
        out[Opportunities.grade] = parsed.values.astype(STRING)
        s.findings.add(index[parsed.bad], "unknown_grade", "warning", Opportunities.grade)
    else:
        out[Opportunities.grade] = pd.Series(pd.NA, index=index, dtype=STRING)

    category = s.column(Opportunities.forecast_category)
    out[Opportunities.forecast_category] = (
        pd.Series(pd.NA, index=index, dtype=STRING)
        if category is None
        else parse_forecast_category(category).values.astype(STRING)
    )
    # The customer's procurement stage rides along only where the export has one (no column,
    # no claim either way); a value that names no procurement stage is a warning.
    procurement = s.column(PROCUREMENT_FIELD)
    if procurement is not None:
        parsed = parse_procurement(procurement)
        out[PROCUREMENT_FIELD] = parsed.values.astype(STRING)
        s.findings.add(
            index[parsed.bad],
            "unknown_procurement_stage",
            "warning",
            PROCUREMENT_FIELD,
            procurement[parsed.bad],
        )


#: A deal's rating by temperature (Dynamics 365's and Salesforce's Rating), not a grade A–D.
_RATINGS = frozenset({"hot", "warm", "cold", "热", "温", "冷"})


def _has_text(column: pd.Series) -> bool:
    """Whether ``column`` holds a value that is not only white space."""
    values = column.dropna().astype(str).str.strip()
    return bool((values != "").any())


def _is_rating(column: pd.Series) -> bool:
    """True when every value of ``column`` is a temperature (Hot, Warm, Cold)."""
    # The distinct values only (a few), not every row's text through Python.
    values = {str(v).strip().casefold() for v in column.dropna().unique()} - {""}
    return bool(values) and values <= _RATINGS


def _snapshot_date(s: _Load, as_of: date | str | pd.Timestamp | None) -> None:
    """Each row's snapshot date: a column, else the user's date, else the file name's."""
    # Never guessed: with none of the three, the file is unusable (with a proposed date).
    snap_header = s.cmap.header_for(Opportunities.snapshot_date)
    fallback, s.snapshot_source = _snapshot_fallback(as_of, s.name)
    if snap_header is not None:
        snap = _snapshot_from_column(s, snap_header, fallback)
        s.snapshot_source = "column"
    elif s.kind == "history" or fallback is None:
        proposed, origin, column_name = propose_snapshot_date(
            s.raw, s.out, s.cmap, s.dayfirst, s.layout.footer
        )
        raise UnusableFile(
            "no_snapshot_date",
            file=s.name,
            proposed=proposed.date().isoformat(),
            origin=origin,
            column=column_name,
        )
    else:
        snap = _snapshot_from_fallback(s, fallback)
    s.out[Opportunities.snapshot_date] = snap


def _snapshot_fallback(
    as_of: date | str | pd.Timestamp | None, name: str
) -> tuple[pd.Timestamp | None, str | None]:
    """The date the user gave, else the one the file name carries, and which it was."""
    user_date = None if as_of is None else pd.Timestamp(as_of)
    if user_date is not None:
        return user_date.normalize(), "user"
    from_name = snapshot_date_from_name(name)
    if from_name is not None:
        return from_name[0], "file_name"
    return None, None


def _snapshot_from_column(s: _Load, header: str, fallback: pd.Timestamp | None) -> pd.Series:
    """The snapshot-date column parsed, blanks filled from ``fallback``; bad dates are errors."""
    parsed = _parse_dates(s, header)
    snap = parsed.values
    if parsed.extra is not None:
        parsed_bad = parsed.bad | parsed.extra.to_numpy(dtype=bool)
        snap = snap.mask(parsed.extra)
    else:
        parsed_bad = parsed.bad
    if fallback is not None:
        snap = snap.where(snap.notna() | parsed_bad, fallback)
    bad = parsed_bad | snap.isna().to_numpy()
    s.findings.add(
        s.index[bad],
        "unparseable_snapshot_date",
        "error",
        Opportunities.snapshot_date,
        header=header,
    )
    s.notes.append(
        (
            "note_shape_history" if s.kind == "history" else "note_snapshot_from_column",
            {"column": header},
        )
    )
    return snap


def _snapshot_from_fallback(s: _Load, fallback: pd.Timestamp) -> pd.Series:
    """Every row dated ``fallback`` (the user's date or the file name's), with a note saying so."""
    snap = pd.Series(fallback, index=s.index, dtype="datetime64[ns]")
    if s.snapshot_source == "user":
        s.notes.append(("note_snapshot_from_user", {"date": fallback.date().isoformat()}))
    else:
        label = snapshot_date_from_name(s.name)[1]
        key = (
            "note_snapshot_from_name"
            if "D" not in label.replace("YYYY", "")
            else "note_snapshot_from_name_day"
        )
        s.notes.append(
            (key, {"date": fallback.date().isoformat(), "file": s.name, "pattern": label})
        )
    return snap


def _checklist_and_extra_columns(s: _Load) -> None:
    """Add the milestone checklist, per-stage dates, unmapped columns and how rows were seen."""
    out = s.out
    stage_date_cols = []
    for header, target in s.cmap.fields.items():
        if target.startswith("checklist."):
            parsed = parse_bool(s.raw[header])
            out[target] = parsed.values
            s.findings.add(
                s.index[parsed.bad], "unparseable_checklist", "warning", target, header=header
            )
        elif target.startswith("stage_date."):
            out[target] = _dates(s, target, header)
            stage_date_cols.append(header)
        elif target.startswith("factor.") and s.model.evaluation is not None:
            # An evaluation factor's score (domain.md §6); a cell it cannot read is blank.
            parsed = parse_factor(s.raw[header], s.model.evaluation.columns[target])
            out[target] = parsed.values
            s.findings.add(
                s.index[parsed.bad], "unknown_factor_value", "warning", target, header=header
            )
    if s.kind == "stage_dates":
        s.notes.append(("note_shape_stage_dates", {"columns": "、".join(stage_date_cols)}))
    for header in s.cmap.unmapped:
        out[f"extra.{header}"] = s.raw[header].astype(STRING)
    if s.cmap.unmapped:
        s.notes.append(("note_unmapped", {"columns": "、".join(s.cmap.unmapped)}))
    out["observed_via"] = "history" if s.kind == "history" else "snapshot"


def _reversed_outcomes(s: _Load) -> None:
    """Warn of the rows of a log where a deal once won is later lost."""
    # A deal logged won and later lost is a CRM correction: it counts by its final
    # outcome (the history takes the last row), and the reversal is reported.
    seq = s.out[
        [Opportunities.opportunity_id, Opportunities.snapshot_date, Opportunities.status]
    ].sort_values([Opportunities.opportunity_id, Opportunities.snapshot_date], kind="stable")
    won_before = (
        (seq[Opportunities.status] == WON)
        .astype("int8")
        .groupby(seq[Opportunities.opportunity_id])
        .cummax()
        .groupby(seq[Opportunities.opportunity_id])
        .shift(fill_value=0)
        .astype(bool)
    )
    reversed_rows = seq.index[
        ((seq[Opportunities.status] == LOST) & won_before).to_numpy(dtype=bool)
    ]
    s.findings.add(reversed_rows, "outcome_reversed", "warning", Opportunities.stage)


def _stage_evidence(s: _Load) -> pd.DataFrame:
    """What the file says about each stage value as written (for inferring a stage model)."""
    out = s.out
    return stage_evidence(
        out[Opportunities.stage_label],
        out[Opportunities.opportunity_id],
        out[Opportunities.snapshot_date],
        out[Opportunities.probability],
        s.explicit_status,
    )


def _rule_checks(s: _Load, unique: bool = True) -> None:
    """Run the pandera error and warning rules on the typed frame and record what fails
    (without ``unique``, all but the duplicate ids)."""
    keys = (
        (
            Opportunities.opportunity_id,
            Opportunities.snapshot_date,
            Opportunities.stage_label,
            Opportunities.status,
        )
        if s.kind == "history"
        else (Opportunities.opportunity_id, Opportunities.snapshot_date)
    )
    # Rows a rule may report: a blank id is not also a duplicate, an unknown stage is not also
    # a missing one, and an unreadable amount (already an error) is not also a missing one.
    only = {
        "duplicate_id": ~s.missing_id,
        "missing_stage": ~s.unknown,
        "missing_amount": s.missing_amount,
    }
    # pandera reports a failing frame-wide check once per column it sees, so each schema is
    # given only the columns its checks read.
    errors = error_schema(s.model, keys if unique else ())
    _run_schema(errors, s.out[list(errors.columns)], s.findings, "error", only)
    # Warnings are cross-column rules: pandera's Check gives each one's mask directly.
    narrow = s.out[list(WARNING_COLUMNS)]
    for check in warning_schema(s.kind != "history").checks:
        failed = ~check(narrow).check_output.to_numpy(dtype=bool)
        _report(check.name, narrow.index[failed], narrow, s.findings, "warning", only)


def _open_deals_close_date(s: _Load) -> None:
    """A file whose one close-date column is read as the actual close ("结单日期", "成交日期",
    "Close Date" beside no expected-close column): on an open or on-hold deal that date can
    only be the expected close, so it is read as that (the forecast and the overdue check use
    it) and the deal has no actual close date."""
    cmap, out = s.cmap, s.out
    header = cmap.header_for(Opportunities.close_date)
    if header is None or cmap.header_for(Opportunities.expected_close_date) is not None:
        return
    not_closed = ~out[Opportunities.status].isin([WON, LOST]).to_numpy(dtype=bool)
    dated = out[Opportunities.close_date].notna().to_numpy(dtype=bool)
    moved = not_closed & dated
    if not moved.any():
        return
    out[Opportunities.expected_close_date] = out[Opportunities.close_date].where(moved)
    out[Opportunities.close_date] = out[Opportunities.close_date].mask(moved)
    s.notes.append(("note_close_date_both", {"column": header}))


def _close_dates(s: _Load) -> None:
    """Fill the actual close date of closed deals from a lost-date or single close-date column."""
    # (After the rule checks: they read the close-date column once, as the expected close.)
    out, cmap = s.out, s.cmap
    if cmap.header_for("lost_date") is not None:
        # Won and lost dates kept apart (Pipedrive): a lost deal closed on its lost date.
        lost_rows = (out[Opportunities.status] == LOST).to_numpy(dtype=bool)
        out[Opportunities.close_date] = out[Opportunities.close_date].mask(
            lost_rows & out["lost_date"].notna().to_numpy(), out["lost_date"]
        )
    close_header = cmap.header_for(Opportunities.expected_close_date)
    if cmap.header_for(Opportunities.close_date) is None and close_header is not None:
        # One "close date" column (Salesforce, most spreadsheets) is the expected close of an
        # open deal and the actual close of a closed one: read it both ways.
        closed_rows = out[Opportunities.status].isin([WON, LOST]).to_numpy(dtype=bool)
        if closed_rows.any():
            out[Opportunities.close_date] = out[Opportunities.expected_close_date].where(
                closed_rows
            )
            s.notes.append(("note_close_date_both", {"column": close_header}))


def _result(s: _Load, grid: RawGrid, sha: str, evidence: pd.DataFrame) -> LoadResult:
    """Split the rows into valid and rejected and gather everything into a :class:`LoadResult`."""
    out, raw, layout = s.out, s.raw, s.layout
    frame = s.findings.frame()
    rejected_rows = _rejected_rows(frame)
    valid = _valid(out, rejected_rows, frame)
    rejected = raw.loc[rejected_rows].copy()
    rejected.index.name = "row"
    return LoadResult(
        file_name=s.name,
        file_format=grid.file_format,
        content_sha256=sha,
        stage_model=s.model,
        mapping=s.cmap,
        shape=s.kind,
        header_row=layout.header_row,
        opportunities=valid,
        rejected=rejected,
        findings=frame,
        notes=tuple(s.notes),
        rows_read=len(raw),
        sheet=grid.sheet,
        sheets=grid.sheets,
        encoding=grid.encoding,
        snapshot_source=s.snapshot_source,
        letters=dict(layout.letters),
        preview=raw.head(50).copy(),
        stage_counts=s.stage_counts,
        stage_evidence=evidence,
    )


def _rejected_rows(findings: pd.DataFrame) -> pd.Index:
    """The rows with an error."""
    return pd.Index(findings.loc[findings["severity"] == "error", "row"].unique())


def _valid(out: pd.DataFrame, rejected_rows: pd.Index, findings: pd.DataFrame) -> pd.DataFrame:
    """The typed rows without the rejected ones (``out`` is emptied), with each one's flags."""
    valid = _without(out, rejected_rows) if len(rejected_rows) else out
    valid["flags"] = _flags(findings).reindex(valid.index).astype(STRING)
    return valid


def _without(out: pd.DataFrame, rows: pd.Index) -> pd.DataFrame:
    """``out`` without ``rows``, taken a column at a time and emptying ``out`` as it goes: the
    frame is held once and one column twice, not the whole frame twice (the highest memory
    of a 500k-row load was this copy)."""
    keep = ~out.index.isin(rows)
    index = out.index[keep]
    columns = {c: out.pop(c).array[keep] for c in list(out.columns)}
    return pd.DataFrame(columns, index=index, copy=False)


WARNING_COLUMNS = (
    Opportunities.amount,
    Opportunities.status,
    Opportunities.created_date,
    Opportunities.expected_close_date,
    Opportunities.close_date,
    Opportunities.snapshot_date,
)


#: Cells that mean "no value" in exports and spreadsheets (R and many CRMs write NA; Excel's
#: lookups leave #N/A; Chinese sheets write 无 or 暂无). Read as blank, counted in one note.
MISSING_MARKERS = frozenset(
    {
        "NA",
        "N/A",
        "n/a",
        "na",
        "N/a",
        "#N/A",
        "#NA",
        "#n/a",
        "null",
        "NULL",
        "Null",
        "None",
        "none",
        "NONE",
        "nil",
        "-",
        "--",
        "—",
        "–",
        "无",
        "暂无",
        "空",
        "nan",
        "NaN",
    }
)


STATUS_FLAGS = ("is_closed", "is_won", "active")
FLAG_ACTIVE = "active"


def _flag_status(
    columns: Mapping[str, pd.Series | None],
    implied: pd.Series,
    findings: _Findings,
    index: pd.Index,
) -> tuple[pd.Series, pd.Series] | None:
    """The status that yes/no columns give, and the words that say it (for messages).

    Salesforce's ``IsClosed`` + ``IsWon``: false → open, true + true → won, true + false → lost.
    ``IsWon`` (HubSpot's ``Is Closed Won``) alone: true → won. Odoo's ``Active``: an archived
    deal (false) is lost unless its stage (or ``IsWon``) says won.
    """
    parsed = {}
    for name, col in columns.items():
        if col is None:
            continue
        p = parse_bool(col)
        findings.add(index[p.bad], "unknown_flag", "warning", name)
        parsed[name] = p.values
    if not parsed:
        return None
    status = pd.Series(pd.NA, index=index, dtype=STRING)
    text = pd.Series(pd.NA, index=index, dtype=STRING)
    h = {name: findings.header_of.get(name, name) for name in parsed}

    def put(where: pd.Series, outcome: str, words: str) -> None:
        nonlocal status, text
        where = where.fillna(False).astype(bool)
        status, text = status.mask(where, outcome), text.mask(where, words)

    won, closed, active = parsed.get("is_won"), parsed.get("is_closed"), parsed.get("active")
    if closed is not None:
        put(closed.eq(False), OPEN, f"{h['is_closed']}=false")
    if won is not None:
        put(won.eq(True), WON, f"{h['is_won']}=true")
        if closed is not None:
            put(
                closed.eq(True) & won.eq(False),
                LOST,
                f"{h['is_closed']}=true, {h['is_won']}=false",
            )
    if active is not None:
        not_won = (status != WON).fillna(True) & (implied != WON).fillna(True)
        put(active.eq(False) & not_won, LOST, f"{h['active']}=false")
    return status, text


#: The longest missing-value marker, in UTF-8 bytes.
_MARKER_BYTES = max(len(m.encode()) for m in MISSING_MARKERS)


def _may_mark(column: pd.Series) -> bool:
    """Could the column hold a missing-value marker? Not when its shortest text is longer
    than the longest marker (ids, names, dates): read from Arrow's offsets, no text compared."""
    data = getattr(column.array, "_pa_array", None)
    if data is None or not (patypes.is_string(data.type) or patypes.is_large_string(data.type)):
        return True
    shortest = pc.min(pc.binary_length(data)).as_py()
    return shortest is not None and shortest <= _MARKER_BYTES


def _blank_missing_markers(raw: pd.DataFrame, headers: list[str]) -> tuple[pd.DataFrame, int]:
    """``raw`` with the missing-value markers in the mapped columns blanked, and their count."""
    hits = {
        h: raw[h].isin(MISSING_MARKERS).to_numpy(dtype=bool) for h in headers if _may_mark(raw[h])
    }
    count = int(sum(int(v.sum()) for v in hits.values()))
    if not count:
        return raw, 0
    raw = raw.copy()
    for h, hit in hits.items():
        if hit.any():
            raw[h] = raw[h].mask(hit)
    return raw, count


def _flags(findings: pd.DataFrame) -> pd.Series:
    """Each warned row's rules, ``;``-joined in report order (most rows have one)."""
    w = findings.loc[findings["severity"] == "warning", ["row", "rule"]].drop_duplicates()
    per_row = w["row"].map(w["row"].value_counts())
    single = w[per_row == 1].set_index("row")["rule"]
    several = w[per_row > 1].groupby("row", sort=False)["rule"].agg(";".join)
    return pd.concat([single, several])


_CHECK_FIELD = {
    "negative_amount": Opportunities.amount,
    "probability_out_of_range": Opportunities.probability,
    "missing_id": Opportunities.opportunity_id,
    "missing_stage": Opportunities.stage,
    "missing_amount": Opportunities.amount,
    "overdue_close_date": Opportunities.expected_close_date,
    "duplicate_id": Opportunities.opportunity_id,
}


def _run_schema(
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    findings: _Findings,
    severity: str,
    only: Mapping[str, pd.Series],
) -> None:
    """Validate lazily and turn pandera's failure cases into findings."""
    prepare_validation()
    try:
        schema.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    for check, group in cases.groupby("check", sort=False):
        _report(
            str(check),
            pd.Index(group["index"].astype("int64").unique()),
            frame,
            findings,
            severity,
            only,
        )


def first_rows(frame: pd.DataFrame, rows: pd.Index) -> list[dict]:
    """For each duplicate row of ``frame`` (indexed by row, with the id and snapshot-date
    columns), the row its id and date were first seen on: the findings' ``first_row``."""
    keys = [Opportunities.opportunity_id, Opportunities.snapshot_date]
    # Only the rows of the duplicates' ids are looked at (a lookup in a few ids, not a
    # hashing of every row's keys): the first of each id and date among them is its first.
    ids = frame[keys[0]]
    held = frame.loc[ids.isin(ids.loc[rows].unique()).to_numpy(dtype=bool), keys]
    held = held.reset_index().drop_duplicates(keys)
    first = dict(zip(zip(held[keys[0]], held[keys[1]], strict=True), held["row"], strict=True))
    pairs = zip(frame.loc[rows, keys[0]], frame.loc[rows, keys[1]], strict=True)
    return [{"first_row": int(first.get(k, 0))} for k in pairs]


def _report(
    rule: str,
    rows: pd.Index,
    frame: pd.DataFrame,
    findings: _Findings,
    severity: str,
    only: Mapping[str, pd.Series],
) -> None:
    """Turn one check's failing rows into findings (with the values a message names)."""
    if len(rows) == 0:
        return
    target_field = None
    if rule.startswith("close_before_created:"):
        rule, target_field = rule.split(":", 1)
    elif rule == "multiple_fields_uniqueness" or rule.startswith("unique"):
        rule = "duplicate_id"
    elif rule.startswith("isin(") or rule == "unknown_stage":
        return  # unknown stage values are reported with suggestions above
    elif rule not in _CHECK_FIELD:
        return  # dtype failures cannot happen: values were typed before validation
    if rule in only:
        rows = rows[only[rule].reindex(rows).fillna(False).to_numpy(dtype=bool)]
    if rule == "duplicate_id":
        params = first_rows(frame, rows)
        findings.add(rows, rule, severity, Opportunities.opportunity_id, params=params)
        return
    field_name = target_field or _CHECK_FIELD[rule]
    params: list[dict] | None = None
    values = None
    if rule == "close_before_created":
        values = _fmt_dates(frame.loc[rows, field_name])
        params = [{"created": d} for d in _fmt_dates(frame.loc[rows, Opportunities.created_date])]
    elif rule == "overdue_close_date":
        values = _fmt_dates(frame.loc[rows, field_name])
        params = [{"as_of": d} for d in _fmt_dates(frame.loc[rows, Opportunities.snapshot_date])]
    findings.add(rows, rule, severity, field_name, values=values, params=params)

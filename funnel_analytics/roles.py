"""The key roles' view (``domain.md`` §3, §7): who on the customer's side backs each deal.

A customer buys through several people (decision maker, users, technical evaluators,
procurement, finance; an internal coach; others), who take part at different stages with
different attitudes and engagement. A roles sheet or file gives one row per deal and contact:
its role, optionally its stance (supports, neutral, opposes), its engagement (0–3), the stage
that person is at and a date. Salesforce's OpportunityContactRole export reads as one
(:data:`ROLE_FIELDS`, :data:`ROLE_VALUES`).

:func:`read_roles` reads it as exports are read (the same bounded reader, title and hint rows,
missing-value markers): each row that breaks a rule becomes a finding with its spreadsheet
row, column, value and reason; rows without a deal or a contact are rejected, the others kept.

Per open deal, :func:`role_deals` gives

- the **role-consensus stage**: by default the *lowest* stage among the engaged contacts in a
  decision-influencing role (decision maker, user, technical evaluator, procurement, finance);
  :class:`RoleRule` sets which roles count, what engagement counts as engaged and whether the
  lowest or the (lower) median stage is taken. Shown beside the reported stage, with the gap;
- four **flags**: *single contact* (one engaged contact or none: the deal hangs on one tree,
  吊在一棵树上); *no decision maker* (at a late stage, nominal probability at least
  ``late_from``, and no decision maker engaged); *opposed* (a contact in a decision-influencing
  role opposes, engaged or not); *no coach* (at Committed or later, probability at least
  ``coach_from``, and no engaged coach who does not oppose).

Without an engagement column every listed contact counts as engaged (so is a blank engagement
cell); without a stance column the *opposed* flag is not judged (left blank) and any engaged
coach counts; without a stage column there is no consensus stage, the flags still stand.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .contracts import Column, table
from .fields import Field
from .grid import DEFAULT_LIMITS, Limits, RawGrid, UnusableFile
from .i18n import MESSAGES, t
from .layout import Layout, locate_table
from .loading import FINDING_COLUMNS, _blank_missing_markers, _Findings, rule_name
from .mapping import IGNORE, ColumnMapping, header_signature, map_columns
from .procurement import _closed_at_last_open
from .reading import read_bytes, read_grid, sheet_names
from .schema import Opportunities as O
from .stages import DEFAULT_MODEL, OPEN, WON, StageModel, get_stage_model, normalize_label
from .values import _lookup, header_unit, parse_date

if TYPE_CHECKING:
    from .loading import LoadResult

__all__ = [
    "FLAGS",
    "ROLES",
    "ROLE_FIELDS",
    "ROLE_VALUES",
    "STANCES",
    "RoleRule",
    "RoleView",
    "RolesResult",
    "combine_roles",
    "consensus_by_snapshot",
    "find_roles",
    "is_roles_table",
    "map_roles",
    "read_roles",
    "role_deals",
    "role_view",
    "roles_in_upload",
]

ROLES = ("decision_maker", "user", "technical", "procurement", "finance", "coach", "other")
STANCES = ("supports", "neutral", "opposes")
FLAGS = ("single_contact", "no_decision_maker", "opposed", "no_coach")
ROLE_COLUMNS = ["opportunity_id", "contact", "role", "stance", "engagement", "role_stage", "date"]

# The roles file's fields. Order inside an alias list is priority, as for exports; a bare "Id"
# is the contact role's own id in Salesforce's export, never the deal's.
ROLE_FIELDS: tuple[Field, ...] = (
    Field(
        "opportunity_id",
        "id",
        "The deal the contact takes part in: the export's opportunity id",
        "联系人参与的商机：导出中的商机编号",
        (
            "商机编号",
            "商机id",
            "商机编码",
            "机会编号",
            "项目编号",
            "opportunity id",
            "opportunityid",
            "opp id",
            "deal id",
        ),
        ("OpportunityId", "Opportunity ID", "Deal - ID"),
    ),
    Field(
        "contact",
        "text",
        "The person (name or contact id); without the column each row is one person",
        "联系人（姓名或编号）；没有此列时每行算一人",
        (
            "联系人",
            "联系人姓名",
            "客户联系人",
            "联系人编号",
            "姓名",
            "人员",
            "contact",
            "contact name",
            "contactid",
            "contact id",
            "person",
            "full name",
            "name",
        ),
        ("ContactId", "Contact Name", "Contact"),
    ),
    Field(
        "role",
        "role",
        "The contact's role in the purchase",
        "联系人在采购中的角色",
        (
            "角色",
            "关键角色",
            "联系人角色",
            "采购角色",
            "角色类型",
            "role",
            "contact role",
            "buying role",
        ),
        ("Role",),
    ),
    Field(
        "stance",
        "stance",
        "The contact's attitude to us: supports, neutral, opposes (optional)",
        "联系人对我方的态度：支持、中立、反对（可选）",
        ("态度", "立场", "倾向", "支持度", "stance", "attitude", "sentiment"),
    ),
    Field(
        "engagement",
        "engagement",
        "How much the contact takes part, 0 (not at all) to 3 (fully) (optional)",
        "联系人的参与度，0（未参与）到 3（深度参与）（可选）",
        (
            "参与度",
            "参与程度",
            "介入程度",
            "投入度",
            "engagement",
            "engagement level",
            "involvement",
        ),
    ),
    Field(
        "role_stage",
        "stage",
        "The stage of the stage model that person is at (optional)",
        "该联系人所处的阶段（阶段模型中的阶段，可选）",
        (
            "所处阶段",
            "联系人阶段",
            "认可阶段",
            "阶段",
            "contact stage",
            "person stage",
            "stage with contact",
            "stage",
        ),
    ),
    Field(
        "date",
        "date",
        "When the row was recorded; a contact's latest row up to the as-of date counts",
        "记录日期；每位联系人以截至分析日期的最新一行为准",
        (
            "日期",
            "更新日期",
            "记录日期",
            "评估日期",
            "最后修改日期",
            "date",
            "as of",
            "updated",
            "last modified date",
            "lastmodifieddate",
            "created date",
            "createddate",
        ),
        ("LastModifiedDate", "CreatedDate"),
    ),
)
ROLE_FIELD_NAMES = tuple(f.name for f in ROLE_FIELDS)

# Values each role and stance is written as, in either language and in Salesforce's picklist.
ROLE_VALUES: dict[str, tuple[str, ...]] = {
    "decision_maker": (
        "决策者",
        "决策人",
        "拍板人",
        "最终决策者",
        "决策层",
        "经济决策者",
        "经济买家",
        "decision maker",
        "economic buyer",
        "economic decision maker",
        "executive sponsor",
        "dm",
    ),
    "user": ("使用者", "用户", "使用部门", "最终用户", "user", "business user", "end user"),
    "technical": (
        "技术评估",
        "技术评估者",
        "技术评估人",
        "技术把关",
        "技术",
        "technical evaluator",
        "technical buyer",
        "evaluator",
        "technical",
    ),
    "procurement": ("采购", "采购部", "采购人员", "procurement", "purchasing", "buyer"),
    "finance": ("财务", "财务部", "finance", "financial", "cfo"),
    "coach": (
        "教练",
        "内线",
        "教练/内线",
        "内线/教练",
        "向导",
        "coach",
        "champion",
        "internal coach",
    ),
    # Salesforce's "Influencer" sways the decision without a named part in it: other.
    "other": ("其他", "其它", "other", "influencer"),
}
STANCE_VALUES: dict[str, tuple[str, ...]] = {
    "supports": ("支持", "支持者", "赞成", "积极", "友好", "supports", "support", "supportive"),
    "neutral": ("中立", "中性", "一般", "观望", "neutral"),
    "opposes": ("反对", "反对者", "抵触", "消极", "opposes", "oppose", "opposed", "against"),
}
ENGAGEMENT_WORDS = {
    "无": 0,
    "未参与": 0,
    "低": 1,
    "中": 2,
    "高": 3,
    "none": 0,
    "low": 1,
    "medium": 2,
    "high": 3,
}
ERROR_RULES = ("role_missing_id", "role_missing_contact")
WARNING_RULES = (
    "role_unknown_role",
    "role_unknown_stance",
    "role_bad_engagement",
    "role_unknown_stage",
    "role_bad_date",
)
_ROLE_WORDS = re.compile(r"角色|联系人|关键人|决策链|role|contact", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Mapping headers
# --------------------------------------------------------------------------------------------
def _alias_table() -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for f in ROLE_FIELDS:
        for rank, alias in enumerate((*f.aliases, *f.crm)):
            key = normalize_label(header_unit(alias)[0])
            out.setdefault(key, (f.name, rank))
    return out


_ALIASES = _alias_table()
_KNOWN = frozenset(_ALIASES)


def map_roles(headers: Iterable[str], overrides: Mapping[str, str] | None = None) -> ColumnMapping:
    """Map a roles table's headers to :data:`ROLE_FIELDS`: an exact alias first, then a
    header containing a Chinese alias ("决策链角色") or an English one as a word; the user's
    ``overrides`` last (``ignore`` unmaps a column). Each field takes one column.

    >>> map_roles(["Id", "OpportunityId", "ContactId", "Role", "IsPrimary"]).fields
    {'OpportunityId': 'opportunity_id', 'ContactId': 'contact', 'Role': 'role'}
    """
    headers = list(headers)
    proposals = []
    for pos, h in enumerate(headers):
        norm = normalize_label(header_unit(h)[0])
        hit = _ALIASES.get(norm)
        if hit:
            proposals.append((2, -hit[1], -pos, h, hit[0]))
            continue
        for alias, (name, rank) in _ALIASES.items():
            ascii_word = re.fullmatch(r"[a-z0-9 ]+", alias) is not None
            if (
                ascii_word
                and len(alias) >= 4
                and re.search(rf"(?:^| ){re.escape(alias)}(?: |$)", norm)
            ) or (not ascii_word and len(alias) >= 2 and alias in norm):
                proposals.append((1, -rank, -pos, h, name))
    proposals.sort(reverse=True)
    fields: dict[str, str] = {}
    taken: set[str] = set()
    for *_order, h, name in proposals:
        if h not in fields and name not in taken:
            fields[h] = name
            taken.add(name)
    origin = {h: "auto" for h in fields}
    for h, target in (overrides or {}).items():
        if h not in headers or (target not in ROLE_FIELD_NAMES and target != IGNORE):
            raise UnusableFile(
                "bad_mapping",
                item=f"{h}={target}",
                detail=f"roles: fields {', '.join(ROLE_FIELD_NAMES)}, {IGNORE}",
            )
        fields.pop(h, None)
        origin.pop(h, None)
        if target != IGNORE:
            fields = {k: v for k, v in fields.items() if v != target}
            fields[h], origin[h] = target, "user"
    ordered = {h: fields[h] for h in headers if h in fields}
    unmapped = tuple(h for h in headers if h not in fields)
    return ColumnMapping(ordered, {}, header_signature(headers), origin, unmapped)


def is_roles_table(headers: Iterable[object]) -> bool:
    """Whether a table's headers make it a roles table: a deal, a role and a contact column,
    each named exactly by an alias (an export's "Owner Role" or "Account Name" is no role or
    contact), and no amount column (which only an opportunity export has).

    >>> is_roles_table(["OpportunityId", "ContactId", "Role", "IsPrimary"])
    True
    >>> is_roles_table(["Opportunity ID", "Account Name", "Owner Role", "Stage", "Amount"])
    False
    """
    names = [str(h) for h in headers if h is not None]
    exact = {_ALIASES[n][0] for h in names if (n := normalize_label(header_unit(h)[0])) in _ALIASES}
    if not {"opportunity_id", "role", "contact"} <= exact:
        return False
    return "amount" not in map_columns(names, DEFAULT_MODEL).fields.values()


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RolesResult:
    """What was understood of one roles table, and what was not.

    ``roles`` holds the valid rows (:data:`ROLE_COLUMNS`), indexed by spreadsheet row;
    ``rejected`` the rows refused, as written; ``findings`` every error and warning (row,
    column, value, rule) as :class:`funnel_analytics.loading.LoadResult` has them.
    """

    file_name: str
    file_format: str
    content_sha256: str
    sheet: str | None
    header_row: int
    mapping: ColumnMapping
    roles: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    notes: tuple[tuple[str, dict], ...]
    rows_read: int
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_valid(self) -> int:
        return len(self.roles)

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
    def columns(self) -> dict[str, bool]:
        """Which optional fields the table has a column for."""
        present = set(self.mapping.fields.values())
        return {f: f in present for f in ("contact", "stance", "engagement", "role_stage", "date")}

    def messages(self, findings: pd.DataFrame | None = None, lang: str = "zh") -> pd.Series:
        f = self.findings if findings is None else findings
        return pd.Series(
            [
                t(r, lang, value=t("blank_value", lang) if v is None else v, **p)
                for r, v, p in zip(f["rule"], f["value"], f["params"], strict=True)
            ],
            index=f.index,
            dtype="object",
        )

    def note_texts(self, lang: str = "zh") -> list[str]:
        return [t(k, lang, **p) for k, p in self.notes]

    def findings_table(self, severity: str, lang: str = "zh") -> pd.DataFrame:
        """Errors or warnings as the ``findings`` contract has them (row, column, value,
        rule, message), in ``lang``."""
        f = self.findings[self.findings["severity"] == severity]
        return pd.DataFrame(
            {
                "row": f["row"].to_numpy(),
                "column": f["column"].to_numpy(),
                "value": f["value"].astype("object").where(f["value"].notna(), "").to_numpy(),
                "rule": [rule_name(r, lang) for r in f["rule"]],
                "message": self.messages(f, lang).to_numpy(),
            },
            columns=["row", "column", "value", "rule", "message"],
        )

    def mapping_table(self, samples: int = 3) -> pd.DataFrame:
        """One row per column of the table (the ``mapping`` contract)."""
        rows = []
        for header in self.preview.columns:
            name = self.mapping.fields.get(header, "")
            values = self.preview[header].dropna().astype(str).unique()[:samples]
            rows.append(
                {
                    "header": header,
                    "field": name,
                    "origin": self.mapping.origin.get(header, "none") if name else "none",
                    "samples": " | ".join(values),
                }
            )
        return pd.DataFrame(rows, columns=["header", "field", "origin", "samples"])

    def report(self, lang: str = "zh") -> dict:
        """What was read, as plain data (``report --json``'s ``roles.files``)."""

        def items(f: pd.DataFrame) -> list[dict]:
            msgs = self.messages(f, lang)
            return [
                {"row": int(r), "column": c, "value": v, "rule": rule, "message": m}
                for r, c, v, rule, m in zip(
                    f["row"], f["column"], f["value"], f["rule"], msgs, strict=True
                )
            ]

        return {
            "file": self.file_name,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "mapping": self.mapping.as_dict(),
            "errors": items(self.errors),
            "warnings": items(self.warnings),
            "notes": self.note_texts(lang),
        }


def _roles_layout(grid: RawGrid, limits: Limits) -> Layout | None:
    """The grid's table when its header makes it a roles table, else None."""
    try:
        layout = locate_table(grid, limits.header_scan_rows, known=_KNOWN)
    except UnusableFile:
        return None
    return layout if is_roles_table(layout.headers) else None


def read_roles(
    source: str | Path | bytes,
    file_name: str | None = None,
    *,
    stage_model: StageModel | str | None = None,
    sheet: str | int | None = None,
    mapping: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RolesResult:
    """Read, map, parse and check one roles table (a CSV, or a workbook's roles sheet).

    Parameters
    ----------
    source
        A path, or the bytes of an upload (give ``file_name`` then).
    stage_model
        Reads the ``role_stage`` column (default six-state).
    sheet
        The sheet to read; by default the first whose header names a deal, a role and a
        contact (sheets named like 角色, 联系人, Role or Contact are looked at first).
    mapping
        Overrides, header to field of :data:`ROLE_FIELDS` or ``ignore``.

    Returns
    -------
    RolesResult
        Valid rows, rejected rows, findings and notes.

    Raises
    ------
    UnusableFile
        The file cannot be read, or no sheet has a deal and a role column (``no_roles_table``).

    Examples
    --------
    >>> r = read_roles(b"OpportunityId,ContactId,Role\\nD1,C1,Decision Maker\\n", "ocr.csv")
    >>> r.roles[["opportunity_id", "contact", "role"]].to_dict("records")
    [{'opportunity_id': 'D1', 'contact': 'C1', 'role': 'decision_maker'}]
    """
    model = get_stage_model(stage_model)
    data, name = read_bytes(source, file_name, limits)
    sha = hashlib.sha256(data).hexdigest()
    if sheet is not None or not sheet_names(data, name, limits):
        grid = read_grid(data, name, sheet=sheet, limits=limits)
        layout = locate_table(grid, limits.header_scan_rows, known=_KNOWN)
        return _parse(grid, layout, name, sha, model, mapping)
    found = _scan_sheets(data, name, None, limits)
    if found is None:
        raise UnusableFile("no_roles_table", file=name)
    return _parse(*found, name, sha, model, mapping)


def _scan_sheets(
    data: bytes, name: str, skip: str | None, limits: Limits
) -> tuple[RawGrid, Layout] | None:
    """The first sheet of a workbook (other than ``skip``) that holds a roles table, those
    named like one first; at most ten sheets are read."""
    names = [s for s in sheet_names(data, name, limits) if s != skip]
    names.sort(key=lambda s: _ROLE_WORDS.search(s) is None)  # stable: named ones first
    for sheet in names[:10]:
        try:
            grid = read_grid(data, name, sheet=sheet, limits=limits)
        except UnusableFile:
            continue
        layout = _roles_layout(grid, limits)
        if layout is not None:
            return grid, layout
    return None


_PEEK_BYTES = 65_536


def _csv_head(data: bytes) -> bytes:
    """The first complete lines of a CSV (enough to find its header), whatever its encoding."""
    if len(data) <= _PEEK_BYTES:
        return data
    cut = data.rfind(b"\n", 0, _PEEK_BYTES)
    if cut < 0:
        return data
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    return data[: cut + (2 if utf16 and data[:2] == b"\xff\xfe" else 1)]


def find_roles(
    source: str | Path | bytes,
    file_name: str | None = None,
    *,
    stage_model: StageModel | str | None = None,
    skip_sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RolesResult | None:
    """The roles table a file holds, or None: a CSV whose header names a deal, a role and a
    contact (only its first lines are read to tell), or a workbook's sheet (other than
    ``skip_sheet``) whose header does. Files that cannot be read hold none."""
    try:
        data, name = read_bytes(source, file_name, limits)
        if not sheet_names(data, name, limits):
            if _roles_layout(read_grid(_csv_head(data), name, limits=limits), limits) is None:
                return None
            return read_roles(data, name, stage_model=stage_model, limits=limits)
        found = _scan_sheets(data, name, skip_sheet, limits)
    except UnusableFile:
        return None
    if found is None:
        return None
    return _parse(*found, name, hashlib.sha256(data).hexdigest(), get_stage_model(stage_model))


def roles_in_upload(
    data: bytes,
    file_name: str,
    loaded: LoadResult | None,
    *,
    stage_model: StageModel | str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RolesResult | None:
    """The roles table an upload holds, or None.

    ``loaded`` is the upload read as an opportunity export, where it could be: the sheet it
    took is a roles table only if its headers say so (then the upload *is* a roles file); a
    CSV or a one-sheet workbook read as an export holds nothing else, so nothing more is read.
    """
    if loaded is not None and not is_roles_table(loaded.preview.columns):
        if loaded.file_format == "csv" or len(loaded.sheets) <= 1:
            return None
        return find_roles(
            data, file_name, stage_model=stage_model, skip_sheet=loaded.sheet, limits=limits
        )
    if loaded is not None and loaded.sheet is not None:
        try:
            return read_roles(
                data, file_name, stage_model=stage_model, sheet=loaded.sheet, limits=limits
            )
        except UnusableFile:
            return None
    return find_roles(data, file_name, stage_model=stage_model, limits=limits)


def _parse(
    grid: RawGrid,
    layout: Layout,
    name: str,
    sha: str,
    model: StageModel,
    overrides: Mapping[str, str] | None = None,
) -> RolesResult:
    cmap = map_roles(layout.headers, overrides)
    if cmap.header_for("opportunity_id") is None or cmap.header_for("role") is None:
        raise UnusableFile("no_roles_table", file=name)
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
    raw, markers = _blank_missing_markers(layout.data, list(cmap.fields))
    if markers:
        notes.append(("note_missing_markers", {"count": markers}))
    findings = _Findings(layout, cmap)
    index = raw.index

    def column(name: str) -> pd.Series | None:
        h = cmap.header_for(name)
        return None if h is None else raw[h]

    def text(name: str) -> pd.Series:
        col = column(name)
        if col is None:
            return pd.Series(pd.NA, index=index, dtype="string")
        out = col.astype("string").str.strip()
        return out.mask(out == "")

    out = pd.DataFrame(index=index)
    out.index.name = "row"
    out["opportunity_id"] = text("opportunity_id")
    rejected = out["opportunity_id"].isna()
    findings.add(index[rejected], "role_missing_id", "error", "opportunity_id")
    if column("contact") is None:  # each row is one person
        out["contact"] = pd.Series([f"#{r}" for r in index], index=index, dtype="string")
        notes.append(("note_roles_no_contact", {}))
    else:
        out["contact"] = text("contact")
        blank = out["contact"].isna()
        findings.add(index[blank], "role_missing_contact", "error", "contact")
        rejected |= blank
    roles = _lookup(column("role"), _values_table(ROLE_VALUES))
    out["role"] = roles.values.fillna("other")
    findings.add(index[roles.bad], "role_unknown_role", "warning", "role")
    blank_roles = int((text("role").isna()).sum())
    if blank_roles:
        notes.append(("note_roles_blank_role", {"count": blank_roles}))
    out["stance"] = pd.Series(pd.NA, index=index, dtype="string")
    if column("stance") is not None:
        stance = _lookup(column("stance"), _values_table(STANCE_VALUES))
        out["stance"] = stance.values
        findings.add(index[stance.bad], "role_unknown_stance", "warning", "stance")
    out["engagement"] = pd.Series(pd.NA, index=index, dtype="Int64")
    if column("engagement") is not None:
        engagement, bad = _engagement(column("engagement"))
        out["engagement"] = engagement
        findings.add(index[bad], "role_bad_engagement", "warning", "engagement")
    out["role_stage"] = pd.Series(pd.NA, index=index, dtype="string")
    if column("role_stage") is not None:
        raw_stage = text("role_stage")
        matched = model.match(raw_stage)
        known = matched["status"].isin([OPEN, WON]).fillna(False).to_numpy(dtype=bool)
        out["role_stage"] = matched["stage"].where(known)
        bad = (raw_stage.notna().to_numpy(dtype=bool)) & ~known
        findings.add(
            index[bad], "role_unknown_stage", "warning", "role_stage", params={"model": model.name}
        )
    out["date"] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if column("date") is not None:
        dates = parse_date(column("date"))
        out["date"] = pd.to_datetime(dates.values).astype("datetime64[ns]")
        findings.add(index[dates.bad], "role_bad_date", "warning", "date")
        if dates.note:
            notes.append(("note_" + dates.note, {"column": cmap.header_for("date")}))
    frame = findings.frame()[FINDING_COLUMNS]
    mask = rejected.to_numpy(dtype=bool)
    preview = layout.data.head(20).astype("string")
    return RolesResult(
        file_name=name,
        file_format=grid.file_format,
        content_sha256=sha,
        sheet=grid.sheet,
        header_row=layout.header_row,
        mapping=cmap,
        roles=out[~mask][ROLE_COLUMNS],
        rejected=layout.data[mask],
        findings=frame,
        notes=tuple(notes),
        rows_read=len(index),
        preview=preview,
    )


def _values_table(values: Mapping[str, tuple[str, ...]]) -> dict[str, object]:
    table: dict[str, object] = {}
    for key, words in values.items():
        for word in (key, *words):
            table.setdefault(normalize_label(word), key)
    return table


def _engagement(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Engagement 0–3 (a whole number, or 无/低/中/高, none/low/medium/high); anything else
    is unreadable and left blank."""
    words = _lookup(raw, {normalize_label(k): float(v) for k, v in ENGAGEMENT_WORDS.items()})
    text = raw.astype("string").str.strip().str.replace(r"\s*分$", "", regex=True)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    value = numbers.where(numbers.notna(), pd.to_numeric(words.values, errors="coerce"))
    ok = value.isin([0.0, 1.0, 2.0, 3.0]).to_numpy(dtype=bool)
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    return value.where(ok).astype("Int64"), ~ok & ~blank


def combine_roles(results: Iterable[RolesResult]) -> pd.DataFrame | None:
    """The valid rows of several roles tables as one (None when there are none): what the
    view reads. A table without a stance, engagement or stage column leaves it blank."""
    frames = [r.roles.reset_index(drop=True) for r in results if len(r.roles)]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoleRule:
    """How the role-consensus stage and the flags are decided (variants by
    :func:`dataclasses.replace`).

    ``roles`` are the decision-influencing roles: they make the consensus stage, and one of
    them opposing flags the deal. A contact is engaged at ``min_engagement`` or more (a
    contact with no engagement given is engaged). ``method`` is ``lowest`` (the default: the
    deal is where its most reluctant engaged influencer is) or ``median`` (the lower median).
    A stage is late from nominal probability ``late_from`` (six-state: Shortlisted on) and
    Committed or later from ``coach_from`` (six-state: Committed, Near-win).
    """

    roles: tuple[str, ...] = ("decision_maker", "user", "technical", "procurement", "finance")
    min_engagement: int = 1
    method: str = "lowest"
    late_from: float = 0.5
    coach_from: float = 0.75

    def __post_init__(self) -> None:
        if self.method not in ("lowest", "median"):
            raise ValueError("method must be 'lowest' or 'median'")
        unknown = sorted(set(self.roles) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown roles {unknown}; roles are {ROLES}")

    def as_dict(self) -> dict:
        return {
            "roles": list(self.roles),
            "min_engagement": self.min_engagement,
            "method": self.method,
            "late_from": self.late_from,
            "coach_from": self.coach_from,
        }


_FLAG_COLUMNS = {
    "single_contact": (
        "只有一位联系人",
        "Single contact",
        "参与的联系人不超过一位：整个商机吊在一棵树上。",
        "At most one engaged contact: the deal hangs on one tree.",
    ),
    "no_decision_maker": (
        "后期无决策者",
        "No decision maker",
        "处于后期阶段，却没有参与的决策者。",
        "At a late stage with no decision maker engaged.",
    ),
    "opposed": (
        "有关键角色反对",
        "Opposed",
        "有影响决策的角色（决策者、使用者、技术评估、采购、财务）持反对态度；没有态度列时不判断。",
        "A decision-influencing role (decision maker, user, technical evaluator, procurement, "
        "finance) opposes; not judged without a stance column.",
    ),
    "no_coach": (
        "意向阶段后无教练",
        "No coach",
        "处于意向客户或更后的阶段，却没有参与且不反对的教练（内线）。",
        "At Committed or later with no engaged coach who does not oppose.",
    ),
}


def _flag_column(name: str, kind: str) -> Column:
    zh, en, about_zh, about_en = _FLAG_COLUMNS[name]
    if kind == "count":
        about_zh, about_en = f"有此标记的商机数：{about_zh}", f"Deals with this flag: {about_en}"
    return Column(name, kind, zh, en, about_zh, about_en)


DEAL_COLUMNS = [
    "opportunity_id",
    "owner",
    "team",
    "amount",
    "stage",
    "consensus_stage",
    "role_gap",
    "contacts",
    "engaged_contacts",
    *FLAGS,
    "flagged",
]
DEALS = table(
    "roles_deals",
    *DEAL_COLUMNS,
    local=[
        Column(
            "consensus_stage",
            "stage",
            "关键角色共识阶段",
            "Role-consensus stage",
            "参与的决策相关角色所处阶段中最低的一个（规则可设置）。",
            "The lowest stage among the engaged decision-influencing contacts (the rule can be "
            "set).",
        ),
        Column(
            "role_gap",
            "count",
            "差距（阶段）",
            "Gap (stages)",
            "共识阶段减去汇报阶段的阶段数：负数表示关键角色落后于汇报。",
            "Consensus stage minus reported stage, in stages: below 0 the roles are behind "
            "what is reported.",
        ),
        Column(
            "contacts",
            "count",
            "联系人",
            "Contacts",
            "角色表中该商机的联系人数。",
            "Contacts the roles table lists for the deal.",
        ),
        Column(
            "engaged_contacts",
            "count",
            "参与的联系人",
            "Engaged contacts",
            "参与度达到门槛的联系人数（没有参与度时为全部联系人）。",
            "Contacts at or above the engagement threshold (all of them where none is given).",
        ),
        *(_flag_column(f, "flag") for f in FLAGS),
        Column(
            "flagged",
            "flag",
            "有风险标记",
            "Flagged",
            "至少有一个关键角色风险标记。",
            "At least one key-role flag.",
        ),
    ],
)
_GROUP_LOCAL = [
    Column(
        "with_roles",
        "count",
        "有角色记录",
        "With roles",
        "角色表中有联系人的进行中商机数。",
        "Open deals the roles table lists contacts for.",
    ),
    Column(
        "flagged_count",
        "count",
        "有风险标记",
        "Flagged",
        "有至少一个关键角色风险标记的进行中商机数。",
        "Open deals with at least one key-role flag.",
    ),
    Column(
        "flagged_share",
        "share",
        "标记占比",
        "Flagged share",
        "有风险标记的商机占有角色记录商机的比例。",
        "Flagged deals as a share of the deals with roles.",
    ),
    Column(
        "flagged_amount",
        "amount",
        "标记金额",
        "Flagged amount",
        "有风险标记的进行中商机金额合计。",
        "Open amount of the flagged deals.",
    ),
    *(_flag_column(f, "count") for f in FLAGS),
]
GROUP_TAIL = ["open_count", "open_amount", "with_roles", "flagged_count", "flagged_share"]
GROUP_TAIL += ["flagged_amount", *FLAGS]
BY_OWNER = table("roles_by_owner", "owner", *GROUP_TAIL, local=_GROUP_LOCAL)
BY_TEAM = table("roles_by_team", "team", *GROUP_TAIL, local=_GROUP_LOCAL)


def _side(side: str, zh: str, en: str) -> list[Column]:
    who_zh, who_en = ("有", "with") if side == "flagged" else ("无", "without")
    return [
        Column(
            f"closed_{side}",
            "count",
            f"已结束（{zh}）",
            f"Closed ({en})",
            f"{who_zh}此标记、已赢单或输单的商机数（按最后一次进行中时的阶段判断）。",
            f"Closed deals {who_en} the flag, judged at their last open observation.",
        ),
        Column(
            f"won_{side}",
            "count",
            f"赢单（{zh}）",
            f"Won ({en})",
            "其中赢单的商机数。",
            "Of those, deals won.",
        ),
        Column(
            f"win_rate_{side}",
            "share",
            f"赢单率（{zh}）",
            f"Win rate ({en})",
            "赢单数 ÷ 已结束数。",
            "Won ÷ closed.",
        ),
        Column(
            f"win_rate_{side}_low",
            "share",
            f"下限（{zh}）",
            f"Low ({en})",
            "赢单率 95% Wilson 区间下限。",
            "Lower bound of the win rate's 95% Wilson interval.",
        ),
        Column(
            f"win_rate_{side}_high",
            "share",
            f"上限（{zh}）",
            f"High ({en})",
            "赢单率 95% Wilson 区间上限。",
            "Upper bound of the win rate's 95% Wilson interval.",
        ),
    ]


WIN_LOCAL = [
    Column(
        "flag",
        "text",
        "标记",
        "Flag",
        "关键角色风险标记（任一标记，或某一个）。",
        "The key-role flag (any flag, or one of them).",
        values="role_flag_",
    ),
    *_side("flagged", "有标记", "flagged"),
    *_side("unflagged", "无标记", "not flagged"),
    Column(
        "closed_same_stages",
        "count",
        "同阶段比较数",
        "Compared at same stages",
        "有此标记的已结束商机中，其阶段也有无标记商机结束的数量（同阶段差距据此计算）。",
        "Flagged closed deals at stages where deals without the flag also closed (the gap at "
        "the same stages is computed on these).",
    ),
    Column(
        "gap_same_stages",
        "share",
        "同阶段差距",
        "Gap at same stages",
        "逐阶段比较：每个阶段有标记的赢单率减无标记的赢单率，按该阶段有标记的商机数加权平均。"
        "早期阶段的商机本就较少赢单；此列去掉阶段构成的影响，负数表示同阶段下有标记的商机赢得更少。",
        "Compared stage by stage: at each stage, the flagged win rate minus the unflagged one, "
        "averaged with the flagged deals there as weights. Early-stage deals win less anyway; "
        "this takes the stage mix out: negative means flagged deals won less at the same stages.",
    ),
]
WIN_COLUMNS = [c.name for c in WIN_LOCAL]
WIN_RATES = table("roles_win_rate", *WIN_COLUMNS, local=WIN_LOCAL)


def _current_roles(roles: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Each deal's contacts as they stand at ``as_of``: rows dated later are left out, and a
    contact's latest row counts (undated rows before dated ones, then in file order)."""
    if as_of is not None:
        roles = roles[~(roles["date"] > pd.Timestamp(as_of))]
    order = roles.assign(_undated=roles["date"].isna()).sort_values(
        ["_undated", "date"], ascending=[False, True], kind="stable", na_position="first"
    )
    return order.drop_duplicates(["opportunity_id", "contact"], keep="last").drop(
        columns="_undated"
    )


def role_deals(
    snapshot: pd.DataFrame,
    roles: pd.DataFrame | None,
    model: StageModel,
    rule: RoleRule = RoleRule(),
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per open deal of ``snapshot`` (the ``roles_deals`` contract): its contacts, the
    role-consensus stage beside the reported one, and the four flags (see the module's
    docstring and :class:`RoleRule`). Deals the roles table does not list have 0 contacts and
    blank flags; ``opposed`` is blank where the table gives no stance.

    Examples
    --------
    >>> from funnel_analytics.stages import DEFAULT_MODEL
    >>> snap = pd.DataFrame({"opportunity_id": ["D1"], "stage": ["committed"],
    ...                      "status": ["open"], "amount": [100.0]})
    >>> roles = pd.DataFrame({"opportunity_id": ["D1"], "contact": ["王"], "role": ["coach"],
    ...     "stance": ["supports"], "engagement": [3], "role_stage": [pd.NA],
    ...     "date": [pd.NaT]})
    >>> role_deals(snap, roles, DEFAULT_MODEL)[["contacts", *FLAGS]].to_dict("records")
    [{'contacts': 1, 'single_contact': True, 'no_decision_maker': True, 'opposed': False, 'no_coach': False}]
    """
    deals = snapshot[snapshot[O.status] == OPEN]
    n = len(deals)
    ids = deals[O.opportunity_id].astype("object").to_numpy()
    stages = deals[O.stage].astype("object")
    stage = stages.to_numpy()
    position = {k: i for i, k in enumerate(model.keys)}
    reported = _numbers(stages.map(position)).fillna(-1).to_numpy(dtype="int64")
    prob = _numbers(stages.map(model.probabilities)).to_numpy(dtype="float64")
    out = pd.DataFrame(
        {
            "opportunity_id": ids,
            "owner": _column(deals, O.owner, n),
            "team": _column(deals, O.team, n),
            "amount": deals[O.amount].to_numpy(dtype="float64", na_value=np.nan)
            if O.amount in deals
            else np.full(n, np.nan),
            "stage": stage,
        }
    )
    has_stance = roles is not None and bool(roles["stance"].notna().any())
    per = _per_deal(roles, rule, as_of, position)
    joined = out[["opportunity_id"]].merge(per, on="opportunity_id", how="left")
    contacts = _numbers(joined["contacts"]).fillna(0).to_numpy(dtype="int64")
    listed = contacts > 0
    consensus = _numbers(joined["consensus"]).to_numpy(dtype="float64")
    known = ~np.isnan(consensus)
    named = np.full(n, None, dtype=object)
    named[known] = np.array(model.keys, dtype=object)[consensus[known].astype("int64")]
    out["consensus_stage"] = pd.Series(named, dtype="object")
    gap = np.where(~known | (reported < 0), np.nan, consensus - reported)
    out["role_gap"] = pd.Series(gap).astype("Int64")
    out["contacts"] = contacts
    out["engaged_contacts"] = _numbers(joined["engaged"]).fillna(0).to_numpy(dtype="int64")

    def flag(values: np.ndarray, judged: np.ndarray | bool = True) -> pd.arrays.BooleanArray:
        # Blank where the roles table lists nobody for the deal, or cannot judge the flag.
        return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), ~(listed & judged))

    dm, coach, opposed = (_true(joined[c]) for c in ("dm", "coach", "opposed"))
    out["single_contact"] = flag(out["engaged_contacts"].to_numpy() <= 1)
    # The stage-bound flags are judged only at the stages they speak of: below them a deal is
    # neither flagged nor clear, so the win rates compare deals at those stages only.
    late, committed = prob >= rule.late_from, prob >= rule.coach_from
    out["no_decision_maker"] = flag(late & ~dm, late)
    out["opposed"] = flag(opposed, np.full(n, has_stance))
    out["no_coach"] = flag(committed & ~coach, committed)
    any_flag = np.zeros(n, dtype=bool)
    for name in FLAGS:
        any_flag |= _true(out[name])
    out["flagged"] = flag(any_flag)
    return out[DEAL_COLUMNS].reset_index(drop=True)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _true(values: pd.Series) -> np.ndarray:
    """True where ``values`` is true; missing is false."""
    return values.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _column(frame: pd.DataFrame, name: str, n: int) -> np.ndarray:
    return (
        frame[name].astype("object").to_numpy() if name in frame else np.full(n, None, dtype=object)
    )


def consensus_by_snapshot(
    observations: pd.DataFrame,
    roles: pd.DataFrame | None,
    model: StageModel,
    rule: RoleRule = RoleRule(),
) -> pd.Series:
    """The role-consensus stage of every deal at every snapshot date of ``observations``, from
    the records dated up to that date (undated records count at every date): stage keys
    indexed by (``snapshot_date``, ``opportunity_id``), deals without one left out. So a
    snapshot's effective stage uses the key roles as they stood then, not as they stand now."""
    index = pd.MultiIndex.from_arrays([[], []], names=[O.snapshot_date, O.opportunity_id])
    empty = pd.Series([], index=index, dtype="object", name="consensus_stage")
    if roles is None or roles.empty or observations.empty:
        return empty
    position = {k: i for i, k in enumerate(model.keys)}
    keys = np.array(model.keys, dtype=object)
    dates = sorted(pd.to_datetime(observations[O.snapshot_date].dropna().unique()))
    dated = bool(roles["date"].notna().any())
    parts, once = [], None
    for d in dates:
        if dated or once is None:
            per = _per_deal(roles, rule, d if dated else None, position)
            known = per[_numbers(per["consensus"]).notna()]
            once = (
                known["opportunity_id"].astype("object").to_numpy(),
                keys[_numbers(known["consensus"]).to_numpy(dtype="int64")],
            )
        ids, stages = once
        parts.append(
            pd.Series(
                stages,
                index=pd.MultiIndex.from_arrays(
                    [np.full(len(ids), d, dtype="datetime64[ns]"), ids],
                    names=[O.snapshot_date, O.opportunity_id],
                ),
                dtype="object",
                name="consensus_stage",
            )
        )
    return pd.concat(parts) if parts else empty


def _per_deal(
    roles: pd.DataFrame | None,
    rule: RoleRule,
    as_of: pd.Timestamp | None,
    position: dict[str, int],
) -> pd.DataFrame:
    """Per deal of the roles table: contacts, engaged contacts, whether a decision maker is
    engaged, whether an engaged coach does not oppose, whether an influencer opposes, and the
    consensus stage's position."""
    columns = ["opportunity_id", "contacts", "engaged", "dm", "coach", "opposed", "consensus"]
    if roles is None or roles.empty:
        return pd.DataFrame(columns=columns)
    now = _current_roles(roles, as_of)
    engagement = now["engagement"].astype("Float64")
    engaged = (engagement.isna() | (engagement >= rule.min_engagement)).to_numpy(dtype=bool)
    role = now["role"].astype("object").to_numpy()
    opposes = now["stance"].astype("string").eq("opposes").fillna(False).to_numpy(dtype=bool)
    influential = np.isin(role, list(rule.roles))
    at = now["role_stage"].astype("object").map(position).to_numpy(dtype="float64")
    counted = influential & engaged & ~np.isnan(at)
    frame = pd.DataFrame(
        {
            "opportunity_id": now["opportunity_id"].astype("object").to_numpy(),
            "engaged": engaged,
            "dm": (role == "decision_maker") & engaged,
            "coach": (role == "coach") & engaged & ~opposes,
            "opposed": influential & opposes,
            "at": np.where(counted, at, np.nan),
        }
    )
    grouped = frame.groupby("opportunity_id", sort=False)
    out = grouped.agg(
        contacts=("engaged", "size"),
        engaged=("engaged", "sum"),
        dm=("dm", "any"),
        coach=("coach", "any"),
        opposed=("opposed", "any"),
    )
    if rule.method == "lowest":
        out["consensus"] = grouped["at"].min()
    else:  # the lower median: the middle counted contact, the lower of the two middle ones
        counted_rows = frame[frame["at"].notna()].sort_values(["opportunity_id", "at"])
        by_deal = counted_rows.groupby("opportunity_id", sort=False)["at"]
        middle = by_deal.cumcount() == (by_deal.transform("size") - 1) // 2
        out["consensus"] = counted_rows[middle.to_numpy()].set_index("opportunity_id")["at"]
    return out.reset_index()[columns]


def _group(deals: pd.DataFrame, key: str) -> pd.DataFrame:
    """Open deals, deals with roles and flagged deals per ``key`` (owner or team), the most
    flagged first."""
    if deals[key].isna().all():
        return pd.DataFrame(columns=[key, *GROUP_TAIL])
    frame = deals.assign(
        _listed=deals["contacts"] > 0,
        _flagged=deals["flagged"].fillna(False).astype(bool),
        **{f"_{f}": deals[f].fillna(False).astype(bool) for f in FLAGS},
    )
    frame["_flagged_amount"] = frame["amount"].where(frame["_flagged"], 0.0)
    grouped = frame.groupby(key, sort=True, dropna=True)
    out = grouped.agg(
        open_count=("opportunity_id", "size"),
        open_amount=("amount", "sum"),
        with_roles=("_listed", "sum"),
        flagged_count=("_flagged", "sum"),
        flagged_amount=("_flagged_amount", "sum"),
        **{f: (f"_{f}", "sum") for f in FLAGS},
    )
    out["flagged_share"] = out["flagged_count"] / out["with_roles"].where(out["with_roles"] > 0)
    for column in ("open_count", "with_roles", "flagged_count", *FLAGS):
        out[column] = out[column].astype("int64")
    out = out.reset_index()[[key, *GROUP_TAIL]]
    return out.sort_values(
        ["flagged_count", "flagged_amount"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def _same_stage_gap(
    flagged: np.ndarray, unflagged: np.ndarray, won: np.ndarray, stage: np.ndarray
) -> tuple[int, float]:
    """Flagged deals compared, and the flagged-minus-unflagged win rate stage by stage,
    weighted by the flagged deals at each stage (stages where no unflagged deal closed are
    left out: there is nothing to compare them with)."""
    codes, _ = pd.factorize(stage, use_na_sentinel=True)
    k = int(codes.max()) + 1 if len(codes) else 0
    ok = codes >= 0

    def per_stage(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = mask & ok
        return (
            np.bincount(codes[m], minlength=k).astype(float),
            np.bincount(codes[m], weights=won[m].astype(float), minlength=k),
        )

    n_f, w_f = per_stage(flagged)
    n_u, w_u = per_stage(unflagged)
    both = (n_f > 0) & (n_u > 0)
    compared = int(n_f[both].sum())
    if not compared:
        return 0, np.nan
    gap = w_f[both] / n_f[both] - w_u[both] / n_u[both]
    return compared, float((gap * n_f[both]).sum() / compared)


def _win_rates(closed: pd.DataFrame, won: pd.Series) -> pd.DataFrame:
    """Win rate of the closed deals with each flag against those without it, overall and
    stage by stage (``gap_same_stages``)."""
    from .conversion import wilson_interval

    rows = []
    won_ = won.to_numpy(dtype=bool)
    stage = closed[O.stage].astype("object").to_numpy()
    for name in ("flagged", *FLAGS):
        row: dict[str, object] = {"flag": "any" if name == "flagged" else name}
        values = closed[name]
        sides = {}
        for side, mask in (("flagged", values.eq(True)), ("unflagged", values.eq(False))):
            mask = mask.fillna(False).to_numpy(dtype=bool)
            sides[side] = mask
            n, w = int(mask.sum()), int(won_[mask].sum())
            lo, hi = wilson_interval(np.array([w]), np.array([n])) if n else ([np.nan], [np.nan])
            row[f"closed_{side}"], row[f"won_{side}"] = n, w
            row[f"win_rate_{side}"] = w / n if n else np.nan
            row[f"win_rate_{side}_low"], row[f"win_rate_{side}_high"] = float(lo[0]), float(hi[0])
        row["closed_same_stages"], row["gap_same_stages"] = _same_stage_gap(
            sides["flagged"], sides["unflagged"], won_, stage
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=WIN_COLUMNS)


@dataclass(frozen=True)
class RoleView:
    """What the page shows: every open deal's contacts, consensus stage and flags, the flags
    per owner and team, and the win rate of deals that closed with and without each flag."""

    # roles_deals: every open deal (0 contacts where the table names none); none without roles
    deals: pd.DataFrame
    by_owner: pd.DataFrame
    by_team: pd.DataFrame
    win_rate: pd.DataFrame  # roles_win_rate: empty when no deal with roles has closed
    rule: RoleRule
    has_roles: bool  # a roles table with valid rows was given
    columns: dict[str, bool]  # which optional columns the table fills: stance, engagement, …
    unmatched: int = 0  # deals the roles table lists that the data does not have
    open_deals: int = 0  # open deals in view, listed or not

    @property
    def with_roles(self) -> pd.DataFrame:
        """The open deals the roles table lists, the flagged first, then the largest."""
        frame = self.deals[self.deals["contacts"] > 0]
        return (
            frame.assign(
                _f=frame["flagged"].fillna(False).astype(bool), _a=frame["amount"].fillna(0)
            )
            .sort_values(["_f", "_a"], ascending=False, kind="stable")
            .drop(columns=["_f", "_a"])
            .reset_index(drop=True)
        )

    @property
    def consensus(self) -> pd.Series:
        """Each open deal's role-consensus stage key by opportunity id, the deals without one
        left out: the key roles' stage as the effective stage (issue #12, part 4) takes it."""
        frame = self.deals[self.deals["consensus_stage"].notna()]
        return pd.Series(
            frame["consensus_stage"].to_numpy(dtype=object),
            index=pd.Index(frame["opportunity_id"].to_numpy(dtype=object), name="opportunity_id"),
            name="consensus_stage",
            dtype="object",
        )

    @property
    def has_consensus(self) -> bool:
        return bool(self.deals["consensus_stage"].notna().any())

    def totals(self) -> dict[str, dict[str, float]]:
        """Per flag (and ``flagged``): open deals with it and their amount."""
        out = {}
        for name in ("flagged", *FLAGS):
            hit = self.deals[name].fillna(False).to_numpy(dtype=bool)
            out[name] = {
                "count": int(hit.sum()),
                "amount": float(np.nansum(self.deals["amount"].to_numpy(dtype="float64")[hit])),
            }
        return out


def role_view(
    observations: pd.DataFrame,
    snapshot: pd.DataFrame,
    roles: pd.DataFrame | None,
    model: StageModel,
    rule: RoleRule = RoleRule(),
    as_of: pd.Timestamp | None = None,
) -> RoleView:
    """The key roles' view of the open deals in ``snapshot`` and, for the win rates, of the
    deals in ``observations`` that closed, each judged where it stood at its last open
    observation (one export has none: its closed deals were never seen open)."""
    has_roles = roles is not None and len(roles) > 0
    roles = roles if has_roles else None
    open_deals = int((snapshot[O.status] == OPEN).sum())
    # Without roles there is nothing to judge: no per-deal work over what may be a million.
    deals = role_deals(snapshot if has_roles else snapshot.iloc[:0], roles, model, rule, as_of)
    columns = {
        c: bool(has_roles and roles[c].notna().any())
        for c in ("stance", "engagement", "role_stage", "date")
    }
    columns["contact"] = bool(
        has_roles and not roles["contact"].astype("string").str.startswith("#").all()
    )
    win_rate = pd.DataFrame(columns=WIN_COLUMNS)
    unmatched = 0
    if has_roles:
        # Compared as Python objects: a hash lookup (Arrow strings' isin loops in Python).
        # Rows dated after the as-of date are not known yet: their deals are not "unmatched".
        known_then = roles if as_of is None else roles[~(roles["date"] > pd.Timestamp(as_of))]
        listed_ids = known_then["opportunity_id"].astype("object").drop_duplicates()
        known = observations[O.opportunity_id].astype("object").unique()
        unmatched = int((~listed_ids.isin(known)).sum())
        last = _closed_at_last_open(observations)
        last = last[last[O.opportunity_id].astype("object").isin(listed_ids.to_numpy())]
        if len(last):
            judged = role_deals(last.assign(**{O.status: OPEN}), roles, model, rule, as_of)
            won = judged["opportunity_id"].map(last.set_index(O.opportunity_id)["_won"])
            listed = judged["contacts"].to_numpy() > 0
            if listed.any():
                win_rate = _win_rates(judged[listed], won[listed].astype(bool))
    return RoleView(
        deals=deals,
        by_owner=_group(deals, "owner"),
        by_team=_group(deals, "team"),
        win_rate=win_rate,
        rule=rule,
        has_roles=has_roles,
        columns=columns,
        unmatched=unmatched,
        open_deals=open_deals,
    )


def role_name(key: str, lang: str = "zh") -> str:
    """A role's name in ``lang``."""
    return t(f"role_{key}", lang) if f"role_{key}" in MESSAGES else key

"""Mapping export headers to canonical fields.

Headers are recognised in Chinese and English and in the export layouts of Salesforce,
HubSpot, Pipedrive, Zoho and Odoo (see :mod:`funnel_analytics.fields`). Milestone and
success-criterion columns are recognised from the stage model's item names, and per-stage date columns
("进入入围客户日期", "Date entered Shortlisted") from its stage names. The user overrides any
of it (``{"销售阶段": "stage"}``), and a confirmed mapping is remembered by the file's
*signature*, the set of its headers, so next month's file of the same shape maps the same way.
Columns that map to nothing are kept, never dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .fields import FIELD_BY_NAME, FIELDS
from .reading import UnusableFile
from .stages import StageModel, normalize_label
from .values import header_unit

__all__ = ["IGNORE", "ColumnMapping", "header_signature", "map_columns", "parse_map_options"]

IGNORE = "ignore"
_EXACT, _CONTAINS = 3, 1


@dataclass(frozen=True)
class ColumnMapping:
    """Which header feeds which field, with the unit found in each header.

    ``fields`` maps a header to a canonical field name, ``checklist.<stage>.<item>`` or
    ``stage_date.<stage>``; headers absent from it are unmapped (kept as extra columns).
    ``origin`` says for each mapped header whether the mapping was ``auto``, ``user`` or
    ``remembered``.
    """

    fields: dict[str, str]
    units: dict[str, tuple[float, str | None]]
    signature: str
    origin: dict[str, str] = field(default_factory=dict)
    unmapped: tuple[str, ...] = ()

    def header_for(self, field_name: str) -> str | None:
        for header, f in self.fields.items():
            if f == field_name:
                return header
        return None

    def as_dict(self) -> dict[str, str]:
        """Source header to field, the form ``--json`` prints."""
        return dict(self.fields)

    def confirmed(self) -> dict[str, str]:
        """Every header to its field or ``ignore``: what is remembered once a user confirms,
        so that next month's file maps exactly the same way."""
        return {**self.fields, **{h: IGNORE for h in self.unmapped}}


def header_signature(headers: Iterable[str]) -> str:
    """A stable fingerprint of a file's shape: the sorted set of its normalised headers."""
    norm = sorted({normalize_label(h) for h in headers})
    return hashlib.sha1("\x1f".join(norm).encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, tuple[str, int]]:
    """Normalised alias -> (field, rank); a lower rank wins a tie between two columns."""
    table: dict[str, tuple[str, int]] = {}
    for f in FIELDS:
        for rank, alias in enumerate((*f.aliases, *f.crm)):
            key = normalize_label(header_unit(alias)[0])
            if key and key not in table:
                table[key] = (f.name, rank)
    return table


_ASCII_WORD = re.compile(r"^[a-z0-9 ]+$")


#: Words that make a "status" header the status of something other than the deal's outcome:
#: a record's life (纷享销客's 生命状态: 正常, 作废), an approval, a payment, a contract, a
#: lead or a follow-up. Such a column is not read as the status by a partial match; its
#: "正常" or "Approved" would otherwise override the stage ("赢单" read as open).
_NOT_DEAL_STATUS = re.compile(
    r"生命|审批|审核|回款|收款|付款|开票|发票|合同|订单|锁定|跟进|线索|客户|联系人|数据|记录|发货|"
    r"\b(?:life|lifecycle|record|approval|payment|invoice|billing|contract|order|lock|lead|"
    r"follow|activity|account|contact|sync)\b"
)


#: Words that make a header containing "客户" / "account" an attribute of the customer, not its
#: name: 客户类型, 客户行业, 客户地址, 客户联系人, Account Type, Account Industry …. Such a column is
#: not read as the customer by a partial match (the customer's name is what the pages show and
#: what ids are made from when a file has none).
_NOT_ACCOUNT_NAME = re.compile(
    r"类型|类别|行业|状态|地址|联系人|电话|手机|邮箱|规模|性质|区域|地区|城市|省|国家|编号|编码|代码|"
    r"\b(?:type|industry|status|address|phone|email|size|region|city|country|contact|number|"
    r"rating|category|segment)\b"
)


def _candidates(norm: str) -> list[tuple[int, int, str]]:
    """(strength, -rank, field) for one normalised header."""
    table = _alias_table()
    out = []
    hit = table.get(norm)
    if hit:
        out.append((_EXACT, -hit[1], hit[0]))
    skip = set()
    if _NOT_DEAL_STATUS.search(norm):
        skip.add("status")
    if _NOT_ACCOUNT_NAME.search(norm):
        skip.add("account")
    spaced = f" {norm} "
    for alias, (fname, rank) in table.items():
        if alias == norm or len(alias) < 2 or fname in skip:
            continue
        if _ASCII_WORD.match(alias):
            # An English alias counts as whole words: bounded by spaces or the header's ends.
            if len(alias) >= 4 and f" {alias} " in spaced:
                out.append((_CONTAINS, -rank, fname))
        elif alias in norm:
            out.append((_CONTAINS, -rank, fname))
    return out


_DATE_WORDS = re.compile(
    r"(date entered|time entered|entered|entry date|date|time|进入|日期|时间|阶段)", re.IGNORECASE
)


def _stage_date_key(header: str, model: StageModel) -> str | None:
    text = header.casefold()
    if not _DATE_WORDS.search(text):
        return None
    # HubSpot: "Date entered 'Qualified To Buy (Sales Pipeline)'".
    text = re.sub(r"\(.*?pipeline\)", "", text)
    core = _DATE_WORDS.sub(" ", text).strip(" '\"-_:：")
    if not core:
        return None
    hit = model.match_label(core)
    if hit and hit[0]:
        return f"stage_date.{hit[0]}"
    return None


def _checklist_key(norm: str, model: StageModel) -> str | None:
    """The milestone or success-criterion column a header names: the item's name, key,
    question or alias, or the stage's name followed by the item's ("有效客户-预算已落实"). A
    column the model renamed is also found by its old name and under its old stage."""
    old_stage = {new: old.split(".")[1] for old, new in model.renamed_columns.items()}
    old_name = {new: old for old, new in model.renamed_columns.items()}
    for column, (stage_key, item) in model.all_checklist_columns.items():
        names = {
            normalize_label(n)
            for n in (item.zh, item.en, item.key, item.question_zh, item.question_en, *item.aliases)
            if n
        }
        if norm in names or norm in {
            normalize_label(column),
            normalize_label(old_name.get(column, "")),
        }:
            return column
        stages = [model.stage(stage_key)]
        if column in old_stage:
            stages.append(model.stage(old_stage[column]))
        prefixes = [normalize_label(s) for st in stages for s in (st.zh, st.en, st.key)]
        for n in names:
            if n and norm.endswith(n) and any(norm.startswith(p) for p in prefixes):
                return column
    return None


def _factor_key(norm: str, model: StageModel) -> str | None:
    """The evaluation-factor column a header names exactly: the factor's name, key or alias
    (项目等级, Funding, 客户信用等级 …); only where the model declares an evaluation."""
    if model.evaluation is None:
        return None
    for column, f in model.evaluation.columns.items():
        names = (f.zh, f.en, f.key, column, *f.aliases)
        if norm in {normalize_label(n) for n in names if n}:
            return column
    return None


def _valid_target(name: str, model: StageModel) -> bool:
    if name in FIELD_BY_NAME or name == IGNORE:
        return True
    if name.startswith("checklist."):
        return model.current_column(name) in model.all_checklist_columns
    if name.startswith("stage_date."):
        return name.removeprefix("stage_date.") in model.keys
    if name.startswith("factor."):
        return model.evaluation is not None and name in model.evaluation.columns
    return False


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``["销售阶段=stage", "Deal Size=amount"]`` to ``{header: field}``.

    The last ``=`` splits, so a header may itself contain ``=``.
    """
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UnusableFile("bad_mapping", item=item, detail="write it as HEADER=field")
        header, _, target = item.rpartition("=")
        header, target = header.strip(), target.strip()
        if not header or not target:
            raise UnusableFile("bad_mapping", item=item, detail="write it as HEADER=field")
        out[header] = target
    return out


def map_columns(
    headers: Iterable[str],
    model: StageModel,
    overrides: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """Map headers to fields: automatic, then remembered, then the user's overrides.

    Each field takes at most one column: when two columns could feed it, an exact alias beats
    a partial one and an earlier alias beats a later one; the loser stays unmapped (kept).

    Examples
    --------
    >>> from funnel_analytics.stages import DEFAULT_MODEL
    >>> m = map_columns(["商机编号", "销售阶段", "预计金额（万元）"], DEFAULT_MODEL)
    >>> m.fields["预计金额（万元）"], m.units["预计金额（万元）"]
    ('amount', (10000.0, 'CNY'))
    """
    headers = list(headers)
    units = {h: header_unit(h)[1:] for h in headers}
    proposals: list[tuple[int, int, int, str, str]] = []
    for pos, h in enumerate(headers):
        base = header_unit(h)[0]
        norm = normalize_label(base)
        # A header that is exactly a field's alias ("Closed Date") is that field, even where a
        # stage's name could be read into it ("Closed" ~ the won stage).
        exact = norm in _alias_table()
        special = (
            _checklist_key(norm, model)
            or _factor_key(norm, model)
            or (None if exact else _stage_date_key(base, model))
        )
        if special:
            proposals.append((_EXACT + 1, 0, -pos, h, special))
            continue
        for strength, neg_rank, fname in _candidates(norm):
            proposals.append((strength, neg_rank, -pos, h, fname))
    proposals.sort(reverse=True)
    fields: dict[str, str] = {}
    taken: set[str] = set()
    for _s, _r, _p, h, fname in proposals:
        if h in fields or fname in taken:
            continue
        fields[h] = fname
        taken.add(fname)
    origin = {h: "auto" for h in fields}

    for source, layer in (("remembered", remembered), ("user", overrides)):
        for h, target in (layer or {}).items():
            if h not in headers:
                if source == "remembered":
                    continue
                raise UnusableFile(
                    "bad_mapping",
                    item=f"{h}={target}",
                    detail=f"no column named “{h}”; columns: {', '.join(headers)}",
                )
            if not _valid_target(target, model):
                if source == "remembered":
                    continue
                known = ", ".join(
                    [
                        *FIELD_BY_NAME,
                        IGNORE,
                        "checklist.<stage>.<item>",
                        "stage_date.<stage>",
                        "factor.<key>",
                    ]
                )
                raise UnusableFile(
                    "bad_mapping",
                    item=f"{h}={target}",
                    detail=f"unknown field “{target}”; fields: {known}",
                )
            if target == IGNORE:
                fields.pop(h, None)
                origin.pop(h, None)
                continue
            target = model.current_column(target)  # a checklist column's old name
            # The field moves to this header; whichever header had it becomes unmapped.
            for other, f in list(fields.items()):
                if f == target and other != h:
                    del fields[other]
                    origin.pop(other, None)
            fields[h] = target
            origin[h] = source

    ordered = {h: fields[h] for h in headers if h in fields}
    unmapped = tuple(h for h in headers if h not in fields)
    return ColumnMapping(ordered, units, header_signature(headers), origin, unmapped)

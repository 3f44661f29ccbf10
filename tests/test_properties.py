"""Properties: whatever the bytes or cells, the loader returns a report or a clear refusal."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from helpers import csv_bytes, xlsx_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnel_analytics.loading import load_export
from funnel_analytics.reading import UnusableFile
from funnel_analytics.schema import ERROR_RULES, WARNING_RULES

HEAD = [
    "商机编号",
    "商机名称",
    "销售阶段",
    "状态",
    "预计金额（万元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "客户等级",
    "商机来源",
]
STAGES = ["目标客户", "有效客户", "50% 入围客户", "意向", "赢单", "输单", "Closed Lost", "搁置"]

text_cell = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.sampled_from(
        [
            *STAGES,
            "",
            "合计",
            "必填",
            "=1+1",
            "¥1,200",
            "120万",
            "30%",
            "2024/3/5",
            "02/23/26 08:55 PM",
            "45000",
            "是",
            "A",
            "E",
            "NaN",
            "null",
        ]
    ),
    st.integers(-(10**9), 10**9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _check_consistent(result) -> None:
    assert result.rows_read == result.rows_valid + result.rows_rejected
    rules = set(result.findings["rule"])
    assert rules <= set(ERROR_RULES) | set(WARNING_RULES)
    rejected = set(result.rejected.index)
    error_rows = set(result.errors["row"])
    assert rejected == error_rows, "a row is rejected exactly when it has an error"
    assert not (rejected & set(result.opportunities.index))
    # Every finding points at a real data row and its message renders in both languages.
    data_rows = rejected | set(result.opportunities.index)
    assert set(result.findings["row"]) <= data_rows
    for lang in ("zh", "en"):
        assert result.messages(lang=lang).map(lambda m: isinstance(m, str) and m != "").all()
    assert result.opportunities["status"].isin(["open", "won", "lost", "on_hold"]).all()
    amounts = result.opportunities["amount"].dropna()
    assert (amounts >= 0).all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=3000), ext=st.sampled_from([".xlsx", ".csv", ".xls", ".ods", ".txt"])
)
def test_arbitrary_bytes_give_a_report_or_a_refusal(data: bytes, ext: str) -> None:
    try:
        result = load_export(data, f"deals_2024-03{ext}")
    except UnusableFile as exc:
        assert exc.message("zh") and exc.message("en")
        return
    _check_consistent(result)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(text_cell, min_size=len(HEAD), max_size=len(HEAD)), min_size=1, max_size=15
    )
)
def test_arbitrary_csv_cells_never_crash(rows: list[list]) -> None:
    try:
        result = load_export(csv_bytes([HEAD, *rows]), "deals_2024-03.csv")
    except UnusableFile as exc:  # e.g. every row blank: header only
        assert exc.reason in {"header_only", "no_header", "no_stage_column", "empty"}
        return
    _check_consistent(result)


excel_cell = st.one_of(
    text_cell,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2150, 1, 1)),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(excel_cell, min_size=len(HEAD), max_size=len(HEAD)), min_size=1, max_size=10
    )
)
def test_arbitrary_excel_cells_never_crash(rows: list[list]) -> None:
    clean = [[c.replace("\x00", "") if isinstance(c, str) else c for c in r] for r in rows]
    clean = [
        [c if not (isinstance(c, str) and any(ord(ch) < 32 for ch in c)) else "x" for c in r]
        for r in clean
    ]
    try:
        result = load_export(xlsx_bytes([["2024年3月商机"], HEAD, *clean]), "deals_2024-03.xlsx")
    except UnusableFile as exc:
        assert exc.reason in {"header_only", "no_header", "no_stage_column", "no_data"}
        return
    _check_consistent(result)
    assert result.header_row == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(STAGES), min_size=1, max_size=30))
def test_known_stage_labels_are_never_rejected(stages: list[str]) -> None:
    rows = [[f"ID{i}", s] for i, s in enumerate(stages)]
    result = load_export(csv_bytes([["商机编号", "销售阶段"], *rows]), "x_2024-03.csv")
    assert result.rows_rejected == 0
    assert len(result.opportunities) == len(stages)
    assert pd.api.types.is_string_dtype(result.opportunities["stage"])

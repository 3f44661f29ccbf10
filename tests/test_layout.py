"""Locating the table: header row, merged headers, unnamed columns, header-only files."""

from __future__ import annotations

import pytest
from helpers import csv_bytes, xlsx_bytes

from funnel_analytics.layout import locate_table
from funnel_analytics.reading import UnusableFile, read_grid


def layout_of(rows, name="x.xlsx"):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return locate_table(read_grid(data, name))


def test_two_level_header_takes_names_from_the_merged_cell_above() -> None:
    lay = layout_of(
        [
            ["商机编号", "基本信息", None, "金额信息"],
            [None, "商机名称", "销售阶段", "预计金额"],
            ["1", "甲", "目标客户", 5],
        ]
    )
    assert lay.header_row == 2
    assert lay.headers == ("商机编号", "商机名称", "销售阶段", "预计金额")
    assert ("note_header_filled", {"columns": "A"}) in lay.notes


def test_unnamed_columns_with_data_are_kept_under_their_letter() -> None:
    lay = layout_of([["商机编号", "销售阶段", None, None], ["1", "目标客户", "note", None]])
    assert lay.headers == ("商机编号", "销售阶段", "C")
    assert lay.letters["C"] == "C"


def test_duplicate_headers_are_numbered() -> None:
    lay = layout_of(
        [["商机编号", "销售阶段", "备注", "备注"], ["1", "目标客户", "a", "b"]], "x.csv"
    )
    assert lay.headers == ("商机编号", "销售阶段", "备注", "备注 (2)")


@pytest.mark.parametrize("name", ["x.xlsx", "x.csv"])
def test_header_only(name: str) -> None:
    with pytest.raises(UnusableFile) as info:
        layout_of([["商机编号", "销售阶段"]], name)
    assert info.value.reason == "header_only"


def test_english_hint_row_and_total_row() -> None:
    lay = layout_of(
        [
            ["Opportunity ID", "Stage", "Amount"],
            ["required", "required, select from list", "optional"],
            ["1", "Target", "5"],
            ["Total", "", "5"],
        ],
        "x.csv",
    )
    assert list(lay.data.index) == [3]
    keys = [k for k, _ in lay.notes]
    assert "note_hint_row" in keys and "note_totals_row" in keys


def test_a_row_that_mentions_required_mid_data_is_data() -> None:
    lay = layout_of(
        [["商机编号", "销售阶段", "备注"], ["1", "目标客户", "预算必填写"], ["2", "目标客户", "x"]],
        "x.csv",
    )
    assert list(lay.data.index) == [2, 3]

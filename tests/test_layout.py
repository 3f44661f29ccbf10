"""Locating the table: header row, merged headers, unnamed columns, header-only files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import csv_bytes, xlsx_bytes

from funnel_analytics.layout import locate_table
from funnel_analytics.loading import load_export
from funnel_analytics.reading import Limits, UnusableFile, read_grid


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


LEDGER = Path(__file__).parent / "corpus" / "messy" / "merged_cells_2025-03.xlsx"


def test_cells_under_a_merged_cell_take_the_value_it_shows() -> None:
    """A hand-kept ledger (saved by LibreOffice) writes each team, owner and stage once and
    merges it down over its deals: every deal reads the value the sheet shows, worked out here
    with openpyxl from the workbook's merged ranges, whether the workbook is read in a child
    process or in this one, and a note counts the cells so read."""
    sheet = openpyxl.load_workbook(LEDGER)["商机台账"]
    shown = {}
    for rng in sheet.merged_cells.ranges:
        top = sheet.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            shown[(r, rng.min_col)] = top
    columns = {"team": 1, "owner": 2, "stage_label": 3}
    expected = json.loads((LEDGER.parent.parent / "expected.json").read_text("utf-8"))
    isolated = load_export(LEDGER)
    in_process = load_export(LEDGER, limits=Limits(isolate=False))
    pd.testing.assert_frame_equal(isolated.opportunities, in_process.opportunities)
    frame = isolated.opportunities
    assert len(frame) == 11
    for row in frame.index:
        for field, col in columns.items():
            want = shown.get((row, col), sheet.cell(row, col).value)
            assert frame.loc[row, field] == want, (row, field)
    filled = sum(1 for (r, _c) in shown if r >= 3) - sum(
        1 for rng in sheet.merged_cells.ranges if rng.min_row >= 3
    )
    assert filled == expected["merged_cells_2025-03.xlsx"]["merged_cells_filled"] == 22
    assert f"Merged cells: {filled} cells" in " ".join(isolated.note_texts("en"))
    assert f"{filled} 个单元格位于合并单元格之下" in " ".join(isolated.note_texts("zh"))
    assert "销售团队、负责人、销售阶段" in " ".join(isolated.note_texts("zh"))
    # The same ledger saved as Excel 97-2003 (.xls) reads the same.
    legacy = load_export(LEDGER.with_suffix(".xls"))
    shown_columns = ["opportunity_id", *columns]
    pd.testing.assert_frame_equal(legacy.opportunities[shown_columns], frame[shown_columns])
    assert f"Merged cells: {filled} cells" in " ".join(legacy.note_texts("en"))


def test_only_the_chosen_sheets_merged_cells_are_read(tmp_path) -> None:
    """Each sheet's merged cells are its own: a notes sheet merged down column A does not
    fill the export's column A."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["填表说明"])
    for i in range(10):
        notes.append([f"第 {i + 1} 条"])
    notes.merge_cells("A2:A11")
    deals = wb.create_sheet("商机")
    deals.append(["商机编号", "销售团队", "销售阶段", "预计金额"])
    deals.append(["A-1", "一组", "目标客户", 100])
    deals.append(["A-2", None, "有效客户", 200])
    deals.append(["A-3", "二组", "有效客户", 300])
    deals.append(["A-4", None, "目标客户", 400])
    deals.merge_cells("B2:B3")
    path = tmp_path / "两个工作表_2025-03.xlsx"
    wb.save(path)
    grid = read_grid(path)
    assert grid.sheet == "商机" and grid.merges == (("B", 2, 3),)
    frame = load_export(path).opportunities
    assert frame["team"].fillna("").tolist() == ["一组", "一组", "二组", ""]
    assert frame["opportunity_id"].tolist() == ["A-1", "A-2", "A-3", "A-4"]


def test_subtotal_rows_within_a_grouped_table_are_set_aside() -> None:
    """A table grouped by team with a subtotal under each group (小计, 小计：华东一组, Subtotal -
    East) sets those rows aside with a note, wherever they sit; the last rows stay the table's
    totals; a name that only begins with a totals word is a deal, and so is a deal whose
    id, name and customer are all filled ("Sum - Q3 upsell")."""
    rows = [
        ["销售团队", "商机编号", "销售阶段", "预计金额（元）"],
        ["华东一组", "A1", "目标客户", 100],
        ["华东一组", "A2", "有效客户", 200],
        ["小计：华东一组", None, None, 300],
        ["Total Solutions", "T1", "目标客户", 50],
        ["S1", "Sum - Q3 upsell", "目标客户", 10],
        ["Subtotal - East", None, None, 50],
        ["华南组", "B1", "入围客户", 400],
        ["  小计 ", None, None, 400],
        ["合计", None, None, 750],
    ]
    layout = layout_of(rows)
    assert list(layout.data.index) == [2, 3, 5, 6, 8]
    notes = dict(layout.notes)
    assert notes["note_subtotal_rows"] == {"count": 2, "rows": "4, 7"}
    totals = [p for k, p in layout.notes if k == "note_totals_row"]
    assert totals == [{"row": 10, "label": "合计"}, {"row": 9, "label": "小计"}]
    r = load_export(xlsx_bytes(rows), "分组台账_2025-03.xlsx")
    assert (r.rows_read, r.rows_valid, r.rows_rejected) == (5, 5, 0)
    assert "2 行是表内的小计行（第 4, 7 行）" in " ".join(r.note_texts("zh"))
    assert "2 subtotal row(s) within the table (row(s) 4, 7)" in " ".join(r.note_texts("en"))
    # A group's subtotal named after it, just above the grand total, is a subtotal too.
    ending = [*rows[:8], ["小计：华南组", None, None, 400], ["合计", None, None, 750]]
    layout = layout_of(ending)
    assert list(layout.data.index) == [2, 3, 5, 6, 8]
    assert dict(layout.notes)["note_subtotal_rows"] == {"count": 3, "rows": "4, 7, 9"}
    assert [p for k, p in layout.notes if k == "note_totals_row"] == [{"row": 10, "label": "合计"}]


@pytest.mark.parametrize(
    ("word", "grand"),
    [
        ("Total", "Grand Total"),  # Excel, English: the Sum function
        ("Count", "Grand Count"),  # Excel, English: the Count function
        ("汇总", "总计"),  # Excel and WPS, Chinese
        ("计数", "总计数"),
        ("Sum", "Grand Sum"),  # LibreOffice, English (the corpus has files it saved)
        ("求和", "总计 求和"),  # LibreOffice, Chinese
    ],
)
def test_rows_a_spreadsheets_subtotal_command_inserted_are_set_aside(word: str, grand: str) -> None:
    """Data > Subtotal writes, under each group, the group's value and the function's word in
    the grouped column and the sums in the summed ones, leaving the id and the name empty;
    nested groups write the inner subtotals first; the grand total comes last. Those rows are
    set aside with a note. A row without an id that only looks like one is still a deal
    rejected for its blank id."""
    header = ["商机编号", "商机名称", "销售团队", "负责人", "预计金额（元）", "销售阶段"]
    rows = [
        header,
        ["A1", "一期", "华东", "张伟", 100, "目标客户"],  # 2
        ["A2", "二期", "华东", "张伟", 200, "有效客户"],  # 3
        [None, None, None, f"张伟 {word}", 300, None],  # 4: inner subtotal
        ["A3", "三期", "华东", "李娜", 50, "入围客户"],  # 5
        [None, None, None, f"李娜 {word}", 50, None],  # 6: inner subtotal
        [None, None, f"华东 {word}", None, 350, None],  # 7: outer subtotal
        ["B1", "四期", "华南", "王强", 400, "意向客户"],  # 8
        # 9: no id and no name, but its text is not the group's value and a word: a deal
        [None, None, "华南", f"王强强 {word}", 10, "目标客户"],
        [None, None, None, f"王强 {word}", 410, None],  # 10: inner subtotal
        [None, None, f"华南 {word}", None, 410, None],  # 11: outer subtotal
        # 12: the grand total, its label after the amount (not the row's first cell)
        [None, None, None, None, 760, grand],
    ]
    r = load_export(csv_bytes(rows), "分类汇总_2025-03.csv")
    assert (r.rows_read, r.rows_valid, r.rows_rejected) == (5, 4, 1)
    assert sorted(r.opportunities.index) == [2, 3, 5, 8]
    assert r.errors["row"].unique().tolist() == [9]
    notes = dict(r.notes)
    assert notes["note_subtotal_rows"] == {"count": 5, "rows": "4, 6-7, 10-11"}
    assert notes["note_totals_row"] == {"row": 12, "label": grand}
    # The deals' amounts are the sheet's, the sums left out.
    assert r.opportunities["amount"].sum() == 750


def test_hidden_rows_of_the_table_are_read_and_told_of(tmp_path) -> None:
    """Rows a manager filtered out or hid in Excel are still in the file: they are read like
    the others, and a note says which, so a count larger than the one on screen in Excel is
    explained. A hidden row above the table (a title) is not counted."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年3月 华东区商机"])
    ws.append(["商机编号", "销售团队", "销售阶段", "预计金额（元）"])
    for i, team in enumerate(["一组", "二组", "一组", "二组", "一组"]):
        ws.append([f"H-{i + 1}", team, "目标客户", 100 * (i + 1)])
    ws.auto_filter.ref = "A2:D7"
    for row in (1, 4, 6):  # the title, and the 二组 rows filtered out
        ws.row_dimensions[row].hidden = True
    path = tmp_path / "筛选后_2025-03.xlsx"
    wb.save(path)
    assert read_grid(path).hidden_rows == (1, 4, 6)
    r = load_export(path)
    assert (r.rows_read, r.rows_valid) == (5, 5)
    assert dict(r.notes)["note_hidden_rows"] == {"count": 2, "rows": "4, 6"}
    assert "2 row(s) of the table are hidden" in " ".join(r.note_texts("en"))
    assert "表格中有 2 行被隐藏" in " ".join(r.note_texts("zh"))

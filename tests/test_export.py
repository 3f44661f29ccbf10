"""Tests of the downloadable spreadsheets (funnel_analytics.export).

The rejected-rows workbook is read back with openpyxl, the way a colleague's Excel would see
it: row numbers as the user sees them in the source file, reasons in the chosen language, and
no text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from funnel_analytics.export import neutralize, rejected_rows_xlsx, write_frames_xlsx
from funnel_analytics.loading import LoadResult, load_export

HYPERLINK = '=HYPERLINK("http://evil.example/x","click me")'
AT_FORMULA = "@SUM(1+1)"
HEADERS = ["商机编号", "商机名称", "销售阶段", "预计金额（万元）"]
# Spreadsheet row 1 is a title, row 2 the header, data from row 3.
ROWS: list[list[object]] = [
    ["OPP-1", "甲项目", "入围客户", 10],  # row 3: valid
    ["OPP-2", "乙项目", "火星阶段", 20],  # row 4: unknown stage
    ["OPP-3", "丙项目", "意向客户", "abc"],  # row 5: amount is not a number
    ["OPP-1", "甲项目重复", "入围客户", 30],  # row 6: duplicate of row 3
    ["OPP-5", HYPERLINK, "外星阶段", 40],  # row 7: unknown stage, hostile name
    ["OPP-6", "己项目", AT_FORMULA, 50],  # row 8: unknown stage that looks like a formula
    ["OPP-7", "庚项目", "赢单客户", 60],  # row 9: valid
]
EXPECTED_ERRORS = [  # (spreadsheet row, column, rule)
    (4, "销售阶段", "unknown_stage"),
    (5, "预计金额（万元）", "unparseable_amount"),
    (6, "商机编号", "duplicate_id"),
    (7, "销售阶段", "unknown_stage"),
    (8, "销售阶段", "unknown_stage"),
]
REJECTED_ROWS = [4, 5, 6, 7, 8]

# The reason column must speak the chosen language: a phrase of each row's message.
REASON_PHRASES = {
    "en": {
        4: "火星阶段",
        5: "not a number",
        6: "first seen on row 3",
        7: "外星阶段",
        8: "stage model",
    },
    "zh": {
        4: "火星阶段",
        5: "无法识别为数字",
        6: "首次出现在第 3 行",
        7: "外星阶段",
        8: "阶段模型",
    },
}
HEADER_LABELS = {
    "en": ("Row", "Reason rejected", "Rejected rows", "Findings"),
    "zh": ("行号", "拒绝原因", "被拒绝的行", "问题清单"),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _write_bad_xlsx(path: Path) -> Path:
    """An export with a title row and bad rows; text cells are written as text, never formulas."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("商机")
    ws.write_string(0, 0, "2026年3月商机清单")
    for j, h in enumerate(HEADERS):
        ws.write_string(1, j, h)
    for i, row in enumerate(ROWS, start=2):
        for j, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(i, j, value)
            else:
                ws.write_number(i, j, value)
    wb.close()
    return path


@pytest.fixture(scope="module")
def bad_result(tmp_path_factory: pytest.TempPathFactory) -> LoadResult:
    path = _write_bad_xlsx(tmp_path_factory.mktemp("export") / "商机导出_2026-03.xlsx")
    return load_export(path)


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheet_rows(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


# --------------------------------------------------------------------------------------------
# neutralize
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (HYPERLINK, "'" + HYPERLINK),
        ("normal", "normal"),
        ("", ""),
        ("a=b", "a=b"),
        ("1-2", "1-2"),
        ("'already quoted", "'already quoted"),
        ("商机=1", "商机=1"),
    ],
)
def test_neutralize_text(value: str, expected: str) -> None:
    assert neutralize(value) == expected


@pytest.mark.parametrize("value", [-1, 1, 0, -3.5, 2.25, True, None])
def test_neutralize_leaves_non_text_untouched(value: object) -> None:
    out = neutralize(value)
    assert out is value


def test_neutralize_timestamp_untouched() -> None:
    ts = pd.Timestamp("2026-03-31")
    assert neutralize(ts) is ts


# --------------------------------------------------------------------------------------------
# The input the workbook is built from
# --------------------------------------------------------------------------------------------
def test_bad_file_findings_as_worked_out(bad_result: LoadResult) -> None:
    assert bad_result.header_row == 2
    assert bad_result.rows_read == 7
    assert bad_result.rows_valid == 2
    assert bad_result.rows_rejected == 5
    errors = bad_result.errors
    got = sorted(zip(errors["row"].astype(int), errors["column"], errors["rule"], strict=True))
    assert got == EXPECTED_ERRORS
    assert sorted(bad_result.rejected.index.astype(int)) == REJECTED_ROWS


# --------------------------------------------------------------------------------------------
# rejected_rows_xlsx
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rejected_sheet_header_and_rows(bad_result: LoadResult, lang: str) -> None:
    wb = _open(rejected_rows_xlsx(bad_result, lang))
    row_label, reason_label, rejected_title, findings_title = HEADER_LABELS[lang]
    assert wb.sheetnames == [rejected_title, findings_title]
    rows = _sheet_rows(wb.worksheets[0])
    assert rows[0] == [row_label, reason_label, *HEADERS]
    body = rows[1:]
    assert [r[0] for r in body] == REJECTED_ROWS
    # Each rejected row is the user's row as written, keyed by its spreadsheet row number.
    by_row = {r[0]: r for r in body}
    assert by_row[4][2:5] == ["OPP-2", "乙项目", "火星阶段"]
    assert by_row[5][2:6] == ["OPP-3", "丙项目", "意向客户", "abc"]
    assert by_row[6][2:4] == ["OPP-1", "甲项目重复"]
    assert by_row[8][4] == "'" + AT_FORMULA


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rejected_reason_mentions_rule_message(bad_result: LoadResult, lang: str) -> None:
    wb = _open(rejected_rows_xlsx(bad_result, lang))
    body = _sheet_rows(wb.worksheets[0])[1:]
    reasons = {r[0]: r[1] for r in body}
    messages = bad_result.messages(bad_result.errors, lang)
    for row, message in zip(bad_result.errors["row"].astype(int), messages, strict=True):
        assert message.strip() in reasons[row]
    for row, phrase in REASON_PHRASES[lang].items():
        assert phrase in reasons[row], (row, reasons[row])
    if lang == "en":
        # English reasons carry no Chinese except the user's own quoted values.
        assert not CJK.search(reasons[5])
        assert not CJK.search(reasons[6].replace("OPP-1", ""))
    else:
        assert CJK.search(reasons[5])
        assert "not a number" not in reasons[5]


def test_rejected_reasons_differ_by_language(bad_result: LoadResult) -> None:
    en = {
        r[0]: r[1]
        for r in _sheet_rows(_open(rejected_rows_xlsx(bad_result, "en")).worksheets[0])[1:]
    }
    zh = {
        r[0]: r[1]
        for r in _sheet_rows(_open(rejected_rows_xlsx(bad_result, "zh")).worksheets[0])[1:]
    }
    assert en.keys() == zh.keys()
    assert all(en[r] != zh[r] for r in en)


def test_hyperlink_text_is_not_a_formula(bad_result: LoadResult) -> None:
    wb = _open(rejected_rows_xlsx(bad_result, "en"))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    name_col = header.index("商机名称") + 1
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    cell = ws.cell(row_of[7], name_col)
    assert cell.data_type != "f"
    assert cell.data_type == "s"
    assert cell.value == "'" + HYPERLINK
    assert cell.value.startswith("'")
    # Nothing anywhere in the workbook is a formula.
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_findings_sheet_lists_every_finding(bad_result: LoadResult, lang: str) -> None:
    wb = _open(rejected_rows_xlsx(bad_result, lang))
    rows = _sheet_rows(wb.worksheets[1])
    expected_header = {
        "en": ["Row", "Column", "Value", "Rule", "Severity", "Message"],
        "zh": ["行号", "列", "值", "规则", "级别", "说明"],
    }[lang]
    assert rows[0] == expected_header
    body = rows[1:]
    assert len(body) == len(bad_result.findings)
    errors = [
        (r[0], r[1], r[3])
        for r in body
        if r[4] == ("error (row rejected)" if lang == "en" else "错误（整行未导入）")
    ]
    assert sorted(errors) == EXPECTED_ERRORS
    by_key = {(r[0], r[3]): r for r in body}
    assert by_key[(4, "unknown_stage")][2] == "火星阶段"
    assert by_key[(5, "unparseable_amount")][2] == "abc"
    assert by_key[(6, "duplicate_id")][2] == "OPP-1"
    # A finding's value that looks like a formula is neutralised in the listing too.
    assert by_key[(8, "unknown_stage")][2] == "'" + AT_FORMULA
    messages = list(bad_result.messages(None, lang))
    assert [r[5] for r in body] == messages


def test_clean_file_gives_header_only_sheets(tmp_path: Path) -> None:
    path = tmp_path / "ok_2026-03.csv"
    path.write_text("商机编号,商机名称,销售阶段,预计金额\nOPP-1,甲,入围客户,10\n", encoding="utf-8")
    result = load_export(path)
    assert result.rows_rejected == 0
    wb = _open(rejected_rows_xlsx(result, "en"))
    rejected = _sheet_rows(wb.worksheets[0])
    assert rejected == [["Row", "Reason rejected", "商机编号", "商机名称", "销售阶段", "预计金额"]]
    assert _sheet_rows(wb.worksheets[1]) == [
        ["Row", "Column", "Value", "Rule", "Severity", "Message"]
    ]


# --------------------------------------------------------------------------------------------
# write_frames_xlsx
# --------------------------------------------------------------------------------------------
def test_write_frames_types_and_neutralised_headers() -> None:
    frame = pd.DataFrame(
        {
            "=cmd": ["=1+1", "plain"],
            "n": [1.5, float("nan")],
            "d": [pd.Timestamp("2026-03-31"), pd.NaT],
            "b": [True, False],
            "s": pd.array(["-5", pd.NA], dtype="string"),
        }
    )
    wb = _open(write_frames_xlsx({"A" * 40: frame}))
    ws = wb.worksheets[0]
    assert ws.title == "A" * 31  # Excel's sheet-name limit
    assert [c.value for c in ws[1]] == ["'=cmd", "n", "d", "b", "s"]
    assert [c.value for c in ws[2]] == ["'=1+1", 1.5, datetime(2026, 3, 31), True, "'-5"]
    assert [c.value for c in ws[3]] == ["plain", None, None, False, None]
    assert ws.freeze_panes == "A2"
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_a_small_loss_rounded_away_is_shown_as_zero_not_minus_zero() -> None:
    """The Changes page's amount changes in millions: a deal quoted 34,000 lower read "-0"."""
    from funnel_analytics.export import presented

    frame = pd.DataFrame(
        {
            "opportunity_id": ["A", "B", "C"],
            "changes": [1, 1, 2],
            "first_amount": [2_762_000.0, 421_000.0, 373_000.0],
            "latest_amount": [2_728_000.0, 452_000.0, 299_000.0],
            "net_change": [-34_000.0, 31_000.0, -74_000.0],
        }
    )
    shown, _kinds = presented(frame, "en", "amount_changes", screen=True, unit=(1e6, "M"))
    net = shown[next(c for c in shown.columns if c.startswith("Net change"))]
    assert [str(v) for v in net] == ["0.0", "0.0", "-0.1"]  # the first was "-0.0"


@pytest.mark.parametrize(
    ("value", "unit_en", "unit_zh", "en", "zh"),
    [
        # A tie rounded to even read 628k in English and 62.9万 in Chinese.
        (628_500, (1e3, "k"), (1e4, "万元"), "629k", "62.9万"),
        (1_250, (1e3, "k"), (1e4, "万元"), "1.25k", "0.13万"),
        (-34_000, (1e6, "M"), (1e4, "万元"), "-0.03M", "-3.40万"),
        # A loss too small to show has no sign.
        (-10, (1e6, "M"), (1e8, "亿元"), "0.00M", "0.00亿"),
        # Nothing at all (a tile's "won this period" amount without a win) reads 0.
        (0, (1e3, "k"), (1e4, "万元"), "0k", "0万"),
    ],
)
def test_an_amount_rounds_alike_in_both_languages(value, unit_en, unit_zh, en, zh) -> None:
    from funnel_analytics.formatting import format_amount

    assert format_amount(value, "en", unit=unit_en) == en
    assert format_amount(value, "zh", unit=unit_zh) == zh

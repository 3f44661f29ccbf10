"""load_export end to end: findings with spreadsheet rows, layouts, dates, shapes, real files."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import csv_bytes, xlsx_bytes

from funnel_analytics.loading import load_export, snapshot_date_from_name
from funnel_analytics.reading import UnusableFile

HEAD = [
    "商机编号",
    "商机名称",
    "销售阶段",
    "预计金额（万元）",
    "创建日期",
    "预计成交日期",
    "客户等级",
]


def findings_table(result) -> list[tuple]:
    f = result.findings
    return sorted(zip(f["row"], f["column"].fillna(""), f["rule"], f["severity"], strict=True))


def test_title_hint_blank_and_totals_rows_keep_spreadsheet_row_numbers() -> None:
    rows = [
        ["华辰智能科技", None, None],
        ["2024年3月商机清单"],
        HEAD,
        ["必填", "选填", "必填，从下拉选择", "选填", "YYYY-MM-DD", "YYYY-MM-DD", "A-D"],
        [
            "OPP-1",
            "一号项目",
            "目标客户",
            12.5,
            dt.datetime(2024, 1, 5),
            dt.datetime(2024, 6, 30),
            "A",
        ],
        [None] * 7,
        [
            "OPP-2",
            "二号项目",
            "入围客户",
            "abc",
            dt.datetime(2024, 1, 9),
            dt.datetime(2024, 7, 1),
            "B",
        ],
        ["OPP-3", "三号项目", "谈判中", 3, dt.datetime(2024, 2, 1), dt.datetime(2024, 8, 1), "C"],
        [None] * 7,
        ["合计", None, None, 15.5, None, None, None],
    ]
    r = load_export(xlsx_bytes(rows), "商机_2024-03.xlsx")
    assert r.header_row == 3
    assert r.rows_read == 3 and r.rows_valid == 1 and r.rows_rejected == 2
    assert findings_table(r) == [
        (7, "预计金额（万元）", "unparseable_amount", "error"),
        (8, "销售阶段", "unknown_stage", "error"),
    ]
    assert list(r.rejected.index) == [7, 8]
    assert r.opportunities.loc[5, "amount"] == 125_000.0
    keys = [k for k, _ in r.notes]
    for key in (
        "note_title_rows",
        "note_hint_row",
        "note_blank_rows",
        "note_totals_row",
        "note_unit",
        "note_snapshot_from_name",
    ):
        assert key in keys
    texts = " ".join(r.note_texts("en"))
    assert "Row 4 holds fill-in hints" in texts
    assert "rows 6, 9" in texts
    assert "Row 10 is a totals row" in texts


CSV_HEAD = [
    "Opportunity ID",
    "Opportunity Name",
    "Stage",
    "Amount",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Rating",
    "Status",
]


#: One row per rule, each breaking it (the spreadsheet row in the comment).
EVERY_RULE_ROWS = [
    CSV_HEAD,
    ["A1", "ok", "Target", "1000", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 2
    ["", "no id", "Target", "1000", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 3
    ["A3", "no stage", "", "1000", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 4
    ["A4", "typo", "Shortlistd", "1000", "50", "2024-01-10", "2024-06-30", "A", "open"],  # 5
    ["A5", "bad amount", "Target", "lots", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 6
    ["A6", "negative", "Target", "-5", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 7
    ["A1", "dupe", "Target", "1000", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 8
    ["A8", "prob", "Target", "1000", "150", "2024-01-10", "2024-06-30", "A", "open"],  # 9
    ["A9", "bad date", "Target", "1000", "10", "2024-02-30", "2024-06-30", "A", "open"],  # 10
    ["A10", "far date", "Target", "1000", "10", "2024-01-10", "2999-01-01", "A", "open"],  # 11
    ["A11", "no amount", "Target", "", "10", "2024-01-10", "2024-06-30", "A", "open"],  # 12
    ["A12", "closed early", "Won", "1000", "100", "2024-03-01", "2024-01-01", "A", "won"],  # 13
    ["A13", "overdue", "Target", "1000", "10", "2024-01-01", "2024-02-01", "A", "open"],  # 14
    ["A14", "grade", "Target", "1000", "10", "2024-01-10", "2024-06-30", "E", "open"],  # 15
    ["A15", "status", "Target", "1000", "10", "2024-01-10", "2024-06-30", "A", "maybe"],  # 16
]


def test_every_rule_names_row_column_and_severity() -> None:
    rows = EVERY_RULE_ROWS
    r = load_export(csv_bytes(rows), "deals_2024-03.csv")
    assert findings_table(r) == [
        (3, "Opportunity ID", "missing_id", "error"),
        (4, "Stage", "missing_stage", "error"),
        (5, "Stage", "unknown_stage", "error"),
        (6, "Amount", "unparseable_amount", "error"),
        (7, "Amount", "negative_amount", "error"),
        (8, "Opportunity ID", "duplicate_id", "error"),
        (9, "Probability (%)", "probability_out_of_range", "error"),
        (10, "Created Date", "unparseable_date", "warning"),
        (11, "Close Date", "impossible_date", "warning"),
        (12, "Amount", "missing_amount", "warning"),
        (13, "Close Date", "close_before_created", "warning"),
        (14, "Close Date", "overdue_close_date", "warning"),
        (15, "Rating", "unknown_grade", "warning"),
        (16, "Status", "unknown_status", "warning"),
    ]
    assert r.rows_read == 15 and r.rows_rejected == 7 and r.rows_valid == 8
    # Warnings keep the row and flag it.
    assert r.opportunities.loc[14, "flags"] == "overdue_close_date"
    assert pd.isna(r.opportunities.loc[10, "created_date"])
    # Messages in both languages name the value.
    msgs = dict(zip(r.findings["row"], r.messages(lang="en"), strict=False))
    assert (
        msgs[5]
        == "Stage “Shortlistd” is not in the stage model “six_state”. Did you mean “Shortlisted”?"
    )
    assert "first seen on row 2" in msgs[8]
    zh = dict(zip(r.findings["row"], r.messages(lang="zh"), strict=False))
    assert zh[5] == "阶段“Shortlistd”不属于阶段模型“six_state”。是否是“入围客户”？"
    rep = r.report("en")
    assert {
        "rows_read",
        "rows_valid",
        "rows_rejected",
        "mapping",
        "stage_model",
        "errors",
        "warnings",
    } <= set(rep)
    assert rep["errors"][0] == {
        "row": 3,
        "column": "Opportunity ID",
        "value": None,
        "rule": "missing_id",
        "message": "The opportunity id is blank.",
    }


def test_validation_does_not_import_hypothesis_and_finds_the_same(tmp_path) -> None:
    """pandera's first validation imports ``hypothesis`` when installed (0.18 s of a first
    upload); the loader registers pandera's backends without it. In a fresh interpreter the
    findings are those of this process, where the tests have imported hypothesis already."""
    path = tmp_path / "deals_2024-03.csv"
    path.write_bytes(csv_bytes(EVERY_RULE_ROWS))
    script = (
        "import json, sys\n"
        "from funnel_analytics.loading import load_export\n"
        f"r = load_export({str(path)!r})\n"
        "f = r.findings\n"
        "print(json.dumps({'hypothesis': 'hypothesis' in sys.modules, 'findings': sorted(zip("
        "f['row'].tolist(), f['column'].fillna('').tolist(), f['rule'].tolist(), "
        "f['severity'].tolist()))}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    fresh = json.loads(done.stdout.strip().splitlines()[-1])
    assert fresh["hypothesis"] is False
    here = findings_table(load_export(path))
    assert [tuple(f) for f in fresh["findings"]] == here
    assert len(here) == 14


def test_missing_value_markers_are_blanked_and_counted() -> None:
    """NA, #N/A, 暂无, a dash: read as blank wherever they stand, counted in one note. Columns
    whose texts are all longer than any marker are skipped unread; a marker among long ids is
    still found."""
    rows = [
        CSV_HEAD,
        [
            "OPP-LONG-0001",
            "first deal",
            "Target",
            "1000",
            "10",
            "2024-01-10",
            "2024-06-30",
            "A",
            "open",
        ],
        ["OPP-LONG-0002", "暂无", "Target", "N/A", "10", "2024-01-10", "#N/A", "A", "open"],
        [
            "OPP-LONG-0003",
            "third deal",
            "Target",
            "2000",
            "—",
            "2024-01-10",
            "2024-06-30",
            "-",
            "open",
        ],
        ["NA", "fourth deal", "Target", "3000", "10", "2024-01-10", "2024-06-30", "A", "open"],
    ]
    r = load_export(csv_bytes(rows), "deals_2024-03.csv")
    assert ("note_missing_markers", {"count": 6}) in r.notes
    o = r.opportunities
    assert pd.isna(o.loc[3, "opportunity_name"]) and pd.isna(o.loc[3, "amount"])
    assert pd.isna(o.loc[3, "expected_close_date"]) and pd.isna(o.loc[4, "probability"])
    assert pd.isna(o.loc[4, "grade"]) and o.loc[2, "opportunity_name"] == "first deal"
    # The id "NA" is a marker: the row has no id and is rejected as such, not kept as "NA".
    assert r.findings.query("row == 5")["rule"].tolist() == ["missing_id"]
    assert r.rows_valid == 3 and not r.findings.query("row < 5").query("severity == 'error'").size


def test_cells_formatted_as_percentages_among_typed_numbers_read_as_shown() -> None:
    """Saved by LibreOffice Calc: typed 10/50/75 beside cells formatted 0% (holding 0.25, 0.5,
    0.75, 0.1) and the text "50%". Each reads as Calc shows it, and a note says so."""
    from funnel_analytics.i18n import t

    path = Path(__file__).parent / "corpus" / "messy" / "percent_cells_2025-04.xlsx"
    r = load_export(path)
    shown = [0.10, 0.25, 0.50, 0.50, 0.75, 0.75, 0.50, 0.10]  # as Calc displays rows 2-9
    assert r.opportunities["probability"].tolist() == pytest.approx(shown)
    notes = dict(r.notes)
    assert notes["note_probability_scale_percent"] == {"column": "赢单概率"}
    params = {"column": "赢单概率", "count": 4, "row": 3, "value": "0.25"}
    assert notes["note_probability_fractions"] == params
    assert "4 个值在 0 与 1 之间（如第 3 行的 0.25）" in t(
        "note_probability_fractions", "zh", **params
    )
    assert "4 of its values lie between 0 and 1 (such as 0.25 on row 3)" in t(
        "note_probability_fractions", "en", **params
    )
    # A column of whole percentages alone gets no such note.
    plain = load_export(
        csv_bytes([[*HEAD[:3], "赢单概率"], ["A-1", "x", "目标客户", "10"]]), "a_2025-04.csv"
    )
    assert "note_probability_fractions" not in dict(plain.notes)


def test_a_german_calc_csv_reads_its_euros_and_dotted_dates_as_shown() -> None:
    """LibreOffice Calc's CSV under a German locale: "12.000,50 €", "48.000 €", "06.05.2024".
    Before the column-wide decimal separator, these read 12.0005, 48 and 5 June."""
    from funnel_analytics.i18n import t

    r = load_export(Path(__file__).parent / "corpus" / "messy" / "european_excel_2024-04.csv")
    o = r.opportunities
    assert o["amount"].tolist() == [12000.5, 48000, 1234567, 950, 230000, 75500.75, 310000, 8000]
    assert o.loc[2, "expected_close_date"] == pd.Timestamp("2024-05-06")
    notes = dict(r.notes)
    assert notes["note_amount_decimal_comma"] == {"column": "Amount"}
    assert notes["note_dates_ambiguous_dayfirst_dots"] == {"column": "Close Date"}
    said = t("note_amount_decimal_comma", "zh", column="Amount")
    assert "12.000,50 即 12000.50" in said


def test_unknown_stages_are_grouped_with_counts_and_suggestions() -> None:
    rows = (
        [["商机编号", "销售阶段"]]
        + [[f"X{i}", "入围客"] for i in range(5)]
        + [["Y", "签单啦"], ["Z", "目标客户"]]
    )
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    table = r.unknown_stages()
    assert table[["value", "count", "suggestion"]].to_dict("records") == [
        {"value": "入围客", "count": 5, "suggestion": "shortlisted"},
        {"value": "签单啦", "count": 1, "suggestion": None},
    ]
    assert table.loc[0, "rows"] == "2, 3, 4, 5, 6"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("商机导出_2024-03.xlsx", "2024-03-31"),
        ("export_202402.csv", "2024-02-29"),
        ("2024年3月商机.xlsx", "2024-03-31"),
        ("2024年12月份报表.xlsx", "2024-12-31"),
        ("snap_2024-03-15.csv", "2024-03-15"),
        ("snap_20240315.csv", "2024-03-15"),
        ("2024年3月15日.xlsx", "2024-03-15"),
        ("deals.csv", None),
        ("v2.1.csv", None),
        ("id_1234567.csv", None),
    ],
)
def test_snapshot_date_from_file_name(name: str, expected: str | None) -> None:
    got = snapshot_date_from_name(name)
    assert (None if got is None else got[0].date().isoformat()) == expected


def test_snapshot_date_is_never_guessed() -> None:
    data = csv_bytes([["id", "stage"], ["1", "Target"]])
    with pytest.raises(UnusableFile) as info:
        load_export(data, "deals.csv")
    assert info.value.reason == "no_snapshot_date"
    assert "--as-of" in info.value.message("en")
    r = load_export(data, "deals.csv", as_of="2024-05-31")
    assert r.snapshot_dates[1] == pd.Timestamp("2024-05-31")
    assert r.snapshot_source == "user"


def test_snapshot_date_column_wins_and_bad_values_are_errors() -> None:
    rows = [["id", "stage", "快照日期"], ["1", "Target", "2024-03-31"], ["2", "Target", "soon"]]
    r = load_export(csv_bytes(rows), "deals_2024-01.csv")
    assert r.opportunities.loc[2, "snapshot_date"] == pd.Timestamp("2024-03-31")
    assert findings_table(r) == [(3, "快照日期", "unparseable_snapshot_date", "error")]


def test_status_and_stage_together() -> None:
    rows = [
        ["商机编号", "销售阶段", "状态"],
        ["1", "入围客户", "输单"],  # lost, keeps its furthest stage
        ["2", "输单", ""],  # lost, stage unknown
        ["3", "接近赢单客户", "赢单"],  # won: moved to the won stage, flagged
        ["4", "赢单客户", "输单"],  # a won stage that says lost: flagged
        ["5", "已搁置", None],
    ]
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    o = r.opportunities
    assert o["status"].tolist() == ["lost", "lost", "won", "lost", "on_hold"]
    assert o["stage"].tolist()[:1] == ["shortlisted"]
    assert pd.isna(o.loc[3, "stage"]) and o.loc[4, "stage"] == "won"
    assert [(row, rule) for row, _c, rule, _s in findings_table(r)] == [
        (4, "stage_status_conflict"),
        (5, "stage_status_conflict"),
    ]


def test_yes_no_columns_give_the_status() -> None:
    """Salesforce's IsClosed + IsWon and HubSpot's Is Closed Won say the outcome where no
    status column does: a lost deal keeps the stage it was lost in."""
    rows = [
        ["Id", "StageName", "IsClosed", "IsWon"],
        ["1", "Mystery stage", "true", "true"],  # stage not in the model: still rejected
        ["2", "入围客户", "true", "false"],  # lost at shortlisted
        ["3", "意向客户", "true", "true"],  # won: moved to the won stage
        ["4", "赢单客户", "TRUE", "FALSE"],  # the flags say lost: flagged, flags win
        ["5", "入围客户", "maybe", ""],  # not yes/no: warned, the stage decides
        ["6", "入围客户", "false", "false"],
    ]  # open
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    assert r.mapping.fields["IsClosed"] == "is_closed" and r.mapping.fields["IsWon"] == "is_won"
    o = r.opportunities.set_index("opportunity_id")
    assert o["status"].to_dict() == {"2": "lost", "3": "won", "4": "lost", "5": "open", "6": "open"}
    assert o["stage"].to_dict() == {
        "2": "shortlisted",
        "3": "won",
        "4": "won",
        "5": "shortlisted",
        "6": "shortlisted",
    }
    assert [(row, rule) for row, _c, rule, _s in findings_table(r)] == [
        (2, "unknown_stage"),
        (4, "stage_status_conflict"),
        (5, "stage_status_conflict"),
        (6, "unknown_flag"),
    ]
    hubspot = load_export(
        csv_bytes(
            [
                ["Record ID", "Deal Stage", "Is Closed Won"],
                ["1", "入围客户", "true"],
                ["2", "入围客户", "false"],
            ]
        ),
        "y_2024-03.csv",
    )
    assert hubspot.opportunities["status"].tolist() == ["won", "open"]


def test_odoo_archived_deals_are_lost_at_their_stage() -> None:
    """Odoo marks a lost opportunity by archiving it (Active false); its stage stays where it
    was lost, so it counts as lost at that stage. An archived won deal stays won."""
    rows = [
        ["Opportunity", "Stage", "Active", "Closed Date"],
        ["A", "入围客户", True, None],
        ["B", "入围客户", False, dt.datetime(2024, 2, 3)],
        ["C", "赢单客户", False, dt.datetime(2024, 2, 9)],
    ]
    r = load_export(xlsx_bytes(rows), "odoo_2024-03.xlsx")
    o = r.opportunities.set_index("opportunity_id")
    assert o["status"].to_dict() == {"A": "open", "B": "lost", "C": "won"}
    assert o.loc["B", "stage"] == "shortlisted"
    assert r.mapping.fields["Closed Date"] == "close_date"
    assert "1 archived deals (“Active” is false) that were not won count as lost." in r.note_texts(
        "en"
    )


def test_name_stands_in_for_a_missing_id_and_unmapped_columns_are_kept() -> None:
    rows = [["商机名称", "销售阶段", "行业", "备注"], ["甲项目", "目标客户", "制造", "=1+1"]]
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    assert r.opportunities.loc[2, "opportunity_id"] == "甲项目"
    assert r.opportunities.loc[2, "extra.行业"] == "制造"
    assert r.mapping.unmapped == ("行业", "备注")
    assert "note_id_from_name" in [k for k, _ in r.notes]


def test_user_mapping_and_remembered_mapping() -> None:
    rows = [["编码", "进展", "钱"], ["1", "目标客户", "100"]]
    with pytest.raises(UnusableFile) as info:
        load_export(csv_bytes(rows), "x_2024-03.csv")
    assert info.value.reason == "no_stage_column"
    mapping = {"进展": "stage", "编码": "opportunity_id", "钱": "amount"}
    r = load_export(csv_bytes(rows), "x_2024-03.csv", mapping=mapping)
    assert r.mapping.as_dict() == {"编码": "opportunity_id", "进展": "stage", "钱": "amount"}
    assert r.mapping.origin["进展"] == "user"
    # Next month, same headers: the confirmed mapping applies without being given again.
    nxt = load_export(csv_bytes(rows), "x_2024-04.csv", remembered={r.mapping.signature: mapping})
    assert nxt.mapping.as_dict() == r.mapping.as_dict()
    assert nxt.mapping.origin["进展"] == "remembered"


@pytest.mark.parametrize(
    ("item", "fragment"),
    [({"进展": "stagez"}, "unknown field"), ({"无此列": "stage"}, "no column named")],
)
def test_bad_user_mapping(item: dict, fragment: str) -> None:
    with pytest.raises(UnusableFile) as info:
        load_export(csv_bytes([["编码", "进展"], ["1", "目标客户"]]), "x_2024-03.csv", mapping=item)
    assert info.value.reason == "bad_mapping" and fragment in info.value.message("en")


def test_multi_sheet_workbook_picks_the_opportunities() -> None:
    data = xlsx_bytes(
        [["商机编号", "销售阶段", "金额"], ["1", "目标客户", 5]],
        sheet="商机明细",
        extra_sheets={"说明": [["本表用于导出商机"], ["请勿修改表头"]]},
    )
    r = load_export(data, "x_2024-03.xlsx")
    assert r.sheet == "商机明细" and r.sheets == ("说明", "商机明细")
    with pytest.raises(UnusableFile) as info:
        load_export(data, "x_2024-03.xlsx", sheet="说明")
    assert info.value.reason in {"no_stage_column", "header_only", "no_header"}
    with pytest.raises(UnusableFile) as info:
        load_export(data, "x_2024-03.xlsx", sheet="无此表")
    assert info.value.reason == "no_sheet"


def test_gb18030_csv_with_chinese_values() -> None:
    rows = [
        ["商机编号", "销售阶段", "预计金额", "赢单概率", "创建日期"],
        ["1", "50% 入围客户", "¥1,200,000", "50%", "2024年3月5日"],
        ["2", "目标", "120万", "10%", "2024/3/5"],
    ]
    r = load_export(csv_bytes(rows, "gb18030"), "商机_2024年3月.csv")
    assert r.encoding == "GB18030"
    assert r.opportunities["amount"].tolist() == [1_200_000.0, 1_200_000.0]
    assert r.opportunities["stage"].tolist() == ["shortlisted", "target"]
    assert r.opportunities["created_date"].tolist() == [pd.Timestamp("2024-03-05")] * 2


def test_stage_date_columns_become_observations() -> None:
    rows = [
        ["商机编号", "销售阶段", "进入目标客户日期", "进入有效客户日期", "进入入围客户日期"],
        ["1", "入围客户", "2024-01-05", "2024-02-01", "2024-03-10"],
        ["2", "有效客户", "2024-02-20", "2024-03-02", None],
    ]
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    assert r.shape == "stage_dates"
    obs = r.observations()
    deal1 = obs[obs["opportunity_id"] == "1"][["snapshot_date", "stage", "observed_via"]]
    assert deal1.values.tolist() == [
        [pd.Timestamp("2024-01-05"), "target", "stage_dates"],
        [pd.Timestamp("2024-02-01"), "qualified", "stage_dates"],
        [pd.Timestamp("2024-03-10"), "shortlisted", "stage_dates"],
        [pd.Timestamp("2024-03-31"), "shortlisted", "snapshot"],
    ]
    assert len(obs[obs["opportunity_id"] == "2"]) == 3


def test_real_salesforce_history_log(real_exports) -> None:
    path = real_exports / "salesforce-sample-org-2026" / "OpportunityHistory.csv"
    r = load_export(path, stage_model="salesforce")
    assert r.shape == "history"
    assert r.rows_read == 48 and r.rows_rejected == 0
    assert r.mapping.as_dict()["CreatedDate"] == "snapshot_date"
    assert r.mapping.as_dict()["OpportunityId"] == "opportunity_id"
    obs = r.observations().sort_values(["opportunity_id", "snapshot_date"], kind="stable")
    # Deals that went Closed Won -> Closed Lost show both outcomes, in time order.
    seq = obs.groupby("opportunity_id")["status"].agg(list)
    reversals = [i for i, s in seq.items() if "won" in s and s[-1] == "lost"]
    assert reversals, "the export holds Closed Won -> Closed Lost reversals"
    # 11 rows have no amount; the 2 of them that are Closed Lost need none.
    assert (r.warnings["rule"] == "missing_amount").sum() == 9
    assert any("month-first" in n for n in r.note_texts("en"))


def test_real_salesforce_opportunities(real_exports) -> None:
    path = real_exports / "salesforce-sample-org-2026" / "Opportunity.csv"
    r = load_export(path, stage_model="salesforce", as_of="2026-02-28")
    assert r.rows_read == 36 and r.rows_rejected == 0
    o = r.opportunities
    assert o.loc[2, "created_date"] == pd.Timestamp("2026-02-23")
    assert o.loc[2, "expected_close_date"] == pd.Timestamp("2024-02-03")
    assert (r.warnings["rule"] == "close_before_created").sum() >= 18
    assert (r.mapping.fields["IsClosed"], r.mapping.fields["IsWon"]) == ("is_closed", "is_won")
    raw = pd.read_csv(path, dtype=str)  # independent reading of the outcome
    closed, won = raw["IsClosed"] == "TRUE", raw["IsWon"] == "TRUE"
    expected = closed.map({False: "open", True: "lost"}).mask(closed & won, "won")
    assert o["status"].tolist() == expected.tolist()
    assert not (r.warnings["rule"] == "stage_status_conflict").any()


def test_unmapped_columns_are_kept_in_rejected_rows_too() -> None:
    rows = [["商机编号", "销售阶段", "备注"], ["1", "???", "保留我"]]
    r = load_export(csv_bytes(rows), "x_2024-03.csv")
    assert r.rejected.loc[2].tolist() == ["1", "???", "保留我"]


def test_valid_rows_are_taken_a_column_at_a_time() -> None:
    """The rejected rows leave the typed frame one column at a time (memory: the frame is not
    held twice); the rows, order, dtypes and row numbers are those of a plain row filter."""
    from funnel_analytics.loading import _without

    out = pd.DataFrame(
        {
            "opportunity_id": pd.array(["a", "b", None, "d"], dtype="string"),
            "amount": [1.0, float("nan"), 3.0, 4.0],
            "snapshot_date": pd.to_datetime(["2025-01-31"] * 4),
            "checklist.x": pd.array([True, None, False, True], dtype="boolean"),
        },
        index=pd.Index([3, 4, 5, 7], name="row"),
    )
    expected = out[~out.index.isin([4, 7])].copy()
    valid = _without(out, pd.Index([4, 7]))
    pd.testing.assert_frame_equal(valid, expected)
    assert out.columns.empty  # emptied as it went


def test_arrow_memory_comes_from_the_c_library_unless_the_user_names_a_pool() -> None:
    """A load's freed memory goes back to the system (a dashboard server keeps running); the
    user's ARROW_DEFAULT_MEMORY_POOL is kept."""
    code = (
        "import pyarrow, funnel_analytics.loading as L; "
        "L.load_export('sample_data/opportunities_en_2026-10.csv'); "
        "print(pyarrow.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    run = lambda e: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], env=e, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    assert run(env) == "system"
    assert run({**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}) == "mimalloc"

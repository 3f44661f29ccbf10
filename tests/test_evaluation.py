"""The go/no-go evaluation: factor scores, the weighted score and pass mark, and each factor's
win-rate lift with Wilson (and Newcombe) intervals, worked by hand."""

from __future__ import annotations

import io
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from funnel_analytics.evaluation import factor_lift, parse_factor, score_deals
from funnel_analytics.loading import load_export
from funnel_analytics.report import build_report
from funnel_analytics.stages import (
    BUILTIN_MODELS,
    DEFAULT_EVALUATION,
    StageModelError,
    load_evaluation,
    load_stage_model,
)

SIX = BUILTIN_MODELS["six_state"]
FACTOR = {f.key: f for f in DEFAULT_EVALUATION.factors}


def test_the_default_factors_are_those_of_the_material_and_weigh_100() -> None:
    assert [f.key for f in DEFAULT_EVALUATION.factors] == [
        "project_grade",
        "funding",
        "technical_fit",
        "relationship",
        "credit",
        "competition",
    ]
    assert sum(f.weight for f in DEFAULT_EVALUATION.factors) == 100
    assert DEFAULT_EVALUATION.pass_mark == 60
    for name in ("six_state", "eight_stage", "four_stage", "six_stage"):
        assert BUILTIN_MODELS[name].evaluation == DEFAULT_EVALUATION
    for name in ("five_step", "salesforce", "hubspot"):
        assert BUILTIN_MODELS[name].evaluation is None


@pytest.mark.parametrize(
    ("factor", "written", "score"),
    [
        ("funding", "已落实", 5.0),
        ("funding", "部分落实", 3.0),
        ("funding", "未落实", 0.0),
        ("funding", "是", 5.0),
        ("funding", "No", 0.0),
        ("funding", "4", 4.0),
        ("funding", "2.5", 2.5),
        ("project_grade", "A", 5.0),
        ("project_grade", "b", 4.0),
        ("project_grade", "C", 2.0),
        ("project_grade", "D", 0.0),
        ("technical_fit", "高", 5.0),
        ("technical_fit", "中", 3.0),
        ("technical_fit", "low", 1.0),
        ("relationship", "好", 5.0),
        ("relationship", "一般", 3.0),
        ("relationship", "差", 1.0),
        ("credit", "良好", 4.0),
        ("competition", "领先", 5.0),
        ("competition", "持平", 3.0),
        ("competition", "落后", 1.0),
        ("competition", "behind", 1.0),
    ],
)
def test_factor_values_are_read_as_scores_out_of_5(factor, written, score) -> None:
    parsed = parse_factor(pd.Series([written]), FACTOR[factor])
    assert parsed.values.tolist() == [score]
    assert not parsed.bad.any()


@pytest.mark.parametrize("written", ["6", "-1", "maybe", "E", "很好很好"])
def test_a_value_out_of_scale_or_unknown_is_reported_and_blank(written) -> None:
    parsed = parse_factor(pd.Series([written, ""]), FACTOR["funding"])
    assert math.isnan(parsed.values.iloc[0]) and math.isnan(parsed.values.iloc[1])
    assert parsed.bad.tolist() == [True, False]  # a blank cell is no finding


# Worked on paper: weights 15 project grade, 25 funding, 20 technical fit, 20 relationship,
# 10 credit, 10 competition; a factor counts weight × score ÷ 5; the total is over the weights
# of the factors present, × 100.
@pytest.mark.parametrize(
    ("scores", "total", "passes", "scored"),
    [
        # all six: 15·1 + 25·1 + 20·0.6 + 20·0.8 + 10·0.4 + 10·0.2 = 74
        ({"project_grade": 5, "funding": 5, "technical_fit": 3, "relationship": 4,
          "credit": 2, "competition": 1}, 74.0, True, 6),
        # funding 0 and technical fit 5 only: 20 ÷ 45 × 100 = 44.44
        ({"funding": 0, "technical_fit": 5}, 400 / 9, False, 2),
        # exactly the pass mark: 25·0.6 + 20·0.6 = 27 of 45 = 60
        ({"funding": 3, "technical_fit": 3}, 60.0, True, 2),
        # one factor: relationship 2 of 5 = 40
        ({"relationship": 2}, 40.0, False, 1),
        # all zero
        ({k: 0 for k in FACTOR}, 0.0, False, 6),
    ],
)  # fmt: skip
def test_the_weighted_score_and_the_pass_mark(scores, total, passes, scored) -> None:
    frame = pd.DataFrame({f"factor.{k}": [float(v)] for k, v in scores.items()})
    out = score_deals(frame, DEFAULT_EVALUATION).iloc[0]
    assert out["evaluation_score"] == pytest.approx(total)
    assert bool(out["evaluation_pass"]) is passes
    assert out["factors_scored"] == scored
    assert out[f"factor_{next(iter(scores))}"] == float(next(iter(scores.values())))


def test_a_deal_with_no_factor_value_has_no_score() -> None:
    frame = pd.DataFrame({"factor.funding": [np.nan, 5.0]})
    out = score_deals(frame, DEFAULT_EVALUATION)
    assert math.isnan(out["evaluation_score"].iloc[0])
    assert out["evaluation_pass"].isna().tolist() == [True, False]
    assert out["factors_scored"].tolist() == [0, 1]


def _closed(high_won: int, high_n: int, low_won: int, low_n: int) -> tuple[pd.DataFrame, list]:
    funding = [5.0] * high_n + [1.0] * low_n
    won = [True] * high_won + [False] * (high_n - high_won)
    won += [True] * low_won + [False] * (low_n - low_won)
    return pd.DataFrame({"factor.funding": funding}), won


# Wilson 95%: 8/10 → (0.490, 0.943); 2/10 → (0.057, 0.510); 5/10 → (0.237, 0.763);
# 3/4 → (0.301, 0.954); 1/4 → (0.046, 0.699); 0/3 → (0, 0.562); 3/3 → (0.438, 1).
# Newcombe: lift − √((p1 − l1)² + (u2 − p2)²), lift + √((u1 − p1)² + (p2 − l2)²).
@pytest.mark.parametrize(
    ("counts", "rates", "lift", "lift_low", "lift_high", "too_few"),
    [
        ((8, 10, 2, 10), (0.8, 0.2), 0.6, 0.162, 0.803, False),
        ((5, 10, 5, 10), (0.5, 0.5), 0.0, -0.373, 0.373, False),
        ((2, 10, 8, 10), (0.2, 0.8), -0.6, -0.803, -0.162, False),
        ((3, 4, 1, 4), (0.75, 0.25), 0.5, -0.136, 0.789, True),
        ((3, 3, 0, 3), (1.0, 0.0), 1.0, 0.206, 1.0, True),
    ],
)
def test_factor_lift_with_wilson_and_newcombe_intervals(
    counts, rates, lift, lift_low, lift_high, too_few
) -> None:
    closed, won = _closed(*counts)
    table = factor_lift(score_deals(closed, DEFAULT_EVALUATION), pd.Series(won), DEFAULT_EVALUATION)
    row = table.set_index("factor").loc["funding"]
    assert (row["closed_high"], row["won_high"], row["closed_low"], row["won_low"]) == (
        counts[1],
        counts[0],
        counts[3],
        counts[2],
    )
    assert row["win_rate_high"] == pytest.approx(rates[0])
    assert row["win_rate_low_side"] == pytest.approx(rates[1])
    assert row["lift"] == pytest.approx(lift)
    assert row["lift_low"] == pytest.approx(lift_low, abs=1e-3)
    assert row["lift_high"] == pytest.approx(lift_high, abs=1e-3)
    assert bool(row["too_few"]) is too_few
    # Funding is the only factor: the pass row (≥ 60 ⇔ funding ≥ 3) repeats it.
    assert table["factor"].tolist() == ["funding", "evaluation_pass"]


def test_wilson_bounds_of_each_side() -> None:
    closed, won = _closed(8, 10, 2, 10)
    row = factor_lift(score_deals(closed, DEFAULT_EVALUATION), pd.Series(won), DEFAULT_EVALUATION)
    row = row.iloc[0]
    assert (round(row["win_rate_high_low"], 3), round(row["win_rate_high_high"], 3)) == (
        0.49,
        0.943,
    )
    assert (round(row["win_rate_low_side_low"], 3), round(row["win_rate_low_side_high"], 3)) == (
        0.057,
        0.51,
    )


def test_high_means_at_least_3_of_5() -> None:
    closed = pd.DataFrame({"factor.relationship": [3.0, 2.0, 2.9, 5.0]})
    won = pd.Series([True, False, False, True])
    table = factor_lift(score_deals(closed, DEFAULT_EVALUATION), won, DEFAULT_EVALUATION)
    row = table.set_index("factor").loc["relationship"]
    assert (row["closed_high"], row["closed_low"]) == (2, 2)


def test_an_evaluation_toml_in_the_stage_model_or_beside_it() -> None:
    text = """
name = "mine"
[[stages]]
key = "a"
en = "A"
probability = 0.3
[[stages]]
key = "won"
en = "Won"
probability = 1.0
[evaluation]
pass_mark = 70
[[evaluation.factors]]
key = "budget"
zh = "预算"
en = "Budget"
weight = 3
values = { "有" = 5, "没有" = 0 }
aliases = ["预算情况"]
[[evaluation.factors]]
key = "fit"
en = "Fit"
weight = 1
scale = 10
"""
    model = load_stage_model(text.encode())
    ev = model.evaluation
    assert ev.pass_mark == 70
    assert [(f.key, f.weight, f.scale) for f in ev.factors] == [("budget", 3, 5), ("fit", 1, 10)]
    # 3·(5/5) + 1·(4/10) = 3.4 of 4 = 85
    out = score_deals(pd.DataFrame({"factor.budget": [5.0], "factor.fit": [4.0]}), ev)
    assert out["evaluation_score"].iloc[0] == pytest.approx(85.0)
    beside = load_evaluation(b'[evaluation]\npass_mark = 50\nfactors = "default"\n')
    assert beside.factors == DEFAULT_EVALUATION.factors and beside.pass_mark == 50
    assert replace(SIX, evaluation=beside).evaluation.pass_mark == 50


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[evaluation]\npass_mark = 120\n", "pass_mark"),
        ('[evaluation]\n[[evaluation.factors]]\nkey = "x"\nweight = 0\n', "weight"),
        ('[evaluation]\n[[evaluation.factors]]\nen = "no key"\n', "needs a key"),
        (
            '[evaluation]\n[[evaluation.factors]]\nkey = "x"\nvalues = { "hi" = 9 }\n',
            "outside",
        ),
        ('[evaluation]\nfactors = "mine"\n', "factors must be"),
    ],
)
def test_a_wrong_evaluation_is_refused(body, message) -> None:
    with pytest.raises(StageModelError, match=message):
        load_evaluation(body.encode())


HEADER = ["商机编号", "商机名称", "负责人", "销售阶段", "状态", "预计金额（万元）"]
FACTORS = ["资金落实", "技术符合度", "客户关系", "项目等级", "客户信用", "竞争态势"]


def _gb18030_csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    buf.write("2026年10月商机导出\n")  # a title row above the header, as a report would have
    pd.DataFrame(rows, columns=HEADER + FACTORS).to_csv(buf, index=False)
    return buf.getvalue().encode("gb18030")


ROWS = [
    ["O1", "甲", "张三", "入围客户", "进行中", 10, "已落实", "4", "好", "A", "良", "领先"],
    ["O2", "乙", "李四", "有效客户", "进行中", 5, "未落实", "2", "差", "C", "一般", "落后"],
    ["O3", "丙", "张三", "赢单客户", "赢单", 8, "已落实", "5", "高", "B", "好", "持平"],
    ["O4", "丁", "李四", "意向客户", "输单", 7, "未落实", "9", "低", "D", "差", "劣势"],
]


def test_a_chinese_csv_with_factor_columns_is_scored_and_a_bad_value_reported() -> None:
    result = load_export(_gb18030_csv(ROWS), file_name="商机_2026-10.csv")
    assert result.rows_rejected == 0
    opp = result.opportunities
    assert opp["factor.funding"].tolist() == [5.0, 0.0, 5.0, 0.0]
    assert opp["factor.project_grade"].tolist() == [5.0, 2.0, 4.0, 0.0]
    finding = result.findings[result.findings["rule"] == "unknown_factor_value"]
    assert finding[["row", "column", "value"]].values.tolist() == [[6, "技术符合度", "9"]]
    assert math.isnan(opp["factor.technical_fit"].iloc[3])  # the row is kept, the value blank
    report = build_report(result.observations(), SIX)
    data = report.data["evaluation"]
    assert data["declared"] and data["factors"] == [
        "project_grade",
        "funding",
        "technical_fit",
        "relationship",
        "credit",
        "competition",
    ]
    # O1: 15·1 + 25·1 + 20·0.8 + 20·1 + 10·0.8 + 10·1 = 94; O2: 15·0.4 + 0 + 20·0.4 + 20·0.2
    # + 10·0.6 + 10·0.2 = 26.
    scores = {d["opportunity_id"]: d["evaluation_score"] for d in data["deals"]}
    assert scores == pytest.approx({"O1": 94.0, "O2": 26.0})
    assert (data["scored"], data["passed"], data["failed"]) == (2, 1, 1)
    assert data["passed_amount"] == 100_000
    # Two deals closed in this one export, judged by their closed rows: funding high won, low lost.
    assert (data["closed_judged"], data["judged_at_close"]) == (2, 2)
    lift = {r["factor"]: r for r in data["lift"]}
    assert lift["funding"]["lift"] == 1.0 and lift["funding"]["too_few"]
    assert "technical_fit" in lift  # O4's unreadable 9 leaves only O3's 5: no low side
    assert lift["technical_fit"]["closed_low"] == 0
    assert lift["technical_fit"]["lift"] is None


def test_closed_deals_are_judged_where_they_last_stood_open() -> None:
    may = [["O1", "甲", "张三", "入围客户", "进行中", 10, "未落实", "", "", "", "", ""]]
    june = [["O1", "甲", "张三", "赢单客户", "赢单", 10, "已落实", "", "", "", "", ""]]
    obs = pd.concat(
        [
            load_export(_gb18030_csv(may), file_name="商机_2026-05.csv").observations(),
            load_export(_gb18030_csv(june), file_name="商机_2026-06.csv").observations(),
        ]
    )
    data = build_report(obs, SIX).data["evaluation"]
    lift = {r["factor"]: r for r in data["lift"]}
    # May's 未落实 counts (funding low, won), not June's 已落实 written after the fact.
    assert (lift["funding"]["closed_low"], lift["funding"]["won_low"]) == (1, 1)
    assert data["judged_at_close"] == 0


def test_an_xlsx_with_english_factor_headers(tmp_path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Opportunity ID", "Stage", "Amount", "Funding", "Technical fit", "Competition"])
    sheet.append(["1", "Qualified", 1000, "secured", "high", "ahead"])
    sheet.append(["2", "Target", 500, 1, 2, "behind"])
    path = tmp_path / "deals_2026-10.xlsx"
    book.save(path)
    result = load_export(path)
    assert result.opportunities["factor.funding"].tolist() == [5.0, 1.0]
    data = build_report(result.observations(), SIX).data["evaluation"]
    # 1: 25 + 20 + 10 of 55 = 100; 2: 25·0.2 + 20·0.4 + 10·0.2 = 15 of 55 = 27.27
    scores = {d["opportunity_id"]: d["evaluation_score"] for d in data["deals"]}
    assert scores == pytest.approx({"1": 100.0, "2": 15 / 55 * 100})
    assert data["lift"] == []  # nothing closed yet


def test_an_export_without_factor_columns_loses_nothing() -> None:
    rows = [r[:6] for r in ROWS]
    buf = io.StringIO()
    pd.DataFrame(rows, columns=HEADER).to_csv(buf, index=False)
    result = load_export(buf.getvalue().encode("gb18030"), file_name="商机_2026-10.csv")
    assert not [c for c in result.opportunities.columns if c.startswith("factor.")]
    report = build_report(result.observations(), SIX)
    data = report.data["evaluation"]
    assert data["declared"] and data["factors"] == [] and data["deals"] == []
    assert "evaluation_deals" not in report.tables and "factor_lift" not in report.tables
    hub = build_report(result.observations(), replace(SIX, evaluation=None))
    assert hub.data["evaluation"]["declared"] is False


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tables_are_declared_and_the_workbook_names_their_sheets(lang) -> None:
    import openpyxl

    from funnel_analytics.contracts import TABLES
    from funnel_analytics.export import report_workbook

    result = load_export(_gb18030_csv(ROWS), file_name="商机_2026-10.csv")
    report = build_report(result.observations(), SIX)
    for name in ("evaluation_deals", "factor_lift"):
        assert TABLES[name].undeclared(report.tables[name]) == []
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(report.tables, lang, SIX)))
    sheet = "评估得分" if lang == "zh" else "Evaluation scores"
    rows = list(book[sheet].iter_rows(values_only=True))
    funding = "资金落实" if lang == "zh" else "Funding"
    assert funding in rows[0]  # the factor_<key> column is headed by the factor's name
    assert ("评估因素提升" if lang == "zh" else "Evaluation factor lift") in book.sheetnames
    lift = list(
        book["评估因素提升" if lang == "zh" else "Evaluation factor lift"].iter_rows(
            values_only=True
        )
    )
    assert lift[1][0] == ("项目等级" if lang == "zh" else "Project grade")


def test_an_evaluation_toml_beside_a_model_file_is_read_with_it(tmp_path) -> None:
    model = tmp_path / "mine.toml"
    model.write_text(
        'name = "mine"\n[[stages]]\nkey = "a"\nprobability = 0.2\n[[stages]]\nkey = "won"\n',
        encoding="utf-8",
    )
    assert load_stage_model(model).evaluation is None
    (tmp_path / "mine.evaluation.toml").write_text(
        '[evaluation]\npass_mark = 55\nfactors = "default"\n', encoding="utf-8"
    )
    loaded = load_stage_model(model)
    assert loaded.evaluation.pass_mark == 55 and len(loaded.evaluation.factors) == 6


def test_a_deal_failing_the_evaluation_is_a_risk_flag_for_the_grades() -> None:
    result = load_export(_gb18030_csv(ROWS), file_name="商机_2026-10.csv")
    grades = build_report(result.observations(), SIX).grades
    assert "fails_evaluation" in grades.flags
    flagged = grades.deals.set_index("opportunity_id")["fails_evaluation"]
    assert flagged.to_dict() == {"O1": False, "O2": True}  # 94 passes, 26 fails
    without = build_report(result.observations(), replace(SIX, evaluation=None))
    assert "fails_evaluation" not in without.grades.flags

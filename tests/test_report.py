"""The funnel-movement report: its JSON contract, on the sample data and the real export."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from funnel_analytics.report import build_report
from funnel_analytics.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
KEYS = {
    "funnel",
    "conversion",
    "win_rate",
    "transitions",
    "regressions",
    "time_in_stage",
    "stalled",
    "pipeline_changes",
}


@pytest.fixture(scope="module")
def sample_report():
    ws = load_workspace()
    return build_report(ws.observations, ws.stage_model)


def test_report_keys_and_funnel_shape(sample_report) -> None:
    data = sample_report.data
    assert set(data) >= KEYS
    assert all(
        set(r) >= {"stage", "open_count", "open_amount", "reached_count"} for r in data["funnel"]
    )
    reached = [r["reached_count"] for r in data["funnel"]]
    assert reached == sorted(reached, reverse=True), (
        "reached counts never increase along the funnel"
    )
    for r in data["time_in_stage"]:
        assert {"median_days", "p75_days", "n", "censored"} <= set(r)
    json.dumps(data)  # plain JSON


def test_rates_stay_in_unit_interval(sample_report) -> None:
    c = sample_report.tables["conversion"]
    for col in ("to_next_rate", "win_rate", "win_rate_low", "win_rate_high"):
        assert c[col].dropna().between(0, 1).all()


def test_waterfall_in_the_report_reconciles(sample_report) -> None:
    s = sample_report.tables["pipeline_changes"].set_index("step")
    amount = (
        s.loc["start", "amount"]
        + s.loc["new", "amount"]
        + s.loc["moved_in", "amount"]
        + s.loc["increased", "amount"]
        - s.loc["decreased", "amount"]
        - s.loc["won", "amount"]
        - s.loc["lost", "amount"]
        - s.loc["moved_out", "amount"]
    )
    assert amount == pytest.approx(s.loc["end", "amount"], abs=0.01)


def test_real_salesforce_history_shows_its_reversals(real_exports) -> None:
    from funnel_analytics.loading import load_export

    r = load_export(
        real_exports / "salesforce-sample-org-2026" / "OpportunityHistory.csv",
        stage_model="salesforce",
    )
    report = build_report(r.observations(), r.stage_model)
    assert report.data["resolution"] == "event"
    assert report.data["transitions"]["closed_won"]["lost"] > 0


def test_cli_report_json_and_workbook(tmp_path) -> None:
    out = tmp_path / "report.xlsx"
    files = [str(p) for p in sorted((ROOT / "sample_data").glob("商机导出_2026-0[89].xlsx"))]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "funnel_analytics.cli",
            "report",
            *files,
            "--json",
            "--output",
            str(out),
            "--lang",
            "en",
            "--runs",
            "500",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= KEYS | {"plan", "forecast", "calibration", "scorecard", "grades"}
    assert data["grades"]["settings"]["horizon_months"] == 3
    assert data["previous_snapshot"] == "2026-08-31"
    wb = openpyxl.load_workbook(out)
    assert {
        "Funnel",
        "Conversion",
        "Time in stage",
        "Pipeline changes",
        "Balanced plan",
        "Forecast range by month",
        "Calibration",
        "Scorecard by owner",
        "Suggested grades",
        "Grades by owner",
        "A deals at risk",
    } <= set(wb.sheetnames)
    assert wb.sheetnames[-2:] == ["Definitions", "Columns"]
    plan = wb["Balanced plan"]
    assert [c.value for c in plan[1]][:3] == ["Stage", "P(win)", "Needed per year"]
    assert plan.freeze_panes == "A2" and plan["B2"].number_format == "0.0%"
    definitions = {row[0].value: row[1].value for row in wb["Definitions"].iter_rows(min_row=2)}
    assert "Monte Carlo forecast" in definitions and "seeded" in definitions["Monte Carlo forecast"]
    columns = {row[0].value: row[1].value for row in wb["Columns"].iter_rows(min_row=2)}
    assert columns["P(win)"] == "Probability that a deal at this stage is won."


def test_report_workbook_in_chinese_neutralises_text() -> None:
    from funnel_analytics.export import report_workbook

    tables = {"plan": pd.DataFrame({"stage": ["=cmd|' /C calc'!A0"], "win_probability": [0.1]})}
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(tables, "zh")))
    assert wb.sheetnames == ["平衡漏斗计划", "指标定义", "列说明"]
    ws = wb["平衡漏斗计划"]
    assert [c.value for c in ws[1]] == ["阶段", "赢单概率"]
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"


def test_cli_report_on_an_empty_store_is_one_line(tmp_path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "funnel_analytics.cli",
            "report",
            "--store",
            str(tmp_path / "none.duckdb"),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_as_of_limits_the_report(sample_report) -> None:
    ws = load_workspace()
    early = build_report(ws.observations, ws.stage_model, pd.Timestamp("2026-03-31"))
    assert early.data["as_of"] == "2026-03-31"
    assert early.data["previous_snapshot"] == "2026-02-28"


def test_created_in_period_cohort_worked_by_hand() -> None:
    from funnel_analytics.conversion import created_cohort_win_rates
    from funnel_analytics.history import stage_history
    from funnel_analytics.stages import DEFAULT_MODEL

    T = pd.Timestamp
    rows = [  # deal, snapshot, stage, status, amount, created
        ("old", T("2024-01-31"), "target", "open", 10.0, T("2023-06-01")),
        ("old", T("2024-02-29"), "won", "won", 10.0, T("2023-06-01")),
        ("w1", T("2024-01-31"), "committed", "open", 100.0, T("2024-01-05")),
        ("w1", T("2024-02-29"), "won", "won", 120.0, T("2024-01-05")),
        ("l1", T("2024-01-31"), "target", "open", 50.0, T("2024-01-10")),
        ("l1", T("2024-02-29"), "target", "lost", 50.0, T("2024-01-10")),
        ("l2", T("2024-02-29"), "qualified", "lost", 30.0, T("2024-02-01")),
        ("o1", T("2024-02-29"), "target", "open", 70.0, T("2024-02-10")),
    ]
    obs = pd.DataFrame(
        rows,
        columns=["opportunity_id", "snapshot_date", "stage", "status", "amount", "created_date"],
    )
    history = stage_history(obs, DEFAULT_MODEL)
    got = created_cohort_win_rates(history, obs, T("2023-12-31"), T("2024-02-29")).iloc[0]
    # Created in Jan–Feb 2024: w1 (won, 120 at the end), l1 and l2 (lost, 50 + 30), o1 (open).
    assert (got["created"], got["won"], got["lost"], got["undecided"]) == (4, 1, 2, 1)
    assert got["win_rate"] == pytest.approx(1 / 3)
    assert got["win_rate_by_amount"] == pytest.approx(120 / 200)
    assert got["decided_share"] == pytest.approx(3 / 4)
    assert got["too_few"]


def test_history_log_forecasts_each_deals_latest_state(real_exports) -> None:
    """A stage-history log has no snapshots: the open pipeline is each deal's last logged row."""
    from funnel_analytics.funnel import current_deals
    from funnel_analytics.loading import load_export

    r = load_export(
        real_exports / "salesforce-sample-org-2026" / "OpportunityHistory.csv",
        stage_model="salesforce",
    )
    obs = r.observations()
    last = obs.sort_values("snapshot_date", kind="stable").groupby("opportunity_id").tail(1)
    open_ids = set(last.loc[last["status"] == "open", "opportunity_id"])
    assert (
        open_ids and set(current_deals(obs).query("status == 'open'")["opportunity_id"]) == open_ids
    )
    report = build_report(obs, r.stage_model, outlook=True, runs=300)
    assert report.data["forecast"]["deals"] == len(open_ids)


def test_a_deal_closed_once_is_one_closing_row() -> None:
    from funnel_analytics.conversion import closing_rows
    from funnel_analytics.history import stage_history
    from funnel_analytics.stages import DEFAULT_MODEL

    t0, t1 = pd.Timestamp("2024-03-05 10:00"), pd.Timestamp("2024-03-06 09:00")
    # A history log with two rows at the closing time: the stage, then the outcome.
    obs = pd.DataFrame(
        {
            "opportunity_id": ["W", "W", "W"],
            "snapshot_date": [t0, t1, t1],
            "stage": ["near_win", "near_win", "won"],
            "status": ["open", "open", "won"],
            "amount": [5.0, 5.0, 5.0],
            "team": ["t", "t", "t"],
        }
    )
    h = stage_history(obs, DEFAULT_MODEL)
    closed = closing_rows(h, obs, None, t1)
    assert closed[["opportunity_id", "stage", "kind", "won"]].values.tolist() == [
        ["W", "won", "won", True]
    ]


def test_created_cohort_does_not_depend_on_row_order() -> None:
    """A history's deal panel serves only the frame it was built from: the same rows in another
    order are looked up again, not read at the old positions."""
    from funnel_analytics.conversion import created_cohort_win_rates

    ws = load_workspace()
    report = build_report(ws.observations, ws.stage_model)
    as_of = report.history.as_of
    start = as_of - pd.DateOffset(months=12)
    shuffled = ws.observations.sample(frac=1, random_state=7)
    pd.testing.assert_frame_equal(
        created_cohort_win_rates(report.history, shuffled, start, as_of, "team"),
        created_cohort_win_rates(report.history, ws.observations, start, as_of, "team"),
    )


def test_closes_are_dated_by_close_date_and_one_export_agrees_with_many() -> None:
    """A deal's close date wins over the snapshot it first shows closed in; so the latest
    export alone and the run of exports count the same deals, on the same dates."""
    from funnel_analytics.conversion import closing_rows, win_rates
    from funnel_analytics.history import stage_history
    from funnel_analytics.stages import DEFAULT_MODEL

    T = pd.Timestamp
    jan, feb = T("2024-01-31"), T("2024-02-29")
    rows = [  # deal, snapshot, stage, status, amount, close date
        ("A", jan, "committed", "open", 10.0, pd.NaT),
        ("A", feb, "won", "won", 10.0, T("2024-02-20")),
        ("B", jan, "won", "won", 20.0, T("2024-01-10")),
        ("B", feb, "won", "won", 20.0, T("2024-01-10")),
        ("C", jan, "target", "lost", 30.0, T("2023-12-05")),
        ("C", feb, "target", "lost", 30.0, T("2023-12-05")),
        ("D", feb, "target", "lost", 40.0, pd.NaT),  # no close date: the snapshot's
        ("E", feb, "won", "won", 50.0, T("2024-06-30")),  # after the snapshot: capped
        ("F", feb, "won", "won", 60.0, T("2022-05-01")),  # before the period
    ]
    obs = pd.DataFrame(
        rows, columns=["opportunity_id", "snapshot_date", "stage", "status", "amount", "close_date"]
    )
    start = feb - pd.DateOffset(months=12)
    expected = {
        "A": T("2024-02-20"),
        "B": T("2024-01-10"),
        "C": T("2023-12-05"),
        "D": feb,
        "E": feb,
    }
    for frame in (obs, obs[obs["snapshot_date"] == feb].reset_index(drop=True)):
        h = stage_history(frame, DEFAULT_MODEL)
        closed = closing_rows(h, frame, start, feb)
        assert dict(zip(closed["opportunity_id"], closed["date"], strict=True)) == expected
        rate = win_rates(h, frame, start, feb).iloc[0]
        assert (rate["won"], rate["closed"]) == (3, 5)  # A, B, E won; C, D lost
        assert rate["win_rate_by_amount"] == pytest.approx(80 / 150)


def test_a_won_then_lost_correction_counts_by_its_final_outcome() -> None:
    from funnel_analytics.conversion import closing_rows
    from funnel_analytics.history import stage_history
    from funnel_analytics.stages import DEFAULT_MODEL

    T = pd.Timestamp
    obs = pd.DataFrame(
        {
            "opportunity_id": ["X", "X", "X"],
            "snapshot_date": [T("2024-03-01"), T("2024-03-05"), T("2024-03-09")],
            "stage": ["committed", "won", "committed"],
            "status": ["open", "won", "lost"],
            "amount": [5.0, 5.0, 5.0],
        }
    )
    closed = closing_rows(stage_history(obs, DEFAULT_MODEL), obs, None, T("2024-03-31"))
    assert closed[["opportunity_id", "kind", "date"]].values.tolist() == [
        ["X", "lost", T("2024-03-09")]
    ]

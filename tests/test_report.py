"""The funnel-movement report: its JSON contract, on the sample data and the real export."""

from __future__ import annotations

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
KEYS = {"funnel", "conversion", "win_rate", "transitions", "regressions", "time_in_stage",
        "stalled", "pipeline_changes"}


@pytest.fixture(scope="module")
def sample_report():
    ws = load_workspace()
    return build_report(ws.observations, ws.stage_model)


def test_report_keys_and_funnel_shape(sample_report) -> None:
    data = sample_report.data
    assert set(data) >= KEYS
    assert all(set(r) >= {"stage", "open_count", "open_amount", "reached_count"} for r in data["funnel"])
    reached = [r["reached_count"] for r in data["funnel"]]
    assert reached == sorted(reached, reverse=True), "reached counts never increase along the funnel"
    for r in data["time_in_stage"]:
        assert {"median_days", "p75_days", "n", "censored"} <= set(r)
    json.dumps(data)  # plain JSON


def test_rates_stay_in_unit_interval(sample_report) -> None:
    c = sample_report.tables["conversion"]
    for col in ("to_next_rate", "win_rate", "win_rate_low", "win_rate_high"):
        assert c[col].dropna().between(0, 1).all()


def test_waterfall_in_the_report_reconciles(sample_report) -> None:
    s = sample_report.tables["pipeline_changes"].set_index("step")
    amount = (s.loc["start", "amount"] + s.loc["new", "amount"] + s.loc["moved_in", "amount"]
              + s.loc["increased", "amount"] - s.loc["decreased", "amount"] - s.loc["won", "amount"]
              - s.loc["lost", "amount"] - s.loc["moved_out", "amount"])
    assert amount == pytest.approx(s.loc["end", "amount"], abs=0.01)


def test_real_salesforce_history_shows_its_reversals(real_exports) -> None:
    from funnel_analytics.loading import load_export

    r = load_export(real_exports / "salesforce-sample-org-2026" / "OpportunityHistory.csv",
                    stage_model="salesforce")
    report = build_report(r.observations(), r.stage_model)
    assert report.data["resolution"] == "event"
    assert report.data["transitions"]["closed_won"]["lost"] > 0


def test_cli_report_json_and_workbook(tmp_path) -> None:
    out = tmp_path / "report.xlsx"
    files = [str(p) for p in sorted((ROOT / "sample_data").glob("商机导出_2026-0[89].xlsx"))]
    proc = subprocess.run([sys.executable, "-m", "funnel_analytics.cli", "report", *files,
                           "--json", "--output", str(out)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= KEYS and data["previous_snapshot"] == "2026-08-31"
    wb = openpyxl.load_workbook(out)
    assert {"funnel", "conversion", "time_in_stage", "pipeline_changes"} <= set(wb.sheetnames)


def test_cli_report_on_an_empty_store_is_one_line(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "funnel_analytics.cli", "report", "--store",
                           str(tmp_path / "none.duckdb"), "--lang", "en"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_as_of_limits_the_report(sample_report) -> None:
    ws = load_workspace()
    early = build_report(ws.observations, ws.stage_model, pd.Timestamp("2026-03-31"))
    assert early.data["as_of"] == "2026-03-31"
    assert early.data["previous_snapshot"] == "2026-02-28"


def test_a_deal_closed_once_is_one_closing_row() -> None:
    from funnel_analytics.history import stage_history
    from funnel_analytics.report import closing_rows
    from funnel_analytics.stages import DEFAULT_MODEL

    t0, t1 = pd.Timestamp("2024-03-05 10:00"), pd.Timestamp("2024-03-06 09:00")
    # A history log with two rows at the closing time: the stage, then the outcome.
    obs = pd.DataFrame({"opportunity_id": ["W", "W", "W"], "snapshot_date": [t0, t1, t1],
                        "stage": ["near_win", "near_win", "won"], "status": ["open", "open", "won"],
                        "amount": [5.0, 5.0, 5.0], "team": ["t", "t", "t"]})
    h = stage_history(obs, DEFAULT_MODEL)
    closed = closing_rows(h, obs, None, t1)
    assert closed[["opportunity_id", "stage", "kind", "won"]].values.tolist() == [["W", "won", "won", True]]

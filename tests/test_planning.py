"""The balanced funnel (domain.md §4): the material's worked example, hand-worked plans for the
other stage models, properties of the arithmetic, the plan held against a hand-made pipeline,
the time from each stage to won, and the ``plan`` command."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_analytics.history import stage_history
from funnel_analytics.planning import (
    DAYS_PER_MONTH,
    PlanError,
    balanced_plan,
    compare_with_pipeline,
    months_to_win,
    time_to_win,
)
from funnel_analytics.sample import generate_history
from funnel_analytics.stages import DEFAULT_MODEL, get_stage_model

ROOT = Path(__file__).resolve().parents[1]
T = pd.Timestamp
D0, D1, D2, D3, D4 = (
    T("2024-01-31"),
    T("2024-02-29"),
    T("2024-03-31"),
    T("2024-04-30"),
    T("2024-05-31"),
)


def frame(rows) -> pd.DataFrame:
    """Observations from (deal, snapshot, stage, status, amount) tuples."""
    obs = pd.DataFrame(
        rows, columns=["opportunity_id", "snapshot_date", "stage", "status", "amount"]
    )
    obs["opportunity_id"] = obs["opportunity_id"].astype("string")
    obs["stage"] = obs["stage"].astype("string")
    obs["status"] = obs["status"].astype("string")
    obs["amount"] = obs["amount"].astype("float64")
    return obs


def run_cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "funnel_analytics.cli", "plan", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


# --------------------------------------------------------------------------------------------
# The material's worked example: 300 (or 200 units) / 3 (or 2) = 100 contracts; at 10% from
# target customer to won, 100 × 10 = 1000 target customers a year, 1000 / 12 = 83.3 a month.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "average", "by"), [(300, 3, "amount"), (200, 2, "units")])
def test_domain_worked_example(target, average, by) -> None:
    plan = balanced_plan(target, average, {"target": 0.1, "won": 1.0}, by=by)
    assert plan.by == by
    assert plan.contracts == pytest.approx(100.0)
    assert plan.intake_per_year == pytest.approx(1000.0)
    assert round(plan.intake_per_month, 1) == 83.3
    rows = plan.stages.set_index("stage")
    assert rows.loc["won", "per_year"] == pytest.approx(100.0)  # the won stage needs the contracts
    assert round(rows.loc["won", "per_month"], 1) == 8.3
    assert plan.forward() == pytest.approx(target)


def test_cli_plan_prints_the_worked_example() -> None:
    proc = run_cli("--target", 300, "--average-deal", 3, "--win-rate", 0.1, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "contracts needed: 100 (average deal 3)" in out
    target_line = next(line for line in out.splitlines() if line.strip().startswith("target ("))
    assert target_line.split()[-3:] == ["10.0%", "1,000.0", "83.3"]
    won_line = next(line for line in out.splitlines() if line.strip().startswith("won ("))
    assert won_line.split()[-3:] == ["100.0%", "100.0", "8.3"]


@pytest.mark.parametrize(("target", "average", "by"), [(300, 3, "amount"), (200, 2, "units")])
def test_cli_plan_json(target, average, by) -> None:
    proc = run_cli(
        "--target", target, "--average-deal", average, "--win-rate", 0.1, "--by", by, "--json"
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["by"] == by
    assert data["contracts"] == pytest.approx(100.0)
    assert data["intake_per_year"] == pytest.approx(1000.0)
    assert round(data["intake_per_month"], 1) == 83.3
    assert [s["stage"] for s in data["stages"]] == ["target", "won"]
    assert data["stages"][0]["per_year"] == pytest.approx(1000.0)
    assert data["probabilities"] == "given"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--target", -300, "--average-deal", 3), "target"),
        (("--target", 300), "--average-deal"),
        (("--target", 300, "--average-deal", 3, "--win-rate", 0), "0.0"),
        (("--target", 300, "--average-deal", 3, "--win-rate", 1.5), "1.5"),
    ],
)
def test_cli_plan_refuses_bad_input(args, needle) -> None:
    proc = run_cli(*args, "--lang", "en")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("funnel-analytics: ") and needle in lines[0]


# --------------------------------------------------------------------------------------------
# Hand-worked plans with the models' nominal probabilities.
#
# Eight-stage, target 1200, average deal 6 → 1200 / 6 = 200 contracts:
#   account_planning 5%  → 200 / 0.05 = 4000 a year, 4000 / 12 = 333.33 a month
#   visit_discovery 10%  → 2000,  166.67       preliminary_proposal 20% → 1000, 83.33
#   demo_exchange 30%    → 666.67, 55.56       formal_proposal 45%      → 444.44, 37.04
#   evaluation 60%       → 333.33, 27.78       negotiation 80%          → 250,    20.83
#   contract_signed 100% → 200,    16.67
# Four-stage, target 600, average deal 5 → 120 contracts:
#   intent 25% → 480, 40     solution 50% → 240, 20     commercial 75% → 160, 13.33
#   closed 100% → 120, 10
# --------------------------------------------------------------------------------------------

EIGHT = [
    ("account_planning", 4000, 333.333),
    ("visit_discovery", 2000, 166.667),
    ("preliminary_proposal", 1000, 83.333),
    ("demo_exchange", 666.667, 55.556),
    ("formal_proposal", 444.444, 37.037),
    ("evaluation", 333.333, 27.778),
    ("negotiation", 250, 20.833),
    ("contract_signed", 200, 16.667),
]
FOUR = [
    ("intent", 480, 40),
    ("solution", 240, 20),
    ("commercial", 160, 13.333),
    ("closed", 120, 10),
]


@pytest.mark.parametrize(
    ("model", "target", "average", "stage", "per_year", "per_month"),
    [("eight_stage", 1200, 6, *row) for row in EIGHT]
    + [("four_stage", 600, 5, *row) for row in FOUR],
)
def test_hand_worked_plans(model, target, average, stage, per_year, per_month) -> None:
    m = get_stage_model(model)
    plan = balanced_plan(target, average, m.probabilities)
    assert list(plan.stages["stage"]) == list(m.keys)
    row = plan.stages.set_index("stage").loc[stage]
    assert row["per_year"] == pytest.approx(per_year, abs=1e-3)
    assert row["per_month"] == pytest.approx(per_month, abs=1e-3)


def test_hand_worked_plan_contracts_and_schedule() -> None:
    m = get_stage_model("four_stage")
    plan = balanced_plan(600, 5, m.probabilities, months_to_win={"intent": 5.6, "solution": 2.4})
    assert plan.contracts == 120
    assert plan.intake_per_year == 480 and plan.intake_per_month == 40
    # Whole months of lead: 5.6 → 6, 2.4 → 2, unknown → 0.
    assert list(plan.stages["lead_months"]) == [6, 2, 0, 0]
    sched = plan.schedule(pd.Period("2025-01", freq="M"))
    intent = sched[sched["stage"] == "intent"]
    assert intent["month"].min() == pd.Period("2024-07", freq="M")  # 6 months before January
    assert len(intent) == 12 and (intent["entries"] == 40).all()


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
probability = st.floats(min_value=1e-3, max_value=1.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    target=positive,
    average=positive,
    probs=st.lists(probability, min_size=1, max_size=9),
    months=st.integers(min_value=1, max_value=36),
)
def test_plan_fed_forward_returns_the_target(target, average, probs, months) -> None:
    keys = [f"s{i}" for i in range(len(probs))]
    plan = balanced_plan(target, average, dict(zip(keys, probs, strict=True)), months)
    assert plan.forward() == pytest.approx(target, rel=1e-9)
    for row in plan.stages.itertuples(index=False):
        assert row.per_year * row.win_probability * average == pytest.approx(target, rel=1e-9)
        assert row.per_month * months == pytest.approx(row.per_year, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(target=positive, average=positive, probs=st.lists(probability, min_size=2, max_size=9))
def test_per_year_never_decreases_toward_the_top(target, average, probs) -> None:
    probs = sorted(probs)  # probabilities rise from the top of the funnel to the bottom
    plan = balanced_plan(target, average, {f"s{i}": p for i, p in enumerate(probs)})
    per_year = plan.stages["per_year"].to_numpy()
    assert (per_year[:-1] >= per_year[1:] * (1 - 1e-12)).all()


bad_number = st.one_of(st.floats(max_value=0.0), st.just(math.nan), st.just(math.inf))


@settings(max_examples=100, deadline=None)
@given(bad=bad_number, which=st.sampled_from(["target", "average_deal"]))
def test_non_positive_target_or_average_is_refused(bad, which) -> None:
    args = {"target": 300.0, "average_deal": 3.0, which: bad}
    with pytest.raises(PlanError) as err:
        balanced_plan(args["target"], args["average_deal"], {"target": 0.1, "won": 1.0})
    assert err.value.key == "plan_not_positive"
    assert err.value.params["name"] == which


@settings(max_examples=100, deadline=None)
@given(
    bad=st.one_of(
        st.floats(max_value=0.0), st.floats(min_value=1.0, exclude_min=True), st.just(math.nan)
    )
)
def test_probability_outside_zero_one_is_refused(bad) -> None:
    with pytest.raises(PlanError) as err:
        balanced_plan(300, 3, {"target": 0.1, "qualified": bad, "won": 1.0})
    assert err.value.key == "plan_bad_probability"
    assert err.value.params["stage"] == "qualified"


def test_other_refusals() -> None:
    with pytest.raises(PlanError, match="plan_no_probabilities"):
        balanced_plan(300, 3, {})
    with pytest.raises(PlanError, match="plan_bad_months"):
        balanced_plan(300, 3, {"target": 0.1}, months=0)
    with pytest.raises(PlanError, match="plan_bad_by"):
        balanced_plan(300, 3, {"target": 0.1}, by="weight")
    # probability exactly 1 is allowed (the won stage)
    assert balanced_plan(300, 3, {"won": 1.0}).intake_per_year == 100


# --------------------------------------------------------------------------------------------
# The plan held against a hand-made pipeline (six-state model). Snapshots D0 … D3; the window
# starts at the first export D0, so it spans 90 days = 90 / 30.4375 months. Deals already in
# the first export count in no flow until they reach a stage they had not reached before.
#
#   N1–N3  new at D1 in target, still there at D3 (100 each)   → target flow
#   N4     new at D1 in target, qualified at D2 and D3 (200)    → target + qualified flow
#   N5     new at D2 in target, lost at D3                      → target flow
#   N6     new at D2 straight into qualified (200)              → target + qualified flow
#   O1–O3  in committed since D0, still there (500 each)        → stock only
#   W1     near-win at D0, won at D1                            → won flow
#   W2     shortlisted at D0 and D1, won at D2: its win is its first sighting at committed or
#          beyond                                               → committed, near-win, won flow
#
# Flow (deals reaching the stage or beyond in the window): target 6, qualified 2, shortlisted 0,
# committed 1, near-win 1, won 2.
# --------------------------------------------------------------------------------------------

PIPELINE = [
    *[(f"N{i}", d, "target", "open", 100.0) for i in (1, 2, 3) for d in (D1, D2, D3)],
    ("N4", D1, "target", "open", 200.0),
    ("N4", D2, "qualified", "open", 200.0),
    ("N4", D3, "qualified", "open", 200.0),
    ("N5", D2, "target", "open", 50.0),
    ("N5", D3, "target", "lost", 50.0),
    ("N6", D2, "qualified", "open", 200.0),
    ("N6", D3, "qualified", "open", 200.0),
    *[(f"O{i}", d, "committed", "open", 500.0) for i in (1, 2, 3) for d in (D0, D1, D2, D3)],
    ("W1", D0, "near_win", "open", 120.0),
    ("W1", D1, "won", "won", 120.0),
    ("W2", D0, "shortlisted", "open", 80.0),
    ("W2", D1, "shortlisted", "open", 80.0),
    ("W2", D2, "won", "won", 80.0),
]

# Target 600 at 100 a deal = 6 contracts = 0.5 a month. Required per month = 0.5 / P:
#   target 0.25 → 2.0   qualified 0.5 → 1.0   shortlisted 0.6 → 0.8333   committed 0.8 → 0.625
#   near_win 0.9 → 0.5556   won 1 → 0.5
PROBS = {
    "target": 0.25,
    "qualified": 0.5,
    "shortlisted": 0.6,
    "committed": 0.8,
    "near_win": 0.9,
    "won": 1.0,
}
# Median months in stage: target 2 (implied stock 2.0 × 2 = 4), committed 2 (0.625 × 2 = 1.25).
DURATIONS = pd.DataFrame(
    {"stage": ["target", "committed"], "median_days": [2 * DAYS_PER_MONTH, 2 * DAYS_PER_MONTH]}
)


@pytest.fixture(scope="module")
def pipeline():
    obs = frame(PIPELINE)
    return obs, stage_history(obs, DEFAULT_MODEL)


def test_compare_with_pipeline_hand_worked(pipeline) -> None:
    obs, history = pipeline
    plan = balanced_plan(600, 100, PROBS)
    vs, summary = compare_with_pipeline(plan, obs, history, DURATIONS, won_to_date=200.0)
    vs = vs.set_index("stage")
    span = 90 / DAYS_PER_MONTH
    flows = {"target": 6, "qualified": 2, "shortlisted": 0, "committed": 1, "near_win": 1, "won": 2}
    for stage, n in flows.items():
        assert vs.loc[stage, "actual_per_month"] == pytest.approx(n / span), stage
    assert vs["required_per_month"].to_dict() == pytest.approx(
        {
            "target": 2.0,
            "qualified": 1.0,
            "shortlisted": 0.5 / 0.6,
            "committed": 0.625,
            "near_win": 0.5 / 0.9,
            "won": 0.5,
        }
    )
    assert vs["open_count"].to_dict() == {
        "target": 3,
        "qualified": 2,
        "shortlisted": 0,
        "committed": 3,
        "near_win": 0,
        "won": 0,
    }
    assert vs["open_amount"].to_dict() == {
        "target": 300.0,
        "qualified": 400.0,
        "shortlisted": 0.0,
        "committed": 1500.0,
        "near_win": 0.0,
        "won": 0.0,
    }
    assert vs.loc["target", "required_open"] == pytest.approx(4.0)
    assert vs.loc["target", "stock_ratio"] == pytest.approx(3 / 4)
    assert vs.loc["committed", "stock_ratio"] == pytest.approx(3 / 1.25)
    assert np.isnan(vs.loc["qualified", "stock_ratio"])  # no measured time in stage
    # target: 6/2.957 = 2.03 a month against 2.0 → balanced.
    # qualified: 0.68 against 1.0 (< 80%) → thin; shortlisted: nothing arrives → thin;
    # near-win: 0.34 against 0.56 → thin.
    # committed: 0.34 against 0.625 (thin), but 3 deals sit where 1.25 are implied and the
    #   next stage is thin → stuck (stuck wins over thin).
    # won: 0.68 against 0.5 → balanced.
    assert vs["status"].to_dict() == {
        "target": "balanced",
        "qualified": "thin",
        "shortlisted": "thin",
        "committed": "stuck",
        "near_win": "thin",
        "won": "balanced",
    }
    assert summary["thin_stages"] == ["qualified", "shortlisted", "near_win"]
    assert summary["stuck_stages"] == ["committed"]
    assert summary["window_months"] == round(span, 2)
    assert summary["actual_intake_per_month"] == pytest.approx(6 / span)
    assert summary["required_intake_per_month"] == pytest.approx(2.0)
    # coverage = open amount ÷ (target − won so far) = 2200 / (600 − 200)
    assert summary["remaining_target"] == 400.0
    assert summary["open_amount"] == 2200.0
    assert summary["coverage"] == pytest.approx(2200 / 400)
    # weighted: 300 × 0.25 + 400 × 0.5 + 1500 × 0.8 = 1475
    assert summary["weighted_open_amount"] == pytest.approx(1475.0)
    assert summary["weighted_coverage"] == pytest.approx(1475 / 400)


def test_compare_with_pipeline_without_durations_and_past_target(pipeline) -> None:
    obs, history = pipeline
    plan = balanced_plan(600, 100, PROBS)
    vs, summary = compare_with_pipeline(plan, obs, history, won_to_date=900.0)
    # No time in stage: no implied stock, so nothing can be stuck; the thin stages stay thin.
    assert vs["required_open"].isna().all()
    assert summary["stuck_stages"] == []
    assert vs.set_index("stage").loc["committed", "status"] == "thin"
    # Target already exceeded: nothing remains, coverage is undefined.
    assert summary["remaining_target"] == 0.0
    assert summary["coverage"] is None and summary["weighted_coverage"] is None


def test_compare_with_pipeline_by_units_has_no_amount_coverage(pipeline) -> None:
    obs, history = pipeline
    plan = balanced_plan(6, 1, PROBS, by="units")
    _, summary = compare_with_pipeline(plan, obs, history, DURATIONS)
    assert summary["coverage"] is None and summary["open_amount"] is None
    assert summary["required_intake_per_month"] == pytest.approx(2.0)


def test_compare_with_pipeline_window(pipeline) -> None:
    obs, history = pipeline
    plan = balanced_plan(600, 100, PROBS)
    # A one-month window: (D3 − 1 month, D3] = (2024-03-30, 2024-04-30], 31 days. Inside it:
    # the qualified stays of N4 (D2 = 03-31) and N6 (D2) and the targets of N5 and N6.
    vs, summary = compare_with_pipeline(plan, obs, history, DURATIONS, window_months=1)
    span = 31 / DAYS_PER_MONTH
    vs = vs.set_index("stage")
    assert vs.loc["target", "actual_per_month"] == pytest.approx(2 / span)
    assert vs.loc["qualified", "actual_per_month"] == pytest.approx(2 / span)
    assert vs.loc["won", "actual_per_month"] == pytest.approx(1 / span)  # W2 at D2
    assert summary["window_months"] == round(span, 2)


# --------------------------------------------------------------------------------------------
# Time to win: days from the deal's last entry into a stage to its win; stays that began in
# the first export (D0) are left out, their real entry being earlier.
#
#   A  target D0 → qualified D1 → shortlisted D2 → won D3:
#      target left out (D0); qualified 02-29 → 04-30 = 61 days; shortlisted 03-31 → 04-30 = 30
#   B  qualified D1 → shortlisted D2 → back to qualified D3 → won D4:
#      qualified from its last entry 04-30 → 05-31 = 31 days; shortlisted 03-31 → 05-31 = 61
#   C  target D1, D2, lost D3: never won, no row
#   E  near-win D0, won D1: its only stay began in the first export, no row
# Medians: qualified (61 + 31) / 2 = 46 days, shortlisted (30 + 61) / 2 = 45.5 days.
# --------------------------------------------------------------------------------------------

WINS = [
    ("A", D0, "target", "open", 10.0),
    ("A", D1, "qualified", "open", 10.0),
    ("A", D2, "shortlisted", "open", 10.0),
    ("A", D3, "won", "won", 10.0),
    ("B", D1, "qualified", "open", 10.0),
    ("B", D2, "shortlisted", "open", 10.0),
    ("B", D3, "qualified", "open", 10.0),
    ("B", D4, "won", "won", 10.0),
    ("C", D1, "target", "open", 10.0),
    ("C", D2, "target", "open", 10.0),
    ("C", D3, "target", "lost", 10.0),
    ("E", D0, "near_win", "open", 10.0),
    ("E", D1, "won", "won", 10.0),
]


def test_time_to_win_hand_worked() -> None:
    history = stage_history(frame(WINS), DEFAULT_MODEL)
    t = time_to_win(history)
    got = sorted(zip(t["opportunity_id"], t["stage"], t["days"], strict=True))
    assert got == [
        ("A", "qualified", 61.0),
        ("A", "shortlisted", 30.0),
        ("B", "qualified", 31.0),
        ("B", "shortlisted", 61.0),
    ]
    mtw = months_to_win(history)
    assert mtw == pytest.approx(
        {"qualified": 46 / DAYS_PER_MONTH, "shortlisted": 45.5 / DAYS_PER_MONTH}
    )


def test_time_to_win_without_wins_is_empty() -> None:
    history = stage_history(frame([r for r in WINS if r[0] == "C"]), DEFAULT_MODEL)
    t = time_to_win(history)
    assert t.empty and list(t.columns) == ["opportunity_id", "stage", "days"]
    assert months_to_win(history) == {}


def test_measured_lead_months_reach_the_plan() -> None:
    history = stage_history(frame(WINS), DEFAULT_MODEL)
    plan = balanced_plan(600, 100, PROBS, months_to_win=months_to_win(history))
    lead = plan.stages.set_index("stage")["lead_months"].to_dict()
    # 46 / 30.44 = 1.51 → 2 months ahead; 45.5 / 30.44 = 1.49 → 1; unmeasured → 0.
    assert lead == {
        "target": 0,
        "qualified": 2,
        "shortlisted": 1,
        "committed": 0,
        "near_win": 0,
        "won": 0,
    }


# --------------------------------------------------------------------------------------------
# plan --from-data on the bundled sample
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def from_data_json():
    files = sorted((ROOT / "sample_data").glob("商机导出_*.xlsx"))
    assert len(files) == 12
    proc = run_cli(*files, "--from-data", "--target", 2e8, "--json", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_plan_from_data_on_the_sample(from_data_json) -> None:
    data = from_data_json
    assert data["as_of"] == "2026-10-31"
    assert data["probabilities"] == "calibrated"
    stages = [s["stage"] for s in data["stages"]]
    assert stages == list(DEFAULT_MODEL.keys)
    assert [r["stage"] for r in data["vs_actual"]] == stages
    assert {"required_per_month", "actual_per_month", "open_count", "status"} <= set(
        data["vs_actual"][0]
    )
    balance = data["balance"]
    # --from-data counts what was already won this year toward the target (the sample's
    # wins closed Jan–Oct 2026, summed here from the generator's frame), so the coverage is
    # open amount ÷ what is still to win.
    history = generate_history()
    won = history[(history["status"] == "won") & (history["close_date"].dt.year == 2026)]
    won_to_date = float(won.drop_duplicates("opportunity_id")["amount"].sum())
    assert balance["won_to_date"] == pytest.approx(won_to_date)
    assert balance["remaining_target"] == pytest.approx(2e8 - won_to_date)
    assert balance["coverage"] == pytest.approx(balance["open_amount"] / (2e8 - won_to_date))
    assert balance["required_intake_per_month"] == pytest.approx(data["intake_per_month"])
    assert balance["actual_intake_per_month"] == pytest.approx(
        data["vs_actual"][0]["actual_per_month"]
    )
    # 431 open deals at a known stage in the October export.
    assert sum(r["open_count"] for r in data["vs_actual"]) == 431
    # The plan closes: the first stage's need × its P(win) × the average deal is the target.
    first = data["stages"][0]
    assert first["per_year"] * first["win_probability"] * data["average_deal"] == pytest.approx(2e8)
    for r in data["vs_actual"]:
        assert r["status"] in {"thin", "stuck", "balanced"}


def test_plan_from_data_text_shows_the_intake() -> None:
    files = sorted((ROOT / "sample_data").glob("商机导出_2026-*.xlsx"))[-3:]
    proc = run_cli(*files, "--from-data", "--target", 2e8, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "new deals needed per month:" in proc.stdout and "actual:" in proc.stdout


def test_win_probabilities_are_never_measured_from_wins_alone() -> None:
    """Lost deals known only as "lost" are in no stage's cohort: the observed rates would be
    the wins alone. The nominal probabilities stand, and the reason is given."""
    from funnel_analytics.calibration import calibrate, unsupported_reason
    from funnel_analytics.history import stage_history
    from funnel_analytics.stages import DEFAULT_MODEL

    T = pd.Timestamp
    rows = [(f"W{i}", "won", "won") for i in range(8)] + [(f"L{i}", None, "lost") for i in range(6)]
    rows += [("L9", "target", "lost")]  # one loss whose stage is known
    obs = pd.DataFrame(rows, columns=["opportunity_id", "stage", "status"]).assign(
        snapshot_date=T("2024-03-31"), amount=1.0
    )
    history = stage_history(obs, DEFAULT_MODEL)
    assert unsupported_reason(history) == {"reason": "lost_stage_unknown", "lost": 7, "unknown": 6}
    cal = calibrate(history)
    assert not cal["supported"].any()
    assert cal["calibrated"].tolist() == pytest.approx(list(DEFAULT_MODEL.probabilities.values()))
    assert cal["observed"].isna().all()
    # With the losses' stages known, the data count again.
    known = obs.assign(stage=obs["stage"].fillna("qualified"))
    cal = calibrate(stage_history(known, DEFAULT_MODEL))
    assert cal["supported"].all()
    assert cal.loc[cal["stage"] == "target", "observed"].item() == pytest.approx(8 / 15)


def test_plan_from_data_takes_the_planner_pages_choices() -> None:
    """``--period next_12_months``: nothing won yet counts towards the target;
    ``--probabilities nominal``: the stage model's own probabilities."""
    files = sorted((ROOT / "sample_data").glob("商机导出_2026-*.xlsx"))[-3:]
    proc = run_cli(
        *files,
        "--from-data",
        "--target",
        2e8,
        "--period",
        "next_12_months",
        "--probabilities",
        "nominal",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["period"] == "next_12_months" and data["probabilities"] == "nominal"
    assert data["balance"]["won_to_date"] == 0
    nominal = {s.key: s.probability for s in DEFAULT_MODEL.stages}
    assert {s["stage"]: s["win_probability"] for s in data["stages"]} == pytest.approx(nominal)

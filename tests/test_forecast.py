"""The forecast: calibrated probabilities, the weighted pipeline, the Monte Carlo range, its
levers, past accuracy and forecast categories, on hand-worked histories and on the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from funnel_analytics.calibration import PRIOR_WEIGHT, calibrate, probabilities
from funnel_analytics.forecast import (
    Levers,
    accuracy_summary,
    expected_bookings,
    forecast_accuracy,
    forecast_by_category,
    forecast_inputs,
    simulate_bookings,
    weighted_pipeline,
)
from funnel_analytics.history import stage_history
from funnel_analytics.scenarios import build_context
from funnel_analytics.stages import DEFAULT_MODEL
from funnel_analytics.workspace import load_workspace

T = pd.Timestamp
D0, D1, D2 = T("2024-01-31"), T("2024-02-29"), T("2024-03-31")
AS_OF = T("2024-04-30")
RUNS = 4000


def frame(
    rows,
    columns=("opportunity_id", "snapshot_date", "stage", "status", "amount", "expected_close_date"),
) -> pd.DataFrame:
    obs = pd.DataFrame(rows, columns=list(columns))
    for col in ("opportunity_id", "stage", "status", "forecast_category"):
        if col in obs:
            obs[col] = obs[col].astype("string")
    obs["amount"] = obs["amount"].astype("float64")
    obs["expected_close_date"] = pd.to_datetime(obs["expected_close_date"])
    return obs


@pytest.fixture(scope="module")
def sample():
    ws = load_workspace()
    return ws.observations, ws.stage_model


@pytest.fixture(scope="module", params=["year", "next_12_months"])
def ctx(request, sample):
    obs, model = sample
    return build_context(obs, model, period=request.param)


# --------------------------------------------------------------------------------------------
# Calibration: calibrated = (won + 20 × nominal) / (closed + 20)
#
#   A  target → won                  (furthest: won)
#   B  target → qualified → lost     (furthest: qualified)
#   C  shortlisted → lost            (furthest: shortlisted)
#   D  committed, open               (furthest: committed)
#
#   stage        reached closed won   calibrated
#   target          4      3     1   (1 + 20 × 0.10) / 23 = 3/23
#   qualified       4      3     1   (1 + 20 × 0.25) / 23 = 6/23
#   shortlisted     3      2     1   (1 + 20 × 0.50) / 22 = 11/22
#   committed       2      1     1   (1 + 20 × 0.75) / 21 = 16/21
#   near_win        1      1     1   (1 + 20 × 0.90) / 21 = 19/21
#   won             1      1     1   1 (won is won)
# --------------------------------------------------------------------------------------------

TINY = [
    ("A", D0, "target", "open", 10.0, None),
    ("A", D1, "won", "won", 10.0, None),
    ("B", D0, "target", "open", 10.0, None),
    ("B", D1, "qualified", "open", 10.0, None),
    ("B", D2, "qualified", "lost", 10.0, None),
    ("C", D0, "shortlisted", "open", 10.0, None),
    ("C", D1, "shortlisted", "lost", 10.0, None),
    ("D", D0, "committed", "open", 10.0, None),
    ("D", D2, "committed", "open", 10.0, None),
]


def test_calibration_hand_worked() -> None:
    assert PRIOR_WEIGHT == 20
    cal = calibrate(stage_history(frame(TINY), DEFAULT_MODEL)).set_index("stage")
    assert cal["reached_count"].tolist() == [4, 4, 3, 2, 1, 1]
    assert cal["closed_count"].tolist() == [3, 3, 2, 1, 1, 1]
    assert cal["won_count"].tolist() == [1, 1, 1, 1, 1, 1]
    assert cal["calibrated"].tolist() == pytest.approx(
        [3 / 23, 6 / 23, 11 / 22, 16 / 21, 19 / 21, 1.0]
    )
    assert cal["observed"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 2, 1, 1, 1])
    assert cal["data_weight"].tolist() == pytest.approx(
        [3 / 23, 3 / 23, 2 / 22, 1 / 21, 1 / 21, 1 / 21]
    )
    assert cal["too_few"].all()
    assert probabilities(cal.reset_index())["shortlisted"] == pytest.approx(0.5)
    assert probabilities(cal.reset_index(), "nominal")["target"] == 0.1


def test_calibration_without_closed_deals_is_nominal() -> None:
    rows = [("D", D0, "committed", "open", 10.0, None), ("E", D0, "target", "open", 10.0, None)]
    cal = calibrate(stage_history(frame(rows), DEFAULT_MODEL))
    assert cal["calibrated"].tolist() == pytest.approx(cal["nominal"].tolist())
    assert cal["observed"].isna().all()
    assert probabilities(cal, "observed") == pytest.approx(DEFAULT_MODEL.probabilities)


def test_calibration_with_many_closed_deals_follows_the_data() -> None:
    # 1000 deals in target: 300 won, 700 lost at target. Observed 30% against 10% nominal:
    # (300 + 2) / 1020 = 0.2961.
    rows = []
    for i in range(1000):
        rows.append((f"d{i}", D0, "target", "open", 1.0, None))
        rows.append(
            (f"d{i}", D1, "won", "won", 1.0, None)
            if i < 300
            else (f"d{i}", D1, "target", "lost", 1.0, None)
        )
    cal = calibrate(stage_history(frame(rows), DEFAULT_MODEL)).set_index("stage")
    assert cal.loc["target", "observed"] == pytest.approx(0.3)
    assert cal.loc["target", "calibrated"] == pytest.approx(302 / 1020)
    assert abs(cal.loc["target", "calibrated"] - cal.loc["target", "observed"]) < 0.005
    assert cal.loc["target", "data_weight"] == pytest.approx(1000 / 1020)
    assert not cal.loc["target", "too_few"]


@pytest.mark.parametrize("rows", ["tiny", "sample"])
def test_calibration_intervals(rows, sample) -> None:
    if rows == "tiny":
        history, model = stage_history(frame(TINY), DEFAULT_MODEL), DEFAULT_MODEL
    else:
        obs, model = sample
        history = stage_history(obs, model)
    cal = calibrate(history)
    for lo, mid, hi in (
        ("calibrated_low", "calibrated", "calibrated_high"),
        ("observed_low", "observed", "observed_high"),
    ):
        c = cal.dropna(subset=[mid])
        assert (c[lo] <= c[mid] + 1e-12).all() and (c[mid] <= c[hi] + 1e-12).all()
        assert c[[lo, mid, hi]].stack().between(0, 1).all()
    won = cal[cal["stage"] == model.won.key].iloc[0]
    assert won["calibrated"] == won["calibrated_low"] == won["calibrated_high"] == 1.0


# --------------------------------------------------------------------------------------------
# Weighted pipeline, as of 2024-04-30 (first forecast month 2024-05), nominal probabilities:
#
#   deal stage        amount  close        p     weighted  bucket
#   X1   target        1000   2024-05-15   0.10     100    2024-05 (2024Q2)
#   X2   committed     2000   2024-04-30   0.75    1500    overdue (closes on the as-of day)
#   X3   shortlisted    400   2024-03-01   0.50     200    overdue
#   X4   near_win      1000   —            0.90     900    no_date
#   X5   qualified      800   2024-07-10   0.25     200    2024-07 (2024Q3)
#   X6   near_win       500   2024-06-30   0.90     450    2024-06 (2024Q2)
#   L lost, W won, H on hold: not forecast
# Total weighted 3350 of 5700 open.
# --------------------------------------------------------------------------------------------

PIPE = [
    ("X1", AS_OF, "target", "open", 1000.0, "2024-05-15"),
    ("X2", AS_OF, "committed", "open", 2000.0, "2024-04-30"),
    ("X3", AS_OF, "shortlisted", "open", 400.0, "2024-03-01"),
    ("X4", AS_OF, "near_win", "open", 1000.0, None),
    ("X5", AS_OF, "qualified", "open", 800.0, "2024-07-10"),
    ("X6", AS_OF, "near_win", "open", 500.0, "2024-06-30"),
    ("L", AS_OF, "committed", "lost", 700.0, "2024-05-01"),
    ("W", AS_OF, "won", "won", 900.0, "2024-05-01"),
    ("H", AS_OF, "committed", "on_hold", 300.0, "2024-05-01"),
]


@pytest.fixture(scope="module")
def pipe():
    obs = frame(PIPE)
    return obs, stage_history(obs, DEFAULT_MODEL)


def test_weighted_pipeline_hand_worked(pipe) -> None:
    obs, _ = pipe
    w = weighted_pipeline(obs, DEFAULT_MODEL, DEFAULT_MODEL.probabilities, AS_OF)
    deals = w["deals"].set_index("opportunity_id")
    assert deals["bucket"].to_dict() == {
        "X1": "2024-05",
        "X2": "overdue",
        "X3": "overdue",
        "X4": "no_date",
        "X5": "2024-07",
        "X6": "2024-06",
    }
    assert deals["weighted"].to_dict() == pytest.approx(
        {"X1": 100, "X2": 1500, "X3": 200, "X4": 900, "X5": 200, "X6": 450}
    )
    by_month = [
        tuple(r)
        for r in w["by_month"][["period", "count", "amount", "weighted"]].itertuples(index=False)
    ]
    assert by_month == [
        ("overdue", 2, 2400.0, 1700.0),
        ("no_date", 1, 1000.0, 900.0),
        ("2024-05", 1, 1000.0, 100.0),
        ("2024-06", 1, 500.0, 450.0),
        ("2024-07", 1, 800.0, 200.0),
    ]
    by_quarter = [
        tuple(r)
        for r in w["by_quarter"][["period", "count", "amount", "weighted"]].itertuples(index=False)
    ]
    assert by_quarter == [
        ("overdue", 2, 2400.0, 1700.0),
        ("no_date", 1, 1000.0, 900.0),
        ("2024Q2", 2, 1500.0, 550.0),
        ("2024Q3", 1, 800.0, 200.0),
    ]
    s = w["summary"].iloc[0]
    assert s["first_month"] == "2024-05" and s["probabilities"] == "nominal"
    assert (s["open_count"], s["open_amount"], s["weighted"]) == (6, 5700.0, pytest.approx(3350.0))
    assert (s["overdue_count"], s["overdue_amount"], s["no_date_count"]) == (2, 2400.0, 1)
    # totals = Σ amount × probability
    assert w["by_month"]["weighted"].sum() == pytest.approx(3350.0)
    assert w["by_quarter"]["weighted"].sum() == pytest.approx(3350.0)


def test_weighted_pipeline_on_the_sample_sums(ctx) -> None:
    snap = ctx.observations[ctx.observations["snapshot_date"] == ctx.as_of]
    w = weighted_pipeline(snap, ctx.model, ctx.probabilities, ctx.as_of, "calibrated")
    deals = w["deals"]
    assert len(deals) == 431
    manual = float((deals["amount"] * deals["stage"].map(ctx.probabilities)).sum())
    assert w["summary"]["weighted"].iloc[0] == pytest.approx(manual)
    assert w["by_month"]["weighted"].sum() == pytest.approx(manual)
    overdue = deals["expected_close_date"] <= ctx.as_of
    assert (deals.loc[overdue, "bucket"] == "overdue").all()
    assert (
        not deals.loc[~overdue & deals["expected_close_date"].notna(), "bucket"]
        .isin(["overdue", "no_date"])
        .any()
    )


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------


def within_4_se(runs: np.ndarray, expected: np.ndarray) -> None:
    se = runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
    gap = np.abs(runs.mean(axis=0) - expected)
    assert (gap <= 4 * se + 1e-6 * (1 + np.abs(expected))).all(), (gap, se)


def test_mean_converges_to_the_exact_expectation(ctx) -> None:
    sim = ctx.simulate(runs=RUNS, seed=11, horizon=12)
    assert sim.runs.shape == (RUNS, 12)
    within_4_se(sim.runs, sim.expected)
    q = sim.percentiles("Q")
    labels = [str(m.asfreq("Q")) for m in sim.months]
    quarters = np.stack(
        [sim.runs[:, [lab == p for lab in labels]].sum(axis=1) for p in q["period"]], axis=1
    )
    within_4_se(quarters, q["expected"].to_numpy())
    assert q["mean"].to_numpy() == pytest.approx(quarters.mean(axis=0))
    # The exact expectation is expected_bookings of the same inputs.
    assert sim.expected == pytest.approx(expected_bookings(ctx.inputs, Levers(), 12))


def test_mean_converges_to_the_weighted_pipeline_when_timing_is_inside_the_horizon(pipe) -> None:
    # No deal was ever won in this history, so every deal closes in its expected close month
    # (the first month when it is overdue or has no date): month 0 gets overdue 1700 + no date
    # 900 + X1 100 = 2700, month 1 X6 450, month 2 X5 200 — the weighted pipeline, 3350.
    obs, history = pipe
    inputs = forecast_inputs(obs, history, DEFAULT_MODEL.probabilities, "nominal")
    assert inputs.timing == {}
    sim = simulate_bookings(inputs, horizon=6, runs=RUNS, seed=3)
    assert [str(m) for m in sim.months] == [
        "2024-05",
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
        "2024-10",
    ]
    assert sim.expected == pytest.approx([2700, 450, 200, 0, 0, 0])
    weighted = weighted_pipeline(obs, DEFAULT_MODEL, DEFAULT_MODEL.probabilities, AS_OF)
    assert sim.expected.sum() == pytest.approx(weighted["summary"]["weighted"].iloc[0])
    within_4_se(sim.runs, sim.expected)
    within_4_se(sim.total()[:, None], np.array([3350.0]))
    # Each run books a subset of the deals: every total is a sum of whole amounts.
    assert (sim.runs[:, 3:] == 0).all()
    assert set(np.unique(sim.runs[:, 2])) <= {0.0, 800.0}
    # P(hit 5700) = P(all six won) = 0.1 × 0.75 × 0.5 × 0.9 × 0.25 × 0.9
    p_all = 0.1 * 0.75 * 0.5 * 0.9 * 0.25 * 0.9
    assert sim.p_hit(5700) == pytest.approx(p_all, abs=4 * np.sqrt(p_all / RUNS) + 1e-3)
    assert sim.p_hit(0) == 1.0


def test_percentiles_are_ordered(ctx) -> None:
    sim = ctx.simulate(runs=2000, seed=5, horizon=12)
    for freq in ("M", "Q"):
        p = sim.percentiles(freq)
        assert (p["p10"] <= p["p50"]).all() and (p["p50"] <= p["p90"]).all()
        assert (p["p10"] >= 0).all()
    assert len(sim.percentiles("Q")) in (4, 5)


def test_same_seed_same_runs_other_seed_other_runs(ctx) -> None:
    a = ctx.simulate(runs=1000, seed=42)
    b = ctx.simulate(runs=1000, seed=42)
    c = ctx.simulate(runs=1000, seed=43)
    np.testing.assert_array_equal(a.runs, b.runs)
    assert not np.array_equal(a.runs, c.runs)
    np.testing.assert_array_equal(a.expected, c.expected)


LEVER_STEPS = [
    ("win_rate", 1.0, 1.1),
    ("win_rate", 1.0, 1.5),
    ("win_rate", 0.8, 1.0),
    ("deal_size", 1.0, 1.2),
    ("deal_size", 0.5, 1.0),
    ("deals", 1.0, 1.2),
    ("deals", 1.0, 2.5),
    ("deals", 0.5, 1.0),
    # for the cycle, "raising the lever" is shortening: from the first value to the second
    ("cycle", 1.0, 0.95),
    ("cycle", 1.0, 0.9),
    ("cycle", 1.0, 0.8),
    ("cycle", 1.0, 0.5),
    ("cycle", 1.3, 1.0),
]


@pytest.mark.parametrize(("lever", "before", "after"), LEVER_STEPS)
def test_raising_a_lever_never_lowers_the_period(ctx, lever, before, after) -> None:
    lo, hi = Levers(**{lever: before}), Levers(**{lever: after})
    h = ctx.horizon
    a = simulate_bookings(ctx.inputs, lo, h, runs=1000, seed=9)
    b = simulate_bookings(ctx.inputs, hi, h, runs=1000, seed=9)
    tol = 1e-6 * max(1.0, float(a.total().max()))
    assert (b.total(ctx.period_end) >= a.total(ctx.period_end) - tol).all()
    assert b.expected.sum() >= a.expected.sum() - tol
    # also month by month over a 12-month horizon, for the expectation of the whole horizon
    ea = expected_bookings(ctx.inputs, lo, 12).sum()
    eb = expected_bookings(ctx.inputs, hi, 12).sum()
    assert eb >= ea - tol


def test_cycle_lever_on_a_deal_already_in_its_stage() -> None:
    # One committed deal (100, certain to win) that has sat 31 days in its stage: age group 1,
    # i.e. 30.44 days. Five won deals took 35 days from committed to won, five took 300.
    # A deal closes cycle × T − 30.44 days after 2024-04-30, T among the times above 30.44:
    #   cycle 1.0: 35 → 4.6 days (May);  300 → 269.6 days (past the 3-month horizon)
    #   cycle 0.8: 28 − 30.44 < 0 → at once (May); 240 → 209.6 days (past the horizon)
    #   cycle 2.0: 70 → 39.6 days (June 8); 600 → past the horizon
    # so half the amount lands in May at 1.0 and 0.8 and in June at 2.0. (Conditioning on the
    # scaled times instead, cycle 0.8 would drop the 35-day wins and book nothing.)
    from funnel_analytics.forecast import ForecastInputs

    deals = pd.DataFrame(
        {
            "opportunity_id": ["Z"],
            "stage": ["committed"],
            "amount": [100.0],
            "expected_close_date": [pd.NaT],
            "days_in_stage": [31.0],
        }
    )
    inputs = ForecastInputs(
        deals,
        {"committed": 1.0},
        "given",
        {"committed": np.array([35.0] * 5 + [300.0] * 5)},
        AS_OF,
        pd.Period("2024-05", freq="M"),
        0.0,
        float("nan"),
        "target",
    )
    assert expected_bookings(inputs, Levers(), 3) == pytest.approx([50, 0, 0])
    assert expected_bookings(inputs, Levers(cycle=0.8), 3) == pytest.approx([50, 0, 0])
    assert expected_bookings(inputs, Levers(cycle=2.0), 3) == pytest.approx([0, 50, 0])


def test_win_rate_lever_scales_the_expectation_exactly(pipe) -> None:
    # Without new deals and without capping, E[bookings] is linear in the win-rate multiplier.
    obs, history = pipe
    inputs = forecast_inputs(obs, history, DEFAULT_MODEL.probabilities, "nominal")
    base = expected_bookings(inputs, Levers(), 6)
    assert expected_bookings(inputs, Levers(win_rate=1.1), 6) == pytest.approx(base * 1.1)
    assert expected_bookings(inputs, Levers(deal_size=2), 6) == pytest.approx(base * 2)
    # near_win 0.9 × 1.5 is capped at 1: X4 (no date, month 0) and X6 (month 1) become certain.
    capped = expected_bookings(inputs, Levers(win_rate=1.5), 6)
    assert capped[0] == pytest.approx(1000 * 0.15 + 2000 * 1.0 + 400 * 0.75 + 1000 * 1.0)
    assert capped[1] == pytest.approx(500.0)


def test_new_deals_arrive_at_the_measured_rate(ctx) -> None:
    sim = ctx.simulate(runs=200, seed=1, horizon=12)
    rate = ctx.inputs.new_deals_per_month
    assert rate == pytest.approx(ctx.intake_per_month)
    assert sim.n_new_deals == int(np.floor(rate * 12))
    assert sim.n_deals == 431


# --------------------------------------------------------------------------------------------
# Accuracy: three snapshots S0 < S1 < S2; forecast = Σ amount × p of the open deals whose
# expected close falls in (snapshot, next snapshot]; actual = amount at the win of the deals
# won in that interval.
#
#   F1 committed 1000, close 02-15 at S0 → won at S1 (at 1200)
#   F2 near_win 500, close 02-29 (= S1, inside) at S0 → lost at S1
#   F3 target 2000, close 03-15 at S0 (not due); at S1 shortlisted, due → won at S2 (at 1800)
#   F4 qualified 300, close 01-20 (past at both snapshots: never due) → won at S2 (at 300)
#   F5 committed 700, no close date (never due), open throughout
#   F6 already won at S0: not open, not a win in any interval
#
#   S0 → S1: due F1, F2: 1000 × 0.75 + 500 × 0.9 = 1200; actual 1200 (F1)
#   S1 → S2: due F3: 2000 × 0.5 = 1000;           actual 1800 + 300 = 2100
# --------------------------------------------------------------------------------------------

ACC = [
    ("F1", D0, "committed", "open", 1000.0, "2024-02-15"),
    ("F1", D1, "won", "won", 1200.0, "2024-02-15"),
    ("F2", D0, "near_win", "open", 500.0, "2024-02-29"),
    ("F2", D1, "near_win", "lost", 500.0, "2024-02-29"),
    ("F3", D0, "target", "open", 2000.0, "2024-03-15"),
    ("F3", D1, "shortlisted", "open", 2000.0, "2024-03-15"),
    ("F3", D2, "won", "won", 1800.0, "2024-03-15"),
    ("F4", D0, "qualified", "open", 300.0, "2024-01-20"),
    ("F4", D1, "qualified", "open", 300.0, "2024-01-20"),
    ("F4", D2, "won", "won", 300.0, "2024-01-20"),
    *[("F5", d, "committed", "open", 700.0, None) for d in (D0, D1, D2)],
    *[("F6", d, "won", "won", 999.0, "2024-01-10") for d in (D0, D1, D2)],
]


def test_forecast_accuracy_hand_worked() -> None:
    obs = frame(ACC)
    history = stage_history(obs, DEFAULT_MODEL)
    acc = forecast_accuracy(obs, history, DEFAULT_MODEL.probabilities)
    assert "forecast_rep" not in acc
    assert acc["snapshot_date"].tolist() == [D0, D1]
    assert acc["period_end"].tolist() == [D1, D2]
    assert acc["deals_due"].tolist() == [2, 1]
    assert acc["forecast"].tolist() == pytest.approx([1200.0, 1000.0])
    assert acc["actual"].tolist() == pytest.approx([1200.0, 2100.0])
    assert acc["error"].tolist() == pytest.approx([0.0, -1100.0])
    assert acc["ratio"].tolist() == pytest.approx([1.0, 1000 / 2100])
    s = accuracy_summary(acc)
    assert s["periods"] == 2
    assert s["bias"] == pytest.approx(2200 / 3300 - 1)
    assert s["mape"] == pytest.approx((0 + 1100 / 2100) / 2)


def test_forecast_accuracy_with_the_reps_probability() -> None:
    obs = frame(ACC)
    # The rep says 0.9 for F1 at S0 and nothing for F2 (its stage's 0.9 stands in).
    obs["probability"] = np.where(
        (obs["opportunity_id"] == "F1") & (obs["snapshot_date"] == D0), 0.9, np.nan
    )
    acc = forecast_accuracy(obs, stage_history(obs, DEFAULT_MODEL), DEFAULT_MODEL.probabilities)
    assert acc["forecast_rep"].tolist() == pytest.approx([1000 * 0.9 + 500 * 0.9, 2000 * 0.5])
    assert acc["forecast"].tolist() == pytest.approx([1200.0, 1000.0])


def test_accuracy_summary_without_wins() -> None:
    empty = pd.DataFrame({"forecast": [10.0], "actual": [0.0], "error": [10.0]})
    assert accuracy_summary(empty) == {"periods": 1, "bias": None, "mape": None}


# --------------------------------------------------------------------------------------------
# Forecast categories
#
#   C1 commit 1000 (Q2)   C2 best_case 500 (Q2)   C3 pipeline 300 (Q3)   C4 commit 200 (Q3)
#   C5 no category 100 (Q2, counted as pipeline)  C6 omitted 50 (no date)   C7 lost commit
#
#   quarter  commit best_case pipeline omitted | commit_total commit_best_case all_open
#   2024Q2    1000     500      100       0    |    1000          1500          1600
#   2024Q3     200       0      300       0    |     200           200           500
#   no_date      0       0        0      50    |       0             0            50
# --------------------------------------------------------------------------------------------

CATS = [
    ("C1", D2, "committed", "open", 1000.0, "2024-05-10", "commit"),
    ("C2", D2, "near_win", "open", 500.0, "2024-06-01", "best_case"),
    ("C3", D2, "target", "open", 300.0, "2024-08-01", "pipeline"),
    ("C4", D2, "qualified", "open", 200.0, "2024-07-15", "commit"),
    ("C5", D2, "target", "open", 100.0, "2024-05-20", None),
    ("C6", D2, "shortlisted", "open", 50.0, None, "omitted"),
    ("C7", D2, "committed", "lost", 5000.0, "2024-05-01", "commit"),
]
CAT_COLUMNS = (
    "opportunity_id",
    "snapshot_date",
    "stage",
    "status",
    "amount",
    "expected_close_date",
    "forecast_category",
)


def test_forecast_by_category_hand_worked() -> None:
    snap = frame(CATS, CAT_COLUMNS)
    out = forecast_by_category(snap, DEFAULT_MODEL)
    assert list(out.columns) == [
        "quarter",
        "commit",
        "best_case",
        "pipeline",
        "omitted",
        "commit_total",
        "commit_best_case",
        "all_open",
    ]
    rows = {r.quarter: tuple(r[1:]) for r in out.itertuples(index=False)}
    assert rows == {
        "2024Q2": (1000.0, 500.0, 100.0, 0.0, 1000.0, 1500.0, 1600.0),
        "2024Q3": (200.0, 0.0, 300.0, 0.0, 200.0, 200.0, 500.0),
        "no_date": (0.0, 0.0, 0.0, 50.0, 0.0, 0.0, 50.0),
    }


def test_forecast_by_category_needs_the_column(pipe) -> None:
    obs, _ = pipe
    assert forecast_by_category(obs, DEFAULT_MODEL) is None
    assert forecast_by_category(obs.assign(forecast_category=pd.NA), DEFAULT_MODEL) is None


# --------------------------------------------------------------------------------------------
# The kernel against a plain Python reading of its documented draws
# --------------------------------------------------------------------------------------------
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _reference(amounts, rows, offsets, probs, runs: int, seed: int) -> np.ndarray:
    """Deals in (row, shift) order; deal i of that order takes the high half of splitmix64
    output i // 2 when i is even, the low half when odd; its category is where the uniform
    falls among the row's cumulative bounds; category c books in month c + shift, and the last
    ("lost or later") or a month past the horizon in the final column."""
    horizon = probs.shape[1]
    scale = float(2**32)
    bounds = np.minimum(np.round(np.cumsum(probs, axis=1) * scale), scale).astype(np.uint64)
    order = np.lexsort((offsets, rows))
    out = np.zeros((runs, horizon + 1))
    for r in range(runs):
        state = _mix_py((seed * _GOLDEN + r + 1) & _MASK)
        x = 0
        for i, d in enumerate(order):
            if i % 2 == 0:
                state = (state + _GOLDEN) & _MASK
                x = _mix_py(state)
                u = x >> 32
            else:
                u = x & 0xFFFFFFFF
            c = int(np.searchsorted(bounds[rows[d]], np.uint64(u), side="right"))
            m = horizon if c >= horizon or c + offsets[d] > horizon else c + offsets[d]
            out[r, m] += amounts[d]
    return out


@pytest.mark.parametrize("n", [1, 2, 7, 60])
def test_kernel_draws_exactly_as_documented(n: int) -> None:
    from funnel_analytics._simulate import simulate

    rng = np.random.default_rng(n)
    horizon = 24
    # Rows with boundaries close together (tiny and zero probabilities) and rows with many, so
    # that draws land where the lookup table must be refined by comparisons; and a row that
    # books nothing.
    tiny = [0.3, 0.0, 1e-9, 0.2, 1e-6, 0.1, *([1e-4] * (horizon - 6))]
    probs = np.array(
        [tiny, [0.0] * horizon, [1 / (horizon + 1)] * horizon, [0.5, 0.5] + [0.0] * (horizon - 2)]
    )
    amounts = rng.integers(1, 1_000, n).astype(float)
    rows = rng.integers(0, len(probs), n)
    offsets = rng.integers(0, horizon + 2, n)
    got = simulate(amounts, rows, offsets, probs, runs=150, seed=5)
    want = _reference(amounts, rows, offsets, probs, runs=150, seed=5)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # Every run books every amount somewhere.
    np.testing.assert_allclose(got.sum(axis=1), amounts.sum())


@pytest.mark.parametrize("timing_rows", [0, 2])
def test_no_deal_to_draw_books_nothing(timing_rows: int) -> None:
    """No open deal and none to come (every open deal of an export set aside): the forecast
    is zero in every run, whether or not the timing table has rows."""
    from funnel_analytics._simulate import simulate

    got = simulate(
        np.zeros(0),
        np.zeros(0, dtype=int),
        np.zeros(0, dtype=int),
        np.full((timing_rows, 12), 0.05),
        runs=40,
        seed=3,
    )
    np.testing.assert_array_equal(got, np.zeros((40, 13)))

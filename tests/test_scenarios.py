"""Scenarios (save/load, comparison, tornado), the team scorecard and the report's outlook keys,
on the bundled sample."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from funnel_analytics.forecast import Levers, expected_bookings
from funnel_analytics.outlook import run_rate_target
from funnel_analytics.report import build_report
from funnel_analytics.scenarios import (
    FILE_FORMAT,
    Scenario,
    ScenarioError,
    build_context,
    compare_scenarios,
    load_scenarios,
    save_scenarios,
    scenarios_from_json,
    scenarios_to_json,
    tornado,
)
from funnel_analytics.scorecard import GRADES, scorecard
from funnel_analytics.workspace import load_workspace

TARGET = 2e8
RUNS = 1000


@pytest.fixture(scope="module")
def sample():
    ws = load_workspace()
    return ws.observations, ws.stage_model


@pytest.fixture(scope="module")
def ctx(sample):
    obs, model = sample
    return build_context(obs, model)


@pytest.fixture(scope="module")
def latest_open(sample):
    obs, _ = sample
    snap = obs[obs["snapshot_date"] == obs["snapshot_date"].max()]
    return snap[snap["status"] == "open"]


# --------------------------------------------------------------------------------------------
# Scenario files
# --------------------------------------------------------------------------------------------

SCENARIOS = [
    Scenario("baseline"),
    Scenario("赢率 +10%", Levers(win_rate=1.1)),
    Scenario(
        "Bigger, faster",
        Levers(
            deal_size=1.25,
            cycle=0.8,
            deals=1.5,
            win_rate_by_stage=(("committed", 1.2), ("near_win", 0.9)),
        ),
    ),
]


def test_scenarios_json_round_trip() -> None:
    text = scenarios_to_json(SCENARIOS)
    data = json.loads(text)
    assert data["format"] == FILE_FORMAT and data["version"] == 1
    assert data["scenarios"][2]["levers"] == {
        "win_rate": 1.0,
        "deals": 1.5,
        "cycle": 0.8,
        "deal_size": 1.25,
        "win_rate_by_stage": {"committed": 1.2, "near_win": 0.9},
    }
    assert "赢率" in text  # written as UTF-8 text, not \u escapes
    assert scenarios_from_json(text) == SCENARIOS
    assert scenarios_from_json(text.encode("utf-8")) == SCENARIOS


def test_save_and_load_scenarios(tmp_path) -> None:
    path = tmp_path / "scenarios.json"
    save_scenarios(path, SCENARIOS)
    assert load_scenarios(path) == SCENARIOS
    assert load_scenarios(str(path))[1].levers.win_rate == 1.1


def test_missing_levers_default_to_as_measured() -> None:
    text = json.dumps(
        {
            "format": FILE_FORMAT,
            "version": 1,
            "scenarios": [{"name": "  more deals ", "levers": {"deals": 2}}],
        }
    )
    assert scenarios_from_json(text) == [Scenario("more deals", Levers(deals=2.0))]


def bad_file(**changes) -> str:
    data = {
        "format": FILE_FORMAT,
        "version": 1,
        "scenarios": [{"name": "s", "levers": {"win_rate": 1.1}}],
    }
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("this is not json", "not a scenarios file"),
        (b"\xff\xfe\x00garbage", "not a scenarios file"),
        ("[1, 2, 3]", "not a scenarios file"),
        (bad_file(format="something-else"), "not a scenarios file"),
        (json.dumps({"scenarios": []}), "not a scenarios file"),
        (
            bad_file(scenarios=[{"name": "s", "levers": {"win_rate": -1.1}}]),
            "'s': win_rate must be a positive number",
        ),
        (
            bad_file(scenarios=[{"name": "s", "levers": {"deals": 0}}]),
            "'s': deals must be a positive number",
        ),
        (bad_file(scenarios=[{"name": "s", "levers": {"cycle": "fast"}}]), "bad scenario entry"),
        (bad_file(scenarios=[{"levers": {"win_rate": 1.1}}]), "bad scenario entry"),
        (bad_file(scenarios=["just a name"]), "bad scenario entry"),
        (
            bad_file(scenarios=[{"name": "s", "levers": {"win_rate_by_stage": {"target": -2}}}]),
            "'s': win_rate_by_stage must be a positive number",
        ),
    ],
)
def test_refused_scenario_files(text, message) -> None:
    with pytest.raises(ScenarioError) as err:
        scenarios_from_json(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_refused_file_on_disk(tmp_path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("name,win_rate\nbase,1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a scenarios file"):
        load_scenarios(path)


# --------------------------------------------------------------------------------------------
# Comparing scenarios on the sample
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared(ctx):
    return compare_scenarios(
        ctx,
        [Scenario("win more", Levers(win_rate=1.2)), Scenario("more deals", Levers(deals=1.5))],
        TARGET,
        runs=RUNS,
        seed=7,
    )


def test_compare_scenarios_baseline_first(compared, ctx) -> None:
    assert compared["scenario"].tolist() == ["baseline", "win more", "more deals"]
    base = compared.iloc[0]
    assert (
        base["win_rate_lever"],
        base["deals_lever"],
        base["cycle_lever"],
        base["deal_size_lever"],
    ) == (1, 1, 1, 1)
    # The baseline's plan is the ctx's plan; its year is the exact expectation of the
    # remaining months plus what was already won this year.
    plan = ctx.plan(TARGET)
    assert base["contracts_needed"] == pytest.approx(TARGET / ctx.average_deal)
    assert base["intake_needed_per_month"] == pytest.approx(plan.intake_per_month)
    expected = expected_bookings(ctx.inputs, Levers(), ctx.horizon).sum() + ctx.won_to_date
    assert base["expected_year"] == pytest.approx(expected)
    assert base["intake_per_month"] == pytest.approx(ctx.intake_per_month)
    for _, row in compared.iterrows():
        assert row["p10_year"] <= row["p50_year"] <= row["p90_year"]
        assert 0 <= row["p_hit_target"] <= 1
        assert row["p10_year"] >= ctx.won_to_date  # bookings never undo past wins


def test_a_win_rate_scenario_beats_the_baseline(compared) -> None:
    base, win = compared.iloc[0], compared.iloc[1]
    assert win["expected_year"] > base["expected_year"]
    assert win["p50_year"] > base["p50_year"]
    assert win["intake_needed_per_month"] < base["intake_needed_per_month"]
    # P(win | target) × 1.2 stays below 1, so the intake needed falls by exactly 1/1.2, and the
    # contracts needed do not change.
    assert win["intake_needed_per_month"] == pytest.approx(base["intake_needed_per_month"] / 1.2)
    assert win["contracts_needed"] == pytest.approx(base["contracts_needed"])


def test_a_deals_scenario_raises_the_intake(compared) -> None:
    base, more = compared.iloc[0], compared.iloc[2]
    assert more["intake_per_month"] == pytest.approx(base["intake_per_month"] * 1.5)
    assert more["intake_needed_per_month"] == pytest.approx(base["intake_needed_per_month"])
    assert more["expected_year"] >= base["expected_year"] - 1e-6


def test_given_baseline_is_not_duplicated(ctx) -> None:
    table = compare_scenarios(
        ctx, [Scenario("baseline"), Scenario("x", Levers(deal_size=2))], TARGET, runs=200, seed=1
    )
    assert table["scenario"].tolist() == ["baseline", "x"]


def test_tornado(ctx) -> None:
    tor = tornado(ctx)
    assert sorted(tor["lever"]) == ["cycle", "deal_size", "deals", "win_rate"]
    swings = tor["swing"].to_numpy()
    assert (swings[:-1] >= swings[1:]).all()
    scale = float(tor["baseline"].iloc[0])
    assert (tor["better"] >= tor["worse"] - 1e-9 * scale).all()
    assert (tor["better"] >= tor["baseline"] - 1e-9 * scale).all()
    assert (tor["worse"] <= tor["baseline"] + 1e-9 * scale).all()
    baseline = expected_bookings(ctx.inputs, Levers(), ctx.horizon).sum() + ctx.won_to_date
    assert tor["baseline"].to_numpy() == pytest.approx(baseline)
    # deal size ±20%: the booked part of the year moves by exactly ±20%.
    size = tor.set_index("lever").loc["deal_size"]
    booked = baseline - ctx.won_to_date
    assert size["better"] == pytest.approx(ctx.won_to_date + 1.2 * booked)
    assert size["worse"] == pytest.approx(ctx.won_to_date + 0.8 * booked)


# --------------------------------------------------------------------------------------------
# Scorecard
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["owner", "team"])
def test_scorecard_rows_and_counts(ctx, latest_open, by) -> None:
    plan = ctx.plan(TARGET)
    card = scorecard(ctx, plan, by=by)
    owners_with_open = set(latest_open[by].dropna())
    assert owners_with_open <= set(card[by])
    assert card[by].is_unique
    assert card["open_count"].sum() == len(latest_open) == 431
    assert card["open_amount"].sum() == pytest.approx(latest_open["amount"].sum())
    per_owner = latest_open.groupby(by).size()
    assert card.set_index(by)["open_count"].to_dict() == per_owner.to_dict()
    keys = list(ctx.model.keys[:-1])
    assert (card[[f"open_{k}" for k in keys]].sum(axis=1) == card["open_count"]).all()
    has_open = card["open_count"] > 0
    grades = card.loc[has_open, [f"grade_{g}" for g in GRADES]].sum(axis=1)
    assert grades.to_numpy() == pytest.approx(np.ones(int(has_open.sum())))
    sources = card.loc[has_open, [c for c in card if c.startswith("source_")]].sum(axis=1)
    assert sources.to_numpy() == pytest.approx(np.ones(int(has_open.sum())))
    rates = card["win_rate"].dropna()
    assert rates.between(0, 1).all()
    closed = card["closed_count"] > 0
    assert card.loc[closed, "win_rate"].to_numpy() == pytest.approx(
        (card.loc[closed, "won_count"] / card.loc[closed, "closed_count"]).to_numpy()
    )
    assert (card["won_count"] <= card["closed_count"]).all()
    assert card["balance"].dropna().between(0, 1).all()
    # Sorted by results: amount won first.
    assert (card["won_amount"].diff().dropna() <= 0).all()


def test_scorecard_results_match_the_period(ctx, sample) -> None:
    obs, _ = sample
    card = scorecard(ctx, by="owner")
    moves = ctx.history.moves
    start, end = ctx.as_of - pd.DateOffset(months=3), ctx.as_of
    won = moves[(moves["kind"] == "won") & (moves["date"] > start) & (moves["date"] <= end)]
    assert card["won_count"].sum() == len(won)
    at_win = obs.merge(
        won[["opportunity_id", "date"]],
        left_on=["opportunity_id", "snapshot_date"],
        right_on=["opportunity_id", "date"],
    )
    assert card["won_amount"].sum() == pytest.approx(at_win["amount"].sum())
    # Without a plan there is nothing to balance against.
    assert card["balance"].isna().all()


def test_scorecard_per_rep_requirement_is_the_plan_share(ctx, latest_open) -> None:
    plan = ctx.plan(TARGET)
    card = scorecard(ctx, plan, by="owner")
    reps = latest_open["owner"].nunique()
    med = ctx.durations.set_index("stage")["median_days"] / (365.25 / 12)
    need = plan.stages.set_index("stage")["per_month"]
    for k in ctx.model.keys[:-1]:
        assert card[f"required_{k}"].iloc[0] == pytest.approx(need[k] * med[k] / reps)


# --------------------------------------------------------------------------------------------
# The report's outlook
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(sample):
    obs, model = sample
    return build_report(obs, model, outlook=True, runs=500)


def test_build_report_outlook_keys(report, ctx) -> None:
    data = report.data
    assert {"plan", "forecast", "calibration", "scorecard"} <= set(data)
    forecast = data["forecast"]
    assert 0 <= forecast["p_hit_target"] <= 1
    assert forecast["runs"] == 500
    # Without a target, the target is what was won in the last 12 months.
    assert forecast["target_source"] == "won_last_12_months"
    assert forecast["target"] == pytest.approx(run_rate_target(ctx))
    assert forecast["won_to_date"] == pytest.approx(ctx.won_to_date)
    total = forecast["period_total"]
    assert total["p10"] <= total["p50"] <= total["p90"]
    assert forecast["deals"] == 431
    assert [r["stage"] for r in data["calibration"]] == list(ctx.model.keys)
    assert data["plan"]["target_source"] == "won_last_12_months"
    assert {"vs_actual", "balance"} <= set(data["plan"])
    assert len(data["scorecard"]["by_owner"]) == 12 and len(data["scorecard"]["by_team"]) == 4
    json.dumps(data)  # plain JSON


def test_build_report_with_a_target_out_of_reach(sample) -> None:
    obs, model = sample
    rep = build_report(obs, model, outlook=True, runs=500, target=1e12)
    f = rep.data["forecast"]
    assert f["target_source"] == "given" and f["p_hit_target"] == 0.0
    assert rep.data["plan"]["balance"]["remaining_target"] == pytest.approx(1e12 - f["won_to_date"])


def test_one_export_has_no_measured_intake() -> None:
    """One export shows where deals are, not how many arrive each month: the intake is
    unknown ("—" on the page), not zero, and the forecast adds no new deals."""
    from funnel_analytics.loading import load_export
    from funnel_analytics.workspace import sample_files

    result = load_export(sample_files()[-1])
    ctx = build_context(result.observations(), result.stage_model)
    assert np.isnan(ctx.intake_per_month)
    assert ctx.inputs.new_deals_per_month == 0.0
    table = compare_scenarios(ctx, [], 1e8, runs=100, seed=1)
    assert table["intake_per_month"].isna().all()

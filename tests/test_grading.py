"""Suggested customer grades: the rule's boundaries, the time to close given the days in stage,
the tables, and the sample's grades against a plain reading of the rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from funnel_analytics.grading import (
    GradeInputs,
    GradeSettings,
    close_probability,
    declared_matrix,
    grade_view,
    suggest_grade,
)

NAN = float("nan")


@pytest.mark.parametrize(
    ("p_win", "p_close", "grade"),
    [
        (0.5, 0.5, "A"),  # both thresholds are inclusive
        (1.0, 1.0, "A"),
        (0.5, 0.49, "B"),  # likely, not soon
        (0.9, NAN, "B"),  # unknown timing is not soon
        (0.49, 0.5, "B"),  # soon and possible
        (0.2, 0.5, "B"),
        (0.49, 0.49, "C"),  # possible, neither likely nor soon
        (0.2, 0.0, "C"),
        (0.3, NAN, "C"),
        (0.19, 0.99, "D"),  # under one chance in five: D however soon
        (0.19, NAN, "D"),
        (0.0, 0.0, "D"),
    ],
)
def test_grade_boundaries_with_the_defaults(p_win: float, p_close: float, grade: str) -> None:
    assert suggest_grade([p_win], [p_close]).tolist() == [grade]


STRICT = GradeSettings(likely=0.7, possible=0.3, soon=0.8, horizon_months=6)


@pytest.mark.parametrize(
    ("p_win", "p_close", "grade"),
    [
        (0.7, 0.8, "A"),
        (0.69, 0.8, "B"),
        (0.7, 0.79, "B"),
        (0.3, 0.8, "B"),
        (0.5, 0.5, "C"),  # A under the defaults
        (0.29, 0.8, "D"),
    ],
)
def test_grade_boundaries_follow_the_settings(p_win: float, p_close: float, grade: str) -> None:
    assert suggest_grade(p_win, p_close, STRICT).tolist() == [grade]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"likely": 0.4, "possible": 0.5},
        {"likely": 1.1},
        {"possible": -0.1},
        {"soon": 1.5},
        {"horizon_months": 0},
    ],
)
def test_settings_refuse_thresholds_that_make_no_rule(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        GradeSettings(**kwargs)


AS_OF = pd.Timestamp("2026-10-31")
# Ten won deals through stage "s" took 10, 20, …, 100 days from entering it; stage "t" has
# only four wins (too few, under MIN_TIMING = 5): its deals are timed by their close dates.
TIMING = {"s": np.arange(10.0, 101.0, 10.0), "t": np.array([5.0, 6.0, 7.0, 8.0])}


@pytest.mark.parametrize(
    ("stage", "days", "close", "p", "source"),
    [
        # d = 0: 10 longer, 3 of them (10, 20, 30) within 30 days.
        ("s", 0, None, 3 / 10, "measured"),
        # d = 25: 8 took longer (30 … 100); within 25 + 30 = 55 days: 30, 40, 50.
        ("s", 25, None, 3 / 8, "measured"),
        # d = 50: 5 took longer (60 … 100), just enough; within 80 days: 60, 70, 80.
        ("s", 50, None, 3 / 5, "measured"),
        # d = 60: only 4 took longer, too few: all ten, as if fresh (10, 20, 30 within 30).
        ("s", 60, None, 3 / 10, "measured"),
        # An unknown day count is a fresh stay.
        ("s", NAN, None, 3 / 10, "measured"),
        ("t", 0, "2026-11-15", 1.0, "expected_close"),  # 15 days ahead: within 30
        ("t", 0, "2026-11-30", 1.0, "expected_close"),  # 30 days: the horizon's last day
        ("t", 0, "2026-12-01", 0.0, "expected_close"),  # 31 days: after it
        ("t", 0, "2026-10-31", NAN, "overdue"),  # the as-of day is already past
        ("t", 0, None, NAN, "unknown"),
        ("u", 0, "2026-11-15", 1.0, "expected_close"),  # a stage nobody won through
    ],
)
def test_close_probability_given_days_in_stage(stage, days, close, p, source) -> None:
    deals = pd.DataFrame(
        {
            "stage": [stage],
            "days_in_stage": [float(days)],
            "expected_close_date": [pd.Timestamp(close) if close else pd.NaT],
        }
    )
    got, where = close_probability(deals, TIMING, AS_OF, 30.0)
    assert where.tolist() == [source]
    if math.isnan(p):
        assert math.isnan(got[0])
    else:
        assert got[0] == pytest.approx(p)


def _inputs(has_declared: bool = True) -> GradeInputs:
    deals = pd.DataFrame(
        {
            "opportunity_id": ["D1", "D2", "D3", "D4", "D5", "D6"],
            "owner": ["Wang", "Wang", "Li", "Li", "Li", "Zhao"],
            "amount": [100.0, 200.0, 300.0, 50.0, 400.0, np.nan],
            "stage": ["late", "late", "mid", "early", "late", "mid"],
            "days_in_stage": [0.0, 60.0, 0.0, 0.0, 0.0, 0.0],
            "expected_close_date": pd.to_datetime(
                [None, None, "2026-11-20", "2026-11-10", None, "2027-06-01"]
            ),
            "declared_grade": ["A", "A", "C", None, "B", "D"] if has_declared else [None] * 6,
            "ahead_of_customer": [True, False, False, False, False, False],
            "stage_not_evidenced": [False, False, False, False, True, False],
        }
    )
    return GradeInputs(
        deals=deals,
        p_win={"early": 0.1, "mid": 0.3, "late": 0.6},
        # "late" measured: 10, 20, … 100 days; "mid" and "early" by their close dates.
        timing={"late": np.arange(10.0, 101.0, 10.0)},
        as_of=AS_OF,
        entry_known=True,
        has_declared=has_declared,
        flags=("ahead_of_customer", "stage_not_evidenced"),
    )


def test_grade_view_tables_worked_by_hand() -> None:
    """Six deals, horizon 3 months (91.3 days). ``late`` (P(win) 0.6) is timed by ten wins:
    fresh, 9 of 10 take at most 91.3 days (0.9, soon); at 60 days, 4 took longer (too few),
    so as if fresh, 0.9 again. ``mid`` (0.3) and ``early`` (0.1) by close date."""
    view = grade_view(_inputs())
    # D1 late 0.6 × 0.9 → A; D2 → A; D3 mid 0.3, closes in 20 days → B; D4 early 0.1 → D;
    # D5 late → A; D6 mid, closes in 7 months → C.
    grades = dict(zip(view.deals["opportunity_id"], view.deals["suggested_grade"], strict=True))
    assert grades == {"D1": "A", "D2": "A", "D3": "B", "D4": "D", "D5": "A", "D6": "C"}
    # The largest amount first; an unknown amount last.
    assert view.deals["opportunity_id"].tolist() == ["D5", "D3", "D2", "D1", "D4", "D6"]
    expected_summary = pd.DataFrame(
        {
            "suggested_grade": ["A", "B", "C", "D"],
            "count": [3, 1, 1, 1],
            "amount": [700.0, 300.0, 0.0, 50.0],
            "amount_share": [700 / 1050, 300 / 1050, 0.0, 50 / 1050],
            "at_risk": [2, 0, 0, 0],
        }
    )
    assert_frame_equal(view.summary, expected_summary)
    assert view.a_amount_share == pytest.approx(700 / 1050)
    # Declared: D1 A=A, D2 A=A, D3 C vs B (lower), D5 B vs A (lower), D6 D vs C (lower).
    assert view.agreement == {
        "declared": 5,
        "agree": 2,
        "declared_higher": 0,
        "declared_lower": 3,
        "share": 2 / 5,
    }
    m = view.matrix.set_index(["declared_grade", "suggested_grade"])
    assert len(m) == 16 and int(m["count"].sum()) == 5
    assert m.loc[("A", "A"), "count"] == 2 and m.loc[("A", "A"), "amount"] == 300.0
    assert m.loc[("B", "A"), "count"] == 1 and m.loc[("D", "C"), "count"] == 1
    expected_owner = pd.DataFrame(
        {
            "owner": ["Li", "Wang", "Zhao"],
            "deals": [3, 2, 1],
            "amount": [750.0, 300.0, 0.0],
            "grade_a_count": [1, 2, 0],
            "grade_a_share": [400 / 750, 1.0, np.nan],
            "declared": [2, 2, 1],
            "agree": [0, 2, 0],
            "declared_higher": [0, 0, 0],
            "declared_lower": [2, 0, 1],
            "agreement": [0.0, 1.0, 0.0],
        }
    )
    assert_frame_equal(view.by_owner, expected_owner)
    # A deals with a flag: D5 (not evidenced, 400) before D1 (ahead of the customer, 100).
    assert view.at_risk["opportunity_id"].tolist() == ["D5", "D1"]
    assert view.at_risk["risks"].tolist() == [1, 1]
    assert view.at_risk["ahead_of_customer"].tolist() == [False, True]
    assert view.timing_counts == {"measured": 3, "expected_close": 3, "overdue": 0, "unknown": 0}
    # One rep's matrix: Li's two declared deals.
    li = declared_matrix(view.deals, "Li").set_index(["declared_grade", "suggested_grade"])
    assert int(li["count"].sum()) == 2 and li.loc[("B", "A"), "amount"] == 400.0


def test_a_shorter_horizon_makes_fewer_deals_soon() -> None:
    """At one month (30.4 days), ``late`` closes in time 3 times in 10 (10, 20, 30): not soon,
    so its deals drop to B; D3 (20 days) stays soon."""
    view = grade_view(_inputs(), GradeSettings(horizon_months=1))
    grades = dict(zip(view.deals["opportunity_id"], view.deals["suggested_grade"], strict=True))
    assert grades == {"D1": "B", "D2": "B", "D3": "B", "D4": "D", "D5": "B", "D6": "C"}
    assert view.at_risk.empty and view.a_amount_share == 0.0


def test_without_a_declared_grade_there_is_no_matrix_but_still_grades() -> None:
    view = grade_view(_inputs(has_declared=False))
    assert view.matrix.empty
    assert view.agreement["share"] is None
    assert "declared" not in view.by_owner.columns
    assert view.deals["suggested_grade"].notna().all()


@pytest.fixture(scope="module")
def sample_report():
    from funnel_analytics.report import build_report
    from funnel_analytics.workspace import load_workspace

    ws = load_workspace()
    return ws, build_report(ws.observations, ws.stage_model)


def test_the_samples_grades_follow_a_plain_reading_of_the_rule(sample_report) -> None:
    """Every open deal of the sample's latest export, graded again from scratch: P(win) from
    the calibration table, P(close) by counting the stage's won deals' days one by one."""
    from funnel_analytics.calibration import calibrate
    from funnel_analytics.planning import time_to_win

    ws, report = sample_report
    view = report.grades
    cal = calibrate(report.history).set_index("stage")["calibrated"]
    won_days = time_to_win(report.history).groupby("stage")["days"].apply(list).to_dict()
    horizon = 3 * 365.25 / 12
    latest = ws.observations[
        ws.observations["snapshot_date"] == ws.observations["snapshot_date"].max()
    ]
    open_ids = set(latest.loc[latest["status"] == "open", "opportunity_id"])
    assert set(view.deals["opportunity_id"]) == open_ids
    for row in view.deals.itertuples(index=False):
        p_win = float(cal[row.stage])
        days = won_days.get(row.stage, [])
        if len(days) >= 5:
            d = row.days_in_stage
            longer = [x for x in days if x > d]
            if len(longer) >= 5:
                p_close = sum(1 for x in longer if x <= d + horizon) / len(longer)
            else:
                p_close = sum(1 for x in days if x <= horizon) / len(days)
        else:
            close = latest.set_index("opportunity_id").loc[
                row.opportunity_id, "expected_close_date"
            ]
            ahead = (close - report.history.as_of).days if pd.notna(close) else None
            p_close = None if ahead is None or ahead <= 0 else float(ahead <= horizon)
        likely, possible = p_win >= 0.5, p_win >= 0.2
        soon = p_close is not None and p_close >= 0.5
        grade = (
            "A"
            if likely and soon
            else "B"
            if likely or (possible and soon)
            else "C"
            if possible
            else "D"
        )
        assert row.p_win == pytest.approx(p_win)
        assert (p_close is None and math.isnan(row.p_close)) or row.p_close == pytest.approx(
            p_close
        )
        assert row.suggested_grade == grade, row
    a_amount = view.deals.loc[view.deals["suggested_grade"] == "A", "amount"].sum()
    assert view.a_amount_share == pytest.approx(a_amount / view.deals["amount"].sum())
    # Every stage of the sample is timed by its wins; the A deals at risk carry a flag.
    assert view.timing_counts["measured"] == len(view.deals)
    assert set(view.flags) == {
        "ahead_of_customer",
        "behind_stalled",
        "stage_not_evidenced",
        "fails_evaluation",
    }
    assert (view.at_risk["risks"] > 0).all()


@settings(max_examples=200, deadline=None)
@given(
    p_win=st.floats(0, 1),
    p_close=st.floats(0, 1),
    more_win=st.floats(0, 1),
    more_close=st.floats(0, 1),
    likely=st.floats(0, 1),
    possible_share=st.floats(0, 1),
    soon=st.floats(0, 1),
)
def test_a_likelier_or_sooner_deal_never_grades_lower(
    p_win, p_close, more_win, more_close, likely, possible_share, soon
) -> None:
    """Raising P(win) or P(close) never lowers the grade, whatever the thresholds."""
    rule = GradeSettings(likely=likely, possible=likely * possible_share, soon=soon)
    before = suggest_grade(p_win, p_close, rule)[0]
    after = suggest_grade(max(p_win, more_win), max(p_close, more_close), rule)[0]
    assert after <= before  # "A" < "B" < "C" < "D"


def test_looking_back_grades_a_past_snapshot_from_its_own_data(sample_report) -> None:
    """Three months before the sample's last export: the deals open then, graded as a report
    made on that date grades them, and the share of each grade won by the last export, counted
    from the exports' statuses."""
    from funnel_analytics.grading import grade_backtest
    from funnel_analytics.report import build_report

    ws, report = sample_report
    back = grade_backtest(ws.observations, report.history)
    obs = ws.observations
    then = pd.Timestamp("2026-07-31")
    assert back.graded_at == then and back.until == pd.Timestamp("2026-10-31")
    past = build_report(obs[obs["snapshot_date"] <= then], ws.stage_model).grades.deals
    later = obs[(obs["snapshot_date"] > then) & (obs["status"] == "won")]
    won = past["opportunity_id"].isin(set(later["opportunity_id"]))
    table = back.table.set_index("grade")
    for grade in "ABCD":
        mine = past["suggested_grade"] == grade
        assert table.loc[grade, "suggested_deals"] == int(mine.sum())
        assert table.loc[grade, "suggested_won"] == int((mine & won).sum())
        declared = past["declared_grade"] == grade
        assert table.loc[grade, "declared_won"] == int((declared & won).sum())
    # On the sample the suggested A wins far more often than the declared A, and D almost never.
    assert table.loc["A", "suggested_rate"] > 2 * table.loc["A", "declared_rate"]
    assert table.loc["D", "suggested_rate"] < 0.02


def test_looking_back_needs_a_snapshot_as_old_as_the_horizon(sample_report) -> None:
    from funnel_analytics.grading import grade_backtest

    ws, report = sample_report
    assert grade_backtest(ws.observations, report.history, GradeSettings(horizon_months=12)) is None


def test_the_report_grades_the_reported_stage_whatever_it_counts_at(sample_report) -> None:
    """``--stages effective`` counts the other views at the effective stage; the grades stay
    the reported stage's, as on the Stage check page."""
    from funnel_analytics.report import build_report

    ws, report = sample_report
    effective = build_report(ws.observations, ws.stage_model, stages="effective")
    assert effective.data["grades"] == report.data["grades"]
    assert effective.grades is report.grades or effective.grades.deals.equals(report.grades.deals)

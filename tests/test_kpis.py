"""The Overview's numbers: the KPI history counted in one pass equals :func:`kpis` taken date
by date, and the funnel and breakdowns equal a plain count of the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnel_analytics.funnel import (
    Filters,
    apply_filters,
    current_deals,
    funnel_counts,
    kpi_history,
    kpis,
    pipeline_breakdown,
)
from funnel_analytics.stages import BUILTIN_MODELS, OPEN, WON
from funnel_analytics.workspace import load_workspace

MODEL = BUILTIN_MODELS["six_state"]
DATES = pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"])


def history_by_kpis(observations: pd.DataFrame) -> pd.DataFrame:
    """The definition: kpis() at each snapshot date, the period starting at the one before."""
    rows, previous = [], None
    for d in sorted(observations["snapshot_date"].dropna().unique()):
        k = kpis(observations, MODEL, d, previous)
        rows.append((k.as_of, k.open_count, k.open_amount, k.weighted, k.won_count, k.won_amount))
        rows[-1] = (*rows[-1], k.attention_count)
        previous = d
    return pd.DataFrame(
        rows,
        columns=[
            "snapshot_date",
            *("open_count", "open_amount", "weighted", "won_count", "won_amount"),
            "attention_count",
        ],
    )


row = st.tuples(
    st.integers(0, 15),  # deal
    st.integers(0, 3),  # snapshot
    st.sampled_from([OPEN, OPEN, WON, "lost", "on_hold"]),
    st.sampled_from([*MODEL.keys, "unknown"]),
    st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
    st.integers(-60, 60),  # expected close, days from the snapshot
    st.one_of(st.none(), st.integers(-90, 30)),  # close date, days from the snapshot
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=60))
def test_the_history_counted_in_one_pass_is_kpis_date_by_date(rows) -> None:
    frame = pd.DataFrame(
        {
            "opportunity_id": [f"D{r[0]}" for r in rows],
            "snapshot_date": [DATES[r[1]] for r in rows],
            "status": [r[2] for r in rows],
            "stage": [r[3] for r in rows],
            "amount": pd.array([r[4] for r in rows], dtype="Float64"),
            "expected_close_date": [DATES[r[1]] + pd.Timedelta(days=r[5]) for r in rows],
            "close_date": [
                pd.NaT if r[6] is None else DATES[r[1]] + pd.Timedelta(days=r[6]) for r in rows
            ],
        }
    )
    pdt.assert_frame_equal(
        kpi_history(frame, MODEL),
        history_by_kpis(frame),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )


@pytest.fixture(scope="module")
def sample_observations() -> pd.DataFrame:
    return load_workspace().observations


@pytest.mark.parametrize("team", [None, 0, 1])
def test_on_the_sample_and_its_teams(sample_observations, team) -> None:
    obs = sample_observations
    if team is not None:
        obs = apply_filters(obs, Filters(teams=(sorted(obs["team"].dropna().unique())[team],)))
    pdt.assert_frame_equal(
        kpi_history(obs, MODEL), history_by_kpis(obs), check_dtype=False, rtol=1e-9
    )
    snap = current_deals(obs)
    # The funnel: open deals per stage, and won deals in the won stage, counted plainly.
    counted = funnel_counts(snap, MODEL).set_index("stage")
    for key in MODEL.keys:
        mine = snap[(snap["stage"] == key) & snap["status"].isin([OPEN, WON])]
        assert counted.loc[key, "count"] == len(mine)
        assert counted.loc[key, "amount"] == pytest.approx(float(mine["amount"].sum()))
    # A breakdown: each team's open amount per open stage.
    by_team = pipeline_breakdown(snap, MODEL, "team")
    open_ = snap[(snap["status"] == OPEN) & snap["stage"].isin(MODEL.keys[:-1])]
    expected = open_.groupby([open_["team"].astype("object").fillna(""), "stage"])["amount"]
    for (group, stage), amount in expected.sum().items():
        got = by_team[(by_team["group"] == group) & (by_team["stage"] == stage)]
        assert float(got["amount"].iloc[0]) == pytest.approx(float(amount))
    assert int(by_team["count"].sum()) == len(open_)
    weights = open_["stage"].map(MODEL.probabilities).astype(float)
    assert np.isclose(by_team["weighted"].sum(), float((open_["amount"].fillna(0) * weights).sum()))

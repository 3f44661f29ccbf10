"""Regressions, slippage and the pipeline waterfall on hand-worked snapshots."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_analytics.history import stage_history
from funnel_analytics.movement import pipeline_changes, regressions, slipped_deals
from funnel_analytics.stages import DEFAULT_MODEL

T = pd.Timestamp
JAN, FEB = T("2024-01-31"), T("2024-02-29")

#        deal, snapshot, stage, status, amount, expected close
SNAPS = [
    ("kept", JAN, "target", "open", 100.0, "2024-03-15"),
    ("kept", FEB, "qualified", "open", 100.0, "2024-03-15"),
    ("grew", JAN, "target", "open", 100.0, "2024-03-15"),
    ("grew", FEB, "target", "open", 150.0, "2024-05-02"),
    ("shrank", JAN, "committed", "open", 300.0, "2024-02-10"),
    ("shrank", FEB, "qualified", "open", 200.0, "2024-04-01"),
    ("won", JAN, "near_win", "open", 500.0, "2024-02-20"),
    ("won", FEB, "won", "won", 520.0, "2024-02-20"),
    ("lost", JAN, "shortlisted", "open", 80.0, "2024-03-01"),
    ("lost", FEB, "shortlisted", "lost", 80.0, "2024-03-01"),
    ("held", JAN, "target", "open", 40.0, "2024-06-01"),
    ("held", FEB, "target", "on_hold", 40.0, "2024-06-01"),
    ("gone", JAN, "target", "open", 10.0, "2024-06-01"),
    ("fresh", FEB, "target", "open", 70.0, "2024-07-01"),
    ("back", JAN, "target", "on_hold", 60.0, "2024-08-01"),
    ("back", FEB, "target", "open", 60.0, "2024-08-01"),
]


def frame(rows=SNAPS) -> pd.DataFrame:
    obs = pd.DataFrame(
        rows,
        columns=[
            "opportunity_id",
            "snapshot_date",
            "stage",
            "status",
            "amount",
            "expected_close_date",
        ],
    )
    obs["expected_close_date"] = pd.to_datetime(obs["expected_close_date"])
    return obs


def test_waterfall_worked_by_hand() -> None:
    steps, deals = pipeline_changes(frame(), JAN, FEB)
    got = dict(zip(steps["step"], zip(steps["count"], steps["amount"], strict=True), strict=True))
    assert got == {
        "start": (7, 1130.0),  # kept, grew, shrank, won, lost, held, gone
        "new": (1, 70.0),  # fresh
        "moved_in": (1, 60.0),  # back (on hold in January)
        "increased": (0, 50.0),  # grew +50
        "decreased": (0, 100.0),  # shrank −100
        "won": (1, 500.0),
        "lost": (1, 80.0),
        "moved_out": (2, 50.0),  # held (on hold) + gone (missing)
        "end": (5, 580.0),  # kept 100, grew 150, shrank 200, fresh 70, back 60
    }
    assert dict(zip(deals["opportunity_id"], deals["step"], strict=True))["kept"] == "unchanged"


def reconciles(steps: pd.DataFrame) -> tuple[float, float]:
    s = dict(zip(steps["step"], steps["amount"], strict=True))
    c = dict(zip(steps["step"], steps["count"], strict=True))
    amount = (
        s["start"]
        + s["new"]
        + s["moved_in"]
        + s["increased"]
        - s["decreased"]
        - s["won"]
        - s["lost"]
        - s["moved_out"]
    ) - s["end"]
    count = c["start"] + c["new"] + c["moved_in"] - c["won"] - c["lost"] - c["moved_out"] - c["end"]
    return amount, count


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            st.sampled_from([JAN, FEB]),
            st.sampled_from(["target", "qualified", "won"]),
            st.sampled_from(["open", "won", "lost", "on_hold"]),
            st.integers(0, 10_000_00).map(lambda c: c / 100),
        ),
        max_size=14,
    )
)
def test_waterfall_always_reconciles_to_the_cent(rows) -> None:
    obs = pd.DataFrame(
        rows, columns=["opportunity_id", "snapshot_date", "stage", "status", "amount"]
    )
    steps, _ = pipeline_changes(obs, JAN, FEB)
    amount, count = reconciles(steps)
    assert abs(amount) < 0.005 and count == 0


def test_regressions_and_rate() -> None:
    h = stage_history(frame(), DEFAULT_MODEL)
    back, per_stage = regressions(h)
    assert back[["opportunity_id", "from_stage", "to_stage"]].values.tolist() == [
        ["shrank", "committed", "qualified"]
    ]
    rate = per_stage.set_index("stage").loc["committed"]
    assert (rate["exits"], rate["backward"], rate["regression_rate"]) == (1, 1, 1.0)


def test_slipped_close_dates() -> None:
    s = slipped_deals(frame()).set_index("opportunity_id")
    # grew: 2024-03-15 → 2024-05-02 (48 days, a later month); shrank: 2024-02-10 → 2024-04-01 (51).
    assert s["pushes"].to_dict() == {"shrank": 1, "grew": 1}
    assert s.loc["grew", "days_slipped"] == 48 and s.loc["shrank", "days_slipped"] == 51
    # Q1 → Q2 for both.
    assert s["pushes_to_later_quarter"].to_dict() == {"shrank": 1, "grew": 1}


def test_amount_changes() -> None:
    from funnel_analytics.movement import amount_changes

    a = amount_changes(frame()).set_index("opportunity_id")
    assert a["net_change"].to_dict() == {"shrank": -100.0, "grew": 50.0, "won": 20.0}


def test_a_deal_that_regresses_keeps_its_furthest_stage_but_moves_differently() -> None:
    forward = frame(
        [("x", JAN, "target", "open", 1.0, None), ("x", FEB, "shortlisted", "open", 1.0, None)]
    )
    regress = frame(
        [("x", JAN, "shortlisted", "open", 1.0, None), ("x", FEB, "target", "open", 1.0, None)]
    )
    hf, hr = stage_history(forward, DEFAULT_MODEL), stage_history(regress, DEFAULT_MODEL)
    assert (
        hf.deals["furthest_stage"].tolist()
        == hr.deals["furthest_stage"].tolist()
        == ["shortlisted"]
    )
    assert hf.moves["kind"].tolist() == ["skip"] and hr.moves["kind"].tolist() == ["backward"]


def test_conversion_chart_marks_each_stage_with_too_few_closed_deals() -> None:
    from funnel_analytics.charts import conversion_figure
    from funnel_analytics.stages import get_stage_model

    model = get_stage_model("four_stage")
    table = pd.DataFrame(
        {
            "stage": list(model.keys),
            "reached_count": [120, 60, 25, 12],
            "to_next_rate": [0.5, 25 / 60, 12 / 25, None],
            "to_next_rate_low": [0.4, 0.3, 0.3, None],
            "to_next_rate_high": [0.6, 0.5, 0.7, None],
            "win_rate": [0.1, 0.2, 0.5, 1.0],
            "win_rate_low": [0.05, 0.1, 0.3, 0.7],
            "win_rate_high": [0.2, 0.3, 0.7, 1.0],
            "closed_count": [80, 30, 19, 12],
            "too_few": [False, False, True, True],
        }
    )
    trace = conversion_figure(table, model, "en").data[0]
    assert [("too few" in text) for text in trace.text] == [False, False, True, True]
    assert list(trace.marker.color[2:]) == ["#C0C7D2", "#C0C7D2"]
    assert "#C0C7D2" not in trace.marker.color[:2]


def test_waterfall_with_the_loaders_string_dtype() -> None:
    # The loader's columns are pandas' NA strings: a deal missing at the end ("gone") has no status.
    obs = frame()
    for col in ("opportunity_id", "stage", "status"):
        obs[col] = obs[col].astype("string[pyarrow]")
    steps, _ = pipeline_changes(obs, JAN, FEB)
    expected, _ = pipeline_changes(frame(), JAN, FEB)
    pd.testing.assert_frame_equal(steps, expected)


def test_the_history_of_the_same_observations_gives_the_same_tables() -> None:
    from funnel_analytics.movement import amount_changes

    obs = frame()
    h = stage_history(obs, DEFAULT_MODEL)
    pd.testing.assert_frame_equal(slipped_deals(obs, h), slipped_deals(obs))
    pd.testing.assert_frame_equal(amount_changes(obs, h), amount_changes(obs))
    for with_history, without in zip(
        pipeline_changes(obs, JAN, FEB, history=h), pipeline_changes(obs, JAN, FEB), strict=True
    ):
        pd.testing.assert_frame_equal(with_history, without)

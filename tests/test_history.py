"""Stage histories on small hand-worked deals: moves, visits, furthest stage, censoring."""

from __future__ import annotations

import pandas as pd
import pytest

from funnel_analytics.history import stage_history
from funnel_analytics.stages import DEFAULT_MODEL

T = pd.Timestamp
JAN, FEB, MAR, APR = T("2024-01-31"), T("2024-02-29"), T("2024-03-31"), T("2024-04-30")

# deal, snapshot, stage, status
ROWS = [
    # A: straight through to won.
    ("A", JAN, "target", "open"),
    ("A", FEB, "qualified", "open"),
    ("A", MAR, "shortlisted", "open"),
    ("A", APR, "won", "won"),
    # B: skips a stage, falls back, lost at the stage it fell to.
    ("B", JAN, "target", "open"),
    ("B", FEB, "shortlisted", "open"),
    ("B", MAR, "qualified", "open"),
    ("B", APR, "qualified", "lost"),
    # C: only ever seen as "Closed Lost": the stage it died in is unknown.
    ("C", JAN, None, "lost"),
    ("C", FEB, None, "lost"),
    # D: sits in committed, then leaves the exports without an outcome.
    ("D", JAN, "committed", "open"),
    ("D", FEB, "committed", "open"),
    ("D", MAR, "committed", "open"),
    # E: goes on hold and comes back, then advances and is still open.
    ("E", JAN, "target", "open"),
    ("E", FEB, "target", "on_hold"),
    ("E", MAR, "target", "open"),
    ("E", APR, "qualified", "open"),
    # G: won, then the win is reversed to lost (as in Salesforce's export).
    ("G", MAR, "won", "won"),
    ("G", APR, "won", "lost"),
]


@pytest.fixture(scope="module")
def history():
    obs = pd.DataFrame(ROWS, columns=["opportunity_id", "snapshot_date", "stage", "status"])
    obs["stage"] = obs["stage"].astype("string")
    obs["status"] = obs["status"].astype("string")
    return stage_history(obs, DEFAULT_MODEL, as_of=APR)


def test_moves(history) -> None:
    got = [
        (r.opportunity_id, r.date, r.kind, r.from_stage, r.to_stage)
        for r in history.moves.itertuples()
    ]
    assert got == [
        ("A", FEB, "forward", "target", "qualified"),
        ("A", MAR, "forward", "qualified", "shortlisted"),
        ("A", APR, "won", "shortlisted", "won"),
        ("B", FEB, "skip", "target", "shortlisted"),
        ("B", MAR, "backward", "shortlisted", "qualified"),
        ("B", APR, "lost", "qualified", "qualified"),
        ("E", FEB, "on_hold", "target", "target"),
        ("E", MAR, "resumed", "target", "target"),
        ("E", APR, "forward", "target", "qualified"),
        ("G", APR, "lost", "won", "won"),
    ]


def test_furthest_stage_is_never_just_the_latest(history) -> None:
    d = history.deals.set_index("opportunity_id")
    assert d["furthest_stage"].to_dict() == {
        "A": "won",
        "B": "shortlisted",
        "C": None,
        "D": "committed",
        "E": "qualified",
        "G": "won",
    }
    assert d.loc["B", "current_stage"] == "qualified"
    assert d["regressions"].to_dict() == {"A": 0, "B": 1, "C": 0, "D": 0, "E": 0, "G": 0}
    assert d["died_in_unknown"].to_dict() == {
        "A": False,
        "B": False,
        "C": True,
        "D": False,
        "E": False,
        "G": False,
    }
    assert d["status"].to_dict() == {
        "A": "won",
        "B": "lost",
        "C": "lost",
        "D": "open",
        "E": "open",
        "G": "lost",
    }


def test_visits_with_censoring(history) -> None:
    got = [
        (r.opportunity_id, r.stage, r.entered, r.exited, r.censored, r.exit_kind, r.days)
        for r in history.visits.itertuples()
    ]
    assert got == [
        ("A", "target", JAN, FEB, False, "forward", 29),
        ("A", "qualified", FEB, MAR, False, "forward", 31),
        ("A", "shortlisted", MAR, APR, False, "won", 30),
        ("B", "target", JAN, FEB, False, "skip", 29),
        ("B", "shortlisted", FEB, MAR, False, "backward", 31),
        ("B", "qualified", MAR, APR, False, "lost", 30),
        # D left the exports after March: its stay is censored at its last sighting.
        ("D", "committed", JAN, MAR, True, "open", 60),
        # E's hold did not end its stay in target.
        ("E", "target", JAN, APR, False, "forward", 90),
        ("E", "qualified", APR, APR, True, "open", 0),
    ]
    assert history.resolution == "snapshot"


def test_reached_stage_conversion(history) -> None:
    from funnel_analytics.conversion import reached_stage_conversion

    c = reached_stage_conversion(history).set_index("stage")
    # Furthest stages: A won, B shortlisted, D committed, E qualified, G won (C unknown).
    assert c["reached_count"].to_dict() == {
        "target": 5,
        "qualified": 5,
        "shortlisted": 4,
        "committed": 3,
        "near_win": 2,
        "won": 2,
    }
    # Closed deals among them: A won; B lost; G lost (its win reversed).
    assert c.loc["target", "closed_count"] == 3 and c.loc["target", "won_count"] == 1
    assert c.loc["target", "win_rate"] == pytest.approx(1 / 3)
    assert c.loc["qualified", "to_next_rate"] == pytest.approx(4 / 5)
    assert c["too_few"].all()
    assert (c["win_rate_low"] <= c["win_rate"]).all() and (
        c["win_rate"] <= c["win_rate_high"]
    ).all()


def test_transition_matrix(history) -> None:
    from funnel_analytics.conversion import transition_matrix

    m = transition_matrix(history)
    assert m.loc["target", "qualified"] == 2  # A forward, E forward
    assert m.loc["target", "shortlisted"] == 1  # B skip
    assert m.loc["shortlisted", "qualified"] == 1  # B backward
    assert m.loc["shortlisted", "won"] == 1 and m.loc["qualified", "lost"] == 1
    assert m.loc["won", "lost"] == 1  # G's reversal
    assert int(m.to_numpy().sum()) == len(history.moves) - 1  # E's "resumed" is no transition


def test_time_in_stage_counts_the_stays_still_under_way(history) -> None:
    from funnel_analytics.ageing import stage_durations

    d = stage_durations(history).set_index("stage")
    # target: A 29 (done), B 29 (done), E 90 (done) — no censored stay.
    assert (d.loc["target", "n"], d.loc["target", "censored"]) == (3, 0)
    assert d.loc["target", "median_days"] == 29
    # committed: only D's stay, censored: no finished stay, so no estimate rather than a guess.
    assert (d.loc["committed", "n"], d.loc["committed", "censored"]) == (1, 1)
    assert pd.isna(d.loc["committed", "median_days"])


def test_survival_is_a_share_and_never_rises(history) -> None:
    from funnel_analytics.ageing import survival_curves

    curves = survival_curves(history)
    assert curves["surviving"].between(0, 1).all()
    for _, c in curves.groupby("stage"):
        assert (c["surviving"].diff().dropna() <= 1e-12).all()


def test_stalled_deals_use_the_models_limit_when_it_has_one() -> None:
    from dataclasses import replace

    from funnel_analytics.ageing import stalled_deals

    model = DEFAULT_MODEL
    stages = list(model.stages)
    stages[0] = replace(stages[0], max_days=30)
    limited = replace(model, stages=tuple(stages))
    rows = [
        ("S", JAN, "target", "open"),
        ("S", APR, "target", "open"),
        ("Q", JAN, "target", "open"),
        ("Q", FEB, "qualified", "open"),
        ("Q", APR, "qualified", "open"),
    ]
    obs = pd.DataFrame(rows, columns=["opportunity_id", "snapshot_date", "stage", "status"])
    s = stalled_deals(stage_history(obs, limited, as_of=APR))
    assert s[
        ["opportunity_id", "stage", "days_in_stage", "limit_days", "limit_source"]
    ].values.tolist() == [["S", "target", 90, 30.0, "model"]]


def test_stage_flow_in_a_period(history) -> None:
    from funnel_analytics.conversion import stage_flow

    f = stage_flow(history, FEB, APR).set_index("stage")
    # Between Feb and Apr: A entered shortlisted in Mar and left it (won) in Apr; B entered
    # qualified in Mar and was lost in Apr; E entered qualified in Apr and is still there.
    assert f.loc["shortlisted"].to_dict() == {
        "entered_count": 1,
        "exited_forward": 1,
        "exited_backward": 1,
        "lost": 0,
        "still_there": 0,
    }
    assert f.loc["qualified"].to_dict() == {
        "entered_count": 2,
        "exited_forward": 1,
        "exited_backward": 0,
        "lost": 1,
        "still_there": 1,
    }


def test_open_deal_ages(history) -> None:
    from funnel_analytics.ageing import ageing_buckets, open_deal_ages

    obs = pd.DataFrame(ROWS, columns=["opportunity_id", "snapshot_date", "stage", "status"])
    ages = open_deal_ages(history, obs).set_index("opportunity_id")
    # D: in committed since January, censored at its last sighting (March); E since April.
    assert ages.loc["D", "days_in_stage"] == 60 and ages.loc["E", "days_in_stage"] == 0
    assert ages.loc["E", "age_days"] == (APR - JAN).days
    buckets = ageing_buckets(ages.reset_index(), DEFAULT_MODEL.keys).set_index("stage")
    assert buckets.loc["committed", "60-90"] == 1 and buckets.loc["qualified", "0-30"] == 1


def test_stage_check_steps_back_while_milestones_are_missing() -> None:
    from funnel_analytics.stagecheck import effective_stages, inflation_by_owner

    m = DEFAULT_MODEL
    cols = list(m.checklist_columns)
    base = dict.fromkeys(cols, True)
    rows = [
        # Reported shortlisted, but one shortlisted milestone is missing: effectively qualified.
        {
            "opportunity_id": "I",
            "owner": "甲",
            "stage": "shortlisted",
            "status": "open",
            **base,
            "checklist.shortlisted.tech_accepted": False,
        },
        # Reported committed with committed and shortlisted both incomplete: two steps back.
        {
            "opportunity_id": "J",
            "owner": "甲",
            "stage": "committed",
            "status": "open",
            **base,
            "checklist.committed.coach": None,
            "checklist.shortlisted.barriers_set": False,
        },
        # Honest report.
        {"opportunity_id": "K", "owner": "乙", "stage": "qualified", "status": "open", **base},
    ]
    check = effective_stages(pd.DataFrame(rows), m).set_index("opportunity_id")
    assert check["effective_stage"].to_dict() == {
        "I": "qualified",
        "J": "qualified",
        "K": "qualified",
    }
    assert check["inflated"].to_dict() == {"I": True, "J": True, "K": False}
    assert check.loc["J", "missing"] == "barriers_set, coach"
    by_owner = inflation_by_owner(check.reset_index()).set_index("owner")
    assert by_owner.loc["甲", "share"] == 1.0 and by_owner.loc["乙", "inflated"] == 0


def test_no_checklist_columns_means_no_judgement() -> None:
    from funnel_analytics.stagecheck import effective_stages

    snap = pd.DataFrame(
        {"opportunity_id": ["x"], "owner": ["甲"], "stage": ["won"], "status": ["open"]}
    )
    assert effective_stages(snap, DEFAULT_MODEL).empty


def _history(rows, as_of=APR):
    obs = pd.DataFrame(rows, columns=["opportunity_id", "snapshot_date", "stage", "status"])
    return stage_history(obs, DEFAULT_MODEL, as_of=as_of)


@pytest.mark.parametrize("stage", [s for s in DEFAULT_MODEL.keys[:-1]])
def test_a_deal_lost_at_each_stage_keeps_it_as_furthest(stage: str) -> None:
    h = _history(
        [("L", JAN, "target", "open"), ("L", FEB, stage, "open"), ("L", MAR, stage, "lost")]
    )
    d = h.deals.iloc[0]
    assert (d["furthest_stage"], d["status"], d["died_in_unknown"]) == (stage, "lost", False)
    assert h.moves["kind"].tolist()[-1] == "lost"


def test_re_entering_a_stage_is_two_visits() -> None:
    h = _history(
        [
            ("R", JAN, "target", "open"),
            ("R", FEB, "qualified", "open"),
            ("R", MAR, "target", "open"),
            ("R", APR, "qualified", "open"),
        ]
    )
    assert h.moves["kind"].tolist() == ["forward", "backward", "forward"]
    assert h.visits["stage"].tolist() == ["target", "qualified", "target", "qualified"]
    assert h.visits["censored"].tolist() == [False, False, False, True]
    assert h.deals["regressions"].tolist() == [1]


def test_same_day_moves_in_a_history_log_keep_their_order() -> None:
    day = T("2024-03-05 10:00")
    rows = [
        ("S", day, "target", "open"),
        ("S", day + pd.Timedelta(minutes=5), "shortlisted", "open"),
        ("S", day + pd.Timedelta(minutes=5), "committed", "open"),
    ]
    obs = pd.DataFrame(rows, columns=["opportunity_id", "snapshot_date", "stage", "status"])
    obs["observed_via"] = "history"
    h = stage_history(obs, DEFAULT_MODEL, as_of=APR)
    assert h.resolution == "event"
    assert h.moves["kind"].tolist() == ["skip", "forward"]
    assert h.deals["furthest_stage"].tolist() == ["committed"]


def test_a_deal_seen_once_has_no_move_and_an_open_stay() -> None:
    h = _history([("O", APR, "committed", "open")])
    assert h.moves.empty
    assert h.visits[["stage", "censored", "days"]].values.tolist() == [["committed", True, 0]]


def test_transitions_keep_won_moves_whatever_the_won_stage_is_called() -> None:
    from funnel_analytics.conversion import transition_matrix
    from funnel_analytics.stages import get_stage_model

    model = get_stage_model("four_stage")  # its won stage is "closed"
    obs = pd.DataFrame(
        [("W", JAN, "commercial", "open"), ("W", FEB, "closed", "won")],
        columns=["opportunity_id", "snapshot_date", "stage", "status"],
    )
    m = transition_matrix(stage_history(obs, model))
    assert m.loc["commercial", "closed"] == 1

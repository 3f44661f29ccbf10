"""Pipeline movement: regressions, close-date slippage, and changes between two snapshots.

The waterfall reconciles exactly, by count and by amount::

    start + new + moved_in + increased − decreased − won − lost − moved_out = end

where, for deals open at the start snapshot A and/or the end snapshot B:

* ``new`` — open at B, never seen before B;
* ``moved_in`` — open at B, seen before B but not open at A (back from hold, reopened, or
  absent from A's export);
* ``won`` / ``lost`` — open at A, won / lost at B (their amount at A);
* ``moved_out`` — open at A, neither open, won nor lost at B (on hold, or missing from B);
* ``increased`` / ``decreased`` — open at both, the change of amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .history import StageHistory
from .schema import Opportunities as O
from .stages import LOST, OPEN, WON

__all__ = ["WATERFALL_STEPS", "amount_changes", "pipeline_changes", "regressions", "slipped_deals"]

WATERFALL_STEPS = ("start", "new", "moved_in", "increased", "decreased", "won", "lost",
                   "moved_out", "end")


def regressions(history: StageHistory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals that moved backwards (when, from, to), and the regression rate per stage.

    The rate is backward exits from a stage ÷ all exits from it (moves out of the stage to
    another stage or an outcome).
    """
    moves = history.moves
    back = moves[moves["kind"] == "backward"][[O.opportunity_id, "date", "from_stage", "to_stage"]]
    exits = moves[moves["kind"].isin(["forward", "skip", "backward", "won", "lost"])
                  & moves["from_stage"].notna()]
    per_stage = pd.DataFrame({
        "exits": exits.groupby("from_stage").size(),
        "backward": back.groupby("from_stage").size(),
    }).reindex(list(history.model.keys)).fillna(0).astype("int64")
    per_stage["regression_rate"] = per_stage["backward"] / per_stage["exits"].replace(0, np.nan)
    return back.reset_index(drop=True), per_stage.rename_axis("stage").reset_index()


def _by_deal(observations: pd.DataFrame, column: str) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """Rows with ``column`` in date order, each row's previous value of it for the same deal,
    and the ids behind the integer deal codes (grouping on integers, not on id strings)."""
    obs = observations[[O.opportunity_id, O.snapshot_date, column]].dropna()
    codes, ids = pd.factorize(obs[O.opportunity_id])
    obs = obs.assign(_deal=codes).sort_values(O.snapshot_date, kind="stable")
    prev = obs.groupby("_deal", sort=False)[column].shift()
    return obs, prev, np.asarray(ids, dtype=object)


def slipped_deals(observations: pd.DataFrame) -> pd.DataFrame:
    """Deals whose expected close date moved into a later month between two observations:
    per deal the number of pushes (and of pushes into a later quarter), total days slipped,
    first and latest expected date."""
    columns = [O.opportunity_id, "pushes", "days_slipped", "pushes_to_later_quarter",
               "first_expected", "latest_expected"]
    obs, prev, ids = _by_deal(observations, O.expected_close_date)
    later_month = (obs[O.expected_close_date].dt.to_period("M") > prev.dt.to_period("M")).fillna(False)
    if not later_month.any():
        return pd.DataFrame(columns=columns)
    later_quarter = obs[O.expected_close_date].dt.to_period("Q") > prev.dt.to_period("Q")
    pushes = pd.DataFrame({"_deal": obs["_deal"][later_month],
                           "days": (obs[O.expected_close_date] - prev)[later_month].dt.days,
                           "quarter": later_quarter[later_month].fillna(False)})
    out = pushes.groupby("_deal").agg(pushes=("days", "size"), days_slipped=("days", "sum"),
                                      pushes_to_later_quarter=("quarter", "sum"))
    g = obs.groupby("_deal", sort=False)[O.expected_close_date]
    out["first_expected"] = g.first().reindex(out.index)
    out["latest_expected"] = g.last().reindex(out.index)
    out.insert(0, O.opportunity_id, ids[out.index.to_numpy()])
    return out.sort_values("days_slipped", ascending=False).reset_index(drop=True)[columns]


def pipeline_changes(observations: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                     first_seen: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The waterfall from snapshot ``start`` to snapshot ``end``, and the deals behind it.

    Returns ``(steps, deals)``: ``steps`` has one row per step of :data:`WATERFALL_STEPS` with
    ``count`` and ``amount`` (decreases, won, lost and moved out as positive numbers that the
    waterfall subtracts); ``deals`` lists each deal with its step and amounts at both dates.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    cols = [O.opportunity_id, O.snapshot_date, O.status, O.amount]
    obs = observations[cols]
    a = obs[obs[O.snapshot_date] == start].drop_duplicates(O.opportunity_id).set_index(O.opportunity_id)
    b = obs[obs[O.snapshot_date] == end].drop_duplicates(O.opportunity_id).set_index(O.opportunity_id)
    # One outer join on the id instead of membership tests over millions of ids.
    open_a = a.loc[a[O.status] == OPEN, [O.amount]].assign(_in_a=True)
    joined = open_a.rename(columns={O.amount: f"{O.amount}_a"}).join(
        b[[O.status, O.amount]].rename(columns={O.amount: f"{O.amount}_b"}), how="outer")
    in_a = joined["_in_a"].notna().to_numpy()
    status_b = joined[O.status].astype("object").fillna("").to_numpy()  # "" = absent from B
    in_b = status_b == OPEN
    keep = in_a | in_b
    joined, in_a, in_b, status_b = joined[keep], in_a[keep], in_b[keep], status_b[keep]
    ids = joined.index
    amount_start = np.where(in_a, joined[f"{O.amount}_a"].fillna(0.0).to_numpy(dtype="float64"), 0.0)
    amount_end = np.where(in_b, joined[f"{O.amount}_b"].fillna(0.0).to_numpy(dtype="float64"), 0.0)
    if first_seen is not None:
        seen_before = (first_seen.reindex(ids) < end).to_numpy(dtype=bool, na_value=False)
    else:
        seen_before = ids.isin(obs.loc[obs[O.snapshot_date] < end, O.opportunity_id].unique())
    both = in_a & in_b
    delta = amount_end - amount_start
    step = np.select(
        [both & (delta > 0), both & (delta < 0), both, in_b & seen_before, in_b,
         status_b == WON, status_b == LOST],
        ["increased", "decreased", "unchanged", "moved_in", "new", "won", "lost"],
        default="moved_out")
    deals = pd.DataFrame({O.opportunity_id: ids.to_numpy(), "step": step,
                          "amount_start": amount_start, "amount_end": amount_end})
    counts = {s: 0 for s in WATERFALL_STEPS}
    amounts = {s: 0.0 for s in WATERFALL_STEPS}
    counts["start"], amounts["start"] = int(in_a.sum()), float(amount_start.sum())
    counts["end"], amounts["end"] = int(in_b.sum()), float(amount_end.sum())
    for name, group in deals.groupby("step"):
        if name in ("new", "moved_in"):
            counts[name], amounts[name] = len(group), float(group["amount_end"].sum())
        elif name in ("won", "lost", "moved_out"):
            counts[name], amounts[name] = len(group), float(group["amount_start"].sum())
        elif name == "increased":
            amounts[name] = float((group["amount_end"] - group["amount_start"]).sum())
        elif name == "decreased":
            amounts[name] = float((group["amount_start"] - group["amount_end"]).sum())
    steps = pd.DataFrame({"step": WATERFALL_STEPS,
                          "count": [counts[s] for s in WATERFALL_STEPS],
                          "amount": [amounts[s] for s in WATERFALL_STEPS]})
    return steps, deals


def amount_changes(observations: pd.DataFrame) -> pd.DataFrame:
    """Deals whose amount changed between observations: changes, first and latest amount, and
    the net change, largest movement first."""
    columns = [O.opportunity_id, "changes", "first_amount", "latest_amount", "net_change"]
    obs, prev, ids = _by_deal(observations, O.amount)
    changed = prev.notna() & (obs[O.amount] != prev)
    if not changed.any():
        return pd.DataFrame(columns=columns)
    out = obs["_deal"][changed].value_counts().rename("changes").to_frame()
    g = obs.groupby("_deal", sort=False)[O.amount]
    out["first_amount"] = g.first().reindex(out.index)
    out["latest_amount"] = g.last().reindex(out.index)
    out["net_change"] = out["latest_amount"] - out["first_amount"]
    out.insert(0, O.opportunity_id, ids[out.index.to_numpy()])
    return out.sort_values("net_change", key=abs, ascending=False).reset_index(drop=True)[columns]

"""The funnel at one snapshot: deals and amounts per stage, in stage-model order."""

from __future__ import annotations

import pandas as pd

from .schema import Opportunities as O
from .stages import OPEN, WON, StageModel

__all__ = ["funnel_counts", "latest_snapshot"]


def latest_snapshot(observations: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """The rows of the latest snapshot on or before ``as_of`` (default: the latest)."""
    if observations.empty:
        return observations
    dates = observations[O.snapshot_date]
    if as_of is not None:
        dates = dates[dates <= pd.Timestamp(as_of)]
    if dates.empty:
        return observations.iloc[0:0]
    return observations[observations[O.snapshot_date] == dates.max()]


def funnel_counts(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Open deals per stage (and won deals in the won stage) of one snapshot.

    Counts only deals whose status is open (on-hold and lost deals are not in the funnel),
    plus the won stage's deals won in this snapshot. ``weighted`` is amount × the stage
    model's nominal probability.

    Returns
    -------
    DataFrame
        ``stage`` (key, in model order), ``count``, ``amount``, ``probability``, ``weighted``.
    """
    in_funnel = snapshot[(snapshot[O.status] == OPEN) | (snapshot[O.status] == WON)]
    grouped = in_funnel.groupby(O.stage, observed=True).agg(
        count=(O.opportunity_id, "size"), amount=(O.amount, "sum"))
    out = grouped.reindex(list(model.keys), fill_value=0).rename_axis("stage").reset_index()
    out["probability"] = out["stage"].map(model.probabilities)
    out["weighted"] = out["amount"] * out["probability"]
    out["count"] = out["count"].astype("int64")
    out["amount"] = out["amount"].astype("float64")
    return out

"""Stage ageing: time in stage as a survival curve, and the deals stalled in their stage.

CRMs average time in stage over finished stays only, which hides the deals still sitting
there. Here every stay counts: a finished stay is an event, a stay still under way is
censored at the as-of date (or at the deal's last sighting if it left the exports), and the
Kaplan–Meier estimator (statsmodels' ``SurvfuncRight``) gives the median and P75 time in each
stage with 95% intervals.

A deal is **stalled** when its current stay is longer than the stage model's ``max_days`` for
the stage, or, where the model sets none, longer than the stage's own P80 time in stage.
"""

from __future__ import annotations

import itertools
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .contracts import table
from .history import StageHistory, codes_of
from .schema import Opportunities as O

if TYPE_CHECKING:  # statsmodels (and scipy with it) loads when a curve is first fitted
    from statsmodels.duration.survfunc import SurvfuncRight

__all__ = [
    "AGE_BUCKETS",
    "ageing_buckets",
    "open_deal_ages",
    "stage_durations",
    "stage_entry_known",
    "stalled_deals",
    "survival_curves",
]

AGE_BUCKETS = (0, 30, 60, 90, 180, 365)  # days; the last bucket is "365 and more"


def _fit(days: np.ndarray, event: np.ndarray) -> SurvfuncRight | None:
    if len(days) == 0 or event.sum() == 0:
        return None
    from statsmodels.duration.survfunc import SurvfuncRight

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) at the curve's ends
        return SurvfuncRight(np.maximum(days.astype("float64"), 0.0), event.astype(int))


def _quantile(sf: SurvfuncRight | None, p: float) -> tuple[float, float, float]:
    if sf is None:
        return (np.nan, np.nan, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = sf.quantile(p)
        try:
            lo, hi = sf.quantile_ci(p)
        except (ValueError, IndexError, ZeroDivisionError):
            lo, hi = np.nan, np.nan
    as_float = lambda v: float(v) if v is not None and np.isfinite(v) else np.nan  # noqa: E731
    return as_float(q), as_float(lo), as_float(hi)


def _stays(history: StageHistory):
    """Per open stage in model order: the key, its stays' days and whether each one ended."""
    visits = history.visits
    stage = codes_of(visits["stage"], history.model.keys)
    days = visits["days"].to_numpy()
    ended = ~visits["censored"].to_numpy()
    for code, key in enumerate(history.model.keys[:-1]):
        at = stage == code
        yield key, days[at], ended[at]


TIME_IN_STAGE = table(
    "time_in_stage",
    "stage",
    "n",
    "censored",
    "median_days",
    "median_low",
    "median_high",
    "p75_days",
    "p75_low",
    "p75_high",
    "p80_days",
)


def stage_durations(history: StageHistory) -> pd.DataFrame:
    """Per stage: stays ``n``, ``censored`` (still under way), Kaplan–Meier ``median_days`` and
    ``p75_days`` with 95% intervals, and ``p80_days`` (the default stalled threshold)."""
    rows = []
    for key, days, ended in _stays(history):
        sf = _fit(days, ended)
        med, med_lo, med_hi = _quantile(sf, 0.5)
        p75, p75_lo, p75_hi = _quantile(sf, 0.75)
        p80 = _quantile(sf, 0.80)[0]
        rows.append(
            {
                "stage": key,
                "n": len(days),
                "censored": int((~ended).sum()),
                "median_days": med,
                "median_low": med_lo,
                "median_high": med_hi,
                "p75_days": p75,
                "p75_low": p75_lo,
                "p75_high": p75_hi,
                "p80_days": p80,
            }
        )
    return pd.DataFrame(rows)


def survival_curves(history: StageHistory) -> pd.DataFrame:
    """The Kaplan–Meier curve of each stage: ``stage, days, surviving`` (share still there)."""
    parts = []
    for key, days, ended in _stays(history):
        sf = _fit(days, ended)
        if sf is None:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "stage": key,
                    "days": np.concatenate([[0.0], sf.surv_times]),
                    "surviving": np.concatenate([[1.0], sf.surv_prob]),
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["stage", "days", "surviving"])
    )


STALLED = table(
    "stalled",
    "opportunity_id",
    "owner",
    "stage",
    "entered",
    "days_in_stage",
    "limit_days",
    "limit_source",
)


def stalled_deals(history: StageHistory, durations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open deals whose current stay is past the stage's limit (``max_days``, else its P80).

    Returns ``opportunity_id, stage, entered, days_in_stage, limit_days, limit_source``
    (``model`` or ``p80``), longest first.
    """
    durations = stage_durations(history) if durations is None else durations
    model = history.model
    visits = history.visits
    # Each stay's limit by stage code (the last code, a stage outside the model, has none).
    stage = codes_of(visits["stage"], model.keys)
    model_limit = np.array(
        [*(float(s.max_days) if s.max_days else np.nan for s in model.stages), np.nan]
    )[stage]
    p80 = durations.set_index("stage")["p80_days"].reindex(model.keys).to_numpy(dtype="float64")
    from_model = ~np.isnan(model_limit)
    limits = np.where(from_model, model_limit, np.append(p80, np.nan)[stage])
    is_open = (history.deals["status"] == "open").to_numpy(dtype=bool)[history.visit_deals()]
    days = visits["days"].to_numpy()
    stalled = visits["censored"].to_numpy() & is_open & (days > limits)
    out = visits.loc[stalled, [O.opportunity_id, "stage", "entered"]].assign(
        days_in_stage=days[stalled],
        limit_days=limits[stalled],
        limit_source=np.where(from_model[stalled], "model", "p80"),
    )
    return out.sort_values("days_in_stage", ascending=False).reset_index(drop=True)


def open_deal_ages(history: StageHistory, observations: pd.DataFrame) -> pd.DataFrame:
    """Each open deal's days in its current stage and total age (from its created date, else
    from its first sighting), as of the history's date."""
    current = history.visits[history.visits["censored"]]
    open_ids = history.deals.loc[history.deals["status"] == "open", O.opportunity_id]
    current = current[current[O.opportunity_id].isin(open_ids)]
    created = (
        observations.groupby(O.opportunity_id)[O.created_date].min()
        if O.created_date in observations
        else pd.Series(dtype="datetime64[ns]")
    )
    first_seen = history.deals.set_index(O.opportunity_id)["first_seen"]
    born = created.reindex(current[O.opportunity_id]).to_numpy()
    born = np.where(pd.isna(born), first_seen.reindex(current[O.opportunity_id]).to_numpy(), born)
    age = (history.as_of - pd.to_datetime(born)).days
    return pd.DataFrame(
        {
            O.opportunity_id: current[O.opportunity_id].to_numpy(),
            "stage": current["stage"].to_numpy(),
            "days_in_stage": current["days"].to_numpy(),
            "age_days": np.asarray(age),
        }
    ).reset_index(drop=True)


def stage_entry_known(history: StageHistory, observations: pd.DataFrame) -> bool:
    """Whether the data date the stays in a stage: a stage-history log, several snapshots,
    per-stage date columns, or a "last stage change" column. One export without any of these
    only shows where each deal is, not since when: time in stage is then not measured (the
    pages show the age since created, labelled so)."""
    if history.resolution == "event" or observations[O.snapshot_date].nunique() > 1:
        return True
    if "observed_via" in observations and (observations["observed_via"] == "stage_dates").any():
        return True
    from .history import STAGE_ENTERED

    return STAGE_ENTERED in observations and bool(observations[STAGE_ENTERED].notna().any())


def ageing_buckets(
    ages: pd.DataFrame, model_keys: tuple[str, ...], days: str = "days_in_stage"
) -> pd.DataFrame:
    """Open deals per stage and bucket of ``days`` (``days_in_stage``, or ``age_days`` where
    stage entry is not dated): 0–30, 30–60, …, 365+."""
    edges = [*AGE_BUCKETS, np.inf]
    labels = [f"{a}-{b}" if np.isfinite(b) else f"{a}+" for a, b in itertools.pairwise(edges)]
    bucket = pd.cut(ages[days], edges, right=False, labels=labels)
    table = pd.crosstab(ages["stage"], bucket).reindex(
        index=list(model_keys[:-1]), columns=labels, fill_value=0
    )
    return table.rename_axis(index="stage", columns="days").reset_index()

"""The balanced funnel (``domain.md`` §4): work backwards from the target, then hold the plan
against the actual pipeline.

The arithmetic, at every stage k of the model::

    contracts needed      = target ÷ average deal           (amount, or units ÷ units per deal)
    deals needed at k     = contracts needed ÷ P(win | reached k)     per year (or plan period)
    per month             = deals needed at k ÷ months

so the material's example (target 300, average 3, 10% from target customer to won) gives 100
contracts, 1000 target customers a year and 83.3 a month. P(win | reached k) is the stage
model's nominal value, or the calibrated value measured from the data
(:mod:`funnel_analytics.calibration`). When the time from each stage to won is measured
(:func:`time_to_win`), the plan also says how many months ahead a deal must enter the stage.

:func:`compare_with_pipeline` holds a plan against the data: deals that reached each stage per
month (the flow) against the plan's per-month need; the open deals sitting in each stage (the
stock) against the stock the plan implies (per-month need × median months in the stage, by
Little's law); coverage (open pipeline ÷ target still to win). A stage is flagged **thin**
when its flow is under :data:`THIN_RATIO` of the need, and **stuck** when its stock is over
:data:`STUCK_RATIO` of the implied stock while the next stage's flow is thin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contracts import table
from .funnel import current_deals
from .history import StageHistory
from .schema import Opportunities as O
from .stages import OPEN

__all__ = [
    "BY_CHOICES",
    "DAYS_PER_MONTH",
    "STUCK_RATIO",
    "THIN_RATIO",
    "Plan",
    "PlanError",
    "balanced_plan",
    "compare_with_pipeline",
    "measured_average_deal",
    "months_to_win",
    "required_open",
    "stage_flows",
    "time_to_win",
    "won_amount_between",
]

BY_CHOICES = ("amount", "units")
DAYS_PER_MONTH = 365.25 / 12
THIN_RATIO = 0.8  # a stage's flow under 80% of the plan's need is "too thin"
STUCK_RATIO = 1.25  # stock over 125% of the implied stock, while the next stage is thin


class PlanError(ValueError):
    """An input the planner cannot use; ``key`` and ``params`` make the user's message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Plan:
    """A balanced-funnel plan: contracts needed and the deals each stage needs.

    ``stages`` has one row per stage in model order (the won stage last, where the deals
    needed are the contracts): ``stage``, ``win_probability``, ``per_year`` (deals that must
    reach the stage in the plan period), ``per_month``, ``months_to_win`` (measured median
    months from entering the stage to won; NaN when unknown) and ``lead_months`` (whole months
    ahead of the booking a deal must enter the stage).
    """

    target: float
    average_deal: float
    by: str
    months: int
    contracts: float
    probability_source: str
    stages: pd.DataFrame

    @property
    def intake_per_month(self) -> float:
        """New deals needed per month: the first stage's need."""
        return float(self.stages["per_month"].iloc[0])

    @property
    def intake_per_year(self) -> float:
        return float(self.stages["per_year"].iloc[0])

    def schedule(self, start: pd.Period) -> pd.DataFrame:
        """Deals that must enter each stage in each calendar month so that contracts land
        evenly over the plan's months from ``start``: ``month``, ``stage``, ``entries``.
        A stage measured to take L months to win must be fed L months earlier."""
        start = pd.Period(start, freq="M")
        rows = []
        for row in self.stages.itertuples(index=False):
            lead = int(row.lead_months)
            for m in range(self.months):
                rows.append(
                    {"month": start + m - lead, "stage": row.stage, "entries": row.per_month}
                )
        out = pd.DataFrame(rows, columns=["month", "stage", "entries"])
        return out

    def forward(self) -> float:
        """The plan run forward: deals reaching the first stage × P(win) × average deal.
        Returns the target (a check that the arithmetic closes)."""
        first = self.stages.iloc[0]
        return float(first["per_year"] * first["win_probability"] * self.average_deal)

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "average_deal": self.average_deal,
            "by": self.by,
            "months": self.months,
            "contracts": self.contracts,
            "probabilities": self.probability_source,
            "intake_per_year": self.intake_per_year,
            "intake_per_month": self.intake_per_month,
            "stages": [
                {
                    "stage": r.stage,
                    "win_probability": float(r.win_probability),
                    "per_year": float(r.per_year),
                    "per_month": float(r.per_month),
                    "months_to_win": None if pd.isna(r.months_to_win) else float(r.months_to_win),
                    "lead_months": int(r.lead_months),
                }
                for r in self.stages.itertuples(index=False)
            ],
        }


PLAN = table(
    "plan", "stage", "win_probability", "per_year", "per_month", "months_to_win", "lead_months"
)
SCHEDULE = table("schedule", "month", "stage", "entries")


def balanced_plan(
    target: float,
    average_deal: float,
    win_probabilities: Mapping[str, float],
    months: int = 12,
    *,
    by: str = "amount",
    months_to_win: Mapping[str, float] | None = None,
    probability_source: str = "nominal",
) -> Plan:
    """Work the funnel backwards from ``target``.

    Parameters
    ----------
    target
        Bookings to reach in the plan period: an amount, or units (``by="units"``).
    average_deal
        Average amount (or units) per won contract.
    win_probabilities
        P(win | reached stage) per stage key, in model order; the won stage, if present,
        must be 1. A stage with probability 0 cannot be planned through.
    months
        Months in the plan period (12 for an annual target).

    >>> plan = balanced_plan(300, 3, {"target": 0.1, "won": 1.0})
    >>> plan.contracts, plan.intake_per_year, round(plan.intake_per_month, 1)
    (100.0, 1000.0, 83.3)
    """
    if by not in BY_CHOICES:
        raise PlanError("plan_bad_by", by=by)
    for name, value in (("target", target), ("average_deal", average_deal)):
        if value is None or not np.isfinite(value) or value <= 0:
            raise PlanError("plan_not_positive", name=name, value=value)
    if int(months) != months or months < 1:
        raise PlanError("plan_bad_months", value=months)
    if not win_probabilities:
        raise PlanError("plan_no_probabilities")
    for stage, p in win_probabilities.items():
        if p is None or not np.isfinite(p) or not 0 < p <= 1:
            raise PlanError("plan_bad_probability", stage=stage, value=p)
    contracts = float(target) / float(average_deal)
    keys = list(win_probabilities)
    probs = np.array([float(win_probabilities[k]) for k in keys])
    per_year = contracts / probs
    mtw = np.array(
        [np.nan if months_to_win is None else float(months_to_win.get(k, np.nan)) for k in keys]
    )
    out = pd.DataFrame(
        {
            "stage": keys,
            "win_probability": probs,
            "per_year": per_year,
            "per_month": per_year / months,
            "months_to_win": mtw,
            "lead_months": np.where(np.isnan(mtw), 0, np.round(np.nan_to_num(mtw))).astype(int),
        }
    )
    return Plan(
        float(target), float(average_deal), by, int(months), contracts, probability_source, out
    )


def time_to_win(history: StageHistory) -> pd.DataFrame:
    """Days from entering each stage to winning, for every won deal that went through it.

    One row per (won deal, stage): ``opportunity_id``, ``stage``, ``days``. The entry is the
    deal's last entry into the stage before the win. Stays already under way in the first
    export are left out (their real entry is earlier than the data shows).
    """
    moves = history.moves
    won = moves[moves["kind"] == "won"].drop_duplicates(O.opportunity_id, keep="last")
    visits = history.visits
    if won.empty or visits.empty:
        return pd.DataFrame(
            {
                O.opportunity_id: pd.Series(dtype="object"),
                "stage": pd.Series(dtype="object"),
                "days": pd.Series(dtype="float64"),
            }
        )
    first_data = history.deals["first_seen"].min()
    v = visits[visits["entered"] > first_data].merge(
        won[[O.opportunity_id, "date"]], on=O.opportunity_id
    )
    v = v[v["entered"] <= v["date"]]
    v = v.sort_values("entered").drop_duplicates([O.opportunity_id, "stage"], keep="last")
    days = (v["date"] - v["entered"]).dt.days.astype("float64")
    return pd.DataFrame(
        {
            O.opportunity_id: v[O.opportunity_id].to_numpy(),
            "stage": v["stage"].to_numpy(),
            "days": days.to_numpy(),
        }
    )


def months_to_win(history: StageHistory) -> dict[str, float]:
    """Median months from entering each stage to won (stages with no won deal left out)."""
    t = time_to_win(history)
    med = t.groupby("stage")["days"].median() / DAYS_PER_MONTH
    return {k: float(med[k]) for k in history.model.keys[:-1] if k in med.index}


def measured_average_deal(
    observations: pd.DataFrame,
    history: StageHistory,
    as_of: pd.Timestamp | None = None,
    months: int = 12,
) -> float:
    """Average amount of the deals won in the ``months`` before ``as_of`` (all won deals if
    none in that window; the average open amount if none was ever won).

    Won deals are counted as the run-rate target and the win rates count them
    (:func:`funnel_analytics.conversion.closing_rows`): by close date, once each, so one
    export's deals already won count. (Counted by the moves between snapshots, one export had
    none, and its average deal was the average open amount.)"""
    from .conversion import closing_rows

    as_of = history.as_of if as_of is None else pd.Timestamp(as_of)
    closed = closing_rows(history, observations, None, as_of)
    won = closed[closed["won"]]
    for frame in (won[won["date"] > as_of - pd.DateOffset(months=months)], won):
        amounts = frame[O.amount].dropna()
        if len(amounts) and amounts.mean() > 0:
            return float(amounts.mean())
    open_amounts = observations.loc[observations[O.status] == OPEN, O.amount].dropna()
    return float(open_amounts.mean()) if len(open_amounts) else float("nan")


def _reach_dates(history: StageHistory) -> pd.DataFrame:
    """Per deal and stage index k: the first date the deal was at stage k or beyond."""
    v = history.visits
    order = {k: i for i, k in enumerate(history.model.keys)}
    idx = v["stage"].map(order).to_numpy(dtype="float64")
    won = history.moves[history.moves["kind"] == "won"]
    frames = [
        pd.DataFrame(
            {
                O.opportunity_id: v[O.opportunity_id].to_numpy(),
                "idx": idx,
                "date": v["entered"].to_numpy(),
            }
        ),
        pd.DataFrame(
            {
                O.opportunity_id: won[O.opportunity_id].to_numpy(),
                "idx": float(len(history.model.keys) - 1),
                "date": won["date"].to_numpy(),
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True).dropna(subset=["idx"])


def stage_flows(
    history: StageHistory, keys: list[str], window_months: int = 12
) -> tuple[np.ndarray, float]:
    """Deals reaching each stage of ``keys`` (that stage or beyond, for the first time) per
    month over the ``window_months`` before the as-of date, never before the first export
    (whose deals' entries are earlier than the data shows); and the months measured."""
    as_of = history.as_of
    order = {k: i for i, k in enumerate(history.model.keys)}
    start = max(history.deals["first_seen"].min(), as_of - pd.DateOffset(months=window_months))
    span_months = max((as_of - start).days / DAYS_PER_MONTH, 0.0)
    reach = _reach_dates(history).sort_values("date")
    flows = []
    for key in keys:
        k = order.get(key)
        if k is None or span_months <= 0:
            flows.append(np.nan)
            continue
        r = reach[reach["idx"] >= k].drop_duplicates(O.opportunity_id, keep="first")
        flows.append(int(((r["date"] > start) & (r["date"] <= as_of)).sum()) / span_months)
    return np.array(flows, dtype="float64"), span_months


def required_open(plan: Plan, durations: pd.DataFrame | None) -> pd.Series:
    """Open deals each stage should hold for the plan, by Little's law: the deals needed per
    month × the stage's median months in stage (NaN where that is not measured)."""
    per_month = plan.stages.set_index("stage")["per_month"]
    if durations is None or not len(durations):
        return per_month * np.nan
    months = durations.set_index("stage")["median_days"].reindex(per_month.index) / DAYS_PER_MONTH
    return per_month * months


PLAN_VS_ACTUAL = table(
    "plan_vs_actual",
    "stage",
    "required_per_month",
    "actual_per_month",
    "open_count",
    "open_amount",
    "flow_ratio",
    "required_open",
    "stock_ratio",
    "status",
)


def compare_with_pipeline(
    plan: Plan,
    observations: pd.DataFrame,
    history: StageHistory,
    durations: pd.DataFrame | None = None,
    won_to_date: float = 0.0,
    window_months: int = 12,
) -> tuple[pd.DataFrame, dict]:
    """Required vs actual at each stage, and the funnel's balance.

    ``won_to_date`` is what is already booked toward the target (same unit as the target).
    The actual flow is measured over the ``window_months`` before the history's as-of date
    (never before the first export, whose deals' entries are earlier than the data shows).

    Returns the per-stage table (``stage``, ``required_per_month``, ``actual_per_month``,
    ``flow_ratio``, ``open_count``, ``open_amount``, ``required_open``, ``stock_ratio``,
    ``status``: ``thin`` / ``stuck`` / ``balanced`` / ``no_data``) and a summary dict
    (``window_months``, ``actual_intake_per_month``, ``coverage``, ``weighted_coverage``,
    ``remaining_target``, ``open_amount``).
    """
    as_of = history.as_of
    keys = list(plan.stages["stage"])
    flows, span_months = stage_flows(history, keys, window_months)
    latest = current_deals(observations, as_of)
    open_ = latest[latest[O.status] == OPEN]
    counts = open_.groupby(O.stage, observed=True).agg(
        open_count=(O.opportunity_id, "size"), open_amount=(O.amount, "sum")
    )
    counts = counts.reindex(keys).fillna(0)
    out = pd.DataFrame(
        {
            "stage": keys,
            "required_per_month": plan.stages["per_month"].to_numpy(),
            "actual_per_month": flows,
            "open_count": counts["open_count"].to_numpy(dtype="int64"),
            "open_amount": counts["open_amount"].to_numpy(dtype="float64"),
        }
    )
    out["flow_ratio"] = out["actual_per_month"] / out["required_per_month"]
    out["required_open"] = required_open(plan, durations).to_numpy(dtype="float64")
    out["stock_ratio"] = out["open_count"] / out["required_open"]
    thin = out["flow_ratio"] < THIN_RATIO
    next_thin = thin.shift(-1, fill_value=False).astype(bool)
    stuck = (out["stock_ratio"] > STUCK_RATIO) & next_thin
    won_key = history.model.won.key
    out["status"] = np.select(
        [out["actual_per_month"].isna(), stuck, thin], ["no_data", "stuck", "thin"], "balanced"
    )
    out.loc[out["stage"] == won_key, ["open_count", "open_amount"]] = 0
    out.loc[out["stage"] == won_key, ["required_open", "stock_ratio"]] = np.nan
    if won_key in set(out["stage"]):
        out.loc[out["stage"] == won_key, "status"] = np.where(
            thin[out["stage"] == won_key], "thin", "balanced"
        )
    remaining = max(plan.target - won_to_date, 0.0)
    open_amount = float(open_[O.amount].sum())
    probs = dict(zip(plan.stages["stage"], plan.stages["win_probability"], strict=True))
    weighted = float((open_[O.amount] * open_[O.stage].astype("object").map(probs)).sum())
    by_amount = plan.by == "amount"
    summary = {
        "window_months": round(span_months, 2),
        "actual_intake_per_month": float(out["actual_per_month"].iloc[0]),
        "required_intake_per_month": plan.intake_per_month,
        "won_to_date": won_to_date,
        "remaining_target": remaining,
        "open_amount": open_amount if by_amount else None,
        "weighted_open_amount": weighted if by_amount else None,
        "coverage": (open_amount / remaining if remaining > 0 else None) if by_amount else None,
        "weighted_coverage": (weighted / remaining if remaining > 0 else None)
        if by_amount
        else None,
        "thin_stages": out.loc[out["status"] == "thin", "stage"].tolist(),
        "stuck_stages": out.loc[out["status"] == "stuck", "stage"].tolist(),
    }
    return out, summary


def won_amount_between(
    history: StageHistory, observations: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[int, float]:
    """Deals won in ``(start, end]`` (by close date, as the win rates count them: one export
    counts the deals already won in it) and their amount at the win."""
    from .conversion import closing_rows

    won = closing_rows(history, observations, start, end)
    won = won[won["won"]]
    return len(won), float(won[O.amount].sum())

"""The planning and forecasting part of the report: plan, forecast, calibration, scorecard.

:func:`outlook` turns a :class:`~funnel_analytics.scenarios.PlanningContext` and a target into
tables (for pages and workbooks) and the JSON-ready ``plan``, ``forecast``, ``calibration``
and ``scorecard`` keys of ``funnel-analytics report --json``. Without a target, the target
is what was won in the 12 months before the as-of date (the run rate), and ``target_source``
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .export import json_records as records
from .forecast import (
    DEFAULT_RUNS,
    DEFAULT_SEED,
    Simulation,
    accuracy_summary,
    forecast_accuracy,
    forecast_by_category,
    weighted_pipeline,
)
from .funnel import current_deals
from .planning import won_amount_between
from .scenarios import PlanningContext
from .scorecard import REVIEW_MONTHS, scorecard

__all__ = ["DEFAULT_SEED", "ForecastView", "forecast_view", "outlook", "run_rate_target"]


def run_rate_target(context: PlanningContext) -> float:
    """What was won in the 12 months before the as-of date."""
    as_of = context.as_of
    return won_amount_between(
        context.history, context.observations, as_of - pd.DateOffset(months=12), as_of
    )[1]


@dataclass(frozen=True)
class ForecastView:
    """The Forecast page and the report's ``forecast`` key: one simulation of the context
    and what is read from it, with the weighted pipeline, the forecast categories and the
    accuracy of past forecasts."""

    simulation: Simulation
    weighted: dict[str, pd.DataFrame]  # summary, by_month, by_quarter, deals
    accuracy: pd.DataFrame
    categories: pd.DataFrame | None
    target: float
    target_source: str  # given | won_last_12_months
    period_total: dict[str, float]  # p10, p50, p90, expected: bookings of the period
    runs: int
    seed: int
    won_to_date: float
    period_end: pd.Period

    def chance_of(self, target: float) -> float | None:
        """Share of runs in which the period's bookings (won so far included) reach
        ``target``; None without a target."""
        if not target > 0:
            return None
        return self.simulation.p_hit(target - self.won_to_date, self.period_end)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "forecast_weighted_by_month": self.weighted["by_month"],
            "forecast_weighted_by_quarter": self.weighted["by_quarter"],
            "forecast_by_month": self.simulation.percentiles("M"),
            "forecast_by_quarter": self.simulation.percentiles("Q"),
            "forecast_deals": self.weighted["deals"],
            "forecast_accuracy": self.accuracy,
        }
        if self.categories is not None:
            out["forecast_categories"] = self.categories
        return out


def forecast_view(
    context: PlanningContext,
    target: float | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> ForecastView:
    """Simulate the context's pipeline ``runs`` times (``seed`` makes it repeatable) to the
    end of the target period, at least 12 months ahead. Without a target, the target is the
    run rate (:func:`run_rate_target`)."""
    target_source = "given"
    if target is None:
        target, target_source = run_rate_target(context), "won_last_12_months"
    model, as_of = context.model, context.as_of
    snap = current_deals(context.observations, as_of)
    weighted = weighted_pipeline(
        snap, model, context.probabilities, as_of, context.probability_source
    )
    sim = context.simulate(runs=runs, seed=seed, horizon=max(context.horizon, 12))
    year = sim.total(context.period_end) + context.won_to_date
    p10, p50, p90 = np.percentile(year, [10, 50, 90])
    return ForecastView(
        simulation=sim,
        weighted=weighted,
        accuracy=forecast_accuracy(context.observations, context.history, model.probabilities),
        categories=forecast_by_category(snap, model, as_of),
        target=target,
        target_source=target_source,
        period_total={
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
            "expected": float(sim.expected[: context.horizon].sum() + context.won_to_date),
        },
        runs=runs,
        seed=seed,
        won_to_date=context.won_to_date,
        period_end=context.period_end,
    )


def outlook(
    context: PlanningContext,
    target: float | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Plan, forecast, calibration and scorecard tables and JSON keys (see the module doc):
    the Planner's, Forecast's and Team's own calculations, assembled."""
    target_source = "given"
    if target is None:
        target, target_source = run_rate_target(context), "won_last_12_months"
    as_of = context.as_of
    tables: dict[str, pd.DataFrame] = {}
    data: dict = {}
    plan = None
    if target and target > 0 and np.isfinite(context.average_deal):
        view = context.planner(target)
        plan = context.plan(target)  # the open stages, which the scorecard holds reps to
        tables["plan"] = view.plan.stages
        tables["plan_vs_actual"] = view.vs_actual
        data["plan"] = {
            **view.plan.to_dict(),
            "target_source": target_source,
            "period_start": context.period_start.date().isoformat(),
            "period_end": str(context.period_end),
            "balance": view.balance,
            "vs_actual": records(view.vs_actual),
        }
    else:
        data["plan"] = None
    fc = forecast_view(context, target, runs, seed)
    fc_tables = fc.tables
    tables.update(fc_tables)
    tables["calibration"] = context.calibration
    sim, weighted = fc.simulation, fc.weighted
    data["forecast"] = {
        "probabilities": context.probability_source,
        "first_month": str(sim.months[0]) if sim.months else None,
        "period_end": str(context.period_end),
        "target": target,
        "target_source": target_source,
        "won_to_date": context.won_to_date,
        "runs": runs,
        "seed": seed,
        "deals": sim.n_deals,
        "new_deals_per_month": context.inputs.new_deals_per_month,
        "new_deals": sim.n_new_deals,
        "weighted": {
            "total": float(weighted["summary"]["weighted"].iloc[0]),
            "overdue_count": int(weighted["summary"]["overdue_count"].iloc[0]),
            "by_month": records(weighted["by_month"]),
            "by_quarter": records(weighted["by_quarter"]),
        },
        "by_month": records(fc_tables["forecast_by_month"]),
        "by_quarter": records(fc_tables["forecast_by_quarter"]),
        "period_total": fc.period_total,
        "p_hit_target": fc.chance_of(target) if target else None,
        "accuracy": {**accuracy_summary(fc.accuracy), "by_snapshot": records(fc.accuracy)},
        "categories": None if fc.categories is None else records(fc.categories),
    }
    data["calibration"] = records(context.calibration)
    owners = scorecard(context, plan, by="owner")
    teams = scorecard(context, plan, by="team")
    tables["scorecard_owner"], tables["scorecard_team"] = owners, teams
    start = as_of - pd.DateOffset(months=REVIEW_MONTHS)
    data["scorecard"] = {
        "from": start.date().isoformat(),
        "to": as_of.date().isoformat(),
        "by_owner": records(owners),
        "by_team": records(teams),
    }
    return tables, data

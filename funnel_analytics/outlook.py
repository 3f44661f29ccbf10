"""The planning and forecasting part of the report: plan, forecast, calibration, scorecard.

:func:`outlook` turns a :class:`~funnel_analytics.scenarios.PlanningContext` and a target into
tables (for pages and workbooks) and the JSON-ready ``plan``, ``forecast``, ``calibration``
and ``scorecard`` keys of ``funnel-analytics report --json``. Without a target, the target
is what was won in the 12 months before the as-of date (the run rate), and ``target_source``
says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .export import json_records as records
from .forecast import (
    DEFAULT_RUNS,
    DEFAULT_SEED,
    accuracy_summary,
    forecast_accuracy,
    forecast_by_category,
    weighted_pipeline,
)
from .funnel import current_deals
from .planning import compare_with_pipeline, won_amount_between
from .scenarios import PlanningContext
from .scorecard import REVIEW_MONTHS, scorecard

__all__ = ["DEFAULT_SEED", "outlook", "run_rate_target"]


def run_rate_target(context: PlanningContext) -> float:
    """What was won in the 12 months before the as-of date."""
    as_of = context.as_of
    return won_amount_between(
        context.history, context.observations, as_of - pd.DateOffset(months=12), as_of
    )[1]


def outlook(
    context: PlanningContext,
    target: float | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Plan, forecast, calibration and scorecard tables and JSON keys (see the module doc)."""
    target_source = "given"
    if target is None:
        target, target_source = run_rate_target(context), "won_last_12_months"
    model, as_of = context.model, context.as_of
    tables: dict[str, pd.DataFrame] = {}
    data: dict = {}
    plan = None
    if target and target > 0 and np.isfinite(context.average_deal):
        plan = context.plan(target)
        vs, summary = compare_with_pipeline(
            plan,
            context.observations,
            context.history,
            context.durations,
            won_to_date=context.won_to_date,
        )
        tables["plan"] = plan.stages
        tables["plan_vs_actual"] = vs
        data["plan"] = {
            **plan.to_dict(),
            "target_source": target_source,
            "period_start": context.period_start.date().isoformat(),
            "period_end": str(context.period_end),
            "balance": summary,
            "vs_actual": records(vs),
        }
    else:
        data["plan"] = None
    snap = current_deals(context.observations, as_of)
    weighted = weighted_pipeline(
        snap, model, context.probabilities, as_of, context.probability_source
    )
    sim = context.simulate(runs=runs, seed=seed, horizon=max(context.horizon, 12))
    by_month, by_quarter = sim.percentiles("M"), sim.percentiles("Q")
    year = sim.total(context.period_end) + context.won_to_date
    remaining = (target or 0.0) - context.won_to_date
    accuracy = forecast_accuracy(context.observations, context.history, model.probabilities)
    categories = forecast_by_category(snap, model, as_of)
    tables.update(
        {
            "forecast_weighted_by_month": weighted["by_month"],
            "forecast_weighted_by_quarter": weighted["by_quarter"],
            "forecast_by_month": by_month,
            "forecast_by_quarter": by_quarter,
            "forecast_deals": weighted["deals"],
            "forecast_accuracy": accuracy,
            "calibration": context.calibration,
        }
    )
    if categories is not None:
        tables["forecast_categories"] = categories
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
        "by_month": records(by_month),
        "by_quarter": records(by_quarter),
        "period_total": {
            "p10": float(np.percentile(year, 10)),
            "p50": float(np.percentile(year, 50)),
            "p90": float(np.percentile(year, 90)),
            "expected": float(sim.expected[: context.horizon].sum() + context.won_to_date),
        },
        "p_hit_target": sim.p_hit(remaining, context.period_end) if target else None,
        "accuracy": {**accuracy_summary(accuracy), "by_snapshot": records(accuracy)},
        "categories": None if categories is None else records(categories),
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

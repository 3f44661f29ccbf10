"""Planning context and scenarios: the four levers applied through the same planner and forecast.

:func:`build_context` measures, once, everything the planner and the forecast need from the
data (calibrated probabilities, average deal, time to win, intake, won so far this year).
A :class:`Scenario` is a name and :class:`~funnel_analytics.forecast.Levers`;
:func:`compare_scenarios` runs each through :func:`~funnel_analytics.planning.balanced_plan`
and :func:`~funnel_analytics.forecast.simulate_bookings` with the same seed, so the columns
differ only by the levers. :func:`tornado` moves one lever at a time by ±20% and reports the
expected bookings of the period, largest swing first.

Scenarios are saved as a small JSON file (:func:`save_scenarios` / :func:`load_scenarios`)::

    {"format": "funnel-analytics-scenarios", "version": 1,
     "scenarios": [{"name": "Win more", "levers": {"win_rate": 1.1, "deals": 1.0,
                    "cycle": 1.0, "deal_size": 1.0, "win_rate_by_stage": {}}}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .ageing import stage_durations
from .calibration import calibrate, probabilities
from .contracts import table
from .forecast import (
    BASELINE,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    ForecastInputs,
    Levers,
    Simulation,
    expected_bookings,
    first_month,
    forecast_inputs,
    simulate_bookings,
)
from .funnel import current_deals
from .history import StageHistory, stage_history
from .planning import (
    Plan,
    PlanError,
    balanced_plan,
    compare_with_pipeline,
    measured_average_deal,
    months_to_win,
    stage_flows,
    won_amount_between,
)
from .stages import StageModel

__all__ = [
    "FILE_FORMAT",
    "PERIODS",
    "PROBABILITY_SOURCES",
    "TORNADO_STEP",
    "PlannerView",
    "PlanningContext",
    "Scenario",
    "ScenarioError",
    "build_context",
    "compare_scenarios",
    "load_scenarios",
    "save_scenarios",
    "scenarios_from_json",
    "scenarios_to_json",
    "tornado",
]

FILE_FORMAT = "funnel-analytics-scenarios"
PROBABILITY_SOURCES = ("calibrated", "nominal", "observed")
TORNADO_STEP = 0.2
LEVER_NAMES = ("win_rate", "deals", "cycle", "deal_size")


class ScenarioError(ValueError):
    """A scenarios file that cannot be used."""


@dataclass(frozen=True)
class Scenario:
    name: str
    levers: Levers = field(default_factory=Levers)


@dataclass(frozen=True)
class PlannerView:
    """What the Planner page and ``funnel-analytics plan --from-data`` show: the balanced
    plan, the plan against the pipeline stage by stage, and the summary figures (coverage,
    measured intake, the window it was measured over)."""

    plan: Plan
    vs_actual: pd.DataFrame
    balance: dict
    won_to_date: float


@dataclass(frozen=True)
class PlanningContext:
    """What the planner, forecast, scenarios and scorecard measure from the data, once."""

    observations: pd.DataFrame
    history: StageHistory
    model: StageModel
    calibration: pd.DataFrame
    durations: pd.DataFrame
    probability_source: str
    probabilities: dict[str, float]
    average_deal: float
    months_to_win: dict[str, float]
    intake_per_month: float
    period_start: pd.Timestamp
    won_to_date: float
    won_count_to_date: int
    period_end: pd.Period
    inputs: ForecastInputs

    @property
    def as_of(self) -> pd.Timestamp:
        return self.history.as_of

    @property
    def horizon(self) -> int:
        """Months from the first forecast month to the end of the plan year (at least 1)."""
        return max((self.period_end - self.inputs.first).n + 1, 1)

    def plan(
        self,
        target: float,
        levers: Levers = BASELINE,
        *,
        average_deal: float | None = None,
        months: int = 12,
        by: str = "amount",
    ) -> Plan:
        probs = levers.probabilities(self.probabilities)
        avg = (self.average_deal if average_deal is None else average_deal) * levers.deal_size
        mtw = {k: v * levers.cycle for k, v in self.months_to_win.items()}
        return balanced_plan(
            target,
            avg,
            probs,
            months,
            by=by,
            months_to_win=mtw,
            probability_source=self.probability_source,
        )

    def planner(
        self,
        target: float,
        *,
        average_deal: float | None = None,
        months: int = 12,
        by: str = "amount",
        win_rate: float | None = None,
    ) -> PlannerView:
        """The balanced plan for ``target`` (every open stage, then the won stage, whose need
        is the contracts) and how the pipeline compares with it. With ``by="units"`` the
        target counts contracts, so nothing won counts towards it in amount. ``win_rate``
        replaces the measured P(win) at the first stage."""
        # The won stage closes the plan: the deals it needs are the contracts themselves.
        probs = {**self.probabilities, self.model.won.key: 1.0}
        if win_rate is not None:
            probs[self.model.keys[0]] = win_rate
        context = replace(self, probabilities=probs)
        plan = context.plan(target, average_deal=average_deal, months=months, by=by)
        won = self.won_to_date if by == "amount" else 0.0
        vs, summary = compare_with_pipeline(
            plan, self.observations, self.history, self.durations, won_to_date=won
        )
        return PlannerView(plan, vs, summary, won)

    def simulate(
        self,
        levers: Levers = BASELINE,
        runs: int = DEFAULT_RUNS,
        seed: int = DEFAULT_SEED,
        horizon: int | None = None,
    ) -> Simulation:
        return simulate_bookings(self.inputs, levers, horizon or self.horizon, runs, seed)


PERIODS = ("year", "next_12_months")


def build_context(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    probability_source: str = "calibrated",
    history: StageHistory | None = None,
    include_new_deals: bool = True,
    period: str = "year",
    durations: pd.DataFrame | None = None,
) -> PlanningContext:
    """Measure the data once for planning and forecasting (see the module docstring).

    ``period="year"``: the target is for the calendar year of the first forecast month, and
    ``won_to_date`` is what was won in that year up to ``as_of``. ``"next_12_months"``: the
    target is for the 12 months from the first forecast month (nothing won yet). With
    ``include_new_deals``, the forecast adds deals not yet created, arriving at the measured
    intake (deals reaching the first stage per month over the last 12 months) with the
    measured average amount. ``history`` and ``durations`` (:func:`stage_durations`), when
    given, must be of the same observations and as-of date; they are reused, not recomputed.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    if as_of is not None:
        observations = observations[observations["snapshot_date"] <= pd.Timestamp(as_of)]
    history = history if history is not None else stage_history(observations, model, as_of)
    cal = calibrate(history)
    probs = probabilities(cal, probability_source)
    probs.pop(model.won.key, None)
    durations = stage_durations(history) if durations is None else durations
    avg = measured_average_deal(observations, history)
    mtw = months_to_win(history)
    first = first_month(history.as_of)
    if period == "year":
        period_start = pd.Timestamp(year=first.year, month=1, day=1)
        period_end = pd.Period(year=first.year, month=12, freq="M")
        won_count, won_amount = won_amount_between(
            history, observations, period_start - pd.Timedelta(days=1), history.as_of
        )
    else:
        period_start = first.to_timestamp()
        period_end = first + 11
        won_count, won_amount = 0, 0.0
    # The measured intake: the flow into the first stage, as the planner measures it.
    # NaN where it cannot be measured (one export): shown as "—", and no new deals are added.
    intake = float(stage_flows(history, [model.keys[0]])[0][0])
    snap = current_deals(observations, history.as_of)
    inputs = forecast_inputs(
        snap,
        history,
        probs,
        probability_source,
        new_deals_per_month=intake if include_new_deals and np.isfinite(intake) else 0.0,
        average_deal=avg,
    )
    return PlanningContext(
        observations,
        history,
        model,
        cal,
        durations,
        probability_source,
        probs,
        avg,
        mtw,
        intake,
        period_start,
        won_amount,
        won_count,
        period_end,
        inputs,
    )


SCENARIOS = table(
    "scenarios",
    "scenario",
    "win_rate_lever",
    "deals_lever",
    "cycle_lever",
    "deal_size_lever",
    "win_rate_by_stage_lever",
    "contracts_needed",
    "intake_needed_per_month",
    "intake_per_month",
    "expected_year",
    "p10_year",
    "p50_year",
    "p90_year",
    "p_hit_target",
)


def compare_scenarios(
    context: PlanningContext,
    scenarios: list[Scenario],
    target: float,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """One row per scenario (the baseline first if not given): its levers, what the plan
    requires, and the forecast of the plan year: expected, P10/P50/P90 of the year's
    bookings (won so far included), and the probability of reaching ``target``."""
    if not any(s.name == "baseline" for s in scenarios):
        scenarios = [Scenario("baseline"), *scenarios]
    rows = []
    remaining = target - context.won_to_date
    for s in scenarios:
        try:
            plan = context.plan(target, s.levers)
        except PlanError:  # no target or no average deal yet: the forecast still compares
            plan = None
        sim = context.simulate(s.levers, runs, seed)
        year = sim.total(context.period_end) + context.won_to_date
        p10, p50, p90 = np.percentile(year, [10, 50, 90])
        rows.append(
            {
                "scenario": s.name,
                **{f"{k}_lever": getattr(s.levers, k) for k in LEVER_NAMES},
                "win_rate_by_stage_lever": (
                    json.dumps(dict(s.levers.win_rate_by_stage))
                    if s.levers.win_rate_by_stage
                    else ""
                ),
                "contracts_needed": plan.contracts if plan else np.nan,
                "intake_needed_per_month": plan.intake_per_month if plan else np.nan,
                "intake_per_month": context.intake_per_month * s.levers.deals,
                "expected_year": float(sim.expected.sum() + context.won_to_date),
                "p10_year": p10,
                "p50_year": p50,
                "p90_year": p90,
                "p_hit_target": sim.p_hit(remaining, context.period_end) if target > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


TORNADO = table("tornado", "lever", "worse", "better", "baseline", "swing")


def tornado(
    context: PlanningContext, step: float = TORNADO_STEP, base: Levers = BASELINE
) -> pd.DataFrame:
    """Expected bookings of the plan year with each lever moved ±``step`` alone (the cycle
    lever shortened for "better"), largest swing first: ``lever``, ``worse``, ``better``,
    ``baseline``, ``swing``. Exact expectations, no sampling."""
    horizon = context.horizon

    def year(levers: Levers) -> float:
        return float(expected_bookings(context.inputs, levers, horizon).sum() + context.won_to_date)

    baseline = year(base)
    rows = []
    for lever in LEVER_NAMES:
        value = getattr(base, lever)
        up, down = value * (1 + step), value * (1 - step)
        better, worse = (down, up) if lever == "cycle" else (up, down)
        b = year(replace(base, **{lever: better}))
        w = year(replace(base, **{lever: worse}))
        rows.append({"lever": lever, "worse": w, "better": b, "baseline": baseline, "swing": b - w})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def scenarios_to_json(scenarios: list[Scenario]) -> str:
    return json.dumps(
        {
            "format": FILE_FORMAT,
            "version": 1,
            "scenarios": [{"name": s.name, "levers": s.levers.to_dict()} for s in scenarios],
        },
        ensure_ascii=False,
        indent=2,
    )


#: The range of each lever (a multiplier) that the Scenarios page offers; a file outside it
#: is refused. Per-stage win rates share the win-rate range.
LEVER_RANGES = {
    "win_rate": (0.5, 2.0),
    "deals": (0.5, 2.0),
    "cycle": (0.5, 1.5),
    "deal_size": (0.5, 2.0),
}
MAX_SCENARIO_FILE_BYTES = 1 << 20


def _check_lever(name: str, label: str, lever: str, value: float, where: str = "") -> None:
    """Refuse a lever that is not a positive number, or outside the page's range."""
    if not np.isfinite(value) or value <= 0:
        raise ScenarioError(
            f"scenario {name!r}: {label} must be a positive number ({where}got {value!r})"
        )
    low, high = LEVER_RANGES[lever]
    if not low - 1e-9 <= value <= high + 1e-9:
        raise ScenarioError(
            f"scenario {name!r}: {label} must be a multiplier from {low} to "
            f"{high}, as on the Scenarios page ({where}got {value!r})"
        )


def scenarios_from_json(text: str | bytes) -> list[Scenario]:
    """Scenarios from :func:`scenarios_to_json` text; :class:`ScenarioError` if unusable
    (not the format, over 1 MiB, nested too deep, or a lever outside the page's range)."""
    if len(text) > MAX_SCENARIO_FILE_BYTES:
        raise ScenarioError(f"not a scenarios file: larger than {MAX_SCENARIO_FILE_BYTES:,} bytes")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ScenarioError("not a scenarios file: nested too deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"not a scenarios file: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise ScenarioError('not a scenarios file (no "format": "funnel-analytics-scenarios")')
    out = []
    for item in data.get("scenarios", []):
        try:
            levers = Levers.from_dict(item.get("levers", {}))
            name = str(item["name"]).strip()
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ScenarioError(f"bad scenario entry {item!r}: {exc}") from None
        for lever in LEVER_NAMES:
            _check_lever(name, lever, lever, getattr(levers, lever))
        for stage, value in levers.win_rate_by_stage:
            _check_lever(name, "win_rate_by_stage", "win_rate", value, f"stage {stage!r}, ")
        out.append(Scenario(name, levers))
    return out


def save_scenarios(path: str | Path, scenarios: list[Scenario]) -> None:
    Path(path).write_text(scenarios_to_json(scenarios), encoding="utf-8")


def load_scenarios(path: str | Path) -> list[Scenario]:
    return scenarios_from_json(Path(path).read_bytes())

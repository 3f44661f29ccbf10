"""Forecast: weighted pipeline, a Monte Carlo range, forecast categories and past accuracy.

* **Weighted pipeline** (:func:`weighted_pipeline`): each open deal's amount × its stage's
  probability, by expected close month and quarter. The probabilities used are named
  (``nominal`` from the stage model, or ``calibrated``). Deals whose expected close date is
  already past are shown as **overdue**, and deals without one as **no date**: they are
  never silently moved into a future month.
* **Monte Carlo** (:func:`simulate_bookings`): in each run every open deal is won with its
  stage's probability, and a won deal closes in a month drawn from the stage's measured time
  to win (:func:`funnel_analytics.planning.time_to_win`), given how long the deal has already
  sat in the stage. Where no deal was ever won through a stage, its deals close in their
  expected close month (the next month if that is past). Optionally, new deals keep arriving
  at a monthly rate and go through the first stage. The result: P10/P50/P90 bookings per month
  and quarter, and the probability of reaching the target by the period's end. Seeded: the
  same inputs and seed give the same figures on any machine.
* **Accuracy** (:func:`forecast_accuracy`): at each past snapshot, what the weighted pipeline
  said would close before the next snapshot, against what was won in that interval.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .choices import DEFAULT_SEED
from .contracts import Column, table
from .funnel import as_of_dates, current_deals, is_history_log
from .history import StageHistory
from .planning import DAYS_PER_MONTH, time_to_win
from .schema import Opportunities as O
from .stages import OPEN, StageModel

__all__ = [
    "BASELINE",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "FORECAST_CATEGORIES",
    "MIN_TIMING",
    "Levers",
    "Simulation",
    "expected_bookings",
    "forecast_accuracy",
    "forecast_by_category",
    "forecast_inputs",
    "simulate_bookings",
    "weighted_pipeline",
]

DEFAULT_RUNS = 10_000
MIN_TIMING = 5  # won deals through a stage needed before its timing is used
MAX_AGE_MONTHS = 24  # deals older in their stage share the last age group
FORECAST_CATEGORIES = ("commit", "best_case", "pipeline", "omitted")


def first_month(as_of: pd.Timestamp) -> pd.Period:
    """The first month a forecast covers: the month of the day after ``as_of``."""
    return (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M")


def open_deals(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Open deals at a known open stage (on-hold, won and lost deals are not forecast)."""
    keys = list(model.keys[:-1])
    return snapshot[(snapshot[O.status] == OPEN) & snapshot[O.stage].isin(keys)]


FORECAST_WEIGHTED = {
    freq: table(f"forecast_weighted_by_{freq}", "period", "count", "amount", "weighted")
    for freq in ("month", "quarter")
}
FORECAST_DEALS = table(
    "forecast_deals",
    "opportunity_id",
    "owner",
    "stage",
    "amount",
    "expected_close_date",
    "probability",
    "weighted",
    "bucket",
    "quarter",
)
FORECAST_RANGES = {
    freq: table(f"forecast_by_{freq}", "period", "p10", "p50", "p90", "mean", "expected")
    for freq in ("month", "quarter")
}


def weighted_pipeline(
    snapshot: pd.DataFrame,
    model: StageModel,
    probabilities: dict[str, float],
    as_of: pd.Timestamp,
    probability_source: str = "nominal",
) -> dict[str, pd.DataFrame]:
    """Open amount × probability by expected close month and quarter.

    Returns ``deals`` (one row per open deal with ``probability``, ``weighted`` and ``bucket``:
    the close month as ``YYYY-MM``, ``overdue`` or ``no_date``), ``by_month`` and
    ``by_quarter`` (``period``, ``count``, ``amount``, ``weighted``; overdue and no-date rows
    first) and ``summary`` (one row: totals and the probabilities' source).
    """
    deals = open_deals(snapshot, model)
    first = first_month(as_of)
    close = (
        deals[O.expected_close_date]
        if O.expected_close_date in deals
        else pd.Series(pd.NaT, index=deals.index)
    )
    month = close.dt.to_period("M")
    overdue = close.notna() & (close.dt.normalize() <= pd.Timestamp(as_of).normalize())
    p = deals[O.stage].astype("object").map(probabilities).astype("float64")
    out = pd.DataFrame(
        {
            O.opportunity_id: deals[O.opportunity_id].to_numpy(),
            O.owner: deals[O.owner].to_numpy() if O.owner in deals else None,
            O.stage: deals[O.stage].to_numpy(),
            O.amount: deals[O.amount].to_numpy(dtype="float64", na_value=np.nan),
            O.expected_close_date: close.to_numpy(),
            "probability": p.to_numpy(),
        }
    )
    out["weighted"] = out[O.amount] * out["probability"]
    months = month.astype("string").to_numpy(dtype=object, na_value=None)
    quarters = close.dt.to_period("Q").astype("string").to_numpy(dtype=object, na_value=None)
    bucket_m = np.where(
        overdue.to_numpy(), "overdue", np.where(close.isna().to_numpy(), "no_date", months)
    )
    bucket_q = np.where(
        overdue.to_numpy(), "overdue", np.where(close.isna().to_numpy(), "no_date", quarters)
    )
    out["bucket"] = bucket_m
    out["quarter"] = bucket_q

    def table(col: str) -> pd.DataFrame:
        g = out.groupby(col).agg(
            count=(O.opportunity_id, "size"), amount=(O.amount, "sum"), weighted=("weighted", "sum")
        )
        special = [b for b in ("overdue", "no_date") if b in g.index]
        rest = sorted(b for b in g.index if b not in ("overdue", "no_date"))
        return g.reindex(special + rest).rename_axis("period").reset_index()

    summary = pd.DataFrame(
        [
            {
                "as_of": pd.Timestamp(as_of),
                "first_month": str(first),
                "probabilities": probability_source,
                "open_count": len(out),
                "open_amount": float(out[O.amount].sum()),
                "weighted": float(out["weighted"].sum()),
                "overdue_count": int(overdue.sum()),
                "overdue_amount": float(out.loc[out["bucket"] == "overdue", O.amount].sum()),
                "no_date_count": int(close.isna().sum()),
            }
        ]
    )
    return {
        "deals": out,
        "by_month": table("bucket"),
        "by_quarter": table("quarter"),
        "summary": summary,
    }


FORECAST_CATEGORIES_TABLE = table(
    "forecast_categories",
    "quarter",
    "commit",
    "best_case",
    "pipeline",
    "omitted",
    "closed",
    "commit_total",
    "commit_best_case",
    "all_open",
    other_kind="amount",
    local=[
        Column(
            "closed",
            "amount",
            "已关闭",
            "Closed",
            "预测类别为“已关闭”的在手金额。",
            "Open amount in the Closed category.",
        )
    ],
)


def forecast_by_category(
    snapshot: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    column: str = "forecast_category",
) -> pd.DataFrame | None:
    """Open amount per forecast category (commit / best case / pipeline / omitted) by expected
    close quarter, when the export has them; ``None`` otherwise. Deals whose expected close
    date is on or before ``as_of`` are in an ``overdue`` row, those without one in ``no_date``.
    Rollups: commit, commit + best case, and everything."""
    if column not in snapshot or snapshot[column].isna().all():
        return None
    deals = open_deals(snapshot, model)
    close = deals[O.expected_close_date]
    quarter = close.dt.to_period("Q").astype("string").fillna("no_date")
    if as_of is not None:
        quarter = quarter.mask(close.dt.normalize() <= pd.Timestamp(as_of).normalize(), "overdue")
    cat = deals[column].astype("object").fillna("pipeline")
    table = pd.crosstab(quarter, cat, values=deals[O.amount], aggfunc="sum").fillna(0.0)
    table = table.reindex(
        columns=[c for c in FORECAST_CATEGORIES if c in table.columns]
        + [c for c in table.columns if c not in FORECAST_CATEGORIES],
        fill_value=0.0,
    )
    special = [q for q in ("overdue", "no_date") if q in table.index]
    table = table.reindex(special + sorted(q for q in table.index if q not in special))
    out = table.rename_axis(index="quarter", columns=None).reset_index()
    out["commit_total"] = out.get("commit", 0.0)
    out["commit_best_case"] = out["commit_total"] + out.get("best_case", 0.0)
    out["all_open"] = table.sum(axis=1).to_numpy()
    return out


@dataclass(frozen=True)
class Levers:
    """The four levers of ``domain.md`` §5, as multipliers (1 = as measured).

    ``win_rate`` multiplies every stage's P(win) (capped at 1), ``win_rate_by_stage`` one
    stage's; ``deals`` multiplies the intake of new deals; ``cycle`` multiplies the time to
    win (0.8 = 20% shorter); ``deal_size`` multiplies amounts.
    """

    win_rate: float = 1.0
    deals: float = 1.0
    cycle: float = 1.0
    deal_size: float = 1.0
    win_rate_by_stage: tuple[tuple[str, float], ...] = field(default=())

    def probabilities(self, base: dict[str, float]) -> dict[str, float]:
        per_stage = dict(self.win_rate_by_stage)
        return {
            k: float(min(1.0, p * self.win_rate * per_stage.get(k, 1.0))) for k, p in base.items()
        }

    def to_dict(self) -> dict:
        return {
            "win_rate": self.win_rate,
            "deals": self.deals,
            "cycle": self.cycle,
            "deal_size": self.deal_size,
            "win_rate_by_stage": dict(self.win_rate_by_stage),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Levers:
        by_stage = data.get("win_rate_by_stage") or {}
        return cls(
            win_rate=float(data.get("win_rate", 1.0)),
            deals=float(data.get("deals", 1.0)),
            cycle=float(data.get("cycle", 1.0)),
            deal_size=float(data.get("deal_size", 1.0)),
            win_rate_by_stage=tuple((str(k), float(v)) for k, v in by_stage.items()),
        )


BASELINE = Levers()  # every lever as measured


@dataclass(frozen=True)
class ForecastInputs:
    """What the simulation needs, measured once from the data and reused by every scenario."""

    deals: pd.DataFrame  # opportunity_id, stage, amount, days_in_stage, expected_close_date
    probabilities: dict[str, float]
    probability_source: str
    timing: dict[str, np.ndarray]  # stage -> days from entry to won, won deals
    as_of: pd.Timestamp
    first: pd.Period
    new_deals_per_month: float
    average_deal: float
    first_stage: str


def forecast_inputs(
    snapshot: pd.DataFrame,
    history: StageHistory,
    probabilities: dict[str, float],
    probability_source: str,
    new_deals_per_month: float = 0.0,
    average_deal: float = float("nan"),
) -> ForecastInputs:
    """Gather the open deals (with days in their current stage) and each stage's timing."""
    model = history.model
    deals = open_deals(snapshot, model)
    current = history.visits[history.visits["censored"]].drop_duplicates(
        O.opportunity_id, keep="last"
    )
    days_in = current.set_index(O.opportunity_id)["days"]
    frame = pd.DataFrame(
        {
            O.opportunity_id: deals[O.opportunity_id].to_numpy(dtype=object),
            O.stage: deals[O.stage].to_numpy(dtype=object),
            O.amount: deals[O.amount].fillna(0.0).to_numpy(dtype="float64"),
            O.expected_close_date: deals[O.expected_close_date].to_numpy()
            if O.expected_close_date in deals
            else pd.NaT,
        }
    )
    frame["days_in_stage"] = (
        days_in.reindex(frame[O.opportunity_id]).fillna(0).to_numpy(dtype="float64")
    )
    t = time_to_win(history)
    timing = {k: g["days"].to_numpy(dtype="float64") for k, g in t.groupby("stage")}
    return ForecastInputs(
        frame,
        dict(probabilities),
        probability_source,
        timing,
        pd.Timestamp(history.as_of),
        first_month(history.as_of),
        float(new_deals_per_month),
        float(average_deal),
        model.keys[0],
    )


def _month_offsets(as_of: pd.Timestamp, first: pd.Period, days: np.ndarray) -> np.ndarray:
    """Month offset (0 = ``first``) of ``as_of + days``."""
    close = np.datetime64(pd.Timestamp(as_of).normalize(), "D") + np.floor(days).astype(
        "timedelta64[D]"
    )
    months = close.astype("datetime64[M]").astype("int64")
    return months - (first.year - 1970) * 12 - (first.month - 1)


def _by_stage(stages: pd.Series, values: dict[str, float]) -> np.ndarray:
    """``stages.map(values)`` as float64 (NaN where a stage has no value), looked up once per
    distinct stage instead of once per deal."""
    codes, uniques = pd.factorize(stages)
    table = np.array([values.get(k, np.nan) for k in uniques] + [np.nan], dtype="float64")
    return table[codes]  # a missing stage's code is -1: the NaN at the end


def _timing_rows(
    deals: pd.DataFrame, inputs: ForecastInputs, horizon: int, cycle: float
) -> tuple[np.ndarray, np.ndarray]:
    """Month-offset distributions (rows) of the time still to win, and the row of each of
    ``deals`` (``stage``, ``days_in_stage``, ``expected_close_date``).

    A deal in stage k that has sat there d days closes ``cycle × T − d`` days after the as-of
    date, T drawn from stage k's times to win that are longer than d (d rounded down to its
    whole month); from all of them when fewer than :data:`MIN_TIMING` are longer; in its
    expected close month (the first month if that is past or unknown) when fewer than
    :data:`MIN_TIMING` deals were ever won through the stage.
    """
    age_group = np.minimum(
        deals["days_in_stage"].to_numpy() // DAYS_PER_MONTH, MAX_AGE_MONTHS
    ).astype(np.int64)
    measured = [k for k, v in inputs.timing.items() if len(v) >= MIN_TIMING]
    code = _by_stage(deals[O.stage], {k: i for i, k in enumerate(measured)})
    timed = ~np.isnan(code)
    # Keys: timed deals by (stage, age group); the rest by their expected close month offset.
    days_to_close = (
        pd.to_datetime(deals[O.expected_close_date]) - inputs.as_of.normalize()
    ).dt.days
    point_offset = np.clip(
        _month_offsets(
            inputs.as_of,
            inputs.first,
            np.maximum(days_to_close.fillna(0).to_numpy(dtype="float64"), 0),
        ),
        0,
        horizon,
    )
    key = np.where(
        timed,
        np.nan_to_num(code).astype(np.int64) * (MAX_AGE_MONTHS + 1) + age_group,
        -1 - point_offset,
    )
    deal_rows, uniq = pd.factorize(key, sort=True)  # np.unique's result, by hashing
    rows = np.zeros((len(uniq), horizon))
    for r, k in enumerate(uniq):
        if k < 0:
            offset = int(-1 - k)
            if offset < horizon:
                rows[r, offset] = 1.0
            continue
        samples = inputs.timing[measured[int(k) // (MAX_AGE_MONTHS + 1)]]
        age = (int(k) % (MAX_AGE_MONTHS + 1)) * DAYS_PER_MONTH
        # Condition on the measured times (T > d), then scale: cycle × T − d. Conditioning on
        # the scaled times would make a shorter cycle drop the deals about to close.
        later = samples[samples > age]
        remaining = later * cycle - age if len(later) >= MIN_TIMING else samples * cycle
        off = np.clip(
            _month_offsets(inputs.as_of, inputs.first, np.maximum(remaining, 0.0)), 0, None
        )
        rows[r] = np.bincount(off[off < horizon], minlength=horizon)[:horizon] / len(remaining)
    return rows, np.asarray(deal_rows).ravel()


@dataclass(frozen=True)
class Simulation:
    """Bookings per run and month of a Monte Carlo forecast."""

    months: list[pd.Period]
    runs: np.ndarray  # (runs, months) bookings
    expected: np.ndarray  # exact expectation per month (same inputs)
    seed: int
    n_deals: int
    n_new_deals: int

    def percentiles(self, freq: str = "M") -> pd.DataFrame:
        """P10/P50/P90, mean and expectation per month (``freq="M"``) or quarter (``"Q"``)."""
        labels = [str(m) if freq == "M" else str(m.asfreq("Q")) for m in self.months]
        uniq = list(dict.fromkeys(labels))
        groups = np.array([uniq.index(x) for x in labels])
        per = (
            np.stack([self.runs[:, groups == g].sum(axis=1) for g in range(len(uniq))], axis=1)
            if len(uniq)
            else np.zeros((len(self.runs), 0))
        )
        exp = np.array([self.expected[groups == g].sum() for g in range(len(uniq))])
        p10, p50, p90 = np.percentile(per, [10, 50, 90], axis=0) if len(per) else ([], [], [])
        return pd.DataFrame(
            {
                "period": uniq,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "mean": per.mean(axis=0),
                "expected": exp,
            }
        )

    def total(self, until: pd.Period | None = None) -> np.ndarray:
        """Each run's bookings over the months up to ``until`` (inclusive; default all)."""
        keep = [i for i, m in enumerate(self.months) if until is None or m <= until]
        return self.runs[:, keep].sum(axis=1)

    def p_hit(self, target_remaining: float, until: pd.Period | None = None) -> float:
        """Share of runs whose bookings up to ``until`` reach ``target_remaining``."""
        if target_remaining <= 0:
            return 1.0
        return float((self.total(until) >= target_remaining).mean())


def _arrays(inputs: ForecastInputs, levers: Levers, horizon: int):
    """What the kernel needs: each deal's amount, its row of (probability × month
    distribution), its month offset, the rows, and how many new deals were added."""
    probs = levers.probabilities(inputs.probabilities)
    deals = inputs.deals
    rows_p, deal_rows = _timing_rows(deals, inputs, horizon, levers.cycle)
    p = _by_stage(deals[O.stage], probs)
    amounts = deals[O.amount].to_numpy(dtype="float64") * levers.deal_size
    # A row per distinct (timing row, probability) pair, in the order of np.unique's rows
    # (by timing row, then probability), found by hashing one integer key per deal.
    p_code, p_values = pd.factorize(p, sort=True, use_na_sentinel=False)
    rows, pairs = pd.factorize(deal_rows * len(p_values) + p_code, sort=True)
    table = rows_p[pairs // len(p_values)] * p_values[pairs % len(p_values)][:, None]
    offsets = np.zeros(len(deals), dtype=np.int64)
    n_new = 0
    rate = inputs.new_deals_per_month * levers.deals
    if rate > 0 and np.isfinite(inputs.average_deal):
        # Deals not yet created enter the first stage fresh, in the month they arrive.
        first = inputs.first_stage
        fresh = pd.DataFrame(
            {O.stage: [first], "days_in_stage": [0.0], O.expected_close_date: [pd.NaT]}
        )
        new_row, _ = _timing_rows(fresh, inputs, horizon, levers.cycle)
        counts = np.floor(rate * np.arange(1, horizon + 1)) - np.floor(rate * np.arange(horizon))
        n_new = int(counts.sum())
        table = np.vstack([table, new_row[:1] * probs[first]])
        rows = np.concatenate([rows, np.full(n_new, len(table) - 1)])
        amounts = np.concatenate([amounts, np.full(n_new, inputs.average_deal * levers.deal_size)])
        offsets = np.concatenate([offsets, np.repeat(np.arange(horizon), counts.astype(int))])
    return amounts, rows, offsets, table, n_new


def _expectation(
    amounts: np.ndarray, rows: np.ndarray, offsets: np.ndarray, table: np.ndarray, horizon: int
) -> np.ndarray:
    out = np.zeros(horizon)
    for j in range(horizon):
        col = j - offsets  # the row's column that lands in month j
        ok = (col >= 0) & (col < horizon)
        out[j] = float((amounts[ok] * table[rows[ok], col[ok]]).sum())
    return out


def expected_bookings(
    inputs: ForecastInputs, levers: Levers = BASELINE, horizon: int = 12
) -> np.ndarray:
    """The exact expectation of the Monte Carlo bookings per month (no sampling)."""
    amounts, rows, offsets, table, _ = _arrays(inputs, levers, horizon)
    return _expectation(amounts, rows, offsets, table, horizon)


def simulate_bookings(
    inputs: ForecastInputs,
    levers: Levers = BASELINE,
    horizon: int = 12,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> Simulation:
    """Monte Carlo bookings per month over ``horizon`` months from the first forecast month."""
    from ._simulate import simulate  # numba loads only when a forecast is run

    amounts, rows, offsets, table, n_new = _arrays(inputs, levers, horizon)
    sims = simulate(amounts, rows, offsets, table, runs, seed)[:, :horizon]
    months = [inputs.first + j for j in range(horizon)]
    return Simulation(
        months,
        sims,
        _expectation(amounts, rows, offsets, table, horizon),
        seed,
        len(inputs.deals),
        n_new,
    )


FORECAST_ACCURACY = table(
    "forecast_accuracy",
    "snapshot_date",
    "period_end",
    "deals_due",
    "forecast",
    "actual",
    "forecast_rep",
    "error",
    "ratio",
)


def forecast_accuracy(
    observations: pd.DataFrame, history: StageHistory, probabilities: dict[str, float]
) -> pd.DataFrame:
    """At each snapshot but the last: the weighted pipeline of open deals expected to close
    before the next snapshot (``forecast``), what was won in that interval (``actual``), the
    error and the ratio. When the export carries the reps' own probability, ``forecast_rep``
    weights by it instead."""
    # Snapshot dates; a stage-history log's month ends, its deals as they stood at each.
    dates = as_of_dates(observations)
    log = is_history_log(observations)
    won = history.moves[history.moves["kind"] == "won"][[O.opportunity_id, "date"]]
    at_win = observations[[O.opportunity_id, O.snapshot_date, O.amount]].merge(
        won, left_on=[O.opportunity_id, O.snapshot_date], right_on=[O.opportunity_id, "date"]
    )
    has_rep = O.probability in observations and observations[O.probability].notna().any()
    rows = []
    for start, end in itertools.pairwise(dates):
        snap = (
            current_deals(observations, start)
            if log
            else observations[observations[O.snapshot_date] == start]
        )
        deals = open_deals(snap, history.model)
        close = deals[O.expected_close_date]
        due = deals[(close > start) & (close <= end)]
        p = due[O.stage].astype("object").map(probabilities).astype("float64")
        actual = float(
            at_win.loc[(at_win["date"] > start) & (at_win["date"] <= end), O.amount].sum()
        )
        row = {
            "snapshot_date": pd.Timestamp(start),
            "period_end": pd.Timestamp(end),
            "deals_due": len(due),
            "forecast": float((due[O.amount] * p).sum()),
            "actual": actual,
        }
        if has_rep:
            row["forecast_rep"] = float((due[O.amount] * due[O.probability].fillna(p)).sum())
        rows.append(row)
    out = pd.DataFrame(
        rows,
        columns=[
            "snapshot_date",
            "period_end",
            "deals_due",
            "forecast",
            "actual",
            *(["forecast_rep"] if has_rep else []),
        ],
    )
    out["error"] = out["forecast"] - out["actual"]
    out["ratio"] = out["forecast"] / out["actual"].replace(0, np.nan)
    return out


def accuracy_summary(accuracy: pd.DataFrame) -> dict:
    """Bias (Σ forecast ÷ Σ actual − 1) and mean absolute percentage error over the periods."""
    if accuracy.empty or accuracy["actual"].sum() == 0:
        return {"periods": len(accuracy), "bias": None, "mape": None}
    with_actual = accuracy[accuracy["actual"] > 0]
    mape = (
        float((with_actual["error"].abs() / with_actual["actual"]).mean())
        if len(with_actual)
        else None
    )
    return {
        "periods": len(accuracy),
        "bias": float(accuracy["forecast"].sum() / accuracy["actual"].sum() - 1),
        "mape": mape,
    }

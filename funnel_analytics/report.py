"""The funnel-movement report: one JSON-ready object and the tables behind it.

:func:`build_report` gathers the funnel, conversion, win rates, transitions, regressions,
time in stage, stalled deals and pipeline changes of a set of observations; the CLI prints it
(``funnel-analytics report --json``) or writes its tables to a workbook (``--output``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ageing import stage_durations, stalled_deals
from .contracts import table
from .conversion import MIN_SAMPLE, reached_stage_conversion, transition_matrix, wilson_interval
from .funnel import close_dates, current_deals, funnel_counts
from .history import STR, StageHistory, codes_of, deal_panel, stage_history
from .movement import amount_changes, pipeline_changes, regressions, slipped_deals
from .schema import Opportunities as O
from .stages import LOST, WON, StageModel

__all__ = [
    "CLOSED_PERIOD_MONTHS",
    "CREATED_COHORT_MONTHS",
    "FunnelReport",
    "build_report",
    "closing_rows",
    "created_cohort_win_rates",
    "json_records",
    "win_rates",
]

CREATED_COHORT_MONTHS = 12  # the created-in-period cohort looks back this far from the as-of date
CLOSED_PERIOD_MONTHS = 12  # win rates count the deals closed this far back from the as-of date


@dataclass(frozen=True)
class FunnelReport:
    """The report's tables (for pages and workbooks) and its JSON object (for scripts)."""

    tables: dict[str, pd.DataFrame]
    data: dict
    history: StageHistory | None = None


def closing_rows(
    history: StageHistory, observations: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp
) -> pd.DataFrame:
    """Each deal whose outcome (its latest status) is won or lost and whose close falls in
    ``(start, end]``, as the observation where that outcome first shows (so team, owner, source
    and grade are their values at closing), with ``date`` and ``kind`` (won or lost).

    The close is dated by the deal's close date when the export gives one on or before that
    observation, else by the observation's date. So a single export counts the deals already
    closed in it, by their close dates, and a run of snapshots counts each deal once, by the
    same date, whatever snapshot it first shows closed in. A deal corrected from won to lost
    counts by its final outcome.
    """
    panel = deal_panel(observations, history)
    outcome = codes_of(observations[O.status], [WON, LOST])[panel.rows]  # 0 won, 1 lost, 2 other
    deal = panel.codes
    # Where each run of one deal in one status begins: the last run is the deal's outcome.
    change = np.ones(len(deal), dtype=bool)
    change[1:] = (deal[1:] != deal[:-1]) | (outcome[1:] != outcome[:-1])
    run_start = np.maximum.accumulate(np.where(change, np.arange(len(deal)), 0))
    last = panel.ends()
    closed = outcome[last] < 2
    found = observations.take(panel.rows[run_start[last[closed]]]).reset_index(drop=True)
    when = close_dates(found)
    keep = (when <= pd.Timestamp(end)).to_numpy(dtype=bool)
    if start is not None:
        keep = keep & (when > pd.Timestamp(start)).to_numpy(dtype=bool)
    won = outcome[last[closed]][keep] == 0
    at_close = found[keep].reset_index(drop=True)
    at_close["date"] = when[keep].to_numpy()
    at_close["kind"] = pd.array(np.where(won, WON, LOST), dtype=STR)
    at_close["won"] = won
    at_close["won_amount"] = at_close[O.amount].where(at_close["won"], 0.0)
    return at_close


WIN_RATES = {
    by: table(
        "win_rate" if by == "cohort" else f"win_rate_by_{by}",
        by,
        "closed",
        "won",
        "closed_amount",
        "won_amount",
        "win_rate",
        "win_rate_low",
        "win_rate_high",
        "win_rate_by_amount",
        "too_few",
    )
    for by in ("cohort", "team", "owner", "source", "grade")
}


def win_rates(
    history: StageHistory,
    observations: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp,
    by: str | None = None,
    closed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Win rate of the deals **closed in the period** ``(start, end]``: by count (won ÷ won +
    lost) and by amount (won amount ÷ won + lost amount), with a Wilson interval on the count
    rate; ``by`` groups by team, owner, source or grade (their value at closing). ``closed``
    reuses :func:`closing_rows` already computed for the same period."""
    at_close = closing_rows(history, observations, start, end) if closed is None else closed
    key = at_close[by].astype("object").fillna("") if by else pd.Series("all", index=at_close.index)
    g = at_close.groupby(key.to_numpy())
    out = pd.DataFrame(
        {
            "closed": g.size(),
            "won": g["won"].sum(),
            "closed_amount": g[O.amount].sum(),
            "won_amount": g["won_amount"].sum(),
        }
    )
    out["win_rate"] = out["won"] / out["closed"]
    out["win_rate_low"], out["win_rate_high"] = wilson_interval(out["won"], out["closed"])
    out["win_rate_by_amount"] = out["won_amount"] / out["closed_amount"].replace(0, np.nan)
    out["too_few"] = out["closed"] < MIN_SAMPLE
    return out.rename_axis(by or "cohort").reset_index()


def json_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe records (NaN as null, dates as ISO days), encoded by pandas' C encoder."""
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=15))


def build_report(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    *,
    outlook: bool = False,
    target: float | None = None,
    runs: int | None = None,
    seed: int | None = None,
) -> FunnelReport:
    """Every movement view of ``observations`` up to ``as_of`` (default: the latest date).

    Pipeline changes compare the latest snapshot on or before ``as_of`` with the one before
    it; win rates count the deals closed (by their close dates) in the
    :data:`CLOSED_PERIOD_MONTHS` months to ``as_of``. With ``outlook``, the report also
    holds the plan for ``target``, the forecast (``runs`` Monte Carlo runs, ``seed``), the
    calibrated probabilities and the scorecard (:func:`funnel_analytics.outlook.outlook`).
    """
    if as_of is not None:
        observations = observations[observations[O.snapshot_date] <= pd.Timestamp(as_of)]
    dates = sorted(observations[O.snapshot_date].dropna().unique())
    as_of = pd.Timestamp(dates[-1]) if as_of is None else pd.Timestamp(as_of)
    previous = pd.Timestamp(dates[-2]) if len(dates) > 1 else None
    history = stage_history(observations, model, as_of)
    conversion = reached_stage_conversion(history)
    cols = [O.opportunity_id, O.snapshot_date, O.stage, O.status, O.amount]
    snap = current_deals(
        observations[cols + [c for c in ("observed_via",) if c in observations]], as_of
    )
    counts = funnel_counts(snap, model)
    funnel = counts.merge(conversion[["stage", "reached_count"]], on="stage").rename(
        columns={"count": "open_count", "amount": "open_amount"}
    )
    durations = stage_durations(history)
    back, regression_rates = regressions(history)
    closed_from = as_of - pd.DateOffset(months=CLOSED_PERIOD_MONTHS)
    closed = closing_rows(history, observations, closed_from, as_of)
    wins = win_rates(history, observations, closed_from, as_of, closed=closed)
    wins_by = {
        by: win_rates(history, observations, closed_from, as_of, by, closed=closed)
        for by in (O.team, O.owner, O.source, O.grade)
        if by in observations
    }
    if previous is not None:
        steps, change_deals = pipeline_changes(observations, previous, as_of, history=history)
    else:
        steps, change_deals = pd.DataFrame(columns=["step", "count", "amount"]), pd.DataFrame()
    cohort_start = as_of - pd.DateOffset(months=CREATED_COHORT_MONTHS)
    created = created_cohort_win_rates(history, observations, cohort_start, as_of)
    stalled = stalled_deals(history, durations)
    matrix = transition_matrix(history)
    tables = {
        "funnel": funnel,
        "conversion": conversion,
        "win_rate": wins,
        "transitions": matrix.reset_index(),
        "regressions": back,
        "regression_rates": regression_rates,
        "time_in_stage": durations,
        "stalled": stalled,
        "pipeline_changes": steps,
        "pipeline_change_deals": change_deals,
        "slipped": slipped_deals(observations, history),
        "amount_changes": amount_changes(observations, history),
        "win_rate_created": created,
        **{f"win_rate_by_{by}": t for by, t in wins_by.items()},
    }
    data = {
        "as_of": as_of.date().isoformat(),
        "previous_snapshot": None if previous is None else previous.date().isoformat(),
        "stage_model": model.name,
        "resolution": history.resolution,
        "deals": len(history.deals),
        "lost_stage_unknown": int(history.deals["died_in_unknown"].sum()),
        "funnel": json_records(funnel[["stage", "open_count", "open_amount", "reached_count"]]),
        "conversion": json_records(conversion),
        "win_rate": {
            "closed_in_period": json_records(wins),
            "closed_period": {
                "from": closed_from.date().isoformat(),
                "to": as_of.date().isoformat(),
            },
            "created_in_period": {
                "from": cohort_start.date().isoformat(),
                "to": as_of.date().isoformat(),
                "overall": json_records(created),
            },
            **{f"by_{by}": json_records(t) for by, t in wins_by.items()},
        },
        "transitions": {
            str(k): {str(c): int(v) for c, v in row.items()} for k, row in matrix.iterrows()
        },
        "regressions": {"moves": json_records(back), "by_stage": json_records(regression_rates)},
        "time_in_stage": json_records(
            durations[
                [
                    "stage",
                    "median_days",
                    "p75_days",
                    "n",
                    "censored",
                    "median_low",
                    "median_high",
                    "p75_low",
                    "p75_high",
                ]
            ]
        ),
        "stalled": json_records(stalled),
        "pipeline_changes": {
            "from": None if previous is None else previous.date().isoformat(),
            "to": as_of.date().isoformat(),
            "steps": json_records(steps),
        },
    }
    if outlook:
        from .outlook import DEFAULT_SEED
        from .outlook import outlook as build_outlook
        from .scenarios import build_context

        context = build_context(observations, model, as_of, history=history, durations=durations)
        more_tables, more_data = build_outlook(
            context, target, runs=runs or 10_000, seed=DEFAULT_SEED if seed is None else seed
        )
        tables.update(more_tables)
        data.update(more_data)
    return FunnelReport(tables, data, history)


WIN_RATE_CREATED = table(
    "win_rate_created",
    "cohort",
    "created",
    "won",
    "lost",
    "won_amount",
    "decided_amount",
    "undecided",
    "win_rate",
    "win_rate_low",
    "win_rate_high",
    "win_rate_by_amount",
    "decided_share",
    "too_few",
)


def created_cohort_win_rates(
    history: StageHistory,
    observations: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp,
    by: str | None = None,
) -> pd.DataFrame:
    """Win rate of the deals **created in the period** ``(start, end]`` (their created date,
    else their first sighting): ``created``, how many are ``won``, ``lost`` and still
    ``undecided`` (open or on hold), the win rate among the decided ones by count (with a
    Wilson interval) and by amount (each deal's latest amount), and ``decided_share``, the part
    of the cohort the rate rests on. ``by`` groups by team, owner, source or grade at the
    deal's latest observation."""
    panel = deal_panel(observations, history)
    deals = history.deals
    # Each deal's code in the panel: the same as its row in ``deals`` when the history was
    # built from these observations, else looked up by id.
    pos = (
        np.arange(len(deals))
        if panel is history.panel
        else panel.ids.get_indexer(deals[O.opportunity_id])
    )
    last = panel.rows[panel.ends()][pos]  # each deal's last row, in the order of ``deals``
    born = deals["first_seen"].to_numpy(dtype="datetime64[ns]")
    if O.created_date in observations and len(panel.rows):
        created = observations[O.created_date].to_numpy(dtype="datetime64[ns]")[panel.rows]
        as_int = created.view("int64").copy()
        as_int[np.isnat(created)] = np.iinfo("int64").max
        first_created = np.minimum.reduceat(as_int, panel.starts)[pos]
        known = first_created != np.iinfo("int64").max
        born = np.where(known, first_created.view("datetime64[ns]"), born)
    mask = born <= np.datetime64(pd.Timestamp(end), "ns")
    if start is not None:
        mask &= born > np.datetime64(pd.Timestamp(start), "ns")
    chosen = np.flatnonzero(mask)
    status = deals["status"].to_numpy()[chosen]
    rows = last[chosen]
    amount = (
        np.nan_to_num(observations[O.amount].to_numpy(dtype="float64", na_value=np.nan)[rows])
        if O.amount in observations
        else np.zeros(len(rows))
    )
    key = (
        observations[by].take(rows).astype("object").fillna("").to_numpy()
        if by
        else np.full(len(rows), "all", dtype=object)
    )
    won, lost = status == WON, status == LOST
    frame = pd.DataFrame(
        {
            "won": won,
            "lost": lost,
            "won_amount": np.where(won, amount, 0.0),
            "decided_amount": np.where(won | lost, amount, 0.0),
        }
    )
    g = frame.groupby(key)
    out = pd.DataFrame(
        {
            "created": g.size(),
            "won": g["won"].sum(),
            "lost": g["lost"].sum(),
            "won_amount": g["won_amount"].sum(),
            "decided_amount": g["decided_amount"].sum(),
        }
    )
    out["undecided"] = out["created"] - out["won"] - out["lost"]
    decided = out["won"] + out["lost"]
    out["win_rate"] = out["won"] / decided.replace(0, np.nan)
    out["win_rate_low"], out["win_rate_high"] = wilson_interval(out["won"], decided)
    out["win_rate_by_amount"] = out["won_amount"] / out["decided_amount"].replace(0, np.nan)
    out["decided_share"] = decided / out["created"]
    out["too_few"] = decided < MIN_SAMPLE
    return out.rename_axis(by or "cohort").reset_index()

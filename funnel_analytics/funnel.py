"""The funnel and the pipeline: deals and amounts per stage, breakdowns, trends and KPIs.

Definitions used everywhere (and stated in every tooltip):

* **open pipeline** — deals whose status is open at the snapshot (on-hold, lost and won deals
  are not in it), counted once each at their current stage;
* **weighted pipeline** — Σ open amount × the stage model's nominal probability of the stage;
* **won in period** — deals whose status is won in a snapshot inside the period and was not
  won in the snapshot before (so a deal is counted once, in the snapshot where it turned won);
* **needs attention** — open deals whose expected close date is before the snapshot date, or
  that have no amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contracts import table
from .schema import Opportunities as O
from .stages import OPEN, WON, StageModel

__all__ = [
    "Filters",
    "Kpis",
    "OverviewNumbers",
    "apply_filters",
    "close_dates",
    "current_deals",
    "filter_options",
    "funnel_counts",
    "kpi_history",
    "kpis",
    "latest_snapshot",
    "overview_numbers",
    "pipeline_breakdown",
    "pipeline_trend",
    "won_in_period",
]

BREAKDOWNS = (O.team, O.owner, O.source, O.grade)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to; empty tuples mean "all"."""

    teams: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    start: pd.Timestamp | None = None  # first snapshot date in view
    end: pd.Timestamp | None = None  # last snapshot date in view
    extra: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def active(self) -> bool:
        return bool(self.teams or self.owners or self.sources or self.grades or self.extra)


def filter_options(observations: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter can take, sorted, from the data."""
    out = {}
    for col in BREAKDOWNS:
        if col in observations:
            out[col] = sorted(observations[col].dropna().astype(str).unique().tolist())
        else:
            out[col] = []
    return out


def apply_filters(observations: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows matching every active filter (team, owner, source, grade, snapshot date range)."""
    if observations.empty:
        return observations
    mask = np.ones(len(observations), dtype=bool)
    for col, chosen in (
        (O.team, filters.teams),
        (O.owner, filters.owners),
        (O.source, filters.sources),
        (O.grade, filters.grades),
        *filters.extra,
    ):
        if chosen and col in observations:
            mask &= observations[col].astype("object").isin(list(chosen)).to_numpy()
    dates = observations[O.snapshot_date]
    if filters.start is not None:
        mask &= (dates >= pd.Timestamp(filters.start)).to_numpy()
    if filters.end is not None:
        mask &= (dates <= pd.Timestamp(filters.end)).to_numpy()
    return observations[mask]


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


def current_deals(observations: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each deal as it stands on ``as_of`` (default: the latest date).

    Monthly exports: the rows of the latest snapshot on or before ``as_of``. A stage-history
    log (every row ``observed_via == "history"``) has no snapshots: each deal's last logged
    row on or before ``as_of``.
    """
    if (
        observations.empty
        or "observed_via" not in observations
        or not (observations["observed_via"] == "history").all()
    ):
        return latest_snapshot(observations, as_of)
    rows = observations
    if as_of is not None:
        rows = rows[rows[O.snapshot_date] <= pd.Timestamp(as_of)]
    return rows.sort_values(O.snapshot_date, kind="stable").drop_duplicates(
        O.opportunity_id, keep="last"
    )


FUNNEL = table(
    "funnel", "stage", "open_count", "open_amount", "probability", "weighted", "reached_count"
)


def funnel_counts(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Open deals per stage (and won deals in the won stage) of one snapshot.

    Counts only deals whose status is open (on-hold and lost deals are not in the funnel),
    plus, in the won stage, the deals whose status is won in this snapshot. ``weighted`` is
    amount × the stage model's nominal probability.

    Returns
    -------
    DataFrame
        ``stage`` (key, in model order), ``count``, ``amount``, ``probability``, ``weighted``.

    Examples
    --------
    >>> from funnel_analytics import load_export
    >>> r = load_export("sample_data/商机导出_2026-10.xlsx")        # doctest: +SKIP
    >>> funnel_counts(r.opportunities, r.stage_model)["count"].tolist()  # doctest: +SKIP
    [150, 116, 64, 70, 31, 13]
    """
    in_funnel = snapshot[(snapshot[O.status] == OPEN) | (snapshot[O.status] == WON)]
    grouped = in_funnel.groupby(O.stage, observed=True).agg(
        count=(O.opportunity_id, "size"), amount=(O.amount, "sum")
    )
    out = grouped.reindex(list(model.keys), fill_value=0).rename_axis("stage").reset_index()
    out["probability"] = out["stage"].map(model.probabilities)
    out["weighted"] = out["amount"] * out["probability"]
    out["count"] = out["count"].astype("int64")
    out["amount"] = out["amount"].astype("float64")
    return out


def pipeline_breakdown(snapshot: pd.DataFrame, model: StageModel, by: str) -> pd.DataFrame:
    """Open pipeline of one snapshot by ``by`` (team, owner, source or grade) and stage.

    Returns one row per (group, open stage) with ``count``, ``amount`` and ``weighted``;
    deals with no value in ``by`` are grouped under ``""``.
    """
    open_ = snapshot[snapshot[O.status] == OPEN]
    keys = list(model.keys[:-1])
    group = (
        open_[by].astype("object").fillna("") if by in open_ else pd.Series("", index=open_.index)
    )
    frame = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "stage": open_[O.stage].to_numpy(),
            "amount": open_[O.amount].to_numpy(dtype="float64"),
        }
    )
    frame = frame[frame["stage"].isin(keys)]
    out = (
        frame.groupby(["group", "stage"], sort=False)
        .agg(count=("amount", "size"), amount=("amount", "sum"))
        .reset_index()
    )
    out["weighted"] = out["amount"] * out["stage"].map(model.probabilities)
    order = {k: i for i, k in enumerate(keys)}
    totals = out.groupby("group")["amount"].sum()
    out["_total"] = out["group"].map(totals)
    out["_order"] = out["stage"].map(order)
    out = out.sort_values(["_total", "group", "_order"], ascending=[False, True, True])
    return out.drop(columns=["_total", "_order"]).reset_index(drop=True)


def pipeline_trend(observations: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Open pipeline per snapshot date and stage: ``snapshot_date, stage, count, amount``."""
    open_ = observations[
        (observations[O.status] == OPEN) & observations[O.stage].isin(list(model.keys[:-1]))
    ]
    out = (
        open_.groupby([O.snapshot_date, O.stage], observed=True)
        .agg(count=(O.opportunity_id, "size"), amount=(O.amount, "sum"))
        .reset_index()
    )
    order = {k: i for i, k in enumerate(model.keys)}
    out["_o"] = out[O.stage].map(order)
    return out.sort_values([O.snapshot_date, "_o"]).drop(columns="_o").reset_index(drop=True)


def close_dates(rows: pd.DataFrame) -> pd.Series:
    """When each closed row's deal closed: its close date where the export gives one on or
    before the row's snapshot date (a deal shown closed cannot have closed later), else the
    snapshot date."""
    snap = rows[O.snapshot_date]
    if O.close_date not in rows:
        return snap
    close = pd.to_datetime(rows[O.close_date])
    return close.where(close.notna() & (close <= snap), snap)


def won_in_period(
    observations: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp
) -> pd.DataFrame:
    """Deals won within ``(start, end]`` by their close date (:func:`close_dates`), one row
    each: the first snapshot where the deal shows won (a deal already won in an earlier
    snapshot is not counted again)."""
    won = observations[observations[O.status] == WON]
    if won.empty:
        return won
    first = won.sort_values(O.snapshot_date).drop_duplicates(O.opportunity_id, keep="first")
    when = close_dates(first)
    mask = when <= pd.Timestamp(end)
    if start is not None:
        mask &= when > pd.Timestamp(start)
    return first[mask]


@dataclass(frozen=True)
class Kpis:
    """Headline numbers of one snapshot; see the module docstring for the definitions."""

    as_of: pd.Timestamp
    open_count: int
    open_amount: float
    weighted: float
    won_count: int
    won_amount: float
    attention_count: int
    overdue_count: int
    no_amount_count: int
    period_start: pd.Timestamp | None


def kpis(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    period_start: pd.Timestamp | None = None,
) -> Kpis:
    """Open deals and amount, weighted pipeline, won in period, deals needing attention.

    ``period_start`` is exclusive; by default the snapshot before ``as_of``, so "won in
    period" is won since the previous export, or the month before ``as_of`` when it is the
    first export. Wins are dated by close date (:func:`close_dates`).
    """
    snap = current_deals(observations, as_of)
    if snap.empty:
        return Kpis(pd.NaT, 0, 0.0, 0.0, 0, 0.0, 0, 0, 0, None)
    as_of = snap[O.snapshot_date].iloc[0]
    if period_start is None:
        earlier = observations.loc[observations[O.snapshot_date] < as_of, O.snapshot_date]
        period_start = earlier.max() if len(earlier) else as_of - pd.DateOffset(months=1)
    counts = funnel_counts(snap, model)
    open_ = snap[snap[O.status] == OPEN]
    overdue = open_[O.expected_close_date].dt.normalize() < as_of.normalize()
    no_amount = open_[O.amount].isna()
    won = won_in_period(observations, period_start, as_of)
    return Kpis(
        as_of=as_of,
        open_count=len(open_),
        open_amount=float(open_[O.amount].sum()),
        weighted=float(counts["weighted"].iloc[:-1].sum()),
        won_count=len(won),
        won_amount=float(won[O.amount].sum()),
        attention_count=int((overdue | no_amount).sum()),
        overdue_count=int(overdue.sum()),
        no_amount_count=int(no_amount.sum()),
        period_start=None
        if period_start is None or pd.isna(period_start)
        else pd.Timestamp(period_start),
    )


def kpi_history(observations: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """:func:`kpis` at every snapshot date, oldest first (the tiles' sparklines)."""
    dates = sorted(observations[O.snapshot_date].dropna().unique())
    rows: list[dict] = []
    previous = None
    for d in dates:
        k = kpis(observations, model, d, previous)
        rows.append(
            {
                "snapshot_date": k.as_of,
                "open_count": k.open_count,
                "open_amount": k.open_amount,
                "weighted": k.weighted,
                "won_count": k.won_count,
                "won_amount": k.won_amount,
                "attention_count": k.attention_count,
            }
        )
        previous = d
    columns = [
        "snapshot_date",
        "open_count",
        "open_amount",
        "weighted",
        "won_count",
        "won_amount",
        "attention_count",
    ]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class OverviewNumbers:
    """Everything the Overview page shows, computed in one pass over the data in view."""

    kpis: Kpis
    history: pd.DataFrame
    funnel: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame]
    trend: pd.DataFrame


def overview_numbers(
    observations: pd.DataFrame, model: StageModel, as_of: pd.Timestamp | None = None
) -> OverviewNumbers:
    """KPIs (and their history up to ``as_of``), funnel, breakdowns and trend of one view."""
    k = kpis(observations, model, as_of)
    history = (
        kpi_history(observations[observations[O.snapshot_date] <= k.as_of], model)
        if not pd.isna(k.as_of)
        else kpi_history(observations.iloc[0:0], model)
    )
    snap = current_deals(observations, as_of)
    return OverviewNumbers(
        kpis=k,
        history=history,
        funnel=funnel_counts(snap, model),
        breakdowns={by: pipeline_breakdown(snap, model, by) for by in BREAKDOWNS},
        trend=pipeline_trend(observations, model),
    )

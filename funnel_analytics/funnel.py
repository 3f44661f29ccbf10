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
    "as_of_dates",
    "close_dates",
    "current_deals",
    "filter_options",
    "funnel_counts",
    "is_history_log",
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


def is_history_log(observations: pd.DataFrame) -> bool:
    """True when every row is a logged change (a stage-history log), not an export's row."""
    return (
        len(observations) > 0
        and "observed_via" in observations
        and bool((observations["observed_via"] == "history").all())
    )


def as_of_dates(observations: pd.DataFrame) -> list[pd.Timestamp]:
    """The dates a view of ``observations`` can be as of, oldest first: each snapshot date of
    monthly exports. A stage-history log has a date per change (hundreds, minutes apart), and
    its deals stand at their last change whenever one looks: its dates are the end of each
    month from the first change's to the one before the last change's, then the end of the
    last change's day (each the last moment of that day, so that day's changes count)."""
    when = observations[O.snapshot_date].dropna() if len(observations) else None
    if when is None or when.empty:
        return []
    if not is_history_log(observations):
        return sorted(pd.to_datetime(when.unique()))
    first, last = when.min(), when.max()
    day = pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    ends = pd.date_range(first.normalize() + pd.offsets.MonthEnd(0), last.normalize(), freq="ME")
    points = [d + day for d in ends if d < last.normalize()]
    return [*points, last.normalize() + day]


def current_deals(observations: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each deal as it stands on ``as_of`` (default: the latest date).

    Monthly exports: the rows of the latest snapshot on or before ``as_of``. A stage-history
    log (every row ``observed_via == "history"``) has no snapshots: each deal's last logged
    row on or before ``as_of``.
    """
    if not is_history_log(observations):
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


def _stage_positions(stages: pd.Series, keys: list[str]) -> np.ndarray:
    """Each value's position in ``keys``; -1 for a value that is not one of them (or none)."""
    return pd.Index(keys).get_indexer(stages.astype("object"))


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
    keys = list(model.keys)
    in_funnel = snapshot[O.status].isin([OPEN, WON]).to_numpy(dtype=bool, na_value=False)
    # Each row's stage as its position in the model (-1: not one of its stages), then counts
    # and amounts per position in one pass each (a missing amount adds nothing).
    codes = _stage_positions(snapshot[O.stage], keys)
    take = in_funnel & (codes >= 0)
    amount = snapshot[O.amount].to_numpy(dtype="float64", na_value=np.nan)
    out = pd.DataFrame(
        {
            "stage": keys,
            "count": np.bincount(codes[take], minlength=len(keys)).astype("int64"),
            "amount": np.bincount(
                codes[take], weights=np.nan_to_num(amount[take]), minlength=len(keys)
            ),
        }
    )
    out["probability"] = out["stage"].map(model.probabilities)
    out["weighted"] = out["amount"] * out["probability"]
    return out


def pipeline_breakdown(snapshot: pd.DataFrame, model: StageModel, by: str) -> pd.DataFrame:
    """Open pipeline of one snapshot by ``by`` (team, owner, source or grade) and stage.

    Returns one row per (group, open stage) with ``count``, ``amount`` and ``weighted``;
    deals with no value in ``by`` are grouped under ``""``.
    """
    # The three columns it needs, taken from the open rows (not the snapshot's every column).
    is_open = (snapshot[O.status] == OPEN).to_numpy(dtype=bool, na_value=False)
    keys = list(model.keys[:-1])
    group = (
        snapshot[by].astype("object").fillna("").to_numpy()[is_open]
        if by in snapshot
        else np.full(int(is_open.sum()), "", dtype=object)
    )
    # Counted with numpy on (group, stage) codes: the few groups and stages make a small
    # table, and a pandas groupby per breakdown cost more than the rest of the Overview.
    stage = pd.Categorical(snapshot[O.stage].to_numpy()[is_open], categories=keys).codes
    amount = snapshot[O.amount].to_numpy(dtype="float64", na_value=np.nan)[is_open]
    known = stage >= 0
    codes, groups = pd.factorize(group[known], sort=False)
    cell = codes * len(keys) + stage[known]
    size = len(groups) * len(keys)
    count = np.bincount(cell, minlength=size)
    total = np.bincount(cell, weights=np.nan_to_num(amount[known]), minlength=size).astype(float)
    present = np.flatnonzero(count)
    by_group = total.reshape(len(groups), len(keys)).sum(axis=1) if len(groups) else total
    probability = np.array([model.probabilities[k] for k in keys], dtype="float64")
    out = pd.DataFrame(
        {
            "group": np.asarray(groups, dtype=object)[present // len(keys)],
            "stage": np.array(keys, dtype=object)[present % len(keys)],
            "count": count[present].astype("int64"),
            "amount": total[present],
            "weighted": total[present] * probability[present % len(keys)],
            "_total": by_group[present // len(keys)],
            "_order": present % len(keys),
        }
    )
    out = out.sort_values(["_total", "group", "_order"], ascending=[False, True, True])
    return out.drop(columns=["_total", "_order"]).reset_index(drop=True)


def pipeline_trend(observations: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Open pipeline per snapshot date and stage: ``snapshot_date, stage, count, amount``.
    A stage-history log's pipeline is each deal's last change at each of its
    :func:`as_of_dates` (month ends), not the changes of each day."""
    if is_history_log(observations):
        cols = [O.opportunity_id, O.snapshot_date, O.stage, O.status, O.amount, "observed_via"]
        rows = observations[cols]
        observations = pd.concat(
            [current_deals(rows, d).assign(**{O.snapshot_date: d}) for d in as_of_dates(rows)],
            ignore_index=True,
        )
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


def _first_wins(observations: pd.DataFrame) -> pd.DataFrame:
    """Each won deal's first row showing it won (a deal won in several snapshots counts once)."""
    won = observations[observations[O.status] == WON]
    return won.sort_values(O.snapshot_date).drop_duplicates(O.opportunity_id, keep="first")


def won_in_period(
    observations: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp
) -> pd.DataFrame:
    """Deals won within ``(start, end]`` by their close date (:func:`close_dates`), one row
    each: the first snapshot where the deal shows won (a deal already won in an earlier
    snapshot is not counted again)."""
    first = _first_wins(observations)
    if first.empty:
        return first
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
    observations = _kpi_columns(observations)
    snap = current_deals(observations, as_of)
    if snap.empty:
        return Kpis(pd.NaT, 0, 0.0, 0.0, 0, 0.0, 0, 0, 0, None)
    if is_history_log(observations):
        # A log's deals stand at their last changes, each of its own date: the view is as of
        # the date asked (by default the end of the last change's day), and the period runs
        # from the date before it (see :func:`as_of_dates`).
        dates = as_of_dates(observations)
        as_of = dates[-1] if as_of is None else pd.Timestamp(as_of)
        earlier = [d for d in dates if d < as_of]
    else:
        as_of = snap[O.snapshot_date].iloc[0]
        earlier = observations.loc[observations[O.snapshot_date] < as_of, O.snapshot_date]
        earlier = [earlier.max()] if len(earlier) else []
    if period_start is None:
        period_start = earlier[-1] if earlier else as_of - pd.DateOffset(months=1)
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


# What :func:`kpis` reads: the rows it selects per date carry these columns only (an export's
# forty other columns would be copied with every selection, a dozen times for the history).
_KPI_COLUMNS = (
    O.opportunity_id,
    O.snapshot_date,
    O.status,
    O.stage,
    O.amount,
    O.expected_close_date,
    O.close_date,
    "observed_via",
)


def _kpi_columns(observations: pd.DataFrame) -> pd.DataFrame:
    if len(observations.columns) <= len(_KPI_COLUMNS):
        return observations
    return observations[[c for c in _KPI_COLUMNS if c in observations.columns]]


_HISTORY_COLUMNS = [
    "snapshot_date",
    "open_count",
    "open_amount",
    "weighted",
    "won_count",
    "won_amount",
    "attention_count",
]


def kpi_history(
    observations: pd.DataFrame, model: StageModel, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """:func:`kpis` at every snapshot date up to ``as_of``, oldest first (each tile's change
    since the previous snapshot); a stage-history log's at its :func:`as_of_dates`.

    Monthly exports are counted in one pass over the rows (each row adds to its snapshot's
    figures), which gives what :func:`kpis` gives date by date (``tests/test_kpis.py``
    checks that) without selecting the rows a dozen times; a stage-history log, whose deals
    stand at their last logged row, is counted date by date.
    """
    observations = _kpi_columns(observations)
    observations = observations[observations[O.snapshot_date].notna()]
    if observations.empty or is_history_log(observations):
        return _kpi_history_by_date(observations, model, as_of)
    if as_of is not None:
        observations = observations[observations[O.snapshot_date] <= pd.Timestamp(as_of)]
    when = observations[O.snapshot_date]
    dates = pd.DatetimeIndex(sorted(when.unique()))
    n = len(dates)
    row_date = dates.get_indexer(when)
    status = observations[O.status]
    is_open = (status == OPEN).to_numpy(dtype=bool, na_value=False)
    in_funnel = status.isin([OPEN, WON]).to_numpy(dtype=bool, na_value=False)
    amount = observations[O.amount].to_numpy(dtype="float64", na_value=np.nan)
    counted = np.nan_to_num(amount)

    def per_date(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(
            row_date[mask], weights=None if weights is None else weights[mask], minlength=n
        )

    # The weighted pipeline as funnel_counts makes it: each open stage's amount × its
    # probability (the won stage left out), summed.
    keys = list(model.keys)
    stage = _stage_positions(observations[O.stage], keys)
    in_open_stage = in_funnel & (stage >= 0) & (stage < len(keys) - 1)
    by_stage = np.bincount(
        row_date[in_open_stage] * len(keys) + stage[in_open_stage],
        weights=counted[in_open_stage],
        minlength=n * len(keys),
    ).reshape(n, len(keys))
    probability = np.array([model.probabilities[k] for k in keys], dtype="float64")
    weighted = (by_stage[:, :-1] * probability[:-1]).sum(axis=1)
    expected = observations[O.expected_close_date].dt.normalize()
    overdue = (expected < dates.normalize()[row_date]).to_numpy(dtype=bool, na_value=False)
    attention = is_open & (overdue | np.isnan(amount))
    # Wins dated by close date, each deal once (won_in_period), counted in each date's period:
    # after the previous snapshot, or in the month before the first.
    first = _first_wins(observations)
    won_when = close_dates(first).to_numpy()
    won_amount = first[O.amount].to_numpy(dtype="float64", na_value=np.nan)
    starts = [dates[0] - pd.DateOffset(months=1), *dates[:-1]]
    won_count, won_sum = [], []
    for start, end in zip(starts, dates, strict=True):
        in_period = (won_when > start.to_datetime64()) & (won_when <= end.to_datetime64())
        won_count.append(int(in_period.sum()))
        won_sum.append(float(np.nansum(won_amount[in_period])))
    return pd.DataFrame(
        {
            "snapshot_date": dates,
            "open_count": per_date(is_open).astype("int64"),
            "open_amount": per_date(is_open, counted),
            "weighted": weighted,
            "won_count": won_count,
            "won_amount": won_sum,
            "attention_count": per_date(attention).astype("int64"),
        },
        columns=_HISTORY_COLUMNS,
    )


def _kpi_history_by_date(
    observations: pd.DataFrame, model: StageModel, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """A log's :func:`kpis` at each of its :func:`as_of_dates` up to ``as_of``."""
    dates = [d for d in as_of_dates(observations) if as_of is None or d <= as_of]
    if as_of is not None and len(observations) and (not dates or dates[-1] != as_of):
        dates.append(pd.Timestamp(as_of))  # a date asked between two of them
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
    return pd.DataFrame(rows, columns=_HISTORY_COLUMNS)


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
        kpi_history(observations, model, k.as_of)
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

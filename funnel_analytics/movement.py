"""Pipeline movement: regressions, close-date slippage, and changes between two snapshots.

The waterfall reconciles exactly, by count and by amount::

    start + new + moved_in + increased − decreased − won − lost − moved_out = end

where, for deals open at the start snapshot A and/or the end snapshot B:

* ``new`` — open at B, never seen before B;
* ``moved_in`` — open at B, seen before B but not open at A (back from hold, reopened, or
  absent from A's export);
* ``won`` / ``lost`` — open at A, won / lost at B (their amount at A);
* ``moved_out`` — open at A, neither open, won nor lost at B (on hold, or missing from B);
* ``increased`` / ``decreased`` — open at both, the change of amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contracts import table
from .funnel import is_history_log
from .history import StageHistory, codes_of, deal_panel, run_starts
from .schema import Opportunities as O
from .stages import LOST, OPEN, STATUSES, WON

__all__ = ["WATERFALL_STEPS", "amount_changes", "pipeline_changes", "regressions", "slipped_deals"]

WATERFALL_STEPS = (
    "start",
    "new",
    "moved_in",
    "increased",
    "decreased",
    "won",
    "lost",
    "moved_out",
    "end",
)


REGRESSIONS = table("regressions", "opportunity_id", "date", "from_stage", "to_stage")
REGRESSION_RATES = table("regression_rates", "stage", "exits", "backward", "regression_rate")


def regressions(history: StageHistory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals that moved backwards (when, from, to), and the regression rate per stage.

    The rate is backward exits from a stage ÷ all exits from it (moves out of the stage to
    another stage or an outcome).
    """
    moves = history.moves
    keys = list(history.model.keys)
    is_back = (moves["kind"] == "backward").to_numpy(dtype=bool)
    exits = ["forward", "skip", "backward", "won", "lost"]
    is_exit = moves["kind"].isin(exits).to_numpy(dtype=bool)
    frm = codes_of(moves["from_stage"], keys)  # len(keys): no stage, not counted
    per_stage = pd.DataFrame(
        {
            "exits": np.bincount(frm[is_exit], minlength=len(keys) + 1)[: len(keys)],
            "backward": np.bincount(frm[is_back], minlength=len(keys) + 1)[: len(keys)],
        },
        index=pd.Index(keys, name="stage"),
    )
    per_stage["regression_rate"] = per_stage["backward"] / per_stage["exits"].replace(0, np.nan)
    back = moves.loc[is_back, [O.opportunity_id, "date", "from_stage", "to_stage"]]
    return back.reset_index(drop=True), per_stage.reset_index()


def _by_deal(
    observations: pd.DataFrame, column: str, dtype: np.dtype | str, history: StageHistory | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """The non-missing values of ``column`` as ``dtype`` in (deal, date) order, their rows'
    positions in the observations and deal codes, and the ids behind the codes. The rows are
    grouped by deal once: by ``history``'s panel when it indexes these observations."""
    panel = deal_panel(observations, history)
    values = observations[column].to_numpy(dtype=dtype, na_value=np.nan)[panel.rows]
    keep = ~pd.isna(values)
    if keep.all():
        return values, panel.rows, panel.codes, panel.ids
    return values[keep], panel.rows[keep], panel.codes[keep], panel.ids


def _months(dates: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of datetime64 values, from their days through a day → month table
    (casting millions of dates to months directly takes several times longer)."""
    days = dates.astype("datetime64[D]").astype("int64")
    if not len(days):
        return days
    first = days.min()
    table = np.arange(first, days.max() + 1).astype("datetime64[D]").astype("datetime64[M]")
    return table.astype("int64")[days - first]


SLIPPED = table(
    "slipped",
    "opportunity_id",
    "pushes",
    "days_slipped",
    "pushes_to_later_quarter",
    "first_expected",
    "latest_expected",
)


def slipped_deals(observations: pd.DataFrame, history: StageHistory | None = None) -> pd.DataFrame:
    """Deals whose expected close date moved into a later month between two observations:
    per deal the number of pushes (and of pushes into a later quarter), total days slipped,
    first and latest expected date. ``history``, the stage history of the same observations,
    saves grouping them by deal again."""
    columns = [
        O.opportunity_id,
        "pushes",
        "days_slipped",
        "pushes_to_later_quarter",
        "first_expected",
        "latest_expected",
    ]
    unit = observations[O.expected_close_date].dtype  # the dates shown keep their unit
    unit = unit if isinstance(unit, np.dtype) and unit.kind == "M" else "datetime64[ns]"
    expected, rows, codes, ids = _by_deal(observations, O.expected_close_date, unit, history)
    # Only a later date can be in a later month: months are computed for those rows alone.
    later = np.flatnonzero((codes[1:] == codes[:-1]) & (expected[1:] > expected[:-1])) + 1
    month, prev_month = _months(expected[later]), _months(expected[later - 1])
    pushed = month > prev_month
    later, month, prev_month = later[pushed], month[pushed], prev_month[pushed]
    if not len(later):
        return pd.DataFrame(columns=columns)
    starts = run_starts(codes[later])
    deals = codes[later[starts]]
    first = np.searchsorted(codes, deals, side="left")
    last = np.searchsorted(codes, deals, side="right") - 1
    days = (expected[later] - expected[later - 1]) // np.timedelta64(1, "D")
    to_later_quarter = (month // 3 > prev_month // 3).astype("int64")
    # Deals in order of first appearance (of a row with an expected date) before the sort, so
    # ties keep the order they always had.
    deal_runs = run_starts(codes)
    appearance = np.minimum.reduceat(rows, deal_runs)[np.searchsorted(codes[deal_runs], deals)]
    order = np.argsort(appearance)
    out = pd.DataFrame(
        {
            O.opportunity_id: ids.array.take(deals[order]),
            "pushes": np.diff(np.append(starts, len(later)))[order],
            "days_slipped": np.add.reduceat(days, starts)[order],
            "pushes_to_later_quarter": np.add.reduceat(to_later_quarter, starts)[order],
            "first_expected": expected[first[order]],
            "latest_expected": expected[last[order]],
        }
    )
    return out.sort_values("days_slipped", ascending=False).reset_index(drop=True)


PIPELINE_CHANGES = table("pipeline_changes", "step", "count", "amount")
PIPELINE_CHANGE_DEALS = table(
    "pipeline_change_deals", "opportunity_id", "step", "amount_start", "amount_end"
)


def pipeline_changes(
    observations: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    first_seen: pd.Series | None = None,
    history: StageHistory | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The waterfall from snapshot ``start`` to snapshot ``end``, and the deals behind it.

    Returns ``(steps, deals)``: ``steps`` has one row per step of :data:`WATERFALL_STEPS` with
    ``count`` and ``amount`` (decreases, won, lost and moved out as positive numbers that the
    waterfall subtracts); ``deals`` lists each deal (by id) with its step and amounts at both
    dates. ``first_seen`` (each deal's first sighting, by id) defaults to the observations';
    ``history``, the stage history of the same observations, saves grouping them by deal again.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    panel = deal_panel(observations, history)
    dates = observations[O.snapshot_date].to_numpy(dtype="datetime64[ns]")

    log = is_history_log(observations)

    def row_at(date: pd.Timestamp) -> np.ndarray:
        """Each deal's row on ``date`` by deal code (its first one there), -1 where absent. In
        a stage-history log a deal stands at its last change on or before ``date``."""
        if log:
            at = np.flatnonzero((dates <= np.datetime64(date, "ns"))[panel.rows])
            codes = panel.codes[at]
            at = at[np.append(codes[1:] != codes[:-1], True)] if len(at) else at
        else:
            at = np.flatnonzero((dates == np.datetime64(date, "ns"))[panel.rows])
            at = at[run_starts(panel.codes[at])]
        row = np.full(len(panel.ids), -1, dtype=np.int64)
        row[panel.codes[at]] = panel.rows[at]
        return row

    def status_at(rows: np.ndarray) -> np.ndarray:
        """Status codes (positions in STATUSES) at ``rows``."""
        return codes_of(observations[O.status].take(rows), STATUSES)

    row_a, row_b = row_at(start), row_at(end)
    in_a, status_b = np.zeros(len(panel.ids), dtype=bool), np.full(len(panel.ids), len(STATUSES))
    has_a, has_b = np.flatnonzero(row_a >= 0), np.flatnonzero(row_b >= 0)
    in_a[has_a] = status_at(row_a[has_a]) == STATUSES.index(OPEN)
    status_b[has_b] = status_at(row_b[has_b])
    in_b = status_b == STATUSES.index(OPEN)
    # The deals open at either date, in id order (as an outer join on the ids lists them).
    by_id = panel.ids.argsort()
    chosen = by_id[(in_a | in_b)[by_id]]
    in_a, in_b, status_b = in_a[chosen], in_b[chosen], status_b[chosen]
    ids = panel.ids.take(chosen)
    amount = observations[O.amount].to_numpy(dtype="float64", na_value=np.nan)
    amount_start = np.where(in_a, amount[row_a[chosen]], 0.0)
    amount_end = np.where(in_b, amount[row_b[chosen]], 0.0)
    amount_start[np.isnan(amount_start)] = 0.0
    amount_end[np.isnan(amount_end)] = 0.0
    # Seen before: in an earlier snapshot than ``end``; in a log, logged by ``start`` (a deal
    # first logged between the two dates is new).
    before = start if log else end
    if first_seen is not None:
        seen_before = (
            (first_seen.reindex(ids) <= before) if log else (first_seen.reindex(ids) < before)
        ).to_numpy(dtype=bool, na_value=False)
    else:
        first = dates[panel.rows[panel.starts[chosen]]]
        limit = np.datetime64(before, "ns")
        seen_before = first <= limit if log else first < limit
    both = in_a & in_b
    delta = amount_end - amount_start
    step = np.select(
        [
            both & (delta > 0),
            both & (delta < 0),
            both,
            in_b & seen_before,
            in_b,
            status_b == STATUSES.index(WON),
            status_b == STATUSES.index(LOST),
        ],
        ["increased", "decreased", "unchanged", "moved_in", "new", "won", "lost"],
        default="moved_out",
    )
    deals = pd.DataFrame(
        {
            O.opportunity_id: ids.array,
            "step": step,
            "amount_start": amount_start,
            "amount_end": amount_end,
        }
    )
    counts = {s: 0 for s in WATERFALL_STEPS}
    amounts = {s: 0.0 for s in WATERFALL_STEPS}
    counts["start"], amounts["start"] = int(in_a.sum()), float(amount_start.sum())
    counts["end"], amounts["end"] = int(in_b.sum()), float(amount_end.sum())
    for name, group in deals.groupby("step"):
        if name in ("new", "moved_in"):
            counts[name], amounts[name] = len(group), float(group["amount_end"].sum())
        elif name in ("won", "lost", "moved_out"):
            counts[name], amounts[name] = len(group), float(group["amount_start"].sum())
        elif name == "increased":
            amounts[name] = float((group["amount_end"] - group["amount_start"]).sum())
        elif name == "decreased":
            amounts[name] = float((group["amount_start"] - group["amount_end"]).sum())
    steps = pd.DataFrame(
        {
            "step": WATERFALL_STEPS,
            "count": [counts[s] for s in WATERFALL_STEPS],
            "amount": [amounts[s] for s in WATERFALL_STEPS],
        }
    )
    return steps, deals


AMOUNT_CHANGES = table(
    "amount_changes", "opportunity_id", "changes", "first_amount", "latest_amount", "net_change"
)


def amount_changes(observations: pd.DataFrame, history: StageHistory | None = None) -> pd.DataFrame:
    """Deals whose amount changed between observations: changes, first and latest amount, and
    the net change, largest movement first. ``history``, the stage history of the same
    observations, saves grouping them by deal again."""
    columns = [O.opportunity_id, "changes", "first_amount", "latest_amount", "net_change"]
    amount, rows, codes, ids = _by_deal(observations, O.amount, "float64", history)
    changed = np.flatnonzero((codes[1:] == codes[:-1]) & (amount[1:] != amount[:-1])) + 1
    if not len(changed):
        return pd.DataFrame(columns=columns)
    starts = run_starts(codes[changed])
    deals = codes[changed[starts]]
    changes = np.diff(np.append(starts, len(changed)))
    # Before the sort by net change: most changes first, ties in the order of each deal's
    # first change (by date, then row), so ties keep the order they always had.
    first_change = rows[changed[starts]]
    when = observations[O.snapshot_date].to_numpy(dtype="datetime64[ns]")[first_change]
    order = np.lexsort((first_change, when, -changes))
    first_amount = amount[np.searchsorted(codes, deals, side="left")][order]
    latest_amount = amount[np.searchsorted(codes, deals, side="right") - 1][order]
    out = pd.DataFrame(
        {
            O.opportunity_id: ids.array.take(deals[order]),
            "changes": changes[order],
            "first_amount": first_amount,
            "latest_amount": latest_amount,
            "net_change": latest_amount - first_amount,
        }
    )
    return out.sort_values("net_change", key=abs, ascending=False).reset_index(drop=True)

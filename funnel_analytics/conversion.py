"""Conversion, each definition named and its denominator shown.

* **reached-stage cohort** (:func:`reached_stage_conversion`): of the deals that reached stage
  k (their *furthest* stage is k or beyond), the share that reached k+1, and, among those of
  them that are closed (won or lost), the share won: P(win | reached k). Deals still open are
  in the first denominator (they may still move on, so stage-to-stage rates are lower bounds)
  but not in the second.
* **transitions** (:func:`transition_matrix`): every observed move, from × to, including
  skips, regressions and outcomes.

Every rate comes with a Wilson 95% interval, and a rate on fewer than :data:`MIN_SAMPLE`
deals is flagged "too few to say".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contracts import Column, table
from .funnel import close_dates
from .history import MOVE_KINDS, STR, StageHistory, codes_of, deal_panel
from .schema import Opportunities as O
from .stages import LOST, WON

__all__ = [
    "CLOSED_PERIOD_MONTHS",
    "CREATED_COHORT_MONTHS",
    "MIN_SAMPLE",
    "closing_rows",
    "created_cohort_win_rates",
    "reached_stage_conversion",
    "stage_flow",
    "transition_matrix",
    "wilson_interval",
    "win_rates",
]

MIN_SAMPLE = 20  # below this many deals a rate is shown but flagged "too few to say"


def wilson_interval(
    successes: np.ndarray | float, n: np.ndarray | float, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion; (nan, nan) where n is 0.

    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 3), round(float(hi), 3)
    (0.49, 0.943)
    """
    s = np.asarray(successes, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


CONVERSION = table(
    "conversion",
    "stage",
    "reached_count",
    "to_next_count",
    "closed_count",
    "won_count",
    "to_next_rate",
    "to_next_rate_low",
    "to_next_rate_high",
    "win_rate",
    "win_rate_low",
    "win_rate_high",
    "too_few",
)


def reached_stage_conversion(history: StageHistory) -> pd.DataFrame:
    """Per stage: deals that reached it, reached the next, closed, won; rates with intervals.

    Returns one row per stage in model order: ``stage``, ``reached_count``, ``to_next_count``,
    ``to_next_rate`` (+ ``_low``/``_high``), ``closed_count``, ``won_count``, ``win_rate``
    (P(win | reached), among closed deals; + ``_low``/``_high``) and ``too_few``.
    Deals whose stage died unknown ("Closed Lost" only) are in no row; see
    ``history.deals["died_in_unknown"]``.
    """
    deals = history.deals
    furthest = deals["furthest_index"].to_numpy()
    is_closed = deals["status"].isin([WON, LOST]).to_numpy(dtype=bool)
    is_won = (deals["status"] == WON).to_numpy(dtype=bool)
    keys = list(history.model.keys)
    rows = []
    for k, key in enumerate(keys):
        reached = furthest >= k
        n = int(reached.sum())
        to_next = int((furthest >= k + 1).sum()) if k + 1 < len(keys) else None
        closed = reached & is_closed
        won = reached & is_won
        rows.append(
            {
                "stage": key,
                "reached_count": n,
                "to_next_count": to_next,
                "closed_count": int(closed.sum()),
                "won_count": int(won.sum()),
            }
        )
    out = pd.DataFrame(rows)
    nxt = out["to_next_count"].astype("float64")
    out["to_next_rate"] = nxt / out["reached_count"].replace(0, np.nan)
    out["to_next_rate_low"], out["to_next_rate_high"] = wilson_interval(
        nxt.fillna(0), out["reached_count"]
    )
    out.loc[nxt.isna(), ["to_next_rate_low", "to_next_rate_high"]] = np.nan
    out["win_rate"] = out["won_count"] / out["closed_count"].replace(0, np.nan)
    out["win_rate_low"], out["win_rate_high"] = wilson_interval(
        out["won_count"], out["closed_count"]
    )
    out["too_few"] = out["closed_count"] < MIN_SAMPLE
    return out


TRANSITIONS = table(
    "transitions",
    "from",
    "lost",
    "on_hold",
    stage_columns=True,
    local=[
        Column("on_hold", "count", "搁置", "On hold", "移到搁置的商机数。", "Deals put on hold.")
    ],
)


def transition_matrix(history: StageHistory) -> pd.DataFrame:
    """Counts of observed moves: rows are the stage moved from, columns the stage moved to
    (or the outcome ``won`` / ``lost`` / ``on_hold``), in model order."""
    moves = history.moves
    keys = list(history.model.keys)
    k = len(keys)
    # Counted on codes. From: the stages, then k for a missing stage ("unknown"). To: the
    # stages, k for a missing stage (not counted), k + 1 for lost and k + 2 for on hold.
    kind = codes_of(moves["kind"], MOVE_KINDS)
    frm = codes_of(moves["from_stage"], keys).astype(np.int64)
    to = codes_of(moves["to_stage"], keys).astype(np.int64)
    to[kind == MOVE_KINDS.index("won")] = k - 1  # the won stage, whatever the row says
    to[kind == MOVE_KINDS.index("lost")] = k + 1
    to[kind == MOVE_KINDS.index("on_hold")] = k + 2
    counted = (kind != MOVE_KINDS.index("resumed")) & (to != k)  # back from hold: no transition
    counts = np.bincount(frm[counted] * (k + 3) + to[counted], minlength=(k + 1) * (k + 3))
    table = pd.DataFrame(
        np.delete(counts.reshape(k + 1, k + 3), k, axis=1),
        index=pd.Index([*keys, "unknown"], name="from"),
        columns=pd.Index([*keys, LOST, "on_hold"], name="to"),
    )
    columns = [c for c in table.columns if c in keys or table[c].any()]
    rows = [r for r in table.index if r in keys or table.loc[r].any()]
    return table.loc[rows, columns].astype("int64")


STAGE_FLOW = table(
    "stage_flow",
    "stage",
    "entered_count",
    "exited_forward",
    "exited_backward",
    "lost",
    "still_there",
)


def stage_flow(
    history: StageHistory, start: pd.Timestamp | None, end: pd.Timestamp
) -> pd.DataFrame:
    """Flow through each stage in the period ``(start, end]``: stays that began (``entered``),
    stays that ended forward (including won), backward, or lost, and stays still open at the
    end (``still_there``). With snapshots, a stay's dates are the exports that showed it."""
    v = history.visits
    end = pd.Timestamp(end)
    began = v["entered"] <= end
    ended = ~v["censored"] & (v["exited"] <= end)
    if start is not None:
        began &= v["entered"] > pd.Timestamp(start)
        ended &= v["exited"] > pd.Timestamp(start)
    still = (v["entered"] <= end) & (v["censored"] | (v["exited"] > end))
    kinds = v["exit_kind"]
    rows = []
    for key in history.model.keys[:-1]:
        at = v["stage"] == key
        rows.append(
            {
                "stage": key,
                "entered_count": int((at & began).sum()),
                "exited_forward": int((at & ended & kinds.isin(["forward", "skip", "won"])).sum()),
                "exited_backward": int((at & ended & (kinds == "backward")).sum()),
                "lost": int((at & ended & (kinds == "lost")).sum()),
                "still_there": int((at & still).sum()),
            }
        )
    return pd.DataFrame(rows)


CREATED_COHORT_MONTHS = 12  # the created-in-period cohort looks back this far from the as-of date
CLOSED_PERIOD_MONTHS = 12  # win rates count the deals closed this far back from the as-of date


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

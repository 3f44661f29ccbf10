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
from .history import MOVE_KINDS, StageHistory, codes_of
from .stages import LOST, WON

__all__ = [
    "MIN_SAMPLE",
    "reached_stage_conversion",
    "stage_flow",
    "transition_matrix",
    "wilson_interval",
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

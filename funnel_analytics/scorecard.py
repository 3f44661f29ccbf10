"""Team scorecard (``domain.md`` §6): process and results per rep and per team.

Long cycles make signed orders alone an unfair judge of a rep, so each row shows the process
beside the results, over a review period ``(start, end]``:

* **funnel balance** — the rep's open deals per stage against the rep's share of the
  balanced-funnel plan (the plan's required stock per stage ÷ number of reps); ``balance`` is
  the share of stages holding at least :data:`~funnel_analytics.planning.THIN_RATIO` of it;
* **stage advancements** (forward moves and skips) and **regressions** in the period;
* **conversion** — win rate of the deals closed in the period (won ÷ won + lost);
* **ageing** — stalled open deals (past the stage's limit or P80);
* **stage inflation** — open deals reported ahead of their milestone checklist (when the
  export has checklist columns);
* **results** — deals and amount won in the period;
* **mix** — customer grades A–D and opportunity sources, as shares of the open deals.

The row of a rep belongs to the owner value at the as-of snapshot (for open deals) or at the
move (for advancements, regressions and wins).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ageing import stalled_deals
from .contracts import table
from .conversion import closing_rows
from .funnel import current_deals
from .planning import THIN_RATIO, Plan, required_open
from .schema import Opportunities as O
from .stagecheck import effective_stages
from .stages import OPEN

__all__ = ["GRADES", "REVIEW_MONTHS", "scorecard"]

GRADES = ("A", "B", "C", "D")
REVIEW_MONTHS = 3  # the default review period: the months before the as-of date


SCORECARD = {
    by: table(
        f"scorecard_{by}",
        by,
        "open_count",
        "open_amount",
        "advancements",
        "regressions",
        "won_count",
        "won_amount",
        "closed_count",
        "win_rate",
        "stalled",
        "inflated",
        "balance",
        families=("open_", "required_", "grade_", "source_"),
    )
    for by in ("owner", "team")
}


def scorecard(
    context,
    plan: Plan | None = None,
    by: str = O.owner,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per rep (``by="owner"``) or team (``by="team"``); see the module docstring.

    ``context`` is a :class:`~funnel_analytics.scenarios.PlanningContext`; the period defaults
    to the :data:`REVIEW_MONTHS` months before its as-of date.
    """
    obs, history, model = context.observations, context.history, context.model
    end = history.as_of if end is None else pd.Timestamp(end)
    start = end - pd.DateOffset(months=REVIEW_MONTHS) if start is None else pd.Timestamp(start)
    if by not in obs:
        return pd.DataFrame(columns=[by])
    snap = current_deals(obs, end)
    open_ = snap[snap[O.status] == OPEN]
    keys = list(model.keys[:-1])
    who = open_[by].astype("object").fillna("")
    counts = pd.crosstab(who, open_[O.stage].astype("object")).reindex(columns=keys, fill_value=0)
    # The owner (or team) of each deal at each observation, to attribute moves.
    owner_at = obs[[O.opportunity_id, O.snapshot_date, by]].rename(
        columns={O.snapshot_date: "date"}
    )
    moves = history.moves
    in_period = moves[(moves["date"] > start) & (moves["date"] <= end)].merge(
        owner_at, on=[O.opportunity_id, "date"], how="left"
    )
    in_period[by] = in_period[by].astype("object").fillna("")

    def per(mask: pd.Series, values: pd.Series | None = None) -> pd.Series:
        sel = in_period[mask]
        if values is None:
            return sel.groupby(by).size()
        return values[mask].groupby(sel[by]).sum()

    kinds = in_period["kind"]
    # Closes are dated by close date and attributed to the owner (or team) at closing, as in
    # the report's win rates: a single export counts the deals already closed in it.
    closed = closing_rows(history, obs, start, end)
    closer = closed[by].astype("object").fillna("")
    names = sorted(
        (set(counts.index) | set(in_period[by]) | set(closer)) - {""} | ({""} & set(counts.index))
    )
    out = pd.DataFrame(index=pd.Index(names, name=by))
    out["open_count"] = counts.sum(axis=1).reindex(out.index, fill_value=0)
    out["open_amount"] = open_.groupby(who)[O.amount].sum().reindex(out.index, fill_value=0.0)
    out["advancements"] = per(kinds.isin(["forward", "skip"])).reindex(out.index, fill_value=0)
    out["regressions"] = per(kinds == "backward").reindex(out.index, fill_value=0)
    won = closed["won"].groupby(closer).sum().reindex(out.index, fill_value=0).astype("int64")
    lost = (~closed["won"]).groupby(closer).sum().reindex(out.index, fill_value=0).astype("int64")
    out["won_count"] = won
    out["won_amount"] = (
        closed["won_amount"].fillna(0.0).groupby(closer).sum().reindex(out.index, fill_value=0.0)
    )
    out["closed_count"] = won + lost
    out["win_rate"] = won / (won + lost).replace(0, np.nan)
    stalled = stalled_deals(history, context.durations)
    owner_of = open_.set_index(O.opportunity_id)[by].astype("object").fillna("")  # or team

    def count_by_owner(ids: pd.Series) -> pd.Series:
        return owner_of.reindex(ids).dropna().value_counts().reindex(out.index, fill_value=0)

    out["stalled"] = count_by_owner(stalled[O.opportunity_id])
    check = effective_stages(snap, model)
    if len(check):
        out["inflated"] = count_by_owner(check.loc[check["inflated"], O.opportunity_id])
    else:
        out["inflated"] = np.nan
    reps = max(len(counts.index), 1)
    required = (
        required_open(plan, context.durations).reindex(keys)
        if plan is not None
        else pd.Series(np.nan, index=keys)
    ) / reps
    for k in keys:
        out[f"open_{k}"] = counts[k].reindex(out.index, fill_value=0)
        out[f"required_{k}"] = float(required[k]) if pd.notna(required[k]) else np.nan
    ratio = (
        np.column_stack([out[f"open_{k}"] / out[f"required_{k}"] for k in keys])
        if keys
        else np.empty((len(out), 0))
    )
    with np.errstate(invalid="ignore"):
        judged = ~np.isnan(ratio)
        out["balance"] = np.where(
            judged.sum(axis=1) > 0,
            (np.nan_to_num(ratio) >= THIN_RATIO).sum(axis=1) / np.maximum(judged.sum(axis=1), 1),
            np.nan,
        )
    for col, values in ((O.grade, GRADES), (O.source, None)):
        if col not in open_:
            continue
        mix = pd.crosstab(who, open_[col].astype("object").fillna("?"), normalize="index")
        wanted = list(values) if values else sorted(mix.columns)
        for v in wanted:
            out[f"{col}_{v}"] = mix[v].reindex(out.index, fill_value=0.0) if v in mix else 0.0
    out = out.reset_index()
    int_cols = ["open_count", "advancements", "regressions", "won_count", "closed_count", "stalled"]
    out[int_cols] = out[int_cols].astype("int64")
    return out.sort_values(["won_amount", "open_amount"], ascending=False).reset_index(drop=True)

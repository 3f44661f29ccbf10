"""Is the stage real? Reported stage against the stage the milestone checklist supports.

Rule (``domain.md`` §2b): a deal counts as in a stage only when **all** milestone actions of
that stage are done; if any one is missing, it is still in the previous stage. So the
*effective* stage starts at the reported one and steps back while that stage's checklist is
incomplete. Only stages whose checklist columns are in the export are judged (no column, no
evidence either way); a blank checklist cell counts as not done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contracts import Column, table
from .schema import Opportunities as O
from .stages import OPEN, StageModel

__all__ = ["effective_stages", "inflation_by_owner"]


STAGE_CHECK = table(
    "stage_check",
    "opportunity_id",
    "owner",
    "reported_stage",
    "effective_stage",
    "inflated",
    "missing",
    local=[
        Column(
            "inflated",
            "flag",
            "超前",
            "Ahead",
            "汇报阶段高于里程碑支持的阶段。",
            "Reported ahead of what the milestones support.",
        )
    ],
)


def effective_stages(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Per open deal: reported stage, effective stage, whether the report runs ahead
    (``inflated``) and the missing milestone items that pull it back.

    Returns an empty frame when the export has no checklist columns.
    """
    columns = {c: v for c, v in model.checklist_columns.items() if c in snapshot}
    if not columns:
        return pd.DataFrame(
            columns=[
                O.opportunity_id,
                O.owner,
                "reported_stage",
                "effective_stage",
                "inflated",
                "missing",
            ]
        )
    deals = snapshot[snapshot[O.status] == OPEN]
    keys = list(model.keys)
    reported = deals[O.stage].astype("object").map({k: i for i, k in enumerate(keys)})
    reported = reported.fillna(-1).astype(int).to_numpy()
    # Per stage: is every checklist item of that stage done (True where the stage has none)?
    complete = np.ones((len(deals), len(keys)), dtype=bool)
    missing_names: list[list[str]] = [[] for _ in range(len(keys))]
    for column, (stage_key, _item) in columns.items():
        k = keys.index(stage_key)
        done = deals[column].fillna(False).astype(bool).to_numpy()
        complete[:, k] &= done
        missing_names[k].append(column)
    effective = reported.copy()
    for _ in range(len(keys)):
        step_back = (effective >= 0) & ~complete[np.arange(len(deals)), np.maximum(effective, 0)]
        if not step_back.any():
            break
        effective = np.where(step_back, effective - 1, effective)
    key_of = np.array([*keys, None], dtype=object)
    out = pd.DataFrame(
        {
            O.opportunity_id: deals[O.opportunity_id].to_numpy(),
            O.owner: deals[O.owner].to_numpy() if O.owner in deals else None,
            "reported_stage": key_of[reported],
            "effective_stage": key_of[np.where(effective < 0, len(keys), effective)],
            "inflated": effective < reported,
        }
    )
    missing = [""] * len(deals)
    for i in np.flatnonzero(effective < reported):  # only the deals pulled back
        r, e = reported[i], effective[i]
        items = []
        for k in range(max(e + 1, 0), r + 1):
            items += [
                c.split(".")[-1]
                for c in missing_names[k]
                if not bool(pd.notna(deals.iloc[i][c]) and deals.iloc[i][c])
            ]
        missing[i] = ", ".join(items)
    out["missing"] = missing
    return out


INFLATION_BY_OWNER = table("inflation_by_owner", "owner", "deals", "inflated", "share")


def inflation_by_owner(check: pd.DataFrame) -> pd.DataFrame:
    """Per owner: open deals judged, deals reported ahead of their checklist, and the share."""
    if check.empty:
        return pd.DataFrame(columns=[O.owner, "deals", "inflated", "share"])
    g = check.groupby(check[O.owner].astype("object").fillna(""))
    out = pd.DataFrame({"deals": g.size(), "inflated": g["inflated"].sum().astype(int)})
    out["share"] = out["inflated"] / out["deals"]
    return out.sort_values(["share", "deals"], ascending=False).rename_axis(O.owner).reset_index()

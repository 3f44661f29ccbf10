"""Effective stage: the reported stage against every kind of evidence of where the customer is.

``domain.md`` §3 and §7: a stage is where the *customer* is, not what the seller did. Each open
deal may carry up to three pieces of evidence besides its reported stage:

- the **milestone stage**: the furthest stage whose milestones are all done
  (:func:`funnel_analytics.stagecheck.milestone_positions`; the export has checklist columns);
- the **customer's stage**: the furthest of our stages whose declared procurement counterpart
  the customer has reached (:mod:`funnel_analytics.procurement`; the export has a procurement
  stage column and the model declares counterparts). A customer still before the step our
  first such stage mirrors is placed at that first stage;
- the **role-consensus stage**, given by the caller per opportunity id (the key roles' view).

The **effective stage** is the lowest of the reported stage and the evidence present; with no
evidence it is the reported stage. It is never above the reported stage. A deal whose first
stage's milestones are missing stays at the first stage (there is no earlier one to count it
in). Closed deals keep their stage.

A second basis counts each open deal at its **last completed stage** (§7: a deal entered but
not completed has the chance of winning of the last stage it completed;
:func:`funnel_analytics.stagecheck.stage_evidence`), never above the reported stage; a deal
that has completed no stage stays at the first stage. It needs milestone or success-criterion
columns.

:func:`effective_observations` rewrites the open rows of every snapshot to their effective
(or last completed) stage, so that every page (funnel, conversion, forecast, planner) can be
switched from the reported funnel; :func:`deal_reality` and :func:`stage_inflation` show the
gap between the two ("stage inflation") per deal and per rep. The weighted pipeline never grows
by the switch when the model's probabilities do not fall along its stages (true of every
built-in model), since each deal can only move down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contracts import Column, table
from .procurement import PROCUREMENT_FIELD, PROCUREMENT_KEYS
from .schema import Opportunities as O
from .stagecheck import milestone_positions, stage_evidence
from .stages import OPEN, StageModel

__all__ = [
    "BASES",
    "completed_positions",
    "deal_reality",
    "effective_observations",
    "effective_positions",
    "has_evidence",
    "stage_inflation",
]

_STAGE_COLUMNS = ("milestone_stage", "customer_stage", "consensus_stage", "effective_stage")
REALITY = table(
    "deal_reality",
    "opportunity_id",
    "owner",
    "team",
    "amount",
    "reported_stage",
    *_STAGE_COLUMNS,
    "inflated",
    local=[
        Column(
            "milestone_stage",
            "stage",
            "里程碑支持的阶段",
            "Milestones' stage",
            "里程碑全部完成的最高阶段；导出中没有里程碑列时为空。",
            "The furthest stage whose milestones are all done; blank where the export has no "
            "milestone column.",
        ),
        Column(
            "customer_stage",
            "stage",
            "客户采购进度对应的阶段",
            "Customer's stage",
            "客户采购阶段所对应的我方最高阶段；没有客户采购阶段时为空。",
            "Our furthest stage whose procurement counterpart the customer has reached; blank "
            "where the customer's procurement stage is unknown.",
        ),
        Column(
            "consensus_stage",
            "stage",
            "关键角色共识阶段",
            "Key roles' stage",
            "关键角色综合判断的阶段；没有角色表时为空。",
            "The stage the key roles' engagement supports; blank without a roles sheet.",
        ),
        Column(
            "effective_stage",
            "stage",
            "有效阶段",
            "Effective stage",
            "汇报阶段与各项证据中最低的阶段。",
            "The lowest of the reported stage and the evidence present.",
        ),
        Column(
            "inflated",
            "flag",
            "虚高",
            "Inflated",
            "有效阶段低于汇报阶段。",
            "The effective stage is below the reported one.",
        ),
    ],
)

INFLATION_COLUMNS = [
    "owner",
    "deals",
    "inflated",
    "inflated_amount",
    "weighted",
    "effective_weighted",
    "weighted_gap",
]
INFLATION = table(
    "stage_inflation",
    *INFLATION_COLUMNS,
    local=[
        Column(
            "inflated",
            "count",
            "虚高商机",
            "Inflated deals",
            "有效阶段低于汇报阶段的进行中商机数。",
            "Open deals whose effective stage is below the reported one.",
        ),
        Column(
            "inflated_amount",
            "amount",
            "虚高商机金额",
            "Inflated amount",
            "这些商机的金额合计。",
            "The amount of those deals.",
        ),
        Column(
            "effective_weighted",
            "amount",
            "按有效阶段加权",
            "Weighted, effective",
            "Σ 金额 × 有效阶段的赢单概率。",
            "Σ amount × the effective stage's probability.",
        ),
        Column(
            "weighted_gap",
            "amount",
            "加权差额",
            "Weighted gap",
            "按汇报阶段加权减去按有效阶段加权：阶段虚高带来的加权管道。",
            "Weighted as reported minus weighted as effective: the pipeline stage inflation adds.",
        ),
    ],
)


def _declared(model: StageModel) -> list[tuple[int, int]]:
    """(stage position, procurement position) of each stage declaring its counterpart."""
    return [
        (i, PROCUREMENT_KEYS.index(s.procurement))
        for i, s in enumerate(model.stages)
        if s.procurement in PROCUREMENT_KEYS
    ]


def _customer_positions(frame: pd.DataFrame, model: StageModel) -> np.ndarray | None:
    """Row by row: our furthest stage whose procurement counterpart the customer has reached
    (-1 where the customer's stage is unknown); None when the model declares no counterpart
    or the frame has no procurement column."""
    declared = _declared(model)
    if not declared or PROCUREMENT_FIELD not in frame:
        return None
    step = (
        frame[PROCUREMENT_FIELD]
        .astype("object")
        .map({k: i for i, k in enumerate(PROCUREMENT_KEYS)})
        .to_numpy(dtype="float64", na_value=np.nan)
    )
    # For each procurement step, our furthest stage mirroring it or an earlier step; before
    # the first mirrored step, the first stage that declares one.
    first = min(i for i, _ in declared)
    by_step = np.array(
        [
            max((i for i, p in declared if p <= q), default=first)
            for q in range(len(PROCUREMENT_KEYS))
        ]
    )
    known = ~np.isnan(step)
    out = np.full(len(frame), -1, dtype=np.int64)
    out[known] = by_step[step[known].astype(np.int64)]
    return out


def effective_positions(
    frame: pd.DataFrame, model: StageModel, consensus: pd.Series | None = None
) -> dict[str, np.ndarray]:
    """Row-aligned positions in the model (-1 where absent): ``reported``, ``milestones``,
    ``customer``, ``consensus`` (from ``consensus``: stage key by opportunity id, or by
    (snapshot date, opportunity id) as :func:`funnel_analytics.roles.consensus_by_snapshot`
    gives it) and
    ``effective`` (the lowest of those present, at least 0, for open rows with a known
    reported stage; the reported position otherwise)."""
    keys = list(model.keys)
    reported, milestones = milestone_positions(frame, model)
    if not any(c in frame for c in model.checklist_columns):
        milestones = np.full(len(frame), -1, dtype=np.int64)
    else:
        milestones = np.where(reported >= 0, np.maximum(milestones, 0), -1)
    customer = _customer_positions(frame, model)
    if customer is None:
        customer = np.full(len(frame), -1, dtype=np.int64)
    if consensus is not None and len(consensus):
        by_key = consensus.astype("object").map({k: i for i, k in enumerate(keys)})
        if isinstance(consensus.index, pd.MultiIndex):  # by (snapshot date, deal)
            rows = pd.MultiIndex.from_arrays(
                [
                    pd.to_datetime(frame[O.snapshot_date]).to_numpy(dtype="datetime64[ns]"),
                    frame[O.opportunity_id].astype("object").to_numpy(),
                ]
            )
            agreed = by_key.reindex(rows).to_numpy(dtype="float64", na_value=np.nan)
        else:  # by deal: the same at every snapshot
            agreed = (
                frame[O.opportunity_id]
                .astype("object")
                .map(by_key)
                .to_numpy(dtype="float64", na_value=np.nan)
            )
        agreed = np.where(np.isnan(agreed), -1, agreed).astype(np.int64)
    else:
        agreed = np.full(len(frame), -1, dtype=np.int64)
    big = len(keys)
    lowest = reported.copy()
    for evidence in (milestones, customer, agreed):
        lowest = np.minimum(lowest, np.where(evidence >= 0, evidence, big))
    is_open = (frame[O.status] == OPEN).to_numpy(dtype=bool) & (reported >= 0)
    effective = np.where(is_open, lowest, reported)
    return {
        "reported": reported,
        "milestones": milestones,
        "customer": customer,
        "consensus": agreed,
        "effective": effective,
    }


def completed_positions(frame: pd.DataFrame, model: StageModel) -> dict[str, np.ndarray]:
    """Row-aligned positions: ``reported`` and ``completed`` (open rows with a known stage:
    the last stage whose completion the data shows, at least the first and at most the
    reported one; the reported position otherwise, or everywhere without checklist columns)."""
    reported, _ = milestone_positions(frame, model)
    completed = reported.copy()
    evidence = stage_evidence(frame, model)
    if not evidence.empty:
        rows = np.flatnonzero((frame[O.status] == OPEN).to_numpy(dtype=bool))
        index = {k: i for i, k in enumerate(model.keys)}
        done = evidence["completed_stage"].map(index).fillna(0).to_numpy(dtype=np.int64)
        known = reported[rows] >= 0
        completed[rows] = np.where(known, np.minimum(reported[rows], done), reported[rows])
    return {"reported": reported, "completed": completed}


def has_evidence(
    frame: pd.DataFrame,
    model: StageModel,
    consensus: pd.Series | None = None,
    basis: str = "effective",
) -> bool:
    """Whether the evidence ``basis`` ("effective" or "completed") needs is present, so that
    its funnel can differ from the reported one."""
    checklists = any(c in frame for c in model.all_checklist_columns)
    if basis == "completed":
        return checklists
    return (
        checklists
        or (bool(_declared(model)) and PROCUREMENT_FIELD in frame)
        or (consensus is not None and len(consensus) > 0)
    )


#: The stage an open deal can be counted at: as reported, effective, or last completed.
BASES = ("reported", "effective", "completed")


def effective_observations(
    observations: pd.DataFrame,
    model: StageModel,
    consensus: pd.Series | None = None,
    basis: str = "effective",
) -> pd.DataFrame:
    """``observations`` with each open row's ``stage`` set to its effective stage, or with
    ``basis="completed"`` its last completed stage (every snapshot; closed rows and everything
    else unchanged)."""
    if observations.empty or basis == "reported":
        return observations
    if basis == "completed":
        pos = completed_positions(observations, model)
        pos["effective"] = pos["completed"]
    else:
        pos = effective_positions(observations, model, consensus)
    moved = pos["effective"] != pos["reported"]
    if not moved.any():
        return observations
    out = observations.copy()
    keys = np.array(model.keys, dtype=object)
    stage = out[O.stage].astype("object").to_numpy(copy=True)
    stage[moved] = keys[pos["effective"][moved]]
    out[O.stage] = pd.array(stage, dtype=observations[O.stage].dtype)
    return out


def deal_reality(
    snapshot: pd.DataFrame, model: StageModel, consensus: pd.Series | None = None
) -> pd.DataFrame:
    """Per open deal of ``snapshot``: the reported stage, each piece of evidence (blank where
    absent), the effective stage and whether it is below the reported one."""
    deals = snapshot[(snapshot[O.status] == OPEN) & snapshot[O.stage].isin(list(model.keys))]
    pos = effective_positions(deals, model, consensus)
    key_of = np.array([*model.keys, None], dtype=object)

    def named(p: np.ndarray) -> np.ndarray:
        return key_of[np.where(p >= 0, p, len(model.keys))]

    n = len(deals)

    def column(name: str) -> np.ndarray:
        return deals[name].astype("object").to_numpy() if name in deals else np.full(n, None)

    return pd.DataFrame(
        {
            "opportunity_id": column(O.opportunity_id),
            "owner": column(O.owner),
            "team": column(O.team),
            "amount": deals[O.amount].to_numpy(dtype="float64", na_value=np.nan)
            if O.amount in deals
            else np.full(n, np.nan),
            "reported_stage": named(pos["reported"]),
            "milestone_stage": named(pos["milestones"]),
            "customer_stage": named(pos["customer"]),
            "consensus_stage": named(pos["consensus"]),
            "effective_stage": named(pos["effective"]),
            "inflated": pos["effective"] < pos["reported"],
        }
    )


def stage_inflation(reality: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Per owner, largest gap first: open deals, deals whose effective stage is below the
    reported one and their amount, the weighted pipeline (Σ amount × the stage's nominal
    probability) as reported and as effective, and the gap between the two."""
    if reality.empty:
        return pd.DataFrame(columns=INFLATION_COLUMNS)
    prob = model.probabilities
    amount = reality["amount"].fillna(0.0)
    frame = pd.DataFrame(
        {
            "owner": reality["owner"].astype("object").fillna(""),
            "deals": 1,
            "inflated": reality["inflated"].astype(int),
            "inflated_amount": amount.where(reality["inflated"], 0.0),
            "weighted": amount * reality["reported_stage"].map(prob).astype(float),
            "effective_weighted": amount * reality["effective_stage"].map(prob).astype(float),
        }
    )
    out = frame.groupby("owner", sort=False).sum()
    out["weighted_gap"] = out["weighted"] - out["effective_weighted"]
    out = out.sort_values(["weighted_gap", "deals"], ascending=False).reset_index()
    return out[INFLATION_COLUMNS]

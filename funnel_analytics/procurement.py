"""Our stage against the customer's procurement stage (``domain.md`` §2b, §7).

A stage describes where the *customer* is. The eight selling stages of the project sales
process mirror eight stages of the customer's procurement: finds a problem → feasibility and
budget → approves the project and forms a buying team → sets purchasing criteria → publishes
the tender → evaluates vendors → negotiates → signs. An export may say where each customer's
procurement stands (a "客户采购阶段" / "buying stage" column, in either language, or as the
checklist item reached: 已立项, 预算到位, 采购小组成立, 招标发布 …); a stage model may say which
procurement stage each of its stages mirrors (:attr:`Stage.procurement`).

Per open deal with both, :func:`procurement_sync` compares the two positions:

- **in step**: our stage mirrors the customer's procurement stage;
- **ahead of the customer**: our stage mirrors a later procurement stage than the customer
  has reached (quoting before there is a budget, §3's story);
- **behind**: the customer is further than our stage (catch up);
- **behind and stalled**: behind, and the deal has been in its stage past the stage's ageing
  limit (consider walking away).

Closed deals, placed by their last open observation, give each cell and each class a win rate
with its Wilson interval, where there are any.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contracts import Column, table
from .i18n import t
from .schema import Opportunities as O
from .stages import LOST, OPEN, PROCUREMENT_KEYS, WON, StageModel, normalize_label
from .values import Parsed, _lookup

__all__ = [
    "PROCUREMENT_FIELD",
    "PROCUREMENT_STAGES",
    "SYNC_CLASSES",
    "ProcurementStage",
    "ProcurementView",
    "parse_procurement",
    "procurement_name",
    "procurement_sync",
    "procurement_view",
]

PROCUREMENT_FIELD = "procurement_stage"


@dataclass(frozen=True)
class ProcurementStage:
    """One stage of the customer's procurement, with the words exports use for it (its
    name in each language is the message ``procurement_<key>``)."""

    key: str
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "zh") -> str:
        return t(f"procurement_{self.key}", lang)


PROCUREMENT_STAGES: tuple[ProcurementStage, ...] = (
    ProcurementStage(
        "need",
        (
            "发现问题",
            "确认需求",
            "需求确认",
            "有需求",
            "需求明确",
            "need",
            "need identified",
            "need confirmed",
            "problem identified",
            "awareness",
        ),
    ),
    ProcurementStage(
        "budget",
        (
            "可行性研究",
            "可研",
            "确定预算",
            "预算",
            "预算到位",
            "预算已批",
            "budget",
            "budget set",
            "budget approved",
            "feasibility",
            "funded",
        ),
    ),
    ProcurementStage(
        "approved",
        (
            "立项",
            "已立项",
            "项目立项",
            "采购小组成立",
            "成立采购小组",
            "project approved",
            "approved",
            "buying team formed",
            "buying committee formed",
        ),
    ),
    ProcurementStage(
        "criteria",
        (
            "确定采购标准",
            "采购标准",
            "制定标准",
            "技术规格确定",
            "criteria",
            "criteria set",
            "purchasing criteria",
            "requirements defined",
            "specification",
        ),
    ),
    ProcurementStage(
        "tender",
        (
            "招标",
            "发布招标",
            "招标发布",
            "已招标",
            "tender",
            "tender published",
            "rfp",
            "rfp issued",
            "bidding",
        ),
    ),
    ProcurementStage(
        "evaluation",
        (
            "评估",
            "评标",
            "供应商评估",
            "评估供应商",
            "evaluation",
            "evaluating vendors",
            "vendor evaluation",
        ),
    ),
    ProcurementStage(
        "negotiation",
        ("谈判", "商务谈判", "negotiation", "negotiating", "negotiates"),
    ),
    ProcurementStage(
        "signed",
        ("签约", "已签约", "合同签订", "signed", "contract signed", "signs", "po issued"),
    ),
)
assert tuple(p.key for p in PROCUREMENT_STAGES) == PROCUREMENT_KEYS
SYNC_CLASSES = ("in_step", "ahead", "behind", "behind_stalled")


def procurement_name(key: str, lang: str = "zh") -> str:
    """A procurement stage's name in ``lang`` (the key itself when it is none of them)."""
    return t(f"procurement_{key}", lang) if key in PROCUREMENT_KEYS else key


def parse_procurement(raw: pd.Series) -> Parsed:
    """Procurement stages, in either language or by the checklist item reached, to their keys
    (``need`` … ``signed``); anything else is reported (``bad``) and left missing."""
    labels: dict[str, object] = {}
    for i, p in enumerate(PROCUREMENT_STAGES, start=1):
        names = (p.name("zh"), p.name("en"))
        for label in (p.key, *names, *p.aliases, f"{i}", *(f"{i}. {n}" for n in names)):
            labels[normalize_label(label)] = p.key
    return _lookup(raw, labels)


SYNC_COLUMNS = [
    "opportunity_id",
    "owner",
    "amount",
    "stage",
    "procurement_stage",
    "mirrored_stage",
    "gap",
    "sync",
    "days_in_stage",
]
SYNC = table(
    "procurement_sync",
    *SYNC_COLUMNS,
    local=[
        Column(
            "procurement_stage",
            "text",
            "客户采购阶段",
            "Customer's procurement stage",
            "导出中写的客户采购进程所处阶段。",
            "Where the customer's procurement stands, as the export says.",
            values="procurement_",
        ),
        Column(
            "mirrored_stage",
            "text",
            "我方阶段对应的采购阶段",
            "Our stage mirrors",
            "阶段模型中我方阶段所对应的客户采购阶段。",
            "The procurement stage our stage mirrors in the stage model.",
            values="procurement_",
        ),
        Column(
            "gap",
            "count",
            "差距（步）",
            "Gap (steps)",
            "我方阶段对应的采购阶段减去客户实际采购阶段：正数为我方超前，负数为落后。",
            "Procurement stage our stage mirrors minus the customer's: above 0 we are ahead, "
            "below 0 behind.",
        ),
        Column(
            "sync",
            "text",
            "同步情况",
            "In step?",
            "同步、超前于客户、落后、落后且停滞（超过阶段停留上限）。",
            "In step, ahead of the customer, behind, or behind and stalled (past the stage's "
            "limit).",
            values="sync_",
        ),
    ],
)

_LOCAL = {c.name: c for c in SYNC.local}
CELL_COLUMNS = [
    "stage",
    "procurement_stage",
    "open_count",
    "closed",
    "won",
    "win_rate",
    "win_rate_low",
    "win_rate_high",
]
CELLS = table("procurement_cells", *CELL_COLUMNS, local=[_LOCAL["procurement_stage"]])
CLASS_COLUMNS = [
    "sync",
    "open_count",
    "open_amount",
    "closed",
    "won",
    "win_rate",
    "stage_rate",
    "win_rate_low",
    "win_rate_high",
]
CLASSES = table(
    "procurement_classes",
    *CLASS_COLUMNS,
    local=[
        _LOCAL["sync"],
        Column(
            "stage_rate",
            "share",
            "按阶段应有的赢单率",
            "Win rate its stages give",
            "这些已结束商机所在阶段的整体赢单率的平均值（不论是否同步）：与赢单率对比，可排除阶段构成的影响。",
            "The mean, over these closed deals, of their stage's win rate among all closed deals "
            "of that stage, whatever their position: compare it with the win rate to set the "
            "stage mix aside.",
        ),
    ],
)


def _positions(model: StageModel) -> dict[str, int] | None:
    """Our stage key → the position of the procurement stage it mirrors; None when the model
    declares no counterpart for any stage."""
    out = {
        s.key: PROCUREMENT_KEYS.index(s.procurement)
        for s in model.stages
        if s.procurement in PROCUREMENT_KEYS
    }
    return out or None


def _classify(ours: np.ndarray, theirs: np.ndarray, stalled: np.ndarray) -> np.ndarray:
    gap = ours - theirs
    return np.where(
        gap == 0,
        "in_step",
        np.where(gap > 0, "ahead", np.where(stalled, "behind_stalled", "behind")),
    )


def procurement_sync(
    snapshot: pd.DataFrame,
    model: StageModel,
    days_in_stage: pd.Series | None = None,
    stalled: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Per open deal whose stage declares a procurement counterpart and whose customer's
    procurement stage is known: both stages, the gap in steps and the class
    (:data:`SYNC_CLASSES`). ``days_in_stage`` (by opportunity id) and ``stalled`` (ids past
    their stage's limit) come from the stage history when known."""
    positions = _positions(model)
    if positions is None or PROCUREMENT_FIELD not in snapshot:
        return pd.DataFrame(columns=SYNC_COLUMNS)
    deals = snapshot[
        (snapshot[O.status] == OPEN)
        & snapshot[PROCUREMENT_FIELD].notna()
        & snapshot[O.stage].isin(list(positions))
    ]
    ours = deals[O.stage].astype("object").map(positions).to_numpy(dtype="int64")
    theirs = (
        deals[PROCUREMENT_FIELD]
        .astype("object")
        .map({k: i for i, k in enumerate(PROCUREMENT_KEYS)})
        .to_numpy(dtype="int64")
    )
    ids = deals[O.opportunity_id].astype("object")
    is_stalled = ids.isin(list(stalled)).to_numpy(dtype=bool)
    days = (
        ids.map(days_in_stage).to_numpy(dtype="float64")
        if days_in_stage is not None
        else np.full(len(deals), np.nan)
    )
    out = pd.DataFrame(
        {
            "opportunity_id": ids.to_numpy(),
            "owner": deals[O.owner].astype("object").to_numpy()
            if O.owner in deals
            else np.full(len(deals), None),
            "amount": deals[O.amount].to_numpy(dtype="float64", na_value=np.nan),
            "stage": deals[O.stage].astype("object").to_numpy(),
            "procurement_stage": deals[PROCUREMENT_FIELD].astype("object").to_numpy(),
            "mirrored_stage": np.array(PROCUREMENT_KEYS, dtype=object)[ours]
            if len(deals)
            else np.array([], dtype=object),
            "gap": ours - theirs,
            "sync": _classify(ours, theirs, is_stalled),
            "days_in_stage": days,
        }
    )
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class ProcurementView:
    """What the page shows: open deals per (our stage, procurement stage) cell, closed deals'
    win rate per cell and per class, and the deals out of step."""

    sync: pd.DataFrame  # procurement_sync of the open deals
    cells: pd.DataFrame  # CELLS: open deals and closed deals' win rate per cell
    by_class: pd.DataFrame  # CLASSES: per sync class, in SYNC_CLASSES order
    declared: bool  # the model declares procurement counterparts
    has_column: bool  # the data carries a procurement stage

    @property
    def out_of_step(self) -> pd.DataFrame:
        """The open deals not in step, the widest gap first, then the largest amount."""
        frame = self.sync[self.sync["sync"] != "in_step"]
        return (
            frame.assign(_gap=frame["gap"].abs(), _amount=frame["amount"].fillna(0))
            .sort_values(["_gap", "_amount"], ascending=False, kind="stable")
            .drop(columns=["_gap", "_amount"])
            .reset_index(drop=True)
        )


def _closed_at_last_open(observations: pd.DataFrame) -> pd.DataFrame:
    """Each closed deal's last open observation (where it stood before it closed), with
    ``_won`` saying how it ended."""
    by_date = observations.sort_values(O.snapshot_date, kind="stable")
    final = by_date.drop_duplicates(O.opportunity_id, keep="last").set_index(O.opportunity_id)[
        O.status
    ]
    closed_ids = final[final.isin([WON, LOST])].index
    rows = by_date[by_date[O.opportunity_id].isin(closed_ids) & (by_date[O.status] == OPEN)]
    last = rows.drop_duplicates(O.opportunity_id, keep="last")
    return last.assign(_won=last[O.opportunity_id].map(final).eq(WON).to_numpy(dtype=bool))


def _rates(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    from .conversion import wilson_interval

    grouped = frame.groupby(by, sort=False).agg(closed=("_won", "size"), won=("_won", "sum"))
    grouped["won"] = grouped["won"].astype("int64")
    lo, hi = wilson_interval(grouped["won"].to_numpy(), grouped["closed"].to_numpy())
    grouped["win_rate"] = grouped["won"] / grouped["closed"]
    grouped["win_rate_low"], grouped["win_rate_high"] = lo, hi
    return grouped.reset_index()


def _counts_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("open_count", "closed", "won"):
        if column not in frame:
            frame[column] = 0
        frame[column] = frame[column].fillna(0).astype("int64")
    for column in ("win_rate", "win_rate_low", "win_rate_high"):
        if column not in frame:
            frame[column] = np.nan
    return frame


def procurement_view(
    observations: pd.DataFrame,
    snapshot: pd.DataFrame,
    model: StageModel,
    days_in_stage: pd.Series | None = None,
    stalled: set[str] | frozenset[str] = frozenset(),
) -> ProcurementView:
    """The sync of the open deals in ``snapshot`` and the win rates of the deals in
    ``observations`` that closed, each placed where it stood in its last open observation
    (closed deals are classed without a stall: their stay has ended)."""
    declared = _positions(model) is not None
    has_column = PROCUREMENT_FIELD in observations and bool(
        observations[PROCUREMENT_FIELD].notna().any()
    )
    sync = procurement_sync(snapshot, model, days_in_stage, stalled)
    closed = pd.DataFrame(columns=[*SYNC_COLUMNS, "_won"])
    if declared and has_column:
        last = _closed_at_last_open(observations)
        won = last.set_index(O.opportunity_id)["_won"]
        closed = procurement_sync(last.assign(**{O.status: OPEN}), model)
        closed = closed.assign(_won=closed["opportunity_id"].map(won).astype(bool))
    keys = ["stage", "procurement_stage"]
    cells = sync.groupby(keys).size().rename("open_count").reset_index()
    if len(closed):
        cells = cells.merge(_rates(closed, keys), on=keys, how="outer")
    order_ours = {k: i for i, k in enumerate(model.keys)}
    order_theirs = {k: i for i, k in enumerate(PROCUREMENT_KEYS)}
    cells = (
        _counts_as_int(cells)
        .assign(
            _o=lambda d: d["stage"].map(order_ours),
            _p=lambda d: d["procurement_stage"].map(order_theirs),
        )
        .sort_values(["_o", "_p"])
        .drop(columns=["_o", "_p"])
        .reset_index(drop=True)[CELL_COLUMNS]
    )
    by_class = sync.groupby("sync").agg(open_count=("sync", "size"), open_amount=("amount", "sum"))
    if len(closed):
        by_class = by_class.join(_rates(closed, ["sync"]).set_index("sync"), how="outer")
        # What the same deals' stages alone would give: each closed deal counts its stage's
        # win rate over every closed deal of that stage, whatever its position.
        stage_rate = closed.groupby("stage")["_won"].transform("mean")
        by_class = by_class.join(stage_rate.groupby(closed["sync"]).mean().rename("stage_rate"))
    by_class = _counts_as_int(
        by_class.reindex(list(SYNC_CLASSES)).rename_axis("sync").reset_index()
    )
    if "stage_rate" not in by_class:
        by_class["stage_rate"] = np.nan
    by_class["open_amount"] = by_class["open_amount"].fillna(0.0)
    # The rate the stages give beside the win rate it is read against.
    by_class = by_class[[*CLASS_COLUMNS]]
    return ProcurementView(sync, cells, by_class, declared, has_column)

"""Is the stage real? Reported stage against the stage's milestones and success criteria.

Each stage may carry two checklists (``domain.md`` §2b, §7): its *milestones*, the minimal
actions that show a deal has really entered it, and its *success criteria*, everything done
plus the customer's commitment to move on, which show it is completed. An export carries
them as yes/no columns (``checklist.<stage>.<item>``); only the columns present are judged
(no column, no evidence either way), and a blank cell counts as not done.

Milestones (:func:`effective_stages`). A deal counts as in a stage only when **all** milestone
actions of that stage are done; if any one is missing, it is still in the previous stage. So
the *effective* stage starts at the reported one and steps back while that stage's
milestones are incomplete.

Evidence (:func:`stage_evidence`). Per open deal, its reported stage is

- ``not_entered``: a milestone of the stage is not done (the deal is still in an earlier
  stage: exactly the deals :func:`effective_stages` pulls back);
- ``completed``: every success criterion of the stage is done (and no milestone is missing);
- ``in_progress``: some but not all of its success criteria are done;
- ``entered``: all its milestones are done and none of its success criteria;
- ``unjudged``: the export has no column that says either way (no milestone column of the
  stage, and no success criterion done).

The stage is *evidenced* when entered, in progress or completed; *not evidenced* when not
entered or unjudged. The *completed stage* is the furthest stage, up to the reported one,
whose completion the data shows: all its success criteria done with no milestone missing, or
a later stage entered (all of that stage's milestones done, or one of its success criteria),
since a deal enters the next stage only once the customer has committed to it. None when no
stage's completion is shown. §7: only then does the chance of winning rise to the next
stage's level, so a deal's win probability is that of its completed stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contracts import Column, table
from .schema import Opportunities as O
from .stages import OPEN, StageModel

__all__ = [
    "EVIDENCE_STATUSES",
    "effective_stages",
    "entered_not_completed",
    "evidence_by_owner",
    "inflation_by_owner",
    "milestone_positions",
    "stage_evidence",
]

# A reported stage's evidence, from the least to the most.
EVIDENCE_STATUSES = ("not_entered", "unjudged", "entered", "in_progress", "completed")
EVIDENCED = ("entered", "in_progress", "completed")


def _current_names(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """``snapshot`` with checklist columns stored under a name the model has since changed
    (a stored snapshot of an earlier release) under their current names."""
    renames = {
        old: new
        for old, new in model.renamed_columns.items()
        if old in snapshot and new not in snapshot
    }
    return snapshot.rename(columns=renames) if renames else snapshot


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


def milestone_positions(frame: pd.DataFrame, model: StageModel) -> tuple[np.ndarray, np.ndarray]:
    """Row by row: the position of the reported stage in the model (-1 when it names none)
    and of the stage the milestones support (the rule above; -1 when even the first stage's
    milestones are missing). Every row of ``frame`` is judged, whatever its status."""
    frame = _current_names(frame, model)
    keys = list(model.keys)
    reported = frame[O.stage].astype("object").map({k: i for i, k in enumerate(keys)})
    reported = reported.fillna(-1).astype(int).to_numpy()
    # Per stage: is every checklist item of that stage done (True where the stage has none)?
    complete = np.ones((len(frame), len(keys)), dtype=bool)
    for column, (stage_key, _item) in model.checklist_columns.items():
        if column in frame:
            done = frame[column].fillna(False).astype(bool).to_numpy()
            complete[:, keys.index(stage_key)] &= done
    effective = reported.copy()
    rows = np.arange(len(frame))
    for _ in range(len(keys)):
        step_back = (effective >= 0) & ~complete[rows, np.maximum(effective, 0)]
        if not step_back.any():
            break
        effective = np.where(step_back, effective - 1, effective)
    return reported, effective


def effective_stages(snapshot: pd.DataFrame, model: StageModel) -> pd.DataFrame:
    """Per open deal: reported stage, effective stage, whether the report runs ahead
    (``inflated``) and the missing milestone items that pull it back.

    Returns an empty frame when the export has no checklist columns.
    """
    snapshot = _current_names(snapshot, model)
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
    reported, effective = milestone_positions(deals, model)
    missing_names: list[list[str]] = [[] for _ in range(len(keys))]
    for column, (stage_key, _item) in columns.items():
        missing_names[keys.index(stage_key)].append(column)
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


EVIDENCE_COLUMNS = [
    "opportunity_id",
    "owner",
    "amount",
    "stage",
    "evidence",
    "criteria_done",
    "criteria_total",
    "completed_stage",
    "days_in_stage",
    "age_days",
    "open_items",
]
_EVIDENCE = Column(
    "evidence",
    "text",
    "阶段证据",
    "Stage evidence",
    "汇报阶段的证据：未进入（缺里程碑）、无法判断（无相关列）、已进入、推进中（部分成功标准已完成）、已完成（成功标准全部完成）。",
    "Evidence for the reported stage: not entered (a milestone missing), unjudged (no column "
    "says), entered, in progress (some success criteria done) or completed (all done).",
    values="evidence_",
)
STAGE_EVIDENCE = table(
    "stage_evidence",
    *EVIDENCE_COLUMNS,
    local=[
        _EVIDENCE,
        Column(
            "criteria_done",
            "count",
            "已完成的成功标准",
            "Success criteria done",
            "汇报阶段的成功标准中已勾选的项数。",
            "Success criteria of the reported stage that are ticked.",
        ),
        Column(
            "criteria_total",
            "count",
            "成功标准项数",
            "Success criteria",
            "导出中有列的汇报阶段成功标准项数。",
            "Success criteria of the reported stage that the export has a column for.",
        ),
        Column(
            "completed_stage",
            "stage",
            "已证实完成的阶段",
            "Completed stage",
            "数据证实已完成的最高阶段（成功标准全部完成，或已进入下一阶段）；空白表示没有。",
            "The furthest stage whose completion the data shows (its success criteria all done, "
            "or a later stage entered); blank when none.",
        ),
        Column(
            "open_items",
            "text",
            "待完成事项",
            "Still to do",
            "未进入时缺少的里程碑；已进入时尚未完成的成功标准。",
            "The milestones missing where the stage is not entered; else the success criteria "
            "not yet done.",
        ),
    ],
)


def stage_evidence(
    snapshot: pd.DataFrame, model: StageModel, ages: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per open deal: the evidence for its reported stage (:data:`EVIDENCE_STATUSES`, defined
    in the module docstring), its success criteria done of those the export has, the furthest
    stage whose completion is shown (``completed_stage``), its days in stage and age where
    ``ages`` (:func:`funnel_analytics.ageing.open_deal_ages`) gives them, and what is still to
    do (item keys, comma-separated).

    Returns an empty frame when the export has no milestone or success-criterion column.

    Examples
    --------
    >>> from funnel_analytics.workspace import load_workspace
    >>> ws = load_workspace()
    >>> obs = ws.observations
    >>> latest = obs[obs["snapshot_date"] == obs["snapshot_date"].max()]
    >>> stage_evidence(latest, ws.stage_model)["evidence"].value_counts().to_dict()
    {'entered': 392, 'not_entered': 39}
    """
    snapshot = _current_names(snapshot, model)
    milestones = {c: s for c, (s, _i) in model.checklist_columns.items() if c in snapshot}
    criteria = {c: s for c, (s, _i) in model.criteria_columns.items() if c in snapshot}
    if not milestones and not criteria:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    deals = snapshot[snapshot[O.status] == OPEN]
    keys = list(model.keys)
    n, k = len(deals), len(keys)
    reported = deals[O.stage].astype("object").map({key: i for i, key in enumerate(keys)})
    known = reported.notna().to_numpy()
    r = reported.fillna(0).astype(int).to_numpy()
    rows = np.arange(n)

    def done(column: str) -> np.ndarray:
        return deals[column].fillna(False).astype(bool).to_numpy()

    # Per stage: has milestone columns / all done; has criteria columns / how many done.
    m_has, c_total = np.zeros(k, dtype=bool), np.zeros(k, dtype=int)
    m_all = np.ones((n, k), dtype=bool)
    c_done = np.zeros((n, k), dtype=int)
    for column, stage in milestones.items():
        j = keys.index(stage)
        m_has[j] = True
        m_all[:, j] &= done(column)
    for column, stage in criteria.items():
        j = keys.index(stage)
        c_total[j] += 1
        c_done[:, j] += done(column)
    m_fail = m_has & ~m_all  # (n, k): a milestone of the stage is missing
    c_all = (c_total > 0) & (c_done == c_total)
    completed = ~m_fail & c_all
    entered = ~m_fail & ((m_has & m_all) | (c_done > 0))
    # The furthest stage up to the reported one whose completion is shown: its criteria all
    # done, or the next stage (up to the reported one) entered.
    upto = (np.arange(k)[None, :] <= r[:, None]) & known[:, None]
    shown = completed & upto
    shown[:, :-1] |= (entered & upto)[:, 1:]
    last = np.where(shown.any(axis=1), k - 1 - np.argmax(shown[:, ::-1], axis=1), -1)

    at_r = (rows, r)
    status = np.select(
        [m_fail[at_r], completed[at_r], (c_done[at_r] > 0), m_has[r]],
        ["not_entered", "completed", "in_progress", "entered"],
        "unjudged",
    ).astype(object)
    status[~known] = "unjudged"
    key_of = np.array([*keys, None], dtype=object)

    # What is still to do: the milestones missing, or the criteria not yet done.
    names_m = {j: [c for c, s in milestones.items() if s == keys[j]] for j in range(k)}
    names_c = {j: [c for c, s in criteria.items() if s == keys[j]] for j in range(k)}
    # Column by column (a handful), not deal by deal: a large export has 100,000 open deals.
    todo = np.full(n, "", dtype=object)
    judged = known & (status != "completed")
    for j in range(k):
        at_j = judged & (r == j)
        for names, rows_of in (
            (names_m[j], at_j & (status == "not_entered")),
            (names_c[j], at_j & (status != "not_entered")),
        ):
            for column in names:
                missing = rows_of & ~done(column)
                key = column.split(".")[-1]
                todo[missing] = [f"{v}, {key}" if v else key for v in todo[missing]]
    ids = deals[O.opportunity_id].astype("object")
    if ages is not None and len(ages):
        by_id = ages.set_index(O.opportunity_id)
        in_stage = ids.map(by_id["days_in_stage"]).to_numpy(dtype="float64")
        age = ids.map(by_id["age_days"]).to_numpy(dtype="float64")
    else:
        in_stage = age = np.full(n, np.nan)
    out = pd.DataFrame(
        {
            "opportunity_id": ids.to_numpy(),
            "owner": deals[O.owner].astype("object").to_numpy()
            if O.owner in deals
            else np.full(n, None),
            "amount": deals[O.amount].to_numpy(dtype="float64", na_value=np.nan)
            if O.amount in deals
            else np.full(n, np.nan),
            "stage": deals[O.stage].astype("object").to_numpy(),
            "evidence": status,
            "criteria_done": np.where(known, c_done[at_r], 0),
            "criteria_total": np.where(known, c_total[r], 0),
            "completed_stage": key_of[np.where(last < 0, k, last)],
            "days_in_stage": in_stage,
            "age_days": age,
            "open_items": todo,
        }
    )
    return out.reset_index(drop=True)


def entered_not_completed(evidence: pd.DataFrame, by: str = "days_in_stage") -> pd.DataFrame:
    """The open deals that have entered their stage but not completed it (``entered`` or
    ``in_progress``), the longest there first (``by``: ``days_in_stage``, or ``age_days``
    where stage entry is not dated)."""
    frame = evidence[evidence["evidence"].isin(["entered", "in_progress"])]
    return frame.sort_values(by, ascending=False, kind="stable", na_position="last").reset_index(
        drop=True
    )


EVIDENCE_BY_OWNER_COLUMNS = [
    "owner",
    "deals",
    *EVIDENCE_STATUSES,
    "not_evidenced",
    "not_evidenced_share",
]
_STATUS_NAMES = {
    "not_entered": ("未进入", "Not entered", "缺少汇报阶段的里程碑", "a milestone missing"),
    "unjudged": ("无法判断", "Unjudged", "没有列能说明", "no column says"),
    "entered": (
        "已进入",
        "Entered",
        "里程碑全部完成，成功标准尚未开始",
        "milestones done, no criterion",
    ),
    "in_progress": ("推进中", "In progress", "部分成功标准已完成", "some success criteria done"),
    "completed": ("已完成", "Completed", "成功标准全部完成", "every success criterion done"),
}
EVIDENCE_BY_OWNER = table(
    "evidence_by_owner",
    *EVIDENCE_BY_OWNER_COLUMNS,
    local=[
        *(
            Column(
                key,
                "count",
                zh,
                en,
                f"进行中商机中汇报阶段为“{zh}”（{about_zh}）的个数。",
                f"Open deals whose reported stage is {en.lower()} ({about_en}).",
            )
            for key, (zh, en, about_zh, about_en) in _STATUS_NAMES.items()
        ),
        Column(
            "not_evidenced",
            "count",
            "阶段无证据",
            "Not evidenced",
            "未进入或无法判断的商机数：汇报阶段没有数据证实。",
            "Deals not entered or unjudged: no data shows the reported stage.",
        ),
        Column(
            "not_evidenced_share",
            "share",
            "阶段无证据占比",
            "Share not evidenced",
            "阶段无证据的商机 ÷ 该负责人的进行中商机。",
            "Deals whose stage is not evidenced ÷ the owner's open deals.",
        ),
    ],
)


def evidence_by_owner(evidence: pd.DataFrame) -> pd.DataFrame:
    """Per owner: open deals, how many are in each evidence status, and the share whose
    reported stage is not evidenced (not entered or unjudged), the highest share first."""
    if evidence.empty:
        return pd.DataFrame(columns=EVIDENCE_BY_OWNER_COLUMNS)
    owner = evidence["owner"].astype("object").fillna("")
    counts = pd.crosstab(owner, evidence["evidence"]).reindex(
        columns=list(EVIDENCE_STATUSES), fill_value=0
    )
    out = counts.astype("int64")
    out.insert(0, "deals", out.sum(axis=1))
    out["not_evidenced"] = out["not_entered"] + out["unjudged"]
    out["not_evidenced_share"] = out["not_evidenced"] / out["deals"]
    out = out.rename_axis(index="owner", columns=None).reset_index()
    return out.sort_values(
        ["not_evidenced_share", "deals", "owner"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)[EVIDENCE_BY_OWNER_COLUMNS]

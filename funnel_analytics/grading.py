"""Suggested customer grade A–D (``domain.md`` §6, §7): from how likely a deal is to be won and
how soon it would close.

The material grades a customer by *the expected close time and the likelihood of closing*:
A — go all in; B — limit the time spent, keep the relationship; C — watch for change; D —
last priority. Two numbers per open deal carry the two halves of that sentence:

- ``p_win``: the calibrated probability of winning from the deal's stage
  (:func:`funnel_analytics.calibration.calibrate`: won ÷ closed among deals that reached the
  stage, shrunk towards the stage model's probability);
- ``p_close``: the probability that, **if it is won**, it closes within the horizon, given the
  days it has already spent in its stage: P(T ≤ d + H | T > d), T drawn from the stage's
  measured times from entry to won (:func:`funnel_analytics.planning.time_to_win`), d the
  deal's days in stage, H the horizon. This is the forecast's own timing rule
  (:func:`funnel_analytics.forecast._timing_rows`), in days instead of months: when fewer than
  :data:`~funnel_analytics.forecast.MIN_TIMING` won deals took longer than d, all of the
  stage's times count (as if the deal were fresh); when fewer than that many deals were ever
  won through the stage, the rep's expected close date stands in (1 within the horizon, 0
  after it; a date already past or none leaves ``p_close`` unknown, which counts as not soon).

``p_close`` is conditional on winning so that the two numbers stay apart, as in §7: one says
*whether*, the other *when*. Their product, P(won within the horizon), is in the table too
(``p_won_in_horizon``) but grades nothing.

The rule (:func:`suggest_grade`), with the thresholds of :class:`GradeSettings`::

    likely   = p_win ≥ likely          (default 0.5: more likely won than not)
    possible = p_win ≥ possible        (default 0.2: one chance in five)
    soon     = p_close ≥ soon          (default 0.5 within horizon_months = 3: a quarter)

    A  likely and soon                                   go all in
    B  likely but not soon, or soon and possible         limit the time, keep the relationship
    C  possible, but neither likely nor soon             watch for change
    D  not even possible (p_win < possible)              last priority

On the six-state model's nominal probabilities this reads: Target (10%) is D; Qualified (25%)
is B when soon, else C; Shortlisted (50%) and later are A when soon, else B. Calibration moves
the numbers: on the sample, Target is 18% (D), Qualified 32%, Shortlisted 45% (so B or C, never
A), Committed 65% and Near-win 81%.

**A deals at risk** are deals graded A that carry a risk flag from another check of the stage
(:data:`RISK_FLAGS`): ahead of the customer's procurement, or behind it and stalled
(:mod:`funnel_analytics.procurement`), a reported stage no milestone evidences
(:func:`funnel_analytics.stagecheck.stage_evidence`), a failed go/no-go evaluation
(:mod:`funnel_analytics.evaluation`), or one of the key roles' four flags
where a key-roles table lists the deal (:mod:`funnel_analytics.roles`). A flag source is a
frame of ``opportunity_id`` and one boolean column per flag (:func:`procurement_risks`,
:func:`evidence_risks`, :func:`roles_risks`); another check adds its flags by declaring their
columns in :data:`RISK_FLAGS` and passing its frame to :func:`grade_inputs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calibration import calibrate, probabilities
from .contracts import Column, table
from .forecast import MIN_TIMING, open_deals
from .history import StageHistory
from .planning import DAYS_PER_MONTH, time_to_win
from .roles import FLAGS as ROLE_FLAGS
from .roles import _flag_column
from .schema import Opportunities as O
from .stages import StageModel

__all__ = [
    "GRADES",
    "RISK_FLAGS",
    "TIMING_SOURCES",
    "GradeBacktest",
    "GradeInputs",
    "GradeSettings",
    "GradeView",
    "close_probability",
    "declared_matrix",
    "evaluation_risks",
    "evidence_risks",
    "grade_backtest",
    "grade_inputs",
    "grade_view",
    "procurement_risks",
    "roles_risks",
    "suggest_grade",
]

GRADES = ("A", "B", "C", "D")
#: Where a deal's p_close comes from: its stage's measured times to win, its expected close
#: date, a close date already past, or nothing.
TIMING_SOURCES = ("measured", "expected_close", "overdue", "unknown")


@dataclass(frozen=True)
class GradeSettings:
    """The grading thresholds (see the module docstring for the rule and the defaults' reasons).

    ``likely``: p_win at or above it is likely (default 0.5, more likely won than lost);
    ``possible``: p_win below it is D whatever the timing (default 0.2, one chance in five);
    ``soon``: p_close at or above it is soon (default 0.5); ``horizon_months``: the horizon
    p_close looks ahead (default 3, a quarter: what a manager plans attention over).
    """

    likely: float = 0.5
    possible: float = 0.2
    soon: float = 0.5
    horizon_months: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.possible <= self.likely <= 1.0:
            raise ValueError("grade thresholds need 0 ≤ possible ≤ likely ≤ 1")
        if not 0.0 <= self.soon <= 1.0:
            raise ValueError("the 'soon' threshold must lie in [0, 1]")
        if int(self.horizon_months) < 1:
            raise ValueError("the horizon must be at least one month")

    @property
    def horizon_days(self) -> float:
        return int(self.horizon_months) * DAYS_PER_MONTH

    def to_dict(self) -> dict:
        return {
            "likely": self.likely,
            "possible": self.possible,
            "soon": self.soon,
            "horizon_months": int(self.horizon_months),
        }


DEFAULT_SETTINGS = GradeSettings()


def suggest_grade(
    p_win: np.ndarray | pd.Series | float,
    p_close: np.ndarray | pd.Series | float,
    settings: GradeSettings = DEFAULT_SETTINGS,
) -> np.ndarray:
    """The grade (``"A"`` … ``"D"``) of each (p_win, p_close) pair by the module's rule; an
    unknown ``p_close`` (NaN) is not soon.

    >>> suggest_grade([0.6, 0.6, 0.3, 0.3, 0.1], [0.7, 0.2, 0.7, 0.2, 0.9]).tolist()
    ['A', 'B', 'B', 'C', 'D']
    """
    win = np.atleast_1d(np.asarray(p_win, dtype="float64"))
    close = np.atleast_1d(np.asarray(p_close, dtype="float64"))
    likely = win >= settings.likely
    possible = win >= settings.possible
    with np.errstate(invalid="ignore"):
        soon = np.nan_to_num(close, nan=-1.0) >= settings.soon
    return np.select(
        [likely & soon, likely | (possible & soon), possible],
        ["A", "B", "C"],
        "D",
    ).astype(object)


def close_probability(
    deals: pd.DataFrame,
    timing: dict[str, np.ndarray],
    as_of: pd.Timestamp,
    horizon_days: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per deal of ``deals`` (``stage``, ``days_in_stage``, ``expected_close_date``): the
    probability of closing within ``horizon_days`` if won, and where it comes from
    (:data:`TIMING_SOURCES`). ``timing`` holds each stage's measured days from entry to won;
    stages with fewer than :data:`MIN_TIMING` of them are not measured (module docstring)."""
    n = len(deals)
    p = np.full(n, np.nan)
    source = np.full(n, "unknown", dtype=object)
    stages = deals[O.stage].astype("object").to_numpy()
    days = np.nan_to_num(deals["days_in_stage"].to_numpy(dtype="float64"), nan=0.0)
    measured = {k: np.sort(np.asarray(v, dtype="float64")) for k, v in timing.items()}
    measured = {k: v for k, v in measured.items() if len(v) >= MIN_TIMING}
    for stage, samples in measured.items():
        at = stages == stage
        if not at.any():
            continue
        d = days[at]
        done_by_d = np.searchsorted(samples, d, side="right")
        longer = len(samples) - done_by_d  # won deals that took longer than d: T > d
        within = np.searchsorted(samples, d + horizon_days, side="right") - done_by_d
        fresh = np.searchsorted(samples, horizon_days, side="right") / len(samples)
        with np.errstate(invalid="ignore", divide="ignore"):
            p[at] = np.where(longer >= MIN_TIMING, within / np.maximum(longer, 1), fresh)
        source[at] = "measured"
    rest = source == "unknown"
    if O.expected_close_date in deals and rest.any():
        close = pd.to_datetime(deals[O.expected_close_date]).dt.normalize()
        ahead = (close - pd.Timestamp(as_of).normalize()).dt.days.to_numpy(dtype="float64")
        dated = rest & ~np.isnan(ahead)
        past = dated & (ahead <= 0)
        future = dated & (ahead > 0)
        source[past] = "overdue"
        source[future] = "expected_close"
        p[future] = (ahead[future] <= horizon_days).astype("float64")
    return p, source


# --- risk flags: other checks of the stage, as boolean columns per deal -----------------------
RISK_FLAGS: tuple[Column, ...] = (
    Column(
        "ahead_of_customer",
        "flag",
        "超前于客户",
        "Ahead of the customer",
        "我方阶段对应的采购阶段比客户实际走到的更靠后（如客户还没有预算就已报价）。",
        "Our stage mirrors a later procurement stage than the customer has reached (such as "
        "quoting before there is a budget).",
    ),
    Column(
        "behind_stalled",
        "flag",
        "落后且停滞",
        "Behind and stalled",
        "落后于客户的采购阶段，且在本阶段停留超过上限。",
        "Behind the customer's procurement, and in its stage past the stage's limit.",
    ),
    Column(
        "stage_not_evidenced",
        "flag",
        "阶段无证据",
        "Stage not evidenced",
        "汇报阶段缺少里程碑（未进入），或导出中没有列能说明（无法判断）。",
        "The reported stage misses a milestone (not entered), or no column of the export "
        "speaks for it (unjudged).",
    ),
    Column(
        "fails_evaluation",
        "flag",
        "未通过评估",
        "Fails the evaluation",
        "立项评估（go/no-go）加权总分低于及格线：按资料应放弃或降低接触层级。",
        "The go/no-go evaluation's weighted score is below the pass mark: by the material, "
        "drop the deal or lower the level of contact.",
    ),
    # The key roles' flags (funnel_analytics.roles), where a key-roles table lists the deal.
    *(_flag_column(name, "flag") for name in ROLE_FLAGS),
)
RISK_KEYS = tuple(c.name for c in RISK_FLAGS)


def procurement_risks(sync: pd.DataFrame) -> pd.DataFrame:
    """Flags from our stage against the customer's procurement stage
    (:func:`funnel_analytics.procurement.procurement_sync`): ``ahead_of_customer`` and
    ``behind_stalled`` per deal with a buying stage."""
    return pd.DataFrame(
        {
            "opportunity_id": sync["opportunity_id"].astype("object").to_numpy(),
            "ahead_of_customer": sync["sync"].eq("ahead").to_numpy(dtype=bool),
            "behind_stalled": sync["sync"].eq("behind_stalled").to_numpy(dtype=bool),
        }
    )


def evidence_risks(evidence: pd.DataFrame) -> pd.DataFrame:
    """Flags from the milestones and success criteria
    (:func:`funnel_analytics.stagecheck.stage_evidence`): ``stage_not_evidenced`` where the
    reported stage is not entered or unjudged."""
    return pd.DataFrame(
        {
            "opportunity_id": evidence["opportunity_id"].astype("object").to_numpy(),
            "stage_not_evidenced": evidence["evidence"]
            .isin(["not_entered", "unjudged"])
            .to_numpy(dtype=bool),
        }
    )


def evaluation_risks(deals: pd.DataFrame) -> pd.DataFrame:
    """Flags from the go/no-go evaluation (:func:`funnel_analytics.evaluation.score_deals` of
    the open deals with a factor value): ``fails_evaluation`` where the score is below the pass
    mark."""
    return pd.DataFrame(
        {
            "opportunity_id": deals["opportunity_id"].astype("object").to_numpy(),
            "fails_evaluation": deals["evaluation_pass"].eq(False).to_numpy(dtype=bool),
        }
    )


def roles_risks(deals: pd.DataFrame) -> pd.DataFrame:
    """Flags from the key roles' view (:func:`funnel_analytics.roles.role_deals`, the deals
    a key-roles table lists): ``single_contact``, ``no_decision_maker``, ``opposed`` (False
    where no stance is known) and ``no_coach``."""
    out = {"opportunity_id": deals["opportunity_id"].astype("object").to_numpy()}
    for flag in ("single_contact", "no_decision_maker", "opposed", "no_coach"):
        out[flag] = deals[flag].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class GradeInputs:
    """What grading needs, measured once from the data; thresholds only read it."""

    deals: pd.DataFrame  # opportunity_id, owner, amount, stage, days_in_stage, expected
    # close date, declared_grade, and one boolean column per available risk flag
    p_win: dict[str, float]  # calibrated P(win | reached stage), per open stage
    timing: dict[str, np.ndarray]  # stage -> days from entry to won, stages measured only
    as_of: pd.Timestamp
    entry_known: bool  # days in stage are dated (else unknown, counted as 0)
    has_declared: bool  # the data carries a declared customer grade
    flags: tuple[str, ...]  # the risk flags whose source the data has


def grade_inputs(
    snapshot: pd.DataFrame,
    history: StageHistory,
    ages: pd.DataFrame | None = None,
    entry_known: bool = True,
    risks: Iterable[pd.DataFrame] = (),
    calibration: pd.DataFrame | None = None,
) -> GradeInputs:
    """Gather the open deals of ``snapshot`` at a known open stage with their days in stage
    (``ages``: :func:`funnel_analytics.ageing.open_deal_ages`, measured when
    ``entry_known``), the calibrated probabilities (``calibration``, else calibrated from
    ``history``), each stage's measured times to win, and the risk flags of ``risks`` (frames
    of ``opportunity_id`` and boolean flag columns; a deal a source does not cover is not
    flagged by it)."""
    model: StageModel = history.model
    deals = open_deals(snapshot, model)
    ids = deals[O.opportunity_id].astype("object")
    n = len(deals)
    if ages is not None and len(ages) and entry_known:
        stays = ages.drop_duplicates(O.opportunity_id, keep="last").set_index(O.opportunity_id)
        days = ids.map(stays["days_in_stage"]).to_numpy(dtype="float64")
    else:
        days = np.full(n, np.nan)
    declared = (
        deals[O.grade].astype("object").where(deals[O.grade].notna(), None).to_numpy()
        if O.grade in deals
        else np.full(n, None, dtype=object)
    )
    frame = pd.DataFrame(
        {
            "opportunity_id": ids.to_numpy(),
            "owner": deals[O.owner].astype("object").to_numpy()
            if O.owner in deals
            else np.full(n, None, dtype=object),
            "amount": deals[O.amount].to_numpy(dtype="float64", na_value=np.nan)
            if O.amount in deals
            else np.full(n, np.nan),
            "stage": deals[O.stage].astype("object").to_numpy(),
            "days_in_stage": days,
            O.expected_close_date: pd.to_datetime(deals[O.expected_close_date]).to_numpy()
            if O.expected_close_date in deals
            else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "declared_grade": declared,
        }
    )
    flags: list[str] = []
    for source in risks:
        columns = [c for c in source.columns if c in RISK_KEYS and c not in flags]
        if not columns:
            continue
        by_id = source.drop_duplicates("opportunity_id").set_index("opportunity_id")
        for column in columns:
            frame[column] = frame["opportunity_id"].map(by_id[column]).eq(True).to_numpy(bool)
        flags += columns
    cal = calibrate(history) if calibration is None else calibration
    p_win = probabilities(cal, "calibrated")
    t = time_to_win(history)
    timing = {
        str(k): np.sort(g["days"].to_numpy(dtype="float64"))
        for k, g in t.groupby("stage")
        if len(g) >= MIN_TIMING
    }
    return GradeInputs(
        frame,
        {k: float(v) for k, v in p_win.items() if k in model.keys[:-1]},
        timing,
        pd.Timestamp(history.as_of),
        bool(entry_known),
        bool(pd.notna(frame["declared_grade"]).any()),
        tuple(k for k in RISK_KEYS if k in flags),
    )


# --- the tables --------------------------------------------------------------------------------
_P_WIN = Column(
    "p_win",
    "share",
    "校准赢单概率",
    "P(win), calibrated",
    "所在阶段的校准赢单概率：到达该阶段的商机中赢单 ÷ 已结束，向阶段模型的概率收缩。",
    "The stage's calibrated probability of winning: won ÷ closed among deals that reached it, "
    "shrunk towards the stage model's probability.",
)
_P_CLOSE = Column(
    "p_close",
    "share",
    "期内成交概率（若赢单）",
    "P(close in horizon | won)",
    "若赢单，在期限内成交的概率：该阶段实测的进入到赢单天数中，长于已停留天数者里在“已停留 + 期限”内的占比；"
    "未实测的阶段用预计成交日期（期限内为 1，之后为 0）。空白：没有日期或已逾期，视为不近。",
    "If won, the chance it closes within the horizon: among the stage's measured days from "
    "entry to won that are longer than the deal's days in stage, the share within those days "
    "plus the horizon; where the stage is not measured, the expected close date (1 within the "
    "horizon, 0 after). Blank: no date, or a date already past: not soon.",
)
_P_WON_IN = Column(
    "p_won_in_horizon",
    "share",
    "期内赢单概率",
    "P(won in horizon)",
    "赢单概率 × 期内成交概率（仅供参考，不用于分级）。",
    "P(win) × P(close in horizon | won), for reference (it grades nothing).",
)
_TIMING = Column(
    "timing",
    "text",
    "成交时间依据",
    "Timing from",
    "期内成交概率的依据：阶段实测的赢单时间、预计成交日期、预计成交日期已过、或无。",
    "What p_close rests on: the stage's measured times to win, the expected close date, an "
    "expected close date already past, or nothing.",
    values="grade_timing_",
)
_SUGGESTED = Column(
    "suggested_grade",
    "text",
    "建议等级",
    "Suggested grade",
    "按赢单概率与期内成交概率建议的客户等级 A–D。",
    "The customer grade A–D suggested by P(win) and P(close in horizon).",
)
_DECLARED = Column(
    "declared_grade",
    "text",
    "填报等级",
    "Declared grade",
    "导出中填写的客户等级 A–D；空白为未填。",
    "The customer grade A–D the export declares; blank where none.",
)
_RISKS = Column(
    "risks",
    "count",
    "风险标记数",
    "Risk flags",
    "该商机带有的风险标记个数。",
    "How many risk flags the deal carries.",
)
DEAL_COLUMNS = [
    "opportunity_id",
    "owner",
    "amount",
    "stage",
    "days_in_stage",
    "p_win",
    "p_close",
    "p_won_in_horizon",
    "timing",
    "suggested_grade",
    "declared_grade",
]
GRADE_DEALS = table(
    "grades",
    *DEAL_COLUMNS,
    "risks",
    local=[_P_WIN, _P_CLOSE, _P_WON_IN, _TIMING, _SUGGESTED, _DECLARED, _RISKS, *RISK_FLAGS],
)
_AMOUNT_SHARE = Column(
    "amount_share",
    "share",
    "占在手金额",
    "Share of open amount",
    "该等级商机金额 ÷ 全部在手商机金额。",
    "The grade's amount ÷ the open amount of every graded deal.",
)
SUMMARY_COLUMNS = ["suggested_grade", "count", "amount", "amount_share", "at_risk"]
GRADE_SUMMARY = table(
    "grade_summary",
    *SUMMARY_COLUMNS,
    local=[
        _SUGGESTED,
        _AMOUNT_SHARE,
        Column(
            "at_risk",
            "count",
            "有风险标记",
            "With a risk flag",
            "该等级中带有至少一个风险标记的商机数。",
            "Deals of the grade with at least one risk flag.",
        ),
    ],
)
MATRIX_COLUMNS = ["declared_grade", "suggested_grade", "count", "amount"]
GRADE_MATRIX = table("grade_matrix", *MATRIX_COLUMNS, local=[_SUGGESTED, _DECLARED])
OWNER_COLUMNS = [
    "owner",
    "deals",
    "amount",
    "grade_a_count",
    "grade_a_share",
    "declared",
    "agree",
    "declared_higher",
    "declared_lower",
    "agreement",
]
GRADES_BY_OWNER = table(
    "grades_by_owner",
    *OWNER_COLUMNS,
    local=[
        Column(
            "grade_a_count",
            "count",
            "建议 A 级",
            "Suggested A",
            "建议等级为 A 的在手商机数。",
            "Open deals whose suggested grade is A.",
        ),
        Column(
            "grade_a_share",
            "share",
            "A 级金额占比",
            "A share of amount",
            "建议 A 级的金额 ÷ 该负责人的在手金额。",
            "Amount graded A ÷ the owner's open amount.",
        ),
        Column(
            "declared",
            "count",
            "已填等级",
            "Declared",
            "填写了客户等级的在手商机数。",
            "Open deals with a declared grade.",
        ),
        Column(
            "agree",
            "count",
            "一致",
            "Agree",
            "填报等级与建议等级相同的商机数。",
            "Deals whose declared grade is the suggested one.",
        ),
        Column(
            "declared_higher",
            "count",
            "填报偏高",
            "Declared higher",
            "填报等级高于建议等级（如填 A、建议 C）的商机数：比数据乐观。",
            "Deals declared a better grade than suggested (A declared, C suggested): more "
            "optimistic than the data.",
        ),
        Column(
            "declared_lower",
            "count",
            "填报偏低",
            "Declared lower",
            "填报等级低于建议等级的商机数：比数据保守。",
            "Deals declared a worse grade than suggested: more cautious than the data.",
        ),
        Column(
            "agreement",
            "share",
            "一致率",
            "Agreement",
            "一致 ÷ 已填等级。",
            "Agree ÷ declared.",
        ),
    ],
)
AT_RISK_COLUMNS = ["opportunity_id", "owner", "amount", "stage", "p_win", "p_close", "timing"]
GRADE_AT_RISK = table(
    "grade_at_risk",
    *AT_RISK_COLUMNS,
    "declared_grade",
    "risks",
    local=[_P_WIN, _P_CLOSE, _TIMING, _DECLARED, _RISKS, *RISK_FLAGS],
)


@dataclass(frozen=True)
class GradeView:
    """The suggested grades of the open deals under one setting of the thresholds, and what
    the page and the report read from them."""

    inputs: GradeInputs
    settings: GradeSettings
    deals: pd.DataFrame  # GRADE_DEALS, the largest amount first
    summary: pd.DataFrame  # GRADE_SUMMARY, A to D
    matrix: pd.DataFrame  # GRADE_MATRIX: declared × suggested, every pair (empty: no grade)
    by_owner: pd.DataFrame  # GRADES_BY_OWNER
    at_risk: pd.DataFrame  # GRADE_AT_RISK: A deals with a flag, the largest amount first
    timing_counts: dict[str, int] = field(default_factory=dict)  # deals per TIMING_SOURCES

    @property
    def flags(self) -> tuple[str, ...]:
        return self.inputs.flags

    @property
    def has_declared(self) -> bool:
        return self.inputs.has_declared

    @property
    def a_amount_share(self) -> float | None:
        """Share of the open amount graded A (None without open amount)."""
        total = float(self.summary["amount"].sum())
        if not total > 0:
            return None
        return float(self.summary.loc[self.summary["suggested_grade"] == "A", "amount"].sum()) / (
            total
        )

    @property
    def agreement(self) -> dict:
        """Declared against suggested over the deals with a declared grade: ``declared``,
        ``agree``, ``declared_higher``, ``declared_lower`` and ``share`` (agree ÷ declared;
        None without a declared grade)."""
        m = self.matrix
        if m.empty:
            return {
                "declared": 0,
                "agree": 0,
                "declared_higher": 0,
                "declared_lower": 0,
                "share": None,
            }
        d = m["declared_grade"].map(GRADES.index)
        s = m["suggested_grade"].map(GRADES.index)
        declared = int(m["count"].sum())
        agree = int(m.loc[d == s, "count"].sum())
        return {
            "declared": declared,
            "agree": agree,
            "declared_higher": int(m.loc[d < s, "count"].sum()),
            "declared_lower": int(m.loc[d > s, "count"].sum()),
            "share": agree / declared if declared else None,
        }

    @property
    def measured_stages(self) -> tuple[str, ...]:
        """The open stages whose time to win is measured."""
        return tuple(k for k in self.inputs.p_win if k in self.inputs.timing)

    def to_dict(self) -> dict:
        """``report --json``'s ``grades`` key (see the README)."""
        from .export import json_records

        return {
            "settings": self.settings.to_dict(),
            "declared": self.has_declared,
            "flags": list(self.flags),
            "measured_stages": list(self.measured_stages),
            "timing": dict(self.timing_counts),
            "a_amount_share": self.a_amount_share,
            "agreement": self.agreement,
            "by_grade": json_records(self.summary),
            "matrix": json_records(self.matrix),
            "by_owner": json_records(self.by_owner),
            "at_risk": json_records(self.at_risk),
            "deals": json_records(self.deals),
        }


def declared_matrix(deals: pd.DataFrame, owner: str | None = None) -> pd.DataFrame:
    """Deals with a declared grade per (declared, suggested) pair, every one of the 16 pairs
    (A–D × A–D), with their amount; of one ``owner``'s deals when given."""
    if owner is not None:
        deals = deals[deals["owner"].astype("object").fillna("") == owner]
    graded = deals[deals["declared_grade"].isin(GRADES)]
    pairs = pd.MultiIndex.from_product([GRADES, GRADES], names=MATRIX_COLUMNS[:2])
    matrix = (
        graded.assign(_amount=graded["amount"].fillna(0.0))
        .groupby(["declared_grade", "suggested_grade"])
        .agg(count=("opportunity_id", "size"), amount=("_amount", "sum"))
        .reindex(pairs, fill_value=0)
        .reset_index()
    )
    matrix["count"] = matrix["count"].astype("int64")
    matrix["amount"] = matrix["amount"].astype("float64")
    return matrix[MATRIX_COLUMNS]


def _owner_table(deals: pd.DataFrame, has_declared: bool) -> pd.DataFrame:
    owner = deals["owner"].astype("object").fillna("")
    amount = deals["amount"].fillna(0.0)
    is_a = deals["suggested_grade"].eq("A")
    frame = pd.DataFrame(
        {"owner": owner, "amount": amount, "is_a": is_a, "a_amount": amount * is_a}
    )
    if has_declared:
        declared = deals["declared_grade"].map({g: i for i, g in enumerate(GRADES)})
        suggested = deals["suggested_grade"].map({g: i for i, g in enumerate(GRADES)})
        frame["declared"] = declared.notna()
        frame["agree"] = declared.eq(suggested)
        frame["declared_higher"] = declared.lt(suggested)
        frame["declared_lower"] = declared.gt(suggested)
    g = frame.groupby("owner", sort=False)
    out = pd.DataFrame(
        {
            "deals": g.size(),
            "amount": g["amount"].sum(),
            "grade_a_count": g["is_a"].sum().astype("int64"),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["grade_a_share"] = g["a_amount"].sum() / out["amount"].where(out["amount"] > 0)
    if has_declared:
        for column in ("declared", "agree", "declared_higher", "declared_lower"):
            out[column] = g[column].sum().astype("int64")
        out["agreement"] = out["agree"] / out["declared"].where(out["declared"] > 0)
    out = out.rename_axis("owner").reset_index()
    out = out.sort_values(["amount", "owner"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[[c for c in OWNER_COLUMNS if c in out]]


def grade_view(inputs: GradeInputs, settings: GradeSettings = DEFAULT_SETTINGS) -> GradeView:
    """Grade every open deal of ``inputs`` under ``settings`` (module docstring): the deals,
    the open amount per grade, declared × suggested (where the data declares grades), per
    owner, and the A deals at risk.

    Examples
    --------
    >>> from funnel_analytics.report import build_report
    >>> from funnel_analytics.workspace import load_workspace
    >>> ws = load_workspace()
    >>> view = build_report(ws.observations, ws.stage_model).grades
    >>> round(view.a_amount_share, 3), round(view.agreement["share"], 3)
    (0.164, 0.274)
    """
    base = inputs.deals
    p_win = base["stage"].map(inputs.p_win).to_numpy(dtype="float64")
    p_close, timing = close_probability(base, inputs.timing, inputs.as_of, settings.horizon_days)
    flags = list(inputs.flags)
    deals = base[["opportunity_id", "owner", "amount", "stage", "days_in_stage"]].assign(
        p_win=p_win,
        p_close=p_close,
        p_won_in_horizon=p_win * p_close,
        timing=timing,
        suggested_grade=suggest_grade(p_win, p_close, settings),
        declared_grade=base["declared_grade"].to_numpy(),
    )
    for flag in flags:
        deals[flag] = base[flag].to_numpy(dtype=bool)
    deals["risks"] = (
        deals[flags].sum(axis=1).astype("int64") if flags else np.zeros(len(deals), dtype="int64")
    )
    deals = deals.sort_values(
        ["amount", "opportunity_id"], ascending=[False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)
    amount = deals["amount"].fillna(0.0)
    total = float(amount.sum())
    grouped = deals.assign(_amount=amount, _risk=deals["risks"] > 0).groupby("suggested_grade")
    summary = (
        pd.DataFrame(
            {
                "count": grouped.size(),
                "amount": grouped["_amount"].sum(),
                "at_risk": grouped["_risk"].sum(),
            }
        )
        .reindex(list(GRADES))
        .fillna(0)
        .rename_axis("suggested_grade")
        .reset_index()
    )
    summary["count"] = summary["count"].astype("int64")
    summary["at_risk"] = summary["at_risk"].astype("int64")
    summary["amount_share"] = summary["amount"] / total if total > 0 else np.nan
    summary = summary[SUMMARY_COLUMNS]
    matrix = declared_matrix(deals) if inputs.has_declared else pd.DataFrame(columns=MATRIX_COLUMNS)
    at_risk = deals[deals["suggested_grade"].eq("A") & (deals["risks"] > 0)]
    at_risk = at_risk[[*AT_RISK_COLUMNS, "declared_grade", *flags, "risks"]].reset_index(drop=True)
    counts = pd.Series(timing).value_counts()
    return GradeView(
        inputs=inputs,
        settings=settings,
        deals=deals[[*DEAL_COLUMNS, *flags, "risks"]],
        summary=summary,
        matrix=matrix,
        by_owner=_owner_table(deals, inputs.has_declared),
        at_risk=at_risk,
        timing_counts={k: int(counts.get(k, 0)) for k in TIMING_SOURCES},
    )


# --- would the grade have told? -------------------------------------------------------------------
BACKTEST_COLUMNS = [
    "grade",
    "suggested_deals",
    "suggested_won",
    "suggested_rate",
    "suggested_rate_low",
    "suggested_rate_high",
    "declared_deals",
    "declared_won",
    "declared_rate",
    "declared_rate_low",
    "declared_rate_high",
]


def _backtest_columns() -> list[Column]:
    out = []
    for key, zh, en in (("suggested", "建议", "Suggested"), ("declared", "填报", "Declared")):
        out += [
            Column(
                f"{key}_deals",
                "count",
                f"{zh}·商机",
                f"{en} · deals",
                f"当时{zh}为该等级的进行中商机数。",
                f"Deals open then whose {en.lower()} grade was this one.",
            ),
            Column(
                f"{key}_won",
                "count",
                f"{zh}·期内赢单",
                f"{en} · won in horizon",
                "其中在随后的期限内赢单的个数。",
                "Of those, the deals won within the horizon that followed.",
            ),
            Column(
                f"{key}_rate",
                "share",
                f"{zh}·期内赢单率",
                f"{en} · share won",
                "期内赢单 ÷ 商机。",
                "Won in horizon ÷ deals.",
            ),
            Column(
                f"{key}_rate_low",
                "share",
                f"{zh}·下限",
                f"{en} · low",
                "95% 区间下限（Wilson）。",
                "Lower bound of the 95% interval (Wilson).",
            ),
            Column(
                f"{key}_rate_high",
                "share",
                f"{zh}·上限",
                f"{en} · high",
                "95% 区间上限（Wilson）。",
                "Upper bound of the 95% interval (Wilson).",
            ),
        ]
    return out


GRADE_BACKTEST = table("grade_backtest", *BACKTEST_COLUMNS, local=_backtest_columns())


@dataclass(frozen=True)
class GradeBacktest:
    """The open deals of a past snapshot, graded from the data up to that date only, and how
    many of each grade (suggested, and declared where the data has it) were won within the
    horizon that followed."""

    graded_at: pd.Timestamp  # the past snapshot
    until: pd.Timestamp  # graded_at + the horizon
    table: pd.DataFrame  # GRADE_BACKTEST, A to D
    has_declared: bool


def grade_backtest(
    observations: pd.DataFrame,
    history: StageHistory,
    settings: GradeSettings = DEFAULT_SETTINGS,
) -> GradeBacktest | None:
    """Grade the deals open at the latest snapshot at least ``settings.horizon_months`` before
    the history's date, from the observations up to then alone (P(win) and times to win as
    measured then), and count the deals of each grade won within the horizon after it (won
    moves of ``history``, the data to its date). None when no snapshot is that old.

    The same rates by the declared grade say whether the suggested grade tells more than the
    reps' own."""
    from .ageing import open_deal_ages, stage_entry_known
    from .conversion import wilson_interval
    from .funnel import current_deals
    from .history import stage_history

    as_of = pd.Timestamp(history.as_of)
    cutoff = as_of - pd.DateOffset(months=int(settings.horizon_months))
    dates = pd.to_datetime(pd.Series(observations[O.snapshot_date].dropna().unique()))
    past = dates[dates <= cutoff]
    if past.empty:
        return None
    then = pd.Timestamp(past.max())
    until = then + pd.DateOffset(months=int(settings.horizon_months))
    earlier = observations[observations[O.snapshot_date] <= then]
    past_history = stage_history(earlier, history.model, then)
    inputs = grade_inputs(
        current_deals(earlier, then),
        past_history,
        open_deal_ages(past_history, earlier),
        stage_entry_known(past_history, earlier),
    )
    deals = grade_view(inputs, settings).deals
    moves = history.moves
    won = moves[(moves["kind"] == "won") & (moves["date"] > then) & (moves["date"] <= until)]
    deals = deals.assign(_won=deals["opportunity_id"].isin(set(won[O.opportunity_id])))
    out = pd.DataFrame({"grade": list(GRADES)})
    for key in ("suggested", "declared"):
        g = deals.groupby(f"{key}_grade")["_won"].agg(["size", "sum"]).reindex(list(GRADES))
        n = g["size"].fillna(0).to_numpy(dtype="int64")
        k = g["sum"].fillna(0).to_numpy(dtype="int64")
        low, high = wilson_interval(k, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        out[f"{key}_deals"], out[f"{key}_won"], out[f"{key}_rate"] = n, k, rate
        out[f"{key}_rate_low"], out[f"{key}_rate_high"] = low, high
    if not inputs.has_declared:
        out = out[[c for c in BACKTEST_COLUMNS if not c.startswith("declared")]]
    return GradeBacktest(then, until, out, inputs.has_declared)

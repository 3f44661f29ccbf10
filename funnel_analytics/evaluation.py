"""The go/no-go evaluation (``domain.md`` §6, §7): does a deal pass the team's own model?

Before pursuing an opportunity, the material scores it against a model set up in advance:
project grade, funding, technical fit, relationship, customer credit and the competition
(product, price, solution, service); pass, move on; fail, drop it or lower the level of
contact. A stage model declares that model (:class:`~funnel_analytics.stages.Evaluation`:
factors, weights, a pass mark); the built-in models of the Chinese material carry
:data:`~funnel_analytics.stages.DEFAULT_EVALUATION`.

An export carries it as optional columns ``factor.<key>`` (项目等级, 资金落实, 技术符合度,
客户关系, 客户信用, 竞争态势 …), each a score from 0 to the factor's scale (5 by default), or
a word the factor reads (A–D, 高/中/低, 已落实/部分落实/未落实, 领先/持平/落后 …).

- **Score** of a deal: 100 × Σ weight × (score ÷ scale) ÷ Σ weight, over the factors the deal
  has a value for (a blank is not a zero: it is left out, and ``factors_scored`` says how many
  counted); no value at all, no score.
- **Pass**: a score at or above the pass mark (60 by default).
- **Lift** of a factor: over deals that closed, each judged at its last open observation (by
  its closed row where no export saw it open), the win rate of deals with the factor *high*
  (at least ``high_share`` of its scale: 3 of 5 by default) minus the win rate with it low;
  each rate with its Wilson 95% interval, the lift with Newcombe's interval for a difference
  of two proportions (built from the two Wilson intervals). The same for passing against
  failing. A lift whose interval lies above zero says the factor told winners from losers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contracts import Column, table
from .schema import Opportunities as O
from .stages import LOST, OPEN, WON, Evaluation, StageModel
from .values import parse_factor

__all__ = [
    "EVALUATION_DEALS",
    "FACTOR_LIFT",
    "EvaluationView",
    "evaluation_view",
    "factor_lift",
    "parse_factor",  # from values, where the loader reads it
    "score_deals",
]

MIN_CLOSED = 5  # below this many closed deals on either side a lift is flagged "too few"


def _factor_column(key: str) -> str:
    return f"factor_{key}"


EVALUATION_DEALS = table(
    "evaluation_deals",
    "opportunity_id",
    "owner",
    "amount",
    "stage",
    "factors_scored",
    "evaluation_score",
    "evaluation_pass",
    families=("factor_",),
    local=[
        Column(
            "factors_scored",
            "count",
            "已评因素数",
            "Factors scored",
            "该商机有值的评估因素个数（空白不计，也不算 0 分）。",
            "How many evaluation factors the deal has a value for (a blank is left out, not 0).",
        ),
        Column(
            "evaluation_score",
            "number",
            "评估得分",
            "Evaluation score",
            "100 × Σ 权重 × (得分 ÷ 满分) ÷ Σ 权重，只计有值的因素。",
            "100 × Σ weight × (score ÷ scale) ÷ Σ weight, over the factors with a value.",
        ),
        Column(
            "evaluation_pass",
            "flag",
            "通过评估",
            "Passes",
            "评估得分达到及格线（默认 60）。",
            "The evaluation score is at the pass mark (60 by default) or above.",
        ),
    ],
)


def score_deals(frame: pd.DataFrame, evaluation: Evaluation) -> pd.DataFrame:
    """Each row's factor scores (``factor_<key>``, on the factor's scale), how many factors it
    has a value for, its weighted score out of 100 and whether it passes.

    ``frame`` holds ``factor.<key>`` columns as loaded (scores; any missing is all blank).

    >>> from funnel_analytics.stages import DEFAULT_EVALUATION
    >>> deals = pd.DataFrame({"factor.funding": [5.0, 0.0], "factor.technical_fit": [3.0, 5.0]})
    >>> score_deals(deals, DEFAULT_EVALUATION)[["evaluation_score", "evaluation_pass"]].round(1)
       evaluation_score  evaluation_pass
    0              82.2             True
    1              44.4            False
    """
    out = pd.DataFrame(index=frame.index)
    weighted = np.zeros(len(frame))
    weights = np.zeros(len(frame))
    scored = np.zeros(len(frame), dtype="int64")
    for f in evaluation.factors:
        column = frame[f.column] if f.column in frame else pd.Series(np.nan, index=frame.index)
        values = pd.to_numeric(column, errors="coerce").astype("float64")
        out[_factor_column(f.key)] = values
        has = values.notna().to_numpy()
        weighted += np.where(has, f.weight * values.fillna(0).to_numpy() / f.scale, 0.0)
        weights += np.where(has, f.weight, 0.0)
        scored += has
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weights > 0, 100 * weighted / weights, np.nan)
    out["factors_scored"] = scored
    out["evaluation_score"] = score
    out["evaluation_pass"] = pd.array(
        np.where(np.isnan(score), None, score >= evaluation.pass_mark - 1e-9), dtype="boolean"
    )
    return out


_RATE = ("closed", "won", "win_rate", "win_rate_low", "win_rate_high")


def _local(
    name: str, kind: str, zh: str, en: str, about_zh: str, about_en: str, values: str = ""
) -> Column:
    return Column(name, kind, zh, en, about_zh, about_en, values)


LIFT_COLUMNS = [
    "factor",
    "closed_high",
    "won_high",
    "win_rate_high",
    "win_rate_high_low",
    "win_rate_high_high",
    "closed_low",
    "won_low",
    "win_rate_low_side",
    "win_rate_low_side_low",
    "win_rate_low_side_high",
    "lift",
    "lift_low",
    "lift_high",
    "too_few",
]
FACTOR_LIFT = table(
    "factor_lift",
    *LIFT_COLUMNS,
    local=[
        _local(
            "factor",
            "text",
            "评估因素",
            "Factor",
            "评估模型中的因素；“通过评估”为加权总分达到及格线。",
            "A factor of the evaluation model; “passes” is the weighted score at the pass mark.",
            "factor_name_",
        ),
        _local(
            "closed_high",
            "count",
            "已结束·高",
            "Closed · high",
            "该因素为高（通过）的已结束商机数。",
            "Closed deals with the factor high (or passing).",
        ),
        _local(
            "won_high",
            "count",
            "赢单·高",
            "Won · high",
            "其中赢单的数量。",
            "Of them, won.",
        ),
        _local(
            "win_rate_high",
            "share",
            "赢率·高",
            "Win rate · high",
            "赢单 ÷ 已结束（因素为高）。",
            "Won ÷ closed, with the factor high.",
        ),
        _local(
            "win_rate_high_low",
            "share",
            "赢率·高 下限",
            "Win rate · high, low",
            "Wilson 95% 区间下限。",
            "Wilson 95% lower bound.",
        ),
        _local(
            "win_rate_high_high",
            "share",
            "赢率·高 上限",
            "Win rate · high, high",
            "Wilson 95% 区间上限。",
            "Wilson 95% upper bound.",
        ),
        _local(
            "closed_low",
            "count",
            "已结束·低",
            "Closed · low",
            "该因素为低（未通过）的已结束商机数。",
            "Closed deals with the factor low (or failing).",
        ),
        _local(
            "won_low",
            "count",
            "赢单·低",
            "Won · low",
            "其中赢单的数量。",
            "Of them, won.",
        ),
        _local(
            "win_rate_low_side",
            "share",
            "赢率·低",
            "Win rate · low",
            "赢单 ÷ 已结束（因素为低）。",
            "Won ÷ closed, with the factor low.",
        ),
        _local(
            "win_rate_low_side_low",
            "share",
            "赢率·低 下限",
            "Win rate · low, low",
            "Wilson 95% 区间下限。",
            "Wilson 95% lower bound.",
        ),
        _local(
            "win_rate_low_side_high",
            "share",
            "赢率·低 上限",
            "Win rate · low, high",
            "Wilson 95% 区间上限。",
            "Wilson 95% upper bound.",
        ),
        _local(
            "lift",
            "share",
            "提升",
            "Lift",
            "赢率·高 − 赢率·低（百分点）。",
            "Win rate high − win rate low (percentage points).",
        ),
        _local(
            "lift_low",
            "share",
            "提升下限",
            "Lift, low",
            "Newcombe 95% 区间下限（由两个 Wilson 区间合成）。",
            "Newcombe 95% lower bound (from the two Wilson intervals).",
        ),
        _local(
            "lift_high",
            "share",
            "提升上限",
            "Lift, high",
            "Newcombe 95% 区间上限。",
            "Newcombe 95% upper bound.",
        ),
        _local(
            "too_few",
            "flag",
            "样本太少",
            "Too few",
            "任一侧已结束商机少于 5 个：仅供参考。",
            "Fewer than 5 closed deals on either side: indicative only.",
        ),
    ],
)
PASS_ROW = "evaluation_pass"  # the lift table's row for passing against failing


def _side(won: np.ndarray) -> tuple[int, int, float, float, float]:
    from .conversion import wilson_interval

    n, k = len(won), int(won.sum())
    lo, hi = wilson_interval(k, n)
    return n, k, (k / n if n else np.nan), float(lo), float(hi)


def factor_lift(scored: pd.DataFrame, won: pd.Series, evaluation: Evaluation) -> pd.DataFrame:
    """Per factor the data has, then for passing (row ``evaluation_pass``): win rates of closed
    deals with the factor high against low, with Wilson intervals, and the lift between them
    with Newcombe's interval. ``scored`` is :func:`score_deals` of the closed deals, ``won``
    (aligned) whether each was won. Deals without a value for the factor are left out of its
    row. Empty when no deal has closed.

    >>> from funnel_analytics.stages import DEFAULT_EVALUATION
    >>> closed = pd.DataFrame({"factor.funding": [5.0] * 10 + [0.0] * 10})
    >>> won = pd.Series([True] * 8 + [False] * 2 + [True] * 2 + [False] * 8)
    >>> row = factor_lift(score_deals(closed, DEFAULT_EVALUATION), won, DEFAULT_EVALUATION).iloc[0]
    >>> row["factor"], [round(float(row[c]), 3) for c in ("lift", "lift_low", "lift_high")]
    ('funding', [0.6, 0.162, 0.803])
    """
    rows = []
    won = pd.Series(won, index=scored.index).astype(bool)
    sides: list[tuple[str, pd.Series]] = []
    for f in evaluation.factors:
        values = scored[_factor_column(f.key)]
        if values.notna().any():
            sides.append((f.key, values.dropna() >= evaluation.high_share * f.scale - 1e-9))
    passing = scored["evaluation_pass"].dropna().astype(bool)
    if len(passing):
        sides.append((PASS_ROW, passing))
    for key, high in sides:
        w = won.loc[high.index].to_numpy(dtype=bool)
        h = high.to_numpy(dtype=bool)
        n1, k1, p1, l1, u1 = _side(w[h])
        n2, k2, p2, l2, u2 = _side(w[~h])
        lift = p1 - p2
        rows.append(
            {
                "factor": key,
                "closed_high": n1,
                "won_high": k1,
                "win_rate_high": p1,
                "win_rate_high_low": l1,
                "win_rate_high_high": u1,
                "closed_low": n2,
                "won_low": k2,
                "win_rate_low_side": p2,
                "win_rate_low_side_low": l2,
                "win_rate_low_side_high": u2,
                "lift": lift,
                # Newcombe (1998), method 10: the difference's interval from the two Wilson ones.
                "lift_low": lift - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
                "lift_high": lift + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
                "too_few": bool(min(n1, n2) < MIN_CLOSED),
            }
        )
    out = pd.DataFrame(rows, columns=LIFT_COLUMNS)
    for c in ("closed_high", "won_high", "closed_low", "won_low"):
        out[c] = out[c].astype("int64")
    out["too_few"] = out["too_few"].astype(bool)
    return out


@dataclass(frozen=True)
class EvaluationView:
    """The go/no-go evaluation of the open deals, and how well each factor told the closed
    deals' winners from their losers."""

    evaluation: Evaluation | None  # the model's, None where it declares none
    factors: tuple[str, ...]  # the factor keys the data has a column for
    deals: pd.DataFrame  # EVALUATION_DEALS of the open deals with any factor value
    lift: pd.DataFrame  # FACTOR_LIFT
    open_deals: int = 0
    closed_judged: int = 0  # closed deals with any factor value, judged for the lift
    judged_at_close: int = 0  # of them, judged by their closed row (never seen open)

    @property
    def declared(self) -> bool:
        return self.evaluation is not None

    @property
    def has_columns(self) -> bool:
        return bool(self.factors)

    def totals(self) -> dict:
        """Open deals scored, passing and failing, with their amounts."""
        deals = self.deals
        passing = deals["evaluation_pass"].fillna(False).astype(bool)
        amount = deals["amount"].fillna(0)
        return {
            "scored": len(deals),
            "scored_amount": float(amount.sum()),
            "passed": int(passing.sum()),
            "passed_amount": float(amount[passing].sum()),
            "failed": int((~passing).sum()),
            "failed_amount": float(amount[~passing].sum()),
            "pass_share": (float(passing.mean()) if len(deals) else None),
        }

    def to_dict(self) -> dict:
        """``report --json``'s ``evaluation`` key (see the README)."""
        from .export import json_records

        ev = self.evaluation
        return {
            "declared": self.declared,
            "model": None
            if ev is None
            else {
                "pass_mark": ev.pass_mark,
                "high_share": ev.high_share,
                "factors": [
                    {"key": f.key, "zh": f.zh, "en": f.en, "weight": f.weight, "scale": f.scale}
                    for f in ev.factors
                ],
            },
            "factors": list(self.factors),
            "open_deals": self.open_deals,
            **self.totals(),
            "closed_judged": self.closed_judged,
            "judged_at_close": self.judged_at_close,
            "lift": json_records(self.lift),
            "deals": json_records(self.deals),
        }


def _empty_deals(evaluation: Evaluation | None) -> pd.DataFrame:
    factors = [] if evaluation is None else [_factor_column(f.key) for f in evaluation.factors]
    cols = ["opportunity_id", "owner", "amount", "stage", *factors]
    return pd.DataFrame(columns=[*cols, "factors_scored", "evaluation_score", "evaluation_pass"])


def evaluation_view(
    observations: pd.DataFrame, snapshot: pd.DataFrame, model: StageModel
) -> EvaluationView:
    """The go/no-go evaluation under ``model``'s factors: per open deal of ``snapshot`` (the
    deals as of the as-of date) its factor scores, weighted score and pass; over the closed
    deals of ``observations``, each factor's lift (:func:`factor_lift`).

    Examples
    --------
    >>> from funnel_analytics.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> view = evaluation_view(ws.observations, ws.observations, ws.stage_model)  # doctest: +SKIP
    """
    ev = model.evaluation
    open_rows = snapshot[snapshot[O.status] == OPEN]
    if ev is None:
        return EvaluationView(None, (), _empty_deals(None), factor_lift_empty(), len(open_rows))
    factors = tuple(f.key for f in ev.factors if f.column in observations.columns)
    if not factors:
        return EvaluationView(ev, (), _empty_deals(ev), factor_lift_empty(), len(open_rows))
    scored = score_deals(open_rows, ev)
    deals = pd.concat(
        [
            open_rows[[O.opportunity_id, O.owner, O.amount, O.stage]].reset_index(drop=True),
            scored.reset_index(drop=True),
        ],
        axis=1,
    )
    deals = deals[deals["factors_scored"] > 0].sort_values(
        ["evaluation_score", O.amount], ascending=[True, False], kind="stable"
    )
    closed, at_close = _closed_judged(observations)
    closed_scored = score_deals(closed, ev)
    has_any = closed_scored["factors_scored"] > 0
    closed_scored = closed_scored[has_any]
    lift = factor_lift(closed_scored, closed.loc[has_any, "_won"], ev)
    return EvaluationView(
        ev,
        factors,
        deals.reset_index(drop=True),
        lift,
        len(open_rows),
        int(has_any.sum()),
        int((has_any & at_close).sum()),
    )


def factor_lift_empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in LIFT_COLUMNS}).astype(
        {"factor": "object", "too_few": bool}
    )


def _closed_judged(observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Each closed deal's last open observation (where it stood before it closed), or its
    closed row where no export saw it open; ``_won`` says how it ended, the second value
    which rows are closed rows."""
    by_date = observations.sort_values(O.snapshot_date, kind="stable")
    final = by_date.drop_duplicates(O.opportunity_id, keep="last").set_index(O.opportunity_id)
    outcome = final[O.status]
    closed_ids = outcome[outcome.isin([WON, LOST])].index
    mine = by_date[by_date[O.opportunity_id].isin(closed_ids)]
    last_open = mine[mine[O.status] == OPEN].drop_duplicates(O.opportunity_id, keep="last")
    never_open = final.loc[closed_ids.difference(pd.Index(last_open[O.opportunity_id]))]
    rows = pd.concat([last_open, never_open.reset_index()], ignore_index=True)
    at_close = pd.Series(
        np.r_[np.zeros(len(last_open), bool), np.ones(len(never_open), bool)], index=rows.index
    )
    rows["_won"] = rows[O.opportunity_id].map(outcome).eq(WON).to_numpy(dtype=bool)
    return rows, at_close

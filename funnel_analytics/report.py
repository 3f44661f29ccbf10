"""The funnel-movement report: one JSON-ready object and the tables behind it.

:func:`build_report` gathers the funnel, conversion, win rates, transitions, regressions,
time in stage, stalled deals and pipeline changes of a set of observations; the CLI prints it
(``funnel-analytics report --json``) or writes its tables to a workbook (``--output``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from .evaluation import EvaluationView, evaluation_view
from .export import json_records
from .funnel import as_of_dates, current_deals, funnel_counts, is_history_log
from .grading import (
    GradeView,
    evaluation_risks,
    evidence_risks,
    grade_inputs,
    grade_view,
    procurement_risks,
    roles_risks,
)
from .history import StageHistory, stage_history
from .procurement import ProcurementView, procurement_view
from .reality import deal_reality, effective_observations, has_evidence, stage_inflation
from .roles import RoleRule, RoleView, consensus_by_snapshot, role_view
from .schema import Opportunities as O
from .stagecheck import EVIDENCE_STATUSES
from .stages import StageModel
from .views import (
    AgeingView,
    ConversionView,
    MovementView,
    StageCheckView,
    ageing_view,
    conversion_view,
    movement_view,
    stage_check_view,
)

__all__ = [
    "FunnelReport",
    "build_report",
]


@dataclass(frozen=True)
class FunnelReport:
    """The report's tables (for pages and workbooks) and its JSON object (for scripts)."""

    tables: dict[str, pd.DataFrame]
    data: dict
    history: StageHistory | None = None
    # The movement pages' own views, from which the tables above were taken.
    conversion: ConversionView | None = None
    ageing: AgeingView | None = None
    movement: MovementView | None = None
    stage_check: StageCheckView | None = None
    procurement: ProcurementView | None = None
    reality: pd.DataFrame | None = None  # deal_reality of the open deals (reality.py)
    inflation: pd.DataFrame | None = None  # stage_inflation per owner
    roles: RoleView | None = None
    grades: GradeView | None = None  # suggested grades under the default thresholds
    evaluation: EvaluationView | None = None  # the go/no-go evaluation (evaluation factors)


def build_report(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    *,
    outlook: bool = False,
    target: float | None = None,
    runs: int | None = None,
    seed: int | None = None,
    stages: str = "reported",
    roles: pd.DataFrame | None = None,
    role_rule: RoleRule | None = None,
    role_files: tuple[dict, ...] = (),
) -> FunnelReport:
    """Every movement view of ``observations`` up to ``as_of`` (default: the latest date).

    Pipeline changes compare the latest snapshot on or before ``as_of`` with the one before
    it; win rates count the deals closed (by their close dates) in the
    :data:`CLOSED_PERIOD_MONTHS` months to ``as_of``. With ``outlook``, the report also
    holds the plan for ``target``, the forecast (``runs`` Monte Carlo runs, ``seed``), the
    calibrated probabilities and the scorecard (:func:`funnel_analytics.outlook.outlook`).

    ``stages`` (:data:`funnel_analytics.reality.BASES`) counts open deals at their reported,
    effective or last completed stage; the views that set the reported stage against its
    evidence (milestones, procurement, key roles, effective stage) and the suggested grades
    always start from the reported one.

    ``roles`` (:func:`funnel_analytics.roles.combine_roles`) gives the key roles' view under
    ``role_rule`` (default :class:`~funnel_analytics.roles.RoleRule`); ``role_files`` are the
    roles tables' reading reports, for the JSON.
    """
    options = {"outlook": outlook, "target": target, "runs": runs, "seed": seed}
    given = {"roles": roles, "role_rule": role_rule, "role_files": role_files}
    if stages == "reported":
        return _build_report(observations, model, as_of, **options, **given)
    reported = _build_report(observations, model, as_of, **given)
    consensus = (
        consensus_by_snapshot(observations, roles, model, role_rule or RoleRule())
        if reported.roles and reported.roles.has_roles
        else None
    )
    counted = effective_observations(observations, model, consensus, basis=stages)
    out = _build_report(counted, model, as_of, **options, **given)
    for name in EVIDENCE_TABLES:
        out.tables.pop(name, None)
        if name in reported.tables:
            out.tables[name] = reported.tables[name]
    for key in (
        "procurement",
        "stage_evidence",
        "effective_stage",
        "roles",
        "grades",
        "evaluation",
    ):
        out.data[key] = reported.data[key]
    out.data["stages"] = stages
    return replace(
        out,
        stage_check=reported.stage_check,
        procurement=reported.procurement,
        reality=reported.reality,
        inflation=reported.inflation,
        roles=reported.roles,
        grades=reported.grades,
        evaluation=reported.evaluation,
    )


#: The tables that set the reported stage against its evidence.
EVIDENCE_TABLES = (
    "stage_check",
    "inflation_by_owner",
    "stage_evidence",
    "evidence_by_owner",
    "procurement_classes",
    "procurement_cells",
    "procurement_sync",
    "deal_reality",
    "stage_inflation",
    "roles_deals",
    "roles_by_owner",
    "roles_by_team",
    "roles_win_rate",
    # The suggested grade is the reported stage's, as on the Stage check page.
    "grades",
    "grade_summary",
    "grade_matrix",
    "grades_by_owner",
    "grade_at_risk",
    # The go/no-go evaluation lists each open deal at its reported stage.
    "evaluation_deals",
    "factor_lift",
)


def _build_report(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    *,
    outlook: bool = False,
    target: float | None = None,
    runs: int | None = None,
    seed: int | None = None,
    roles: pd.DataFrame | None = None,
    role_rule: RoleRule | None = None,
    role_files: tuple[dict, ...] = (),
) -> FunnelReport:
    # Snapshot dates, or a stage-history log's month ends (not the date of each change); a
    # log looked at on another date is looked at on that date, after its month ends before it.
    dates = as_of_dates(observations)
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
        log = is_history_log(observations)
        observations = observations[observations[O.snapshot_date] <= as_of]
        dates = (
            [*(d for d in dates if d < as_of), as_of] if log else [d for d in dates if d <= as_of]
        )
    as_of = pd.Timestamp(dates[-1]) if as_of is None else as_of
    previous = pd.Timestamp(dates[-2]) if len(dates) > 1 else None
    history = stage_history(observations, model, as_of)
    conv = conversion_view(history, observations, previous)
    conversion, wins, wins_by, created = (
        conv.conversion,
        conv.win_rate,
        conv.win_rate_by,
        conv.win_rate_created,
    )
    cols = [O.opportunity_id, O.snapshot_date, O.stage, O.status, O.amount]
    snap = current_deals(
        observations[cols + [c for c in ("observed_via",) if c in observations]], as_of
    )
    counts = funnel_counts(snap, model)
    funnel = counts.merge(conversion[["stage", "reached_count"]], on="stage").rename(
        columns={"count": "open_count", "amount": "open_amount"}
    )
    ageing = ageing_view(history, observations)
    durations, stalled = ageing.time_in_stage, ageing.stalled
    moves = movement_view(observations, history, previous, as_of)
    steps, back, regression_rates = moves.steps, moves.regressions, moves.regression_rates
    check = stage_check_view(observations, model, as_of, ageing.ages, ageing.entry_known)
    # Our stage against the customer's procurement stage, where the model declares the
    # counterparts and the data says where the customer is.
    ages = ageing.ages.set_index(O.opportunity_id)["days_in_stage"] if ageing.entry_known else None
    snapshot = current_deals(observations, as_of)
    procurement = procurement_view(
        observations,
        snapshot,
        model,
        ages,
        frozenset(stalled[O.opportunity_id]),
    )
    key_roles = role_view(observations, snapshot, roles, model, role_rule or RoleRule(), as_of)
    consensus = key_roles.consensus if key_roles.has_roles else None
    # Reported stage against the lowest of its evidence (milestones, the customer's stage,
    # the key roles' stage).
    evidence = has_evidence(snapshot, model, consensus)
    reality = deal_reality(snapshot, model, consensus)
    inflation = stage_inflation(reality, model)
    # Suggested grades, flagged by the checks above where the data allows them.
    risks = []
    if procurement.declared and procurement.has_column:
        risks.append(procurement_risks(procurement.sync))
    if len(check.evidence):
        risks.append(evidence_risks(check.evidence))
    if key_roles.has_roles and len(key_roles.with_roles):
        risks.append(roles_risks(key_roles.with_roles))
    # The go/no-go evaluation, where the model declares factors and the data has their columns.
    evaluation = evaluation_view(observations, snapshot, model)
    if evaluation.has_columns and len(evaluation.deals):
        risks.append(evaluation_risks(evaluation.deals))
    grades = grade_view(grade_inputs(snapshot, history, ageing.ages, ageing.entry_known, risks))
    tables = {
        "funnel": funnel,
        "conversion": conversion,
        "win_rate": wins,
        "transitions": conv.transitions,
        "stage_flow": conv.stage_flow,
        "regressions": back,
        "regression_rates": regression_rates,
        "time_in_stage": durations,
        "stalled": stalled,
        "pipeline_changes": steps,
        "pipeline_change_deals": moves.deals,
        "slipped": moves.slipped,
        "amount_changes": moves.amount_changes,
        "win_rate_created": created,
        **{f"win_rate_by_{by}": t for by, t in wins_by.items()},
        "stage_check": check.check,
        "inflation_by_owner": check.by_owner,
        "stage_evidence": check.evidence,
        "evidence_by_owner": check.evidence_by_owner,
    }
    if procurement.declared and procurement.has_column:
        tables["procurement_classes"] = procurement.by_class
        tables["procurement_cells"] = procurement.cells
        tables["procurement_sync"] = procurement.out_of_step
    if evidence:
        tables["deal_reality"] = reality
        tables["stage_inflation"] = inflation
    if key_roles.has_roles:
        tables["roles_deals"] = key_roles.with_roles
        tables["roles_by_owner"] = key_roles.by_owner
        tables["roles_by_team"] = key_roles.by_team
        if len(key_roles.win_rate):
            tables["roles_win_rate"] = key_roles.win_rate
    tables["grades"] = grades.deals
    tables["grade_summary"] = grades.summary
    if grades.has_declared:
        tables["grade_matrix"] = grades.matrix
    tables["grades_by_owner"] = grades.by_owner
    tables["grade_at_risk"] = grades.at_risk
    if evaluation.has_columns:
        tables["evaluation_deals"] = evaluation.deals
        if len(evaluation.lift):
            tables["factor_lift"] = evaluation.lift
    data = _report_data(tables, conv, history, model, previous)
    data["stages"] = "reported"
    data["effective_stage"] = _effective_data(evidence, reality, inflation)
    data["roles"] = _roles_data(key_roles, role_files)
    data["procurement"] = {
        "declared": procurement.declared,
        "has_column": procurement.has_column,
        "by_class": json_records(procurement.by_class),
        "cells": json_records(procurement.cells),
        "out_of_step": json_records(procurement.out_of_step),
    }
    data["stage_evidence"] = {
        "milestones": check.has_milestones,
        "criteria": check.has_criteria,
        "age": check.age_column,
        "by_status": {
            status: int((check.evidence["evidence"] == status).sum()) if len(check.evidence) else 0
            for status in EVIDENCE_STATUSES
        },
        "by_owner": json_records(check.evidence_by_owner),
        "deals": json_records(check.evidence),
    }
    data["grades"] = grades.to_dict()
    data["evaluation"] = evaluation.to_dict()
    if outlook:
        from .outlook import DEFAULT_SEED
        from .outlook import outlook as build_outlook
        from .scenarios import build_context

        context = build_context(observations, model, as_of, history=history, durations=durations)
        more_tables, more_data = build_outlook(
            context, target, runs=runs or 10_000, seed=DEFAULT_SEED if seed is None else seed
        )
        tables.update(more_tables)
        data.update(more_data)
    return FunnelReport(
        tables,
        data,
        history,
        conv,
        ageing,
        moves,
        check,
        procurement,
        reality,
        inflation,
        key_roles,
        grades,
        evaluation,
    )


def _effective_data(evidence: bool, reality: pd.DataFrame, inflation: pd.DataFrame) -> dict:
    """``report --json``'s ``effective_stage``: totals, per owner and per deal."""
    inflated = reality["inflated"].astype(bool) if len(reality) else pd.Series(dtype=bool)
    return {
        "evidence": evidence,
        "open_deals": len(reality),
        "inflated": int(inflated.sum()),
        "inflated_amount": float(reality.loc[inflated, "amount"].sum()) if len(reality) else 0.0,
        "weighted": float(inflation["weighted"].sum()) if len(inflation) else 0.0,
        "effective_weighted": float(inflation["effective_weighted"].sum())
        if len(inflation)
        else 0.0,
        "by_owner": json_records(inflation),
        "deals": json_records(reality),
    }


def _roles_data(view: RoleView, files: tuple[dict, ...]) -> dict:
    """``report --json``'s ``roles`` key."""
    deals = view.deals
    return {
        "has_roles": view.has_roles,
        "files": list(files),
        "columns": view.columns,
        "rule": view.rule.as_dict(),
        "open_deals": view.open_deals,
        "with_roles": int((deals["contacts"] > 0).sum()),
        "unmatched": view.unmatched,
        "flags": view.totals(),
        "deals": json_records(view.with_roles),
        "by_owner": json_records(view.by_owner),
        "by_team": json_records(view.by_team),
        "win_rate": json_records(view.win_rate),
    }


def _report_data(
    tables: dict[str, pd.DataFrame],
    conv: ConversionView,
    history: StageHistory,
    model: StageModel,
    previous: pd.Timestamp | None,
) -> dict:
    """``report --json``'s movement keys, from the report's tables."""
    as_of = history.as_of
    funnel, conversion, wins = tables["funnel"], tables["conversion"], tables["win_rate"]
    created, durations, stalled = (
        tables["win_rate_created"],
        tables["time_in_stage"],
        tables["stalled"],
    )
    back, regression_rates = tables["regressions"], tables["regression_rates"]
    steps, wins_by = tables["pipeline_changes"], conv.win_rate_by
    closed_from, cohort_start = conv.closed_from, conv.cohort_start
    return {
        "as_of": as_of.date().isoformat(),
        "previous_snapshot": None if previous is None else previous.date().isoformat(),
        "stage_model": model.name,
        "resolution": history.resolution,
        "deals": len(history.deals),
        "lost_stage_unknown": int(history.deals["died_in_unknown"].sum()),
        "funnel": json_records(funnel[["stage", "open_count", "open_amount", "reached_count"]]),
        "conversion": json_records(conversion),
        "win_rate": {
            "closed_in_period": json_records(wins),
            "closed_period": {
                "from": closed_from.date().isoformat(),
                "to": as_of.date().isoformat(),
            },
            "created_in_period": {
                "from": cohort_start.date().isoformat(),
                "to": as_of.date().isoformat(),
                "overall": json_records(created),
            },
            **{f"by_{by}": json_records(t) for by, t in wins_by.items()},
        },
        "transitions": {
            str(row["from"]): {str(c): int(v) for c, v in row.drop("from").items()}
            for _, row in conv.transitions.iterrows()
        },
        "regressions": {"moves": json_records(back), "by_stage": json_records(regression_rates)},
        "time_in_stage": json_records(
            durations[
                [
                    "stage",
                    "median_days",
                    "p75_days",
                    "n",
                    "censored",
                    "median_low",
                    "median_high",
                    "p75_low",
                    "p75_high",
                ]
            ]
        ),
        "stalled": json_records(stalled),
        "pipeline_changes": {
            "from": None if previous is None else previous.date().isoformat(),
            "to": as_of.date().isoformat(),
            "steps": json_records(steps),
        },
    }

"""One function per movement page, each returning a frozen view: the tables and figures that
page shows, computed once. :func:`funnel_analytics.report.build_report` assembles the report
(and so the workbook and ``report --json``) from the same functions, so a definition lives in
one place.

The planning pages have theirs beside their context: the Planner
:meth:`~funnel_analytics.scenarios.PlanningContext.planner`, the Forecast
:func:`~funnel_analytics.outlook.forecast_view`; the Overview's is
:func:`~funnel_analytics.funnel.overview_numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .ageing import (
    ageing_buckets,
    open_deal_ages,
    stage_durations,
    stage_entry_known,
    stalled_deals,
    survival_curves,
)
from .conversion import (
    CLOSED_PERIOD_MONTHS,
    CREATED_COHORT_MONTHS,
    closing_rows,
    created_cohort_win_rates,
    reached_stage_conversion,
    stage_flow,
    transition_matrix,
    win_rates,
)
from .funnel import current_deals
from .history import StageHistory
from .movement import amount_changes, pipeline_changes, regressions, slipped_deals
from .schema import Opportunities as O
from .stagecheck import (
    effective_stages,
    entered_not_completed,
    evidence_by_owner,
    inflation_by_owner,
    stage_evidence,
)
from .stages import StageModel

__all__ = [
    "GROUPS",
    "AgeingView",
    "ConversionView",
    "MovementView",
    "StageCheckView",
    "ageing_view",
    "conversion_view",
    "movement_view",
    "stage_check_view",
]

GROUPS = (O.team, O.owner, O.source, O.grade)  # what win rates are broken down by


@dataclass(frozen=True)
class ConversionView:
    """The Conversion page: reached-stage conversion, the transition matrix, win rates of
    the deals closed in the period and of those created in it, and the flow through each
    stage since the previous snapshot."""

    history: StageHistory
    observations: pd.DataFrame  # up to the as-of date
    conversion: pd.DataFrame
    transitions: pd.DataFrame  # from × to, counts ("from" a column)
    win_rate: pd.DataFrame
    win_rate_by: dict[str, pd.DataFrame]  # team, owner, source, grade where the data has them
    win_rate_created: pd.DataFrame
    stage_flow: pd.DataFrame
    closed_from: pd.Timestamp
    cohort_start: pd.Timestamp
    _closed: pd.DataFrame = field(repr=False)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.history.as_of

    @property
    def moves(self) -> int:
        """Moves between stages observed (none in a single export)."""
        return int(self.transitions.drop(columns="from").to_numpy().sum())

    def rates(self, group: str | None = None, cohort: str = "closed") -> pd.DataFrame:
        """Win rates of the ``closed`` or ``created`` cohort, overall or by ``group``."""
        if cohort == "created":
            return created_cohort_win_rates(
                self.history, self.observations, self.cohort_start, self.as_of, group
            )
        if group is None:
            return self.win_rate
        if group in self.win_rate_by:
            return self.win_rate_by[group]
        return win_rates(
            self.history, self.observations, self.closed_from, self.as_of, group, self._closed
        )


def conversion_view(
    history: StageHistory, observations: pd.DataFrame, previous: pd.Timestamp | None
) -> ConversionView:
    """The Conversion page's view of ``observations`` up to the history's date; the stage
    flow runs from the ``previous`` snapshot (from the start when there is none)."""
    as_of = history.as_of
    observations = observations[observations[O.snapshot_date] <= as_of]
    closed_from = as_of - pd.DateOffset(months=CLOSED_PERIOD_MONTHS)
    closed = closing_rows(history, observations, closed_from, as_of)
    cohort_start = as_of - pd.DateOffset(months=CREATED_COHORT_MONTHS)
    return ConversionView(
        history=history,
        observations=observations,
        conversion=reached_stage_conversion(history),
        transitions=transition_matrix(history).reset_index(),
        win_rate=win_rates(history, observations, closed_from, as_of, closed=closed),
        win_rate_by={
            by: win_rates(history, observations, closed_from, as_of, by, closed=closed)
            for by in GROUPS
            if by in observations
        },
        win_rate_created=created_cohort_win_rates(history, observations, cohort_start, as_of),
        stage_flow=stage_flow(history, previous, as_of),
        closed_from=closed_from,
        cohort_start=cohort_start,
        _closed=closed,
    )


@dataclass(frozen=True)
class AgeingView:
    """The Ageing page: time in stage (Kaplan–Meier), stalled deals with their owners, and
    each open deal's age."""

    time_in_stage: pd.DataFrame
    survival: pd.DataFrame
    stalled: pd.DataFrame  # with the deal's current owner
    ages: pd.DataFrame
    entry_known: bool  # False for one export: where deals are, not since when

    @property
    def stalled_by_owner(self) -> pd.DataFrame:
        return (
            self.stalled.groupby(O.owner)
            .size()
            .rename("deals")
            .reset_index()
            .sort_values("deals", ascending=False, kind="stable")
            .reset_index(drop=True)
        )

    def buckets(self, keys: list[str] | tuple[str, ...]) -> pd.DataFrame:
        """Open deals per stage and age bucket: days in stage, or days since created where
        stage entry is not dated."""
        return ageing_buckets(self.ages, keys, "days_in_stage" if self.entry_known else "age_days")


def ageing_view(
    history: StageHistory, observations: pd.DataFrame, durations: pd.DataFrame | None = None
) -> AgeingView:
    """The Ageing page's view (``durations`` reused when already computed)."""
    observations = observations[observations[O.snapshot_date] <= history.as_of]
    durations = stage_durations(history) if durations is None else durations
    stalled = stalled_deals(history, durations).copy()
    owner = pd.Series(pd.NA, index=stalled.index, dtype="object")
    if O.owner in observations and len(stalled):
        owners = current_deals(observations, history.as_of).set_index(O.opportunity_id)[O.owner]
        owner = stalled[O.opportunity_id].map(owners)
    stalled.insert(1, O.owner, owner)  # whose deal it is, beside the deal
    return AgeingView(
        time_in_stage=durations,
        survival=survival_curves(history),
        stalled=stalled,
        ages=open_deal_ages(history, observations),
        entry_known=stage_entry_known(history, observations),
    )


@dataclass(frozen=True)
class MovementView:
    """The Changes page: the pipeline waterfall between two snapshots and the deals behind
    each step, deals that moved back, close dates that slipped and amounts that changed."""

    start: pd.Timestamp | None
    end: pd.Timestamp
    steps: pd.DataFrame
    deals: pd.DataFrame
    regressions: pd.DataFrame
    regression_rates: pd.DataFrame
    slipped: pd.DataFrame
    amount_changes: pd.DataFrame


def movement_view(
    observations: pd.DataFrame,
    history: StageHistory,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None = None,
) -> MovementView:
    """The Changes page's view; the waterfall runs from snapshot ``start`` to ``end``
    (default: the history's date), none without a ``start``."""
    end = history.as_of if end is None else pd.Timestamp(end)
    if start is not None:
        steps, deals = pipeline_changes(observations, start, end, history=history)
    else:
        steps, deals = pd.DataFrame(columns=["step", "count", "amount"]), pd.DataFrame()
    back, rates = regressions(history)
    return MovementView(
        start=start,
        end=end,
        steps=steps,
        deals=deals,
        regressions=back,
        regression_rates=rates,
        slipped=slipped_deals(observations, history),
        amount_changes=amount_changes(observations, history),
    )


@dataclass(frozen=True)
class StageCheckView:
    """The Stage check page: each open deal's reported stage against its milestones, and the
    evidence for it from its milestones and success criteria."""

    check: pd.DataFrame
    by_owner: pd.DataFrame
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)  # stage_evidence
    evidence_by_owner: pd.DataFrame = field(default_factory=pd.DataFrame)
    entry_known: bool = False  # days in stage are measured (else ages since created)
    has_milestones: bool = False  # the data has a milestone column of the model
    has_criteria: bool = False  # the data has a success-criterion column of the model

    @property
    def inflated(self) -> pd.DataFrame:
        return self.check[self.check["inflated"]]

    @property
    def age_column(self) -> str:
        """How long a deal has been where it is: days in stage, else days since created."""
        return "days_in_stage" if self.entry_known else "age_days"

    @property
    def entered_not_completed(self) -> pd.DataFrame:
        """Deals entered but not completed, the longest in their stage first."""
        return entered_not_completed(self.evidence, self.age_column)

    def entered_buckets(self, keys: tuple[str, ...]) -> pd.DataFrame:
        """Those deals per stage and age bucket (0–30, 30–60, … days)."""
        return ageing_buckets(self.entered_not_completed, keys, self.age_column)


def stage_check_view(
    observations: pd.DataFrame,
    model: StageModel,
    as_of: pd.Timestamp | None = None,
    ages: pd.DataFrame | None = None,
    entry_known: bool = False,
) -> StageCheckView:
    """The Stage check page's view of the deals open at ``as_of`` (default: the latest);
    ``ages`` (:func:`funnel_analytics.ageing.open_deal_ages`) dates each deal's stay, measured
    when ``entry_known``."""
    snapshot = current_deals(observations, as_of)
    check = effective_stages(snapshot, model)
    if ages is not None and not entry_known:  # one export: where deals are, not since when
        ages = ages.assign(days_in_stage=float("nan"))
    evidence = stage_evidence(snapshot, model, ages)
    present = {model.current_column(str(c)) for c in observations.columns}
    return StageCheckView(
        check,
        inflation_by_owner(check),
        evidence,
        evidence_by_owner(evidence),
        entry_known,
        bool(present & set(model.checklist_columns)),
        bool(present & set(model.criteria_columns)),
    )

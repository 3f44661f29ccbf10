"""pandera schemas: the contract of the canonical opportunity table.

Values are parsed into their types first (see :mod:`funnel_analytics.values`); the schemas
then check what typed values must satisfy. Error checks reject a row; warning checks keep it
and flag it. Each check's name is the rule a finding reports.
"""

from __future__ import annotations

import sys
import threading
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .stages import LOST, ON_HOLD, OPEN, STATUSES, StageModel

__all__ = [
    "ERROR_RULES",
    "WARNING_RULES",
    "Opportunities",
    "error_schema",
    "prepare_validation",
    "warning_schema",
]

# Rules whose findings reject the row, and rules whose findings only flag it.
ERROR_RULES = (
    "missing_id",
    "missing_stage",
    "unknown_stage",
    "unparseable_amount",
    "unclear_decimal_separator",
    "negative_amount",
    "duplicate_id",
    "probability_out_of_range",
    "unparseable_snapshot_date",
)
WARNING_RULES = (
    "unparseable_date",
    "impossible_date",
    "missing_amount",
    "close_before_created",
    "overdue_close_date",
    "unknown_grade",
    "unknown_procurement_stage",
    "unknown_status",
    "unparseable_probability",
    "unparseable_checklist",
    "unknown_factor_value",
    "stage_status_conflict",
    "outcome_reversed",
    "unknown_flag",
)


class Opportunities(pa.DataFrameModel):
    """One row per deal as of ``snapshot_date`` (one row per change in a stage-history log).

    ``stage`` is the stage-model key, or missing when only an outcome is known (a deal
    exported as "Closed Lost" with no earlier stage). ``status`` is open, won, lost or on_hold.
    Amounts are in the currency's base unit (a 万元 column has been scaled to yuan).
    """

    opportunity_id: Series[pd.StringDtype] = pa.Field(nullable=False)
    opportunity_name: Series[pd.StringDtype] = pa.Field(nullable=True)
    account: Series[pd.StringDtype] = pa.Field(nullable=True)
    owner: Series[pd.StringDtype] = pa.Field(nullable=True)
    team: Series[pd.StringDtype] = pa.Field(nullable=True)
    stage: Series[pd.StringDtype] = pa.Field(nullable=True)
    stage_label: Series[pd.StringDtype] = pa.Field(nullable=True)
    status: Series[pd.StringDtype] = pa.Field(isin=list(STATUSES), nullable=False)
    amount: Series[float] = pa.Field(nullable=True)
    currency: Series[pd.StringDtype] = pa.Field(nullable=True)
    probability: Series[float] = pa.Field(nullable=True)
    created_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    expected_close_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    close_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    source: Series[pd.StringDtype] = pa.Field(nullable=True)
    grade: Series[pd.StringDtype] = pa.Field(isin=["A", "B", "C", "D"], nullable=True)
    forecast_category: Series[pd.StringDtype] = pa.Field(nullable=True)
    snapshot_date: Series[pd.Timestamp] = pa.Field(nullable=True)

    class Config:
        strict = False  # checklist, stage-date and extra columns ride along
        coerce = False


_PREPARED = threading.Event()
_PREPARING = threading.Lock()


def prepare_validation() -> None:
    """Register pandera's pandas backends once, without its data-synthesis strategies.

    pandera registers its backends at the first validation, and with them imports its
    strategies module, which imports ``hypothesis`` whenever that is installed (a test
    dependency here): about 0.18 s of a first upload's validation, for a feature the product
    never uses (pandera issue #1644). While the backends register, ``hypothesis`` reads as not
    installed, unless something has imported it already; validation itself is unchanged.
    """
    if _PREPARED.is_set():
        return
    with _PREPARING:
        if _PREPARED.is_set():
            return
        blocked = "hypothesis" not in sys.modules
        if blocked:
            sys.modules["hypothesis"] = None  # type: ignore[assignment]  # "not installed"
        try:
            # The public way to register them: validate a one-cell frame.
            pa.DataFrameSchema({"x": pa.Column("int64")}).validate(pd.DataFrame({"x": [1]}))
        finally:
            if blocked and sys.modules.get("hypothesis", 0) is None:
                del sys.modules["hypothesis"]
        _PREPARED.set()


def _not_negative(s: pd.Series) -> pd.Series:
    return s.isna() | (s >= 0)


def _in_unit_range(s: pd.Series) -> pd.Series:
    return s.isna() | ((s >= 0) & (s <= 1))


@lru_cache(maxsize=32)
def error_schema(model: StageModel, unique: tuple[str, ...]) -> pa.DataFrameSchema:
    """Checks that reject a row; ``unique`` names the columns that identify one deal-row.

    A duplicate's first occurrence is kept; later ones are reported (``duplicate_id``).
    """
    columns = (
        Opportunities.to_schema()
        .update_columns(
            {
                Opportunities.opportunity_id: {"nullable": True},
                Opportunities.stage: {
                    "checks": [pa.Check.isin(list(model.keys), name="unknown_stage")]
                },
                Opportunities.amount: {"checks": [pa.Check(_not_negative, name="negative_amount")]},
                Opportunities.probability: {
                    "checks": [pa.Check(_in_unit_range, name="probability_out_of_range")]
                },
            }
        )
        .columns
    )
    checks = [
        pa.Check(lambda df: df[Opportunities.opportunity_id].notna(), name="missing_id"),
        pa.Check(
            lambda df: (
                df[Opportunities.stage_label].notna()
                | df[Opportunities.status].isin([LOST, ON_HOLD])
            ),
            name="missing_stage",
        ),
    ]
    return pa.DataFrameSchema(
        columns=columns,
        checks=checks,
        strict=False,
        coerce=False,
        unique=list(unique),
        report_duplicates="exclude_first",
    )


def _closed_after_created(column: str):
    def check(df: pd.DataFrame) -> pd.Series:
        created = df[Opportunities.created_date]
        closed = df[column]
        return created.isna() | closed.isna() | (closed.dt.normalize() >= created.dt.normalize())

    return check


def _not_overdue(df: pd.DataFrame) -> pd.Series:
    expected = df[Opportunities.expected_close_date]
    as_of = df[Opportunities.snapshot_date]
    open_ = df[Opportunities.status] == OPEN
    return (
        ~open_ | expected.isna() | as_of.isna() | (expected.dt.normalize() >= as_of.dt.normalize())
    )


@lru_cache(maxsize=4)
def warning_schema(check_overdue: bool) -> pa.DataFrameSchema:
    """Checks that keep the row but flag it."""
    checks = [
        pa.Check(
            lambda df: (
                df[Opportunities.amount].notna()
                | (df[Opportunities.status] == LOST)
                | (df[Opportunities.status] == ON_HOLD)
            ),
            name="missing_amount",
        ),
        pa.Check(
            _closed_after_created(Opportunities.close_date), name="close_before_created:close_date"
        ),
        pa.Check(
            _closed_after_created(Opportunities.expected_close_date),
            name="close_before_created:expected_close_date",
        ),
    ]
    if check_overdue:
        checks.append(pa.Check(_not_overdue, name="overdue_close_date"))
    return pa.DataFrameSchema(checks=checks, strict=False, coerce=False)

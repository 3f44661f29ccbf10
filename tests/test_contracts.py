"""Declared table contracts: every column a library table returns is declared with its kind,
and every workbook column is formatted by that kind (nothing guessed from a name)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from funnel_analytics.contracts import COLUMNS, KIND_FORMATS, KINDS, TABLES
from funnel_analytics.conversion import created_cohort_win_rates, stage_flow
from funnel_analytics.export import presented, report_workbook
from funnel_analytics.forecast import forecast_by_category
from funnel_analytics.funnel import current_deals
from funnel_analytics.loading import load_export
from funnel_analytics.movement import pipeline_changes, slipped_deals
from funnel_analytics.report import build_report
from funnel_analytics.scenarios import Levers, Scenario, build_context, compare_scenarios, tornado
from funnel_analytics.stagecheck import effective_stages, inflation_by_owner
from funnel_analytics.stages import DEFAULT_MODEL
from funnel_analytics.workspace import load_workspace, sample_files

FOREIGN = Path(__file__).parent / "foreign" / "files"


def every_table(observations: pd.DataFrame, model) -> dict[str, pd.DataFrame]:
    """What the report, the workbook and the pages show, keyed by contract name."""
    report = build_report(observations, model, outlook=True, runs=200)
    tables = dict(report.tables)
    as_of = report.history.as_of
    dates = sorted(observations["snapshot_date"].dropna().unique())
    previous = pd.Timestamp(dates[-2]) if len(dates) > 1 else None
    tables["stage_flow"] = stage_flow(report.history, previous, as_of)
    tables["slipped"] = slipped_deals(observations)
    if previous is not None:
        tables["pipeline_changes"], tables["pipeline_change_deals"] = pipeline_changes(
            observations, previous, as_of
        )
    start = as_of - pd.DateOffset(months=12)
    tables["win_rate_created"] = created_cohort_win_rates(
        report.history, observations, start, as_of
    )
    snap = current_deals(observations, as_of)
    categories = forecast_by_category(snap, model, as_of)
    if categories is not None:
        tables["forecast_categories"] = categories
    check = effective_stages(snap, model)
    tables["stage_check"] = check
    tables["inflation_by_owner"] = inflation_by_owner(check)
    ctx = build_context(observations, model, as_of)
    tables["scenarios"] = compare_scenarios(
        ctx, [Scenario("x", Levers(win_rate=1.1))], 1e6, runs=200, seed=1
    )
    tables["tornado"] = tornado(ctx)
    if "plan" in tables:
        tables["schedule"] = ctx.plan(ctx.average_deal * 50).schedule(ctx.inputs.first)
    return tables


@pytest.fixture(scope="module")
def sample_tables():
    ws = load_workspace(sample_files(), DEFAULT_MODEL)
    return every_table(ws.observations, DEFAULT_MODEL), DEFAULT_MODEL


@pytest.fixture(scope="module")
def salesforce_tables():
    result = load_export(
        FOREIGN / "salesforce_dataloader_Opportunity.csv",
        stage_model="salesforce",
        as_of="2024-06-27",
    )
    return every_table(result.observations(), result.stage_model), result.stage_model


def test_findings_and_mapping_follow_their_contracts() -> None:
    """The Data page's two tables: findings (errors and warnings) and the column mapping."""
    result = load_export(FOREIGN / "salesforce_dataloader_Opportunity.csv", as_of="2024-06-27")
    for severity in ("error", "warning"):
        frame = result.findings_table(severity, "en")
        assert list(frame.columns) == ["row", "column", "value", "rule", "message"]
        assert TABLES["findings"].undeclared(frame, ()) == []
    mapping = result.mapping_table()
    assert list(mapping.columns) == ["header", "field", "origin", "samples"]
    assert TABLES["mapping"].undeclared(mapping, ()) == []


def test_the_vocabulary_is_well_formed() -> None:
    for name, col in COLUMNS.items():
        assert col.kind in KINDS, name
        assert col.zh and col.en and col.about_zh and col.about_en, name
        assert not re.search(r"[a-z]+_[a-z]+", col.zh + col.en), (name, col.zh, col.en)


@pytest.mark.parametrize("fixture", ["sample_tables", "salesforce_tables"])
def test_every_returned_column_is_declared(fixture: str, request) -> None:
    tables, model = request.getfixturevalue(fixture)
    missing = {}
    for name, frame in tables.items():
        assert name in TABLES, f"table {name!r} has no contract"
        undeclared = TABLES[name].undeclared(frame, model.keys)
        if undeclared:
            missing[name] = undeclared
    assert not missing, missing
    assert "forecast_categories" in tables or fixture == "sample_tables"
    if fixture == "salesforce_tables":  # the API value "Forecast" is the Commit category
        assert "Forecast" not in tables["forecast_categories"].columns
        assert tables["forecast_categories"]["commit"].sum() > 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_workbook_column_is_formatted_by_its_kind(sample_tables, lang: str) -> None:
    tables, model = sample_tables
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(tables, lang, model)))
    checked = 0
    for key, frame in tables.items():
        if frame.empty:
            continue
        shown, kinds = presented(frame.reset_index(drop=True), lang, key, model)
        ws = next(
            w
            for w in book.worksheets
            if [c.value for c in w[1]][: len(shown.columns)] == list(shown.columns)
        )
        for j, head in enumerate(shown.columns, start=1):
            kind = kinds.get(head)
            want = KIND_FORMATS.get(kind) if kind else None
            for row in range(2, min(ws.max_row, 6) + 1):
                cell = ws.cell(row=row, column=j)
                if cell.value is None or isinstance(cell.value, str | bool):
                    continue
                assert cell.number_format == (want or "General"), (key, head, kind)
                checked += 1
    assert checked > 500


def test_workbook_shows_stage_names_not_keys(sample_tables) -> None:
    tables, model = sample_tables
    book = openpyxl.load_workbook(
        io.BytesIO(
            report_workbook(
                {"funnel": tables["funnel"], "transitions": tables["transitions"]}, "zh", model
            )
        )
    )
    text = " ".join(
        str(c.value)
        for ws in book.worksheets[:2]
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    for key in model.keys:
        assert not re.search(rf"(?<![a-z_]){key}(?![a-z_])", text), key
    assert "目标客户" in text and "赢单客户" in text
    assert "在手金额" in text


def test_screens_show_amounts_in_the_languages_unit(sample_tables) -> None:
    tables, model = sample_tables
    funnel = tables["funnel"]
    zh, kinds = presented(funnel, "zh", "funnel", model, screen=True)
    assert "在手金额（万元）" in zh.columns and kinds["在手金额（万元）"] == "amount"
    assert zh["在手金额（万元）"].tolist() == (funnel["open_amount"] / 1e4).round(1).tolist()
    en, _ = presented(funnel, "en", "funnel", model, screen=True)
    assert "Open amount (k)" in en.columns
    assert str(en["Open deals"].dtype) == "Int64"
    assert en["Stage"].tolist()[0] == model.stages[0].en


def test_every_table_has_a_sheet_name_in_both_languages() -> None:
    from funnel_analytics.i18n import MESSAGES

    missing = [name for name in TABLES if f"sheet_{name}" not in MESSAGES]
    assert not missing, missing
    for name in TABLES:
        assert len(MESSAGES[f"sheet_{name}"]["en"]) <= 31  # Excel's limit on a sheet name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_tooltips_read_the_contracts(sample_tables, lang: str) -> None:
    """Tooltips of the planning charts give the declared header and definition."""
    from funnel_analytics.charts import forecast_figure, plan_figure, weighted_figure

    tables, model = sample_tables
    cases = [
        (forecast_figure(tables["forecast_by_month"], lang), "forecast_by_month", "p50", 2),
        (
            plan_figure(tables["plan_vs_actual"], model, lang),
            "plan_vs_actual",
            "required_per_month",
            0,
        ),
        (
            weighted_figure(tables["forecast_weighted_by_month"], lang),
            "forecast_weighted_by_month",
            "weighted",
            1,
        ),
    ]
    for fig, table_name, name, trace in cases:
        declared = TABLES[table_name].column(name)
        hover = fig.data[trace].hovertemplate
        assert declared.label(lang) in hover and declared.about(lang) in hover, hover


def test_screens_show_shares_with_one_decimal(sample_tables) -> None:
    """Every share on screen is in percent points with one decimal (shown "17.8%")."""
    from funnel_analytics.export import presented

    tables, model = sample_tables
    shown, kinds = presented(tables["conversion"], "en", "conversion", model, screen=True)
    rates = shown[[h for h, k in kinds.items() if k == "share"]]
    assert len(rates.columns) >= 2
    values = rates.stack().dropna()
    assert ((values >= 0) & (values <= 100)).all()
    assert (values.round(1) == values).all()
    raw = tables["conversion"]["win_rate"].dropna()
    header = TABLES["conversion"].column("win_rate").label("en")
    assert shown[header].dropna().tolist() == (raw * 100).round(1).tolist()

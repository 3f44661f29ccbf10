"""Figures built from plain dicts without plotly's validation (``charts._figure``) are exactly
what validation would make of them, and their numbers are the tables' numbers."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from funnel_analytics import charts
from funnel_analytics.funnel import (
    funnel_counts,
    latest_snapshot,
    pipeline_breakdown,
    pipeline_trend,
)
from funnel_analytics.stages import OPEN
from funnel_analytics.workspace import load_workspace


@pytest.fixture(scope="module")
def sample():
    ws = load_workspace()
    return ws, latest_snapshot(ws.observations)


def _figures(sample, lang: str, measure: str):
    ws, snap = sample
    model = ws.stage_model
    by_team = pipeline_breakdown(snap, model, "team")
    trend = pipeline_trend(ws.observations, model)
    yield "funnel", charts.funnel_figure(funnel_counts(snap, model), model, lang)
    yield "funnel, empty", charts.funnel_figure(funnel_counts(snap.iloc[0:0], model), model, lang)
    for by in ("team", "owner", "source", "grade"):
        frame = pipeline_breakdown(snap, model, by)
        yield f"by {by}", charts.breakdown_figure(frame, model, lang, by, measure)
    yield "by team, empty", charts.breakdown_figure(by_team.iloc[0:0], model, lang, "t", measure)
    yield "trend", charts.trend_figure(trend, model, lang, measure)
    yield "trend, empty", charts.trend_figure(trend.iloc[0:0], model, lang, measure)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("measure", ["amount", "count"])
def test_unvalidated_figures_equal_their_validated_copies(sample, lang: str, measure: str) -> None:
    for name, fig in _figures(sample, lang, measure):
        built = fig.to_dict()
        # Validation raises on an unknown property and rewrites a shorthand (a title given as
        # text, marker_color): an equal copy means nothing was left for it to do.
        assert go.Figure(built).to_dict() == built, name


def test_breakdown_bars_are_the_tables_numbers(sample) -> None:
    ws, snap = sample
    model = ws.stage_model
    frame = pipeline_breakdown(snap, model, "team")
    fig = charts.breakdown_figure(frame, model, "en", "t", "count").to_dict()
    names = model.stage_names("en")
    for trace in fig["data"]:
        key = next(k for k, n in names.items() if n == trace["name"])
        for group, x in zip(trace["y"], trace["x"], strict=True):
            rows = frame[(frame["group"] == group) & (frame["stage"] == key)]
            want = int(rows["count"].sum())
            # And the table itself against a plain count of the snapshot's open deals.
            open_ = snap["status"] == OPEN
            plain = int((open_ & (snap["team"] == group) & (snap["stage"] == key)).sum())
            assert x == want == plain, (group, key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_open_pipeline_chart_without_open_deals_says_so(sample, lang: str) -> None:
    """No open deal (every open stage unknown to the model, or filtered out): the breakdown
    and trend charts say "no open deals" where their bars would be, with no empty axes."""
    ws, snap = sample
    model = ws.stage_model
    empty = [
        charts.breakdown_figure(
            pipeline_breakdown(snap, model, "team").iloc[0:0], model, lang, "t"
        ),
        charts.trend_figure(pipeline_trend(ws.observations, model).iloc[0:0], model, lang),
    ]
    for fig in empty:
        layout = fig.to_dict()["layout"]
        assert [a["text"] for a in layout["annotations"]] == [charts.t("chart_no_open", lang)]
        assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    full = charts.breakdown_figure(pipeline_breakdown(snap, model, "team"), model, lang, "t")
    assert "annotations" not in full.to_dict()["layout"]

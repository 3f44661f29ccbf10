"""Every Plotly figure the product draws (the one module that builds figures).

Stages keep the stage model's order and one colour each on every chart; amounts are shown in
万元 in Chinese and in thousands in English; every trace's hover says how it is counted.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .formatting import amount_unit, format_amount
from .i18n import t
from .stages import StageModel

__all__ = ["STAGE_COLORS", "breakdown_figure", "funnel_figure", "stage_colors", "trend_figure"]

STAGE_COLORS = ("#A9C4F5", "#7FA6EE", "#5688E6", "#3169D6", "#1F4FB0", "#173C88", "#122E69",
                "#0D2250")
WON_COLOR = "#1B8A5A"
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 70, "b": 10},
           "legend": {"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "traceorder": "normal"},
           "font": {"family": "Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"}}


def stage_colors(model: StageModel) -> dict[str, str]:
    """One colour per stage, the same on every chart: blues deepening along the funnel, won green."""
    keys = list(model.keys)
    n = len(keys) - 1
    step = (len(STAGE_COLORS) - 1) / max(n - 1, 1)
    colors = {k: STAGE_COLORS[round(i * step)] for i, k in enumerate(keys[:-1])}
    colors[keys[-1]] = WON_COLOR
    return colors


def funnel_figure(counts: pd.DataFrame, model: StageModel, lang: str = "zh") -> go.Figure:
    """Deals per stage in model order; hover gives amount and weighted amount, and the rule."""
    names = model.stage_names(lang)
    colors = stage_colors(model)
    custom = [[format_amount(a, lang), format_amount(w, lang)]
              for a, w in zip(counts["amount"], counts["weighted"], strict=True)]
    fig = go.Figure(go.Funnel(
        y=[names[k] for k in counts["stage"]],
        x=counts["count"].tolist(),
        customdata=custom,
        marker={"color": [colors[k] for k in counts["stage"]]},
        textinfo="value+percent initial",
        hovertemplate=t("chart_funnel_hover", lang, rule=t("chart_funnel_rule", lang)),
    ))
    fig.update_layout(title=t("chart_funnel", lang), height=430, **_LAYOUT)
    return fig


def _measure(measure: str, lang: str) -> tuple[str, float, str, str]:
    if measure == "amount":
        div, unit = amount_unit(lang)
        return "amount", div, t("measure_amount", lang), unit
    return "count", 1.0, t("measure_count", lang), ""


def breakdown_figure(breakdown: pd.DataFrame, model: StageModel, lang: str, title: str,
                     measure: str = "amount", labels: dict[str, str] | None = None,
                     max_groups: int = 20) -> go.Figure:
    """Horizontal stacked bars: one bar per group (team, owner, source, grade), one colour per stage."""
    column, div, measure_label, unit = _measure(measure, lang)
    names = model.stage_names(lang)
    colors = stage_colors(model)
    labels = dict(labels or {})
    groups = list(dict.fromkeys(breakdown["group"]))[:max_groups]
    shown = [labels.get(g, g) if g != "" else t("unknown_group", lang) for g in groups]
    fig = go.Figure()
    for key in model.keys[:-1]:
        part = breakdown[breakdown["stage"] == key].set_index("group")[column].reindex(groups)
        fig.add_trace(go.Bar(
            y=shown, x=(part.fillna(0) / div).tolist(), name=names[key], orientation="h",
            marker_color=colors[key],
            hovertemplate=t("chart_breakdown_hover", lang, measure=measure_label, unit=unit),
        ))
    axis = t("axis_amount" if measure == "amount" else "axis_count", lang)
    fig.update_layout(barmode="stack", title=f"{title}<br><sup>{axis}</sup>",
                      height=max(300, 120 + 28 * len(groups)),
                      yaxis={"autorange": "reversed"}, xaxis={"tickformat": ",.0f"}, **_LAYOUT)
    return fig


def trend_figure(trend: pd.DataFrame, model: StageModel, lang: str,
                 measure: str = "amount") -> go.Figure:
    """Open pipeline per snapshot, stacked by stage in model order."""
    column, div, measure_label, unit = _measure(measure, lang)
    names = model.stage_names(lang)
    colors = stage_colors(model)
    dates = sorted(trend["snapshot_date"].unique()) if len(trend) else []
    fig = go.Figure()
    for key in model.keys[:-1]:
        part = trend[trend["stage"] == key].set_index("snapshot_date")[column].reindex(dates)
        fig.add_trace(go.Bar(
            x=dates, y=(part.fillna(0) / div).tolist(), name=names[key], marker_color=colors[key],
            hovertemplate=t("chart_trend_hover", lang, measure=measure_label, unit=unit),
        ))
    axis = t("axis_amount" if measure == "amount" else "axis_count", lang)
    fig.update_layout(barmode="stack", title=f"{t('chart_trend', lang)}<br><sup>{axis}</sup>", height=400,
                      xaxis={"tickformat": "%Y-%m"}, yaxis={"tickformat": ",.0f"}, **_LAYOUT)
    return fig

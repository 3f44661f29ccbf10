"""Every Plotly figure the product draws (the one module that builds figures).

Stages keep the stage model's order and one colour each on every chart; amounts are shown in
万元 in Chinese and in thousands in English; every trace's hover says how it is counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .contracts import TABLES
from .formatting import UNIT_NAMES, amount_unit, format_amount
from .i18n import t
from .stages import StageModel

__all__ = [
    "STAGE_COLORS",
    "accuracy_figure",
    "breakdown_figure",
    "buckets_figure",
    "calibration_figure",
    "conversion_figure",
    "forecast_figure",
    "funnel_figure",
    "grade_backtest_figure",
    "grade_map_figure",
    "grade_matrix_figure",
    "mix_figure",
    "plan_figure",
    "scenarios_figure",
    "scorecard_balance_figure",
    "stage_check_figure",
    "stage_colors",
    "survival_figure",
    "tornado_figure",
    "transition_heatmap",
    "trend_figure",
    "waterfall_figure",
    "weighted_figure",
    "win_rate_figure",
]

# Distinguishable at a glance, on bars and on lines (Tableau 10 without its green, which is
# the won stage's): neighbouring stages never share a hue.
STAGE_COLORS = (
    "#4E79A7",
    "#F28E2B",
    "#76B7B2",
    "#B07AA1",
    "#EDC948",
    "#E15759",
    "#9C755F",
    "#BAB0AC",
)
WON_COLOR = "#59A14F"
# The legend sits at the foot of the figure, below the axis and its tick labels (the margin
# grows to hold it), so it never covers a tick label or the title however many lines it wraps.
_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    "legend": {
        "orientation": "h",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "x": 0,
        "traceorder": "normal",
    },
    "font": {"family": "Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"},
}


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, built without plotly's per-property
    validation: a tenth of the time, and the Overview builds six figures on every filter
    change. The dicts must be what validation would make of them (``title`` as
    ``{"text": …}``, ``marker`` as a dict); ``tests/test_charts.py`` holds every figure built
    this way equal to its validated copy."""
    return go.Figure(data=data, layout=layout, _validate=False)


def _nothing_open(layout: dict, lang: str) -> dict:
    """An open-pipeline chart with no open deal says so where its bars would be, without the
    empty axes Plotly draws around nothing."""
    return {
        **layout,
        "xaxis": {**layout.get("xaxis", {}), "visible": False},
        "yaxis": {**layout.get("yaxis", {}), "visible": False},
        "annotations": [
            {
                "text": t("chart_no_open", lang),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 14, "color": "#6b7280"},
            }
        ],
    }


def _stacked(frame: pd.DataFrame, index: str, column: str, keys: list, order: list) -> np.ndarray:
    """``frame[column]`` summed into an array of ``order`` (rows, matched on ``index``) ×
    stage ``keys`` (columns), zero where a pair is absent or its value is blank."""
    out = np.zeros((len(order), len(keys)))
    if len(frame) and len(order):
        rows = pd.Index(order).get_indexer(frame[index])
        cols = pd.Index(keys).get_indexer(frame["stage"])
        values = frame[column].to_numpy(dtype=float, na_value=0.0)
        keep = (rows >= 0) & (cols >= 0) & ~np.isnan(values)
        np.add.at(out, (rows[keep], cols[keep]), values[keep])
    return out


def _outline(fig: go.Figure, cells: list[tuple[int, int]]) -> None:
    """Outline heat-map cells (row i, column j) in green: where two readings agree."""
    for i, j in cells:
        fig.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            line={"color": "#2E7D32", "width": 2},
        )


def stage_colors(model: StageModel) -> dict[str, str]:
    """One colour per stage, the same on every chart, each open stage its own hue; won green."""
    keys = list(model.keys)
    colors = {k: STAGE_COLORS[i % len(STAGE_COLORS)] for i, k in enumerate(keys[:-1])}
    colors[keys[-1]] = WON_COLOR
    return colors


def funnel_figure(
    counts: pd.DataFrame, model: StageModel, lang: str = "zh", unit: tuple[float, str] | None = None
) -> go.Figure:
    """Deals per stage in model order; hover gives amount and weighted amount, and the rule."""
    names = model.stage_names(lang)
    colors = stage_colors(model)
    custom = [
        [format_amount(a, lang, unit=unit), format_amount(w, lang, unit=unit)]
        for a, w in zip(counts["amount"], counts["weighted"], strict=True)
    ]
    # One snapshot's funnel is the stock per stage: a share of the first stage is shown where
    # it means something, an open stage holding fewer deals; never for the won deals (a stock
    # gathered over years) nor above 100%.
    first = counts["count"].iloc[0] if len(counts) else 0
    text = []
    for stage, n in zip(counts["stage"], counts["count"], strict=True):
        share = n / first if first else None
        show = stage != model.won.key and share is not None and share <= 1
        text.append(f"{n:,}<br>{share:.0%}" if show else f"{n:,}")
    trace = {
        "type": "funnel",
        "y": [names[k] for k in counts["stage"]],
        "x": counts["count"].tolist(),
        "customdata": custom,
        "marker": {"color": [colors[k] for k in counts["stage"]]},
        "text": text,
        "textinfo": "text",
        "hovertemplate": t("chart_funnel_hover", lang, rule=t("chart_funnel_rule", lang)),
    }
    return _figure([trace], {"title": {"text": t("chart_funnel", lang)}, "height": 430, **_LAYOUT})


def _measure(
    measure: str,
    lang: str,
    largest: float | None = None,
    view: tuple[float, str] | None = None,
) -> tuple[str, float, str, str]:
    """Column, divisor, label and unit of a chart's measure; amounts in the view's unit when
    the page gives one, else in the unit of the chart's own largest value."""
    if measure == "amount":
        div, unit = view or amount_unit(lang, largest)
        return "amount", div, t("measure_amount", lang), unit
    return "count", 1.0, t("measure_count", lang), ""


def _axis(measure: str, unit: str, lang: str) -> str:
    """The subtitle naming what the axis counts, with the amount's unit."""
    if measure != "amount":
        return t("axis_count", lang)
    return t("axis_amount", lang, unit=UNIT_NAMES.get(unit, unit))


def breakdown_figure(
    breakdown: pd.DataFrame,
    model: StageModel,
    lang: str,
    title: str,
    measure: str = "amount",
    labels: dict[str, str] | None = None,
    max_groups: int = 20,
    unit: tuple[float, str] | None = None,
) -> go.Figure:
    """Horizontal stacked bars: one bar per group (team, owner, source, grade), one colour per stage."""
    largest = breakdown.groupby("group")["amount"].sum().max() if len(breakdown) else None
    column, div, measure_label, unit = _measure(measure, lang, largest, unit)
    names = model.stage_names(lang)
    colors = stage_colors(model)
    labels = dict(labels or {})
    groups = list(dict.fromkeys(breakdown["group"]))[:max_groups]
    shown = [labels.get(g, g) if g != "" else t("unknown_group", lang) for g in groups]
    wide = _stacked(breakdown, "group", column, list(model.keys[:-1]), groups) / div
    hover = t("chart_breakdown_hover", lang, measure=measure_label, unit=unit)
    traces = [
        {
            "type": "bar",
            "y": shown,
            "x": wide[:, j].tolist(),
            "name": names[key],
            "orientation": "h",
            "marker": {"color": colors[key]},
            "hovertemplate": hover,
        }
        for j, key in enumerate(model.keys[:-1])
    ]
    axis = _axis(measure, unit, lang)
    layout = {
        "barmode": "stack",
        "title": {"text": f"{title}<br><sup>{axis}</sup>"},
        "height": max(300, 120 + 28 * len(groups)),
        "yaxis": {"autorange": "reversed"},
        "xaxis": {"tickformat": ",.0f"},
        **_LAYOUT,
    }
    return _figure(traces, layout if groups else _nothing_open(layout, lang))


def trend_figure(
    trend: pd.DataFrame,
    model: StageModel,
    lang: str,
    measure: str = "amount",
    unit: tuple[float, str] | None = None,
) -> go.Figure:
    """Open pipeline per snapshot, stacked by stage in model order."""
    largest = trend.groupby("snapshot_date")["amount"].sum().max() if len(trend) else None
    column, div, measure_label, unit = _measure(measure, lang, largest, unit)
    names = model.stage_names(lang)
    colors = stage_colors(model)
    dates = sorted(trend["snapshot_date"].unique()) if len(trend) else []
    # A month-end snapshot is labelled by its month (a date axis would put it under the next
    # month's tick); two snapshots in one month keep their days.
    months = [pd.Timestamp(d).strftime("%Y-%m") for d in dates]
    labels = (
        months
        if len(set(months)) == len(months)
        else [pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates]
    )
    wide = _stacked(trend, "snapshot_date", column, list(model.keys[:-1]), dates) / div
    hover = t("chart_trend_hover", lang, measure=measure_label, unit=unit)
    traces = [
        {
            "type": "bar",
            "x": labels,
            "y": wide[:, j].tolist(),
            "name": names[key],
            "marker": {"color": colors[key]},
            "hovertemplate": hover,
        }
        for j, key in enumerate(model.keys[:-1])
    ]
    axis = _axis(measure, unit, lang)
    layout = {
        "barmode": "stack",
        "title": {"text": f"{t('chart_trend', lang)}<br><sup>{axis}</sup>"},
        "height": 400,
        "xaxis": {"type": "category"},
        "yaxis": {"tickformat": ",.0f"},
        **_LAYOUT,
    }
    return _figure(traces, layout if dates else _nothing_open(layout, lang))


def _hover(
    table: str,
    column: str,
    lang: str,
    value: str = "%{y:,.1f}",
    unit: str = "",
    extra: str = "",
    x: str = "%{x}",
) -> str:
    """A tooltip read from the table's contract: the column's header and value (in ``unit``),
    ``extra`` context, and the column's one-line definition."""
    declared = TABLES[table].column(column)
    unit_text = f" {UNIT_NAMES.get(unit, unit)}" if unit else ""
    about = declared.about(lang)
    return (
        f"<b>{x}</b><br>{declared.label(lang)}: {value}{unit_text}{extra}"
        f"<br><span style='font-size:11px'>{about}</span><extra></extra>"
    )


def _pct(v: float) -> str:
    return "—" if v is None or pd.isna(v) else f"{v * 100:.0f}%"


def conversion_figure(conversion: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Deals that reached each stage (furthest stage), with the conversion to the next stage
    and P(win | reached) and their intervals in the hover; a stage with fewer than 20 closed
    deals is grey and labelled "too few"."""
    names = model.stage_names(lang)
    colors = stage_colors(model)
    text = []
    custom = []
    for r in conversion.itertuples():
        nxt = "" if pd.isna(r.to_next_rate) else f" → {_pct(r.to_next_rate)}"
        flag = f" · {t('too_few_short', lang)}" if r.too_few else ""
        text.append(f"{r.reached_count:,}{nxt}{flag}")
        custom.append(
            [
                _pct(r.to_next_rate),
                _pct(r.to_next_rate_low),
                _pct(r.to_next_rate_high),
                _pct(r.win_rate),
                _pct(r.win_rate_low),
                _pct(r.win_rate_high),
                int(r.closed_count),
                t("too_few", lang) if r.too_few else "",
            ]
        )
    fig = go.Figure(
        go.Funnel(
            y=[names[k] for k in conversion["stage"]],
            x=conversion["reached_count"].tolist(),
            text=text,
            textinfo="text",
            customdata=custom,
            # A stage whose P(win | reached) rests on too few closed deals is drawn grey.
            marker={
                "color": [
                    "#C0C7D2" if few else colors[k]
                    for k, few in zip(conversion["stage"], conversion["too_few"], strict=True)
                ]
            },
            hovertemplate=t("chart_conversion_hover", lang),
        )
    )
    fig.update_layout(title=t("chart_conversion", lang), height=430, **_LAYOUT)
    return fig


def transition_heatmap(matrix: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Moves from × to as a heat map (forward above the diagonal, regressions below)."""
    names = {
        **model.stage_names(lang),
        "lost": t("outcome_lost", lang),
        "on_hold": t("outcome_on_hold", lang),
        "unknown": t("unknown_group", lang),
    }
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=[names.get(c, c) for c in matrix.columns],
            y=[names.get(i, i) for i in matrix.index],
            colorscale="Blues",
            hovertemplate=t("chart_transitions_hover", lang),
            texttemplate="%{z}",
        )
    )
    fig.update_layout(
        title=t("chart_transitions", lang),
        height=430,
        yaxis={"autorange": "reversed", "title": t("axis_from", lang)},
        xaxis={"title": t("axis_to", lang)},
        **_LAYOUT,
    )
    return fig


def win_rate_figure(
    rates: pd.DataFrame, group: str, lang: str, labels: dict[str, str] | None = None
) -> go.Figure:
    """Win rate by group with its 95% interval; groups with too few closed deals are grey."""
    labels = {"all": t("group_all", lang), **(labels or {})}
    shown = [
        labels.get(g, g) if g not in ("", None) else t("unknown_group", lang) for g in rates[group]
    ]
    fig = go.Figure(
        go.Bar(
            x=shown,
            y=rates["win_rate"].tolist(),
            text=[f"{v:.0%}" if pd.notna(v) else "" for v in rates["win_rate"]],
            textposition="inside",  # clear of the interval's whisker
            insidetextanchor="end",
            cliponaxis=False,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rates["win_rate_high"] - rates["win_rate"]).tolist(),
                "arrayminus": (rates["win_rate"] - rates["win_rate_low"]).tolist(),
            },
            marker_color=["#C0C7D2" if f else "#3169D6" for f in rates["too_few"]],
            customdata=rates[["won", "closed"]].to_numpy(),
            hovertemplate=t("chart_win_rate_hover", lang),
        )
    )
    fig.update_layout(
        title=t("chart_win_rate", lang), height=380, yaxis={"tickformat": ".0%"}, **_LAYOUT
    )
    return fig


def waterfall_figure(
    steps: pd.DataFrame, lang: str, measure: str = "amount", unit: tuple[float, str] | None = None
) -> go.Figure:
    """Pipeline changes between two snapshots; the bars reconcile start to end."""
    sign = {
        "start": "absolute",
        "new": "relative",
        "moved_in": "relative",
        "increased": "relative",
        "decreased": "relative",
        "won": "relative",
        "lost": "relative",
        "moved_out": "relative",
        "end": "total",
    }
    minus = {"decreased", "won", "lost", "moved_out"}
    largest = steps.loc[steps["step"].isin(["start", "end"]), "amount"].abs().max()
    view = unit
    div, unit = (view or amount_unit(lang, largest)) if measure == "amount" else (1.0, "")
    rows = (
        steps[(steps["step"] != "increased") & (steps["step"] != "decreased")]
        if measure == "count"
        else steps
    )
    values = [
        (-v if s in minus else v) / div for s, v in zip(rows["step"], rows[measure], strict=True)
    ]
    shown = [
        format_amount(v * div, lang, unit=view) if measure == "amount" else f"{v:+,.0f}"
        for v in values
    ]
    fig = go.Figure(
        go.Waterfall(
            x=[t(f"step_{s}", lang) for s in rows["step"]],
            y=values,
            text=shown,
            textposition="outside",
            cliponaxis=False,
            measure=[sign[s] for s in rows["step"]],
            connector={"line": {"color": "#A0AEC0"}},
            increasing={"marker": {"color": "#3169D6"}},
            decreasing={"marker": {"color": "#D9534F"}},
            totals={"marker": {"color": "#1F4FB0"}},
            hovertemplate=t("chart_waterfall_hover", lang),
        )
    )
    axis = _axis(measure, unit, lang)
    fig.update_layout(
        title=f"{t('chart_waterfall', lang)}<br><sup>{axis}</sup>",
        height=420,
        yaxis={"tickformat": ",.0f"},
        **_LAYOUT,
    )
    return fig


def survival_figure(curves: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Share of stays still in the stage after N days (Kaplan–Meier), one line per stage."""
    names = model.stage_names(lang)
    colors = stage_colors(model)
    fig = go.Figure()
    for key in model.keys[:-1]:
        c = curves[curves["stage"] == key]
        if c.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=c["days"],
                y=c["surviving"],
                mode="lines",
                line_shape="hv",
                name=names[key],
                line={"color": colors[key], "width": 2},
                hovertemplate=t("chart_survival_hover", lang),
            )
        )
    fig.update_layout(
        title=t("chart_survival", lang),
        height=420,
        yaxis={"tickformat": ".0%"},
        xaxis={"title": t("axis_days", lang)},
        **_LAYOUT,
    )
    return fig


def buckets_figure(
    buckets: pd.DataFrame, model: StageModel, lang: str, title_key: str = "chart_buckets"
) -> go.Figure:
    """Open deals per stage by how long they have been in it (or, ``chart_buckets_age``, since
    they were created)."""
    names = model.stage_names(lang)
    palette = ("#DCE6FA", "#A9C4F5", "#5688E6", "#F0AD4E", "#D9534F", "#8B1E1E")
    fig = go.Figure()
    for i, col in enumerate(c for c in buckets.columns if c != "stage"):
        fig.add_trace(
            go.Bar(
                x=[names[k] for k in buckets["stage"]],
                y=buckets[col].tolist(),
                name=t("bucket_days", lang, days=col),
                marker_color=palette[i % len(palette)],
                hovertemplate=t("chart_buckets_hover", lang),
            )
        )
    fig.update_layout(barmode="stack", title=t(title_key, lang), height=380, **_LAYOUT)
    return fig


def stage_check_figure(
    check: pd.DataFrame,
    model: StageModel,
    lang: str,
    title: str = "chart_check",
    effective_label: str = "effective",
) -> go.Figure:
    """The funnel both ways: open deals per stage as reported and as the checklist (or all the
    evidence: ``title`` and ``effective_label`` name the chart and the second bars) supports."""
    names = model.stage_names(lang)
    keys = list(model.keys[:-1])
    reported = check["reported_stage"].value_counts().reindex(keys, fill_value=0)
    effective = check["effective_stage"].value_counts().reindex(keys, fill_value=0)
    fig = go.Figure(
        [
            go.Bar(
                x=[names[k] for k in keys],
                y=reported.tolist(),
                name=t("reported", lang),
                marker_color="#A9C4F5",
                hovertemplate=t("chart_check_hover", lang),
            ),
            go.Bar(
                x=[names[k] for k in keys],
                y=effective.tolist(),
                name=t(effective_label, lang),
                marker_color="#1F4FB0",
                hovertemplate=t("chart_check_hover", lang),
            ),
        ]
    )
    fig.update_layout(barmode="group", title=t(title, lang), height=400, **_LAYOUT)
    return fig


def procurement_figure(cells: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Open deals per (our stage, the customer's procurement stage): a heat map, the cells our
    stages mirror outlined; the hover gives the closed deals' win rate from that cell."""
    from .procurement import PROCUREMENT_KEYS, procurement_name

    names = model.stage_names(lang)
    # Open stages only (no open deal stands in the won stage), the first at the top.
    ours = [s.key for s in model.open_stages if s.procurement in PROCUREMENT_KEYS][::-1]
    theirs = list(PROCUREMENT_KEYS)
    table = cells.set_index(["stage", "procurement_stage"])
    z, text, custom = [], [], []
    for key in ours:
        row_z, row_text, row_custom = [], [], []
        for p in theirs:
            found = table.loc[(key, p)] if (key, p) in table.index else None
            count = int(found["open_count"]) if found is not None else 0
            closed = int(found["closed"]) if found is not None else 0
            rate = (
                t(
                    "chart_sync_rate",
                    lang,
                    won=int(found["won"]),
                    closed=closed,
                    rate=f"{found['win_rate']:.0%}",
                    low=f"{found['win_rate_low']:.0%}",
                    high=f"{found['win_rate_high']:.0%}",
                )
                if closed
                else t("chart_sync_no_closed", lang)
            )
            row_z.append(count)
            row_text.append(str(count) if count else "")
            row_custom.append(rate)
        z.append(row_z)
        text.append(row_text)
        custom.append(row_custom)
    x = [procurement_name(p, lang) for p in theirs]
    y = [names[k] for k in ours]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale=[[0.0, "#F4F7FD"], [1.0, "#1F4FB0"]],
            showscale=False,
            hovertemplate=t("chart_sync_hover", lang),
            xgap=2,
            ygap=2,
        )
    )
    # Outline the cell each of our stages mirrors: in step lies on these cells.
    _outline(fig, [(i, theirs.index(model.stage(key).procurement)) for i, key in enumerate(ours)])
    fig.update_layout(
        title=f"{t('chart_sync', lang)}<br><sup>{t('chart_sync_sub', lang)}</sup>",
        height=max(360, 140 + 44 * len(ours)),
        xaxis={"title": t("chart_sync_x", lang), "side": "bottom"},
        yaxis={"title": t("chart_sync_y", lang)},
        **_LAYOUT,
    )
    return fig


def roles_figure(deals: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Open deals per (reported stage, role-consensus stage): a heat map with the cells where
    the two agree outlined; left of them the key roles are behind what is reported."""
    names = model.stage_names(lang)
    frame = deals[deals["consensus_stage"].notna()]
    counts = frame.groupby(["stage", "consensus_stage"]).size()
    rows = [s.key for s in model.open_stages][::-1]  # the first stage at the top
    cols = list(model.keys)
    z = [[int(counts.get((r, c), 0)) for c in cols] for r in rows]
    text = [[str(v) if v else "" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[names[c] for c in cols],
            y=[names[r] for r in rows],
            text=text,
            texttemplate="%{text}",
            colorscale=[[0.0, "#F4F7FD"], [1.0, "#1F4FB0"]],
            showscale=False,
            hovertemplate=t("chart_roles_hover", lang),
            xgap=2,
            ygap=2,
        )
    )
    _outline(fig, [(i, cols.index(key)) for i, key in enumerate(rows)])
    fig.update_layout(
        title=f"{t('chart_roles', lang)}<br><sup>{t('chart_roles_sub', lang)}</sup>",
        height=max(360, 140 + 44 * len(rows)),
        xaxis={"title": t("chart_roles_x", lang), "side": "bottom"},
        yaxis={"title": t("chart_roles_y", lang)},
        **_LAYOUT,
    )
    return fig


GRADE_COLORS = {"A": "#2E7D32", "B": "#3169D6", "C": "#F0AD4E", "D": "#9AA3AF"}


def grade_matrix_figure(matrix: pd.DataFrame, lang: str) -> go.Figure:
    """Open deals per (declared grade, suggested grade): a heat map of counts with each cell's
    amount, the cells where the two agree outlined."""
    from .grading import GRADES

    table = matrix.set_index(["declared_grade", "suggested_grade"])
    rows = list(GRADES)[::-1]  # A at the top
    z, text, custom = [], [], []
    for declared in rows:
        row_z, row_text, row_custom = [], [], []
        for suggested in GRADES:
            found = (
                table.loc[(declared, suggested)] if (declared, suggested) in table.index else None
            )
            count = int(found["count"]) if found is not None else 0
            amount = format_amount(float(found["amount"]), lang) if found is not None else "0"
            row_z.append(count)
            row_text.append(f"{count}<br>{amount}" if count else "")
            row_custom.append(amount)
        z.append(row_z)
        text.append(row_text)
        custom.append(row_custom)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(GRADES),
            y=rows,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale=[[0.0, "#F4F7FD"], [1.0, "#1F4FB0"]],
            showscale=False,
            hovertemplate=t("chart_grade_matrix_hover", lang),
            xgap=2,
            ygap=2,
        )
    )
    _outline(fig, [(i, GRADES.index(declared)) for i, declared in enumerate(rows)])
    fig.update_layout(
        title=f"{t('chart_grade_matrix', lang)}<br><sup>{t('chart_grade_matrix_sub', lang)}</sup>",
        height=400,
        xaxis={"title": t("chart_grade_matrix_x", lang), "side": "bottom", "type": "category"},
        yaxis={"title": t("chart_grade_matrix_y", lang), "type": "category"},
        **_LAYOUT,
    )
    return fig


def grade_map_figure(
    deals: pd.DataFrame,
    model: StageModel,
    thresholds: tuple[float, float, float],
    lang: str,
) -> go.Figure:
    """Each open deal at (P(win), P(close in horizon | won)), coloured by its suggested grade,
    with the thresholds (``likely``, ``possible``, ``soon``) that divide the plane; deals whose
    timing is unknown are not drawn."""
    from .grading import GRADES

    likely, possible, soon = thresholds
    names = model.stage_names(lang)
    shown = deals[deals["p_close"].notna()]
    traces = []
    for grade in GRADES:
        part = shown[shown["suggested_grade"] == grade]
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=part["p_win"].tolist(),
                y=part["p_close"].tolist(),
                mode="markers",
                name=t(f"grade_name_{grade}", lang),
                marker={"color": GRADE_COLORS[grade], "size": 8, "opacity": 0.55},
                customdata=[
                    [str(i), names.get(s, s), format_amount(a, lang)]
                    for i, s, a in zip(
                        part["opportunity_id"], part["stage"], part["amount"], strict=True
                    )
                ],
                hovertemplate=t("chart_grade_map_hover", lang),
            )
        )
    fig = go.Figure(traces)
    for x0, x1, y0, y1 in ((likely, likely, 0, 1), (possible, possible, 0, 1), (0, 1, soon, soon)):
        fig.add_shape(
            type="line", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#5B6573", "dash": "dot"}
        )
    fig.update_layout(
        title=f"{t('chart_grade_map', lang)}<br><sup>{t('chart_grade_map_sub', lang)}</sup>",
        height=420,
        xaxis={"title": t("chart_grade_map_x", lang), "range": [-0.02, 1.02], "tickformat": ".0%"},
        yaxis={"title": t("chart_grade_map_y", lang), "range": [-0.02, 1.02], "tickformat": ".0%"},
        **_LAYOUT,
    )
    return fig


def grade_backtest_figure(table: pd.DataFrame, lang: str) -> go.Figure:
    """Share of the deals of each grade at a past snapshot won within the horizon after it:
    the suggested grade beside the declared one (where the data has it), with 95% intervals."""
    x = [t(f"grade_name_{g}", lang) for g in table["grade"]]
    traces = []
    for key, color in (("suggested", "#1F4FB0"), ("declared", "#A9C4F5")):
        if f"{key}_rate" not in table:
            continue
        rate = table[f"{key}_rate"].to_numpy(dtype="float64")
        low = table[f"{key}_rate_low"].to_numpy(dtype="float64")
        high = table[f"{key}_rate_high"].to_numpy(dtype="float64")
        traces.append(
            go.Bar(
                x=x,
                y=np.nan_to_num(rate).tolist(),
                name=t(f"chart_backtest_{key}", lang),
                marker_color=color,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(high - rate).tolist(),
                    "arrayminus": np.nan_to_num(rate - low).tolist(),
                },
                customdata=[
                    [int(w), int(n)]
                    for w, n in zip(table[f"{key}_won"], table[f"{key}_deals"], strict=True)
                ],
                hovertemplate=t("chart_backtest_hover", lang),
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        barmode="group",
        title=t("chart_backtest", lang),
        height=380,
        yaxis={"title": t("chart_backtest_y", lang), "tickformat": ".0%", "rangemode": "tozero"},
        **_LAYOUT,
    )
    return fig


def factor_lift_figure(lift: pd.DataFrame, names: dict[str, str], lang: str) -> go.Figure:
    """Each evaluation factor's win-rate lift (high minus low, in percentage points) with its
    95% interval, the pass of the total score last; a lift whose interval clears zero told
    the closed deals' winners from their losers. ``names``: factor key -> display name."""
    shown = lift[lift["lift"].notna()]
    y = [names.get(k, k) for k in shown["factor"]]
    value = shown["lift"].to_numpy(dtype="float64")
    low = shown["lift_low"].to_numpy(dtype="float64")
    high = shown["lift_high"].to_numpy(dtype="float64")
    clear = (low > 0) | (high < 0)
    fig = go.Figure(
        [
            go.Bar(
                x=value.tolist(),
                y=y,
                orientation="h",
                marker_color=["#1F4FB0" if c else "#A9C4F5" for c in clear],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(high - value).tolist(),
                    "arrayminus": np.nan_to_num(value - low).tolist(),
                },
                customdata=[
                    [int(kh), int(nh), int(kl), int(nl)]
                    for kh, nh, kl, nl in zip(
                        shown["won_high"],
                        shown["closed_high"],
                        shown["won_low"],
                        shown["closed_low"],
                        strict=True,
                    )
                ],
                hovertemplate=t("chart_lift_hover", lang),
            )
        ]
    )
    fig.add_vline(x=0, line_color="#888", line_width=1)
    fig.update_layout(
        title=t("chart_lift", lang),
        height=120 + 40 * len(y),
        xaxis={"title": t("chart_lift_x", lang), "tickformat": "+.0%", "range": [-1.05, 1.05]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
        **_LAYOUT,
    )
    return fig


# --------------------------------------------------------------------------------------------
# Planning and forecasting
# --------------------------------------------------------------------------------------------
_STATUS_COLORS = {
    "thin": "#D9534F",
    "stuck": "#F0AD4E",
    "balanced": "#3169D6",
    "no_data": "#C0C7D2",
}


def plan_figure(vs: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Deals reaching each stage per month: needed by the plan vs actual, coloured by status."""
    names = model.stage_names(lang)
    x = [names.get(k, k) for k in vs["stage"]]
    status = [t(f"plan_status_{s}", lang) for s in vs["status"]]
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=vs["required_per_month"].tolist(),
                name=t("plan_needed", lang),
                marker_color="#DCE6FA",
                marker_line={"color": "#1F4FB0", "width": 1},
                hovertemplate=_hover("plan_vs_actual", "required_per_month", lang),
            ),
            go.Bar(
                x=x,
                y=vs["actual_per_month"].tolist(),
                name=t("plan_actual", lang),
                marker_color=[_STATUS_COLORS[s] for s in vs["status"]],
                customdata=status,
                hovertemplate=_hover(
                    "plan_vs_actual", "actual_per_month", lang, extra=" · %{customdata}"
                ),
            ),
        ]
    )
    fig.update_layout(
        barmode="group",
        title=t("chart_plan", lang),
        height=420,
        yaxis={"title": t("axis_deals_per_month", lang)},
        **_LAYOUT,
    )
    return fig


def forecast_figure(
    by_month: pd.DataFrame,
    lang: str,
    target_line: float | None = None,
    unit: tuple[float, str] | None = None,
) -> go.Figure:
    """Monte Carlo bookings per month: the P10–P90 band, P50 and the exact expectation."""
    div, unit = unit or amount_unit(lang, by_month["p90"].max() if len(by_month) else None)
    x = by_month["period"].tolist()
    fig = go.Figure(
        [
            go.Scatter(
                x=x,
                y=(by_month["p90"] / div).tolist(),
                mode="lines",
                line={"width": 0},
                name="P90",
                showlegend=False,  # the band's entry (P10–P90) stands for both edges
                hovertemplate=_hover("forecast_by_month", "p90", lang, "%{y:,.0f}", unit),
            ),
            go.Scatter(
                x=x,
                y=(by_month["p10"] / div).tolist(),
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(49,105,214,0.18)",
                name="P10–P90",
                hovertemplate=_hover("forecast_by_month", "p10", lang, "%{y:,.0f}", unit),
            ),
            go.Scatter(
                x=x,
                y=(by_month["p50"] / div).tolist(),
                mode="lines+markers",
                line={"color": "#1F4FB0", "width": 2},
                name="P50",
                hovertemplate=_hover("forecast_by_month", "p50", lang, "%{y:,.0f}", unit),
            ),
            go.Scatter(
                x=x,
                y=(by_month["expected"] / div).tolist(),
                mode="lines",
                line={"color": "#1B8A5A", "dash": "dot"},
                name=t("forecast_expected", lang),
                hovertemplate=_hover("forecast_by_month", "expected", lang, "%{y:,.0f}", unit),
            ),
        ]
    )
    fig.update_layout(
        title=f"{t('chart_forecast', lang)}<br><sup>{_axis('amount', unit, lang)}</sup>",
        height=420,
        yaxis={"tickformat": ",.0f"},
        xaxis={"type": "category"},
        **_LAYOUT,
    )
    return fig


def weighted_figure(
    by_period: pd.DataFrame, lang: str, unit: tuple[float, str] | None = None
) -> go.Figure:
    """Open and weighted amount by expected close month; overdue and undated deals first, in red."""
    largest = by_period["amount"].max() if len(by_period) else None
    div, unit = unit or amount_unit(lang, largest)
    labels = [
        t(f"bucket_{p}", lang) if p in ("overdue", "no_date") else p for p in by_period["period"]
    ]
    special = by_period["period"].isin(["overdue", "no_date"]).tolist()
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=(by_period["amount"] / div).tolist(),
                name=t("forecast_open_amount", lang),
                marker_color=["#F4C7C3" if sp else "#DCE6FA" for sp in special],
                customdata=by_period["count"].tolist(),
                hovertemplate=_hover(
                    "forecast_weighted_by_month",
                    "amount",
                    lang,
                    "%{y:,.0f}",
                    unit,
                    extra=" · " + t("chart_deals_n", lang),
                ),
            ),
            go.Bar(
                x=labels,
                y=(by_period["weighted"] / div).tolist(),
                name=t("forecast_weighted", lang),
                marker_color=["#D9534F" if sp else "#3169D6" for sp in special],
                customdata=by_period["count"].tolist(),
                hovertemplate=_hover(
                    "forecast_weighted_by_month",
                    "weighted",
                    lang,
                    "%{y:,.0f}",
                    unit,
                    extra=" · " + t("chart_deals_n", lang),
                ),
            ),
        ]
    )
    fig.update_layout(
        barmode="overlay",
        title=f"{t('chart_weighted', lang)}<br><sup>{_axis('amount', unit, lang)}</sup>",
        height=400,
        xaxis={"type": "category"},
        yaxis={"tickformat": ",.0f"},
        **_LAYOUT,
    )
    return fig


def calibration_figure(cal: pd.DataFrame, model: StageModel, lang: str) -> go.Figure:
    """Per stage: nominal, observed (with its interval) and calibrated P(win | reached)."""
    names = model.stage_names(lang)
    x = [names.get(k, k) for k in cal["stage"]]
    fig = go.Figure(
        [
            go.Scatter(
                x=x,
                y=cal["nominal"].tolist(),
                mode="markers",
                name=t("cal_nominal", lang),
                marker={
                    "symbol": "line-ew-open",
                    "size": 26,
                    "color": "#6B7280",
                    "line": {"width": 3},
                },
                hovertemplate=t("chart_cal_hover", lang, what=t("cal_nominal", lang)),
            ),
            go.Scatter(
                x=x,
                y=cal["observed"].tolist(),
                mode="markers",
                name=t("cal_observed", lang),
                marker={"color": "#A9C4F5", "size": 10},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (cal["observed_high"] - cal["observed"]).tolist(),
                    "arrayminus": (cal["observed"] - cal["observed_low"]).tolist(),
                },
                customdata=cal[["closed_count"]].to_numpy(),
                hovertemplate=t("chart_cal_observed_hover", lang),
            ),
            go.Scatter(
                x=x,
                y=cal["calibrated"].tolist(),
                mode="markers",
                name=t("cal_calibrated", lang),
                marker={"color": "#1F4FB0", "size": 12, "symbol": "diamond"},
                customdata=cal[["data_weight"]].to_numpy(),
                hovertemplate=t("chart_cal_calibrated_hover", lang),
            ),
        ]
    )
    fig.update_layout(
        title=t("chart_calibration", lang),
        height=400,
        yaxis={"tickformat": ".0%", "range": [0, 1.05]},
        **_LAYOUT,
    )
    return fig


def accuracy_figure(
    acc: pd.DataFrame, lang: str, unit: tuple[float, str] | None = None
) -> go.Figure:
    """At each past snapshot: the weighted forecast for the next interval vs what was won."""
    div, unit = unit or amount_unit(lang)
    x = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in acc["snapshot_date"]]
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=(acc["forecast"] / div).tolist(),
                name=t("acc_forecast", lang),
                marker_color="#A9C4F5",
                customdata=acc["deals_due"].tolist(),
                hovertemplate=_hover(
                    "forecast_accuracy",
                    "forecast",
                    lang,
                    "%{y:,.0f}",
                    unit,
                    extra=" · " + t("chart_deals_due_n", lang),
                ),
            ),
            go.Bar(
                x=x,
                y=(acc["actual"] / div).tolist(),
                name=t("acc_actual", lang),
                marker_color="#1B8A5A",
                hovertemplate=_hover("forecast_accuracy", "actual", lang, "%{y:,.0f}", unit),
            ),
        ]
    )
    fig.update_layout(
        barmode="group",
        title=f"{t('chart_accuracy', lang)}<br><sup>{_axis('amount', unit, lang)}</sup>",
        height=380,
        xaxis={"type": "category"},
        yaxis={"tickformat": ",.0f"},
        **_LAYOUT,
    )
    return fig


def scenarios_figure(
    table: pd.DataFrame,
    lang: str,
    target: float | None = None,
    unit: tuple[float, str] | None = None,
) -> go.Figure:
    """Each scenario's bookings of the period: P50 with the P10–P90 range, and the target.
    The first row is the baseline (drawn grey)."""
    largest = max(table["p90_year"].max() if len(table) else 0.0, target or 0.0)
    div, unit = unit or amount_unit(lang, largest)
    fig = go.Figure(
        go.Bar(
            x=table["scenario"].tolist(),
            y=(table["p50_year"] / div).tolist(),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": ((table["p90_year"] - table["p50_year"]) / div).tolist(),
                "arrayminus": ((table["p50_year"] - table["p10_year"]) / div).tolist(),
            },
            marker_color=[
                "#6B7280" if i == 0 else "#3169D6" for i in range(len(table))
            ],  # baseline first
            customdata=table[["p_hit_target"]].to_numpy(),
            hovertemplate=_hover(
                "scenarios",
                "p50_year",
                lang,
                "%{y:,.0f}",
                unit,
                extra=" · " + t("chart_p_hit", lang),
            ),
        )
    )
    if target:
        fig.add_hline(
            y=target / div,
            line_dash="dash",
            line_color="#D9534F",
            annotation_text=t("target_line", lang),
            annotation_position="top left",
        )
    fig.update_layout(
        title=f"{t('chart_scenarios', lang)}<br><sup>{_axis('amount', unit, lang)}</sup>",
        height=400,
        yaxis={"tickformat": ",.0f"},
        **_LAYOUT,
    )
    return fig


def tornado_figure(
    tor: pd.DataFrame, lang: str, unit: tuple[float, str] | None = None
) -> go.Figure:
    """Which lever moves the period's expected bookings most: each lever ±20% alone."""
    div, unit = unit or amount_unit(lang)
    base = float(tor["baseline"].iloc[0]) if len(tor) else 0.0
    order = tor.iloc[::-1]
    names = [t(f"lever_{k}", lang) for k in order["lever"]]
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=((order["worse"] - base) / div).tolist(),
                orientation="h",
                name=t("lever_worse", lang),
                marker_color="#D9534F",
                hovertemplate=t("chart_tornado_hover", lang, unit=unit),
            ),
            go.Bar(
                y=names,
                x=((order["better"] - base) / div).tolist(),
                orientation="h",
                name=t("lever_better", lang),
                marker_color="#1B8A5A",
                hovertemplate=t("chart_tornado_hover", lang, unit=unit),
            ),
        ]
    )
    fig.update_layout(
        barmode="overlay",
        title=f"{t('chart_tornado', lang)}<br><sup>{_axis('amount', unit, lang)}</sup>",
        height=340,
        xaxis={"tickformat": ",.0f"},
        **_LAYOUT,
    )
    return fig


def scorecard_balance_figure(
    card: pd.DataFrame, model: StageModel, lang: str, by: str
) -> go.Figure:
    """Open deals ÷ the rep's share of the plan, per rep and stage (1 = exactly as planned)."""
    names = model.stage_names(lang)
    keys = [k for k in model.keys[:-1] if f"open_{k}" in card]
    z = [
        [(r[f"open_{k}"] / r[f"required_{k}"]) if r[f"required_{k}"] else None for k in keys]
        for _, r in card.iterrows()
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[names[k] for k in keys],
            y=[str(v) or t("unknown_group", lang) for v in card[by]],
            colorscale=[[0, "#D9534F"], [0.4, "#F7E3B5"], [0.5, "#F4F6FA"], [1, "#3169D6"]],
            zmin=0,
            zmax=2,
            texttemplate="%{z:.1f}",
            hovertemplate=t("chart_balance_hover", lang),
        )
    )
    fig.update_layout(
        title=t("chart_balance", lang),
        height=max(300, 28 * len(card) + 120),
        yaxis={"autorange": "reversed"},
        **_LAYOUT,
    )
    return fig


def mix_figure(
    card: pd.DataFrame, column: str, values: list[str], labels: dict[str, str], lang: str, by: str
) -> go.Figure:
    """Each rep's open deals by customer grade or by source, as shares."""
    palette = ("#1F4FB0", "#5688E6", "#A9C4F5", "#DCE6FA", "#F0AD4E", "#6B7280")
    fig = go.Figure()
    for i, v in enumerate(values):
        col = f"{column}_{v}"
        if col not in card:
            continue
        fig.add_trace(
            go.Bar(
                y=[str(x) for x in card[by]],
                x=card[col].tolist(),
                orientation="h",
                name=labels.get(v, v),
                marker_color=palette[i % len(palette)],
                hovertemplate=t("chart_mix_hover", lang, what=labels.get(v, v)),
            )
        )
    fig.update_layout(
        barmode="stack",
        title=t(f"chart_mix_{column}", lang),
        height=max(300, 24 * len(card) + 140),
        xaxis={"tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
        **_LAYOUT,
    )
    return fig

"""Every Plotly figure the product draws (the one module that builds figures)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .stages import StageModel

__all__ = ["STAGE_COLORS", "funnel_figure", "stage_colors"]

STAGE_COLORS = ("#9DB9F2", "#6E97EC", "#3F74E3", "#2456C2", "#173E96", "#1B8A5A",
                "#7A8FB8", "#4B5F8A", "#A0AEC0")


def stage_colors(model: StageModel) -> dict[str, str]:
    """One colour per stage, the same on every chart; the won stage is green."""
    keys = list(model.keys)
    colors = {k: STAGE_COLORS[i % (len(STAGE_COLORS) - 3)] for i, k in enumerate(keys[:-1])}
    colors[keys[-1]] = "#1B8A5A"
    return colors


def funnel_figure(counts: pd.DataFrame, model: StageModel, lang: str = "zh",
                  title: str = "", hover: str = "") -> go.Figure:
    """A funnel of deal counts per stage in model order; the hover says how it is counted."""
    names = model.stage_names(lang)
    colors = stage_colors(model)
    fig = go.Figure(go.Funnel(
        y=[names[k] for k in counts["stage"]],
        x=counts["count"],
        customdata=counts[["amount", "weighted"]].to_numpy(),
        marker={"color": [colors[k] for k in counts["stage"]]},
        textinfo="value",
        hovertemplate=hover or "%{y}: %{x}<extra></extra>",
    ))
    fig.update_layout(title=title, margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=420)
    return fig

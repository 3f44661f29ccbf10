"""Overview: KPI tiles, the funnel, pipeline by team, owner, source and grade, and the trend."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import breakdown_figure, funnel_figure, trend_figure
from funnel_analytics.formatting import format_amount, format_count, format_date, view_unit
from funnel_analytics.funnel import is_history_log
from pages.ui import (
    cached_overview,
    full_report_button,
    keep,
    kept,
    labels,
    lang_key,
    open_page,
    placeholder_text,
    plain,
    t,
)

app = open_page("overview_title")
lang, model = app.lang, app.model
full_report_button(app, "dl_full_report")
numbers = cached_overview(app.token, app.as_of, app)
k, history = numbers.kpis, numbers.history
# One unit for the page's amounts (tiles, hover, charts), from the largest it shows.
unit = view_unit(lang, k.open_amount, k.weighted, k.won_amount, history.get("open_amount"))
log = is_history_log(app.observations)  # a stage-history log: month ends, not snapshots
st.caption(
    t(
        "overview_caption_log" if log else "overview_caption",
        source=t(f"source_{app.source}"),
        model=model.title(lang),
        as_of=format_date(k.as_of, lang),
        count=len(app.snapshot_dates),
        changes=f"{len(app.observations):,}",
    )
)


won_help = (
    t("kpi_won_help", start=format_date(k.period_start, lang), end=format_date(k.as_of, lang))
    if k.period_start is not None
    else t("kpi_won_help_first", end=format_date(k.as_of, lang))
)
# Each tile says how it changed since the previous snapshot (when there is one).
previous = history.iloc[-2] if len(history) > 1 else None


def change(column: str, amount: bool = False) -> str | None:
    if previous is None:
        return None
    delta = float(history[column].iloc[-1] - previous[column])
    shown = format_amount(delta, lang, unit=unit) if amount else f"{delta:,.0f}"
    sign = "+" if delta > 0 and not shown.startswith("-") else ""
    return t(
        "kpi_change", change=f"{sign}{shown}", date=format_date(previous["snapshot_date"], lang)
    )


def joined(*parts: str | None) -> str | None:
    kept_parts = [p for p in parts if p]
    return " · ".join(kept_parts) if kept_parts else None


tiles = [
    (
        t("kpi_open"),
        format_count(k.open_count),
        # The change first: a narrow tile cuts the end of the line.
        joined(
            change("open_count"),
            t("kpi_amount_delta", amount=format_amount(k.open_amount, lang, unit=unit)),
        ),
        t("kpi_open_help"),
    ),
    (
        t("kpi_weighted"),
        format_amount(k.weighted, lang, unit=unit),
        change("weighted", amount=True),
        " ".join(
            filter(
                None,
                (t("kpi_weighted_help", model=plain(model.title(lang))), placeholder_text(model)),
            )
        ),
    ),
    (
        t("kpi_won"),
        format_count(k.won_count),
        joined(
            change("won_count"),
            t("kpi_amount_delta", amount=format_amount(k.won_amount, lang, unit=unit)),
        ),
        won_help,
    ),
    (
        t("kpi_attention"),
        format_count(k.attention_count),
        change("attention_count"),
        t("kpi_attention_help", overdue=k.overdue_count, no_amount=k.no_amount_count),
    ),
]
# No sparkline in the tiles: Streamlit draws them with Vega-Lite, whose bundle then loads and
# draws before the funnel's Plotly, a later visitor's first chart 0.2-0.4 s later
# (benchmarks/README.md, "First screen"). The trend chart below carries the history.
for col, (label, value, sub, help_) in zip(st.columns(4), tiles, strict=True):
    col.metric(
        label,
        value,
        sub,
        delta_color="off",
        delta_arrow="off",
        help=help_,
        border=True,
    )

left, right = st.columns([3, 2])
left.plotly_chart(
    funnel_figure(numbers.funnel, model, lang, unit=unit), width="stretch", key="funnel"
)
measure = keep(
    "measure",
    right.segmented_control(
        t("measure"),
        ["amount", "count"],
        default=kept("measure", "amount"),
        key=lang_key("measure"),
        format_func=labels("measure_", ["amount", "count"]).get,
    )
    or "amount",
)
by = numbers.breakdowns


def breakdown(where, what: str, title: str, key: str, names: dict | None = None) -> None:
    """The open pipeline by ``what``, or, where the data has no value for it (the export has
    no such column), a sentence saying so instead of one "(blank)" bar."""
    frame = by[what]
    if len(frame) and (frame["group"] == "").all():
        where.markdown(f"**{title}**")
        where.info(t("chart_no_column", what=t(f"filter_{what}")))
        return
    where.plotly_chart(
        breakdown_figure(frame, model, lang, title, measure, labels=names, unit=unit),
        width="stretch",
        key=key,
    )


breakdown(right, "team", t("chart_by_team"), "by_team")
sources = {
    s: t(f"source_{s}")
    for s in ("cold_visit", "follow_up", "penetration", "cultivation", "inbound")
}
grades = {g: t("grade_label", grade=g) for g in "ABCD"}
a, b = st.columns(2)
breakdown(a, "source", t("chart_by_source"), "by_source", sources)
breakdown(b, "grade", t("chart_by_grade"), "by_grade", grades)
breakdown(st, "owner", t("chart_by_owner"), "by_owner")
st.plotly_chart(
    trend_figure(numbers.trend, model, lang, measure, unit=unit), width="stretch", key="trend"
)

"""Conversion: the reached-stage funnel, moves between stages, win rates with intervals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from funnel_analytics.charts import conversion_figure, transition_heatmap, win_rate_figure
from funnel_analytics.conversion import (
    CREATED_COHORT_MONTHS,
    created_cohort_win_rates,
    stage_flow,
    win_rates,
)
from funnel_analytics.formatting import format_date
from pages.ui import cached_report, download_table, labels, open_page, show_table, t

app = open_page("conversion_title")
lang, model = app.lang, app.model
report = cached_report(app.token, app.as_of, app)
d = report.data
st.caption(
    t(
        "conversion_caption",
        resolution=t(f"resolution_{d['resolution']}"),
        as_of=format_date(d["as_of"], lang),
        deals=f"{d['deals']:,}",
        unknown=d["lost_stage_unknown"],
    )
)
left, right = st.columns(2)
left.plotly_chart(
    conversion_figure(report.tables["conversion"], model, lang), width="stretch", key="conv"
)
moves = report.tables["transitions"].drop(columns="from").to_numpy().sum()
if moves:
    right.plotly_chart(
        transition_heatmap(report.tables["transitions"].set_index("from"), model, lang),
        width="stretch",
        key="transitions",
    )
else:  # one export shows where deals are, not how they moved: no empty matrix of zeros
    right.subheader(t("chart_transitions"))
    right.info(t("transitions_need_two"))
groups = ["all", "team", "owner", "source", "grade"]
a, b = st.columns([3, 2])
by = (
    a.segmented_control(
        t("win_rate_by"),
        groups,
        default="all",
        key=f"win_by__{lang}",
        format_func={"all": t("group_all"), **labels("filter_", groups[1:])}.get,
    )
    or "all"
)
cohorts = ["closed", "created"]
cohort = (
    b.segmented_control(
        t("win_cohort"),
        cohorts,
        default="closed",
        key=f"win_cohort__{lang}",
        format_func=labels("win_cohort_", cohorts).get,
        help=t("win_cohort_help", months=CREATED_COHORT_MONTHS),
    )
    or "closed"
)
group = None if by == "all" else by
if cohort == "closed":
    period = d["win_rate"]["closed_period"]
    rates = (
        report.tables["win_rate"] if group is None else report.tables.get(f"win_rate_by_{group}")
    )
    if rates is None:  # a grouping the export has no column for
        rates = win_rates(
            report.history,
            app.observations,
            pd.Timestamp(period["from"]),
            report.history.as_of,
            group,
        )
else:
    start = report.history.as_of - pd.DateOffset(months=CREATED_COHORT_MONTHS)
    in_view = app.observations[app.observations["snapshot_date"] <= report.history.as_of]
    rates = created_cohort_win_rates(report.history, in_view, start, report.history.as_of, group)
    rates = rates.assign(closed=rates["won"] + rates["lost"])
    st.caption(
        t(
            "win_cohort_created_caption",
            created=f"{int(rates['created'].sum()):,}",
            share=f"{(rates['closed'].sum() / max(rates['created'].sum(), 1)):.0%}",
        )
    )
sources = labels("source_", ["cold_visit", "follow_up", "penetration", "cultivation", "inbound"])
st.plotly_chart(
    win_rate_figure(rates, "cohort" if by == "all" else by, lang, sources),
    width="stretch",
    key="win_rate",
)
st.subheader(t("flow_title"))
flow = stage_flow(report.history, d["previous_snapshot"], report.history.as_of)
show_table(flow, "stage_flow", model)
download_table(report.tables["conversion"], "conversion", "dl_conversion", model)

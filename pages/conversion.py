"""Conversion: the reached-stage funnel, moves between stages, win rates with intervals."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import conversion_figure, transition_heatmap, win_rate_figure
from funnel_analytics.conversion import CREATED_COHORT_MONTHS
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
view = report.conversion
left, right = st.columns(2)
left.plotly_chart(conversion_figure(view.conversion, model, lang), width="stretch", key="conv")
if view.moves:
    right.plotly_chart(
        transition_heatmap(view.transitions.set_index("from"), model, lang),
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
rates = view.rates(None if by == "all" else by, cohort)
if cohort == "created":
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
show_table(view.stage_flow, "stage_flow", model)
download_table(view.conversion, "conversion", "dl_conversion", model)

"""Ageing: time in stage as survival curves, stalled deals, and how long open deals have sat."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.ageing import (
    ageing_buckets,
    open_deal_ages,
    stage_entry_known,
    survival_curves,
)
from funnel_analytics.charts import buckets_figure, survival_figure
from funnel_analytics.funnel import current_deals
from pages.ui import cached_report, download_table, open_page, show_table, t

app = open_page("ageing_title", "ageing_caption")
lang, model = app.lang, app.model
report = cached_report(app.token, app.as_of, app)
ages = open_deal_ages(report.history, app.observations)
if not stage_entry_known(report.history, app.observations):
    # One export says where each deal is, not since when: no time in stage to measure.
    st.info(t("ageing_unknown_entry"))
    st.plotly_chart(
        buckets_figure(
            ageing_buckets(ages, model.keys, "age_days"), model, lang, "chart_buckets_age"
        ),
        width="stretch",
        key="buckets",
    )
    st.stop()
left, right = st.columns([3, 2])
left.plotly_chart(
    survival_figure(survival_curves(report.history), model, lang), width="stretch", key="survival"
)
with right:
    st.subheader(t("durations_title"))
    durations = report.tables["time_in_stage"]
    show_table(durations.drop(columns=["p80_days"]), "time_in_stage", model)
st.plotly_chart(
    buckets_figure(ageing_buckets(ages, model.keys), model, lang), width="stretch", key="buckets"
)
st.subheader(t("stalled_title"))
owners = current_deals(app.observations, app.as_of).set_index("opportunity_id")["owner"]
stalled = report.tables["stalled"].assign(owner=lambda s: s["opportunity_id"].map(owners))
a, b = st.columns([3, 1])
with a:
    show_table(
        stalled.assign(limit_source=[t(f"limit_source_{v}") for v in stalled["limit_source"]]),
        "stalled",
        model,
    )
with b:
    st.caption(t("stalled_by_owner"))
    show_table(
        stalled.groupby("owner")
        .size()
        .rename("deals")
        .reset_index()
        .sort_values("deals", ascending=False)
    )
download_table(stalled, "stalled", "dl_stalled", model)

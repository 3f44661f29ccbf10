"""Ageing: time in stage as survival curves, stalled deals, and how long open deals have sat."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import buckets_figure, survival_figure
from pages.ui import cached_report, download_table, open_page, show_table, t

app = open_page("ageing_title", "ageing_caption")
lang, model = app.lang, app.model
report = cached_report(app.token, app.as_of, app)
view = report.ageing
if not view.entry_known:
    # One export says where each deal is, not since when: no time in stage to measure.
    st.info(t("ageing_unknown_entry"))
    st.plotly_chart(
        buckets_figure(view.buckets(model.keys), model, lang, "chart_buckets_age"),
        width="stretch",
        key="buckets",
    )
    st.stop()
left, right = st.columns([3, 2])
left.plotly_chart(survival_figure(view.survival, model, lang), width="stretch", key="survival")
with right:
    st.subheader(t("durations_title"))
    show_table(view.time_in_stage.drop(columns=["p80_days"]), "time_in_stage", model)
st.plotly_chart(
    buckets_figure(view.buckets(model.keys), model, lang), width="stretch", key="buckets"
)
st.subheader(t("stalled_title"))
stalled = view.stalled
a, b = st.columns([3, 1])
with a:
    show_table(
        stalled.assign(limit_source=[t(f"limit_source_{v}") for v in stalled["limit_source"]]),
        "stalled",
        model,
    )
with b:
    st.caption(t("stalled_by_owner"))
    show_table(view.stalled_by_owner)
download_table(stalled, "stalled", "dl_stalled", model)

"""Movement: the waterfall between two snapshots, deals that went backwards, slipped dates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from funnel_analytics.charts import waterfall_figure
from funnel_analytics.formatting import view_unit
from funnel_analytics.views import movement_view
from pages.ui import (
    cached_report,
    download_table,
    keep,
    kept,
    labels,
    lang_key,
    open_page,
    show_table,
    t,
)

app = open_page("movement_title")
lang, model = app.lang, app.model
dates = [d for d in app.snapshot_dates if app.as_of is None or d <= app.as_of]
if len(dates) < 2:
    st.info(t("movement_needs_two"))
    st.stop()
show = lambda d: pd.Timestamp(d).strftime("%Y-%m-%d")  # noqa: E731
a, b, c = st.columns([2, 2, 3])
start = a.selectbox(
    t("movement_from"), dates[:-1], index=len(dates) - 2, format_func=show, key="mv_from"
)
end = (
    b.selectbox(
        t("movement_to"),
        [d for d in dates if d > start],
        index=None,
        format_func=show,
        key="mv_to",
        placeholder=show(dates[-1]),
    )
    or dates[-1]
)
measure = keep(
    "measure",
    c.segmented_control(
        t("measure"),
        ["amount", "count"],
        default=kept("measure", "amount"),
        key=lang_key("mv_measure"),
        format_func=labels("measure_", ["amount", "count"]).get,
    )
    or "amount",
)
report = cached_report(app.token, app.as_of, app)
view = report.movement
if (view.start, view.end) != (pd.Timestamp(start), pd.Timestamp(end)):  # other snapshots chosen
    view = movement_view(app.observations, report.history, start, end)
steps, deals = view.steps, view.deals
unit = view_unit(lang, steps["amount"])  # one unit for the page's amounts
st.plotly_chart(waterfall_figure(steps, lang, measure, unit=unit), width="stretch", key="waterfall")
with st.expander(t("changes_deals")):
    shown = deals.assign(step=[t(f"step_{s}") for s in deals["step"]])
    show_table(shown, "pipeline_change_deals", unit=unit)
    download_table(shown, "pipeline_change_deals", "dl_changes")
left, right = st.columns(2)
with left:
    st.subheader(t("regressions_title"))
    show_table(view.regressions, "regressions", model, unit=unit)
    download_table(view.regressions, "regressions", "dl_regressions", model)
with right:
    st.subheader(t("slipped_title"))
    show_table(view.slipped, "slipped", unit=unit)
    download_table(view.slipped, "slipped", "dl_slipped")
st.subheader(t("amount_changes_title"))
show_table(view.amount_changes, "amount_changes", unit=unit)
download_table(view.amount_changes, "amount_changes", "dl_amounts")

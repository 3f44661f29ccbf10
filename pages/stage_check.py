"""Stage check: the stage each rep reports against the stage the milestone checklist supports."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import stage_check_figure
from pages.ui import cached_report, download_table, open_page, show_table, t

app = open_page("check_title", "check_caption")
lang, model = app.lang, app.model
view = cached_report(app.token, app.as_of, app).stage_check
check = view.check
if check.empty:
    st.info(t("check_none"))
    st.stop()
left, right = st.columns([3, 2])
left.plotly_chart(stage_check_figure(check, model, lang), width="stretch", key="check")
with right:
    st.subheader(t("stalled_by_owner"))
    show_table(view.by_owner, "inflation_by_owner")
st.subheader(t("inflated_title"))
# Milestones by name, not by key.
item_names = {item.key: item.name(lang) for _c, (_s, item) in model.checklist_columns.items()}
sep = "、" if lang == "zh" else ", "
inflated = view.inflated.assign(
    missing=lambda d: [
        sep.join(item_names.get(k, k) for k in str(v).split(", ") if k) for v in d["missing"]
    ]
)
show_table(inflated, "stage_check", model)
download_table(inflated, "stage_check", "dl_check", model)

"""Stage check: is the stage real? The stage each rep reports against the stage the milestone
checklist supports, and against where the customer's procurement actually is."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import procurement_figure, stage_check_figure
from funnel_analytics.formatting import format_amount
from pages.ui import cached_report, download_table, open_page, plain, show_table, t

app = open_page("check_title", "check_intro")
lang, model = app.lang, app.model
report = cached_report(app.token, app.as_of, app)

# --- Milestones: the stage the checklist supports ---------------------------------------------
st.header(t("check_milestones"))
st.caption(t("check_caption"))
view = report.stage_check
check = view.check
if check.empty:
    st.info(t("check_none"))
else:
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

# --- Our stage against the customer's procurement stage ---------------------------------------
st.header(t("sync_title"))
st.caption(t("sync_caption"))
sync = report.procurement
if sync is None or not sync.declared:
    st.info(t("sync_not_declared", model=plain(model.title(lang))))
elif not sync.has_column:
    st.info(t("sync_no_column"))
else:
    tiles = st.columns(4)
    classes = sync.by_class.set_index("sync")
    for col, key in zip(tiles, ("in_step", "ahead", "behind", "behind_stalled"), strict=True):
        row = classes.loc[key]
        rate = (
            t(
                "sync_tile_rate",
                rate=f"{row['win_rate']:.0%}",
                won=int(row["won"]),
                closed=int(row["closed"]),
            )
            if row["closed"]
            else t("sync_tile_no_closed")
        )
        col.metric(
            t(f"sync_{key}"),
            f"{int(row['open_count']):,}",
            t("kpi_amount_delta", amount=format_amount(float(row["open_amount"]), lang)),
            delta_color="off",
            delta_arrow="off",
            help=f"{t(f'sync_help_{key}')}\n\n{rate}",
            border=True,
        )
    st.plotly_chart(procurement_figure(sync.cells, model, lang), width="stretch", key="sync")
    st.subheader(t("sync_by_class"))
    if int(sync.by_class["closed"].sum()) == 0:
        st.info(t("sync_no_closed"))
    else:
        st.caption(t("sync_by_class_caption"))
        show_table(sync.by_class, "procurement_classes", model)
    st.subheader(t("sync_out_of_step"))
    out = sync.out_of_step
    if out.empty:
        st.success(t("sync_all_in_step"))
    else:
        show_table(out, "procurement_sync", model)
        download_table(out, "procurement_sync", "dl_sync", model)

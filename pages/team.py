"""Team: a process-and-results scorecard per rep and per team."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from funnel_analytics.charts import mix_figure, scorecard_balance_figure
from funnel_analytics.export import report_workbook
from funnel_analytics.formatting import format_amount, format_date, view_unit
from funnel_analytics.outlook import run_rate_target
from funnel_analytics.planning import PlanError
from funnel_analytics.scorecard import GRADES, scorecard
from pages.ui import (
    MISSING,
    cached_context,
    keep,
    kept,
    labels,
    lang_key,
    open_page,
    show_table,
    t,
    xlsx_mime,
)

app = open_page("team_title", "team_caption")
lang, model = app.lang, app.model
a, b = st.columns(2)
by = keep(
    "team_by",
    a.segmented_control(
        t("team_by"),
        ["owner", "team"],
        default=kept("team_by", "owner"),
        key=lang_key("team_by"),
        format_func=labels("filter_", ["owner", "team"]).get,
    )
    or "owner",
)
months = (
    b.segmented_control(
        t("team_months"),
        [1, 3, 6, 12],
        default=3,
        key="team_months",
        format_func=lambda m: t("months_n", n=m),
    )
    or 3
)
period, source = app.period, app.probability_source
with st.spinner(t("working")):
    ctx = cached_context(app.token, app.as_of, source, period, True, app)
target = run_rate_target(ctx)
try:
    plan = ctx.plan(target) if target > 0 else None
except PlanError:  # no average deal in the data: the scorecard goes on without plan shares
    plan = None
end = ctx.as_of
start = end - pd.DateOffset(months=int(months))
card = scorecard(ctx, plan, by=by, start=start, end=end)
unit = view_unit(lang, target, card.get("open_amount"), card.get("won_amount"))
st.caption(
    t(
        "team_period",
        start=format_date(start, lang),
        end=format_date(end, lang),
        target=format_amount(target, lang, unit=unit) if target > 0 else MISSING,
    )
)
if card.empty:
    st.info(t("team_empty"))
    st.stop()


def has_values(columns: list[str]) -> bool:
    """Whether any of ``columns`` holds a number other than 0 (an empty chart says why instead)."""
    present = [c for c in columns if c in card]
    return bool(present) and bool(card[present].fillna(0).to_numpy().any())


left, right = st.columns([3, 2])
required = [f"required_{k}" for k in model.keys[:-1]]
if has_values(required):
    left.plotly_chart(
        scorecard_balance_figure(card, model, lang, by), width="stretch", key="team_balance"
    )
else:  # no plan to hold the pipeline against, or no time in stage to size it with
    left.subheader(t("chart_balance"))
    left.info(t("team_balance_none" if plan is None else "team_balance_no_durations"))
sources = ["cold_visit", "follow_up", "penetration", "cultivation", "inbound"]
with right:
    tab_grade, tab_source = st.tabs([t("filter_grade"), t("filter_source")])
    if has_values([f"grade_{g}" for g in GRADES]):
        tab_grade.plotly_chart(
            mix_figure(card, "grade", list(GRADES), {g: g for g in GRADES}, lang, by),
            width="stretch",
            key="team_grade",
        )
    else:
        tab_grade.info(t("team_mix_none", what=t("filter_grade")))
    if has_values([f"source_{s}" for s in sources]):
        tab_source.plotly_chart(
            mix_figure(card, "source", sources, labels("source_", sources), lang, by),
            width="stretch",
            key="team_source",
        )
    else:
        tab_source.info(t("team_mix_none", what=t("filter_source")))
main_cols = [
    by,
    "open_count",
    "open_amount",
    "advancements",
    "regressions",
    "closed_count",
    "win_rate",
    "stalled",
    "inflated",
    "won_count",
    "won_amount",
    "balance",
]
show_table(card[main_cols], f"scorecard_{by}", model, unit=unit)
st.download_button(
    t("download_xlsx"),
    report_workbook({f"scorecard_{by}": card}, lang, model),
    file_name=f"scorecard_{by}.xlsx",
    mime=xlsx_mime(),
    on_click="ignore",
    key="dl_team",
)

"""Planner: the balanced funnel worked back from the target, held against the actual pipeline."""

from __future__ import annotations

import numpy as np
import streamlit as st

from funnel_analytics.charts import plan_figure
from funnel_analytics.contracts import COLUMNS
from funnel_analytics.export import report_workbook
from funnel_analytics.formatting import format_amount, format_date, view_unit
from funnel_analytics.outlook import run_rate_target
from funnel_analytics.planning import PlanError
from pages.ui import (
    MISSING,
    amount_input,
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

app = open_page("planner_title", "planner_caption")
lang, model = app.lang, app.model
period, source = app.period, app.probability_source
by = keep(
    "plan_by",
    st.segmented_control(
        t("plan_by"),
        ["amount", "units"],
        default=kept("plan_by", "amount"),
        key=lang_key("plan_by"),
        format_func=labels("plan_by_choice_", ["amount", "units"]).get,
    )
    or "amount",
)
with st.spinner(t("working")):
    ctx = cached_context(app.token, app.as_of, source, period, True, app)
x, y, z = st.columns(3)
if by == "amount":
    # Defaults from the file (won in the last 12 months, the average won deal); where the file
    # has no basis for one, the page says so and takes the value from the user.
    won_12 = run_rate_target(ctx)
    average_known = bool(np.isfinite(ctx.average_deal) and ctx.average_deal > 0)
    with x:
        target = amount_input(t("plan_target"), won_12, "plan_target", help=t("plan_target_help"))
    with y:
        average = amount_input(
            t("plan_average"),
            ctx.average_deal if average_known else 0.0,
            "plan_average",
            help=t("plan_average_help"),
        )
    missing = [
        (key, why)
        for key, value, why in (
            ("plan_target", target, "plan_no_won" if won_12 <= 0 else None),
            ("plan_average", average, "plan_no_amounts" if not average_known else None),
        )
        if not value > 0
    ]
    if missing:
        sep = "、" if lang == "zh" else ", "
        whys = [t(why) for _key, why in missing if why]
        st.info(
            t(
                "plan_needs_input",
                what=sep.join(t(key) for key, _why in missing),
                why=(" " if lang == "en" else "").join(whys) or t("plan_zero_entered"),
            )
        )
        st.stop()
else:
    target = x.number_input(
        t("plan_target_units"), min_value=0.0, value=200.0, step=10.0, key="plan_units"
    )
    average = y.number_input(
        t("plan_average_units"), min_value=0.0, value=2.0, step=0.5, key="plan_avg_units"
    )
months = z.number_input(
    t("plan_months"), min_value=1, max_value=36, value=12, step=1, key="plan_months"
)
try:  # the calculation `funnel-analytics plan --from-data` prints, from the same context
    view = ctx.planner(target, average_deal=average, months=int(months), by=by)
except PlanError as exc:
    st.error(t(exc.key, **exc.params))
    st.stop()
plan, vs, summary, won = view.plan, view.vs_actual, view.balance, view.won_to_date
unit = view_unit(lang, target if by == "amount" else 0.0, vs["open_amount"])
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("plan_contracts"), f"{plan.contracts:,.1f}", help=t("plan_contracts_help"))
actual_intake = summary["actual_intake_per_month"]
m2.metric(
    t("plan_intake"),
    f"{plan.intake_per_month:,.1f}",
    delta=(f"{actual_intake - plan.intake_per_month:+,.1f} " + t("plan_vs_actual_short"))
    if np.isfinite(actual_intake)
    else None,
    help=t("plan_intake_help", window=summary["window_months"])
    if np.isfinite(actual_intake)
    else t("plan_intake_unmeasured"),
)
if by == "amount":
    m3.metric(
        t("plan_won_to_date"),
        format_amount(won, lang, unit=unit),
        help=t("plan_won_help", start=format_date(ctx.period_start, lang)),
    )
    cov = summary["coverage"]
    m4.metric(
        t("plan_coverage"),
        "—" if cov is None else f"{cov:,.1f}×",
        help=t(
            "plan_coverage_help",
            weighted="—"
            if summary["weighted_coverage"] is None
            else f"{summary['weighted_coverage']:,.2f}×",
        ),
    )
names = model.stage_names(lang)
for status in ("thin", "stuck"):
    stages = summary[f"{status}_stages"]
    if stages:
        st.warning(
            t(
                f"plan_flag_{status}",
                stages="、".join(names.get(k, k) for k in stages)
                if lang == "zh"
                else ", ".join(names.get(k, k) for k in stages),
            )
        )
if not np.isfinite(actual_intake):
    st.info(t("plan_flow_unmeasured"))  # nothing to call balanced: the flow is not measured
elif not summary["thin_stages"] and not summary["stuck_stages"]:
    st.success(t("plan_flag_balanced"))
st.plotly_chart(plan_figure(vs, model, lang), width="stretch", key="plan_chart")
left, right = st.columns(2)
with left:
    st.subheader(t("plan_table"))
    show_table(plan.stages, "plan", model, unit=unit)
with right:
    st.subheader(t("plan_vs_table"))
    show_table(
        vs.assign(status=[t(f"plan_status_{s}") for s in vs["status"]]),
        "plan_vs_actual",
        model,
        unit=unit,
    )
st.subheader(t("plan_schedule"))
st.caption(t("plan_schedule_caption"))
schedule = plan.schedule(ctx.inputs.first)
pivot = (
    schedule.assign(month=schedule["month"].astype(str), stage=schedule["stage"].map(names))
    .pivot_table(index="month", columns="stage", values="entries", aggfunc="sum", sort=False)
    .fillna(0)
)
pivot.index.name = COLUMNS["month"].label(lang)  # the header of the month column
st.dataframe(pivot.round(1), width="stretch", placeholder=MISSING)
st.download_button(
    t("download_xlsx"),
    report_workbook({"plan": plan.stages, "plan_vs_actual": vs, "schedule": schedule}, lang, model),
    file_name="plan.xlsx",
    mime=xlsx_mime(),
    on_click="ignore",
    key="dl_plan",
)

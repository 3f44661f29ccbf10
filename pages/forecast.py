"""Forecast: weighted pipeline, the Monte Carlo range, calibration and past accuracy."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.calibration import unsupported_reason
from funnel_analytics.charts import (
    accuracy_figure,
    calibration_figure,
    forecast_figure,
    weighted_figure,
)
from funnel_analytics.export import report_workbook
from funnel_analytics.forecast import (
    accuracy_summary,
)
from funnel_analytics.formatting import format_amount, view_unit
from funnel_analytics.outlook import DEFAULT_SEED, ForecastView, forecast_view, run_rate_target
from pages.ui import (
    MISSING,
    amount_input,
    cached_context,
    labels,
    lang_key,
    memoized,
    open_page,
    show_table,
    t,
    xlsx_mime,
)

app = open_page("forecast_title")
lang, model = app.lang, app.model
period, source = app.period, app.probability_source
with st.columns(3)[0]:
    include_new = st.toggle(
        t("forecast_new_deals"), value=True, key="fc_new", help=t("forecast_new_deals_help")
    )
with st.spinner(t("working")):
    ctx = cached_context(app.token, app.as_of, source, period, include_new, app)
x, y, z = st.columns(3)
with x:
    target = amount_input(
        t("plan_target"), run_rate_target(ctx), "fc_target", help=t("plan_target_help")
    )
runs = y.select_slider(
    t("forecast_runs"), [1_000, 2_000, 5_000, 10_000, 20_000], value=10_000, key="fc_runs"
)
seed = z.number_input(
    t("forecast_seed"),
    min_value=0,
    value=DEFAULT_SEED,
    step=1,
    key="fc_seed",
    help=t("forecast_seed_help"),
)


with st.spinner(t("forecast_running", runs=f"{runs:,}")):
    # One simulation per data, choices, runs and seed; the target only reads it.
    fc: ForecastView = memoized(
        app,
        ("forecast", app.as_of, source, period, include_new, int(runs), int(seed)),
        lambda: forecast_view(ctx, runs=int(runs), seed=int(seed)),
    )
sim, weighted, accuracy = fc.simulation, fc.weighted, fc.accuracy
p10, p50, p90 = (fc.period_total[k] for k in ("p10", "p50", "p90"))
summary = weighted["summary"].iloc[0]
# One unit for the whole page (tiles, tables, charts), from the largest amount it shows.
unit = view_unit(lang, p90, target, summary["weighted"], weighted["by_month"]["amount"])
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    # Named with its probabilities: the Overview's weighted pipeline uses the model's nominal
    # ones, and calibrated or observed ones give another figure for the same deals.
    t("forecast_weighted_total", basis=t(f"prob_choice_{source}")),
    format_amount(summary["weighted"], lang, unit=unit),
    help=t("forecast_weighted_help", source=t(f"prob_source_{source}")),
)
m2.metric(
    t("forecast_range", end=str(ctx.period_end)),
    format_amount(p50, lang, unit=unit),
    help=t(
        "forecast_range_help",
        p10=format_amount(p10, lang, unit=unit),
        p90=format_amount(p90, lang, unit=unit),
        won=format_amount(ctx.won_to_date, lang, unit=unit),
        runs=f"{runs:,}",
        seed=seed,
    ),
)
if target > 0:
    m3.metric(
        t("forecast_p_hit"),
        f"{fc.chance_of(target):.0%}",
        help=t("forecast_p_hit_help", target=format_amount(target, lang, unit=unit)),
    )
else:  # no deal won in the last 12 months to default from, and none entered
    m3.metric(t("forecast_p_hit"), MISSING, help=t("forecast_no_target"))
m4.metric(
    t("forecast_overdue"),
    f"{int(summary['overdue_count']):,}",
    help=t(
        "forecast_overdue_help", amount=format_amount(summary["overdue_amount"], lang, unit=unit)
    ),
)
intake = ctx.inputs.new_deals_per_month
if sim.n_new_deals or (include_new and intake == intake and intake > 0):  # NaN: unmeasured
    st.caption(
        t(
            "forecast_caption",
            deals=f"{sim.n_deals:,}",
            new=f"{sim.n_new_deals:,}",
            rate=f"{intake:,.1f}",
            runs=f"{runs:,}",
            seed=seed,
        )
    )
else:  # none added: say why, rather than "0 deals not yet created (0.0 a month)"
    st.caption(
        t(
            "forecast_caption_no_new",
            deals=f"{sim.n_deals:,}",
            runs=f"{runs:,}",
            seed=seed,
            why=t("forecast_no_new_unmeasured" if include_new else "forecast_no_new_off"),
        )
    )
freq = (
    st.segmented_control(
        t("forecast_freq"),
        ["M", "Q"],
        default="M",
        key=lang_key("fc_freq"),
        format_func=labels("freq_", ["M", "Q"]).get,
    )
    or "M"
)
ranges = sim.percentiles(freq)
st.plotly_chart(forecast_figure(ranges, lang, unit=unit), width="stretch", key="fc_range")
show_table(ranges, "forecast_by_month" if freq == "M" else "forecast_by_quarter", unit=unit)
weighted_table = weighted["by_month"] if freq == "M" else weighted["by_quarter"]
st.plotly_chart(
    weighted_figure(weighted_table, lang, unit=unit), width="stretch", key="fc_weighted"
)
overdue = weighted["deals"][weighted["deals"]["bucket"] == "overdue"]
if len(overdue):
    with st.expander(t("forecast_overdue_list", n=len(overdue))):
        show_table(overdue.drop(columns=["bucket", "quarter"]), "forecast_deals", model, unit=unit)
categories = fc.categories
if categories is not None:
    st.subheader(t("forecast_categories"))
    show_table(
        categories.assign(
            quarter=[
                t(f"bucket_{q}") if q in ("overdue", "no_date") else q
                for q in categories["quarter"]
            ]
        ),
        "forecast_categories",
        unit=unit,
    )
st.subheader(t("calibration_title"))
st.caption(t("calibration_caption"))
why = unsupported_reason(ctx.history)
if why is not None:
    st.info(t("calibration_unsupported", lost=f"{why['lost']:,}", unknown=f"{why['unknown']:,}"))
left, right = st.columns([3, 2])
left.plotly_chart(calibration_figure(ctx.calibration, model, lang), width="stretch", key="fc_cal")
with right:
    show_table(
        ctx.calibration[
            ["stage", "nominal", "observed", "calibrated", "closed_count", "data_weight"]
        ],
        "calibration",
        model,
    )
st.subheader(t("accuracy_title"))
acc = accuracy_summary(accuracy)
if acc["bias"] is None:
    st.info(t("accuracy_none"))
else:
    ratio = 1 + acc["bias"]
    # One sentence a manager can act on, before the definitions.
    st.markdown(
        t(
            "accuracy_high" if ratio > 1.1 else "accuracy_low" if ratio < 0.9 else "accuracy_close",
            ratio=f"{ratio:.1f}",
            share=f"{ratio:.0%}",
            periods=acc["periods"],
        )
    )
    st.caption(
        t(
            "accuracy_caption",
            periods=acc["periods"],
            bias=f"{acc['bias']:+.0%}",
            mape="—" if acc["mape"] is None else f"{acc['mape']:.0%}",
        )
    )
    st.plotly_chart(accuracy_figure(accuracy, lang, unit=unit), width="stretch", key="fc_acc")
tables = {**fc.tables, "calibration": ctx.calibration}
st.download_button(
    t("download_xlsx"),
    report_workbook(tables, lang, model),
    file_name="forecast.xlsx",
    mime=xlsx_mime(),
    on_click="ignore",
    key="dl_forecast",
)

"""Scenarios: pull the four levers, compare named scenarios with the baseline, save and export."""

from __future__ import annotations

import streamlit as st

from funnel_analytics.charts import scenarios_figure, tornado_figure
from funnel_analytics.export import report_workbook
from funnel_analytics.forecast import Levers
from funnel_analytics.formatting import view_unit
from funnel_analytics.outlook import DEFAULT_SEED, run_rate_target
from funnel_analytics.scenarios import (
    Scenario,
    ScenarioError,
    compare_scenarios,
    scenarios_from_json,
    scenarios_to_json,
    tornado,
)
from pages.ui import (
    amount_input,
    cached_context,
    memoized,
    open_page,
    plain,
    show_table,
    t,
    xlsx_mime,
)

app = open_page("scenarios_title", "scenarios_caption")
lang, model = app.lang, app.model
saved: list[Scenario] = st.session_state.setdefault("scenarios", [])
period, source = app.period, app.probability_source
with st.spinner(t("working")):
    ctx = cached_context(app.token, app.as_of, source, period, True, app)
st.caption(t("scenarios_context", period=t(f"period_{period}"), source=t(f"prob_source_{source}")))
target = amount_input(
    t("plan_target"), run_rate_target(ctx), "sc_target", help=t("plan_target_help")
)

with st.form("new_scenario", clear_on_submit=True):
    st.markdown(f"**{t('scenario_new')}**")
    name = st.text_input(t("scenario_name"), key="sc_name", placeholder=t("scenario_name_hint"))
    a, b, c, d = st.columns(4)
    win = a.slider(
        t("lever_win_rate"),
        -50,
        100,
        0,
        5,
        format="%+d%%",
        key="sc_win",
        help=t("lever_win_rate_help"),
    )
    deals = b.slider(
        t("lever_deals"), -50, 100, 0, 5, format="%+d%%", key="sc_deals", help=t("lever_deals_help")
    )
    cycle = c.slider(
        t("lever_cycle"), -50, 50, 0, 5, format="%+d%%", key="sc_cycle", help=t("lever_cycle_help")
    )
    size = d.slider(
        t("lever_deal_size"),
        -50,
        100,
        0,
        5,
        format="%+d%%",
        key="sc_size",
        help=t("lever_deal_size_help"),
    )
    with st.expander(t("lever_by_stage")):
        cols = st.columns(len(model.open_stages))
        by_stage = {
            s.key: col.number_input(s.name(lang), -50, 100, 0, 5, key=f"sc_stage_{s.key}")
            for col, s in zip(cols, model.open_stages, strict=True)
        }
    if st.form_submit_button(t("scenario_add"), type="primary"):
        label = name.strip() or t("scenario_default_name", n=len(saved) + 1)
        if label == "baseline" or any(s.name == label for s in saved):
            st.error(t("scenario_duplicate", name=plain(label)))
        else:
            levers = Levers(
                win_rate=1 + win / 100,
                deals=1 + deals / 100,
                cycle=1 + cycle / 100,
                deal_size=1 + size / 100,
                win_rate_by_stage=tuple((k, 1 + v / 100) for k, v in by_stage.items() if v),
            )
            saved.append(Scenario(label, levers))
            st.rerun()

left, right = st.columns([3, 2])
with right:
    uploaded = st.file_uploader(
        t("scenario_load"), type=["json"], key="sc_upload", help=t("scenario_load_help")
    )
    if uploaded is not None and st.session_state.get("_sc_loaded") != uploaded.file_id:
        try:
            loaded = scenarios_from_json(uploaded.getvalue())
        except ScenarioError as exc:
            st.error(t("scenario_bad_file", detail=str(exc)))
        else:
            names = {s.name for s in saved}
            saved.extend(s for s in loaded if s.name not in names and s.name != "baseline")
            st.session_state["_sc_loaded"] = uploaded.file_id
            st.rerun()
with left:
    if saved:
        for i, s in enumerate(saved):
            x, y = st.columns([6, 1])
            lv = s.levers
            x.markdown(
                f"**{plain(s.name)}** · "
                + t(
                    "scenario_levers",
                    win=f"{lv.win_rate - 1:+.0%}",
                    deals=f"{lv.deals - 1:+.0%}",
                    cycle=f"{lv.cycle - 1:+.0%}",
                    size=f"{lv.deal_size - 1:+.0%}",
                )
            )
            if y.button(
                "", icon=":material/delete:", help=t("scenario_remove"), key=f"sc_remove_{i}"
            ):
                saved.pop(i)
                st.rerun()
    else:
        st.info(t("scenario_empty"))


with st.spinner(t("scenario_running")):
    table = memoized(
        app,
        ("scenarios", app.as_of, source, period, scenarios_to_json(saved), target),
        lambda: compare_scenarios(ctx, saved, target, runs=5_000, seed=DEFAULT_SEED),
    )
shown = table.assign(
    scenario=[t("scenario_baseline") if n == "baseline" else n for n in table["scenario"]]
)
tor = tornado(ctx)
unit = view_unit(lang, table["p90_year"], target)  # one unit for the page's amounts
st.plotly_chart(scenarios_figure(shown, lang, target, unit=unit), width="stretch", key="sc_chart")
show_table(shown, "scenarios", unit=unit)
st.subheader(t("tornado_title"))
st.caption(t("tornado_caption"))
st.plotly_chart(tornado_figure(tor, lang, unit=unit), width="stretch", key="sc_tornado")
a, b = st.columns(2)
a.download_button(
    t("scenario_save"),
    scenarios_to_json(saved).encode("utf-8"),
    file_name="scenarios.json",
    mime="application/json",
    on_click="ignore",
    key="dl_scenarios_json",
    disabled=not saved,
)
b.download_button(
    t("download_xlsx"),
    report_workbook({"scenarios": shown, "tornado": tor}, lang, model),
    file_name="scenarios.xlsx",
    mime=xlsx_mime(),
    on_click="ignore",
    key="dl_scenarios_xlsx",
)

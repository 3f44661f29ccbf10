"""Stage check: is the stage real? The stage each rep reports against its milestones (entered)
and success criteria (completed), against where the customer's procurement actually is, and
against its key roles' stance and engagement; then the customer grade A–D the data suggests,
against the one declared."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from funnel_analytics.charts import (
    buckets_figure,
    factor_lift_figure,
    grade_backtest_figure,
    grade_map_figure,
    grade_matrix_figure,
    procurement_figure,
    roles_figure,
    stage_check_figure,
)
from funnel_analytics.formatting import format_amount
from funnel_analytics.grading import (
    RISK_FLAGS,
    GradeSettings,
    declared_matrix,
    grade_backtest,
    grade_view,
)
from funnel_analytics.roles import FLAGS, RoleRule
from pages.ui import (
    MISSING,
    ROLE_METHODS,
    cached_report,
    download_table,
    keep,
    labels,
    lang_key,
    memoized,
    open_page,
    plain,
    show_table,
    t,
)

app = open_page("check_title", "check_intro")
lang, model = app.lang, app.model
report = cached_report(app.token, app.as_of, app)
# The page is long: a line of links to its sections, in the order they are drawn.
TOC = ("milestones", "procurement", "roles", "reality", "evaluation", "grade")
st.caption(f"{t('check_toc')} " + " · ".join(f"[{t(f'check_toc_{key}')}](#{key})" for key in TOC))

# --- Milestones and success criteria: is the stage entered, is it completed? ----------------
st.header(t("check_milestones"), anchor="milestones")
st.caption(t("check_caption"))
view = report.stage_check
evidence = view.evidence
# Checklist items by name, not by key.
item_names = {item.key: item.name(lang) for _c, (_s, item) in model.all_checklist_columns.items()}
sep = "、" if lang == "zh" else ", "


def named(frame, column: str):
    return frame.assign(
        **{
            column: [
                sep.join(item_names.get(k, k) for k in str(v).split(", ") if k)
                for v in frame[column]
            ]
        }
    )


if evidence.empty:
    st.info(t("evidence_none"))
else:
    st.caption(t("evidence_caption"))
    if not view.has_criteria:
        no_criteria = (
            "evidence_no_criteria_data" if model.criteria_columns else "evidence_no_criteria_model"
        )
        st.info(t(no_criteria, model=plain(model.title(lang))))
    status = evidence["evidence"]
    groups = {
        "not_evidenced": status.isin(["not_entered", "unjudged"]),
        "waiting": status.isin(["entered", "in_progress"]),
        "completed": status.eq("completed"),
    }
    for col, (key, rows) in zip(st.columns(3), groups.items(), strict=True):
        col.metric(
            t(f"evidence_tile_{key}"),
            f"{int(rows.sum()):,}",
            t(
                "kpi_amount_delta",
                amount=format_amount(float(evidence.loc[rows, "amount"].sum()), lang),
            ),
            delta_color="off",
            delta_arrow="off",
            help=t(f"evidence_help_{key}"),
            border=True,
        )
    if not view.check.empty:
        st.plotly_chart(stage_check_figure(view.check, model, lang), width="stretch", key="check")
        st.subheader(t("inflated_title"))
        inflated = named(view.inflated, "missing")
        show_table(inflated, "stage_check", model)
        download_table(inflated, "stage_check", "dl_check", model)
    st.subheader(t("evidence_waiting_title"))
    waiting = view.entered_not_completed
    if waiting.empty:
        st.success(t("evidence_all_completed"))
    else:
        if not view.entry_known:
            st.caption(t("evidence_age_created"))
            waiting = waiting.drop(columns="days_in_stage")
        chart = "chart_evidence_age" if view.entry_known else "chart_evidence_age_created"
        buckets = view.entered_buckets(model.keys)
        st.plotly_chart(buckets_figure(buckets, model, lang, chart), width="stretch", key="waiting")
        waiting = named(waiting, "open_items")
        show_table(waiting, "stage_evidence", model)
        download_table(waiting, "stage_evidence", "dl_waiting", model)
    st.subheader(t("evidence_by_owner_title"))
    st.caption(t("evidence_by_owner_caption"))
    show_table(view.evidence_by_owner, "evidence_by_owner")


# --- The effective stage (drawn after the key roles, before the grades) ----------------------
def reality_section() -> None:
    """Reported stage against the lowest of its evidence: inflation in deals, amount and
    weighted pipeline, the two funnels, per rep and per deal."""
    st.header(t("reality_title"), anchor="reality")
    st.caption(t("reality_caption"))
    reality, inflation = report.reality, report.inflation
    if not report.data["effective_stage"]["evidence"] or reality is None or reality.empty:
        st.info(t("reality_none"))
        return
    inflated = reality["inflated"].astype(bool)
    weighted = float(inflation["weighted"].sum())
    effective = float(inflation["effective_weighted"].sum())
    tiles = st.columns(3)
    tiles[0].metric(
        t("reality_tile_inflated"),
        f"{int(inflated.sum()):,}",
        t(
            "kpi_amount_delta",
            amount=format_amount(float(reality.loc[inflated, "amount"].sum()), lang),
        ),
        delta_color="off",
        delta_arrow="off",
        help=t("reality_help_inflated"),
        border=True,
    )
    tiles[1].metric(
        t("reality_tile_weighted"),
        format_amount(weighted, lang),
        help=t("reality_help_weighted"),
        border=True,
    )
    tiles[2].metric(
        t("reality_tile_effective"),
        format_amount(effective, lang),
        t("reality_gap", amount=format_amount(weighted - effective, lang)),
        delta_color="off",
        delta_arrow="off",
        help=t("reality_help_effective"),
        border=True,
    )
    st.plotly_chart(
        stage_check_figure(reality, model, lang, "chart_reality", "effective_stage_short"),
        width="stretch",
        key="reality",
    )
    st.subheader(t("reality_by_owner_title"))
    show_table(inflation, "stage_inflation")
    download_table(inflation, "stage_inflation", "dl_inflation", model)
    st.subheader(t("reality_deals_title"))
    deals = reality.sort_values(["inflated", "amount"], ascending=False)
    show_table(deals, "deal_reality", model)
    download_table(deals, "deal_reality", "dl_reality", model)


# --- Our stage against the customer's procurement stage ---------------------------------------
st.header(t("sync_title"), anchor="procurement")
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


# --- The key roles' view: who on the customer's side backs each deal -------------------------
def role_rule_settings(rule: RoleRule) -> None:
    """The consensus rule, kept for the session: it decides the key roles' stage here and in
    the effective stage on every page (the sidebar's "Count open deals at")."""

    def remember(name: str) -> Callable[[], None]:
        return lambda: keep(name, st.session_state[lang_key(name)])

    with st.expander(t("roles_rule_title")):
        a, b = st.columns(2)
        a.segmented_control(
            t("roles_rule_method"),
            list(ROLE_METHODS),
            default=rule.method,
            key=lang_key("role_method"),
            format_func=labels("roles_rule_", list(ROLE_METHODS)).get,
            help=t("roles_rule_method_help"),
            on_change=remember("role_method"),
        )
        b.select_slider(
            t("roles_rule_engagement"),
            options=[0, 1, 2, 3],
            value=rule.min_engagement,
            key=lang_key("role_engagement"),
            help=t("roles_rule_engagement_help"),
            on_change=remember("role_engagement"),
        )
    st.caption(
        t(
            "roles_rule_caption",
            method=t(f"roles_rule_word_{rule.method}"),
            engagement=rule.min_engagement,
        )
    )


st.header(t("roles_title"), anchor="roles")
st.caption(t("roles_caption"))
roles = report.roles
listed = roles.with_roles if roles is not None else None
if roles is None or not roles.has_roles:
    st.info(t("roles_none"))
elif listed.empty:
    st.info(t("roles_no_match", unmatched=roles.unmatched))
else:
    rule = roles.rule
    role_rule_settings(rule)
    for column, key in (("stance", "roles_no_stance"), ("engagement", "roles_no_engagement")):
        if not roles.columns[column]:
            st.info(t(key, min=rule.min_engagement))
    if roles.unmatched:
        st.caption(t("roles_unmatched", unmatched=roles.unmatched))
    totals = roles.totals()
    tiles = st.columns(5)
    tiles[0].metric(
        t("roles_tile_coverage"),
        f"{len(listed):,}",
        t("roles_coverage_delta", open=f"{roles.open_deals:,}"),
        delta_color="off",
        delta_arrow="off",
        help=t("roles_help_coverage"),
        border=True,
    )
    helps = {"late": f"{rule.late_from:.0%}", "coach": f"{rule.coach_from:.0%}"}
    for col, flag in zip(tiles[1:], FLAGS, strict=True):
        judged = flag != "opposed" or roles.columns["stance"]
        col.metric(
            t(f"role_flag_{flag}"),
            f"{totals[flag]['count']:,}" if judged else "—",
            t("kpi_amount_delta", amount=format_amount(totals[flag]["amount"], lang)),
            delta_color="off",
            delta_arrow="off",
            help=t(f"roles_help_{flag}", **helps),
            border=True,
        )
    if roles.has_consensus:
        st.plotly_chart(roles_figure(roles.deals, model, lang), width="stretch", key="roles")
    else:  # no stage column, or no engaged influencer with a stage
        st.info(t("roles_no_stage" if not roles.columns["role_stage"] else "roles_no_consensus"))
    st.subheader(t("roles_deals_title"))
    show_table(listed, "roles_deals", model)
    download_table(listed, "roles_deals", "dl_roles", model)
    st.subheader(t("roles_by_title"))
    for key, name in (("by_team", "roles_by_team"), ("by_owner", "roles_by_owner")):
        frame = getattr(roles, key)
        if len(frame):
            st.caption(t(name))
            show_table(frame, name)
            download_table(frame, name, f"dl_{name}")
    st.subheader(t("roles_win_title"))
    if roles.win_rate.empty:
        st.info(t("roles_win_none"))
    else:
        st.caption(t("roles_win_caption"))
        show_table(roles.win_rate, "roles_win_rate")
        download_table(roles.win_rate, "roles_win_rate", "dl_roles_win")

reality_section()


# --- Go/no-go evaluation: the team's own model of which deals to pursue ----------------------
def evaluation_section() -> None:
    """Each open deal's evaluation score and pass, and how well each factor told the closed
    deals' winners from their losers."""
    st.header(t("eval_title"), anchor="evaluation")
    st.caption(t("eval_caption"))
    ev = report.evaluation
    if ev is None or not ev.declared:
        st.info(t("eval_not_declared", model=plain(model.title(lang))))
        return
    factors = ev.evaluation.factors
    names = {f.key: f.name(lang) for f in factors}
    names["evaluation_pass"] = t("factor_name_evaluation_pass")
    listing = ("、" if lang == "zh" else ", ").join(
        t("eval_factor_item", name=f.name(lang), weight=f"{f.weight:g}") for f in factors
    )
    rule = t("eval_rule", factors=listing, mark=f"{ev.evaluation.pass_mark:g}")
    if not ev.has_columns:
        st.info(t("eval_no_columns", factors=listing, mark=f"{ev.evaluation.pass_mark:g}"))
        return
    st.caption(rule)
    totals = ev.totals()
    tiles = st.columns(3)
    tiles[0].metric(
        t("eval_tile_scored"),
        f"{totals['scored']:,}",
        t("eval_scored_delta", open=f"{ev.open_deals:,}"),
        delta_color="off",
        delta_arrow="off",
        help=t("eval_help_scored"),
        border=True,
    )
    for col, key in zip(tiles[1:], ("passed", "failed"), strict=True):
        col.metric(
            t(f"eval_tile_{key}"),
            f"{totals[key]:,}",
            t("kpi_amount_delta", amount=format_amount(totals[f"{key}_amount"], lang)),
            delta_color="off",
            delta_arrow="off",
            help=t(f"eval_help_{key}", mark=f"{ev.evaluation.pass_mark:g}"),
            border=True,
        )
    st.subheader(t("eval_lift_title"))
    lift = ev.lift
    if lift.empty:
        st.info(t("eval_lift_none"))
    elif lift["lift"].isna().all():  # closed deals, but all on one side of every factor
        st.info(t("eval_lift_one_sided", closed=f"{ev.closed_judged:,}"))
    else:
        st.caption(
            t(
                "eval_lift_caption",
                closed=f"{ev.closed_judged:,}",
                at_close=f"{ev.judged_at_close:,}",
                share=f"{ev.evaluation.high_share:.0%}",
            )
        )
        st.plotly_chart(factor_lift_figure(lift, names, lang), width="stretch", key="lift")
        shown = lift.assign(factor=lift["factor"].map(lambda k: names.get(k, k)))
        show_table(shown, "factor_lift")
        download_table(shown, "factor_lift", "dl_lift")
    st.subheader(t("eval_deals_title"))
    show_table(ev.deals, "evaluation_deals", model)
    download_table(ev.deals, "evaluation_deals", "dl_eval", model)


evaluation_section()

# --- Suggested customer grade A–D, from P(win) and P(close within the horizon) ---------------
st.header(t("grade_title"), anchor="grade")
defaults = GradeSettings()
with st.expander(t("grade_settings")):
    a, b, c, d = st.columns(4)
    horizon = a.number_input(
        t("grade_horizon"),
        1,
        24,
        defaults.horizon_months,
        key="gr_horizon",
        help=t("grade_horizon_help"),
    )
    likely = b.slider(
        t("grade_likely"),
        0.0,
        1.0,
        defaults.likely,
        0.05,
        key="gr_likely",
        help=t("grade_likely_help"),
    )
    possible = c.slider(
        t("grade_possible"),
        0.0,
        1.0,
        defaults.possible,
        0.05,
        key="gr_possible",
        help=t("grade_possible_help"),
    )
    soon = d.slider(
        t("grade_soon"), 0.0, 1.0, defaults.soon, 0.05, key="gr_soon", help=t("grade_soon_help")
    )
    if possible > likely:
        st.caption(t("grade_possible_clamped", value=f"{likely:.2f}"))
settings = GradeSettings(likely, min(possible, likely), soon, int(horizon))
st.caption(
    t(
        "grade_caption",
        horizon=settings.horizon_months,
        likely=f"{settings.likely:.2f}",
        possible=f"{settings.possible:.2f}",
        soon=f"{settings.soon:.2f}",
    )
)
grades = (
    report.grades
    if settings == report.grades.settings
    else grade_view(report.grades.inputs, settings)
)
deals = grades.deals
if deals.empty:
    st.info(t("grade_no_open"))
    st.stop()
timing = grades.timing_counts
unknown = timing["overdue"] + timing["unknown"]
if not timing["measured"]:
    st.info(t("grade_timing_unmeasured", unknown=f"{unknown:,}"))
else:
    st.caption(
        t(
            "grade_timing_partly",
            measured=f"{timing['measured']:,}",
            expected=f"{timing['expected_close']:,}",
            unknown=f"{unknown:,}",
        )
    )
summary = grades.summary.set_index("suggested_grade")
share = grades.a_amount_share
agreement = grades.agreement
flag_names = ("、" if lang == "zh" else ", ").join(
    c.label(lang) for c in RISK_FLAGS if c.name in grades.flags
)
tiles = st.columns(4)
tiles[0].metric(
    t("grade_tile_a_share"),
    MISSING if share is None else f"{share:.0%}",
    t("kpi_amount_delta", amount=format_amount(float(summary.loc["A", "amount"]), lang)),
    delta_color="off",
    delta_arrow="off",
    help=t("grade_help_a_share"),
    border=True,
)
tiles[1].metric(
    t("grade_tile_a"), f"{int(summary.loc['A', 'count']):,}", help=t("grade_help_a"), border=True
)
tiles[2].metric(
    t("grade_tile_at_risk"),
    f"{len(grades.at_risk):,}" if grades.flags else MISSING,
    help=t("grade_help_at_risk", flags=flag_names)
    if grades.flags
    else t("grade_help_at_risk_none"),
    border=True,
)
tiles[3].metric(
    t("grade_tile_agreement"),
    MISSING if agreement["share"] is None else f"{agreement['share']:.0%}",
    help=t(
        "grade_help_agreement",
        agree=f"{agreement['agree']:,}",
        declared=f"{agreement['declared']:,}",
        higher=f"{agreement['declared_higher']:,}",
        lower=f"{agreement['declared_lower']:,}",
    )
    if agreement["share"] is not None
    else t("grade_help_agreement_none"),
    border=True,
)
thresholds = (settings.likely, settings.possible, settings.soon)
st.plotly_chart(grade_map_figure(deals, model, thresholds, lang), width="stretch", key="grade_map")
st.subheader(t("grade_summary_title"))
show_table(grades.summary, "grade_summary")
st.subheader(t("grade_matrix_title"))
if grades.has_declared:
    owners = grades.by_owner.loc[grades.by_owner["declared"] > 0, "owner"].tolist()
    everyone = t("grade_all_reps")  # rendered now: the widget formats later, out of this run
    rep = st.selectbox(
        t("grade_matrix_rep"), ["", *owners], key="gr_rep", format_func=lambda v: v or everyone
    )
    matrix = declared_matrix(grades.deals, rep) if rep else grades.matrix
    st.plotly_chart(grade_matrix_figure(matrix, lang), width="stretch", key="grade_matrix")
else:
    st.info(t("grade_no_declared"))
st.subheader(t("grade_by_owner_title"))
show_table(grades.by_owner, "grades_by_owner")
download_table(grades.by_owner, "grades_by_owner", "dl_grade_owner")
st.subheader(t("grade_at_risk_title"))
if not grades.flags:
    st.info(t("grade_no_flags"))
elif grades.at_risk.empty:
    st.success(t("grade_at_risk_none"))
else:
    st.caption(t("grade_at_risk_caption"))
    show_table(grades.at_risk, "grade_at_risk", model)
    download_table(grades.at_risk, "grade_at_risk", "dl_grade_risk", model)
st.subheader(t("grade_backtest_title"))
back = memoized(
    app,
    ("grade_backtest", app.as_of, settings),
    lambda: grade_backtest(app.observations, report.history, settings),
)
if back is None:
    st.info(t("grade_backtest_none", horizon=settings.horizon_months))
else:
    st.caption(
        t(
            "grade_backtest_caption",
            then=back.graded_at.strftime("%Y-%m-%d"),
            until=back.until.strftime("%Y-%m-%d"),
            horizon=settings.horizon_months,
        )
    )
    st.plotly_chart(grade_backtest_figure(back.table, lang), width="stretch", key="grade_back")
    show_table(back.table, "grade_backtest")
with st.expander(t("grade_deals_title")):
    show_table(deals, "grades", model)
    download_table(deals, "grades", "dl_grades", model)

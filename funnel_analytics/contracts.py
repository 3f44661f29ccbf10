"""Declared table contracts: what every column of every table the library returns means.

Each column name is declared once here, with its *kind* (how it is stored, formatted and
shown), its zh/en header and a one-line definition. Each table is declared beside the code
that builds it (``FUNNEL = table("funnel", "stage", "open_count", …)`` in ``funnel.py``), as
the list of the columns it returns; columns that exist once per stage, grade or source
(``open_<stage>``, ``grade_A``) are declared as families. Screens, downloads, the Excel
report and its definitions sheet read these declarations: nothing guesses a format from a
column's name.

Kinds and their spreadsheet formats (:data:`KIND_FORMATS`): ``count`` and ``days`` whole
numbers; ``amount`` whole units of the currency; ``share`` a percentage; ``number`` one
decimal (rates per month, months, ratios); ``multiplier`` two decimals; ``date`` a day;
``month`` a month; ``timestamp`` a day and a time; ``stage``, ``text``, ``id``, ``flag`` no
number format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["COLUMNS", "KINDS", "KIND_FORMATS", "TABLES", "Column", "Table", "column", "table"]

KINDS = (
    "count",
    "amount",
    "share",
    "days",
    "number",
    "multiplier",
    "date",
    "month",
    "timestamp",
    "stage",
    "text",
    "id",
    "flag",
)
KIND_FORMATS: dict[str, str | None] = {
    "count": "#,##0",
    "amount": "#,##0",
    "share": "0.0%",
    "days": "#,##0",
    "number": "#,##0.0",
    "multiplier": "0.00",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "timestamp": "yyyy-mm-dd hh:mm",
    "stage": None,
    "text": None,
    "id": None,
    "flag": None,
}


@dataclass(frozen=True)
class Column:
    """One column: kind, header and one-line definition in both languages."""

    name: str
    kind: str
    zh: str
    en: str
    about_zh: str
    about_en: str
    # The message-key prefix that names the column's values to a reader (``sync_`` shows the
    # value ``ahead`` as ``t("sync_ahead")``); empty where the values are shown as they are.
    values: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def about(self, lang: str) -> str:
        return self.about_zh if lang == "zh" else self.about_en


# name: (kind, zh, en, definition zh, definition en)
_V: dict[str, tuple[str, str, str, str, str]] = {
    # --- who and what ---------------------------------------------------------------------
    "opportunity_id": (
        "id",
        "商机编号",
        "Opportunity",
        "商机的唯一编号（缺失时为客户·名称）。",
        "The deal's id (customer · name where the export has none).",
    ),
    "owner": ("text", "负责人", "Owner", "负责该商机的销售。", "The sales rep who owns the deal."),
    "team": ("text", "团队", "Team", "销售团队或区域。", "Sales team or region."),
    "source": (
        "text",
        "商机来源",
        "Source",
        "商机来源（陌拜、跟踪、渗透、耕耘、主动咨询）。",
        "Where the deal came from (cold visit, follow-up, penetration, cultivation, inbound).",
    ),
    "grade": ("text", "客户等级", "Grade", "客户等级 A–D。", "Customer grade A–D."),
    "cohort": (
        "text",
        "范围",
        "Scope",
        "这一行统计的范围（全部，或按组）。",
        "What the row counts (all deals, or one group).",
    ),
    "stage": ("stage", "阶段", "Stage", "阶段模型中的阶段。", "A stage of the stage model."),
    "from": ("stage", "从", "From", "移动前的阶段。", "The stage a move starts from."),
    "from_stage": ("stage", "从", "From", "回退前的阶段。", "The stage before the move back."),
    "to_stage": ("stage", "到", "To", "回退后的阶段。", "The stage after the move back."),
    "reported_stage": (
        "stage",
        "汇报阶段",
        "Reported stage",
        "导出中写的阶段。",
        "The stage the export reports.",
    ),
    "effective_stage": (
        "stage",
        "里程碑支持的阶段",
        "Stage backed by milestones",
        "里程碑清单实际支持的最高阶段。",
        "The furthest stage the milestone checklist supports.",
    ),
    "status": (
        "text",
        "状态",
        "Status",
        "进行中、赢单、输单、搁置，或计划对比的结论。",
        "Open, won, lost, on hold; or the plan check's verdict.",
    ),
    "step": (
        "text",
        "变化",
        "Change",
        "两次快照之间在手金额的变化类型（新增、赢单、输单、金额变动……）。",
        "How the open pipeline changed between two snapshots (new, won, lost, amount change, …).",
    ),
    "limit_source": (
        "text",
        "上限来源",
        "Limit from",
        "停滞上限取自阶段模型还是实测（P80）。",
        "Where the stall limit comes from: the stage model or the measured P80.",
    ),
    "missing": (
        "text",
        "缺少的里程碑",
        "Missing milestones",
        "汇报阶段要求而未勾选的里程碑。",
        "Milestones the reported stage requires that are not ticked.",
    ),
    "scenario": (
        "text",
        "情景",
        "Scenario",
        "情景名称（基准为当前数据）。",
        "The scenario's name (baseline = the data as it is).",
    ),
    "lever": ("text", "杠杆", "Lever", "被调整的杠杆。", "The lever moved."),
    "win_rate_by_stage": (
        "text",
        "分阶段赢单率倍数",
        "Win rate × by stage",
        "按阶段设置的赢单率倍数。",
        "Win-rate multipliers set per stage.",
    ),
    "period": ("text", "期间", "Period", "月份或季度。", "A month or a quarter."),
    "bucket": (
        "text",
        "成交月份",
        "Close month",
        "预计成交所在月份（或“已逾期”）。",
        "The month of the expected close (or overdue).",
    ),
    "quarter": (
        "text",
        "成交季度",
        "Close quarter",
        "预计成交所在季度。",
        "The quarter of the expected close.",
    ),
    "month": ("month", "月份", "Month", "日历月份。", "A calendar month."),
    # --- dates -----------------------------------------------------------------------------
    "date": (
        "date",
        "日期",
        "Date",
        "变化被看到的日期（快照或变更日期）。",
        "When the change was seen (snapshot or change date).",
    ),
    "entered": (
        "date",
        "进入",
        "Entered",
        "进入当前阶段的日期。",
        "When the deal entered its current stage.",
    ),
    "first_expected": (
        "date",
        "最初预计",
        "First expected",
        "第一次看到的预计成交日期。",
        "The first expected close date seen.",
    ),
    "latest_expected": (
        "date",
        "最新预计",
        "Latest expected",
        "最近一次的预计成交日期。",
        "The latest expected close date.",
    ),
    "expected_close_date": (
        "date",
        "预计成交日期",
        "Expected close",
        "预计成交日期。",
        "Expected close date.",
    ),
    "snapshot_date": (
        "date",
        "快照日期",
        "Snapshot",
        "快照（导出）的日期。",
        "The date of the snapshot (export).",
    ),
    "period_end": (
        "date",
        "期末",
        "Period end",
        "被预测期间的最后一天。",
        "The last day of the period forecast.",
    ),
    # --- counts ----------------------------------------------------------------------------
    "count": ("count", "商机数", "Deals", "商机个数。", "Number of deals."),
    "deals": ("count", "商机数", "Deals", "商机个数。", "Number of deals."),
    "open_count": (
        "count",
        "在手商机",
        "Open deals",
        "截止日期时处于进行中的商机数。",
        "Deals open at the as-of date.",
    ),
    "reached_count": (
        "count",
        "到达数",
        "Reached",
        "曾到达该阶段（或更后阶段）的商机数。",
        "Deals that reached the stage (or a later one).",
    ),
    "to_next_count": (
        "count",
        "进入下一阶段",
        "On to next",
        "到达后又进入下一阶段（或更后）的商机数。",
        "Of those that reached it, deals that went on to the next stage or further.",
    ),
    "closed_count": ("count", "已结束", "Closed", "已赢单或输单的商机数。", "Deals won or lost."),
    "won_count": ("count", "赢单", "Won", "赢单商机数。", "Deals won."),
    "closed": (
        "count",
        "已结束",
        "Closed",
        "期间内按成交日期结束（赢或输）的商机数。",
        "Deals closed (won or lost) in the period, by close date.",
    ),
    "won": ("count", "赢单", "Won", "赢单商机数。", "Deals won."),
    "lost": ("count", "输单", "Lost", "输单商机数。", "Deals lost."),
    "created": ("count", "新建", "Created", "期间内新建的商机数。", "Deals created in the period."),
    "undecided": (
        "count",
        "未定",
        "Undecided",
        "尚未赢单或输单的商机数。",
        "Deals not yet won or lost.",
    ),
    "exits": ("count", "离开次数", "Exits", "离开该阶段的次数。", "Times a deal left the stage."),
    "backward": (
        "count",
        "回退次数",
        "Moves back",
        "离开时退回更早阶段的次数。",
        "Exits to an earlier stage.",
    ),
    "n": (
        "count",
        "停留次数",
        "Stays",
        "在该阶段的停留次数（含仍在进行的）。",
        "Stays in the stage (under way ones included).",
    ),
    "censored": (
        "count",
        "仍在进行",
        "Still under way",
        "截止日期时尚未结束的停留次数。",
        "Stays still under way at the as-of date.",
    ),
    "pushes": (
        "count",
        "推迟次数",
        "Pushes",
        "预计成交日期被推后的次数。",
        "Times the expected close date moved later.",
    ),
    "pushes_to_later_quarter": (
        "count",
        "推迟到下季度次数",
        "Pushes to a later quarter",
        "推迟跨入更晚季度的次数。",
        "Pushes that crossed into a later quarter.",
    ),
    "changes": ("count", "变动次数", "Changes", "金额变动次数。", "Times the amount changed."),
    "entered_count": (
        "count",
        "进入",
        "Entered",
        "期间内进入该阶段的商机数。",
        "Deals that entered the stage in the period.",
    ),
    "exited_forward": (
        "count",
        "前进离开",
        "Left forward",
        "前进（或赢单）离开该阶段的商机数。",
        "Deals that left the stage forward (or won).",
    ),
    "exited_backward": (
        "count",
        "回退离开",
        "Left backward",
        "回退离开该阶段的商机数。",
        "Deals that left the stage backward.",
    ),
    "still_there": (
        "count",
        "仍在此阶段",
        "Still there",
        "期末仍在该阶段的商机数。",
        "Deals still in the stage at the end.",
    ),
    "advancements": (
        "count",
        "阶段推进",
        "Advancements",
        "期间内向前推进的次数。",
        "Moves forward in the period.",
    ),
    "regressions": (
        "count",
        "回退",
        "Regressions",
        "期间内回退的次数。",
        "Moves back in the period.",
    ),
    "stalled": (
        "count",
        "停滞商机",
        "Stalled",
        "停留超过阶段上限的在手商机数。",
        "Open deals past their stage's time limit.",
    ),
    "inflated": (
        "count",
        "超前",
        "Ahead",
        "汇报阶段高于里程碑支持阶段的商机数。",
        "Deals reported ahead of what their milestones support.",
    ),
    "deals_due": (
        "count",
        "预计到期商机",
        "Deals due",
        "预计在该期间成交的在手商机数。",
        "Open deals expected to close in the period.",
    ),
    # --- amounts ---------------------------------------------------------------------------
    "amount": ("amount", "金额", "Amount", "商机金额。", "Deal amount."),
    "open_amount": (
        "amount",
        "在手金额",
        "Open amount",
        "在手商机的金额合计。",
        "Total amount of open deals.",
    ),
    "won_amount": ("amount", "赢单金额", "Won amount", "赢单商机的金额合计。", "Total amount won."),
    "closed_amount": (
        "amount",
        "已结束金额",
        "Closed amount",
        "赢单与输单商机的金额合计。",
        "Total amount of deals won or lost.",
    ),
    "decided_amount": (
        "amount",
        "已定金额",
        "Decided amount",
        "已赢单或输单商机的金额合计。",
        "Amount of the deals already won or lost.",
    ),
    "weighted": (
        "amount",
        "加权金额",
        "Weighted amount",
        "金额 × 赢单概率。",
        "Amount × win probability.",
    ),
    "amount_start": (
        "amount",
        "起始金额",
        "Amount at start",
        "起始快照中的金额。",
        "Amount in the first snapshot.",
    ),
    "amount_end": (
        "amount",
        "结束金额",
        "Amount at end",
        "结束快照中的金额。",
        "Amount in the last snapshot.",
    ),
    "first_amount": (
        "amount",
        "最初金额",
        "First amount",
        "第一次看到的金额。",
        "The first amount seen.",
    ),
    "latest_amount": (
        "amount",
        "最新金额",
        "Latest amount",
        "最近一次的金额。",
        "The latest amount.",
    ),
    "net_change": (
        "amount",
        "净变化",
        "Net change",
        "最新金额 − 最初金额。",
        "Latest amount − first amount.",
    ),
    "p10": (
        "amount",
        "P10",
        "P10",
        "模拟结果的第 10 百分位：九成情况下至少这么多。",
        "10th percentile of the simulated bookings: 9 runs in 10 do better.",
    ),
    "p50": ("amount", "P50", "P50", "模拟结果的中位数。", "Median of the simulated bookings."),
    "p90": (
        "amount",
        "P90",
        "P90",
        "模拟结果的第 90 百分位：只有一成情况会更多。",
        "90th percentile of the simulated bookings: 1 run in 10 does better.",
    ),
    "mean": (
        "amount",
        "模拟均值",
        "Simulated mean",
        "模拟结果的平均值。",
        "Mean of the simulated bookings.",
    ),
    "expected": (
        "amount",
        "期望值",
        "Expected",
        "∑ 金额 × 概率（不经模拟）。",
        "∑ amount × probability (no simulation).",
    ),
    "forecast": (
        "amount",
        "预测（加权）",
        "Forecast (weighted)",
        "当时在手商机按阶段概率加权、预计在该期间成交的金额。",
        "What the open deals then, weighted by stage probability, said the period would book.",
    ),
    "forecast_rep": (
        "amount",
        "预测（销售填报概率）",
        "Forecast (reps' probability)",
        "同上，但用销售填报的概率。",
        "The same with the reps' own probabilities.",
    ),
    "actual": (
        "amount",
        "实际赢单",
        "Actual won",
        "该期间实际赢单金额。",
        "What the period actually booked.",
    ),
    "error": ("amount", "误差", "Error", "预测 − 实际。", "Forecast − actual."),
    "expected_year": (
        "amount",
        "全期期望",
        "Expected (period)",
        "全期赢单期望（含已赢单）。",
        "Expected bookings of the period (won to date included).",
    ),
    "p10_year": (
        "amount",
        "全期 P10",
        "P10 (period)",
        "全期赢单的第 10 百分位。",
        "10th percentile of the period's bookings.",
    ),
    "p50_year": (
        "amount",
        "全期 P50",
        "P50 (period)",
        "全期赢单的中位数。",
        "Median of the period's bookings.",
    ),
    "p90_year": (
        "amount",
        "全期 P90",
        "P90 (period)",
        "全期赢单的第 90 百分位。",
        "90th percentile of the period's bookings.",
    ),
    "worse": (
        "amount",
        "变差 20%",
        "20% worse",
        "该杠杆变差 20% 时的全期期望赢单。",
        "Expected bookings with the lever 20% worse.",
    ),
    "better": (
        "amount",
        "变好 20%",
        "20% better",
        "该杠杆变好 20% 时的全期期望赢单。",
        "Expected bookings with the lever 20% better.",
    ),
    "baseline": (
        "amount",
        "基准",
        "Baseline",
        "不调整杠杆时的全期期望赢单。",
        "Expected bookings with no lever moved.",
    ),
    "swing": ("amount", "摆幅", "Swing", "变好 − 变差。", "Better − worse."),
    # --- shares ----------------------------------------------------------------------------
    "probability": (
        "share",
        "概率",
        "Probability",
        "赢单概率（阶段模型、校准或销售填报）。",
        "Win probability (stage model, calibrated or the rep's).",
    ),
    "win_probability": (
        "share",
        "赢单概率",
        "P(win)",
        "从该阶段最终赢单的概率。",
        "Probability that a deal at this stage is won.",
    ),
    "to_next_rate": (
        "share",
        "转化率",
        "Conversion",
        "进入下一阶段 ÷ 已有结果的到达数。",
        "On to next ÷ reached deals with an outcome.",
    ),
    "to_next_rate_low": (
        "share",
        "转化率下限",
        "Conversion low",
        "转化率 95% 区间下限（Wilson）。",
        "Lower end of the conversion's 95% interval (Wilson).",
    ),
    "to_next_rate_high": (
        "share",
        "转化率上限",
        "Conversion high",
        "转化率 95% 区间上限（Wilson）。",
        "Upper end of the conversion's 95% interval (Wilson).",
    ),
    "win_rate": (
        "share",
        "赢单率",
        "Win rate",
        "赢单 ÷ 已结束（按个数）。",
        "Won ÷ closed, by count.",
    ),
    "win_rate_low": (
        "share",
        "赢单率下限",
        "Win rate low",
        "赢单率 95% 区间下限（Wilson）。",
        "Lower end of the win rate's 95% interval (Wilson).",
    ),
    "win_rate_high": (
        "share",
        "赢单率上限",
        "Win rate high",
        "赢单率 95% 区间上限（Wilson）。",
        "Upper end of the win rate's 95% interval (Wilson).",
    ),
    "win_rate_by_amount": (
        "share",
        "赢单率（按金额）",
        "Win rate by amount",
        "赢单金额 ÷ 已结束金额。",
        "Won amount ÷ closed amount.",
    ),
    "decided_share": (
        "share",
        "已定占比",
        "Decided share",
        "已赢单或输单的新建商机占比。",
        "Share of the deals created that are already won or lost.",
    ),
    "regression_rate": (
        "share",
        "回退率",
        "Regression rate",
        "回退次数 ÷ 离开次数。",
        "Moves back ÷ exits.",
    ),
    "share": ("share", "占比", "Share", "占该组商机的比例。", "Share of the group's deals."),
    "nominal": (
        "share",
        "标称概率",
        "Nominal",
        "阶段模型给出的概率。",
        "The stage model's probability.",
    ),
    "observed": (
        "share",
        "实测",
        "Observed",
        "到达该阶段的已结束商机中赢单的比例。",
        "Of the closed deals that reached the stage, the share won.",
    ),
    "observed_low": (
        "share",
        "实测下限",
        "Observed low",
        "实测 95% 区间下限。",
        "Lower end of the observed rate's 95% interval.",
    ),
    "observed_high": (
        "share",
        "实测上限",
        "Observed high",
        "实测 95% 区间上限。",
        "Upper end of the observed rate's 95% interval.",
    ),
    "calibrated": (
        "share",
        "校准后",
        "Calibrated",
        "标称与实测按数据量加权的结果。",
        "Nominal and observed, weighted by how much data there is.",
    ),
    "calibrated_low": (
        "share",
        "校准下限",
        "Calibrated low",
        "校准概率 95% 区间下限。",
        "Lower end of the calibrated probability's 95% interval.",
    ),
    "calibrated_high": (
        "share",
        "校准上限",
        "Calibrated high",
        "校准概率 95% 区间上限。",
        "Upper end of the calibrated probability's 95% interval.",
    ),
    "data_weight": (
        "share",
        "数据权重",
        "Weight of data",
        "校准中实测所占的权重。",
        "The weight the observed rate gets in the calibration.",
    ),
    "p_hit_target": (
        "share",
        "达成目标概率",
        "P(reach target)",
        "模拟中达到目标的比例。",
        "Share of simulated runs that reach the target.",
    ),
    "win_rate_lever": (
        "multiplier",
        "赢单率倍数",
        "Win rate ×",
        "赢单率乘以的倍数。",
        "Multiplier on win rates.",
    ),
    "deals_lever": (
        "multiplier",
        "商机数量倍数",
        "Deals ×",
        "新增商机数乘以的倍数。",
        "Multiplier on new deals.",
    ),
    "cycle_lever": (
        "multiplier",
        "周期倍数",
        "Cycle ×",
        "成交周期乘以的倍数。",
        "Multiplier on the sales cycle.",
    ),
    "deal_size_lever": (
        "multiplier",
        "单笔金额倍数",
        "Deal size ×",
        "单笔金额乘以的倍数。",
        "Multiplier on deal size.",
    ),
    "win_rate_by_stage_lever": (
        "text",
        "分阶段赢单率倍数",
        "Win rate × by stage",
        "按阶段设置的赢单率倍数。",
        "Win-rate multipliers set per stage.",
    ),
    "balance": (
        "multiplier",
        "漏斗平衡度",
        "Funnel balance",
        "在手 ÷ 计划要求，取各阶段最低值（1 为刚好）。",
        "Open ÷ required, the lowest over the stages (1 = as planned).",
    ),
    "flow_ratio": (
        "multiplier",
        "实际/需要",
        "Actual ÷ needed",
        "每月实际进入 ÷ 每月需要。",
        "Actual entries per month ÷ needed.",
    ),
    "stock_ratio": (
        "multiplier",
        "在手/应有",
        "Open ÷ implied",
        "在手商机 ÷ 计划意味的在手数。",
        "Open deals ÷ the open deals the plan implies.",
    ),
    "ratio": (
        "multiplier",
        "预测/实际",
        "Forecast ÷ actual",
        "预测 ÷ 实际（1 为准确）。",
        "Forecast ÷ actual (1 = exact).",
    ),
    # --- days, months and rates per period ------------------------------------------------
    "median_days": (
        "days",
        "中位数（天）",
        "Median (days)",
        "在阶段停留天数的中位数（Kaplan–Meier）。",
        "Median days in the stage (Kaplan–Meier).",
    ),
    "median_low": (
        "days",
        "中位数下限",
        "Median low",
        "中位数 95% 区间下限（天）。",
        "Lower end of the median's 95% interval (days).",
    ),
    "median_high": (
        "days",
        "中位数上限",
        "Median high",
        "中位数 95% 区间上限（天）。",
        "Upper end of the median's 95% interval (days).",
    ),
    "p75_days": (
        "days",
        "P75（天）",
        "P75 (days)",
        "四分之三的停留在此天数内结束。",
        "Three stays in four end within this many days.",
    ),
    "p75_low": (
        "days",
        "P75 下限",
        "P75 low",
        "P75 的 95% 区间下限（天）。",
        "Lower end of P75's 95% interval (days).",
    ),
    "p75_high": (
        "days",
        "P75 上限",
        "P75 high",
        "P75 的 95% 区间上限（天）。",
        "Upper end of P75's 95% interval (days).",
    ),
    "p80_days": (
        "days",
        "P80（天）",
        "P80 (days)",
        "五分之四的停留在此天数内结束（停滞上限的默认值）。",
        "Four stays in five end within this many days (the default stall limit).",
    ),
    "days_in_stage": (
        "days",
        "本阶段天数",
        "Days in stage",
        "截止日期时已在当前阶段停留的天数。",
        "Days in the current stage at the as-of date.",
    ),
    "limit_days": (
        "days",
        "上限（天）",
        "Limit (days)",
        "该阶段的停留上限。",
        "The stage's time limit.",
    ),
    "days_slipped": (
        "days",
        "推迟天数",
        "Days slipped",
        "最新预计 − 最初预计（天）。",
        "Latest expected − first expected, in days.",
    ),
    "age_days": (
        "days",
        "商机年龄（天）",
        "Age (days)",
        "创建至今的天数。",
        "Days since the deal was created.",
    ),
    "per_year": (
        "number",
        "每年需要",
        "Needed per year",
        "每年需要进入该阶段的商机数。",
        "Deals that must reach the stage each year.",
    ),
    "per_month": (
        "number",
        "每月需要",
        "Needed per month",
        "每月需要进入该阶段的商机数。",
        "Deals that must reach the stage each month.",
    ),
    "months_to_win": (
        "number",
        "到赢单（月）",
        "Months to win",
        "从该阶段到赢单的典型月数。",
        "Typical months from this stage to a win.",
    ),
    "lead_months": (
        "number",
        "提前（月）",
        "Lead (months)",
        "需要提前多少个月进入该阶段。",
        "How many months ahead a deal must reach the stage.",
    ),
    "required_per_month": (
        "number",
        "每月需要",
        "Needed per month",
        "计划要求每月进入该阶段的商机数。",
        "Deals the plan needs to reach the stage each month.",
    ),
    "actual_per_month": (
        "number",
        "每月实际",
        "Actual per month",
        "近期每月实际进入该阶段的商机数。",
        "Deals that actually reached the stage per month lately.",
    ),
    "required_open": (
        "number",
        "应有在手",
        "Open deals implied",
        "按计划该阶段应有的在手商机数。",
        "Open deals the plan implies for the stage.",
    ),
    "contracts_needed": (
        "number",
        "需签约数",
        "Contracts needed",
        "目标 ÷ 平均单额。",
        "Target ÷ average deal.",
    ),
    "intake_needed_per_month": (
        "number",
        "每月需新增",
        "New deals needed / month",
        "为达成目标每月需要的新商机数。",
        "New deals needed each month to reach the target.",
    ),
    "intake_per_month": (
        "number",
        "每月实际新增",
        "New deals / month",
        "近期每月新增的商机数（乘以情景倍数）。",
        "New deals per month lately (times the scenario's lever).",
    ),
    "entries": (
        "number",
        "进入数",
        "Entries",
        "该月需要进入该阶段的商机数。",
        "Deals that must reach the stage that month.",
    ),
    "commit": (
        "amount",
        "承诺",
        "Commit",
        "预测类别为“承诺”的在手金额。",
        "Open amount in the Commit forecast category.",
    ),
    "best_case": (
        "amount",
        "最佳情况",
        "Best case",
        "预测类别为“最佳情况”的在手金额。",
        "Open amount in the Best Case category.",
    ),
    "pipeline": (
        "amount",
        "管道",
        "Pipeline",
        "预测类别为“管道”（或未填）的在手金额。",
        "Open amount in the Pipeline category (or none given).",
    ),
    "omitted": (
        "amount",
        "排除",
        "Omitted",
        "预测类别为“排除”的在手金额。",
        "Open amount in the Omitted category.",
    ),
    "commit_total": ("amount", "承诺合计", "Commit total", "承诺。", "Commit."),
    "commit_best_case": (
        "amount",
        "承诺＋最佳",
        "Commit + best case",
        "承诺 ＋ 最佳情况。",
        "Commit + best case.",
    ),
    "all_open": (
        "amount",
        "全部在手",
        "All open",
        "所有类别的在手金额。",
        "Open amount of every category.",
    ),
    # --- the snapshot store's catalogue ----------------------------------------------------
    "id": ("id", "编号", "ID", "快照在库中的编号。", "The snapshot's number in the store."),
    "file_name": ("text", "文件", "File", "导入的文件名。", "The file imported."),
    "shape": (
        "text",
        "形态",
        "Shape",
        "快照、阶段日期列或阶段变更记录。",
        "Snapshot, stage-date columns or a stage-history log.",
    ),
    "stage_model": (
        "text",
        "阶段模型",
        "Stage model",
        "导入时使用的阶段模型。",
        "The stage model used at import.",
    ),
    "rows_read": ("count", "读取行数", "Rows read", "文件中的数据行数。", "Data rows in the file."),
    "rows_valid": (
        "count",
        "有效行数",
        "Valid",
        "通过校验而载入的行数。",
        "Rows that passed validation and loaded.",
    ),
    "rows_rejected": (
        "count",
        "拒绝行数",
        "Rejected",
        "被拒绝的行数（原因可下载）。",
        "Rows rejected (reasons downloadable).",
    ),
    "warnings": (
        "count",
        "警告",
        "Warnings",
        "带警告仍载入的行数。",
        "Rows loaded with a warning.",
    ),
    "imported_at": (
        "timestamp",
        "导入时间",
        "Imported at",
        "导入的时间（UTC）。",
        "When it was imported (UTC).",
    ),
    # --- flags -----------------------------------------------------------------------------
    "too_few": (
        "flag",
        "样本太少",
        "Too few",
        "已结束商机少于 5 个：比率仅供参考。",
        "Fewer than 5 closed deals: the rate is indicative only.",
    ),
    "supported": (
        "flag",
        "数据可支持",
        "Supported",
        "数据足以计算实测概率（否则用标称概率）。",
        "The data supports an observed rate (otherwise the nominal one is used).",
    ),
}

COLUMNS: dict[str, Column] = {name: Column(name, *spec) for name, spec in _V.items()}


@dataclass(frozen=True)
class Family:
    """Columns that exist once per stage, grade or source: ``open_<stage>``, ``grade_A``."""

    prefix: str
    kind: str
    zh: str  # "{name}" is the stage, grade or source in the reader's language
    en: str
    about_zh: str
    about_en: str

    def match(self, name: str) -> str | None:
        return (
            name[len(self.prefix) :]
            if name.startswith(self.prefix) and name != self.prefix
            else None
        )


FAMILIES: dict[str, Family] = {
    f.prefix: f
    for f in (
        Family(
            "open_",
            "count",
            "在手·{name}",
            "Open · {name}",
            "该阶段的在手商机数。",
            "Open deals at the stage.",
        ),
        Family(
            "required_",
            "number",
            "要求·{name}",
            "Required · {name}",
            "计划对该阶段在手商机的个人要求。",
            "Open deals the plan requires at the stage, per person.",
        ),
        Family(
            "grade_",
            "share",
            "{name} 级占比",
            "Grade {name} share",
            "在手商机中该等级的占比。",
            "Share of open deals with this customer grade.",
        ),
        Family(
            "factor_",
            "number",
            "{name}",
            "{name}",
            "该评估因素的得分（0 到满分，默认 0–5）。",
            "The evaluation factor's score (0 to its scale, 0–5 by default).",
        ),
        Family(
            "source_",
            "share",
            "来源·{name}",
            "Source · {name}",
            "在手商机中该来源的占比。",
            "Share of open deals from this source.",
        ),
    )
}


def column(name: str, names: Mapping[str, str] | None = None) -> Column | None:
    """The declared column ``name``. A family's member gets the family's kind, and a header
    naming its member by ``names`` (stage, source or outcome display names) where given."""
    found = COLUMNS.get(name)
    if found is not None:
        return found
    names = names or {}
    for fam in FAMILIES.values():
        member = fam.match(name)
        if member is not None:
            shown = names.get(member, member)
            return Column(
                name,
                fam.kind,
                fam.zh.format(name=shown),
                fam.en.format(name=shown),
                fam.about_zh,
                fam.about_en,
            )
    return None


@dataclass(frozen=True)
class Table:
    """A table's contract: its columns, and the families whose members it may hold.

    ``stage_columns`` marks a table with one column per stage key (a transition matrix): such
    columns are counts headed by the stage's name.
    """

    name: str
    columns: tuple[str, ...]
    families: tuple[str, ...] = ()
    stage_columns: bool = False
    local: tuple[Column, ...] = ()  # columns whose meaning is this table's own
    other_kind: str | None = None  # the kind of columns the data names (forecast categories)

    def column(self, name: str, names: Mapping[str, str] | None = None) -> Column | None:
        for c in self.local:
            if c.name == name:
                return c
        if name in self.columns:
            return COLUMNS[name]
        if any(FAMILIES[p].match(name) is not None for p in self.families):
            return column(name, names)
        return None

    def kind(self, name: str, stage_keys: Iterable[str] = ()) -> str | None:
        for c in self.local:
            if c.name == name:
                return c.kind
        if name in self.columns:
            return COLUMNS[name].kind
        for prefix in self.families:
            if FAMILIES[prefix].match(name) is not None:
                return FAMILIES[prefix].kind
        if self.stage_columns and name in set(stage_keys):
            return "count"
        return self.other_kind

    def undeclared(self, frame: pd.DataFrame, stage_keys: Iterable[str] = ()) -> list[str]:
        keys = set(stage_keys)
        return [str(c) for c in frame.columns if self.kind(str(c), keys) is None]


TABLES: dict[str, Table] = {}


def table(
    name: str,
    *columns: str,
    families: Iterable[str] = (),
    stage_columns: bool = False,
    local: Iterable[Column] = (),
    other_kind: str | None = None,
) -> Table:
    """Declare table ``name`` with its columns (each declared in :data:`COLUMNS`, or given
    in ``local`` where the table means something of its own by the name)."""
    local = tuple(local)
    own = {c.name for c in local}
    unknown = [c for c in columns if c not in COLUMNS and c not in own]
    if unknown:
        raise KeyError(f"table {name!r}: undeclared columns {unknown}")
    spec = Table(
        name,
        tuple(c for c in columns if c not in own),
        tuple(families),
        stage_columns,
        local,
        other_kind,
    )
    TABLES[name] = spec
    return spec

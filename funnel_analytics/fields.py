"""The canonical opportunity fields and the header aliases that map export columns to them.

Every export, whatever CRM wrote it, is mapped onto these fields. Aliases are matched after
:func:`funnel_analytics.stages.normalize_label` (case, width, spaces and punctuation folded)
and after a unit in the header ("预计金额（万元）", "Amount (USD)") has been taken off.
Order inside an alias list is priority: when two columns could be the same field, the one
matching an earlier alias wins and the other is kept as an unmapped column.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["FIELDS", "FIELD_LABELS", "Field", "field_label", "field_names"]


@dataclass(frozen=True)
class Field:
    """A canonical field: its kind drives how values are parsed."""

    name: str
    kind: str  # id | text | stage | status | flag | amount | currency | probability | date | source | grade | forecast_category | procurement
    en: str
    zh: str
    aliases: tuple[str, ...]
    crm: tuple[str, ...] = ()  # export headers of Salesforce, HubSpot, Pipedrive, Zoho, Odoo


FIELDS: tuple[Field, ...] = (
    Field(
        "opportunity_id",
        "id",
        "Unique id of the deal; falls back to the name when absent",
        "商机唯一编号；缺失时以商机名称代替",
        (
            "商机编号",
            "商机id",
            "商机编码",
            "机会编号",
            "项目编号",
            "项目id",
            "编号",
            "序号id",
            "opportunity id",
            "opportunityid",
            "opp id",
            "deal id",
            "record id",
            "id",
            # Dynamics 365's Excel export: the record's id in a hidden first column.
            "(do not modify) opportunity",
        ),
        (
            "OpportunityId",
            "Opportunity ID",
            "Id",
            "Record ID",
            "Deal - ID",
            "ID",
            "Record Id",
            "(Do Not Modify) Opportunity",
        ),
    ),
    Field(
        "opportunity_name",
        "text",
        "Deal name",
        "商机名称",
        (
            "商机名称",
            "项目名称",
            "机会名称",
            "商机",
            "项目",
            "opportunity name",
            "deal name",
            "deal title",
            "opportunity",
            "name",
            "title",
            "deal",
            "topic",
        ),
        ("Opportunity Name", "Name", "Deal Name", "Deal - Title", "Opportunity", "Topic"),
    ),
    Field(
        "account",
        "text",
        "Customer (account) name",
        "客户名称",
        (
            "客户名称",
            "客户",
            "客户单位",
            "单位名称",
            "公司名称",
            "account name",
            "account",
            "customer",
            "company",
            "organization",
            "organisation",
            "deal organization",
            "associated company",
            "accountid",
            "account id",
            "client",
            "client name",
            "potential customer",
        ),
        (
            "Account Name",
            "AccountId",
            "Deal - Organization",
            "Customer",
            "Associated Company",
            "Potential Customer",
        ),
    ),
    Field(
        "owner",
        "text",
        "Sales rep who owns the deal",
        "负责的销售人员",
        (
            "负责人",
            "销售",
            "销售人员",
            "销售代表",
            "业务员",
            "跟进人",
            "客户经理",
            "所有人",
            "opportunity owner",
            "deal owner",
            "owner",
            "owner name",
            "salesperson",
            "sales rep",
            "assigned to",
            "ownerid",
            "owner id",
            "user",
            "sales agent",
            "agent",
            "rep",
            "销售员",
        ),
        ("Opportunity Owner", "OwnerId", "Deal owner", "Deal - Owner", "Salesperson"),
    ),
    Field(
        "team",
        "text",
        "Sales team or region",
        "销售团队或区域",
        (
            "销售团队",
            "团队",
            "部门",
            "销售部门",
            "区域",
            "大区",
            "事业部",
            "team",
            "sales team",
            "owner role",
            "region",
            "department",
            "division",
        ),
        ("Owner Role", "Sales Team", "Team"),
    ),
    Field(
        "stage",
        "stage",
        "Stage, matched to the stage model by key, name, alias or '50% 名称'",
        "销售阶段，按阶段模型的键、中英文名、别名或“50% 名称”匹配",
        (
            "销售阶段",
            "阶段",
            "商机阶段",
            "当前阶段",
            "漏斗阶段",
            "stage",
            "stagename",
            "stage name",
            "deal stage",
            "sales stage",
        ),
        ("StageName", "Stage", "Deal Stage", "Deal - Stage"),
    ),
    Field(
        "status",
        "status",
        "Open, won, lost or on hold",
        "进行中、赢单、输单或搁置",
        ("状态", "商机状态", "结果", "赢输状态", "status", "deal status", "outcome", "won lost"),
        ("Deal - Status", "Status"),
    ),
    Field(
        "is_closed",
        "flag",
        "Closed yes/no (Salesforce's IsClosed); with is_won it gives the "
        "status where no status column does",
        "是否已关闭（如 Salesforce 的 IsClosed）；与“是否赢单”一起给出状态",
        (
            "是否关闭",
            "是否已关闭",
            "是否结单",
            "is closed",
            "isclosed",
            "closed flag",
            "is deal closed",
        ),
        ("IsClosed", "Is Closed", "Is Deal Closed?"),
    ),
    Field(
        "is_won",
        "flag",
        "Won yes/no (Salesforce's IsWon, HubSpot's Is Closed Won)",
        "是否赢单（如 Salesforce 的 IsWon、HubSpot 的 Is Closed Won）",
        ("是否赢单", "是否成交", "是否签约", "is won", "iswon", "won flag", "is closed won"),
        ("IsWon", "Is Won", "Is Closed Won"),
    ),
    Field(
        "active",
        "flag",
        "Active yes/no (Odoo's Active): an archived deal that is not won is lost",
        "是否有效（如 Odoo 的 Active）：已归档且未赢单的商机按输单计",
        ("是否有效", "有效", "active", "is active"),
        ("Active",),
    ),
    Field(
        "amount",
        "amount",
        "Deal amount in the currency's base unit (a 万元 header is scaled)",
        "商机金额（按表头单位换算为元，如“万元”）",
        (
            "预计金额",
            "金额",
            "商机金额",
            "合同金额",
            "项目金额",
            "预计合同额",
            "销售额",
            "amount",
            "deal value",
            "value",
            "deal amount",
            "opportunity amount",
            "expected revenue",
            "total amount",
            "est revenue",
            "estimated revenue",
        ),
        ("Amount", "Deal - Value", "Expected Revenue", "Est. Revenue"),
    ),
    Field(
        "currency",
        "currency",
        "Currency code (CNY, USD, ...); from a column, a sign or the header",
        "币种（来自币种列、金额符号或表头单位）",
        (
            "币种",
            "货币",
            "currency",
            "deal currency",
            "amount currency",
            "currency code",
            "currencyisocode",
        ),
        ("CurrencyIsoCode", "Deal - Currency", "Currency"),
    ),
    Field(
        "probability",
        "probability",
        "Win probability as a fraction (0.3, 30 and 30% all read as 0.3)",
        "赢单概率（0.3、30、30% 均读作 0.3）",
        (
            "赢单概率",
            "赢单率",
            "赢率",
            "成功率",
            "概率",
            "成交概率",
            "可能性",
            "probability",
            "deal probability",
            "win probability",
        ),
        ("Probability", "Probability (%)", "Deal - Probability"),
    ),
    Field(
        "created_date",
        "date",
        "Date the deal was created",
        "商机创建日期",
        (
            "创建日期",
            "创建时间",
            "录入日期",
            "发现日期",
            "立项日期",
            "created date",
            "createddate",
            "create date",
            "created",
            "created time",
            "created on",
            "deal created",
            "add time",
            "engage date",
            "first contact",
            "first contact date",
            "立项时间",
        ),
        (
            "CreatedDate",
            "Created Date",
            "Create Date",
            "Deal - Deal created",
            "Created Time",
            "Created on",
        ),
    ),
    Field(
        "expected_close_date",
        "date",
        "Expected close date (Salesforce's Close Date of an open deal)",
        "预计成交日期",
        (
            "预计成交日期",
            "预计签约日期",
            "预计结单日期",
            "预计关闭日期",
            "预计成交时间",
            "预计完成日期",
            "expected close date",
            "close date",
            "closedate",
            "closing date",
            "expected closing",
            "expected close",
            "close",
            "预计达成时间",
            "预计签单时间",
            "预计签单日期",
            "est close date",
            "estimated close date",
        ),
        (
            "CloseDate",
            "Close Date",
            "Deal - Expected close date",
            "Closing Date",
            "Expected Closing",
        ),
    ),
    Field(
        "close_date",
        "date",
        "Actual date the deal was won or lost",
        "实际成交（或输单）日期",
        (
            "实际成交日期",
            "成交日期",
            "签约日期",
            "实际签约日期",
            "关闭日期",
            "结单日期",
            "actual close date",
            "closed date",
            "date closed",
            "closed on",
            "won time",
            "won date",
            "close time",
        ),
        ("Deal - Won time", "Closed Date", "Date Closed"),
    ),
    Field(
        "lost_date",
        "date",
        "Date a lost deal was lost, where an export keeps it apart from the "
        "won date (Pipedrive's Lost time)",
        "输单日期（与赢单日期分列时，如 Pipedrive 的 Lost time）",
        ("输单日期", "输单时间", "丢单日期", "lost time", "lost date", "date lost", "lost on"),
        ("Deal - Lost time", "Lost Date"),
    ),
    Field(
        "stage_entered_date",
        "date",
        "Date the deal entered its current stage (Pipedrive's Last stage change): time in stage "
        "from one export",
        "进入当前阶段的日期（如 Pipedrive 的 Last stage change）",
        (
            "进入当前阶段日期",
            "进入阶段日期",
            "阶段开始日期",
            "当前阶段开始日期",
            "last stage change",
            "stage entered",
            "date entered stage",
            "stage entry date",
            "entered stage on",
            "stage changed on",
        ),
        ("Deal - Last stage change", "Last Stage Change Date"),
    ),
    Field(
        "lost_stage",
        "stage",
        "Stage a lost deal was in when it was lost (its stage column then says only lost)",
        "输单时所处的阶段（阶段列只写“输单”时）",
        (
            "输单阶段",
            "丢单阶段",
            "输单前阶段",
            "失败阶段",
            "laststage",
            "stage before lost",
            "lost at stage",
            "lost stage",
        ),
        ("lastStage",),
    ),
    Field(
        "source",
        "source",
        "Opportunity source (cold visit, follow-up, penetration, cultivation, inbound)",
        "商机来源（陌生拜访、跟踪、渗透、耕耘、主动咨询）",
        (
            "商机来源",
            "来源",
            "线索来源",
            "客户来源",
            "机会来源",
            "source",
            "lead source",
            "leadsource",
            "deal source",
            "original source",
            "opportunity source",
            "channel",
        ),
        ("LeadSource", "Lead Source", "Original Source", "Source"),
    ),
    Field(
        "grade",
        "grade",
        "Customer grade A-D",
        "客户等级 A-D",
        (
            "客户等级",
            "等级",
            "客户分级",
            "商机等级",
            "级别",
            "客户级别",
            "grade",
            "customer grade",
            "rating",
            "account rating",
            "priority",
        ),
        ("Rating", "Priority"),
    ),
    Field(
        "forecast_category",
        "forecast_category",
        "Forecast category (commit, best case, pipeline, omitted, closed)",
        "预测类别（承诺、最佳情况、管道、排除、已关闭）",
        (
            "预测类别",
            "预测分类",
            "预测类型",
            "forecast category",
            "forecastcategory",
            "forecast category name",
            "forecastcategoryname",
            "forecast",
        ),
        ("ForecastCategory", "ForecastCategoryName", "Forecast Category"),
    ),
    Field(
        "procurement_stage",
        "procurement",
        "Where the customer's procurement stands (need, budget, approved, criteria, tender, "
        "evaluation, negotiation, signed)",
        "客户采购进程所处阶段（确认需求、预算、立项、采购标准、招标、评估、谈判、签约）",
        (
            "客户采购阶段",
            "采购阶段",
            "客户采购进程",
            "采购进程",
            "采购进度",
            "buying stage",
            "customer buying stage",
            "procurement stage",
            "customer procurement stage",
            "purchase stage",
        ),
        ("Buying Stage", "Procurement Stage"),
    ),
    Field(
        "snapshot_date",
        "date",
        "As-of date of the row (or, in a stage-history log, the date of the change)",
        "数据截止日期（阶段变更日志中为变更日期）",
        (
            "快照日期",
            "统计日期",
            "导出日期",
            "报表日期",
            "数据日期",
            "截止日期",
            "变更日期",
            "变更时间",
            "阶段变更日期",
            "snapshot date",
            "as of",
            "as of date",
            "report date",
            "export date",
            "changed at",
            "change date",
            "date changed",
            "stage change date",
            "edit date",
        ),
        ("Snapshot Date", "Edit Date"),
    ),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def field_names() -> tuple[str, ...]:
    """Names of the canonical fields, in documentation order."""
    return tuple(f.name for f in FIELDS)


# Short names of the fields, as a mapping editor shows them (the meanings are in FIELDS).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "opportunity_id": ("商机编号", "Opportunity id"),
    "opportunity_name": ("商机名称", "Deal name"),
    "account": ("客户", "Customer"),
    "owner": ("负责人", "Owner"),
    "team": ("团队", "Team"),
    "stage": ("阶段", "Stage"),
    "status": ("状态", "Status"),
    "is_closed": ("是否关闭", "Closed (yes/no)"),
    "is_won": ("是否赢单", "Won (yes/no)"),
    "active": ("是否有效", "Active (yes/no)"),
    "amount": ("金额", "Amount"),
    "currency": ("币种", "Currency"),
    "probability": ("赢单概率", "Probability"),
    "created_date": ("创建日期", "Created"),
    "expected_close_date": ("预计成交日期", "Expected close"),
    "close_date": ("实际成交日期", "Closed on"),
    "lost_date": ("输单日期", "Lost on"),
    "stage_entered_date": ("进入当前阶段日期", "Entered current stage"),
    "lost_stage": ("输单时阶段", "Stage when lost"),
    "source": ("商机来源", "Source"),
    "grade": ("客户等级", "Customer grade"),
    "forecast_category": ("预测类别", "Forecast category"),
    "procurement_stage": ("客户采购阶段", "Customer's buying stage"),
    "snapshot_date": ("快照日期", "Snapshot date"),
}


def field_label(
    name: str,
    lang: str = "zh",
    stage_names: dict[str, str] | None = None,
    item_names: dict[str, str] | None = None,
    criteria: Collection[str] = (),
) -> str:
    """A field's short name in ``lang``; ``checklist.<stage>.<item>`` (a milestone, or a
    success criterion where named in ``criteria``) and ``stage_date.<stage>`` by the stage's
    (and item's) name."""
    stage_names, item_names = stage_names or {}, item_names or {}
    if name.startswith("checklist."):
        _, stage, item = name.split(".", 2)
        if name in criteria:
            head = "成功标准" if lang == "zh" else "Success criterion"
        else:
            head = "里程碑" if lang == "zh" else "Milestone"
        return (
            f"{head}：{stage_names.get(stage, stage)} · {item_names.get(item, item)}"
            if lang == "zh"
            else f"{head}: {stage_names.get(stage, stage)} · {item_names.get(item, item)}"
        )
    if name.startswith("stage_date."):
        stage = stage_names.get(name.split(".", 1)[1], name.split(".", 1)[1])
        return f"进入“{stage}”日期" if lang == "zh" else f"Date entered {stage}"
    zh, en = FIELD_LABELS.get(name, (name, name))
    return zh if lang == "zh" else en

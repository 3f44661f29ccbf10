"""Header mapping: languages, CRM layouts, units, checklists, stage dates, overrides."""

from __future__ import annotations

import pytest

from funnel_analytics.mapping import header_signature, map_columns, parse_map_options
from funnel_analytics.reading import UnusableFile
from funnel_analytics.stages import get_stage_model

SIX = get_stage_model("six_state")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [
                "商机编号",
                "商机名称",
                "客户名称",
                "负责人",
                "销售团队",
                "销售阶段",
                "状态",
                "预计金额（万元）",
                "赢单概率",
                "创建日期",
                "预计成交日期",
                "实际成交日期",
                "商机来源",
                "客户等级",
                "快照日期",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "account",
                "owner",
                "team",
                "stage",
                "status",
                "amount",
                "probability",
                "created_date",
                "expected_close_date",
                "close_date",
                "source",
                "grade",
                "snapshot_date",
            ],
        ),
        # Salesforce report export
        (
            [
                "Opportunity ID",
                "Opportunity Name",
                "Account Name",
                "Opportunity Owner",
                "Owner Role",
                "Stage",
                "Amount",
                "Probability (%)",
                "Created Date",
                "Close Date",
                "Lead Source",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "account",
                "owner",
                "team",
                "stage",
                "amount",
                "probability",
                "created_date",
                "expected_close_date",
                "source",
            ],
        ),
        # HubSpot
        (
            [
                "Record ID",
                "Deal Name",
                "Deal Stage",
                "Amount",
                "Close Date",
                "Create Date",
                "Deal owner",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "stage",
                "amount",
                "expected_close_date",
                "created_date",
                "owner",
            ],
        ),
        # Pipedrive
        (
            [
                "Deal - ID",
                "Deal - Title",
                "Deal - Organization",
                "Deal - Owner",
                "Deal - Stage",
                "Deal - Value",
                "Deal - Currency",
                "Deal - Status",
                "Deal - Expected close date",
                "Deal - Deal created",
                "Deal - Won time",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "account",
                "owner",
                "stage",
                "amount",
                "currency",
                "status",
                "expected_close_date",
                "created_date",
                "close_date",
            ],
        ),
        # Zoho
        (
            [
                "Record Id",
                "Deal Name",
                "Account Name",
                "Deal Owner",
                "Stage",
                "Amount",
                "Closing Date",
                "Created Time",
                "Probability (%)",
                "Lead Source",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "account",
                "owner",
                "stage",
                "amount",
                "expected_close_date",
                "created_date",
                "probability",
                "source",
            ],
        ),
        # Odoo
        (
            [
                "ID",
                "Opportunity",
                "Customer",
                "Salesperson",
                "Sales Team",
                "Stage",
                "Expected Revenue",
                "Probability",
                "Expected Closing",
                "Created on",
            ],
            [
                "opportunity_id",
                "opportunity_name",
                "account",
                "owner",
                "team",
                "stage",
                "amount",
                "probability",
                "expected_close_date",
                "created_date",
            ],
        ),
    ],
)
def test_automatic_mapping(headers: list[str], expected: list[str]) -> None:
    m = map_columns(headers, SIX)
    assert [m.fields.get(h) for h in headers] == expected
    assert m.unmapped == ()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # A record's life, an approval or a lock is not the deal's status (纷享销客's 生命状态
        # 正常 made every won deal open); the deal's own status headers still are.
        ("生命状态", None),
        ("审批状态", None),
        ("锁定状态", None),
        ("回款状态", None),
        ("Approval Status", None),
        ("Lead Status", None),
        ("商机状态", "status"),
        ("阶段状态", "status"),
        ("Deal Status", "status"),
        # An attribute of the customer is not the customer's name (ids are made from it when
        # a file has none); the name's headers still are.
        ("客户类型", None),
        ("客户行业", None),
        ("客户地址", None),
        ("客户联系人", None),
        ("Account Type", None),
        ("Account Industry", None),
        ("客户单位", "account"),
        ("所属客户", "account"),
        ("Customer Name", "account"),
        ("Potential Customer", "account"),
        # Other fields that share the word keep theirs.
        ("客户来源", "source"),
        ("客户级别", "grade"),
        ("客户经理", "owner"),
    ],
)
def test_a_headers_qualifier_keeps_it_from_a_field_it_only_contains(
    header: str, field: str | None
) -> None:
    mapped = map_columns(["商机编号", "商机名称", "销售阶段", header], SIX).fields
    assert mapped.get(header) == field


def test_the_better_alias_wins_and_the_other_column_is_kept() -> None:
    # Salesforce has both Amount and ExpectedRevenue (= amount × probability).
    m = map_columns(["Id", "StageName", "Amount", "Expected Revenue"], SIX)
    assert m.fields["Amount"] == "amount"
    assert "Expected Revenue" in m.unmapped


def test_units_checklists_and_stage_dates() -> None:
    m = map_columns(
        [
            "商机编号",
            "销售阶段",
            "金额（亿元）",
            "预算已落实",
            "有效客户-付款方明确",
            "进入入围客户日期",
            "Date entered Committed",
        ],
        SIX,
    )
    assert m.units["金额（亿元）"] == (1e8, "CNY")
    assert m.fields["预算已落实"] == "checklist.qualified.budget_in_place"
    assert m.fields["有效客户-付款方明确"] == "checklist.qualified.payer_known"
    assert m.fields["进入入围客户日期"] == "stage_date.shortlisted"
    assert m.fields["Date entered Committed"] == "stage_date.committed"


def test_overrides_move_a_field_and_ignore_unmaps() -> None:
    m = map_columns(
        ["商机编号", "阶段", "进展"], SIX, overrides={"进展": "stage", "商机编号": "ignore"}
    )
    assert m.fields == {"进展": "stage"}
    assert m.origin == {"进展": "user"}
    assert set(m.unmapped) == {"商机编号", "阶段"}


def test_signature_ignores_order_case_and_spacing() -> None:
    assert header_signature(["Stage", "Amount"]) == header_signature(["amount", " STAGE "])
    assert header_signature(["Stage"]) != header_signature(["Stage", "Amount"])


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["销售阶段=stage"], {"销售阶段": "stage"}),
        (["a=b=amount", " x = grade "], {"a=b": "amount", "x": "grade"}),
    ],
)
def test_parse_map_options(items, expected) -> None:
    assert parse_map_options(items) == expected


@pytest.mark.parametrize("item", ["stage", "=stage", "header="])
def test_parse_map_options_refuses_malformed(item: str) -> None:
    with pytest.raises(UnusableFile):
        parse_map_options([item])

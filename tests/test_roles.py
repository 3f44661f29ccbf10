"""The key roles' view (issue #12, part 3): reading a roles table as exports are read (a
Salesforce OpportunityContactRole export, a GB18030 CSV with a title and a hint row, a
workbook's roles sheet), the role-consensus stage and each flag worked by hand, the win rate
with and without each flag, and files without roles losing nothing."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import csv_bytes, xlsx_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnel_analytics.cli import cli
from funnel_analytics.contracts import TABLES
from funnel_analytics.errors import UnusableFile
from funnel_analytics.export import report_workbook
from funnel_analytics.i18n import t
from funnel_analytics.loading import load_export
from funnel_analytics.report import build_report
from funnel_analytics.roles import ERROR_RULES as ROLE_ERRORS
from funnel_analytics.roles import (
    FLAGS,
    ROLES,
    WIN_COLUMNS,
    RoleRule,
    find_roles,
    is_roles_table,
    map_roles,
    read_roles,
    role_deals,
    role_view,
    roles_in_upload,
)
from funnel_analytics.roles import WARNING_RULES as ROLE_WARNINGS
from funnel_analytics.stages import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]

# --- reading ---------------------------------------------------------------------------------
SALESFORCE_OCR = (
    b'"Id","OpportunityId","ContactId","Role","IsPrimary","CreatedDate","LastModifiedDate"\n'
    b'"00K1","006A","003X","Economic Buyer","true","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-01T08:00:00.000+0000"\n'
    b'"00K2","006A","003Y","Technical Buyer","false","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-02T08:00:00.000+0000"\n'
    b'"00K3","006A","003Z","","false","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-02T08:00:00.000+0000"\n'
    b'"00K4","","003W","Decision Maker","false","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-02T08:00:00.000+0000"\n'
    b'"00K5","006B","003V","Business User","true","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-03T08:00:00.000+0000"\n'
    b'"00K6","006B","003U","Influencer","false","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-03T08:00:00.000+0000"\n'
    b'"00K7","006B","003T","Chief Guru","false","2026-09-01T10:00:00.000+0000",'
    b'"2026-10-03T08:00:00.000+0000"\n'
)

# A Chinese team's roles sheet: a title row, the header, a fill-in hint row, then data from
# spreadsheet row 4. Row 9 has no deal and row 11 no contact (rejected); row 10's stance,
# engagement, stage and date cannot be read (kept, each blank, four warnings).
CHINESE_ROWS = [
    ["2026年10月 关键角色表"],
    ["商机编号", "联系人", "角色", "态度", "参与度", "所处阶段", "日期"],
    ["必填", "必填", "从下拉选择", "选填", "选填", "选填", "选填"],
    ["P1", "王总", "决策者", "支持", "3", "意向客户", "2026-10-20"],
    ["P1", "李工", "技术评估", "中立", "2", "入围客户", "2026-10-20"],
    ["P1", "赵经理", "教练/内线", "支持", "3", "意向客户", "2026-10-20"],
    ["P2", "钱总", "决策者", "反对", "1", "有效客户", "2026/10/15"],
    ["P2", "孙工", "使用者", "支持", "高", "入围客户", None],
    [None, "周", "财务", "支持", "2", None, None],
    ["P3", "吴", "采购", "很好", "5", "第九阶段", "昨天"],
    ["P3", None, "财务", "支持", "2", None, None],
]
CHINESE_GB18030 = csv_bytes(CHINESE_ROWS, encoding="gb18030")

EXPORT_ROWS = [
    ["商机编号", "商机名称", "负责人", "团队", "销售阶段", "金额"],
    ["P1", "一号项目", "王", "华东", "意向客户", "100"],
    ["P2", "二号项目", "王", "华东", "入围客户", "200"],
    ["P3", "三号项目", "李", "华北", "有效客户", "300"],
    ["P4", "四号项目", "李", "华北", "接近赢单客户", "400"],
]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Id", "OpportunityId", "ContactId", "Role", "IsPrimary", "CreatedDate"],
            {"OpportunityId": "opportunity_id", "ContactId": "contact", "Role": "role"}
            | {"CreatedDate": "date"},
        ),
        (
            ["商机编号", "联系人", "角色", "态度", "参与度", "所处阶段", "日期"],
            {
                "商机编号": "opportunity_id",
                "联系人": "contact",
                "角色": "role",
                "态度": "stance",
                "参与度": "engagement",
                "所处阶段": "role_stage",
                "日期": "date",
            },
        ),
        # A header holding an alias maps; an export's other columns stay unmapped.
        (
            ["商机编号", "客户联系人", "决策链角色", "职务"],
            {"商机编号": "opportunity_id", "客户联系人": "contact", "决策链角色": "role"},
        ),
    ],
)
def test_headers_map_in_either_language_and_salesforces(headers, expected) -> None:
    assert map_roles(headers).fields == expected


def test_a_user_override_moves_a_field_and_ignore_unmaps() -> None:
    m = map_roles(["商机编号", "姓名", "备注", "角色"], {"备注": "contact", "姓名": "ignore"})
    assert m.fields == {"商机编号": "opportunity_id", "备注": "contact", "角色": "role"}
    with pytest.raises(UnusableFile):
        map_roles(["商机编号"], {"商机编号": "amount"})


def test_an_opportunity_export_is_not_a_roles_table() -> None:
    assert not is_roles_table(EXPORT_ROWS[0])
    assert is_roles_table(CHINESE_ROWS[1])
    # The sample's English export: "Owner Role" is no role, "Account Name" no contact.
    sample = (ROOT / "sample_data" / "opportunities_en_2026-10.csv").read_text("utf-8-sig")
    assert not is_roles_table(sample.splitlines()[0].split(","))
    # Nor is a contact list that names a role beside an amount.
    assert not is_roles_table(["商机编号", "联系人", "角色", "金额"])


def test_salesforces_contact_role_export_reads_as_it_is() -> None:
    r = read_roles(SALESFORCE_OCR, "OpportunityContactRole.csv")
    assert r.mapping.fields == {
        "OpportunityId": "opportunity_id",
        "ContactId": "contact",
        "Role": "role",
        "LastModifiedDate": "date",
    }
    assert (r.rows_read, r.rows_valid, r.rows_rejected) == (7, 6, 1)
    assert r.roles["role"].tolist() == [
        "decision_maker",  # Economic Buyer
        "technical",  # Technical Buyer
        "other",  # blank
        "user",  # Business User
        "other",  # Influencer
        "other",  # Chief Guru: unknown, reported
    ]
    found = r.findings[["row", "column", "value", "rule", "severity"]].to_dict("records")
    assert found == [
        {"row": 5, "column": "OpportunityId", "value": None, "rule": "role_missing_id"}
        | {"severity": "error"},
        {"row": 8, "column": "Role", "value": "Chief Guru", "rule": "role_unknown_role"}
        | {"severity": "warning"},
    ]
    assert r.roles["date"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2026-10-01", "2026-10-02"]
    assert r.columns == {
        "contact": True,
        "stance": False,
        "engagement": False,
        "role_stage": False,
        "date": True,
    }
    assert any("其他" in n for n in r.note_texts("zh"))  # the blank role, said once


def test_a_chinese_gb18030_sheet_with_title_and_hint_rows() -> None:
    r = read_roles(CHINESE_GB18030, "关键角色.csv")
    assert r.header_row == 2
    assert (r.rows_read, r.rows_valid, r.rows_rejected) == (8, 6, 2)
    assert list(r.rejected.index) == [9, 11]
    errors = r.findings_table("error", "en")
    assert errors[["row", "column", "value"]].to_dict("records") == [
        {"row": 9, "column": "商机编号", "value": ""},
        {"row": 11, "column": "联系人", "value": ""},
    ]
    warnings = r.findings_table("warning", "zh")
    assert warnings[["row", "column", "value"]].to_dict("records") == [
        {"row": 10, "column": "态度", "value": "很好"},
        {"row": 10, "column": "参与度", "value": "5"},
        {"row": 10, "column": "所处阶段", "value": "第九阶段"},
        {"row": 10, "column": "日期", "value": "昨天"},
    ]
    assert warnings["message"].iloc[0].startswith("态度“很好”无法识别")
    assert r.findings_table("warning", "en")["message"].iloc[1].startswith("The engagement “5”")
    roles = r.roles
    assert roles.loc[8, "engagement"] == 3  # 高
    assert roles.loc[7, "stance"] == "opposes"
    assert roles.loc[4, "role_stage"] == "committed"
    assert pd.isna(roles.loc[10, "stance"]) and pd.isna(roles.loc[10, "role_stage"])
    assert pd.isna(roles.loc[10, "engagement"]) and pd.isna(roles.loc[10, "date"])


def test_a_workbooks_roles_sheet_is_found_beside_its_opportunities() -> None:
    data = xlsx_bytes(EXPORT_ROWS, sheet="商机", extra_sheets={"关键角色": CHINESE_ROWS})
    loaded = load_export(data, "商机_2026-10-31.xlsx")
    assert loaded.sheet == "商机" and loaded.rows_valid == 4  # the opportunities still load
    found = roles_in_upload(data, "商机_2026-10-31.xlsx", loaded)
    assert found is not None and found.sheet == "关键角色"
    assert (found.rows_valid, found.rows_rejected, found.header_row) == (6, 2, 2)
    # The same workbook given to read_roles finds the sheet by itself.
    assert read_roles(data, "商机.xlsx").sheet == "关键角色"


def test_a_roles_sheet_with_each_deal_merged_over_its_contacts() -> None:
    """A roles sheet kept by hand writes the deal once and merges it down over its contacts:
    every contact belongs to the deal the sheet shows, none is rejected for a blank id."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "关键角色"
    rows = [r for r in CHINESE_ROWS[:2]] + [
        ["P1", "王总", "决策者", "支持", "3", "意向客户", "2026-10-20"],
        [None, "李工", "技术评估", "中立", "2", "入围客户", "2026-10-20"],
        [None, "赵经理", "教练/内线", "支持", "3", "意向客户", "2026-10-20"],
        ["P2", "钱总", "决策者", "反对", "1", "有效客户", "2026-10-15"],
        [None, "孙工", "使用者", "支持", "3", "入围客户", "2026-10-15"],
    ]
    for r in rows:
        ws.append(r)
    ws.merge_cells("A1:G1")
    ws.merge_cells("A3:A5")
    ws.merge_cells("A6:A7")
    buf = io.BytesIO()
    wb.save(buf)
    r = read_roles(buf.getvalue(), "关键角色_2026-10.xlsx")
    assert (r.rows_read, r.rows_valid, r.rows_rejected) == (5, 5, 0)
    assert r.roles["opportunity_id"].tolist() == ["P1", "P1", "P1", "P2", "P2"]
    assert r.roles["contact"].tolist() == ["王总", "李工", "赵经理", "钱总", "孙工"]


def test_uploads_without_roles_are_told_apart_cheaply() -> None:
    export = csv_bytes(EXPORT_ROWS)
    loaded = load_export(export, "商机_2026-10-31.csv")
    assert roles_in_upload(export, "商机_2026-10-31.csv", loaded) is None
    assert find_roles(export, "商机.csv") is None
    assert find_roles(b"\x00\x01garbage", "x.csv") is None
    # A roles CSV, whether the export reader refused it or not, is found.
    assert find_roles(CHINESE_GB18030, "roles.csv").rows_valid == 6
    assert roles_in_upload(SALESFORCE_OCR, "ocr.csv", None).rows_valid == 6


def test_a_file_with_no_roles_table_is_refused_with_its_reason() -> None:
    with pytest.raises(UnusableFile) as caught:
        read_roles(csv_bytes(EXPORT_ROWS), "商机.csv")
    assert caught.value.reason == "no_roles_table"
    assert "角色" in caught.value.message("zh")


# --- the consensus stage ---------------------------------------------------------------------
def contacts(deal: str, *people: tuple) -> pd.DataFrame:
    """Roles rows: (role, stance, engagement, stage) per person."""
    return pd.DataFrame(
        {
            "opportunity_id": [deal] * len(people),
            "contact": [f"{deal}-{i}" for i in range(len(people))],
            "role": [p[0] for p in people],
            "stance": pd.array([p[1] for p in people], dtype="string"),
            "engagement": pd.array([p[2] for p in people], dtype="Int64"),
            "role_stage": pd.array([p[3] for p in people], dtype="string"),
            "date": pd.Series(pd.NaT, index=range(len(people)), dtype="datetime64[ns]"),
        }
    )


def snapshot(*deals: tuple) -> pd.DataFrame:
    """Open deals: (id, stage)."""
    return pd.DataFrame(
        {
            "opportunity_id": [d[0] for d in deals],
            "stage": [d[1] for d in deals],
            "status": ["open"] * len(deals),
            "amount": [100.0] * len(deals),
            "owner": ["Ann"] * len(deals),
            "team": ["East"] * len(deals),
        }
    )


LOWEST = RoleRule()
MEDIAN = dataclasses.replace(RoleRule(), method="median")
STRICT = dataclasses.replace(RoleRule(), min_engagement=2)


@pytest.mark.parametrize(
    ("people", "rule", "consensus"),
    [
        # The lowest engaged influencer: the technical evaluator; the coach does not count.
        (
            [
                ("decision_maker", None, 3, "committed"),
                ("technical", None, 2, "shortlisted"),
                ("coach", None, 3, "near_win"),
            ],
            LOWEST,
            "shortlisted",
        ),
        # A user at engagement 0 is not engaged.
        (
            [("decision_maker", None, 3, "committed"), ("user", None, 0, "target")],
            LOWEST,
            "committed",
        ),
        # No decision-influencing role: no consensus.
        ([("coach", None, 3, "committed"), ("other", None, 3, "target")], LOWEST, None),
        # A blank engagement counts as engaged; a contact without a stage does not count.
        (
            [("decision_maker", None, None, "qualified"), ("finance", None, 2, None)],
            LOWEST,
            "qualified",
        ),
        # An opposing decision maker still says where the deal is.
        (
            [("decision_maker", "opposes", 3, "target"), ("user", "supports", 3, "committed")],
            LOWEST,
            "target",
        ),
        # The lower median of target, qualified, committed, near-win is qualified.
        (
            [
                ("decision_maker", None, 3, "target"),
                ("user", None, 3, "qualified"),
                ("technical", None, 3, "committed"),
                ("finance", None, 3, "near_win"),
            ],
            MEDIAN,
            "qualified",
        ),
        # Engaged from 2: the decision maker at 1 is left out.
        (
            [("decision_maker", None, 1, "target"), ("user", None, 2, "committed")],
            STRICT,
            "committed",
        ),
    ],
)
def test_the_role_consensus_stage(people, rule, consensus) -> None:
    out = role_deals(snapshot(("D1", "near_win")), contacts("D1", *people), DEFAULT_MODEL, rule)
    assert out["consensus_stage"].iloc[0] == consensus
    expected_gap = (
        None
        if consensus is None
        else DEFAULT_MODEL.index(consensus) - DEFAULT_MODEL.index("near_win")
    )
    assert (None if pd.isna(out["role_gap"].iloc[0]) else out["role_gap"].iloc[0]) == expected_gap


# --- the flags -------------------------------------------------------------------------------
# (reported stage, people as (role, stance, engagement), single, no DM, opposed, no coach)
FLAG_CASES = [
    ("committed", [("decision_maker", "supports", 3), ("coach", "supports", 2)], 0, 0, 0, 0),
    # One friendly coach "who decides everything": one tree, and no decision maker late.
    ("committed", [("coach", "supports", 3)], 1, 1, 0, 0),
    # Qualified is not late (25% < 50%): no decision maker is no flag yet.
    ("qualified", [("user", "supports", 3), ("technical", "neutral", 1)], 0, 0, 0, 0),
    # Shortlisted is late (50%) but before Committed (75%): no coach is no flag yet.
    ("shortlisted", [("user", "supports", 3), ("technical", "supports", 2)], 0, 1, 0, 0),
    # Finance opposes though not engaged; the only coach opposes too.
    (
        "near_win",
        [("decision_maker", "supports", 3), ("finance", "opposes", 0), ("coach", "opposes", 3)],
        0,
        0,
        1,
        1,
    ),
    # Three listed, one engaged: still one tree; the coach at 0 is no coach.
    (
        "committed",
        [("decision_maker", "supports", 3), ("user", "supports", 0), ("coach", "supports", 0)],
        1,
        0,
        0,
        1,
    ),
    # "Other" opposing is not an influential role.
    ("target", [("other", "opposes", 3), ("user", "supports", 3)], 0, 0, 0, 0),
]


@pytest.mark.parametrize(("stage", "people", "single", "no_dm", "opposed", "no_coach"), FLAG_CASES)
def test_each_flag(stage, people, single, no_dm, opposed, no_coach) -> None:
    roles = contacts("D1", *[(*p, None) for p in people])
    out = role_deals(snapshot(("D1", stage)), roles, DEFAULT_MODEL)
    flags = [bool(out[f].fillna(False).iloc[0]) for f in FLAGS]
    assert flags == [bool(single), bool(no_dm), bool(opposed), bool(no_coach)]
    assert bool(out["flagged"].iloc[0]) == any(flags)
    # The stage-bound flags are judged only at their stages: below them, blank.
    prob = DEFAULT_MODEL.probabilities[stage]
    assert pd.isna(out["no_decision_maker"].iloc[0]) == (prob < RoleRule().late_from)
    assert pd.isna(out["no_coach"].iloc[0]) == (prob < RoleRule().coach_from)


def test_stage_bound_flags_compare_win_rates_at_their_stages_only() -> None:
    """No decision maker is judged from Shortlisted on: a deal lost at Target without one is
    neither flagged nor counted among the clear ones, so it does not flatter the flag."""
    obs = pd.DataFrame(
        {
            "opportunity_id": ["A", "A", "B", "B", "C", "C"],
            "stage": ["target", "target", "shortlisted", "shortlisted", "shortlisted", "won"],
            "status": ["open", "lost", "open", "lost", "open", "won"],
            "snapshot_date": pd.to_datetime(["2026-01-31", "2026-02-28"] * 3),
            "amount": [10.0] * 6,
            "owner": ["x"] * 6,
            "team": ["t"] * 6,
        }
    )
    roles = contacts("A", ("user", "supports", 3, None))
    roles = pd.concat(
        [
            roles,
            contacts("B", ("user", "supports", 3, None), ("technical", "supports", 2, None)),
            contacts("C", ("decision_maker", "supports", 3, None), ("user", "supports", 2, None)),
        ],
        ignore_index=True,
    )
    last = obs[obs["snapshot_date"] == obs["snapshot_date"].max()]
    view = role_view(obs, last, roles, DEFAULT_MODEL)
    row = view.win_rate.set_index("flag").loc["no_decision_maker"]
    # B (flagged, lost) against C (clear, won); A, at Target, is in neither.
    assert (row["closed_flagged"], row["won_flagged"]) == (1, 0)
    assert (row["closed_unflagged"], row["won_unflagged"]) == (1, 1)


def test_without_a_stance_opposition_is_not_judged_and_any_engaged_coach_counts() -> None:
    roles = contacts("D1", ("decision_maker", None, 3, None), ("coach", None, 3, None))
    out = role_deals(snapshot(("D1", "near_win")), roles, DEFAULT_MODEL)
    assert pd.isna(out["opposed"].iloc[0])
    assert not out["no_coach"].iloc[0] and not out["flagged"].iloc[0]


def test_deals_the_roles_table_does_not_list_get_no_flag() -> None:
    roles = contacts("D1", ("coach", "supports", 3, None))
    out = role_deals(snapshot(("D1", "committed"), ("D2", "near_win")), roles, DEFAULT_MODEL)
    assert out["contacts"].tolist() == [1, 0]
    assert out.loc[1, [*FLAGS, "flagged"]].isna().all()


def test_a_contacts_latest_row_up_to_the_as_of_date_counts() -> None:
    roles = pd.concat(
        [
            contacts("D1", ("decision_maker", "supports", 3, "committed")),
            contacts("D1", ("decision_maker", "opposes", 3, "target")),
            contacts("D1", ("decision_maker", "supports", 3, "near_win")),
        ],
        ignore_index=True,
    )
    roles["contact"] = "王总"
    roles["date"] = pd.to_datetime(["2026-09-01", "2026-10-01", "2026-12-01"])
    out = role_deals(snapshot(("D1", "near_win")), roles, DEFAULT_MODEL, as_of="2026-10-31")
    assert out.loc[0, "contacts"] == 1
    assert out.loc[0, "consensus_stage"] == "target" and bool(out.loc[0, "opposed"])


def test_the_rule_refuses_what_it_cannot_apply() -> None:
    with pytest.raises(ValueError, match="method"):
        RoleRule(method="mean")
    with pytest.raises(ValueError, match="unknown roles"):
        RoleRule(roles=("boss",))


# --- win rates, views, report ----------------------------------------------------------------
def observations() -> pd.DataFrame:
    """Five deals seen open at the end of September and closed at the end of October."""
    rows = []
    plan = [
        ("D1", "committed", "won"),
        ("D2", "committed", "lost"),
        ("D3", "shortlisted", "won"),
        ("D4", "committed", "lost"),
        ("D5", "committed", "won"),  # not in the roles table
    ]
    for deal, stage, outcome in plan:
        for date, status, at in (("2026-09-30", "open", stage), ("2026-10-31", outcome, None)):
            rows.append(
                {
                    "opportunity_id": deal,
                    "snapshot_date": pd.Timestamp(date),
                    "stage": at or ("won" if outcome == "won" else stage),
                    "status": status,
                    "amount": 100.0,
                    "owner": "Ann",
                    "team": "East",
                }
            )
    return pd.DataFrame(rows)


def closed_roles() -> pd.DataFrame:
    return pd.concat(
        [
            # D1: decision maker and coach: no flag (won).
            contacts("D1", ("decision_maker", "supports", 3, None), ("coach", "supports", 3, None)),
            # D2: one coach: single contact, no decision maker late (lost).
            contacts("D2", ("coach", "supports", 3, None)),
            # D3: at Shortlisted without a decision maker (won).
            contacts("D3", ("user", "supports", 3, None), ("technical", "supports", 3, None)),
            # D4: at Committed without a coach (lost).
            contacts("D4", ("decision_maker", "supports", 3, None), ("user", "neutral", 2, None)),
        ],
        ignore_index=True,
    )


def test_win_rate_with_and_without_each_flag_by_hand() -> None:
    obs = observations()
    view = role_view(
        obs, obs[obs["snapshot_date"] == obs["snapshot_date"].max()], closed_roles(), DEFAULT_MODEL
    )
    got = view.win_rate.set_index("flag")[
        ["closed_flagged", "won_flagged", "closed_unflagged", "won_unflagged"]
    ]
    expected = pd.DataFrame(
        {
            "closed_flagged": [3, 1, 2, 0, 1],
            "won_flagged": [1, 0, 1, 0, 0],
            # No coach is judged at Committed or later: D3, at Shortlisted, is in neither side.
            "closed_unflagged": [1, 3, 2, 4, 2],
            "won_unflagged": [1, 2, 1, 2, 1],
        },
        index=pd.Index(["any", *FLAGS], name="flag"),
    )
    pd.testing.assert_frame_equal(got, expected)
    assert view.win_rate.loc[0, "win_rate_flagged"] == pytest.approx(1 / 3)
    lo, hi = view.win_rate.loc[0, ["win_rate_flagged_low", "win_rate_flagged_high"]]
    assert 0 < lo < 1 / 3 < hi < 1
    assert pd.isna(view.win_rate.loc[3, "win_rate_flagged"])  # no deal opposed
    assert list(view.win_rate.columns) == WIN_COLUMNS
    # Stage by stage: only Committed has deals on both sides (D3, at Shortlisted, has no
    # unflagged deal to be compared with). Any flag: D2 and D4 lost (0%) against D1 won (100%).
    # One contact: D2 (0%) against D1 won, D4 lost (50%). No decision maker: D2 against D1, D4.
    # No coach: D4 (0%) against D1, D2 (50%).
    same = view.win_rate.set_index("flag")[["closed_same_stages", "gap_same_stages"]]
    assert same["closed_same_stages"].tolist() == [2, 1, 1, 0, 1]
    assert same["gap_same_stages"].tolist()[:3] == pytest.approx([-1.0, -0.5, -0.5])
    assert pd.isna(same.loc["opposed", "gap_same_stages"])
    assert same.loc["no_coach", "gap_same_stages"] == pytest.approx(-0.5)
    assert view.deals.empty  # every deal has closed


def test_the_view_per_team_and_rep_and_the_report_on_an_upload_with_roles() -> None:
    export = load_export(csv_bytes(EXPORT_ROWS), "商机_2026-10-31.csv")
    roles = read_roles(CHINESE_GB18030, "关键角色.csv")
    report = build_report(export.observations(), DEFAULT_MODEL, roles=roles.roles)
    view = report.roles
    deals = view.deals.set_index("opportunity_id")
    assert deals["consensus_stage"].tolist() == ["shortlisted", "qualified", None, None]
    assert deals["role_gap"].tolist()[:2] == [-1, -1]
    assert view.consensus.to_dict() == {"P1": "shortlisted", "P2": "qualified"}
    assert deals["contacts"].tolist() == [3, 2, 1, 0]
    flags = deals[[*FLAGS, "flagged"]].astype("object")
    flags = flags.where(flags.notna(), None)  # None: not judged at the deal's stage
    assert flags.loc["P1"].tolist() == [False, False, False, False, False]
    # At Shortlisted the decision maker opposes; the coach is not judged before Committed.
    assert flags.loc["P2"].tolist() == [False, False, True, None, True]
    # At Qualified one tree; neither the decision maker nor the coach is judged yet.
    assert flags.loc["P3"].tolist() == [True, None, False, None, True]
    assert deals.loc["P4", [*FLAGS, "flagged"]].isna().all()  # the roles table names nobody
    by_owner = view.by_owner.set_index("owner")
    assert by_owner.loc[
        "王", ["open_count", "with_roles", "flagged_count", "opposed"]
    ].tolist() == [2, 2, 1, 1]
    assert by_owner.loc["李", ["open_count", "with_roles", "flagged_count"]].tolist() == [2, 1, 1]
    assert by_owner.loc["李", "flagged_share"] == 1.0
    assert view.by_owner["owner"].tolist() == ["李", "王"]  # as many flagged: the larger amount
    data = report.data["roles"]
    assert data["has_roles"] and data["with_roles"] == 3 and data["open_deals"] == 4
    assert data["flags"]["flagged"] == {"count": 2, "amount": 500.0}
    assert [d["opportunity_id"] for d in data["deals"]] == ["P3", "P2", "P1"]
    assert data["win_rate"] == []  # one export: no deal was seen open before it closed
    for name in ("roles_deals", "roles_by_owner", "roles_by_team"):
        assert TABLES[name].undeclared(report.tables[name], DEFAULT_MODEL.keys) == []
    assert "roles_win_rate" not in report.tables  # no empty sheet
    json.dumps(report.data)  # JSON-ready


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_excel_report_names_stages_and_flags_in_the_readers_language(lang) -> None:
    obs = observations()
    now = obs[obs["opportunity_id"] == "D1"].head(1).assign(opportunity_id="D9")
    roles = pd.concat(
        [closed_roles(), contacts("D9", ("coach", "supports", 3, "qualified"))], ignore_index=True
    )
    view = role_view(pd.concat([obs, now], ignore_index=True), now, roles, DEFAULT_MODEL)
    tables = {"roles_deals": view.with_roles, "roles_win_rate": view.win_rate}
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(tables, lang, DEFAULT_MODEL)))
    sheet = book[t("sheet_roles_deals", lang)]
    head = [c.value for c in sheet[1]]
    row = dict(zip(head, [c.value for c in sheet[2]], strict=True))
    label = TABLES["roles_deals"].column
    assert row[label("consensus_stage").label(lang)] is None  # a coach makes no consensus
    assert row[label("stage").label(lang)] == DEFAULT_MODEL.stage("committed").name(lang)
    assert row[label("single_contact").label(lang)] is True
    assert row[label("no_coach").label(lang)] is False
    wins = book[t("sheet_roles_win_rate", lang)]
    assert wins.cell(2, 1).value == t("role_flag_any", lang)
    assert wins.cell(2, 2).value == 3  # closed with a flag
    assert wins.cell(2, 4).number_format == "0.0%"


def test_a_report_without_roles_loses_nothing() -> None:
    export = load_export(csv_bytes(EXPORT_ROWS), "商机_2026-10-31.csv")
    with_none = build_report(export.observations(), DEFAULT_MODEL)
    assert not with_none.roles.has_roles
    assert not any(k.startswith("roles_") for k in with_none.tables)
    assert with_none.data["roles"]["has_roles"] is False
    assert with_none.data["roles"]["deals"] == [] and with_none.data["roles"]["with_roles"] == 0


def test_cli_report_reads_roles_and_refuses_an_unusable_roles_file(tmp_path) -> None:
    export = tmp_path / "商机_2026-10-31.csv"
    export.write_bytes(csv_bytes(EXPORT_ROWS))
    roles = tmp_path / "关键角色.csv"
    roles.write_bytes(CHINESE_GB18030)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["report", str(export), "--roles", str(roles), "--json", "--runs", "100"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["roles"]
    assert data["with_roles"] == 3 and data["flags"]["single_contact"]["count"] == 1
    (read,) = data["files"]
    assert (read["rows_read"], read["rows_valid"], read["rows_rejected"]) == (8, 6, 2)
    assert [e["row"] for e in read["errors"]] == [9, 11]
    # Engaged from 2: P2's decision maker (engagement 1) no longer counts.
    strict = runner.invoke(
        cli,
        [
            "report",
            str(export),
            "--roles",
            str(roles),
            "--role-engagement",
            "2",
            "--role-consensus",
            "median",
            "--json",
            "--runs",
            "100",
        ],
    )
    assert strict.exit_code == 0, strict.output
    data = json.loads(strict.stdout)["roles"]
    assert data["rule"]["min_engagement"] == 2 and data["rule"]["method"] == "median"
    p2 = next(d for d in data["deals"] if d["opportunity_id"] == "P2")
    assert p2["consensus_stage"] == "shortlisted" and p2["no_decision_maker"] is True
    refused = runner.invoke(cli, ["report", str(export), "--roles", str(export), "--json"])
    assert refused.exit_code == 2
    missing = runner.invoke(cli, ["report", str(export), "--roles", str(tmp_path / "no.csv")])
    assert missing.exit_code == 2


def test_cli_report_reads_a_roles_sheet_inside_the_workbook_without_being_told(tmp_path) -> None:
    """As the dashboard does with an upload: an export workbook with a key-roles sheet gives
    the report its roles; --roles, when given, is what counts."""
    book = tmp_path / "商机_2026-10-31.xlsx"
    book.write_bytes(xlsx_bytes(EXPORT_ROWS, extra_sheets={"关键角色": CHINESE_ROWS}))
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(book), "--json", "--runs", "100"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["roles"]
    assert data["has_roles"] and data["with_roles"] == 3
    (read,) = data["files"]
    assert read["sheet"] == "关键角色" and read["rows_valid"] == 6
    # A one-sheet workbook or a CSV holds no roles: the report says so, as before.
    plain = tmp_path / "商机_2026-10-31.csv"
    plain.write_bytes(csv_bytes(EXPORT_ROWS))
    none = runner.invoke(cli, ["report", str(plain), "--json", "--runs", "100"])
    assert json.loads(none.stdout)["roles"]["has_roles"] is False
    # Given explicitly, the --roles file is read instead of the sheet.
    roles = tmp_path / "其他角色.csv"
    roles.write_bytes(csv_bytes(CHINESE_ROWS[:1] + CHINESE_ROWS[1:4]))
    given = runner.invoke(cli, ["report", str(book), "--roles", str(roles), "--json"])
    assert given.exit_code == 0, given.output
    assert [f["file"] for f in json.loads(given.stdout)["roles"]["files"]] == ["其他角色.csv"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.sampled_from(["P1", "王总", "决策者", "反对", "3", "意向客户", "", "x,y", '"']),
            max_size=8,
        ),
        max_size=12,
    ),
    st.sampled_from(["utf-8", "gb18030"]),
)
def test_reading_roles_never_crashes_on_garbage(rows, encoding) -> None:
    """Any cells under any header: a result whose rows split into valid and rejected, or a
    refusal; never another exception."""
    data = csv_bytes([CHINESE_ROWS[1], *rows], encoding=encoding)
    try:
        r = read_roles(data, "roles.csv")
    except UnusableFile:
        return
    assert r.rows_valid + r.rows_rejected == r.rows_read
    assert set(r.roles["role"]) <= set(ROLES)
    assert r.roles["engagement"].dropna().between(0, 3).all()
    role_deals(snapshot(("P1", "committed")), r.roles, DEFAULT_MODEL)


@pytest.mark.parametrize("rule", [*ROLE_ERRORS, *ROLE_WARNINGS])
def test_every_roles_rule_is_documented_and_said_in_both_languages(rule) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `{rule}` |" in readme
    for lang in ("zh", "en"):
        assert t(rule, lang, value="x", model="m") != rule
        assert t(f"rule_{rule}", lang) != f"rule_{rule}"


def test_a_date_order_decided_for_the_column_is_said() -> None:
    rows = [["商机编号", "联系人", "角色", "日期"], ["P1", "王", "决策者", "03/04/26"]]
    r = read_roles(csv_bytes(rows), "roles.csv")
    assert all("{" not in n for n in r.note_texts("en"))


PEOPLE = st.tuples(
    st.sampled_from(ROLES),
    st.sampled_from([None, "supports", "neutral", "opposes"]),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from([None, *DEFAULT_MODEL.keys]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(PEOPLE, min_size=1, max_size=8))
def test_the_lowest_consensus_is_never_above_the_median_and_both_are_someones_stage(people):
    roles = contacts("D1", *people)
    low, mid = (
        role_deals(snapshot(("D1", "committed")), roles, DEFAULT_MODEL, rule)["consensus_stage"][0]
        for rule in (LOWEST, MEDIAN)
    )
    counted = {
        p[3] for p in people if p[0] in LOWEST.roles and p[3] and (p[2] is None or p[2] >= 1)
    }
    assert (low is None) == (mid is None) == (not counted)
    if counted:
        assert low in counted and mid in counted
        assert DEFAULT_MODEL.index(low) <= DEFAULT_MODEL.index(mid)
        assert low == min(counted, key=DEFAULT_MODEL.index)

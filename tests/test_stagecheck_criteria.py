"""Milestones (entered) and success criteria (completed): each rule worked by hand.

The model below has three open stages and a won one:

- ``a``: milestone ``a_m``, success criterion ``a_c``;
- ``b``: milestones ``b_m1``, ``b_m2``, success criteria ``b_c1``, ``b_c2``;
- ``c``: no milestone, success criterion ``c_c``.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from funnel_analytics.contracts import TABLES
from funnel_analytics.loading import load_export
from funnel_analytics.mapping import map_columns
from funnel_analytics.stagecheck import (
    EVIDENCE_COLUMNS,
    effective_stages,
    entered_not_completed,
    evidence_by_owner,
    stage_evidence,
)
from funnel_analytics.stages import (
    EIGHT_STAGE,
    StageModelError,
    get_stage_model,
    load_stage_model,
)

MODEL = load_stage_model(
    b"""
name = "abc"
[[stages]]
key = "a"
probability = 0.2
checklist = [{key = "a_m", en = "A milestone"}]
criteria = [{key = "a_c", en = "A criterion"}]
[[stages]]
key = "b"
probability = 0.5
checklist = [{key = "b_m1", en = "B milestone 1"}, {key = "b_m2", en = "B milestone 2"}]
criteria = [{key = "b_c1", en = "B criterion 1"}, {key = "b_c2", en = "B criterion 2"}]
[[stages]]
key = "c"
probability = 0.8
criteria = [{key = "c_c", en = "C criterion"}]
[[stages]]
key = "won"
probability = 1.0
"""
)
ITEMS = ["a.a_m", "a.a_c", "b.b_m1", "b.b_m2", "b.b_c1", "b.b_c2", "c.c_c"]


def _deal(stage: str, done: str, owner: str = "Ann", status: str = "open") -> dict:
    """One deal at ``stage`` whose items named in ``done`` (space-separated, e.g. ``"a_m b_m1"``)
    are ticked; every other item is False, or blank where written with a ``?`` prefix."""
    words = done.split()
    row = {
        "opportunity_id": f"{stage}:{done}",
        "owner": owner,
        "amount": 100.0,
        "stage": stage,
        "status": status,
    }
    for item in ITEMS:
        key = item.split(".")[1]
        row[f"checklist.{item}"] = True if key in words else None if f"?{key}" in words else False
    return row


# (reported stage, items done) -> (evidence, completed stage, criteria done, criteria total, still to do)
CASES = [
    # a: its milestone done, its criterion not: entered; nothing before it to complete.
    ("a", "a_m", "entered", None, 0, 1, "a_c"),
    # a: the milestone missing: not entered, whatever the criterion says.
    ("a", "a_c", "not_entered", None, 1, 1, "a_m"),
    # a: all done: completed.
    ("a", "a_m a_c", "completed", "a", 1, 1, ""),
    # b entered (both milestones): entering b shows a was completed, though a_c is unticked.
    ("b", "b_m1 b_m2", "entered", "a", 0, 2, "b_c1, b_c2"),
    # b with one criterion of two: in progress.
    ("b", "b_m1 b_m2 b_c2", "in_progress", "a", 1, 2, "b_c1"),
    # b with both criteria: completed, and b is the completed stage.
    ("b", "b_m1 b_m2 b_c1 b_c2", "completed", "b", 2, 2, ""),
    # b with a milestone missing: not entered, even with every criterion ticked; a only
    # entered, so no completed stage.
    ("b", "a_m b_m1 b_c1 b_c2", "not_entered", None, 2, 2, "b_m2"),
    # ... unless a's criterion is done: then a is the completed stage.
    ("b", "a_m a_c b_m1", "not_entered", "a", 0, 2, "b_m2"),
    # A blank milestone counts as not done.
    ("b", "b_m1 ?b_m2", "not_entered", None, 0, 2, "b_m2"),
    # c has no milestone: with its criterion unticked, nothing says whether it was entered.
    ("c", "", "unjudged", None, 0, 1, "c_c"),
    # ... and b's criteria done show b completed.
    ("c", "b_m1 b_m2 b_c1 b_c2", "unjudged", "b", 0, 1, "c_c"),
    # c's criterion done: completed (a criterion done also shows the stage was entered).
    ("c", "c_c", "completed", "c", 1, 1, ""),
]


@pytest.mark.parametrize(
    ("stage", "done", "evidence", "completed", "n_done", "n_total", "todo"), CASES
)
def test_each_rule_by_hand(stage, done, evidence, completed, n_done, n_total, todo) -> None:
    out = stage_evidence(pd.DataFrame([_deal(stage, done)]), MODEL)
    row = out.iloc[0]
    assert (row["evidence"], row["completed_stage"]) == (evidence, completed)
    assert (row["criteria_done"], row["criteria_total"], row["open_items"]) == (
        n_done,
        n_total,
        todo,
    )


def test_not_entered_is_exactly_what_the_milestone_check_pulls_back() -> None:
    frame = pd.DataFrame([_deal(s, d) for s, d, *_ in CASES])
    evidence = stage_evidence(frame, MODEL)
    check = effective_stages(frame, MODEL)
    assert (evidence["evidence"] == "not_entered").tolist() == check["inflated"].tolist()


def test_only_open_deals_and_only_the_columns_present_are_judged() -> None:
    frame = pd.DataFrame(
        [_deal("b", "b_m1 b_m2"), _deal("a", "a_m", status="won"), _deal("c", "", status="lost")]
    )
    # Without b's criterion columns, b entered is entered with no criteria to count.
    out = stage_evidence(frame.drop(columns=["checklist.b.b_c1", "checklist.b.b_c2"]), MODEL)
    assert out[["stage", "evidence", "criteria_total", "open_items"]].to_dict("records") == [
        {"stage": "b", "evidence": "entered", "criteria_total": 0, "open_items": ""}
    ]
    # Without any checklist column: an empty frame with the declared columns.
    bare = stage_evidence(frame[["opportunity_id", "owner", "amount", "stage", "status"]], MODEL)
    assert bare.empty and list(bare.columns) == EVIDENCE_COLUMNS


def test_days_come_from_the_ages_and_the_longest_stay_is_listed_first() -> None:
    frame = pd.DataFrame(
        [_deal("a", "a_m"), _deal("b", "b_m1 b_m2 b_c1"), _deal("b", "b_m1"), _deal("c", "c_c")]
    )
    ids = frame["opportunity_id"].tolist()
    ages = pd.DataFrame(
        {"opportunity_id": ids, "stage": frame["stage"], "days_in_stage": [10, 40, 70, 90]}
    ).assign(age_days=[100, 90, 80, 95])
    evidence = stage_evidence(frame, MODEL, ages)
    assert evidence["days_in_stage"].tolist() == [10.0, 40.0, 70.0, 90.0]
    # Entered or in progress only (not the one not entered, nor the completed one).
    assert entered_not_completed(evidence)["opportunity_id"].tolist() == [ids[1], ids[0]]
    assert entered_not_completed(evidence, "age_days")["opportunity_id"].tolist() == [
        ids[0],
        ids[1],
    ]


def test_reps_by_share_of_deals_whose_stage_is_not_evidenced() -> None:
    frame = pd.DataFrame(
        [
            _deal("a", "a_m", "Ann"),  # entered
            _deal("b", "b_m1", "Ann"),  # not entered
            _deal("c", "", "Ann"),  # unjudged
            _deal("b", "b_m1 b_m2 b_c1", "Bob"),  # in progress
            _deal("a", "a_m a_c", "Bob"),  # completed
            _deal("b", "b_m2", "Cy"),  # not entered
        ]
    )
    got = evidence_by_owner(stage_evidence(frame, MODEL))
    expected = pd.DataFrame(
        {
            "owner": ["Cy", "Ann", "Bob"],
            "deals": [1, 3, 2],
            "not_entered": [1, 1, 0],
            "unjudged": [0, 1, 0],
            "entered": [0, 1, 0],
            "in_progress": [0, 0, 1],
            "completed": [0, 0, 1],
            "not_evidenced": [1, 2, 0],
            "not_evidenced_share": [1.0, 2 / 3, 0.0],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    assert not TABLES["evidence_by_owner"].undeclared(got)
    assert not TABLES["stage_evidence"].undeclared(stage_evidence(frame, MODEL))


# --- the eight-stage process: both lists, and its old checklist columns still read ------------
def test_every_eight_stage_step_has_milestones_and_its_ends_when_criterion() -> None:
    ends_when = {
        "account_planning": "客户同意会面",
        "visit_discovery": "客户要求提交初步方案",
        "preliminary_proposal": "客户同意技术交流",
        "demo_exchange": "受邀设计正式方案",
        "formal_proposal": "投标通过初审",
        "evaluation": "被确定为首选供应商",
        "negotiation": "合同条款已谈妥",
    }
    for stage in EIGHT_STAGE.stages:
        assert stage.checklist and stage.criteria, stage.key
        if stage.key in ends_when:
            assert [i.zh for i in stage.criteria] == [ends_when[stage.key]]
    # The six-state model's checklist stays its milestones, with no success criteria.
    assert not get_stage_model("six_state").criteria_columns


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("客户同意会面", "checklist.account_planning.meeting_agreed"),
        ("Customer agreed to meet", "checklist.account_planning.meeting_agreed"),
        # The stage written before the item: the old stage (its milestone until now) or the new.
        ("客户拜访与初步调研-客户同意会面", "checklist.account_planning.meeting_agreed"),
        ("客户规划与电话邀约-客户同意会面", "checklist.account_planning.meeting_agreed"),
        ("商务谈判-被确定为首选供应商", "checklist.evaluation.preferred_vendor"),
        ("合同条款已谈妥", "checklist.negotiation.terms_agreed"),
        ("合同已签订", "checklist.contract_signed.contract_signed"),
        ("已完成首次拜访", "checklist.visit_discovery.visit_held"),
        ("Formal proposal or bid submitted", "checklist.formal_proposal.bid_submitted"),
    ],
)
def test_eight_stage_checklist_headers(header: str, column: str) -> None:
    assert map_columns(["商机编号", "销售阶段", header], EIGHT_STAGE).fields[header] == column


def test_an_old_column_name_is_read_as_its_new_one() -> None:
    # A --map override or a remembered mapping written with the old name.
    old = "checklist.visit_discovery.meeting_agreed"
    fields = map_columns(["商机编号", "销售阶段", "见面"], EIGHT_STAGE, overrides={"见面": old})
    assert fields.fields["见面"] == "checklist.account_planning.meeting_agreed"
    # A stored snapshot with the old column: still judged, as the new one.
    frame = pd.DataFrame(
        {
            "opportunity_id": ["X"],
            "owner": ["Ann"],
            "amount": [1.0],
            "stage": ["account_planning"],
            "status": ["open"],
            "checklist.account_planning.account_researched": [True],
            "checklist.account_planning.contact_called": [True],
            old: [True],
        }
    )
    row = stage_evidence(frame, EIGHT_STAGE).iloc[0]
    assert (row["evidence"], row["completed_stage"]) == ("completed", "account_planning")


def test_an_export_with_success_criteria_loads_them_as_yes_no(tmp_path) -> None:
    text = (
        "商机编号,负责人,销售阶段,金额,已完成首次拜访,初步调研已完成,客户要求提交初步方案\n"
        "P1,王,客户拜访与初步调研,10,是,是,否\n"
        "P2,王,客户拜访与初步调研,10,是,否,是\n"
        "P3,李,客户拜访与初步调研,10,是,是,是\n"
    )
    path = tmp_path / "export_2026-10.csv"
    path.write_text(text, encoding="utf-8")
    result = load_export(path, stage_model="eight_stage")
    evidence = stage_evidence(result.observations(), EIGHT_STAGE)
    assert evidence["evidence"].tolist() == ["entered", "not_entered", "completed"]
    assert [None if pd.isna(v) else v for v in evidence["completed_stage"]] == [
        "account_planning",
        None,
        "visit_discovery",
    ]


# --- user models ---------------------------------------------------------------------------
def test_toml_criteria_take_their_own_default_keys() -> None:
    m = load_stage_model(
        b'name = "m"\n[[stages]]\nkey = "a"\nprobability = 0.5\n'
        b'checklist = ["Met"]\ncriteria = ["Agreed", {en = "Budget", zh = "\xe9\xa2\x84\xe7\xae\x97"}]\n'
        b'[[stages]]\nkey = "won"\nprobability = 1.0\n'
    )
    assert list(m.checklist_columns) == ["checklist.a.item1"]
    assert list(m.criteria_columns) == ["checklist.a.criterion1", "checklist.a.criterion2"]
    assert m.stage("a").criteria[1].zh == "预算"


@pytest.mark.parametrize(
    "criteria",
    ['[{key = "met", en = "Met"}]', '"not a list"', "[3]"],
)
def test_bad_toml_criteria_are_refused(criteria: str) -> None:
    toml = (
        'name = "m"\n[[stages]]\nkey = "a"\nprobability = 0.5\n'
        f'checklist = [{{key = "met", en = "Met"}}]\ncriteria = {criteria}\n'
        '[[stages]]\nkey = "won"\nprobability = 1.0\n'
    )
    with pytest.raises(StageModelError):
        load_stage_model(toml.encode())


# --- the report ------------------------------------------------------------------------------
def test_the_report_carries_the_evidence_and_its_sheets(tmp_path) -> None:
    from funnel_analytics.export import report_workbook
    from funnel_analytics.report import build_report

    path = tmp_path / "deals_2026-10.csv"
    path.write_text(
        "Opportunity ID,Owner,Stage,Amount,A milestone,B milestone 1,B milestone 2,"
        "B criterion 1,B criterion 2\n"
        "1,Ann,a,100,yes,no,no,no,no\n"
        "2,Ann,b,100,yes,yes,no,no,no\n"
        "3,Bob,b,100,yes,yes,yes,yes,no\n",
        encoding="utf-8",
    )
    obs = load_export(path, stage_model=MODEL).observations()
    report = build_report(obs, MODEL)
    data = report.data["stage_evidence"]
    # One export: where each deal is, not since when, so deals are aged since created.
    assert data["milestones"] and data["criteria"] and data["age"] == "age_days"
    assert data["by_status"] == {
        "not_entered": 1,
        "unjudged": 0,
        "entered": 1,
        "in_progress": 1,
        "completed": 0,
    }
    assert [r["owner"] for r in data["by_owner"]] == ["Ann", "Bob"]
    assert [r["evidence"] for r in data["deals"]] == ["entered", "not_entered", "in_progress"]
    book = pd.read_excel(
        io.BytesIO(report_workbook(report.tables, "en", MODEL)), sheet_name=None, engine="openpyxl"
    )
    assert book["Stage evidence"]["Stage evidence"].tolist() == [
        "Entered",
        "Not entered",
        "In progress",
    ]
    assert book["Stage evidence by owner"]["Share not evidenced"].tolist() == [0.5, 0.0]
    assert report.tables["stage_evidence"]["days_in_stage"].isna().all()

"""Effective stage (issue #12, part 4): the lowest of the reported stage and the evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_analytics.funnel import current_deals, kpis
from funnel_analytics.procurement import PROCUREMENT_FIELD, PROCUREMENT_KEYS
from funnel_analytics.reality import (
    completed_positions,
    deal_reality,
    effective_observations,
    effective_positions,
    has_evidence,
    stage_inflation,
)
from funnel_analytics.stages import BUILTIN_MODELS, DEFAULT_MODEL
from funnel_analytics.workspace import load_workspace

M = DEFAULT_MODEL  # six-state: target, qualified, shortlisted, committed, near_win, won
CHECKLIST = list(M.checklist_columns)


def deal(
    stage: str,
    *,
    customer: str | None = None,
    missing: tuple[str, ...] = (),
    status: str = "open",
    amount: float = 100.0,
    owner: str = "Ann",
    i: int = 1,
) -> dict:
    """One deal with every milestone done except the ``missing`` stages' (all of theirs)."""
    row = {
        "opportunity_id": f"OPP-{i}",
        "owner": owner,
        "team": "East",
        "stage": stage,
        "status": status,
        "amount": amount,
        "snapshot_date": pd.Timestamp("2026-10-31"),
        PROCUREMENT_FIELD: customer,
    }
    for column, (stage_key, _item) in M.checklist_columns.items():
        row[column] = stage_key not in missing
    return row


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    out[PROCUREMENT_FIELD] = out[PROCUREMENT_FIELD].astype("object")
    return out


# Six-state counterparts: target→need, qualified→approved, shortlisted→evaluation,
# committed→negotiation, near_win→negotiation, won→signed.
CASES = [
    # reported, customer's procurement stage, stages whose milestones are missing, effective
    ("committed", None, (), "committed"),  # all evidence agrees
    ("committed", "negotiation", (), "committed"),
    ("near_win", "negotiation", (), "near_win"),  # negotiation reaches our furthest: near-win
    ("committed", "criteria", (), "qualified"),  # criteria: past approved, before evaluation
    ("committed", "evaluation", (), "shortlisted"),
    ("committed", "budget", (), "target"),  # before approved: the first stage
    ("committed", "need", (), "target"),
    ("qualified", "signed", (), "qualified"),  # a customer ahead never lifts the stage
    ("committed", None, ("committed",), "shortlisted"),  # milestones pull it back one stage
    ("committed", None, ("committed", "shortlisted"), "qualified"),
    ("committed", "evaluation", ("committed", "shortlisted"), "qualified"),  # the lowest wins
    ("committed", "approved", ("committed",), "qualified"),
    ("target", None, ("target",), "target"),  # nothing before the first stage
]


@pytest.mark.parametrize(("reported", "customer", "missing", "effective"), CASES)
def test_the_effective_stage_is_the_lowest_evidence(reported, customer, missing, effective) -> None:
    reality = deal_reality(frame(deal(reported, customer=customer, missing=missing)), M)
    assert reality["effective_stage"].tolist() == [effective]
    assert reality["inflated"].tolist() == [effective != reported]


def test_each_piece_of_evidence_is_shown_beside_the_reported_stage() -> None:
    reality = deal_reality(
        frame(deal("near_win", customer="evaluation", missing=("near_win",))), M
    ).iloc[0]
    assert reality["reported_stage"] == "near_win"
    assert reality["milestone_stage"] == "committed"
    assert reality["customer_stage"] == "shortlisted"
    assert reality["consensus_stage"] is None
    assert reality["effective_stage"] == "shortlisted"


def test_a_key_roles_stage_is_one_more_piece_of_evidence() -> None:
    rows = frame(deal("committed", i=1), deal("committed", i=2))
    consensus = pd.Series({"OPP-1": "qualified", "OPP-2": "near_win"})
    reality = deal_reality(rows, M, consensus)
    assert reality["consensus_stage"].tolist() == ["qualified", "near_win"]
    assert reality["effective_stage"].tolist() == ["qualified", "committed"]


def test_closed_deals_and_unknown_stages_keep_their_stage() -> None:
    rows = frame(
        deal("won", customer="need", missing=("won",), status="won", i=1),
        deal("committed", customer="need", status="lost", i=2),
        deal("committed", customer="need", i=3),
    )
    pos = effective_positions(rows, M)
    assert pos["effective"].tolist() == [5, 3, 0]


def test_without_any_evidence_nothing_changes() -> None:
    rows = frame(deal("committed", i=1), deal("near_win", i=2)).drop(
        columns=[*CHECKLIST, PROCUREMENT_FIELD]
    )
    assert not has_evidence(rows, M)
    assert effective_observations(rows, M) is rows
    reality = deal_reality(rows, M)
    assert reality["effective_stage"].tolist() == ["committed", "near_win"]
    assert not reality["inflated"].any()
    assert reality[["milestone_stage", "customer_stage"]].isna().all().all()


def test_stage_inflation_per_rep_counted_by_hand() -> None:
    rows = frame(
        deal("committed", customer="evaluation", amount=1000, owner="Ann", i=1),  # → shortlisted
        deal("near_win", amount=500, owner="Ann", i=2),  # kept
        deal("qualified", missing=("qualified",), amount=200, owner="Bo", i=3),  # → target
        deal("target", amount=50, owner="Bo", i=4),
    )
    table = stage_inflation(deal_reality(rows, M), M).set_index("owner")
    ann, bo = table.loc["Ann"], table.loc["Bo"]
    assert (ann["deals"], ann["inflated"], ann["inflated_amount"]) == (2, 1, 1000)
    assert ann["weighted"] == pytest.approx(1000 * 0.75 + 500 * 0.9)
    assert ann["effective_weighted"] == pytest.approx(1000 * 0.5 + 500 * 0.9)
    assert ann["weighted_gap"] == pytest.approx(250)
    assert (bo["deals"], bo["inflated"], bo["inflated_amount"]) == (2, 1, 200)
    assert bo["weighted_gap"] == pytest.approx(200 * (0.25 - 0.1))
    assert list(table.index) == ["Ann", "Bo"]  # largest gap first


def test_every_snapshot_row_is_switched_and_nothing_else() -> None:
    rows = frame(
        deal("committed", customer="evaluation", i=1),
        deal("near_win", i=2),
        deal("committed", customer="need", status="lost", i=3),
    )
    out = effective_observations(rows, M)
    assert out["stage"].tolist() == ["shortlisted", "near_win", "committed"]
    pd.testing.assert_frame_equal(out.drop(columns="stage"), rows.drop(columns="stage"))
    assert rows["stage"].tolist() == ["committed", "near_win", "committed"]  # not modified


# --- properties --------------------------------------------------------------------------
@st.composite
def exports(draw, model):
    keys = list(model.keys)
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        row = {
            "opportunity_id": f"OPP-{i}",
            "owner": draw(st.sampled_from(["Ann", "Bo", None])),
            "team": "East",
            "stage": draw(st.sampled_from([*keys, "unknown"])),
            "status": draw(st.sampled_from(["open", "open", "won", "lost"])),
            "amount": draw(st.floats(0, 1e6)),
            "snapshot_date": pd.Timestamp("2026-10-31"),
            PROCUREMENT_FIELD: draw(st.sampled_from([None, *PROCUREMENT_KEYS])),
        }
        for column in model.checklist_columns:
            row[column] = draw(st.sampled_from([True, True, False, None]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out[PROCUREMENT_FIELD] = out[PROCUREMENT_FIELD].astype("object")
    return out


@pytest.mark.parametrize("name", sorted(BUILTIN_MODELS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_effective_stage_never_rises_nor_the_weighted_pipeline(name: str, data) -> None:
    model = BUILTIN_MODELS[name]
    rows = data.draw(exports(model))
    consensus = pd.Series(
        {
            f"OPP-{i}": data.draw(st.sampled_from(list(model.keys)))
            for i in range(data.draw(st.integers(0, 3)))
        },
        dtype="object",
    )
    pos = effective_positions(rows, model, consensus)
    known = pos["reported"] >= 0
    assert (pos["effective"][known] <= pos["reported"][known]).all()
    assert (pos["effective"][known] >= 0).all()
    done = completed_positions(rows, model)
    assert (done["completed"][known] <= done["reported"][known]).all()
    assert (done["completed"][known] >= 0).all()
    before = _weighted(rows, model)
    for basis in ("effective", "completed"):
        switched = effective_observations(rows, model, consensus, basis=basis)
        after = _weighted(switched, model)
        assert after <= before + 1e-6 * max(1.0, abs(before)), basis
        assert switched.drop(columns="stage").equals(rows.drop(columns="stage"))


def _weighted(rows: pd.DataFrame, model) -> float:
    """Σ open amount × the stage's nominal probability, counted plainly."""
    open_ = rows[(rows["status"] == "open") & rows["stage"].isin(list(model.keys))]
    probability = open_["stage"].astype("object").map(model.probabilities).astype(float)
    return float((open_["amount"] * probability).sum())


def test_on_the_sample_the_switch_moves_deals_down_and_keeps_every_deal() -> None:
    ws = load_workspace()
    obs, model = ws.observations, ws.stage_model
    reality = deal_reality(current_deals(obs, None), model)
    switched = effective_observations(obs, model)
    # The effective funnel counted independently: each open deal at its lowest evidence.
    latest = current_deals(switched, None)
    open_now = latest[latest["status"] == "open"]
    assert open_now["stage"].value_counts().sort_index().to_dict() == (
        reality["effective_stage"].value_counts().sort_index().to_dict()
    )
    by_rep = stage_inflation(reality, model)
    assert by_rep["inflated"].sum() == reality["inflated"].sum() > 0
    gap = kpis(obs, model).weighted - kpis(switched, model).weighted
    assert by_rep["weighted_gap"].sum() == pytest.approx(gap)
    assert np.isclose(by_rep["deals"].sum(), len(reality))


def test_the_report_carries_the_effective_stage_in_json_and_in_named_sheets(tmp_path) -> None:
    """A CSV the way an eight-stage team writes it, with a buying-stage column: the JSON's
    figures counted by hand, and the Excel report's sheets in both languages."""
    import io

    import openpyxl

    from funnel_analytics.export import report_workbook
    from funnel_analytics.loading import load_export
    from funnel_analytics.report import build_report

    eight = BUILTIN_MODELS["eight_stage"]
    path = tmp_path / "deals_2026-10.csv"
    path.write_text(
        "Opportunity ID,Stage,Amount,Buying Stage,Opportunity Owner\n"
        "1,Negotiation,1000,预算到位,Ann\n"  # customer at budget: Visit & discovery
        "2,Evaluation,2000,评标,Bob\n"  # in step
        "3,Preliminary proposal,500,招标发布,Bob\n",  # customer ahead: stays
        encoding="utf-8",
    )
    report = build_report(load_export(path, stage_model=eight).observations(), eight)
    data = report.data["effective_stage"]
    p = eight.probabilities
    assert data["evidence"] and data["open_deals"] == 3
    assert (data["inflated"], data["inflated_amount"]) == (1, 1000)
    assert data["weighted"] == pytest.approx(
        1000 * p["negotiation"] + 2000 * p["evaluation"] + 500 * p["preliminary_proposal"]
    )
    assert data["effective_weighted"] == pytest.approx(
        1000 * p["visit_discovery"] + 2000 * p["evaluation"] + 500 * p["preliminary_proposal"]
    )
    deals = {d["opportunity_id"]: d for d in data["deals"]}
    assert deals["1"]["effective_stage"] == deals["1"]["customer_stage"] == "visit_discovery"
    assert deals["1"]["milestone_stage"] is None  # the file has no milestone column
    assert [r["owner"] for r in data["by_owner"]] == ["Ann", "Bob"]
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(report.tables, "en", eight)))
    assert {"Effective stage", "Stage inflation by owner"} <= set(book.sheetnames)
    rows = list(book["Effective stage"].iter_rows(values_only=True))
    assert "Customer's stage" in rows[0]
    zh = openpyxl.load_workbook(io.BytesIO(report_workbook(report.tables, "zh", eight)))
    assert {"有效阶段", "各负责人阶段虚高"} <= set(zh.sheetnames)


@pytest.mark.parametrize("stages", ["reported", "effective", "completed"])
def test_report_and_plan_count_open_deals_at_the_chosen_stage(tmp_path, stages) -> None:
    """``report --stages`` and ``plan --from-data --stages``: the funnel counted at the chosen
    stage; the evidence views stay the reported stage's."""
    import json

    from click.testing import CliRunner

    from funnel_analytics.cli import cli

    path = tmp_path / "deals_2026-10.csv"
    path.write_text(
        "Opportunity ID,Stage,Amount,Buying Stage,Opportunity Owner\n"
        "1,Negotiation,1000,预算到位,Ann\n"  # customer at budget: Visit & discovery
        "2,Evaluation,2000,评标,Bob\n"
        "3,Preliminary proposal,500,招标发布,Bob\n",
        encoding="utf-8",
    )
    args = ["report", str(path), "--stage-model", "eight_stage", "--json", "--runs", "200"]
    out = CliRunner().invoke(cli, [*args, "--stages", stages], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["stages"] == stages
    funnel = {r["stage"]: r["open_count"] for r in data["funnel"]}
    if stages == "effective":
        assert (funnel["negotiation"], funnel["visit_discovery"]) == (0, 1)
    else:  # no checklist columns: the last completed stage cannot be judged
        assert (funnel["negotiation"], funnel["visit_discovery"]) == (1, 0)
    assert data["effective_stage"]["inflated"] == 1  # always against the reported stage


def test_the_key_roles_stage_lowers_the_effective_stage_in_the_report(tmp_path) -> None:
    """An export without milestones or a buying stage and a Chinese key-roles sheet
    (GB18030, a title and a hint row): the roles' consensus stage is the evidence, in
    ``report --roles --json`` and under ``--stages effective``."""
    import json

    from click.testing import CliRunner
    from helpers import csv_bytes

    from funnel_analytics.cli import cli

    export = tmp_path / "商机_2026-10-31.csv"
    export.write_bytes(
        csv_bytes(
            [
                ["商机编号", "商机名称", "负责人", "团队", "销售阶段", "金额"],
                ["P1", "一号项目", "王", "华东", "意向客户", "100"],  # committed
                ["P2", "二号项目", "王", "华东", "入围客户", "200"],  # shortlisted
                ["P3", "三号项目", "李", "华北", "有效客户", "300"],  # no roles: kept
            ]
        )
    )
    roles = tmp_path / "关键角色.csv"
    roles.write_bytes(
        csv_bytes(
            [
                ["2026年10月 关键角色表"],
                ["商机编号", "联系人", "角色", "态度", "参与度", "所处阶段", "日期"],
                ["必填", "必填", "从下拉选择", "选填", "选填", "选填", "选填"],
                ["P1", "王总", "决策者", "支持", "3", "意向客户", "2026-10-20"],
                ["P1", "李工", "技术评估", "中立", "2", "入围客户", "2026-10-20"],
                ["P2", "钱总", "决策者", "反对", "1", "有效客户", "2026-10-15"],
            ],
            encoding="gb18030",
        )
    )
    base = ["report", str(export), "--roles", str(roles), "--json", "--runs", "200"]
    out = CliRunner().invoke(cli, [*base, "--stages", "effective"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    deals = {d["opportunity_id"]: d for d in data["effective_stage"]["deals"]}
    assert deals["P1"]["consensus_stage"] == deals["P1"]["effective_stage"] == "shortlisted"
    assert deals["P2"]["consensus_stage"] == deals["P2"]["effective_stage"] == "qualified"
    assert deals["P3"]["consensus_stage"] is None and not deals["P3"]["inflated"]
    assert data["effective_stage"]["evidence"] and data["effective_stage"]["inflated"] == 2
    funnel = {r["stage"]: r["open_count"] for r in data["funnel"]}
    assert (funnel["committed"], funnel["shortlisted"], funnel["qualified"]) == (0, 1, 2)
    # The key roles' flags are risk flags of the suggested grade too (issue #12, part 5).
    roles_flags = {"single_contact", "no_decision_maker", "opposed", "no_coach"}
    assert roles_flags <= set(data["grades"]["flags"])
    graded = {d["opportunity_id"]: d for d in data["grades"]["deals"]}
    assert graded["P2"]["opposed"] and not graded["P1"]["opposed"]  # 钱总 opposes P2
    assert graded["P2"]["single_contact"] and not graded["P1"]["single_contact"]

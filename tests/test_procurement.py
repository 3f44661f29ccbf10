"""Our stage against the customer's procurement stage (issue #12, part 2): parsing, each sync
class, the win rate per cell and per class against a count by hand, and files without it."""

from __future__ import annotations

import pandas as pd
import pytest

from funnel_analytics.loading import load_export
from funnel_analytics.procurement import (
    PROCUREMENT_STAGES,
    SYNC_CLASSES,
    parse_procurement,
    procurement_sync,
    procurement_view,
)
from funnel_analytics.stages import (
    BUILTIN_MODELS,
    PROCUREMENT_KEYS,
    StageModelError,
    stage_model_from_dict,
)

EIGHT = BUILTIN_MODELS["eight_stage"]
SIX = BUILTIN_MODELS["six_state"]


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("预算到位", "budget"),
        ("已立项", "approved"),
        ("采购小组成立", "approved"),
        ("招标发布", "tender"),
        ("评标", "evaluation"),
        ("Negotiation", "negotiation"),
        ("RFP issued", "tender"),
        ("  budget approved ", "budget"),
        ("发现问题、确认需求", "need"),
        ("5", "tender"),
        ("签约", "signed"),
    ],
)
def test_buying_stages_are_read_in_either_language_or_by_checklist_item(written, key) -> None:
    parsed = parse_procurement(pd.Series([written], dtype="object"))
    assert parsed.values.iloc[0] == key
    assert not parsed.bad.any()


def test_an_unknown_buying_stage_is_reported_and_a_blank_is_not() -> None:
    parsed = parse_procurement(pd.Series(["乱写", None, ""], dtype="object"))
    assert parsed.values.isna().all()
    assert parsed.bad.tolist() == [True, False, False]


def test_the_vocabulary_follows_the_eight_stage_process_one_to_one() -> None:
    assert tuple(p.key for p in PROCUREMENT_STAGES) == PROCUREMENT_KEYS
    assert [s.procurement for s in EIGHT.stages] == list(PROCUREMENT_KEYS)
    # The other models of the Chinese material declare a counterpart for every stage, in
    # order, the won stage mirroring the signature; the CRMs' own stage lists declare none.
    for name in ("six_state", "four_stage", "six_stage"):
        positions = [PROCUREMENT_KEYS.index(s.procurement) for s in BUILTIN_MODELS[name].stages]
        assert positions == sorted(positions) and positions[-1] == len(PROCUREMENT_KEYS) - 1
    assert not any(s.procurement for s in BUILTIN_MODELS["salesforce"].stages)


def deal(i, stage, procurement, status="open", amount=100.0, owner="Ann", date="2026-10-31"):
    return {
        "opportunity_id": f"D{i}",
        "owner": owner,
        "stage": stage,
        "status": status,
        "amount": amount,
        "procurement_stage": procurement,
        "snapshot_date": pd.Timestamp(date),
    }


# Eight-stage: our position i mirrors procurement position i. (stage, customer's, stalled, class, gap)
CASES = [
    ("formal_proposal", "tender", False, "in_step", 0),
    ("negotiation", "budget", False, "ahead", 5),  # quoting before there is a budget
    ("preliminary_proposal", "evaluation", False, "behind", -3),
    ("preliminary_proposal", "evaluation", True, "behind_stalled", -3),
    ("evaluation", "evaluation", True, "in_step", 0),  # stalled but in step stays in step
]


@pytest.mark.parametrize(("stage", "theirs", "stalled", "expected", "gap"), CASES)
def test_each_sync_class(stage, theirs, stalled, expected, gap) -> None:
    snap = pd.DataFrame([deal(1, stage, theirs)])
    out = procurement_sync(snap, EIGHT, stalled={"D1"} if stalled else set())
    assert out["sync"].tolist() == [expected]
    assert out["gap"].tolist() == [gap]
    assert out["mirrored_stage"].tolist() == [EIGHT.stage(stage).procurement]


def test_only_open_deals_with_both_stages_are_judged() -> None:
    snap = pd.DataFrame(
        [
            deal(1, "formal_proposal", "tender"),
            deal(2, "formal_proposal", None),  # the customer's stage unknown
            deal(3, "contract_signed", "signed", status="won"),  # closed
            deal(4, "formal_proposal", "tender", status="on_hold"),
        ]
    )
    assert procurement_sync(snap, EIGHT)["opportunity_id"].tolist() == ["D1"]


def test_a_model_without_counterparts_and_a_file_without_the_column_lose_nothing() -> None:
    bare = stage_model_from_dict(
        {"stages": [{"key": "a", "probability": 0.5}, {"key": "b", "probability": 1.0}]}
    )
    snap = pd.DataFrame([deal(1, "a", "tender")])
    view = procurement_view(snap, snap, bare)
    assert not view.declared and view.sync.empty and view.cells.empty
    no_column = pd.DataFrame([deal(1, "formal_proposal", None)]).drop(columns="procurement_stage")
    view = procurement_view(no_column, no_column, EIGHT)
    assert view.declared and not view.has_column and view.sync.empty
    assert view.by_class["open_count"].tolist() == [0, 0, 0, 0]


def test_a_stage_model_file_declares_counterparts_and_a_wrong_one_is_refused() -> None:
    model = stage_model_from_dict(
        {
            "stages": [
                {"key": "a", "probability": 0.3, "procurement": "budget"},
                {"key": "b", "probability": 1.0, "procurement": "signed"},
            ]
        }
    )
    assert [s.procurement for s in model.stages] == ["budget", "signed"]
    with pytest.raises(StageModelError, match="procurement must be one of"):
        stage_model_from_dict(
            {"stages": [{"key": "a", "probability": 0.3, "procurement": "later"}, {"key": "b"}]}
        )


def test_win_rates_per_cell_and_class_count_closed_deals_where_they_last_stood_open() -> None:
    rows = []
    # Deals that stood at Negotiation while the customer had only a budget (ahead): 1 of 4 won.
    for i in range(4):
        rows.append(deal(i, "negotiation", "budget", date="2026-09-30"))
        rows.append(
            deal(
                i,
                "contract_signed" if i == 0 else "negotiation",
                "budget",
                status="won" if i == 0 else "lost",
                date="2026-10-31",
            )
        )
    # In step at Evaluation: 3 of 4 won; the earlier row (behind) does not count, the last does.
    for i in range(10, 14):
        rows.append(deal(i, "demo_exchange", "evaluation", date="2026-08-31"))
        rows.append(deal(i, "evaluation", "evaluation", date="2026-09-30"))
        rows.append(
            deal(
                i,
                "evaluation",
                "evaluation",
                status="lost" if i == 10 else "won",
                date="2026-10-31",
            )
        )
    # Still open on the last date: in the open counts, not in the win rates.
    rows.append(deal(20, "negotiation", "budget", date="2026-10-31"))
    rows.append(deal(21, "formal_proposal", "tender", date="2026-10-31"))
    obs = pd.DataFrame(rows)
    snap = obs[obs["snapshot_date"] == obs["snapshot_date"].max()]
    view = procurement_view(obs, snap, EIGHT)
    cells = view.cells.set_index(["stage", "procurement_stage"])
    ahead = cells.loc[("negotiation", "budget")]
    assert (ahead["open_count"], ahead["closed"], ahead["won"]) == (1, 4, 1)
    assert ahead["win_rate"] == pytest.approx(0.25)
    assert ahead["win_rate_low"] < 0.25 < ahead["win_rate_high"]
    in_step = cells.loc[("evaluation", "evaluation")]
    assert (in_step["open_count"], in_step["closed"], in_step["won"]) == (0, 4, 3)
    assert ("demo_exchange", "evaluation") not in cells.index
    by_class = view.by_class.set_index("sync")
    assert by_class.index.tolist() == list(SYNC_CLASSES)
    assert by_class.loc["ahead", "won"] == 1 and by_class.loc["ahead", "closed"] == 4
    assert by_class.loc["in_step", "won"] == 3 and by_class.loc["in_step", "closed"] == 4
    assert by_class.loc["in_step", "open_count"] == 1  # D21
    # Each position's closed deals stood at one stage here, so their stages give their own rate.
    assert by_class.loc["ahead", "stage_rate"] == pytest.approx(0.25)
    assert by_class.loc["in_step", "stage_rate"] == pytest.approx(0.75)
    assert by_class.loc["behind", "closed"] == 0
    assert pd.isna(by_class.loc["behind", "win_rate"])
    assert view.out_of_step["opportunity_id"].tolist() == ["D20"]


def test_the_stage_rate_sets_the_stage_mix_aside() -> None:
    """Two positions at two stages: at Negotiation 3 ahead (1 won) and 1 in step (1 won); at
    Evaluation 2 in step (0 won). By hand: Negotiation wins 2/4 = 0.5, Evaluation 0/2 = 0; in
    step's deals' stages give (0.5 + 0 + 0) / 3, ahead's 0.5."""
    rows = []
    plan = [
        (1, "negotiation", "budget", "won"),
        (2, "negotiation", "budget", "lost"),
        (3, "negotiation", "budget", "lost"),
        (4, "negotiation", "negotiation", "won"),
        (5, "evaluation", "evaluation", "lost"),
        (6, "evaluation", "evaluation", "lost"),
    ]
    for i, stage, theirs, outcome in plan:
        rows.append(deal(i, stage, theirs, date="2026-09-30"))
        rows.append(deal(i, stage, theirs, status=outcome, date="2026-10-31"))
    obs = pd.DataFrame(rows)
    by_class = procurement_view(obs, obs.iloc[0:0], EIGHT).by_class.set_index("sync")
    assert by_class.loc["in_step", "win_rate"] == pytest.approx(1 / 3)
    assert by_class.loc["in_step", "stage_rate"] == pytest.approx(0.5 / 3)
    assert by_class.loc["ahead", "win_rate"] == pytest.approx(1 / 3)
    assert by_class.loc["ahead", "stage_rate"] == pytest.approx(0.5)


def test_a_csv_with_an_english_buying_stage_column_loads_it(tmp_path) -> None:
    path = tmp_path / "deals_2026-10.csv"
    path.write_text(
        "Opportunity ID,Opportunity Name,Stage,Amount,Buying Stage,Opportunity Owner\n"
        "1,Alpha,Negotiation,1000,Budget approved,Ann\n"
        "2,Beta,Evaluation,2000,Evaluating vendors,Bob\n"
        "3,Gamma,Evaluation,3000,somewhere,Bob\n",
        encoding="utf-8",
    )
    result = load_export(path, stage_model=EIGHT)
    obs = result.observations()
    assert obs["procurement_stage"].tolist()[:2] == ["budget", "evaluation"]
    assert pd.isna(obs["procurement_stage"].iloc[2])
    finding = result.findings[result.findings["rule"] == "unknown_procurement_stage"]
    assert finding["row"].tolist() == [4] and finding["value"].tolist() == ["somewhere"]
    assert result.rows_valid == 3  # a warning keeps the row
    sync = procurement_sync(obs, EIGHT)
    assert sync.set_index("opportunity_id")["sync"].to_dict() == {"1": "ahead", "2": "in_step"}


def test_an_export_without_the_column_has_no_such_column() -> None:
    result = load_export(
        b"Opportunity ID,Stage,Amount\n1,Negotiation,10\n", "d_2026-10.csv", stage_model=EIGHT
    )
    assert "procurement_stage" not in result.observations()


def test_the_report_carries_the_comparison_in_json_and_in_named_sheets(tmp_path) -> None:
    import io

    import openpyxl

    from funnel_analytics.export import report_workbook
    from funnel_analytics.report import build_report

    path = tmp_path / "deals_2026-10.csv"
    path.write_text(
        "Opportunity ID,Stage,Amount,Buying Stage,Opportunity Owner\n"
        "1,Negotiation,1000,预算到位,Ann\n"
        "2,Evaluation,2000,评标,Bob\n"
        "3,Preliminary proposal,500,招标发布,Bob\n",
        encoding="utf-8",
    )
    obs = load_export(path, stage_model=EIGHT).observations()
    report = build_report(obs, EIGHT)
    data = report.data["procurement"]
    assert data["declared"] and data["has_column"]
    assert {r["sync"]: r["open_count"] for r in data["by_class"]} == {
        "in_step": 1,
        "ahead": 1,
        "behind": 1,
        "behind_stalled": 0,
    }
    assert [r["opportunity_id"] for r in data["out_of_step"]] == ["1", "3"]  # widest gap first
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(report.tables, "en", EIGHT)))
    sheet = book["Out of step with customer"]
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    assert rows[1][head.index("In step?")] == "Ahead of the customer"
    assert rows[1][head.index("Customer's procurement stage")] == "Feasibility & budget"
    assert rows[1][head.index("Stage")] == "Negotiation"
    zh = openpyxl.load_workbook(io.BytesIO(report_workbook(report.tables, "zh", EIGHT)))
    assert "与客户不同步" in zh.sheetnames

"""The sample company in the eight-stage project sales process (funnel_analytics.sample_eight):
the same deals as the six-state sample, their stages mapped onto the eight stages, with each
stage's milestones and success criteria as 是/否 columns; and the dashboard showing it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from funnel_analytics import workspace
from funnel_analytics.funnel import kpis
from funnel_analytics.i18n import t
from funnel_analytics.loading import load_export
from funnel_analytics.sample import _chinese_export, _simulate, _write_xlsx
from funnel_analytics.sample_eight import eight_stage_history, write_eight_stage_files
from funnel_analytics.stagecheck import milestone_positions, stage_evidence
from funnel_analytics.stages import get_stage_model

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "sample_data" / "eight_stage"
SIX = get_stage_model("six_state")
EIGHT = get_stage_model("eight_stage")
MONTHS = [str(p) for p in pd.period_range("2025-11", periods=12, freq="M")]
# Each eight-stage stage and the six-state stage it belongs to, written out by hand.
SIX_OF = {
    "account_planning": "target",
    "visit_discovery": "target",
    "preliminary_proposal": "qualified",
    "demo_exchange": "shortlisted",
    "formal_proposal": "shortlisted",
    "evaluation": "committed",
    "negotiation": "near_win",
    "contract_signed": "won",
}


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE", str(tmp_path / "store.duckdb"))


@pytest.fixture(scope="module")
def full() -> pd.DataFrame:
    return _simulate(2026, 12, "2025-11", 12)


@pytest.fixture(scope="module")
def eight(full: pd.DataFrame) -> pd.DataFrame:
    return eight_stage_history(full, 2026)


@pytest.fixture(scope="module")
def written(full: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("eight")
    return write_eight_stage_files(full, out, "2025-11", 12, _chinese_export, _write_xlsx, 2026)


def _real(frame: pd.DataFrame, model) -> np.ndarray:
    """Row by row, the stage the milestones support: the furthest whose milestones are all
    done, looking down from the top (stagecheck's rule)."""
    frame = frame.assign(stage=model.keys[-1])  # judged from the top down
    return milestone_positions(frame, model)[1]


def _by_deal(full: pd.DataFrame, eight: pd.DataFrame) -> pd.DataFrame:
    """Per row: the six-state and eight-stage real and reported positions, in deal order."""
    six_keys, eight_keys = list(SIX.keys), list(EIGHT.keys)
    frame = pd.DataFrame(
        {
            "oid": full["opportunity_id"],
            "snap": full["snapshot_date"],
            "status": full["status"],
            "real6": _real(full, SIX),
            "real8": _real(eight, EIGHT),
            "six": full["stage"].map(six_keys.index),
            "eight": eight["stage"].map(eight_keys.index),
            "eight_as_six": eight["stage"].map(SIX_OF).map(six_keys.index),
        }
    )
    frame["real8_as_six"] = frame["real8"].map(lambda i: six_keys.index(SIX_OF[eight_keys[i]]))
    return frame.sort_values(["oid", "snap"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------------------------
def test_the_same_deals_and_months(full: pd.DataFrame, eight: pd.DataFrame) -> None:
    same = ["opportunity_id", "snapshot_date", "status", "amount", "owner", "close_date"]
    pd.testing.assert_frame_equal(eight[same], full[same])
    assert set(eight["stage"]) == set(EIGHT.keys)
    assert not [c for c in SIX.checklist_columns if c in eight]
    assert all(eight[c].dtype == bool for c in EIGHT.all_checklist_columns)


def test_stages_are_monotone_with_the_six_state_truth(full, eight) -> None:
    d = _by_deal(full, eight)
    # Real and reported stages sit inside the six-state stage they map from; a lost deal's
    # stage, the furthest reported, too.
    assert (d["real8_as_six"] == d["real6"]).all()
    assert (d["eight_as_six"] == d["six"]).all()
    same_deal = d["oid"].eq(d["oid"].shift())
    prev6, prev8 = d["real6"].shift(), d["real8"].shift()
    # Within one stay in a six-state stage the eight-stage position never falls back ...
    stay = same_deal & d["real6"].eq(prev6)
    assert (d.loc[stay, "real8"] >= prev8[stay]).all()
    assert (d.loc[stay, "real8"] > prev8[stay]).any()  # ... and some deals move up inside it
    # ... and every move of the six-state truth, a regression too, is one the same way.
    up, down = same_deal & (d["real6"] > prev6), same_deal & (d["real6"] < prev6)
    assert down.sum() > 50
    assert (d.loc[up, "real8"] > prev8[up]).all()
    assert (d.loc[down, "real8"] < prev8[down]).all()
    # Won deals have signed; the reported stage is never behind the real one.
    assert (d.loc[d["status"] == "won", "eight"] == len(EIGHT.keys) - 1).all()
    open_ = d["status"] == "open"
    assert (d.loc[open_, "eight"] >= d.loc[open_, "real8"]).all()


def test_inflated_deals_stay_inflated(full: pd.DataFrame, eight: pd.DataFrame) -> None:
    open_ = (full["status"] == "open").to_numpy()
    six_reported, six_real = milestone_positions(full, SIX)
    eight_reported, eight_real = milestone_positions(eight, EIGHT)
    inflated6 = (six_real < six_reported)[open_]
    inflated8 = (eight_real < eight_reported)[open_]
    assert inflated6.sum() > 100
    np.testing.assert_array_equal(inflated8, inflated6)


def test_success_criteria_follow_the_milestones(eight: pd.DataFrame) -> None:
    """Every criterion below the real stage done, none above it; the real stage's done or
    not; each milestone done up to the real stage only."""
    real = _real(eight, EIGHT)
    keys = list(EIGHT.keys)
    for column, (stage, _item) in EIGHT.checklist_columns.items():
        np.testing.assert_array_equal(eight[column].to_numpy(), real >= keys.index(stage))
    at_real = np.zeros(len(eight), dtype=bool)
    for column, (stage, _item) in EIGHT.criteria_columns.items():
        j, done = keys.index(stage), eight[column].to_numpy()
        assert done[real > j].all() and not done[real < j].any()
        at_real |= done & (real == j)
    open_ = (eight["status"] == "open").to_numpy()
    assert 0.2 < at_real[open_].mean() < 0.6


def test_the_customer_stands_where_the_six_state_sample_has_it(full, eight) -> None:
    """The same customer: as far from the step the deal's real stage mirrors as in the
    six-state records (within the list's ends), signed once won."""
    procurement = ["need", "budget", "approved", "criteria", "tender", "evaluation"]
    procurement += ["negotiation", "signed"]

    def gap(frame: pd.DataFrame, model) -> pd.Series:
        mirror = [procurement.index(str(s.procurement)) for s in model.stages]
        return frame["procurement_stage"].map(procurement.index) - np.take(
            mirror, _real(frame, model)
        )

    open_ = full["status"] == "open"
    assert (eight.loc[full["status"] == "won", "procurement_stage"] == "signed").all()
    agree = gap(full, SIX)[open_] == gap(eight, EIGHT)[open_]
    assert agree.mean() > 0.9
    assert set(gap(eight, EIGHT)[open_]) == {-1, 0, 1}


def test_the_six_state_frame_is_left_as_it_was(full: pd.DataFrame) -> None:
    again = _simulate(2026, 12, "2025-11", 12)
    eight_stage_history(again, 2026)
    pd.testing.assert_frame_equal(again, full)


# --------------------------------------------------------------------------------------------
# The workbooks
# --------------------------------------------------------------------------------------------
def test_the_workbooks_are_the_bundled_ones_byte_for_byte(written: list[Path]) -> None:
    assert [p.name for p in written] == [f"项目商机_{m}.xlsx" for m in MONTHS]
    assert sorted(p.name for p in BUNDLED.iterdir()) == [p.name for p in written]
    for path in written:
        assert path.read_bytes() == (BUNDLED / path.name).read_bytes(), path.name
    assert sum(p.stat().st_size for p in written) < 1_200_000


def test_a_workbook_looks_like_the_six_state_ones(written: list[Path]) -> None:
    wb = openpyxl.load_workbook(written[4], read_only=True)
    assert wb.sheetnames == ["商机清单"]
    rows = list(wb["商机清单"].iter_rows(values_only=True))
    wb.close()
    assert rows[0][0] == "华辰智能科技 2026年3月商机清单"
    items = [i.zh for s in EIGHT.stages for i in (*s.checklist, *s.criteria)]
    factors = ["项目等级", "资金落实", "技术符合度", "客户关系", "客户信用", "竞争态势"]
    assert list(rows[1][14:]) == [*items, "客户采购阶段", *factors]
    six = openpyxl.load_workbook(ROOT / "sample_data" / "商机导出_2026-03.xlsx", read_only=True)
    six_rows = list(six["商机清单"].iter_rows(values_only=True))
    six.close()
    assert rows[1][:14] == six_rows[1][:14]
    assert [r[0] for r in rows[2:]] == [r[0] for r in six_rows[2:]]
    assert {r[5] for r in rows[2:]} <= set(EIGHT.stage_names("zh").values())
    assert {v for r in rows[2:] for v in r[14 : 14 + len(items)]} == {"是", "否"}


@pytest.mark.parametrize("month", [MONTHS[0], MONTHS[-1]])
def test_a_month_loads_with_no_row_rejected(written: list[Path], month: str) -> None:
    path = next(p for p in written if month in p.name)
    result = load_export(path, stage_model="eight_stage")
    assert result.rows_rejected == 0 and result.rows_valid == result.rows_read > 400
    assert set(result.warnings["rule"]) <= {"overdue_close_date"}
    mapped = set(result.mapping.fields.values())
    assert set(EIGHT.all_checklist_columns) <= mapped
    assert "procurement_stage" in mapped
    obs = result.observations()
    assert obs["procurement_stage"].notna().all()


def _evidence_by_hand(path: Path) -> dict[str, int]:
    """Open deals' evidence counted from the written 是/否 columns: a milestone of the
    reported stage missing, not entered; else all its success criteria, completed; some,
    in progress; none, entered."""
    table = pd.read_excel(path, header=1, dtype=str, engine="openpyxl")
    stage_of = {name: key for key, name in EIGHT.stage_names("zh").items()}
    counts = {"not_entered": 0, "entered": 0, "in_progress": 0, "completed": 0}
    for _, row in table[table["状态"] == "进行中"].iterrows():
        stage = EIGHT.stage(stage_of[row["销售阶段"]])
        milestones = [row[i.zh] == "是" for i in stage.checklist]
        criteria = [row[i.zh] == "是" for i in stage.criteria]
        if not all(milestones):
            counts["not_entered"] += 1
        elif all(criteria):
            counts["completed"] += 1
        else:
            counts["in_progress" if any(criteria) else "entered"] += 1
    return counts


@pytest.mark.parametrize("month", [MONTHS[3], MONTHS[-1]])
def test_stage_evidence_counts_the_written_columns(written: list[Path], month: str) -> None:
    path = next(p for p in written if month in p.name)
    evidence = stage_evidence(load_export(path, stage_model="eight_stage").observations(), EIGHT)
    counts = evidence["evidence"].value_counts().to_dict()
    hand = _evidence_by_hand(path)
    assert {k: counts.get(k, 0) for k in hand} == hand
    assert "unjudged" not in counts
    # Deals really in their stage, entered and completed alike, and reps running ahead.
    assert min(hand["entered"], hand["completed"], hand["not_entered"]) > 20


# --------------------------------------------------------------------------------------------
# The workspace and the dashboard
# --------------------------------------------------------------------------------------------
def test_the_eight_stage_model_gets_the_eight_stage_workbooks() -> None:
    eight = workspace.sample_files("eight_stage")
    assert [p.name for p in eight] == [f"项目商机_{m}.xlsx" for m in MONTHS]
    assert all(p.parent == BUNDLED for p in eight)
    # By the model's name: a copy with aliases added still gets them.
    assert workspace.sample_files(EIGHT.with_aliases({"谈判中": "negotiation"})) == eight
    for model in (None, "six_state", "four_stage"):
        assert [p.name for p in workspace.sample_files(model)] == [
            f"商机导出_{m}.xlsx" for m in MONTHS
        ]


def test_a_missing_sample_is_written_for_the_model_asked(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(workspace, "SAMPLE_DIR", tmp_path / "absent")
    files = workspace.sample_files("eight_stage")
    assert [p.name for p in files] == [f"项目商机_{m}.xlsx" for m in MONTHS]
    for path in files:
        assert path.read_bytes() == (BUNDLED / path.name).read_bytes()


def app(lang: str, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


@pytest.fixture(scope="module")
def eight_workspace():
    return workspace.load_workspace(stage_model="eight_stage")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_with_the_eight_stage_model_shows_the_dashboard(lang, eight_workspace) -> None:
    at = app(lang, _keep_model_name="eight_stage")
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    k = kpis(eight_workspace.observations, EIGHT)
    assert at.metric[0].value == f"{k.open_count:,}"
    assert at.metric[2].value == f"{k.won_count:,}"
    assert k.open_count > 400
    # The Stage check's tiles: the latest month's evidence, as counted from its columns.
    at.switch_page("pages/stage-check.py").run()
    assert not at.exception
    hand = _evidence_by_hand(BUNDLED / f"项目商机_{MONTHS[-1]}.xlsx")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[t("evidence_tile_not_evidenced", lang)] == f"{hand['not_entered']:,}"
    waiting = hand["entered"] + hand["in_progress"]
    assert tiles[t("evidence_tile_waiting", lang)] == f"{waiting:,}"
    assert tiles[t("evidence_tile_completed", lang)] == f"{hand['completed']:,}"

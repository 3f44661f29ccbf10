"""Tests of the seeded sample-data generator (funnel_analytics.sample)."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_analytics.procurement import parse_procurement
from funnel_analytics.sample import generate_history, main, write_sample_files
from funnel_analytics.stages import get_stage_model

MODEL = get_stage_model("six_state")
STAGE_INDEX = {key: i for i, key in enumerate(MODEL.keys)}
CHECK_COLS = list(MODEL.checklist_columns)
CANONICAL = [
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
]
FACTOR_HEADERS = ["项目等级", "资金落实", "技术符合度", "客户关系", "客户信用", "竞争态势"]
FACTOR_COLS = [f"factor.{f.key}" for f in MODEL.evaluation.factors]
XLSX_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "销售团队",
    "负责人",
    "销售阶段",
    "状态",
    "预计金额（万元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "实际成交日期",
    "商机来源",
    "客户等级",
    *(item.zh for _, item in MODEL.checklist_columns.values()),
    "客户采购阶段",
    *FACTOR_HEADERS,
]
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
SAMPLE_FILES = sorted(
    [
        *(f"商机导出_{m}.xlsx" for m in MONTHS),
        "opportunities_en_2026-10.csv",
        "opportunity_history_en.csv",
    ]
)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return generate_history()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample_files(out)


def _by_deal(history: pd.DataFrame) -> pd.DataFrame:
    d = history.sort_values(["opportunity_id", "snapshot_date"]).copy()
    d["idx"] = d["stage"].map(STAGE_INDEX)
    d["prev_idx"] = d.groupby("opportunity_id")["idx"].shift()
    d["prev_expected"] = d.groupby("opportunity_id")["expected_close_date"].shift()
    return d


def _supported_stage(history: pd.DataFrame) -> np.ndarray:
    """Index of the furthest stage whose checklist items (and all earlier ones) are all done."""
    supported = np.full(len(history), -1)
    ok = np.ones(len(history), dtype=bool)
    for i, stage in enumerate(MODEL.stages):
        cols = [f"checklist.{stage.key}.{item.key}" for item in stage.checklist]
        ok &= history[cols].all(axis=1).to_numpy()
        supported = np.where(ok, i, supported)
    return supported


# --------------------------------------------------------------------------------------------
# generate_history
# --------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_frame(history: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(history, generate_history(seed=2026))


def test_different_seed_differs(history: pd.DataFrame) -> None:
    other = generate_history(seed=7)
    assert not history.equals(other)
    assert len(other) != len(history) or (other["amount"] != history["amount"]).any()


def test_columns_and_types(history: pd.DataFrame) -> None:
    assert list(history.columns) == [*CANONICAL, *CHECK_COLS, "procurement_stage", *FACTOR_COLS]
    assert len(CHECK_COLS) == 21
    for col in ("created_date", "expected_close_date", "close_date", "snapshot_date"):
        assert pd.api.types.is_datetime64_any_dtype(history[col]), col
    for col in CHECK_COLS:
        assert history[col].dtype == bool, col
    assert set(history["stage"]) <= set(MODEL.keys)
    assert set(history["status"]) == {"open", "won", "lost", "on_hold"}
    assert history["opportunity_id"].str.fullmatch(r"OPP-20\d\d-\d{4}").all()


def test_twelve_month_end_snapshots(history: pd.DataFrame) -> None:
    snaps = sorted(history["snapshot_date"].unique())
    expected = list(pd.date_range("2025-11-30", periods=12, freq="ME"))
    assert [pd.Timestamp(s) for s in snaps] == expected


@pytest.mark.parametrize(
    ("months", "first_month", "first", "last"),
    [
        (3, "2024-01", "2024-01-31", "2024-03-31"),
        (1, "2026-02", "2026-02-28", "2026-02-28"),
    ],
)
def test_months_and_first_month_parameters(
    months: int, first_month: str, first: str, last: str
) -> None:
    df = generate_history(months=months, first_month=first_month)
    assert df["snapshot_date"].nunique() == months
    assert df["snapshot_date"].min() == pd.Timestamp(first)
    assert df["snapshot_date"].max() == pd.Timestamp(last)


def test_teams_reps_sources_grades(history: pd.DataFrame) -> None:
    assert set(history["team"]) == {"华东大区", "华北大区", "华南大区", "西部大区"}
    assert history["owner"].nunique() == 12
    assert (history.groupby("owner")["team"].nunique() == 1).all()
    assert set(history["source"]) == {
        "cold_visit",
        "follow_up",
        "penetration",
        "cultivation",
        "inbound",
    }
    assert set(history["grade"]) == {"A", "B", "C", "D"}
    shares = history.drop_duplicates("opportunity_id")["source"].value_counts(normalize=True)
    assert shares.between(0.08, 0.40).all()


def test_n_reps_parameter() -> None:
    df = generate_history(months=2, n_reps=4)
    assert df["owner"].nunique() == 4
    assert df["team"].nunique() == 4
    with pytest.raises(ValueError, match="n_reps"):
        generate_history(n_reps=0)


def test_new_deals_per_month_and_start_at_target(history: pd.DataFrame) -> None:
    first_seen = history.sort_values("snapshot_date").drop_duplicates("opportunity_id")
    created_in_window = first_seen[
        first_seen["created_date"].dt.to_period("M")
        == first_seen["snapshot_date"].dt.to_period("M")
    ]
    per_month = created_in_window.groupby("snapshot_date").size()
    assert len(per_month) == 12
    assert per_month.between(60, 90).all(), per_month.to_dict()
    assert (created_in_window["stage"] == "target").all()
    assert (created_in_window["status"] == "open").all()
    # The first month already holds a mature pipeline (a year of warm-up before it).
    first = history[history["snapshot_date"] == history["snapshot_date"].min()]
    assert set(first["stage"]) == set(MODEL.keys)


def test_no_duplicate_deal_within_a_snapshot(history: pd.DataFrame) -> None:
    assert not history.duplicated(["snapshot_date", "opportunity_id"]).any()


def test_amounts_in_yuan_rounded(history: pd.DataFrame) -> None:
    assert (history["amount"] % 1000 == 0).all()
    assert history["amount"].between(50_000, 5_000_000).all()
    assert 200_000 <= history["amount"].median() <= 1_500_000


def test_probability_is_the_nominal_stage_probability(history: pd.DataFrame) -> None:
    not_lost = history[history["status"] != "lost"]
    expected = not_lost["stage"].map(MODEL.probabilities)
    np.testing.assert_allclose(not_lost["probability"], expected)
    assert (history.loc[history["status"] == "lost", "probability"] == 0).all()


def test_won_lost_and_on_hold_all_happen(history: pd.DataFrame) -> None:
    counts = history["status"].value_counts()
    assert counts["won"] >= 50
    assert counts["lost"] > counts["won"]  # most deals are lost
    assert counts["on_hold"] >= 50
    won = history[history["status"] == "won"]
    assert (won["stage"] == "won").all()
    assert (history.loc[history["status"] != "won", "stage"] != "won").all()


def test_close_date_only_for_closed_deals(history: pd.DataFrame) -> None:
    closed = history["status"].isin(["won", "lost"])
    assert history.loc[closed, "close_date"].notna().all()
    assert history.loc[~closed, "close_date"].isna().all()
    c = history[closed]
    assert (c["close_date"].dt.to_period("M") == c["snapshot_date"].dt.to_period("M")).all()
    assert (c["close_date"] >= c["created_date"]).all()
    assert (history["created_date"] <= history["snapshot_date"]).all()


def test_closed_deals_appear_once_then_disappear(history: pd.DataFrame) -> None:
    closed = history[history["status"].isin(["won", "lost"])]
    assert not closed["opportunity_id"].duplicated().any()
    last_seen = history.groupby("opportunity_id")["snapshot_date"].max()
    assert (
        last_seen[closed["opportunity_id"]].to_numpy() == closed["snapshot_date"].to_numpy()
    ).all()


def test_lost_deals_keep_their_furthest_stage(history: pd.DataFrame) -> None:
    d = _by_deal(history)
    lost = d[d["status"] == "lost"]
    assert lost["stage"].notna().all()
    assert set(lost["stage"]) >= {"target", "qualified", "shortlisted", "committed", "near_win"}
    furthest_before = d[d["status"] != "lost"].groupby("opportunity_id")["idx"].max()
    seen = lost[lost["opportunity_id"].isin(furthest_before.index)]
    assert (seen["idx"].to_numpy() >= furthest_before[seen["opportunity_id"]].to_numpy()).all()


def test_some_deals_regress(history: pd.DataFrame) -> None:
    d = _by_deal(history)
    regressed = d[(d["status"] != "lost") & (d["idx"] < d["prev_idx"])]
    assert regressed["opportunity_id"].nunique() >= 50
    assert ((regressed["prev_idx"] - regressed["idx"]) == 2).any()  # two stages back, too
    skipped = d[d["idx"] - d["prev_idx"] >= 2]
    assert len(skipped) >= 20
    monthly_rate = len(regressed) / (d["prev_idx"].notna() & (d["status"] == "open")).sum()
    assert 0.005 <= monthly_rate <= 0.06


def test_some_deals_slip_and_some_stall(history: pd.DataFrame) -> None:
    d = _by_deal(history)
    slipped = d[
        (d["expected_close_date"].dt.to_period("M") > d["prev_expected"].dt.to_period("M"))
        & d["status"].isin(["open", "on_hold"])
    ]
    assert slipped["opportunity_id"].nunique() >= 200
    months_in_stage = d[d["status"] == "open"].groupby(["opportunity_id", "stage"]).size()
    assert (months_in_stage >= 4).sum() >= 50


def test_amounts_change_sometimes(history: pd.DataFrame) -> None:
    d = history.sort_values(["opportunity_id", "snapshot_date"])
    changed = d.groupby("opportunity_id")["amount"].nunique() > 1
    assert 0.05 <= changed.mean() <= 0.5


def test_checklist_backs_stages_except_inflated_deals(history: pd.DataFrame) -> None:
    idx = history["stage"].map(STAGE_INDEX).to_numpy()
    supported = _supported_stage(history)
    open_ = (history["status"] == "open").to_numpy()
    inflated = idx > supported
    share = inflated[open_].mean()
    assert 0.05 <= share <= 0.11, share
    # Inflation is one stage ahead of the checklist, never more, and never the won stage.
    assert (idx[inflated & open_] - supported[inflated & open_] == 1).all()
    won = (history["status"] == "won").to_numpy()
    assert not inflated[won].any()
    assert history.loc[won, CHECK_COLS].all(axis=None)
    # The stages a deal has really reached are fully ticked, the ones two ahead are empty.
    assert (supported >= 0).all()
    for i, stage in enumerate(MODEL.stages):
        cols = [f"checklist.{stage.key}.{item.key}" for item in stage.checklist]
        assert not history.loc[supported < i - 1, cols].any(axis=None)


def test_the_customers_procurement_follows_the_stage_the_checklist_supports(history) -> None:
    """Each customer stands where the deal's real stage mirrors, or a step either side for the
    whole life of the deal; so an inflated report is ahead of the customer."""
    from funnel_analytics.stages import PROCUREMENT_KEYS

    mirror = np.array([PROCUREMENT_KEYS.index(s.procurement) for s in MODEL.stages])
    supported = _supported_stage(history)
    theirs = history["procurement_stage"].map(PROCUREMENT_KEYS.index).to_numpy()
    open_ = (history["status"] == "open").to_numpy()
    offset = theirs - mirror[supported]
    assert set(np.unique(offset[open_])) <= {-1, 0, 1}
    assert 0.7 <= (offset[open_] == 0).mean() <= 0.9
    reported = mirror[history["stage"].map(STAGE_INDEX).to_numpy()]
    inflated = open_ & (history["stage"].map(STAGE_INDEX).to_numpy() > supported)
    assert (reported[inflated] >= theirs[inflated]).mean() > 0.9


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_reps=st.integers(1, 24), months=st.integers(1, 4))
def test_invariants_hold_for_any_seed(seed: int, n_reps: int, months: int) -> None:
    df = generate_history(seed=seed, months=months, n_reps=n_reps)
    assert df["snapshot_date"].nunique() == months
    assert df["owner"].nunique() <= n_reps
    assert not df.duplicated(["snapshot_date", "opportunity_id"]).any()
    closed = df["status"].isin(["won", "lost"])
    assert df.loc[closed, "close_date"].notna().all()
    assert df.loc[~closed, "close_date"].isna().all()
    assert df["stage"].notna().all()
    assert df["amount"].between(50_000, 5_000_000).all()
    idx = df["stage"].map(STAGE_INDEX).to_numpy()
    supported = _supported_stage(df)
    open_ = (df["status"] == "open").to_numpy()
    assert (idx[open_] - supported[open_] <= 1).all()
    assert ((df["stage"] == "won") == (df["status"] == "won")).all()


def test_same_seed_regenerates_other_months_consistently() -> None:
    two = generate_history(months=2)
    twelve = generate_history(months=12)
    first_two = twelve[twelve["snapshot_date"] <= pd.Timestamp("2025-12-31")].reset_index(drop=True)
    pd.testing.assert_frame_equal(two, first_two)


# --------------------------------------------------------------------------------------------
# write_sample_files
# --------------------------------------------------------------------------------------------
def test_writes_expected_files(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    assert sorted(p.name for p in paths if p.parent == out) == SAMPLE_FILES
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == SAMPLE_FILES
    # The eight-stage variant (tests/test_sample_eight.py) goes to a folder of its own.
    assert {p.parent for p in paths} == {out, out / "eight_stage"}


def test_files_stay_small(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    assert sum(p.stat().st_size for p in paths if p.parent == out) < 2_000_000
    assert all(p.stat().st_size < 400_000 for p in paths)


@pytest.mark.parametrize("month", MONTHS)
def test_xlsx_title_then_headers(
    written: tuple[Path, list[Path]], month: str, history: pd.DataFrame
) -> None:
    out, _ = written
    wb = openpyxl.load_workbook(out / f"商机导出_{month}.xlsx", read_only=True)
    # The latest export carries the key-roles sheet beside the opportunities.
    assert wb.sheetnames == (["商机清单", "关键角色"] if month == MONTHS[-1] else ["商机清单"])
    rows = list(wb["商机清单"].iter_rows(values_only=True))
    wb.close()
    year, mon = month.split("-")
    assert rows[0][0] == f"华辰智能科技 {year}年{int(mon)}月商机清单"
    assert all(v is None for v in rows[0][1:])
    assert list(rows[1]) == XLSX_HEADERS
    snap = history[history["snapshot_date"].dt.strftime("%Y-%m") == month]
    assert len(rows) - 2 == len(snap)
    assert "快照日期" not in rows[1] and "snapshot_date" not in rows[1]


def test_xlsx_values(written: tuple[Path, list[Path]], history: pd.DataFrame) -> None:
    out, _ = written
    wb = openpyxl.load_workbook(out / "商机导出_2026-03.xlsx")
    ws = wb["商机清单"]
    last = openpyxl.utils.get_column_letter(len(XLSX_HEADERS))
    assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{last}1"]
    table = pd.DataFrame(list(ws.iter_rows(min_row=3, values_only=True)), columns=XLSX_HEADERS)
    date_format = ws.cell(row=3, column=XLSX_HEADERS.index("创建日期") + 1).number_format
    wb.close()
    assert date_format == "yyyy-mm-dd"
    snap = history[history["snapshot_date"] == pd.Timestamp("2026-03-31")].reset_index(drop=True)
    assert table["商机编号"].tolist() == snap["opportunity_id"].tolist()
    zh_names = MODEL.stage_names("zh")
    assert table["销售阶段"].tolist() == snap["stage"].map(zh_names).tolist()
    assert set(table["状态"]) == {"进行中", "赢单", "输单", "搁置"}
    np.testing.assert_allclose(table["预计金额（万元）"].astype(float), snap["amount"] / 10_000)
    assert table["赢单概率"].str.fullmatch(r"\d{1,3}%").all()
    assert (table.loc[table["销售阶段"] == "入围客户", "赢单概率"].isin(["50%", "0%"])).all()
    assert all(isinstance(v, datetime) for v in table["创建日期"])
    assert all(isinstance(v, datetime) for v in table["预计成交日期"])
    closed = table["状态"].isin(["赢单", "输单"])
    assert table.loc[closed, "实际成交日期"].map(lambda v: isinstance(v, datetime)).all()
    assert table.loc[~closed, "实际成交日期"].isna().all()
    assert set(table["商机来源"]) == {"陌生拜访", "跟踪", "渗透", "耕耘", "主动咨询"}
    assert set(table["客户等级"]) == {"A", "B", "C", "D"}
    checks = table[XLSX_HEADERS[14 : 14 + len(CHECK_COLS)]]
    assert set(np.unique(checks.to_numpy())) == {"是", "否"}
    # The customer's procurement stage: written in Chinese, read back to the simulation's keys;
    # a won deal's customer has signed, and an open deal's customer mirrors the stage its
    # checklist supports, give or take one step.
    read = parse_procurement(table["客户采购阶段"].astype("object"))
    assert not read.bad.any()
    assert read.values.tolist() == snap["procurement_stage"].tolist()
    assert (snap.loc[snap["status"] == "won", "procurement_stage"] == "signed").all()
    lost = table[table["状态"] == "输单"]
    assert lost["销售阶段"].notna().all() and (lost["销售阶段"] != "赢单客户").all()


def test_xlsx_files_are_reproducible(written: tuple[Path, list[Path]], tmp_path: Path) -> None:
    out, _ = written
    again = write_sample_files(tmp_path)
    for path in again:
        assert path.read_bytes() == (out / path.relative_to(tmp_path)).read_bytes(), path.name


def test_english_csv(written: tuple[Path, list[Path]], history: pd.DataFrame) -> None:
    out, _ = written
    path = out / "opportunities_en_2026-10.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [
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
        "Rating",
    ]
    en = pd.read_csv(path, dtype=str, encoding="utf-8")
    last = history[history["snapshot_date"] == pd.Timestamp("2026-10-31")].reset_index(drop=True)
    assert en["Opportunity ID"].tolist() == last["opportunity_id"].tolist()
    assert set(en["Owner Role"]) == {"East Region", "North Region", "South Region", "West Region"}
    assert set(en["Stage"]) <= {
        "Target",
        "Qualified",
        "Shortlisted",
        "Committed",
        "Near-win",
        "Won",
        "Closed Lost",
    }
    assert (en["Stage"] == "Closed Lost").sum() == (last["status"] == "lost").sum()
    assert set(en["Lead Source"]) == {
        "Cold Call",
        "Follow-up",
        "Penetration",
        "Cultivation",
        "Inbound",
    }
    assert en["Amount"].astype(int).tolist() == last["amount"].tolist()
    assert en["Probability (%)"].str.fullmatch(r"\d{1,3}").all()
    for col in ("Created Date", "Close Date"):
        assert en[col].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all(), col
    close = pd.to_datetime(en["Close Date"], format="%m/%d/%Y")
    expected = last["close_date"].where(
        last["status"].isin(["won", "lost"]), last["expected_close_date"]
    )
    assert close.tolist() == expected.tolist()
    assert not en["Account Name"].str.contains(r"[\u4e00-\u9fff]").any()


def test_stage_history_log(written: tuple[Path, list[Path]], history: pd.DataFrame) -> None:
    out, _ = written
    log = pd.read_csv(out / "opportunity_history_en.csv", dtype=str, encoding="utf-8")
    assert list(log.columns) == [
        "OpportunityId",
        "StageName",
        "CreatedDate",
        "Amount",
        "CloseDate",
        "Probability",
        "ForecastCategory",
    ]
    assert set(log["OpportunityId"]) == set(history["opportunity_id"])
    assert log["CreatedDate"].str.fullmatch(r"\d{2}/\d{2}/\d{2} \d{2}:\d{2} (AM|PM)").all()
    assert log["CloseDate"].str.fullmatch(r"\d{2}/\d{2}/\d{2}").all()
    assert set(log["ForecastCategory"]) == {"Pipeline", "Best Case", "Commit", "Closed", "Omitted"}
    assert set(log["StageName"]) == {
        "Target",
        "Qualified",
        "Shortlisted",
        "Committed",
        "Near-win",
        "Closed Won",
        "Closed Lost",
    }
    when = pd.to_datetime(log["CreatedDate"], format="%m/%d/%y %I:%M %p")
    assert when.groupby(log["OpportunityId"]).apply(lambda s: s.is_monotonic_increasing).all()
    first = log.groupby("OpportunityId").head(1)
    assert (first["StageName"] == "Target").all()
    # Every deal won or lost in the exports ends with the matching closed row, on its close date.
    last_row = log.groupby("OpportunityId").tail(1).set_index("OpportunityId")
    closed = history[history["status"].isin(["won", "lost"])].set_index("opportunity_id")
    expected_name = closed["status"].map({"won": "Closed Won", "lost": "Closed Lost"})
    assert (last_row.loc[closed.index, "StageName"] == expected_name).all()
    close_day = pd.to_datetime(last_row.loc[closed.index, "CloseDate"], format="%m/%d/%y")
    assert (close_day == closed["close_date"]).all()
    lost_rows = log[log["StageName"] == "Closed Lost"]
    assert (lost_rows["Probability"] == "0").all()
    assert (lost_rows["ForecastCategory"] == "Omitted").all()
    # A regression shows up as a move back to an earlier stage name.
    order = {"Target": 0, "Qualified": 1, "Shortlisted": 2, "Committed": 3, "Near-win": 4}
    idx = log["StageName"].map(order)
    back = idx < idx.groupby(log["OpportunityId"]).shift()
    assert back.sum() >= 50


def test_stage_log_month_matches_snapshots(
    written: tuple[Path, list[Path]], history: pd.DataFrame
) -> None:
    """A stage change logged inside the window is first seen in that month's snapshot."""
    out, _ = written
    log = pd.read_csv(out / "opportunity_history_en.csv", dtype=str, encoding="utf-8")
    log["when"] = pd.to_datetime(log["CreatedDate"], format="%m/%d/%y %I:%M %p")
    names = MODEL.stage_names("en")
    snap = history[history["status"] == "open"].assign(
        name=lambda d: d["stage"].map(names), month=lambda d: d["snapshot_date"].dt.to_period("M")
    )
    seen = set(zip(snap["opportunity_id"], snap["month"], snap["name"], strict=True))
    in_window = log[
        (log["when"] >= "2025-11-01")
        & log["StageName"].isin(list(names.values()))
        & (log["ForecastCategory"] != "Omitted")
    ]
    keys = zip(
        in_window["OpportunityId"],
        in_window["when"].dt.to_period("M"),
        in_window["StageName"],
        strict=True,
    )
    missing = [k for k in keys if k not in seen]
    assert not missing, missing[:5]


def test_main_regenerates_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file()) == SAMPLE_FILES
    printed = capsys.readouterr().out
    assert re.search(r"商机导出_2026-10\.xlsx\s+[\d,]+ bytes", printed)

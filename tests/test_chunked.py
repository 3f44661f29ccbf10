"""A CSV read in pieces reads as in one piece: the same findings, row numbers, notes and stored
rows (issue #13's chunked import), on real and foreign exports and on a ledger built to put
each whole-file decision across pieces."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from funnel_analytics.chunked import PiecesResult, load_in_pieces
from funnel_analytics.cli import cli
from funnel_analytics.errors import UnusableFile
from funnel_analytics.loading import LoadResult, load_export
from funnel_analytics.reading import csv_chunks, read_grid
from funnel_analytics.store import SnapshotStore

HERE = Path(__file__).parent
FOREIGN = HERE / "foreign" / "files"
REAL = HERE.parent.parent / "shared" / "real-exports" / "salesforce-sample-org-2026"


def _same(one: LoadResult, pieces: PiecesResult) -> None:
    """``pieces`` says and stores what ``one`` does."""
    assert isinstance(pieces, PiecesResult)
    pd.testing.assert_frame_equal(pieces.findings, one.findings)
    assert list(pieces.notes) == list(one.notes)
    for attr in (
        "rows_read",
        "rows_valid",
        "rows_rejected",
        "header_row",
        "content_sha256",
        "snapshot_dates",
        "encoding",
        "shape",
    ):
        assert getattr(pieces, attr) == getattr(one, attr), attr
    assert pieces.mapping.as_dict() == one.mapping.as_dict()
    assert pieces.note_texts("en") == one.note_texts("en")
    with SnapshotStore(":memory:") as a, SnapshotStore(":memory:") as b:
        a.import_result(one)
        b.import_result(pieces)
        pd.testing.assert_frame_equal(b.observations(), a.observations())
        pd.testing.assert_frame_equal(b.findings(1), a.findings(1))
        catalogue = ["file_name", "snapshot_date", "rows_read", "rows_valid", "rows_rejected"]
        pd.testing.assert_frame_equal(b.snapshots()[catalogue], a.snapshots()[catalogue])


@pytest.mark.parametrize(
    ("name", "rows", "as_of"),
    [
        ("pipedrive_deals.csv", 64, "2024-12-31"),  # three currencies, across pieces
        ("zoho_deals.csv", 64, "2024-12-31"),
        ("salesforce_dataloader_Opportunity.csv", 64, "2024-12-31"),
        ("crm_sales_pipeline_maven_style.csv", 1000, "2017-12-31"),
    ],
)
def test_a_foreign_export_read_in_pieces_reads_as_in_one_piece(name, rows, as_of):
    one = load_export(FOREIGN / name, as_of=as_of)
    pieces = load_in_pieces(FOREIGN / name, rows, as_of=as_of)
    assert pieces.pieces > 1
    _same(one, pieces)


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-exports is not beside this checkout")
def test_the_real_salesforce_export_read_in_pieces_reads_as_in_one_piece():
    path = REAL / "Opportunity.csv"
    _same(load_export(path, as_of="2026-06-30"), load_in_pieces(path, 64, as_of="2026-06-30"))


def test_the_pieces_hold_the_files_rows_as_read_in_one_piece():
    for path in [*FOREIGN.glob("*.csv"), *(HERE / "corpus" / "messy").glob("*.csv")]:
        try:
            chunks = list(csv_chunks(path, 64))
        except Exception:
            continue  # read in one piece (UTF-16, blank lines, Windows-1252 …)
        whole = read_grid(path)
        cells = pd.concat([c.grid.cells for c in chunks])
        pd.testing.assert_frame_equal(cells, whole.cells)
        assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
        # Every piece but the last holds 64 records; the last 64 to 127.
        assert all(len(c.grid.cells) == 64 for c in chunks[:-1])
        assert 64 <= len(chunks[-1].grid.cells) < 128 or len(chunks) == 1
        again = chunks[-1].reread(path)
        pd.testing.assert_frame_equal(again.cells, chunks[-1].grid.cells)


# --------------------------------------------------------------------------------------------
# A ledger whose every whole-file decision is taken in a later piece
# --------------------------------------------------------------------------------------------
HEADERS = ["商机编号", "商机名称", "客户名称", "销售阶段", "预计金额", "币种", "赢率", "预计成交日期",
           "创建日期", "客户等级", "负责人"]  # fmt: skip
STAGES = ["目标客户", "有效客户", "入围客户", "意向客户", "接近赢单客户", "赢单客户"]


def _ledger(path: Path) -> dict:
    """A GB18030 ledger as a Chinese CRM's export, with a title row and 300 deals; what it
    holds, by construction: the rows each decision turns on, the rows set aside."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["商机导出（2025年3月）"] + [""] * (len(HEADERS) - 1))
    w.writerow(HEADERS)
    row = 2  # spreadsheet row of the last line written
    facts: dict = {"deals": 0, "blank": [], "subtotal": [], "dup": None}
    for i in range(300):
        late = i >= 230  # the last pieces (64 rows a piece)
        day = (i % 12) + 1
        # Early: only dates whose parts both fit a month (03/04/2025); late: a day above 12.
        close = f"{day:02d}/{(i % 9) + 1:02d}/2025" if not late else f"{13 + i % 15}/04/2025"
        prob = f"0.{(i % 9) + 1}" if not late else str(10 * ((i % 9) + 1))
        grade = ["热", "温", "冷"][i % 3] if not late else "A"
        amount = "暂无" if i % 50 == 7 else f"{(i % 20 + 1) * 10000}"
        currency = "CNY" if i < 280 else "USD"  # USD only in the last piece
        stage = STAGES[i % 6] if i != 101 else "谈判中"  # one unknown stage
        deal_id = f"SJ-{i:04d}" if i != 290 else "SJ-0010"  # a repeat of row 13's id
        w.writerow(
            [
                deal_id,
                f"项目{i}",
                f"客户{i % 40}",
                stage,
                amount,
                currency,
                prob,
                close,
                "2025-01-05",
                grade,
                ["王芳", "陈磊"][i % 2],
            ]
        )
        row += 1
        facts["deals"] += 1
        if deal_id == "SJ-0010" and i == 10:
            facts["first"] = row
        if i == 290:
            facts["dup"] = row
        if i == 120:  # an empty line of separators between two groups
            w.writerow([""] * len(HEADERS))
            row += 1
            facts["blank"].append(row)
        if i == 180:  # a group's subtotal: the label, no id, the sum
            w.writerow(["小计", "", "", "", "1230000"] + [""] * (len(HEADERS) - 5))
            row += 1
            facts["subtotal"].append(row)
    w.writerow(["合计", "", "", "", "9990000"] + [""] * (len(HEADERS) - 5))
    row += 1
    facts["totals"] = row
    w.writerow(["导出人：王芳 2025-03-31 18:00"] + [""] * (len(HEADERS) - 1))
    path.write_bytes(out.getvalue().encode("gb18030"))
    return facts


def test_decisions_a_later_piece_takes_are_those_of_the_whole_file(tmp_path):
    path = tmp_path / "商机导出_2025-03.csv"
    facts = _ledger(path)
    one = load_export(path)
    pieces = load_in_pieces(path, 64)
    assert pieces.pieces == 4
    assert pieces.reread >= 3  # the early pieces were read under month-first and fractions
    _same(one, pieces)
    # What the file holds, by construction (not by either reading):
    assert pieces.rows_read == facts["deals"]
    notes = dict((k, p) for k, p in pieces.notes)
    assert notes["note_dates_dayfirst"] == {"column": "预计成交日期"}
    assert notes["note_probability_scale_percent"] == {"column": "赢率"}
    # The early pieces' 0.1-0.9 beside the last piece's 10-90: fractions, 230 of them.
    early = {"column": "赢率", "count": 230, "row": 3, "value": "0.1"}
    assert notes["note_probability_fractions"] == early
    assert "note_grade_is_rating" not in notes  # "A" in the last piece: a grade after all
    assert notes["note_blank_rows"]["rows"] == ", ".join(map(str, facts["blank"]))
    assert notes["note_subtotal_rows"]["rows"] == ", ".join(map(str, facts["subtotal"]))
    assert notes["note_totals_row"]["row"] == facts["totals"]
    assert notes["note_footer_rows"] == {"count": 1}
    assert notes["note_missing_markers"] == {"count": 6}
    assert notes["note_mixed_currencies"]["currencies_en"] == "CNY 280 rows, USD 20 rows"
    dup = pieces.findings[pieces.findings["rule"] == "duplicate_id"]
    assert dup["row"].tolist() == [facts["dup"]]
    assert dup["params"].tolist() == [{"first_row": facts["first"]}]
    with SnapshotStore(":memory:") as store:
        store.import_result(pieces)
        rows = store.observations().set_index("row")
    assert facts["dup"] not in rows.index and facts["first"] in rows.index
    # Row 3, the first deal ("01/01/2025", "0.1"), and row 235, deal 230 under a title row, the
    # header, an empty line and a subtotal ("18/04/2025", a probability of 60 read as 60%).
    assert rows.loc[3, "expected_close_date"] == pd.Timestamp("2025-01-01")
    assert rows.loc[3, "probability"] == pytest.approx(0.1)  # "0.1", not 0.1%
    assert rows.loc[235, "opportunity_id"] == "SJ-0230"
    assert rows.loc[235, "expected_close_date"] == pd.Timestamp("2025-04-18")
    assert rows.loc[235, "probability"] == pytest.approx(0.6)


def _read_both_ways(tmp_path: Path, lines: list[str]) -> PiecesResult:
    """``lines`` as a CSV read in three pieces of 64 rows, checked to read as in one piece."""
    path = tmp_path / "pipeline_2024-04.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pieces = load_in_pieces(path, 64)
    assert pieces.pieces == 3
    _same(load_export(path), pieces)
    return pieces


def test_a_decimal_comma_a_later_piece_shows_is_the_whole_files(tmp_path):
    # A European export (semicolons, dd.mm.yyyy): the first pieces' amounts ("12.000 €") read
    # either way; the last piece's "1.234,50 €" can only be a decimal comma.
    lines = ["Opportunity ID;Opportunity Name;Stage;Amount;Close Date"]
    for i in range(200):
        amount = f"{(i % 40 + 1)}.000 €" if i < 150 else f"{i % 7 + 1}.234,50 €"
        lines.append(f"EU-{i:04d};Projekt {i};Qualified;{amount};{i % 12 + 1:02d}.05.2024")
    pieces = _read_both_ways(tmp_path, lines)
    assert pieces.reread >= 2  # the first two were read with a decimal point
    assert ("note_amount_decimal_comma", {"column": "Amount"}) in pieces.notes
    with SnapshotStore(":memory:") as store:
        store.import_result(pieces)
        rows = store.observations().set_index("row")
    # Row 2 ("1.000 €") is a thousand euros; row 152 ("4.234,50 €", deal 150) is 4,234.50.
    assert rows.loc[2, "amount"] == 1000.0 and rows.loc[152, "amount"] == 4234.5
    assert rows.loc[3, "expected_close_date"] == pd.Timestamp("2024-05-02")  # "02.05.2024"


def test_a_slip_in_an_early_piece_does_not_decide_the_decimal_comma(tmp_path):
    # "12,5" in the first piece alone would mean a decimal comma; the later pieces' "1.500"s
    # read either way, so the whole file keeps its decimal point and reports the "12,5".
    lines = ["Opportunity ID,Opportunity Name,Stage,Amount,Close Date"]
    for i in range(200):
        amount = '"12,5"' if i == 3 else ("1.500" if i >= 150 else str(1000 + i))
        lines.append(f"EU-{i:04d},Projekt {i},Qualified,{amount},2024-05-{i % 28 + 1:02d}")
    pieces = _read_both_ways(tmp_path, lines)
    unclear = pieces.findings[pieces.findings["rule"] == "unclear_decimal_separator"]
    assert unclear["row"].tolist() == [5] and unclear["value"].tolist() == ["12,5"]
    assert "note_amount_decimal_comma" not in dict(pieces.notes)


def test_a_file_pieces_could_read_otherwise_is_read_in_one_piece(tmp_path):
    # A stage-history log: its ids repeat.
    log = FOREIGN / "stage_history_log.csv"
    assert isinstance(load_in_pieces(log, 64), LoadResult)
    # UTF-16 text (Excel's "Unicode Text").
    path = tmp_path / "pipeline_2025-03.csv"
    text = (FOREIGN / "zoho_deals.csv").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))
    result = load_in_pieces(path, 64, as_of="2024-12-31")
    assert isinstance(result, LoadResult)
    assert result.rows_read == load_export(path, as_of="2024-12-31").rows_read
    # A row with neither an id nor a name (a subtotal, told by the deal above it).
    lines = (FOREIGN / "zoho_deals.csv").read_text(encoding="utf-8").splitlines()
    width = len(next(csv.reader([lines[0]])))
    path = tmp_path / "deals_2025-03.csv"
    path.write_text("\n".join([*lines[:100], "," * (width - 2) + ",9", *lines[100:]]) + "\n")
    assert isinstance(load_in_pieces(path, 64, as_of="2024-12-31"), LoadResult)
    # A file that cannot be used is refused as in one piece.
    with pytest.raises(UnusableFile) as refused:
        load_in_pieces(HERE / "corpus" / "hostile" / "header_only.csv", 64)
    with pytest.raises(UnusableFile) as whole:
        load_export(HERE / "corpus" / "hostile" / "header_only.csv")
    assert refused.value.reason == whole.value.reason


def test_import_reads_a_csv_in_pieces_as_asked(tmp_path):
    path = tmp_path / "商机导出_2025-03.csv"
    _ledger(path)
    runner = CliRunner()
    answers = {}
    for rows in ("64", "0"):
        store = tmp_path / f"s{rows}.duckdb"
        run = runner.invoke(
            cli, ["import", str(path), "--chunk-rows", rows, "--store", str(store), "--json"]
        )
        assert run.exit_code == 1, run.output  # rows were rejected
        answers[rows] = json.loads(run.output)["imports"][0]
    assert answers["64"].pop("pieces") == 4
    assert answers["0"].pop("pieces") == 1
    assert answers["64"] == answers["0"]
    run = runner.invoke(
        cli,
        ["import", str(path), "--chunk-rows", "64", "--store", str(tmp_path / "t.duckdb")],
        env={"LANG": "en_US.UTF-8"},
    )
    assert "read in 4 pieces of up to 64 rows" in run.output
    with SnapshotStore(tmp_path / "s64.duckdb") as a, SnapshotStore(tmp_path / "s0.duckdb") as b:
        pd.testing.assert_frame_equal(a.observations(), b.observations())


def test_duplicates_are_found_under_the_date_order_a_later_piece_decides(tmp_path):
    """A snapshot-date column whose order the second piece decides: the first piece's
    "03/04/2025" reads 4 March until then, so a later "2025-03-04" row of the same deal would
    look like a duplicate; under the file's day-first order it is not, and it is stored. A
    true duplicate stays out."""
    path = tmp_path / "deals.csv"
    lines = ["Opportunity ID,Opportunity Name,Stage,Amount,Snapshot Date"]
    for i in range(64):  # piece 1: dates that fit both orders
        lines.append(f"OPP-{i:04d},Deal {i},Qualified,{1000 + i},03/04/2025")
    for i in range(64, 128):  # piece 2: a day above 12
        lines.append(f"OPP-{i:04d},Deal {i},Qualified,{1000 + i},{13 + i % 10}/04/2025")
    for i in range(128, 192):  # piece 3 (the last): ISO dates
        lines.append(f"OPP-{i:04d},Deal {i},Qualified,{1000 + i},2025-04-03")
    lines[130] = "OPP-0001,Deal 1 again,Qualified,5000,2025-03-04"  # row 131: not a duplicate
    lines[140] = "OPP-0002,Deal 2 again,Qualified,5000,2025-04-03"  # row 141: a duplicate
    path.write_text("\n".join(lines) + "\n")
    one = load_export(path)
    pieces = load_in_pieces(path, 64)
    assert (pieces.pieces, pieces.reread) == (3, 2)  # the first two read again, day-first
    _same(one, pieces)
    dup = pieces.findings[pieces.findings["rule"] == "duplicate_id"]
    assert dup["row"].tolist() == [141] and dup["params"].tolist() == [{"first_row": 4}]
    with SnapshotStore(":memory:") as store:
        store.import_result(pieces)
        rows = store.observations().set_index("row")
    assert rows.loc[131, "snapshot_date"] == pd.Timestamp("2025-03-04")
    assert rows.loc[2, "snapshot_date"] == pd.Timestamp("2025-04-03")
    assert 141 not in rows.index

"""Tests of the ``funnel-analytics`` command line (funnel_analytics.cli).

The exit codes and the ``--json`` report are a contract users' scripts rely on:
0 every row valid, 1 some rows rejected, 2 input unusable with one line on stderr and never a
traceback. Most cases run in-process with click's CliRunner; a few run as real subprocesses
(``python -m funnel_analytics.cli`` and the installed ``funnel-analytics`` script).
Every store lives under tmp_path.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from funnel_analytics.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "funnel-analytics"
if not SCRIPT.exists():
    SCRIPT = ROOT / ".venv" / "bin" / "funnel-analytics"
SEP, OCT = "商机导出_2026-09.xlsx", "商机导出_2026-10.xlsx"
REPORT_KEYS = {
    "rows_read",
    "rows_valid",
    "rows_rejected",
    "mapping",
    "stage_model",
    "errors",
    "warnings",
}
FINDING_KEYS = {"row", "column", "value", "rule", "message"}
BUILTIN = [
    "six_state",
    "eight_stage",
    "four_stage",
    "six_stage",
    "five_step",
    "salesforce",
    "hubspot",
]
CJK = re.compile(r"[\u4e00-\u9fff]")

# A valid export: Chinese headers, amounts in 万元, month in the file name.
VALID_CSV = (
    "商机编号,商机名称,销售阶段,预计金额（万元）\n"
    "OPP-1,甲项目,入围客户,10\n"
    "OPP-2,乙项目,意向客户,20.5\n"
    "OPP-3,丙项目,赢单客户,3\n"
)
VALID_MAPPING = {
    "商机编号": "opportunity_id",
    "商机名称": "opportunity_name",
    "销售阶段": "stage",
    "预计金额（万元）": "amount",
}

# A workbook with a title on row 1 and the header on row 2: data starts on spreadsheet row 3.
BAD_ROWS = [
    ["OPP-1", "甲项目", "入围客户", 10],  # row 3: valid
    ["OPP-2", "乙项目", "火星阶段", 20],  # row 4: unknown stage
    ["OPP-3", "丙项目", "意向客户", "abc"],  # row 5: amount not a number
    ["OPP-1", "甲项目重复", "入围客户", 30],  # row 6: duplicate id of row 3
    ["OPP-4", "丁项目", "赢单客户", 5],  # row 7: valid
]
BAD_ERRORS = [  # (row, column, rule, value)
    (4, "销售阶段", "unknown_stage", "火星阶段"),
    (5, "预计金额（万元）", "unparseable_amount", "abc"),
    (6, "商机编号", "duplicate_id", "OPP-1"),
]

# The stage column is called "进展", which is not recognised by itself.
PROGRESS_HEADER = "商机编号,商机名称,进展,预计金额（万元）"


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the default store at tmp_path (also for subprocesses) and fix the language."""
    store = tmp_path / "env" / "snapshots.duckdb"
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE", str(store))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("FUNNEL_ANALYTICS_LANG", raising=False)
    monkeypatch.delenv("FUNNEL_ANALYTICS_DEBUG", raising=False)
    return store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def run_proc(*args: object, how: str = "module") -> subprocess.CompletedProcess:
    prefix = [sys.executable, "-m", "funnel_analytics.cli"] if how == "module" else [str(SCRIPT)]
    return subprocess.run(
        [*prefix, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=os.environ.copy(),
        timeout=120,
    )


def report(result: Result | subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout)


def assert_unusable(result: Result | subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr, no traceback; return the line."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == 2, (code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("funnel-analytics: "), line
    assert len(line) > len("funnel-analytics: ") + 10
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_bad_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "商机"
    ws.append(["2026年3月商机清单"])
    ws.append(["商机编号", "商机名称", "销售阶段", "预计金额（万元）"])
    for row in BAD_ROWS:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def valid_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "deals_2026-03.csv", VALID_CSV)


@pytest.fixture
def bad_xlsx(tmp_path: Path) -> Path:
    return write_bad_xlsx(tmp_path / "商机导出_2026-03.xlsx")


@pytest.fixture
def progress_files(tmp_path: Path) -> tuple[Path, Path]:
    march = write_csv(
        tmp_path / "progress_2026-03.csv",
        PROGRESS_HEADER + "\nOPP-1,甲项目,入围客户,10\nOPP-2,乙项目,意向客户,20\n",
    )
    april = write_csv(
        tmp_path / "progress_2026-04.csv",
        PROGRESS_HEADER + "\nOPP-1,甲项目,意向客户,10\nOPP-2,乙项目,赢单客户,20\n"
        "OPP-3,丙项目,目标客户,5\n",
    )
    return march, april


def data_rows_of_sample(path: Path) -> int:
    """Rows below the header (row 2) of a sample workbook, counted with openpyxl."""
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(v is not None for v in r)]
    return len(rows)


def csv_records(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


# --------------------------------------------------------------------------------------------
# validate: exit 0 and the JSON report
# --------------------------------------------------------------------------------------------
def test_valid_file_exit_0_and_report(valid_csv: Path) -> None:
    result = run("validate", valid_csv, "--json", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rep = report(result)
    assert rep.keys() >= REPORT_KEYS
    assert (rep["rows_read"], rep["rows_valid"], rep["rows_rejected"]) == (3, 3, 0)
    assert rep["mapping"] == VALID_MAPPING
    assert rep["stage_model"] == "six_state"
    assert rep["errors"] == []
    assert isinstance(rep["warnings"], list)
    assert rep["snapshot_date"] == "2026-03-31"
    assert rep["header_row"] == 1


def test_sample_workbook_with_title_row(sample_dir: Path) -> None:
    path = sample_dir / OCT
    result = run("validate", path, "--json", "--lang", "en")
    rep = report(result)
    expected_rows = data_rows_of_sample(path)
    assert rep["rows_read"] == expected_rows
    assert rep["rows_valid"] + rep["rows_rejected"] == expected_rows
    assert rep["header_row"] == 2
    assert rep["snapshot_date"] == "2026-10-31"
    assert rep["mapping"]["销售阶段"] == "stage"
    assert rep["mapping"]["预计金额（万元）"] == "amount"
    assert result.exit_code == (1 if rep["rows_rejected"] else 0)
    for finding in rep["warnings"]:
        assert finding.keys() >= FINDING_KEYS
        assert finding["row"] >= 3  # below the title and the header


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    # A blank amount on an open deal is a warning (row kept), not a rejection.
    path = write_csv(
        tmp_path / "warn_2026-03.csv",
        "商机编号,商机名称,销售阶段,预计金额\nOPP-1,甲,入围客户,\nOPP-2,乙,意向客户,5\n",
    )
    result = run("validate", path, "--json", "--lang", "en")
    rep = report(result)
    assert result.exit_code == 0
    assert (rep["rows_valid"], rep["rows_rejected"]) == (2, 0)
    assert [(w["row"], w["column"], w["rule"]) for w in rep["warnings"]] == [
        (2, "预计金额", "missing_amount")
    ]


def test_english_csv_sample(sample_dir: Path) -> None:
    path = sample_dir / "opportunities_en_2026-10.csv"
    result = run("validate", path, "--json", "--lang", "en")
    rep = report(result)
    assert result.exit_code == (1 if rep["rows_rejected"] else 0)
    assert rep["rows_read"] == csv_records(path)
    assert rep["mapping"]["Opportunity ID"] == "opportunity_id"
    assert rep["mapping"]["Stage"] == "stage"
    assert rep["mapping"]["Amount"] == "amount"
    assert rep["snapshot_date"] == "2026-10-31"


def test_text_report_without_json(valid_csv: Path) -> None:
    result = run("validate", valid_csv, "--lang", "en")
    assert result.exit_code == 0
    assert "3 rows read, 3 valid, 0 rejected" in result.stdout
    assert "销售阶段 → stage" in result.stdout


# --------------------------------------------------------------------------------------------
# validate: rejected rows, exit 1
# --------------------------------------------------------------------------------------------
def test_bad_rows_exit_1_with_spreadsheet_rows(bad_xlsx: Path) -> None:
    result = run("validate", bad_xlsx, "--json", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    rep = report(result)
    assert (rep["rows_read"], rep["rows_valid"], rep["rows_rejected"]) == (5, 2, 3)
    assert rep["header_row"] == 2
    for finding in rep["errors"] + rep["warnings"]:
        assert finding.keys() >= FINDING_KEYS
    got = [(e["row"], e["column"], e["rule"], e["value"]) for e in rep["errors"]]
    assert got == BAD_ERRORS
    by_rule = {e["rule"]: e["message"] for e in rep["errors"]}
    assert "火星阶段" in by_rule["unknown_stage"]
    assert "six_state" in by_rule["unknown_stage"]
    assert "abc" in by_rule["unparseable_amount"]
    assert "row 3" in by_rule["duplicate_id"]  # where OPP-1 was first seen


def test_bad_rows_text_report_names_rows(bad_xlsx: Path) -> None:
    result = run("validate", bad_xlsx, "--lang", "en")
    assert result.exit_code == 1
    assert "5 rows read, 2 valid, 3 rejected" in result.stdout
    for row, column, rule, _ in BAD_ERRORS:
        assert re.search(rf"row {row} · {re.escape(column)} · .* · {rule}:", result.stdout)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_messages_in_chosen_language(bad_xlsx: Path, lang: str) -> None:
    rep = report(run("validate", bad_xlsx, "--json", "--lang", lang))
    msgs = {e["rule"]: e["message"] for e in rep["errors"]}
    if lang == "en":
        assert "is not a number" in msgs["unparseable_amount"]
        assert "repeats within the snapshot" in msgs["duplicate_id"]
        assert "is not in the stage model" in msgs["unknown_stage"]
        # No Chinese besides the user's quoted values.
        assert not CJK.search(msgs["unparseable_amount"])
    else:
        assert "无法识别为数字" in msgs["unparseable_amount"]
        assert "第 3 行" in msgs["duplicate_id"]
        assert "阶段模型" in msgs["unknown_stage"]
        assert "not a number" not in msgs["unparseable_amount"]


def test_languages_differ(bad_xlsx: Path) -> None:
    en = report(run("validate", bad_xlsx, "--json", "--lang", "en"))
    zh = report(run("validate", bad_xlsx, "--json", "--lang", "zh"))
    assert [(e["row"], e["rule"]) for e in en["errors"]] == [
        (e["row"], e["rule"]) for e in zh["errors"]
    ]
    assert all(
        a["message"] != b["message"] for a, b in zip(en["errors"], zh["errors"], strict=True)
    )


@pytest.mark.parametrize(("lang", "phrase"), [("en", "is empty"), ("zh", "是空的")])
def test_unusable_message_language(tmp_path: Path, lang: str, phrase: str) -> None:
    path = tmp_path / "empty_2026-03.csv"
    path.write_bytes(b"")
    line = assert_unusable(run("validate", path, "--lang", lang), phrase, "empty_2026-03.csv")
    assert bool(CJK.search(line.replace("empty_2026-03.csv", ""))) == (lang == "zh")


def test_language_from_environment(bad_xlsx: Path) -> None:
    zh = report(run("validate", bad_xlsx, "--json", env={"FUNNEL_ANALYTICS_LANG": "zh"}))
    en = report(run("validate", bad_xlsx, "--json", env={"FUNNEL_ANALYTICS_LANG": "en"}))
    assert "无法识别为数字" in zh["errors"][1]["message"]
    assert "is not a number" in en["errors"][1]["message"]


def test_rejected_out_writes_xlsx(bad_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "rejected.xlsx"
    result = run("validate", bad_xlsx, "--rejected-out", out, "--lang", "en")
    assert result.exit_code == 1
    assert out.exists()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Rejected rows", "Findings"]
    rows = [[c.value for c in r] for r in wb.worksheets[0].iter_rows()]
    assert rows[0][:2] == ["Row", "Reason rejected"]
    assert [r[0] for r in rows[1:]] == [4, 5, 6]
    assert "not a number" in rows[2][1]
    findings = [[c.value for c in r] for r in wb.worksheets[1].iter_rows()][1:]
    assert [(r[0], r[3]) for r in findings if r[3] in {e[2] for e in BAD_ERRORS}] == [
        (row, rule) for row, _, rule, _ in BAD_ERRORS
    ]


def test_rejected_out_in_chinese(bad_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "拒绝.xlsx"
    assert run("validate", bad_xlsx, "--rejected-out", out, "--lang", "zh").exit_code == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["被拒绝的行", "问题清单"]
    assert [c.value for c in wb.worksheets[0][1]][:2] == ["行号", "拒绝原因"]


# --------------------------------------------------------------------------------------------
# --map
# --------------------------------------------------------------------------------------------
def test_map_overrides_unrecognised_stage_header(progress_files: tuple[Path, Path]) -> None:
    march, _ = progress_files
    line = assert_unusable(run("validate", march, "--lang", "en"), "No stage column", "进展")
    assert "--map" in line
    result = run("validate", march, "--map", "进展=stage", "--json", "--lang", "en")
    assert result.exit_code == 0, result.output
    rep = report(result)
    assert rep["mapping"]["进展"] == "stage"
    assert (rep["rows_read"], rep["rows_valid"], rep["rows_rejected"]) == (2, 2, 0)


def test_map_can_reassign_a_recognised_header(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "two_2026-03.csv",
        "商机编号,商机名称,销售阶段,阶段备注,预计金额\nOPP-1,甲,火星阶段,入围客户,1\n",
    )
    assert run("validate", path, "--json").exit_code == 1
    result = run("validate", path, "--map", "阶段备注=stage", "--json", "--lang", "en")
    rep = report(result)
    assert result.exit_code == 0
    assert rep["mapping"]["阶段备注"] == "stage"
    assert "销售阶段" not in rep["mapping"]


@pytest.mark.parametrize(
    ("option", "needles"),
    [
        ("进展=bogus", ("进展=bogus", "bogus")),
        ("进展=", ("进展=",)),
        ("nosuch=stage", ("nosuch",)),
        ("noequals", ("noequals", "HEADER=field")),
    ],
    ids=["unknown-field", "empty-field", "unknown-header", "no-equals"],
)
def test_bad_map_option_exit_2(
    progress_files: tuple[Path, Path], option: str, needles: tuple[str, ...]
) -> None:
    march, _ = progress_files
    assert_unusable(run("validate", march, "--map", option, "--lang", "en"), *needles)


# --------------------------------------------------------------------------------------------
# Unusable inputs: exit 2, one line on stderr
# --------------------------------------------------------------------------------------------
def _make_input(tmp_path: Path, kind: str) -> Path:
    if kind == "missing":
        return tmp_path / "nothing_here_2026-03.xlsx"
    if kind == "empty-csv":
        path = tmp_path / "empty_2026-03.csv"
        path.write_bytes(b"")
    elif kind == "empty-xlsx":
        path = tmp_path / "empty_2026-03.xlsx"
        path.write_bytes(b"")
    elif kind == "blank-csv":
        path = tmp_path / "blank_2026-03.csv"
        path.write_bytes(b"  \n\n \r\n")
    elif kind == "garbage-xlsx":
        path = tmp_path / "garbage_2026-03.xlsx"
        path.write_bytes(bytes(range(256)) * 20)
    elif kind == "text-named-xlsx":
        path = tmp_path / "text_2026-03.xlsx"
        path.write_text("hello\nworld\n", encoding="utf-8")
    elif kind == "zip-not-workbook":
        path = tmp_path / "archive_2026-03.xlsx"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("readme.txt", "not a workbook")
        path.write_bytes(buf.getvalue())
    elif kind == "truncated-xlsx":
        whole = write_bad_xlsx(tmp_path / "whole.xlsx").read_bytes()
        path = tmp_path / "truncated_2026-03.xlsx"
        path.write_bytes(whole[: len(whole) // 2])
    elif kind == "pdf":
        path = tmp_path / "report_2026-03.xlsx"
        path.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    elif kind == "header-only":
        path = write_csv(tmp_path / "header_2026-03.csv", "商机编号,商机名称,销售阶段,预计金额\n")
    elif kind == "no-id":
        path = write_csv(tmp_path / "noid_2026-03.csv", "销售阶段,预计金额\n入围客户,1\n")
    else:  # pragma: no cover
        raise AssertionError(kind)
    return path


UNUSABLE_KINDS = [
    "missing",
    "empty-csv",
    "empty-xlsx",
    "blank-csv",
    "garbage-xlsx",
    "text-named-xlsx",
    "zip-not-workbook",
    "truncated-xlsx",
    "pdf",
    "header-only",
    "no-id",
]
UNNAMED_KINDS = {"no-id"}  # the message names the missing column, not the file


@pytest.mark.parametrize("kind", UNUSABLE_KINDS)
def test_unusable_input_exit_2(tmp_path: Path, kind: str) -> None:
    path = _make_input(tmp_path, kind)
    line = assert_unusable(run("validate", path, "--lang", "en"))
    if kind not in UNNAMED_KINDS:
        assert path.name in line


@pytest.mark.parametrize("kind", UNUSABLE_KINDS)
def test_unusable_input_exit_2_on_import(tmp_path: Path, kind: str, store_path: Path) -> None:
    path = _make_input(tmp_path, kind)
    result = run("import", path, "--store", store_path, "--lang", "en")
    line = assert_unusable(result)
    if kind not in UNNAMED_KINDS:
        assert path.name in line
    assert run("snapshots", "--store", store_path, "--json").exit_code == 0
    assert report(run("snapshots", "--store", store_path, "--json"))["snapshots"] == []


@pytest.mark.parametrize("model", ["nope", "six-states", "/nonexistent/model.toml"])
def test_unknown_stage_model_exit_2(valid_csv: Path, model: str) -> None:
    assert_unusable(run("validate", valid_csv, "--stage-model", model, "--lang", "en"), model)


def test_stage_model_alias_with_dash(valid_csv: Path) -> None:
    rep = report(run("validate", valid_csv, "--stage-model", "six-state", "--json"))
    assert rep["stage_model"] == "six_state"


def test_malformed_stage_model_file_exit_2(valid_csv: Path, tmp_path: Path) -> None:
    toml = tmp_path / "broken.toml"
    toml.write_text("this is = = not toml [", encoding="utf-8")
    assert_unusable(run("validate", valid_csv, "--stage-model", toml, "--lang", "en"))


def test_unreadable_as_of_is_one_line(valid_csv: Path) -> None:
    assert_unusable(
        run("validate", valid_csv, "--as-of", "not-a-date", "--lang", "en"), "not-a-date"
    )


def test_unreadable_as_of_exit_2(valid_csv: Path) -> None:
    result = run("validate", valid_csv, "--as-of", "not-a-date", "--lang", "en")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "not-a-date" in result.stderr
    assert result.stdout == ""


def test_directory_as_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "exports_2026-03.xlsx"
    folder.mkdir()
    assert_unusable(run("validate", folder, "--lang", "en"))


# --------------------------------------------------------------------------------------------
# --as-of and the real Salesforce exports
# --------------------------------------------------------------------------------------------
def test_as_of_required_without_date_in_name(real_exports: Path) -> None:
    path = real_exports / "salesforce-sample-org-2026" / "Opportunity.csv"
    assert_unusable(
        run("validate", path, "--stage-model", "salesforce", "--lang", "en"),
        "--as-of",
        "Opportunity.csv",
    )
    result = run(
        "validate",
        path,
        "--stage-model",
        "salesforce",
        "--as-of",
        "2026-02-28",
        "--json",
        "--lang",
        "en",
    )
    assert result.exit_code in (0, 1), result.output
    rep = report(result)
    assert result.exit_code == (1 if rep["rows_rejected"] else 0)
    assert rep["snapshot_date"] == "2026-02-28"
    assert rep["stage_model"] == "salesforce"
    assert rep["rows_read"] == csv_records(path)
    assert rep["mapping"]["Id"] == "opportunity_id"
    assert rep["mapping"]["StageName"] == "stage"
    assert rep["mapping"]["Amount"] == "amount"


def test_as_of_overrides_date_in_name(valid_csv: Path) -> None:
    rep = report(run("validate", valid_csv, "--as-of", "2026-02-15", "--json"))
    assert rep["snapshot_date"] == "2026-02-15"


def test_real_history_log_validates(real_exports: Path) -> None:
    path = real_exports / "salesforce-sample-org-2026" / "OpportunityHistory.csv"
    result = run("validate", path, "--stage-model", "salesforce", "--json", "--lang", "en")
    assert result.exit_code in (0, 1), result.output
    rep = report(result)
    assert result.exit_code == (1 if rep["rows_rejected"] else 0)
    assert rep["shape"] == "history"
    assert rep["stage_model"] == "salesforce"
    assert rep["rows_read"] == csv_records(path)
    assert rep["mapping"]["OpportunityId"] == "opportunity_id"
    assert rep["mapping"]["StageName"] == "stage"
    assert rep["snapshot_date"] is not None


def test_sample_history_log_validates(sample_dir: Path) -> None:
    path = sample_dir / "opportunity_history_en.csv"
    result = run("validate", path, "--json", "--lang", "en")
    rep = report(result)
    assert result.exit_code == (1 if rep["rows_rejected"] else 0)
    assert rep["shape"] == "history"
    assert rep["rows_read"] == csv_records(path)


# --------------------------------------------------------------------------------------------
# import, snapshots, remove
# --------------------------------------------------------------------------------------------
def _snapshots(store: Path | None = None) -> list[dict]:
    args = ["snapshots", "--json"] + (["--store", str(store)] if store else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    return report(result)["snapshots"]


def test_import_two_months_and_list(sample_dir: Path, store_path: Path) -> None:
    result = run(
        "import", sample_dir / SEP, sample_dir / OCT, "--store", store_path, "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("imported snapshot #") == 2
    assert store_path.exists()
    snaps = _snapshots(store_path)
    assert len(snaps) == 2
    assert [s["snapshot_date"][:10] for s in snaps] == ["2026-09-30", "2026-10-31"]
    assert [s["file_name"] for s in snaps] == [SEP, OCT]
    assert [s["stage_model"] for s in snaps] == ["six_state", "six_state"]
    assert [s["rows_read"] for s in snaps] == [
        data_rows_of_sample(sample_dir / SEP),
        data_rows_of_sample(sample_dir / OCT),
    ]
    assert all(s["rows_valid"] + s["rows_rejected"] == s["rows_read"] for s in snaps)
    assert len({s["id"] for s in snaps}) == 2


def test_snapshots_json_dates_are_plain_dates(sample_dir: Path, store_path: Path) -> None:
    run("import", sample_dir / SEP, sample_dir / OCT, "--store", store_path)
    snaps = _snapshots(store_path)
    assert [s["snapshot_date"] for s in snaps] == ["2026-09-30", "2026-10-31"]


def test_import_json_output(sample_dir: Path, store_path: Path) -> None:
    result = run("import", sample_dir / OCT, "--store", store_path, "--json")
    assert result.exit_code == 0
    data = report(result)
    assert data["store"] == str(store_path)
    [entry] = data["imports"]
    assert entry["created"] is True
    assert entry["snapshot_date"] == "2026-10-31"
    assert entry["rows_read"] == data_rows_of_sample(sample_dir / OCT)
    again = report(run("import", sample_dir / OCT, "--store", store_path, "--json"))
    assert again["imports"][0]["created"] is False
    assert again["imports"][0]["snapshot_id"] == entry["snapshot_id"]


@pytest.mark.parametrize(("lang", "phrase"), [("en", "not imported again"), ("zh", "未重复导入")])
def test_import_is_idempotent_and_says_so(
    sample_dir: Path, store_path: Path, lang: str, phrase: str
) -> None:
    first = run("import", sample_dir / OCT, "--store", store_path, "--lang", lang)
    assert first.exit_code == 0
    [snap] = _snapshots(store_path)
    again = run("import", sample_dir / OCT, "--store", store_path, "--lang", lang)
    assert again.exit_code == 0
    assert phrase in again.stdout
    assert f"#{snap['id']}" in again.stdout
    assert _snapshots(store_path) == [snap]


def test_import_same_content_under_other_name(
    sample_dir: Path, store_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy_2026-10.xlsx"
    copy.write_bytes((sample_dir / OCT).read_bytes())
    assert run("import", sample_dir / OCT, "--store", store_path).exit_code == 0
    again = run("import", copy, "--store", store_path, "--json")
    assert report(again)["imports"][0]["created"] is False
    assert len(_snapshots(store_path)) == 1


def test_import_uses_env_store(sample_dir: Path, _isolated_env: Path) -> None:
    assert run("import", sample_dir / OCT).exit_code == 0
    assert _isolated_env.exists()
    assert [s["file_name"] for s in _snapshots()] == [OCT]
    data = report(run("snapshots", "--json"))
    assert data["store"] == str(_isolated_env)


def test_import_with_rejected_rows_exit_1(bad_xlsx: Path, store_path: Path) -> None:
    result = run("import", bad_xlsx, "--store", store_path, "--json")
    assert result.exit_code == 1
    [entry] = report(result)["imports"]
    assert (entry["rows_read"], entry["rows_valid"], entry["rows_rejected"]) == (5, 2, 3)
    [snap] = _snapshots(store_path)
    assert (snap["rows_valid"], snap["rows_rejected"]) == (2, 3)
    assert snap["snapshot_date"][:10] == "2026-03-31"


def test_import_unusable_among_good_exits_2_and_keeps_good(
    valid_csv: Path, tmp_path: Path, store_path: Path
) -> None:
    empty = tmp_path / "empty_2026-04.csv"
    empty.write_bytes(b"")
    result = run("import", valid_csv, empty, "--store", store_path, "--lang", "en")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "empty_2026-04.csv" in result.stderr
    assert [s["file_name"] for s in _snapshots(store_path)] == [valid_csv.name]


def test_snapshots_empty_store(store_path: Path) -> None:
    result = run("snapshots", "--store", store_path)
    assert result.exit_code == 0
    assert "no snapshots" in result.stdout
    assert _snapshots(store_path) == []


def test_snapshots_text_listing(sample_dir: Path, store_path: Path) -> None:
    run("import", sample_dir / SEP, "--store", store_path)
    result = run("snapshots", "--store", store_path)
    assert result.exit_code == 0
    assert SEP in result.stdout
    assert "2026-09-30" in result.stdout


@pytest.mark.parametrize("store_first", [True, False], ids=["group-store", "command-store"])
def test_snapshots_remove(sample_dir: Path, store_path: Path, store_first: bool) -> None:
    run("import", sample_dir / SEP, sample_dir / OCT, "--store", store_path)
    sep_id, oct_id = (s["id"] for s in _snapshots(store_path))
    args = (
        ["snapshots", "--store", store_path, "remove", sep_id]
        if store_first
        else ["snapshots", "remove", sep_id, "--store", store_path]
    )
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert f"#{sep_id}" in result.stdout
    assert [s["id"] for s in _snapshots(store_path)] == [oct_id]
    assert_unusable(run(*args), f"#{sep_id}")
    assert [s["id"] for s in _snapshots(store_path)] == [oct_id]


def test_remove_missing_id_exit_2(store_path: Path) -> None:
    assert_unusable(run("snapshots", "remove", "42", "--store", store_path), "#42")


def test_remove_then_reimport_creates_new_snapshot(sample_dir: Path, store_path: Path) -> None:
    run("import", sample_dir / OCT, "--store", store_path)
    [first] = _snapshots(store_path)
    assert run("snapshots", "remove", first["id"], "--store", store_path).exit_code == 0
    data = report(run("import", sample_dir / OCT, "--store", store_path, "--json"))
    assert data["imports"][0]["created"] is True
    [again] = _snapshots(store_path)
    assert again["id"] != first["id"]


def test_garbage_store_exit_2_for_import_and_list(valid_csv: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database " * 100)
    assert_unusable(run("import", valid_csv, "--store", broken), "broken.duckdb")
    assert_unusable(run("snapshots", "--store", broken), "broken.duckdb")
    assert_unusable(run("snapshots", "remove", "1", "--store", broken), "broken.duckdb")
    assert broken.read_bytes() == b"not a database " * 100
    # Validation stores nothing: a broken store does not stop it.
    assert run("validate", valid_csv, "--store", broken).exit_code == 0


def test_store_under_a_file_exit_2(valid_csv: Path, tmp_path: Path) -> None:
    assert_unusable(
        run("import", valid_csv, "--store", valid_csv.parent / valid_csv.name / "s.duckdb")
    )


# --------------------------------------------------------------------------------------------
# Remembered mappings
# --------------------------------------------------------------------------------------------
def test_mapping_remembered_after_import(
    progress_files: tuple[Path, Path], store_path: Path
) -> None:
    march, april = progress_files
    # Without a remembered mapping the April file cannot be read.
    assert_unusable(run("validate", april, "--store", store_path, "--lang", "en"), "stage")
    imported = run("import", march, "--map", "进展=stage", "--store", store_path)
    assert imported.exit_code == 0, imported.output
    result = run("validate", april, "--store", store_path, "--json", "--lang", "en")
    assert result.exit_code in (0, 1), result.output
    rep = report(result)
    assert rep["mapping"]["进展"] == "stage"
    assert (rep["rows_read"], rep["rows_valid"]) == (3, 3)
    assert rep["snapshot_date"] == "2026-04-30"
    assert any("confirmed last time" in n for n in rep["notes"])
    # And importing April without --map works too.
    again = run("import", april, "--store", store_path, "--json")
    assert again.exit_code == 0
    assert [s["snapshot_date"][:10] for s in _snapshots(store_path)] == ["2026-03-31", "2026-04-30"]


def test_mapping_remembered_in_env_store(progress_files: tuple[Path, Path]) -> None:
    march, april = progress_files
    assert run("import", march, "--map", "进展=stage").exit_code == 0
    assert run("validate", april, "--json").exit_code == 0


def test_mapping_not_shared_between_stores(
    progress_files: tuple[Path, Path], store_path: Path, tmp_path: Path
) -> None:
    march, april = progress_files
    assert run("import", march, "--map", "进展=stage", "--store", store_path).exit_code == 0
    assert_unusable(run("validate", april, "--store", tmp_path / "other.duckdb", "--lang", "en"))


def test_remembered_mapping_does_not_apply_to_other_headers(
    progress_files: tuple[Path, Path], store_path: Path, tmp_path: Path
) -> None:
    march, _ = progress_files
    assert run("import", march, "--map", "进展=stage", "--store", store_path).exit_code == 0
    other = write_csv(
        tmp_path / "other_2026-05.csv", "商机编号,进展,预计金额（万元）,备注\nOPP-1,入围客户,1,x\n"
    )
    assert_unusable(run("validate", other, "--store", store_path, "--lang", "en"), "stage")


# --------------------------------------------------------------------------------------------
# stage-models
# --------------------------------------------------------------------------------------------
def test_stage_models_json() -> None:
    result = run("stage-models", "--json")
    assert result.exit_code == 0
    data = report(result)
    assert list(data) == BUILTIN
    six = data["six_state"]
    assert [s["key"] for s in six] == [
        "target",
        "qualified",
        "shortlisted",
        "committed",
        "near_win",
        "won",
    ]
    assert six[2]["zh"] == "入围客户" and six[2]["en"] == "Shortlisted"
    for stages in data.values():
        assert stages
        for s in stages:
            assert {"key", "en", "zh", "probability", "checklist"} <= s.keys()
            assert 0 <= s["probability"] <= 1


def test_stage_models_text() -> None:
    result = run("stage-models", "--lang", "en")
    assert result.exit_code == 0
    for name in BUILTIN:
        assert re.search(rf"^{name}: ", result.stdout, re.MULTILINE)


# --------------------------------------------------------------------------------------------
# Real subprocesses: python -m and the installed script
# --------------------------------------------------------------------------------------------
HOWS = [
    "module",
    pytest.param(
        "script",
        marks=pytest.mark.skipif(
            not SCRIPT.exists(), reason="the funnel-analytics script is not installed"
        ),
    ),
]


@pytest.mark.parametrize("how", HOWS)
def test_subprocess_valid_and_rejected(how: str, valid_csv: Path, bad_xlsx: Path) -> None:
    ok = run_proc("validate", valid_csv, "--json", "--lang", "en", how=how)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    assert report(ok)["rows_valid"] == 3
    bad = run_proc("validate", bad_xlsx, "--json", "--lang", "zh", how=how)
    assert bad.returncode == 1, bad.stderr
    rep = report(bad)
    assert [(e["row"], e["rule"]) for e in rep["errors"]] == [
        (r, rule) for r, _, rule, _ in BAD_ERRORS
    ]
    assert "无法识别为数字" in rep["errors"][1]["message"]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize(
    "kind", ["missing", "empty-xlsx", "garbage-xlsx", "unknown-model", "bad-map", "no-stage"]
)
def test_subprocess_unusable_one_line(how: str, kind: str, tmp_path: Path, valid_csv: Path) -> None:
    if kind == "unknown-model":
        args = ["validate", valid_csv, "--stage-model", "nope"]
    elif kind == "bad-map":
        args = ["validate", valid_csv, "--map", "销售阶段=bogus"]
    elif kind == "no-stage":
        args = [
            "validate",
            write_csv(tmp_path / "p_2026-03.csv", PROGRESS_HEADER + "\nOPP-1,甲,入围客户,1\n"),
        ]
    else:
        args = ["validate", _make_input(tmp_path, kind)]
    proc = run_proc(*args, "--lang", "en", how=how)
    assert_unusable(proc)


@pytest.mark.parametrize("how", HOWS)
def test_subprocess_import_and_snapshots(how: str, sample_dir: Path, _isolated_env: Path) -> None:
    imp = run_proc("import", sample_dir / SEP, sample_dir / OCT, "--lang", "en", how=how)
    assert imp.returncode == 0, imp.stderr
    assert _isolated_env.exists()  # FUNNEL_ANALYTICS_STORE reached the subprocess
    listed = run_proc("snapshots", "--json", how=how)
    assert listed.returncode == 0, listed.stderr
    snaps = report(listed)["snapshots"]
    assert [s["snapshot_date"][:10] for s in snaps] == ["2026-09-30", "2026-10-31"]
    removed = run_proc("snapshots", "remove", snaps[0]["id"], how=how)
    assert removed.returncode == 0
    assert_unusable(run_proc("snapshots", "remove", snaps[0]["id"], how=how))


def test_subprocess_as_of_with_real_export(real_exports: Path) -> None:
    path = real_exports / "salesforce-sample-org-2026" / "Opportunity.csv"
    assert_unusable(
        run_proc("validate", path, "--stage-model", "salesforce", "--lang", "en"), "--as-of"
    )
    proc = run_proc(
        "validate",
        path,
        "--stage-model",
        "salesforce",
        "--as-of",
        "2026-02-28",
        "--json",
        how="script" if SCRIPT.exists() else "module",
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert report(proc)["snapshot_date"] == "2026-02-28"

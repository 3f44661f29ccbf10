"""Tests of the snapshot store (funnel_analytics.store), always on files under tmp_path."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from funnel_analytics import store as store_module
from funnel_analytics.loading import LoadResult, load_export
from funnel_analytics.store import (
    ENV_VAR,
    ImportOutcome,
    SnapshotStore,
    StoreError,
    default_store_path,
)

KEY_COLUMNS = ["opportunity_id", "stage", "status", "amount", "snapshot_date"]
SEP, OCT = "商机导出_2026-09.xlsx", "商机导出_2026-10.xlsx"


@pytest.fixture(autouse=True)
def _isolated_store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the real data folder: the default store lives in tmp_path."""
    default = tmp_path / "env-store" / "snapshots.duckdb"
    monkeypatch.setenv(ENV_VAR, str(default))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return default


@pytest.fixture(scope="module")
def sep_result(sample_dir: Path) -> LoadResult:
    return load_export(sample_dir / SEP)


@pytest.fixture(scope="module")
def oct_result(sample_dir: Path) -> LoadResult:
    return load_export(sample_dir / OCT)


@pytest.fixture
def store(tmp_path: Path):
    with SnapshotStore(tmp_path / "store.duckdb") as s:
        yield s


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def _small_csv(
    path: Path, rows: list[str], header: str = "商机编号,商机名称,销售阶段,预计金额"
) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[KEY_COLUMNS].copy()
    for col in ("opportunity_id", "stage", "status"):
        out[col] = out[col].astype("object").where(out[col].notna(), None)
    out["amount"] = out["amount"].astype("float64")
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).astype("datetime64[ns]")
    return out.sort_values(["opportunity_id", "snapshot_date"], kind="stable").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------------------------
# Default location
# --------------------------------------------------------------------------------------------
def test_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere" / "mine.duckdb"
    monkeypatch.setenv(ENV_VAR, str(target))
    assert default_store_path() == target


def test_default_path_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(ENV_VAR, "~/fa/store.duckdb")
    assert default_store_path() == tmp_path / "fa" / "store.duckdb"


def test_default_path_without_env_is_in_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = default_store_path()
    assert path.name == "snapshots.duckdb"
    assert path.parent.name == "funnel-analytics"
    assert path == tmp_path / "xdg" / "funnel-analytics" / "snapshots.duckdb"


def test_store_without_path_opens_env_location(_isolated_store_env: Path) -> None:
    assert not _isolated_store_env.exists()
    with SnapshotStore() as s:
        assert Path(s.path) == _isolated_store_env
        assert s.snapshots().empty
    assert _isolated_store_env.exists()


# --------------------------------------------------------------------------------------------
# Import, list, observations
# --------------------------------------------------------------------------------------------
def test_empty_store(store: SnapshotStore) -> None:
    assert store.snapshots().empty
    assert list(store.snapshots().columns) == store_module.LIST_COLUMNS
    assert store.observations().empty
    assert store.remembered_mappings() == {}


def test_import_two_months_and_list(
    store: SnapshotStore, sep_result: LoadResult, oct_result: LoadResult
) -> None:
    stamp = datetime(2026, 11, 1, 9, 30)
    # Imported out of order: the catalogue is ordered by snapshot date.
    o1 = store.import_result(oct_result, imported_at=stamp)
    o2 = store.import_result(sep_result, imported_at=stamp)
    assert o1 == ImportOutcome(o1.snapshot_id, True, o1.snapshot_date)
    assert o2.created and o2.snapshot_id != o1.snapshot_id
    table = store.snapshots()
    assert len(table) == 2
    assert list(table["id"]) == [o2.snapshot_id, o1.snapshot_id]
    assert [d.date().isoformat() for d in table["snapshot_date"]] == ["2026-09-30", "2026-10-31"]
    assert [d.date().isoformat() for d in table["first_date"]] == ["2026-09-30", "2026-10-31"]
    assert list(table["file_name"]) == [SEP, OCT]
    assert list(table["stage_model"]) == ["six_state", "six_state"]
    assert list(table["shape"]) == ["snapshot", "snapshot"]
    assert list(table["rows_read"]) == [sep_result.rows_read, oct_result.rows_read]
    assert list(table["rows_valid"]) == [sep_result.rows_valid, oct_result.rows_valid]
    assert list(table["rows_rejected"]) == [0, 0]
    assert list(table["warnings"]) == [len(sep_result.warnings), len(oct_result.warnings)]
    assert all(pd.Timestamp(t) == pd.Timestamp(stamp) for t in table["imported_at"])


def test_observations_round_trip(store: SnapshotStore, oct_result: LoadResult) -> None:
    outcome = store.import_result(oct_result)
    back = store.observations([outcome.snapshot_id])
    expected = oct_result.observations()
    assert len(back) == len(expected) == oct_result.rows_valid
    assert set(back["snapshot_id"]) == {outcome.snapshot_id}
    pd.testing.assert_frame_equal(_key_frame(back), _key_frame(expected), check_dtype=False)
    # The spreadsheet row of every observation survives too.
    assert sorted(back["row"]) == sorted(expected["row"])
    # Every column of the load comes back under its own name.
    assert set(expected.columns) <= set(back.columns)


def test_rows_encoded_before_the_store_opens_are_the_rows_stored(
    tmp_path: Path, sep_result: LoadResult, oct_result: LoadResult
) -> None:
    """The CLI's import and the dashboard's Save begin the encoding before opening the store:
    what is stored is the same as without it, and an encoding begun for another load is not
    used for this one."""
    plain_path, early_path = tmp_path / "plain.duckdb", tmp_path / "early.duckdb"
    with SnapshotStore(plain_path) as s:
        want = s.observations([s.import_result(oct_result).snapshot_id])
    encoded = store_module.begin_encoding(oct_result)
    with SnapshotStore(early_path) as s:
        got = s.observations([s.import_result(oct_result, encoded=encoded).snapshot_id])
        # October's encoding given with September's load: September's rows are stored.
        sep_id = s.import_result(sep_result, encoded=store_module.begin_encoding(oct_result))
        mixed = s.observations([sep_id.snapshot_id])
    pd.testing.assert_frame_equal(got, want)
    assert len(mixed) == sep_result.rows_valid
    pd.testing.assert_frame_equal(
        _key_frame(mixed), _key_frame(sep_result.observations()), check_dtype=False
    )


def test_observations_of_two_snapshots(
    store: SnapshotStore, sep_result: LoadResult, oct_result: LoadResult
) -> None:
    a = store.import_result(sep_result).snapshot_id
    b = store.import_result(oct_result).snapshot_id
    both = store.observations()
    assert len(both) == sep_result.rows_valid + oct_result.rows_valid
    assert both.groupby("snapshot_id").size().to_dict() == {
        a: sep_result.rows_valid,
        b: oct_result.rows_valid,
    }
    only_b = store.observations([b])
    assert set(only_b["snapshot_id"]) == {b}
    assert set(only_b["snapshot_date"].dt.date.astype(str)) == {"2026-10-31"}
    assert store.observations([]).empty


def test_history_log_round_trip(store: SnapshotStore, sample_dir: Path) -> None:
    result = load_export(sample_dir / "opportunity_history_en.csv")
    assert result.shape == "history"
    outcome = store.import_result(result)
    back = store.observations([outcome.snapshot_id])
    pd.testing.assert_frame_equal(
        _key_frame(back), _key_frame(result.observations()), check_dtype=False
    )
    row = store.snapshots().iloc[0]
    assert row["shape"] == "history"
    lo, hi = result.snapshot_dates
    assert row["first_date"].date() == lo.date()
    assert row["snapshot_date"].date() == hi.date()
    assert row["first_date"] < row["snapshot_date"]


def test_small_file_values_by_hand(store: SnapshotStore, tmp_path: Path) -> None:
    path = _small_csv(
        tmp_path / "small_2026-03.csv",
        [
            "OPP-1,甲,入围客户,10",
            "OPP-2,乙,赢单客户,2.5",
            "OPP-3,丙,火星阶段,7",  # rejected: unknown stage
        ],
        header="商机编号,商机名称,销售阶段,预计金额（万元）",
    )
    result = load_export(path)
    outcome = store.import_result(result)
    back = store.observations([outcome.snapshot_id]).sort_values("opportunity_id")
    assert list(back["opportunity_id"]) == ["OPP-1", "OPP-2"]
    assert list(back["stage"]) == ["shortlisted", "won"]
    assert list(back["status"]) == ["open", "won"]
    assert list(back["amount"]) == [100000.0, 25000.0]
    assert list(back["row"]) == [2, 3]
    assert {d.date().isoformat() for d in back["snapshot_date"]} == {"2026-03-31"}
    cat = store.snapshots().iloc[0]
    assert (cat["rows_read"], cat["rows_valid"], cat["rows_rejected"]) == (3, 2, 1)
    findings = store.findings(outcome.snapshot_id)
    errors = findings[findings["severity"] == "error"]
    assert errors[["row", "column", "value", "rule"]].values.tolist() == [
        [4, "销售阶段", "火星阶段", "unknown_stage"]
    ]


def test_findings_stored_with_snapshot(store: SnapshotStore, oct_result: LoadResult) -> None:
    outcome = store.import_result(oct_result)
    stored = store.findings(outcome.snapshot_id)
    assert len(stored) == len(oct_result.findings)
    assert sorted(zip(stored["row"], stored["rule"], strict=True)) == sorted(
        zip(oct_result.findings["row"].astype(int), oct_result.findings["rule"], strict=True)
    )
    assert store.findings(outcome.snapshot_id + 100).empty


def test_mapping_recorded_in_catalogue(store: SnapshotStore, tmp_path: Path) -> None:
    path = _small_csv(
        tmp_path / "prog_2026-03.csv",
        ["OPP-1,甲,入围客户,10"],
        header="商机编号,商机名称,进展,预计金额",
    )
    result = load_export(path, mapping={"进展": "stage"})
    store.import_result(result)
    raw = store.con.execute("SELECT mapping FROM snapshots").fetchone()[0]
    assert json.loads(raw) == {
        "商机编号": "opportunity_id",
        "商机名称": "opportunity_name",
        "进展": "stage",
        "预计金额": "amount",
    }


# --------------------------------------------------------------------------------------------
# Idempotency and removal
# --------------------------------------------------------------------------------------------
def test_same_content_is_one_snapshot(
    store: SnapshotStore, sample_dir: Path, oct_result: LoadResult
) -> None:
    first = store.import_result(oct_result)
    again = store.import_result(load_export(sample_dir / OCT))
    assert again == ImportOutcome(first.snapshot_id, False, first.snapshot_date)
    # Same bytes under another name are still the same snapshot.
    renamed = load_export((sample_dir / OCT).read_bytes(), file_name="copy_2026-10.xlsx")
    assert store.import_result(renamed) == ImportOutcome(
        first.snapshot_id, False, first.snapshot_date
    )
    assert len(store.snapshots()) == 1
    assert len(store.observations()) == oct_result.rows_valid


def test_different_content_same_name_is_new_snapshot(store: SnapshotStore, tmp_path: Path) -> None:
    path = tmp_path / "deals_2026-03.csv"
    _small_csv(path, ["OPP-1,甲,入围客户,10"])
    a = store.import_result(load_export(path))
    _small_csv(path, ["OPP-1,甲,意向客户,10"])
    b = store.import_result(load_export(path))
    assert a.created and b.created and a.snapshot_id != b.snapshot_id
    assert len(store.snapshots()) == 2


def test_idempotent_across_reopen(tmp_path: Path, oct_result: LoadResult) -> None:
    path = tmp_path / "s.duckdb"
    with SnapshotStore(path) as s:
        first = s.import_result(oct_result)
    with SnapshotStore(path) as s:
        assert s.import_result(oct_result) == ImportOutcome(
            first.snapshot_id, False, first.snapshot_date
        )
        assert len(s.snapshots()) == 1
    with SnapshotStore(path, read_only=True) as s:
        assert list(s.snapshots()["id"]) == [first.snapshot_id]


def test_remove(store: SnapshotStore, sep_result: LoadResult, oct_result: LoadResult) -> None:
    a = store.import_result(sep_result).snapshot_id
    b = store.import_result(oct_result).snapshot_id
    assert store.remove(a) is True
    assert list(store.snapshots()["id"]) == [b]
    assert _stored(store.con) == {b}
    assert store.findings(a).empty
    assert set(store.observations()["snapshot_id"]) == {b}
    assert store.remove(a) is False
    assert store.remove(999) is False
    # Removed content can be imported again, as a new snapshot.
    again = store.import_result(sep_result)
    assert again.created and again.snapshot_id not in (a, b)


# --------------------------------------------------------------------------------------------
# Remembered mappings
# --------------------------------------------------------------------------------------------
def test_remembered_mappings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    with SnapshotStore(path) as s:
        s.remember_mapping("sig-a", {"进展": "stage", "编号": "opportunity_id"})
        s.remember_mapping("sig-b", {"Deal Size": "amount"})
        assert s.remembered_mappings() == {
            "sig-a": {"进展": "stage", "编号": "opportunity_id"},
            "sig-b": {"Deal Size": "amount"},
        }
        # Confirming again replaces the mapping for that signature.
        s.remember_mapping("sig-a", {"进展": "stage"}, confirmed_at=datetime(2026, 1, 1))
    with SnapshotStore(path, read_only=True) as s:
        assert s.remembered_mappings() == {
            "sig-a": {"进展": "stage"},
            "sig-b": {"Deal Size": "amount"},
        }


def test_remembered_mapping_is_used_for_same_headers(store: SnapshotStore, tmp_path: Path) -> None:
    header = "商机编号,商机名称,进展,预计金额"
    march = _small_csv(tmp_path / "prog_2026-03.csv", ["OPP-1,甲,入围客户,10"], header=header)
    april = _small_csv(tmp_path / "prog_2026-04.csv", ["OPP-1,甲,意向客户,10"], header=header)
    first = load_export(march, mapping={"进展": "stage"})
    store.import_result(first)
    store.remember_mapping(first.mapping.signature, first.mapping.as_dict())
    second = load_export(april, remembered=store.remembered_mappings())
    assert second.mapping.signature == first.mapping.signature
    assert second.mapping.header_for("stage") == "进展"
    assert list(second.opportunities["stage"]) == ["committed"]


# --------------------------------------------------------------------------------------------
# Atomicity
# --------------------------------------------------------------------------------------------
class _Boom(RuntimeError):
    pass


class _FailingConnection:
    """Delegates to a real connection, failing on the first statement that matches."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, sql: str | None = None, register: str | None = None
    ) -> None:
        self._con, self._sql, self._register = con, sql, register

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def execute(self, query: str, *args, **kwargs):
        if self._sql and query.lstrip().upper().startswith(self._sql):
            raise _Boom(f"injected failure on {self._sql}")
        return self._con.execute(query, *args, **kwargs)

    def executemany(self, query: str, *args, **kwargs):
        if self._sql and query.lstrip().upper().startswith(self._sql):
            raise _Boom(f"injected failure on {self._sql}")
        return self._con.executemany(query, *args, **kwargs)

    def register(self, name: str, frame):
        if self._register and name == self._register:
            raise _Boom(f"injected failure registering {name}")
        return self._con.register(name, frame)


def _stored(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Snapshot ids whose rows are in the store (parts in ``snapshot_rows``, or an older
    store's ``snapshot_<id>`` table)."""
    parts = {r[0] for r in con.execute("SELECT snapshot_id FROM snapshot_rows").fetchall()}
    tables = {
        int(t.removeprefix("snapshot_"))
        for t in _tables(con)
        if t.startswith("snapshot_") and t.removeprefix("snapshot_").isdigit()
    }
    return parts | tables


def _assert_nothing_left(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
    assert not _stored(con)


@pytest.mark.parametrize(
    "failure",
    [
        {"sql": "INSERT INTO SNAPSHOT_ROWS"},  # after the catalogue row is inserted
        {"register": "_findings"},  # after the snapshot's rows are stored
        {"sql": "INSERT INTO FINDINGS"},  # last step before COMMIT
        {"sql": "COMMIT"},
    ],
    ids=["insert-rows", "register-findings", "insert-findings", "commit"],
)
def test_failed_import_leaves_nothing(
    tmp_path: Path, failure: dict, oct_result: LoadResult
) -> None:
    bad = load_export(
        _small_csv(tmp_path / "bad_2026-03.csv", ["OPP-1,甲,入围客户,10", "OPP-2,乙,火星阶段,20"])
    )
    assert len(bad.findings)  # so that the findings step runs
    path = tmp_path / "atomic.duckdb"
    with SnapshotStore(path) as s:
        real = s.con
        s.con = _FailingConnection(real, **failure)
        with pytest.raises(_Boom):
            s.import_result(bad)
        s.con = real
        _assert_nothing_left(real)
        assert s.snapshots().empty
        # The store still works: the same file imports cleanly afterwards.
        outcome = s.import_result(bad)
        assert outcome.created
        assert len(s.snapshots()) == 1
        assert len(s.observations([outcome.snapshot_id])) == 1
        assert len(s.findings(outcome.snapshot_id)) == len(bad.findings)
        assert s.import_result(oct_result).created
    # And nothing half-written appears after a reopen.
    with SnapshotStore(path) as s:
        assert len(s.snapshots()) == 2
        assert _stored(s.con) == set(s.snapshots()["id"])


def test_failed_import_keeps_earlier_snapshots(
    tmp_path: Path, sep_result: LoadResult, oct_result: LoadResult
) -> None:
    with SnapshotStore(tmp_path / "s.duckdb") as s:
        kept = s.import_result(sep_result).snapshot_id
        real = s.con
        s.con = _FailingConnection(real, sql="INSERT INTO SNAPSHOT_ROWS")
        with pytest.raises(_Boom):
            s.import_result(oct_result)
        s.con = real
        assert list(s.snapshots()["id"]) == [kept]
        assert len(s.observations()) == sep_result.rows_valid


# --------------------------------------------------------------------------------------------
# Files that are not stores
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database " * 200,
        b"\x00\x01garbage" * 500,
        b"SQLite format 3\x00" + b"\x00" * 4096,
    ],
)
def test_garbage_store_file_raises_store_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        SnapshotStore(path)
    message = str(info.value)
    assert "is not a funnel-analytics snapshot store" in message
    assert str(path) in message
    assert "不是 funnel-analytics 的快照库" in info.value.message("zh")
    assert path.read_bytes() == content  # never overwritten


def test_store_path_under_a_file_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot open the snapshot store"):
        SnapshotStore(blocker / "store.duckdb")


def test_store_error_is_runtime_error() -> None:
    assert issubclass(StoreError, RuntimeError)


def test_unmapped_headers_differing_in_case_round_trip(
    store: SnapshotStore, tmp_path: Path
) -> None:
    """Headers equal but for case are numbered at load (the store folds case), then kept as is."""
    path = _small_csv(
        tmp_path / "notes_2026-03.csv",
        ["OPP-1,甲,入围客户,10,a,b"],
        header="商机编号,商机名称,销售阶段,预计金额,Notes,notes",
    )
    result = load_export(path)
    expected = result.observations()
    assert {"extra.Notes", "extra.notes (2)"} <= set(expected.columns)
    outcome = store.import_result(result)
    back = store.observations([outcome.snapshot_id])
    assert back.loc[0, "extra.Notes"] == "a"
    assert back.loc[0, "extra.notes (2)"] == "b"


def test_read_only_store_at_missing_path_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    try:
        with SnapshotStore(path, read_only=True) as s:
            assert s.snapshots().empty
            assert s.remembered_mappings() == {}
            assert s.observations().empty
    except StoreError:
        pass  # refusing with a message is as good as reading an empty store


# --------------------------------------------------------------------------------------------
# Shared use: the dashboard and the CLI, two imports, a busy store
# --------------------------------------------------------------------------------------------
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS held (a INTEGER)")
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@contextlib.contextmanager
def held(path: Path, seconds: float):
    """Another process holding the store's write lock for ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def cli(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "funnel_analytics.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "FUNNEL_ANALYTICS_LANG": "en", **(env or {})},
        timeout=300,
    )


def test_an_import_waits_for_a_busy_store_then_writes(tmp_path: Path, sample_dir: Path) -> None:
    path = tmp_path / "store.duckdb"
    SnapshotStore(path).close()
    with held(path, 3):
        proc = cli("import", sample_dir / "商机导出_2026-10.xlsx", "--store", path)
    assert proc.returncode == 0, proc.stderr
    assert "waiting" in proc.stderr and "Traceback" not in proc.stderr
    with SnapshotStore(path, read_only=True) as s:
        assert len(s.snapshots()) == 1


def test_an_import_gives_up_on_a_store_that_stays_busy(tmp_path: Path, sample_dir: Path) -> None:
    path = tmp_path / "store.duckdb"
    SnapshotStore(path).close()
    with held(path, 60):
        proc = cli(
            "import",
            sample_dir / "商机导出_2026-10.xlsx",
            "--store",
            path,
            env={"FUNNEL_ANALYTICS_STORE_WAIT": "1"},
        )
        listing = cli("snapshots", "--store", path, env={"FUNNEL_ANALYTICS_STORE_WAIT": "1"})
        checked = cli(
            "validate",
            sample_dir / "商机导出_2026-10.xlsx",
            "--store",
            path,
            env={"FUNNEL_ANALYTICS_STORE_WAIT": "1"},
        )
    assert proc.returncode == 2
    assert "is being written by another program" in proc.stderr
    assert "FUNNEL_ANALYTICS_STORE_WAIT" in proc.stderr and "Traceback" not in proc.stderr
    # A reader is told the store is busy, never that it is empty.
    assert listing.returncode == 2 and "being written" in listing.stderr
    assert "no snapshots" not in listing.stdout
    # Validation goes on, and says it could not use the remembered mappings.
    assert checked.returncode in (0, 1) and "being written" in checked.stderr


def test_two_imports_at_once_both_land(tmp_path: Path, sample_dir: Path) -> None:
    path = tmp_path / "store.duckdb"
    files = [sample_dir / "商机导出_2026-09.xlsx", sample_dir / "商机导出_2026-10.xlsx"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "funnel_analytics.cli", "import", str(f), "--store", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert not any("Traceback" in err for _, err in results)
    with SnapshotStore(path, read_only=True) as s:
        assert sorted(s.snapshots()["snapshot_date"].astype(str)) == ["2026-09-30", "2026-10-31"]


def test_reading_commands_create_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "nested" / "store.duckdb"
    assert cli("snapshots", "--store", path).returncode == 0
    assert cli("snapshots", "remove", "3", "--store", path).returncode == 2
    assert not (tmp_path / "typo").exists()


def test_a_sqlite_file_is_refused_without_touching_the_network(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE deals (id INTEGER)")
    before = path.read_bytes()
    proc = cli("snapshots", "--store", path)
    assert proc.returncode == 2
    assert "not a funnel-analytics snapshot store" in proc.stderr
    assert "extension" not in proc.stderr.lower() and "http" not in proc.stderr.lower()
    assert path.read_bytes() == before
    assert store_module._CONFIG == {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def test_reimporting_the_same_bytes_reports_the_stored_date(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    export = _small_csv(tmp_path / "deals.csv", ["OPP-1,甲,入围客户,10"])
    first = cli("import", export, "--as-of", "2026-03-31", "--store", path, "--json")
    again = cli("import", export, "--as-of", "2026-04-30", "--store", path)
    again_json = cli("import", export, "--as-of", "2026-04-30", "--store", path, "--json")
    assert json.loads(first.stdout)["imports"][0]["snapshot_date"] == "2026-03-31"
    assert json.loads(again_json.stdout)["imports"][0]["snapshot_date"] == "2026-03-31"
    assert json.loads(again_json.stdout)["imports"][0]["created"] is False
    assert "dated 2026-03-31 (not 2026-04-30)" in again.stdout


# --------------------------------------------------------------------------------------------
# How rows are kept: Parquet parts in the store file; older stores' tables still read
# --------------------------------------------------------------------------------------------
def _frame(n: int) -> pd.DataFrame:
    """A frame with the store's column kinds: ids, text with blanks, amounts, dates."""
    i = pd.RangeIndex(n)
    return pd.DataFrame(
        {
            "row": (i + 2).to_numpy(dtype="int64"),
            "opportunity_id": pd.array([f"OPP-{k:07d}" for k in i], dtype="string"),
            "owner": pd.array([None if k % 7 == 0 else f"销售{k % 13}" for k in i], dtype="string"),
            "amount": (i * 1.5).to_numpy(),
            "close_date": pd.to_datetime("2026-01-01") + pd.to_timedelta(i % 300, unit="D"),
            "forecast_category": pd.array([None] * n, dtype="string"),
        }
    )


@pytest.mark.parametrize(("n", "part_rows"), [(0, 10), (1, 10), (999, 1000), (5003, 1000)])
def test_rows_read_back_as_a_duckdb_table_gives_them(
    n: int, part_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts (one, or several encoded in parallel) read back row for row, in order, with the
    dtypes a DuckDB table built from the same frame returns."""
    monkeypatch.setattr(store_module, "PART_ROWS", part_rows)
    frame = _frame(n)
    arrow = store_module.pa.Table.from_pandas(frame, preserve_index=False)
    blobs = store_module._encode_parts(arrow)
    assert len(blobs) == max(1, -(-n // part_rows))
    con = duckdb.connect()
    con.register("_decoded", store_module._decode(blobs))
    con.register("_original", arrow)
    got = con.execute("SELECT 7 AS snapshot_id, * FROM _decoded").df()
    want = con.execute("SELECT 7 AS snapshot_id, * FROM _original").df()
    pd.testing.assert_frame_equal(got, want)


def test_a_large_snapshot_is_split_into_parts_of_equal_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arrow = store_module.pa.Table.from_pandas(_frame(60_001), preserve_index=False)
    assert len(store_module._parts(arrow)) == 1  # under PART_ROWS: one part
    monkeypatch.setattr(store_module, "PART_ROWS", 25_000)
    parts = store_module._parts(arrow)
    assert [p.num_rows for p in parts] == [20_001, 20_001, 19_999]
    assert store_module.pa.concat_tables(parts).equals(arrow)


def test_a_snapshot_stored_in_several_parts_reads_back_whole(
    tmp_path: Path, oct_result: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SnapshotStore(tmp_path / "one.duckdb") as s:
        want = s.observations([s.import_result(oct_result).snapshot_id])
    monkeypatch.setattr(store_module, "PART_ROWS", 100)
    with SnapshotStore(tmp_path / "parts.duckdb") as s:
        sid = s.import_result(oct_result, encoded=store_module.begin_encoding(oct_result))
        parts = s.con.execute(
            "SELECT count(*) FROM snapshot_rows WHERE snapshot_id = ?", [sid.snapshot_id]
        ).fetchone()[0]
        got = s.observations([sid.snapshot_id])
    assert parts == -(-oct_result.rows_valid // 100) > 1
    pd.testing.assert_frame_equal(got, want)


def test_older_stores_with_snapshot_tables_still_read_and_remove(
    tmp_path: Path, sep_result: LoadResult, oct_result: LoadResult
) -> None:
    """A store written before ``snapshot_rows`` kept each snapshot's rows in a table
    ``snapshot_<id>``; it reads, mixes with new imports and removes as before."""
    path = tmp_path / "old.duckdb"
    with SnapshotStore(path) as s:
        old = s.import_result(sep_result).snapshot_id
        # Rewrite the stored rows the way older versions kept them.
        s.con.register("_old", sep_result.observations())
        s.con.execute(f"CREATE TABLE snapshot_{old} AS SELECT * FROM _old")
        s.con.execute("DROP TABLE snapshot_rows")
    with SnapshotStore(path, read_only=True) as s:  # read-only: nothing adds snapshot_rows
        assert len(s.observations()) == sep_result.rows_valid
    with SnapshotStore(path) as s:
        new = s.import_result(oct_result).snapshot_id
        both = s.observations()
        assert both.groupby("snapshot_id").size().to_dict() == {
            old: sep_result.rows_valid,
            new: oct_result.rows_valid,
        }
        assert _stored(s.con) == {old, new}
        assert s.remove(old) is True
        assert _stored(s.con) == {new}
        assert set(s.observations()["snapshot_id"]) == {new}


# --- key roles kept with a snapshot ----------------------------------------------------------
def _sample_roles(sample_dir: Path) -> pd.DataFrame:
    from funnel_analytics.roles import read_roles

    return read_roles(sample_dir / OCT).roles


def test_a_roles_sheet_is_kept_with_its_snapshot_and_read_back_unchanged(
    tmp_path: Path, sample_dir: Path, oct_result: LoadResult, sep_result: LoadResult
) -> None:
    roles = _sample_roles(sample_dir)
    path = tmp_path / "roles.duckdb"
    with SnapshotStore(path) as s:
        assert s.roles() is None  # nothing kept yet
        s.import_result(sep_result)  # a snapshot without roles
        outcome = s.import_result(oct_result, roles=roles)
        back = s.roles()
    # The same rows, in the sheet's order, with the types the reader gives.
    expected = roles.reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)
    with SnapshotStore(path, read_only=True) as s:
        pd.testing.assert_frame_equal(s.roles([outcome.snapshot_id]), expected)
        assert s.roles([1]) is None  # September's snapshot keeps none
    # Imported again, the same content is one snapshot and its roles are kept once.
    with SnapshotStore(path) as s:
        again = s.import_result(oct_result, roles=roles)
        assert not again.created and len(s.roles()) == len(roles)
        # Removed with its snapshot.
        assert s.remove(outcome.snapshot_id)
        assert s.roles() is None


def test_roles_given_for_a_snapshot_stored_without_them_are_added(
    tmp_path: Path, sample_dir: Path, oct_result: LoadResult
) -> None:
    roles = _sample_roles(sample_dir)
    with SnapshotStore(tmp_path / "s.duckdb") as s:
        first = s.import_result(oct_result)
        assert s.roles() is None
        second = s.import_result(oct_result, roles=roles)
        assert second.snapshot_id == first.snapshot_id and not second.created
        assert len(s.roles()) == len(roles)


def test_the_catalogue_counts_each_snapshots_key_roles_records(
    tmp_path: Path, sample_dir: Path, oct_result: LoadResult, sep_result: LoadResult
) -> None:
    roles = _sample_roles(sample_dir)
    path = tmp_path / "s.duckdb"
    with SnapshotStore(path) as s:
        s.import_result(sep_result)
        s.import_result(oct_result)
        assert s.snapshots()["roles"].tolist() == [0, 0]
        s.import_result(oct_result, roles=roles)  # roles added to the stored October
        cat = s.snapshots()
        assert cat["roles"].tolist() == [0, len(roles)]
        assert cat["file_name"].tolist() == [sep_result.file_name, oct_result.file_name]
        s.con.execute("DROP TABLE snapshot_roles")  # as a store written before roles were kept
    with SnapshotStore(path, read_only=True) as s:
        assert s.snapshots()["roles"].tolist() == [0, 0]


def test_the_same_roles_saved_with_two_months_count_once(
    tmp_path: Path, sample_dir: Path, oct_result: LoadResult, sep_result: LoadResult
) -> None:
    roles = _sample_roles(sample_dir)
    with SnapshotStore(tmp_path / "s.duckdb") as s:
        s.import_result(sep_result, roles=roles)
        s.import_result(oct_result, roles=roles)
        assert len(s.roles()) == len(roles.drop_duplicates())


def test_an_older_store_without_the_roles_table_reads_none(
    tmp_path: Path, oct_result: LoadResult
) -> None:
    path = tmp_path / "old.duckdb"
    with SnapshotStore(path) as s:
        s.import_result(oct_result)
        s.con.execute("DROP TABLE snapshot_roles")  # as a store written before roles were kept
    with SnapshotStore(path, read_only=True) as s:
        assert s.roles() is None
        assert len(s.observations()) == oct_result.rows_valid


def test_cli_import_keeps_a_workbooks_roles_sheet_and_report_reads_it_from_the_store(
    tmp_path: Path, sample_dir: Path
) -> None:
    from click.testing import CliRunner

    from funnel_analytics.cli import cli

    path = tmp_path / "cli.duckdb"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["import", str(sample_dir / SEP), str(sample_dir / OCT), "--store", str(path), "--json"],
    )
    assert result.exit_code == 0, result.output
    sep, oct_ = json.loads(result.stdout)["imports"]
    assert sep["roles"] is None
    assert oct_["roles"] == {"sheet": "关键角色", "rows_valid": len(_sample_roles(sample_dir))}
    report = runner.invoke(cli, ["report", "--store", str(path), "--json", "--runs", "100"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)["roles"]
    assert data["has_roles"] and data["with_roles"] > 0

"""The snapshot store: monthly exports kept in an embedded DuckDB database file.

DuckDB rather than SQLite because every read the product makes is analytical (12 snapshots of
up to a million deals, scanned and grouped by stage, team and month), which DuckDB's columnar
engine does in a fraction of SQLite's time, and because it takes and returns pandas / Arrow
frames without row-by-row conversion. Like SQLite it is one file and needs no server.

Each snapshot's rows are kept as Parquet in the store file (table ``snapshot_rows``: one
snappy-compressed Parquet blob per part of up to :data:`PART_ROWS` rows, the parts encoded in
parallel). Writing 100,000 rows that way takes a fifth of what DuckDB's own table write took
(its commit compresses and analyses every column on one thread: about 0.2 s of CPU against
0.06 s for Parquet, ``benchmarks/bench_loading.py``); reading registers the decoded Arrow
tables with DuckDB, so :meth:`SnapshotStore.observations` returns exactly what the tables gave.
Stores written before keep their ``snapshot_<id>`` tables and read as before. An import's
commit checkpoints straight into the file (no write-ahead log to write and then copy), and
DuckDB does not compress the blobs again. The CLI's import and the dashboard's Save begin the
encoding before they open the store (:func:`begin_encoding`), so DuckDB starts while the rows
are encoded.

A key-roles table saved with a snapshot (a roles sheet of the same workbook) is kept in
``snapshot_roles`` and removed with it; :meth:`SnapshotStore.roles` reads them back.

Each import is one transaction: the catalogue row, the snapshot's rows, its findings and its
key roles appear together or not at all, so a failed or interrupted import leaves nothing
behind.
Imports are idempotent on the file's content hash: the same bytes twice are one snapshot.
Snapshots are removed only by :meth:`SnapshotStore.remove`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .choices import ENV_VAR, default_store_path
from .contracts import Column, table

if TYPE_CHECKING:  # the store reads what a load produced; it does not load
    from .loading import LoadResult

__all__ = [
    "ENV_VAR",
    "WAIT_ENV_VAR",
    "ImportOutcome",
    "SnapshotStore",
    "StoreBusy",
    "StoreError",
    "default_store_path",
]

#: Seconds a command waits for a store another program is writing (default 30).
WAIT_ENV_VAR = "FUNNEL_ANALYTICS_STORE_WAIT"
DEFAULT_WAIT_SECONDS = 30.0
#: DuckDB never installs or loads an extension on its own: a store that is not a DuckDB file
#: (a SQLite file given by mistake) is refused, not "fixed" by a download.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1;
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY DEFAULT nextval('snapshot_ids'),
    content_sha256 VARCHAR NOT NULL UNIQUE,
    file_name VARCHAR NOT NULL,
    file_format VARCHAR,
    sheet VARCHAR,
    shape VARCHAR NOT NULL,
    stage_model VARCHAR NOT NULL,
    snapshot_date DATE,
    first_date DATE,
    rows_read INTEGER NOT NULL,
    rows_valid INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    mapping JSON,
    imported_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_rows (
    snapshot_id INTEGER NOT NULL,
    part INTEGER NOT NULL,
    parquet BLOB NOT NULL,
    PRIMARY KEY (snapshot_id, part)
);
CREATE TABLE IF NOT EXISTS findings (
    snapshot_id INTEGER NOT NULL,
    "row" INTEGER,
    "column" VARCHAR,
    value VARCHAR,
    rule VARCHAR NOT NULL,
    severity VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_roles (
    snapshot_id INTEGER NOT NULL,
    "row" INTEGER,
    opportunity_id VARCHAR NOT NULL,
    contact VARCHAR,
    role VARCHAR,
    stance VARCHAR,
    engagement INTEGER,
    role_stage VARCHAR,
    date TIMESTAMP
);
CREATE TABLE IF NOT EXISTS mappings (
    signature VARCHAR PRIMARY KEY,
    mapping JSON NOT NULL,
    confirmed_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS stage_models (
    signature VARCHAR PRIMARY KEY,
    toml VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
"""

LIST_COLUMNS = [
    "id",
    "snapshot_date",
    "first_date",
    "file_name",
    "shape",
    "stage_model",
    "rows_read",
    "rows_valid",
    "rows_rejected",
    "warnings",
    "imported_at",
    "roles",
]
STORED_SNAPSHOTS = table(
    "stored_snapshots",
    *(c for c in LIST_COLUMNS if c != "first_date"),
    "first_date",
    local=[
        Column(
            "first_date",
            "date",
            "最早日期",
            "First date",
            "日志中最早的变更日期（快照为空）。",
            "The earliest change date of a log (empty for a snapshot).",
        ),
        Column(
            "roles",
            "count",
            "关键角色记录",
            "Key-roles records",
            "与该快照一起保存的关键角色记录数（同一工作簿中的关键角色表，或与它一起上传的"
            "关键角色文件中涉及其商机的记录）。",
            "Key-roles records kept with the snapshot (a roles sheet of the same workbook, or "
            "the records of a roles file uploaded beside it that name its deals).",
        ),
    ],
)


class StoreError(RuntimeError):
    """The store file cannot be opened or written. ``reason`` is a message key, ``params``
    fill it (:meth:`message` renders it in either language)."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        from .i18n import t

        return t(self.reason, lang, **self.params)


class StoreBusy(StoreError):
    """Another program (an import, the dashboard saving) holds the store's write lock."""


def wait_seconds() -> float:
    """How long to wait for a busy store: ``$FUNNEL_ANALYTICS_STORE_WAIT``, else 30 s."""
    try:
        value = float(os.environ.get(WAIT_ENV_VAR, "") or DEFAULT_WAIT_SECONDS)
    except ValueError:
        value = DEFAULT_WAIT_SECONDS
    return max(value, 0.0)


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _not_duckdb(path: Path) -> bool:
    """An existing, non-empty file without DuckDB's header (``DUCK`` at byte 8)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return len(head) > 0 and head[8:12] != b"DUCK"


@dataclass(frozen=True)
class ImportOutcome:
    """The snapshot an import created, or the one that already held the same file (then
    ``snapshot_date`` is the date the store holds for it, which an import of the same bytes
    with another date does not change)."""

    snapshot_id: int
    created: bool
    snapshot_date: str | None = None  # ISO date of the stored snapshot


def _table(snapshot_id: int) -> str:
    """The table that held a snapshot's rows in stores written before ``snapshot_rows``."""
    return f"snapshot_{int(snapshot_id)}"


#: The key-roles columns kept with a snapshot (those of :data:`funnel_analytics.roles.ROLE_COLUMNS`).
ROLE_STORE_COLUMNS = (
    "opportunity_id",
    "contact",
    "role",
    "stance",
    "engagement",
    "role_stage",
    "date",
)
NON_TEXT = ("engagement", "date")

#: Settings for an import's transaction, reset after it (see :meth:`SnapshotStore.import_result`).
_IMPORT_SETTINGS = {"checkpoint_threshold": "0b", "disabled_compression_methods": "zstd"}

#: Rows per stored Parquet part: a larger snapshot is split into parts encoded and decoded in
#: parallel, so no single blob grows with the export. A smaller one is one part: encoded on one
#: core while DuckDB opens the store on the other, it is stored sooner than two halves encoded
#: on both cores and slowing DuckDB down (100k rows on 2 cores: 80 against 98 ms, medians of 15
#: fresh processes), and snapshots read together are decoded in parallel anyway.
PART_ROWS = 250_000


def _parts(table: pa.Table) -> list[pa.Table]:
    """Slices of ``table`` of at most :data:`PART_ROWS` rows, of equal size."""
    n = table.num_rows
    if n <= PART_ROWS:
        return [table]
    size = -(-n // -(-n // PART_ROWS))
    return [table.slice(i, size) for i in range(0, n, size)]


#: Columns that hold (nearly) one value per row: a dictionary would only grow to be dropped.
_UNIQUE_COLUMNS = ("row", "opportunity_id", "opportunity_name")


def _encode(part: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    # Statistics serve filtered scans of files; the store reads whole parts, so they are
    # skipped (a quarter of the encoding time). The Arrow schema is not stored either: the
    # store reads the parts through DuckDB, which types them from the Parquet schema. The
    # row numbers mostly ascend, so their differences pack into a few bits.
    pq.write_table(
        part,
        sink,
        compression="snappy",
        write_statistics=False,
        store_schema=False,
        use_dictionary=[c for c in part.column_names if c not in _UNIQUE_COLUMNS],
        column_encoding={"row": "DELTA_BINARY_PACKED"} if "row" in part.column_names else None,
    )
    return sink.getvalue().to_pybytes()


def _start_encoding(table: pa.Table) -> list[Future[bytes]]:
    """The parts of ``table`` being encoded in background threads, one per part and CPU."""
    parts = _parts(table)
    pool = ThreadPoolExecutor(max_workers=min(len(parts), os.cpu_count() or 1))
    encoding = [pool.submit(_encode, part) for part in parts]
    pool.shutdown(wait=False)
    return encoding


def _encode_parts(table: pa.Table) -> list[bytes]:
    return [f.result() for f in _start_encoding(table)]


class EncodedRows:
    """A load's valid rows being encoded for the store, in background threads.

    Begun before the store is opened (:func:`begin_encoding`), the encoding runs while DuckDB
    starts, opens the file and writes the catalogue row: a save waits for the slower of the
    two, not for both. :meth:`SnapshotStore.import_result` takes it as ``encoded``."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self._parts = _start_encoding(
            pa.Table.from_pandas(result.observations(), preserve_index=False)
        )

    def blobs(self) -> list[bytes]:
        """The encoded parts, in order (waits for the encoding to finish)."""
        return [f.result() for f in self._parts]


def begin_encoding(result: LoadResult) -> EncodedRows:
    """Start encoding ``result``'s valid rows for the store; pass the returned object to
    :meth:`SnapshotStore.import_result` of a store opened meanwhile.

    >>> rows = begin_encoding(result)                  # doctest: +SKIP
    >>> with SnapshotStore(path) as store:              # doctest: +SKIP
    ...     store.import_result(result, encoded=rows)
    """
    return EncodedRows(result)


class SnapshotStore:
    """Stored monthly snapshots in one DuckDB file.

    Examples
    --------
    >>> with SnapshotStore(":memory:") as store:      # doctest: +SKIP
    ...     store.import_result(load_export("sample_data/商机导出_2026-10.xlsx"))
    """

    def __init__(
        self,
        path: str | Path | None = None,
        read_only: bool = False,
        wait: float | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        """Open the store; ``read_only`` never creates a file or folder (a missing store
        reads as empty). While another program writes it, retry for ``wait`` seconds (default
        :func:`wait_seconds`), calling ``on_wait`` once so the caller can say it is waiting;
        then raise :class:`StoreBusy`."""
        self.path = (
            default_store_path()
            if path is None
            else Path(path)
            if str(path) != ":memory:"
            else path
        )
        try:
            missing = self.path != ":memory:" and not Path(self.path).exists()
            if read_only and missing:
                # Nothing stored yet: read as an empty store, and create no file.
                self.con = duckdb.connect(":memory:", config=_CONFIG)
                self.con.execute(_SCHEMA)
                return
            if self.path != ":memory:" and not missing and _not_duckdb(Path(self.path)):
                raise StoreError("store_not_duckdb", store=str(self.path))
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.con = self._connect(read_only, wait_seconds() if wait is None else wait, on_wait)
            if not read_only:
                # One transaction, so a new store's tables cost one commit, not one each.
                self.con.execute(f"BEGIN TRANSACTION; {_SCHEMA} COMMIT;")
        except StoreError:
            raise
        except (duckdb.Error, OSError) as exc:
            raise StoreError("store_unopenable", store=str(self.path), detail=str(exc)) from exc

    def _connect(
        self, read_only: bool, wait: float, on_wait: Callable[[], None] | None
    ) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=_CONFIG)
            except duckdb.IOException as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        "store_busy", store=str(self.path), seconds=round(wait)
                    ) from exc
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                time.sleep(0.2)

    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- writing ---------------------------------------------------------------------------
    def import_result(
        self,
        result: LoadResult,
        imported_at: datetime | None = None,
        roles: pd.DataFrame | None = None,
        encoded: EncodedRows | None = None,
    ) -> ImportOutcome:
        """Store the valid rows of a load as one snapshot, atomically and idempotently.

        ``roles`` (a key-roles table's valid rows, :attr:`RolesResult.roles`, such as a roles
        sheet of the same workbook) is kept with the snapshot and removed with it; given for a
        snapshot stored before without roles, it is added to it. ``encoded`` is the rows'
        encoding begun before the store was opened (:func:`begin_encoding`); one begun for
        another result is not used."""
        existing = self.con.execute(
            "SELECT id FROM snapshots WHERE content_sha256 = ?", [result.content_sha256]
        ).fetchone()
        if existing:
            if roles is not None and len(roles):
                held = self.con.execute(
                    "SELECT count(*) FROM snapshot_roles WHERE snapshot_id = ?", [int(existing[0])]
                ).fetchone()[0]
                if not held:
                    self.con.execute("BEGIN TRANSACTION")
                    try:
                        self._insert_roles(int(existing[0]), roles)
                        self.con.execute("COMMIT")
                    except BaseException:
                        with contextlib.suppress(duckdb.Error):
                            self.con.execute("ROLLBACK")
                        raise
            stored = self.con.execute(
                "SELECT snapshot_date FROM snapshots WHERE id = ?", [int(existing[0])]
            ).fetchone()[0]
            return ImportOutcome(
                int(existing[0]), False, None if stored is None else stored.isoformat()
            )
        # The parts are encoded while the catalogue row and the findings are written. A file
        # read in pieces (:mod:`funnel_analytics.chunked`) holds its parts encoded already.
        if encoded is None or encoded.result is not result:
            stored = getattr(result, "stored_rows", None)
            encoded = stored() if stored is not None else EncodedRows(result)
        dates = result.snapshot_dates
        findings = result.findings[["row", "column", "value", "rule", "severity"]].copy()
        stamp = imported_at or datetime.now(UTC).replace(tzinfo=None)
        con = self.con
        try:
            # The import's commit checkpoints at once (a threshold of 0 bytes): DuckDB then
            # writes the snapshot into the store file and skips the write-ahead log, so its
            # blobs are written once, not to the log and again at the checkpoint, and no log
            # is left beside the file. A checkpoint is atomic (the new state becomes current
            # only when its header is written), so an interrupted import leaves the store as
            # it was. DuckDB's own ZSTD on the blobs is skipped: on data Parquet has compressed
            # already it took about 40% of the commit's CPU time to save a quarter of the bytes.
            for setting, value in _IMPORT_SETTINGS.items():
                with contextlib.suppress(duckdb.Error):  # a DuckDB without the setting
                    con.execute(f"SET {setting} = '{value}'")
            con.execute("BEGIN TRANSACTION")
            new_id = con.execute(
                """INSERT INTO snapshots (content_sha256, file_name, file_format, sheet, shape,
                       stage_model, snapshot_date, first_date, rows_read, rows_valid,
                       rows_rejected, warnings, mapping, imported_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                [
                    result.content_sha256,
                    result.file_name,
                    result.file_format,
                    result.sheet,
                    result.shape,
                    result.stage_model.name,
                    None if dates is None else dates[1].date(),
                    None if dates is None else dates[0].date(),
                    result.rows_read,
                    result.rows_valid,
                    result.rows_rejected,
                    len(result.warnings),
                    json.dumps(result.mapping.as_dict(), ensure_ascii=False),
                    stamp,
                ],
            ).fetchone()[0]
            if len(findings):
                findings.insert(0, "snapshot_id", new_id)
                con.register("_findings", findings)
                con.execute("INSERT INTO findings SELECT * FROM _findings")
                con.unregister("_findings")
            if roles is not None and len(roles):
                self._insert_roles(int(new_id), roles)
            blobs = encoded.blobs()
            # The parts as one Arrow table: DuckDB scans the blobs without a conversion per
            # parameter.
            con.register(
                "_parts",
                pa.table(
                    {
                        "snapshot_id": pa.array([new_id] * len(blobs), pa.int32()),
                        "part": pa.array(range(len(blobs)), pa.int32()),
                        "parquet": pa.array(blobs, pa.binary()),
                    }
                ),
            )
            con.execute("INSERT INTO snapshot_rows SELECT * FROM _parts")
            con.unregister("_parts")
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            for setting in _IMPORT_SETTINGS:
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"RESET {setting}")
        return ImportOutcome(
            int(new_id), True, None if dates is None else dates[1].date().isoformat()
        )

    def _table_names(self) -> set[str]:
        """The tables the store file holds (an older store may lack the newer ones)."""
        return {r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}

    def _insert_roles(self, snapshot_id: int, roles: pd.DataFrame) -> None:
        """A key-roles table's rows for one snapshot (inside the caller's transaction)."""
        frame = pd.DataFrame(
            {
                "snapshot_id": snapshot_id,
                "row": pd.array(
                    pd.to_numeric(pd.Series(roles.index), errors="coerce"), dtype="Int32"
                ),
                **{
                    c: roles[c].astype("object").where(roles[c].notna(), None).to_numpy()
                    if c in roles
                    else None
                    for c in ROLE_STORE_COLUMNS
                },
            },
            index=range(len(roles)),
        )
        frame["engagement"] = pd.array(frame["engagement"], dtype="Int32")
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[us]")
        self.con.register("_roles", frame)
        try:
            self.con.execute("INSERT INTO snapshot_roles SELECT * FROM _roles")
        finally:
            self.con.unregister("_roles")

    def roles(self, snapshot_ids: list[int] | None = None) -> pd.DataFrame | None:
        """The key-roles rows kept with the given snapshots (default all), each record once
        (the same roles sheet saved with several months counts once), or None when there
        are none; the columns and types of :attr:`RolesResult.roles`."""
        tables = self._table_names()
        if "snapshot_roles" not in tables:  # an older store opened read-only
            return None
        where, params = "", []
        if snapshot_ids is not None:
            if not snapshot_ids:
                return None
            where = f"WHERE snapshot_id IN ({', '.join('?' * len(snapshot_ids))})"
            params = [int(i) for i in snapshot_ids]
        columns = ", ".join(ROLE_STORE_COLUMNS)
        # In the order the sheets were saved and their rows written: among a contact's undated
        # records the last one written counts, as in the sheet.
        frame = self.con.execute(
            f'SELECT {columns} FROM snapshot_roles {where} ORDER BY snapshot_id, "row"', params
        ).df()
        frame = frame.drop_duplicates(keep="first", ignore_index=True)
        if frame.empty:
            return None
        out = pd.DataFrame(
            {c: frame[c].astype("string") for c in ROLE_STORE_COLUMNS if c not in NON_TEXT}
        )
        out["engagement"] = pd.array(frame["engagement"], dtype="Int64")
        out["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        return out[list(ROLE_STORE_COLUMNS)].reset_index(drop=True)

    def remove(self, snapshot_id: int) -> bool:
        """Delete one snapshot and its rows; False when there is no such snapshot."""
        row = self.con.execute(
            "SELECT id FROM snapshots WHERE id = ?", [int(snapshot_id)]
        ).fetchone()
        if not row:
            return False
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(f"DROP TABLE IF EXISTS {_table(snapshot_id)}")
            self.con.execute("DELETE FROM snapshot_rows WHERE snapshot_id = ?", [int(snapshot_id)])
            self.con.execute("DELETE FROM findings WHERE snapshot_id = ?", [int(snapshot_id)])
            self.con.execute("DELETE FROM snapshot_roles WHERE snapshot_id = ?", [int(snapshot_id)])
            self.con.execute("DELETE FROM snapshots WHERE id = ?", [int(snapshot_id)])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return True

    def remember_mapping(
        self, signature: str, mapping: Mapping[str, str], confirmed_at: datetime | None = None
    ) -> None:
        """Remember a confirmed mapping for files whose headers have this signature."""
        stamp = confirmed_at or datetime.now(UTC).replace(tzinfo=None)
        self.con.execute(
            """INSERT INTO mappings VALUES (?, ?, ?)
               ON CONFLICT (signature) DO UPDATE SET mapping = excluded.mapping,
                   confirmed_at = excluded.confirmed_at""",
            [signature, json.dumps(dict(mapping), ensure_ascii=False), stamp],
        )

    def save_stage_model(self, signature: str, toml: str, saved_at: datetime | None = None) -> None:
        """Keep a stage model (its TOML) for files whose stage values have this signature
        (:func:`funnel_analytics.inference.stage_signature`): it is offered again for them."""
        stamp = saved_at or datetime.now(UTC).replace(tzinfo=None)
        self.con.execute(
            """INSERT INTO stage_models VALUES (?, ?, ?)
               ON CONFLICT (signature) DO UPDATE SET toml = excluded.toml,
                   saved_at = excluded.saved_at""",
            [signature, toml, stamp],
        )

    # -- reading ---------------------------------------------------------------------------
    def saved_stage_models(self) -> dict[str, str]:
        """Saved stage models' TOML by stage-value signature (none in a store made before
        models were saved)."""
        try:
            rows = self.con.execute("SELECT signature, toml FROM stage_models").fetchall()
        except duckdb.CatalogException:
            return {}
        return dict(rows)

    def remembered_mappings(self) -> dict[str, dict[str, str]]:
        rows = self.con.execute("SELECT signature, mapping FROM mappings").fetchall()
        return {sig: json.loads(m) for sig, m in rows}

    def snapshots(self) -> pd.DataFrame:
        """The catalogue: id, dates, file name, shape, stage model, row counts, import time,
        and the key-roles records kept with each snapshot (``roles``)."""
        cols = ", ".join(f"s.{c}" for c in LIST_COLUMNS if c != "roles")
        counted = (
            "(SELECT snapshot_id, count(*) AS n FROM snapshot_roles GROUP BY snapshot_id)"
            if "snapshot_roles" in self._table_names()
            else "(SELECT NULL::INTEGER AS snapshot_id, 0 AS n WHERE false)"
        )
        return self.con.execute(
            f"SELECT {cols}, COALESCE(r.n, 0)::BIGINT AS roles FROM snapshots s "
            f"LEFT JOIN {counted} r ON r.snapshot_id = s.id ORDER BY s.snapshot_date, s.id"
        ).df()

    def findings(self, snapshot_id: int) -> pd.DataFrame:
        return self.con.execute(
            'SELECT "row", "column", value, rule, severity FROM findings WHERE snapshot_id = ? '
            'ORDER BY severity, "row"',
            [int(snapshot_id)],
        ).df()

    def observations(self, snapshot_ids: list[int] | None = None) -> pd.DataFrame:
        """The stored rows of the given snapshots (default all), with a ``snapshot_id`` column."""
        ids = [
            int(i)
            for i in (snapshot_ids if snapshot_ids is not None else self.snapshots()["id"].tolist())
        ]
        if not ids:
            return pd.DataFrame()
        tables = self._table_names()
        blobs: dict[int, list[bytes]] = {}
        placeholders = ", ".join("?" * len(ids))
        # An older store opened read-only has no snapshot_rows table (nothing creates it).
        rows = (
            self.con.execute(
                "SELECT snapshot_id, parquet FROM snapshot_rows "
                f"WHERE snapshot_id IN ({placeholders}) ORDER BY snapshot_id, part",
                ids,
            ).fetchall()
            if "snapshot_rows" in tables
            else []
        )
        for sid, blob in rows:
            blobs.setdefault(int(sid), []).append(blob)
        registered: list[str] = []
        selects = []
        try:
            for i in ids:
                if i in blobs:
                    name = f"_rows_{i}"
                    self.con.register(name, _decode(blobs.pop(i)))
                    registered.append(name)
                    selects.append(f"SELECT {i} AS snapshot_id, * FROM {name}")
                elif _table(i) in tables:
                    selects.append(f"SELECT {i} AS snapshot_id, * FROM {_table(i)}")
            if not selects:
                return pd.DataFrame()
            return self.con.execute(" UNION ALL BY NAME ".join(selects)).df()
        finally:
            for name in registered:
                self.con.unregister(name)


def _decode(blobs: list[bytes]) -> pa.Table:
    """One snapshot's stored parts as one Arrow table (decoded in parallel)."""

    def read(blob: bytes) -> pa.Table:
        return pq.read_table(pa.BufferReader(blob))

    if len(blobs) == 1:
        return read(blobs[0])
    with ThreadPoolExecutor(max_workers=min(len(blobs), os.cpu_count() or 1)) as pool:
        # A part of a file read in pieces may hold a column no value of which was typed (all
        # null): it takes the other parts' type.
        return pa.concat_tables(pool.map(read, blobs), promote_options="default")

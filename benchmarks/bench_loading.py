"""Loading benchmark: funnel-analytics against a naive pandas + pandera baseline.

Run from the project root::

    .venv/bin/python benchmarks/bench_loading.py                 # 100k and 500k rows
    .venv/bin/python benchmarks/bench_loading.py --quick         # 100k only
    .venv/bin/python benchmarks/bench_loading.py --rows 100000 500000 --skip-baseline-over 100000
    .venv/bin/python benchmarks/bench_loading.py --quick --profile   # + cProfile top entries

What it does (see benchmarks/README.md for the figures):

1. Generates seeded, realistic Chinese CRM exports (``bench_<rows>_2026-03.xlsx`` written with
   xlsxwriter in constant_memory mode, and the same content as UTF-8 ``.csv``) into
   ``benchmarks/out/``, cached by row count, seed and generator version.
2. Measures each case in a fresh subprocess, so peak memory is per measurement:

   - funnel-analytics: ``load_export(path)``, then ``begin_encoding(result)`` and
     ``SnapshotStore(<new file>).import_result(result, encoded=...)`` as the CLI's import and
     the dashboard's Save do (the rows are encoded while the store opens);
   - baseline: ``pd.read_excel(engine="openpyxl", header=1)`` / ``pd.read_csv(header=1)``, then
     ``pd.to_numeric`` / ``pd.to_datetime(errors="coerce")`` and one pandera
     ``DataFrameSchema.validate(lazy=True)``;
   - a phase breakdown of funnel-analytics (wall time and peak RSS of the library's steps,
     measured by wrapping its functions from the outside; the library is not modified);
   - with ``--profile``, cProfile of load + store (top entries printed, pstats kept).

   Peak memory is the peak resident set size of the measuring process: ``VmHWM`` from
   ``/proc/self/status`` (the same quantity as ``getrusage(RUSAGE_SELF).ru_maxrss`` but not
   inherited from the parent across fork/exec; ru_maxrss is recorded next to it).
3. Prints a table, checks the goals (PASS/MISS) and writes ``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measuring import WAIT_IDLE, environment, proc_status, reset_peak, wait_idle

# Versions recorded with the figures.
PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "pandera",
    "fastexcel",
    "duckdb",
    "openpyxl",
    "xlsxwriter",
)
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = HERE.parent

SEED = 20260331
GENERATOR_VERSION = 4  # bump when the generated content changes: invalidates the cache
MONTH = "2026-03"
SNAPSHOT = "2026-03-31"
BAD_RATE = 0.005

HEADERS = [
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
]
STAGES_ZH = ["目标客户", "有效客户", "入围客户", "意向客户", "接近赢单客户", "赢单客户"]
STAGE_PROB = [10, 25, 50, 75, 90, 100]
DATE_HEADERS = ["创建日期", "预计成交日期", "实际成交日期"]
AMOUNT_HEADER = "预计金额（万元）"

# Goals: (name, file kind, rows, seconds) for end-to-end time; memory is checked per file.
TIME_GOALS = [
    ("100k .xlsx end to end <= 1.5 s", "xlsx", 100_000, 1.5),
    ("500k .xlsx end to end <= 6 s", "xlsx", 500_000, 6.0),
    ("500k .csv end to end <= 2 s", "csv", 500_000, 2.0),
]
MEMORY_FACTOR = 3.0
#: Rows per piece of the CSV imported in pieces (``import --chunk-rows``' default).
PIECE_ROWS = 100_000


# ============================================================================================
# Data generation (runs in its own subprocess so the parent process stays small)
# ============================================================================================
def data_paths(n: int) -> dict[str, Path]:
    return {
        "xlsx": OUT / f"bench_{n}_{MONTH}.xlsx",
        "csv": OUT / f"bench_{n}_{MONTH}.csv",
        "formatted": OUT / f"bench_formatted_{n}_{MONTH}.csv",
        "meta": OUT / f"bench_{n}_{MONTH}.meta.json",
    }


def write_formatted(n: int) -> None:
    """The CSV's rows as a spreadsheet shows formatted cells: amounts in yuan with thousands
    separators and cents ("543,000.00" under "预计金额（元）") and dates with English month
    names ("May 26, 2024"); the rows made bad on purpose stay as they are. Reading it costs
    what reading such cells costs (a Python call per distinct text was 10x the plain file)."""
    import pandas as pd

    p = data_paths(n)
    with open(p["csv"], encoding="utf-8") as fh:
        title = fh.readline()
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    amount = pd.to_numeric(df[AMOUNT_HEADER], errors="coerce")
    df[AMOUNT_HEADER] = [
        t if pd.isna(v) else f"{v * 10_000:,.2f}"
        for t, v in zip(df[AMOUNT_HEADER], amount, strict=True)
    ]
    df = df.rename(columns={AMOUNT_HEADER: "预计金额（元）"})
    for h in DATE_HEADERS:
        when = pd.to_datetime(df[h], format="%Y-%m-%d", errors="coerce")
        df[h] = [
            t if pd.isna(w) else w.strftime("%b %d, %Y") for t, w in zip(df[h], when, strict=True)
        ]
    tmp = p["formatted"].with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(title)
        df.to_csv(fh, index=False, lineterminator="\n")
    tmp.replace(p["formatted"])


def _cache_key(n: int) -> dict:
    return {"rows": n, "seed": SEED, "version": GENERATOR_VERSION, "bad_rate": BAD_RATE}


def cached_meta(n: int) -> dict | None:
    p = data_paths(n)
    if not (p["xlsx"].exists() and p["csv"].exists() and p["meta"].exists()):
        return None
    try:
        meta = json.loads(p["meta"].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("key") == _cache_key(n) else None


def generate_frame(n: int):
    """The export's content as strings/numbers (seeded), plus what was made bad on purpose."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng([SEED, n])
    snapshot = np.datetime64(SNAPSHOT)

    teams = ["华东大区", "华北大区", "华南大区", "西部大区"]
    cities = [
        ["上海", "苏州", "杭州", "南京", "宁波", "无锡", "合肥", "常州"],
        ["北京", "天津", "济南", "青岛", "石家庄", "太原", "唐山"],
        ["广州", "深圳", "东莞", "佛山", "厦门", "珠海", "南宁"],
        ["成都", "重庆", "西安", "昆明", "贵阳", "兰州"],
    ]
    syll = list(
        "恒通瑞丰宏达金桥天泽博远新晟嘉禾启明鼎盛永拓华康泰和安信航弘毅润德祥同舟聚源广鑫科正阳合力中兴海创立昌隆福凯"
    )
    industries = [
        "电子科技",
        "精密机械",
        "汽车零部件",
        "新材料",
        "食品",
        "医药",
        "电力设备",
        "物流",
        "化工",
        "纺织",
        "光电",
        "家电",
    ]
    products = [
        "智能仓储",
        "MES系统",
        "视觉检测",
        "机器人工作站",
        "产线自动化改造",
        "AGV物流",
        "数字化工厂",
        "能源管理平台",
        "设备联网",
        "质量追溯系统",
        "立体库",
        "工业机器人集成",
    ]
    phases = ["项目", "二期项目", "扩建项目", "升级项目"]
    surnames = list("陈王李张刘赵孙周吴郑黄林何马高罗谢宋唐韩冯曹彭邓许沈")
    given = [
        "志强",
        "丽娟",
        "建国",
        "晓明",
        "洋",
        "敏",
        "浩然",
        "静",
        "磊",
        "雪梅",
        "俊杰",
        "晓燕",
        "文斌",
        "骏",
        "婷",
        "超",
        "雨桐",
        "凯",
        "慧敏",
        "冬",
        "佳琪",
        "宇航",
        "程",
        "雅婷",
    ]

    # Reps (each in one team) and accounts (each in one team's city).
    n_reps = max(24, n // 2500)
    rep_names = [
        f"{surnames[i % len(surnames)]}{given[(i * 7 + i // len(surnames)) % len(given)]}"
        + ("" if i < len(surnames) * len(given) else str(i))
        for i in range(n_reps)
    ]
    rep_team = rng.integers(0, 4, n_reps)
    n_acc = max(200, n // 5)
    acc_team = rng.integers(0, 4, n_acc)
    acc_city = [cities[t][int(rng.integers(0, len(cities[t])))] for t in acc_team]
    acc_brand_idx = rng.integers(0, len(syll), (n_acc, 2))
    acc_brand = [syll[a] + syll[b] for a, b in acc_brand_idx]
    acc_ind = rng.integers(0, len(industries), n_acc)
    acc_names = [
        f"{c}{b}{industries[i]}有限公司"
        for c, b, i in zip(acc_city, acc_brand, acc_ind, strict=True)
    ]

    # Rows: pick a rep, then an account of the rep's team (approximately: any account).
    rep = rng.integers(0, n_reps, n)
    acc = rng.integers(0, n_acc, n)
    team = rep_team[rep]
    owner = np.array(rep_names, dtype=object)[rep]
    account = np.array(acc_names, dtype=object)[acc]
    brand = np.array(acc_brand, dtype=object)[acc]
    prod = np.array(products, dtype=object)[rng.integers(0, len(products), n)]
    phase = np.array(phases, dtype=object)[rng.choice(len(phases), n, p=[0.7, 0.15, 0.08, 0.07])]
    name = brand + prod + phase

    stage = rng.choice(6, n, p=[0.30, 0.22, 0.17, 0.12, 0.08, 0.11])
    # Status: the won stage is won; otherwise open, lost or on hold.
    st = rng.choice(3, n, p=[0.78, 0.16, 0.06])
    status = np.where(stage == 5, "赢单", np.array(["进行中", "输单", "搁置"])[st]).astype(object)
    prob = np.array(STAGE_PROB)[stage]
    prob = np.where(status == "输单", 0, prob)
    prob_text = np.char.add(prob.astype(str), "%").astype(object)

    amount = np.round(np.clip(rng.lognormal(np.log(45.0), 0.9, n), 0.5, 5000.0), 1)

    # Dates: created within two years before the snapshot; expected close mostly ahead of the
    # snapshot (about 6% overdue); closed deals have a close date between the two.
    created = snapshot - rng.integers(1, 730, n).astype("timedelta64[D]")
    expected = np.maximum(
        created + rng.integers(30, 120, n).astype("timedelta64[D]"),
        snapshot + rng.integers(-20, 300, n).astype("timedelta64[D]"),
    )
    closed = (status == "赢单") | (status == "输单")
    span = (snapshot - created).astype("int64")
    close = created + (rng.random(n) * span).astype("int64").astype("timedelta64[D]")
    close = np.where(closed, close, np.datetime64("NaT"))
    expected = np.where(closed, close, expected)

    sources = np.array(["陌生拜访", "跟踪", "渗透", "耕耘", "主动咨询"], dtype=object)
    source = sources[rng.choice(5, n, p=[0.25, 0.25, 0.15, 0.15, 0.20])]
    grade = np.array(list("ABCD"), dtype=object)[rng.choice(4, n, p=[0.15, 0.35, 0.35, 0.15])]
    created_year = created.astype("datetime64[Y]").astype(int) + 1970
    ids = np.array([f"OPP-{y}-{i:07d}" for i, y in enumerate(created_year, start=1)], dtype=object)

    df = pd.DataFrame(
        {
            "商机编号": ids,
            "商机名称": name,
            "客户名称": account,
            "销售团队": np.array(teams, dtype=object)[team],
            "负责人": owner,
            "销售阶段": np.array(STAGES_ZH, dtype=object)[stage],
            "状态": status,
            AMOUNT_HEADER: amount.astype(object),
            "赢单概率": prob_text,
            "创建日期": created.astype("datetime64[ns]"),
            "预计成交日期": expected.astype("datetime64[ns]"),
            "实际成交日期": close.astype("datetime64[ns]"),
            "商机来源": source,
            "客户等级": grade,
        }
    )

    # ~0.5% bad rows, four kinds in turn. The first 10 rows stay clean.
    k = max(4, round(n * BAD_RATE))
    bad_rows = np.sort(rng.choice(np.arange(10, n), k, replace=False))
    kinds = {
        "unknown_stage": [],
        "unparseable_amount": [],
        "negative_amount": [],
        "duplicate_id": [],
    }
    bad_set = set(bad_rows.tolist())
    unknown_labels = ["洽谈中", "待评估", "方案阶段", "Negotiation"]
    bad_amounts = ["待定", "面议", "约50万?", "TBD"]
    for j, r in enumerate(bad_rows):
        kind = list(kinds)[j % 4]
        kinds[kind].append(int(r))
        if kind == "unknown_stage":
            df.iat[r, 5] = unknown_labels[j // 4 % len(unknown_labels)]
        elif kind == "unparseable_amount":
            df.iat[r, 7] = bad_amounts[j // 4 % len(bad_amounts)]
        elif kind == "negative_amount":
            df.iat[r, 7] = -float(df.iat[r, 7])
        else:  # the id of an earlier, clean row
            src = int(rng.integers(0, r))
            while src in bad_set:
                src = int(rng.integers(0, r))
            df.iat[r, 0] = df.iat[src, 0]
    meta = {
        "bad_rows": {k_: len(v) for k_, v in kinds.items()},
        "bad_total": int(k),
        "title": f"华辰智能科技 {MONTH[:4]}年{int(MONTH[5:])}月商机清单",
    }
    return df, meta


def write_xlsx(df, path: Path, title: str) -> None:
    import datetime

    import numpy as np
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # A fixed creation time keeps the file byte-for-byte reproducible.
    wb.set_properties(
        {"title": title, "author": "bench", "created": datetime.datetime(2026, 3, 31, 18, 0)}
    )
    ws = wb.add_worksheet("商机清单")
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    f_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    f_amount = wb.add_format({"num_format": "0.0"})
    ncol = len(HEADERS)
    ws.merge_range(0, 0, 0, ncol - 1, title, f_title)
    for c, h in enumerate(HEADERS):
        ws.write_string(1, c, h, f_head)
    ws.freeze_panes(2, 2)

    text_cols = [c for c, h in enumerate(HEADERS) if h not in DATE_HEADERS and h != AMOUNT_HEADER]
    amount_col = HEADERS.index(AMOUNT_HEADER)
    date_cols = [HEADERS.index(h) for h in DATE_HEADERS]
    cols = [df[h].tolist() for h in HEADERS]
    epoch = np.datetime64("1899-12-30", "D")
    serial = {}
    for c in date_cols:
        d = df[HEADERS[c]].to_numpy().astype("datetime64[D]")
        days = (d - epoch).astype("float64")
        days[np.isnat(d)] = np.nan
        serial[c] = days.tolist()
    ws_string, ws_number = ws.write_string, ws.write_number
    for i in range(len(df)):
        r = i + 2
        for c in text_cols:
            ws_string(r, c, cols[c][i])
        v = cols[amount_col][i]
        if isinstance(v, str):
            ws_string(r, amount_col, v)
        else:
            ws_number(r, amount_col, v, f_amount)
        for c in date_cols:
            s = serial[c][i]
            if s == s:  # not NaN: a real Excel date (a serial number with a date format)
                ws_number(r, c, s, f_date)
    ws.autofilter(1, 0, len(df) + 1, ncol - 1)
    wb.close()


def write_csv(df, path: Path, title: str) -> None:
    # What Excel's "Save as CSV" makes of the sheet: the merged title in the first cell of a
    # row padded with empty fields, the header row, then the data; dates as YYYY-MM-DD.
    out = df.copy()
    for h in DATE_HEADERS:
        out[h] = out[h].dt.strftime("%Y-%m-%d")
    out[AMOUNT_HEADER] = [v if isinstance(v, str) else f"{v:.1f}" for v in out[AMOUNT_HEADER]]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(title + "," * (len(HEADERS) - 1) + "\n")
        out.to_csv(fh, index=False, lineterminator="\n")


def generate(n: int) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    p = data_paths(n)
    t0 = time.perf_counter()
    df, meta = generate_frame(n)
    t1 = time.perf_counter()
    tmp_x, tmp_c = p["xlsx"].with_suffix(".xlsx.tmp"), p["csv"].with_suffix(".csv.tmp")
    write_xlsx(df, tmp_x, meta["title"])
    t2 = time.perf_counter()
    write_csv(df, tmp_c, meta["title"])
    t3 = time.perf_counter()
    tmp_x.replace(p["xlsx"])
    tmp_c.replace(p["csv"])
    meta.update(
        key=_cache_key(n),
        seconds={"frame": t1 - t0, "xlsx": t2 - t1, "csv": t3 - t2},
        bytes={"xlsx": p["xlsx"].stat().st_size, "csv": p["csv"].stat().st_size},
    )
    p["meta"].write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


# ============================================================================================
# Measurements (each in a fresh subprocess)
# ============================================================================================


def _peak() -> dict:
    import resource

    st = proc_status()
    return {
        "peak_rss": st["VmHWM"],
        "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def worker_funnel(path: str) -> dict:
    ti = time.perf_counter()
    from funnel_analytics.loading import load_export
    from funnel_analytics.store import SnapshotStore, begin_encoding

    import_s = time.perf_counter() - ti

    base_rss = proc_status()["VmRSS"]
    load_avg = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = load_export(path)
        t1 = time.perf_counter()
        # As the CLI's import and the dashboard's Save do: the rows are encoded while the
        # store opens.
        encoded = begin_encoding(result)
        with SnapshotStore(Path(tmp) / "snapshots.duckdb") as store:
            outcome = store.import_result(result, encoded=encoded)
        t2 = time.perf_counter()
        c2 = time.process_time()
        peak = _peak()
        db_bytes = (Path(tmp) / "snapshots.duckdb").stat().st_size
        stored = _stored_digest(Path(tmp) / "snapshots.duckdb")
    digest = _digest(
        result.findings, result.notes, result.rows_read, result.rows_valid, result.rows_rejected
    )
    frame_bytes = int(result.opportunities.memory_usage(deep=True).sum())
    id_dtype = result.opportunities["opportunity_id"].dtype
    rejected_by_rule = result.errors.drop_duplicates("row")["rule"].value_counts()
    return {
        "load_s": t1 - t0,
        "store_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "import_s": import_s,
        "loadavg_1min_before": load_avg,
        "rows_read": result.rows_read,
        "rows_valid": result.rows_valid,
        "rows_rejected": result.rows_rejected,
        "rejected_by_rule": {str(k): int(v) for k, v in rejected_by_rule.items()},
        "warnings": len(result.warnings),
        "created": outcome.created,
        "base_rss": base_rss,
        **peak,
        "frame_bytes": frame_bytes,
        "db_bytes": db_bytes,
        "string_storage": getattr(id_dtype, "storage", str(id_dtype)),
        "digest": digest,
        "stored_digest": stored,
    }


def _digest(findings, notes, rows_read: int, rows_valid: int, rows_rejected: int) -> str:
    """A fingerprint of what a load reports: every finding (row, column, value, rule,
    severity, parameters), the notes and the counts."""
    import hashlib

    h = hashlib.sha256()
    cols = ["row", "column", "value", "rule", "severity", "params"]
    for rec in findings[cols].itertuples(index=False):
        h.update(json.dumps(list(rec), ensure_ascii=False, default=str).encode())
    h.update(json.dumps([list(n) for n in notes], ensure_ascii=False, default=str).encode())
    h.update(f"{rows_read}/{rows_valid}/{rows_rejected}".encode())
    return h.hexdigest()


def _stored_digest(store_path: Path) -> str:
    """A fingerprint of the rows a store holds (read back after the clock stopped)."""
    import hashlib

    from funnel_analytics.store import SnapshotStore

    with SnapshotStore(store_path, read_only=True) as store:
        rows = store.observations()
    return hashlib.sha256(pd_util_hash(rows.drop(columns=["snapshot_id"])).tobytes()).hexdigest()


def pd_util_hash(frame):
    import pandas as pd

    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def worker_pieces(path: str, rows: int) -> dict:
    """The CSV imported as ``import --chunk-rows`` does: read in pieces of ``rows`` records,
    each typed, checked and encoded before the next is read, then stored."""
    ti = time.perf_counter()
    from funnel_analytics.chunked import load_in_pieces
    from funnel_analytics.store import SnapshotStore

    import_s = time.perf_counter() - ti
    base_rss = proc_status()["VmRSS"]
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = load_in_pieces(path, rows)
        t1 = time.perf_counter()
        with SnapshotStore(Path(tmp) / "snapshots.duckdb") as store:
            store.import_result(result)
        t2 = time.perf_counter()
        c2 = time.process_time()
        peak = _peak()
        stored = _stored_digest(Path(tmp) / "snapshots.duckdb")
    return {
        "load_s": t1 - t0,
        "store_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "import_s": import_s,
        "pieces": getattr(result, "pieces", 1),
        "reread": getattr(result, "reread", 0),
        "rows_read": result.rows_read,
        "rows_valid": result.rows_valid,
        "rows_rejected": result.rows_rejected,
        "digest": _digest(
            result.findings, result.notes, result.rows_read, result.rows_valid, result.rows_rejected
        ),
        "stored_digest": stored,
        "base_rss": base_rss,
        **peak,
    }


def _baseline_schema():
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "商机编号": pa.Column(str, unique=True, report_duplicates="exclude_first"),
            "销售阶段": pa.Column(str, pa.Check.isin(STAGES_ZH)),
            AMOUNT_HEADER: pa.Column(
                float, pa.Check.ge(0)
            ),  # NaN (unparseable) fails: not nullable
            "创建日期": pa.Column("datetime64[ns]", nullable=True),
            "预计成交日期": pa.Column("datetime64[ns]", nullable=True),
            "实际成交日期": pa.Column("datetime64[ns]", nullable=True),
        },
        strict=False,
    )


def worker_baseline(path: str) -> dict:
    import pandas as pd
    import pandera.pandas as pa

    schema = _baseline_schema()
    base_rss = proc_status()["VmRSS"]
    load_avg = os.getloadavg()[0]
    c0 = time.process_time()
    t0 = time.perf_counter()
    if path.endswith(".csv"):
        df = pd.read_csv(path, header=1)
    else:
        df = pd.read_excel(path, engine="openpyxl", header=1)
    t1 = time.perf_counter()
    df[AMOUNT_HEADER] = pd.to_numeric(df[AMOUNT_HEADER], errors="coerce")
    for h in DATE_HEADERS:
        df[h] = pd.to_datetime(df[h], errors="coerce").astype("datetime64[ns]")
    try:
        schema.validate(df, lazy=True)
        cases = None
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    t2 = time.perf_counter()
    c2 = time.process_time()
    peak = _peak()
    bad_rows = 0 if cases is None else int(cases["index"].dropna().nunique())
    return {
        "read_s": t1 - t0,
        "validate_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "loadavg_1min_before": load_avg,
        "rows_read": len(df),
        "rows_failing": bad_rows,
        "base_rss": base_rss,
        **peak,
        "frame_bytes": int(df.memory_usage(deep=True).sum()),
    }


def worker_floor(path: str) -> dict:
    """What no read + map + validate + store of the CSV can go below on this machine: Arrow's
    multi-threaded CSV reader (types inferred, nothing mapped or checked), then the rows as
    read written durably into a new DuckDB file as the store writes them (one Parquet blob,
    the store's encoder, one commit, close). The CSV goal's budget is set against it."""
    import duckdb
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from funnel_analytics import store

    with tempfile.TemporaryDirectory(prefix="bench_floor_") as tmp:
        t0 = time.perf_counter()
        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(skip_rows=1))
        t1 = time.perf_counter()
        blob = store._start_encoding(table)
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"), config=store._CONFIG)
        con.execute("CREATE TABLE snapshot_rows (part INTEGER, parquet BLOB)")
        con.execute("SET checkpoint_threshold = '0b'")
        con.execute("BEGIN TRANSACTION")
        con.register("_parts", pa.table({"part": [0], "parquet": [blob[0].result()]}))
        con.execute("INSERT INTO snapshot_rows SELECT * FROM _parts")
        con.execute("COMMIT")
        con.close()
        t2 = time.perf_counter()
    return {"read_s": t1 - t0, "store_s": t2 - t1, "total_s": t2 - t0, "rows": table.num_rows}


#: The store's tables when issue #13 was filed (commit 8619902), for the reference write below.
STORE_THEN_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1;
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY DEFAULT nextval('snapshot_ids'),
    content_sha256 VARCHAR NOT NULL UNIQUE, file_name VARCHAR NOT NULL, file_format VARCHAR,
    sheet VARCHAR, shape VARCHAR NOT NULL, stage_model VARCHAR NOT NULL, snapshot_date DATE,
    first_date DATE, rows_read INTEGER NOT NULL, rows_valid INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL, warnings INTEGER NOT NULL, mapping JSON,
    imported_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    snapshot_id INTEGER NOT NULL, "row" INTEGER, "column" VARCHAR, value VARCHAR,
    rule VARCHAR NOT NULL, severity VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS mappings (
    signature VARCHAR PRIMARY KEY, mapping JSON NOT NULL, confirmed_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS stage_models (
    signature VARCHAR PRIMARY KEY, toml VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL
);
"""


def worker_store_then(path: str) -> dict:
    """The store write as it was when issue #13 was filed (commit 8619902), on today's load:
    a new DuckDB file, its tables created statement by statement, then one transaction with
    the catalogue row, a ``CREATE TABLE ... AS`` of the rows from Arrow and the findings; the
    commit goes through the write-ahead log and the close checkpoints it. The issue's "5x
    faster than today" is measured against this, in the same run."""
    import json as _json
    from datetime import UTC, datetime

    import duckdb
    import pyarrow as pa

    from funnel_analytics.loading import load_export

    result = load_export(path)
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    with tempfile.TemporaryDirectory(prefix="bench_store_then_") as tmp:
        t0 = time.perf_counter()
        con = duckdb.connect(str(Path(tmp) / "snapshots.duckdb"), config=config)
        con.execute(STORE_THEN_SCHEMA)
        frame = result.observations()
        dates = result.snapshot_dates
        findings = result.findings[["row", "column", "value", "rule", "severity"]].copy()
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
                _json.dumps(result.mapping.as_dict(), ensure_ascii=False),
                datetime.now(UTC).replace(tzinfo=None),
            ],
        ).fetchone()[0]
        con.register("_incoming", pa.Table.from_pandas(frame, preserve_index=False))
        con.execute(f"CREATE TABLE snapshot_{int(new_id)} AS SELECT * FROM _incoming")
        con.unregister("_incoming")
        if len(findings):
            findings.insert(0, "snapshot_id", new_id)
            con.register("_findings", findings)
            con.execute("INSERT INTO findings SELECT * FROM _findings")
            con.unregister("_findings")
        con.execute("COMMIT")
        con.close()
        t1 = time.perf_counter()
    return {"store_s": t1 - t0}


def worker_fastexcel(path: str) -> dict:
    """The floor for a workbook (issue #13): a bare fastexcel read of the same sheet into a
    pandas frame, nothing else."""
    import fastexcel
    import pandas  # noqa: F401  (imported before the clock starts, as in the other workers)
    import pyarrow  # noqa: F401

    t0 = time.perf_counter()
    reader = fastexcel.read_excel(path)
    frame = reader.load_sheet(0, header_row=None).to_pandas()
    return {"total_s": time.perf_counter() - t0, "rows": len(frame)}


def worker_phases(path: str) -> dict:
    """Wall time of the library's steps, by wrapping its functions (library unchanged)."""
    import functools

    from funnel_analytics import isolation, loading, reading, stages, store

    acc: dict[str, float] = {}
    calls: dict[str, int] = {}
    peaks: dict[str, int] = {}
    after: dict[str, int] = {}
    # One entry per open wrapped call: [seconds spent in wrapped callees, peak RSS so far].
    stack: list[list[float]] = [[0.0, 0]]

    def wrap(owner, attr: str, label: str) -> None:
        """Time calls of owner.attr (exclusive of nested wrapped calls) and their peak RSS."""
        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def timed(*a, **kw):
            stack[-1][1] = max(stack[-1][1], proc_status()["VmHWM"])
            reset_peak()
            stack.append([0.0, 0])
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                inclusive = time.perf_counter() - t
                st = proc_status()
                nested, peak = stack.pop()
                peak = max(peak, st["VmHWM"])
                stack[-1][0] += inclusive
                stack[-1][1] = max(stack[-1][1], peak)
                acc[label] = acc.get(label, 0.0) + inclusive - nested
                calls[label] = calls.get(label, 0) + 1
                peaks[label] = max(peaks.get(label, 0), peak)
                after[label] = st["VmRSS"]

        setattr(owner, attr, timed)

    # Inside load_export (names looked up in loading's globals or on classes).
    wrap(loading, "read_bytes", "read: read_bytes (file to bytes)")
    wrap(loading, "read_grid", "read: read_grid (rest: sniff, 2nd read_bytes, letters)")
    wrap(reading, "_check_zip", "read: _check_zip (zip safety scan)")
    wrap(isolation, "check_shared_strings", "read: shared-string sizes (before parsing)")
    wrap(isolation, "check_xlsx_bounds", "read: sheet bounds (while the child parses)")
    wrap(
        reading,
        "read_workbook_isolated",
        "read: workbook in a limited child (fastexcel, grid; rest: start, transfer)",
    )
    wrap(reading, "_read_csv", "read: _read_csv (decode+read_csv+astype+strip)")
    wrap(loading, "locate_table", "layout: locate_table")
    wrap(loading, "map_columns", "mapping: map_columns")
    wrap(stages.StageModel, "match", "parse: stage match")
    for fn in (
        "parse_status",
        "parse_amount",
        "parse_probability",
        "parse_date",
        "parse_source",
        "parse_grade",
        "parse_bool",
    ):
        wrap(loading, fn, f"parse: {fn}")
    wrap(loading._Findings, "add", "findings: _Findings.add")
    wrap(loading, "_run_schema", "validate: _run_schema (pandera + failure cases)")
    wrap(loading._Findings, "frame", "findings: _Findings.frame")
    wrap(loading.LoadResult, "observations", "store: observations()")
    wrap(store, "begin_encoding", "store: begin_encoding (Arrow table, encoding started)")
    wrap(store.SnapshotStore, "import_result", "store: import_result (DuckDB register+insert)")

    base_rss = proc_status()["VmRSS"]
    reset_peak()
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        t0 = time.perf_counter()
        result = loading.load_export(path)
        t1 = time.perf_counter()
        encoded = store.begin_encoding(result)
        with store.SnapshotStore(Path(tmp) / "snapshots.duckdb") as s:
            s.import_result(result, encoded=encoded)
        t2 = time.perf_counter()
    phases = {
        k: {"s": v, "calls": calls[k], "peak_rss": peaks[k], "rss_after": after[k]}
        for k, v in acc.items()
    }
    in_load = sum(v["s"] for k, v in phases.items() if not k.startswith("store"))
    in_store = sum(v["s"] for k, v in phases.items() if k.startswith("store"))
    phases["load: other (sha256, astype, frame assembly, drop, flags)"] = {
        "s": (t1 - t0) - in_load,
        "calls": 1,
    }
    phases["store: other (DuckDB connect, schema, close)"] = {"s": (t2 - t1) - in_store, "calls": 1}
    stack[-1][1] = max(stack[-1][1], proc_status()["VmHWM"])
    return {
        "load_s": t1 - t0,
        "store_s": t2 - t1,
        "total_s": t2 - t0,
        "base_rss": base_rss,
        "peak_rss": stack[-1][1],
        "phases": phases,
    }


def worker_profile(path: str, top: int) -> dict:
    import cProfile
    import io
    import pstats

    from funnel_analytics.loading import load_export
    from funnel_analytics.store import SnapshotStore, begin_encoding

    prof = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        prof.enable()
        result = load_export(path)
        encoded = begin_encoding(result)
        with SnapshotStore(Path(tmp) / "snapshots.duckdb") as s:
            s.import_result(result, encoded=encoded)
        prof.disable()
    dump = OUT / f"profile_{Path(path).name}.pstats"
    prof.dump_stats(str(dump))
    texts = {}
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        texts[key] = buf.getvalue()
    return {"pstats": str(dump), "text": texts}


def run_worker(
    mode: str, path: Path, extra: list[str] | None = None, timeout: float = 1800
) -> dict:
    busy = wait_idle()
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_worker",
        mode,
        str(path),
        *(extra or []),
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {mode} {path.name} failed:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["cpu_busy_before"] = round(busy, 3)
    return out


# ============================================================================================
# Report
# ============================================================================================
MIB = 2**20


def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "-" if v is None else format(v, spec)


def summarize(case: dict) -> dict:
    runs = case["funnel_runs"]
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    peak = max(r["peak_rss"] for r in runs)
    base = statistics.median(r["base_rss"] for r in runs)
    frame = runs[0]["frame_bytes"]
    s = {
        "load_s": med("load_s"),
        "store_s": med("store_s"),
        "total_s": med("total_s"),
        "total_min_s": min(r["total_s"] for r in runs),
        "cpu_s": med("cpu_s"),
        "cpu_busy_before_max": max(r["cpu_busy_before"] for r in runs),
        "peak_rss": peak,
        "base_rss": base,
        "frame_bytes": frame,
        "peak_over_frame": peak / frame,
        "net_peak_over_frame": (peak - base) / frame,
    }
    b = case.get("baseline")
    if b:
        s["baseline_s"] = b["total_s"]
        s["speedup"] = b["total_s"] / s["total_s"]
        s["speedup_vs_load"] = b["total_s"] / s["load_s"]
    return s


def print_table(cases: list[dict]) -> None:
    head = (
        f"{'file':<28} {'rows':>7} {'valid':>7} {'rej':>5} | {'load':>6} {'store':>6} "
        f"{'total':>6} {'cpu':>6} | {'baseline':>8} {'speedup':>7} | {'peak MiB':>8} {'base':>5} "
        f"{'frame':>6} {'peak/fr':>7} {'net/fr':>6}"
    )
    print()
    print("funnel-analytics (median of runs) vs naive pandas+pandera baseline; seconds, MiB")
    print(head)
    print("-" * len(head))
    for c in cases:
        s, r0 = c["summary"], c["funnel_runs"][0]
        print(
            f"{c['file']:<28} {c['rows']:>7} {r0['rows_valid']:>7} {r0['rows_rejected']:>5} | "
            f"{s['load_s']:>6.2f} {s['store_s']:>6.2f} {s['total_s']:>6.2f} {s['cpu_s']:>6.2f} | "
            f"{_fmt(s.get('baseline_s')):>8} {_fmt(s.get('speedup'), '.1f'):>6}x | "
            f"{s['peak_rss'] / MIB:>8.0f} {s['base_rss'] / MIB:>5.0f} "
            f"{s['frame_bytes'] / MIB:>6.1f} {s['peak_over_frame']:>7.2f} "
            f"{s['net_peak_over_frame']:>6.2f}"
        )
    imp = statistics.median(r["import_s"] for c in cases for r in c["funnel_runs"])
    print(
        "cpu = CPU seconds of the process (all threads); peak = VmHWM of the measuring "
        "subprocess;\nbase = its RSS after imports; net/fr = (peak - base) / frame; "
        f"not included: interpreter start and imports ({imp:.2f} s)"
    )
    busy = [
        (c["file"], c["summary"]["cpu_busy_before_max"])
        for c in cases
        if c["summary"]["cpu_busy_before_max"] > WAIT_IDLE["threshold"]
    ]
    for f, b in busy:
        print(
            f"WARNING: {f}: other processes kept {b:.0%} of the CPUs busy before a run; "
            "wall times are inflated (compare cpu, or rerun with --wait-idle 300)"
        )
    if any(c.get("baseline") for c in cases):
        print()
        print("baseline detail")
        print(
            f"{'file':<28} {'read':>7} {'validate':>8} {'total':>7} {'failing rows':>12} "
            f"{'peak MiB':>8} {'frame MiB':>9}"
        )
        for c in cases:
            b = c.get("baseline")
            if b:
                print(
                    f"{c['file']:<28} {b['read_s']:>7.2f} {b['validate_s']:>8.2f} "
                    f"{b['total_s']:>7.2f} {b['rows_failing']:>12} {b['peak_rss'] / MIB:>8.0f} "
                    f"{b['frame_bytes'] / MIB:>9.1f}"
                )


def print_phases(cases: list[dict]) -> None:
    for c in cases:
        ph = c.get("phases")
        if not ph:
            continue
        print()
        print(
            f"where the time goes: {c['file']} (one instrumented run: load {ph['load_s']:.2f} s"
            f" + store {ph['store_s']:.2f} s; RSS after imports {ph['base_rss'] / MIB:.0f} MiB,"
            f" peak {ph['peak_rss'] / MIB:.0f} MiB)"
        )
        print(
            f"  {'step (exclusive wall time)':<60} {'seconds':>9} {'share':>6} "
            f"{'peak MiB':>9} {'RSS after':>9}"
        )
        for k, v in sorted(ph["phases"].items(), key=lambda kv: -kv[1]["s"]):
            share = v["s"] / ph["total_s"] * 100
            peak = f"{v['peak_rss'] / MIB:>9.0f}" if "peak_rss" in v else f"{'':>9}"
            rss = f"{v['rss_after'] / MIB:>9.0f}" if "rss_after" in v else f"{'':>9}"
            calls = f"  x{v['calls']}" if v["calls"] > 1 else ""
            print(f"  {k:<60} {v['s']:>7.3f} s {share:>5.1f}% {peak} {rss}{calls}")
        print(
            "  (peak MiB = highest RSS while the step ran, nested steps included; "
            "RSS after = when it returned)"
        )


#: Writing 100k rows to the store when issue #13 was filed (0.43-0.49 s): its reference.
STORE_100K_BEFORE_S = 0.46


def check_goals(cases: list[dict]) -> list[dict]:
    goals = []
    for name, kind, rows, limit in TIME_GOALS:
        c = next((c for c in cases if c["kind"] == kind and c["rows"] == rows), None)
        if c is None:
            goals.append({"goal": name, "status": "NOT RUN"})
            continue
        v = c["summary"]["total_s"]
        goals.append(
            {
                "goal": name,
                "value": round(v, 3),
                "limit": limit,
                "status": "PASS" if v <= limit else "MISS",
            }
        )
    for c in cases:
        s = c["summary"]
        goals.append(
            {
                "goal": f"{c['file']}: peak RSS <= {MEMORY_FACTOR:g}x frame",
                "value": round(s["peak_over_frame"], 2),
                "limit": MEMORY_FACTOR,
                "status": "PASS" if s["peak_over_frame"] <= MEMORY_FACTOR else "MISS",
            }
        )
        goals.append(
            {
                "goal": f"{c['file']}: (peak - import baseline) <= {MEMORY_FACTOR:g}x frame",
                "value": round(s["net_peak_over_frame"], 2),
                "limit": MEMORY_FACTOR,
                "status": "PASS" if s["net_peak_over_frame"] <= MEMORY_FACTOR else "MISS",
            }
        )
    # Issue #13: ratios measured in this run (the store against its 2026-11 figure).
    for c in cases:
        s, rows = c["summary"], c["rows"]
        if c["kind"] == "xlsx" and c.get("fastexcel_s"):
            ratio = s["total_s"] / c["fastexcel_s"]
            goals.append(
                {
                    "goal": f"{c['file']}: end to end <= 2.5x a bare fastexcel read "
                    f"({c['fastexcel_s']:.2f} s)",
                    "value": round(ratio, 2),
                    "limit": 2.5,
                    "status": "PASS" if ratio <= 2.5 else "MISS",
                }
            )
        if c["kind"] == "csv" and c.get("baseline"):
            speedup = c["baseline"]["total_s"] / s["total_s"]
            goals.append(
                {
                    "goal": f"{c['file']}: read+map+validate+store >= 2x faster than "
                    f"read_csv + pandera ({c['baseline']['total_s']:.2f} s)",
                    "value": round(speedup, 2),
                    "limit": 2.0,
                    "status": "PASS" if speedup >= 2 else "MISS",
                }
            )
            if c.get("floor"):
                # Not a goal: the least any read + store of this file takes (worker_floor),
                # against the goal's budget, so a MISS above can be read for what it is.
                f, budget = c["floor"], c["baseline"]["total_s"] / 2
                goals.append(
                    {
                        "goal": f"{c['file']}: floor, a bare Arrow read of the CSV "
                        f"({f['read_s']:.2f} s) + the rows as read written to a store "
                        f"({f['store_s']:.2f} s), nothing mapped or checked: "
                        f"{f['total_s']:.2f} s against the goal's budget of {budget:.2f} s "
                        f"(baseline / 2): {f['total_s'] / budget:.2f}x the budget; "
                        f"funnel-analytics {s['total_s']:.2f} s",
                        "floor_over_budget": round(f["total_s"] / budget, 2),
                        "status": "INFO",
                    }
                )
        if c["kind"] == "csv" and c.get("pieces_runs"):
            # Issue #13: imported in pieces within 1 GiB, with the findings, row numbers,
            # notes and stored rows of one piece (fingerprints compared, same run).
            runs = c["pieces_runs"]
            peak = max(r["peak_rss"] for r in runs) / MIB
            one = c["funnel_runs"][0]
            same = all(
                r["digest"] == one["digest"] and r["stored_digest"] == one["stored_digest"]
                for r in runs
            )
            goals.append(
                {
                    "goal": f"{c['file']}: imported in pieces of {PIECE_ROWS:,} rows "
                    f"({runs[0]['pieces']} pieces): peak RSS <= 1 GiB, MiB, and the findings "
                    f"and stored rows of one piece ({'same' if same else 'DIFFERENT'}; "
                    f"{statistics.median(r['total_s'] for r in runs):.2f} s against "
                    f"{s['total_s']:.2f} s and {one['peak_rss'] / MIB:.0f} MiB in one piece)",
                    "value": round(peak),
                    "limit": 1024,
                    "status": "PASS" if peak <= 1024 and same else "MISS",
                }
            )
        if c.get("formatted_runs"):
            # The same rows with formatted amounts and month-name dates: read a column at a
            # time, they cost about what plain cells cost (same findings asked for below).
            runs = c["formatted_runs"]
            shown = statistics.median(r["total_s"] for r in runs)
            ratio = shown / s["total_s"]
            plain = c["funnel_runs"][0]
            same = all(
                (r["rows_valid"], r["rows_rejected"])
                == (plain["rows_valid"], plain["rows_rejected"])
                for r in runs
            )
            goals.append(
                {
                    "goal": f"{c['file']}: the same rows as formatted cells ('543,000.00', "
                    f"'May 26, 2024') within 1.5x of the plain file ({shown:.2f} s against "
                    f"{s['total_s']:.2f} s; {'same' if same else 'DIFFERENT'} valid and "
                    "rejected rows)",
                    "value": round(ratio, 2),
                    "limit": 1.5,
                    "status": "PASS" if ratio <= 1.5 and same else "MISS",
                }
            )
        if rows == 100_000 and c.get("store_then_s"):
            # Against the store write as filed, run on the same load in this run (the
            # machine's pace cancels out); its 2026-11 figure is printed beside it.
            speedup = c["store_then_s"] / s["store_s"]
            goals.append(
                {
                    "goal": f"{c['file']}: store write >= 5x faster than the store as filed, "
                    f"run now ({c['store_then_s']:.2f} s; {STORE_100K_BEFORE_S} s in 2026-11, "
                    f"{STORE_100K_BEFORE_S / s['store_s']:.1f}x)",
                    "value": round(speedup, 2),
                    "limit": 5.0,
                    "status": "PASS" if speedup >= 5 else "MISS",
                }
            )
    print()
    print("goals")
    for g in goals:
        val = "" if "value" not in g else f"  {g['value']} (limit {g['limit']})"
        print(f"  [{g['status']}] {g['goal']}{val}")
    return goals


# ============================================================================================
# Main
# ============================================================================================
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 500_000])
    ap.add_argument("--quick", action="store_true", help="only the 100k-row size")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="funnel-analytics runs per file, each in a fresh process (median)",
    )
    ap.add_argument(
        "--skip-baseline-over",
        type=int,
        default=None,
        metavar="N",
        help="skip the pandas+pandera baseline for files of more than N rows",
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-phases", action="store_true", help="skip the phase breakdown run")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also run cProfile per file (pstats in benchmarks/out/)",
    )
    ap.add_argument("--profile-top", type=int, default=25)
    ap.add_argument("--formats", nargs="+", default=["xlsx", "csv"], choices=["xlsx", "csv"])
    ap.add_argument("--regenerate", action="store_true", help="ignore cached data files")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each measurement wait up to SECONDS for the CPUs to be idle "
        "(other processes using < 25%% of them)",
    )
    ap.add_argument("--_worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--_generate", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_format", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._generate:
        print(json.dumps(generate(args._generate), ensure_ascii=False))
        return 0
    if args._format:
        write_formatted(args._format)
        return 0
    if args._worker:
        mode, path, *rest = args._worker
        if mode == "funnel":
            out = worker_funnel(path)
        elif mode == "baseline":
            out = worker_baseline(path)
        elif mode == "phases":
            out = worker_phases(path)
        elif mode == "fastexcel":
            out = worker_fastexcel(path)
        elif mode == "store_then":
            out = worker_store_then(path)
        elif mode == "floor":
            out = worker_floor(path)
        elif mode == "pieces":
            out = worker_pieces(path, int(rest[0]) if rest else PIECE_ROWS)
        elif mode == "profile":
            out = worker_profile(path, int(rest[0]) if rest else 25)
        else:
            raise SystemExit(f"unknown worker mode {mode}")
        sys.stdout.write("\n" + json.dumps(out, ensure_ascii=False) + "\n")
        return 0

    WAIT_IDLE["seconds"] = args.wait_idle
    env_before = environment(PACKAGES)
    pk, lib = env_before["packages"], env_before["library"]
    print(
        f"pandas {pk.get('pandas')} (strings: {pk.get('string_storage')}), pandera "
        f"{pk.get('pandera')}, fastexcel {pk.get('fastexcel')}, duckdb {pk.get('duckdb')}; "
        f"library code {lib['code_sha1']} at {lib['git_head']}"
        + (
            f" + uncommitted changes in {len(lib['uncommitted_files'])} files"
            if lib["uncommitted_files"]
            else ""
        ),
        flush=True,
    )
    sizes = [100_000] if args.quick else args.rows
    OUT.mkdir(parents=True, exist_ok=True)
    cases: list[dict] = []
    for n in sizes:
        meta = None if args.regenerate else cached_meta(n)
        if meta is None:
            print(f"generating {n} rows (xlsxwriter constant_memory + csv) ...", flush=True)
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--_generate", str(n)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            meta = json.loads(proc.stdout.strip().splitlines()[-1])
            sec = meta["seconds"]
            print(
                f"  done: frame {sec['frame']:.1f} s, xlsx {sec['xlsx']:.1f} s, "
                f"csv {sec['csv']:.1f} s",
                flush=True,
            )
        else:
            print(f"using cached data for {n} rows", flush=True)
        for kind in args.formats:
            path = data_paths(n)[kind]
            case = {
                "file": path.name,
                "kind": kind,
                "rows": n,
                "bytes": path.stat().st_size,
                "bad_rows_generated": meta["bad_rows"],
                "bad_total": meta["bad_total"],
            }
            print(f"{path.name}: funnel-analytics x{args.repeat} ...", end="", flush=True)
            case["funnel_runs"] = [run_worker("funnel", path) for _ in range(args.repeat)]
            print(
                " " + ", ".join(f"{r['total_s']:.2f}s" for r in case["funnel_runs"]),
                end="",
                flush=True,
            )
            skip = args.no_baseline or (
                args.skip_baseline_over is not None and n > args.skip_baseline_over
            )
            if not skip:
                print("; baseline ...", end="", flush=True)
                case["baseline"] = run_worker("baseline", path)
                print(f" {case['baseline']['total_s']:.2f}s", end="", flush=True)
            if kind == "xlsx":
                floors = [run_worker("fastexcel", path) for _ in range(args.repeat)]
                case["fastexcel_s"] = statistics.median(f["total_s"] for f in floors)
            if kind == "csv" and n >= 500_000:
                case["pieces_runs"] = [
                    run_worker("pieces", path, [str(PIECE_ROWS)]) for _ in range(args.repeat)
                ]
                print(
                    "; in pieces " + ", ".join(f"{r['total_s']:.2f}s" for r in case["pieces_runs"]),
                    end="",
                    flush=True,
                )
            if kind == "csv" and n == 100_000:
                # The same rows as formatted cells ("543,000.00", "May 26, 2024").
                shown = data_paths(n)["formatted"]
                if not shown.exists() or shown.stat().st_mtime < path.stat().st_mtime:
                    subprocess.run(
                        [sys.executable, str(Path(__file__).resolve()), "--_format", str(n)],
                        check=True,
                        cwd=ROOT,
                    )
                case["formatted_runs"] = [run_worker("funnel", shown) for _ in range(args.repeat)]
                print(
                    "; formatted cells "
                    + ", ".join(f"{r['total_s']:.2f}s" for r in case["formatted_runs"]),
                    end="",
                    flush=True,
                )
            if n == 100_000:
                then = [run_worker("store_then", path) for _ in range(args.repeat)]
                case["store_then_s"] = statistics.median(r["store_s"] for r in then)
                print(f"; store as filed {case['store_then_s']:.2f}s", end="", flush=True)
            if kind == "csv" and n == 100_000:
                floors = [run_worker("floor", path) for _ in range(args.repeat)]
                case["floor"] = {
                    k: statistics.median(f[k] for f in floors)
                    for k in ("read_s", "store_s", "total_s")
                }
                print(f"; floor {case['floor']['total_s']:.2f}s", end="", flush=True)
            if not args.no_phases:
                case["phases"] = run_worker("phases", path)
            if args.profile:
                case["profile"] = run_worker("profile", path, [str(args.profile_top)])
            print(flush=True)
            case["summary"] = summarize(case)
            cases.append(case)

    print_table(cases)
    print_phases(cases)
    for c in cases:
        if c.get("profile"):
            print()
            print(
                f"cProfile {c['file']} (cProfile overhead inflates Python-heavy code; "
                f"pstats: {c['profile']['pstats']})"
            )
            for key in ("cumulative", "tottime"):
                text = c["profile"]["text"][key]
                body = text[text.find("   ncalls") :]
                print(f"-- sorted by {key}")
                print(body.rstrip())
    goals = check_goals(cases)
    env_after = environment(PACKAGES)
    same = (
        env_after["packages"] == env_before["packages"]
        and env_after["library"]["code_sha1"] == env_before["library"]["code_sha1"]
    )
    if not same:
        print(
            "WARNING: the library or its packages changed while the benchmark ran; "
            "the numbers mix versions (see results.json: environment_before/after)"
        )
    for c in cases:
        if c["funnel_runs"][0]["rows_rejected"] != c["bad_total"]:
            print(
                f"  note: {c['file']}: {c['funnel_runs'][0]['rows_rejected']} rows rejected, "
                f"{c['bad_total']} made bad on purpose"
            )

    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "environment_before": env_before,
        "environment_after": env_after,
        "memory_measure": "VmHWM (peak RSS) from /proc/self/status of a fresh subprocess per "
        "measurement; ru_maxrss recorded alongside",
        "args": {k: v for k, v in vars(args).items() if not k.startswith("_")},
        "cases": cases,
        "goals": goals,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (OUT / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(f"\nresults: {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

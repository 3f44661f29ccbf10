"""Funnel-movement report benchmark: ``build_report`` on 12 monthly snapshots of 1M deals.

Run from the project root::

    .venv/bin/python benchmarks/bench_report.py                   # 12 x 1,000,000 deals (~12M rows)
    .venv/bin/python benchmarks/bench_report.py --quick           # 12 x 100,000 deals
    .venv/bin/python benchmarks/bench_report.py --deals 500000 --months 6 --profile

Goal (the issue): the full report on 12 monthly snapshots of 1,000,000 deals (12M rows) in at
most 10 s and 4 GiB, against a straightforward pandas implementation measured in the same run.

What it does (see benchmarks/README.md, "Funnel movement report", for the figures):

1. Generates seeded canonical observations (numpy, vectorised): about ``--deals`` deals per
   monthly snapshot whose stages random-walk month to month (forward, skip, ~3% backward,
   won, lost, on hold and back), new deals entering each month and closed deals leaving after
   the month they closed. Columns are those of ``LoadResult.observations()``: string ids
   ``D0000001`` and string stage/status/team/owner/source/grade as
   ``pd.StringDtype("pyarrow")``, ``datetime64[ns]`` dates, float amounts. The frame is cached
   as Parquet in ``benchmarks/out/`` (by size, seed and generator version), together with a
   subset of ~1M rows (every k-th deal, whole histories) for the baseline.
2. Measures each case in a fresh subprocess; peak memory is ``VmHWM`` from
   ``/proc/self/status``, reset (``/proc/self/clear_refs``) after the data is loaded, so it is
   the peak *while the report runs*, the loaded frame included:

   - funnel-analytics: ``build_report(observations, DEFAULT_MODEL)``;
   - the same with each part timed (the functions ``build_report`` calls are wrapped from the
     outside; the library is not modified);
   - funnel-analytics on the ~1M-row subset, so the baseline is compared at the same size;
   - the straightforward pandas baseline (``naive_report`` below) on the subset, and on the full
     data too unless its time extrapolated from the subset is over ``--baseline-limit``
     seconds (default 300): then the table says so and shows the extrapolation;
   - with ``--profile``, cProfile of ``build_report`` (top entries printed, pstats kept).

3. Prints a table (rows, seconds, peak MiB, ratio to the baseline) and PASS/MISS for the goals,
   and writes ``benchmarks/out/report_results.json``.

The library measured is frozen at the start (``--library snapshot``, the default: a copy of the
working tree; or ``git:REV``), so edits others make while it runs cannot mix versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from measuring import WAIT_IDLE, environment, proc_status, reset_peak, tree_hash, wait_idle

# Versions recorded with the figures.
PACKAGES = ("pandas", "numpy", "pyarrow", "statsmodels", "pandera")
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = HERE.parent

SEED = 20261130
GENERATOR_VERSION = 1  # bump when the generated content changes: invalidates the cache
FIRST_MONTH_END = "2025-11-30"
SUBSET_ROWS = 1_000_000
GOAL_SECONDS = 10.0
GOAL_MIB = 4096.0
MIB = 2**20

KEYS = ("target", "qualified", "shortlisted", "committed", "near_win", "won")  # six-state
STATUSES = ("open", "won", "lost", "on_hold")
OPEN_, WON_, LOST_, HOLD_ = 0, 1, 2, 3
TEAMS = ("华东大区", "华北大区", "华南大区", "西部大区", "华中大区", "东北大区")
OWNERS_PER_TEAM = 60
SOURCES = ("cold_visit", "follow_up", "penetration", "cultivation", "inbound")
GRADES = ("A", "B", "C", "D")

# The parts of build_report that are timed separately (names in funnel_analytics.report).
PARTS = (
    "stage_history",
    "reached_stage_conversion",
    "transition_matrix",
    "regressions",
    "stage_durations",
    "stalled_deals",
    "pipeline_changes",
    "win_rates",
    "closing_rows",
    "slipped_deals",
    "amount_changes",
    "funnel_counts",
    "current_deals",
    "created_cohort_win_rates",
    "json_records",
)


# ============================================================================================
# Data generation (own subprocess; the parent imports only the standard library)
# ============================================================================================
def data_paths(deals: int, months: int) -> dict[str, Path]:
    stem = f"report_obs_{deals}x{months}_s{SEED}_v{GENERATOR_VERSION}"
    return {
        "full": OUT / f"{stem}.parquet",
        "subset": OUT / f"{stem}_subset.parquet",
        "meta": OUT / f"{stem}.meta.json",
    }


def simulate(deals: int, months: int, seed: int = SEED):
    """Monthly snapshots of about ``deals`` deals as a canonical observations frame."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    month_ends = pd.date_range(FIRST_MONTH_END, periods=months, freq="ME")
    day0 = np.datetime64("1970-01-01", "D")
    snap_days = (month_ends.to_numpy().astype("datetime64[D]") - day0).astype(np.int64)

    # Per-deal attributes that do not change, indexed by deal number (grown as deals arrive).
    static = {"created": [], "team": [], "owner": [], "source": [], "grade": []}

    def new_deals(n: int, m: int, first: bool):
        if first:
            created = snap_days[m] - rng.integers(0, 540, n)
            stage = rng.choice(5, n, p=[0.34, 0.25, 0.18, 0.14, 0.09]).astype(np.int8)
            status = np.where(rng.random(n) < 0.04, HOLD_, OPEN_).astype(np.int8)
            expected = snap_days[m] + rng.integers(-20, 240, n)
        else:
            created = snap_days[m] - rng.integers(0, 28, n)
            stage = rng.choice(3, n, p=[0.7, 0.2, 0.1]).astype(np.int8)
            status = np.zeros(n, dtype=np.int8)
            expected = snap_days[m] + rng.integers(30, 270, n)
        team = rng.integers(0, len(TEAMS), n).astype(np.int16)
        static["created"].append(created)
        static["team"].append(team)
        static["owner"].append(team * OWNERS_PER_TEAM + rng.integers(0, OWNERS_PER_TEAM, n))
        static["source"].append(rng.choice(len(SOURCES), n, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
        static["grade"].append(rng.choice(len(GRADES), n, p=[0.15, 0.35, 0.35, 0.15]))
        amount = np.round(rng.lognormal(12.3, 0.9, n), -3)
        return stage, status, amount, expected.astype(np.int64)

    next_deal = deals
    deal = np.arange(deals, dtype=np.int64)
    stage, status, amount, expected = new_deals(deals, 0, True)
    chunks = []
    # Transition probabilities of an open deal by stage index 0..4 (near_win moves on by winning).
    p_won = np.array([0.002, 0.004, 0.01, 0.04, 0.16])
    p_lost, p_hold = 0.035, 0.015
    p_back = np.array([0.0, 0.03, 0.03, 0.03, 0.03])
    p_fwd = np.array([0.14, 0.13, 0.12, 0.11, 0.0])
    p_skip = np.array([0.02, 0.02, 0.015, 0.0, 0.0])
    for m in range(months):
        if m > 0:
            keep = (status == OPEN_) | (status == HOLD_)  # closed last month: gone from exports
            closed_before = int((~keep).sum())
            deal, stage, status = deal[keep], stage[keep], status[keep]
            amount, expected = amount[keep].copy(), expected[keep].copy()
            n = len(deal)
            u = rng.random(n)
            s = np.minimum(stage, 4)
            c1 = p_won[s]
            c2 = c1 + p_lost
            c3 = c2 + p_hold
            c4 = c3 + p_back[s]
            c5 = c4 + p_fwd[s]
            c6 = c5 + p_skip[s]
            o, h = status == OPEN_, status == HOLD_
            new_stage, new_status = stage.copy(), status.copy()
            won = o & (u < c1)
            lost = o & (u >= c1) & (u < c2)
            hold = o & (u >= c2) & (u < c3)
            back = o & (u >= c3) & (u < c4)
            fwd = o & (u >= c4) & (u < c5)
            skip = o & (u >= c5) & (u < c6)
            new_status[won], new_stage[won] = WON_, 5
            new_status[lost] = LOST_
            new_status[hold] = HOLD_
            drop = np.where(rng.random(n) < 0.8, 1, 2).astype(np.int8)
            new_stage[back] = np.maximum(stage[back] - drop[back], 0)
            new_stage[fwd] = stage[fwd] + 1
            new_stage[skip] = np.minimum(stage[skip] + 2, 4)
            new_status[h & (u < 0.25)] = OPEN_  # resumed
            new_status[h & (u >= 0.25) & (u < 0.31)] = LOST_
            stage, status = new_stage, new_status
            # Amounts: 8% of deals are re-estimated each month.
            ch = rng.random(n) < 0.08
            amount[ch] = np.round(amount[ch] * rng.lognormal(0.0, 0.25, int(ch.sum())), -3)
            # Expected close dates: most overdue open deals get pushed; 4% slip anyway.
            still_open = status == OPEN_
            overdue = still_open & (expected < snap_days[m]) & (rng.random(n) < 0.6)
            expected[overdue] = snap_days[m] + rng.integers(15, 120, int(overdue.sum()))
            slip = still_open & ~overdue & (rng.random(n) < 0.04)
            expected[slip] += rng.integers(30, 90, int(slip.sum()))
            # New deals replace the ones that left (plus ~0.3% growth).
            k = closed_before + int(rng.integers(0, max(1, deals // 150)))
            ns, nst, na, ne = new_deals(k, m, False)
            deal = np.concatenate([deal, np.arange(next_deal, next_deal + k)])
            next_deal += k
            stage = np.concatenate([stage, ns])
            status = np.concatenate([status, nst])
            amount = np.concatenate([amount, na])
            expected = np.concatenate([expected, ne])
        chunks.append(
            (
                deal,
                np.full(len(deal), m, dtype=np.int8),
                stage.copy(),
                status.copy(),
                amount.copy(),
                expected.copy(),
            )
        )

    d_all = np.concatenate([c[0] for c in chunks])
    m_all = np.concatenate([c[1] for c in chunks])
    stage_all = np.concatenate([c[2] for c in chunks])
    status_all = np.concatenate([c[3] for c in chunks])
    amount_all = np.concatenate([c[4] for c in chunks])
    expected_all = np.concatenate([c[5] for c in chunks])
    del chunks
    st = {k: np.concatenate(v) for k, v in static.items()}

    string = pd.StringDtype("pyarrow")
    ids = pc.binary_join_element_wise(
        "D", pc.utf8_lpad(pc.cast(pa.array(np.arange(next_deal)), pa.string()), 7, "0"), ""
    )

    def strings(values, codes) -> pd.Series:
        return pd.Series(pd.array(pa.array(list(values)).take(pa.array(codes)), dtype=string))

    def days_to_ns(days) -> np.ndarray:
        return (day0 + days.astype("timedelta64[D]")).astype("datetime64[ns]")

    owners = [f"{t[:2]}销售{i:02d}" for t in TEAMS for i in range(OWNERS_PER_TEAM)]
    frame = pd.DataFrame(
        {
            "opportunity_id": pd.Series(pd.array(ids.take(pa.array(d_all)), dtype=string)),
            "snapshot_date": month_ends.to_numpy().astype("datetime64[ns]")[m_all],
            "stage": strings(KEYS, stage_all),
            "status": strings(STATUSES, status_all),
            "amount": amount_all.astype("float64"),
            "expected_close_date": days_to_ns(expected_all),
            "created_date": days_to_ns(st["created"][d_all]),
            "team": strings(TEAMS, st["team"][d_all]),
            "owner": strings(owners, st["owner"][d_all]),
            "source": strings(SOURCES, st["source"][d_all]),
            "grade": strings(GRADES, st["grade"][d_all]),
        }
    )
    return frame, d_all, next_deal


def generate(deals: int, months: int) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    frame, deal_no, n_deals = simulate(deals, months)
    t1 = time.perf_counter()
    paths = data_paths(deals, months)
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), paths["full"], compression="zstd"
    )
    every = max(1, round(len(frame) / SUBSET_ROWS))
    subset = frame[(deal_no % every) == 0].reset_index(drop=True)
    if every > 1:  # else the baseline runs on the full data
        pq.write_table(
            pa.Table.from_pandas(subset, preserve_index=False), paths["subset"], compression="zstd"
        )
    per_snapshot = frame.groupby("snapshot_date").size()
    meta = {
        "deals_arg": deals,
        "months": months,
        "seed": SEED,
        "generator_version": GENERATOR_VERSION,
        "rows": len(frame),
        "distinct_deals": int(n_deals),
        "rows_per_snapshot": {"min": int(per_snapshot.min()), "max": int(per_snapshot.max())},
        "status_share": {
            k: round(float(v), 4) for k, v in frame["status"].value_counts(normalize=True).items()
        },
        "frame_mib": float(frame.memory_usage(deep=True).sum() / MIB),
        "subset_every_kth_deal": every,
        "subset_rows": len(subset),
        "subset_deals": int(np.unique(deal_no[(deal_no % every) == 0]).size),
        "seconds": {"simulate": t1 - t0, "write": time.perf_counter() - t1},
    }
    paths["meta"].write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


def cached_meta(deals: int, months: int) -> dict | None:
    p = data_paths(deals, months)
    if not (p["meta"].exists() and p["full"].exists()):
        return None
    meta = json.loads(p["meta"].read_text(encoding="utf-8"))
    if meta.get("subset_every_kth_deal", 1) > 1 and not p["subset"].exists():
        return None
    if meta.get("generator_version") != GENERATOR_VERSION or meta.get("seed") != SEED:
        return None
    return meta


# ============================================================================================
# Measurement helpers (run inside the worker subprocesses)
# ============================================================================================


def _load(path: str):
    """The cached observations, as the library's loader would hand them over."""
    import gc

    import pandas as pd
    import pyarrow as pa

    obs = pd.read_parquet(path)
    string = pd.StringDtype("pyarrow")
    for col in obs.columns:
        if obs[col].dtype != string and (
            obs[col].dtype == object or isinstance(obs[col].dtype, pd.StringDtype)
        ):
            obs[col] = obs[col].astype(string)
    gc.collect()
    pa.default_memory_pool().release_unused()
    return obs


def _checks_from_report(report) -> dict:
    """Numbers both implementations compute, to show the baseline does the same work."""
    t = report.tables
    steps = t["pipeline_changes"].set_index("step")
    win = t["win_rate"].iloc[0] if len(t["win_rate"]) else None
    dur = t["time_in_stage"].set_index("stage")
    return {
        "deals": int(report.data["deals"]),
        "funnel_open": [int(v) for v in t["funnel"]["open_count"]],
        "reached": [int(v) for v in t["conversion"]["reached_count"]],
        "won_by_reached": [int(v) for v in t["conversion"]["won_count"]],
        "moves": int(t["transitions"].drop(columns=t["transitions"].columns[0]).to_numpy().sum()),
        "backward": len(t["regressions"]),
        "waterfall_count": {k: int(v) for k, v in steps["count"].items()},
        "waterfall_amount_end": float(steps.loc["end", "amount"]),
        "closed_in_period": int(win["closed"]) if win is not None else 0,
        "won_in_period": int(win["won"]) if win is not None else 0,
        "slipped_deals": len(t["slipped"]),
        "stays": [int(v) for v in dur["n"]],
        "median_days": [None if v != v else float(v) for v in dur["median_days"]],
        "stalled": len(t["stalled"]),
    }


def worker_funnel(path: str) -> dict:
    ti = time.perf_counter()
    from funnel_analytics.report import build_report
    from funnel_analytics.stages import DEFAULT_MODEL

    import_s = time.perf_counter() - ti
    base_rss = proc_status()["VmRSS"]
    tl = time.perf_counter()
    obs = _load(path)
    load_s = time.perf_counter() - tl
    frame = int(obs.memory_usage(deep=True).sum())
    loaded_rss = proc_status()["VmRSS"]
    reset_ok = reset_peak()
    c0, t0 = time.process_time(), time.perf_counter()
    report = build_report(obs, DEFAULT_MODEL)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    st = proc_status()
    json_s = time.perf_counter()
    json.dumps(report.data, ensure_ascii=False)
    json_s = time.perf_counter() - json_s
    import funnel_analytics

    return {
        "rows": len(obs),
        "total_s": total,
        "cpu_s": cpu,
        "json_dumps_s": json_s,
        "library_file": funnel_analytics.__file__,
        "import_s": import_s,
        "load_s": load_s,
        "base_rss": base_rss,
        "loaded_rss": loaded_rss,
        "peak_rss": st["VmHWM"],
        "peak_reset": reset_ok,
        "frame_bytes": frame,
        "checks": _checks_from_report(report),
        "table_rows": {k: len(v) for k, v in report.tables.items()},
    }


def worker_parts(path: str) -> dict:
    """Wall time and peak RSS of each part of build_report (exclusive of nested parts)."""
    import functools

    from funnel_analytics import history, report
    from funnel_analytics.stages import DEFAULT_MODEL

    acc: dict[str, float] = {}
    calls: dict[str, int] = {}
    peaks: dict[str, int] = {}
    stack: list[list[float]] = [[0.0, 0]]  # per open call: [seconds in wrapped callees, peak]

    def wrap(owner, attr: str, label: str) -> None:
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
                nested, peak = stack.pop()
                peak = max(peak, proc_status()["VmHWM"])
                stack[-1][0] += inclusive
                stack[-1][1] = max(stack[-1][1], peak)
                acc[label] = acc.get(label, 0.0) + inclusive - nested
                calls[label] = calls.get(label, 0) + 1
                peaks[label] = max(peaks.get(label, 0), peak)

        setattr(owner, attr, timed)

    for name in PARTS:
        if hasattr(report, name):  # versions differ in their helpers
            wrap(report, name, name)
    # Inside stage_history (looked up in history's globals).
    wrap(history, "_deal_summary", "stage_history: _deal_summary")
    wrap(history, "_kind", "stage_history: _kind")

    obs = _load(path)
    base_rss = proc_status()["VmRSS"]
    reset_peak()
    t0 = time.perf_counter()
    report.build_report(obs, DEFAULT_MODEL)
    total = time.perf_counter() - t0
    stack[-1][1] = max(stack[-1][1], proc_status()["VmHWM"])
    parts = {k: {"s": v, "calls": calls[k], "peak_rss": peaks[k]} for k, v in acc.items()}
    parts["build_report: rest (date filter, merges, dict assembly)"] = {
        "s": total - stack[-1][0],
        "calls": 1,
    }
    return {
        "rows": len(obs),
        "total_s": total,
        "loaded_rss": base_rss,
        "peak_rss": stack[-1][1],
        "parts": parts,
    }


def worker_profile(path: str, top: int) -> dict:
    import cProfile
    import io
    import pstats

    from funnel_analytics.report import build_report
    from funnel_analytics.stages import DEFAULT_MODEL

    obs = _load(path)
    prof = cProfile.Profile()
    prof.enable()
    build_report(obs, DEFAULT_MODEL)
    prof.disable()
    dump = OUT / f"profile_report_{Path(path).stem}.pstats"
    prof.dump_stats(str(dump))
    texts = {}
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        texts[key] = buf.getvalue()
    return {"pstats": str(dump), "text": texts}


# ============================================================================================
# The straightforward pandas baseline
# ============================================================================================
def _kind_of(prev_idx: float, idx: float, prev_status: str, status: str) -> str:
    if status in ("won", "lost", "on_hold"):
        return status
    if prev_status in ("won", "lost"):
        return "reopened"
    if idx == idx and prev_idx == prev_idx:
        if idx - prev_idx == 1:
            return "forward"
        if idx - prev_idx > 1:
            return "skip"
        if idx < prev_idx:
            return "backward"
        if prev_status == "on_hold":
            return "resumed"
    return "forward"


def naive_report(obs):
    """The same main outputs as build_report, computed the obvious pandas way.

    Per deal ``groupby().apply`` for the furthest stage, outcome and moves; crosstab for the
    transitions; a per-stage loop for time in stage over *finished* stays (median, P75, P80,
    no survival analysis); an outer merge of the two latest snapshots for the waterfall;
    groupby/shift for slippage; groupby for the win rates and the funnel.
    """
    import numpy as np
    import pandas as pd

    ID, DATE = "opportunity_id", "snapshot_date"
    order = {k: float(i) for i, k in enumerate(KEYS)}
    dates = sorted(obs[DATE].dropna().unique())
    as_of, previous = pd.Timestamp(dates[-1]), pd.Timestamp(dates[-2])
    df = obs[[ID, DATE, "stage", "status"]].copy()
    df["idx"] = df["stage"].map(order).astype("float64")
    df = df.sort_values([ID, DATE])

    # 1. Per deal: furthest stage, final status, moves.
    def per_deal(g: pd.DataFrame) -> pd.Series:
        idx, st = g["idx"].tolist(), g["status"].tolist()
        d, stage = g[DATE].tolist(), g["stage"].tolist()
        known = [i for i in idx if i == i]
        moves = []
        for i in range(1, len(idx)):
            same_stage = idx[i] == idx[i - 1] or (idx[i] != idx[i] and idx[i - 1] != idx[i - 1])
            if same_stage and st[i] == st[i - 1]:
                continue
            moves.append(
                (
                    d[i],
                    stage[i - 1],
                    stage[i],
                    st[i - 1],
                    st[i],
                    _kind_of(idx[i - 1], idx[i], st[i - 1], st[i]),
                )
            )
        return pd.Series(
            {"furthest": max(known) if known else np.nan, "status": st[-1], "moves": moves}
        )

    deals = df.groupby(ID, sort=True)[[DATE, "stage", "status", "idx"]].apply(per_deal)
    mv = deals["moves"].explode().dropna()
    moves = (
        pd.DataFrame(
            mv.tolist(),
            index=mv.index,
            columns=["date", "from_stage", "to_stage", "from_status", "to_status", "kind"],
        )
        .rename_axis(ID)
        .reset_index()
    )

    # 2. Reached-stage conversion.
    conv = []
    for k, key in enumerate(KEYS):
        reached = deals["furthest"] >= k
        conv.append(
            {
                "stage": key,
                "reached_count": int(reached.sum()),
                "closed_count": int((reached & deals["status"].isin(["won", "lost"])).sum()),
                "won_count": int((reached & (deals["status"] == "won")).sum()),
            }
        )
    conv = pd.DataFrame(conv)
    conv["win_rate"] = conv["won_count"] / conv["closed_count"]

    # 3. Transitions and regressions.
    tm = moves[moves["kind"] != "resumed"].copy()
    tm["to"] = np.where(tm["kind"].isin(["won", "lost", "on_hold"]), tm["kind"], tm["to_stage"])
    transitions = pd.crosstab(tm["from_stage"].fillna("unknown"), tm["to"])
    back = moves[moves["kind"] == "backward"]
    exits = moves[moves["kind"].isin(["forward", "skip", "backward", "won", "lost"])]
    reg = pd.DataFrame(
        {"exits": exits.groupby("from_stage").size(), "backward": back.groupby("from_stage").size()}
    ).fillna(0)
    reg["regression_rate"] = reg["backward"] / reg["exits"]

    # 4. Time in stage (finished stays only) and stalled deals: a loop over the stages.
    df["prev_idx"] = df.groupby(ID)["idx"].shift(1)
    df["next_date"] = df.groupby(ID)[DATE].shift(-1)
    df["next_idx"] = df.groupby(ID)["idx"].shift(-1)
    df["next_status"] = df.groupby(ID)["status"].shift(-1)
    final_status = deals["status"]
    durations, stalled = [], []
    for k, key in enumerate(KEYS[:-1]):
        at = df[(df["idx"] == k) & df["status"].isin(["open", "on_hold"])].copy()
        # A stay starts where the deal enters the stage and ends at the first later
        # observation in another stage or closed.
        at["entered"] = at[DATE].where(at["prev_idx"] != k)
        at["entered"] = at.groupby(ID)["entered"].ffill()
        ends = at[
            at["next_date"].isna() | (at["next_idx"] != k) | at["next_status"].isin(["won", "lost"])
        ]
        stays = ends
        finished = stays[stays["next_date"].notna()]
        days = (finished["next_date"] - finished["entered"]).dt.days
        p = days.quantile([0.5, 0.75, 0.8]) if len(days) else pd.Series([np.nan] * 3)
        durations.append(
            {
                "stage": key,
                "n": len(stays),
                "censored": len(stays) - len(finished),
                "median_days": float(p.iloc[0]),
                "p75_days": float(p.iloc[1]),
                "p80_days": float(p.iloc[2]),
            }
        )
        current = stays[
            stays["next_date"].isna()
            & (stays[DATE] == as_of)
            & (stays[ID].map(final_status) == "open")
        ]
        in_stage = (as_of - current["entered"]).dt.days
        stalled.append(current.assign(days_in_stage=in_stage)[in_stage > p.iloc[2]])
    durations = pd.DataFrame(durations)
    stalled = pd.concat(stalled).sort_values("days_in_stage", ascending=False)

    # 5. Pipeline changes: outer merge of the two latest snapshots.
    cols = [ID, "status", "amount"]
    a = obs.loc[obs[DATE] == previous, cols]
    b = obs.loc[obs[DATE] == as_of, cols]
    w = a.merge(b, on=ID, how="outer", suffixes=("_a", "_b"))
    open_a, open_b = w["status_a"] == "open", w["status_b"] == "open"
    w = w[(open_a | open_b).fillna(False)].copy()
    open_a = (w["status_a"] == "open").fillna(False).to_numpy(bool)
    open_b = (w["status_b"] == "open").fillna(False).to_numpy(bool)
    seen = w[ID].isin(obs.loc[obs[DATE] < as_of, ID]).to_numpy(bool)
    delta = (w["amount_b"].fillna(0) - w["amount_a"].fillna(0)).to_numpy()
    w["step"] = np.select(
        [
            open_a & open_b & (delta > 0),
            open_a & open_b & (delta < 0),
            open_a & open_b,
            open_b & seen,
            open_b,
            (w["status_b"] == "won").fillna(False).to_numpy(bool),
            (w["status_b"] == "lost").fillna(False).to_numpy(bool),
        ],
        ["increased", "decreased", "unchanged", "moved_in", "new", "won", "lost"],
        default="moved_out",
    )
    w["delta"] = delta
    steps = w.groupby("step").agg(
        count=(ID, "size"),
        amount_a=("amount_a", "sum"),
        amount_b=("amount_b", "sum"),
        delta=("delta", "sum"),
    )
    waterfall = {"start": int(open_a.sum()), "end": int(open_b.sum())}
    waterfall.update(
        {s: int(steps["count"].get(s, 0)) for s in ("new", "moved_in", "won", "lost", "moved_out")}
    )
    waterfall["increased"] = waterfall["decreased"] = 0
    end_amount = float(w.loc[open_b, "amount_b"].sum())

    # 6. Win rates of the deals closed in (previous, as_of], overall and by team/owner/...
    closing = moves[moves["kind"].isin(["won", "lost"])].drop_duplicates(ID, keep="last")
    closing = closing[(closing["date"] > previous) & (closing["date"] <= as_of)]
    at_close = obs[[ID, DATE, "amount", "team", "owner", "source", "grade"]].merge(
        closing[[ID, "date", "kind"]], left_on=[ID, DATE], right_on=[ID, "date"]
    )
    at_close["won"] = at_close["kind"] == "won"
    at_close["won_amount"] = at_close["amount"].where(at_close["won"], 0.0)
    win_rates = {}
    for by in (None, "team", "owner", "source", "grade"):
        g = at_close.groupby(by) if by else at_close.groupby(np.zeros(len(at_close)))
        t = g.agg(
            closed=("won", "size"),
            won=("won", "sum"),
            closed_amount=("amount", "sum"),
            won_amount=("won_amount", "sum"),
        )
        t["win_rate"] = t["won"] / t["closed"]
        win_rates[by or "all"] = t

    # 7. Slipped deals.
    s = obs[[ID, DATE, "expected_close_date"]].dropna().sort_values([ID, DATE])
    prev = s.groupby(ID)["expected_close_date"].shift()
    later = (s["expected_close_date"].dt.to_period("M") > prev.dt.to_period("M")).fillna(False)
    pushes = s[later].assign(days=(s["expected_close_date"] - prev)[later].dt.days)
    slipped = pushes.groupby(ID).agg(pushes=("days", "size"), days_slipped=("days", "sum"))

    # 8. The funnel of the latest snapshot.
    snap = obs[(obs[DATE] == as_of) & obs["status"].isin(["open", "won"])]
    funnel = (
        snap.groupby("stage")
        .agg(count=(ID, "size"), amount=("amount", "sum"))
        .reindex(list(KEYS), fill_value=0)
    )

    return {
        "deals": len(deals),
        "funnel_open": [int(v) for v in funnel["count"]],
        "reached": [int(v) for v in conv["reached_count"]],
        "won_by_reached": [int(v) for v in conv["won_count"]],
        "moves": int(transitions.to_numpy().sum()),
        "backward": len(back),
        "regression_rate": [float(reg["regression_rate"].get(k, np.nan)) for k in KEYS[:-1]],
        "waterfall_count": waterfall,
        "waterfall_amount_end": end_amount,
        "closed_in_period": int(win_rates["all"]["closed"].sum()),
        "won_in_period": int(win_rates["all"]["won"].sum()),
        "slipped_deals": len(slipped),
        "stays": [int(v) for v in durations["n"]],
        "median_days": [None if v != v else float(v) for v in durations["median_days"]],
        "stalled": len(stalled),
    }


def worker_baseline(path: str) -> dict:
    import numpy  # noqa: F401  (imports outside the timing, like the library's worker)
    import pandas  # noqa: F401

    base_rss = proc_status()["VmRSS"]
    obs = _load(path)
    loaded_rss = proc_status()["VmRSS"]
    reset_ok = reset_peak()
    c0, t0 = time.process_time(), time.perf_counter()
    checks = naive_report(obs)
    total = time.perf_counter() - t0
    return {
        "rows": len(obs),
        "total_s": total,
        "cpu_s": time.process_time() - c0,
        "base_rss": base_rss,
        "loaded_rss": loaded_rss,
        "peak_rss": proc_status()["VmHWM"],
        "peak_reset": reset_ok,
        "frame_bytes": int(obs.memory_usage(deep=True).sum()),
        "checks": checks,
    }


# ============================================================================================
# Parent: run the workers, print, check goals, write JSON
# ============================================================================================
def run_worker(
    mode: str, path: Path, extra: list[str] | None = None, timeout: float = 7200
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
    if LIBRARY["dir"]:
        env["PYTHONPATH"] = os.pathsep.join(
            [LIBRARY["dir"], *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {mode} {path.name} failed:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["cpu_busy_before"] = round(busy, 3)
    out["process_wall_s"] = time.perf_counter() - t
    return out


LIBRARY: dict = {"spec": "live", "dir": None}


def prepare_library(spec: str) -> dict:
    """Freeze the library version to measure, so edits made while the benchmark runs (others
    work in the same tree) cannot mix versions between the measurements.

    ``snapshot`` copies the working tree's ``funnel_analytics/`` (uncommitted edits included)
    to ``benchmarks/out/lib/``; ``git:REV`` extracts it from a commit (``git archive``, which
    touches neither the working tree nor the index); ``live`` imports the installed tree as it
    is at each measurement. Workers get the copy first on ``PYTHONPATH``.
    """
    import shutil

    if spec == "live":
        return {"spec": spec, "dir": None, "code_sha1": tree_hash(ROOT / "funnel_analytics")}
    if spec == "snapshot":
        tmp = OUT / "lib" / "_copying"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(
            ROOT / "funnel_analytics",
            tmp / "funnel_analytics",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        digest = tree_hash(tmp / "funnel_analytics")
        dest = OUT / "lib" / f"worktree-{digest}"
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
        return {"spec": spec, "dir": str(dest), "code_sha1": digest}
    if spec.startswith("git:"):
        rev = subprocess.run(
            ["git", "rev-parse", "--short", spec[4:]],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout.strip()
        dest = OUT / "lib" / f"git-{rev}"
        if not (dest / "funnel_analytics").exists():
            dest.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(
                ["git", "archive", rev, "funnel_analytics"],
                capture_output=True,
                cwd=ROOT,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        return {
            "spec": spec,
            "dir": str(dest),
            "commit": rev,
            "code_sha1": tree_hash(dest / "funnel_analytics"),
        }
    raise SystemExit(f"--library: expected snapshot, live or git:REV, not {spec!r}")


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["total_s"])[len(runs) // 2]


def compare_checks(fa: dict, base: dict) -> list[tuple[str, object, object, bool]]:
    """Which outputs agree between the library and the baseline (same data)."""
    rows = []
    exact = (
        "deals",
        "funnel_open",
        "reached",
        "won_by_reached",
        "moves",
        "backward",
        "closed_in_period",
        "won_in_period",
        "slipped_deals",
        "stays",
    )
    for k in exact:
        rows.append((k, fa[k], base[k], fa[k] == base[k]))
    for step in ("start", "new", "moved_in", "won", "lost", "moved_out", "end"):
        a, b = fa["waterfall_count"].get(step), base["waterfall_count"].get(step)
        rows.append((f"waterfall {step}", a, b, a == b))
    a, b = fa["waterfall_amount_end"], base["waterfall_amount_end"]
    rows.append(("waterfall end amount", round(a), round(b), abs(a - b) <= 1e-6 * max(1, abs(a))))
    # Not expected to agree: Kaplan-Meier (library) vs finished stays only (baseline).
    rows.append(("median days (KM vs finished only)", fa["median_days"], base["median_days"], None))
    rows.append(("stalled deals (KM P80 vs finished P80)", fa["stalled"], base["stalled"], None))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deals", type=int, default=1_000_000, help="deals per snapshot (about)")
    ap.add_argument("--months", type=int, default=12, help="monthly snapshots")
    ap.add_argument("--quick", action="store_true", help="100,000 deals")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="funnel-analytics runs on the full data, each a fresh process (median)",
    )
    ap.add_argument(
        "--baseline-limit",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="run the baseline on the full data only if its time extrapolated "
        "from the ~1M-row subset is at most this (default 300)",
    )
    ap.add_argument(
        "--baseline-full", action="store_true", help="always run the baseline on the full data too"
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-parts", action="store_true", help="skip the per-part timing run")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile build_report on the full data (pstats in benchmarks/out/)",
    )
    ap.add_argument("--profile-top", type=int, default=30)
    ap.add_argument("--regenerate", action="store_true", help="ignore the cached data")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each measurement wait up to SECONDS for the CPUs to be idle "
        "(other processes using < 25%% of them)",
    )
    ap.add_argument(
        "--library",
        default="snapshot",
        metavar="snapshot|live|git:REV",
        help="which funnel_analytics to measure: a copy of the working tree taken "
        "at the start (default), the live tree, or a commit (git:HEAD)",
    )
    ap.add_argument("--_worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--_generate", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._generate:
        print(json.dumps(generate(*args._generate), ensure_ascii=False))
        return 0
    if args._worker:
        mode, path, *rest = args._worker
        fn = {"funnel": worker_funnel, "parts": worker_parts, "baseline": worker_baseline}
        if mode == "profile":
            out = worker_profile(path, int(rest[0]) if rest else 30)
        else:
            out = fn[mode](path)
        sys.stdout.write("\n" + json.dumps(out, ensure_ascii=False) + "\n")
        return 0

    WAIT_IDLE["seconds"] = args.wait_idle
    LIBRARY.update(prepare_library(args.library))
    deals = 100_000 if args.quick else args.deals
    months = args.months
    env_before = environment(PACKAGES)
    pk, lib = env_before["packages"], env_before["library"]
    print(
        f"pandas {pk.get('pandas')} (strings: {pk.get('string_storage')}), numpy "
        f"{pk.get('numpy')}, pyarrow {pk.get('pyarrow')}, statsmodels {pk.get('statsmodels')}; "
        f"working tree {lib['code_sha1']} at {lib['git_head']}"
        + (
            f" + uncommitted changes in {len(lib['uncommitted_files'])} files"
            if lib["uncommitted_files"]
            else ""
        ),
        flush=True,
    )
    print(
        f"measuring funnel_analytics: {LIBRARY['spec']}, code {LIBRARY['code_sha1']}"
        + (
            f" (frozen copy in {LIBRARY['dir']})"
            if LIBRARY["dir"]
            else " (live tree: edits during the run would mix versions)"
        ),
        flush=True,
    )

    OUT.mkdir(parents=True, exist_ok=True)
    meta = None if args.regenerate else cached_meta(deals, months)
    if meta is None:
        print(f"generating {months} snapshots of ~{deals:,} deals ...", end="", flush=True)
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--_generate", str(deals), str(months)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        meta = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f" {meta['seconds']['simulate']:.1f} s (+{meta['seconds']['write']:.1f} s Parquet)",
            flush=True,
        )
    else:
        print("using cached data", flush=True)
    paths = data_paths(deals, months)
    print(
        f"data: {meta['rows']:,} rows, {meta['distinct_deals']:,} distinct deals, "
        f"{meta['rows_per_snapshot']['min']:,}-{meta['rows_per_snapshot']['max']:,} per "
        f"snapshot, frame {meta['frame_mib']:.0f} MiB; subset for the baseline: "
        + (
            f"every {meta['subset_every_kth_deal']}th deal = {meta['subset_rows']:,} rows"
            if meta["subset_every_kth_deal"] > 1
            else "the full data (small enough)"
        ),
        flush=True,
    )

    res: dict = {"data": meta}
    print(f"funnel-analytics build_report, full data x{args.repeat} ...", end="", flush=True)
    res["funnel_full"] = [run_worker("funnel", paths["full"]) for _ in range(args.repeat)]
    print(" " + ", ".join(f"{r['total_s']:.2f}s" for r in res["funnel_full"]), flush=True)
    if not args.no_parts:
        print("funnel-analytics, parts timed ...", end="", flush=True)
        res["parts"] = run_worker("parts", paths["full"])
        print(f" {res['parts']['total_s']:.2f}s", flush=True)
    same_size = meta["subset_every_kth_deal"] == 1
    subset_path = paths["full"] if same_size else paths["subset"]
    if not args.no_baseline:
        if not same_size:
            print("funnel-analytics build_report, subset ...", end="", flush=True)
            res["funnel_subset"] = run_worker("funnel", paths["subset"])
            print(f" {res['funnel_subset']['total_s']:.2f}s", flush=True)
        else:
            res["funnel_subset"] = _median_run(res["funnel_full"])
        print(f"pandas baseline{'' if same_size else ', subset'} ...", end="", flush=True)
        res["baseline_subset"] = run_worker("baseline", subset_path)
        sub = res["baseline_subset"]
        print(f" {sub['total_s']:.2f}s", flush=True)
        estimate = sub["total_s"] * meta["rows"] / sub["rows"]
        res["baseline_full_estimate_s"] = estimate
        if same_size:
            res["baseline_full"] = sub
        elif args.baseline_full or estimate <= args.baseline_limit:
            print(
                f"pandas baseline, full data (estimated {estimate:.0f} s) ...", end="", flush=True
            )
            res["baseline_full"] = run_worker("baseline", paths["full"])
            print(f" {res['baseline_full']['total_s']:.2f}s", flush=True)
        else:
            print(
                f"pandas baseline on the full data NOT run: extrapolated from the subset it "
                f"would take ~{estimate:.0f} s (> {args.baseline_limit:.0f} s limit)",
                flush=True,
            )
    if args.profile:
        print("cProfile of build_report, full data ...", flush=True)
        res["profile"] = run_worker("profile", paths["full"], [str(args.profile_top)])

    # ---- table
    full = _median_run(res["funnel_full"])
    table = []

    def row(label, r, base, estimated=False):
        ratio = (base["total_s"] / r["total_s"]) if (base and r) else None
        table.append(
            {
                "label": label,
                "rows": r["rows"],
                "seconds": r["total_s"],
                "peak_mib": r["peak_rss"] / MIB if r.get("peak_rss") else None,
                "net_mib": (r["peak_rss"] - r["loaded_rss"]) / MIB
                if r.get("peak_rss") and r.get("loaded_rss")
                else None,
                "baseline_ratio": ratio,
                "estimated": estimated,
            }
        )

    bfull = res.get("baseline_full")
    est = (
        None
        if bfull or "baseline_subset" not in res
        else {"rows": meta["rows"], "total_s": res["baseline_full_estimate_s"]}
    )
    row("funnel-analytics build_report", full, bfull or est)
    if "baseline_subset" in res and not same_size:
        row("funnel-analytics build_report (subset)", res["funnel_subset"], res["baseline_subset"])
        row("pandas baseline (subset)", res["baseline_subset"], res["baseline_subset"])
    if bfull:
        row("pandas baseline", bfull, bfull)
    elif est:
        table.append(
            {
                "label": "pandas baseline (NOT RUN: extrapolated x rows)",
                "rows": meta["rows"],
                "seconds": est["total_s"],
                "peak_mib": None,
                "net_mib": None,
                "baseline_ratio": 1.0,
                "estimated": True,
            }
        )
    res["table"] = table
    print()
    print(
        f"{'':48} {'rows':>11} {'seconds':>9} {'peak MiB':>9} {'net MiB':>8} {'baseline/this':>13}"
    )
    for t in table:
        sec = (
            f"~{t['seconds']:.0f}"
            if t["estimated"] and "NOT RUN" in t["label"]
            else f"{t['seconds']:.2f}"
        )
        ratio = (
            ""
            if t["baseline_ratio"] is None
            else (f"{'~' if (est and t is table[0]) else ''}{t['baseline_ratio']:.1f}x")
        )
        peak = "" if t["peak_mib"] is None else f"{t['peak_mib']:.0f}"
        net = "" if t["net_mib"] is None else f"{t['net_mib']:.0f}"
        print(f"{t['label']:48} {t['rows']:>11,} {sec:>9} {peak:>9} {net:>8} {ratio:>13}")
    print(
        f"peak = VmHWM of the measuring process, reset after loading the data, so it includes "
        f"the loaded data; net = peak - RSS once the data is loaded; the loaded frame ({full['frame_bytes'] / MIB:.0f} MiB; RSS {full['loaded_rss'] / MIB:.0f} "
        f"MiB once loaded, {full['base_rss'] / MIB:.0f} MiB after imports); cpu "
        f"{full['cpu_s']:.2f} s; json.dumps(report.data) {full['json_dumps_s']:.2f} s (not "
        f"included); CPU busy before the run {full['cpu_busy_before']:.0%}"
    )
    if len(res["funnel_full"]) > 1:
        print(
            "runs: "
            + ", ".join(
                f"{r['total_s']:.2f}s/{r['peak_rss'] / MIB:.0f}MiB" for r in res["funnel_full"]
            )
        )

    if "parts" in res:
        parts = res["parts"]
        print()
        print(
            f"where the time goes (one instrumented run, {parts['total_s']:.2f} s; exclusive "
            f"of nested parts; peak = VmHWM while the part ran)"
        )
        for name, p in sorted(parts["parts"].items(), key=lambda kv: -kv[1]["s"]):
            pk_ = f"{p['peak_rss'] / MIB:8.0f}" if p.get("peak_rss") else " " * 8
            share = p["s"] / parts["total_s"]
            print(f"  {name:58} {p['s']:7.2f} s {share:6.1%} x{p['calls']:<2} {pk_} MiB")

    if "baseline_subset" in res:
        print()
        print(
            f"same outputs? funnel-analytics vs baseline on the subset "
            f"({res['baseline_subset']['rows']:,} rows)"
        )
        res["comparison"] = []
        for name, a, b, ok in compare_checks(
            res["funnel_subset"]["checks"], res["baseline_subset"]["checks"]
        ):
            mark = "same" if ok else ("DIFF" if ok is False else "n/a ")
            res["comparison"].append(
                {"output": name, "funnel_analytics": a, "baseline": b, "agree": ok}
            )
            print(f"  [{mark}] {name}: {a}" + ("" if ok else f" | baseline {b}"))

    if res.get("profile"):
        print()
        print(f"cProfile (overhead inflates Python-heavy code; pstats: {res['profile']['pstats']})")
        for key in ("cumulative", "tottime"):
            text = res["profile"]["text"][key]
            print(f"-- sorted by {key}")
            print(text[text.find("   ncalls") :].rstrip())

    big = meta["rows"] >= 12_000_000
    goals = [
        {
            "goal": f"build_report on {meta['rows']:,} rows <= {GOAL_SECONDS:.0f} s",
            "value": full["total_s"],
            "limit": GOAL_SECONDS,
        },
        {
            "goal": f"build_report on {meta['rows']:,} rows: peak RSS <= {GOAL_MIB / 1024:.0f} GiB "
            f"(MiB)",
            "value": full["peak_rss"] / MIB,
            "limit": GOAL_MIB,
        },
    ]
    print()
    print("goals" + ("" if big else " (the goal is stated for 12M rows; this run is smaller)"))
    for g in goals:
        g["status"] = "PASS" if g["value"] <= g["limit"] else "MISS"
        print(f"  [{g['status']}] {g['goal']}  {g['value']:.2f} (limit {g['limit']:g})")

    env_after = environment(PACKAGES)
    if env_after["packages"] != env_before["packages"] or (
        LIBRARY["dir"] is None
        and env_after["library"]["code_sha1"] != env_before["library"]["code_sha1"]
    ):
        print(
            "WARNING: the library or its packages changed while the benchmark ran; the numbers "
            "mix versions (see report_results.json: environment_before/after)"
        )
    elif env_after["library"]["code_sha1"] != env_before["library"]["code_sha1"]:
        print(
            f"note: the working tree changed during the run; the measured copy "
            f"({LIBRARY['code_sha1']}) did not"
        )
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "environment_before": env_before,
        "environment_after": env_after,
        "memory_measure": "VmHWM from /proc/self/status of a fresh subprocess per measurement, "
        "reset via /proc/self/clear_refs after the data is loaded (so it "
        "includes the loaded frame)",
        "args": {k: v for k, v in vars(args).items() if not k.startswith("_")},
        "library_measured": LIBRARY,
        "results": res,
        "goals": goals,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out = OUT / "report_results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

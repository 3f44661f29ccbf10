"""Dashboard speed in a real browser: time to first chart, and re-render after a widget change.

    .venv/bin/python benchmarks/bench_dashboard.py [--deals 10000] [--months 12] [--repeats 5]

1. Starts ``streamlit run dashboard.py`` and measures the time until the first Plotly chart
   is drawn in headless Chromium (the bundled sample workspace).
2. Writes 12 monthly snapshots of 10,000 deals, imports them into a fresh store, switches the
   app to "stored snapshots", and measures how long the page takes to settle after a widget
   change (team filter, as-of snapshot, measure toggle), each repeated; median and max. A
   change counts as rendered when the page shows it (caption, chart subtitle or KPI value)
   and Streamlit has finished the run. The naive baseline in the same run is
   (the data work one rerun would cost if loading were not cached by content: read every
   stored snapshot and recompute the overview), timed in-process.

Needs Debian's chromium (``python3 run.py test`` installs it as root).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from measuring import CHROMIUM_ARGS, start_streamlit  # noqa: E402

from funnel_analytics.loading import load_export  # noqa: E402
from funnel_analytics.store import SnapshotStore  # noqa: E402

CHART = '[data-testid="stPlotlyChart"] .main-svg'
STAGES = ["目标客户", "有效客户", "入围客户", "意向客户", "接近赢单客户", "赢单客户"]


def write_snapshots(folder: Path, deals: int, months: int, seed: int = 7) -> list[Path]:
    """Monthly CSV exports of ``deals`` deals whose stages random-walk month to month."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"D{i:07d}" for i in range(deals)])
    teams = rng.choice(["华东大区", "华北大区", "华南大区", "西部大区"], deals)
    owners = rng.choice([f"销售{i:02d}" for i in range(40)], deals)
    sources = rng.choice(["陌生拜访", "跟踪", "渗透", "耕耘", "主动咨询"], deals)
    grades = rng.choice(list("ABCD"), deals)
    amount = np.round(rng.lognormal(12.5, 0.8, deals), -3) / 1e4
    stage = rng.integers(0, 3, deals)
    created = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 150, deals), unit="D")
    paths = []
    for m in range(months):
        month_end = (pd.Timestamp("2025-11-01") + pd.DateOffset(months=m)) + pd.offsets.MonthEnd(0)
        stage = np.clip(stage + rng.choice([-1, 0, 0, 0, 1, 1], deals), 0, 5)
        status = np.where(stage == 5, "赢单", np.where(rng.random(deals) < 0.03, "输单", "进行中"))
        expected = month_end + pd.to_timedelta(rng.integers(-20, 200, deals), unit="D")
        frame = pd.DataFrame(
            {
                "商机编号": ids,
                "销售团队": teams,
                "负责人": owners,
                "销售阶段": np.array(STAGES)[stage],
                "状态": status,
                "预计金额（万元）": amount,
                "创建日期": created.strftime("%Y-%m-%d"),
                "预计成交日期": expected.strftime("%Y-%m-%d"),
                "商机来源": sources,
                "客户等级": grades,
            }
        )
        path = folder / f"bench_{deals}_{month_end:%Y-%m}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


def start_app(store: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    return start_streamlit(
        ROOT / "dashboard.py", dict(os.environ, FUNNEL_ANALYTICS_STORE=str(store)), log
    )


def settle(page) -> None:
    page.wait_for_timeout(50)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.locator(CHART).first.wait_for(timeout=120_000)


def timed(page, action, done_js: str) -> float:
    """Seconds from the action until ``done_js`` holds and Streamlit has finished the run."""
    start = time.perf_counter()
    action()
    page.wait_for_function(done_js, timeout=120_000)
    settle(page)
    return time.perf_counter() - start


def text_js(selector: str, fragment: str, present: bool = True) -> str:
    neg = "" if present else "!"
    return (
        f"() => {neg}Array.from(document.querySelectorAll({selector!r}))"
        f".some(e => e.textContent.includes({fragment!r}))"
    )


def metric_changed_js(before: str) -> str:
    return (
        "() => { const m = document.querySelector('[data-testid=\"stMetricValue\"]');"
        f" return m && m.textContent.trim() !== {before!r}; }}"
    )


def baseline_rerun(store_path: Path) -> float:
    """The naive cost of one rerun without caching: read every stored snapshot and recompute."""
    from funnel_analytics.funnel import (
        funnel_counts,
        kpi_history,
        latest_snapshot,
        pipeline_breakdown,
        pipeline_trend,
    )
    from funnel_analytics.stages import DEFAULT_MODEL

    start = time.perf_counter()
    with SnapshotStore(store_path, read_only=True) as store:
        obs = store.observations()
    snap = latest_snapshot(obs)
    funnel_counts(snap, DEFAULT_MODEL)
    kpi_history(obs, DEFAULT_MODEL)
    for by in ("team", "owner", "source", "grade"):
        pipeline_breakdown(snap, DEFAULT_MODEL, by)
    pipeline_trend(obs, DEFAULT_MODEL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    store_path = work / "store.duckdb"
    t0 = time.perf_counter()
    files = write_snapshots(work, args.deals, args.months)
    with SnapshotStore(store_path) as store:
        for f in files:
            store.import_result(load_export(f))
    prep = time.perf_counter() - t0
    print(f"prepared {args.months} snapshots × {args.deals:,} deals in {prep:.1f} s ({work})")

    proc, url, started = start_app(store_path, work / "streamlit.log")
    results: dict[str, list[float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="en-US"
            ).new_page()
            page.goto(url)
            page.locator(CHART).first.wait_for(timeout=120_000)
            first_chart = time.perf_counter() - started
            settle(page)
            results["switch to stored snapshots (first, uncached load)"] = [
                timed(
                    page,
                    lambda: page.get_by_text("Stored snapshots").click(),
                    text_js('[data-testid="stCaptionContainer"]', "Stored snapshots"),
                )
            ]
            team_box = page.locator('[data-testid="stMultiSelect"]').first
            current = ["Amount"]

            def toggle_measure() -> str:
                nxt = {"Deals": "Amount", "Amount": "Deals"}[current[0]]
                page.get_by_role("radio", name=nxt).click()
                current[0] = nxt
                return nxt

            def measure_done() -> str:
                wanted = "Amount (thousands)" if current[0] == "Amount" else "Deals"
                return text_js(".gtitle", wanted)

            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                toggle_measure()
                page.wait_for_function(measure_done(), timeout=120_000)
                settle(page)
                times.append(time.perf_counter() - start)
            results["measure toggle (amount/deals)"] = times

            times = []
            for _ in range(args.repeats):
                before = page.locator('[data-testid="stMetricValue"]').first.text_content().strip()
                start = time.perf_counter()
                team_box.locator("input").click()
                page.keyboard.type("华东")
                page.keyboard.press("Enter")
                page.keyboard.press("Escape")
                page.wait_for_function(metric_changed_js(before), timeout=120_000)
                settle(page)
                times.append(time.perf_counter() - start)
                # Clear the team again (untimed) for the next repeat.
                before = page.locator('[data-testid="stMetricValue"]').first.text_content().strip()
                team_box.locator("input").click()
                page.keyboard.press("Backspace")
                page.keyboard.press("Escape")
                page.wait_for_function(metric_changed_js(before), timeout=120_000)
                settle(page)
            results["team filter"] = times

            slider = page.locator('[data-testid="stSlider"]').first.get_by_role("slider").first
            times = []
            for _ in range(args.repeats):
                value = slider.get_attribute("aria-valuetext") or ""
                start = time.perf_counter()
                slider.focus()
                page.keyboard.press("ArrowLeft")
                page.wait_for_function(
                    "(v) => !document.querySelector('[data-testid=\"stCaptionContainer\"]')"
                    ".textContent.includes(v)",
                    arg=value,
                    timeout=120_000,
                )
                settle(page)
                times.append(time.perf_counter() - start)
            results["as-of snapshot one month back"] = times
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    baseline = [baseline_rerun(store_path) for _ in range(3)]
    print(f"\ntime from `streamlit run` to the first chart: {first_chart:.2f} s")
    print(
        f"naive baseline, one uncached rerun's data work (read store + recompute): "
        f"{statistics.median(baseline):.2f} s"
    )
    print(f"\n{f'widget change (12 × {args.deals:,} deals)':<48} {'median':>8} {'max':>8}")
    for name, values in results.items():
        print(f"{name:<48} {statistics.median(values):>7.2f}s {max(values):>7.2f}s")
    print(
        "(a re-render includes the browser drawing six Plotly charts; the baseline above is\n"
        " the uncached data work alone, which the app's content-keyed caching skips)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

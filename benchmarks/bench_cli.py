"""Command-line start and whole-process speed (issue #13, goal 4), as ratios in one run.

    .venv/bin/python benchmarks/bench_cli.py [--repeat 5] [--rows 100000] [--wait-idle 60]

Each figure is the median wall time of ``--repeat`` fresh processes:

- the floor: ``python -c "import pandas"``;
- ``funnel-analytics --help`` and ``funnel-analytics snapshots`` (a store holding the bundled
  sample's snapshots): goal within 2 × the floor;
- the whole-process ``funnel-analytics validate`` of the ``--rows`` xlsx export that
  ``bench_loading.py`` generates, against a naive whole-process script that reads the same
  file with ``pandas.read_excel`` (openpyxl) and validates it with one pandera schema (the
  same baseline as ``bench_loading.py``): goal at least 6 × faster than the naive script.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from measuring import WAIT_IDLE, environment, wait_idle  # noqa: E402

BIN = Path(sys.executable).parent
CLI = str(BIN / "funnel-analytics")

NAIVE = """
import sys
import pandas as pd
sys.path.insert(0, {here!r})
from bench_loading import AMOUNT_HEADER, DATE_HEADERS, _baseline_schema
import pandera.pandas as pa
df = pd.read_excel(sys.argv[1], engine="openpyxl", header=1)
df[AMOUNT_HEADER] = pd.to_numeric(df[AMOUNT_HEADER], errors="coerce")
for h in DATE_HEADERS:
    df[h] = pd.to_datetime(df[h], errors="coerce").astype("datetime64[ns]")
try:
    _baseline_schema().validate(df, lazy=True)
except pa.errors.SchemaErrors as exc:
    print(len(exc.failure_cases), "failure cases")
"""


def timed(command: list[str], repeat: int, env: dict[str, str], ok: tuple[int, ...]) -> float:
    """The median wall time of ``command`` run ``repeat`` times, each a fresh process."""
    times = []
    for _ in range(repeat):
        wait_idle()
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode not in ok:
            raise SystemExit(f"{command} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--wait-idle", type=float, default=0.0)
    parser.add_argument("--no-validate", action="store_true", help="only the start figures")
    args = parser.parse_args()
    WAIT_IDLE["seconds"] = args.wait_idle
    print(environment(("pandas", "click", "duckdb")))
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    env = dict(os.environ, FUNNEL_ANALYTICS_STORE=str(folder / "store.duckdb"))
    samples = sorted(str(p) for p in (ROOT / "sample_data").glob("*.xlsx"))
    subprocess.run([CLI, "import", *samples], env=env, capture_output=True, check=False)

    floor = timed([sys.executable, "-c", "import pandas"], args.repeat, env, (0,))
    rows = [("python -c 'import pandas' (floor)", floor, None, None)]
    for label, command in (
        ("funnel-analytics --help", [CLI, "--help"]),
        ("funnel-analytics snapshots", [CLI, "snapshots"]),
    ):
        took = timed(command, args.repeat, env, (0,))
        rows.append((label, took, took / floor, took <= 2 * floor))
    if not args.no_validate:
        import bench_loading

        if bench_loading.cached_meta(args.rows) is None:
            print(f"generating the {args.rows:,}-row export (bench_loading.py's data) …")
            bench_loading.generate(args.rows)
        xlsx = str(bench_loading.data_paths(args.rows)["xlsx"])
        repeat = max(1, min(args.repeat, 3))
        naive = timed([sys.executable, "-c", NAIVE.format(here=str(HERE)), xlsx], repeat, env, (0,))
        ours = timed([CLI, "validate", xlsx], repeat, env, (0, 1))
        rows.append((f"naive script, {args.rows:,}-row xlsx", naive, None, None))
        rows.append(
            (f"funnel-analytics validate, {args.rows:,}-row xlsx", ours, naive / ours, None)
        )
    print(f"{'command':<46} {'median s':>9} {'ratio':>7}  goal")
    for label, took, ratio, ok in rows:
        ratio_text = "" if ratio is None else f"{ratio:.2f}×"
        goal = "" if ok is None else ("≤ 2× floor: " + ("PASS" if ok else "MISS"))
        print(f"{label:<46} {took:>9.2f} {ratio_text:>7}  {goal}")
    if not args.no_validate:
        speedup = naive / ours
        verdict = "PASS" if speedup >= 6 else "MISS"
        print(f"validate {speedup:.1f}× faster than the naive script (goal ≥ 6×): {verdict}")


if __name__ == "__main__":
    main()

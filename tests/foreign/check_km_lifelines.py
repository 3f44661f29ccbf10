#!/usr/bin/env python3
"""Cross-check the Kaplan-Meier medians of expected.json with lifelines.

Reads the two stage-history logs from files/ (not the generator's tables), rebuilds every stay
in a stage, fits lifelines' KaplanMeierFitter per stage and compares median_survival_time_
(inf when never reached) with km_median_days_in_stage. lifelines is not a project dependency:

    python3 -m venv /tmp/kmvenv && /tmp/kmvenv/bin/pip install lifelines pandas
    /tmp/kmvenv/bin/python tests/foreign/check_km_lifelines.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from pathlib import Path

from lifelines import KaplanMeierFitter

HERE = Path(__file__).resolve().parent


def stays(deals: dict[str, list[tuple[str, dt.date]]], terminal: set[str]) -> dict:
    snapshot = max(day for rows in deals.values() for _, day in rows)
    out: dict[str, list[tuple[int, bool]]] = {}
    for rows in deals.values():
        for i, (stage, day) in enumerate(rows):
            if stage in terminal:
                continue
            if i + 1 < len(rows):
                out.setdefault(stage, []).append(((rows[i + 1][1] - day).days, True))
            else:
                out.setdefault(stage, []).append(((snapshot - day).days, False))
    return out


def english_log() -> dict:
    deals: dict[str, list[tuple[str, dt.date]]] = {}
    with (HERE / "files" / "stage_history_log.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            deals.setdefault(r["deal_id"], []).append(
                (r["stage"], dt.date.fromisoformat(r["stage_date"]))
            )
    for rows in deals.values():
        rows.sort(key=lambda x: x[1])  # stable: file order within a day
    return stays(deals, {"Won", "Lost"})


def chinese_log() -> dict:
    raw = (HERE / "files" / "cn_商机阶段变更记录_gb18030.csv").read_bytes().decode("gb18030")
    deals: dict[str, list[tuple[dt.datetime, str]]] = {}
    for r in csv.DictReader(io.StringIO(raw, newline="")):
        when = dt.datetime.strptime(r["变更时间"], "%Y/%m/%d %H:%M")
        deals.setdefault(r["商机编号"], []).append((when, r["阶段"]))
    by_day = {k: [(s, t.date()) for t, s in sorted(v)] for k, v in deals.items()}
    return stays(by_day, {"赢单", "输单"})


def main() -> int:
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    bad = 0
    for key, table in (
        ("files/stage_history_log.csv", english_log()),
        ("files/cn_商机阶段变更记录_gb18030.csv", chinese_log()),
    ):
        want = expected[key]["km_median_days_in_stage"]
        for stage, rows in table.items():
            kmf = KaplanMeierFitter().fit([d for d, _ in rows], [e for _, e in rows])
            got = kmf.median_survival_time_
            exp = want[stage]["median_days"]
            same = (math.isinf(got) and exp is None) or (exp is not None and got == exp)
            same = same and want[stage]["stays"] == len(rows)
            bad += not same
            print(
                f"{'ok ' if same else 'BAD'} {key} {stage}: lifelines {got}, expected {exp}, "
                f"{len(rows)} stays"
            )
    print("all equal" if not bad else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

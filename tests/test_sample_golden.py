"""Golden summaries of the bundled sample data: what the loader reads from each file.

Refresh deliberately with ``pytest tests/test_sample_golden.py --update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from funnel_analytics.funnel import funnel_counts
from funnel_analytics.loading import load_export

GOLDEN = Path(__file__).parent / "golden" / "sample_summary.json"
GOLDEN_EIGHT = Path(__file__).parent / "golden" / "sample_eight_summary.json"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def summarize(path: Path, stage_model: str | None = None) -> dict:
    r = load_export(path, stage_model=stage_model)
    counts = funnel_counts(r.opportunities, r.stage_model)
    return {
        "shape": r.shape,
        "header_row": r.header_row,
        "rows_read": r.rows_read,
        "rows_valid": r.rows_valid,
        "rows_rejected": r.rows_rejected,
        "warnings": r.warnings["rule"].value_counts().sort_index().to_dict(),
        "snapshot_dates": [d.date().isoformat() for d in r.snapshot_dates],
        "status": r.opportunities["status"].value_counts().sort_index().to_dict(),
        "funnel_count": dict(
            zip(counts["stage"], counts["count"].astype(int).tolist(), strict=True)
        ),
        "funnel_amount": dict(
            zip(counts["stage"], counts["amount"].round(2).tolist(), strict=True)
        ),
        "mapped": sorted(r.mapping.fields.values()),
    }


def test_sample_data_matches_golden(update_golden: bool) -> None:
    files = sorted(p for p in SAMPLE.iterdir() if p.suffix in {".xlsx", ".csv"})
    assert len(files) == 14
    current = {p.name: summarize(p) for p in files}
    if update_golden or not GOLDEN.exists():
        GOLDEN.write_text(
            json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        if update_golden:
            pytest.skip("golden file rewritten")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert current == expected


def test_eight_stage_sample_data_matches_golden(update_golden: bool) -> None:
    """The eight-stage variant (``sample_data/eight_stage``), read with the eight-stage model."""
    files = sorted((SAMPLE / "eight_stage").glob("*.xlsx"))
    assert len(files) == 12
    current = {p.name: summarize(p, "eight_stage") for p in files}
    if update_golden or not GOLDEN_EIGHT.exists():
        GOLDEN_EIGHT.write_text(
            json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        if update_golden:
            pytest.skip("golden file rewritten")
    assert current == json.loads(GOLDEN_EIGHT.read_text(encoding="utf-8"))


def test_chinese_and_english_variants_agree() -> None:
    """The English export of the last month is the same deals as the Chinese one."""
    zh = summarize(SAMPLE / "商机导出_2026-10.xlsx")
    en = summarize(SAMPLE / "opportunities_en_2026-10.csv")
    assert zh["rows_read"] == en["rows_read"]
    # The English file has no status column: on-hold deals show as their stage there.
    assert zh["funnel_count"]["won"] == en["funnel_count"]["won"]
    assert sum(zh["funnel_amount"].values()) <= sum(en["funnel_amount"].values()) + 1e-6

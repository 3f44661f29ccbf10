"""The corpus of real-shaped messy and hostile files, against its hand-written expectations.

``tests/corpus/expected.json`` was written from what each file holds (see the corpus README);
regenerate the files with ``python tests/corpus/make_corpus.py``.
"""

from __future__ import annotations

import importlib.util
import json
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from funnel_analytics.loading import load_export
from funnel_analytics.reading import Limits, UnusableFile

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
GENERATED = {"zip_bomb.xlsx", "too_large_2024-03.csv"}
SMALL_LIMIT = Limits(max_file_bytes=8 * 1024 * 1024)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_hostile(
        tmp_path_factory.mktemp("hostile"), too_large_bytes=SMALL_LIMIT.max_file_bytes + 1
    )


def _path(name: str, generated: dict[str, Path]) -> Path:
    if name in GENERATED:
        return generated[name]
    for folder in ("messy", "hostile"):
        if (CORPUS / folder / name).exists():
            return CORPUS / folder / name
    raise FileNotFoundError(name)


def _pairs(items: list[dict]) -> list[tuple]:
    return sorted((i["row"], i["column"], i["rule"]) for i in items)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str, generated: dict[str, Path]) -> None:
    exp = EXPECTED[name]
    path = _path(name, generated)
    limits = SMALL_LIMIT if name == "too_large_2024-03.csv" else Limits()
    if exp["refused"]:
        tracemalloc.start()
        start = time.perf_counter()
        with pytest.raises(UnusableFile) as info:
            load_export(path, limits=limits)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert info.value.reason == exp["reason"]
        for lang in ("zh", "en"):
            assert info.value.message(lang)
        # Refusals come from the file's directory or first bytes, never from inflating it.
        assert peak < 64 * 1024 * 1024
        assert elapsed < 30
        return
    result = load_export(path)
    assert result.header_row == exp["header_row"]
    assert (result.rows_read, result.rows_valid, result.rows_rejected) == (
        exp["rows_read"],
        exp["rows_valid"],
        exp["rows_rejected"],
    )
    report = result.report("en")
    assert _pairs(report["errors"]) == _pairs(exp["errors"])
    assert _pairs(report["warnings"]) == _pairs(exp["warnings"])
    if exp.get("sheet"):
        assert result.sheet == exp["sheet"]
    if exp.get("encoding"):
        labels = {
            "utf-8": "UTF-8",
            "utf-8-sig": "UTF-8 (BOM)",
            "gb18030": "GB18030",
            "windows-1252": "Windows-1252",
        }
        assert result.encoding == labels[exp["encoding"].lower()]
    notes = dict(result.notes)
    if "subtotal_rows" in exp:
        said = notes["note_subtotal_rows"]
        assert said["count"] == len(exp["subtotal_rows"])
        assert said["rows"] == ", ".join(map(str, exp["subtotal_rows"]))
    if "totals_row" in exp:
        assert notes["note_totals_row"] == exp["totals_row"]
    frame = pd.concat([result.opportunities, result.rejected.iloc[0:0]], axis=0)
    for check in exp.get("spot_checks", []):
        got = frame.loc[check["row"], check["field"]]
        want = check["value"]
        if isinstance(got, pd.Timestamp):
            want_ts = pd.Timestamp(want)
            # A date-only expectation compares the day; a date-time one compares exactly.
            assert (got if ":" in str(want) else got.normalize()) == want_ts, check
        elif isinstance(want, float):
            assert got == pytest.approx(want), check
        else:
            assert got == want, check

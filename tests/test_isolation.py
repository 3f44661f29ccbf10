"""A workbook read in the limited child process is the grid the reader gives in this one.

The child sends the grid's cells as their Arrow buffers (:mod:`funnel_analytics.isolation`);
whatever the workbook (several sheets, title rows, merged headers, LibreOffice's three
formats, Excel templates, CRM exports), the grid that arrives equals an in-process read:
cells, dtypes, row numbers, column letters, sheet names.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pandas as pd
import pytest

from funnel_analytics.grid import Limits
from funnel_analytics.isolation import _to_wire
from funnel_analytics.reading import read_grid

HERE = Path(__file__).parent
WORKBOOKS = sorted(
    [
        *(HERE / "corpus" / "messy").glob("*.xls*"),
        *(HERE / "corpus" / "messy").glob("*.ods"),
        *(HERE / "foreign" / "files").glob("*.xlsx"),
        HERE.parent / "sample_data" / "商机导出_2026-10.xlsx",
    ]
)


def test_there_are_workbooks_of_each_format() -> None:
    assert {p.suffix for p in WORKBOOKS} == {".xlsx", ".xls", ".ods"}
    assert len(WORKBOOKS) >= 12


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_child_returns_the_grid_read_in_process(path: Path) -> None:
    child = read_grid(path)
    here = read_grid(path, limits=Limits(isolate=False))
    pd.testing.assert_frame_equal(child.cells, here.cells, check_exact=True)
    assert child.cells.index.equals(here.cells.index)  # spreadsheet row numbers
    for f in dataclasses.fields(child):
        if f.name != "cells":
            assert getattr(child, f.name) == getattr(here, f.name), f.name


def test_a_grid_of_other_dtypes_travels_pickled_whole() -> None:
    cells = pd.DataFrame({0: ["商机", None], 1: [1.5, 2.0]}, index=pd.RangeIndex(1, 3))
    grid = read_grid(HERE.parent / "sample_data" / "商机导出_2026-10.xlsx")
    odd = dataclasses.replace(grid, cells=cells)
    buffers: list = []
    status, value = _to_wire(odd, buffers)
    assert (status, buffers) == ("ok", [])
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(value)).cells, cells)

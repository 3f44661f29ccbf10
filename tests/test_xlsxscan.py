"""The worksheet measure reads the sheet's XML in chunks: wherever a chunk ends, it measures
the same sheet the same way.

A large sheet is inflated in 16 MB chunks; a cell tag cut by a chunk's end ("<c " | "r=...")
once read as a cell without a reference and sent every sheet it happened to into the exact
count of every reference, several seconds on a 500,000-row workbook. Here the chunk size is
made small and stepped over every offset, so each tag, reference and shared-string marker is
cut at every place.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from funnel_analytics import xlsxscan

LIMITS = {"max_cells": 50_000_000, "max_columns": 2_000, "max_cell_chars": 32_767}
PART = "xl/worksheets/sheet1.xml"


def sheet_xml(rows: int, *, bare_cell_at: int | None = None, tail: bytes = b"") -> bytes:
    """A worksheet as spreadsheet programs write it: a dimension, then rows of cells, each
    with its reference; some cells show shared strings (t="s"), some inline text."""
    body = []
    for r in range(1, rows + 1):
        cells = [
            f'<c r="A{r}" t="s"><v>{r % 3}</v></c>',
            f'<c r="B{r}" s="3"><v>{r * 1.5}</v></c>',
            f'<c r="C{r}" t="inlineStr"><is><t>商机 {r}</t></is></c>',
        ]
        if bare_cell_at == r:
            cells.append("<c><v>7</v></c>")  # a cell without its reference
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:C{rows}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    ).encode() + tail


def zipped(xml: bytes) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(PART, xml)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


@pytest.fixture
def exact_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls of the exact (slow) count; its answer is unchanged."""
    calls: list[int] = []
    exact = xlsxscan._exact_extent

    def counted(zf, part):
        calls.append(1)
        return exact(zf, part)

    monkeypatch.setattr(xlsxscan, "_exact_extent", counted)
    return calls


def scan_in_chunks_of(monkeypatch: pytest.MonkeyPatch, zf: zipfile.ZipFile, size: int):
    monkeypatch.setattr(xlsxscan, "CHUNK", size)
    return xlsxscan.scan_worksheet(zf, PART, **LIMITS)


# Chunk sizes over two rows' length (a row is about 150 bytes): every byte of a row is a
# chunk's last byte for some size. The first chunk holds the dimension, as a real one does.
SIZES = range(300, 630)


def test_a_sheet_measures_the_same_wherever_its_chunks_end(monkeypatch, exact_calls) -> None:
    xml = sheet_xml(40)
    zf = zipped(xml)
    whole = xlsxscan.scan_worksheet(zf, PART, **LIMITS)
    assert (whole.rows, whole.columns, whole.xml_bytes) == (40, 3, len(xml))
    assert whole.shared_cells == xml.count(b't="s"') == 40
    assert not exact_calls  # every cell has its reference: the dimension is confirmed
    for size in SIZES:
        assert scan_in_chunks_of(monkeypatch, zf, size) == whole, size
    assert not exact_calls, f"{len(exact_calls)} chunk sizes took the exact count"


def test_a_cell_without_its_reference_is_counted_exactly_at_every_chunk_size(
    monkeypatch, exact_calls
) -> None:
    zf = zipped(sheet_xml(40, bare_cell_at=17))
    for size in SIZES:
        extent = scan_in_chunks_of(monkeypatch, zf, size)
        assert extent.columns >= 4, size  # the bare cell sits after C17: one more column
    assert len(exact_calls) == len(SIZES)


@pytest.mark.parametrize("tail", [b"<c ", b"<c r", b"<c r=", b"<row "])
def test_a_tag_cut_by_the_end_of_the_part_itself_stays_a_bare_tag(
    monkeypatch, exact_calls, tail: bytes
) -> None:
    """A part that ends inside a tag (a truncated file) has no next chunk to complete it."""
    zf = zipped(sheet_xml(3, tail=tail))
    scan_in_chunks_of(monkeypatch, zf, 1 << 24)
    assert exact_calls


def test_merged_cells_are_found_wherever_the_chunks_end(monkeypatch) -> None:
    """The merged areas, written after the cells, are found whole at every chunk size: only
    those spanning rows are kept (a title merged across a row is not), and an area cut by a
    chunk's end, seen in both chunks, is kept once."""
    merges = (
        b'<mergeCells count="3"><mergeCell ref="A1:C1"/><mergeCell ref="A2:A25"/>'
        b'<mergeCell ref="B30:C33" /></mergeCells></worksheet>'
    )
    zf = zipped(sheet_xml(40).replace(b"</worksheet>", merges))
    want = ((1, 2, 1, 25), (2, 30, 3, 33))
    assert xlsxscan.scan_worksheet(zf, PART, **LIMITS).merges == want
    for size in range(len(merges) // 2, 630):
        assert scan_in_chunks_of(monkeypatch, zf, size).merges == want, size
    # A sheet with more merged areas than the reader takes is read as its cells are written.
    monkeypatch.setattr(xlsxscan, "MAX_MERGES", 1)
    monkeypatch.setattr(xlsxscan, "CHUNK", 1 << 24)
    assert xlsxscan.scan_worksheet(zf, PART, **LIMITS).merges == ()


def test_hidden_rows_are_found_wherever_the_chunks_end(monkeypatch) -> None:
    """Rows hidden in the sheet, as Excel (hidden="1") and LibreOffice (hidden="true", with
    hidden="false" on every other row) write them, are found at every chunk size."""
    xml = sheet_xml(40)
    xml = xml.replace(b'<row r="7">', b'<row r="7" hidden="1">')
    xml = xml.replace(b'<row r="12">', b'<row r="12" ht="12.8" hidden="true">')
    xml = xml.replace(b'<row r="13">', b'<row r="13" hidden="false">')
    zf = zipped(xml)
    assert xlsxscan.scan_worksheet(zf, PART, **LIMITS).hidden_rows == (7, 12)
    for size in SIZES:
        assert scan_in_chunks_of(monkeypatch, zf, size).hidden_rows == (7, 12), size

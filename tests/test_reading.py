"""The reader refuses broken and hostile files with a reason, quickly and in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from helpers import csv_bytes, xlsx_bytes

from funnel_analytics.reading import Limits, UnusableFile, read_grid

CORPUS_MESSY = __import__("pathlib").Path(__file__).parent / "corpus" / "messy"
GOOD = xlsx_bytes([["商机编号", "销售阶段"], ["1", "目标客户"]])


def refusal(data: bytes, name: str, **kw) -> UnusableFile:
    with pytest.raises(UnusableFile) as info:
        read_grid(data, name, **kw)
    return info.value


def _rezip(
    data: bytes,
    replace: dict[str, bytes],
    extra: dict[str, bytes] | None = None,
    compress: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.xlsx", "empty"),
        (b"   \n\n", "blank.csv", "empty"),
        (b"%PDF-1.7\n...", "report.xlsx", "not_spreadsheet"),
        (bytes(range(256)) * 40, "garbage.xlsx", "not_spreadsheet"),
        (b"\x00\x01binary\x00" * 100, "garbage.csv", "not_spreadsheet"),
        (b"id,stage\n1,Target\n", "renamed.xlsx", "not_spreadsheet"),
        (GOOD[: len(GOOD) // 2], "truncated.xlsx", "corrupt_zip"),
        (b"PK\x03\x04" + b"\x00" * 200, "broken.xlsx", "corrupt_zip"),
    ],
)
def test_broken_files_are_refused_with_a_reason(data: bytes, name: str, reason: str) -> None:
    exc = refusal(data, name)
    assert exc.reason == reason
    assert name in exc.message("zh") and name in exc.message("en")


def test_a_zip_that_is_not_a_workbook() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert refusal(buf.getvalue(), "letter.xlsx").reason == "not_spreadsheet"


def test_xml_entity_expansion_is_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>'
        b"</row></sheetData></worksheet>"
    )
    data = _rezip(GOOD, {"xl/worksheets/sheet1.xml": bomb})
    exc = refusal(data, "lol.xlsx")
    assert exc.reason == "xml_entities"
    assert "xl/worksheets/sheet1.xml" in exc.message("en")


def test_a_long_prolog_cannot_hide_a_doctype() -> None:
    padded = (
        b'<?xml version="1.0"?>' + b"<!--" + b" " * 70_000 + b"-->" + b"<!DOCTYPE x []><worksheet/>"
    )
    data = _rezip(GOOD, {"xl/worksheets/sheet1.xml": padded})
    assert refusal(data, "padded.xlsx").reason == "xml_entities"


def test_zip_bomb_is_refused_from_its_directory_in_bounded_memory() -> None:
    # 300 MB of one repeated row, deflated to a few hundred kB: far beyond the ratio limit.
    row = (
        b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(GOOD)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            chunk = row * 10_000
            for _ in range(300_000_000 // len(chunk)):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    data = out.getvalue()
    assert len(data) < 5_000_000
    tracemalloc.start()
    exc = refusal(data, "bomb.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert exc.reason == "zip_bomb"
    assert peak < 20 * len(data) + 50_000_000  # nothing was inflated


def test_password_protected_workbook() -> None:
    # An encrypted OOXML file is an OLE2 container holding an "EncryptedPackage" stream.
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 1024
    )
    exc = refusal(ole, "locked.xlsx")
    assert exc.reason == "encrypted"
    assert "密码" in exc.message("zh") and "password" in exc.message("en")


def test_file_over_the_size_limit(tmp_path) -> None:
    path = tmp_path / "big_2024-03.csv"
    path.write_bytes(csv_bytes([["id", "stage"]] + [[str(i), "Target"] for i in range(2000)]))
    exc = refusal(str(path), None, limits=Limits(max_file_bytes=1024))
    assert exc.reason == "too_large"
    assert "MB" in exc.message("en")


def test_missing_file_is_a_message_not_a_traceback(tmp_path) -> None:
    assert refusal(str(tmp_path / "nope.xlsx"), None).reason == "unreadable"


def test_row_numbers_and_letters_are_the_spreadsheets() -> None:
    data = xlsx_bytes(
        [
            [None, None],
            [None, "标题"],
            [None, None],
            [None, "商机编号", "销售阶段"],
            [None, "1", "目标客户"],
        ]
    )
    g = read_grid(data, "x.xlsx")
    assert g.letters == ("B", "C")
    assert list(g.cells.index)[:5] == [1, 2, 3, 4, 5]
    assert g.cells.loc[4].tolist() == ["商机编号", "销售阶段"]


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [
        ("utf-8", b"", "UTF-8"),
        ("utf-8", b"\xef\xbb\xbf", "UTF-8 (BOM)"),
        ("gb18030", b"", "GB18030"),
        ("gbk", b"", "GB18030"),
    ],
)
def test_csv_encodings_are_detected(encoding: str, bom: bytes, label: str) -> None:
    data = bom + csv_bytes([["商机编号", "销售阶段"], ["甲-1", "入围客户"]], encoding)
    g = read_grid(data, "x.csv")
    assert g.encoding == label
    assert g.cells.loc[2].tolist() == ["甲-1", "入围客户"]


def test_utf16_tab_separated_text_from_excel() -> None:
    text = "商机编号\t销售阶段\r\n1\t目标客户\r\n"
    g = read_grid(b"\xff\xfe" + text.encode("utf-16-le"), "x.txt")
    assert g.cells.loc[2].tolist() == ["1", "目标客户"]


def test_ragged_csv_rows_are_kept() -> None:
    g = read_grid(b"id,stage\n1,Target\n2,Target,extra,more\n", "x.csv")
    assert g.cells.shape == (3, 4)
    assert g.cells.loc[3].tolist() == ["2", "Target", "extra", "more"]


@pytest.mark.parametrize(
    "name",
    [
        "gb18030_2024-04.csv",
        "utf8_bom_2024-05.csv",
        "us_dates_dayfirst_2024-06.csv",
        "pipedrive_style_2024-11.csv",
        "hubspot_style_2024-12.csv",
    ],
)
def test_fast_and_general_csv_paths_read_the_same_grid(name: str) -> None:
    import pandas as pd

    from funnel_analytics.reading import _csv_with_arrow, _csv_with_pandas

    data = (CORPUS_MESSY / name).read_bytes()
    fast = _csv_with_arrow(data, name)
    assert fast is not None, "the fast path should take this file"
    slow = _csv_with_pandas(data, name)
    pd.testing.assert_frame_equal(fast.cells, slow.cells)
    assert (fast.encoding, fast.letters) == (slow.encoding, slow.letters)


def test_blank_lines_found_from_the_line_ends_as_by_searching_the_bytes() -> None:
    """The fast path's blank-line test reads the line feeds the bounds check found; it must
    answer as the plain substring search does, on every arrangement of the bytes involved."""
    import itertools

    import numpy as np

    from funnel_analytics.reading import _has_blank_line

    alphabet = [b"\n", b"\r", b"a", b","]
    for n in range(1, 7):
        for parts in itertools.product(alphabet, repeat=n):
            data = b"".join(parts)
            ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 0x0A)
            assert _has_blank_line(data, ends) == _has_blank_line(data), data


@pytest.mark.parametrize(
    "data", [b"id,stage\n\n1,Target\n", b"id,stage\n1,Target,extra\n", b"\xff\xfei\x00d\x00\n\x00"]
)
def test_files_the_fast_path_leaves_to_the_general_one(data: bytes) -> None:
    from funnel_analytics.reading import _csv_with_arrow

    assert _csv_with_arrow(data, "x.csv") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,stage\n1, Target\n", ["1", "Target"]),
        ("id,stage\n1,Target \n", ["1", "Target"]),
        ("id,stage\n1,\u3000Target\n", ["1", "Target"]),
        ('id,stage\n1,"  Target"\n', ["1", "Target"]),
        ("id,stage\n1,   \n", ["1", None]),
        ("id,stage\n1,Tar get\n", ["1", "Tar get"]),
    ],
)
def test_csv_cells_are_trimmed_and_blank_cells_are_missing(text: str, expected: list) -> None:
    import pandas as pd

    g = read_grid(text.encode("utf-8"), "x.csv")
    assert [None if pd.isna(v) else v for v in g.cells.loc[2]] == expected

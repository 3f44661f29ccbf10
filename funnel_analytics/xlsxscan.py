"""Measure an .xlsx worksheet before any parser builds it: used range, cell length, text size.

The fast reader (calamine) allocates the whole grid from A1 to the last used cell and
expands every shared string into every cell that uses it, so a 2 KB file with one cell at
XFD1048576, or one 40 MB shared string used 200 times, exhausts memory before Python sees
anything. These functions stream each part through zlib in chunks and take what the limits
need from the bytes, never trusting the sheet's declared ``<dimension>``:

* the used range: checked against the declared dimension, or counted from every cell and
  row reference (cells written without one count as one more step);
* the longest cell text, in characters;
* the text the grid will hold: the sheet's own text, plus each shared string's length times
  the number of cells that use it.

Cheap bounds come first and the exact (slower) counts run only where a cheap bound cannot
clear a limit, so an ordinary export pays one inflation of its sheet and two regex passes.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MAX_HIDDEN",
    "MAX_MERGES",
    "SheetExtent",
    "column_number",
    "scan_worksheet",
    "shared_counts",
    "shared_string_lengths",
    "sheet_parts",
    "text_bytes",
    "worksheet_parts",
]

CHUNK = 1 << 24  # bytes of inflated XML looked at in one step
OVERLAP = 64  # a reference or tag cut at a chunk's edge is seen whole in the next step

_NO_LEADING_REF = re.compile(rb"<(?:c|row)(?!\s+r=\")[\s>/]")
#: What is left of a cell or row tag cut by a chunk's end before its reference is complete.
_CUT_AT_EDGE = re.compile(rb"<(?:c|row)\s+(?:r=?)?")
_SHARED_MARK = b't="s"'
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
_ROW_TAGS = (b"<row ", b"<row>", b"<row/>")
_REF = re.compile(rb' r="([A-Z]{0,4})([0-9]+)"')
_SHARED_REF = re.compile(rb't="s"[^>]*>\s*<v>([0-9]+)</v>')
_TAG = re.compile(rb"<[^>]*>")
_COLUMNS_FOR_LETTERS = {1: 26, 2: 702, 3: 16384}


def _longer(letters: int, digits: int) -> re.Pattern[bytes]:
    """References with more letters or more digits than ``letters`` and ``digits``."""
    return re.compile(
        b' r="(?:[A-Z]{%d}|[A-Z]{0,%d}[0-9]{%d})' % (letters + 1, letters, digits + 1)
    )


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + (ch - 64)
    return n


@dataclass(frozen=True)
class SheetExtent:
    """What one worksheet will cost to read."""

    rows: int  # last used row (1-based), 0 when the sheet has no cells
    columns: int  # last used column (1-based)
    longest_cell: int  # characters in the longest cell text written in the sheet itself
    xml_bytes: int  # inflated size of the part: bounds the text written in it
    shared_cells: int  # cells that show a shared string
    # Merged cells spanning rows, (first column, first row, last column, last row), 1-based;
    # none past MAX_MERGES (such a sheet is read as its cells are written).
    merges: tuple[tuple[int, int, int, int], ...] = ()
    # Rows hidden in the sheet (filtered out, or hidden by hand), 1-based; none past MAX_HIDDEN.
    hidden_rows: tuple[int, ...] = ()

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def worksheet_parts(zf: zipfile.ZipFile) -> list[str]:
    return sorted(
        n
        for n in zf.namelist()
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n
    )


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


def _attributes(tag: bytes) -> dict[str, str]:
    return {
        k.decode("utf-8", "replace"): html.unescape(v.decode("utf-8", "replace"))
        for k, v in _ATTRIBUTE.findall(tag)
    }


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name → its worksheet part (``xl/worksheets/sheet1.xml``), from the
    workbook and its relationships; empty where they cannot be read."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except (KeyError, OSError, zipfile.BadZipFile, EOFError):
        return {}
    targets = {}
    for tag in _RELATIONSHIP_TAG.findall(rels):
        a = _attributes(tag)
        if "Id" in a and "Target" in a:
            target = a["Target"]
            target = target[1:] if target.startswith("/") else f"xl/{target}"
            targets[a["Id"]] = target.replace("/./", "/")
    out = {}
    for tag in _SHEET_TAG.findall(book):
        a = _attributes(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if "name" in a and rid in targets:
            out[a["name"]] = targets[rid]
    return out


def _chunks(zf: zipfile.ZipFile, part: str):
    """Inflated chunks of a part; each starts with the previous chunk's last OVERLAP bytes."""
    tail = b""
    with zf.open(part) as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                return
            yield tail + block, len(tail)
            tail = block[-OVERLAP:]


def _has_long_run(chunk: bytes, floor: int) -> bool:
    """Could a text run between tags be longer than ``floor`` bytes? Such a run fully covers
    an aligned block of ``floor // 2`` bytes without a '<': a memchr per block finds out."""
    step = max(floor // 2, 1)
    find = chunk.find
    return any(find(b"<", i, i + step) < 0 for i in range(0, len(chunk) - step + 1, step))


#: Merged areas read from one sheet at most; a sheet with more is read without them.
MAX_MERGES = 100_000
#: Hidden rows read from one sheet at most; a sheet with more is read without them.
MAX_HIDDEN = 1_048_576
_HIDDEN_ROW = re.compile(rb'<row\s[^>]*?\br="([0-9]{1,7})"[^>]*?\bhidden="(?:1|true)"')
_HIDDEN_MARKS = (b'hidden="1"', b'hidden="true"')
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _merges(found: set[tuple[bytes, bytes, bytes, bytes]]) -> tuple[tuple[int, int, int, int], ...]:
    """The merged areas that span rows, as column and row numbers, in order."""
    if len(found) > MAX_MERGES:
        return ()
    out = set()
    for c1, r1, c2, r2 in found:
        top, bottom = int(r1), int(r2)
        if bottom > top:
            out.add((column_number(c1), top, column_number(c2), bottom))
    return tuple(sorted(out))


_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]{1,3}[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')


def scan_worksheet(
    zf: zipfile.ZipFile, part: str, *, max_cells: int, max_columns: int, max_cell_chars: int
) -> SheetExtent:
    """Measure one worksheet part: the used range, the longest text run, the shared cells.

    The declared ``<dimension>`` is only a hint: a regex search per chunk confirms that no
    reference has more letters or digits than it and that every cell and row carries its
    reference first (as every known writer does). The largest range such references can
    span is then the bound checked against the limits; the range reported is the declared
    one when that bound passes (the reader cannot allocate more). Anything else (a far
    cell, a lying or missing dimension, cells without references, a bound past a limit)
    gets the exact, slower count of every reference.
    """
    hint: tuple[bytes, int] | None = None
    longer = None
    odd = long_run = cut = False
    n_shared = size = 0
    merged: set[tuple[bytes, bytes, bytes, bytes]] = set()
    hidden: set[bytes] = set()
    for chunk, skip in _chunks(zf, part):
        # The merged areas follow the cells (a set: one cut at a chunk's edge is seen twice).
        if len(merged) <= MAX_MERGES and b"<mergeCell" in chunk:
            merged.update(_MERGE.findall(chunk))
        # Hidden rows (Excel writes hidden="1", LibreOffice hidden="true" and "false" on every
        # other row): the rows' tags are searched only in a chunk that holds such a mark.
        if len(hidden) <= MAX_HIDDEN and any(m in chunk for m in _HIDDEN_MARKS):
            hidden.update(_HIDDEN_ROW.findall(chunk))
        if not size:
            found = _DIMENSION.search(chunk, 0, 4096)
            if found:
                hint = (found.group(1), int(found.group(2)))
                longer = _longer(len(hint[0]), len(found.group(2)))
        size += len(chunk) - skip
        # A marker cut at the edge is counted in the next chunk, which starts with this
        # chunk's tail: count those that end in this chunk's own bytes.
        n_shared += chunk.count(_SHARED_MARK, max(skip - len(_SHARED_MARK) + 1, 0))
        if not odd:
            if longer is None or longer.search(chunk):
                odd = True
            else:
                cut = False
                bare = _NO_LEADING_REF.search(chunk)
                if bare and _CUT_AT_EDGE.fullmatch(chunk, bare.start()):
                    # "<c " at the chunk's very end: its reference follows in the next chunk,
                    # which sees the tag whole. At the part's end it stays a bare tag.
                    cut = bare.start() >= len(chunk) - OVERLAP
                    odd = not cut
                elif bare:
                    odd = True
        if not long_run and _has_long_run(chunk, max_cell_chars):
            long_run = True
    odd = odd or cut
    if not size:
        return SheetExtent(0, 0, 0, 0, 0)
    if odd or hint is None:
        columns, rows = _exact_extent(zf, part)
    else:
        # No reference is longer than the dimension's: the widest and deepest references of
        # those lengths bound the range. Where that bound could pass a limit, count exactly.
        columns = _COLUMNS_FOR_LETTERS[len(hint[0])]
        rows = 10 ** len(str(hint[1])) - 1
        if columns > max_columns or columns * rows > max_cells:
            columns, rows = _exact_extent(zf, part)
        else:
            columns, rows = column_number(hint[0]), hint[1]  # within bounds: as declared
    longest = _longest_chars(zf, part, max_cell_chars) if long_run else 0
    rows_hidden = () if len(hidden) > MAX_HIDDEN else tuple(sorted(int(r) for r in hidden))
    return SheetExtent(rows, columns, longest, size, n_shared, _merges(merged), rows_hidden)


def _exact_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The last column and row any cell can occupy, reading every reference. A cell or row
    written without a reference sits after the previous one: counted as one more step."""
    max_col = max_row = 0
    free_cells = free_rows = 0
    for chunk, skip in _chunks(zf, part):
        # Each tag and reference is counted in the chunk where it ends past the overlap with
        # the previous chunk (it is whole there), so wherever chunks end, each counts once.
        first = _REF.search(chunk)
        while first is not None and first.end() <= skip:
            first = _REF.search(chunk, first.end())
        refs = _REF.findall(chunk, first.start()) if first is not None else []
        cols = {c for c, _r in refs if c}
        if cols:
            max_col = max(max_col, max(column_number(c) for c in cols))
        if refs:
            max_row = max(max_row, max(int(r) for _c, r in refs))
        n_cells = sum(chunk.count(t, max(skip - len(t) + 1, 0)) for t in _CELL_TAGS)
        n_rows = sum(chunk.count(t, max(skip - len(t) + 1, 0)) for t in _ROW_TAGS)
        with_ref = len(refs)
        if with_ref < n_cells + n_rows:
            free_cells += n_cells
            free_rows += n_rows
    return max_col + free_cells, max_row + free_rows


def _longest_chars(zf: zipfile.ZipFile, part: str, floor: int) -> int:
    """Characters in the longest text run between tags (entities decoded), looking only
    around the blocks that hold no tag at all; called when such a block exists."""
    step = max(floor // 2, 1)
    longest = 0
    for chunk, _skip in _chunks(zf, part):
        i = 0
        while i + step <= len(chunk):
            if chunk.find(b"<", i, i + step) >= 0:
                i += step
                continue
            start = chunk.rfind(b">", 0, i) + 1
            end = chunk.find(b"<", i)
            end = len(chunk) if end < 0 else end
            run = chunk[start:end]
            longest = max(longest, len(html.unescape(run.decode("utf-8", "ignore"))))
            i = end + 1
    return longest


def shared_counts(zf: zipfile.ZipFile, part: str, n_shared: int) -> np.ndarray:
    """How many cells of a worksheet use each shared string (indexes past the table ignored).
    Costs a pass with a Python step per shared cell: called only when a cheap bound fails."""
    counts = np.zeros(n_shared, dtype=np.int64)
    for chunk, skip in _chunks(zf, part):
        # A reference cut at the edge is found whole in the next chunk, which starts with
        # this chunk's tail: only count matches that end in this chunk's own bytes.
        idx = [int(m.group(1)) for m in _SHARED_REF.finditer(chunk) if m.end() > skip]
        if idx:
            arr = np.asarray(idx, dtype=np.int64)
            arr = arr[arr < n_shared]
            counts += np.bincount(arr, minlength=n_shared)
    return counts


def shared_string_lengths(zf: zipfile.ZipFile) -> np.ndarray:
    """Characters per shared string, streaming the part (no string is held whole).

    Characters are counted as UTF-8 lead bytes of the text between tags, so an entity such
    as ``&amp;`` counts as written (a slight overcount, never an undercount)."""
    if "xl/sharedStrings.xml" not in zf.namelist():
        return np.zeros(0, dtype=np.int64)
    lengths: list[int] = []
    current = -1  # characters of the string being read; -1 between strings
    carry = b""
    with zf.open("xl/sharedStrings.xml") as fh:
        while True:
            block = fh.read(CHUNK)
            data = carry + block
            if not data:
                break
            cut = len(data) if not block else data.rfind(b"<")
            if block and (cut < 0 or data.find(b">", cut) >= 0):
                cut = len(data)
            pos = 0
            for m in _TAG.finditer(data, 0, cut):
                if current >= 0 and m.start() > pos:
                    current += _utf8_chars(data, pos, m.start())
                tag = m.group(0)
                if tag.startswith(b"<si") and tag[3:4] in (b">", b" ", b"/"):
                    current = -1 if tag.endswith(b"/>") else 0
                    if current < 0:
                        lengths.append(0)
                elif tag == b"</si>":
                    lengths.append(max(current, 0))
                    current = -1
                pos = m.end()
            if current >= 0 and cut > pos:
                current += _utf8_chars(data, pos, cut)
            carry = data[cut:]
            if not block:
                break
    return np.asarray(lengths, dtype=np.int64)


def _utf8_chars(data: bytes, start: int, end: int) -> int:
    if end - start < 64:
        return len(data[start:end].decode("utf-8", "ignore"))
    arr = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    return int(np.count_nonzero((arr & 0xC0) != 0x80))


def text_bytes(zf: zipfile.ZipFile, part: str) -> int:
    """Bytes of a part that lie outside its tags: the cell text (and values) the grid will
    hold. A tag cut at a chunk's edge is counted as text (an overcount of a few bytes)."""
    total = 0
    for chunk, skip in _chunks(zf, part):
        arr = np.frombuffer(chunk, dtype=np.uint8)[skip:]
        lt = np.flatnonzero(arr == 0x3C)
        gt = np.flatnonzero(arr == 0x3E)
        if len(lt) == 0 or len(gt) == 0:
            total += len(arr)
            continue
        gt = gt[gt > lt[0]]
        n = min(len(lt), len(gt))
        total += len(arr) - int((gt[:n] - lt[:n] + 1).sum())
    return total

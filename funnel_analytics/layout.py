"""Where the table sits in a sheet: header row, title rows, hint row, blank and totals rows.

Exports are rarely a clean table. A title ("2024年3月商机清单") sits above the header, a hint
row ("必填，从下拉选择") below it, blank rows in the middle and a 合计 row at the end; group
labels are merged over a two-level header. This module finds the real header and the data
rows, and records every row it set aside as a note, so nothing disappears unexplained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .fields import FIELDS
from .grid import STRING, NotChunkable, RawGrid, UnusableFile
from .stages import BUILTIN_MODELS, normalize_label
from .values import header_unit

__all__ = ["Layout", "header_score", "locate_table"]

_HINT_WORDS = (
    "必填",
    "选填",
    "非必填",
    "下拉",
    "请选择",
    "请填写",
    "填写",
    "格式",
    "示例",
    "例如",
    "例：",
    "如：",
    "required",
    "optional",
    "e g",
    "eg ",
    "example",
    "format",
    "select from",
    "choose",
    "yyyy",
    "mm dd",
    "dd mm",
    "下拉选择",
    "可选",
)
_TOTAL_WORDS = ("合计", "总计", "小计", "汇总", "total", "totals", "grand total", "sum", "subtotal")


@lru_cache(maxsize=1)
def _known_headers() -> frozenset[str]:
    words: set[str] = set()
    for f in FIELDS:
        for alias in (*f.aliases, *f.crm, f.name):
            words.add(normalize_label(header_unit(alias)[0]))
    for model in BUILTIN_MODELS.values():
        for stage in model.stages:
            for item in (*stage.checklist, *stage.criteria):
                words.add(normalize_label(item.zh))
                words.add(normalize_label(item.en))
    words.discard("")
    return frozenset(words)


def header_score(cells: Iterable[object], known: frozenset[str] | None = None) -> float:
    """How many cells of a row are known header names (a unit in brackets is ignored):
    an opportunity export's, or the normalised names in ``known`` (a roles table's)."""
    known = _known_headers() if known is None else known
    score = 0.0
    for c in cells:
        if c is None or c is pd.NA or (isinstance(c, float) and c != c):
            continue
        norm = normalize_label(header_unit(str(c))[0])
        if norm in known:
            score += 1.0
    return score


def sheet_likeness(top: pd.DataFrame) -> float:
    """How much a sheet's first rows look like an opportunity export's header."""
    if top.empty:
        return 0.0
    return max(header_score(row) for row in top.itertuples(index=False))


@dataclass(frozen=True)
class Layout:
    """The located table: headers, data rows indexed by spreadsheet row, and notes."""

    header_row: int
    headers: tuple[str, ...]
    data: pd.DataFrame  # columns = headers, index = spreadsheet row numbers
    letters: dict[str, str]  # header -> column letter
    notes: tuple[tuple[str, dict], ...] = field(default=())
    rows_blank: tuple[int, ...] = ()
    footer: tuple[str, ...] = ()  # text of the lines under the table (a report's footer)
    rows_subtotal: tuple[int, ...] = ()  # subtotal rows within the table, set aside
    columns: tuple[int, ...] = ()  # the grid's columns the table keeps, in order
    dropped: tuple[int, ...] = ()  # the grid's unnamed columns left out as empty


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def _is_hint_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    if not filled:
        return False
    hits = sum(
        1
        for c in filled
        if any(w in normalize_label(c) + " " or w in c.casefold() for w in _HINT_WORDS)
    )
    return hits >= max(1, (len(filled) + 1) // 2)


def row_ranges(rows: list[int]) -> str:
    out, start, prev = [], None, None
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = r
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    shown = out[:12]
    return ", ".join(shown) + (" …" if len(out) > 12 else "")


# A pattern string (not compiled): Arrow matches it over a whole column at once (RE2).
_SUBTOTAL = (
    r"(?is)^\s*(?:" + "|".join(re.escape(w) for w in _TOTAL_WORDS) + r")(?:\s*[:：\-–—]\s*.*)?\s*$"
)


def _totals_label(row: pd.Series) -> str | None:
    """The label of a totals row (its first text, where a totals word alone is its label or
    one of its first three cells), else None."""
    cells = [_text(v) for v in row]
    label = next((c for c in cells if c), "")
    if normalize_label(label).rstrip(": ") in _TOTAL_WORDS or any(
        normalize_label(c) in _TOTAL_WORDS for c in cells[:3] if c
    ):
        return label
    return None


def _subtotal_rows(body: pd.DataFrame) -> np.ndarray:
    """Which rows are subtotals: one of the first three cells is a totals word (合计, 小计,
    Subtotal, Total …), alone or before a colon and the group's name ("小计：华东一组"), and
    another of them is empty, as a subtotal leaves the id or the name (a deal named "Sum - Q3
    upsell" fills its id, name and customer)."""
    hit = np.zeros(len(body), dtype=bool)
    empty = np.zeros(len(body), dtype=bool)
    for j in list(body.columns)[:3]:
        text = body[j].astype(STRING).array._pa_array
        found = pc.match_substring_regex(text, _SUBTOTAL).fill_null(False)
        hit |= found.to_numpy(zero_copy_only=False)
        empty |= text.is_null().to_numpy(zero_copy_only=False)
    return hit & empty


#: What a spreadsheet's Data > Subtotal command writes after a group's value, per summary
#: function: Excel "East Total" (Count, Average, Max …), its Chinese "华东 汇总" (计数, 平均值 …),
#: LibreOffice "East Sum" and "陈磊 求和"; and on the grand total row "Grand Total", "总计",
#: "Grand Sum", "总计 求和" ….
_FUNCTION_WORDS = (
    "total",
    "sum",
    "count",
    "average",
    "max",
    "min",
    "product",
    "stddev",
    "stddevp",
    "var",
    "varp",
    "汇总",
    "求和",
    "计数",
    "平均值",
    "最大值",
    "最小值",
    "乘积",
)
_WORDS = "|".join(re.escape(w) for w in _FUNCTION_WORDS)
_GROUP_TOTAL = re.compile(rf"(?is)^\s*(?P<group>.*?\S)\s*(?:{_WORDS})\s*$")
_GRAND_TOTAL = re.compile(rf"(?is)^\s*(?:grand\s+(?:{_WORDS})|总计\s*(?:{_WORDS}|数)?)\s*$")
_NUMBER = re.compile(r"^\s*[-+]?[\d.,]+%?\s*$")
_ENDS_IN_WORD = rf"(?i)(?:{_WORDS}|总计)\s*$"  # RE2, for Arrow


def outline_subtotals(
    data: pd.DataFrame, keys: list[str]
) -> tuple[list[int], tuple[int, str] | None]:
    """The rows a spreadsheet's Data > Subtotal command inserted, which leave the ``keys``
    columns (the deal's id and name) empty: ``(subtotal rows, (grand total row, label))``.

    A subtotal row's text is its group's value followed by the summary function's word
    ("陈磊 汇总", "East Total", "East Sum") in the grouped column, that column's value in the
    nearest deal above; its other cells are the sums, numbers. The grand total ("总计", "Grand
    Total") is the table's last row. Only rows without an id and a name are looked at, which
    are few in an export."""
    present = [k for k in keys if k in data.columns]
    if not present or data.empty:
        return [], None
    empty = np.ones(len(data), dtype=bool)
    for k in present:
        empty &= data[k].isna().to_numpy()
    candidates = np.flatnonzero(empty)
    if not len(candidates):
        return [], None
    # Of those, the rows with a cell ending in such a word, found column by column in Arrow
    # (a file whose id column is empty throughout makes every row a candidate).
    ending = np.zeros(len(candidates), dtype=bool)
    rows = data.iloc[candidates]
    for column in rows.columns:
        text = rows[column].astype(STRING).array._pa_array
        found = pc.match_substring_regex(text, _ENDS_IN_WORD).fill_null(False)
        ending |= found.to_numpy(zero_copy_only=False)
    candidates = candidates[ending]
    subtotals: list[int] = []
    grand: tuple[int, str] | None = None
    last_deal = int(np.flatnonzero(~empty)[-1]) if (~empty).any() else -1
    for p in candidates:
        texts = [(j, _text(v)) for j, v in enumerate(data.iloc[p])]
        labels = [(j, c) for j, c in texts if c and not _NUMBER.match(c)]
        if len(labels) != 1:  # one label; the rest are the sums
            continue
        j, label = labels[0]
        if _GRAND_TOTAL.match(label):
            if p > last_deal:
                grand = (int(data.index[p]), label)
            else:
                subtotals.append(int(data.index[p]))
            continue
        m = _GROUP_TOTAL.match(label)
        if not m:
            continue
        q = p - 1
        while q >= 0 and empty[q]:
            q -= 1
        if q >= 0 and _text(data.iloc[q, j]) == m["group"].strip():
            subtotals.append(int(data.index[p]))
    return subtotals, grand


def _fill_merged(
    data: pd.DataFrame, merges: tuple[tuple[str, int, int], ...], letters: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The table's rows under a merged cell that starts on a table row take its value, as
    the spreadsheet shows it (a team, an owner or a stage merged down its deals); and the
    number of cells so filled per column."""
    header_of = {letter: h for h, letter in letters.items()}
    rows = data.index.to_numpy()
    sources: dict[str, np.ndarray] = {}
    for letter, first, last in merges:
        header = header_of.get(letter)
        top = int(np.searchsorted(rows, first))
        if header is None or top >= len(rows) or rows[top] != first:
            continue  # not a table column, or the merge starts above the table
        end = int(np.searchsorted(rows, last, side="right"))
        src = sources.setdefault(header, np.arange(len(rows)))
        src[top + 1 : end] = top
    filled: dict[str, int] = {}
    if not sources:
        return data, filled
    data = data.copy()
    for header, src in sources.items():
        before = data[header]
        after = pd.Series(before.array.take(src), index=data.index, name=header)
        count = int((before.isna() & after.notna()).sum())
        if count:
            data[header] = after
            filled[header] = count
    return data, filled


def locate_table(
    grid: RawGrid, scan_rows: int = 30, known: frozenset[str] | None = None, tail: bool = True
) -> Layout:
    """Find the header row and the data rows of a :class:`RawGrid`.

    The header is the row, among the first ``scan_rows``, with the most cells that are known
    header names (an opportunity export's, or those in ``known``); failing that, the first row
    of at least two text cells followed by data. Raises :class:`UnusableFile` when there is no
    header or no data row. ``tail``: the grid ends where the table ends (False for all but the
    last piece of a file read in pieces): a report's footer and totals rows are looked for
    there.
    """
    cells = grid.cells
    name = grid.file_name
    top = cells.head(scan_rows)
    top_text = [[_text(v) for v in row] for row in top.itertuples(index=False)]
    scores = [header_score(r, known) for r in top_text]
    best = max(range(len(scores)), key=lambda i: (scores[i], -i), default=None)
    if best is None:
        raise UnusableFile("no_data", file=name, sheet=grid.sheet or "")
    if scores[best] < 2:
        best = None
        for i, row in enumerate(top_text):
            filled = [c for c in row if c]
            numeric = sum(1 for c in filled if re.fullmatch(r"[-+]?[\d.,%]+", c))
            if len(filled) >= 2 and numeric <= len(filled) // 4:
                best = i
                break
        if best is None:
            raise UnusableFile("no_header", file=name, rows=min(scan_rows, len(cells)))
    header_pos = best
    header_row = int(cells.index[header_pos])
    notes: list[tuple[str, dict]] = []
    headers = list(top_text[header_pos])
    filled_from_above = []
    if header_pos > 0:
        above = top_text[header_pos - 1]
        for j, h in enumerate(headers):
            if not h and above[j] and header_score([above[j]], known) >= 1:
                headers[j] = above[j]
                filled_from_above.append(grid.letters[j] if j < len(grid.letters) else str(j))
    if filled_from_above:
        notes.append(("note_header_filled", {"columns": ", ".join(filled_from_above)}))
    title_rows = sum(1 for r in top_text[:header_pos] if any(r))
    if title_rows:
        notes.append(("note_title_rows", {"count": title_rows}))

    body = cells.iloc[header_pos + 1 :]
    if len(body):
        first = [_text(v) for v in body.iloc[0]]
        if _is_hint_row(first):
            notes.append(("note_hint_row", {"row": int(body.index[0])}))
            body = body.iloc[1:]
    return _table(grid, body, headers, header_row, notes, tail, None)


def continue_table(first: Layout, grid: RawGrid, tail: bool) -> Layout:
    """The table's rows in a later piece of a file read in pieces (``grid``: that piece's rows,
    numbered as in the file), laid out as ``first`` (the first piece's layout) found them: the
    same header and columns. Its notes are this piece's own (blank rows, subtotals, and for
    the last piece a footer and totals rows)."""
    return _table(grid, grid.cells, list(first.headers), first.header_row, [], tail, first)


def _table(
    grid: RawGrid,
    body: pd.DataFrame,
    headers: list[str],
    header_row: int,
    notes: list[tuple[str, dict]],
    tail: bool,
    first: Layout | None,
) -> Layout:
    """The table under the header: blank, subtotal, footer and totals rows set aside, the
    columns named (``first``'s names and columns when continuing a table read in pieces)."""
    name = grid.file_name
    # Blank rows: every cell missing.
    blank = body.isna().all(axis=1).to_numpy()
    blank_rows = [int(r) for r in body.index[blank]]
    body = body[~blank]
    if blank_rows:
        notes.append(
            ("note_blank_rows", {"count": len(blank_rows), "rows": row_ranges(blank_rows)})
        )
    # A report's footer: lines under the table with text in the first cell only ("Confidential
    # Information", "Generated By: … 7/1/2024 9:14 AM", the company name), as Salesforce and
    # other report exports write them.
    footer: list[str] = []
    if tail and body.shape[1] >= 3:
        while len(body) > 1 and len(footer) < 10:
            filled = body.iloc[-1].notna().to_numpy()
            if filled.sum() != 1 or not filled[0]:
                break
            footer.insert(0, _text(body.iloc[-1, 0]))
            body = body.iloc[:-1]
        if footer:
            notes.append(("note_footer_rows", {"count": len(footer)}))
    # Subtotal rows within the table (a ledger grouped by team or stage, a 小计 under each
    # group) are set aside here. The last row or two, when a totals word alone labels them,
    # are the table's totals (below); a subtotal just above them is set aside here too.
    sub = _subtotal_rows(body)
    totals = 0
    while (
        tail
        and totals < min(2, len(body))
        and sub[-1 - totals]
        and _totals_label(body.iloc[-1 - totals])
    ):
        totals += 1
    middle = sub.copy()
    middle[len(middle) - totals :] = False
    subtotal_rows = [int(r) for r in body.index[middle]]
    if subtotal_rows:
        notes.append(
            ("note_subtotal_rows", {"count": len(subtotal_rows), "rows": row_ranges(subtotal_rows)})
        )
        body = body[~middle]
    # A trailing totals row (or two: 小计 then 合计).
    for _ in range(2 if tail else 0):
        if not len(body):
            break
        label = _totals_label(body.iloc[-1])
        if label is None:
            break
        notes.append(("note_totals_row", {"row": int(body.index[-1]), "label": label}))
        body = body.iloc[:-1]
    if first is not None:
        return _continued(first, grid, body, notes, blank_rows, footer, subtotal_rows)
    # Name every column; keep unnamed ones that hold data under their letter.
    names: list[str] = []
    dropped: list[int] = []
    keep: list[int] = []
    unnamed: list[str] = []
    seen: dict[str, int] = {}
    for j, h in enumerate(headers):
        letter = grid.letters[j] if j < len(grid.letters) else str(j)
        if not h:
            if body[j].isna().all():
                dropped.append(j)
                continue
            h = letter
            unnamed.append(letter)
        # Names equal but for case are numbered too: the store (like Excel) folds case.
        folded = h.casefold()
        if folded in seen:
            seen[folded] += 1
            h = f"{h} ({seen[folded]})"
        else:
            seen[folded] = 1
        names.append(h)
        keep.append(j)
    if unnamed:
        notes.append(("note_unnamed_columns", {"columns": ", ".join(unnamed)}))
    data = body[keep]
    data.columns = names
    letters = {
        n: (grid.letters[j] if j < len(grid.letters) else str(j))
        for n, j in zip(names, keep, strict=True)
    }
    if grid.merges:
        data, filled = _fill_merged(data, grid.merges, letters)
        if filled:
            notes.append(
                (
                    "note_merged_cells",
                    {
                        "count": sum(filled.values()),
                        "columns_zh": "、".join(filled),
                        "columns_en": ", ".join(filled),
                    },
                )
            )
    if grid.hidden_rows:
        hidden = [int(r) for r in data.index.intersection(pd.Index(grid.hidden_rows))]
        if hidden:
            notes.append(("note_hidden_rows", {"count": len(hidden), "rows": row_ranges(hidden)}))
    if data.empty:
        raise UnusableFile("header_only", file=name, header_row=header_row)
    notes.insert(0, ("note_header_row", {"row": header_row}))
    return Layout(
        header_row,
        tuple(names),
        data,
        letters,
        tuple(notes),
        tuple(blank_rows),
        tuple(footer),
        tuple(subtotal_rows),
        tuple(keep),
        tuple(dropped),
    )


def _continued(
    first: Layout,
    grid: RawGrid,
    body: pd.DataFrame,
    notes: list[tuple[str, dict]],
    blank_rows: list[int],
    footer: list[str],
    subtotal_rows: list[int],
) -> Layout:
    """A later piece's rows under the first piece's columns. An unnamed column the first piece
    left out as empty must be empty here too, or the pieces would not read as the whole file."""
    for j in first.dropped:
        if body[j].notna().any():
            raise NotChunkable("an unnamed column holds data only past the first piece")
    data = body[list(first.columns)]
    data.columns = list(first.headers)
    return Layout(
        first.header_row,
        first.headers,
        data,
        first.letters,
        tuple(notes),
        tuple(blank_rows),
        tuple(footer),
        tuple(subtotal_rows),
        first.columns,
        first.dropped,
    )

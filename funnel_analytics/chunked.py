"""A large CSV export read in pieces, with the findings and row numbers of one piece.

:func:`load_in_pieces` reads a CSV file a piece of ``rows`` records at a time, types and checks
each piece as :func:`funnel_analytics.loading.load_export` would the whole file, encodes its
valid rows for the store and lets the piece go: memory holds one piece, the file's ids and
the encoded rows, not the whole table.

What looks across the whole file is done across the pieces:

* the decisions a load takes from a whole column (the day/month order of each date column,
  the probability column's scale, whether a grade column is a temperature rating) are taken
  from every piece's values; a piece read under another decision is read again under the
  final one;
* duplicate ids (the same id and snapshot date twice) are found among every piece's ids, and
  a duplicate's row leaves the stored rows of its piece;
* the notes are merged: counts summed, rows listed once, each note where one piece's load
  would have put it.

A file that pieces could read differently from one piece (UTF-16 or blank lines, rows of
unequal width, a stage-history log, no id column, rows without an id and a name, which may
be a spreadsheet's subtotals) is read in one piece instead, and so is any file the pieces
refuse: the one-piece load then gives its exact reading or refusal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .grid import DEFAULT_LIMITS, Limits, NotChunkable, RawGrid, UnusableFile
from .layout import Layout, continue_table, locate_table, row_ranges
from .loading import (
    DATE_ORDER_NOTES,
    Decisions,
    Evidence,
    LoadResult,
    Piece,
    _columns_and_shape,
    _require_stage_and_id,
    currency_note,
    first_rows,
    load_export,
    load_piece,
    ordered_findings,
    outcome_note,
)
from .mapping import ColumnMapping
from .memo import give_back
from .reading import MIN_CHUNK_ROWS, CsvChunk, csv_chunks
from .schema import Opportunities
from .stages import StageModel, get_stage_model
from .values import SEPARATOR_EVIDENCE, decimal_comma, parse_date

__all__ = ["AUTO_PIECES_BYTES", "DEFAULT_PIECE_ROWS", "PiecesResult", "load_in_pieces"]

#: Records per piece unless the caller says otherwise.
DEFAULT_PIECE_ROWS = 100_000

#: CSV files larger than this are imported in pieces by default (``import --chunk-rows``).
AUTO_PIECES_BYTES = 32 << 20

#: Notes whose counts add up across pieces.
_SUMMED = frozenset(
    {"note_missing_markers", "note_archived_lost", "note_lost_stage", "note_probability_fractions"}
)

#: The layout's notes about the table's head, kept from the first piece, in their order.
_HEAD_NOTES = ("note_header_row", "note_header_filled", "note_title_rows", "note_hint_row")


@dataclass
class PiecesResult:
    """A CSV export read in pieces: what the store and the command line need of a load.

    The attributes carry :class:`~funnel_analytics.loading.LoadResult`'s names and meaning;
    the valid rows are held encoded for the store (``parts``), one part per piece."""

    file_name: str
    file_format: str
    content_sha256: str
    stage_model: StageModel
    mapping: ColumnMapping
    shape: str
    header_row: int
    findings: pd.DataFrame
    notes: tuple[tuple[str, dict], ...]
    rows_read: int
    rows_valid: int
    rows_rejected: int
    encoding: str | None
    snapshot_dates: tuple[pd.Timestamp, pd.Timestamp] | None
    pieces: int
    piece_rows: int  # the most rows a piece holds (the last takes up to 63 more)
    reread: int  # pieces read again under a decision taken from later pieces
    parts: list[bytes] = field(repr=False)
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    # The same reading of the findings and notes as a one-piece load's.
    errors = property(LoadResult.errors.fget)
    warnings = property(LoadResult.warnings.fget)
    note_texts = LoadResult.note_texts
    messages = LoadResult.messages

    def stored_rows(self) -> _StoredRows:
        """The encoded rows, as :meth:`SnapshotStore.import_result` takes them (``encoded``)."""
        return _StoredRows(self)


class _StoredRows:
    def __init__(self, result: PiecesResult) -> None:
        self.result = result

    def blobs(self) -> list[bytes]:
        return self.result.parts


@dataclass
class _Done:
    """What is kept of a piece once it has been read: its place, notes, findings, evidence,
    ids and encoded rows (not its cells)."""

    chunk: CsvChunk
    layout_notes: tuple[tuple[str, dict], ...]
    rows_blank: tuple[int, ...]
    rows_subtotal: tuple[int, ...]
    rows: int
    raw_ids: pd.Series
    piece: Piece  # without its valid rows, which are encoded in ``part``
    part: Future[tuple[bytes, int, pd.Timestamp | None, pd.Timestamp | None]]


def load_in_pieces(
    path: str | Path,
    rows: int = DEFAULT_PIECE_ROWS,
    *,
    stage_model: StageModel | str | None = None,
    mapping: dict[str, str] | None = None,
    remembered: dict[str, dict[str, str]] | None = None,
    as_of: date | str | pd.Timestamp | None = None,
    shape: str = "auto",
    dayfirst: bool | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
) -> PiecesResult | LoadResult:
    """Read a CSV export in pieces of ``rows`` records (see the module's description).

    Returns a :class:`PiecesResult`, or the :class:`LoadResult` of one piece for a file that
    pieces could read differently. ``progress(pieces read, bytes read)`` is called after each
    piece. Raises :class:`UnusableFile` as :func:`load_export` does."""
    model = get_stage_model(stage_model)
    try:
        if shape not in ("auto", "snapshot"):
            raise NotChunkable("shape")
        return _in_pieces(
            Path(path), rows, model, mapping, remembered, as_of, shape, dayfirst, limits, progress
        )
    except (NotChunkable, UnusableFile):
        return load_export(
            path,
            stage_model=model,
            mapping=mapping,
            remembered=remembered,
            as_of=as_of,
            shape=shape,
            dayfirst=dayfirst,
            limits=limits,
        )


def _in_pieces(
    path: Path,
    rows: int,
    model: StageModel,
    mapping: dict[str, str] | None,
    remembered: dict[str, dict[str, str]] | None,
    as_of: date | str | pd.Timestamp | None,
    shape: str,
    dayfirst: bool | None,
    limits: Limits,
    progress: Callable[[int, int], None] | None,
) -> PiecesResult:
    hasher = hashlib.sha256()
    chunks = csv_chunks(path, rows, limits=limits, hasher=hasher)
    held = [next(chunks)]  # the first piece, let go once read (as every piece is)
    name, encoding = held[0].name, held[0].grid.encoding
    layout = locate_table(held[0].grid, limits.header_scan_rows, tail=held[0].last)
    mapping_notes: list[tuple[str, dict]] = []
    cmap, kind = _columns_and_shape(
        layout, model, mapping, remembered, shape, dayfirst, mapping_notes, look_at_rows=False
    )
    _require_stage_and_id(cmap, layout, name)
    ids = cmap.header_for(Opportunities.opportunity_id)
    if kind != "snapshot" or ids is None:
        raise NotChunkable("a log, dated stages or ids made from names")
    names = cmap.header_for(Opportunities.opportunity_name)
    done: list[_Done] = []
    evidence: list[Evidence] = []
    # The first piece's layout without its rows: what the later pieces are laid out by.
    layout_0 = replace(layout, data=layout.data.iloc[:0])

    def laid_out(chunk: CsvChunk, grid: RawGrid) -> Layout:
        """A piece's table: the first piece's as located, a later one's by the first's."""
        if chunk.number:
            table = continue_table(layout_0, grid, chunk.last)
        else:
            table = locate_table(grid, limits.header_scan_rows, tail=chunk.last)
        return _checked(table, ids, names)

    with ThreadPoolExecutor(max_workers=1) as encoder:
        for chunk in _pieces_of(held, chunks):
            # The first piece's table is located already.
            layout = laid_out(chunk, chunk.grid) if chunk.number else _checked(layout, ids, names)
            decided = _decide(evidence, False, dayfirst)
            piece = load_piece(name, model, layout, cmap, as_of, dayfirst, decided)
            evidence.append(piece.evidence)
            done.append(_keep(chunk, layout, piece, ids, encoder))
            del piece, layout, chunk
            give_back(collect=False)  # what the piece took, back before the next is read
            if progress is not None:
                progress(len(done), done[-1].chunk.end)
        raw_ids = pd.concat([d.raw_ids for d in done])
        if shape == "auto" and _looks_like_log(raw_ids):
            raise NotChunkable("the ids repeat as a log's do")
        final = _decide(evidence, True, dayfirst)
        reread = 0
        for i, d in enumerate(done):
            if _needs_rereading(d.piece.evidence, final):
                grid = d.chunk.reread(path)
                layout = laid_out(d.chunk, grid)
                piece = load_piece(name, model, layout, cmap, as_of, dayfirst, final)
                done[i] = _keep(d.chunk, layout, piece, ids, encoder)
                del grid, layout, piece
                give_back(collect=False)
                reread += 1
        duplicates = _duplicates(done, raw_ids, cmap, layout_0.letters)
        parts, dates, removed = _parts(done, duplicates)
    # Pieces without findings are left out: an empty frame's columns would turn the text
    # columns of the others into objects.
    found = [f for f in [*(d.piece.findings for d in done), duplicates] if len(f)]
    findings = (
        ordered_findings(pd.concat(found, ignore_index=True)) if found else done[0].piece.findings
    )
    notes = _notes(done, encoding, mapping_notes, model, final, dayfirst)
    rejected = int(findings.loc[findings["severity"] == "error", "row"].nunique())
    valid = sum(d.part.result()[1] for d in done) - removed
    return PiecesResult(
        file_name=name,
        file_format="csv",
        content_sha256=hasher.hexdigest(),
        stage_model=model,
        mapping=cmap,
        shape="snapshot",
        header_row=layout_0.header_row,
        findings=findings,
        notes=tuple(notes),
        rows_read=sum(d.rows for d in done),
        rows_valid=valid,
        rows_rejected=rejected,
        encoding=encoding,
        snapshot_dates=dates,
        pieces=len(done),
        piece_rows=max(rows, MIN_CHUNK_ROWS),
        reread=reread,
        parts=parts,
    )


def _pieces_of(held: list[CsvChunk], rest: Iterator[CsvChunk]) -> Iterator[CsvChunk]:
    """The pieces: the one ``held`` (taken out, so that nothing keeps it), then the rest."""
    yield held.pop()
    yield from rest


def _checked(layout: Layout, id_header: str, name_header: str | None) -> Layout:
    """``layout``, refused for reading in pieces when a row has neither an id nor a name:
    such a row may be a spreadsheet's subtotal, which is told by the deal above it."""
    data = layout.data
    empty = data[id_header].isna().to_numpy().copy()
    if name_header is not None:
        empty &= data[name_header].isna().to_numpy()
    if empty.any():
        raise NotChunkable("rows without an id and a name")
    return layout


def _keep(
    chunk: CsvChunk, layout: Layout, piece: Piece, id_header: str, encoder: ThreadPoolExecutor
) -> _Done:
    """What is kept of a piece; its valid rows are encoded for the store in the background
    and then let go."""
    part = encoder.submit(_encode, piece.valid)
    piece = replace(piece, valid=None)
    return _Done(
        replace(chunk, grid=None),
        layout.notes,
        layout.rows_blank,
        layout.rows_subtotal,
        len(layout.data),
        layout.data[id_header],
        piece,
        part,
    )


def _encode(valid: pd.DataFrame) -> tuple[bytes, int, pd.Timestamp | None, pd.Timestamp | None]:
    """A piece's valid rows as a stored part, their count and their first and last dates."""
    from .store import _encode as encode_part

    table = pa.Table.from_pandas(valid.reset_index(), preserve_index=False)
    dates = valid[Opportunities.snapshot_date].dropna()
    first, last = (dates.min(), dates.max()) if len(dates) else (None, None)
    return encode_part(table), len(valid), first, last


def _decide(evidence: list[Evidence], final: bool, dayfirst: bool | None) -> Decisions:
    """The column-wide decisions the pieces read so far (or all, ``final``) give: each as
    :func:`~funnel_analytics.loading.load_export` takes it from a whole column. A decision
    no piece has shown anything for yet is left to the next piece's rows."""
    decided = Decisions()
    if dayfirst is None:
        texts: dict[str, set[str]] = {}
        for e in evidence:
            for header, seen in e.order_texts.items():
                texts.setdefault(header, set()).update(seen)
        for header, seen in texts.items():
            if seen:
                note = parse_date(pd.Series(sorted(seen), dtype="object")).note
                decided.date_order[header] = DATE_ORDER_NOTES[note]
                decided.date_note[header] = note
            elif final:
                decided.date_note[header] = None
    scales = [e.probability_note for e in evidence if e.probability_note]
    if scales:
        decided.percent = "probability_scale_percent" in scales
        decided.probability_note = (
            "probability_scale_percent" if decided.percent else "probability_scale_fraction"
        )
    if any(e.grade_values for e in evidence):
        decided.rating = all(e.all_ratings for e in evidence)
    seen = {k: any(e.amount_separators.get(k) for e in evidence) for k in SEPARATOR_EVIDENCE}
    decided.decimal_comma = decimal_comma(seen)
    return decided


def _needs_rereading(e: Evidence, final: Decisions) -> bool:
    """Whether a piece was read under a decision other than the final one, in a way that
    changes its rows."""
    for header, used in e.order_used.items():
        if header in final.date_order and bool(used) != bool(final.date_order[header]):
            return True
    if e.probability_note is not None and final.percent not in (None, e.percent_used):
        return True
    if final.decimal_comma is not None and e.comma_used not in (None, final.decimal_comma):
        return True
    return e.rating_used is not None and final.rating is not None and e.rating_used != final.rating


def _looks_like_log(ids: pd.Series) -> bool:
    """Whether the ids (as written, every piece's) repeat as a stage-history log's do (a fifth
    of the rows or more), which the one-piece load looks at further."""
    if len(ids) < 4:
        return False
    repeated = ids.duplicated(keep=False) & ids.notna()
    return bool(repeated.mean() >= 0.2)


def _duplicates(
    done: list[_Done], raw_ids: pd.Series, cmap: ColumnMapping, letters: dict[str, str]
) -> pd.DataFrame:
    """The duplicate-id findings across pieces, as the one-piece load reports them: each later
    row with an id and snapshot date already seen, naming the first such row."""
    id_f, date_f = Opportunities.opportunity_id, Opportunities.snapshot_date
    keys = pd.concat([d.piece.keys for d in done])
    frame = keys.rename(columns={"id": id_f, "date": date_f})[[id_f, date_f]]
    frame.index.name = "row"
    dup = frame.duplicated([id_f, date_f], keep="first").to_numpy() & ~keys["missing"].to_numpy()
    rows = frame.index[dup]
    header = cmap.header_for(id_f)
    if not len(rows):
        return pd.DataFrame(columns=list(done[0].piece.findings.columns))
    raw = raw_ids.loc[rows]
    return pd.DataFrame(
        {
            "row": np.asarray(rows).astype("int64"),
            "column": header,
            "letter": letters.get(header),
            "field": id_f,
            "value": [None if pd.isna(v) else str(v) for v in raw],
            "rule": "duplicate_id",
            "severity": "error",
            "params": first_rows(frame, rows),
        }
    )


def _parts(
    done: list[_Done], duplicates: pd.DataFrame
) -> tuple[list[bytes], tuple[pd.Timestamp, pd.Timestamp] | None, int]:
    """The stored parts (a piece's duplicate rows taken out of its part), the valid rows'
    first and last snapshot dates, and the number of rows taken out."""
    from .store import _decode
    from .store import _encode as encode_part

    dup_rows = set(duplicates["row"].tolist())
    parts, firsts, lasts, removed = [], [], [], 0
    ends = [d.chunk.first_row for d in done[1:]] + [None]
    for d, end in zip(done, ends, strict=True):
        blob, _, first, last = d.part.result()
        start = d.chunk.first_row
        if any(start <= r and (end is None or r < end) for r in dup_rows):
            table = _decode([blob])
            rows = table.column("row").to_numpy()
            keep = ~np.isin(rows, np.fromiter(dup_rows, dtype="int64"))
            if not keep.all():
                removed += int((~keep).sum())
                table = table.filter(pa.array(keep))
                blob = encode_part(table)
                dates = table.column(Opportunities.snapshot_date).drop_null()
                first = dates.to_pandas().min() if len(dates) else None
                last = dates.to_pandas().max() if len(dates) else None
        parts.append(blob)
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    dates = (min(firsts), max(lasts)) if firsts else None
    return parts, dates, removed


def _identity(key: str, params: dict) -> tuple[str, object]:
    """Which notes of different pieces are one note of the file."""
    if key.removeprefix("note_") in DATE_ORDER_NOTES:
        return "dates", params.get("column")
    if key in ("note_probability_scale_percent", "note_probability_scale_fraction"):
        return "probability", params.get("column")
    return key, params.get("column")


def _merged(lists: list[list[tuple[str, dict]]]) -> list[tuple[tuple[str, object], str, dict]]:
    """The pieces' notes as one list, each where the pieces put it, counts summed."""
    merged: list[tuple[tuple[str, object], str, dict]] = []
    where: dict[tuple[str, object], int] = {}
    for notes in lists:
        at = -1
        for key, params in notes:
            ident = _identity(key, params)
            if ident in where:
                at = where[ident]
                if key in _SUMMED:
                    _, k, p = merged[at]
                    merged[at] = (ident, k, {**p, "count": p["count"] + params["count"]})
                continue
            at += 1
            merged.insert(at, (ident, key, params))
            where = {m[0]: i for i, m in enumerate(merged)}
    return merged


def _in_first_seen_order(counts: list[pd.Series]) -> pd.Series:
    """Counts summed across pieces, most first, ties as ``value_counts`` orders them (by
    first appearance)."""
    total: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            total[str(k)] = total.get(str(k), 0) + int(v)
    return pd.Series(total, dtype="int64").sort_values(ascending=False)


def _notes(
    done: list[_Done],
    encoding: str | None,
    mapping_notes: list[tuple[str, dict]],
    model: StageModel,
    final: Decisions,
    dayfirst: bool | None,
) -> list[tuple[str, dict]]:
    """The file's notes, in the order the one-piece load gives them."""
    notes: list[tuple[str, dict]] = []
    if encoding:
        notes.append(("note_encoding", {"encoding": encoding}))
    first, last = done[0].layout_notes, done[-1].layout_notes
    notes.extend(n for n in first if n[0] in _HEAD_NOTES)
    blank = [r for d in done for r in d.rows_blank]
    if blank:
        notes.append(("note_blank_rows", {"count": len(blank), "rows": row_ranges(blank)}))
    notes.extend(n for n in last if n[0] == "note_footer_rows")
    subtotals = [r for d in done for r in d.rows_subtotal]
    if subtotals:
        notes.append(
            ("note_subtotal_rows", {"count": len(subtotals), "rows": row_ranges(subtotals)})
        )
    notes.extend(n for n in last if n[0] == "note_totals_row")
    notes.extend(n for n in first if n[0] == "note_unnamed_columns")
    notes.extend(mapping_notes)
    stage_counts = _in_first_seen_order([d.piece.stage_counts for d in done])
    currencies = _in_first_seen_order([d.piece.currencies for d in done])
    for (kind, column), key, params in _merged([d.piece.notes for d in done]):
        if kind == "dates" and dayfirst is None and column in final.date_note:
            note = final.date_note[column]
            if note:
                notes.append(("note_" + note, {"column": column}))
        elif kind == "probability" and final.percent is not None:
            notes.append(("note_" + final.probability_note, {"column": column}))
        elif key == "note_outcome_by_name":
            note = outcome_note(model, {k: int(v) for k, v in stage_counts.items()})
            if note:
                notes.append(note)
        elif key == "note_mixed_currencies":
            note = currency_note(currencies)
            if note:
                notes.append(note)
        else:
            notes.append((key, params))
    return notes

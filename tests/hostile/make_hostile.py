"""Hostile input files for the subprocess tests in ``tests/test_hostile.py``.

Every file models one attack on a reader: a sheet whose only cell is at the far corner of the
grid, a shared string of 40 MB, a CSV header of 50 MB of commas, a TOML or JSON file nested
100,000 deep, cells and file names carrying terminal escape sequences or Markdown and HTML.
``tests/hostile/README.md`` lists each file, the attack and the outcome expected.

Nothing here is committed: the files are written at test time (into ``tmp_path``)::

    from make_hostile import make_files
    paths = make_files(tmp_path)                    # {file name: Path}
    paths = make_files(tmp_path, only=["far_cell.xlsx"])

or from the command line::

    .venv/bin/python tests/hostile/make_hostile.py /tmp/hostile

The bytes are the same on every run (fixed zip timestamps, no randomness), the whole set is
written in a few seconds, and big files are streamed: memory stays at a few MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "AS_OF",
    "ESCAPE_NAME",
    "ESCAPE_UNUSABLE_NAME",
    "FILES",
    "MARKDOWN_NAME",
    "VALID_HEADER",
    "VALID_ROWS",
    "make_files",
]

ZIP_TIME = (2024, 1, 1, 8, 0, 0)
# None of the generated files carries a month in its name: validate them with --as-of AS_OF.
AS_OF = "2024-03-31"

# A valid six-state export (English headers, stages named as in stages.py). Every deal
# closes after AS_OF except the won one, so ``validate --as-of 2024-03-31`` exits 0.
VALID_HEADER = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Owner Role",
    "Stage",
    "Amount",
    "Close Date",
]
VALID_ROWS = [
    [
        "OPP-001",
        "Warehouse robots",
        "Acme Logistics",
        "Sarah Chen",
        "North",
        "Target",
        "25000",
        "2024-09-30",
    ],
    [
        "OPP-002",
        "CRM rollout",
        "Globex",
        "Michael Brown",
        "South",
        "Qualified",
        "120000",
        "2024-08-15",
    ],
    [
        "OPP-003",
        "Data platform",
        "Initech",
        "Priya Patel",
        "North",
        "Shortlisted",
        "310500",
        "2024-07-31",
    ],
    [
        "OPP-004",
        "Security audit",
        "Umbrella Health",
        "David Kim",
        "East",
        "Committed",
        "78000",
        "2024-06-28",
    ],
    [
        "OPP-005",
        "Fleet telematics",
        "Northwind",
        "Sarah Chen",
        "North",
        "Near-win",
        "18000",
        "2024-05-31",
    ],
    [
        "OPP-006",
        "Payroll outsourcing",
        "Contoso",
        "David Kim",
        "East",
        "Won",
        "42000",
        "2024-03-15",
    ],
]

# File names that are themselves the attack (valid on Linux and macOS file systems).
ESCAPE_NAME = "\x1b[31mred\x1b[0m.csv"  # a clean export: only the name is hostile
ESCAPE_UNUSABLE_NAME = "\x1b]0;pwned\x07\x1b[2Jgone.xlsx"  # plain text named .xlsx: refused
# "http:host" is what browsers and Markdown renderers resolve to http://host/: a live link
# without the slashes a file name cannot hold.
MARKDOWN_NAME = "[a](http:127.0.0.1:9) ![x](http:127.0.0.1:9) <img src=x>.csv"

MB = 1_000_000
CHUNK = 1 << 20


# ============================================================================================
# Writing helpers
# ============================================================================================
def _write_stream(path: Path, pieces: Iterable[bytes]) -> Path:
    with path.open("wb") as fh:
        for piece in pieces:
            fh.write(piece)
    return path


def _repeat(unit: bytes, total: int) -> Iterator[bytes]:
    """``unit`` repeated to ``total`` bytes (a multiple of len(unit)), in chunks of ~1 MB."""
    count = total // len(unit)
    per_chunk = max(CHUNK // len(unit), 1)
    block = unit * per_chunk
    while count >= per_chunk:
        yield block
        count -= per_chunk
    if count:
        yield unit * count


def _csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    """CSV text; a field is quoted when it holds the delimiter, a quote or a ``newline`` character."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _letters(col: int) -> str:
    """Column letters of a 1-based column number (1 -> A, 26 -> Z, 16384 -> XFD)."""
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------------------------
# Minimal SpreadsheetML, written by hand
# --------------------------------------------------------------------------------------------
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(shared_strings: bool) -> str:
    sst = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings
        else ""
    )
    return (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sst}</Types>"
    )


_ROOT_RELS = (
    _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)

_WORKBOOK = (
    _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _workbook_rels(shared_strings: bool) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sst = (
        f'<Relationship Id="rId3" Type="{base}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings
        else ""
    )
    return (
        _XML
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{base}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{base}/styles" Target="styles.xml"/>'
        f"{sst}</Relationships>"
    )


_STYLES = (
    _XML + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _sheet_head(dimension: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{_XML}<worksheet xmlns="{_NS}">{dim}<sheetData>'.encode()


_SHEET_TAIL = b"</sheetData></worksheet>"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _shared(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def _number(ref: str, value: float | int) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def _row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _write_xlsx(
    path: Path, sheet: Iterable[bytes], shared_strings: Iterable[bytes] | None = None
) -> Path:
    """An .xlsx of one sheet; ``sheet`` and ``shared_strings`` are streamed part by part."""

    def info(name: str) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.create_system = 0
        zi.external_attr = 0
        return zi

    has_sst = shared_strings is not None
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in (
            ("[Content_Types].xml", _content_types(has_sst)),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _workbook_rels(has_sst)),
            ("xl/styles.xml", _STYLES),
        ):
            zf.writestr(info(name), text)
        with zf.open(info("xl/worksheets/sheet1.xml"), "w") as fh:
            for piece in sheet:
                fh.write(piece)
        if has_sst:
            with zf.open(info("xl/sharedStrings.xml"), "w") as fh:
                for piece in shared_strings:
                    fh.write(piece)
    return path


def _sst(strings: Iterable[Iterable[bytes] | str], count: int, unique: int) -> Iterator[bytes]:
    """A sharedStrings part; each string is text, or an iterator of already escaped bytes."""
    yield f'{_XML}<sst xmlns="{_NS}" count="{count}" uniqueCount="{unique}">'.encode()
    for s in strings:
        yield b"<si><t>"
        if isinstance(s, str):
            yield escape(s).encode()
        else:
            yield from s
        yield b"</t></si>"
    yield b"</sst>"


# ============================================================================================
# Workbooks
# ============================================================================================
def make_far_cell(path: Path) -> Path:
    """The only cell is the last one of the grid (XFD1048576); the dimension says A1."""
    sheet = (
        _sheet_head("A1")
        + (_row(1048576, [_inline("XFD1048576", "Stage")]) + "</sheetData></worksheet>").encode()
    )
    return _write_xlsx(path, [sheet])


def make_far_cell_with_a1(path: Path) -> Path:
    """A small export from A1 plus one stray cell at XFD1048576; no dimension declared.

    The used range is the whole grid (1,048,576 × 16,384 cells): a reader that allocates it
    aborts the process.
    """
    rows = [
        _row(1, [_inline("A1", "Opportunity"), _inline("B1", "Stage"), _inline("C1", "Amount")]),
        _row(2, [_inline("A2", "OPP-001"), _inline("B2", "Target"), _number("C2", 25000)]),
        _row(1048576, [_inline("XFD1048576", "far away")]),
    ]
    return _write_xlsx(path, [_sheet_head(None), "".join(rows).encode(), _SHEET_TAIL])


def make_far_cell_lying_dimension(path: Path) -> Path:
    """A small export in A1:C3 (as the dimension says) plus one stray cell at Z1000000."""
    rows = [
        _row(1, [_inline("A1", "Opportunity"), _inline("B1", "Stage"), _inline("C1", "Amount")]),
        _row(2, [_inline("A2", "OPP-001"), _inline("B2", "Target"), _number("C2", 25000)]),
        _row(3, [_inline("A3", "OPP-002"), _inline("B3", "Qualified"), _number("C3", 120000)]),
        _row(1000000, [_inline("Z1000000", "far away")]),
    ]
    return _write_xlsx(path, [_sheet_head("A1:C3"), "".join(rows).encode(), _SHEET_TAIL])


BOMB_CHARS = 40 * MB
BOMB_REFS = 200


def make_shared_string_bomb(path: Path) -> Path:
    """One shared string of 40 million characters, referenced by 200 cells (~50 KB packed).

    40 MB stays under the reader's zip-bomb floor (50 MB per part), so only a limit on one
    cell's length (or on the decoded text) can stop it: 200 references are 8 GB of text.
    """
    header = _row(1, [_shared("A1", 0), _shared("B1", 1), _shared("C1", 2)])
    rows = [header] + [
        _row(r, [_shared(f"A{r}", 3), _shared(f"B{r}", 4), _number(f"C{r}", 1000)])
        for r in range(2, BOMB_REFS + 2)
    ]
    sheet = [_sheet_head(f"A1:C{BOMB_REFS + 1}"), "".join(rows).encode(), _SHEET_TAIL]
    strings = ["Stage", "Opportunity", "Amount", "Target", _repeat(b"A", BOMB_CHARS)]
    return _write_xlsx(path, sheet, _sst(strings, 3 + 2 * BOMB_REFS, len(strings)))


FANOUT_CHARS = 30_000  # under Excel's 32,767 limit of one cell
FANOUT_REFS = 100_000


def make_shared_string_fanout(path: Path) -> Path:
    """One 30,000-character shared string (a legal cell) referenced by 100,000 cells.

    Every cell is within the per-cell limit and the cell count is modest, but the decoded text
    is 3 GB: only a limit on the total decoded text stops it (~100 KB packed).
    """

    def sheet() -> Iterator[bytes]:
        yield _sheet_head(f"A1:C{FANOUT_REFS + 1}")
        yield _row(1, [_shared("A1", 0), _shared("B1", 1), _shared("C1", 2)]).encode()
        block = []
        for r in range(2, FANOUT_REFS + 2):
            block.append(
                _row(r, [_shared(f"A{r}", 3), _shared(f"B{r}", 4), _number(f"C{r}", 1000)])
            )
            if len(block) == 10_000:
                yield "".join(block).encode()
                block = []
        yield "".join(block).encode()
        yield _SHEET_TAIL

    strings = ["Stage", "Opportunity", "Amount", "Target", "B" * FANOUT_CHARS]
    return _write_xlsx(path, sheet(), _sst(strings, 3 + 3 * FANOUT_REFS, len(strings)))


LONG_CELL_CHARS = 100_000


def make_long_cell(path: Path) -> Path:
    """A normal export whose one opportunity name is 100,000 characters (Excel allows 32,767)."""
    rows = [
        _row(1, [_inline("A1", "Stage"), _inline("B1", "Opportunity"), _inline("C1", "Amount")]),
        _row(
            2, [_inline("A2", "Target"), _inline("B2", "L" * LONG_CELL_CHARS), _number("C2", 25000)]
        ),
        _row(3, [_inline("A3", "Qualified"), _inline("B3", "CRM rollout"), _number("C3", 120000)]),
    ]
    return _write_xlsx(path, [_sheet_head("A1:C3"), "".join(rows).encode(), _SHEET_TAIL])


# ============================================================================================
# CSV
# ============================================================================================
WIDE_HEADER_BYTES = 50 * MB


def make_wide_header(path: Path) -> Path:
    """A header line of 50 MB of commas (50 million empty column names), then one data line."""

    def pieces() -> Iterator[bytes]:
        yield b"Opportunity,Stage,Amount"
        yield from _repeat(b",", WIDE_HEADER_BYTES)
        yield b"\nOPP-001,Target,25000\n"

    return _write_stream(path, pieces())


WIDE_COLUMNS = 100_000
WIDE_ROWS = 50


def make_wide_100k_columns(path: Path) -> Path:
    """100,000 columns × 50 rows of short values (~11 MB)."""

    def pieces() -> Iterator[bytes]:
        extra = ",".join(f"c{i}" for i in range(3, WIDE_COLUMNS))
        yield f"Opportunity,Stage,Amount,{extra}\n".encode()
        filler = ",".join(["x"] * (WIDE_COLUMNS - 3))
        for r in range(1, WIDE_ROWS + 1):
            yield f"OPP-{r:03d},Target,{1000 * r},{filler}\n".encode()

    return _write_stream(path, pieces())


LONG_LINE_BYTES = 50 * MB


def make_long_line(path: Path) -> Path:
    """A normal header, then one row whose middle cell (the stage) is 50 MB."""

    def pieces() -> Iterator[bytes]:
        yield b"Opportunity,Stage,Amount\nOPP-001,"
        yield from _repeat(b"S", LONG_LINE_BYTES)
        yield b",25000\n"

    return _write_stream(path, pieces())


def make_valid(path: Path) -> Path:
    """The valid export the hostile ones are variations of (``validate`` exits 0)."""
    path.write_bytes(_csv_bytes(VALID_HEADER, VALID_ROWS))
    return path


# Terminal attacks: clear screen, set the window title, move the cursor, ask the terminal to
# answer (device status report: its reply lands in the shell's input), hide text.
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;title\x07"
RED, RESET = "\x1b[31m", "\x1b[0m"
DSR = "\x1b[6n"
UP = "\x1b[1A"
HIDE = "\x1b[8m"
C0_OTHERS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\r\t\x1b")  # no NUL


def make_escapes(path: Path) -> Path:
    """A six-state export whose cells and headers carry ANSI sequences and C0 controls.

    Unknown stages, a bad amount and a bad date make the CLI quote the hostile values back in
    its findings, and the hostile headers appear in its mapping.
    """
    header = [
        "Opportunity ID",
        "Opportunity Name",
        "Account Name",
        f"Opportunity Owner{TITLE}",
        "Owner Role",
        "Stage",
        "Amount",
        "Close Date",
        f"Notes{CLEAR}{RED}",
        f"{DSR}Comment\x07\x08\x08",
    ]
    rows = [
        [
            "OPP-001",
            "Warehouse robots",
            f"{RED}Acme{RESET} Logistics",
            "Sarah Chen",
            "North",
            "Target",
            "25000",
            "2024-09-30",
            f"{CLEAR}cleared",
            "ok",
        ],
        [
            "OPP-002",
            f"CRM{TITLE} rollout",
            "Globex",
            "Michael\x08\x08\x08\x08\x08\x08\x08Mallory",
            "South",
            f"Qualified{CLEAR}",
            "120000",
            "2024-08-15",
            "",
            "",
        ],
        [
            "OPP-003",
            "Data platform",
            "Initech",
            "Priya Patel",
            "North",
            f"{TITLE}Shortlisted",
            "310500",
            "2024-07-31",
            f"{HIDE}hidden",
            "",
        ],
        [
            "OPP-004",
            "Security audit\rOVERWRITTEN",
            "Umbrella Health",
            "David Kim",
            "East",
            "Committed",
            f"78000{UP}",
            "2024-06-28",
            "",
            "",
        ],
        [
            "OPP-005",
            "Fleet telematics",
            "Northwind",
            "Sarah Chen",
            "North",
            "Near-win",
            "18000",
            f"2024-05-31{DSR}",
            "",
            "",
        ],
        [
            f"OPP-006{DSR}",
            f"Payroll{C0_OTHERS}outsourcing",
            "Contoso",
            "David Kim",
            "East",
            f"Won{C0_OTHERS}",
            "42000",
            "2024-03-15",
            C0_OTHERS,
            "\x7fdel",
        ],
        ["OPP-007", "Plain", "Contoso", "David Kim", "East", "Won", "42000", "2024-03-15", "", ""],
    ]
    # CRLF line ends, as Excel writes them: the carriage return inside a cell gets quoted.
    path.write_bytes(_csv_bytes(header, rows, newline="\r\n"))
    return path


MD_IMAGE = "![x](http://127.0.0.1:9/pixel.png)"
MD_LINK = "[click](http://127.0.0.1:9/)"
HTML_IMG = "<img src=http://127.0.0.1:9/a.png>"
HTML_SCRIPT = "<script>alert(1)</script>"


def make_markdown_html(path: Path) -> Path:
    """A six-state export whose names, headers and some stage values are Markdown and HTML.

    For the dashboard: all of it must show as text (no image fetched, no link, no script, no
    formula, no colour). For the CLI: the unknown stages are rejected rows (exit 1).
    """
    header = [
        "Opportunity ID",
        "Opportunity Name",
        "Account Name",
        "Opportunity Owner",
        "Owner Role",
        "Stage",
        "Amount",
        "Close Date",
        MD_IMAGE,
        f"**Notes** {HTML_IMG}",
        "$x^2$ :red[alert]",
    ]
    rows = [
        [
            "OPP-001",
            "**bold** deal",
            MD_IMAGE,
            HTML_SCRIPT,
            ":red[alert]",
            "Target",
            "25000",
            "2024-09-30",
            MD_LINK,
            HTML_IMG,
            "$x^2$",
        ],
        [
            "OPP-002",
            MD_LINK,
            HTML_IMG,
            "**Michael**",
            "$x^2$ team",
            "Qualified",
            "120000",
            "2024-08-15",
            "",
            "",
            "",
        ],
        [
            "OPP-003",
            HTML_SCRIPT,
            "[Initech](http://127.0.0.1:9/i)",
            ":red[Priya]",
            "<b>North</b>",
            MD_LINK,
            "310500",
            "2024-07-31",
            "",
            "",
            "",
        ],
        [
            "OPP-004",
            "$x^2$",
            "Umbrella",
            "David Kim",
            "East",
            HTML_IMG,
            "78000",
            "2024-06-28",
            "",
            "",
            "",
        ],
        [
            "OPP-005",
            "Fleet telematics",
            "Northwind",
            "Sarah Chen",
            "North",
            f"**Near-win** {MD_IMAGE}",
            "18000",
            "2024-05-31",
            "",
            "",
            "",
        ],
        [
            "OPP-006",
            "Payroll",
            "Contoso",
            "David Kim",
            "East",
            "Won",
            "42000",
            "2024-03-15",
            "",
            "",
            "",
        ],
        [
            "OPP-007",
            ":red[alert]",
            "Contoso",
            HTML_SCRIPT,
            ":red[East]",
            ":red[Committed]",
            "42000",
            "2024-06-30",
            "",
            "",
            "",
        ],
    ]
    path.write_bytes(_csv_bytes(header, rows))
    return path


def make_markdown_name(path: Path) -> Path:
    """A clean export whose file name is a Markdown link, image and HTML tag."""
    return make_valid(path)


def make_escape_name(path: Path) -> Path:
    """A clean export whose file name carries ANSI colour sequences."""
    return make_valid(path)


def make_escape_unusable_name(path: Path) -> Path:
    """Plain text named .xlsx (refused, and the refusal names the file) with escapes in the name."""
    path.write_bytes(b"this is not a workbook\n")
    return path


# ============================================================================================
# Stage model TOML and scenarios JSON
# ============================================================================================
DEPTH = 100_000


def make_deep_toml(path: Path) -> Path:
    """A stage model whose aliases are an array nested 100,000 levels deep."""

    def pieces() -> Iterator[bytes]:
        yield b'name = "deep"\n\n[[stages]]\nkey = "a"\nen = "A"\nprobability = 0.5\naliases = '
        yield b"[" * DEPTH
        yield b"]" * DEPTH
        yield b'\n\n[[stages]]\nkey = "won"\nen = "Won"\nprobability = 1.0\n'

    return _write_stream(path, pieces())


def make_deep_json(path: Path) -> Path:
    """A scenarios file whose ``deals`` lever is an array nested 100,000 levels deep."""

    def pieces() -> Iterator[bytes]:
        yield (
            b'{"format": "funnel-analytics-scenarios", "version": 1, "scenarios": '
            b'[{"name": "deep", "levers": {"win_rate": 1.0, "deals": '
        )
        yield b"[" * DEPTH
        yield b"]" * DEPTH
        yield b', "cycle": 1.0, "deal_size": 1.0, "win_rate_by_stage": {}}}]}\n'

    return _write_stream(path, pieces())


def _scenarios_json(deals: Iterable[tuple[str, float]]) -> bytes:
    """Text in the layout of ``funnel_analytics.scenarios.scenarios_to_json``."""
    return json.dumps(
        {
            "format": "funnel-analytics-scenarios",
            "version": 1,
            "scenarios": [
                {
                    "name": name,
                    "levers": {
                        "win_rate": 1.0,
                        "deals": value,
                        "cycle": 1.0,
                        "deal_size": 1.0,
                        "win_rate_by_stage": {},
                    },
                }
                for name, value in deals
            ],
        },
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")


HUGE_DEALS = [("A million times the deals", 1e6), ("Deals times 1e300", 1e300)]


def make_scenarios_huge_deals(path: Path) -> Path:
    """Two scenarios: ``deals`` ×1e6 (a million times the intake) and ×1e300."""
    path.write_bytes(_scenarios_json(HUGE_DEALS))
    return path


def make_scenarios_deals_1e6(path: Path) -> Path:
    path.write_bytes(_scenarios_json(HUGE_DEALS[:1]))
    return path


def make_scenarios_deals_1e300(path: Path) -> Path:
    path.write_bytes(_scenarios_json(HUGE_DEALS[1:]))
    return path


# ============================================================================================
# The set
# ============================================================================================
FILES: dict[str, Callable[[Path], Path]] = {
    "valid.csv": make_valid,
    "far_cell.xlsx": make_far_cell,
    "far_cell_with_a1.xlsx": make_far_cell_with_a1,
    "far_cell_lying_dimension.xlsx": make_far_cell_lying_dimension,
    "shared_string_bomb.xlsx": make_shared_string_bomb,
    "shared_string_fanout.xlsx": make_shared_string_fanout,
    "long_cell.xlsx": make_long_cell,
    "wide_header.csv": make_wide_header,
    "wide_100k_columns.csv": make_wide_100k_columns,
    "long_line.csv": make_long_line,
    "deep.toml": make_deep_toml,
    "deep.json": make_deep_json,
    "escapes.csv": make_escapes,
    ESCAPE_NAME: make_escape_name,
    ESCAPE_UNUSABLE_NAME: make_escape_unusable_name,
    "markdown_html.csv": make_markdown_html,
    MARKDOWN_NAME: make_markdown_name,
    "scenarios_huge_deals.json": make_scenarios_huge_deals,
    "scenarios_deals_1e6.json": make_scenarios_deals_1e6,
    "scenarios_deals_1e300.json": make_scenarios_deals_1e300,
}


def make_files(out_dir: str | Path, only: Iterable[str] | None = None) -> dict[str, Path]:
    """Write the hostile files (all, or the names in ``only``) into ``out_dir``.

    Returns ``{file name: path}``. Existing files are overwritten; the bytes are the same on
    every run.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = list(FILES) if only is None else list(only)
    unknown = [n for n in names if n not in FILES]
    if unknown:
        raise KeyError(f"no hostile file called {unknown!r}")
    return {name: FILES[name](out_dir / name) for name in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the files into")
    parser.add_argument("names", nargs="*", help="only these files (default: all)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    paths = make_files(args.out_dir, args.names or None)
    for name, path in paths.items():
        print(f"{path.stat().st_size:>12,}  {name!a}")
    print(f"{len(paths)} files in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

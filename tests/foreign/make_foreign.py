#!/usr/bin/env python3
"""Write the corpus of foreign CRM exports into tests/foreign/files/ and their expectations.

Every file is shaped the way its product writes it (headers, picklists, date and number formats,
encoding, footers and other quirks; README.md beside this file names the sources), and is filled
from a small seeded simulation of a sales pipeline. The same simulation tables give
expected.json, by plain Python written here: nothing in funnel_analytics is imported or imitated.

Deterministic: one seed per file, fixed workbook timestamps, zip entries dated 1980-01-01 and
stored uncompressed (so the bytes do not depend on the zlib build). Standard library only.

    python3 tests/foreign/make_foreign.py            # writes files/ and expected.json
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
REAL = HERE / "real"
SEED = 20240701

D = dt.date
T = dt.datetime


def rng_for(name: str) -> random.Random:
    """A generator of its own for each file, so that changing one file leaves the others."""
    return random.Random(f"{SEED}:{name}")


# --------------------------------------------------------------------------------------------
# A small xlsx writer (SpreadsheetML by hand), enough for the quirks the corpus needs:
# shared strings, number formats, bold/filled headers, merged cells, booleans, #N/A errors,
# formulas with cached values, hidden sheets, list validation and frozen panes.
# --------------------------------------------------------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
EXCEL_EPOCH = D(1899, 12, 30)


@dataclass(frozen=True)
class Formula:
    text: str
    cached: float | str | None = None


@dataclass(frozen=True)
class Error:
    code: str = "#N/A"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    italic: bool = False
    num_fmt: str | None = None
    fill: str | None = None  # "RRGGBB"
    wrap: bool = False
    align: str | None = None
    color: str | None = None  # font colour "RRGGBB"


BUILTIN_FORMATS = {
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "m/d/yyyy": 14,
    "d-mmm-yy": 15,
    "h:mm": 20,
    "m/d/yy h:mm": 22,
}


def col_letter(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def excel_serial(value: dt.date | dt.datetime) -> float:
    if isinstance(value, T):
        delta = value - T(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - EXCEL_EPOCH).days)


@dataclass
class Sheet:
    name: str
    hidden: bool = False
    cells: dict[int, dict[int, tuple[object, Style | None]]] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    validations: list[tuple[str, str]] = field(default_factory=list)  # (sqref, formula1)
    freeze_rows: int = 0

    def set(self, row: int, col: int, value: object, style: Style | None = None) -> None:
        if value is None and style is None:
            return
        self.cells.setdefault(row, {})[col] = (value, style)

    def row(self, row: int, values: list[object], style: Style | None = None) -> None:
        for i, v in enumerate(values, start=1):
            if isinstance(v, tuple):
                self.set(row, i, v[0], v[1])
            else:
                self.set(row, i, v, style)


class Workbook:
    def __init__(
        self,
        *,
        created: dt.datetime,
        creator: str,
        font: str = "Calibri",
        application: str = "Microsoft Excel",
    ) -> None:
        self.created = created
        self.creator = creator
        self.font = font
        self.application = application
        self.sheets: list[Sheet] = []
        self._xf: dict[Style, int] = {Style(): 0}
        self._fonts: dict[tuple[bool, bool, str | None], int] = {(False, False, None): 0}
        self._fills: dict[str, int] = {}
        self._fmts: dict[str, int] = {}
        self._strings: dict[str, int] = {}

    def add(self, name: str, hidden: bool = False) -> Sheet:
        sheet = Sheet(name, hidden)
        self.sheets.append(sheet)
        return sheet

    def _style_id(self, style: Style | None) -> int:
        style = style or Style()
        if style not in self._xf:
            self._xf[style] = len(self._xf)
        return self._xf[style]

    def _string(self, s: str) -> int:
        if s not in self._strings:
            self._strings[s] = len(self._strings)
        return self._strings[s]

    def _cell(self, ref: str, value: object, style: Style | None) -> str:
        if isinstance(value, (dt.date, dt.datetime)) and (style is None or not style.num_fmt):
            raise ValueError(f"{ref}: a date cell needs a number format")
        s = self._style_id(style)
        sattr = f' s="{s}"' if s else ""
        if value is None:
            return f'<c r="{ref}"{sattr}/>'
        if isinstance(value, bool):
            return f'<c r="{ref}"{sattr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"{sattr}><v>{_num(value)}</v></c>'
        if isinstance(value, (dt.date, dt.datetime)):
            return f'<c r="{ref}"{sattr}><v>{_num(excel_serial(value))}</v></c>'
        if isinstance(value, Error):
            return f'<c r="{ref}"{sattr} t="e"><v>{value.code}</v></c>'
        if isinstance(value, Formula):
            if isinstance(value.cached, str):
                return (
                    f'<c r="{ref}"{sattr} t="str"><f>{escape(value.text)}</f>'
                    f"<v>{escape(value.cached)}</v></c>"
                )
            cached = "" if value.cached is None else f"<v>{_num(value.cached)}</v>"
            return f'<c r="{ref}"{sattr}><f>{escape(value.text)}</f>{cached}</c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{sattr} t="s"><v>{self._string(value)}</v></c>'
        raise TypeError(f"{ref}: {value!r}")

    def _sheet_xml(self, sheet: Sheet, selected: bool) -> str:
        rows = sorted(sheet.cells)
        max_col = max((max(cols) for cols in sheet.cells.values()), default=1)
        max_row = rows[-1] if rows else 1
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            f'<dimension ref="A1:{col_letter(max_col)}{max_row}"/>'
        ]
        selected_attr = ' tabSelected="1"' if selected else ""
        view = f'<sheetView workbookViewId="0"{selected_attr}'
        if sheet.freeze_rows:
            top = f"A{sheet.freeze_rows + 1}"
            parts.append(
                f'<sheetViews>{view}><pane ySplit="{sheet.freeze_rows}" '
                f'topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
                "</sheetView></sheetViews>"
            )
        else:
            parts.append(f"<sheetViews>{view}/></sheetViews>")
        parts.append('<sheetFormatPr defaultRowHeight="15"/>')
        if sheet.widths:
            parts.append("<cols>")
            for c in sorted(sheet.widths):
                parts.append(
                    f'<col min="{c}" max="{c}" width="{sheet.widths[c]}" customWidth="1"/>'
                )
            parts.append("</cols>")
        parts.append("<sheetData>")
        for r in rows:
            cols = sheet.cells[r]
            cells = "".join(self._cell(f"{col_letter(c)}{r}", *cols[c]) for c in sorted(cols))
            parts.append(f'<row r="{r}">{cells}</row>')
        parts.append("</sheetData>")
        if sheet.merges:
            parts.append(f'<mergeCells count="{len(sheet.merges)}">')
            parts.extend(f'<mergeCell ref="{m}"/>' for m in sheet.merges)
            parts.append("</mergeCells>")
        if sheet.validations:
            parts.append(f'<dataValidations count="{len(sheet.validations)}">')
            for sqref, formula in sheet.validations:
                parts.append(
                    f'<dataValidation type="list" allowBlank="1" showInputMessage="1" '
                    f'showErrorMessage="1" sqref="{sqref}">'
                    f"<formula1>{escape(formula)}</formula1></dataValidation>"
                )
            parts.append("</dataValidations>")
        parts.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
            'header="0.3" footer="0.3"/></worksheet>'
        )
        return "".join(parts)

    def _styles_xml(self) -> str:
        for style in list(self._xf):
            key = (style.bold, style.italic, style.color)
            if key not in self._fonts:
                self._fonts[key] = len(self._fonts)
            if style.fill and style.fill not in self._fills:
                self._fills[style.fill] = len(self._fills) + 2
            if (
                style.num_fmt
                and style.num_fmt not in BUILTIN_FORMATS
                and style.num_fmt not in self._fmts
            ):
                self._fmts[style.num_fmt] = 164 + len(self._fmts)
        out = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS_MAIN}">'
        ]
        if self._fmts:
            out.append(f'<numFmts count="{len(self._fmts)}">')
            out.extend(
                f'<numFmt numFmtId="{i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
                for code, i in self._fmts.items()
            )
            out.append("</numFmts>")
        out.append(f'<fonts count="{len(self._fonts)}">')
        for bold, italic, color in self._fonts:
            out.append(self._font_xml(bold, italic, color))
        out.append("</fonts>")
        out.append(
            f'<fills count="{len(self._fills) + 2}"><fill><patternFill patternType="none"/>'
            '</fill><fill><patternFill patternType="gray125"/></fill>'
        )
        for rgb in self._fills:
            out.append(
                f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                '<bgColor indexed="64"/></patternFill></fill>'
            )
        out.append("</fills>")
        out.append(
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs>'
        )
        out.append(f'<cellXfs count="{len(self._xf)}">')
        for style in self._xf:
            fmt = 0
            if style.num_fmt:
                fmt = BUILTIN_FORMATS.get(style.num_fmt) or self._fmts[style.num_fmt]
            font = self._fonts[(style.bold, style.italic, style.color)]
            fill = self._fills[style.fill] if style.fill else 0
            attrs = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
            if fmt:
                attrs += ' applyNumberFormat="1"'
            if font:
                attrs += ' applyFont="1"'
            if fill:
                attrs += ' applyFill="1"'
            if style.wrap or style.align:
                al = (f' horizontal="{style.align}"' if style.align else "") + (
                    ' wrapText="1"' if style.wrap else ""
                )
                out.append(f'<xf {attrs} applyAlignment="1"><alignment{al}/></xf>')
            else:
                out.append(f"<xf {attrs}/>")
        out.append(
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0"/>'
            "</styleSheet>"
        )
        return "".join(out)

    def _font_xml(self, bold: bool, italic: bool, color: str | None) -> str:
        face = "<b/>" * bold + "<i/>" * italic + '<sz val="11"/>'
        if self.font == "Calibri":
            face += f'<color rgb="FF{color}"/>' if color else '<color theme="1"/>'
            return f'<font>{face}<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
        face += f'<color rgb="FF{color}"/>' if color else ""
        return f'<font>{face}<name val="{self.font}"/><family val="2"/><charset val="134"/></font>'

    def to_bytes(self) -> bytes:
        sheets_xml = [self._sheet_xml(s, i == 0) for i, s in enumerate(self.sheets)]
        styles = self._styles_xml()
        strings = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" '
            f'count="{len(self._strings)}" uniqueCount="{len(self._strings)}">'
        ]
        for s in self._strings:
            space = ' xml:space="preserve"' if s != s.strip() or "\n" in s else ""
            strings.append(f"<si><t{space}>{escape(s)}</t></si>")
        strings.append("</sst>")
        stamp = self.created.strftime("%Y-%m-%dT%H:%M:%SZ")
        n = len(self.sheets)
        files: list[tuple[str, str]] = [
            (
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
                'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, n + 1)
                )
                + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                '+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxml'
                'formats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
                "</Types>",
            ),
            (
                "_rels/.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG_REL}">'
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" '
                'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-'
                'properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                'Target="xl/workbook.xml"/></Relationships>',
            ),
            (
                "docProps/app.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas'
                '.openxmlformats.org/officeDocument/2006/extended-properties"><Application>'
                f"{escape(self.application)}</Application><DocSecurity>0</DocSecurity>"
                "<ScaleCrop>false</ScaleCrop></Properties>",
            ),
            (
                "docProps/core.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http:'
                '//schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://'
                'purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype='
                '"http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:creator>{escape(self.creator)}</dc:creator><cp:lastModifiedBy>"
                f'{escape(self.creator)}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">'
                f'{stamp}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}'
                "</dcterms:modified></cp:coreProperties>",
            ),
            (
                "xl/workbook.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS_MAIN}" '
                f'xmlns:r="{NS_REL}"><workbookPr defaultThemeVersion="124226"/><bookViews>'
                '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
                "</bookViews><sheets>"
                + "".join(
                    f'<sheet name="{escape(s.name)}" sheetId="{i}"'
                    + (' state="hidden"' if s.hidden else "")
                    + f' r:id="rId{i}"/>'
                    for i, s in enumerate(self.sheets, start=1)
                )
                + '</sheets><calcPr calcId="162913"/></workbook>',
            ),
            (
                "xl/_rels/workbook.xml.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG_REL}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{NS_REL}/worksheet" '
                    f'Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, n + 1)
                )
                + f'<Relationship Id="rId{n + 1}" Type="{NS_REL}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId{n + 2}" Type="{NS_REL}/sharedStrings" '
                'Target="sharedStrings.xml"/></Relationships>',
            ),
            *((f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheets_xml, start=1)),
            ("xl/styles.xml", styles),
            ("xl/sharedStrings.xml", "".join(strings)),
        ]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, text in files:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                info.create_system = 0
                info.external_attr = 0
                zf.writestr(info, text.encode("utf-8"))
        return buf.getvalue()


def _num(v: float) -> str:
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return repr(round(float(v), 10))


# --------------------------------------------------------------------------------------------
# CSV bytes
# --------------------------------------------------------------------------------------------


def csv_bytes(
    header: list[str],
    rows: list[list[object]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    quote_all: bool = False,
    newline: str = "\n",
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(
        buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=newline
    )
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# --------------------------------------------------------------------------------------------
# The pipeline simulation shared by every file
# --------------------------------------------------------------------------------------------

WON, LOST, HOLD = "<won>", "<lost>", "<hold>"


@dataclass
class Spec:
    stages: list[str]  # open stages in their natural order
    dwell: list[float]  # mean days spent in each open stage
    p_lost: list[float]  # chance to be lost when leaving each open stage
    p_skip: float = 0.0  # chance to jump over the next stage
    p_back: float = 0.0  # chance to fall back one stage (from the third on)
    p_hold: float = 0.0  # chance to be put on hold when leaving a stage
    hold_dwell: float = 30.0
    same_day: float = 0.0  # chance that a move happens the day the stage began


@dataclass
class Deal:
    n: int
    created: dt.datetime
    events: list[tuple[str, dt.datetime]]  # (stage or WON/LOST/HOLD, when), first = created
    outcome: str  # open | won | lost | on_hold
    amount: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def closed_at(self) -> dt.datetime | None:
        return self.events[-1][1] if self.outcome in ("won", "lost") else None

    @property
    def last_open_stage(self) -> str:
        return next(s for s, _ in reversed(self.events) if s not in (WON, LOST, HOLD))

    @property
    def last_change(self) -> dt.datetime:
        return self.events[-1][1]


def walk(rng: random.Random, spec: Spec, start: dt.datetime, end: dt.datetime) -> tuple[list, str]:
    events: list[tuple[str, dt.datetime]] = [(spec.stages[0], start)]
    i, t = 0, start
    for _ in range(40):
        if spec.same_day and rng.random() < spec.same_day:
            days = rng.uniform(0.01, 0.2)
        else:
            days = rng.expovariate(1 / spec.dwell[i]) + 0.5
        t2 = _later(rng, t, _work_hours(rng, t + dt.timedelta(days=days)))
        if t2 > end:
            return events, "open"
        r = rng.random()
        if r < spec.p_hold:
            events.append((HOLD, t2))
            t3 = _later(
                rng,
                t2,
                _work_hours(rng, t2 + dt.timedelta(days=rng.expovariate(1 / spec.hold_dwell) + 1)),
            )
            if t3 > end:
                return events, "on_hold"
            if rng.random() < 0.35:
                events.append((LOST, t3))
                return events, "lost"
            events.append((spec.stages[i], t3))
            t = t3
            continue
        r -= spec.p_hold
        if r < spec.p_lost[i]:
            events.append((LOST, t2))
            return events, "lost"
        r -= spec.p_lost[i]
        if r < spec.p_back and i >= 2:
            i -= 1
            events.append((spec.stages[i], t2))
            t = t2
            continue
        i += 2 if (rng.random() < spec.p_skip and i + 2 < len(spec.stages)) else 1
        if i >= len(spec.stages):
            events.append((WON, t2))
            return events, "won"
        events.append((spec.stages[i], t2))
        t = t2
    return events, "open"


def _later(rng: random.Random, before: dt.datetime, t: dt.datetime) -> dt.datetime:
    """Keep a deal's changes in order, at least a minute apart (exports show minutes)."""
    if t.replace(second=0) <= before.replace(second=0):
        t = before + dt.timedelta(minutes=rng.randint(5, 90))
    return t


def _work_hours(rng: random.Random, t: dt.datetime) -> dt.datetime:
    """Move a moment into office hours of the same day, to the second."""
    hour = 8 + int(rng.random() * 10)
    return t.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)


def simulate(
    rng: random.Random,
    spec: Spec,
    n: int,
    first: dt.date,
    export_at: dt.datetime,
    median_amount: float,
    sigma: float = 0.9,
    step: int = 100,
) -> list[Deal]:
    span = (export_at.date() - first).days
    deals = []
    for k in range(n):
        # more deals created recently, as a growing pipeline has
        day = first + dt.timedelta(days=int(span * (1 - rng.random() ** 1.8)))
        created = _work_hours(rng, T(day.year, day.month, day.day))
        if created > export_at:
            created = export_at - dt.timedelta(hours=2 + k % 5)
        events, outcome = walk(rng, spec, created, export_at)
        amount = max(step, round(median_amount * math.exp(rng.gauss(0, sigma)) / step) * step)
        deals.append(Deal(k, created, events, outcome, float(amount)))
    deals.sort(key=lambda d: d.created)
    for i, d in enumerate(deals):
        d.n = i
    return deals


def last_modified(rng: random.Random, deal: Deal, export_at: dt.datetime) -> dt.datetime:
    """The record's last edit: its last stage change, or a later touch, never after the export."""
    t = deal.last_change
    if deal.outcome in ("open", "on_hold") and rng.random() < 0.7:
        t = t + dt.timedelta(days=rng.uniform(0, 25), minutes=rng.randrange(600))
    elif rng.random() < 0.15:
        t = t + dt.timedelta(days=rng.uniform(0, 6), minutes=rng.randrange(300))
    return min(t.replace(microsecond=0), export_at - dt.timedelta(minutes=7))


# --------------------------------------------------------------------------------------------
# Expectations, by plain Python over the simulation tables
# --------------------------------------------------------------------------------------------


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def counts(outcomes: list[str]) -> dict:
    return {
        "total": len(outcomes),
        "open": outcomes.count("open"),
        "won": outcomes.count("won"),
        "lost": outcomes.count("lost"),
        "on_hold": outcomes.count("on_hold"),
    }


def win_rate(
    closed: list[tuple[str, dt.date, float | None]], snapshot: dt.date, basis: str
) -> dict:
    """closed: (won|lost, close date, amount or None). Window: the 12 months ending on the
    snapshot, both ends included: (snapshot one year earlier, snapshot]."""
    start = year_before(snapshot) + dt.timedelta(days=1)
    inside = [c for c in closed if start <= c[1] <= snapshot]
    won = [c for c in inside if c[0] == "won"]
    lost = [c for c in inside if c[0] == "lost"]
    won_amt = sum(c[2] for c in won if c[2] is not None)
    lost_amt = sum(c[2] for c in lost if c[2] is not None)
    out = {
        "window": [start.isoformat(), snapshot.isoformat()],
        "closed_by": basis,
        "won": len(won),
        "lost": len(lost),
        "by_count": round(len(won) / (len(won) + len(lost)), 4) if inside else None,
        "won_amount": round(won_amt, 2),
        "lost_amount": round(lost_amt, 2),
        "by_amount": round(won_amt / (won_amt + lost_amt), 4) if won_amt + lost_amt else None,
    }
    unknown = sum(1 for c in inside if c[2] is None)
    if unknown:
        out["closed_without_amount"] = unknown
    return out


def km_median(durations: list[float], observed: list[bool]) -> float | None:
    """Kaplan-Meier product-limit estimate; the median is the first time S(t) <= 0.5
    (None when the curve never gets there). Censored at t counts as still at risk at t."""
    times = sorted({d for d, e in zip(durations, observed, strict=True) if e})
    s = 1.0
    for t in times:
        at_risk = sum(1 for d in durations if d >= t)
        died = sum(1 for d, e in zip(durations, observed, strict=True) if e and d == t)
        s *= 1 - died / at_risk
        if s <= 0.5 + 1e-12:
            return t
    return None


def km_table(stays: dict[str, list[tuple[int, bool]]], order: list[str]) -> dict:
    out = {}
    for stage in order:
        rows = stays.get(stage, [])
        if not rows:
            continue
        dur = [d for d, _ in rows]
        obs = [e for _, e in rows]
        out[stage] = {
            "median_days": km_median(dur, obs),
            "stays": len(rows),
            "ended": sum(obs),
            "censored": len(rows) - sum(obs),
        }
    return out


def stage_list(
    open_stages: list[str], won: list[str], lost: list[str], hold: list[str] | None = None
) -> list[dict]:
    out = [{"name": s, "kind": "open", "order": i} for i, s in enumerate(open_stages, start=1)]
    k = len(open_stages)
    out += [{"name": s, "kind": "won", "order": k + 1} for s in won]
    out += [{"name": s, "kind": "lost", "order": k + 2} for s in lost]
    out += [{"name": s, "kind": "on_hold", "order": None} for s in hold or []]
    return out


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Karen",
    "Daniel",
    "Nancy",
    "Kevin",
    "Laura",
    "Brian",
    "Emily",
    "Jason",
    "Megan",
    "Eric",
    "Rachel",
    "Ryan",
    "Olivia",
    "Aaron",
    "Priya",
    "Tomás",
    "Zoë",
    "Anders",
    "Noémie",
    "Marcus",
    "Hannah",
]
LAST = [
    "Whitfield",
    "Okafor",
    "Lindqvist",
    "Moreno",
    "Hartley",
    "Nakamura",
    "Brennan",
    "Castillo",
    "Fischer",
    "Delgado",
    "Kowalski",
    "Patel",
    "Sørensen",
    "Dubois",
    "Callahan",
    "Reyes",
    "Albright",
    "Huang",
    "Mensah",
    "Ferreira",
    "Novak",
    "Gallagher",
    "Ibarra",
    "Keller",
]
CO_A = [
    "North",
    "Blue",
    "Silver",
    "Granite",
    "Harbor",
    "Summit",
    "Maple",
    "Cobalt",
    "Pioneer",
    "Redwood",
    "Atlas",
    "Beacon",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Golden",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Meridian",
    "Oakridge",
    "Pinnacle",
    "Riverbend",
    "Sterling",
    "Tidewater",
    "Union",
    "Vantage",
    "Westfield",
    "Yellowstone",
]
CO_B = [
    "Logistics",
    "Foods",
    "Health",
    "Analytics",
    "Manufacturing",
    "Capital",
    "Energy",
    "Retail",
    "Labs",
    "Media",
    "Construction",
    "Software",
    "Pharma",
    "Textiles",
    "Motors",
    "Insurance",
    "Hotels",
    "Telecom",
    "Aerospace",
    "Dental",
    "Freight",
    "Robotics",
]
CO_C = ["Inc.", "LLC", "Ltd", "Corp.", "Group", "Co.", "Holdings", "Partners"]
EUROPEAN = [
    "Müller Maschinenbau GmbH",
    "Café Lumière SARL",
    "Åkesson & Söner AB",
    "Brasserie Dupré",
    "Hôtel Bellevue SA",
    "Peña Distribución SL",
    "Kühne Präzision AG",
    "Nørre Trading ApS",
    "Solé Façades",
    "Fjällräven Outfitters",
]
PRODUCT_WORDS = [
    "Platform Renewal",
    "Fleet Tracking",
    "Data Warehouse",
    "Security Audit",
    "POS Rollout",
    "Annual Support",
    "ERP Upgrade",
    "Field Service App",
    "Cloud Migration",
    "Training Package",
    "Expansion",
    "Pilot",
    "Licenses",
    "Managed Print",
    "Network Refresh",
    "Analytics Add-on",
]

CN_SUR = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
CN_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "丽",
    "强",
    "军",
    "平",
    "刚",
    "桂英",
    "晓东",
    "海燕",
    "志强",
    "建华",
    "雪梅",
    "子涵",
    "浩然",
    "思远",
    "佳怡",
    "一鸣",
]
CN_CITY = [
    "上海",
    "北京",
    "深圳",
    "杭州",
    "苏州",
    "南京",
    "成都",
    "武汉",
    "广州",
    "天津",
    "重庆",
    "西安",
    "宁波",
    "青岛",
    "无锡",
    "厦门",
    "合肥",
    "长沙",
    "郑州",
    "佛山",
]
CN_CORE = [
    "华信",
    "中科",
    "瑞丰",
    "恒通",
    "博远",
    "金石",
    "天合",
    "远大",
    "嘉禾",
    "新元",
    "宏达",
    "凯盛",
    "同创",
    "海纳",
    "鼎盛",
    "安信",
    "德润",
    "百川",
    "启明",
    "正泰",
    "润泽",
    "星辰",
]
CN_IND = [
    "科技",
    "精密机械",
    "医疗器械",
    "物流",
    "电子",
    "新材料",
    "环保",
    "食品",
    "软件",
    "汽车零部件",
    "能源",
    "化工",
    "智能装备",
    "生物医药",
]
CN_PROJECT = [
    "MES系统升级",
    "产线自动化改造",
    "年度维保合同",
    "仓储管理系统",
    "数据中心扩容",
    "ERP实施",
    "视觉检测设备采购",
    "能耗监测平台",
    "办公网络改造",
    "安防监控项目",
    "冷链运输服务",
    "CRM二期",
    "实验室设备采购",
    "工业机器人集成",
    "云平台迁移",
]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def people(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        p = person(rng)
        if p not in out:
            out.append(p)
    return out


def companies(rng: random.Random, n: int, european: bool = False) -> list[str]:
    out: list[str] = list(EUROPEAN) if european else []
    while len(out) < n:
        c = f"{rng.choice(CO_A)} {rng.choice(CO_B)} {rng.choice(CO_C)}"
        if c not in out:
            out.append(c)
    rng.shuffle(out)
    return out


def cn_person(rng: random.Random) -> str:
    return rng.choice(CN_SUR) + rng.choice(CN_GIVEN)


def cn_people(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        p = cn_person(rng)
        if p not in out:
            out.append(p)
    return out


def cn_companies(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        kind = "股份有限公司" if rng.random() < 0.25 else "有限公司"
        c = f"{rng.choice(CN_CITY)}{rng.choice(CN_CORE)}{rng.choice(CN_IND)}{kind}"
        if c not in out:
            out.append(c)
    return out


def cn_short(company: str) -> str:
    for city in CN_CITY:
        if company.startswith(city):
            company = company[len(city) :]
    return company[:2]


def money(v: float) -> str:
    """1234.5 -> '1234.5', 1200.0 -> '1200' (how most exports write a plain number)."""
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0")


def us_date(d: dt.date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


# --------------------------------------------------------------------------------------------
# Salesforce: the default opportunity stages (Sales Processes), their default probability and
# forecast category
# --------------------------------------------------------------------------------------------

SF_OPEN = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
]
SF_PROB = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}
SF_SPEC = Spec(
    SF_OPEN,
    dwell=[10, 12, 14, 16, 12, 10, 14, 12],
    p_lost=[0.10, 0.09, 0.08, 0.08, 0.06, 0.06, 0.07, 0.09],
    p_skip=0.35,
    p_back=0.02,
)
SF_LEAD_SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]
SF_TYPES = [
    "New Customer",
    "Existing Customer - Upgrade",
    "Existing Customer - Replacement",
    "Existing Customer - Downgrade",
]
NEXT_STEPS = [
    "Send revised quote",
    "Call CFO re: budget, timing",
    'Demo for the "Ops" team',
    "Legal review of MSA",
    "Follow up after trade show",
    "Awaiting PO",
    "Schedule onsite visit",
    "Pricing approval from VP",
    "Intro to IT security",
    "Reference call with existing customer",
]


def sf_stage(deal: Deal) -> str:
    return {"won": "Closed Won", "lost": "Closed Lost"}.get(deal.outcome, deal.last_open_stage)


def sf_stage_list() -> list[dict]:
    return stage_list(SF_OPEN, ["Closed Won"], ["Closed Lost"])


def expected_close(rng: random.Random, deal: Deal) -> dt.date:
    """An open deal's close date: planned at creation, often left in the past (overdue)."""
    return deal.created.date() + dt.timedelta(days=rng.randint(30, 170))


def build_salesforce_report() -> tuple[str, bytes, dict]:
    name = "salesforce_report.csv"
    rng = rng_for(name)
    export_at = T(2024, 7, 1, 9, 14)
    deals = simulate(rng, SF_SPEC, 240, D(2022, 9, 1), export_at, 42000, 0.9, 500)
    owners = people(rng, 9)
    accounts = companies(rng, 70, european=True)
    rows, closed = [], []
    for d in deals:
        account = rng.choice(accounts)
        stage = sf_stage(d)
        close = d.closed_at.date() if d.closed_at else expected_close(rng, d)
        age_end = close if d.closed_at else export_at.date()
        amount = None if rng.random() < 0.04 else d.amount
        row = {
            "Opportunity Owner": rng.choice(owners),
            "Account Name": account,
            "Opportunity Name": f"{account.split(' ')[0]} - {rng.choice(PRODUCT_WORDS)}",
            "Stage": stage,
            "Fiscal Period": f"Q{(close.month - 1) // 3 + 1}-{close.year}",
            "Amount": "" if amount is None else money(amount),
            "Probability (%)": str(SF_PROB[stage]),
            "Age": str((age_end - d.created.date()).days),
            "Close Date": us_date(close),
            "Created Date": us_date(d.created.date()),
            "Next Step": rng.choice(NEXT_STEPS)
            if d.outcome == "open" and rng.random() < 0.7
            else "",
            "Lead Source": rng.choice(SF_LEAD_SOURCES) if rng.random() < 0.85 else "",
            "Type": rng.choice(SF_TYPES) if rng.random() < 0.9 else "",
        }
        rows.append((row["Opportunity Owner"], close, row))
        if d.closed_at:
            closed.append((d.outcome, close, amount))
    rows.sort(key=lambda r: (r[0], r[1]))
    header = list(rows[0][2])
    body = csv_bytes(
        header, [list(r[2].values()) for r in rows], encoding="iso-8859-1", quote_all=True
    )
    generated_by = f"{owners[0]}"
    footer = (
        "\n"
        '"Opportunity Pipeline"\n'
        f'"Copyright © 2000-{export_at.year} salesforce.com, inc. All rights reserved."\n'
        '"Confidential Information - Do Not Distribute"\n'
        f'"Generated By:  {generated_by}  {us_date(export_at.date())} '
        f"{export_at.hour % 12 or 12}:{export_at.minute:02d} "
        f'{"AM" if export_at.hour < 12 else "PM"}"\n'
        '"Northwind Traders"\n'
    )
    data = body + footer.encode("iso-8859-1")
    snapshot = export_at.date()
    exp = {
        "product": "Salesforce report export (Reports > Export > Details Only, .csv)",
        "format": "csv",
        "encoding": "iso-8859-1",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "rows_after_data": 6,
        "columns": {
            "Opportunity Owner": "owner",
            "Account Name": "account",
            "Opportunity Name": "opportunity_name",
            "Stage": "stage",
            "Fiscal Period": None,
            "Amount": "amount",
            "Probability (%)": "probability",
            "Age": None,
            "Close Date": "expected_close_date",
            "Created Date": "created_date",
            "Next Step": None,
            "Lead Source": "source",
            "Type": None,
        },
        "column_notes": {
            "Close Date": "expected close date on open rows, the actual close date on "
            "Closed Won / Closed Lost rows",
            "Opportunity Name": "not unique: no id column, several deals share a name",
            "Age": "days from Created Date to Close Date (closed) or to the export day (open)",
        },
        "date_format": "M/D/YYYY (en_US locale)",
        "stages": sf_stage_list(),
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "Close Date of Closed Won / Closed Lost rows"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "the 'Generated By:' footer line (export time 7/1/2024 9:14 AM)",
        "quirks": [
            "every field double-quoted, LF line ends, ISO-8859-1 (accented account names)",
            "footer after one blank line: report name, copyright (with ©), 'Confidential "
            "Information - Do Not Distribute', 'Generated By:' with two spaces, company name",
            "Amount blank on some rows; open deals with a Close Date already past (overdue)",
            "Next Step text with commas and embedded double quotes",
        ],
    }
    return name, data, exp


def sf_id15(rng: random.Random, prefix: str, used: set[str]) -> str:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    while True:
        s = prefix + "5g0000" + "".join(rng.choice(chars) for _ in range(6))
        if s not in used:
            used.add(s)
            return s


def sf_id18(id15: str) -> str:
    """The documented case-safe suffix: one letter per 5-char chunk, bit i set when char i is
    an upper-case letter, mapped onto A-Z0-5."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += alphabet[bits]
    return id15 + suffix


def sf_api_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def build_salesforce_dataloader() -> tuple[str, bytes, dict]:
    name = "salesforce_dataloader_Opportunity.csv"
    rng = rng_for(name)
    export_at = T(2024, 6, 28, 17, 5)
    deals = simulate(rng, SF_SPEC, 300, D(2022, 6, 1), export_at, 38000, 0.95, 100)
    used: set[str] = set()
    owners = [sf_id18(sf_id15(rng, "005", used)) for _ in range(8)]
    accounts = [sf_id18(sf_id15(rng, "001", used)) for _ in range(90)]
    names = companies(rng, 90)
    forecast_api = {
        "Pipeline": "Pipeline",
        "Best Case": "BestCase",
        "Commit": "Forecast",
        "Closed": "Closed",
        "Omitted": "Omitted",
    }
    system_job = T(2024, 6, 28, 2, 13, 7)
    rows, closed, modified = [], [], []
    for d in deals:
        stage = sf_stage(d)
        if d.outcome == "won":
            fc = "Closed"
        elif d.outcome == "lost":
            fc = "Omitted"
        elif SF_PROB[stage] >= 90:
            fc = rng.choice(["Commit", "Best Case", "Pipeline"])
        elif SF_PROB[stage] >= 60:
            fc = rng.choice(["Best Case", "Pipeline", "Pipeline"])
        else:
            fc = "Pipeline"
        prob = SF_PROB[stage]
        amount = None if rng.random() < 0.05 else d.amount
        close = d.closed_at.date() if d.closed_at else expected_close(rng, d)
        lm = last_modified(rng, d, export_at - dt.timedelta(hours=30))
        smod = max(lm, system_job) if rng.random() < 0.3 else lm
        modified.append(lm)
        i = rng.randrange(len(accounts))
        rows.append(
            [
                sf_id18(sf_id15(rng, "006", used)),
                "false",
                accounts[i],
                f"{names[i].split(' ')[0]} - {rng.choice(PRODUCT_WORDS)}",
                stage,
                "" if amount is None else f"{amount:.1f}",
                f"{prob:.1f}",
                "" if amount is None else f"{amount * prob / 100:.1f}",
                close.isoformat(),
                rng.choice(SF_TYPES) if rng.random() < 0.9 else "",
                rng.choice(SF_LEAD_SOURCES) if rng.random() < 0.8 else "",
                "true" if d.closed_at else "false",
                "true" if d.outcome == "won" else "false",
                forecast_api[fc],
                fc,
                rng.choice(owners),
                sf_api_time(d.created),
                sf_api_time(lm),
                sf_api_time(smod),
            ]
        )
        if d.closed_at:
            closed.append((d.outcome, close, amount))
    header = [
        "Id",
        "IsDeleted",
        "AccountId",
        "Name",
        "StageName",
        "Amount",
        "Probability",
        "ExpectedRevenue",
        "CloseDate",
        "Type",
        "LeadSource",
        "IsClosed",
        "IsWon",
        "ForecastCategory",
        "ForecastCategoryName",
        "OwnerId",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
    ]
    data = csv_bytes(header, rows, quote_all=True)
    snapshot = max(modified).date()
    exp = {
        "product": "Salesforce Data Loader export of Opportunity (API field names)",
        "format": "csv",
        "encoding": "utf-8",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "columns": {
            "Id": "opportunity_id",
            "IsDeleted": None,
            "AccountId": "account",
            "Name": "opportunity_name",
            "StageName": "stage",
            "Amount": "amount",
            "Probability": "probability",
            "ExpectedRevenue": None,
            "CloseDate": "expected_close_date",
            "Type": None,
            "LeadSource": "source",
            "IsClosed": "is_closed",
            "IsWon": "is_won",
            "ForecastCategory": None,
            "ForecastCategoryName": "forecast_category",
            "OwnerId": "owner",
            "CreatedDate": "created_date",
            "LastModifiedDate": None,
            "SystemModstamp": None,
        },
        "column_notes": {
            "ExpectedRevenue": "Amount x Probability / 100: a weighted amount, NOT the deal amount",
            "IsClosed": "IsClosed + IsWon give the status: false/false open, true/true won, "
            "true/false lost",
            "ForecastCategory": "API value (BestCase, Forecast) of ForecastCategoryName "
            "(Best Case, Commit)",
            "AccountId": "an 18-char Account id, no account name in the file",
            "OwnerId": "an 18-char User id, no name in the file",
            "SystemModstamp": "a nightly system job touched ~30% of rows at 2024-06-28 "
            "02:13:07 UTC; it is not a user edit and not the snapshot",
        },
        "date_format": "CloseDate YYYY-MM-DD; datetimes YYYY-MM-DDTHH:MM:SS.000+0000 (UTC)",
        "stages": sf_stage_list(),
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "CloseDate of rows with IsClosed=true"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest LastModifiedDate (not SystemModstamp)",
        "quirks": [
            "API names as headers; every value double-quoted; booleans true/false",
            "Ids are 18-char case-safe ids (15 chars + 3-char checksum)",
            "numbers written with one decimal (52000.0, 10.0); blank Amount on some rows",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# HubSpot
# --------------------------------------------------------------------------------------------

HS_OPEN = [
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
]
HS_SPEC = Spec(
    HS_OPEN,
    dwell=[9, 14, 12, 15, 10],
    p_lost=[0.16, 0.12, 0.10, 0.08, 0.08],
    p_skip=0.15,
    p_back=0.02,
)


def hs_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def build_hubspot() -> tuple[str, bytes, dict]:
    name = "hubspot_deals.xlsx"
    rng = rng_for(name)
    export_at = T(2025, 3, 14, 16, 40)
    deals = simulate(rng, HS_SPEC, 260, D(2023, 9, 1), export_at, 12000, 0.8, 50)
    owners = people(rng, 7)
    accounts = companies(rng, 80)
    wb = Workbook(created=export_at, creator="HubSpot", application="HubSpot")
    ws = wb.add("Sheet1")
    header = [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Close Date",
        "Deal owner",
        "Amount",
        "Create Date",
        "Pipeline",
        "Last Modified Date",
        "Associated Company",
        "Deal Type",
    ]
    ws.row(1, header)
    closed, modified = [], []
    record = 18_204_733_900
    rows = 0
    for d in deals:
        record += rng.randint(1, 40_000)
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, d.last_open_stage)
        company = rng.choice(accounts)
        if rng.random() < 0.03:
            company = f"{company};{rng.choice(accounts)}"
        elif rng.random() < 0.06:
            company = ""
        if d.closed_at:
            close: dt.datetime | None = d.closed_at
        elif rng.random() < 0.08:
            close = None
        else:
            c = expected_close(rng, d)
            close = T(c.year, c.month, c.day, 12, 0)
        amount = None if rng.random() < 0.07 else d.amount
        lm = last_modified(rng, d, export_at)
        modified.append(lm)
        ws.row(
            rows + 2,
            [
                record,
                f"{company.split(' ')[0] or 'Inbound'} - {rng.choice(PRODUCT_WORDS)}",
                stage,
                hs_time(close) if close else None,
                rng.choice(owners) if rng.random() < 0.95 else None,
                amount,
                hs_time(d.created),
                "Sales Pipeline",
                hs_time(lm),
                company or None,
                rng.choice(["New Business", "Existing Business"]) if rng.random() < 0.7 else None,
            ],
        )
        rows += 1
        if d.closed_at:
            closed.append((d.outcome, d.closed_at.date(), amount))
    snapshot = max(modified).date()
    data = wb.to_bytes()
    exp = {
        "product": "HubSpot deals export (CRM > Deals > Export view, .xlsx)",
        "format": "xlsx",
        "sheet": "Sheet1",
        "header_row": 1,
        "data_rows": rows,
        "columns": {
            "Record ID": "opportunity_id",
            "Deal Name": "opportunity_name",
            "Deal Stage": "stage",
            "Close Date": "expected_close_date",
            "Deal owner": "owner",
            "Amount": "amount",
            "Create Date": "created_date",
            "Pipeline": None,
            "Last Modified Date": None,
            "Associated Company": "account",
            "Deal Type": None,
        },
        "column_notes": {
            "Close Date": "expected close on open deals, the actual close on Closed Won/Lost",
            "Associated Company": "several companies joined with ';' on a few rows; blank on some",
            "Record ID": "11-digit number stored as a number cell",
        },
        "date_format": "text cells 'YYYY-MM-DD HH:MM', not Excel dates",
        "stages": stage_list(HS_OPEN, ["Closed Won"], ["Closed Lost"]),
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "Close Date of Closed Won / Closed Lost"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest Last Modified Date",
        "quirks": [
            "dates are text 'YYYY-MM-DD HH:MM' in an xlsx; Record ID a number cell",
            "'Deal owner' with a lower-case o; blank owner and blank Close Date on some deals",
            "one pipeline 'Sales Pipeline'; stage labels of HubSpot's default pipeline",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# Pipedrive
# --------------------------------------------------------------------------------------------

PD_OPEN = ["Lead In", "Contact Made", "Needs Defined", "Proposal Made", "Negotiations Started"]
PD_SPEC = Spec(
    PD_OPEN,
    dwell=[6, 10, 12, 14, 12],
    p_lost=[0.18, 0.12, 0.10, 0.10, 0.10],
    p_skip=0.10,
    p_back=0.03,
)
PD_LOST_REASONS = [
    "Price too high",
    "Went with competitor",
    "No budget",
    "No response",
    "Bad timing",
    "Not a fit",
]


def pd_time(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def build_pipedrive() -> tuple[str, bytes, dict]:
    name = "pipedrive_deals.csv"
    rng = rng_for(name)
    export_at = T(2024, 11, 29, 11, 30)
    deals = simulate(rng, PD_SPEC, 220, D(2023, 11, 1), export_at, 8000, 0.85, 50)
    owners = people(rng, 5)
    orgs = companies(rng, 60, european=True)
    rows, closed, updated = [], [], []
    deal_id = 0
    for d in deals:
        deal_id += rng.randint(1, 4)
        currency = rng.choices(["EUR", "USD", "GBP"], [0.85, 0.10, 0.05])[0]
        value = 0.0 if rng.random() < 0.08 else d.amount
        if rng.random() < 0.2:
            value += rng.choice([0.5, 0.25, 0.99])
        stage = d.last_open_stage
        status = {"won": "Won", "lost": "Lost"}.get(d.outcome, "Open")
        stage_changes = [t for s, t in d.events[1:] if s not in (WON, LOST, HOLD)]
        last_stage_change = stage_changes[-1] if stage_changes else None
        upd = last_modified(rng, d, export_at)
        updated.append(upd)
        expected = "" if rng.random() < 0.3 else expected_close(rng, d).isoformat()
        org = rng.choice(orgs) if rng.random() < 0.92 else ""
        rows.append(
            [
                deal_id,
                f"{(org or 'Inbound').split(' ')[0]} {rng.choice(PRODUCT_WORDS).lower()}",
                money(value),
                currency,
                "Pipeline",
                stage,
                status,
                rng.choice(owners),
                org,
                pd_time(d.created),
                expected,
                pd_time(d.closed_at if d.outcome == "won" else None),
                pd_time(d.closed_at if d.outcome == "lost" else None),
                rng.choice(PD_LOST_REASONS) if d.outcome == "lost" and rng.random() < 0.85 else "",
                pd_time(last_stage_change),
                pd_time(upd),
            ]
        )
        if d.closed_at:
            closed.append((d.outcome, d.closed_at.date(), value, currency))
    header = [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Pipeline",
        "Deal - Stage",
        "Deal - Status",
        "Deal - Owner",
        "Deal - Organization",
        "Deal - Deal created",
        "Deal - Expected close date",
        "Deal - Won time",
        "Deal - Lost time",
        "Deal - Lost reason",
        "Deal - Last stage change",
        "Deal - Update time",
    ]
    data = csv_bytes(header, rows)
    snapshot = max(updated).date()
    all_ccy = win_rate([c[:3] for c in closed], snapshot, "Won time / Lost time")
    per_ccy = {}
    for ccy in ("EUR", "USD", "GBP"):
        w = win_rate([c[:3] for c in closed if c[3] == ccy], snapshot, "Won time / Lost time")
        per_ccy[ccy] = {k: w[k] for k in ("won", "lost", "won_amount", "lost_amount", "by_amount")}
    all_ccy["by_amount"] = None
    all_ccy["by_amount_note"] = (
        "values are in EUR, USD and GBP and are not converted: no "
        "single amount win rate without exchange rates; see "
        "by_amount_per_currency"
    )
    all_ccy["by_amount_per_currency"] = per_ccy
    exp = {
        "product": "Pipedrive deals export (Deals list view > Export filter results, .csv)",
        "format": "csv",
        "encoding": "utf-8",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "columns": {
            "Deal - ID": "opportunity_id",
            "Deal - Title": "opportunity_name",
            "Deal - Value": "amount",
            "Deal - Currency": "currency",
            "Deal - Pipeline": None,
            "Deal - Stage": "stage",
            "Deal - Status": "status",
            "Deal - Owner": "owner",
            "Deal - Organization": "account",
            "Deal - Deal created": "created_date",
            "Deal - Expected close date": "expected_close_date",
            "Deal - Won time": "close_date",
            "Deal - Lost time": "close_date",
            "Deal - Lost reason": None,
            "Deal - Last stage change": None,
            "Deal - Update time": None,
        },
        "column_notes": {
            "Deal - Stage": "the stage the deal was in; a Won or Lost deal keeps its stage "
            "(e.g. 'Proposal Made' with Status 'Lost'): the outcome is in "
            "Deal - Status",
            "Deal - Won time": "close date of won deals; Deal - Lost time of lost deals",
            "Deal - Value": "0 on deals without a value (Pipedrive's default)",
            "Deal - Last stage change": "blank when the deal never left its first stage",
        },
        "date_format": "datetimes YYYY-MM-DD HH:MM:SS; Expected close date YYYY-MM-DD",
        "stages": stage_list(PD_OPEN, [], []),
        "status_values": {"Open": "open", "Won": "won", "Lost": "lost"},
        "deals": counts([d.outcome for d in deals]),
        "win_rate_12m": all_ccy,
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest Deal - Update time",
        "quirks": [
            "'Entity - Field' headers; outcome in Deal - Status, not in Deal - Stage",
            "three currencies in one file (EUR, USD, GBP), values not converted",
            "Deal - Value 0 on some deals; Organization blank on some",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# Zoho CRM
# --------------------------------------------------------------------------------------------

ZO_OPEN = [
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Identify Decision Makers",
    "Proposal/Price Quote",
    "Negotiation/Review",
]
ZO_PROB = {
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 40,
    "Identify Decision Makers": 60,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
    "Closed Lost to Competition": 0,
}
ZO_SPEC = Spec(
    ZO_OPEN,
    dwell=[10, 12, 12, 14, 12, 10],
    p_lost=[0.12, 0.10, 0.09, 0.08, 0.08, 0.09],
    p_skip=0.2,
    p_back=0.02,
)
ZO_SOURCES = [
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Seminar Partner",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
]
ZO_DESCRIPTIONS = [
    "Customer wants a phased rollout,\nfirst site in Q2.",
    'Budget approved by board. Waiting for "final" sign-off.',
    "Competitor offered 15% discount; we hold price.",
    "Renewal of 3-year contract\nincl. premium support",
]


def zoho_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def build_zoho() -> tuple[str, bytes, dict]:
    name = "zoho_deals.csv"
    rng = rng_for(name)
    export_at = T(2025, 1, 31, 18, 20)
    deals = simulate(rng, ZO_SPEC, 230, D(2023, 8, 1), export_at, 25000, 0.85, 100)
    users = [*people(rng, 6), "Zoë Ångström"]
    accounts = companies(rng, 75)
    contacts = people(rng, 60)
    rows, closed, modified = [], [], []
    rid = 5725767000000231000
    for d in deals:
        rid += rng.randint(2, 3000)
        if d.outcome == "won":
            stage = "Closed Won"
        elif d.outcome == "lost":
            stage = "Closed Lost to Competition" if rng.random() < 0.3 else "Closed Lost"
        else:
            stage = d.last_open_stage
        prob = ZO_PROB[stage]
        amount = None if rng.random() < 0.04 else d.amount
        close = d.closed_at.date() if d.closed_at else expected_close(rng, d)
        mt = last_modified(rng, d, export_at)
        modified.append(mt)
        owner = rng.choice(users)
        account = rng.choice(accounts)
        rows.append(
            [
                f"zcrm_{rid}",
                owner,
                f"{account.split(' ')[0]} {rng.choice(PRODUCT_WORDS)}",
                "" if amount is None else money(amount),
                close.isoformat(),
                account,
                stage,
                rng.choice(["New Business", "Existing Business"]) if rng.random() < 0.85 else "",
                str(prob),
                "" if amount is None else money(amount * prob / 100),
                rng.choice(NEXT_STEPS) if d.outcome == "open" and rng.random() < 0.5 else "",
                rng.choice(ZO_SOURCES) if rng.random() < 0.8 else "",
                rng.choice(contacts),
                owner,
                rng.choice(users),
                zoho_time(d.created),
                zoho_time(mt),
                rng.choice(ZO_DESCRIPTIONS) if rng.random() < 0.12 else "",
            ]
        )
        if d.closed_at:
            closed.append((d.outcome, close, amount))
    header = [
        "Record Id",
        "Deal Owner",
        "Deal Name",
        "Amount",
        "Closing Date",
        "Account Name",
        "Stage",
        "Type",
        "Probability (%)",
        "Expected Revenue",
        "Next Step",
        "Lead Source",
        "Contact Name",
        "Created By",
        "Modified By",
        "Created Time",
        "Modified Time",
        "Description",
    ]
    data = csv_bytes(header, rows)
    snapshot = max(modified).date()
    exp = {
        "product": "Zoho CRM Deals export (Setup > Data Administration > Export, Deals, .csv)",
        "format": "csv",
        "encoding": "utf-8",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "physical_lines": None,
        "columns": {
            "Record Id": "opportunity_id",
            "Deal Owner": "owner",
            "Deal Name": "opportunity_name",
            "Amount": "amount",
            "Closing Date": "expected_close_date",
            "Account Name": "account",
            "Stage": "stage",
            "Type": None,
            "Probability (%)": "probability",
            "Expected Revenue": None,
            "Next Step": None,
            "Lead Source": "source",
            "Contact Name": None,
            "Created By": None,
            "Modified By": None,
            "Created Time": "created_date",
            "Modified Time": None,
            "Description": None,
        },
        "column_notes": {
            "Expected Revenue": "Amount x Probability (%) / 100: weighted, NOT the deal amount "
            "(unlike Odoo, where 'Expected Revenue' is the amount)",
            "Closing Date": "expected close on open deals, the actual close on closed ones",
            "Description": "multi-line text in quotes on some rows",
        },
        "date_format": "Closing Date YYYY-MM-DD; Created/Modified Time YYYY-MM-DD HH:MM:SS",
        "stages": stage_list(
            ZO_OPEN, ["Closed Won"], ["Closed Lost", "Closed Lost to Competition"]
        ),
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "Closing Date of Closed Won / Closed Lost*"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest Modified Time",
        "quirks": [
            "Record Id carries a 'zcrm_' prefix before the 19-digit id",
            "two lost stages: 'Closed Lost' and 'Closed Lost to Competition'",
            "quoted multi-line Description cells (a row spans several physical lines)",
        ],
    }
    exp["physical_lines"] = data.count(b"\n")
    return name, data, exp


# --------------------------------------------------------------------------------------------
# Odoo CRM (crm.lead), exported with the list view's Export (xlsx), archived records included
# --------------------------------------------------------------------------------------------

OD_OPEN = ["New", "Qualified", "Proposition"]
OD_SPEC = Spec(OD_OPEN, dwell=[12, 16, 18], p_lost=[0.20, 0.16, 0.16], p_skip=0.15)
OD_LOST_REASONS = ["Too expensive", "We don't have people/skills", "Not enough stock"]


def build_odoo() -> tuple[str, bytes, dict]:
    name = "odoo_crm_lead.xlsx"
    rng = rng_for(name)
    export_at = T(2024, 9, 30, 15, 5)
    deals = simulate(rng, OD_SPEC, 180, D(2023, 6, 1), export_at, 6000, 0.8, 10)
    sellers = people(rng, 4)
    customers = companies(rng, 55)
    wb = Workbook(created=export_at, creator="Odoo", application="Odoo")
    ws = wb.add("Sheet1")
    header = [
        "Opportunity",
        "Customer",
        "Salesperson",
        "Sales Team",
        "Stage",
        "Expected Revenue",
        "Probability",
        "Expected Closing",
        "Created on",
        "Closed Date",
        "Active",
        "Lost Reason",
        "Last Updated on",
    ]
    bold = Style(bold=True)
    base = Style(wrap=True)
    date_s = Style(wrap=True, num_fmt="yyyy-mm-dd")
    datetime_s = Style(wrap=True, num_fmt="yyyy-mm-dd hh:mm:ss")
    money_s = Style(wrap=True, num_fmt="#,##0.00")
    ws.row(1, header, bold)
    for c in range(1, len(header) + 1):
        ws.widths[c] = 30
    closed, updated, used_names = [], [], []
    for i, d in enumerate(deals):
        customer = rng.choice(customers) if rng.random() < 0.9 else None
        opp = f"{(customer or 'Website lead').split(' ')[0]}: {rng.choice(PRODUCT_WORDS)}"
        if i in (40, 120) and used_names:
            opp = used_names[-7]  # two names used twice: there is no id column to tell them
        used_names.append(opp)
        if d.outcome == "won":
            stage, prob, active = "Won", 100.0, True
        elif d.outcome == "lost":
            stage, prob, active = d.last_open_stage, 0.0, False
        else:
            stage = d.last_open_stage
            prob = round(
                rng.uniform(
                    *{"New": (4, 25), "Qualified": (15, 45), "Proposition": (30, 75)}[stage]
                ),
                2,
            )
            active = True
        deadline = None if rng.random() < 0.25 else expected_close(rng, d)
        if d.outcome == "won" and deadline is not None:
            deadline = d.closed_at.date() if rng.random() < 0.5 else deadline
        upd = last_modified(rng, d, export_at)
        updated.append(upd)
        ws.row(
            i + 2,
            [
                (opp, base),
                (customer, base),
                (rng.choice(sellers) if rng.random() < 0.95 else None, base),
                (rng.choice(["Sales", "Sales", "Website"]), base),
                (stage, base),
                (d.amount, money_s),
                (prob, money_s),
                (deadline, date_s),
                (d.created, datetime_s),
                (d.closed_at, datetime_s),
                (active, base),
                (
                    rng.choice(OD_LOST_REASONS)
                    if d.outcome == "lost" and rng.random() < 0.8
                    else None,
                    base,
                ),
                (upd, datetime_s),
            ],
        )
        if d.closed_at:
            closed.append((d.outcome, d.closed_at.date(), d.amount))
    data = wb.to_bytes()
    snapshot = max(updated).date()
    exp = {
        "product": "Odoo CRM pipeline export (crm.lead list view > Export, xlsx, archived "
        "included)",
        "format": "xlsx",
        "sheet": "Sheet1",
        "header_row": 1,
        "data_rows": len(deals),
        "columns": {
            "Opportunity": "opportunity_name",
            "Customer": "account",
            "Salesperson": "owner",
            "Sales Team": "team",
            "Stage": "stage",
            "Expected Revenue": "amount",
            "Probability": "probability",
            "Expected Closing": "expected_close_date",
            "Created on": "created_date",
            "Closed Date": "close_date",
            "Active": "active",
            "Lost Reason": None,
            "Last Updated on": None,
        },
        "column_notes": {
            "Active": "False (boolean cell) marks a lost opportunity; its Stage stays where it "
            "was lost (New/Qualified/Proposition) with Probability 0",
            "Expected Revenue": "the deal amount (Odoo's name for it), not a weighted value",
            "Opportunity": "no id column; two names occur twice",
        },
        "date_format": "Excel date cells: yyyy-mm-dd (dates), yyyy-mm-dd hh:mm:ss (datetimes)",
        "stages": stage_list(OD_OPEN, ["Won"], []),
        "status_rule": "Won stage -> won; Active False -> lost; otherwise open",
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "company currency (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "Closed Date"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest Last Updated on",
        "quirks": [
            "bold header row, every column 30 wide, wrapped text (Odoo's ExportXlsxWriter)",
            "real Excel date/datetime cells; Expected Revenue and Probability with #,##0.00",
            "lost = archived (Active False) in a non-Won stage; no explicit 'Lost' stage",
            "Customer blank on some leads",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# A domestic Chinese CRM's opportunity import template (商机导入模板)
# --------------------------------------------------------------------------------------------

CN_OPEN = ["初步接洽", "需求确认", "方案报价", "商务谈判", "签约跟进"]
CN_RATE = {
    "初步接洽": 0.1,
    "需求确认": 0.3,
    "方案报价": 0.5,
    "商务谈判": 0.7,
    "签约跟进": 0.9,
    "赢单": 1.0,
    "输单": 0.0,
}
CN_SPEC = Spec(
    CN_OPEN,
    dwell=[14, 18, 20, 16, 10],
    p_lost=[0.15, 0.12, 0.12, 0.10, 0.05],
    p_skip=0.12,
    p_back=0.02,
)
CN_LOST_REASONS = ["价格偏高", "选择竞品", "预算取消", "需求变化", "联系不上"]
CN_SOURCES = ["陌生拜访", "老客户转介绍", "展会", "官网咨询", "渠道推荐", "电话营销"]
CN_DEPTS = ["华东大区", "华南大区", "华北大区", "西南大区"]


def cn_date_text(d: dt.date, rng: random.Random) -> object:
    """Dates as people type them in this template: 2024/3/5, 2024年3月5日, or a date cell."""
    r = rng.random()
    if r < 0.45:
        return f"{d.year}/{d.month}/{d.day}"
    if r < 0.75:
        return f"{d.year}年{d.month}月{d.day}日"
    return (d, Style(num_fmt="yyyy/m/d"))


def build_cn_template() -> tuple[str, bytes, dict]:
    name = "cn_商机导入模板.xlsx"
    rng = rng_for("cn_template")
    export_at = T(2025, 6, 30, 17, 30)
    deals = simulate(rng, CN_SPEC, 200, D(2024, 1, 2), export_at, 35, 0.9, 1)
    owners = cn_people(rng, 8)
    customers = cn_companies(rng, 70)
    wb = Workbook(created=export_at, creator="CRM", font="等线", application="Microsoft Excel")
    ws = wb.add("商机")
    guide = wb.add("填写说明")
    lists = wb.add("字典", hidden=True)
    header = [
        "商机编号",
        "商机名称",
        "客户名称",
        "负责人",
        "所属部门",
        "销售阶段",
        "预计金额（万元）",
        "赢单率",
        "创建时间",
        "预计签单时间",
        "实际结单日期",
        "最后修改时间",
        "输单阶段",
        "输单原因",
        "商机来源",
        "备注",
    ]
    hints = [
        "必填，文本，唯一",
        "必填，文本",
        "必填，文本，须与客户库一致",
        "必填，系统用户姓名",
        "选填，文本",
        "必填，下拉选择",
        "选填，数字，单位：万元",
        "选填，百分比",
        "必填，日期，如2024/3/5",
        "必填，日期",
        "赢单/输单时必填，日期",
        "系统生成，无需填写",
        "输单时必填，下拉选择",
        "输单时选填",
        "选填，下拉选择",
        "选填，文本",
    ]
    title = Style(bold=True, align="center", fill="DDEBF7")
    head = Style(bold=True, fill="FCE4D6", align="center")
    hint = Style(italic=True, color="808080", wrap=True)
    ws.set(1, 1, "商机导入模板（请勿修改表头；第3行为填写说明，导入时自动跳过）", title)
    ws.merges.append(f"A1:{col_letter(len(header))}1")
    ws.row(2, header, head)
    ws.row(3, hints, hint)
    ws.freeze_rows = 3
    widths = [14, 30, 30, 10, 10, 10, 16, 8, 14, 14, 14, 18, 10, 10, 12, 24]
    for i, w in enumerate(widths, start=1):
        ws.widths[i] = w
    ws.validations.append(("F4:F1000", "'字典'!$A$1:$A$7"))
    ws.validations.append(("M4:M1000", "'字典'!$A$1:$A$5"))
    for i, s in enumerate([*CN_OPEN, "赢单", "输单"], start=1):
        lists.set(i, 1, s)
    for i, s in enumerate(CN_SOURCES, start=1):
        lists.set(i, 2, s)
    for i, line in enumerate(
        [
            "填写说明",
            "1. 第1行为标题，第2行为表头，第3行为填写提示，请从第4行开始填写。",
            "2. 预计金额单位为万元，可保留两位小数。",
            "3. 销售阶段：初步接洽→需求确认→方案报价→商务谈判→签约跟进→赢单；输单时请填写输单阶段。",
            "4. 日期格式：2024/3/5 或 2024年3月5日。",
        ],
        start=1,
    ):
        guide.set(i, 1, line, Style(bold=True) if i == 1 else None)
    closed, modified = [], []
    pct = Style(num_fmt="0%")
    wan = Style(num_fmt="0.00")
    stamp_s = Style(num_fmt="yyyy/m/d h:mm")
    for seq, d in enumerate(deals, start=1):
        stage = {"won": "赢单", "lost": "输单"}.get(d.outcome, d.last_open_stage)
        customer = rng.choice(customers)
        amount_wan = None if rng.random() < 0.05 else d.amount + rng.choice([0, 0, 0.5, 0.25])
        close_text = cn_date_text(d.closed_at.date(), rng) if d.closed_at else None
        mt = last_modified(rng, d, export_at)
        modified.append(mt)
        if rng.random() < 0.6:
            mt_cell: object = f"{mt.year}/{mt.month}/{mt.day} {mt.hour}:{mt.minute:02d}"
        else:
            mt_cell = (mt.replace(second=0), stamp_s)
        ws.row(
            seq + 3,
            [
                f"SJ-{d.created.year}-{seq:04d}",
                f"{cn_short(customer)}{rng.choice(CN_PROJECT)}",
                customer,
                rng.choice(owners),
                rng.choice(CN_DEPTS),
                stage,
                (amount_wan, wan) if amount_wan is not None else None,
                (CN_RATE[stage], pct),
                cn_date_text(d.created.date(), rng),
                cn_date_text(expected_close(rng, d), rng),
                close_text,
                mt_cell,
                d.last_open_stage if d.outcome == "lost" else None,
                rng.choice(CN_LOST_REASONS) if d.outcome == "lost" and rng.random() < 0.8 else None,
                rng.choice(CN_SOURCES) if rng.random() < 0.85 else None,
                "客户要求分两期付款" if rng.random() < 0.05 else None,
            ],
        )
        if d.closed_at:
            closed.append(
                (
                    d.outcome,
                    d.closed_at.date(),
                    None if amount_wan is None else round(amount_wan * 10000, 2),
                )
            )
    data = wb.to_bytes()
    snapshot = max(modified).date()
    lost_at = {}
    for d in deals:
        if d.outcome == "lost":
            lost_at[d.last_open_stage] = lost_at.get(d.last_open_stage, 0) + 1
    exp = {
        "product": "Chinese CRM opportunity import template (商机导入模板), filled in",
        "format": "xlsx",
        "sheet": "商机",
        "other_sheets": ["填写说明", "字典 (hidden)"],
        "title_rows": 1,
        "header_row": 2,
        "hint_rows": [3],
        "first_data_row": 4,
        "data_rows": len(deals),
        "columns": {
            "商机编号": "opportunity_id",
            "商机名称": "opportunity_name",
            "客户名称": "account",
            "负责人": "owner",
            "所属部门": "team",
            "销售阶段": "stage",
            "预计金额（万元）": "amount",
            "赢单率": "probability",
            "创建时间": "created_date",
            "预计签单时间": "expected_close_date",
            "实际结单日期": "close_date",
            "最后修改时间": None,
            "输单阶段": None,
            "输单原因": None,
            "商机来源": "source",
            "备注": None,
        },
        "column_notes": {
            "预计金额（万元）": "amount in 万元 (x10,000 yuan); win amounts below are in yuan",
            "输单阶段": "on 输单 rows, the stage the deal was lost at",
            "赢单率": "number cells formatted 0%",
        },
        "date_format": "mixed per cell: text '2024/3/5', text '2024年3月5日', or date cells "
        "(yyyy/m/d); 最后修改时间 text '2025/6/27 16:05' or datetime cells",
        "stages": stage_list(CN_OPEN, ["赢单"], ["输单"]),
        "lost_at_stage": lost_at,
        "deals": counts([d.outcome for d in deals]),
        "amount_unit": "万元 in the file; yuan (CNY) in these expectations",
        "win_rate_12m": win_rate(closed, snapshot, "实际结单日期"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest 最后修改时间",
        "quirks": [
            "merged title row, header row 2, hint row 3 ('必填，文本' style), data from row 4",
            "amounts in 万元 (header '预计金额（万元）' with full-width brackets)",
            "three date notations mixed in the same column",
            "stage list from a hidden '字典' sheet via data validation; default font 等线",
            "stage process differs from the product's default (初步接洽 … 签约跟进)",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# A hand-kept spreadsheet
# --------------------------------------------------------------------------------------------

HK_STAGES = {  # key: (English notation, Chinese-colleague notation)
    "lead": ("1 - Lead", "10% 线索"),
    "qual": ("2 - Qualification", "30% 初筛"),
    "prop": ("3 - Proposal", "50% 入围"),
    "nego": ("4 - Negotiation", "80% 谈判"),
    "won": ("5 - Won", "100% 签约"),
    "lost": ("Lost", "0% 丢单"),
    "hold": ("On hold", "暂停"),
}


def build_hand_kept() -> tuple[str, bytes, dict]:
    name = "hand_kept_pipeline.xlsx"
    rng = rng_for(name)
    as_of = D(2024, 12, 20)
    wb = Workbook(created=T(2024, 12, 20, 18, 2), creator="ann.k")
    ws = wb.add("Pipeline")
    wb.add("Sheet2")
    ws.set(1, 1, "Q4 Pipeline – EMEA & APAC (as of 20 Dec 2024)", Style(bold=True, align="center"))
    ws.merges.append("A1:G1")
    header = ["Client", "Deal", "Value", "Stage", "Owner", "Next step", "Close"]
    ws.row(3, header, Style(bold=True, fill="FFF2CC"))
    for c, w in enumerate([26, 30, 12, 18, 10, 30, 12], start=1):
        ws.widths[c] = w
    owners = ["Ann", "Raj", "Tom", "Sofia", "李娜", "陈伟"]
    clients = companies(rng, 40) + cn_companies(rng, 10)
    outcomes = ["won"] * 14 + ["lost"] * 9 + ["on_hold"] * 5 + ["open"] * 30
    rng.shuffle(outcomes)
    money_cell = Style(num_fmt="#,##0")
    date_cell = Style(num_fmt="d-mmm-yy")
    row = 4
    records, closed, numeric_sum = [], [], 0.0
    for i, outcome in enumerate(outcomes):
        if i and i % 12 == 0:
            row += rng.choice([1, 2])  # blank rows between blocks
        owner = rng.choice(owners)
        chinese = owner in ("李娜", "陈伟")
        key = {"won": "won", "lost": "lost", "on_hold": "hold"}.get(
            outcome, rng.choice(["lead", "qual", "prop", "prop", "nego"])
        )
        stage = HK_STAGES[key][1 if chinese else 0]
        amount = float(rng.choice(range(3, 120)) * 500)
        r = rng.random()
        value: object
        known = True
        if r < 0.60:
            value = (amount, money_cell)
        elif r < 0.70:
            value = f"${amount:,.0f}"
        elif r < 0.76 and amount % 1000 == 0:
            value = f"{int(amount // 1000)}k"
        elif r < 0.76:
            value = (amount, money_cell)
        else:
            value = [("NA"), ("N/A"), ("-"), Error("#N/A"), None][int((r - 0.76) / 0.048)]
            known = False
        if isinstance(value, tuple):
            numeric_sum += amount
        if outcome in ("won", "lost"):
            close = D(2024, 1, 8) + dt.timedelta(days=rng.randrange(340))
            if i % 7 == 0:
                close = D(2023, 10, 2) + dt.timedelta(days=rng.randrange(60))
            close_cell: object = (close, date_cell) if rng.random() < 0.8 else close.isoformat()
        else:
            close = as_of + dt.timedelta(days=rng.randrange(10, 150))
            r2 = rng.random()
            if r2 < 0.5:
                close_cell = (close, date_cell)
            elif r2 < 0.7:
                close_cell = close.strftime("%b-%y")
            elif r2 < 0.8:
                close_cell = f"Q{(close.month - 1) // 3 + 1}"
            elif r2 < 0.9:
                close_cell = close.isoformat()
            else:
                close_cell = None
        client = clients[i % len(clients)]
        deal = f"{rng.choice(PRODUCT_WORDS)}"
        nxt = rng.choice(
            [
                "chase PO",
                "send contract",
                "call back in Jan",
                "demo w/ IT",
                "waiting on legal",
                "",
                "price review",
                "跟进报价",
                "等客户预算",
            ]
        )
        if outcome in ("won", "lost"):
            nxt = "" if rng.random() < 0.7 else "done"
        ws.row(row, [client, deal, value, stage, owner, nxt or None, close_cell])
        records.append((outcome, stage, amount if known else None))
        if outcome in ("won", "lost"):
            closed.append((outcome, close, amount if known else None))
        row += 1
    last_data = row - 1
    row += 1
    ws.row(
        row,
        [
            ("Total", Style(bold=True)),
            None,
            (Formula(f"SUM(C4:C{last_data})", numeric_sum), Style(bold=True, num_fmt="#,##0")),
        ],
    )
    ws.set(row + 2, 1, "Values in USD excl. VAT. NA = not agreed yet.", Style(italic=True))
    data = wb.to_bytes()
    exp = {
        "product": "hand-kept pipeline spreadsheet (no CRM)",
        "format": "xlsx",
        "sheet": "Pipeline",
        "other_sheets": ["Sheet2 (empty)"],
        "title_rows": 1,
        "header_row": 3,
        "data_rows": len(records),
        "rows_that_are_not_deals": "title (merged A1:G1), blank rows, the 'Total' row (SUM "
        "formula) and a note row below it",
        "columns": {
            "Client": "account",
            "Deal": "opportunity_name",
            "Value": "amount",
            "Stage": "stage",
            "Owner": "owner",
            "Next step": None,
            "Close": "expected_close_date",
        },
        "column_notes": {
            "Value": "numbers, '$12,000' text, '12k' text; NA, N/A, -, #N/A (error cell) and "
            "blank mean unknown",
            "Close": "date cells, ISO text, 'Jan-25' month text, 'Q1', blank; on Won/Lost rows "
            "the actual close date",
            "Stage": "two notations for one process, see stage_synonyms",
        },
        "stages": stage_list(
            ["1 - Lead", "2 - Qualification", "3 - Proposal", "4 - Negotiation"],
            ["5 - Won"],
            ["Lost"],
            ["On hold"],
        ),
        "stage_synonyms": {v[1]: v[0] for v in HK_STAGES.values()},
        "deals": counts([r[0] for r in records]),
        "amount_currency": "USD (from the note row)",
        "win_rate_12m": win_rate(closed, as_of, "Close of won/lost rows"),
        "snapshot_date": as_of.isoformat(),
        "snapshot_basis": "the title '(as of 20 Dec 2024)'",
        "total_row_cached_value": numeric_sum,
        "quirks": [
            "merged title row, blank row 2, header row 3",
            "blank rows between blocks; totals row; note row",
            "NA, N/A, -, #N/A and blank in Value; text amounts '$12,000' and '12k'",
            "stage labels '2 - Qualification' and '50% 入围' for the same process",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# Stage-history logs
# --------------------------------------------------------------------------------------------


def stays_from_events(
    events: list[tuple[str, dt.date]], snapshot: dt.date, terminal: set[str]
) -> list[tuple[str, int, bool]]:
    """(stage, days, ended) for each stay in a non-terminal stage, in calendar days; the
    stay still under way at the end of the log is censored at the snapshot."""
    out = []
    for i, (stage, day) in enumerate(events):
        if stage in terminal:
            continue
        if i + 1 < len(events):
            out.append((stage, (events[i + 1][1] - day).days, True))
        else:
            out.append((stage, (snapshot - day).days, False))
    return out


GB_OPEN = ["线索", "初步沟通", "需求确认", "方案报价", "商务谈判"]
GB_SPEC = Spec(
    GB_OPEN,
    dwell=[7, 12, 15, 18, 14],
    p_lost=[0.15, 0.12, 0.10, 0.10, 0.08],
    p_skip=0.10,
    p_back=0.04,
    p_hold=0.05,
    hold_dwell=25,
    same_day=0.05,
)


def build_cn_history_gb18030() -> tuple[str, bytes, dict]:
    name = "cn_商机阶段变更记录_gb18030.csv"
    rng = rng_for("cn_history_gb18030")
    export_at = T(2025, 3, 31, 18, 0)
    deals = simulate(rng, GB_SPEC, 110, D(2024, 1, 2), export_at, 800000, 0.9, 1000)
    owners = [*cn_people(rng, 6), "王䶮"]
    customers = [*cn_companies(rng, 45), "上海𠮷祥餐饮管理有限公司"]
    label = {WON: "赢单", LOST: "输单", HOLD: "暂停"}
    rows, closed, per_deal = [], [], []
    all_stays: dict[str, list[tuple[int, bool]]] = {}
    for d in deals:
        code = f"SJ{d.created:%Y%m%d}{d.n + 1:03d}"
        customer = customers[-1] if d.n == 17 else rng.choice(customers)
        title = f"{cn_short(customer)}{rng.choice(CN_PROJECT)}"
        owner = owners[-1] if d.n % 23 == 5 else rng.choice(owners)
        amount = d.amount
        hist = []
        for seq, (stage, when) in enumerate(d.events):
            stage = label.get(stage, stage)
            if stage == "方案报价" and rng.random() < 0.25:
                amount = round(amount * rng.uniform(0.85, 1.15), -3)
            hist.append((stage, when))
            rows.append(
                (
                    when,
                    d.n,
                    seq,
                    [
                        code,
                        title,
                        customer,
                        stage,
                        f"{when.year}/{when.month}/{when.day} {when.hour}:{when.minute:02d}",
                        owner,
                        f"{amount:,.2f}",
                    ],
                )
            )
        per_deal.append([(s, w.date()) for s, w in hist])
        if d.closed_at:
            closed.append((d.outcome, d.closed_at.date(), amount))
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)  # newest first
    header = ["商机编号", "商机名称", "客户名称", "阶段", "变更时间", "负责人", "预计金额(元)"]
    data = csv_bytes(header, [r[3] for r in rows], encoding="gb18030", newline="\r\n")
    snapshot = max(r[0] for r in rows).date()
    for days in per_deal:
        for stage, n, ended in stays_from_events(days, snapshot, {"赢单", "输单"}):
            all_stays.setdefault(stage, []).append((n, ended))
    exp = {
        "product": "Chinese CRM stage-change log (商机阶段变更记录), saved as GB18030 CSV",
        "format": "csv",
        "encoding": "gb18030",
        "bom": False,
        "delimiter": ",",
        "line_ending": "CRLF",
        "header_row": 1,
        "data_rows": len(rows),
        "shape": "stage-history log: one row per stage change, 商机编号 repeats",
        "row_order": "newest change first",
        "columns": {
            "商机编号": "opportunity_id",
            "商机名称": "opportunity_name",
            "客户名称": "account",
            "阶段": "stage",
            "变更时间": "snapshot_date",
            "负责人": "owner",
            "预计金额(元)": "amount",
        },
        "column_notes": {
            "变更时间": "the moment of the stage change, 'yyyy/m/d h:mm'",
            "预计金额(元)": "text with thousands separators '1,250,000.00', quoted; the amount "
            "may change between rows of one deal (re-quote): the deal's amount is "
            "its latest row's",
            "客户名称": "one customer name holds 𠮷 (U+20BB7), a 4-byte GB18030 sequence that "
            "GBK cannot decode",
        },
        "stages": stage_list(GB_OPEN, ["赢单"], ["输单"], ["暂停"]),
        "deals": counts([d.outcome for d in deals]),
        "amount_currency": "CNY (yuan)",
        "win_rate_12m": win_rate(closed, snapshot, "变更时间 of the 赢单 / 输单 row"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest 变更时间",
        "km_median_days_in_stage": km_table(all_stays, [*GB_OPEN, "暂停"]),
        "km_rules": "a stay runs from its row's calendar day to the next row's of the same deal "
        "(whole days, same-day moves are 0); the last stay of an open or on-hold "
        "deal is censored at the snapshot; 赢单/输单 have no stays; re-entering a "
        "stage (after 暂停 or a step back) is a new stay",
        "quirks": [
            "GB18030 bytes (not UTF-8), CRLF, a character outside GBK",
            "newest-first order; ids repeat; stage 暂停 (on hold) with returns to the stage",
            "amounts as formatted text with thousands separators",
        ],
    }
    return name, data, exp


EN_OPEN = ["Lead", "Qualified", "Demo", "Proposal", "Negotiation"]
EN_SPEC = Spec(
    EN_OPEN,
    dwell=[5, 10, 9, 14, 11],
    p_lost=[0.20, 0.12, 0.10, 0.10, 0.08],
    p_skip=0.12,
    p_back=0.05,
    same_day=0.08,
)


def build_en_history() -> tuple[str, bytes, dict]:
    name = "stage_history_log.csv"
    rng = rng_for(name)
    export_at = T(2024, 10, 15, 19, 0)
    deals = simulate(rng, EN_SPEC, 90, D(2023, 9, 1), export_at, 15000, 0.8, 250)
    owners = people(rng, 5)
    label = {WON: "Won", LOST: "Lost"}
    corrected = None
    rows, closed, per_deal = [], [], []
    all_stays: dict[str, list[tuple[int, bool]]] = {}
    outcomes = []
    for d in deals:
        days = [(label.get(s, s), w.date()) for s, w in d.events]
        outcome = d.outcome
        if (
            corrected is None
            and outcome == "won"
            and days[-1][1] + dt.timedelta(days=9) < export_at.date()
            and d.n > 20
        ):
            days.append(("Lost", days[-1][1] + dt.timedelta(days=rng.randint(3, 9))))
            outcome = "lost"
            corrected = f"D-{1001 + d.n}"
        outcomes.append(outcome)
        owner = rng.choice(owners)
        amount = d.amount
        for stage, day in days:
            if stage == "Proposal" and rng.random() < 0.3:
                amount = round(amount * rng.uniform(0.8, 1.2) / 250) * 250
            rows.append([f"D-{1001 + d.n}", stage, day.isoformat(), owner, money(amount)])
        if outcome in ("won", "lost"):
            closed.append((outcome, days[-1][1], amount))
        per_deal.append(days)
    data = csv_bytes(["deal_id", "stage", "stage_date", "owner", "amount"], rows)
    snapshot = max(D.fromisoformat(r[2]) for r in rows)
    for days in per_deal:
        for stage, n, ended in stays_from_events(days, snapshot, {"Won", "Lost"}):
            all_stays.setdefault(stage, []).append((n, ended))
    exp = {
        "product": "plain stage-history log (a BI extract)",
        "format": "csv",
        "encoding": "utf-8",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "shape": "stage-history log: one row per stage change, deal_id repeats, sorted by "
        "deal_id then stage_date",
        "columns": {
            "deal_id": "opportunity_id",
            "stage": "stage",
            "stage_date": "snapshot_date",
            "owner": "owner",
            "amount": "amount",
        },
        "stages": stage_list(EN_OPEN, ["Won"], ["Lost"]),
        "deals": counts(outcomes),
        "won_then_lost_correction": {
            "deal_id": corrected,
            "meaning": "the deal has a Won row and, days later, a Lost row: the later row is a "
            "correction, the deal counts as lost, closed on the Lost row's date",
        },
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": win_rate(closed, snapshot, "stage_date of the final Won/Lost row"),
        "snapshot_date": snapshot.isoformat(),
        "snapshot_basis": "latest stage_date",
        "km_median_days_in_stage": km_table(all_stays, EN_OPEN),
        "km_rules": "a stay runs from its row's stage_date to the next row's of the same deal "
        "(same-day moves are 0 days); the last stay of an open deal is censored at "
        "the snapshot; Won/Lost have no stays, so the corrected deal's Won row "
        "adds none; re-entering a stage is a new stay",
        "quirks": [
            "one deal goes Won -> Lost (a correction)",
            "some stages skipped, some deals step back one stage, same-day moves",
            "amount may change between rows of one deal: the deal's amount is its latest row's",
        ],
    }
    return name, data, exp


# --------------------------------------------------------------------------------------------
# In the style of the public "CRM Sales Opportunities" data set (sales_pipeline.csv)
# --------------------------------------------------------------------------------------------

MV_PRODUCTS = [
    ("Aero Basic", 560, 0.21),
    ("Nimbus Special", 58, 0.19),
    ("Aero Pro", 4900, 0.17),
    ("Nimbus Advanced", 3400, 0.16),
    ("Aero Plus Basic", 1100, 0.15),
    ("Aero Plus Pro", 5500, 0.11),
    ("Titan 500", 26800, 0.01),
]


def build_maven_style() -> tuple[str, bytes, dict]:
    name = "crm_sales_pipeline_maven_style.csv"
    rng = rng_for(name)
    agents = people(rng, 35)
    accounts = companies(rng, 85)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ids: set[str] = set()

    def new_id() -> str:
        while True:
            s = "".join(rng.choice(chars) for _ in range(8))
            if s not in ids:
                ids.add(s)
                return s

    first, last_engage, end = D(2022, 10, 20), D(2023, 12, 27), D(2023, 12, 31)
    span = (last_engage - first).days
    engaged, prospecting, closed = [], [], []
    for _ in range(8300):
        product = rng.choices([p[0] for p in MV_PRODUCTS], [p[2] for p in MV_PRODUCTS])[0]
        price = next(p[1] for p in MV_PRODUCTS if p[0] == product)
        engage = first + dt.timedelta(days=rng.randrange(span + 1))
        close = engage + dt.timedelta(days=int(rng.gammavariate(2.0, 24.0)) + 1)
        agent = rng.choice(agents)
        if close <= end:
            won = rng.random() < 0.63
            value = round(price * rng.uniform(0.88, 1.12)) if won else 0
            engaged.append(
                [
                    new_id(),
                    agent,
                    product,
                    rng.choice(accounts),
                    "Won" if won else "Lost",
                    engage.isoformat(),
                    close.isoformat(),
                    str(value),
                ]
            )
            closed.append(("won" if won else "lost", close, float(value)))
        else:
            account = "" if rng.random() < 0.68 else rng.choice(accounts)
            engaged.append(
                [new_id(), agent, product, account, "Engaging", engage.isoformat(), "", ""]
            )
    for _ in range(500):
        product = rng.choices([p[0] for p in MV_PRODUCTS], [p[2] for p in MV_PRODUCTS])[0]
        account = "" if rng.random() < 0.68 else rng.choice(accounts)
        prospecting.append(
            [new_id(), rng.choice(agents), product, account, "Prospecting", "", "", ""]
        )
    engaged.sort(key=lambda r: (r[5], r[1]))
    prospecting.sort(key=lambda r: r[1])
    rows = engaged + prospecting
    header = [
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ]
    data = csv_bytes(header, rows)
    stages = [r[4] for r in rows]
    snapshot = max(max(r[5] for r in rows if r[5]), max(r[6] for r in rows if r[6]))
    snap = D.fromisoformat(snapshot)
    wr = win_rate(closed, snap, "close_date")
    wr["by_amount_if_zeros_counted"] = wr["by_amount"]
    wr["by_amount"] = None
    wr["by_amount_note"] = (
        "close_value is 0 on every Lost row by the data set's convention, so "
        "an amount win rate would be 1.0 by construction: not measurable"
    )
    exp = {
        "product": "'CRM Sales Opportunities' style (Maven Analytics sample, sales_pipeline.csv)",
        "format": "csv",
        "encoding": "utf-8",
        "bom": False,
        "delimiter": ",",
        "header_row": 1,
        "data_rows": len(rows),
        "columns": {
            "opportunity_id": "opportunity_id",
            "sales_agent": "owner",
            "product": None,
            "account": "account",
            "deal_stage": "stage",
            "engage_date": "created_date",
            "close_date": "close_date",
            "close_value": "amount",
        },
        "column_notes": {
            "engage_date": "first engagement; blank on every Prospecting row",
            "close_date": "actual close; blank on open rows (no expected close date at all)",
            "close_value": "won value; 0 on Lost rows; blank on open rows",
            "account": "blank on many open rows",
        },
        "stages": stage_list(["Prospecting", "Engaging"], ["Won"], ["Lost"]),
        "deals": {
            "total": len(rows),
            "open": stages.count("Prospecting") + stages.count("Engaging"),
            "won": stages.count("Won"),
            "lost": stages.count("Lost"),
            "on_hold": 0,
        },
        "stage_counts": {s: stages.count(s) for s in ("Prospecting", "Engaging", "Won", "Lost")},
        "amount_currency": "USD (not in the file)",
        "win_rate_12m": wr,
        "snapshot_date": snapshot,
        "snapshot_basis": "latest date in the file (close_date)",
        "quirks": [
            "8,800 rows; Prospecting rows at the end, sorted by agent",
            "no amount on open deals; lost value 0",
        ],
    }
    return name, data, exp


def real_maven_expectations() -> tuple[str, dict] | None:
    path = REAL / "maven_crm_sales_opportunities" / "sales_pipeline.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    stages = [r["deal_stage"] for r in rows]
    snapshot = max(
        max(r["close_date"] for r in rows if r["close_date"]),
        max(r["engage_date"] for r in rows if r["engage_date"]),
    )
    closed = [
        (
            "won" if r["deal_stage"] == "Won" else "lost",
            D.fromisoformat(r["close_date"]),
            float(r["close_value"]),
        )
        for r in rows
        if r["deal_stage"] in ("Won", "Lost")
    ]
    wr = win_rate(closed, D.fromisoformat(snapshot), "close_date")
    wr["by_amount"] = None
    wr["by_amount_note"] = "close_value is 0 on every Lost row: not measurable"
    return "real/maven_crm_sales_opportunities/sales_pipeline.csv", {
        "product": "Maven Analytics 'CRM Sales Opportunities' sales_pipeline.csv (real file, "
        "unchanged; see real/maven_crm_sales_opportunities/README.md)",
        "format": "csv",
        "encoding": "utf-8 (ASCII)",
        "bom": False,
        "line_ending": "CRLF",
        "header_row": 1,
        "data_rows": len(rows),
        "columns": {
            "opportunity_id": "opportunity_id",
            "sales_agent": "owner",
            "product": None,
            "account": "account",
            "deal_stage": "stage",
            "engage_date": "created_date",
            "close_date": "close_date",
            "close_value": "amount",
        },
        "stages": stage_list(["Prospecting", "Engaging"], ["Won"], ["Lost"]),
        "deals": {
            "total": len(rows),
            "open": stages.count("Prospecting") + stages.count("Engaging"),
            "won": stages.count("Won"),
            "lost": stages.count("Lost"),
            "on_hold": 0,
        },
        "stage_counts": {s: stages.count(s) for s in ("Prospecting", "Engaging", "Won", "Lost")},
        "win_rate_12m": wr,
        "snapshot_date": snapshot,
        "snapshot_basis": "latest date in the file (close_date)",
        "quirks": ["product 'GTXPro' here is 'GTX Pro' in the data set's products table"],
    }


# --------------------------------------------------------------------------------------------

BUILDERS = [
    build_salesforce_report,
    build_salesforce_dataloader,
    build_hubspot,
    build_pipedrive,
    build_zoho,
    build_odoo,
    build_cn_template,
    build_hand_kept,
    build_cn_history_gb18030,
    build_en_history,
    build_maven_style,
]


def self_check(name: str, data: bytes, exp: dict) -> None:
    """Re-read each CSV with the csv module and compare its row count with the expectation."""
    if exp["format"] != "csv":
        return
    text = data.decode(exp["encoding"].split(" ")[0])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = rows[exp["header_row"] :]
    if "rows_after_data" in exp:
        rows = rows[: -exp["rows_after_data"]]
    if len(rows) != exp["data_rows"]:
        raise SystemExit(f"{name}: {len(rows)} rows read back, {exp['data_rows']} expected")


def main() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    expected: dict[str, object] = {
        "_about": {
            "generator": "tests/foreign/make_foreign.py",
            "seed": SEED,
            "written_by": "plain Python over the generator's own simulation tables (the product "
            "is not imported)",
            "columns": "each header -> the canonical field of funnel_analytics/fields.py it "
            "should map to, null where none fits",
            "stages": "kind open/won/lost/on_hold; order = natural position (won and lost "
            "after the open stages, on hold outside the sequence: null)",
            "win_rate_12m": "deals closed (won or lost) with a close date in the 12 months "
            "ending on the snapshot date, both ends included; by_count = "
            "won / (won + lost); by_amount = won amount / (won + lost amount), "
            "deals without an amount left out",
            "km_method": "Kaplan-Meier product-limit estimate written by hand in "
            "make_foreign.py (km_median); median = first day S(t) <= 0.5, null "
            "when never reached; cross-checked with lifelines "
            "KaplanMeierFitter.median_survival_time_ by check_km_lifelines.py",
        },
    }
    for build in BUILDERS:
        name, data, exp = build()
        self_check(name, data, exp)
        (FILES / name).write_bytes(data)
        expected[f"files/{name}"] = exp
    real = real_maven_expectations()
    if real:
        expected[real[0]] = real[1]
    text = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    total = sum(p.stat().st_size for p in FILES.iterdir())
    print(f"wrote {len(BUILDERS)} files ({total:,} bytes) and expected.json")


if __name__ == "__main__":
    main()

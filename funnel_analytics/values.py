"""Parsing cell values into typed columns, reporting what could not be read.

Every parser takes a column of raw cell text (``None`` for a blank cell) and returns a
:class:`Parsed`: the typed values, a mask of the cells that held something but could not be
read (the caller turns those into findings, never silently into blanks), and a note when the
parser had to decide something for the whole column (for example day-first dates).

Parsers work on the distinct values of a column and map back, so a 500,000-row column with a
few thousand distinct dates costs a few thousand parses.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .stages import LOST, ON_HOLD, OPEN, WON, EvaluationFactor, normalize_label

__all__ = [
    "SOURCES",
    "Parsed",
    "header_unit",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "parse_factor",
    "parse_grade",
    "parse_probability",
    "parse_source",
    "parse_status",
]


@dataclass(frozen=True)
class Parsed:
    """Typed values of one column, the unreadable cells, and any column-wide decision."""

    values: pd.Series
    bad: np.ndarray  # bool: a non-blank cell that could not be read
    note: str | None = None  # a column-wide decision, as a message key
    extra: pd.Series | None = None  # e.g. the currency implied by "$1,200"
    unclear: np.ndarray | None = None  # bool: cells of ``bad`` whose meaning cannot be told


def _blank(raw: pd.Series) -> np.ndarray:
    s = raw.astype("string")
    return (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool, na_value=True)


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------
_UNIT_WORDS = {
    "亿元": (1e8, "CNY"),
    "亿": (1e8, None),
    "万元": (1e4, "CNY"),
    "万": (1e4, None),
    "千元": (1e3, "CNY"),
    "元": (1.0, "CNY"),
    "k": (1e3, None),
    "千": (1e3, None),
    "m": (1e6, None),
    "mn": (1e6, None),
    "million": (1e6, None),
    "thousand": (1e3, None),
    "百万": (1e6, None),
    "w": (1e4, None),
}
_CURRENCY_WORDS = {
    "cny": "CNY",
    "rmb": "CNY",
    "人民币": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "usd": "USD",
    "$": "USD",
    "us$": "USD",
    "美元": "USD",
    "eur": "EUR",
    "€": "EUR",
    "欧元": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "jpy": "JPY",
    "日元": "JPY",
    "hkd": "HKD",
    "港币": "HKD",
    "chf": "CHF",
    "瑞士法郎": "CHF",
}
_HEADER_UNIT = re.compile(
    r"[\(（\[【]\s*([^\)）\]】]{1,12})\s*[\)）\]】]\s*$|[/／_\-]\s*([^/／_\-]{1,6})$"
)


def header_unit(header: str) -> tuple[str, float, str | None]:
    """Split a unit off a header: ``"预计金额（万元）"`` gives ``("预计金额", 10000.0, "CNY")``.

    Returns the header without its unit, the multiplier to the base unit, and the currency the
    unit implies (None when it implies none). A parenthesis that is not a unit is left alone.
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    m = _HEADER_UNIT.search(text)
    if m:
        unit = (m.group(1) or m.group(2) or "").strip().casefold()
        mult, cur = 1.0, None
        parts = re.findall(r"[a-z$€£¥￥]+|[^\sa-z$€£¥￥]+", unit)
        known = bool(parts)
        for part in parts:
            if part in _UNIT_WORDS:
                m_, c_ = _UNIT_WORDS[part]
                mult *= m_
                cur = cur or c_
            elif part in _CURRENCY_WORDS:
                cur = _CURRENCY_WORDS[part]
            elif part in ("%", "％"):
                pass
            else:
                # "万元人民币" style: try known words as prefixes.
                for word, (m_, c_) in sorted(_UNIT_WORDS.items(), key=lambda kv: -len(kv[0])):
                    if part.startswith(word):
                        mult *= m_
                        cur = cur or c_
                        rest = part[len(word) :]
                        cur = _CURRENCY_WORDS.get(rest, cur)
                        break
                else:
                    known = False
        if known:
            return text[: m.start()].strip(), mult, cur
    return text, 1.0, None


_AMOUNT_CLEAN = re.compile(
    r"[,，\s']|rmb|cny|usd|eur|gbp|hkd|jpy|chf|us\$|人民币|美元|欧元|瑞士法郎|元|[¥￥$€£]"
)
_AMOUNT_SUFFIX = {
    "亿": 1e8,
    "万": 1e4,
    "w": 1e4,
    "千": 1e3,
    "k": 1e3,
    "m": 1e6,
    "百万": 1e6,
    "mn": 1e6,
}
#: An amount once signs and separators are removed: "(300)", "120万", "1.2m" (Arrow's syntax).
_AMOUNT_PARTS = (
    r"^(?P<open>\()?(?P<num>[+-]?\d+(?:\.\d+)?)(?P<suffix>百万|亿|万|千|mn|[wkm])?(?P<close>\))?$"
)
_SIGN_RE = re.compile(
    r"(?:us\$|[¥￥$€£]|rmb|cny|usd|eur|gbp|hkd|jpy|chf|人民币|美元|欧元|瑞士法郎)"
)


#: The number in an amount's text (after its sign or currency), with its separators.
_NUMBER = re.compile(r"\d[\d.,]*")
#: Numbers only a decimal comma can write, and surely so: dots grouping thousands twice or
#: before a comma ("1.234.567", "12.000,50").
_COMMA_SURE = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\.\d{3})+,\d+")
#: Numbers only a decimal comma writes, but a slip of the keyboard could too ("12,5" for 12.5
#: or 12,500): a comma followed by other than three digits.
_COMMA_LIKELY = re.compile(r"\d+,(?:\d{1,2}|\d{4,})")
#: Numbers that read either way: one group of three after a dot ("48.000": 48 or 48,000).
_DOT_EITHER = re.compile(r"\d{1,3}\.\d{3}")
#: Numbers only a decimal point can write ("1,234,567", "12,000.50", "12.5").
_DECIMAL_POINT = re.compile(
    r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+|\d+\.(?:\d{1,2}|\d{4,})"
)
#: Whole amounts written with a dash for the cents, as German and Swiss price lists do
#: ("12.000,-", "1'500.-", "12.000,– €"): the separator before the dash is the decimal one.
_NO_CENTS = r"(\d)([.,])[-‐‑–—]+"
#: What an amount column's texts show of its decimal separator (see :func:`decimal_comma`).
SEPARATOR_EVIDENCE = ("comma_sure", "comma_likely", "dot_either", "point")


def _separators(texts: pd.Series) -> dict[str, np.ndarray]:
    """For each of ``texts`` (amounts as written), which :data:`SEPARATOR_EVIDENCE` its number
    shows; matched by Arrow's regular expressions, not one Python call per text."""
    text = pc.utf8_normalize(pa.array(texts, pa.string()), "NFKC")
    number = pc.struct_field(
        pc.extract_regex(pc.replace_substring(text, " ", ""), f"(?P<n>{_NUMBER.pattern})"), [0]
    )

    def only(pattern: re.Pattern) -> np.ndarray:
        hit = pc.match_substring_regex(number, f"^(?:{pattern.pattern})$")
        return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)

    patterns = (_COMMA_SURE, _COMMA_LIKELY, _DOT_EITHER, _DECIMAL_POINT)
    return {k: only(p) for k, p in zip(SEPARATOR_EVIDENCE, patterns, strict=True)}


def decimal_comma(seen: Mapping[str, bool]) -> bool | None:
    """Whether amounts showing ``seen`` (which :data:`SEPARATOR_EVIDENCE` some value shows)
    are read with a decimal comma; None when nothing shows either way.

    A comma when a number only a comma writes is there and none only a point writes: surely
    ("1.234.567", "12.000,50"), or likely ("12,5") where no number reads either way. A lone
    "12,5" among "48.000"s may be a slip; reading the column with a comma would turn every
    48 into 48,000, so it stays with a point and that one value is reported instead."""
    if seen.get("point"):
        return False
    if seen.get("comma_sure") or (seen.get("comma_likely") and not seen.get("dot_either")):
        return True
    return False if seen.get("dot_either") or seen.get("comma_likely") else None


def parse_amount(
    raw: pd.Series,
    multiplier: float = 1.0,
    forced: bool | None = None,
    evidence: dict[str, bool] | None = None,
) -> Parsed:
    """Amounts with currency signs, thousands separators, 万/亿/k/M suffixes and (negatives).

    ``multiplier`` comes from the header's unit (10,000 for "万元"); a suffix in the cell
    ("120万") gives its own scale and the header's unit is not applied on top of it.
    ``extra`` holds the currency a sign implies ("$" USD, "¥" CNY), else missing.

    The decimal separator is decided per column (:func:`decimal_comma`): a comma when some
    value can only be written with one (``12.000,50``, ``1.234.567``, as European spreadsheets
    and CRMs write amounts) and none only with a point; then ``12.000`` is twelve thousand,
    and ``Parsed.note`` is ``amount_decimal_comma`` (whichever decided it). Otherwise a point,
    as before, and no note; a value only
    a comma writes is then not read (``Parsed.unclear``). ``forced`` imposes the decision (a
    file read in pieces takes it from every piece); ``evidence`` is given what these values
    show (:data:`SEPARATOR_EVIDENCE`), added to what it holds.
    """
    blank = _blank(raw)

    def many(u: pd.Series) -> pd.DataFrame:
        with np.errstate(over="ignore", invalid="ignore"):
            fast = pd.to_numeric(u, errors="coerce") * multiplier
        out = fast.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        cur = np.full(len(u), None, dtype=object)
        slow = np.flatnonzero(np.isnan(out) & u.notna().to_numpy(dtype=bool))
        if len(slow):
            # Signs, separators, suffixes and brackets: read by Arrow's regular expressions on
            # all such texts at once (one Python call per text took 5 s on 100,000 "1,234.56").
            text = pa.array(u.iloc[slow].to_numpy(dtype=object), pa.string())
            text = pc.utf8_trim_whitespace(pc.utf8_lower(pc.utf8_normalize(text, "NFKC")))
            sign = pc.struct_field(pc.extract_regex(text, f"(?P<s>{_SIGN_RE.pattern})"), [0])
            cur[slow] = pd.Series(sign.to_numpy(zero_copy_only=False)).map(_CURRENCY_WORDS)
            parts = pc.extract_regex(
                pc.replace_substring_regex(text, _AMOUNT_CLEAN.pattern, ""), _AMOUNT_PARTS
            )
            held = parts.is_valid().to_numpy(zero_copy_only=False)

            def part(name: str) -> np.ndarray:
                return pc.struct_field(parts, name).to_numpy(zero_copy_only=False)

            number = pc.if_else(parts.is_valid(), pc.struct_field(parts, "num"), None)
            with np.errstate(over="ignore", invalid="ignore"):
                value = pc.cast(number, pa.float64()).to_numpy(zero_copy_only=False)
                opened, closed = part("open") == "(", part("close") == ")"
                scale = pd.Series(part("suffix")).map(_AMOUNT_SUFFIX).fillna(multiplier)
                value = np.where(opened & closed, -value, value) * scale.to_numpy()
            # "(300)" is negative; a bracket on one side only is not an amount.
            out[slow] = np.where(held & (opened == closed), value, np.nan)
        # "inf", "nan" and amounts that overflow are not amounts.
        out = np.where(np.isfinite(out), out, np.nan)
        return pd.DataFrame({"v": out, "c": pd.Series(cur, dtype="object").where(pd.notna(cur))})

    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    texts = pd.Series(uniques, dtype="object").astype(str)
    written = pa.array(texts, pa.string())
    if pc.any(pc.match_substring_regex(written, _NO_CENTS)).as_py():
        # "12.000,-" reads as "12.000,00", so it also tells the column's separator.
        text = pc.replace_substring_regex(written, _NO_CENTS, r"\1\200")
        texts = pd.Series(text.to_numpy(zero_copy_only=False), dtype="object")
    shown = _separators(texts)
    seen = {k: bool(v.any()) for k, v in shown.items()}
    if evidence is not None:
        evidence.update({k: evidence.get(k, False) or v for k, v in seen.items()})
    comma = bool(decimal_comma(seen)) if forced is None else forced
    note = "amount_decimal_comma" if comma else None
    comma_only = shown["comma_sure"] | shown["comma_likely"]
    if comma:
        # Dots group thousands and the comma marks the decimals: read as "12000.50".
        text = pc.utf8_normalize(pa.array(texts, pa.string()), "NFKC")
        text = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
        texts = pd.Series(text.to_numpy(zero_copy_only=False), dtype="object")
    table = many(texts)
    unclear = comma_only & (not comma)
    # A column read with a decimal point whose value only a decimal comma writes (beside
    # "12,000.50" elsewhere): which is meant cannot be told, so it is not read.
    table.loc[unclear, "v"] = np.nan
    vals = np.append(table["v"].to_numpy(dtype="float64"), np.nan)[codes]
    values = pd.Series(vals, index=raw.index, dtype="float64")
    bad = np.isnan(vals) & ~blank
    named = table["c"].notna().to_numpy()
    currencies = np.where(named, table["c"].to_numpy(), None).tolist()
    extra = _taken(currencies, codes, raw.index) if named.any() else None
    return Parsed(values, bad, note, extra=extra, unclear=np.append(unclear, False)[codes])


# --------------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------------
def parse_probability(raw: pd.Series, percent: bool | None = None) -> Parsed:
    """Win probabilities as fractions: 0.3, 30 and "30%" all read 0.3.

    A bare number is a percentage when any bare number in the column is above 1 (the column
    is then on a 0-100 scale); the note says which scale was used. On that scale a bare number
    strictly between 0 and 1 is still read as a fraction: a spreadsheet cell formatted as a
    percentage holds 0.3 for 30%, and a column of typed 60s and such cells is common, while a
    win probability below 1% is not. ``extra`` marks those cells (a note gives their count).
    Values outside [0, 1] after scaling are kept as they are (validation reports them), not
    clipped. ``percent`` forces the scale (a file read in pieces decides it from every piece);
    the note still tells what these values alone show.
    """
    blank = _blank(raw)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="object").astype(str).str.strip()
    norm = u.map(lambda t: unicodedata.normalize("NFKC", t))
    pct = norm.str.endswith("%")
    nums = pd.to_numeric(norm.str.rstrip("%").str.strip(), errors="coerce")
    bare = nums[~pct]
    percent_scale = bool((bare > 1).any())
    scale = percent_scale if percent is None else percent
    fraction = (~pct & (nums > 0) & (nums < 1)).to_numpy(dtype=bool) & scale
    scaled = np.where(pct | (scale & ~fraction), nums / 100.0, nums)
    vals = np.append(np.asarray(scaled, dtype="float64"), np.nan)[codes]
    as_fraction = np.append(fraction, False)[codes]
    note = None
    if len(bare.dropna()):
        note = "probability_scale_percent" if percent_scale else "probability_scale_fraction"
    return Parsed(
        pd.Series(vals, index=raw.index),
        np.isnan(vals) & ~blank,
        note,
        extra=pd.Series(as_fraction, index=raw.index),
    )


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------
_TIME = r"(?:[\st]+(?P<ampm1>上午|下午|am|pm)?\s*(?P<H>\d{1,2})[:时](?P<M>\d{2})(?:[:分](?P<S>\d{2})(?:\.\d+)?)?\s*秒?\s*(?P<ampm2>am|pm|上午|下午)?)?"
_YMD = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    + r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"
    + _TIME
    + r"\s*(?:z|[+-]\d{2}:?\d{2})?$"
)
_XYY = re.compile(
    r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4}|\d{2})" + _TIME + r"$"
)
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$")
#: English month names as exports write them ("Aug 18, 2024 10:29 AM", "18-Aug-24", "Tuesday,
#: March 5, 2024"): read a column at a time, not one general parse per text.
_MONTHS = {
    **{m: i for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    **{m: i for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"), 1)},
    "sept": 9,
}  # fmt: skip
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?"
_NAMED_MDY = re.compile(
    r"^" + _WEEKDAY + r"(?P<mon>[a-z]{3,9})\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s*"
    r"(?P<y>\d{4}),?" + _TIME + r"$"
)
_NAMED_DMY = re.compile(
    r"^" + _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*(?P<mon>[a-z]{3,9})\.?[\s\-/.,]*"
    r"(?P<y>\d{4}|\d{2}),?" + _TIME + r"$"
)
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_MONTH_NAME = re.compile(r"[a-z]{3}")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Dates outside this window are read but reported as impossible.
DATE_MIN, DATE_MAX = pd.Timestamp("1980-01-01"), pd.Timestamp("2100-12-31")


def _assemble(y, m, d, hh, mm, ss, ampm) -> pd.Series:
    def num(part: pd.Series | None) -> pd.Series:
        if part is None:
            return pd.Series(0.0, index=y.index)
        return pd.to_numeric(part, errors="coerce").fillna(0)

    hour = num(hh)
    if ampm is not None:
        pm = ampm.isin(["pm", "下午"]).to_numpy()
        am = ampm.isin(["am", "上午"]).to_numpy()
        hour = pd.Series(
            np.where(pm & (hour < 12), hour + 12, np.where(am & (hour == 12), 0, hour)),
            index=hour.index,
        )
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(y, errors="coerce"),
            "month": pd.to_numeric(m, errors="coerce"),
            "day": pd.to_numeric(d, errors="coerce"),
            "hour": hour,
            "minute": num(mm),
            "second": num(ss),
        }
    )
    # Only rows a nanosecond timestamp can hold: pandas 3 raises (not coerces) beyond them.
    ok = (
        frame.notna().all(axis=1)
        & frame["year"].between(1678, 2261)
        & frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
        & frame["hour"].between(0, 23)
        & frame["minute"].between(0, 59)
        & frame["second"].between(0, 59)
    )
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        parsed = pd.to_datetime(frame[ok].astype("int64"), errors="coerce")
        out.loc[ok[ok].index] = parsed.to_numpy(dtype="datetime64[ns]")
    return out


def _full_year(written: pd.Series) -> pd.Series:
    """Years as written, four digits or two (``24`` is 2024, ``85`` is 1985)."""
    y = written.astype(int)
    return y.where(written.str.len() == 4, np.where(y < 70, 2000 + y, 1900 + y))


def _ampm(match: pd.DataFrame) -> pd.Series:
    return match["ampm1"].where(match["ampm1"].notna(), match["ampm2"])


def _parse_date_texts(
    u: pd.Series, dayfirst: bool | None, xyy_hits: list | None = None
) -> tuple[pd.Series, str | None, pd.Series]:
    """Parse distinct, stripped, case-folded texts; decide day/month order for x/x/yy forms.

    Also returns which texts are well-formed dates in a year no calendar here can hold.
    ``xyy_hits`` is given the positions of the x/x/yy texts, which decide the order.
    """
    out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    note = None
    ymd = u.str.extract(_YMD)
    hit = ymd["y"].notna()
    years = pd.to_numeric(ymd["y"], errors="coerce")
    far = hit & ~years.between(DATE_MIN.year, DATE_MAX.year)
    if hit.any():
        g = ymd[hit]
        out[hit] = _assemble(g["y"], g["m"], g["d"], g["H"], g["M"], g["S"], _ampm(g))
    rest = out.isna() & ~hit
    xyy = u[rest].str.extract(_XYY)
    hit2 = xyy["a"].notna()
    if xyy_hits is not None:
        xyy_hits.extend(int(i) for i in xyy.index[hit2])
    if hit2.any():
        g = xyy[hit2]
        a, b = g["a"].astype(int), g["b"].astype(int)
        y = _full_year(g["y"])
        if dayfirst is None:
            a_big, b_big = bool((a > 12).any()), bool((b > 12).any())
            if a_big and not b_big:
                dayfirst, note = True, "dates_dayfirst"
            elif b_big and not a_big:
                dayfirst, note = False, "dates_monthfirst"
            elif a_big and b_big:
                dayfirst = int((a > 12).sum()) > int((b > 12).sum())
                note = "dates_mixed_order_dayfirst" if dayfirst else "dates_mixed_order_monthfirst"
            elif u[g.index].str.match(r"^\d{1,2}\s*\.").all():
                # 05.03.2024 is written day-first (German, Russian, …); never month-first.
                dayfirst, note = True, "dates_ambiguous_dayfirst_dots"
            else:
                dayfirst, note = False, "dates_ambiguous_monthfirst"
        day, month = (a, b) if dayfirst else (b, a)
        out[g.index] = _assemble(y, month, day, g["H"], g["M"], g["S"], _ampm(g))
    rest = out.isna() & ~hit & ~u.index.isin(xyy.index[hit2])
    compact = u[rest].str.extract(_COMPACT)
    hit3 = compact["y"].notna()
    if hit3.any():
        g = compact[hit3]
        out[g.index] = _assemble(g["y"], g["m"], g["d"], None, None, None, None)
    rest = rest & ~u.index.isin(compact.index[hit3])
    serial = rest & u.str.match(_SERIAL)
    if serial.any():
        days = pd.to_numeric(u[serial], errors="coerce")
        # Convert only serials inside the date window; an Excel serial outside it (up to
        # 9999-12-31) is a well-formed date no deal can have: flagged, never converted.
        lo = (DATE_MIN - EXCEL_EPOCH).days
        hi = (DATE_MAX - EXCEL_EPOCH).days + 1
        inside = (days >= lo) & (days < hi)
        far_serial = pd.Series(False, index=u.index)
        far_serial[serial] = ((days >= 1) & (days < 2958466) & ~inside).to_numpy()
        far = far | far_serial
        ok_days = days.where(inside)
        out[serial] = EXCEL_EPOCH + pd.to_timedelta(ok_days, unit="D")
        rest = rest & ~serial
    # Month names ("Mar 5, 2024", "05-Mar-24"): the usual forms a column at a time, the rest
    # by the general parser, one text at a time.
    named = rest & u.str.contains(_MONTH_NAME)
    for pattern in (_NAMED_MDY, _NAMED_DMY):
        if not named.any():
            break
        g = u[named].str.extract(pattern)
        month = g["mon"].map(_MONTHS)
        g = g[month.notna()]
        if len(g):
            y = _full_year(g["y"])
            out[g.index] = _assemble(y, month[g.index], g["d"], g["H"], g["M"], g["S"], _ampm(g))
            named = named & ~u.index.isin(g.index)
            rest = rest & ~u.index.isin(g.index)
    for i in np.flatnonzero(named.to_numpy()):
        with contextlib.suppress(ValueError, OverflowError, TypeError):
            out.iat[i] = pd.to_datetime(u.iat[i], format="mixed", dayfirst=bool(dayfirst))
    return out, note, far


def parse_date(
    raw: pd.Series, dayfirst: bool | None = None, order_texts: list | None = None
) -> Parsed:
    """Dates as ISO, slashes, 年月日, Excel serial numbers, date-times with AM/PM, US dates.

    For ``a/b/yy`` forms the order is decided once per column from the values: a first part
    above 12 means day-first, a second part above 12 means month-first; when every value fits
    both, month-first (US) is used, unless every such value is written with dots (05.03.2024:
    day-first, as every country writing dates so reads them). The note names the decision. Dates before 1980 or after
    2100 are read but flagged as impossible in ``extra`` (a boolean column). ``order_texts``
    is given the distinct values, as written, that decide the order (a file read in pieces
    decides it from every piece's).
    """
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw.astype("datetime64[ns]")
        blank = values.isna().to_numpy()
        bad = np.zeros(len(raw), dtype=bool)
        note = None
    else:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        u = pd.Series(uniques, dtype="object").astype(str).str.strip()
        # Blank: missing, or white space only (decided once per distinct text).
        blank = np.append((u == "").to_numpy(dtype=bool), True)[codes]
        u = u.str.casefold()
        u = u.map(lambda t: unicodedata.normalize("NFKC", t))
        hits: list[int] | None = [] if order_texts is not None else None
        parsed, note, far = _parse_date_texts(u, dayfirst, hits)
        if order_texts is not None:
            order_texts.extend(uniques[i] for i in hits)
        arr = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))[codes]
        values = pd.Series(arr, index=raw.index, dtype="datetime64[ns]")
        far_rows = np.append(far.to_numpy(dtype=bool), False)[codes]
        bad = values.isna().to_numpy() & ~blank & ~far_rows
    impossible = (values.notna() & ((values < DATE_MIN) | (values > DATE_MAX))) | (
        far_rows if not pd.api.types.is_datetime64_any_dtype(raw.dtype) else False
    )
    return Parsed(values, bad, note, extra=impossible if impossible.any() else None)


# --------------------------------------------------------------------------------------------
# Booleans, statuses, sources, grades
# --------------------------------------------------------------------------------------------
_TRUE = {
    "true",
    "yes",
    "y",
    "t",
    "1",
    "1.0",
    "是",
    "已完成",
    "完成",
    "已",
    "有",
    "对",
    "done",
    "√",
    "✓",
    "✔",
    "☑",
    "ok",
    "x",
}
_FALSE = {
    "false",
    "no",
    "n",
    "f",
    "0",
    "0.0",
    "否",
    "未完成",
    "未",
    "无",
    "不是",
    "not done",
    "×",
    "✗",
    "✘",
    "☐",
    "-",
}


def _taken(answers: list, codes: np.ndarray, index: pd.Index, dtype: str = "string") -> pd.Series:
    """One answer per distinct value, spread to every row by taking (code -1 takes missing)."""
    return pd.Series(pd.array(answers, dtype=dtype).take(codes, allow_fill=True), index=index)


def _lookup(
    raw: pd.Series, table: dict[str, object], fallback_keep: bool = False, dtype: str = "string"
) -> Parsed:
    blank = _blank(raw)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = [table.get(normalize_label(u)) for u in uniques]
    if fallback_keep:
        mapped = [
            m if m is not None else str(u).strip() for m, u in zip(mapped, uniques, strict=True)
        ]
    values = _taken(mapped, codes, raw.index, dtype)
    bad = values.isna().to_numpy() & ~blank
    return Parsed(values, bad)


def parse_bool(raw: pd.Series) -> Parsed:
    """Yes/no cells in either language (是/否, √/×, TRUE/FALSE, 1/0, 已完成/未完成)."""
    table: dict[str, object] = {normalize_label(t): True for t in _TRUE}
    table.update({normalize_label(t): False for t in _FALSE})
    return _lookup(raw, table, dtype="boolean")


_STATUS = {
    WON: ("won", "closed won", "win", "赢单", "赢", "成交", "已成交", "签约", "已签约", "已赢单"),
    LOST: (
        "lost",
        "closed lost",
        "lose",
        "丢单",
        "输单",
        "失败",
        "丢失",
        "输",
        "已丢单",
        "已输单",
        "deleted",
        "closed",
    ),
    OPEN: (
        "open",
        "in progress",
        "active",
        "ongoing",
        "进行中",
        "跟进中",
        "跟进",
        "打开",
        "未关闭",
        "正常",
    ),
    ON_HOLD: ("on hold", "hold", "paused", "搁置", "已搁置", "暂停", "暂缓", "冻结"),
}


def parse_status(raw: pd.Series) -> Parsed:
    """Deal statuses in either language to open / won / lost / on_hold."""
    table = {normalize_label(label): key for key, labels in _STATUS.items() for label in labels}
    # "closed" alone does not say won or lost.
    table.pop("closed", None)
    return _lookup(raw, table)


SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "cold_visit": (
        "Cold visit",
        "陌生拜访",
        ("陌拜", "陌生拜访", "cold call", "cold calling", "cold", "purchased list", "新客户拜访"),
    ),
    "follow_up": (
        "Follow-up",
        "跟踪",
        ("跟踪", "跟进", "follow up", "followup", "existing contact"),
    ),
    "penetration": (
        "Penetration",
        "渗透",
        ("渗透", "cross sell", "cross-sell", "new buyer", "交叉销售"),
    ),
    "cultivation": (
        "Cultivation",
        "耕耘",
        (
            "耕耘",
            "repeat",
            "repeat buyer",
            "复购",
            "老客户",
            "upsell",
            "renewal",
            "existing customer",
        ),
    ),
    "inbound": (
        "Inbound inquiry",
        "主动咨询",
        (
            "主动咨询",
            "咨询",
            "来电",
            "官网",
            "inbound",
            "inquiry",
            "enquiry",
            "web",
            "website",
            "assigned",
            "分配",
            "referral",
            "转介绍",
            "trade show",
            "展会",
            "partner",
            "合作伙伴",
        ),
    ),
}


def parse_source(raw: pd.Series) -> Parsed:
    """Sources to the five keys of the domain; an unknown source is kept as written."""
    table: dict[str, object] = {}
    for key, (en, zh, aliases) in SOURCES.items():
        for label in (key, en, zh, *aliases):
            table[normalize_label(label)] = key
    return _lookup(raw, table, fallback_keep=True)


FORECAST_CATEGORIES: dict[str, tuple[str, ...]] = {
    # Salesforce's API value for the Commit category is "Forecast" (ForecastCategory).
    "commit": ("commit", "committed", "forecast", "承诺", "确定", "必赢"),
    "best_case": ("best case", "bestcase", "upside", "最佳情况", "最佳", "有望"),
    "pipeline": ("pipeline", "管道", "漏斗", "一般"),
    "omitted": ("omitted", "omit", "排除", "不计入"),
    "closed": ("closed", "closed won", "已关闭", "已成交"),
}


def parse_forecast_category(raw: pd.Series) -> Parsed:
    """CRM forecast categories (Salesforce's Commit / Best Case / Pipeline / Omitted / Closed,
    and their Chinese names) to ``commit``, ``best_case``, ``pipeline``, ``omitted`` or
    ``closed``; anything else is kept as written."""
    table: dict[str, object] = {}
    for key, labels in FORECAST_CATEGORIES.items():
        for label in (key, *labels):
            table[normalize_label(label)] = key
    return _lookup(raw, table, fallback_keep=True)


_GRADE = re.compile(
    r"^\s*([abcd])\s*(?:级|类|档|级客户|类客户|客户|grade|级别)?\s*$", re.IGNORECASE
)


def parse_grade(raw: pd.Series) -> Parsed:
    """Customer grades A-D ("A", "a", "A级", "B类客户"); anything else is reported."""
    blank = _blank(raw)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = []
    for u in uniques:
        m = _GRADE.match(unicodedata.normalize("NFKC", str(u)))
        mapped.append(m.group(1).upper() if m else None)
    values = _taken(mapped, codes, raw.index)
    return Parsed(values, values.isna().to_numpy() & ~blank)


def parse_factor(raw: pd.Series, factor: EvaluationFactor) -> Parsed:
    """A factor's cells to scores on its scale: a number from 0 to the scale, or one of the
    words it reads; anything else is reported (``bad``) and left blank.

    >>> from funnel_analytics.stages import DEFAULT_EVALUATION
    >>> funding = DEFAULT_EVALUATION.factors[1]
    >>> p = parse_factor(pd.Series(["已落实", "3", "部分落实", "7", "", "maybe"]), funding)
    >>> p.values.tolist(), p.bad.tolist()
    ([5.0, 3.0, 3.0, nan, nan, nan], [False, False, False, True, False, True])
    """
    words = factor.words
    blank = _blank(raw)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    scores = []
    for u in uniques:
        text = str(u).strip()
        try:
            number = float(text)
        except ValueError:
            number = words.get(normalize_label(text), np.nan)
        scores.append(number if 0 <= number <= factor.scale else np.nan)
    table_ = np.asarray([*scores, np.nan], dtype="float64")
    values = pd.Series(table_[codes], index=raw.index, dtype="float64")
    bad = values.isna().to_numpy() & ~blank
    return Parsed(values, bad)

"""Numbers and dates formatted for the reader's language: 万/亿 in Chinese, k/M in English."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

__all__ = [
    "UNIT_NAMES",
    "amount_unit",
    "format_amount",
    "format_count",
    "format_date",
    "view_unit",
]


def format_amount(
    value: float | None,
    lang: str = "zh",
    digits: int = 1,
    unit: tuple[float, str] | None = None,
) -> str:
    """``12_345_678`` → ``"1234.6万"`` (zh) or ``"12.3M"`` (en); small amounts in full.
    With ``unit`` (from :func:`amount_unit` or :func:`view_unit`), in that unit, so that a
    view's tiles read in the unit of its tables and charts.

    >>> format_amount(123_456_789, "zh"), format_amount(123_456_789, "en")
    ('1.23亿', '123.5M')
    >>> format_amount(123_456_789, "zh", unit=(1e4, "万元")), format_amount(8.4e6, "en", unit=(1e3, "k"))
    ('12,346万', '8,400k')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = abs(float(value))
    if unit is not None:
        shown = v / unit[0]
        # Nothing at all reads 0 ("本期赢单 0 · 金额 0万", not "0.00万"); a little reads 0.00.
        places = 0 if shown >= 100 or shown == 0 else 1 if shown >= 10 else 2
        number, suffix = shown, SHORT_UNITS.get(unit[1], unit[1])
    elif lang == "zh":
        number, places, suffix = (
            (v / 1e8, 2, "亿") if v >= 1e8 else (v / 1e4, digits, "万") if v >= 1e4 else (v, 0, "")
        )
    elif v >= 1e9:
        number, places, suffix = v / 1e9, 2, "B"
    elif v >= 1e6:
        number, places, suffix = v / 1e6, digits, "M"
    elif v >= 1e3:
        number, places, suffix = v / 1e3, digits, "k"
    else:
        number, places, suffix = v, 0, ""
    text = _half_up(number, places)
    # No sign on a loss too small to show ("-0.00k").
    sign = "-" if value < 0 and text.strip("0.,") else ""
    return f"{sign}{text}{suffix}"


def _half_up(number: float, places: int) -> str:
    """``number`` to ``places`` decimals, halves rounded up, with thousands separators: the
    same amount reads alike in both languages (628,500 is 629k and 62.9万; Python's own
    formatting rounds a tie to even, 628k, while 62.85 is not a tie in binary)."""
    return (
        f"{Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    )


def amount_unit(lang: str = "zh", largest: float | None = None) -> tuple[float, str]:
    """The divisor and unit label for a view of amounts whose ``largest`` value is given:
    万元 in Chinese (亿元 from 10亿), thousands in English (millions from 10M), so that a
    chart reads in the unit its tiles use.

    >>> amount_unit("en"), amount_unit("en", 350_000_000), amount_unit("zh", 3e9)
    ((1000.0, 'k'), (1000000.0, 'M'), (100000000.0, '亿元'))
    """
    big = (
        largest is not None
        and not math.isnan(largest)
        and abs(largest) >= (1e9 if lang == "zh" else 1e7)
    )
    if lang == "zh":
        return (1e8, "亿元") if big else (1e4, "万元")
    return (1e6, "M") if big else (1e3, "k")


UNIT_NAMES = {"k": "thousands", "M": "millions", "万元": "万元", "亿元": "亿元"}
SHORT_UNITS = {"万元": "万", "亿元": "亿"}  # a unit as a tile's suffix (k and M as they are)


def view_unit(lang: str, *amounts: object) -> tuple[float, str]:
    """The one unit of a view (a page's tiles, tables and charts): :func:`amount_unit` of the
    largest amount it shows. Arrays, Series and missing values may be given.

    >>> view_unit("en", 2.5e6, [1e6, 3.2e7]), view_unit("zh", 1.3e8)
    ((1000000.0, 'M'), (10000.0, '万元'))
    """
    largest = 0.0
    for a in amounts:
        values = pd.Series(a, dtype="float64") if not isinstance(a, pd.Series) else a
        top = pd.to_numeric(values, errors="coerce").abs().max()
        if pd.notna(top):
            largest = max(largest, float(top))
    return amount_unit(lang, largest)


def format_count(value: int | float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(value):,}"


def format_date(value: object, lang: str = "zh", month: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    ts = pd.Timestamp(value)
    if month:
        return f"{ts.year}年{ts.month}月" if lang == "zh" else ts.strftime("%b %Y")
    return ts.strftime("%Y-%m-%d")

"""Numbers and dates formatted for the reader's language: 万/亿 in Chinese, k/M in English."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

__all__ = [
    "CURRENCY_WORDS_ZH",
    "UNIT_NAMES",
    "amount_unit",
    "format_amount",
    "format_count",
    "format_date",
    "in_currency",
    "use_currency",
    "view_currency",
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
        number, suffix = shown, short_unit(unit[1])
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


#: Chinese names of the currencies a load recognises (:data:`funnel_analytics.values`), as
#: a unit names them: 万元, 万美元, 万欧元. Another code is written as it is (万 SGD).
CURRENCY_WORDS_ZH = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "GBP": "英镑",
    "JPY": "日元",
    "HKD": "港元",
    "CHF": "瑞士法郎",
}

#: The currency of the amounts in view: an ISO code, or None when the rows name none or
#: several. A page sets it from the rows it shows (:func:`use_currency`); elsewhere it is
#: yuan, the currency of the sample and of a Chinese export's 万元 headers.
_CURRENCY: ContextVar[str | None] = ContextVar("funnel_analytics_currency", default="CNY")


def view_currency(currencies: object) -> str | None:
    """The one currency of a view's rows (their ``currency`` values), or None when they name
    none or more than one.

    >>> view_currency(["EUR", None, "EUR"]), view_currency(["EUR", "USD"]), view_currency([])
    ('EUR', None, None)
    """
    # A page's column is read as it is: cast to objects, a million rows took 0.13 s a run.
    values = (
        currencies if isinstance(currencies, pd.Series) else pd.Series(currencies, dtype="object")
    )
    found = values.dropna().unique()
    return str(found[0]) if len(found) == 1 else None


def use_currency(code: str | None) -> None:
    """Name ``code`` in the Chinese units of what is drawn next in this thread (a page's run)."""
    _CURRENCY.set(code)


@contextmanager
def in_currency(code: str | None) -> Iterator[None]:
    """:func:`use_currency` for the block only."""
    token = _CURRENCY.set(code)
    try:
        yield
    finally:
        _CURRENCY.reset(token)


def amount_unit(lang: str = "zh", largest: float | None = None) -> tuple[float, str]:
    """The divisor and unit label for a view of amounts whose ``largest`` value is given:
    万 in Chinese (亿 from 10亿) with the currency in view (万元, 万欧元; 万 alone when the rows
    name none or several, see :func:`use_currency`), thousands in English (millions from 10M),
    so that a chart reads in the unit its tiles use.

    >>> amount_unit("en"), amount_unit("en", 350_000_000), amount_unit("zh", 3e9)
    ((1000.0, 'k'), (1000000.0, 'M'), (100000000.0, '亿元'))
    >>> with in_currency("EUR"):
    ...     amount_unit("zh"), amount_unit("en")
    ((10000.0, '万欧元'), (1000.0, 'k'))
    """
    big = (
        largest is not None
        and not math.isnan(largest)
        and abs(largest) >= (1e9 if lang == "zh" else 1e7)
    )
    if lang == "zh":
        code = _CURRENCY.get()
        word = "" if code is None else CURRENCY_WORDS_ZH.get(code, f" {code}")
        return (1e8, f"亿{word}") if big else (1e4, f"万{word}")
    return (1e6, "M") if big else (1e3, "k")


UNIT_NAMES = {"k": "thousands", "M": "millions"}


def short_unit(unit: str) -> str:
    """A unit as a tile's suffix: 万 and 亿 without the currency, k and M as they are."""
    return unit[0] if unit[:1] in ("万", "亿") else unit


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

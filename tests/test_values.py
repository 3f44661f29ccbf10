"""Value parsers: hand-worked tables for amounts, probabilities, dates and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from funnel_analytics.values import (
    header_unit,
    parse_amount,
    parse_bool,
    parse_date,
    parse_grade,
    parse_probability,
    parse_source,
    parse_status,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("预计金额（万元）", ("预计金额", 10_000.0, "CNY")),
        ("预计金额(万元)", ("预计金额", 10_000.0, "CNY")),
        ("合同金额（元）", ("合同金额", 1.0, "CNY")),
        ("金额/万元", ("金额", 10_000.0, "CNY")),
        ("金额（亿元）", ("金额", 1e8, "CNY")),
        ("Amount (USD)", ("Amount", 1.0, "USD")),
        ("Amount (k)", ("Amount", 1_000.0, None)),
        ("Probability (%)", ("Probability", 1.0, None)),
        ("Opportunity Lifecycle (Days)", ("Opportunity Lifecycle (Days)", 1.0, None)),
        ("商机编号", ("商机编号", 1.0, None)),
    ],
)
def test_header_unit(header: str, expected: tuple) -> None:
    assert header_unit(header) == expected


@pytest.mark.parametrize(
    ("cell", "multiplier", "value", "currency"),
    [
        ("1200", 1, 1200.0, None),
        ("1,200,000", 1, 1_200_000.0, None),
        ("¥1,200,000", 1, 1_200_000.0, "CNY"),
        ("￥ 3,000.50", 1, 3000.5, "CNY"),
        ("$5k", 1, 5000.0, "USD"),
        ("€2.5M", 1, 2_500_000.0, "EUR"),
        ("120万", 1, 1_200_000.0, None),
        ("120万", 10_000, 1_200_000.0, None),  # a suffix in the cell wins over the header unit
        ("1.2亿", 1, 120_000_000.0, None),
        ("12.5", 10_000, 125_000.0, None),  # header in 万元
        ("(300)", 1, -300.0, None),
        ("-5", 1, -5.0, None),
        ("RMB 800", 1, 800.0, "CNY"),
        ("1，200", 1, 1200.0, None),  # full-width comma
    ],
)
def test_amounts(cell: str, multiplier: float, value: float, currency: str | None) -> None:
    p = parse_amount(pd.Series([cell]), multiplier)
    assert p.values.iloc[0] == pytest.approx(value)
    assert not p.bad[0]
    got = None if p.extra is None else p.extra.iloc[0]
    assert (got if isinstance(got, str) else None) == currency


@pytest.mark.parametrize("cell", ["abc", "12..5", "1,2,3元x", "(300", "待定"])
def test_unreadable_amounts_are_reported_not_blanked(cell: str) -> None:
    p = parse_amount(pd.Series([cell, None, "  "]))
    assert p.bad.tolist() == [True, False, False]
    assert p.values.isna().all()


@pytest.mark.parametrize(
    ("cells", "expected", "note"),
    [
        (["30%", "50%"], [0.3, 0.5], None),
        (["30", "50", "100"], [0.3, 0.5, 1.0], "probability_scale_percent"),
        (["0.3", "0.5", "1"], [0.3, 0.5, 1.0], "probability_scale_fraction"),
        (["30%", "0.5"], [0.3, 0.5], "probability_scale_fraction"),
        (["１０％"], [0.1], None),
        (["150"], [1.5], "probability_scale_percent"),  # kept as is: validation reports it
    ],
)
def test_probabilities(cells: list[str], expected: list[float], note: str | None) -> None:
    p = parse_probability(pd.Series(cells))
    assert p.values.tolist() == pytest.approx(expected)
    assert p.note == note


def test_fractions_among_percentages_are_read_as_fractions() -> None:
    # Typed 60 beside cells formatted as percentages (they hold 0.3 and show 30%); "1" on the
    # percent scale stays 1%, and 0 is 0 either way.
    p = parse_probability(pd.Series(["60", "0.3", "25%", "0.75", "1", "0", None]))
    assert p.values.tolist()[:6] == pytest.approx([0.6, 0.3, 0.25, 0.75, 0.01, 0.0])
    assert p.note == "probability_scale_percent"
    assert p.extra.tolist() == [False, True, False, True, False, False, False]
    # On the fraction scale nothing is marked; forced onto the percent scale, 0.3 is marked.
    assert not parse_probability(pd.Series(["0.3", "0.5"])).extra.any()
    forced = parse_probability(pd.Series(["0.3", "0.5"]), percent=True)
    assert forced.values.tolist() == pytest.approx([0.3, 0.5])
    assert forced.extra.tolist() == [True, True]


T = pd.Timestamp


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-05", T("2024-03-05")),
        ("2024/3/5", T("2024-03-05")),
        ("2024.03.05", T("2024-03-05")),
        ("2024年3月5日", T("2024-03-05")),
        ("2024 年 3 月 5 日", T("2024-03-05")),
        ("2024-03-05 14:30", T("2024-03-05 14:30")),
        ("2024-03-05T14:30:15Z", T("2024-03-05 14:30:15")),
        ("2024-03-01 00:00:00", T("2024-03-01")),
        ("20240305", T("2024-03-05")),
        ("45356", T("2024-03-05")),  # Excel serial
        ("45356.5", T("2024-03-05 12:00")),
        ("Mar 5, 2024", T("2024-03-05")),
        ("5-Mar-2024", T("2024-03-05")),
        ("2024-03-05 下午 2:30", T("2024-03-05 14:30")),
    ],
)
def test_dates(cell: str, expected: pd.Timestamp) -> None:
    p = parse_date(pd.Series([cell]))
    assert p.values.iloc[0] == expected
    assert not p.bad[0]


@pytest.mark.parametrize(
    ("cells", "expected", "note"),
    [
        # A second part above 12: month-first.
        (
            ["02/23/26 08:55 PM", "03/01/26"],
            [T("2026-02-23 20:55"), T("2026-03-01")],
            "dates_monthfirst",
        ),
        # A first part above 12: day-first.
        (["25/03/2024", "01/04/2024"], [T("2024-03-25"), T("2024-04-01")], "dates_dayfirst"),
        # Both fit: US month-first, and the note says it was a choice.
        (
            ["01/04/2024", "03/05/2024"],
            [T("2024-01-04"), T("2024-03-05")],
            "dates_ambiguous_monthfirst",
        ),
        (["12/01/26 12:30 AM"], [T("2026-12-01 00:30")], "dates_ambiguous_monthfirst"),
        (["12/01/26 12:30 PM"], [T("2026-12-01 12:30")], "dates_ambiguous_monthfirst"),
        (["01/02/99"], [T("1999-01-02")], "dates_ambiguous_monthfirst"),
    ],
)
def test_day_month_order_is_decided_per_column(cells, expected, note) -> None:
    p = parse_date(pd.Series(cells))
    assert p.values.tolist() == expected
    assert p.note == note


def test_forced_dayfirst() -> None:
    assert parse_date(pd.Series(["01/04/2024"]), dayfirst=True).values.iloc[0] == T("2024-04-01")


@pytest.mark.parametrize("cell", ["2024-02-30", "2024-13-01", "next week", "32/01/2024", "待定"])
def test_unreadable_dates_are_reported(cell: str) -> None:
    p = parse_date(pd.Series([cell, None]))
    assert p.bad.tolist() == [True, False]


def test_impossible_dates_are_flagged() -> None:
    p = parse_date(pd.Series(["1900-01-01", "2024-01-01", "2999-01-01"]))
    assert p.extra.tolist() == [True, False, True]


def test_datetime_columns_pass_through() -> None:
    s = pd.Series(pd.to_datetime(["2024-03-05", None]))
    p = parse_date(s)
    assert p.values.tolist()[0] == T("2024-03-05") and not p.bad.any()


def test_parsing_works_on_distinct_values() -> None:
    many = pd.Series(["2024/3/5", "bad"] * 50_000)
    p = parse_date(many)
    assert p.bad.sum() == 50_000
    assert (p.values.dropna() == T("2024-03-05")).all()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("是", True),
        ("否", False),
        ("TRUE", True),
        ("false", False),
        ("√", True),
        ("×", False),
        ("已完成", True),
        ("未完成", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
    ],
)
def test_booleans(cell: str, expected: bool) -> None:
    assert (
        parse_bool(pd.Series([cell])).values.iloc[0] is np.bool_(expected)
        or bool(parse_bool(pd.Series([cell])).values.iloc[0]) == expected
    )


def test_unknown_boolean_is_reported() -> None:
    p = parse_bool(pd.Series(["maybe", None]))
    assert p.bad.tolist() == [True, False]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("赢单", "won"),
        ("Closed Won", "won"),
        ("won", "won"),
        ("输单", "lost"),
        ("丢单", "lost"),
        ("Closed Lost", "lost"),
        ("lost", "lost"),
        ("进行中", "open"),
        ("open", "open"),
        ("搁置", "on_hold"),
        ("On hold", "on_hold"),
        ("closed", None),
        ("??", None),
    ],
)
def test_statuses(cell: str, expected: str | None) -> None:
    got = parse_status(pd.Series([cell])).values.iloc[0]
    assert pd.isna(got) if expected is None else got == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("陌生拜访", "cold_visit"),
        ("Cold Call", "cold_visit"),
        ("跟踪", "follow_up"),
        ("渗透", "penetration"),
        ("耕耘", "cultivation"),
        ("主动咨询", "inbound"),
        ("Web", "inbound"),
        ("Trade Show", "inbound"),
        ("某个展会以外的来源", "某个展会以外的来源"),
    ],
)
def test_sources(cell: str, expected: str) -> None:
    assert parse_source(pd.Series([cell])).values.iloc[0] == expected


@pytest.mark.parametrize(
    ("cell", "expected", "bad"),
    [
        ("A", "A", False),
        ("b", "B", False),
        ("C级", "C", False),
        ("D类客户", "D", False),
        ("Ａ", "A", False),
        ("E", None, True),
        ("AA", None, True),
    ],
)
def test_grades(cell: str, expected: str | None, bad: bool) -> None:
    p = parse_grade(pd.Series([cell]))
    got = p.values.iloc[0]
    assert pd.isna(got) if expected is None else got == expected
    assert p.bad[0] == bad


def test_forecast_categories_in_both_languages() -> None:
    from funnel_analytics.values import parse_forecast_category

    raw = pd.Series(
        [
            "Commit",
            "Best Case",
            "pipeline",
            "Omitted",
            "Closed",
            "承诺",
            "最佳情况",
            "管道",
            "Upside",
            None,
            "Maybe",
        ],
        dtype="object",
    )
    got = parse_forecast_category(raw).values.tolist()
    assert got[:9] == [
        "commit",
        "best_case",
        "pipeline",
        "omitted",
        "closed",
        "commit",
        "best_case",
        "pipeline",
        "best_case",
    ]
    assert pd.isna(got[9]) and got[10] == "Maybe"  # unknown kept as written


def test_sample_history_forecast_categories_reach_the_forecast() -> None:
    from pathlib import Path

    from funnel_analytics.forecast import forecast_by_category
    from funnel_analytics.loading import load_export
    from funnel_analytics.stages import get_stage_model

    path = Path(__file__).resolve().parents[1] / "sample_data" / "opportunity_history_en.csv"
    obs = load_export(path, stage_model="six_state").observations()
    assert set(obs["forecast_category"].dropna()) <= {
        "commit",
        "best_case",
        "pipeline",
        "omitted",
        "closed",
    }
    latest = obs.sort_values("snapshot_date").drop_duplicates("opportunity_id", keep="last")
    table = forecast_by_category(latest, get_stage_model("six_state"))
    assert table is not None and {"commit", "commit_best_case", "all_open"} <= set(table.columns)
    assert (table["commit_best_case"] >= table["commit_total"]).all()
    assert (table["all_open"] >= table["commit_best_case"] - 1e-6).all()


@pytest.mark.parametrize(
    ("cells", "expected", "note"),
    [
        # Only a decimal comma writes these: the column is read so ("12.000" is 12,000 then).
        (["12.000,50 €", "48.000 €", "1.234.567,00 €", "950,00 €"],
         [12000.5, 48000.0, 1234567.0, 950.0], "amount_decimal_comma"),
        (["12,5", "(1.200,00)", "3.000"], [12.5, -1200.0, 3000.0], "amount_decimal_comma"),
        # Only a decimal point writes these: as before ("12.000" is twelve).
        (["12,000.50", "12.000", "1,500"], [12000.5, 12.0, 1500.0], None),
        # Nothing tells: a decimal point, and no note.
        (["12.000", "1,500", "¥1,200", "120万"], [12.0, 1500.0, 1200.0, 1_200_000.0], None),
        # Whole amounts with a dash for the cents (German and Swiss price lists): the separator
        # before the dash is the decimal one, and it decides the column.
        (["12.000,- €", "48.000 €", "950,–", "-1.500,--"],
         [12000.0, 48000.0, 950.0, -1500.0], "amount_decimal_comma"),
        (["CHF 1'500.-", "48.000", "2,300.—"], [1500.0, 48.0, 2300.0], None),
    ],
)  # fmt: skip
def test_the_decimal_separator_is_decided_per_column(cells, expected, note) -> None:
    p = parse_amount(pd.Series(cells))
    assert p.values.tolist() == pytest.approx(expected)
    assert p.note == note
    assert not p.bad.any()


def test_an_amount_only_a_decimal_comma_writes_among_decimal_points_is_not_read() -> None:
    p = parse_amount(pd.Series(["12,000.50", "12,5", "1.234.567", "abc", None]))
    assert p.values.tolist()[0] == 12000.5
    assert p.bad.tolist() == [False, True, True, True, False]
    assert p.unclear.tolist() == [False, True, True, False, False]  # "abc" is not a number
    # Forced (a file read in pieces decided it from every piece): read with a comma.
    forced = parse_amount(pd.Series(["12.000", "12,5"]), forced=True)
    assert forced.values.tolist() == [12000.0, 12.5]
    # A lone "12,5" among "1.500"s may be a slip for 12.5: the column keeps its decimal point
    # (1.5, not 1,500) and the "12,5" is reported. Without the "1.500"s it reads 12.5.
    slip = parse_amount(pd.Series(["12,5", "1.500", "2.300"]))
    assert slip.values.tolist()[1:] == [1.5, 2.3] and slip.unclear.tolist() == [True, False, False]
    assert parse_amount(pd.Series(["12,5", "950,00"])).values.tolist() == [12.5, 950.0]
    # What the values show is added to a caller's evidence (a file read in pieces).
    seen = {"point": False}
    parse_amount(pd.Series(["48.000", "12,5"]), evidence=seen)
    assert seen == {"comma_sure": False, "comma_likely": True, "dot_either": True, "point": False}


@pytest.mark.parametrize(
    ("cells", "expected", "note"),
    [
        (["05.03.2024", "12.04.2024"], [T("2024-03-05"), T("2024-04-12")],
         "dates_ambiguous_dayfirst_dots"),
        (["05/03/2024"], [T("2024-05-03")], "dates_ambiguous_monthfirst"),
        (["05.03.2024", "04/13/2024"], [T("2024-05-03"), T("2024-04-13")], "dates_monthfirst"),
        (["2024年3月5日 星期二", "2024年3月6日（周三）", "2024-03-07 周四 10:00"],
         [T("2024-03-05"), T("2024-03-06"), T("2024-03-07 10:00")], None),
    ],
)  # fmt: skip
def test_dotted_dates_and_weekdays(cells, expected, note) -> None:
    p = parse_date(pd.Series(cells))
    assert p.values.tolist() == expected
    assert p.note == note


def _amount_one_by_one(text: str, multiplier: float) -> tuple[float, str | None]:
    """One amount read on its own, in plain Python: the reference the column-at-once reading
    (Arrow's regular expressions) must agree with."""
    import math
    import re
    import unicodedata

    number = pd.to_numeric(pd.Series([text], dtype=object), errors="coerce").iloc[0]
    if not pd.isna(number):
        value = float(number) * multiplier
        return (value if math.isfinite(value) else math.nan), None
    norm = unicodedata.normalize("NFKC", text).casefold().strip()
    signs = {"¥": "CNY", "￥": "CNY", "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP"}
    words = {"rmb": "CNY", "cny": "CNY", "人民币": "CNY", "usd": "USD", "美元": "USD",
             "eur": "EUR", "欧元": "EUR", "gbp": "GBP", "hkd": "HKD", "jpy": "JPY"}  # fmt: skip
    sign = re.search(r"us\$|[¥￥$€£]|rmb|cny|usd|eur|gbp|hkd|jpy|人民币|美元|欧元", norm)
    currency = None if sign is None else {**signs, **words}[sign.group(0)]
    core = re.sub(
        r"[,，\s']|rmb|cny|usd|eur|gbp|hkd|jpy|us\$|人民币|美元|欧元|元|[¥￥$€£]", "", norm
    )
    m = re.fullmatch(r"(\()?([+-]?\d+(?:\.\d+)?)(百万|亿|万|千|mn|[wkm])?(\))?", core)
    if not m or bool(m.group(1)) != bool(m.group(4)):
        return math.nan, currency
    scale = {"亿": 1e8, "万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3, "m": 1e6, "百万": 1e6, "mn": 1e6}
    value = float(m.group(2)) * (scale[m.group(3)] if m.group(3) else multiplier)
    value = -value if m.group(1) else value
    return (value if math.isfinite(value) else math.nan), currency


def test_amounts_read_a_column_at_once_as_one_by_one() -> None:
    """Random texts of digits, separators, signs, currency words, suffixes and brackets (full
    width too): the column-at-once reading gives each the value and currency it alone gives."""
    import math
    import random

    rng = random.Random(3)
    bits = ["1", "2", "0", "9", "12", "000", ",", ".", "，", " ", "'", "¥", "￥", "$", "€", "£",
            "USD", "usd", "RMB", "人民币", "美元", "元", "万", "亿", "k", "M", "mn", "w", "百万",
            "千", "(", ")", "-", "+", "abc", "１２", "\u3000", "\u00a0"]  # fmt: skip
    texts = ["".join(rng.choice(bits) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    # Numbers only a decimal comma writes follow the column's decision (tested above).
    unclear = parse_amount(pd.Series([*texts, "12,000.50"])).unclear[:-1]
    texts = [t for t, u in zip(texts, unclear, strict=True) if not u]
    for multiplier in (1.0, 1e4):
        p = parse_amount(pd.Series(texts), multiplier)
        named = [None] * len(texts) if p.extra is None else p.extra.tolist()
        for text, value, currency in zip(texts, p.values, named, strict=True):
            want, want_currency = _amount_one_by_one(text, multiplier)
            assert (math.isnan(value) and math.isnan(want)) or value == pytest.approx(want), text
            assert (None if pd.isna(currency) else currency) == want_currency, text


def test_dates_with_month_names_read_a_column_at_once_as_the_general_parser_reads_each() -> None:
    """ "Aug 18, 2024 10:29 AM", "18-Aug-24", "Tuesday, March 5, 2024" …: read by regular
    expressions a column at a time, each the date pandas' general parser gives it alone."""
    import contextlib
    import random

    rng = random.Random(5)
    formats = ["%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y",
               "%a, %b %d, %Y", "%A, %B %d, %Y", "%b %d, %Y %I:%M %p", "%d-%b-%Y %H:%M",
               "%d %b %Y %H:%M:%S", "%b. %d, %Y", "%d.%b.%Y", "%b %d, %Y, %I:%M %p"]  # fmt: skip
    texts = []
    for _ in range(1500):
        when = T("1990-01-01") + pd.Timedelta(minutes=rng.randrange(60 * 24 * 365 * 40))
        text = when.strftime(rng.choice(formats))
        texts.append(text.upper() if rng.random() < 0.2 else text)
    texts += ["Feb 30, 2024", "Sept 5, 2024", "5th March 2024", "Foo 5, 2024", "Mar 5, 1850"]
    parsed = parse_date(pd.Series(texts))
    for text, value in zip(texts, parsed.values, strict=True):
        want = pd.NaT
        with contextlib.suppress(ValueError, OverflowError, TypeError):
            want = pd.to_datetime(text.casefold(), format="mixed")
        assert (pd.isna(value) and pd.isna(want)) or value == want, text

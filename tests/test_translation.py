"""Every visible word translated: every page rendered in Chinese on the bundled sample, and
no snake_case key or listed English word in its text, tables (headers and cells), tiles or
chart legends and axes."""

from __future__ import annotations

import json
import re

import pytest
from test_app import app
from test_foreign_app import PAGES, texts

SNAKE = re.compile(r"(?<![A-Za-z0-9_./:-])[a-z][a-z0-9]*_[a-z0-9_]+(?![A-Za-z0-9_(])")
ENGLISH = re.compile(
    r"(?<![A-Za-z])(all|month|stage|amount|won|lost|open|on hold|baseline|overdue|cohort|"
    r"weighted|count|period|deals|target|scenario|owner|team)(?![A-Za-z])",
    re.IGNORECASE,
)
RAW = re.compile(r"(?<![A-Za-z])(p80|p50|p10|p90)(?![A-Za-z0-9])")  # P80 is a name; p80 a key


def _chart_words(spec: dict) -> list[str]:
    words = []
    for trace in spec.get("data", []):
        if trace.get("showlegend", True) and trace.get("name"):
            words.append(str(trace["name"]))
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                words += values
    layout = spec.get("layout", {})
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            title = value.get("title")
            if isinstance(title, dict) and title.get("text"):
                words.append(str(title["text"]))
    return words


def _problems(at) -> list[str]:
    found = []
    words = [text for _kind, text in texts(at)]
    for table in at.dataframe:
        frame = table.value
        words += [str(c) for c in frame.columns]
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
                words += [str(v) for v in frame[col].dropna().unique()[:50]]
    for chart in at.get("plotly_chart"):
        words += _chart_words(json.loads(chart.proto.spec))
    for word in words:
        for pattern in (SNAKE, ENGLISH, RAW):
            hit = pattern.search(word)
            if hit:
                found.append(
                    f"{hit.group(0)!r} in …{word[max(hit.start() - 40, 0) : hit.end() + 40]}…"
                )
    return found


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_word_on_the_chinese_page_is_chinese(page: str) -> None:
    at = app("zh")
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception
    problems = sorted(set(_problems(at)))
    assert not problems, "\n".join(problems[:40])

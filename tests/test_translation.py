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


def _problems(at, cells: bool = True) -> list[str]:
    """Keys and English words in what the page shows; with ``cells=False`` (a foreign export,
    whose names and sources are the user's own words) only in what the product writes:
    headers, legends, axis titles, and snake_case keys anywhere."""
    found = []
    words = [text for _kind, text in texts(at)]
    headers = []
    for table in at.dataframe:
        frame = table.value
        headers += [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n]
        if table.proto.editing_mode:  # an editor shows its cells through format functions
            continue
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
                words += [str(v) for v in frame[col].dropna().unique()[:50]]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        headers += [str(tr["name"]) for tr in spec.get("data", []) if tr.get("name")]
        if cells:
            words += _chart_words(spec)
    checks = [(w, (SNAKE, ENGLISH, RAW) if cells else (SNAKE,)) for w in words]
    checks += [(w, (SNAKE, ENGLISH, RAW)) for w in headers]
    for word, patterns in checks:
        for pattern in patterns:
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


@pytest.mark.slow
def test_a_foreign_export_reads_in_chinese() -> None:
    """A Salesforce Data Loader export taken as proposed, every page in Chinese: no key and no
    English header or legend of ours (the file's own names and sources stay as written)."""
    from test_foreign_app import accept_proposals

    state = accept_proposals("salesforce_dataloader_Opportunity.csv")
    problems = []
    for page in PAGES:
        at = app("zh", **state)
        if page != "pages/overview.py":
            at.switch_page(page).run()
        assert not at.exception, page
        problems += [f"{page}: {p}" for p in _problems(at, cells=False)]
    problems = sorted(set(problems))
    assert not problems, "\n".join(problems[:40])

"""One translation table: every message exists in both languages and every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from funnel_analytics.i18n import MESSAGES, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("funnel_analytics/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"]


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert entry.get("zh") and entry.get("en"), key
    fields = {
        lang: {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
        for lang in ("zh", "en")
    }
    assert fields["zh"] == fields["en"], key


def test_every_key_used_in_code_exists() -> None:
    used = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+)\"", text))
        used |= set(re.findall(r"UnusableFile\(\s*\"([a-z_]+)\"", text))
    missing = sorted(k for k in used if k not in MESSAGES)
    assert not missing, missing


def test_prefixed_keys_exist() -> None:
    for prefix, keys in {
        "source_": [
            "sample",
            "store",
            "upload",
            "cold_visit",
            "follow_up",
            "penetration",
            "cultivation",
            "inbound",
        ],
        "shape_": ["snapshot", "stage_dates", "history"],
        "origin_": ["auto", "user", "remembered", "none"],
        "measure_": ["amount", "count"],
        "severity_": ["error", "warning"],
    }.items():
        for k in keys:
            assert prefix + k in MESSAGES


def test_a_missing_parameter_never_crashes() -> None:
    assert "{file}" in t("empty", "en")


def test_no_message_key_is_written_twice() -> None:
    """A key written in two places means one of them is silently dead: each message has one
    home (columns' headers live in funnel_analytics.contracts, not here)."""
    import ast

    from funnel_analytics.contracts import COLUMNS

    tree = ast.parse((ROOT / "funnel_analytics" / "i18n.py").read_text(encoding="utf-8"))
    seen: dict[str, list[int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k in node.keys:
                if (
                    isinstance(k, ast.Constant)
                    and isinstance(k.value, str)
                    and k.value not in ("zh", "en")
                ):
                    seen.setdefault(k.value, []).append(k.lineno)
    twice = {k: lines for k, lines in seen.items() if len(lines) > 1}
    assert not twice, twice
    shadowed = sorted(k for k in seen if k.startswith("col_") and k[4:] in COLUMNS)
    assert not shadowed, f"headers declared in contracts.py and again in i18n.py: {shadowed}"

"""One translation table: every message exists in both languages and every key used exists."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from pathlib import Path

from funnel_analytics.i18n import DEFINITIONS, LANGUAGES, MESSAGES, t

ROOT = Path(__file__).resolve().parents[1]
MESSAGES_FILE = ROOT / "funnel_analytics" / "messages.toml"
SOURCES = [*ROOT.glob("funnel_analytics/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"]


def _load() -> dict:
    with MESSAGES_FILE.open("rb") as f:
        return tomllib.load(f)


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


def test_the_messages_file_parses_and_no_key_is_written_twice() -> None:
    """A key written twice means one of them is silently dead: each message has one home
    (columns' headers live in funnel_analytics.contracts, not here). tomllib refuses a repeated
    table too; the scan comes first to name the key and its lines."""
    from funnel_analytics.contracts import COLUMNS

    seen: dict[str, list[int]] = {}
    for number, line in enumerate(MESSAGES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if header := re.match(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line):
            seen.setdefault(header[1], []).append(number)
    twice = {k: lines for k, lines in seen.items() if len(lines) > 1}
    assert not twice, f"keys written more than once in messages.toml (line numbers): {twice}"
    table = _load()
    assert list(table) == list(seen) == list(MESSAGES)
    shadowed = sorted(k for k in table if k.startswith("col_") and k[4:] in COLUMNS)
    assert not shadowed, f"headers declared in contracts.py and again in messages.toml: {shadowed}"


def test_every_message_has_zh_and_en_and_nothing_else() -> None:
    bad = {
        key: sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        for key, entry in _load().items()
        if not isinstance(entry, dict)
        or set(entry) != set(LANGUAGES)
        or not all(isinstance(entry[lang], str) and entry[lang] for lang in LANGUAGES)
    }
    assert not bad, f"each [key] needs exactly zh and en, both non-empty text: {bad}"


def test_zh_and_en_take_the_same_placeholders() -> None:
    """A placeholder in one language only is shown raw ("{n}") or silently dropped there."""

    def fields(template: str) -> set[str] | str:
        try:
            return {f for _, f, _, _ in string.Formatter().parse(template) if f}
        except ValueError as exc:  # an unbalanced brace: write {{ or }} for a literal one
            return f"not a format string: {exc}"

    differ = {}
    for key, entry in _load().items():
        seen = {lang: fields(entry[lang]) for lang in LANGUAGES}
        if seen["zh"] != seen["en"] or any(isinstance(f, str) for f in seen.values()):
            differ[key] = seen
    assert not differ, differ


def test_definitions_are_the_def_keys_in_file_order() -> None:
    """The Definitions sheet lists them in this order, each beside its metric_ name."""
    keys = [k for k in _load() if k.startswith("def_")]
    assert keys and list(DEFINITIONS) == keys
    assert all(DEFINITIONS[k] == MESSAGES[k] for k in keys)
    unnamed = [k for k in keys if f"metric_{k.removeprefix('def_')}" not in MESSAGES]
    assert not unnamed, unnamed


# The language picker names each language in itself, the same in both UIs: not a translation.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def _written_text(node: ast.expr) -> str | None:
    """The text a string or f-string literal spells out; None for any other expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node) if isinstance(node, ast.JoinedStr) else None


def test_no_python_module_holds_messages() -> None:
    """Messages live in messages.toml only: no {"zh": ..., "en": ...} literal in the code."""
    loader = (ROOT / "funnel_analytics" / "i18n.py").read_text(encoding="utf-8")
    assert not re.search(r"""["']zh["']\s*:""", loader)
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            texts = {
                k.value: _written_text(v)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in LANGUAGES
            }
            written = set(texts) == set(LANGUAGES) and None not in texts.values()
            if written and texts != LANGUAGE_NAMES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"messages written in Python instead of messages.toml: {found}"

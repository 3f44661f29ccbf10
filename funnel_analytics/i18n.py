"""One translation table for every user-facing message, in Chinese and English.

Messages are looked up by key and formatted with named parameters. The library returns keys
and parameters (so a report can be re-rendered in the other language); :func:`t` renders.
The table itself is data, ``messages.toml`` beside this module: one ``[key]`` with ``zh`` and
``en`` each, read once at import.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources import files

__all__ = ["LANGUAGES", "MESSAGES", "column_label", "t"]

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = tomllib.loads(
    files(__package__).joinpath("messages.toml").read_text(encoding="utf-8")
)

# The metric definitions, in the file's order: the order of the exported Definitions sheet.
DEFINITIONS: dict[str, dict[str, str]] = {k: v for k, v in MESSAGES.items() if k.startswith("def_")}


def column_label(column: str, lang: str = "zh") -> str:
    """A table header in ``lang`` for a column the library returns; the key if none is known."""
    key = f"col_{column}"
    return t(key, lang) if key in MESSAGES else column


def t(key: str, lang: str = "zh", /, **params: object) -> str:
    """Render message ``key`` in ``lang`` ("zh" or "en") with ``params``.

    A missing parameter leaves its placeholder visible rather than failing: a report must
    never crash on its own wording.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template.format_map(_Lenient(params))


class _Lenient(dict):
    def __init__(self, params: Mapping[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

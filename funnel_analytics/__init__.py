"""funnel-analytics: honest sales-funnel numbers from the opportunity exports teams already have.

The library reads Excel and CSV exports (Chinese or English headers, any CRM), maps and
validates them against a stage model, keeps monthly snapshots, and computes the funnel.

>>> from funnel_analytics import load_export
>>> result = load_export("sample_data/商机导出_2026-10.xlsx")   # doctest: +SKIP
>>> result.rows_valid, result.rows_rejected                    # doctest: +SKIP
(506, 0)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Where each public name lives. They are imported on first use (PEP 562), so that importing
# one module of the package, the command line's above all, does not import them all.
_WHERE = {
    "BUILTIN_MODELS": "stages",
    "DEFAULT_MODEL": "stages",
    "FIELDS": "fields",
    "Limits": "reading",
    "LoadResult": "loading",
    "SnapshotStore": "store",
    "StageModel": "stages",
    "UnusableFile": "errors",
    "Workspace": "workspace",
    "current_deals": "funnel",
    "funnel_counts": "funnel",
    "get_stage_model": "stages",
    "latest_snapshot": "funnel",
    "load_export": "loading",
    "load_stage_model": "stages",
    "load_workspace": "workspace",
    "map_columns": "mapping",
    "read_roles": "roles",
    "rejected_rows_xlsx": "export",
}

if TYPE_CHECKING:
    from .errors import UnusableFile
    from .export import rejected_rows_xlsx
    from .fields import FIELDS
    from .funnel import current_deals, funnel_counts, latest_snapshot
    from .loading import LoadResult, load_export
    from .mapping import map_columns
    from .reading import Limits
    from .roles import read_roles
    from .stages import (
        BUILTIN_MODELS,
        DEFAULT_MODEL,
        StageModel,
        get_stage_model,
        load_stage_model,
    )
    from .store import SnapshotStore
    from .workspace import Workspace, load_workspace


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'funnel_analytics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


# Literal, for tools that read it; tests/test_structure.py checks it against _WHERE.
__all__ = [
    "BUILTIN_MODELS",
    "DEFAULT_MODEL",
    "FIELDS",
    "Limits",
    "LoadResult",
    "SnapshotStore",
    "StageModel",
    "UnusableFile",
    "Workspace",
    "current_deals",
    "funnel_counts",
    "get_stage_model",
    "latest_snapshot",
    "load_export",
    "load_stage_model",
    "load_workspace",
    "map_columns",
    "read_roles",
    "rejected_rows_xlsx",
]

__version__ = "0.1.0"

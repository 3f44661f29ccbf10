"""funnel-analytics: honest sales-funnel numbers from the opportunity exports teams already have.

The library reads Excel and CSV exports (Chinese or English headers, any CRM), maps and
validates them against a stage model, keeps monthly snapshots, and computes the funnel.

>>> from funnel_analytics import load_export
>>> result = load_export("sample_data/商机导出_2026-10.xlsx")   # doctest: +SKIP
>>> result.rows_valid, result.rows_rejected                    # doctest: +SKIP
(506, 0)
"""

from .export import rejected_rows_xlsx
from .fields import FIELDS
from .funnel import current_deals, funnel_counts, latest_snapshot
from .loading import LoadResult, load_export
from .mapping import map_columns
from .reading import Limits, UnusableFile
from .stages import BUILTIN_MODELS, DEFAULT_MODEL, StageModel, get_stage_model, load_stage_model
from .store import SnapshotStore
from .workspace import Workspace, load_workspace

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
    "rejected_rows_xlsx",
]

__version__ = "0.1.0"

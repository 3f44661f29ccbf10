"""The choices the command line offers before it has read anything: table shapes, the
forecast's seed, where the snapshot store lives and where caches go.

Kept free of pandas, pyarrow and DuckDB so that ``funnel-analytics --help`` and the option
parsing of every command start without the numeric stack (issue #13); the modules that use
these names import them from here.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CACHE_ENV_VAR",
    "DEFAULT_SEED",
    "ENV_VAR",
    "SHAPES",
    "default_cache_dir",
    "default_store_path",
]

#: How a table is laid out: one row per deal, a date per stage, or one row per change.
SHAPES = ("auto", "snapshot", "stage_dates", "history")

DEFAULT_SEED = 20240601  # the same seed gives the same forecast figures

#: The environment variable that names the snapshot store's file.
ENV_VAR = "FUNNEL_ANALYTICS_STORE"
#: The environment variable that names the folder of rebuildable caches.
CACHE_ENV_VAR = "FUNNEL_ANALYTICS_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$FUNNEL_ANALYTICS_CACHE_DIR``, else the user's cache folder (what can be rebuilt,
    such as the loaded sample workspace)."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("funnel-analytics"))


def default_store_path() -> Path:
    """``$FUNNEL_ANALYTICS_STORE``, else ``snapshots.duckdb`` in the user's data folder."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("funnel-analytics")) / "snapshots.duckdb"

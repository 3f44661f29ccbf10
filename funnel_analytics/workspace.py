"""A workspace: several monthly exports loaded together, such as the bundled sample data."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .loading import LoadResult, load_export
from .stages import StageModel, get_stage_model

__all__ = ["Workspace", "load_workspace", "sample_files"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_PATTERN = "商机导出_*.xlsx"


@dataclass(frozen=True)
class Workspace:
    """Loaded exports and their combined observations (one row per deal and snapshot)."""

    results: tuple[LoadResult, ...]
    stage_model: StageModel

    @cached_property
    def observations(self) -> pd.DataFrame:
        frames = [r.observations().assign(source_file=r.file_name) for r in self.results]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def snapshot_dates(self) -> list[pd.Timestamp]:
        obs = self.observations
        return sorted(obs["snapshot_date"].dropna().unique()) if len(obs) else []


def sample_files() -> list[Path]:
    """The bundled monthly sample exports, regenerated into a temporary folder if absent."""
    files = sorted(SAMPLE_DIR.glob(SAMPLE_PATTERN))
    if files:
        return files
    from .sample import write_sample_files

    out = Path(tempfile.mkdtemp(prefix="funnel-sample-"))
    write_sample_files(out)
    return sorted(out.glob(SAMPLE_PATTERN))


def load_workspace(
    paths: Iterable[str | Path] | None = None, stage_model: StageModel | str | None = None
) -> Workspace:
    """Load several exports (default: the bundled sample) into one :class:`Workspace`.

    >>> ws = load_workspace()                       # doctest: +SKIP
    >>> len(ws.results), ws.snapshot_dates[-1].date()  # doctest: +SKIP
    (12, datetime.date(2026, 10, 31))
    """
    model = get_stage_model(stage_model)
    files = list(paths) if paths is not None else sample_files()
    return Workspace(tuple(load_export(p, stage_model=model) for p in files), model)

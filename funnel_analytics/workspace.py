"""A workspace: several monthly exports loaded together, such as the bundled sample data.

The bundled sample company records its deals with the six-state funnel (twelve monthly
workbooks in ``sample_data``) and, for its project business, with the eight-stage project
sales process (the same deals in ``sample_data/eight_stage``): :func:`sample_files` gives the
eight-stage workbooks to the built-in eight-stage model and the six-state ones to every other
model. The sample takes seconds to load, and the dashboard opens on it: :func:`load_sample`
keeps each stage model's load in the user's cache folder
(:func:`funnel_analytics.choices.default_cache_dir`), so that a restarted server shows its
first screen without loading the workbooks again. A cached load is used only for the same
workbooks, stage model, library code and package versions; anything else loads afresh.
``python3 run.py`` prepares the cache for every built-in stage model once per version.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .choices import default_cache_dir
from .loading import LoadResult, load_export
from .stages import StageModel, get_stage_model

if TYPE_CHECKING:
    from .roles import RolesResult

__all__ = [
    "Workspace",
    "load_sample",
    "load_workspace",
    "sample_files",
    "sample_roles",
    "warm_sample_cache",
]

LOG = logging.getLogger("funnel_analytics.workspace")
PACKAGE = Path(__file__).resolve().parent

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_PATTERN = "商机导出_*.xlsx"
SAMPLE_EIGHT_DIR = SAMPLE_DIR / "eight_stage"
SAMPLE_EIGHT_PATTERN = "项目商机_*.xlsx"
EIGHT_STAGE = "eight_stage"


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


def _sample_place(stage_model: StageModel | str | None) -> tuple[str, str]:
    """The sample's subfolder (``""`` for its top) and file pattern recorded with the model:
    the eight-stage workbooks for the built-in eight-stage model (by its name, so a copy with
    aliases added still finds them), the six-state ones for every other."""
    if get_stage_model(stage_model).name == EIGHT_STAGE:
        return SAMPLE_EIGHT_DIR.name, SAMPLE_EIGHT_PATTERN
    return "", SAMPLE_PATTERN


def sample_files(stage_model: StageModel | str | None = None) -> list[Path]:
    """The bundled monthly sample exports recorded with ``stage_model`` (default: the
    six-state ones), regenerated into a temporary folder if absent."""
    sub, pattern = _sample_place(stage_model)
    files = sorted((SAMPLE_DIR / sub).glob(pattern))
    if files:
        return files
    from .sample import write_sample_files

    out = Path(tempfile.mkdtemp(prefix="funnel-sample-"))
    write_sample_files(out)
    return sorted((out / sub).glob(pattern))


def load_workspace(
    paths: Iterable[str | Path] | None = None, stage_model: StageModel | str | None = None
) -> Workspace:
    """Load several exports (default: the bundled sample) into one :class:`Workspace`.

    >>> ws = load_workspace()                       # doctest: +SKIP
    >>> len(ws.results), ws.snapshot_dates[-1].date()  # doctest: +SKIP
    (12, datetime.date(2026, 10, 31))
    """
    model = get_stage_model(stage_model)
    files = list(paths) if paths is not None else sample_files(model)
    return Workspace(tuple(load_export(p, stage_model=model) for p in files), model)


@cache
def _code_version() -> str:
    """A digest of what a load's result depends on besides its input: this library's code
    and messages, and the versions of Python and the packages that build and pickle it."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for path in sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("*.toml")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(sys.version.encode())
    for dist in ("pandas", "numpy", "pyarrow", "pandera", "fastexcel", "openpyxl"):
        try:
            h.update(f"|{dist} {version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"|{dist} -".encode())
    return h.hexdigest()[:16]


def _cache_path(folder: Path, files: list[Path], model: StageModel) -> Path:
    """Where the load of ``files`` with ``model`` by this code version is kept."""
    h = hashlib.sha256(repr(model).encode("utf-8"))
    for path in files:
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return folder / f"sample-{_code_version()}-{h.hexdigest()[:16]}.pickle"


def load_sample(
    stage_model: StageModel | str | None = None, cache_dir: Path | None = None
) -> tuple[LoadResult, ...]:
    """The bundled sample loaded with ``stage_model`` (its eight-stage workbooks for the
    eight-stage model, else the six-state ones: :func:`sample_files`): from the cache when it
    holds this load, else loaded and then kept there (a cache that cannot be read or written
    is passed over; the load is the same either way)."""
    model = get_stage_model(stage_model)
    files = sample_files(model)
    folder = default_cache_dir() if cache_dir is None else cache_dir
    path = _cache_path(folder, files, model)
    try:
        with path.open("rb") as fh:
            # The cache folder is the user's own, written only by this function.
            results = pickle.load(fh)
        if isinstance(results, tuple) and all(isinstance(r, LoadResult) for r in results):
            return results
    except FileNotFoundError:
        pass
    except Exception as exc:  # a cache written by something else: load afresh
        LOG.warning("the sample cache %s could not be read (%s); loading the sample", path, exc)
    results = tuple(load_export(p, stage_model=model) for p in files)
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sample-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(results, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in folder.glob("sample-*.pickle"):  # loads by an earlier version
            if not old.name.startswith(f"sample-{_code_version()}-"):
                with contextlib.suppress(OSError):
                    old.unlink()
    except Exception as exc:  # a full disk, a read-only folder: the load stands
        LOG.warning("the sample cache %s could not be written (%s)", path, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return results


def sample_roles(stage_model: StageModel | str | None = None) -> RolesResult | None:
    """The bundled sample's key-roles records (the ``关键角色`` sheet of its latest workbook)
    read with ``stage_model``, or None when the sample's files hold none."""
    from .roles import find_roles

    files = sample_files(stage_model)
    if not files:
        return None
    latest = files[-1]
    return find_roles(latest, latest.name, stage_model=get_stage_model(stage_model))


def warm_sample_cache(cache_dir: Path | None = None) -> int:
    """Load the sample into the cache for every built-in stage model not there yet; returns
    how many were loaded."""
    from .stages import BUILTIN_MODELS

    folder = default_cache_dir() if cache_dir is None else cache_dir
    loaded = 0
    for model in BUILTIN_MODELS.values():
        if not _cache_path(folder, sample_files(model), model).exists():
            load_sample(model, folder)
            loaded += 1
    return loaded

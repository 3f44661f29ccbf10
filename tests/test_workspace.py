"""The sample workspace's cache: a restarted dashboard opens without loading the workbooks
again, and only a load of the same workbooks, model and code is ever reused."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from funnel_analytics import workspace
from funnel_analytics.loading import load_export
from funnel_analytics.stages import get_stage_model

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture
def two_months(monkeypatch) -> list[Path]:
    """The sample cut to its last two workbooks (a load of all twelve takes seconds)."""
    files = sorted(SAMPLE.glob("商机导出_*.xlsx"))[-2:]
    monkeypatch.setattr(workspace, "sample_files", lambda _model=None: files)
    return files


def _same(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x.opportunities, y.opportunities)
        pd.testing.assert_frame_equal(x.findings, y.findings)
        assert (x.file_name, x.rows_read, x.content_sha256) == (
            y.file_name,
            y.rows_read,
            y.content_sha256,
        )


def test_a_cached_load_is_the_load_and_needs_no_workbook(tmp_path, two_months, monkeypatch):
    fresh = tuple(load_export(p) for p in two_months)
    first = workspace.load_sample(cache_dir=tmp_path)
    _same(first, fresh)
    assert len(list(tmp_path.glob("sample-*.pickle"))) == 1

    def no_loading(*_a, **_k):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(workspace, "load_export", no_loading)
    _same(workspace.load_sample(cache_dir=tmp_path), fresh)


def test_each_stage_model_has_its_own_load(tmp_path, two_months) -> None:
    six = workspace.load_sample("six_state", cache_dir=tmp_path)
    eight = workspace.load_sample("eight_stage", cache_dir=tmp_path)
    assert len(list(tmp_path.glob("sample-*.pickle"))) == 2
    assert six[0].stage_model.name == "six_state"
    assert eight[0].stage_model.name == get_stage_model("eight_stage").name


def test_changed_workbooks_or_code_are_loaded_afresh(tmp_path, two_months, monkeypatch):
    workspace.load_sample(cache_dir=tmp_path)
    calls: list[Path] = []
    real = workspace.load_export

    def counting(path, **kw):
        calls.append(path)
        return real(path, **kw)

    monkeypatch.setattr(workspace, "load_export", counting)
    # Another set of workbooks: another key.
    monkeypatch.setattr(workspace, "sample_files", lambda _model=None: two_months[:1])
    workspace.load_sample(cache_dir=tmp_path)
    assert calls == two_months[:1]
    # Another version of the library: loaded afresh, and the earlier version's files go.
    monkeypatch.setattr(workspace, "_code_version", lambda: "another-version")
    calls.clear()
    workspace.load_sample(cache_dir=tmp_path)
    assert calls == two_months[:1]
    assert [p.name.split("-")[1] for p in tmp_path.glob("sample-*.pickle")] == ["another"]


def test_a_damaged_cache_is_passed_over_and_rewritten(tmp_path, two_months, caplog) -> None:
    workspace.load_sample(cache_dir=tmp_path)
    (cached,) = tmp_path.glob("sample-*.pickle")
    cached.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="funnel_analytics.workspace"):
        results = workspace.load_sample(cache_dir=tmp_path)
    assert "could not be read" in caplog.text
    _same(results, tuple(load_export(p) for p in two_months))
    assert cached.read_bytes() != b"not a pickle"


def test_a_cache_folder_that_cannot_be_written_loses_nothing(tmp_path, two_months, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="funnel_analytics.workspace"):
        results = workspace.load_sample(cache_dir=blocked / "cache")
    assert "could not be written" in caplog.text
    _same(results, tuple(load_export(p) for p in two_months))


def test_warming_loads_each_builtin_model_once(tmp_path, two_months, monkeypatch) -> None:
    from funnel_analytics.stages import BUILTIN_MODELS

    monkeypatch.setattr(
        "funnel_analytics.stages.BUILTIN_MODELS",
        {k: BUILTIN_MODELS[k] for k in ("six_state", "four_stage")},
    )
    assert workspace.warm_sample_cache(tmp_path) == 2
    assert workspace.warm_sample_cache(tmp_path) == 0
    assert len(list(tmp_path.glob("sample-*.pickle"))) == 2


def test_the_cache_folder_setting(monkeypatch, tmp_path) -> None:
    from funnel_analytics.choices import default_cache_dir

    monkeypatch.setenv("FUNNEL_ANALYTICS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("FUNNEL_ANALYTICS_CACHE_DIR")
    assert default_cache_dir().name == "funnel-analytics"

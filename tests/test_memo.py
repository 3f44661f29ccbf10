"""The dashboard's memo: a byte budget, an expiry, shared values, memory given back."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from funnel_analytics.memo import Memo, cache_budget, give_back, size_of


def frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"a": np.arange(rows, dtype="int64"), "b": ["x" * 10] * rows})


def test_size_of_counts_frames_deeply_and_once() -> None:
    f = frame(10_000)
    deep = int(f.memory_usage(deep=True).sum())
    assert size_of(f) == deep
    assert size_of((f, f)) < 2 * deep  # the same frame twice is counted once

    @dataclasses.dataclass(frozen=True)
    class Holder:
        tables: dict
        raw: bytes

    held = Holder({"x": f}, b"\0" * 100_000)
    assert size_of(held) >= deep + 100_000


def test_least_recently_used_go_first_once_the_budget_is_passed() -> None:
    one = size_of(frame(10_000))
    memo = Memo(budget_bytes=int(one * 2.5), ttl=3600)
    calls = []
    for key in ("a", "b"):
        memo.get(key, lambda k=key: calls.append(k) or frame(10_000))
    memo.get("a", lambda: calls.append("a again") or frame(10_000))  # a hit: a is now recent
    memo.get("c", lambda: calls.append("c") or frame(10_000))  # evicts b
    assert calls == ["a", "b", "c"]
    assert "b" not in memo and "a" in memo and "c" in memo
    assert memo.bytes <= memo.budget and memo.evictions == 1


def test_a_value_larger_than_the_budget_is_returned_not_kept() -> None:
    memo = Memo(budget_bytes=1_000, ttl=3600)
    assert len(memo.get("big", lambda: frame(10_000))) == 10_000
    assert len(memo) == 0 and memo.bytes == 0


def test_values_expire_after_the_ttl_since_last_use() -> None:
    now = [0.0]
    memo = Memo(budget_bytes=10**9, ttl=60, clock=lambda: now[0])
    memo.get("a", lambda: 1)
    now[0] = 50
    assert memo.get("a", lambda: 2) == 1  # used again: its clock restarts
    now[0] = 100
    assert memo.expire() == 0
    now[0] = 200
    assert memo.expire() == 1 and len(memo) == 0 and memo.bytes == 0
    assert memo.get("a", lambda: 3) == 3


def test_discard_drops_matching_keys() -> None:
    memo = Memo(budget_bytes=10**9, ttl=60)
    for key in [("upload", "x"), ("upload", "y"), ("sample", "x")]:
        memo.get(key, lambda: frame(100))
    assert memo.discard(lambda k: k[0] == "upload") == 2
    assert len(memo) == 1


def test_settings(monkeypatch) -> None:
    monkeypatch.setenv("FUNNEL_ANALYTICS_CACHE_MB", "64")
    monkeypatch.setenv("FUNNEL_ANALYTICS_CACHE_MINUTES", "5")
    assert cache_budget() == (64 * 2**20, 300.0)
    monkeypatch.setenv("FUNNEL_ANALYTICS_CACHE_MB", "nonsense")
    assert cache_budget()[0] == 512 * 2**20


def test_give_back_runs() -> None:
    give_back()


class _FakeRuntime:
    """What :class:`pages.sessions.SessionEnder` asks of Streamlit's runtime, recorded."""

    def __init__(self) -> None:
        self.active: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        rt = self

        class Files:
            def remove_session_files(self, sid: str) -> None:
                rt.calls.append(("files", sid))

        class Media:
            def clear_session_refs(self, sid: str) -> None:
                rt.calls.append(("media", sid))

            def remove_orphaned_files(self) -> None:
                pass

        class Tables:
            def clear_all_for_session(self, sid: str) -> None:
                rt.calls.append(("tables", sid))

        self.uploaded_file_mgr, self.media_file_mgr = Files(), Media()
        self.dataframe_source_mgr = Tables()

    def is_active_session(self, sid: str) -> bool:
        return sid in self.active

    def clear_user_info_for_session(self, sid: str) -> None:
        self.calls.append(("close", sid))


def test_a_closed_tabs_session_is_ended_once_the_reconnect_window_has_passed() -> None:
    from pages.sessions import SessionEnder

    rt, now = _FakeRuntime(), [0.0]
    ender = SessionEnder(runtime=lambda: rt, clock=lambda: now[0], window=lambda: 120.0)
    rt.active = {"open"}
    assert ender.sweep(["open", "closed"]) == []  # "closed" first seen disconnected at 0
    now[0] = 100.0
    assert ender.sweep(["open", "closed"]) == []  # within the window: it may come back
    now[0] = 130.0
    assert ender.sweep(["open", "closed"]) == ["closed"]
    assert rt.calls == [
        ("close", "closed"),
        ("files", "closed"),
        ("media", "closed"),
        ("tables", "closed"),
    ]
    # A tab that reconnects starts its window anew; an open tab is never ended.
    rt.active = {"open", "blip"}
    ender.sweep(["blip"])
    rt.active = {"open"}
    now[0] = 200.0
    assert ender.sweep(["open", "blip"]) == []
    now[0] = 310.0
    assert ender.sweep(["open", "blip"]) == []
    now[0] = 321.0
    assert ender.sweep(["open", "blip"]) == ["blip"]


def test_sessions_whose_reconnect_window_passed_are_shut_down_not_kept() -> None:
    """Streamlit's session storage (its own TTL cache) reports an expired session absent but
    keeps it, session state and all, until another session disconnects: each sweep reaps it
    on the server's event loop and shuts the session down."""
    import threading
    from types import SimpleNamespace

    from streamlit.runtime.caching.ttl_cache import TTLCache

    from pages.sessions import SessionEnder

    now = [0.0]
    cache = TTLCache(maxsize=128, ttl=120, timer=lambda: now[0])
    shut: list[str] = []

    def stored(sid: str) -> SimpleNamespace:
        return SimpleNamespace(session=SimpleNamespace(shutdown=lambda: shut.append(sid)))

    cache["gone"], cache["fresh"] = stored("gone"), stored("fresh")
    scheduled: list = []
    rt = _FakeRuntime()
    rt._session_mgr = SimpleNamespace(
        _session_storage=SimpleNamespace(_cache=cache), _storage_lock=threading.Lock()
    )
    rt._async_objs = SimpleNamespace(
        eventloop=SimpleNamespace(call_soon_threadsafe=scheduled.append)
    )
    ender = SessionEnder(runtime=lambda: rt, clock=lambda: now[0], window=lambda: 120.0)

    now[0] = 60.0
    ender.sweep([])
    scheduled.pop()()  # what the event loop runs
    assert shut == [] and cache.get("gone") is not None
    now[0] = 121.0
    assert cache.get("gone") is None and "gone" in cache._data  # absent, yet kept
    ender.sweep([])
    scheduled.pop()()
    assert shut == ["gone", "fresh"]
    assert not cache._data  # nothing of the sessions is left in the storage


def test_without_a_server_sweeping_does_nothing() -> None:
    from pages.sessions import SessionEnder

    assert SessionEnder(runtime=lambda: None).sweep(["a"]) == []

"""Ending the sessions of closed tabs, so that a server gives their uploads back.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` seconds (120 by
default) so that the tab can reconnect after a network blip. When that time has passed, the
session is only dropped from a cache, never shut down (Streamlit issue #12506): its session
state (this dashboard's uploads), its copy of each uploaded file and the bytes behind its
download buttons stay in the server's memory for as long as the server runs. A server that
many managers use would grow by every upload it ever received.

:class:`SessionEnder` does what Streamlit's shutdown would have done. The dashboard's janitor
(``pages.ui``) calls :meth:`SessionEnder.sweep` with the session ids it has seen; a session
found disconnected on sweeps spanning the reconnect window is closed through the runtime's
thread-safe ``clear_user_info_for_session`` (Streamlit's own way to end a stored session: it
shuts the session down on the server's event loop), and its uploaded files and media are
released explicitly as well, in case Streamlit had already dropped the session from its cache.

That drop is itself a leak: Streamlit's session storage is a TTL cache that reports an expired
session absent but keeps it, session state and all, until another session disconnects, and
``clear_user_info_for_session`` cannot find it there to shut it down. So every sweep also
reaps the storage on the event loop and shuts down each session it expired. Measured with
``benchmarks/bench_memory.py``: after three 22 MB uploads' sessions ended, their bytes stayed
referenced from their session state until this reaping was added.

This is the only module of the app that touches ``streamlit.runtime``
(``tests/test_structure.py`` allows it here and nowhere else); ``tests/test_browser.py``
checks the effect on a real server through Streamlit's ``/_stcore/metrics``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

__all__ = ["SessionEnder", "current_session_id", "reconnect_window"]

LOG = logging.getLogger("funnel_analytics.sessions")


def current_session_id() -> str | None:
    """The Streamlit session id of the running script (None outside a server's script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def reconnect_window() -> float:
    """Seconds a closed tab may take to come back: ``server.disconnectedSessionTTL``."""
    try:
        return float(st.get_option("server.disconnectedSessionTTL"))
    except Exception:  # an option renamed by a later Streamlit: its documented default
        return 120.0


def _runtime() -> Any | None:
    from streamlit import runtime

    return runtime.get_instance() if runtime.exists() else None


class SessionEnder:
    """Ends the sessions seen disconnected for longer than the reconnect window.

    ``runtime`` and ``clock`` are for tests; by default, the running server's runtime (none
    under AppTest or the CLI, where sweeping does nothing).
    """

    def __init__(
        self,
        runtime: Callable[[], Any | None] = _runtime,
        clock: Callable[[], float] = time.monotonic,
        window: Callable[[], float] = reconnect_window,
    ) -> None:
        self._runtime = runtime
        self._clock = clock
        self._window = window
        self._gone_since: dict[str, float] = {}

    def sweep(self, session_ids: Iterable[str]) -> list[str]:
        """Of ``session_ids``, end those disconnected on every sweep for longer than the
        reconnect window; returns the ids ended (the caller forgets them)."""
        rt = self._runtime()
        if rt is None:
            return []
        self._reap(rt)
        now, window = self._clock(), self._window()
        ended: list[str] = []
        alive = set()
        for sid in session_ids:
            alive.add(sid)
            if rt.is_active_session(sid):
                self._gone_since.pop(sid, None)  # connected (again): its window starts anew
                continue
            since = self._gone_since.setdefault(sid, now)
            if now - since < window:
                continue
            self._end(rt, sid)
            ended.append(sid)
        for sid in [*ended, *(s for s in self._gone_since if s not in alive)]:
            self._gone_since.pop(sid, None)
        return ended

    @staticmethod
    def _end(rt: Any, sid: str) -> None:
        try:
            rt.clear_user_info_for_session(sid)  # closes a stored session on the event loop
            rt.uploaded_file_mgr.remove_session_files(sid)
            rt.media_file_mgr.clear_session_refs(sid)
            rt.media_file_mgr.remove_orphaned_files()
            # What Streamlit's own shutdown also drops: the rows it may keep for the browser
            # to page through a large table (its lazy dataframe sources, Streamlit 1.67).
            sources = getattr(rt, "dataframe_source_mgr", None)
            if sources is not None:
                sources.clear_all_for_session(sid)
        except Exception:  # a Streamlit that changed these: the server keeps running
            LOG.exception("could not end the closed session %s", sid)
            return
        LOG.info("ended the closed session %s and released its uploads", sid)

    @staticmethod
    def _reap(rt: Any) -> None:
        """Shut down the stored sessions whose reconnect window has passed, on the server's
        event loop (where Streamlit reads and writes its session storage)."""
        manager = getattr(rt, "_session_mgr", None)
        storage = getattr(manager, "_session_storage", None)
        expire = getattr(getattr(storage, "_cache", None), "expire", None)
        loop = getattr(getattr(rt, "_async_objs", None), "eventloop", None)
        if expire is None or loop is None:
            return  # another session storage, or a server not started: nothing to reap
        lock = getattr(manager, "_storage_lock", None) or contextlib.nullcontext()

        def reap() -> None:
            try:
                with lock:
                    expired = expire()
            except Exception:
                LOG.exception("could not reap the expired sessions")
                return
            for sid, info in expired:
                try:
                    info.session.shutdown()
                except Exception:
                    LOG.exception("could not shut down the expired session %s", sid)
                    continue
                LOG.info("ended the expired session %s and released its state", sid)

        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            loop.call_soon_threadsafe(reap)

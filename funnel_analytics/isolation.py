"""Parse workbooks in a child process, so that no file can take the caller down.

The native reader (calamine, in Rust) aborts the whole process when an allocation fails and
raises panics that are not ``Exception``s. Each workbook is therefore parsed in a child with
an address-space limit (``FUNNEL_ANALYTICS_READ_MEMORY_MB``) and a time limit
(``FUNNEL_ANALYTICS_READ_SECONDS``); the caller (the CLI, or the dashboard's server) waits
for it and gets either the grid or a refusal. While the child parses, this process measures
the sheets' XML (used range, text) on the other core; a measure past a limit stops the child
at once and refuses the file with that limit's message, and so does a child that died.

Processes are forked directly from a single-threaded caller (the CLI: about 15 ms), and from a
fork server (started once, single-threaded, with the reader preloaded) in a multi-threaded
one such as the dashboard's server, where forking the process itself would not be safe.

The grid comes back as its Arrow buffers, written to the pipe as they are: pickling the frame
itself copied every column first (pandas joins an Arrow column's chunks to pickle it), about
0.5 s in a fresh child for a 500,000-row sheet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import multiprocessing.spawn as mp_spawn
import os
import pickle
import resource
import threading
import time
from typing import Any

import pandas as pd
import pyarrow as pa

from .grid import STRING, Limits, RawGrid, UnusableFile
from .workbooks import (
    check_grid,
    check_shared_strings,
    check_xlsx_bounds,
    read_workbook,
    with_sheet_marks,
)

__all__ = ["read_workbook_isolated"]

_server_ready = False
_NAME = "funnel-analytics-reader"


def _preparation_without_main(name: str) -> dict:
    """multiprocessing's preparation data, minus the caller's main module for our readers: the
    child needs only this package, and re-running the caller's main (a Streamlit script, a
    test runner) in it would be slow or wrong."""
    data = _original_preparation(name)
    if name == _NAME:
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
    return data


_original_preparation = mp_spawn.get_preparation_data
mp_spawn.get_preparation_data = _preparation_without_main


def _address_space() -> int:
    """This process's current virtual size in bytes (0 if unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(
    conn: Any, data: bytes, name: str, fmt: str, sheet: str | int | None, limits: Limits
) -> None:
    """Parse in the child; send ("ok", grid) or ("refused", (reason, params))."""
    # The native reader writes its own words when it aborts ("memory allocation of … bytes
    # failed", a backtrace): they must not reach the caller's terminal or log.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    budget = _address_space() + limits.read_memory_bytes
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    buffers: list[pickle.PickleBuffer] = []
    try:
        grid = read_workbook(data, name, fmt, sheet, limits)
        check_grid(grid, limits)
        payload: tuple[str, Any] = _to_wire(grid, buffers)
    except UnusableFile as exc:
        payload = ("refused", (exc.reason, exc.params))
    except MemoryError:
        payload = ("memory", None)
    try:
        conn.send(payload)
        for buffer in buffers:
            conn.send_bytes(buffer.raw())
    except MemoryError:
        conn.send(("memory", None))
    conn.close()


def _to_wire(grid: RawGrid, buffers: list[pickle.PickleBuffer]) -> tuple[str, Any]:
    """The grid as a message whose cells travel as their Arrow buffers (appended to
    ``buffers``, sent after it as they are); a grid of other dtypes goes pickled whole."""
    cells = grid.cells
    if not all(dtype == STRING for dtype in cells.dtypes):
        return ("ok", grid)
    table = pa.Table.from_pandas(cells, preserve_index=False)
    head = pickle.dumps(table, protocol=5, buffer_callback=buffers.append)
    rest = dataclasses.replace(grid, cells=pd.DataFrame())
    return ("arrow", (rest, cells.index, cells.columns, head, len(buffers)))


def _from_wire(value: tuple, receive: Any) -> RawGrid:
    """The grid :func:`_to_wire` sent: its buffers are read from the pipe and used in place."""
    rest, index, columns, head, n_buffers = value
    buffers = [receive.recv_bytes() for _ in range(n_buffers)]
    cells = pickle.loads(head, buffers=buffers).to_pandas(types_mapper=lambda _t: STRING)
    cells.columns = columns
    cells.index = index
    return dataclasses.replace(rest, cells=cells)


def _context() -> mp.context.BaseContext:
    global _server_ready
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    if not _server_ready:
        ctx.set_forkserver_preload(["funnel_analytics.workbooks", "funnel_analytics.isolation"])
        _server_ready = True
    return ctx


def read_workbook_isolated(
    data: bytes, name: str, fmt: str, sheet: str | int | None, limits: Limits
) -> RawGrid:
    """Parse a workbook in a limited child process; raise :class:`UnusableFile` on refusal."""
    lengths = check_shared_strings(data, name, limits) if fmt == "xlsx" else None
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(send, data, name, fmt, sheet, limits), daemon=True, name=_NAME
    )
    proc.start()
    send.close()
    marked = {}
    try:
        if fmt == "xlsx":
            # Measure the sheets while the child parses them (the other core); a measure
            # past a limit ends the child now and names that limit.
            try:
                marked = check_xlsx_bounds(data, name, limits, lengths)
            except UnusableFile:
                proc.kill()
                raise
        deadline = time.monotonic() + limits.read_seconds
        while not receive.poll(0.05):
            if not proc.is_alive() and not receive.poll(0):
                return _explain_death(data, name, fmt, limits, lengths)
            if time.monotonic() > deadline:
                proc.kill()
                raise limits.refuse("read_too_slow", "read_seconds", name)
        try:
            status, value = receive.recv()
            if status == "arrow":
                status, value = "ok", _from_wire(value, receive)
        except (EOFError, OSError):
            proc.join(5)
            return _explain_death(data, name, fmt, limits, lengths)
    finally:
        receive.close()
        if proc.is_alive():
            proc.join(5)
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "ok":
        return with_sheet_marks(value, data, marked)
    if status == "refused":
        reason, params = value
        raise UnusableFile(reason, **params)
    raise limits.refuse("out_of_memory", "read_memory_bytes", name)


def _explain_death(data: bytes, name: str, fmt: str, limits: Limits, lengths) -> RawGrid:
    """A child that died: say which limit the file passes, else that it ran out of memory."""
    if fmt == "xlsx":
        check_xlsx_bounds(data, name, limits, lengths)  # a limit's own message, if one applies
    raise limits.refuse("out_of_memory", "read_memory_bytes", name)

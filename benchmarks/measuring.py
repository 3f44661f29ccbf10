"""What the benchmark scripts share: reading a process's memory and waiting for idle CPUs.

Linux only (``/proc``). The scripts measure each case in a fresh subprocess; these helpers run
in that subprocess (memory) or in the parent (CPU idleness before starting a case).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

__all__ = [
    "WAIT_IDLE",
    "cpu_busy",
    "environment",
    "proc_status",
    "reset_peak",
    "tree_hash",
    "wait_idle",
]

ROOT = Path(__file__).resolve().parents[1]

# How long to wait for other processes to leave the CPUs before a measurement (set from the
# scripts' --wait-idle), and the busy share counted as idle enough.
WAIT_IDLE = {"seconds": 0.0, "threshold": 0.25}


def proc_status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) * 1024
    return out


def reset_peak() -> bool:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def cpu_busy(interval: float = 0.5) -> float:
    """Share of all CPUs busy over ``interval`` seconds, from /proc/stat."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        return sum(v), v[3] + (v[4] if len(v) > 4 else 0)

    t0, i0 = sample()
    time.sleep(interval)
    t1, i1 = sample()
    return 1.0 - (i1 - i0) / max(t1 - t0, 1)


def wait_idle() -> float:
    """Wait (up to ``WAIT_IDLE["seconds"]``) until other processes leave the CPUs; return the
    busy share seen last."""
    deadline = time.monotonic() + WAIT_IDLE["seconds"]
    busy = cpu_busy()
    while busy > WAIT_IDLE["threshold"] and time.monotonic() < deadline:
        time.sleep(2.0)
        busy = cpu_busy()
    return busy


def tree_hash(pkg: Path) -> str:
    """A short hash of a package's Python sources (names and contents)."""
    h = hashlib.sha1()
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg.parent)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def environment(packages: tuple[str, ...]) -> dict:
    """Versions of ``packages`` and the library's git state: numbers are only comparable when
    these match."""
    code = (
        "import importlib.metadata as m, json, pandas as pd; print(json.dumps("
        f"{{p: m.version(p) for p in {packages!r}}} | {{'string_storage': pd.StringDtype().storage}}))"
    )
    env: dict = {}
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout
        env["packages"] = json.loads(out.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError) as exc:
        env["packages"] = {"error": str(exc)}

    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], capture_output=True, text=True, cwd=ROOT, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    env["library"] = {
        "git_head": git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": git("diff", "HEAD", "--name-only", "--", "funnel_analytics").split(),
        "code_sha1": tree_hash(ROOT / "funnel_analytics"),
    }
    return env

"""What the benchmark scripts share: reading a process's memory and waiting for idle CPUs.

Linux only (``/proc``). The scripts measure each case in a fresh subprocess; these helpers run
in that subprocess (memory) or in the parent (CPU idleness before starting a case).
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = [
    "CHROMIUM_ARGS",
    "WAIT_IDLE",
    "cpu_busy",
    "environment",
    "proc_status",
    "reset_peak",
    "start_streamlit",
    "stop_streamlit",
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


#: Headless Chromium's flags for the browser benchmarks (no sandbox as root, no background
#: traffic that would compete with the page).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    script: Path, env: dict[str, str], log: Path
) -> tuple[subprocess.Popen, str, float]:
    """``streamlit run script`` on a free local port, waiting until it answers its health
    check; returns the process, its address and when it was started."""
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", str(script)),
            *("--server.headless", "true", "--server.address", "127.0.0.1"),
            *("--server.port", str(port), "--browser.gatherUsageStats", "false"),
            *("--server.fileWatcherType", "none"),
        ],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.05)
    return proc, url, started


def stop_streamlit(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()

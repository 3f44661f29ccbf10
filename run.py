#!/usr/bin/env python3
"""Set everything up, then open the dashboard or run the whole test suite.

    python3 run.py dashboard     # the app on the bundled sample data
    python3 run.py test          # every test, browser tests included

Needs only Python 3.11+. The first run makes a virtual environment in .venv and installs
the project into it (again only when pyproject.toml changes). For the browser tests, `test`
installs Debian's Chromium and a CJK font when they are missing and it runs as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT_PACKAGE = "fonts-wqy-zenhei"


def say(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def ensure_venv() -> None:
    if not PY.exists():
        say("creating the virtual environment in .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".stamp-{digest}"
    if stamp.exists():
        return
    say("installing funnel-analytics and its dependencies (first run only)")
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    say("compiling the forecast's Monte Carlo kernel (kept in numba's cache)")
    subprocess.run(
        [str(PY), "-c", "from funnel_analytics._simulate import warm_up; warm_up()"], check=True
    )
    for old in VENV.glob(".stamp-*"):
        old.unlink()
    stamp.write_text("installed\n")


def _font_installed() -> bool:
    fc = shutil.which("fc-list")
    if not fc:
        return False
    out = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def ensure_browser() -> None:
    """Debian's Chromium and a CJK font for the browser tests (never a downloaded browser)."""
    if CHROMIUM.exists() and _font_installed():
        return
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (apt and is_root):
        say(
            "Chromium or a CJK font is missing and this is not a root Debian shell: "
            f"install them with `apt-get install chromium {CJK_FONT_PACKAGE}`; "
            "browser tests are skipped until then"
        )
        return
    say(f"installing chromium and {CJK_FONT_PACKAGE} from Debian's packages")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([apt, "update", "-qq"], check=True, env=env)
    subprocess.run(
        [
            apt,
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            CJK_FONT_PACKAGE,
            "fontconfig",
        ],
        check=True,
        env=env,
    )


def warm_sample_in_background() -> None:
    """Load the bundled sample for every built-in stage model into the user's cache (only
    what a version has not cached yet), at the lowest priority while the dashboard starts, so
    that a stage-model switch on the sample does not wait for twelve workbooks to load."""
    code = "from funnel_analytics.workspace import warm_sample_cache; warm_sample_cache()"
    subprocess.Popen(
        [str(PY), "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(19)) if os.name == "posix" else None,
    )


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "dashboard"
    rest = argv[1:]
    os.chdir(ROOT)
    if command == "dashboard":
        ensure_venv()
        # Memory freed when a session ends goes back to the system: fewer glibc arenas for the
        # server's many threads, and Python's small objects from malloc, which can return
        # pages, rather than its own arenas, which cannot while one object lives in them
        # (measured by benchmarks/bench_memory.py; see funnel_analytics.memo.tune_allocator).
        env = {"MALLOC_ARENA_MAX": "2", "PYTHONMALLOC": "malloc", **os.environ}
        warm_sample_in_background()
        return subprocess.call([str(PY), "-m", "streamlit", "run", "dashboard.py", *rest], env=env)
    if command == "test":
        ensure_venv()
        ensure_browser()
        # Two workers (the suite is CPU-bound; this machine class has two cores); the browser
        # tests stay together on one worker. `-n 0` runs everything in one process.
        workers = (
            []
            if any(a == "-n" or (a.startswith("-n") and a[2:].isdigit()) for a in rest)
            else ["-n", str(min(os.cpu_count() or 1, 4)), "--dist", "loadgroup"]
        )
        return subprocess.call([str(PY), "-m", "pytest", *workers, *rest])
    if command == "setup":
        ensure_venv()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

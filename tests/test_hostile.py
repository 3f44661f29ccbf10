"""Hostile files against the real ``funnel-analytics`` CLI, each run in a subprocess.

Every run is bounded: an address-space limit (``RLIMIT_AS``, see :data:`RLIMIT_AS_BYTES`) so a
runaway allocation fails inside the child instead of exhausting the machine, and a timeout.
The exit-code contract is checked from outside, as a script would see it: 2 for a refused file
with exactly one line on stderr starting ``funnel-analytics: `` and never a traceback. A
refusal for a size limit names the setting (environment variable) that changes the limit, and
that setting really does change it.

The files come from ``tests/hostile/make_hostile.py`` and are written into a temporary folder
(see ``tests/hostile/README.md`` for what each models and the outcome expected).
"""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import resource
import shutil
import subprocess
import sys
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"

_spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE_DIR / "make_hostile.py")
mh = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_hostile", mh)
_spec.loader.exec_module(mh)

# Address-space limit of every child. Measured on the project's venv (Python 3.11, pyarrow 26
# with mimalloc, fastexcel 0.21): `validate` of the bundled sample exports peaks at ~1.8 GB of
# *reserved* address space unlimited (thread stacks, allocator arenas; ~220 MB resident) and
# still validates under a 0.75 GiB limit (below ~0.6 GiB Arrow can no longer start its worker
# threads). 3 GiB leaves 4x room for machines with more cores (more threads, more stacks)
# while the hostile files need far more (8 GB of text, 17 billion cells) and so fail fast
# instead of pushing the machine into swap. HOSTILE_RLIMIT_AS_MB overrides it.
RLIMIT_AS_BYTES = int(os.environ.get("HOSTILE_RLIMIT_AS_MB", "3072")) * 2**20
TIMEOUT_S = 60  # the child is killed after this
TIME_BOUND_S = 30  # and must have finished well within it (a plain validate takes ~2 s)
MAX_MESSAGE_CHARS = 1000  # "one clear line", not a 50 MB one

PREFIX = "funnel-analytics: "
SCENARIO_SCRIPT = """\
import sys
from pathlib import Path
from funnel_analytics.scenarios import ScenarioError, scenarios_from_json
for arg in sys.argv[1:]:
    path = Path(arg)
    try:
        scenarios = scenarios_from_json(path.read_bytes())
    except ScenarioError as exc:
        print("RESULT", path.name, "ScenarioError", len(str(exc)), ascii(str(exc)[:300]))
    except BaseException as exc:
        print("RESULT", path.name, type(exc).__name__, ascii(str(exc)[:300]))
    else:
        print("RESULT", path.name, "accepted", ascii(repr(scenarios)[:300]))
    sys.stdout.flush()
"""


# --------------------------------------------------------------------------------------------
# Running the CLI
# --------------------------------------------------------------------------------------------
def _cli_command() -> list[str]:
    beside = Path(sys.executable).parent / "funnel-analytics"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("funnel-analytics")
    if found:
        return [found]
    return [sys.executable, "-m", "funnel_analytics.cli"]


CLI = _cli_command()


def _limit_child() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (RLIMIT_AS_BYTES, RLIMIT_AS_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write a core file


@dataclass
class Run:
    returncode: int | None  # None: killed at the timeout
    stdout: bytes
    stderr: bytes
    seconds: float

    def describe(self) -> str:
        rc = "killed at the timeout" if self.returncode is None else self.returncode
        if isinstance(rc, int) and rc < 0:
            rc = f"{rc} (killed by signal {-rc})"
        return (
            f"exit {rc} after {self.seconds:.1f} s\n  stderr (last 600 bytes): "
            f"{self.stderr[-600:]!a}\n  stdout (first 400 bytes): {self.stdout[:400]!a}"
        )


def _env(extra: dict[str, str] | None, store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_ANALYTICS_")}
    env.update(
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONUTF8="1",
        PYTHONIOENCODING="utf-8",
        FUNNEL_ANALYTICS_STORE=str(store),
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra or {})
    return env


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # EIO: the child closed its end
            return
        if not chunk:
            return
        into.append(chunk)


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, *, terminal: bool = False
) -> Run:
    """Run ``cmd`` under the limits. With ``terminal`` its stdout and stderr are terminals
    (raw pseudo-terminals: no output processing), as for a user at a shell: output libraries
    strip nothing then, so escape sequences that would reach a real terminal show."""
    full_env = _env(env, cwd / "no-store.duckdb")
    start = time.monotonic()
    if not terminal:
        try:
            done = subprocess.run(
                cmd,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=TIMEOUT_S,
                preexec_fn=_limit_child,
            )
        except subprocess.TimeoutExpired as exc:
            return Run(None, exc.stdout or b"", exc.stderr or b"", time.monotonic() - start)
        return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)

    masters, slaves = [], []
    for _ in range(2):
        master, slave = pty.openpty()
        tty.setraw(slave)
        masters.append(master)
        slaves.append(slave)
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=slaves[0],
            stderr=slaves[1],
            preexec_fn=_limit_child,
        )
    finally:
        for slave in slaves:
            os.close(slave)
    out: list[list[bytes]] = [[], []]
    readers = [
        threading.Thread(target=_drain, args=(m, out[i]), daemon=True)
        for i, m in enumerate(masters)
    ]
    for reader in readers:
        reader.start()
    try:
        returncode: int | None = proc.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        returncode = None
    seconds = time.monotonic() - start
    for reader in readers:
        reader.join(timeout=10)
    for master in masters:
        os.close(master)
    return Run(returncode, b"".join(out[0]), b"".join(out[1]), seconds)


def validate(
    path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    terminal: bool = False,
    as_of: str | None = mh.AS_OF,
    cwd: Path | None = None,
) -> Run:
    """``funnel-analytics validate [--as-of AS_OF] ARGS PATH``, run in ``cwd`` (default: the
    file's folder, a temporary one), with no snapshot store."""
    extra = ["--as-of", as_of] if as_of else []
    return run(
        [*CLI, "validate", *extra, *args, str(path)], cwd or path.parent, env, terminal=terminal
    )


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def assert_in_time(res: Run) -> None:
    assert res.returncode is not None, f"did not finish within {TIMEOUT_S} s: {res.describe()}"
    assert res.seconds < TIME_BOUND_S, f"took over {TIME_BOUND_S} s: {res.describe()}"


def assert_no_traceback(res: Run) -> None:
    assert b"Traceback" not in res.stderr and b"Traceback" not in res.stdout, res.describe()


def refusal_line(res: Run) -> str:
    """Check the exit-2 contract and return the one line on stderr."""
    assert_in_time(res)
    assert res.returncode == 2, f"expected exit 2 (refused): {res.describe()}"
    assert_no_traceback(res)
    lines = res.stderr.decode("utf-8", "replace").rstrip("\n").split("\n")
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {res.describe()}"
    line = lines[0]
    assert line.startswith(PREFIX) and line[len(PREFIX) :].strip(), res.describe()
    assert len(line) <= MAX_MESSAGE_CHARS, f"a line of {len(line):,} characters: {line[:300]!a}"
    return line


def control_chars(data: bytes) -> list[tuple[int, str]]:
    """C0 control bytes other than newline and tab, with where they are."""
    return [(i, hex(b)) for i, b in enumerate(data) if b < 0x20 and b not in (0x0A, 0x09)]


def assert_no_control_chars(res: Run) -> None:
    for stream, data in (("stdout", res.stdout), ("stderr", res.stderr)):
        found = control_chars(data)
        if found:
            i = found[0][0]
            pytest.fail(
                f"{len(found)} control byte(s) in {stream}, first {found[0][1]} at "
                f"{i}: ...{data[max(i - 60, 0) : i + 40]!a}...\n{res.describe()}"
            )


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """``hostile(name)`` -> the path of that generated file (written on first use)."""
    folder = tmp_path_factory.mktemp("hostile")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made.update(mh.make_files(folder, only=[name]))
        return made[name]

    return get


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------
SMALL = [
    n for n in mh.FILES if n not in {"wide_header.csv", "long_line.csv", "wide_100k_columns.csv"}
]


def test_generator_writes_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = mh.make_files(tmp_path / "a", only=SMALL)
    second = mh.make_files(tmp_path / "b", only=SMALL)
    assert sorted(first) == sorted(SMALL)
    for name in SMALL:
        assert first[name].read_bytes() == second[name].read_bytes(), name


# name -> {cell: (first characters, length)}; structurally valid workbooks, as openpyxl sees them
XLSX_CELLS = {
    "far_cell.xlsx": {"XFD1048576": ("Stage", 5)},
    "far_cell_with_a1.xlsx": {"A1": ("Opportunity", 11), "XFD1048576": ("far away", 8)},
    "far_cell_lying_dimension.xlsx": {"B2": ("Target", 6), "Z1000000": ("far away", 8)},
    "long_cell.xlsx": {"A1": ("Stage", 5), "B2": ("L", mh.LONG_CELL_CHARS)},
    "shared_string_bomb.xlsx": {
        "A1": ("Stage", 5),
        "B2": ("A", mh.BOMB_CHARS),
        "B201": ("A", mh.BOMB_CHARS),
    },
}


@pytest.mark.parametrize("name", sorted(XLSX_CELLS))
def test_workbooks_open_in_openpyxl(hostile, name: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(hostile(name))
    ws = wb.active
    for ref, (start, length) in XLSX_CELLS[name].items():
        value = str(ws[ref].value)
        assert value.startswith(start) and len(value) == length, (ref, value[:40], len(value))


def test_fanout_workbook_opens_in_openpyxl(hostile) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(hostile("shared_string_fanout.xlsx"), read_only=True)
    rows = list(wb.active.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0] == ("Stage", "Opportunity", "Amount")
    assert rows[2][0] == "Target" and rows[2][1] == "B" * mh.FANOUT_CHARS and rows[2][2] == 1000
    wb.close()


# --------------------------------------------------------------------------------------------
# The limit is not what refuses: a normal export validates under it
# --------------------------------------------------------------------------------------------
def test_a_normal_export_validates_under_the_same_limits(tmp_path: Path) -> None:
    """The bundled sample workbook (506 rows, 35 columns). The clean copies of valid.csv under
    hostile names are checked for exit 0 below, under the same limits too."""
    path = ROOT / "sample_data" / "商机导出_2026-10.xlsx"
    res = validate(path, "--json", as_of=None, cwd=tmp_path)  # the month is in the name
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode == 0, res.describe()
    report = json.loads(res.stdout)
    assert report["rows_read"] > 0 and report["rows_rejected"] == 0


# --------------------------------------------------------------------------------------------
# Refusals for a limit name the setting that changes it
# --------------------------------------------------------------------------------------------
CELLS = "FUNNEL_ANALYTICS_MAX_CELLS"
CELL_CHARS = "FUNNEL_ANALYTICS_MAX_CELL_CHARS"
COLUMNS = "FUNNEL_ANALYTICS_MAX_COLUMNS"
TEXT_MB = "FUNNEL_ANALYTICS_MAX_TEXT_MB"

# (file, setting the message must name, environment of the run)
REFUSALS = [
    pytest.param("far_cell.xlsx", CELLS, {}, id="far_cell"),
    pytest.param("far_cell_with_a1.xlsx", CELLS, {}, id="far_cell_with_a1"),
    # 26 million cells is under a default made for 1,048,576-row sheets: a lower limit shows
    # that the used range is measured from the cells (26 M), not the declared A1:C3 (9).
    pytest.param(
        "far_cell_lying_dimension.xlsx", CELLS, {CELLS: "1000000"}, id="far_cell_lying_dimension"
    ),
    pytest.param("shared_string_bomb.xlsx", CELL_CHARS, {}, id="shared_string_bomb"),
    pytest.param("shared_string_fanout.xlsx", TEXT_MB, {}, id="shared_string_fanout"),
    pytest.param("long_cell.xlsx", CELL_CHARS, {}, id="long_cell"),
    pytest.param("long_line.csv", CELL_CHARS, {}, id="long_line", marks=pytest.mark.slow),
    pytest.param("wide_header.csv", COLUMNS, {}, id="wide_header", marks=pytest.mark.slow),
    pytest.param(
        "wide_100k_columns.csv", COLUMNS, {}, id="wide_100k_columns", marks=pytest.mark.slow
    ),
]


@pytest.mark.parametrize(("name", "setting", "env"), REFUSALS)
def test_limit_refusal_names_its_setting(
    hostile, name: str, setting: str, env: dict[str, str]
) -> None:
    line = refusal_line(validate(hostile(name), env=env))
    assert setting in line, f"the refusal does not name {setting}: {line!a}"


# (file, environment raising the limit)
# (far_cell_lying_dimension.xlsx with FUNNEL_ANALYTICS_MAX_CELLS=30000000 is read too, with
# exit 1, but reading 26 million cells takes ~9 s: left out to keep this file near a minute.)
RAISED = [
    pytest.param("long_cell.xlsx", {CELL_CHARS: "200000"}, id="long_cell"),
]


@pytest.mark.parametrize(("name", "env"), RAISED)
def test_the_named_setting_raises_the_limit(hostile, name: str, env: dict[str, str]) -> None:
    res = validate(hostile(name), env=env)
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode in (0, 1), f"expected the file read (exit 0 or 1): {res.describe()}"


# --------------------------------------------------------------------------------------------
# Terminal escape sequences never reach the terminal
# --------------------------------------------------------------------------------------------
ESCAPED = [
    pytest.param("escapes.csv", (0, 1), id="escapes.csv"),
    pytest.param(mh.ESCAPE_NAME, (0,), id="escape_in_name"),
]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize(("name", "codes"), ESCAPED)
def test_no_control_characters_reach_the_terminal(
    hostile, name: str, codes: tuple[int, ...], as_json: bool
) -> None:
    res = validate(hostile(name), *(["--json"] if as_json else []), terminal=True)
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode in codes, res.describe()
    assert_no_control_chars(res)
    if as_json:
        json.loads(res.stdout)


def test_no_control_characters_in_a_refusal(hostile) -> None:
    res = validate(hostile(mh.ESCAPE_UNUSABLE_NAME), terminal=True)
    refusal_line(res)
    assert_no_control_chars(res)


# --------------------------------------------------------------------------------------------
# Markdown and HTML are data: kept as text, no crash
# --------------------------------------------------------------------------------------------
def test_markdown_and_html_cells_are_reported_as_text(hostile) -> None:
    res = validate(hostile("markdown_html.csv"), "--json")
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode == 1, res.describe()  # the Markdown/HTML stage values are unknown
    report = json.loads(res.stdout)
    quoted = {f["value"] for f in report["errors"] if f["rule"] == "unknown_stage"}
    assert {mh.MD_LINK, mh.HTML_IMG} <= quoted, quoted


def test_markdown_file_name(hostile) -> None:
    res = validate(hostile(mh.MARKDOWN_NAME))
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode == 0, res.describe()


# --------------------------------------------------------------------------------------------
# Nested 100,000 deep, and absurd levers
# --------------------------------------------------------------------------------------------
def test_deep_stage_model_toml_is_refused(hostile) -> None:
    res = validate(hostile("valid.csv"), "--stage-model", str(hostile("deep.toml")))
    refusal_line(res)


# One child process reads them all (each import of the library costs seconds); it reports
# every file, whatever the others do, unless the process itself dies.
SCENARIO_GROUPS = [
    [
        "deep.json",
        "scenarios_huge_deals.json",
        "scenarios_deals_1e6.json",
        "scenarios_deals_1e300.json",
    ]
]


@pytest.fixture(scope="module")
def scenario_runs(hostile) -> dict[str, tuple[Run, str]]:
    """file name -> (the run of its group, its RESULT line or "")."""
    out = {}
    for group in SCENARIO_GROUPS:
        paths = [hostile(name) for name in group]
        res = run([sys.executable, "-c", SCENARIO_SCRIPT, *map(str, paths)], paths[0].parent)
        lines = res.stdout.decode("utf-8", "replace").splitlines()
        for name in group:
            line = next((x for x in lines if x.startswith(f"RESULT {name} ")), "")
            out[name] = (res, line.removeprefix(f"RESULT {name} "))
    return out


@pytest.mark.parametrize("name", [n for group in SCENARIO_GROUPS for n in group])
def test_scenarios_file_is_refused_with_scenario_error(scenario_runs, name: str) -> None:
    res, result = scenario_runs[name]
    assert_in_time(res)
    assert_no_traceback(res)
    assert res.returncode == 0 and result, res.describe()
    assert result.startswith("ScenarioError"), f"expected ScenarioError, got: {result[:500]}"
    length = int(result.split()[1])
    assert length <= MAX_MESSAGE_CHARS, f"a message of {length:,} characters: {result[:400]}"


def test_text_from_a_file_is_text_on_the_data_page(tmp_path) -> None:
    """Markdown and HTML in a file name, headers and stage values reach the page escaped: no
    image is fetched, no link is made (AppTest shows the Markdown source each element sends)."""
    import re

    from test_app import on_data_page, upload

    made = mh.make_files(tmp_path, only=["markdown_html.csv", mh.MARKDOWN_NAME])
    live = re.compile(r"(?<!\\)!\\?\[|(?<!\\)\]\(|(?<!\\)<img|(?<!\\)<script")
    for name, path in made.items():
        at = on_data_page("en")
        upload(at, name, path.read_bytes())
        assert not at.exception
        texts = [
            e.value
            for kind in ("markdown", "caption", "info", "warning", "error", "success")
            for e in getattr(at, kind)
        ] + [e.label for e in at.expander]
        texts += [b.label for b in at.selectbox]
        assert texts
        assert not [x for x in texts if live.search(str(x))], [
            x for x in texts if live.search(str(x))
        ]

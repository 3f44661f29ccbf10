"""The library's modules form layers: no import circle inside ``funnel_analytics/``.

Every ``from .x import`` counts, including the ones inside functions: an import deferred to
call time still ties the two modules together, and is how the old circles hid.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "funnel_analytics"


def _imports() -> dict[str, set[str]]:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    names = [node.module] if node.module else [a.name for a in node.names]
                elif node.module == "funnel_analytics":
                    names = [a.name for a in node.names]
                elif node.module and node.module.startswith("funnel_analytics."):
                    names = [node.module.removeprefix("funnel_analytics.")]
                else:
                    continue
            elif isinstance(node, ast.Import):
                names = [
                    a.name.removeprefix("funnel_analytics.")
                    for a in node.names
                    if a.name.startswith("funnel_analytics.")
                ]
            else:
                continue
            deps.update(n.split(".")[0] for n in names)
        graph[path.stem] = (deps & modules) - {path.stem, "__init__"}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle() -> None:
    assert _circles(_imports()) == []


def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(graph) == [["a", "b", "c"]]


def test_the_import_graph_is_read() -> None:
    graph = _imports()
    assert "stages" in graph["loading"]
    assert "isolation" in graph["reading"]  # a module-level import
    assert "_simulate" in graph["forecast"]  # an import inside a function counts too


def test_the_app_uses_only_streamlits_public_interface() -> None:
    """No page reaches into Streamlit's internals (``streamlit.runtime``, private names):
    they change between releases without notice. Deep links go through ``st.switch_page``.

    One module is allowed: ``pages/sessions.py`` ends the sessions of closed tabs, which
    Streamlit keeps forever otherwise (its runtime is the only way to reach them); the
    browser test checks it against the real server."""
    root = PACKAGE.parent
    offenders = []
    pages = [p for p in sorted((root / "pages").glob("*.py")) if p.name != "sessions.py"]
    for path in [root / "dashboard.py", *pages]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit."):
                offenders.append(f"{path.name}: from {node.module} import …")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("streamlit.")
                ]
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "st"
                and node.attr.startswith("_")
            ):
                offenders.append(f"{path.name}: st.{node.attr}")
    assert offenders == []


def _loaded_by(modules: str, heavy: str) -> list[str]:
    """Which of ``heavy`` (names, space-separated) a fresh interpreter has loaded after
    importing ``modules`` (comma-separated)."""
    code = (
        f"import sys, {modules}\nprint(' '.join(m for m in {heavy.split()!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_the_command_line_starts_without_the_numeric_stack() -> None:
    """``funnel-analytics --help`` and option parsing import neither pandas, pyarrow, pandera
    nor DuckDB: the commands import them when they run (issue #13, CLI start)."""
    assert _loaded_by("funnel_analytics.cli", "pandas pyarrow pandera duckdb numpy") == []


def test_the_dashboards_first_screen_waits_for_no_statistics_or_workbook_writer() -> None:
    """What every page imports (loading, reports, scenarios, the store, export) loads neither
    scipy nor statsmodels nor xlsxwriter: they cost about a second of a first visitor's wait
    and load when a curve is fitted, a probability calibrated or a workbook written."""
    pages_use = "report funnel scenarios export loading store"
    modules = ", ".join(f"funnel_analytics.{m}" for m in pages_use.split())
    assert _loaded_by(modules, "scipy statsmodels xlsxwriter numba") == []


def test_the_package_names_its_api_lazily() -> None:
    """``from funnel_analytics import X`` works for every public name, without importing the
    others' modules first."""
    import funnel_analytics

    assert sorted(funnel_analytics.__all__) == sorted(funnel_analytics._WHERE)
    for name in funnel_analytics.__all__:
        assert getattr(funnel_analytics, name) is not None, name


def test_each_pages_address_is_its_file_name() -> None:
    """A fresh server resolves its first request against the ``pages/`` folder before the
    dashboard has declared its navigation: a page whose address is not its file's name would
    open with Streamlit's "Page not found" dialog on a deep link (``/stage-check`` once did)."""
    tree = ast.parse((PACKAGE.parent / "dashboard.py").read_text(encoding="utf-8"))
    pages = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            script = node.args[0].value
            address = next(k.value.value for k in node.keywords if k.arg == "url_path")
            pages[script] = address
    assert len(pages) == 10
    for script, address in pages.items():
        assert Path(script).stem == address, (script, address)
        assert (PACKAGE.parent / script).is_file(), script

"""Shared fixtures: paths to the bundled sample data, the real exports and the test corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Page errors propagate in the tests (AppTest's at.exception, the browser server's log); the
# test that checks what a user sees without it unsets this.
os.environ.setdefault("FUNNEL_ANALYTICS_RAISE_PAGE_ERRORS", "1")
if str(ROOT) not in sys.path:  # the suite also runs from a plain checkout
    sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "sample_data"
CORPUS = ROOT / "tests" / "corpus"
REAL_EXPORTS = next(
    (
        p
        for p in (ROOT.parent / "shared" / "real-exports", ROOT / "tests" / "real-exports")
        if p.exists()
    ),
    ROOT.parent / "shared" / "real-exports",
)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def real_exports() -> Path:
    if not REAL_EXPORTS.exists():
        pytest.skip("the real CRM exports (shared/real-exports) are not beside this checkout")
    return REAL_EXPORTS


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.json from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))

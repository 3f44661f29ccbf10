"""The app under Streamlit's AppTest: it runs on the sample workspace and shows the library's numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import plotly_values
from streamlit.testing.v1 import AppTest

from funnel_analytics.funnel import funnel_counts, latest_snapshot
from funnel_analytics.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def workspace():
    return load_workspace()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_runs_and_draws_the_funnel(lang: str, workspace) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    if lang == "en":
        at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    counts = funnel_counts(latest_snapshot(workspace.observations), workspace.stage_model)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert plotly_values(spec["data"][0]["x"]) == counts["count"].tolist()
    names = workspace.stage_model.stage_names(lang)
    assert spec["data"][0]["y"] == [names[k] for k in counts["stage"]]
    open_deals = int(counts["count"].iloc[:-1].sum())
    assert at.metric[0].value == f"{open_deals:,}"

"""Foreign exports (tests/foreign, written from each CRM's documented export shape, not by the
sample generator): each is read or refused with a message, and the stage model that fits the
file is proposed. Expected figures come from tests/foreign/expected.json (worked out in the
corpus generator by plain Python, independently of the product)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from funnel_analytics.loading import load_export
from funnel_analytics.reading import UnusableFile

HERE = Path(__file__).parent / "foreign"
EXPECTED = {k: v for k, v in json.loads((HERE / "expected.json").read_text("utf-8")).items()
            if not k.startswith("_")}
CLI = Path(sys.executable).parent / "funnel-analytics"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_foreign_export_is_read_or_refused_with_a_message(name: str) -> None:
    try:
        result = load_export(HERE / name, as_of="2025-01-31")
    except UnusableFile as exc:
        assert exc.message("en") and exc.message("zh")
        return
    assert result.rows_read >= EXPECTED[name]["data_rows"]


@pytest.mark.parametrize(("name", "model"), [
    ("files/salesforce_dataloader_Opportunity.csv", "salesforce"),
    ("files/salesforce_report.csv", "salesforce"),
    ("files/hubspot_deals.xlsx", "hubspot"),
])
def test_the_built_in_model_that_fits_is_proposed(name: str, model: str) -> None:
    result = load_export(HERE / name, as_of="2025-01-31")
    rows = EXPECTED[name]["data_rows"]
    assert result.better_model() == (model, rows, rows)
    # With the proposed model every stage value is known.
    again = load_export(HERE / name, as_of="2025-01-31", stage_model=model)
    assert again.better_model() is None
    assert again.unknown_stages().empty


def test_cli_names_the_better_model_and_never_shows_a_traceback() -> None:
    name = "files/salesforce_dataloader_Opportunity.csv"
    run = subprocess.run([str(CLI), "validate", str(HERE / name), "--as-of", "2024-06-27",
                          "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr
    proposal = json.loads(run.stdout)["stage_model_proposal"]
    assert proposal == {"model": "salesforce", "rows_matched": 300, "rows": 300}


def test_a_windows_1252_report_export_is_read() -> None:
    result = load_export(HERE / "files/salesforce_report.csv", as_of="2024-07-01")
    assert result.encoding == "Windows-1252"


@pytest.mark.parametrize(("name", "model"), [
    ("files/salesforce_dataloader_Opportunity.csv", "salesforce"),
    ("files/hubspot_deals.xlsx", "hubspot"),
    ("files/crm_sales_pipeline_maven_style.csv", "six_state"),
    ("files/cn_商机导入模板.xlsx", "eight_stage"),
])
def test_one_export_gives_the_win_rate_of_its_closed_deals(name: str, model: str) -> None:
    """One export is a complete analysis: the deals already closed in it count, by their close
    dates, over the 12 months to the snapshot (figures worked out in the corpus generator)."""
    from funnel_analytics.report import build_report

    expected = EXPECTED[name]
    w = expected["win_rate_12m"]
    result = load_export(HERE / name, stage_model=model, as_of=expected["snapshot_date"])
    report = build_report(result.observations(), result.stage_model)
    got = report.tables["win_rate"].iloc[0]
    assert (int(got["won"]), int(got["closed"] - got["won"])) == (w["won"], w["lost"])
    assert got["win_rate"] == pytest.approx(w["by_count"], abs=5e-5)
    if w.get("by_amount") is not None:
        assert got["win_rate_by_amount"] == pytest.approx(w["by_amount"], abs=5e-5)
    # The period (from, to] is the corpus' inclusive window [first day, snapshot date].
    period = report.data["win_rate"]["closed_period"]
    assert period["to"] == w["window"][1] == expected["snapshot_date"]
    assert pd.Timestamp(period["from"]) + pd.Timedelta(days=1) == pd.Timestamp(w["window"][0])

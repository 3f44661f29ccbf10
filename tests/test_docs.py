"""The README cannot drift: every field, rule, CLI option and JSON key the code knows is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from funnel_analytics.cli import cli
from funnel_analytics.fields import FIELDS
from funnel_analytics.schema import ERROR_RULES, WARNING_RULES, Opportunities
from funnel_analytics.stages import BUILTIN_MODELS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _table_cells(text: str) -> set[str]:
    return {
        m.strip("` ") for line in text.splitlines() if line.startswith("|") for m in line.split("|")
    }


@pytest.mark.parametrize("field", [f.name for f in FIELDS])
def test_every_canonical_field_is_in_the_readme_table(field: str) -> None:
    assert f"| `{field}` |" in README


def test_every_schema_column_is_documented() -> None:
    columns = set(Opportunities.to_schema().columns) - {"stage_label"}
    missing = [c for c in columns if f"`{c}`" not in README]
    assert not missing, f"undocumented columns: {missing}"


@pytest.mark.parametrize("field", [f for f in FIELDS])
def test_aliases_are_documented(field) -> None:
    row = next(line for line in README.splitlines() if line.startswith(f"| `{field.name}` |"))
    for alias in field.aliases:
        assert alias in row, f"{field.name}: alias {alias!r} missing from the README row"


@pytest.mark.parametrize("rule", [*ERROR_RULES, *WARNING_RULES])
def test_every_rule_is_documented(rule: str) -> None:
    assert f"| `{rule}` |" in README


def _options(command: click.Command) -> set[str]:
    return {
        opt
        for p in command.params
        if isinstance(p, click.Option)
        for opt in p.opts
        if opt not in {"--help", "-h"}
    }


@pytest.mark.parametrize(
    "name", ["validate", "import", "snapshots", "stage-models", "report", "plan"]
)
def test_every_cli_option_is_documented(name: str) -> None:
    for opt in _options(cli.commands[name]):
        assert re.search(rf"`{re.escape(opt)}[ `|\\]", README), f"{name} {opt} is not in the README"


@pytest.mark.parametrize("model", list(BUILTIN_MODELS))
def test_every_builtin_model_is_documented(model: str) -> None:
    assert f"`{model}`" in README


def test_validate_json_keys_are_documented(tmp_path) -> None:
    from funnel_analytics.loading import load_export

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "商机导出_2026-10.xlsx"
    keys = set(load_export(sample).report("en"))
    cells = _table_cells(README)
    documented = {k.strip() for c in cells for k in c.replace("`", "").split(",")}
    assert keys <= documented, f"undocumented JSON keys: {keys - documented}"


def test_quickstart_has_exactly_two_commands() -> None:
    block = README.split("## Quickstart", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].startswith("python3 run.py dashboard")
    assert commands[1].startswith("python3 run.py test")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "python3 run.py test" in ci


def test_report_json_keys_are_documented() -> None:
    from funnel_analytics.report import build_report
    from funnel_analytics.workspace import load_workspace

    ws = load_workspace()
    data = build_report(ws.observations, ws.stage_model, outlook=True, runs=200).data
    section = README.split("**`report --json`**", 1)[1].split("## ", 1)[0]
    documented = {k.strip() for c in _table_cells(section) for k in c.replace("`", "").split(",")}
    assert set(data) <= documented, f"undocumented report keys: {set(data) - documented}"
    nested = {
        *data["forecast"],
        *data["plan"],
        *data["plan"]["balance"],
        *data["calibration"][0],
        *data["forecast"]["by_month"][0],
        *data["forecast"]["accuracy"],
    }
    cli_section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    missing = sorted(k for k in nested if f"`{k}`" not in cli_section)
    assert not missing, f"undocumented report keys: {missing}"


def test_every_evidence_of_an_inferred_stage_is_documented() -> None:
    """`stage-models infer --json` gives each stage's evidence: every value it can take is in
    the README, the other CRMs' pipelines included."""
    from funnel_analytics.inference import EVIDENCE, KNOWN_PIPELINES

    for evidence in (*EVIDENCE, *(f"pipeline_{k}" for k in KNOWN_PIPELINES)):
        assert f"`{evidence}`" in README, evidence

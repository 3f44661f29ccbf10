"""The Stage check page's go/no-go evaluation under AppTest, in both languages: an upload with
evaluation factor columns (tiles, lift chart and tables against counts worked by hand), and
an export with none (an explanation naming the factors, no tile, no chart)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import plotly_values
from test_app import app, figure, on_data_page, upload

from funnel_analytics.i18n import t
from funnel_analytics.stages import DEFAULT_EVALUATION

ROOT = Path(__file__).resolve().parents[1]

HEADER = ["商机编号", "负责人", "销售阶段", "状态", "预计金额（万元）", "资金落实", "客户关系"]
# 6 open deals: 资金落实 已落实 (5) and 客户关系 好 (5) score 25+20 of 45 = 100; 未落实 (0) with
# 一般 (3) scores 12 of 45 = 26.7; 部分落实 (3) with 好 scores (15 + 20) / 45 = 77.8.
OPEN = [
    ["E1", "张三", "入围客户", "进行中", 10, "已落实", "好"],
    ["E2", "张三", "有效客户", "进行中", 20, "未落实", "一般"],
    ["E3", "李四", "意向客户", "进行中", 30, "部分落实", "好"],
    ["E4", "李四", "目标客户", "进行中", 40, "未落实", "一般"],
    ["E5", "王五", "入围客户", "进行中", 50, "已落实", ""],  # relationship blank: 100 on funding
    ["E6", "王五", "有效客户", "进行中", 60, "", ""],  # no factor value: not scored
]
# 12 closed deals: funding secured 6, of them 5 won; not secured 6, of them 1 won.
CLOSED = [
    [f"C{i}", "张三", "赢单客户" if won else "意向客户", "赢单" if won else "输单", 5, funding, "一般"]
    for i, (won, funding) in enumerate(
        [(True, "已落实")] * 5 + [(False, "已落实")] + [(True, "未落实")] + [(False, "未落实")] * 5
    )
]  # fmt: skip


def _gb18030(rows: list[list]) -> bytes:
    buf = io.StringIO()
    buf.write("商机导出（2026年10月）\n")
    pd.DataFrame(rows, columns=HEADER).to_csv(buf, index=False)
    return buf.getvalue().encode("gb18030")


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE", str(path))
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_upload_with_factor_columns_shows_scores_and_lift(lang) -> None:
    at = on_data_page(lang)
    upload(at, "商机_2026-10-31.csv", _gb18030(OPEN + CLOSED))
    assert not at.exception
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    assert t("eval_title", lang) in [h.value for h in at2.header]
    tiles = {m.label: m for m in at2.metric}
    assert tiles[t("eval_tile_scored", lang)].value == "5"
    assert tiles[t("eval_tile_passed", lang)].value == "3"  # E1, E3, E5
    assert tiles[t("eval_tile_failed", lang)].value == "2"  # E2, E4
    assert "60" in tiles[t("eval_tile_passed", lang)].help
    lift = figure(at2, "lift")
    bars = lift["data"][0]
    # Funding: 5 of 6 won high against 1 of 6 low; relationship is 一般 (3, high) on every
    # closed deal, so it has no low side and no bar; the pass row repeats funding.
    assert bars["y"] == [t("factor_name_funding", lang), t("factor_name_evaluation_pass", lang)]
    assert plotly_values(bars["x"]) == pytest.approx([4 / 6, 4 / 6])
    assert plotly_values(bars["error_x"]["arrayminus"])[0] > 0
    assert t("eval_rule", lang).split("{")[0] in " ".join(c.value for c in at2.caption)
    captions = [c.value for c in at2.caption]
    assert t("eval_lift_caption", lang, closed="12", at_close="12", share="60%") in captions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_without_factor_columns_says_what_they_would_add(lang) -> None:
    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    at = on_data_page(lang)
    upload(at, path.name, path.read_bytes())
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    infos = [i.value for i in at2.info]
    sep = "、" if lang == "zh" else ", "
    factors = sep.join(
        t("eval_factor_item", lang, name=f.name(lang), weight=f"{f.weight:g}")
        for f in DEFAULT_EVALUATION.factors
    )
    assert t("eval_no_columns", lang, factors=factors, mark="60") in infos
    labels = [m.label for m in at2.metric]
    assert t("eval_tile_scored", lang) not in labels
    charts = at2.get("plotly_chart")
    assert not [c for c in charts if "lift" in c.proto.id]
    for chart in charts:  # no empty chart
        assert any(
            len(plotly_values(tr.get("x", []))) for tr in json.loads(chart.proto.spec)["data"]
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_closed_deals_all_on_one_side_are_explained_not_drawn(lang) -> None:
    # Every closed deal's funding is secured (high): no low side, no lift, no chart.
    closed = [r for r in CLOSED if r[5] == "已落实"]
    at = on_data_page(lang)
    upload(at, "商机_2026-10-31.csv", _gb18030(OPEN + closed))
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    assert t("eval_lift_one_sided", lang, closed="6") in [i.value for i in at2.info]
    assert not [c for c in at2.get("plotly_chart") if "lift" in c.proto.id]

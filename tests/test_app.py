"""The app under Streamlit's AppTest: every page, both languages, real uploads, real numbers."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import amount_of, csv_bytes, plotly_values, xlsx_bytes
from streamlit.testing.v1 import AppTest

from funnel_analytics.funnel import Filters, apply_filters, funnel_counts, kpis, latest_snapshot
from funnel_analytics.i18n import t
from funnel_analytics.inference import MIN_CLOSED
from funnel_analytics.store import SnapshotStore
from funnel_analytics.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = ["pages/overview.py", "pages/data.py"]


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE", str(path))
    return path


@pytest.fixture(scope="module")
def workspace():
    return load_workspace()


def app(lang: str = "zh", **state: object) -> AppTest:
    """The app after its first run, with sidebar values given as session state.

    With st.navigation, AppTest 1.67 runs the frame (dashboard.py: sidebar and state) only
    on an app's first run; later runs execute the current page alone. A browser reruns the
    frame every time. So a frame-level choice is tested by starting the app with it in
    session state, as a fresh run of the frame would see it.
    """
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def app_state(at: AppTest):
    """The state the frame built for this AppTest session (kept in the server's registry)."""
    from pages.ui import _memos

    return _memos().states[at.session_state["_memo_token"]]


def on_data_page(lang: str = "zh") -> AppTest:
    at = app(lang)
    return at.switch_page("pages/data.py").run()


def upload(at: AppTest, name: str, data: bytes) -> str:
    at.file_uploader(key="upload").upload(name, data, XLSX if name.endswith("xlsx") else "text/csv")
    at.run()
    return hashlib.sha256(data).hexdigest()[:16]


def figure(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(key) or f"-{key}" in chart.proto.id or key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(page: str, lang: str) -> None:
    at = app(lang)
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception
    title = t("overview_title" if page.endswith("overview.py") else "data_title", lang)
    assert at.title[0].value == title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_figures_are_the_librarys(lang: str, workspace) -> None:
    at = app(lang)
    obs = workspace.observations
    counts = funnel_counts(latest_snapshot(obs), workspace.stage_model)
    spec = figure(at, "funnel")
    assert plotly_values(spec["data"][0]["x"]) == counts["count"].tolist()
    names = workspace.stage_model.stage_names(lang)
    assert spec["data"][0]["y"] == [names[k] for k in counts["stage"]]
    k = kpis(obs, workspace.stage_model)
    assert at.metric[0].value == f"{k.open_count:,}"
    assert at.metric[2].value == f"{k.won_count:,}"
    assert at.metric[3].value == f"{k.attention_count:,}"
    # The hover says how the bar is counted.
    assert t("chart_funnel_rule", lang) in spec["data"][0]["hovertemplate"]
    # Every chart keeps the stage order and colours.
    team = figure(at, "by_team")
    assert [tr["name"] for tr in team["data"]] == [
        names[k_] for k_ in workspace.stage_model.keys[:-1]
    ]


def test_filters_narrow_every_number(workspace) -> None:
    team = sorted(workspace.observations["team"].dropna().unique())[0]
    first = app("en")
    assert team in first.sidebar.multiselect(key="f_team").options
    at = app("en", f_team=[team])
    assert not at.exception
    filtered = apply_filters(workspace.observations, Filters(teams=(team,)))
    counts = funnel_counts(latest_snapshot(filtered), workspace.stage_model)
    assert plotly_values(figure(at, "funnel")["data"][0]["x"]) == counts["count"].tolist()
    assert at.metric[0].value == f"{kpis(filtered, workspace.stage_model).open_count:,}"
    # Every page says what it is narrowed to.
    assert any(c.value.replace("\\", "") == f"Filtered to Team: {team}" for c in at.caption)
    assert not any(c.value.startswith("Filtered to") for c in first.caption)


def test_as_of_snapshot_moves_the_view(workspace) -> None:
    dates = [pd.Timestamp(d) for d in sorted(workspace.observations["snapshot_date"].unique())]
    at = app("en", as_of=dates[5])
    assert at.sidebar.select_slider(key="as_of").value == dates[5]
    counts = funnel_counts(latest_snapshot(workspace.observations, dates[5]), workspace.stage_model)
    assert plotly_values(figure(at, "funnel")["data"][0]["x"]) == counts["count"].tolist()


def findings_frame(at: AppTest, lang: str):
    """The errors table (the first table whose first column is the row number)."""
    row = t("col_row", lang)
    return next(d.value for d in at.dataframe if list(d.value.columns)[:1] == [row])


def test_upload_with_chinese_headers_and_hint_row() -> None:
    at = on_data_page("zh")
    fid = upload(
        at,
        "title_and_hint_2024-03.xlsx",
        (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
    )
    assert not at.exception
    summary = t("file_summary", "zh", read=20, valid=19, rejected=1, warnings=1)
    assert any(summary in m.value for m in at.markdown)
    assert any("第 4 行是填写说明" in m.value for m in at.markdown)
    errors = findings_frame(at, "zh")
    assert errors.iloc[0].tolist()[:4] == [17, "销售阶段", "商务谈判", "阶段不在模型中"]
    assert at.session_state["uploads"][fid]["name"] == "title_and_hint_2024-03.xlsx"
    assert any(b.label == t("download_rejected", "zh") for b in at.get("download_button"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_clean_upload_says_so_and_tells_how_its_percent_cells_were_read(lang: str) -> None:
    """Saved by LibreOffice Calc: typed percentages beside cells formatted as 0%. The notes say
    how the 0.25s were read; a file with no finding shows the success line, no empty tables."""
    at = on_data_page(lang)
    name = "percent_cells_2025-04.xlsx"
    upload(at, name, (CORPUS / "messy" / name).read_bytes())
    assert not at.exception
    summary = t("file_summary", lang, read=8, valid=8, rejected=0, warnings=0)
    assert any(summary in m.value for m in at.markdown)
    params = {"column": "赢单概率", "count": 4, "row": 3, "value": "0.25"}
    from pages.ui import plain

    note = plain(t("note_probability_fractions", lang, **params))  # as the page escapes it
    assert any(note in m.value for m in at.markdown)
    assert any(s.value == t("no_findings", lang) for s in at.success)
    assert not at.tabs
    assert not [d for d in at.dataframe if list(d.value.columns)[:1] == [t("col_row", lang)]]


def test_unknown_stage_is_mapped_on_the_spot() -> None:
    at = on_data_page("en")
    upload(
        at,
        "title_and_hint_2024-03.xlsx",
        (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
    )
    box = next(s for s in at.selectbox if "商务谈判" in s.label)
    box.set_value("committed").run()
    # Nothing is applied until the user confirms; the summary says what will be mapped.
    assert not at.exception
    assert not any(
        t("file_summary", "en", read=20, valid=20, rejected=0, warnings=1) in m.value
        for m in at.markdown
    )
    assert any("商务谈判 →" in c.value for c in at.caption)
    next(b for b in at.button if b.label == t("stage_choices_apply", "en", n=1)).click().run()
    assert not at.exception
    assert any(
        t("file_summary", "en", read=20, valid=20, rejected=0, warnings=1) in m.value
        for m in at.markdown
    )


def test_uploads_survive_leaving_the_data_page() -> None:
    at = on_data_page("en")
    fid = upload(
        at,
        "title_and_hint_2024-03.xlsx",
        (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
    )
    # The first upload switches the data source to the uploads and says so.
    assert at.session_state["_keep_source"] == "upload"
    assert any(t("source_switched", "en") in i.value for i in at.info)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    at.switch_page("pages/data.py").run()
    assert fid in at.session_state["uploads"]
    assert any(
        t("file_summary", "en", read=20, valid=19, rejected=1, warnings=1) in m.value
        for m in at.markdown
    )
    # The same content uploaded again is recognised, not added twice.
    upload(at, "copy.xlsx", (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes())
    assert list(at.session_state["uploads"]) == [fid]
    next(b for b in at.button if b.key == f"drop_{fid}").click().run()
    assert not at.session_state["uploads"]


def test_a_stage_chosen_for_an_unknown_value_reads_in_the_new_language() -> None:
    """A stage picked for a value the model does not know is kept when the reader switches
    language, and shown with the new language's names (the old language's stayed on screen:
    "Keep rejected" on the Chinese page)."""
    data = (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes()
    at = on_data_page("en")
    fid = upload(at, "title_and_hint_2024-03.xlsx", data)
    vkey = hashlib.sha1("商务谈判".encode()).hexdigest()[:10]
    box = at.selectbox(key=f"stage_{fid}_{vkey}__en")
    assert box.value == "" and t("unknown_keep", "en") in box.options
    box.set_value("committed").run()
    kept_choice = {f"_keep_stage_{fid}_{vkey}": "committed"}
    zh = app("zh", _keep_source="upload", uploads=at.session_state["uploads"], **kept_choice)
    zh.switch_page("pages/data.py").run()
    again = zh.selectbox(key=f"stage_{fid}_{vkey}__zh")
    assert again.value == "committed"
    assert t("unknown_keep", "zh") in again.options and t("unknown_keep", "en") not in again.options
    assert "意向客户" in again.options


def test_mapping_is_edited_and_remembered(private_store) -> None:
    rows = [["编码", "进展", "金额"], ["1", "目标客户", "100"], ["2", "入围客户", "200"]]
    data = csv_bytes(rows)
    fid = hashlib.sha256(data).hexdigest()[:16]
    at = on_data_page("en")
    upload(at, "deals_2024-03.csv", data)
    assert "No stage column" in at.error[0].value
    at.selectbox(key=f"pick_stage_{fid}").set_value("进展").run()
    assert "no opportunity id column" in at.error[0].value
    at.selectbox(key=f"pick_opportunity_id_{fid}").set_value("编码").run()
    assert not at.error and not at.exception
    assert any(
        t("file_summary", "en", read=2, valid=2, rejected=0, warnings=0) in m.value
        for m in at.markdown
    )
    # Edit the mapping table: the amount column is not to be used.
    at.session_state[f"map_{fid}"] = {
        "edited_rows": {2: {"field": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.session_state["uploads"][fid]["overrides"] == {
        "编码": "opportunity_id",
        "进展": "stage",
        "金额": "ignore",
    }
    assert any("No amount column" in m.value for m in at.markdown)
    at.button(key=f"save_{fid}").click().run()
    assert not at.exception
    with SnapshotStore(private_store) as store:
        assert len(store.snapshots()) == 1
        remembered = list(store.remembered_mappings().values())
    assert remembered == [{"编码": "opportunity_id", "进展": "stage", "金额": "ignore"}]
    # Next month's file with the same headers maps itself the same way.
    nxt = csv_bytes([["编码", "进展", "金额"], ["1", "有效客户", "100"]])
    at2 = on_data_page("en")
    upload(at2, "deals_2024-04.csv", nxt)
    assert not at2.error
    assert any(
        t("file_summary", "en", read=1, valid=1, rejected=0, warnings=0) in m.value
        for m in at2.markdown
    )
    # Notes are shown as text (Markdown characters escaped): compare what the reader sees.
    assert any(
        t("note_remembered_mapping", "en") in m.value.replace("\\", "") for m in at2.markdown
    )


def test_saved_snapshots_feed_the_overview_and_removal_needs_confirmation(private_store) -> None:
    at = on_data_page("en")
    path = ROOT / "sample_data" / "商机导出_2026-06.xlsx"
    fid = upload(at, path.name, path.read_bytes())
    at.button(key=f"save_{fid}").click().run()
    assert any(t("saved", "en", id=1) in s.value for s in at.success)
    at.button(key=f"save_{fid}").click().run()
    assert any(t("already_saved", "en", id=1) in s.value for s in at.success)
    stored = app("en", _keep_source="store")
    assert not stored.exception
    from funnel_analytics.loading import load_export

    expected = kpis(load_export(path).observations(), load_workspace().stage_model)
    assert stored.metric[0].value == f"{expected.open_count:,}"
    assert app_state(stored).snapshot_dates == (pd.Timestamp("2026-06-30"),)
    at.button(key="remove_ask").click().run()
    assert any("This cannot be undone" in w.value for w in at.warning)
    with SnapshotStore(private_store, read_only=True) as store:
        assert len(store.snapshots()) == 1  # nothing removed before confirming
    at.button(key="remove_yes").click().run()
    with SnapshotStore(private_store, read_only=True) as store:
        assert store.snapshots().empty


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("garbage.xlsx", bytes(range(256)) * 20, "not a spreadsheet"),
        ("corrupt_zip.xlsx", (CORPUS / "hostile" / "corrupt_zip.xlsx").read_bytes(), "damaged"),
        (
            "xml_entities.xlsx",
            (CORPUS / "hostile" / "xml_entities.xlsx").read_bytes(),
            "XML entities",
        ),
        ("encrypted.xlsx", (CORPUS / "hostile" / "encrypted.xlsx").read_bytes(), "password"),
        ("header_only.csv", b"id,stage\n", "no data rows"),
    ],
)
def test_a_bad_file_shows_its_message_not_a_traceback(
    name: str, data: bytes, fragment: str
) -> None:
    at = on_data_page("en")
    upload(at, name, data)
    assert not at.exception
    assert fragment in at.error[0].value


def test_missing_snapshot_date_is_asked_for() -> None:
    at = on_data_page("en")
    data = csv_bytes([["id", "stage"], ["1", "Target"]])
    fid = upload(at, "deals.csv", data)
    # One sentence, a proposed default and where it came from; no command-line words.
    question = at.info[-1].value
    assert "Which day is this export from?" in question and "--as-of" not in question
    assert at.date_input(key=f"asof_{fid}").value is not None
    at.date_input(key=f"asof_{fid}").set_value("2024-05-31").run()
    at.button(key=f"asof_ok_{fid}").click().run()
    assert any(
        t("file_summary", "en", read=1, valid=1, rejected=0, warnings=0) in m.value
        for m in at.markdown
    )


def test_uploads_stay_in_their_own_session() -> None:
    mine = on_data_page("en")
    upload(
        mine,
        "title_and_hint_2024-03.xlsx",
        (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
    )
    uploaded = mine.session_state["uploads"]
    # The frame's next run in my session sees my upload as the data source.
    again = app("en", _keep_source="upload", uploads=uploaded)
    assert len(app_state(again).all_observations) == 19
    assert not again.exception
    # Another browser session has nothing.
    theirs = app("en", _keep_source="upload")
    assert app_state(theirs).empty
    assert t("no_data_upload", "en") in theirs.info[0].value


def test_empty_store_says_what_to_do() -> None:
    at = app("zh", _keep_source="store")
    assert not at.exception
    assert at.info[0].value == t("no_data_store", "zh")


@pytest.mark.parametrize("page", PAGES)
def test_english_leaves_nothing_half_translated(page: str) -> None:
    at = app("en")
    if page != "pages/overview.py":
        at.switch_page(page).run()
        upload(
            at,
            "title_and_hint_2024-03.xlsx",
            (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
        )
    texts = [
        at.title[0].value,
        *(c.value for c in at.caption),
        *(m.label for m in at.metric),
        *(m.help or "" for m in at.metric),
        *(b.label for b in at.button),
        *(h.value for h in at.subheader),
    ]
    texts += [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    if page == "pages/data.py":
        texts += [n for n in (m.value for m in at.markdown) if n.startswith("- ")]
        texts += list(findings_frame(at, "en").columns)
    # Data values (names and headers from the file) may be Chinese; our own words may not.
    data_words = (
        "华辰智能科技",
        "销售阶段",
        "商务谈判",
        "预计金额（万元）",
        "万元",
        "合计",
        "预计成交日期",
        "必填",
        "商机清单",
        "客户等级",
        "赢单概率",
    )
    for text in texts:
        for word in data_words:
            text = text.replace(word, "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_custom_stage_model_is_used() -> None:
    from funnel_analytics.stages import load_stage_model

    toml = (
        'name = "maven"\n[[stages]]\nkey = "prospecting"\nen = "Prospecting"\nzh = "潜在客户"\n'
        'probability = 0.2\n[[stages]]\nkey = "won"\nen = "Won"\nprobability = 1.0\n'
    ).encode()
    first = app("en")
    assert first.sidebar.file_uploader(key="model_toml") is not None
    at = app("en", custom_model=load_stage_model(toml), _keep_model_name="custom")
    assert not at.exception
    assert app_state(at).model.name == "maven"


def test_workbook_upload_with_merged_header() -> None:
    data = xlsx_bytes(
        [
            ["商机编号", "基本信息", None],
            [None, "销售阶段", "预计金额（万元）"],
            ["A1", "目标客户", 5],
            ["A2", "入围客户", 7],
        ]
    )
    at = on_data_page("en")
    upload(at, "merged_2024-03.xlsx", data)
    assert any(
        t("file_summary", "en", read=2, valid=2, rejected=0, warnings=0) in m.value
        for m in at.markdown
    )


MOVEMENT_PAGES = [
    "pages/conversion.py",
    "pages/movement.py",
    "pages/ageing.py",
    "pages/stage-check.py",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", MOVEMENT_PAGES)
def test_movement_pages_run_in_both_languages(page: str, lang: str) -> None:
    at = app(lang)
    at.switch_page(page).run()
    assert not at.exception
    assert at.get("plotly_chart"), "every movement page draws a chart"
    assert any(b.label == t("download_xlsx", lang) for b in at.get("download_button"))


def test_conversion_page_shows_the_reports_numbers(workspace) -> None:
    from funnel_analytics.report import build_report

    at = app("en")
    at.switch_page("pages/conversion.py").run()
    report = build_report(workspace.observations, workspace.stage_model)
    spec = figure(at, "conv")
    assert (
        plotly_values(spec["data"][0]["x"]) == report.tables["conversion"]["reached_count"].tolist()
    )
    heat = figure(at, "transitions")
    assert (
        plotly_values(heat["data"][0]["z"])
        == report.tables["transitions"].set_index("from").to_numpy().tolist()
    )


def test_movement_page_waterfall_reconciles(workspace) -> None:
    at = app("en")
    at.switch_page("pages/movement.py").run()
    spec = figure(at, "waterfall")
    values = plotly_values(spec["data"][0]["y"])
    measures = spec["data"][0]["measure"]
    assert measures[0] == "absolute" and measures[-1] == "total"
    assert sum(values[:-1]) == pytest.approx(values[-1], abs=1e-6)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_without_checklists_says_so(lang) -> None:
    """An export with none of the optional inputs: no milestone, success-criterion or
    buying-stage column. Each section says what such a column would add, and draws nothing."""
    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    at = on_data_page(lang)
    upload(at, path.name, path.read_bytes())
    uploaded = at.session_state["uploads"]
    at2 = app(lang, _keep_source="upload", uploads=uploaded)
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    assert at2.info[0].value == t("evidence_none", lang)
    # Nor has it a buying stage: the page says what such a column would add.
    assert at2.info[1].value == t("sync_no_column", lang)
    # The only tiles, charts and tables are the suggested grade's, which needs none of them.
    grade_tiles = (
        "grade_tile_a_share",
        "grade_tile_a",
        "grade_tile_at_risk",
        "grade_tile_agreement",
    )
    assert [m.label for m in at2.metric] == [t(k, lang) for k in grade_tiles]
    charts = at2.get("plotly_chart")
    assert charts and all("grade_" in c.proto.id for c in charts)
    assert len(at2.dataframe) == 3  # per grade, per rep, every deal: no risk flag to list
    assert any(i.value == t("grade_no_flags", lang) for i in at2.info)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_shows_entered_and_completed_on_the_sample(workspace, lang) -> None:
    """The sample's six-state exports carry milestones only: the tiles against the library's
    evidence, deals entered but not completed by days in stage, reps by unevidenced share,
    and a note that the model declares no success criteria."""
    from funnel_analytics.report import build_report

    at = app(lang)
    at.switch_page("pages/stage-check.py").run()
    assert not at.exception
    view = build_report(workspace.observations, workspace.stage_model).stage_check
    status = view.evidence["evidence"]
    counts = {t(f"evidence_tile_{k}", lang) for k in ("not_evidenced", "waiting", "completed")}
    tiles = {m.label: int(m.value.replace(",", "")) for m in at.metric if m.label in counts}
    assert tiles[t("evidence_tile_not_evidenced", lang)] == int(
        status.isin(["not_entered", "unjudged"]).sum()
    )
    assert tiles[t("evidence_tile_waiting", lang)] == len(view.entered_not_completed)
    assert tiles[t("evidence_tile_completed", lang)] == 0
    model = plain_title(workspace.stage_model, lang)
    assert at.info[0].value == t("evidence_no_criteria_model", lang, model=model)
    waiting = figure(at, "waiting")
    assert sum(sum(plotly_values(tr["y"])) for tr in waiting["data"]) == len(
        view.entered_not_completed
    )
    assert t("chart_evidence_age", lang) in waiting["layout"]["title"]["text"]
    headers = [h.value for h in at.subheader]
    assert t("evidence_waiting_title", lang) in headers
    assert t("evidence_by_owner_title", lang) in headers
    owners = next(d.value for d in at.dataframe if len(d.value) == len(view.evidence_by_owner))
    assert owners.iloc[:, 0].tolist() == view.evidence_by_owner["owner"].tolist()


def plain_title(model, lang: str) -> str:
    from pages.ui import plain

    return plain(model.title(lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_on_an_eight_stage_export_with_success_criteria(lang) -> None:
    """Milestones and success criteria of the eight-stage process in an upload: entered, in
    progress and completed counted by hand; one export, so deals are aged since created."""
    text = (
        "商机编号,负责人,销售阶段,金额,创建日期,已完成首次拜访,初步调研已完成,客户要求提交初步方案,"
        "初步方案已提交,客户同意技术交流\n"
        "P1,王,客户拜访与初步调研,10,2026-01-01,是,是,否,否,否\n"  # entered
        "P2,王,客户拜访与初步调研,20,2026-05-01,是,否,是,否,否\n"  # not entered
        "P3,李,客户拜访与初步调研,30,2026-03-01,是,是,是,否,否\n"  # completed
        "P4,李,提交初步方案,40,2026-02-01,是,是,是,是,否\n"  # entered
        "P5,李,提交初步方案,50,2026-04-01,否,否,否,否,是\n"  # not entered (no proposal)
    ).encode()
    start = app(lang, _keep_model_name="eight_stage")
    at = start.switch_page("pages/data.py").run()
    upload(at, "eight_2026-10-31.csv", text)
    at2 = app(
        lang,
        _keep_model_name="eight_stage",
        _keep_source="upload",
        uploads=at.session_state["uploads"],
    )
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    tiles = {m.label: m.value for m in at2.metric}
    assert tiles[t("evidence_tile_not_evidenced", lang)] == "2"
    assert tiles[t("evidence_tile_waiting", lang)] == "2"
    assert tiles[t("evidence_tile_completed", lang)] == "1"
    assert not [i for i in at2.info if "evidence_no_criteria" in i.value]
    assert any(c.value == t("evidence_age_created", lang) for c in at2.caption)
    assert (
        t("chart_evidence_age_created", lang) in figure(at2, "waiting")["layout"]["title"]["text"]
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_on_the_sample_compares_with_the_buying_stage(workspace, lang) -> None:
    """The sample's exports carry 客户采购阶段: the tiles against a count by hand of the latest
    snapshot's open deals (behind and behind-and-stalled together: the stall is the report's)."""
    from funnel_analytics.stages import PROCUREMENT_KEYS

    at = app(lang)
    at.switch_page("pages/stage-check.py").run()
    assert not at.exception
    obs = workspace.observations
    latest = obs[(obs["snapshot_date"] == obs["snapshot_date"].max()) & (obs["status"] == "open")]
    mirror = {s.key: PROCUREMENT_KEYS.index(s.procurement) for s in workspace.stage_model.stages}
    gap = latest["stage"].map(mirror) - latest["procurement_stage"].map(PROCUREMENT_KEYS.index)
    classes = {t(f"sync_{k}", lang) for k in ("in_step", "ahead", "behind", "behind_stalled")}
    tiles = {m.label: int(m.value.replace(",", "")) for m in at.metric if m.label in classes}
    assert tiles[t("sync_in_step", lang)] == int((gap == 0).sum())
    assert tiles[t("sync_ahead", lang)] == int((gap > 0).sum())
    behind = tiles[t("sync_behind", lang)] + tiles[t("sync_behind_stalled", lang)]
    assert behind == int((gap < 0).sum())
    assert figure(at, "sync")["data"][0]["type"] == "heatmap"
    # Deals closed over the year give each position a win rate.
    assert any(t("sync_by_class", lang) == h.value for h in at.subheader)
    assert not [i for i in at.info if i.value == t("sync_no_closed", lang)]


def consensus_by_hand(model, as_of=None) -> dict[str, int]:
    """The sample's key-roles sheet read plainly: per deal, each contact's latest record (up
    to ``as_of``); the lowest stage among the engaged (engagement 1 or more)
    decision-influencing contacts, as a position in the model."""
    from funnel_analytics.workspace import sample_roles

    roles = sample_roles(model).roles
    if as_of is not None:
        roles = roles[roles["date"] <= as_of]
    latest = roles.sort_values("date", kind="stable").drop_duplicates(
        ["opportunity_id", "contact"], keep="last"
    )
    influence = {"decision_maker", "user", "technical", "procurement", "finance"}
    keys = list(model.keys)
    out: dict[str, int] = {}
    for r in latest.itertuples(index=False):
        engaged = pd.isna(r.engagement) or r.engagement >= 1
        if r.role in influence and engaged and pd.notna(r.role_stage):
            i = keys.index(r.role_stage)
            out[r.opportunity_id] = min(out.get(r.opportunity_id, i), i)
    return out


def _effective_by_hand(workspace) -> pd.DataFrame:
    """The latest open deals with their effective stage counted plainly: the lowest of the
    reported stage, the stage the milestones support (at least the first), our furthest
    stage whose procurement counterpart the customer has reached, and the stage of the
    least advanced engaged influencer in the sample's key-roles sheet."""
    from funnel_analytics.stagecheck import effective_stages
    from funnel_analytics.stages import PROCUREMENT_KEYS

    model = workspace.stage_model
    obs = workspace.observations
    latest = obs[(obs["snapshot_date"] == obs["snapshot_date"].max()) & (obs["status"] == "open")]
    keys = list(model.keys)
    mirrors = [(i, PROCUREMENT_KEYS.index(s.procurement)) for i, s in enumerate(model.stages)]

    def customer(step: str) -> int:
        q = PROCUREMENT_KEYS.index(step)
        return max((i for i, p in mirrors if p <= q), default=0)

    backed = effective_stages(latest, model).set_index("opportunity_id")["effective_stage"]
    consensus = consensus_by_hand(model)
    rows = []
    for _, d in latest.iterrows():
        reported = keys.index(d["stage"])
        milestone = backed.get(d["opportunity_id"])
        lowest = min(
            reported,
            0 if milestone is None else keys.index(milestone),
            customer(d["procurement_stage"]) if pd.notna(d["procurement_stage"]) else reported,
            consensus.get(d["opportunity_id"], reported),
        )
        rows.append((d["opportunity_id"], d["amount"], reported, lowest))
    return pd.DataFrame(rows, columns=["id", "amount", "reported", "effective"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_sets_the_reported_funnel_against_the_effective_one(
    workspace, lang
) -> None:
    from funnel_analytics.formatting import format_amount

    at = app(lang)
    at.switch_page("pages/stage-check.py").run()
    assert not at.exception
    hand = _effective_by_hand(workspace)
    prob = [s.probability for s in workspace.stage_model.stages]
    inflated = hand["effective"] < hand["reported"]
    tiles = {m.label: m for m in at.metric}
    assert tiles[t("reality_tile_inflated", lang)].value == f"{int(inflated.sum()):,}"
    weighted = float((hand["amount"] * hand["reported"].map(prob.__getitem__)).sum())
    effective = float((hand["amount"] * hand["effective"].map(prob.__getitem__)).sum())
    assert tiles[t("reality_tile_weighted", lang)].value == format_amount(weighted, lang)
    assert tiles[t("reality_tile_effective", lang)].value == format_amount(effective, lang)
    assert effective < weighted
    spec = figure(at, "reality")
    assert [tr["name"] for tr in spec["data"]] == [
        t("reported", lang),
        t("effective_stage_short", lang),
    ]
    counts = hand["effective"].value_counts()
    open_keys = range(len(workspace.stage_model.keys) - 1)
    assert plotly_values(spec["data"][1]["y"]) == [int(counts.get(i, 0)) for i in open_keys]
    assert any(h.value == t("reality_by_owner_title", lang) for h in at.subheader)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sidebar_switch_counts_every_page_by_effective_stage(workspace, lang) -> None:
    at = app(lang, _keep_stage_basis="effective")
    assert not at.exception
    assert any(c.value == t("stages_effective_active", lang) for c in at.caption)
    hand = _effective_by_hand(workspace)
    counts = hand["effective"].value_counts()
    funnel = plotly_values(figure(at, "funnel")["data"][0]["x"])
    open_keys = range(len(workspace.stage_model.keys) - 1)
    assert funnel[:-1] == [int(counts.get(i, 0)) for i in open_keys]
    assert at.metric[0].value == f"{len(hand):,}"  # every open deal is still counted
    # Off again, the reported funnel.
    reported = app(lang)
    assert not any(c.value == t("stages_effective_active", lang) for c in reported.caption)
    assert plotly_values(figure(reported, "funnel")["data"][0]["x"])[:-1] == [
        int((hand["reported"] == i).sum()) for i in open_keys
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_counting_at_the_last_completed_stage(workspace, lang) -> None:
    """Six-state has milestones only: a stage is shown completed once a later stage (up to the
    reported one) has all its milestones done. Counted plainly, deal by deal."""
    model = workspace.stage_model
    obs = workspace.observations
    latest = obs[(obs["snapshot_date"] == obs["snapshot_date"].max()) & (obs["status"] == "open")]
    keys = list(model.keys)

    def entered(deal, j: int) -> bool:
        items = [c for c, (s, _i) in model.checklist_columns.items() if s == keys[j]]
        return all(pd.notna(deal[c]) and bool(deal[c]) for c in items if c in deal)

    counts = [0] * (len(keys) - 1)
    for _, deal in latest.iterrows():
        r = keys.index(deal["stage"])
        done = [j for j in range(r) if entered(deal, j + 1)]
        counts[max(done) if done else 0] += 1
    at = app(lang, _keep_stage_basis="completed")
    assert not at.exception
    assert any(c.value == t("stages_completed_active", lang) for c in at.caption)
    assert plotly_values(figure(at, "funnel")["data"][0]["x"])[:-1] == counts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_switch_is_off_and_says_why_for_an_export_without_evidence(lang) -> None:
    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    at = on_data_page(lang)
    upload(at, path.name, path.read_bytes())
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    switch = at2.sidebar.selectbox(key=f"stage_basis__{lang}")
    assert switch.proto.disabled and switch.options == [t("basis_reported", lang)]
    assert switch.proto.help == t("sidebar_effective_none", lang)
    at2.switch_page("pages/stage-check.py").run()
    assert any(i.value == t("reality_none", lang) for i in at2.info)


GRADE_TILES = ("grade_tile_a_share", "grade_tile_a", "grade_tile_at_risk", "grade_tile_agreement")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_suggests_grades_on_the_sample(workspace, lang) -> None:
    """The sample: the four tiles against the library's grades, the declared × suggested heat
    map against a count by hand of the latest export's open deals with a grade, one rep's
    matrix, and the A deals at risk listed."""
    from funnel_analytics.report import build_report

    at = app(lang)
    at.switch_page("pages/stage-check.py").run()
    assert not at.exception
    from funnel_analytics.workspace import sample_roles

    roles = sample_roles(workspace.stage_model).roles  # the sample's key-roles sheet
    view = build_report(workspace.observations, workspace.stage_model, roles=roles).grades
    tiles = {m.label: m.value for m in at.metric}
    a = view.deals[view.deals["suggested_grade"] == "A"]
    total = view.deals["amount"].sum()
    assert tiles[t("grade_tile_a_share", lang)] == f"{a['amount'].sum() / total:.0%}"
    assert tiles[t("grade_tile_a", lang)] == f"{len(a):,}"
    assert tiles[t("grade_tile_at_risk", lang)] == f"{int((a['risks'] > 0).sum()):,}"
    agree = (view.deals["declared_grade"] == view.deals["suggested_grade"]).sum()
    declared = view.deals["declared_grade"].notna().sum()
    assert tiles[t("grade_tile_agreement", lang)] == f"{agree / declared:.0%}"
    obs = workspace.observations
    latest = obs[(obs["snapshot_date"] == obs["snapshot_date"].max()) & (obs["status"] == "open")]
    heat = figure(at, "grade_matrix")
    assert sum(sum(plotly_values(r)) for r in heat["data"][0]["z"]) == int(
        latest["grade"].notna().sum()
    )
    points = figure(at, "grade_map")
    drawn = sum(len(plotly_values(tr["x"])) for tr in points["data"])
    assert drawn == int(view.deals["p_close"].notna().sum())
    headers = [h.value for h in at.subheader]
    assert t("grade_at_risk_title", lang) in headers
    assert any(len(d.value) == len(view.at_risk) for d in at.dataframe)
    # Looking back three months: both grades' rates drawn.
    back = figure(at, "grade_back")
    assert [tr["name"] for tr in back["data"]] == [
        t("chart_backtest_suggested", lang),
        t("chart_backtest_declared", lang),
    ]
    # One rep's matrix holds that rep's declared deals only.
    rep = view.by_owner.loc[view.by_owner["declared"] > 0, "owner"].iloc[0]
    at.selectbox(key="gr_rep").select(rep).run()
    heat = figure(at, "grade_matrix")
    mine = latest[(latest["owner"] == rep) & latest["grade"].notna()]
    assert sum(sum(plotly_values(r)) for r in heat["data"][0]["z"]) == len(mine)


def test_stage_check_page_regrades_with_the_thresholds_set_on_it(workspace) -> None:
    """A one-month horizon and a stricter "likely": the tiles follow the library's grades
    under the same settings, and the caption states them."""
    from funnel_analytics.grading import GradeSettings, grade_view
    from funnel_analytics.report import build_report

    at = app("en")
    at.switch_page("pages/stage-check.py").run()
    at.number_input(key="gr_horizon").set_value(1).run()
    at.slider(key="gr_likely").set_value(0.6).run()
    assert not at.exception
    inputs = build_report(workspace.observations, workspace.stage_model).grades.inputs
    rule = GradeSettings(likely=0.6, horizon_months=1)
    view = grade_view(inputs, rule)
    tiles = {m.label: m.value for m in at.metric}
    assert (
        tiles[t("grade_tile_a", "en")] == f"{int((view.deals['suggested_grade'] == 'A').sum()):,}"
    )
    assert view.summary["count"].tolist() != grade_view(inputs).summary["count"].tolist()
    caption = t("grade_caption", "en", horizon=1, likely="0.60", possible="0.20", soon="0.50")
    assert caption in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_grades_an_export_without_a_grade_column(lang) -> None:
    """One export without its Rating column: too little history to time the stages and no
    declared grade. Grades are still suggested (by expected close date), the page says what a
    grade column and more history would add, and draws no empty chart."""
    import csv

    from funnel_analytics.report import build_report

    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    drop = rows[0].index("Rating")
    out = io.StringIO()
    csv.writer(out).writerows([r[:drop] + r[drop + 1 :] for r in rows])
    at = on_data_page(lang)
    upload(at, "no_grade_2026-10.csv", out.getvalue().encode("utf-8"))
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    state = app_state(at2)
    view = build_report(state.observations, state.model).grades
    assert not view.has_declared and view.timing_counts["measured"] == 0
    unknown = view.timing_counts["overdue"] + view.timing_counts["unknown"]
    infos = [i.value for i in at2.info]
    assert t("grade_timing_unmeasured", lang, unknown=f"{unknown:,}") in infos
    assert t("grade_no_declared", lang) in infos
    assert t("grade_no_flags", lang) in infos
    assert t("grade_backtest_none", lang, horizon=3) in infos
    tiles = {m.label: m.value for m in at2.metric}
    assert (
        tiles[t("grade_tile_a", lang)] == f"{int((view.deals['suggested_grade'] == 'A').sum()):,}"
    )
    assert tiles[t("grade_tile_agreement", lang)] == "—"
    assert tiles[t("grade_tile_at_risk", lang)] == "—"
    charts = at2.get("plotly_chart")
    assert [c for c in charts if "grade_map" in c.proto.id]
    assert not [c for c in charts if "grade_matrix" in c.proto.id]
    for chart in charts:  # no empty chart
        assert any(len(plotly_values(tr["x"])) for tr in json.loads(chart.proto.spec)["data"])


# The six-state model's stages mirror these procurement positions (need=0 … signed=7).
SIX_MIRRORS = {"Target": 0, "Qualified": 2, "Shortlisted": 5, "Committed": 6, "Near-win": 6}
BUYING = ["Need confirmed", "预算到位", "已立项", "Tender published", "评标", "Negotiation", "??"]
BUYING_AT = [0, 1, 2, 4, 5, 6, None]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stage_check_page_sets_our_stage_against_the_customers_buying_stage(lang) -> None:
    """The sample's English CSV with a "Buying Stage" column added, one value per row in turn
    (one of them unknown): the page's tiles and heat map against a count by hand."""
    import csv

    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head, body = rows[0], rows[1:]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*head, "Buying Stage"])
    expected = {"in_step": 0, "ahead": 0, "behind": 0, "behind_stalled": 0}
    for i, row in enumerate(body):
        writer.writerow([*row, BUYING[i % len(BUYING)]])
        ours, theirs = SIX_MIRRORS.get(row[head.index("Stage")]), BUYING_AT[i % len(BUYING)]
        if ours is not None and theirs is not None:
            gap = ours - theirs
            expected["in_step" if gap == 0 else "ahead" if gap > 0 else "behind"] += 1
    data = out.getvalue().encode("utf-8")
    at = on_data_page(lang)
    upload(at, "buying_2026-10.csv", data)
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    tiles = {m.label: m.value for m in at2.metric}
    for key, count in expected.items():
        assert tiles[t(f"sync_{key}", lang)] == f"{count:,}"
    heat = figure(at2, "sync")
    assert sum(sum(r) for r in heat["data"][0]["z"]) == sum(expected.values())
    assert heat["data"][0]["x"][0] == t("procurement_need", lang)


PLANNING_PAGES = ["pages/planner.py", "pages/forecast.py", "pages/scenarios.py", "pages/team.py"]
PLANNING_TITLES = {
    "planner": "planner_title",
    "forecast": "forecast_title",
    "scenarios": "scenarios_title",
    "team": "team_title",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PLANNING_PAGES)
def test_planning_pages_run_in_both_languages(page: str, lang: str) -> None:
    at = app(lang)
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == t(PLANNING_TITLES[Path(page).stem], lang)
    assert at.get("plotly_chart"), "every planning page draws a chart"
    assert any(b.label == t("download_xlsx", lang) for b in at.get("download_button"))


@pytest.mark.parametrize("page", PLANNING_PAGES)
def test_planning_pages_leave_nothing_half_translated(page: str) -> None:
    at = app("en")
    at.switch_page(page).run()
    texts = [
        at.title[0].value,
        *(c.value for c in at.caption),
        *(m.label for m in at.metric),
        *(m.help or "" for m in at.metric),
        *(h.value for h in at.subheader),
        *(json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")),
    ]
    for text in texts:
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        ("pages/planner.py", ["plan_target", "plan_average"]),
        ("pages/forecast.py", ["fc_target"]),
        ("pages/scenarios.py", ["sc_target"]),
    ],
)
def test_amount_defaults_and_what_follows_do_not_change_with_the_language(page, keys) -> None:
    """A default amount shown in 万元 or in thousands is the same amount, so a manager who
    switches the language sees the same plan (the Planner once read 153.7 contracts in
    Chinese and 153.8 in English: 87.1万 against 870.5k)."""
    from funnel_analytics.formatting import amount_unit

    seen = {}
    for lang in ("zh", "en"):
        at = app(lang)
        at.switch_page(page).run()
        assert not at.exception
        div = amount_unit(lang)[0]
        amounts = [at.number_input(key=k).value * div for k in keys]
        tiles = [m.value for m in at.metric]
        seen[lang] = (amounts, tiles)
    assert seen["zh"][0] == pytest.approx(seen["en"][0], abs=1e-6)
    if page == "pages/planner.py":  # counts read alike in both languages
        assert seen["zh"][1][:2] == seen["en"][1][:2]


def test_planner_reproduces_the_domain_example_by_units() -> None:
    at = app("en", _keep_plan_by="units")
    at.switch_page("pages/planner.py").run()
    at.number_input(key="plan_units").set_value(200.0)
    at.number_input(key="plan_avg_units").set_value(2.0)
    at.run()
    assert not at.exception
    contracts = next(m for m in at.metric if m.label == t("plan_contracts", "en"))
    assert contracts.value == "100.0"


def test_planner_page_and_cli_plan_agree() -> None:
    """The Planner page and ``funnel-analytics plan --from-data`` make one calculation: the
    same stages (the won stage's need is the contracts), needs and balance on the sample."""
    import json
    import subprocess
    import sys

    at = app("en")
    at.switch_page("pages/planner.py").run()
    at.number_input(key="plan_target").set_value(300_000.0)  # thousands: 300M
    at.number_input(key="plan_average").set_value(1_000.0)  # 1M
    at.run()
    assert not at.exception
    files = sorted((ROOT / "sample_data").glob("商机导出_*.xlsx"))
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "funnel_analytics.cli", "plan", *map(str, files)),
            *("--from-data", "--target", "3e8", "--average-deal", "1e6", "--json", "--lang", "en"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cli = json.loads(proc.stdout)
    assert [s["stage"] for s in cli["stages"]][-1] == "won"
    intake = next(m for m in at.metric if m.label == t("plan_intake", "en"))
    assert intake.value == f"{cli['intake_per_month']:,.1f}"
    contracts = next(m for m in at.metric if m.label == t("plan_contracts", "en"))
    assert contracts.value == f"{cli['contracts']:,.1f}" == "300.0"
    spec = figure(at, "plan_chart")
    needs = [s["per_month"] for s in cli["stages"]]
    assert plotly_values(spec["data"][0]["y"]) == pytest.approx(needs)
    coverage = next(m for m in at.metric if m.label == t("plan_coverage", "en"))
    assert coverage.value == f"{cli['balance']['coverage']:,.1f}×"


def test_forecast_page_range_is_ordered_and_reproducible() -> None:
    at = app("en")
    at.switch_page("pages/forecast.py").run()
    assert not at.exception
    spec = figure(at, "fc_range")
    p90, p10, p50 = (plotly_values(spec["data"][i]["y"]) for i in range(3))
    assert all(lo <= mid <= hi for lo, mid, hi in zip(p10, p50, p90, strict=True))
    again = app("en")
    again.switch_page("pages/forecast.py").run()
    assert plotly_values(figure(again, "fc_range")["data"][2]["y"]) == p50


def test_forecast_caption_says_why_no_new_deals_are_added() -> None:
    """The caption counts the deals not yet created when there are some, and says why when
    there are none, rather than "0 deals not yet created (0.0 a month)"."""
    at = app("en")
    at.switch_page("pages/forecast.py").run()
    caption = " ".join(c.value for c in at.caption)
    assert "deals not yet created (" in caption and "(0.0 a month)" not in caption
    at.toggle(key="fc_new").set_value(False).run()
    assert not at.exception
    caption = " ".join(c.value for c in at.caption)
    assert "no deals not yet created are added: “Include deals not yet created” is off" in caption
    assert "a month)" not in caption


def test_forecast_page_and_report_make_one_forecast(workspace) -> None:
    """The Forecast page and ``report --json``'s forecast are one calculation
    (outlook.forecast_view): the same weighted total, P50 and chance of the default target."""
    from funnel_analytics.report import build_report

    at = app("en")
    at.switch_page("pages/forecast.py").run()
    assert not at.exception
    data = build_report(workspace.observations, workspace.stage_model, outlook=True).data
    fc = data["forecast"]
    tiles = {m.label: m.value for m in at.metric}
    weighted = tiles[t("forecast_weighted_total", "en", basis=t("prob_choice_calibrated", "en"))]
    assert amount_of(weighted) == pytest.approx(fc["weighted"]["total"], rel=0.005)
    p50 = next(v for k, v in tiles.items() if k.startswith("P50 to"))
    assert amount_of(p50) == pytest.approx(fc["period_total"]["p50"], rel=0.005)
    assert p50[-1] == weighted[-1]  # one unit on the page
    assert tiles[t("forecast_p_hit", "en")] == f"{fc['p_hit_target']:.0%}"


def test_forecast_weighted_pipeline_is_named_with_its_probabilities() -> None:
    """The Overview weights the open amount by the model's nominal probabilities; the Forecast
    by the probabilities chosen in the sidebar (calibrated by default), and its tile says
    which. With nominal ones the two pages show one figure."""
    at = app("en", _keep_prob_source="nominal")
    overview = {m.label: m.value for m in at.metric}
    at.switch_page("pages/forecast.py").run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    nominal = t("forecast_weighted_total", "en", basis=t("prob_choice_nominal", "en"))
    assert tiles[nominal] == overview[t("kpi_weighted", "en")]
    at = app("zh")
    at.switch_page("pages/forecast.py").run()
    calibrated = t("forecast_weighted_total", "zh", basis=t("prob_choice_calibrated", "zh"))
    assert calibrated in [m.label for m in at.metric]


def test_scenario_is_added_compared_and_saved() -> None:
    from funnel_analytics.scenarios import scenarios_from_json, scenarios_to_json

    at = app("en")
    at.switch_page("pages/scenarios.py").run()
    at.text_input(key="sc_name").input("Win more")
    at.slider(key="sc_win").set_value(20)
    submit = next(b for b in at.get("button") if b.proto.label == t("scenario_add", "en"))
    submit.click()
    at.run()
    assert not at.exception
    names = [s.name for s in at.session_state["scenarios"]]
    assert names == ["Win more"]
    spec = figure(at, "sc_chart")
    p50 = plotly_values(spec["data"][0]["y"])
    assert len(p50) == 2 and p50[1] > p50[0]
    assert any(b.label == t("scenario_save", "en") for b in at.get("download_button"))
    reloaded = scenarios_from_json(scenarios_to_json(at.session_state["scenarios"]))
    assert reloaded[0].levers.win_rate == pytest.approx(1.2)


def test_conversion_page_created_cohort(workspace) -> None:
    from funnel_analytics.conversion import created_cohort_win_rates
    from funnel_analytics.report import build_report

    at = app("en")
    at.switch_page("pages/conversion.py").run()
    at.segmented_control(key="win_cohort__en").set_value("created").run()
    assert not at.exception
    report = build_report(workspace.observations, workspace.stage_model)
    start = report.history.as_of - pd.DateOffset(months=12)
    rates = created_cohort_win_rates(
        report.history, workspace.observations, start, report.history.as_of
    )
    bars = figure(at, "win_rate")["data"][0]
    assert plotly_values(bars["y"]) == pytest.approx(rates["win_rate"].tolist())
    assert any("decided" in c.value for c in at.caption)


def test_planning_pages_on_one_small_export_without_history() -> None:
    """One three-row export: nothing won, no timing, no target from the data. Every planning
    page still draws, and says what it cannot measure instead of failing."""
    at = on_data_page("en")
    upload(
        at,
        "title_and_hint_2024-03.xlsx",
        (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
    )
    uploaded = at.session_state["uploads"]
    for page in PLANNING_PAGES:
        run = app("en", _keep_source="upload", uploads=uploaded)
        run.switch_page(page).run()
        assert not run.exception, (page, [e.value for e in run.exception])
    forecast = app("en", _keep_source="upload", uploads=uploaded)
    forecast.switch_page("pages/forecast.py").run()
    assert forecast.info[0].value == t("accuracy_none", "en")


FOREIGN = ROOT / "tests" / "foreign" / "files"


def test_use_this_files_stages_is_offered_used_saved_and_offered_again(private_store) -> None:
    data = (FOREIGN / "pipedrive_deals.csv").read_bytes()
    at = on_data_page("en")
    fid = upload(at, "pipedrive_deals.csv", data)
    at.button(key=f"asof_ok_{fid}").click().run()  # the proposed date: the latest update time
    assert at.session_state["uploads"][fid]["as_of"] == pd.Timestamp("2024-11-29")
    # No built-in model fits: the file's own stages are proposed, each with its evidence.
    assert any(t("infer_title", "en") in e.label for e in at.expander)
    # Pipedrive's export gives no probability and no history: the five figures are
    # placeholders, and the page says so.
    spaced = t("infer_spaced_warning", "en", count=5, min=MIN_CLOSED)
    assert [w.value for w in at.warning if w.value == spaced] == [spaced]
    next(b for b in at.button if b.key == f"infer_use_{fid}").click().run()
    assert not at.exception
    model = at.session_state["custom_model"]
    assert at.session_state["_keep_model_name"] == "custom"
    assert [s.en for s in model.open_stages] == [  # Pipedrive's default pipeline
        "Lead In",
        "Contact Made",
        "Needs Defined",
        "Proposal Made",
        "Negotiations Started",
    ]
    # The frame runs with the chosen model: every row is valid now.
    again = app(
        "en",
        _keep_source="upload",
        _keep_model_name="custom",
        custom_model=model,
        uploads=at.session_state["uploads"],
    )
    again.switch_page("pages/data.py").run()
    assert any(
        t("file_summary", "en", read=220, valid=220, rejected=0, warnings=71) in m.value
        for m in again.markdown
    ), [m.value for m in again.markdown]
    # The five placeholders stay with the model: the pages that weigh deals by its figures
    # say so, in either language; the funnel's pages, which do not, stay quiet.
    assert [s.placeholder for s in model.open_stages] == [True] * 5
    for lang in ("en", "zh"):
        said = t(
            "model_placeholders",
            lang,
            count=5,
            stages=("、" if lang == "zh" else ", ").join(
                f"{s.name(lang)} {s.probability:.0%}" for s in model.open_stages
            ),
        )
        for page, warned in (("overview", True), ("forecast", True), ("conversion", False)):
            run = app(
                lang,
                _keep_source="upload",
                _keep_model_name="custom",
                custom_model=model,
                uploads=at.session_state["uploads"],
            )
            run.switch_page(f"pages/{page}.py").run()
            assert not run.exception, [e.value for e in run.exception]
            assert (said in [w.value for w in run.warning]) is warned, (page, lang)
            # Its amounts are in euros, dollars and pounds, added up as they are: said too.
            mixed = t(
                "mixed_currencies",
                lang,
                count=3,
                currencies=("、" if lang == "zh" else ", ").join(["EUR", "GBP", "USD"]),
            )
            assert (mixed in [w.value for w in run.warning]) is warned, (page, lang)
    # Another session, next month's file with the same stage values: the saved model is offered.
    later = on_data_page("en")
    nxt = upload(later, "pipedrive_deals_next.csv", data + b"\n")
    later.button(key=f"asof_ok_{nxt}").click().run()
    assert any(t("model_saved_offer", "en") in i.value for i in later.info)


UNIT_NAMES = {"万": "万元", "亿": "亿元", "k": "thousands", "M": "millions"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/forecast.py"])
def test_one_amount_unit_per_page(page: str, lang: str) -> None:
    """Tiles, chart axes and table headers of a page give amounts in one unit."""
    at = app(lang)
    at.switch_page(page).run()
    assert not at.exception
    suffixes = {
        m.value[-1]
        for m in at.metric
        if m.value and m.value[-1] in UNIT_NAMES and m.value[0].isdigit()
    }
    assert len(suffixes) == 1, [m.value for m in at.metric]
    name = UNIT_NAMES[suffixes.pop()]
    titles = [
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
        for c in at.get("plotly_chart")
    ]
    amount_titles = [
        x for x in titles if "万元" in x or "亿元" in x or "thousands" in x or "millions" in x
    ]
    assert amount_titles and all(name in x for x in amount_titles), (name, amount_titles)
    headers = [
        h for df in at.dataframe for h in df.value.columns if "(" in str(h) or "（" in str(h)
    ]
    unit_headers = [h for h in headers if any(u in h for u in ("万元", "亿元", "(k)", "(M)"))]
    short = {"万元": "万元", "亿元": "亿元", "thousands": "(k)", "millions": "(M)"}[name]
    assert all(short in h for h in unit_headers), (name, unit_headers)


def test_a_store_busy_with_another_program(private_store, monkeypatch) -> None:
    """While a command-line import writes the store, the dashboard says the store is busy
    (not empty), and saving an upload says so too, instead of a traceback."""
    import subprocess
    import sys

    from funnel_analytics.store import SnapshotStore

    SnapshotStore(private_store).close()
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE_WAIT", "1")
    hold = (
        "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
        " time.sleep(120)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", hold, str(private_store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        at = on_data_page("en")
        assert not at.exception
        assert any(t("store_busy_page", "en") in w.value for w in at.warning)
        assert not any(t("stored_empty", "en") in c.value for c in at.caption)
        fid = upload(
            at,
            "title_and_hint_2024-03.xlsx",
            (CORPUS / "messy" / "title_and_hint_2024-03.xlsx").read_bytes(),
        )
        next(b for b in at.button if b.key == f"save_{fid}").click().run()
        assert not at.exception
        assert any("is being written by another program" in e.value for e in at.error)
        stored = app("en", _keep_source="store")
        assert not stored.exception
        assert any(t("store_busy_page", "en") in i.value for i in stored.info)
    finally:
        proc.kill()
        proc.wait()


def test_a_failing_page_shows_an_error_id_not_a_traceback(monkeypatch, caplog) -> None:
    """A page that fails shows one sentence with an id; the log has the traceback under it."""
    monkeypatch.delenv("FUNNEL_ANALYTICS_RAISE_PAGE_ERRORS", raising=False)
    at = app("en", custom_model="not a stage model", model_name__en="custom")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "error id" in errors[0], errors
    error_id = errors[0].split("error id ")[1].split()[0]
    assert "Traceback" not in errors[0] and "AttributeError" not in errors[0]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


EVIL = "![x](http://127.0.0.1:9/x.png)[click](http://127.0.0.1:9/)<img src=x>"


def test_user_text_never_renders_as_markdown_or_html() -> None:
    """A file name, stage value, owner, team and note carrying Markdown images, links and
    HTML: every page shows them as text (escaped), never as an image or a link."""
    rows = [
        ["商机编号", "商机名称", "销售阶段", "预计金额", "负责人", "团队", "快照日期"],
        ["1", EVIL, "入围客户", "100", EVIL, EVIL, "2026-10-31"],
        ["2", "b", EVIL, "200", "王五", "华东", "2026-10-31"],
        ["3", "c", "赢单客户", "300", "王五", "华东", "2026-10-31"],
    ]
    at = on_data_page("en")
    upload(at, f"{EVIL}.csv", csv_bytes(rows))
    assert not at.exception
    pages = ["pages/data.py", "pages/overview.py", "pages/conversion.py", "pages/ageing.py"]
    pages += ["pages/stage-check.py", "pages/planner.py", "pages/forecast.py", "pages/team.py"]
    state = {"_keep_source": "upload", "uploads": at.session_state["uploads"]}
    for page in pages:
        run = app("en", **state)
        run.switch_page(page).run()
        assert not run.exception, page
        texts = [
            e.value
            for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
            for e in run.get(kind)
        ]
        for text in texts:
            live = re.sub(r"\\.", "", text)  # what Markdown would still interpret
            # The only links a page writes itself go to its own sections ("](#…)").
            assert "![" not in live and "<img" not in live, (page, text)
            assert not re.search(r"\]\((?!#[a-z]+\))", live), (page, text)


def _hostile_maker():
    import importlib.util
    import sys

    path = ROOT / "tests" / "hostile" / "make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_hostile", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    [
        "far_cell.xlsx",  # one cell at XFD1048576: once aborted the whole server
        "shared_string_bomb.xlsx",  # 46 KB, one 40 MB string in 200 cells
        "shared_string_fanout.xlsx",
        "long_line.csv",
        "wide_100k_columns.csv",
    ],
)
def test_the_dashboard_survives_a_hostile_upload(name: str, tmp_path) -> None:
    """The upload is refused with a message naming the limit; the server (this process) goes
    on, and another session's Overview still shows its figures."""
    made = _hostile_maker().make_files(tmp_path, only=[name])[name]
    at = on_data_page("en")
    upload(at, name, made.read_bytes())
    assert not at.exception
    shown = " ".join(e.value for e in at.error).replace("\\", "")  # as the page reads
    assert t("file_refused", "en") in shown and "FUNNEL_ANALYTICS_" in shown, shown
    other = app("en")
    assert not other.exception
    assert len(other.metric) == 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_under_another_stage_model_says_why_it_is_empty(lang: str) -> None:
    """The sample company records deals in the six-state funnel and the eight-stage process
    (tests/test_sample_eight.py); under Salesforce's stages every open deal of the sample is
    rejected (its won and lost ones are read by their names). The page says so (not "nothing
    uploaded", nor a funnel of no open deals), names both models and offers the way back."""
    from funnel_analytics.stages import get_stage_model

    at = app(lang, _keep_model_name="salesforce")
    assert not at.exception
    ws = load_workspace(stage_model="salesforce")
    # Every open stage is unknown to it; at most the won and lost rows are read, by name.
    rejected = sum(int((r.findings["rule"] == "unknown_stage").sum()) for r in ws.results)
    read = sum(r.rows_read for r in ws.results)
    assert rejected > 0 and rejected == sum(r.rows_rejected for r in ws.results)
    assert all((r.opportunities["status"] != "open").all() for r in ws.results)
    (warning,) = at.warning
    assert f"{rejected:,} of the {read:,}" in warning.value or f"{read:,} 行中有 {rejected:,}" in (
        warning.value
    )
    assert t("no_data_upload", lang) not in warning.value
    six = load_workspace().stage_model.title(lang)
    assert six in warning.value
    assert get_stage_model("eight_stage").title(lang) in warning.value
    (back,) = [b for b in at.button if six in b.label]
    back.click().run()
    assert at.session_state["_keep_model_name"] == "six_state"


def test_a_euro_export_reads_in_euros_in_chinese() -> None:
    """The Chinese units name the currency of the rows in view: a German-locale export's
    amounts (``12.000,50 €``) are 万欧元 on the axes and headers, never 万元 (yuan); the sample
    stays in 万元."""
    at = on_data_page("zh")
    name = "european_excel_2024-04.csv"
    upload(at, name, (CORPUS / "messy" / name).read_bytes())
    assert not at.exception

    def unit_texts(run: AppTest) -> list[str]:
        specs = [json.loads(c.proto.spec) for c in run.get("plotly_chart")]
        texts = [json.dumps(s, ensure_ascii=False) for s in specs]
        texts += [str(h) for df in run.dataframe for h in df.value.columns]
        texts += [n.label for n in run.number_input]
        return [x for x in texts if "万" in x or "亿" in x]

    for page in ("overview", "forecast", "planner"):
        run = app("zh", _keep_source="upload", uploads=at.session_state["uploads"])
        run.switch_page(f"pages/{page}.py").run()
        assert not run.exception, [e.value for e in run.exception]
        texts = unit_texts(run)
        assert any("万欧元" in x for x in texts), (page, texts)
        assert not any("万元" in x or "亿元" in x for x in texts), (page, texts)
    sample = app("zh")
    sample.switch_page("pages/forecast.py").run()
    texts = unit_texts(sample)
    assert any("万元" in x for x in texts) and not any("欧元" in x for x in texts)

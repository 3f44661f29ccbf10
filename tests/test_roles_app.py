"""The Stage check page's key roles' view under AppTest, in both languages: an export uploaded
with a roles file (tiles, heat map and tables against the counts worked by hand in
test_roles.py), and an export with none (an explanation, no chart)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import csv_bytes, plotly_values, xlsx_bytes
from test_app import app, figure, on_data_page, upload
from test_roles import CHINESE_GB18030, CHINESE_ROWS, EXPORT_ROWS

from funnel_analytics.i18n import t
from funnel_analytics.roles import FLAGS
from funnel_analytics.stages import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("FUNNEL_ANALYTICS_STORE", str(path))
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_upload_with_a_roles_file_shows_the_key_roles(lang) -> None:
    at = on_data_page(lang)
    upload(at, "商机_2026-10-31.csv", csv_bytes(EXPORT_ROWS))
    upload(at, "关键角色.csv", CHINESE_GB18030)
    assert not at.exception
    # The Data page reads the roles file as one, with its findings, not as an export.
    detected = t("roles_file_detected", lang, format="csv", sheet="—", header_row=2)
    assert f"{detected} {t('roles_file_kept', lang)}" in [c.value for c in at.caption]
    summary = t("file_summary", lang, read=8, valid=6, rejected=2, warnings=4)
    assert any(summary in m.value for m in at.markdown)
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    tiles = {m.label: m.value for m in at2.metric}
    assert tiles[t("roles_tile_coverage", lang)] == "3"
    assert tiles[t("role_flag_single_contact", lang)] == "1"
    assert tiles[t("role_flag_no_decision_maker", lang)] == "0"
    assert tiles[t("role_flag_opposed", lang)] == "1"
    assert tiles[t("role_flag_no_coach", lang)] == "0"
    heat = figure(at2, "roles")
    z = heat["data"][0]["z"]
    assert sum(sum(plotly_values(row)) for row in z) == 2  # P1 and P2 have a consensus stage
    assert heat["data"][0]["x"][0] == DEFAULT_MODEL.stage_names(lang)["target"]
    headers = [h.value for h in at2.subheader]
    assert t("roles_deals_title", lang) in headers and t("roles_by_title", lang) in headers
    # One export: no deal was seen open before it closed, and the page says so.
    infos = [i.value for i in at2.info]
    assert t("roles_win_none", lang) in infos
    assert t("roles_none", lang) not in infos


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_without_roles_says_what_a_roles_sheet_would_add(lang) -> None:
    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    at = on_data_page(lang)
    upload(at, path.name, path.read_bytes())
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    assert t("roles_none", lang) in [i.value for i in at2.info]
    assert t("roles_title", lang) in [h.value for h in at2.header]
    # No chart nor tile of the key roles (the suggested grade needs none of them and draws its own).
    assert "roles" not in [getattr(c, "key", None) for c in at2.get("plotly_chart")]
    role_tiles = {t("roles_tile_coverage", lang), *(t(f"role_flag_{f}", lang) for f in FLAGS)}
    assert not [m for m in at2.metric if m.label in role_tiles]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_salesforces_contact_roles_beside_its_export_say_what_they_cannot_judge(lang) -> None:
    """OpportunityContactRole has no stance, engagement or stage: the page says what that
    leaves out, shows no consensus chart, and still counts the flags it can judge. The
    sample's first deal (Shortlisted) has an economic buyer and a technical buyer; its second
    (Committed) only a business user: one tree, no decision maker, no coach."""
    path = ROOT / "sample_data" / "opportunities_en_2026-10.csv"
    ocr = (
        b'"Id","OpportunityId","ContactId","Role","IsPrimary"\n'
        b'"00K1","OPP-2025-0076","003A","Economic Buyer","true"\n'
        b'"00K2","OPP-2025-0076","003B","Technical Buyer","false"\n'
        b'"00K3","OPP-2025-0097","003C","Business User","true"\n'
    )
    at = on_data_page(lang)
    upload(at, path.name, path.read_bytes())
    upload(at, "OpportunityContactRole.csv", ocr)
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    tiles = {m.label: m.value for m in at2.metric}
    assert tiles[t("roles_tile_coverage", lang)] == "2"
    assert tiles[t("role_flag_single_contact", lang)] == "1"
    assert tiles[t("role_flag_no_decision_maker", lang)] == "1"
    assert tiles[t("role_flag_opposed", lang)] == "—"
    assert tiles[t("role_flag_no_coach", lang)] == "1"
    infos = [i.value for i in at2.info]
    assert t("roles_no_stance", lang) in infos
    assert t("roles_no_engagement", lang, min=1) in infos
    assert t("roles_no_stage", lang) in infos
    assert not [c for c in at2.get("plotly_chart") if "roles" in c.proto.id]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_workbooks_roles_sheet_is_used_beside_its_opportunities(lang) -> None:
    """One workbook, opportunities on one sheet and key roles on another: the Data page says
    which sheet holds the roles and what was read; the Stage check page uses them."""
    data = xlsx_bytes(EXPORT_ROWS, sheet="商机", extra_sheets={"关键角色": CHINESE_ROWS})
    at = on_data_page(lang)
    upload(at, "商机_2026-10-31.xlsx", data)
    assert not at.exception
    said = t("roles_sheet_found", lang, sheet="关键角色", read=8, valid=6, rejected=2, warnings=4)
    assert said in [i.value for i in at.info]
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    tiles = {m.label: m.value for m in at2.metric}
    assert tiles[t("roles_tile_coverage", lang)] == "3"
    assert tiles[t("role_flag_opposed", lang)] == "1"


def test_the_chinese_key_roles_view_has_no_english_or_keys() -> None:
    """The page with roles, in Chinese: headers, cells, tiles and the heat map's axes."""
    from test_translation import _problems

    at = on_data_page("zh")
    upload(at, "商机_2026-10-31.csv", csv_bytes(EXPORT_ROWS))
    upload(at, "关键角色.csv", CHINESE_GB18030)
    at2 = app("zh", _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert not at2.exception
    assert sorted(set(_problems(at2))) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_roles_file_alone_asks_for_its_export(lang) -> None:
    at = on_data_page(lang)
    upload(at, "关键角色.csv", CHINESE_GB18030)
    assert not at.exception and not at.error  # read as a roles table, not refused as an export
    at2 = app(lang, _keep_source="upload", uploads=at.session_state["uploads"])
    at2.switch_page("pages/stage-check.py").run()
    assert [i.value for i in at2.info] == [t("roles_without_export", lang)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_consensus_rule_is_a_setting_that_reaches_the_effective_stage(lang) -> None:
    """On the sample (whose latest workbook has a key-roles sheet): choosing the median on
    the Stage check page is kept for the session; the page's effective-stage tiles and the
    Overview's effective funnel then follow the median rule, as the library computes it."""
    import dataclasses

    from funnel_analytics.formatting import format_amount
    from funnel_analytics.funnel import current_deals
    from funnel_analytics.reality import deal_reality
    from funnel_analytics.report import build_report
    from funnel_analytics.roles import RoleRule, role_view
    from funnel_analytics.workspace import load_workspace, sample_roles

    at = app(lang)
    at.switch_page("pages/stage-check.py").run()
    method = next(b for b in at.button_group if b.label == t("roles_rule_method", lang))
    method.set_value("median").run()
    assert not at.exception
    assert at.session_state["_keep_role_method"] == "median"

    median = dataclasses.replace(RoleRule(), method="median")
    ws = load_workspace()
    roles = sample_roles().roles
    report = build_report(ws.observations, ws.stage_model, roles=roles, role_rule=median)
    lowest = build_report(ws.observations, ws.stage_model, roles=roles)
    expected = report.data["effective_stage"]
    # The rule matters on the sample: the median leaves fewer deals below their report.
    assert expected["inflated"] < lowest.data["effective_stage"]["inflated"]

    fresh = app(lang, _keep_role_method="median")
    fresh.switch_page("pages/stage-check.py").run()
    assert not fresh.exception
    tiles = {m.label: m.value for m in fresh.metric}
    assert tiles[t("reality_tile_inflated", lang)] == f"{expected['inflated']:,}"
    assert tiles[t("reality_tile_effective", lang)] == format_amount(
        expected["effective_weighted"], lang
    )
    caption = t("roles_rule_caption", lang, method=t("roles_rule_word_median", lang), engagement=1)
    assert caption in [c.value for c in fresh.caption]

    latest = current_deals(ws.observations, None)
    consensus = role_view(ws.observations, latest, roles, ws.stage_model, median).consensus
    reality = deal_reality(latest, ws.stage_model, consensus)
    counts = [int((reality["effective_stage"] == k).sum()) for k in ws.stage_model.keys[:-1]]
    overview = app(lang, _keep_role_method="median", _keep_stage_basis="effective")
    assert not overview.exception
    funnel = plotly_values(figure(overview, "funnel")["data"][0]["x"])
    assert funnel[:-1] == counts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_saved_workbooks_roles_sheet_comes_back_with_the_stored_snapshots(
    private_store, lang
) -> None:
    """Saved from the Data page, the sample's latest workbook keeps its key-roles sheet with
    its snapshot; viewing the stored snapshots, the Stage check shows those roles."""
    from funnel_analytics.store import SnapshotStore

    path = ROOT / "sample_data" / "商机导出_2026-10.xlsx"
    at = on_data_page(lang)
    fid = upload(at, path.name, path.read_bytes())
    at.button(key=f"save_{fid}").click().run()
    assert not at.exception
    with SnapshotStore(private_store, read_only=True) as store:
        kept = store.roles()
    assert kept is not None and len(kept) > 1000
    stored = app(lang, _keep_source="store")
    stored.switch_page("pages/stage-check.py").run()
    assert not stored.exception
    tiles = {m.label: m.value for m in stored.metric}
    # Counted plainly: the workbook's open deals that the kept roles name.
    from funnel_analytics.loading import load_export

    deals = load_export(path).opportunities
    open_ids = set(deals.loc[deals["status"] == "open", "opportunity_id"])
    listed = len(open_ids & set(kept["opportunity_id"]))
    assert listed > 0
    assert tiles[t("roles_tile_coverage", lang)] == f"{listed:,}"
    assert t("roles_none", lang) not in [i.value for i in stored.info]


def test_roles_saved_later_with_a_stored_snapshot_show_at_once(private_store) -> None:
    """A workbook stored without its roles, then saved again with them: the stored view shows
    the roles on the next page run, not once a cache expires."""
    from funnel_analytics.loading import load_export
    from funnel_analytics.roles import read_roles
    from funnel_analytics.store import SnapshotStore

    path = ROOT / "sample_data" / "商机导出_2026-10.xlsx"
    result = load_export(path)
    with SnapshotStore(private_store) as store:
        store.import_result(result)
    before = app("en", _keep_source="store")
    before.switch_page("pages/stage-check.py").run()
    assert not before.exception
    assert t("roles_none", "en") in [i.value for i in before.info]
    with SnapshotStore(private_store) as store:
        store.import_result(result, roles=read_roles(path).roles)
    after = app("en", _keep_source="store")
    after.switch_page("pages/stage-check.py").run()
    assert not after.exception
    assert t("roles_none", "en") not in [i.value for i in after.info]
    assert t("roles_tile_coverage", "en") in {m.label for m in after.metric}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_roles_file_uploaded_alone_is_kept_with_the_saved_export(private_store, lang) -> None:
    """An export and a key-roles file uploaded side by side: saving the export keeps the
    roles records that name its deals, and the stored view shows the key roles as the upload
    did (coverage counted from the file by hand: P1, P2, P3)."""
    from funnel_analytics.roles import read_roles
    from funnel_analytics.store import SnapshotStore

    at = on_data_page(lang)
    fid = upload(at, "商机_2026-10-31.csv", csv_bytes(EXPORT_ROWS))
    upload(at, "关键角色.csv", CHINESE_GB18030)
    assert not at.exception
    button = at.button(key=f"save_{fid}")
    # The button says what it keeps (the file's name escaped as the page's markdown shows it).
    said = t("save_help_roles_files", lang, files="关键角色\\.csv")
    assert button.help.endswith(said)
    button.click().run()
    assert not at.exception
    roles = read_roles(CHINESE_GB18030, "关键角色.csv").roles
    export_ids = {row[0] for row in EXPORT_ROWS[1:]}
    naming = roles[roles["opportunity_id"].astype("object").isin(export_ids)]
    with SnapshotStore(private_store, read_only=True) as store:
        kept = store.roles()
        assert store.snapshots()["roles"].tolist() == [len(naming)]
    assert kept is not None and len(kept) == len(naming) > 0
    stored = app(lang, _keep_source="store")
    stored.switch_page("pages/stage-check.py").run()
    assert not stored.exception
    tiles = {m.label: m.value for m in stored.metric}
    assert tiles[t("roles_tile_coverage", lang)] == "3"

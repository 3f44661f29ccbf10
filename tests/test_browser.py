"""The real app in headless Chromium: `streamlit run dashboard.py`, driven by Playwright.

Screenshots of every page in both languages are written to ``screenshots/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import xlsx_bytes
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART = '[data-testid="stPlotlyChart"] .main-svg'

# One worker drives the browser tests, in order, against one server.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: run.py test should have installed it")
        pytest.skip("Debian's chromium is not installed (python3 run.py test installs it as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    _require_chromium()
    with _serve(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@contextlib.contextmanager
def _serve(folder: Path, *options: str, **settings: str):
    """``streamlit run dashboard.py`` on a free port with its own store (and any further
    Streamlit ``options`` and environment ``settings``); yields its address and fails if the
    server's log shows a traceback."""
    port = _free_port()
    log = folder / "streamlit.log"
    env = dict(os.environ, FUNNEL_ANALYTICS_STORE=str(folder / "store.duckdb"), **settings)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "dashboard.py"),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *options,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, locale: str):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale=locale, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def _shot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the window
    is made as tall as that block's content first (up to 4,000 px), then restored."""
    SHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)  # let charts finish their transition
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    size = page.viewport_size
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(height, size["height"]), 4000)}
    )
    page.wait_for_timeout(500)  # charts redraw at the new size
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def _wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _messy_export(folder: Path) -> Path:
    """A Chinese export a user might really send: title, hint row, an unknown stage header
    (进展), a bad amount, a formula-like note."""
    rows = [
        ["华辰智能科技 2026年10月商机清单"],
        ["商机编号", "商机名称", "进展", "预计金额（万元）", "创建日期", "备注"],
        ["必填", "必填", "必填，从下拉选择", "选填", "YYYY-MM-DD", "选填"],
        ["M-1", "甲项目", "目标客户", 12.5, dt.datetime(2026, 9, 1), "正常"],
        ["M-2", "乙项目", "入围客户", "待定", dt.datetime(2026, 9, 3), '=HYPERLINK("x")'],
        ["M-3", "丙项目", "意向客户", 30, dt.datetime(2026, 9, 9), None],
    ]
    path = folder / "商机导出_2026-10_华东.xlsx"
    path.write_bytes(xlsx_bytes(rows, sheet="商机"))
    return path


def test_sample_dashboard_in_both_languages(app_url, browser) -> None:
    page, errors = _page(browser, "zh-CN")
    page.goto(app_url)
    page.locator(CHART).first.wait_for(timeout=90_000)
    page.get_by_role("heading", name="销售漏斗概览").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 4
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 5
    _wait_idle(page)
    _shot(page, "overview-zh")
    for link, heading, shot in (
        ("转化", "阶段转化", "conversion-zh"),
        ("变化", "商机变化", "movement-zh"),
        ("停留时长", "阶段停留时长", "ageing-zh"),
        ("阶段核查", "阶段是否属实", "stage-check-zh"),
    ):
        page.get_by_role("link", name=link).click()
        page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
        page.locator(CHART).first.wait_for(timeout=60_000)
        _wait_idle(page)
        _shot(page, shot)
    page.get_by_role("link", name="数据导入").click()
    page.get_by_role("heading", name="数据导入").wait_for()
    _wait_idle(page)
    _shot(page, "data-zh")
    # Streamlit's own uploader words are English only: in Chinese they are replaced.
    instructions = page.locator('[data-testid="stFileUploaderDropzoneInstructions"]').first
    assert "Drag" not in instructions.inner_text() and "Limit" not in instructions.inner_text()
    before = instructions.locator("div").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert "将文件拖放到此处" in before
    button = page.locator('[data-testid="stFileUploaderDropzone"] button').first
    assert "Upload" not in button.inner_text()
    page.get_by_role("radio", name="English").click()
    page.get_by_role("heading", name="Data").wait_for(timeout=30_000)
    _wait_idle(page)
    _shot(page, "data-en")
    for link, heading, shot in (
        ("Conversion", "Stage conversion", "conversion-en"),
        ("Changes", "Pipeline changes", "movement-en"),
        ("Ageing", "Time in stage", "ageing-en"),
        ("Stage check", "Is the stage real?", "stage-check-en"),
    ):
        page.get_by_role("link", name=link).click()
        page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
        page.locator(CHART).first.wait_for(timeout=60_000)
        _wait_idle(page)
        _shot(page, shot)
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Sales funnel overview").wait_for(timeout=30_000)
    page.locator(CHART).first.wait_for(timeout=30_000)
    _wait_idle(page)
    _shot(page, "overview-en")
    assert not errors, errors


PAGES = {  # address: (Chinese heading, English heading)
    "": ("销售漏斗概览", "Sales funnel overview"),  # the Overview is the app's address
    "conversion": ("阶段转化", "Stage conversion"),
    "movement": ("商机变化", "Pipeline changes"),
    "ageing": ("阶段停留时长", "Time in stage"),
    "stage-check": ("阶段是否属实", "Is the stage real?"),
    "planner": ("平衡漏斗计划", "Balanced-funnel planner"),
    "forecast": ("预测", "Forecast"),
    "scenarios": ("情景模拟", "Scenarios"),
    "team": ("团队记分卡", "Team scorecard"),
    "data": ("数据导入", "Data"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_at_1440_pixels(app_url, browser, lang: str) -> None:
    """Every page opened by its address on a wide screen (1440 px; the other tests use
    1280): its heading, no error box, a screenshot ``<page>-<lang>-1440.png``."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path, headings in PAGES.items():
        page.goto(f"{app_url}/{path}")
        heading = headings[0] if lang == "zh" else headings[1]
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=90_000)
        if path not in ("data", "scenarios"):
            page.locator(CHART).first.wait_for(timeout=60_000)
        _wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        assert "Page not found" not in page.inner_text("body"), path
        _shot(page, f"{path or 'overview'}-{lang}-1440")
    context.close()
    assert not errors, errors


def test_upload_fix_mapping_save_switch_language_download(app_url, browser, tmp_path) -> None:
    page, errors = _page(browser, "zh-CN")
    page.goto(f"{app_url}/data")
    page.get_by_role("heading", name="数据导入").wait_for(timeout=90_000)
    uploader = page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    )
    uploader.set_input_files(str(_messy_export(tmp_path)))
    page.get_by_text("找不到“销售阶段”列").wait_for(timeout=60_000)
    _wait_idle(page)
    # Fix the mapping: the stage lives in 进展.
    page.get_by_text("哪一列是 阶段？").wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="哪一列是 阶段？").click()
    page.get_by_role("option", name="进展").click()
    page.get_by_text("读取 3 行：有效 2 行，拒绝 1 行").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "data-upload-zh")
    # Save as a snapshot.
    page.get_by_role("button", name="保存为快照").click()
    page.get_by_text("已保存为快照 #1。").wait_for(timeout=30_000)
    _wait_idle(page)
    # Switch to English: the same file, now reported in English.
    page.get_by_role("radio", name="English").click()
    page.get_by_text("3 rows read: 2 valid, 1 rejected").wait_for(timeout=30_000)
    _wait_idle(page)
    page.get_by_text("Snapshots in the store").wait_for()
    _shot(page, "data-upload-en")
    # Download the rejected rows: the reason is in English, the formula neutralised.
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download rejected rows (xlsx)").click()
    saved = tmp_path / "rejected.xlsx"
    info.value.save_as(saved)
    ws = openpyxl.load_workbook(saved).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Row", "Reason rejected"]
    row = [c.value for c in ws[2]]
    assert row[0] == 5 and "“待定” is not a number" in row[1]
    note = row[header.index("备注")]
    assert note.startswith("'=HYPERLINK") and ws.cell(2, header.index("备注") + 1).data_type == "s"
    assert not errors, errors


def test_a_deep_link_as_a_fresh_servers_first_request(browser, tmp_path) -> None:
    """``/forecast`` opened before anyone has opened the dashboard: Streamlit first runs the
    page alone (its pages-folder mode); the page hands over to the frame, which comes back to
    the Forecast with the sidebar and the translated navigation."""
    with _serve(tmp_path) as url:
        page, errors = _page(browser, "zh-CN")
        page.goto(f"{url}/forecast")
        page.get_by_role("heading", name="预测", exact=True).wait_for(timeout=90_000)
        page.locator(CHART).first.wait_for(timeout=90_000)
        _wait_idle(page)
        assert page.url.rstrip("/").endswith("/forecast")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "预测" in nav and "计划与预测" in nav and "ui" not in nav.split()
        assert page.get_by_text("数据来源").count() >= 1  # the frame's sidebar is drawn
        assert "Page not found" not in page.inner_text("body")
        assert not errors, errors


def _uploaded_bytes(url: str) -> int:
    """What Streamlit's uploaded-file manager holds, from its ``/_stcore/metrics``."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("cache_memory_bytes{") and 'cache_type="UploadedFileManager"' in line
    )


def test_a_closed_tabs_upload_is_released_by_the_server(browser, tmp_path) -> None:
    """Streamlit keeps a closed tab's session, and the upload in it, for as long as the
    server runs (its cache drops the session without shutting it down). The dashboard ends
    such sessions once the reconnect window has passed (here 2 s, the janitor every 1 s):
    the server's own metrics then show no uploaded bytes, while an open tab keeps its own."""
    with _serve(
        tmp_path,
        "--server.disconnectedSessionTTL",
        "2",
        FUNNEL_ANALYTICS_JANITOR_SECONDS="1",
    ) as url:
        tabs, sizes = [], []
        for n in range(2):
            context = browser.new_context(locale="en-US")
            page = context.new_page()
            page.goto(f"{url}/data")
            page.get_by_role("heading", name="Data", exact=True).wait_for(timeout=90_000)
            folder = tmp_path / f"tab{n}"
            folder.mkdir()
            export = _messy_export(folder)
            sizes.append(export.stat().st_size)
            _upload(page, export)
            page.get_by_text("商机导出_2026-10_华东.xlsx").first.wait_for(timeout=60_000)
            _wait_idle(page)
            tabs.append((context, page))
        # The file's name shows in the browser before its upload has reached the server.
        expected = sum(sizes)
        deadline = time.monotonic() + 30
        while _uploaded_bytes(url) < expected and time.monotonic() < deadline:
            time.sleep(0.25)
        both = _uploaded_bytes(url)
        assert both == expected, (both, expected)
        tabs[0][0].close()
        deadline = time.monotonic() + 40
        while _uploaded_bytes(url) >= both and time.monotonic() < deadline:
            time.sleep(0.5)
        one = _uploaded_bytes(url)
        assert 0 < one < both, (both, one)  # the closed tab's upload is gone, not the open one's
        # The open tab still works with its upload (its session was not ended).
        page = tabs[1][1]
        page.get_by_role("radio", name="中文").click()
        page.get_by_role("heading", name="数据导入").wait_for(timeout=30_000)
        page.get_by_text("找不到“销售阶段”列").wait_for(timeout=30_000)
        tabs[1][0].close()


def test_planning_pages_and_a_scenario_flow(app_url, browser, tmp_path) -> None:
    """Planner, Forecast, Team in both languages; then create a scenario, compare it with the
    baseline, save it as JSON, reload it in a fresh session and export the comparison."""
    page, errors = _page(browser, "zh-CN")
    page.goto(f"{app_url}/planner")  # a deep link, possibly the server's first request
    for path, heading, shot in (
        ("planner", "平衡漏斗计划", "planner-zh"),
        ("forecast", "预测", "forecast-zh"),
        ("scenarios", "情景模拟", "scenarios-zh"),
        ("team", "团队记分卡", "team-zh"),
    ):
        page.goto(f"{app_url}/{path}")
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=90_000)
        page.locator(CHART).first.wait_for(timeout=90_000)
        _wait_idle(page)
        _shot(page, shot)
    page, errors_en = _page(browser, "en-US")
    page.goto(f"{app_url}/planner")
    page.get_by_role("heading", name="Balanced-funnel planner").wait_for(timeout=90_000)
    page.locator(CHART).first.wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "planner-en")
    page.get_by_role("link", name="Forecast").click()
    page.get_by_role("heading", name="Forecast", exact=True).wait_for(timeout=60_000)
    page.locator(CHART).first.wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "forecast-en")
    page.get_by_role("link", name="Team").click()
    page.get_by_role("heading", name="Team scorecard").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "team-en")

    # Create a scenario and compare it with the baseline.
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("heading", name="Scenarios", exact=True).wait_for(timeout=60_000)
    _wait_idle(page)
    page.get_by_label("Name").fill("Bigger deals")
    size = page.get_by_role("slider", name="Deal size")
    size.focus()
    for _ in range(4):  # +20% in steps of 5
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Add to the comparison").click()
    page.get_by_text("Bigger deals").first.wait_for(timeout=60_000)
    _wait_idle(page)
    page.locator(CHART).first.wait_for(timeout=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator(".xtick text", has_text="Bigger deals").wait_for(timeout=60_000)
    _shot(page, "scenarios-en")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save scenarios (.json)").click()
    path = tmp_path / "scenarios.json"
    saved.value.save_as(path)
    from funnel_analytics.scenarios import load_scenarios

    loaded = load_scenarios(path)
    assert [s.name for s in loaded] == ["Bigger deals"]
    assert abs(loaded[0].levers.deal_size - 1.2) < 1e-9

    # A fresh session loads the saved file and exports the comparison.
    page2, errors2 = _page(browser, "en-US")
    page2.goto(f"{app_url}/scenarios")
    page2.get_by_role("heading", name="Scenarios", exact=True).wait_for(timeout=90_000)
    _wait_idle(page2)
    page2.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(str(path))
    page2.get_by_text("Bigger deals").first.wait_for(timeout=60_000)
    # The comparison (and so the export) is redrawn with the loaded scenario.
    page2.locator('[data-testid="stPlotlyChart"]').first.locator(
        ".xtick text", has_text="Bigger deals"
    ).wait_for(timeout=60_000)
    _wait_idle(page2)
    book = _download(page2, "Download (xlsx)", tmp_path / "scenarios.xlsx")
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Scenarios", "Levers", "Definitions", "Columns"]
    names = [row[0].value for row in wb["Scenarios"].iter_rows(min_row=2)]
    assert names == ["Baseline", "Bigger deals"]
    # The whole report, built when clicked, from the Overview.
    page2.get_by_role("link", name="Overview").click()
    page2.get_by_role("heading", name="Sales funnel overview").wait_for(timeout=60_000)
    _wait_idle(page2)
    report = _download(page2, "Full report (xlsx)", tmp_path / "report.xlsx")
    sheets = openpyxl.load_workbook(report, read_only=True).sheetnames
    assert {
        "Funnel",
        "Balanced plan",
        "Forecast range by month",
        "Calibration",
        "Scorecard by owner",
    } <= set(sheets) and sheets[-2:] == ["Definitions", "Columns"]
    assert not errors and not errors_en and not errors2, (errors, errors_en, errors2)


def _download(page, button: str, path: Path, attempts: int = 3) -> Path:
    """Click a download button and save the file. A rerun that lands during the click
    replaces the button's file and the browser cancels that download: click again then."""
    for attempt in range(attempts):
        _wait_idle(page)
        try:
            with page.expect_download(timeout=120_000) as got:
                page.get_by_role("button", name=button).click()
            got.value.save_as(path)
            return path
        except PlaywrightError as exc:
            if "canceled" not in str(exc) or attempt == attempts - 1:
                raise
            page.wait_for_timeout(1_000)
    return path


def _figure_data(page, index: int = 0) -> list[dict]:
    """The traces Plotly drew in the index-th chart of the page (x, y, measure, text)."""
    return page.evaluate(
        """(i) => { const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[i];
                   return gd.data.map(t => ({x: Array.from(t.x || []), y: Array.from(t.y || []),
                                             measure: Array.from(t.measure || [])})); }""",
        index,
    )


def test_movement_pages_respond_to_their_controls(app_url, browser) -> None:
    """Choose another start snapshot and count instead of amount on Changes: the waterfall
    is redrawn and still reconciles; group win rates by owner on Conversion."""
    from funnel_analytics.movement import pipeline_changes
    from funnel_analytics.workspace import load_workspace

    ws = load_workspace()
    page, errors = _page(browser, "en-US")
    page.goto(f"{app_url}/movement")
    page.get_by_role("heading", name="Pipeline changes").wait_for(timeout=90_000)
    page.locator(CHART).first.wait_for(timeout=60_000)
    _wait_idle(page)
    page.get_by_label("From snapshot").click()
    page.get_by_role("option", name="2026-06-30").click()
    _wait_idle(page)
    page.get_by_role("radio", name="Deals", exact=True).click()
    steps, _ = pipeline_changes(
        ws.observations, pd.Timestamp("2026-06-30"), pd.Timestamp("2026-10-31")
    )
    counts = steps.set_index("step")["count"]
    page.wait_for_function(  # the redrawn waterfall, not the one before the click
        """(n) => { const gd = document.querySelector(
               '[data-testid="stPlotlyChart"] .js-plotly-plot');
             return gd && gd.data && gd.data[0] && gd.data[0].y && gd.data[0].y[0] === n; }""",
        arg=int(counts["start"]),
        timeout=60_000,
    )
    _wait_idle(page)
    trace = _figure_data(page)[0]
    assert trace["y"][0] == counts["start"] and trace["y"][-1] == counts["end"]
    assert sum(trace["y"][:-1]) == counts["end"]  # start + every change = end, by count
    _shot(page, "movement-en-count-from-june")

    page.get_by_role("link", name="Conversion").click()
    page.get_by_role("heading", name="Stage conversion").wait_for(timeout=60_000)
    page.locator(CHART).first.wait_for(timeout=60_000)
    _wait_idle(page)
    page.get_by_role("main").get_by_role("radio", name="Owner", exact=True).click()
    owners = ws.observations["owner"].dropna().nunique()
    # The rerun may start after the click returns: wait for the redrawn chart itself.
    page.wait_for_function(
        """([i, n]) => { const gd = document.querySelectorAll(
               '[data-testid="stPlotlyChart"] .js-plotly-plot')[i];
             return gd && gd.data && gd.data[0] && Array.from(gd.data[0].x || []).length === n; }""",
        arg=[2, owners],
        timeout=60_000,
    )
    _wait_idle(page)
    bars = _figure_data(page, 2)[0]
    assert len(bars["x"]) == owners
    assert all(0 <= v <= 1 for v in bars["y"] if v is not None)
    assert not errors, errors


FOREIGN = ROOT / "tests" / "foreign" / "files"
PAGE_LINKS = {
    "en": [
        "Overview",
        "Conversion",
        "Changes",
        "Ageing",
        "Stage check",
        "Planner",
        "Forecast",
        "Scenarios",
        "Team",
        "Data",
    ],
    "zh": [
        "概览",
        "转化",
        "变化",
        "停留时长",
        "阶段核查",
        "平衡漏斗",
        "预测",
        "情景",
        "团队",
        "数据导入",
    ],
}


def _upload(page, path: Path) -> None:
    page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(str(path))


def test_a_foreign_export_from_upload_to_every_page(app_url, browser, tmp_path) -> None:
    """A Salesforce Data Loader export, as a new user takes it: the page proposes the snapshot
    date and the Salesforce model (one click each), the upload and its decisions survive
    leaving the page, and every page reads in both languages. Then a Pipedrive export that
    no model knows: its own stages are used and saved, and offered for next month's file."""
    page, errors = _page(browser, "en-US")
    page.goto(f"{app_url}/data")
    page.get_by_role("heading", name="Data").wait_for(timeout=90_000)
    _upload(page, FOREIGN / "salesforce_dataloader_Opportunity.csv")
    page.get_by_text("Which day is this export from?").wait_for(timeout=60_000)
    page.get_by_text("Proposed: 2024-06-27").wait_for()  # the latest LastModifiedDate
    _wait_idle(page)
    _shot(page, "foreign-first-screen-en")
    page.get_by_role("button", name="Use this date").click()
    page.get_by_text("match the built-in model").wait_for(timeout=60_000)
    _wait_idle(page)
    page.get_by_role("button", name="Use “Salesforce default stages”").click()
    page.get_by_text("300 rows read: 300 valid, 0 rejected").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "foreign-accepted-en")
    for link in PAGE_LINKS["en"][:-1]:
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_test_id("stMain").get_by_role("heading").first.wait_for(timeout=60_000)
        _wait_idle(page)
        _shot(page, f"foreign-{link.lower().replace(' ', '-')}-en")
        body = page.get_by_test_id("stMain").inner_text()
        for bad in ("Traceback", "nan", "NaN", "Infinity", "None"):
            assert f" {bad} " not in f" {body} ".replace("\n", " "), (link, bad)
    page.get_by_role("link", name="Data", exact=True).click()
    # Back on the Data page: the upload and the decisions taken are still there.
    page.get_by_text("300 rows read: 300 valid, 0 rejected").wait_for(timeout=60_000)
    page.get_by_role("radio", name="中文").click()
    page.get_by_text("读取 300 行：有效 300 行，拒绝 0 行").wait_for(timeout=60_000)
    for link in PAGE_LINKS["zh"]:
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_test_id("stMain").get_by_role("heading").first.wait_for(timeout=60_000)
        _wait_idle(page)
        _shot(
            page,
            f"foreign-{PAGE_LINKS['en'][PAGE_LINKS['zh'].index(link)].lower().replace(' ', '-')}-zh",
        )
        assert "Traceback" not in page.get_by_test_id("stMain").inner_text()
    # A file no model knows: use its own stages, and find them offered next month.
    page.get_by_role("radio", name="English").click()
    page.get_by_role("heading", name="Data").wait_for(timeout=30_000)
    _upload(page, FOREIGN / "pipedrive_deals.csv")
    page.get_by_role("button", name="Use this date").last.click(timeout=60_000)
    page.get_by_text("Use this file's stages").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "foreign-file-stages-en")
    page.get_by_role("button", name="Use and save this model").click()
    page.get_by_text("220 rows read: 220 valid, 0 rejected").wait_for(timeout=60_000)
    _wait_idle(page)
    later, later_errors = _page(browser, "en-US")
    later.goto(f"{app_url}/data")
    later.get_by_role("heading", name="Data").wait_for(timeout=90_000)
    nxt = tmp_path / "pipedrive_deals_next_month.csv"
    nxt.write_bytes((FOREIGN / "pipedrive_deals.csv").read_bytes())
    _upload(later, nxt)
    later.get_by_role("button", name="Use this date").click(timeout=60_000)
    later.get_by_text("You saved a stage model for these stage values.").wait_for(timeout=60_000)
    later.get_by_role("button", name="Use the saved model").click()
    later.get_by_text("220 rows read: 220 valid, 0 rejected").wait_for(timeout=60_000)
    assert not errors and not later_errors, errors + later_errors


def test_counting_open_deals_at_their_effective_stage(app_url, browser) -> None:
    """The sidebar's basis switched to the effective stage: the Overview's funnel is redrawn
    at the effective stages (counted by the library and by hand in test_reality/test_app),
    each page says so in both languages, and the Stage check page sets both side by side."""
    from funnel_analytics.funnel import current_deals
    from funnel_analytics.reality import deal_reality
    from funnel_analytics.roles import role_view
    from funnel_analytics.workspace import load_workspace, sample_roles

    ws = load_workspace()
    latest = current_deals(ws.observations, None)
    # The sample's key-roles sheet is evidence too: its consensus stage under the default rule.
    roles = role_view(ws.observations, latest, sample_roles().roles, ws.stage_model)
    reality = deal_reality(latest, ws.stage_model, roles.consensus)
    expected = [int((reality["effective_stage"] == k).sum()) for k in ws.stage_model.keys[:-1]]
    page, errors = _page(browser, "en-US")
    page.goto(app_url)
    page.locator(CHART).first.wait_for(timeout=90_000)
    _wait_idle(page)
    page.get_by_role("radio", name="English").click()
    page.get_by_role("heading", name="Sales funnel overview").wait_for(timeout=30_000)
    _wait_idle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Count open deals at"
    )
    option = page.get_by_role("option", name="Effective stage", exact=True)
    for _ in range(3):  # a click that lands while the sidebar redraws opens nothing
        box.get_by_role("combobox").click()
        try:
            option.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    option.click()
    page.get_by_text("By effective stage: open deals counted at the lowest stage").wait_for(
        timeout=60_000
    )
    _wait_idle(page)
    page.wait_for_function(
        "(want) => { const gd = document.querySelector("
        "'[data-testid=\"stPlotlyChart\"] .js-plotly-plot');"
        " return gd && JSON.stringify(Array.from(gd.data[0].x).slice(0, want.length))"
        " === JSON.stringify(want); }",
        arg=expected,
        timeout=60_000,
    )
    _shot(page, "overview-effective-en")
    page.get_by_role("radio", name="中文").click()
    page.get_by_text("按有效阶段：进行中的商机按各项证据中最低的阶段计").wait_for(timeout=60_000)
    _wait_idle(page)
    assert _figure_data(page)[0]["x"][: len(expected)] == expected
    _shot(page, "overview-effective-zh")
    page.get_by_role("link", name="阶段核查").click()
    page.get_by_role("heading", name="有效阶段：汇报的漏斗与有证据的漏斗").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "stage-check-effective-zh")
    # The sample's key-roles sheet is read: the roles section shows its tiles, not the hint.
    tiles = page.locator('[data-testid="stMetric"]').filter(has_text="有角色记录的商机")
    assert tiles.count() == 1
    assert int(tiles.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")) > 0
    assert not errors, errors

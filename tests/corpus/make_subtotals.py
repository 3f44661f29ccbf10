"""Save ``messy/subtotals_*.xlsx``: a deal ledger to which LibreOffice Calc's own Data >
Subtotals command added a subtotal row under each group and a grand total, as a manager does
before mailing it.

Needs LibreOffice with its Python bridge (Debian: ``libreoffice-calc-nogui python3-uno``, and
``libreoffice-l10n-zh-cn`` for the Chinese labels) and runs with the system Python, which has
``uno``; it needs only the standard library and ``make_corpus.py`` beside it::

    /usr/bin/python3 tests/corpus/make_subtotals.py

The subtotal rows' words are LibreOffice's, in the language of its user interface: "陈磊 求和" and
"总计 求和" in Chinese, "入围客户 Sum" and "Grand Sum" in English. Zip member times and the save
time in ``docProps/core.xml`` are fixed, so an unchanged ledger saves to the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.sheet.GeneralFunction import SUM  # type: ignore[import-not-found]
from make_corpus import MESSY, _normalize_zip  # beside this script; standard library only here

HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额（万元）",
    "预计成交日期",
]
# Written in this order; Data > Subtotals sorts by the grouped column first.
ROWS = [
    ["TZ-0301", "华东医院信息化一期", "华东第一医院", "陈磊", "入围客户", 120, "2025-04-30"],
    ["TZ-0302", "智慧校园平台", "江南大学", "陈磊", "有效客户", 80, "2025-05-31"],
    ["TZ-0303", "仓储系统升级", "远航物流", "陈磊", "意向客户", 155, "2025-04-15"],
    ["TZ-0304", "财务共享中心", "恒通集团", "王芳", "目标客户", 60, "2025-06-30"],
    ["TZ-0305", "门店POS替换", "鲜丰连锁", "王芳", "接近赢单客户", 95, "2025-04-20"],
    ["TZ-0306", "数据中台咨询", "星河证券", "王芳", "入围客户", 200, "2025-05-15"],
    ["TZ-0307", "安防监控扩容", "滨江街道", "李娜", "有效客户", 45, "2025-06-10"],
    ["TZ-0308", "ERP 二期", "远大制造", "李娜", "赢单客户", 150, "2025-02-28"],
    ["TZ-0309", "呼叫中心云化", "百川保险", "李娜", "意向客户", None, "2025-07-31"],
    ["TZ-0310", "园区能耗监测", "临港开发区", "陈磊", "目标客户", 30, "2025-08-31"],
]
# (file, grouped column, LibreOffice's interface language)
FILES = [
    ("subtotals_by_owner_2025-03.xlsx", HEADERS.index("负责人"), "zh-CN"),
    ("subtotals_by_stage_2025-03.xlsx", HEADERS.index("销售阶段"), "en-US"),
]


def _prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _profile(root: Path, locale: str) -> str:
    user = root / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f'<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" '
        f'oor:op="fuse"><value>{locale}</value></prop></item>\n'
        f'<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="UILocale" '
        f'oor:op="fuse"><value>{locale}</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    return root.as_uri()


def save(name: str, group: int, locale: str, tmp: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
            f"-env:UserInstallation={_profile(tmp / locale, locale)}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        for _ in range(120):
            try:
                ctx = resolver.resolve(
                    f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
                )
                break
            except Exception:  # not listening yet
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            "private:factory/scalc", "_blank", 0, (_prop("Hidden", True),)
        )
        sheet = doc.Sheets.getByIndex(0)
        sheet.Name = "商机台账"
        for r, row in enumerate([HEADERS, *ROWS]):
            for c, value in enumerate(row):
                cell = sheet.getCellByPosition(c, r)
                if isinstance(value, int | float):
                    cell.setValue(float(value))
                elif value is not None:
                    cell.setString(value)
        area = sheet.getCellRangeByPosition(0, 0, len(HEADERS) - 1, len(ROWS))
        descriptor = area.createSubTotalDescriptor(True)
        column = uno.createUnoStruct("com.sun.star.sheet.SubTotalColumn")
        column.Column, column.Function = HEADERS.index("预计金额（万元）"), SUM
        descriptor.addNew((column,), group)
        area.applySubTotals(descriptor, True)
        saved = tmp / name
        doc.storeToURL(saved.as_uri(), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        with contextlib.suppress(Exception):  # the office quits while answering
            desktop.terminate()
        (MESSY / name).write_bytes(_normalize_zip(saved.read_bytes(), save_time=True))
    finally:
        if office.poll() is None:
            office.wait(60)


def main() -> None:
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    with tempfile.TemporaryDirectory() as tmp:
        for name, group, locale in FILES:
            save(name, group, locale, Path(tmp))
            print("wrote", MESSY / name, file=sys.stderr)


if __name__ == "__main__":
    main()

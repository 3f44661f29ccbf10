#!/usr/bin/env python
"""Regenerate the loader test corpus: messy real-shaped exports and hostile/broken files.

Run from the project root::

    .venv/bin/python tests/corpus/make_corpus.py            # everything that can be rebuilt here
    .venv/bin/python tests/corpus/make_corpus.py --libreoffice   # also re-save libreoffice_* files

Every file is written from the literal tables below, so the output is the same on every run
(fixed document dates, fixed zip timestamps, seeded random bytes). Two kinds of file need a
tool the project does not depend on, so the committed copies are kept unless that tool is here:

* ``messy/libreoffice_2025-02.{xlsx,xls,ods}``, ``messy/merged_cells_2025-03.{xlsx,xls}``,
  ``messy/percent_cells_2025-04.xlsx`` and ``messy/european_excel_2024-04.csv`` (exported under a
  German locale) are saved by LibreOffice Calc (``soffice``).
  They are rebuilt only with ``--libreoffice`` (or when missing and ``soffice`` is on PATH).
  Zip member times are then set to a fixed value, so the same LibreOffice version gives the
  same bytes; another version changes only its generator strings and styles, not the cells.
* ``hostile/encrypted.xlsx`` is encrypted by msoffcrypto-tool, run in a separate Python named
  by ``CORPUS_CRYPT_PYTHON`` (e.g. a throwaway venv: ``python -m venv /tmp/cryptvenv &&
  /tmp/cryptvenv/bin/pip install msoffcrypto-tool``). Its salts come from a seeded generator,
  so the file is reproducible too.

Files too big to commit are made at test time::

    from make_corpus import make_hostile          # tests/corpus on sys.path
    paths = make_hostile(tmp_path)                # {"zip_bomb.xlsx": Path, ...}

``expected.json`` beside this script is written by hand from the tables below; it is not
generated.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a workbook is written: make_subtotals.py runs without it
    import xlsxwriter

HERE = Path(__file__).resolve().parent
MESSY = HERE / "messy"
HOSTILE = HERE / "hostile"

FIXED_TIME = datetime(2024, 1, 1, 8, 0, 0)
ZIP_TIME = (2024, 1, 1, 8, 0, 0)
SEED = 20240301


def D(text: str) -> date:
    """A date from ISO text (keeps the tables short)."""
    return date.fromisoformat(text)


# ============================================================================================
# Writing helpers
# ============================================================================================
def _workbook(target: str | Path | io.BytesIO) -> xlsxwriter.Workbook:
    import xlsxwriter

    options = {
        "in_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    wb = xlsxwriter.Workbook(target if isinstance(target, io.BytesIO) else str(target), options)
    wb.set_properties({"title": "商机导出", "author": "CRM", "company": "", "created": FIXED_TIME})
    return wb


def _write_cells(ws, row: int, values: Sequence[object], formats: Sequence[object | None]) -> None:
    """Write one row (0-based ``row``); None leaves the cell empty, dates get a date format."""
    for col, value in enumerate(values):
        fmt = formats[col] if col < len(formats) else None
        if value is None:
            continue
        if isinstance(value, datetime | date):
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)


def _write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def _normalize_zip(data: bytes, save_time: bool = False) -> bytes:
    """Rewrite a zip with fixed member timestamps (keeps order, names and compression); with
    ``save_time``, the save time in ``docProps/core.xml`` is fixed too."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            new.compress_type = info.compress_type
            new.external_attr = info.external_attr
            new.create_system = 0
            member = src.read(info.filename)
            if save_time and info.filename == "docProps/core.xml":
                member = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", member
                )
            dst.writestr(new, member)
    return out.getvalue()


def _save_xlsx(wb: xlsxwriter.Workbook, buf: io.BytesIO, path: Path) -> None:
    wb.close()
    path.write_bytes(_normalize_zip(buf.getvalue()))


# ============================================================================================
# Messy files
# ============================================================================================
ZH_HEADERS_TITLE_HINT = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售团队",
    "销售阶段",
    "预计金额（万元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "商机来源",
    "客户等级",
]

# None in this list is a fully blank spreadsheet row.
TITLE_HINT_ROWS: list[tuple | None] = [
    (
        "SJ20240301",
        "智能仓储系统升级",
        "上海浦江制造有限公司",
        "张伟",
        "华东一部",
        "目标客户",
        12.5,
        0.10,
        D("2024-01-08"),
        D("2024-06-30"),
        "展会",
        "B",
    ),
    (
        "SJ20240302",
        "MES生产执行系统",
        "苏州康达医疗器械有限公司",
        "王芳",
        "华东一部",
        "有效客户",
        48,
        0.25,
        D("2023-12-15"),
        D("2024-05-31"),
        "官网咨询",
        "A",
    ),
    (
        "SJ20240303",
        "园区视频监控改造",
        "杭州西湖文旅集团",
        "李娜",
        "华东二部",
        "入围客户",
        86.3,
        0.50,
        D("2023-11-20"),
        D("2024-04-30"),
        "老客户转介绍",
        "A",
    ),
    (
        "SJ20240304",
        "冷链温控平台",
        "宁波港联物流有限公司",
        "刘洋",
        "华东二部",
        "意向客户",
        35,
        0.75,
        D("2023-10-09"),
        D("2024-04-15"),
        "电话营销",
        "B",
    ),
    (
        "SJ20240305",
        "财务共享中心实施",
        "南京金陵百货股份有限公司",
        "陈静",
        "华东一部",
        "接近赢单客户",
        120,
        0.90,
        D("2023-09-18"),
        D("2024-04-10"),
        "渠道伙伴",
        "A",
    ),
    (
        "SJ20240306",
        "门店POS替换",
        "无锡惠山连锁超市",
        "杨磊",
        "华东二部",
        "赢单客户",
        22.8,
        1.0,
        D("2023-11-02"),
        D("2024-02-26"),
        "老客户转介绍",
        "B",
    ),
    (
        "SJ20240307",
        "设备预测性维护",
        "常州天宁精密机械厂",
        "张伟",
        "华东一部",
        "入围",
        64,
        0.50,
        D("2024-01-22"),
        D("2024-07-31"),
        "展会",
        "B",
    ),
    (
        "SJ20240308",
        "数据中台一期",
        "合肥庐州城投集团",
        "王芳",
        "华东一部",
        "意向",
        210,
        0.75,
        D("2023-08-30"),
        D("2024-05-20"),
        "官网咨询",
        "A",
    ),
    None,
    (
        "SJ20240309",
        "安全生产培训平台",
        "上海闵行化工有限公司",
        "李娜",
        "华东二部",
        "目标",
        8.6,
        0.10,
        D("2024-02-19"),
        D("2024-09-30"),
        "电话营销",
        "C",
    ),
    (
        "SJ20240310",
        "供应链协同门户",
        "嘉兴南湖纺织有限公司",
        "刘洋",
        "华东二部",
        "有效客户",
        None,
        0.25,
        D("2024-02-01"),
        D("2024-08-31"),
        "展会",
        "C",
    ),
    (
        "SJ20240311",
        "智慧食堂",
        "绍兴越城第一中学",
        "陈静",
        "华东一部",
        "输单",
        15,
        0.0,
        D("2023-10-12"),
        D("2024-01-31"),
        "渠道伙伴",
        "C",
    ),
    (
        "SJ20240312",
        "研发项目管理",
        "苏州工业园区芯源半导体",
        "杨磊",
        "华东二部",
        "商务谈判",
        95,
        0.60,
        D("2023-12-01"),
        D("2024-05-15"),
        "老客户转介绍",
        "A",
    ),
    (
        "SJ20240313",
        "客服中心语音分析",
        "上海陆家嘴保险经纪有限公司",
        "张伟",
        "华东一部",
        "接近赢单",
        58,
        0.90,
        D("2023-11-11"),
        D("2024-04-20"),
        "官网咨询",
        "A",
    ),
    (
        "SJ20240314",
        "能耗监测系统",
        "南通崇川热电有限公司",
        "王芳",
        "华东一部",
        "搁置",
        40,
        0.25,
        D("2023-09-05"),
        D("2024-10-31"),
        "展会",
        "B",
    ),
    None,
    (
        "SJ20240315",
        "电子签章集成",
        "杭州滨江网络科技有限公司",
        "李娜",
        "华东二部",
        "赢单客户",
        6.5,
        1.0,
        D("2024-01-03"),
        D("2024-02-29"),
        "官网咨询",
        "B",
    ),
    (
        "SJ20240316",
        "经销商管理系统",
        "温州鹿城鞋业集团",
        "刘洋",
        "华东二部",
        "意向客户",
        33.3,
        0.75,
        D("2023-12-20"),
        D("2024-06-15"),
        "渠道伙伴",
        "B",
    ),
    (
        "SJ20240317",
        "质量追溯平台",
        "扬州邗江食品有限公司",
        "陈静",
        "华东一部",
        "目标客户",
        18,
        0.10,
        D("2024-02-27"),
        D("2024-12-31"),
        "电话营销",
        "C",
    ),
    (
        "SJ20240318",
        "BI报表平台",
        "镇江京口港务集团",
        "杨磊",
        "华东二部",
        "入围客户",
        27.5,
        0.50,
        D("2024-01-15"),
        D("2024-06-28"),
        "老客户转介绍",
        "B",
    ),
    (
        "SJ20240319",
        "仓库WMS扩容",
        "上海浦江制造有限公司",
        "张伟",
        "华东一部",
        "有效客户",
        16,
        0.25,
        D("2024-02-05"),
        D("2024-07-15"),
        "老客户转介绍",
        "A",
    ),
    (
        "SJ20240320",
        "人力资源系统",
        "徐州云龙工程机械有限公司",
        "王芳",
        "华东一部",
        "接近赢单客户",
        74,
        0.90,
        D("2023-10-25"),
        D("2024-04-30"),
        "展会",
        "A",
    ),
]


def make_title_and_hint(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("商机清单")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    sub = wb.add_format({"bold": True, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    hint = wb.add_format({"italic": True, "font_color": "#808080"})
    money = wb.add_format({"num_format": "0.0"})
    pct = wb.add_format({"num_format": "0%"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    ncol = len(ZH_HEADERS_TITLE_HINT)
    ws.merge_range(0, 0, 0, ncol - 1, "华东智能科技有限公司", title)
    ws.merge_range(1, 0, 1, ncol - 1, "2024年3月商机清单", sub)
    ws.write_row(2, 0, ZH_HEADERS_TITLE_HINT, head)
    ws.write_row(
        3,
        0,
        [
            "必填",
            "必填",
            "必填",
            "必填",
            "选填",
            "必填，从下拉选择",
            "选填",
            "选填",
            "YYYY-MM-DD",
            "YYYY-MM-DD",
            "选填",
            "选填",
        ],
        hint,
    )
    ws.data_validation(
        4,
        5,
        200,
        5,
        {
            "validate": "list",
            "source": [
                "目标客户",
                "有效客户",
                "入围客户",
                "意向客户",
                "接近赢单客户",
                "赢单客户",
                "输单",
                "搁置",
            ],
            "error_type": "warning",
        },
    )
    formats = [None] * 6 + [money, pct, day, day, None, None]
    r = 4
    total = 0.0
    for values in TITLE_HINT_ROWS:
        if values is not None:
            _write_cells(ws, r, values, formats)
            total += values[6] or 0
        r += 1
    ws.write_string(r, 0, "合计", bold)
    ws.write_number(r, 6, round(total, 1), money)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 2, 24)
    ws.set_column(6, 9, 14)
    ws.freeze_panes(3, 0)
    _save_xlsx(wb, buf, out)


GB_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "商机来源",
]
GB_ROWS = [
    (
        "GZ-0401",
        "办公协同平台",
        "广州天河软件园管理有限公司",
        "黄晓明",
        "目标客户",
        "¥1,200,000",
        "10%",
        "2024年3月5日",
        "2024年8月30日",
        "展会",
    ),
    (
        "GZ-0402",
        "智能门禁系统",
        "深圳南山科技有限公司",
        "林志强",
        "有效客户",
        "120万",
        "30%",
        "2024/3/5",
        "2024/7/15",
        "官网咨询",
    ),
    (
        "GZ-0403",
        "门店数字化",
        "𠮷野家餐饮管理（深圳）有限公司",
        "周婷",
        "入围客户",
        "85.5万",
        "50%",
        "2024/1/18",
        "2024/6/30",
        "渠道伙伴",
    ),
    (
        "GZ-0404",
        "ERP升级",
        "佛山顺德家电集团",
        "吴刚",
        "意向客户",
        "￥3,600,000.00",
        "75%",
        "2023年12月1日",
        "2024年5月31日",
        "老客户转介绍",
    ),
    (
        "GZ-0405",
        "物流调度系统",
        "东莞松山湖物流有限公司",
        "黄晓明",
        "接近赢单客户",
        "450000",
        "90%",
        "2023/11/20",
        "2024/5/10",
        "展会",
    ),
    (
        "GZ-0406",
        "会员营销平台",
        "珠海横琴文旅发展有限公司",
        "林志强",
        "赢单客户",
        "¥680,000",
        "100%",
        "2023年10月8日",
        "2024年3月28日",
        "官网咨询",
    ),
    (
        "GZ-0407",
        "工厂能源管理",
        "中山火炬开发区电力有限公司",
        "周婷",
        "",
        "52万",
        "25%",
        "2024/2/14",
        "2024/9/30",
        "电话营销",
    ),
    (
        "GZ-0408",
        "云桌面改造",
        "惠州大亚湾石化有限公司",
        "吴刚",
        "入围",
        "面议",
        "50%",
        "2024年2月2日",
        "2024年7月31日",
        "渠道伙伴",
    ),
    (
        "GZ-0409",
        "呼叫中心升级",
        "汕头龙湖电信服务有限公司",
        "黄晓明",
        "输单",
        "28万",
        "0%",
        "2023/9/12",
        "2024/2/29",
        "电话营销",
    ),
    (
        "GZ-0410",
        "园区一卡通",
        "江门蓬江职业技术学院",
        "林志强",
        "意向",
        "¥960,000",
        "75%",
        "2024年1月9日",
        "2024年6月15日",
        "老客户转介绍",
    ),
    (
        "GZ-0411",
        "跨境电商中台",
        "广州番禺跨境贸易有限公司",
        "周婷",
        "目标",
        "15万",
        "10%",
        "2024/3/22",
        "2024/12/31",
        "展会",
    ),
    (
        "GZ-0412",
        "智能排产",
        "肇庆高要五金制品厂",
        "吴刚",
        "有效",
        "1,050,000",
        "25%",
        "2024年3月1日",
        "2024年10月31日",
        "官网咨询",
    ),
    (
        "GZ-0413",
        "医院HIS接口",
        "湛江霞山人民医院",
        "黄晓明",
        "接近赢单",
        "236.8万",
        "90%",
        "2023年12月25日",
        "2024年5月20日",
        "渠道伙伴",
    ),
    (
        "GZ-0414",
        "安防运维外包",
        "韶关浈江矿业集团",
        "林志强",
        "搁置",
        "40万",
        "25%",
        "2023/10/30",
        "2024/11/30",
        "电话营销",
    ),
]


def make_gb18030(out: Path) -> None:
    _write_csv(out, GB_HEADERS, GB_ROWS, encoding="gb18030", newline="\r\n")


SF_HEADERS = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Stage",
    "Amount",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Lead Source",
]
SF_ROWS = [
    (
        "006Dn00000A1b01AAB",
        "Acme - Warehouse Robots",
        "Acme Logistics Inc.",
        "Sarah Chen",
        "Target",
        "25,000.00",
        "10",
        "03/15/24 09:30 AM",
        "09/30/24",
        "Trade Show",
    ),
    (
        "006Dn00000A1b02AAB",
        "Globex CRM Rollout",
        "Globex Corporation",
        "Michael Brown",
        "Qualified",
        "120,000.00",
        "25",
        "02/03/24 02:15 PM",
        "08/15/24",
        "Web",
    ),
    (
        "006Dn00000A1b03AAB",
        "Initech Data Platform",
        "Initech LLC",
        "Priya Patel",
        "Shortlisted",
        "310,500.00",
        "50",
        "01/22/24 11:05 AM",
        "07/31/24",
        "Partner Referral",
    ),
    (
        "006Dn00000A1b04AAB",
        "Umbrella Security Audit",
        "Umbrella Health Systems",
        "David Kim",
        "Committed",
        "78,000.00",
        "75",
        "12/11/23 04:40 PM",
        "06/28/24",
        "Cold Call",
    ),
    (
        "006Dn00000A1b05AAB",
        "Stark Industries - MES",
        "Stark Industries",
        "Sarah Chen",
        "Near-win",
        "450,000.00",
        "90",
        "11/28/23 10:00 AM",
        "06/14/24",
        "Existing Customer",
    ),
    (
        "006Dn00000A1b06AAB",
        "Wayne Enterprises ERP",
        "Wayne Enterprises",
        "Michael Brown",
        "Won",
        "980,000.00",
        "100",
        "10/02/23 08:45 AM",
        "04/26/24",
        "Trade Show",
    ),
    (
        "006Dn00000A1b07AAB",
        "Hooli Analytics Renewal",
        "Hooli",
        "Priya Patel",
        "Negotiatoin",
        "66,000.00",
        "60",
        "03/01/24 01:30 PM",
        "06/21/24",
        "Existing Customer",
    ),
    (
        "006Dn00000A1b08AAB",
        "Soylent Packaging Line",
        "Soylent Foods Ltd",
        "David Kim",
        "Shortlisted",
        "abc",
        "50",
        "02/27/24 03:20 PM",
        "08/30/24",
        "Web",
    ),
    (
        "006Dn00000A1b09AAB",
        "Vehement Capital Credit Note",
        "Vehement Capital Partners",
        "Sarah Chen",
        "Qualified",
        "-5000",
        "25",
        "04/02/24 09:10 AM",
        "07/19/24",
        "Partner Referral",
    ),
    (
        "006Dn00000A1b10AAB",
        "Massive Dynamic Lab LIMS",
        "Massive Dynamic",
        "Michael Brown",
        "Closed Lost",
        "140,000.00",
        "0",
        "09/14/23 05:55 PM",
        "03/29/24",
        "Cold Call",
    ),
    (
        "006Dn00000A1b11AAB",
        "Cyberdyne Edge Servers",
        "Cyberdyne Systems",
        "Priya Patel",
        "Target",
        "32,500.00",
        "10",
        "04/18/24 10:25 AM",
        "10/31/24",
        "Web",
    ),
    (
        "006Dn00000A1b12AAB",
        "Tyrell Biotech Portal",
        "Tyrell Corporation",
        "David Kim",
        "Committed",
        "205,000.00",
        "75",
        "01/09/24 12:00 PM",
        "07/12/24",
        "Trade Show",
    ),
    (
        "006Dn00000A1b13AAB",
        "Oscorp Supply Chain",
        "Oscorp Industries",
        "Sarah Chen",
        "Near-win",
        "188,000.00",
        "90",
        "12/20/23 09:00 AM",
        "06/07/24",
        "Partner Referral",
    ),
    (
        "006Dn00000A1b14AAB",
        "Aperture Training Portal",
        "Aperture Science",
        "Michael Brown",
        "Won",
        "54,000.00",
        "100",
        "11/06/23 03:45 PM",
        "03/22/24",
        "Existing Customer",
    ),
    (
        "006Dn00000A1b15AAB",
        "Wonka Factory IoT",
        "Wonka Industries",
        "Priya Patel",
        "On hold",
        "96,000.00",
        "25",
        "10/23/23 11:50 AM",
        "11/29/24",
        "Cold Call",
    ),
    (
        "006Dn00000A1b16AAB",
        "Pied Piper Compression",
        "Pied Piper",
        "David Kim",
        "Qualified",
        "41,000",
        "25",
        "04/29/24 04:05 PM",
        "08/23/24",
        "Web",
    ),
]


def make_utf8_bom(out: Path) -> None:
    _write_csv(out, SF_HEADERS, SF_ROWS, encoding="utf-8", bom=True, newline="\r\n")


DAYFIRST_HEADERS = [
    "Deal ID",
    "Deal Name",
    "Account",
    "Owner",
    "Stage",
    "Amount",
    "Created",
    "Expected Close Date",
]
DAYFIRST_ROWS = [
    (
        "D-1001",
        "Fleet telematics pilot",
        "Northwind Traders",
        "Oliver Smith",
        "Target",
        "18000",
        "25/03/2024",
        "15/10/2024",
    ),
    (
        "D-1002",
        "Payroll outsourcing",
        "Contoso Ltd",
        "Amelia Jones",
        "Qualified",
        "42000",
        "04/02/2024",
        "05/07/2024",
    ),
    (
        "D-1003",
        "Cloud migration",
        "Fabrikam Ltd",
        "Harry Taylor",
        "Shortlisted",
        "135000",
        "17/01/2024",
        "30/08/2024",
    ),
    (
        "D-1004",
        "Website rebuild",
        "Adventure Works",
        "Isla Brown",
        "Committed",
        "27500",
        "08/12/2023",
        "12/07/2024",
    ),
    (
        "D-1005",
        "Warehouse scanners",
        "Tailspin Toys",
        "Oliver Smith",
        "Near-win",
        "64000",
        "21/11/2023",
        "19/07/2024",
    ),
    (
        "D-1006",
        "Annual support renewal",
        "Litware Inc",
        "Amelia Jones",
        "Won",
        "22000",
        "06/10/2023",
        "28/05/2024",
    ),
    (
        "D-1007",
        "Data warehouse",
        "Proseware Ltd",
        "Harry Taylor",
        "Committed",
        "98000",
        "13/02/2024",
        "20/04/2024",
    ),
    (
        "D-1008",
        "Field service app",
        "Wide World Importers",
        "Isla Brown",
        "Lost",
        "31000",
        "02/11/2023",
        "15/03/2024",
    ),
    (
        "D-1009",
        "Security assessment",
        "Woodgrove Bank",
        "Oliver Smith",
        "Shortlisted",
        "15500",
        "09/05/2024",
        "11/09/2024",
    ),
    (
        "D-1010",
        "Call centre upgrade",
        "Coho Winery",
        "Amelia Jones",
        "Qualified",
        "47000",
        "22/04/2024",
        "31/10/2024",
    ),
    (
        "D-1011",
        "E-invoicing",
        "Blue Yonder Airlines",
        "Harry Taylor",
        "Target",
        "9800",
        "28/05/2024",
        "01/12/2024",
    ),
    (
        "D-1012",
        "ERP health check",
        "Trey Research",
        "Isla Brown",
        "Near-win",
        "56000",
        "14/12/2023",
        "26/07/2024",
    ),
]


def make_dayfirst(out: Path) -> None:
    _write_csv(out, DAYFIRST_HEADERS, DAYFIRST_ROWS, encoding="utf-8", newline="\n")


TOTALS_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售团队",
    "销售阶段",
    "状态",
    "预计金额(元)",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "实际成交日期",
]
TOTALS_ROWS = [
    (
        "BJ-2407-01",
        "政务云扩容",
        "北京海淀区大数据中心",
        "赵磊",
        "华北一部",
        "入围客户",
        "进行中",
        1860000,
        0.5,
        D("2024-03-12"),
        D("2024-09-30"),
        None,
    ),
    (
        "BJ-2407-02",
        "教育平台运维",
        "北京朝阳实验学校",
        "钱敏",
        "华北一部",
        "有效客户",
        "进行中",
        240000,
        0.25,
        D("2024-05-06"),
        D("2024-11-15"),
        None,
    ),
    (
        "BJ-2407-03",
        "智慧停车",
        "天津滨海新区交通集团",
        "孙浩",
        "华北二部",
        "意向客户",
        "进行中",
        720000,
        0.75,
        D("2024-02-20"),
        D("2024-08-31"),
        None,
    ),
    (
        "BJ-2407-04",
        "医保结算接口",
        "石家庄市第一医院",
        "李强",
        "华北二部",
        "赢单客户",
        "赢单",
        380000,
        1.0,
        D("2024-01-08"),
        D("2024-06-28"),
        D("2024-06-25"),
    ),
    (
        "BJ-2407-05",
        "园区能耗平台",
        "北京亦庄经开区管委会",
        "周雪",
        "华北一部",
        "接近赢单客户",
        "进行中",
        1250000,
        0.9,
        D("2023-12-18"),
        D("2024-08-16"),
        None,
    ),
    (
        "BJ-2407-06",
        "经营分析看板",
        "天津和平百货集团",
        "吴迪",
        "华北二部",
        "目标客户",
        "进行中",
        160000,
        0.1,
        D("2024-06-03"),
        D("2024-12-20"),
        None,
    ),
    (
        "BJ-2407-07",
        "仓储自动化",
        "廊坊物流园有限公司",
        "赵磊",
        "华北一部",
        "入围客户",
        "输单",
        930000,
        0.5,
        D("2023-11-27"),
        D("2024-05-31"),
        D("2024-06-12"),
    ),
    (
        "BJ-2407-08",
        "OA系统替换",
        "保定莲池区人民政府",
        "钱敏",
        "华北一部",
        "意向客户",
        "进行中",
        450000,
        0.75,
        D("2024-04-15"),
        D("2024-09-15"),
        None,
    ),
    (
        "BJ-2407-09",
        "智慧工地",
        "北京城建第五工程公司",
        "孙浩",
        "华北二部",
        "有效客户",
        "进行中",
        560000,
        0.25,
        D("2024-05-28"),
        D("2024-10-31"),
        None,
    ),
    (
        "BJ-2407-10",
        "客服机器人",
        "天津银行信用卡中心",
        "李强",
        "华北二部",
        "接近赢单客户",
        "进行中",
        880000,
        0.9,
        D("2024-01-30"),
        D("2024-08-09"),
        None,
    ),
    (
        "BJ-2407-11",
        "档案数字化",
        "北京东城区档案馆",
        "周雪",
        "华北一部",
        "赢单客户",
        "赢单",
        210000,
        1.0,
        D("2024-02-14"),
        D("2024-06-20"),
        D("2024-06-18"),
    ),
    (
        "BJ-2407-12",
        "产线视觉检测",
        "唐山曹妃甸钢铁有限公司",
        "吴迪",
        "华北二部",
        "目标客户",
        "进行中",
        2400000,
        0.1,
        D("2024-06-24"),
        D("2025-03-31"),
        None,
    ),
    (
        "BJ-2407-13",
        "财务机器人",
        "北京西城金融服务有限公司",
        "赵磊",
        "华北一部",
        "意向客户",
        "进行中",
        330000,
        0.75,
        D("2024-03-05"),
        D("2024-08-30"),
        None,
    ),
    (
        "BJ-2407-14",
        "冷库监控",
        "承德避暑山庄食品有限公司",
        "钱敏",
        "华北一部",
        "有效客户",
        "输单",
        120000,
        0.25,
        D("2024-02-08"),
        D("2024-06-30"),
        D("2024-06-05"),
    ),
    (
        "BJ-2407-15",
        "科研管理系统",
        "北京理工研究院",
        "孙浩",
        "华北二部",
        "入围客户",
        "进行中",
        670000,
        0.5,
        D("2024-04-22"),
        D("2024-10-15"),
        None,
    ),
]


def make_totals_row(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("Sheet1")
    head = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0%"})
    day = wb.add_format({"num_format": "yyyy/m/d"})
    bold_money = wb.add_format({"bold": True, "num_format": "#,##0"})
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, TOTALS_HEADERS, head)
    formats = [None] * 7 + [money, pct, day, day, day]
    for i, values in enumerate(TOTALS_ROWS, start=1):
        _write_cells(ws, i, values, formats)
    last = len(TOTALS_ROWS) + 1  # 1-based spreadsheet row of the last data row
    r = last  # 0-based index of the totals row
    ws.write_string(r, 0, "总计", bold)
    ws.write_string(r, 1, f"共{len(TOTALS_ROWS)}条", bold)
    ws.write_formula(r, 7, f"=SUBTOTAL(9,H2:H{last})", bold_money, sum(v[7] for v in TOTALS_ROWS))
    ws.autofilter(0, 0, last - 1, len(TOTALS_HEADERS) - 1)
    ws.set_column(0, 2, 18)
    ws.set_column(7, 11, 13)
    _save_xlsx(wb, buf, out)


MERGED_NAMES = [
    "商机名称",
    "客户名称",
    "负责人",
    "销售团队",
    "销售阶段",
    "预计金额（元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
]
MERGED_ROWS = [
    (
        "CD-0801",
        "智慧水务",
        "成都武侯水务集团",
        "何勇",
        "西南部",
        "目标客户",
        350000,
        0.1,
        D("2024-06-10"),
        D("2024-12-31"),
        None,
    ),
    (
        "CD-0802",
        "医共体平台",
        "绵阳涪城区卫健局",
        "罗丹",
        "西南部",
        "有效客户",
        1280000,
        0.25,
        D("2024-04-02"),
        D("2024-11-30"),
        "需二次报价",
    ),
    (
        "CD-0803",
        "电网巡检无人机",
        "重庆渝北供电公司",
        "邓超",
        "西南部",
        "入围客户",
        2150000,
        0.5,
        D("2024-03-18"),
        D("2024-10-31"),
        None,
    ),
    (
        "CD-0804",
        "高校一网通办",
        "西南交通大学",
        "何勇",
        "西南部",
        "意向客户",
        640000,
        0.75,
        D("2024-02-26"),
        D("2024-09-30"),
        None,
    ),
    (
        "CD-0805",
        "酒店PMS",
        "贵阳观山湖酒店管理公司",
        "罗丹",
        "西南部",
        "接近赢单客户",
        185000,
        0.9,
        D("2024-05-13"),
        D("2024-09-13"),
        None,
    ),
    (
        "CD-0806",
        "农产品溯源",
        "昆明呈贡农业投资公司",
        "邓超",
        "西南部",
        "赢单客户",
        98000,
        1.0,
        D("2024-01-22"),
        D("2024-07-19"),
        "已回款30%",
    ),
    (
        None,
        "轨道交通PIS",
        "成都地铁运营有限公司",
        "何勇",
        "西南部",
        "入围客户",
        3200000,
        0.5,
        D("2024-05-30"),
        D("2025-01-31"),
        "编号待分配",
    ),
    (
        "CD-0808",
        "景区票务",
        "乐山大佛景区管委会",
        "罗丹",
        "西南部",
        "输单",
        260000,
        0.0,
        D("2024-02-05"),
        D("2024-06-30"),
        "价格原因",
    ),
    (
        "CD-0809",
        "工业互联网",
        "德阳装备制造集团",
        "邓超",
        "西南部",
        "意向",
        1750000,
        0.75,
        D("2024-04-19"),
        D("2024-10-15"),
        None,
    ),
    (
        "CD-0810",
        "银行网点改造",
        "重庆农商行",
        "何勇",
        "西南部",
        "有效",
        420000,
        0.25,
        D("2024-07-08"),
        D("2025-02-28"),
        None,
    ),
    (
        "CD-0811",
        "物流园WMS",
        "宜宾临港物流公司",
        "罗丹",
        "西南部",
        "接近赢单",
        560000,
        0.9,
        D("2024-03-27"),
        D("2024-09-20"),
        None,
    ),
    (
        "CD-0812",
        "智慧社区",
        "遂宁船山区住建局",
        "邓超",
        "西南部",
        "目标",
        150000,
        0.1,
        D("2024-07-22"),
        D("2025-03-31"),
        None,
    ),
]


def make_merged_header(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("商机")
    group = wb.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "bg_color": "#FCE4D6"}
    )
    head = wb.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#FFF2CC"})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0%"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 1, 0, "商机编号", group)  # A1:A2, vertical
    ws.merge_range(0, 1, 0, 5, "基本信息", group)  # B1:F1
    ws.merge_range(0, 6, 0, 7, "金额信息", group)  # G1:H1
    ws.merge_range(0, 8, 0, 9, "时间信息", group)  # I1:J1
    ws.merge_range(0, 10, 1, 10, "备注", group)  # K1:K2, vertical
    ws.write_row(1, 1, MERGED_NAMES, head)
    formats = [None] * 6 + [money, pct, day, day, None]
    for i, values in enumerate(MERGED_ROWS, start=2):
        _write_cells(ws, i, values, formats)
    ws.set_column(0, 10, 14)
    ws.freeze_panes(2, 1)
    _save_xlsx(wb, buf, out)


MULTI_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额（元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
]
MULTI_ROWS = [
    (
        "WH-0901",
        "光谷园区安防",
        "武汉光谷联合集团",
        "郑凯",
        "目标客户",
        420000,
        0.1,
        D("2024-07-15"),
        D("2025-01-31"),
    ),
    (
        "WH-0902",
        "汽车零部件MES",
        "武汉经开区东风配件厂",
        "冯丽",
        "有效客户",
        1560000,
        0.25,
        D("2024-05-20"),
        D("2024-12-31"),
    ),
    (
        "WH-0903",
        "医院物资SPD",
        "湖北省人民医院",
        "郑凯",
        "入围客户",
        890000,
        0.5,
        D("2024-04-08"),
        D("2024-11-30"),
    ),
    (
        "WH-0904",
        "高速收费稽核",
        "湖北交投集团",
        "韩冰",
        "意向客户",
        2300000,
        0.75,
        D("2024-03-11"),
        D("2024-10-31"),
    ),
    (
        "WH-0905",
        "连锁药店ERP",
        "长沙九芝堂药房",
        "冯丽",
        "接近赢单客户",
        670000,
        0.9,
        D("2024-02-19"),
        D("2024-10-15"),
    ),
    (
        "WH-0906",
        "职教实训平台",
        "湖南铁道职业技术学院",
        "韩冰",
        "赢单客户",
        310000,
        1.0,
        D("2024-01-10"),
        D("2024-08-30"),
    ),
    (
        "WH-0907",
        "港口堆场调度",
        "岳阳城陵矶港务",
        "郑凯",
        "入围客户",
        1180000,
        0.5,
        D("2024-06-03"),
        D("2025-02-28"),
    ),
    (
        "WH-0908",
        "烟草物流追溯",
        "湖北中烟物流",
        "冯丽",
        "输单",
        750000,
        0.0,
        D("2024-02-01"),
        D("2024-08-15"),
    ),
    (
        "WH-0909",
        "文旅小程序",
        "宜昌三峡旅游集团",
        "韩冰",
        "目标客户",
        120000,
        0.1,
        D("2024-08-19"),
        D("2025-03-31"),
    ),
    (
        "WH-0910",
        "电力营销系统",
        "南昌供电公司",
        "郑凯",
        "有效客户",
        980000,
        0.25,
        D("2024-06-25"),
        D("2025-01-15"),
    ),
    (
        "WH-0911",
        "工程造价平台",
        "湖南建工集团",
        "冯丽",
        "意向客户",
        540000,
        0.75,
        D("2024-04-29"),
        D("2024-11-15"),
    ),
    (
        "WH-0912",
        "银行反欺诈",
        "长沙银行",
        "韩冰",
        "接近赢单客户",
        1420000,
        0.9,
        D("2024-03-04"),
        D("2024-10-20"),
    ),
    (
        "WH-0913",
        "校园一卡通",
        "华中科技大学",
        "郑凯",
        "赢单客户",
        260000,
        1.0,
        D("2024-02-22"),
        D("2024-09-13"),
    ),
    (
        "WH-0914",
        "冷链仓储",
        "武汉白沙洲农副产品市场",
        "冯丽",
        "搁置",
        380000,
        0.25,
        D("2024-05-09"),
        D("2025-04-30"),
    ),
]


def make_multi_sheet(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E2EFDA"})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0%"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})

    notes = wb.add_worksheet("说明")
    lines = [
        "商机明细导出说明",
        "1. 本文件由CRM系统于2024年9月30日导出，数据截至当日。",
        "2. 「商机明细」工作表为全部在跟商机及本季度已关闭商机；「汇总」为按阶段汇总。",
        "3. 金额单位：元；赢单概率按销售阶段自动带出。",
        "4. 销售阶段取值：目标客户、有效客户、入围客户、意向客户、接近赢单客户、赢单客户、输单、搁置。",
    ]
    for i, line in enumerate(lines):
        notes.write_string(i, 0, line, bold if i == 0 else None)
    notes.write_row(6, 0, ["字段", "说明", "是否必填"], head)
    for i, (field, desc, req) in enumerate(
        [
            ("商机编号", "系统自动生成", "是"),
            ("商机名称", "项目简称", "是"),
            ("客户名称", "与工商登记一致", "是"),
            ("销售阶段", "从下拉列表选择", "是"),
            ("预计金额（元）", "含税金额", "否"),
            ("预计成交日期", "YYYY-MM-DD", "否"),
        ],
        start=7,
    ):
        notes.write_row(i, 0, [field, desc, req])
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 60)

    detail = wb.add_worksheet("商机明细")
    detail.write_row(0, 0, MULTI_HEADERS, head)
    formats = [None] * 5 + [money, pct, day, day]
    for i, values in enumerate(MULTI_ROWS, start=1):
        _write_cells(detail, i, values, formats)
    detail.set_column(0, 8, 14)

    summary = wb.add_worksheet("汇总")
    summary.write_row(0, 0, ["销售阶段", "商机数", "预计金额合计（元）", "加权金额（元）"], head)
    order = [
        "目标客户",
        "有效客户",
        "入围客户",
        "意向客户",
        "接近赢单客户",
        "赢单客户",
        "输单",
        "搁置",
    ]
    r = 1
    n_all = amt_all = w_all = 0.0
    for stage in order:
        rows = [v for v in MULTI_ROWS if v[4] == stage]
        n, amt = len(rows), sum(v[5] for v in rows)
        weighted = sum(v[5] * v[6] for v in rows)
        summary.write_row(r, 0, [stage, n, amt, weighted])
        n_all, amt_all, w_all = n_all + n, amt_all + amt, w_all + weighted
        r += 1
    summary.write_row(r, 0, ["合计", n_all, amt_all, w_all], bold)
    summary.set_column(0, 3, 18, money)
    notes.activate()  # the instructions sheet is the one that opens, as exported
    _save_xlsx(wb, buf, out)


DUP_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额（元）",
    "赢单概率(%)",
    "创建日期",
    "预计成交日期",
    "实际成交日期",
    "客户等级",
]
# 创建日期 is a text-formatted column: its values are strings as typed (one is an Excel serial).
DUP_ROWS = [
    (
        "XA-1001",
        "西安地铁票务清分",
        "西安市轨道交通集团",
        "马超",
        "入围客户",
        1650000,
        50,
        "2024-05-14",
        D("2025-01-31"),
        None,
        "A",
    ),
    (
        "XA-1002",
        "高新区政务大厅",
        "西安高新区管委会",
        "白雪",
        "有效客户",
        720000,
        25,
        "2024-06-03",
        D("2025-02-28"),
        None,
        "B",
    ),
    (
        "XA-1003",
        "煤矿安全监测",
        "陕西榆林能源集团",
        "马超",
        "意向客户",
        2890000,
        75,
        "2024-04-22",
        D("2024-12-15"),
        None,
        "A",
    ),
    (
        "XA-1004",
        "航空零件追溯",
        "西安阎良航空制造厂",
        "杜鹏",
        "接近赢单客户",
        960000,
        90,
        "2024-03-18",
        D("2024-11-29"),
        None,
        "A",
    ),
    (
        "XA-1005",
        "文旅大数据",
        "陕西文化旅游集团",
        "白雪",
        "赢单客户",
        430000,
        100,
        "2024-02-26",
        D("2024-09-30"),
        D("2024-09-27"),
        "B",
    ),
    (
        "XA-1006",
        "医院影像云",
        "兰州大学第一医院",
        "杜鹏",
        "目标客户",
        380000,
        10,
        "2024-08-12",
        D("2025-03-31"),
        None,
        "C",
    ),
    (
        "XA-1003",
        "煤矿安全监测",
        "陕西榆林能源集团",
        "马超",
        "意向客户",
        2890000,
        75,
        "2024-04-22",
        D("2024-12-15"),
        None,
        "A",
    ),
    (
        "XA-1007",
        "农业物联网",
        "杨凌示范区农业公司",
        "马超",
        "赢单客户",
        275000,
        100,
        "2024-06-10",
        D("2024-08-30"),
        D("2024-05-20"),
        "B",
    ),
    (
        "XA-1008",
        "园区能源托管",
        "宝鸡高新区热力公司",
        "白雪",
        "意向客户",
        1120000,
        75,
        "2024-03-05",
        D("2024-08-31"),
        None,
        "B",
    ),
    (
        "XA-1009",
        "智慧校园",
        "西北工业大学",
        "杜鹏",
        "有效客户",
        560000,
        25,
        "2024-02-30",
        D("2025-01-15"),
        None,
        "A",
    ),
    (
        "XA-1010",
        "物流车队管理",
        "陕西顺达运输公司",
        "马超",
        "入围客户",
        340000,
        50,
        "45366",
        D("2024-12-31"),
        None,
        "B",
    ),
    (
        "XA-1011",
        "供热计量",
        "银川热电有限公司",
        "白雪",
        "接近赢单客户",
        890000,
        150,
        "2024-04-01",
        D("2024-11-20"),
        None,
        "A",
    ),
    (
        "XA-1012",
        "社保卡应用",
        "青海省人社厅信息中心",
        "杜鹏",
        "目标客户",
        210000,
        10,
        "2024-07-19",
        D("2025-04-30"),
        None,
        "E",
    ),
    (
        "XA-1013",
        "光伏运维平台",
        "宁夏中卫光伏电站",
        "马超",
        None,
        1380000,
        50,
        "2024-05-27",
        D("2025-02-15"),
        None,
        "B",
    ),
    (
        None,
        "石化设备巡检",
        "延长石油榆林炼化",
        "白雪",
        "意向客户",
        2050000,
        75,
        "2024-06-18",
        D("2024-12-31"),
        None,
        "A",
    ),
    (
        "XA-1015",
        "档案馆库房",
        "陕西省档案馆",
        "杜鹏",
        "有效客户",
        180000,
        25,
        "1900-01-01",
        D("2025-03-31"),
        None,
        "C",
    ),
    (
        "XA-1016",
        "银行数据治理",
        "西安银行",
        "马超",
        "输单",
        990000,
        0,
        "2024-01-15",
        D("2024-07-31"),
        D("2024-08-09"),
        "B",
    ),
    (
        "XA-1017",
        "智慧供水",
        "咸阳水务集团",
        "白雪",
        "入围客户",
        470000,
        50,
        "2024-07-02",
        D("2025-01-20"),
        None,
        "B",
    ),
    (
        "XA-1018",
        "出租车监管",
        "西安市交通运输局",
        "杜鹏",
        "搁置",
        260000,
        25,
        "2024-03-28",
        D("2025-06-30"),
        None,
        "C",
    ),
    (
        "XA-1006",
        "医院影像云（二期）",
        "兰州大学第一医院",
        "杜鹏",
        "有效客户",
        380000,
        25,
        "2024-08-12",
        D("2025-03-31"),
        None,
        "C",
    ),
    (
        "XA-1019",
        "电梯物联网",
        "西安电梯安装公司",
        "马超",
        "意向客户",
        620000,
        75,
        "2024-04-16",
        D("2024-12-20"),
        None,
        "A",
    ),
]


def make_duplicates_and_dates(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("商机")
    head = wb.add_format({"bold": True})
    text = wb.add_format({"num_format": "@"})
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, DUP_HEADERS, head)
    formats = [None] * 5 + [money, None, text, day, day, None]
    for i, values in enumerate(DUP_ROWS, start=1):
        _write_cells(ws, i, values, formats)
    ws.set_column(7, 7, 12, text)  # the whole 创建日期 column is formatted as text
    ws.set_column(8, 9, 12)
    _save_xlsx(wb, buf, out)


PD_HEADERS = [
    "Deal - ID",
    "Deal - Title",
    "Deal - Organization",
    "Deal - Owner",
    "Deal - Stage",
    "Deal - Value",
    "Deal - Currency",
    "Deal - Status",
    "Deal - Expected close date",
    "Deal - Deal created",
]
PD_ROWS = [
    (
        "101",
        "Northwind - CRM seats",
        "Northwind Traders",
        "Emma Wilson",
        "Target",
        "12000",
        "USD",
        "open",
        "2025-02-28",
        "2024-09-02 10:15:22",
    ),
    (
        "102",
        "Contoso renewal 2025",
        "Contoso Ltd",
        "Liam Johnson",
        "Qualified",
        "45000",
        "USD",
        "open",
        "2025-01-31",
        "2024-08-19 14:02:10",
    ),
    (
        "103",
        "Fabrikam analytics add-on",
        "Fabrikam Inc",
        "Emma Wilson",
        "Shortlisted",
        "28500",
        "USD",
        "open",
        "2024-12-20",
        "2024-07-08 09:44:51",
    ),
    (
        "104",
        "Tailspin onboarding",
        "Tailspin Toys",
        "Noah Davis",
        "Committed",
        "67000",
        "USD",
        "open",
        "2024-12-13",
        "2024-06-24 16:30:00",
    ),
    (
        "105",
        "Litware enterprise plan",
        "Litware Inc",
        "Liam Johnson",
        "Near-win",
        "150000",
        "USD",
        "open",
        "2024-12-06",
        "2024-05-13 11:20:33",
    ),
    (
        "106",
        "Proseware pilot",
        "Proseware Ltd",
        "Noah Davis",
        "Won",
        "18000",
        "USD",
        "won",
        "2024-10-25",
        "2024-08-01 08:05:47",
    ),
    (
        "107",
        "Adventure Works upsell",
        "Adventure Works",
        "Emma Wilson",
        "Won",
        "52000",
        "USD",
        "won",
        "2024-10-18",
        "2024-04-29 13:12:09",
    ),
    (
        "108",
        "Woodgrove expansion",
        "Woodgrove Bank",
        "Liam Johnson",
        "Shortlisted",
        "88000",
        "USD",
        "lost",
        "2024-09-30",
        "2024-03-18 15:47:26",
    ),
    (
        "109",
        "Coho Winery POS",
        "Coho Winery",
        "Noah Davis",
        "Committed",
        "23000",
        "USD",
        "open",
        "2024-09-27",
        "2024-05-06 10:00:00",
    ),
    (
        "110",
        "Trey Research licences",
        "Trey Research",
        "Emma Wilson",
        "Qualified",
        "9500",
        "USD",
        "open",
        "2025-03-14",
        "2024-10-07 17:25:40",
    ),
    (
        "111",
        "Wide World Importers EDI",
        "Wide World Importers",
        "Liam Johnson",
        "Target",
        "31000",
        "USD",
        "open",
        "2025-04-30",
        "2024-10-21 09:09:09",
    ),
    (
        "112",
        "Blue Yonder integration",
        "Blue Yonder Airlines",
        "Noah Davis",
        "Near-win",
        "74000",
        "USD",
        "open",
        "2024-12-31",
        "2024-06-11 12:45:18",
    ),
    (
        "113",
        "Lucerne Publishing portal",
        "Lucerne Publishing",
        "Emma Wilson",
        "Qualified",
        "16000",
        "USD",
        "lost",
        "2024-11-08",
        "2024-07-22 10:30:55",
    ),
    (
        "114",
        "Margie's Travel booking",
        "Margie's Travel",
        "Liam Johnson",
        "Committed",
        "39000",
        "USD",
        "open",
        "2025-01-17",
        "2024-08-28 14:14:14",
    ),
    (
        "115",
        "Alpine Ski House kiosks",
        "Alpine Ski House",
        "Noah Davis",
        "Shortlisted",
        "",
        "USD",
        "open",
        "2025-02-14",
        "2024-09-16 11:11:11",
    ),
]


def make_pipedrive(out: Path) -> None:
    _write_csv(out, PD_HEADERS, PD_ROWS, encoding="utf-8", newline="\n")


HS_HEADERS = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Pipeline",
]
HS_ROWS = [
    (
        "15830427811",
        "Acme Corp - Platform",
        "Target",
        "24000",
        "2025-03-31 17:00",
        "2024-11-04 09:12",
        "Jordan Lee",
        "Sales Pipeline",
    ),
    (
        "15830427812",
        "Globex - Data Sync",
        "Qualified",
        "56000",
        "2025-02-28 17:00",
        "2024-10-15 14:30",
        "Taylor Reed",
        "Sales Pipeline",
    ),
    (
        "15830427813",
        "Initech - Support Tier",
        "Shortlisted",
        "18500",
        "2025-01-31 17:00",
        "2024-09-09 10:05",
        "Jordan Lee",
        "Sales Pipeline",
    ),
    (
        "15830427814",
        "Umbrella - Security Suite",
        "Committed",
        "132000",
        "2025-01-15 17:00",
        "2024-08-20 16:45",
        "Morgan Diaz",
        "Sales Pipeline",
    ),
    (
        "15830427815",
        "Stark - Factory Analytics",
        "Near-win",
        "210000",
        "2025-01-10 17:00",
        "2024-07-01 11:00",
        "Taylor Reed",
        "Sales Pipeline",
    ),
    (
        "15830427816",
        "Wayne - Renewal",
        "Closed Won",
        "95000",
        "2024-11-22 17:00",
        "2024-06-12 09:30",
        "Morgan Diaz",
        "Renewals",
    ),
    (
        "15830427817",
        "Hooli - Expansion",
        "Closed Lost",
        "47000",
        "2024-11-08 17:00",
        "2024-05-27 13:20",
        "Jordan Lee",
        "Sales Pipeline",
    ),
    (
        "15830427818",
        "Soylent - Pilot",
        "Qualified",
        "",
        "2025-04-30 17:00",
        "2024-11-18 15:55",
        "Taylor Reed",
        "Sales Pipeline",
    ),
    (
        "15830427819",
        "Cyberdyne - Edge Rollout",
        "Shortlisted",
        "76000",
        "2025-03-14 17:00",
        "2024-10-02 08:40",
        "Morgan Diaz",
        "Sales Pipeline",
    ),
    (
        "15830427820",
        "Tyrell - Lab Systems",
        "Won",
        "64000",
        "2024-10-31 17:00",
        "2024-04-08 10:10",
        "Jordan Lee",
        "Renewals",
    ),
    (
        "15830427821",
        "Oscorp - Supply Chain",
        "Committed",
        "88000",
        "2025-02-07 17:00",
        "2024-09-23 12:00",
        "Taylor Reed",
        "Sales Pipeline",
    ),
    (
        "15830427822",
        "Aperture - Training",
        "Target",
        "12000",
        "2025-05-30 17:00",
        "2024-11-25 17:35",
        "Morgan Diaz",
        "Sales Pipeline",
    ),
    (
        "15830427823",
        "Massive Dynamic - POC",
        "appointmentscheduled",
        "30000",
        "2025-03-31 17:00",
        "2024-11-29 10:00",
        "Jordan Lee",
        "Sales Pipeline",
    ),
]


def make_hubspot(out: Path) -> None:
    _write_csv(out, HS_HEADERS, HS_ROWS, encoding="utf-8", newline="\n")


LABEL_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "状态",
    "预计金额（元）",
    "创建日期",
    "预计成交日期",
]
LABEL_ROWS = [
    (
        "NJ-0101",
        "智能制造诊断",
        "南京江宁开发区制造企业联盟",
        "钱坤",
        "10% 目标客户",
        "进行中",
        200000,
        D("2024-11-05"),
        D("2025-06-30"),
    ),
    (
        "NJ-0102",
        "污水处理监控",
        "南京江北新区水务",
        "孙悦",
        "25%有效客户",
        "进行中",
        680000,
        D("2024-09-16"),
        D("2025-05-31"),
    ),
    (
        "NJ-0103",
        "地铁站务系统",
        "南京地铁运营公司",
        "钱坤",
        "50%入围客户",
        "进行中",
        1450000,
        D("2024-08-01"),
        D("2025-04-30"),
    ),
    (
        "NJ-0104",
        "医院后勤平台",
        "江苏省中医院",
        "周洋",
        "(75%) 意向客户",
        "进行中",
        530000,
        D("2024-07-22"),
        D("2025-03-31"),
    ),
    (
        "NJ-0105",
        "高校科研云",
        "东南大学",
        "孙悦",
        "（90%）接近赢单客户",
        "进行中",
        920000,
        D("2024-06-10"),
        D("2025-02-28"),
    ),
    (
        "NJ-0106",
        "政务热线",
        "南京市12345热线中心",
        "周洋",
        "赢单",
        "赢单",
        360000,
        D("2024-05-20"),
        D("2024-12-27"),
    ),
    (
        "NJ-0107",
        "供应链金融",
        "南京银行",
        "钱坤",
        "50%入围客户",
        "输单",
        780000,
        D("2024-04-15"),
        D("2024-12-20"),
    ),
    (
        "NJ-0108",
        "数字档案",
        "江苏省档案馆",
        "孙悦",
        "25%有效客户",
        "搁置",
        240000,
        D("2024-10-08"),
        D("2025-09-30"),
    ),
    (
        "NJ-0109",
        "园区安防",
        "苏州工业园区管委会",
        "周洋",
        "入围",
        "进行中",
        870000,
        D("2024-09-02"),
        D("2025-04-15"),
    ),
    (
        "NJ-0110",
        "电力调度",
        "江苏电力调度中心",
        "钱坤",
        "意向客户",
        "进行中",
        2100000,
        D("2024-05-06"),
        D("2025-03-15"),
    ),
    (
        "NJ-0111",
        "港口闸口",
        "连云港港口集团",
        "孙悦",
        "100% 赢单客户",
        "赢单",
        640000,
        D("2024-03-25"),
        D("2025-01-10"),
    ),
    (
        "NJ-0112",
        "校园安全",
        "南京外国语学校",
        "周洋",
        "10% 目标客户",
        "见备注",
        120000,
        D("2024-12-02"),
        D("2025-08-31"),
    ),
    (
        "NJ-0113",
        "智慧农业",
        "盐城大丰农场",
        "钱坤",
        "(75%) 意向客户",
        "进行中",
        310000,
        D("2024-10-21"),
        D("2025-03-20"),
    ),
    (
        "NJ-0114",
        "物业管理平台",
        "南京河西物业集团",
        "孙悦",
        "赢单",
        "赢单",
        150000,
        D("2024-08-26"),
        D("2024-11-29"),
    ),
]


def make_stage_labels(out: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("商机列表")
    head = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "yyyy年m月d日"})
    ws.write_row(0, 0, LABEL_HEADERS, head)
    formats = [None] * 6 + [money, day, day]
    for i, values in enumerate(LABEL_ROWS, start=1):
        _write_cells(ws, i, values, formats)
    ws.set_column(0, 8, 16)
    _save_xlsx(wb, buf, out)


LO_HEADERS = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额（元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
]
LO_ROWS = [
    (
        "QD-0201",
        "港口集装箱识别",
        "青岛港集团",
        "于洋",
        "目标客户",
        260000,
        0.1,
        D("2024-12-09"),
        D("2025-08-31"),
    ),
    (
        "QD-0202",
        "啤酒产线MES",
        "青岛啤酒第三厂",
        "曲敏",
        "有效客户",
        1380000,
        0.25,
        D("2024-10-14"),
        D("2025-06-30"),
    ),
    (
        "QD-0203",
        "海洋监测平台",
        "山东海洋研究院",
        "于洋",
        "入围客户",
        940000,
        0.5,
        D("2024-09-03"),
        D("2025-05-31"),
    ),
    (
        "QD-0204",
        "家电售后系统",
        "海尔智家服务公司",
        "姜涛",
        "意向客户",
        720000,
        0.75,
        D("2024-08-19"),
        D("2025-04-15"),
    ),
    (
        "QD-0205",
        "轨道交通AFC",
        "青岛地铁集团",
        "曲敏",
        "接近赢单客户",
        2600000,
        0.9,
        D("2024-06-24"),
        D("2025-03-31"),
    ),
    (
        "QD-0206",
        "医保智能审核",
        "青岛市医保局",
        "姜涛",
        "赢单客户",
        450000,
        1.0,
        D("2024-07-08"),
        D("2025-01-24"),
    ),
    (
        "QD-0207",
        "纺织ERP",
        "即墨纺织集团",
        "于洋",
        "输单",
        380000,
        0.0,
        D("2024-05-13"),
        D("2024-12-31"),
    ),
    (
        "QD-0208",
        "冷链物流",
        "胶州冷链物流园",
        "曲敏",
        "意向",
        530000,
        0.75,
        D("2024-11-11"),
        D("2025-01-20"),
    ),
    (
        "QD-0209",
        "园区能碳管理",
        "青岛西海岸新区",
        "姜涛",
        "有效",
        310000,
        0.25,
        D("2025-01-06"),
        D("2025-07-31"),
    ),
    (
        "QD-0210",
        "校园安防",
        "青岛大学",
        "于洋",
        "入围",
        "待定",
        0.5,
        D("2024-12-30"),
        D("2025-06-15"),
    ),
]


def _titled_sheet(wb, sheet: str, title: str, headers: list[str], rows, formats: dict):
    """A sheet with its title merged over row 1, the header in row 2 and ``rows`` from row 3;
    ``formats`` maps a column to a number format."""
    ws = wb.add_worksheet(sheet)
    ws.merge_range(0, 0, 0, len(headers) - 1, title, wb.add_format({"bold": True, "font_size": 14}))
    ws.write_row(1, 0, headers, wb.add_format({"bold": True, "border": 1}))
    by_column = {c: wb.add_format({"num_format": f}) for c, f in formats.items()}
    cell_formats = [by_column.get(c) for c in range(len(headers))]
    for i, values in enumerate(rows, start=2):
        _write_cells(ws, i, values, cell_formats)
    ws.set_column(0, len(headers) - 1, 14)
    return ws


def _libreoffice_source(out: Path) -> None:
    """The workbook LibreOffice opens and re-saves (title row, header in row 2)."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    day = "yyyy-mm-dd"
    formats = {5: "#,##0", 6: "0%", 7: day, 8: day}
    _titled_sheet(wb, "商机周报", "2025年2月商机周报", LO_HEADERS, LO_ROWS, formats)
    _save_xlsx(wb, buf, out)


LEDGER_HEADERS = [
    "销售团队",
    "负责人",
    "销售阶段",
    "商机编号",
    "商机名称",
    "客户名称",
    "预计金额（元）",
    "预计成交日期",
]
# A hand-kept ledger (台账): each team, owner and stage is written once and merged down over its
# deals, as people keep such sheets. None: the cell lies under the merged cell above it.
LEDGER_ROWS = [
    (
        "华东一组",
        "张伟",
        "目标客户",
        "TZ-0301",
        "产线改造",
        "苏州精工机械",
        500000,
        D("2025-06-30"),
    ),
    (None, None, None, "TZ-0302", "仓储系统", "无锡远航物流", 300000, D("2025-07-15")),
    (None, "李娜", "有效客户", "TZ-0303", "质检平台", "常州华达电子", 800000, D("2025-05-31")),
    (None, None, None, "TZ-0304", "能耗监测", "南通海工", "待定", D("2025-06-15")),
    (None, None, "入围客户", "TZ-0305", "视觉检测", "苏州恒瑞", 1200000, D("2025-03-10")),
    (None, "王强", None, "TZ-0306", "机器人集成", "昆山立讯", 2000000, D("2025-04-30")),
    ("华南组", "赵敏", "目标客户", "TZ-0307", "MES 升级", "东莞长盈", 450000, D("2025-08-31")),
    (None, None, "意向客户", "TZ-0308", "数字孪生", "佛山美塑", 950000, D("2025-04-15")),
    (None, None, None, "TZ-0309", "设备联网", "中山明阳", 600000, D("2025-05-20")),
    (None, "陈磊", "赢单客户", "TZ-0310", "智能排产", "珠海格兰", 1500000, D("2025-03-05")),
    (None, None, None, "TZ-0311", "仓储升级", "深圳鹏程", 700000, D("2025-02-20")),
    (None, None, "输单", "TZ-0312", "安灯系统", "惠州德赛", 350000, D("2025-01-31")),
]


def _merged_cells_source(out: Path) -> None:
    """The ledger LibreOffice opens and re-saves: a merged title, header in row 2, and the
    team, owner and stage columns merged down their runs (rows 3-14)."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    formats = {6: "#,##0", 7: "yyyy-mm-dd"}
    ws = _titled_sheet(wb, "商机台账", "2025年3月 商机台账", LEDGER_HEADERS, LEDGER_ROWS, formats)
    centre = wb.add_format({"valign": "vcenter"})
    for col in range(3):
        start = 0
        while start < len(LEDGER_ROWS):
            end = start + 1
            while end < len(LEDGER_ROWS) and LEDGER_ROWS[end][col] is None:
                end += 1
            if end - start > 1:
                ws.merge_range(start + 2, col, end + 1, col, LEDGER_ROWS[start][col], centre)
            start = end
    _save_xlsx(wb, buf, out)


PERCENT_HEADERS = ["商机编号", "商机名称", "客户名称", "销售阶段", "预计金额（元）", "赢单概率"]
# A probability column kept by hand: some cells typed as whole numbers (60), others formatted
# as percentages (they hold 0.25 and show 25%), one typed as text ("50%"). Each row's
# probability is given as (value, whether the cell is formatted 0%).
PERCENT_ROWS = [
    ("BJ-0401", "园区安防", "北京亦庄投资", "目标客户", 300000, (10, False)),
    ("BJ-0402", "数据中台", "首钢信息", "有效客户", 800000, (0.25, True)),
    ("BJ-0403", "智慧食堂", "北汽福田", "入围客户", 450000, (50, False)),
    ("BJ-0404", "能源管理", "京能集团", "入围客户", 1200000, (0.5, True)),
    ("BJ-0405", "车联网平台", "理想汽车", "意向客户", 2000000, (0.75, True)),
    ("BJ-0406", "仓储机器人", "京东物流", "意向客户", 900000, (75, False)),
    ("BJ-0407", "客服系统", "小米科技", "入围客户", 600000, ("50%", False)),
    ("BJ-0408", "视频会议", "中关村发展", "目标客户", 150000, (0.1, True)),
]


def _percent_cells_source(out: Path) -> None:
    """The workbook LibreOffice opens and re-saves: header in row 1, rows 2-9, the probability
    column mixing whole numbers with cells formatted as percentages."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("商机")
    ws.write_row(0, 0, PERCENT_HEADERS)
    percent = wb.add_format({"num_format": "0%"})
    for i, (*cells, (probability, formatted)) in enumerate(PERCENT_ROWS, start=1):
        _write_cells(ws, i, [*cells, probability], [None] * 5 + [percent if formatted else None])
    _save_xlsx(wb, buf, out)


EURO_HEADERS = ["Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount",
                "Probability (%)", "Close Date"]  # fmt: skip
# A European team's pipeline, kept in Calc with amounts in euros (some formatted with cents,
# some without) and dates as dd.mm.yyyy, every day 12 or below; (id, name, account, stage,
# amount, with cents, probability, close date).
EURO_ROWS = [
    ("EU-0401", "Dachsanierung", "Müller Bau GmbH", "Target", 12000.5, True, 10, D("2024-05-06")),
    ("EU-0402", "Fensterprojekt", "Schmidt Fenster AG", "Qualified", 48000, False, 25,
     D("2024-06-03")),
    ("EU-0403", "Lagerhalle", "Weber Logistik KG", "Shortlisted", 1234567, True, 50,
     D("2024-07-01")),
    ("EU-0404", "Solaranlage", "Fischer Energie", "Committed", 950, True, 75, D("2024-05-10")),
    ("EU-0405", "Heizungstausch", "Becker & Söhne", "Near-win", 230000, False, 90,
     D("2024-05-12")),
    ("EU-0406", "Bürocontainer", "Hoffmann Immobilien", "Won", 75500.75, True, 100,
     D("2024-04-02")),
    ("EU-0407", "Parkhaus", "Schäfer Parken", "Lost", 310000, False, 0, D("2024-03-11")),
    ("EU-0408", "Werkstatt", "Koch Metall", "Target", 8000, False, 10, D("2024-08-09")),
]  # fmt: skip


def _euro_source(out: Path) -> None:
    """The workbook LibreOffice saves as CSV under a German locale: euros with and without
    cents, dates as dd.mm.yyyy."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("Pipeline")
    ws.write_row(0, 0, EURO_HEADERS)
    cents = wb.add_format({"num_format": "#,##0.00 [$€-407]"})
    whole = wb.add_format({"num_format": "#,##0 [$€-407]"})
    day = wb.add_format({"num_format": "dd.mm.yyyy"})
    for i, (*text, amount, with_cents, probability, close) in enumerate(EURO_ROWS, start=1):
        _write_cells(ws, i, text, [])
        ws.write_number(i, 4, amount, cents if with_cents else whole)
        ws.write_number(i, 5, probability)
        ws.write_datetime(i, 6, datetime(close.year, close.month, close.day), day)
    _save_xlsx(wb, buf, out)


#: A LibreOffice profile whose locale is German: Calc then writes numbers and dates as shown
#: in Germany (``12.000,50 €``, ``06.05.2024``).
_GERMAN_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>de-DE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">\
<value>de-DE</value></prop></item>
</oor:items>
"""


def _soffice_convert(soffice: str, profile: Path, flt: str, outdir: Path, source: Path) -> None:
    """``source`` saved by LibreOffice Calc into ``outdir`` with the filter ``flt``."""
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            flt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=180,
    )


def _save_euro_csv(soffice: str, messy: Path, tmpdir: Path) -> str:
    """``european_excel_2024-04.csv``: Calc's "Text CSV" export under a German locale, with
    its defaults there: semicolons, Windows-1252 text, cells saved as shown."""
    source = tmpdir / "european_excel_2024-04.xlsx"
    _euro_source(source)
    profile = tmpdir / "profile_de"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_GERMAN_PROFILE)
    outdir = tmpdir / "out_de"
    outdir.mkdir()
    # separator ";" (59), quote '"' (34), Windows-1252 (1), from line 1, German (1031), then:
    # not all text quoted, special numbers detected, cells saved as shown.
    flt = "csv:Text - txt - csv (StarCalc):59,34,1,1,,1031,false,true,true"
    _soffice_convert(soffice, profile, flt, outdir, source)
    name = "european_excel_2024-04.csv"
    (messy / name).write_bytes((outdir / name).read_bytes())
    return name


def make_libreoffice(messy: Path, force: bool) -> list[str]:
    """Save ``libreoffice_2025-02.{xlsx,xls,ods}``, ``merged_cells_2025-03.{xlsx,xls}`` and
    ``percent_cells_2025-04.xlsx`` with LibreOffice Calc (those missing, or all with ``force``);
    returns what it wrote."""
    names = [f"libreoffice_2025-02.{ext}" for ext in ("xlsx", "xls", "ods")]
    names += ["merged_cells_2025-03.xlsx", "merged_cells_2025-03.xls"]
    names += ["percent_cells_2025-04.xlsx", "european_excel_2024-04.csv"]
    missing = [n for n in names if not (messy / n).exists()]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not force and not missing:
        return []
    if soffice is None:
        print("  soffice not found: libreoffice_* files left as they are", file=sys.stderr)
        return []
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "libreoffice_2025-02.xlsx"
        _libreoffice_source(src)
        merged = tmpdir / "merged_cells_2025-03.xlsx"
        _merged_cells_source(merged)
        percent = tmpdir / "percent_cells_2025-04.xlsx"
        _percent_cells_source(percent)
        profile = tmpdir / "profile"
        for n, (source, ext, flt) in enumerate(
            (
                (src, "xlsx", "xlsx:Calc MS Excel 2007 XML"),
                (src, "xls", "xls:MS Excel 97"),
                (src, "ods", "ods:calc8"),
                (merged, "xlsx", "xlsx:Calc MS Excel 2007 XML"),
                (merged, "xls", "xls:MS Excel 97"),
                (percent, "xlsx", "xlsx:Calc MS Excel 2007 XML"),
            )
        ):
            if not force and f"{source.stem}.{ext}" not in missing:
                continue
            outdir = tmpdir / f"out{n}"
            outdir.mkdir()
            _soffice_convert(soffice, profile, flt, outdir, source)
            produced = outdir / f"{source.stem}.{ext}"
            data = produced.read_bytes()
            if ext != "xls":  # zip member times are the save time; the parts are left as saved
                data = _normalize_zip(data)
            (messy / produced.name).write_bytes(data)
            written.append(produced.name)
        if force or "european_excel_2024-04.csv" in missing:
            written.append(_save_euro_csv(soffice, messy, tmpdir))
    return written


# ============================================================================================
# Hostile / broken files
# ============================================================================================
HEADER_ONLY = [
    "商机编号",
    "商机名称",
    "客户名称",
    "负责人",
    "销售阶段",
    "预计金额（元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
]


def _small_valid_xlsx() -> bytes:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, TOTALS_HEADERS)
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    formats = [None] * 9 + [day, day, day]
    for i, values in enumerate(TOTALS_ROWS, start=1):
        _write_cells(ws, i, values, formats)
    wb.close()
    return _normalize_zip(buf.getvalue())


def make_header_only(hostile: Path) -> None:
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, HEADER_ONLY, wb.add_format({"bold": True}))
    _save_xlsx(wb, buf, hostile / "header_only.xlsx")
    _write_csv(hostile / "header_only.csv", HEADER_ONLY, [], encoding="utf-8")


def make_garbage(hostile: Path) -> None:
    rng = random.Random(SEED)
    data = bytearray(rng.randbytes(4096))
    data[:4] = b"\x8a\x13\xf7\x02"  # no PK / OLE2 / PDF magic at the start, whatever the seed
    (hostile / "garbage.xlsx").write_bytes(bytes(data))
    rng = random.Random(SEED + 1)
    out = bytearray()
    while len(out) < 2048:
        out += rng.randbytes(rng.randint(1, 15)) + b"\x00"
    (hostile / "garbage.csv").write_bytes(bytes(out[:2048]))


def make_corrupt_zip(hostile: Path) -> None:
    data = _small_valid_xlsx()
    (hostile / "corrupt_zip.xlsx").write_bytes(data[: len(data) // 2])


def make_not_really(hostile: Path) -> None:
    """A plain UTF-8 CSV export saved under an .xlsx name."""
    header = [
        "商机编号",
        "商机名称",
        "客户名称",
        "负责人",
        "销售阶段",
        "预计金额(元)",
        "创建日期",
        "预计成交日期",
    ]
    rows = [
        (v[0], v[1], v[2], v[3], v[5], v[7], v[9].isoformat(), v[10].isoformat())
        for v in TOTALS_ROWS[:5]
    ]
    _write_csv(hostile / "not_really.xlsx", header, rows, encoding="utf-8")


_LOL_DTD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    "<!DOCTYPE worksheet [\n"
    '  <!ENTITY lol "lol">\n'
    '  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    + "".join(f'  <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">\n' for i in range(2, 10))
    + "]>\n"
)


def make_xml_entities(hostile: Path) -> None:
    """A real xlsx whose sheet1.xml declares a billion-laughs DTD and uses it in a cell."""
    base = zipfile.ZipFile(io.BytesIO(_small_valid_xlsx()))
    sheet = (
        _LOL_DTD + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<dimension ref="A1:C2"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>商机编号</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>商机名称</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>销售阶段</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>LOL-0001</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>目标客户</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in base.infolist():
            data = (
                sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else base.read(info)
            )
            zf.writestr(
                zipfile.ZipInfo(info.filename, date_time=ZIP_TIME),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    (hostile / "xml_entities.xlsx").write_bytes(out.getvalue())


_ENCRYPT_SNIPPET = r"""
import datetime, io, random, sys
import msoffcrypto.method.container.ecma376_encrypted as container
import msoffcrypto.method.ecma376_agile as agile
from msoffcrypto.format.ooxml import OOXMLFile
rng = random.Random(int(sys.argv[1]))
agile._random_buffer = lambda n: rng.randbytes(n)  # seeded salts and key: reproducible bytes
class FixedNow(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime(2024, 1, 1, 8, 0, 0)
container.datetime = FixedNow  # the OLE directory's creation/modification times
plain = io.BytesIO(sys.stdin.buffer.read())
out = io.BytesIO()
OOXMLFile(plain).encrypt(sys.argv[2], out)
sys.stdout.buffer.write(out.getvalue())
"""


def make_encrypted(hostile: Path) -> bool:
    """Encrypt a small xlsx with password "secret" via msoffcrypto-tool in CORPUS_CRYPT_PYTHON."""
    target = hostile / "encrypted.xlsx"
    python = os.environ.get("CORPUS_CRYPT_PYTHON")
    if not python:
        try:
            import msoffcrypto  # noqa: F401  (only if someone installed it here)

            python = sys.executable
        except ImportError:
            if not target.exists():
                print(
                    "  encrypted.xlsx missing: set CORPUS_CRYPT_PYTHON to a Python with "
                    "msoffcrypto-tool to make it",
                    file=sys.stderr,
                )
            return False
    result = subprocess.run(
        [python, "-c", _ENCRYPT_SNIPPET, str(SEED), "secret"],
        input=_small_valid_xlsx(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    target.write_bytes(result.stdout)
    return True


def make_no_stage_column(hostile: Path) -> None:
    header = ["商机编号", "商机名称", "客户名称", "负责人", "预计金额（元）", "创建日期"]
    rows = [
        ("NS-0301", "门户网站改版", "上海徐汇文化发展有限公司", "张伟", "180000", "2024-01-15"),
        ("NS-0302", "视频会议系统", "杭州钱塘新区管委会", "王芳", "420000", "2023-12-04"),
        ("NS-0303", "财务软件升级", "苏州吴中建材有限公司", "李娜", "95000", "2024-02-20"),
        ("NS-0304", "机房搬迁", "南京鼓楼医院", "刘洋", "660000", "2023-11-08"),
        ("NS-0305", "网络安全等保", "无锡新吴区政务中心", "陈静", "310000", "2024-02-02"),
    ]
    _write_csv(hostile / "no_stage_column_2024-03.csv", header, rows, encoding="utf-8")


def make_wrong_type(hostile: Path) -> None:
    pdf = (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    (hostile / "wrong_type.xlsx").write_bytes(pdf)


def make_small_hostile(hostile: Path) -> None:
    (hostile / "empty.xlsx").write_bytes(b"")
    (hostile / "empty.csv").write_bytes(b"")
    make_header_only(hostile)
    make_garbage(hostile)
    make_corrupt_zip(hostile)
    make_not_really(hostile)
    make_xml_entities(hostile)
    make_no_stage_column(hostile)
    make_wrong_type(hostile)


# --------------------------------------------------------------------------------------------
# Big hostile files, made at test time
# --------------------------------------------------------------------------------------------
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_BOMB_ROW = (
    '<row><c t="inlineStr"><is><t>BOMB-0000</t></is></c><c t="inlineStr"><is><t>目标客户</t></is></c>'
    "<c><v>100000</v></c></row>"
).encode()


def _bomb_sheet(inflated_bytes: int, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>商机编号</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>销售阶段</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>预计金额（元）</t></is></c></row>'
    ).encode()
    tail = b"</sheetData></worksheet>"
    yield head
    chunk = _BOMB_ROW * (chunk_bytes // len(_BOMB_ROW))
    remaining = inflated_bytes - len(head) - len(tail)
    while remaining >= len(chunk):
        yield chunk
        remaining -= len(chunk)
    yield _BOMB_ROW * (remaining // len(_BOMB_ROW))
    yield tail


def make_zip_bomb(path: Path, inflated_bytes: int = 2 << 30) -> Path:
    """An xlsx whose sheet1.xml inflates to about ``inflated_bytes`` (2 GiB by default).

    The zip's sizes are honest (zip64), so a reader can refuse it from the central directory
    alone. Written by streaming: memory stays at a few MB.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ):
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as sheet:
            for piece in _bomb_sheet(inflated_bytes):
                sheet.write(piece)
    return path


def make_too_large(path: Path, size_bytes: int) -> Path:
    """A valid CSV export padded with real rows to ``size_bytes`` (for a loader's size limit)."""
    header = (
        "商机编号,商机名称,客户名称,负责人,销售阶段,预计金额（元）,创建日期,预计成交日期\n".encode()
    )
    with open(path, "wb") as f:
        f.write(header)
        written, i = len(header), 0
        block = []
        while written < size_bytes:
            i += 1
            line = f"BIG-{i:08d},大文件测试商机,大文件测试客户有限公司,张伟,目标客户,100000,2024-01-15,2024-12-31\n".encode()
            block.append(line)
            written += len(line)
            if len(block) >= 10000:
                f.write(b"".join(block))
                block = []
        f.write(b"".join(block))
    return path


def make_hostile(directory: str | Path, *, too_large_bytes: int | None = None) -> dict[str, Path]:
    """Write the hostile files too big to commit into ``directory``; returns {name: path}.

    Always ``zip_bomb.xlsx`` (2 GiB inflated, ~2 MB on disk). With ``too_large_bytes`` also
    ``too_large_2024-03.csv`` of at least that many bytes (pass the loader's limit plus one).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = {"zip_bomb.xlsx": make_zip_bomb(directory / "zip_bomb.xlsx")}
    if too_large_bytes is not None:
        name = "too_large_2024-03.csv"
        out[name] = make_too_large(directory / name, too_large_bytes)
    return out


# ============================================================================================
# Main
# ============================================================================================
MESSY_MAKERS = {
    "title_and_hint_2024-03.xlsx": make_title_and_hint,
    "gb18030_2024-04.csv": make_gb18030,
    "utf8_bom_2024-05.csv": make_utf8_bom,
    "us_dates_dayfirst_2024-06.csv": make_dayfirst,
    "totals_row_2024-07.xlsx": make_totals_row,
    "merged_header_2024-08.xlsx": make_merged_header,
    "multi_sheet_2024-09.xlsx": make_multi_sheet,
    "duplicates_and_dates_2024-10.xlsx": make_duplicates_and_dates,
    "pipedrive_style_2024-11.csv": make_pipedrive,
    "hubspot_style_2024-12.csv": make_hubspot,
    "stage_labels_2025-01.xlsx": make_stage_labels,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--libreoffice",
        action="store_true",
        help="re-save the libreoffice_* files with soffice even if present",
    )
    parser.add_argument(
        "--bomb-dir", metavar="DIR", help="also run make_hostile(DIR) and report how long it took"
    )
    args = parser.parse_args(argv)

    MESSY.mkdir(exist_ok=True)
    HOSTILE.mkdir(exist_ok=True)
    for name, maker in MESSY_MAKERS.items():
        maker(MESSY / name)
    lo = make_libreoffice(MESSY, force=args.libreoffice)
    make_small_hostile(HOSTILE)
    enc = make_encrypted(HOSTILE)
    print(
        f"messy: {len(MESSY_MAKERS)} written"
        + (f", LibreOffice saved {', '.join(lo)}" if lo else ", libreoffice_* kept")
    )
    print("hostile: small files written" + ("" if enc else ", encrypted.xlsx kept"))
    if args.bomb_dir:
        t0 = time.perf_counter()
        paths = make_hostile(args.bomb_dir)
        dt = time.perf_counter() - t0
        for name, p in paths.items():
            print(f"make_hostile: {name} {p.stat().st_size:,} bytes in {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

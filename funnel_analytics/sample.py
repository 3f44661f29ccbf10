"""A seeded, fictional company's CRM opportunity exports: the bundled sample data.

华辰智能科技 (Huachen Intelligent Technology) sells smart-factory projects (warehousing,
MES, vision inspection, robot cells, ...) through four regional teams. Its reps export the
opportunity list from the CRM at every month end. The simulation behaves like a real
project-selling funnel: deals enter at the first stage, advance (sometimes skipping a
stage), stall, fall back one or two stages, slip their expected close date, change amount,
get won or lost, and now and then go on hold. Some reps report a stage the deal's milestone
checklist does not support yet ("stage inflation"), which the product is meant to catch.
Each deal also carries the customer's procurement stage, the rep's go/no-go evaluation and a
key-roles record; and the story of ``domain.md`` §3 happens in it (:data:`STORY_DEAL`: a
780k quote against a 700k budget, filed as Committed on one friendly contact's word, falls
back when the general manager steps in, and is lost; a 200k follow-on is won).

Everything is a pure function of the seed (``numpy.random.default_rng``); nothing reads the
clock. :func:`generate_history` returns the canonical monthly snapshots;
:func:`write_sample_files` writes them the way real users would bring them: monthly Chinese
Excel exports, an English Salesforce-style CSV and a Salesforce ``OpportunityHistory``-style
stage-change log. Regenerate the bundled folder with::

    python -m funnel_analytics.sample sample_data
"""

from __future__ import annotations

import calendar
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .sample_eight import _six_state_real
from .stages import LOST, ON_HOLD, OPEN, PROCUREMENT_KEYS, WON, get_stage_model

__all__ = ["COMPANY", "generate_history", "main", "write_sample_files"]

COMPANY = "华辰智能科技"
COMPANY_EN = "Huachen Intelligent Technology"

# Deals created before the first exported month: a year of warm-up so that the first
# snapshot already holds a mature pipeline (deals in every stage, some months old).
_WARMUP_MONTHS = 12

# (zh, en, cities as (zh, en), market size factor)
_TEAMS: tuple[tuple[str, str, tuple[tuple[str, str], ...], float], ...] = (
    (
        "华东大区",
        "East Region",
        (
            ("上海", "Shanghai"),
            ("苏州", "Suzhou"),
            ("杭州", "Hangzhou"),
            ("南京", "Nanjing"),
            ("宁波", "Ningbo"),
            ("无锡", "Wuxi"),
            ("合肥", "Hefei"),
            ("常州", "Changzhou"),
        ),
        1.25,
    ),
    (
        "华北大区",
        "North Region",
        (
            ("北京", "Beijing"),
            ("天津", "Tianjin"),
            ("济南", "Jinan"),
            ("青岛", "Qingdao"),
            ("石家庄", "Shijiazhuang"),
            ("太原", "Taiyuan"),
            ("唐山", "Tangshan"),
        ),
        1.0,
    ),
    (
        "华南大区",
        "South Region",
        (
            ("广州", "Guangzhou"),
            ("深圳", "Shenzhen"),
            ("东莞", "Dongguan"),
            ("佛山", "Foshan"),
            ("厦门", "Xiamen"),
            ("珠海", "Zhuhai"),
            ("南宁", "Nanning"),
        ),
        1.1,
    ),
    (
        "西部大区",
        "West Region",
        (
            ("成都", "Chengdu"),
            ("重庆", "Chongqing"),
            ("西安", "Xi'an"),
            ("昆明", "Kunming"),
            ("贵阳", "Guiyang"),
            ("兰州", "Lanzhou"),
        ),
        0.75,
    ),
)

# Fictional reps: (zh, pinyin as an English-language CRM would store it).
_REPS: tuple[tuple[str, str], ...] = (
    ("陈志强", "Chen Zhiqiang"),
    ("王丽娟", "Wang Lijuan"),
    ("李建国", "Li Jianguo"),
    ("张晓明", "Zhang Xiaoming"),
    ("刘洋", "Liu Yang"),
    ("赵敏", "Zhao Min"),
    ("孙浩然", "Sun Haoran"),
    ("周静", "Zhou Jing"),
    ("吴磊", "Wu Lei"),
    ("郑雪梅", "Zheng Xuemei"),
    ("黄俊杰", "Huang Junjie"),
    ("林晓燕", "Lin Xiaoyan"),
    ("何文斌", "He Wenbin"),
    ("马骏", "Ma Jun"),
    ("高婷", "Gao Ting"),
    ("罗超", "Luo Chao"),
    ("谢雨桐", "Xie Yutong"),
    ("宋凯", "Song Kai"),
    ("唐慧敏", "Tang Huimin"),
    ("韩冬", "Han Dong"),
    ("冯佳琪", "Feng Jiaqi"),
    ("曹宇航", "Cao Yuhang"),
    ("彭程", "Peng Cheng"),
    ("邓雅婷", "Deng Yating"),
)

_BRANDS: tuple[tuple[str, str], ...] = (
    ("恒通", "Hengtong"),
    ("瑞丰", "Ruifeng"),
    ("宏达", "Hongda"),
    ("金桥", "Jinqiao"),
    ("天泽", "Tianze"),
    ("博远", "Boyuan"),
    ("新晟", "Xinsheng"),
    ("嘉禾", "Jiahe"),
    ("启明", "Qiming"),
    ("鼎盛", "Dingsheng"),
    ("永拓", "Yongtuo"),
    ("盛华", "Shenghua"),
    ("康达", "Kangda"),
    ("泰和", "Taihe"),
    ("安信", "Anxin"),
    ("远航", "Yuanhang"),
    ("弘毅", "Hongyi"),
    ("润德", "Runde"),
    ("祥和", "Xianghe"),
    ("同舟", "Tongzhou"),
    ("聚源", "Juyuan"),
    ("广泰", "Guangtai"),
    ("鑫源", "Xinyuan"),
    ("德润", "Derun"),
    ("华科", "Huake"),
    ("明远", "Mingyuan"),
    ("正阳", "Zhengyang"),
    ("合力达", "Helida"),
)

_INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("精密机械", "Precision Machinery"),
    ("汽车零部件", "Auto Parts"),
    ("电子科技", "Electronics"),
    ("新材料", "New Materials"),
    ("医药", "Pharmaceutical"),
    ("食品", "Foods"),
    ("物流", "Logistics"),
    ("化工", "Chemicals"),
    ("纺织", "Textiles"),
    ("家电", "Home Appliances"),
    ("光伏科技", "Solar Technology"),
    ("电力设备", "Power Equipment"),
    ("包装材料", "Packaging"),
    ("冷链", "Cold Chain"),
)

# (zh, en, median amount in yuan)
_PRODUCTS: tuple[tuple[str, str, float], ...] = (
    ("智能仓储系统", "Smart Warehouse System", 900_000),
    ("MES系统", "MES Rollout", 600_000),
    ("视觉检测设备", "Vision Inspection Equipment", 350_000),
    ("工业机器人集成", "Robot Cell Integration", 800_000),
    ("AGV物流系统", "AGV Logistics System", 700_000),
    ("设备联网平台", "Equipment IoT Platform", 300_000),
    ("能源管理系统", "Energy Management System", 250_000),
    ("数字化工厂规划", "Digital Factory Planning", 180_000),
    ("产线自动化改造", "Line Automation Retrofit", 1_200_000),
    ("质量追溯系统", "Quality Traceability System", 280_000),
)

SOURCES = ("cold_visit", "follow_up", "penetration", "cultivation", "inbound")
_SOURCE_WEIGHTS = np.array([0.20, 0.24, 0.17, 0.23, 0.16])
_SOURCE_ZH = {
    "cold_visit": "陌生拜访",
    "follow_up": "跟踪",
    "penetration": "渗透",
    "cultivation": "耕耘",
    "inbound": "主动咨询",
}
_SOURCE_EN = {
    "cold_visit": "Cold Call",
    "follow_up": "Follow-up",
    "penetration": "Penetration",
    "cultivation": "Cultivation",
    "inbound": "Inbound",
}
# Existing customers lose less often than strangers.
_SOURCE_LOSS = {
    "cold_visit": 1.3,
    "follow_up": 1.1,
    "penetration": 0.9,
    "cultivation": 0.7,
    "inbound": 1.0,
}

GRADES = ("A", "B", "C", "D")
_GRADE_WEIGHTS = np.array([0.15, 0.30, 0.35, 0.20])
# Grades follow expected close time and likelihood: A closes soon and likely, D late.
_GRADE_HORIZON = {"A": (1, 3), "B": (2, 5), "C": (3, 8), "D": (5, 12)}
_GRADE_ADVANCE = {"A": 1.4, "B": 1.1, "C": 0.9, "D": 0.6}
_GRADE_LOSS = {"A": 0.5, "B": 0.8, "C": 1.1, "D": 1.6}
_GRADE_WIN = {"A": 1.3, "B": 1.1, "C": 0.9, "D": 0.7}

# Monthly chances by (real) stage index 0..4 of the six-state model.
_P_ADVANCE = (0.30, 0.27, 0.25, 0.22, 0.0)
_P_LOSS = (0.20, 0.13, 0.10, 0.08, 0.08)
_P_SKIP = 0.12  # share of advances that jump two stages
_P_REGRESS = 0.035
_P_REGRESS_TWO = 0.3  # share of regressions that fall back two stages
_P_HOLD = 0.012
_P_RESUME, _P_LOST_ON_HOLD = 0.25, 0.12
_P_AMOUNT_CHANGE = 0.05
# Stage inflation: a rep reports one stage beyond what the checklist supports.
_P_INFLATE_STALLED, _P_INFLATE_ON_ADVANCE, _P_CORRECTED = 0.022, 0.08, 0.12

# Intake seasonality by calendar month (Spring Festival dip, March restart, Golden Week).
_SEASON = {
    1: 0.95,
    2: 0.8,
    3: 1.15,
    4: 1.05,
    5: 1.0,
    6: 1.05,
    7: 0.95,
    8: 0.9,
    9: 1.1,
    10: 0.9,
    11: 1.05,
    12: 1.0,
}
_MIN_AMOUNT, _MAX_AMOUNT = 50_000, 5_000_000

STATUS_ZH = {OPEN: "进行中", WON: "赢单", LOST: "输单", ON_HOLD: "搁置"}
_FORECAST = {
    "target": "Pipeline",
    "qualified": "Pipeline",
    "shortlisted": "Pipeline",
    "committed": "Best Case",
    "near_win": "Commit",
    "won": "Closed",
}

XLSX_BASE_HEADERS = (
    "商机编号",
    "商机名称",
    "客户名称",
    "销售团队",
    "负责人",
    "销售阶段",
    "状态",
    "预计金额（万元）",
    "赢单概率",
    "创建日期",
    "预计成交日期",
    "实际成交日期",
    "商机来源",
    "客户等级",
)
EN_HEADERS = (
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Owner Role",
    "Stage",
    "Amount",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Lead Source",
    "Rating",
)
HISTORY_HEADERS = (
    "OpportunityId",
    "StageName",
    "CreatedDate",
    "Amount",
    "CloseDate",
    "Probability",
    "ForecastCategory",
)

CANONICAL_COLUMNS = (
    "opportunity_id",
    "opportunity_name",
    "account",
    "owner",
    "team",
    "stage",
    "status",
    "amount",
    "probability",
    "created_date",
    "expected_close_date",
    "close_date",
    "source",
    "grade",
    "snapshot_date",
)
_DATE_COLUMNS = ("created_date", "expected_close_date", "close_date", "snapshot_date")


# --------------------------------------------------------------------------------------------
# Calendar helpers: months are counted as year * 12 + (month - 1).
# --------------------------------------------------------------------------------------------
def _month_index(text: str) -> int:
    period = pd.Period(text, freq="M")
    return period.year * 12 + period.month - 1


def _month_end(mi: int) -> date:
    y, m = divmod(mi, 12)
    return date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def _month_start(mi: int) -> date:
    y, m = divmod(mi, 12)
    return date(y, m + 1, 1)


def _day_in_month(rng: np.random.Generator, mi: int, not_before: date | None = None) -> date:
    start, end = _month_start(mi), _month_end(mi)
    if not_before is not None and not_before > start:
        start = min(not_before, end)
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _round_amount(x: float) -> int:
    return round(min(max(x, _MIN_AMOUNT), _MAX_AMOUNT) / 1000.0) * 1000


# --------------------------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------------------------
@dataclass
class _Rep:
    zh: str
    en: str
    team: int
    productivity: float
    skill: float
    optimism: float


@dataclass
class _Account:
    zh: str
    en: str
    brand: int
    team: int


@dataclass
class _Deal:
    oid: str
    name_zh: str
    name_en: str
    account: _Account
    rep: _Rep
    source: str
    grade: str
    amount: int
    created: date
    created_mi: int
    expected_close: date
    real: int = 0  # the stage the checklist supports
    reported: int = 0  # the stage the rep reports: real, or real + 1 when inflated
    furthest: int = 0  # furthest reported stage, kept by a lost deal
    partial: int = 0  # items of the next stage already done (never all of them)
    order: list[np.ndarray] = field(default_factory=list)  # per stage: order items get done
    status: str = OPEN
    close_date: date | None = None


def _make_reps(rng: np.random.Generator, n_reps: int) -> list[_Rep]:
    if not 1 <= n_reps <= len(_REPS):
        raise ValueError(f"n_reps must be between 1 and {len(_REPS)}, got {n_reps}")
    n_teams = len(_TEAMS) if n_reps >= len(_TEAMS) else n_reps
    productivity = rng.lognormal(0.0, 0.25, n_reps)
    skill = rng.lognormal(0.0, 0.15, n_reps)
    optimists = set(rng.choice(n_reps, size=max(1, n_reps // 6), replace=False).tolist())
    reps = []
    for i, (zh, en) in enumerate(_REPS[:n_reps]):
        team = i * n_teams // n_reps
        reps.append(
            _Rep(
                zh,
                en,
                team,
                float(productivity[i] * _TEAMS[team][3]),
                float(skill[i]),
                3.0 if i in optimists else 1.0,
            )
        )
    return reps


class _Accounts:
    """Customer names, unique across the company, and each team's existing customers."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.existing: dict[int, list[_Account]] = {t: [] for t in range(len(_TEAMS))}

    def new(self, team: int) -> _Account:
        cities = _TEAMS[team][2]
        while True:
            c = cities[int(self.rng.integers(len(cities)))]
            b = int(self.rng.integers(len(_BRANDS)))
            ind = _INDUSTRIES[int(self.rng.integers(len(_INDUSTRIES)))]
            listed = self.rng.random() < 0.2
            zh = f"{c[0]}{_BRANDS[b][0]}{ind[0]}{'股份有限公司' if listed else '有限公司'}"
            if zh not in self.used:
                break
        self.used.add(zh)
        en = f"{c[1]} {_BRANDS[b][1]} {ind[1]} Co., Ltd."
        return _Account(zh, en, b, team)

    def existing_or_new(self, team: int) -> _Account:
        pool = self.existing[team]
        if not pool:
            return self.new(team)
        return pool[int(self.rng.integers(len(pool)))]

    def add_customer(self, account: _Account) -> None:
        if account not in self.existing[account.team]:
            self.existing[account.team].append(account)


def _new_deal(
    rng: np.random.Generator,
    mi: int,
    seq: int,
    rep: _Rep,
    accounts: _Accounts,
    checklist_sizes: Sequence[int],
) -> _Deal:
    source = SOURCES[int(rng.choice(len(SOURCES), p=_SOURCE_WEIGHTS))]
    grade = GRADES[int(rng.choice(len(GRADES), p=_GRADE_WEIGHTS))]
    # Penetration and cultivation sell to existing customers; inquiries come from both.
    if source in ("penetration", "cultivation") or (source == "inbound" and rng.random() < 0.4):
        account = accounts.existing_or_new(rep.team)
    else:
        account = accounts.new(rep.team)
    p_zh, p_en, median = _PRODUCTS[int(rng.integers(len(_PRODUCTS)))]
    phase_zh, phase_en = ("二期", " Phase 2") if source == "cultivation" else ("", "")
    brand_zh, brand_en = _BRANDS[account.brand]
    amount = _round_amount(float(rng.lognormal(np.log(median), 0.8)))
    created = _day_in_month(rng, mi)
    lo, hi = _GRADE_HORIZON[grade]
    expected = _day_in_month(rng, mi + int(rng.integers(lo, hi + 1)))
    year = mi // 12
    return _Deal(
        oid=f"OPP-{year}-{seq:04d}",
        name_zh=f"{brand_zh}{p_zh}{phase_zh}项目",
        name_en=f"{brand_en} {p_en}{phase_en}",
        account=account,
        rep=rep,
        source=source,
        grade=grade,
        amount=amount,
        created=created,
        created_mi=mi,
        expected_close=expected,
        # Items get done in a random order, except that a contract is signed before it is paid.
        order=[*(rng.permutation(n) for n in checklist_sizes[:-1]), np.arange(checklist_sizes[-1])],
    )


def _step(rng: np.random.Generator, d: _Deal, mi: int, sizes: Sequence[int]) -> None:
    """Move one deal through one month: stage, status, amount and expected close date."""
    won_idx = len(sizes) - 1
    month_end = _month_end(mi)
    if d.status == ON_HOLD:
        u = rng.random()
        if u < _P_LOST_ON_HOLD:
            d.status, d.close_date = LOST, _day_in_month(rng, mi, d.created)
        elif u < _P_LOST_ON_HOLD + _P_RESUME:
            d.status = OPEN
    else:
        s, due = d.real, d.expected_close <= month_end
        p_loss = _P_LOSS[s] * _GRADE_LOSS[d.grade] * _SOURCE_LOSS[d.source] / d.rep.skill
        if s == won_idx - 1:
            p_win = (0.35 + (0.15 if due else 0.0)) * _GRADE_WIN[d.grade] * d.rep.skill
        elif s == won_idx - 2:
            p_win = 0.03 * _GRADE_WIN[d.grade]
        else:
            p_win = 0.0
        p_adv = _P_ADVANCE[s] * _GRADE_ADVANCE[d.grade] * d.rep.skill
        p_reg = _P_REGRESS if s >= 1 else 0.0
        u = rng.random()
        if u < p_loss:
            d.status, d.close_date = LOST, _day_in_month(rng, mi, d.created)
        elif (u := u - p_loss) < p_win:
            d.status, d.close_date = WON, _day_in_month(rng, mi, d.created)
            d.real = d.reported = d.furthest = won_idx
            if rng.random() < 0.4:  # the final negotiation takes something off
                d.amount = _round_amount(d.amount * rng.uniform(0.85, 1.0))
        elif (u := u - p_win) < _P_HOLD:
            d.status = ON_HOLD
        elif (u := u - _P_HOLD) < p_reg:
            drop = 2 if s >= 2 and rng.random() < _P_REGRESS_TWO else 1
            d.real = d.reported = s - drop
            # Something the customer had granted no longer holds: the stage above is now
            # partly done.
            d.partial = int(rng.integers(1, sizes[d.real + 1]))
            if rng.random() < 0.3:
                d.amount = _round_amount(d.amount * rng.uniform(0.6, 0.95))
        elif (u := u - p_reg) < p_adv:
            step = 2 if s + 2 <= won_idx - 1 and rng.random() < _P_SKIP else 1
            d.real = s + step
            d.partial = int(rng.integers(1, sizes[d.real + 1])) if rng.random() < 0.4 else 0
            d.reported = max(d.reported, d.real)
            if (
                d.reported == d.real < won_idx - 1
                and rng.random() < _P_INFLATE_ON_ADVANCE * d.rep.optimism
            ):
                d.reported = d.real + 1
        else:  # stalled
            if d.reported > d.real and rng.random() < _P_CORRECTED:
                d.reported = d.real  # the manager's review puts it back
            elif (
                d.reported == d.real < won_idx - 1
                and rng.random() < _P_INFLATE_STALLED * d.rep.optimism
            ):
                d.reported = d.real + 1
            elif d.partial < sizes[d.real + 1] - 1 and rng.random() < 0.3:
                d.partial += 1
        if d.reported > d.real and d.partial == 0:
            d.partial = 1  # an optimistic rep leans on some real progress
        d.furthest = max(d.furthest, d.reported)
    if d.status in (OPEN, ON_HOLD):
        if rng.random() < _P_AMOUNT_CHANGE:
            d.amount = _round_amount(d.amount * rng.lognormal(0.0, 0.25))
        if d.expected_close <= month_end:
            if rng.random() < (0.9 if d.status == ON_HOLD else 0.75):
                d.expected_close = _day_in_month(rng, mi + int(rng.integers(1, 4)))
        elif rng.random() < 0.04:
            ahead = (d.expected_close.year * 12 + d.expected_close.month - 1) + int(
                rng.integers(1, 3)
            )
            day = min(d.expected_close.day, _month_end(ahead).day)
            d.expected_close = _month_start(ahead).replace(day=day)


def _checklist_row(d: _Deal, sizes: Sequence[int]) -> list[bool]:
    out: list[bool] = []
    for k, n in enumerate(sizes):
        if k <= d.real:
            out.extend([True] * n)
        elif k == d.real + 1:
            done = set(d.order[k][: d.partial].tolist())
            out.extend(i in done for i in range(n))
        else:
            out.extend([False] * n)
    return out


# Where each customer's procurement stands, as the rep records it (客户采购阶段): the step the
# deal's real stage (the one its checklist supports) mirrors, so a rep who reports a stage
# ahead of the checklist is ahead of the customer too; and for some customers a step behind
# or ahead of that, the same for the deal's whole life. Drawn from a generator of its own per
# deal, so the rest of the sample is the same with or without this column.
_CUSTOMER_OFFSETS = (-1, 0, 1)
_CUSTOMER_OFFSET_WEIGHTS = (0.12, 0.78, 0.10)
_PROCUREMENT_ZH = (
    "确认需求",
    "预算到位",
    "已立项",
    "确定采购标准",
    "招标发布",
    "评标",
    "商务谈判",
    "签约",
)


def _customer_offset(seed: int, oid: str) -> int:
    rng = np.random.default_rng([seed, zlib.crc32(oid.encode())])
    return int(rng.choice(_CUSTOMER_OFFSETS, p=_CUSTOMER_OFFSET_WEIGHTS))


def _customer_stage(d: _Deal, mirrors: list[int], offsets: dict[str, int], seed: int) -> str:
    """The deal's customer's procurement stage this month: signed once won, else the step its
    real stage mirrors, moved by the customer's offset (drawn once per deal), kept short of
    signing."""
    if d.status == WON:
        return PROCUREMENT_KEYS[-1]
    if d.oid not in offsets:
        offsets[d.oid] = _customer_offset(seed, d.oid)
    position = min(max(mirrors[d.real] + offsets[d.oid], 0), len(PROCUREMENT_KEYS) - 2)
    return PROCUREMENT_KEYS[position]


# --------------------------------------------------------------------------------------------
# The story of domain.md §3, as it happened at the sample company
# --------------------------------------------------------------------------------------------
# A line-automation retrofit at a new customer, 恒瑞精密机械: the customer's budget is about
# 700k, the rep quotes 780k in June and files the deal as Committed (商务), one stage ahead of
# its checklist, on the word of one friendly contact (the equipment manager). In August the
# general manager asks for an integration nobody scoped; the deal falls back two stages, and a
# week into September the contract goes to a rival. Only a 200k follow-on service order is
# saved, won in October. Scripted, not drawn: the rest of the sample is the same without it.
STORY_DEAL, STORY_FOLLOW_ON = "OPP-2026-3001", "OPP-2026-3002"
_STORY_REP = "王丽娟"
_STORY_ACCOUNT = ("苏州恒瑞精密机械有限公司", "Suzhou Hengrui Precision Machinery Co., Ltd.")
# (deal, month, reported stage, stage the checklist supports, items of the next stage done,
#  status, expected close, close date, amount)
_STORY: tuple[tuple[str, str, int, int, int, str, str, str | None, int], ...] = (
    (STORY_DEAL, "2026-03", 0, 0, 1, OPEN, "2026-07-31", None, 780_000),
    (STORY_DEAL, "2026-04", 1, 1, 1, OPEN, "2026-07-31", None, 780_000),
    (STORY_DEAL, "2026-05", 2, 2, 0, OPEN, "2026-07-31", None, 780_000),
    (STORY_DEAL, "2026-06", 3, 2, 2, OPEN, "2026-07-31", None, 780_000),
    (STORY_DEAL, "2026-07", 3, 2, 2, OPEN, "2026-08-31", None, 780_000),
    (STORY_DEAL, "2026-08", 1, 1, 1, OPEN, "2026-10-30", None, 780_000),
    (STORY_DEAL, "2026-09", 3, 1, 1, LOST, "2026-10-30", "2026-09-04", 780_000),
    (STORY_FOLLOW_ON, "2026-09", 0, 0, 0, OPEN, "2026-10-30", None, 200_000),
    (STORY_FOLLOW_ON, "2026-10", 5, 5, 0, WON, "2026-10-30", "2026-10-23", 200_000),
)


def _story_rows(
    reps: Sequence[_Rep],
    accounts: _Accounts,
    simulated: range,
    sizes: Sequence[int],
    keys: Sequence[str],
    probs: dict[str, float],
) -> list[list[object]]:
    """The rows of the §3 story's two deals in the simulated months (none outside them)."""
    rep = next((r for r in reps if r.zh == _STORY_REP), reps[0])
    account = _Account(*_STORY_ACCOUNT, brand=0, team=rep.team)
    accounts.used.add(account.zh)
    model = get_stage_model("six_state")
    mirrors = [PROCUREMENT_KEYS.index(str(st.procurement)) for st in model.stages]
    names = {
        STORY_DEAL: (
            "恒瑞产线自动化改造项目",
            "Hengrui Line Automation Retrofit",
            "follow_up",
            "A",
        ),
        STORY_FOLLOW_ON: (
            "恒瑞产线改造配套服务项目",
            "Hengrui Line Retrofit Follow-on Services",
            "follow_up",
            "B",
        ),
    }
    created = {STORY_DEAL: date(2026, 3, 12), STORY_FOLLOW_ON: date(2026, 9, 16)}
    rows: list[list[object]] = []
    for oid, month, reported, real, partial, status, expected, closed, amount in _STORY:
        mi = _month_index(month)
        if mi not in simulated:
            continue
        name_zh, name_en, source, grade = names[oid]
        d = _Deal(
            oid=oid,
            name_zh=name_zh,
            name_en=name_en,
            account=account,
            rep=rep,
            source=source,
            grade=grade,
            amount=amount,
            created=created[oid],
            created_mi=_month_index(created[oid].strftime("%Y-%m")),
            expected_close=date.fromisoformat(expected),
            real=real,
            reported=reported,
            partial=partial,
            order=[np.arange(n) for n in sizes],
            status=status,
            close_date=None if closed is None else date.fromisoformat(closed),
        )
        stage = keys[reported]
        procurement = (
            PROCUREMENT_KEYS[-1]
            if status == WON
            else PROCUREMENT_KEYS[min(mirrors[real], len(PROCUREMENT_KEYS) - 2)]
        )
        rows.append(
            [
                oid,
                d.name_zh,
                account.zh,
                rep.zh,
                _TEAMS[rep.team][0],
                stage,
                status,
                amount,
                0.0 if status == LOST else probs[stage],
                d.created,
                d.expected_close,
                d.close_date,
                source,
                grade,
                _month_end(mi),
                d.name_en,
                account.en,
                rep.en,
                _TEAMS[rep.team][1],
                *_checklist_row(d, sizes),
                procurement,
            ]
        )
    return rows


# --------------------------------------------------------------------------------------------
# The go/no-go evaluation each rep fills in (domain.md §6): six factors per deal
# --------------------------------------------------------------------------------------------
# Written as the reps write them, in words. Funding follows the customer's procurement (secured
# once the budget is in place); the relationship follows where the deal came from; the credit
# the customer (listed companies rate A); the project grade (A-D) the deal's size. The technical
# fit and the competition follow the deal's grade, which is what makes a deal likely to be won
# in the simulation: an A deal fits better and meets weaker rivals than a D deal.
# Drawn from a generator of their own per deal, so the rest of the sample is the same without.
_FACTOR_COLUMNS = {
    "project_grade": "项目等级",
    "funding": "资金落实",
    "technical_fit": "技术符合度",
    "relationship": "客户关系",
    "credit": "客户信用",
    "competition": "竞争态势",
}
_FIT = (
    ("符合", "部分符合", "不符合"),
    {
        "A": (0.7, 0.25, 0.05),
        "B": (0.55, 0.35, 0.1),
        "C": (0.45, 0.4, 0.15),
        "D": (0.3, 0.45, 0.25),
    },
)
_COMPETITION = (
    ("领先", "持平", "落后"),
    {"A": (0.55, 0.35, 0.1), "B": (0.4, 0.4, 0.2), "C": (0.25, 0.45, 0.3), "D": (0.15, 0.4, 0.45)},
)
_RELATIONSHIP = (
    ("密切", "良好", "一般", "疏远"),
    {
        "cultivation": (0.5, 0.4, 0.1, 0.0),
        "penetration": (0.35, 0.45, 0.2, 0.0),
        "follow_up": (0.0, 0.5, 0.4, 0.1),
        "cold_visit": (0.0, 0.1, 0.5, 0.4),
        "inbound": (0.0, 0.3, 0.6, 0.1),
    },
)
_P_FACTOR_BLANK = 0.08
_STORY_FACTORS = {
    STORY_DEAL: ("B", "部分落实", "部分符合", "疏远", "B", "持平"),
    STORY_FOLLOW_ON: ("C", "已落实", "符合", "良好", "B", "持平"),
}


def _factors(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The ``factor.<key>`` columns of every row of the simulated frame (words, or None)."""
    first = df.drop_duplicates("opportunity_id").set_index("opportunity_id")  # as created
    per_deal: dict[str, dict[str, object]] = {}
    for oid, r in first.iterrows():
        rng = np.random.default_rng([seed, 4, zlib.crc32(str(oid).encode())])
        values: dict[str, object] = {}
        for key, (words, by) in (("technical_fit", _FIT), ("competition", _COMPETITION)):
            p = by[r["grade"]]
            values[key] = words[int(rng.choice(len(words), p=p))]
        words, by_source = _RELATIONSHIP
        values["relationship"] = words[int(rng.choice(len(words), p=by_source[r["source"]]))]
        if str(r["account"]).endswith("股份有限公司"):
            values["credit"] = "A"
        else:
            values["credit"] = "ABC"[int(rng.choice(3, p=(0.25, 0.6, 0.15)))]
        amount = r["amount"]
        values["project_grade"] = (
            "A"
            if amount >= 1_000_000
            else "B"
            if amount >= 500_000
            else "C"
            if amount >= 200_000
            else "D"
        )
        values["unfunded"] = "部分落实" if rng.random() < 0.4 else "未落实"
        blank = rng.random(len(_FACTOR_COLUMNS)) < _P_FACTOR_BLANK
        values["blank"] = dict(zip(_FACTOR_COLUMNS, blank, strict=True))
        per_deal[str(oid)] = values
    out: dict[str, list[object]] = {f"factor.{k}": [] for k in _FACTOR_COLUMNS}
    budget = PROCUREMENT_KEYS.index("budget")
    for oid, procurement in zip(df["opportunity_id"], df["procurement_stage"], strict=True):
        values = per_deal[oid]
        story = _STORY_FACTORS.get(oid)
        for i, key in enumerate(_FACTOR_COLUMNS):
            if story is not None:
                out[f"factor.{key}"].append(story[i])
            elif values["blank"][key]:
                out[f"factor.{key}"].append(None)
            elif key == "funding":
                funded = PROCUREMENT_KEYS.index(procurement) >= budget
                out[f"factor.{key}"].append("已落实" if funded else values["unfunded"])
            else:
                out[f"factor.{key}"].append(values[key])
    return pd.DataFrame(out, index=df.index, dtype="object")


# --------------------------------------------------------------------------------------------
# The key roles (domain.md §3, §7): who on the customer's side each rep has met
# --------------------------------------------------------------------------------------------
# The CRM's contact-role list: one row each time a contact's stage, stance or engagement was
# recorded. Contacts join as the deal gets to them (the decision maker once the project is
# qualified, procurement and finance at the commercial stage) and stand where the deal's
# checklist stands, a few a stage behind. Deals that were lost had fewer people on our side,
# more of them opposed, and more often no coach. Drawn per deal, apart from the simulation.
ROLES_SHEET = "关键角色"
ROLES_HEADERS = ("商机编号", "联系人", "职务", "角色", "态度", "参与度", "所处阶段", "日期", "备注")
_ROLE_ZH = {
    "decision_maker": "决策者",
    "user": "使用者",
    "technical": "技术评估",
    "procurement": "采购",
    "finance": "财务",
    "coach": "教练",
    "other": "其他",
}
# role: (honorific, job titles, stage index it joins at, chance listed if won / lost / open).
# The decision maker and the coach are known from the checklist instead: listed from the month
# their item is ticked (高层已批准, 已有内线), and otherwise only now and then.
# (column, chance listed once ticked if won / lost / open, chance listed if never ticked)
_CHECKLIST_ROLES = {
    "decision_maker": ("checklist.qualified.top_approval", (0.97, 0.6, 0.85), 0.3),
    "coach": ("checklist.committed.coach", (1.0, 0.7, 0.9), 0.2),
}
# Some deals are worked through one person only, more of those that were lost.
_P_THIN = {WON: 0.06, LOST: 0.2, OPEN: 0.1}
_ROLE_PLAN: dict[str, tuple[str, tuple[str, ...], int, tuple[float, float, float]]] = {
    "decision_maker": ("总", ("总经理", "副总经理", "厂长"), 1, (0.8, 0.45, 0.6)),
    "user": ("主任", ("生产部经理", "设备部主任", "车间主任"), 0, (0.9, 0.8, 0.85)),
    "technical": ("工", ("技术部工程师", "信息部主管", "总工程师"), 1, (0.65, 0.5, 0.6)),
    "procurement": ("经理", ("采购经理", "采购专员"), 3, (0.6, 0.4, 0.5)),
    "finance": ("总监", ("财务总监", "财务经理"), 3, (0.35, 0.25, 0.3)),
    "coach": ("工", ("设备部工程师", "信息部主管", "工艺工程师"), 1, (0.75, 0.3, 0.5)),
    "other": ("老师", ("设计院顾问", "集团信息中心顾问"), 0, (0.15, 0.15, 0.15)),
}
_INFLUENCE = ("decision_maker", "user", "technical", "procurement", "finance")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_P_LISTED = 0.85
_P_OPPOSES = {WON: 0.03, LOST: 0.15, OPEN: 0.07}
_P_LAGS = {WON: 0.05, LOST: 0.15, OPEN: 0.07}
_P_TURNS = 0.35  # a lost deal's influencer who turns against us in the month it is lost


def _story_roles() -> list[tuple[object, ...]]:
    zh = get_stage_model("six_state").stage_names("zh")
    rows = [
        (STORY_DEAL, "王建华", "设备部经理", "user", "supports", 3, "target", "2026-03-12", ""),
        (STORY_DEAL, "王建华", "设备部经理", "user", "supports", 3, "qualified", "2026-04-15", ""),
        (
            STORY_DEAL,
            "王建华",
            "设备部经理",
            "user",
            "supports",
            3,
            "shortlisted",
            "2026-05-20",
            "",
        ),
        (
            STORY_DEAL,
            "王建华",
            "设备部经理",
            "user",
            "supports",
            3,
            "committed",
            "2026-06-18",
            "已报价78万；客户预算约70万，王经理说可以争取",
        ),
        (
            STORY_DEAL,
            "刘总",
            "总经理",
            "decision_maker",
            "opposes",
            3,
            "qualified",
            "2026-08-26",
            "首次见面：要求增加与ERP的集成，原方案未包含；认为报价超出预算",
        ),
        (
            STORY_DEAL,
            "王建华",
            "设备部经理",
            "user",
            "supports",
            2,
            "qualified",
            "2026-08-27",
            "方案需按集成要求重做",
        ),
        (
            STORY_FOLLOW_ON,
            "王建华",
            "设备部经理",
            "user",
            "supports",
            3,
            "target",
            "2026-09-16",
            "",
        ),
        (
            STORY_FOLLOW_ON,
            "刘总",
            "总经理",
            "decision_maker",
            "neutral",
            2,
            "target",
            "2026-09-18",
            "",
        ),
    ]
    stance = {"supports": "支持", "neutral": "中立", "opposes": "反对"}
    return [
        (oid, who, title, _ROLE_ZH[role], stance[s], e, zh[stage], pd.Timestamp(day), note)
        for oid, who, title, role, s, e, stage, day, note in rows
    ]


def _roles_table(full: pd.DataFrame, seed: int, deal_ids: set[str]) -> pd.DataFrame:
    """The key-roles sheet (:data:`ROLES_HEADERS`) of the deals in ``deal_ids``, from their
    creation on; the story's deals as told."""
    names = get_stage_model("six_state").stage_names("zh")
    keys = get_stage_model("six_state").keys
    part = full[full["opportunity_id"].isin(deal_ids)].sort_values(
        ["opportunity_id", "snapshot_date"], kind="stable"
    )
    supported = _six_state_real(part)
    status_all = part["status"].to_numpy()
    snaps_all = part["snapshot_date"].to_numpy()
    created_all = part["created_date"].to_numpy()
    closed_all = part["close_date"].to_numpy()
    ticked_all = {role: part[col].to_numpy() for role, (col, _, _) in _CHECKLIST_ROLES.items()}
    stage_names = [names[k] for k in keys]
    rows: list[tuple[object, ...]] = []
    for oid, idx in part.groupby("opportunity_id", sort=True).indices.items():
        if oid in (STORY_DEAL, STORY_FOLLOW_ON):
            continue
        rng = np.random.default_rng([seed, 3, zlib.crc32(str(oid).encode())])
        if rng.random() >= _P_LISTED:
            continue
        real, status, snaps = supported[idx], status_all[idx], snaps_all[idx]
        outcome = status[-1] if status[-1] in (WON, LOST) else OPEN
        k = (WON, LOST, OPEN).index(outcome)
        surnames = list(rng.permutation(list(_SURNAMES)))
        opened = np.flatnonzero((status != LOST) & (status != WON))
        contacts = []
        thin = rng.random() < _P_THIN[outcome]
        for role, (honorific, titles, join, chances) in _ROLE_PLAN.items():
            if thin and (contacts or role != "user"):
                continue
            if role in _CHECKLIST_ROLES:
                _, if_ticked, if_not = _CHECKLIST_ROLES[role]
                ticked = opened[ticked_all[role][idx][opened]]
                u = rng.random()
                if len(ticked) and u < if_ticked[k]:
                    start = int(ticked[0])
                elif u < if_not:
                    start = next((int(j) for j in opened if real[j] >= join), len(idx))
                else:
                    continue
            elif rng.random() < chances[k] or (role == "user" and not contacts):
                start = next((int(j) for j in opened if real[j] >= join), len(idx))
            else:
                continue
            stance = "支持"
            if role != "coach":
                u = rng.random()
                stance = "反对" if u < _P_OPPOSES[outcome] else "中立" if u < 0.35 else "支持"
            engagement = (
                0 if rng.random() < 0.05 else int(rng.choice([1, 2, 3], p=(0.25, 0.4, 0.35)))
            )
            lag = int(role in _INFLUENCE and rng.random() < _P_LAGS[outcome])
            who = f"{surnames.pop()}{honorific}"
            title = titles[int(rng.integers(len(titles)))]
            contacts.append((role, who, title, stance, engagement, start, lag))
        created = pd.Timestamp(created_all[idx[0]])
        for role, who, title, stance, engagement, start, lag in contacts:
            shown = None
            for j in opened:
                stage = max(int(real[j]) - lag, 0)
                if j < start or stage == shown:
                    continue
                snap = pd.Timestamp(snaps[j])
                first = max(created, snap.replace(day=1))
                day = first + pd.Timedelta(days=int(rng.integers(0, (snap - first).days + 1)))
                row = (oid, who, title, _ROLE_ZH[role], stance, engagement, stage_names[stage], day)
                rows.append((*row, ""))
                shown = stage
        if outcome == LOST and len(opened) and rng.random() < _P_TURNS:
            last_open = int(real[opened[-1]])
            listed = [c for c in contacts if c[0] in _INFLUENCE and c[5] <= opened[-1]]
            if listed:
                role, who, title, _, engagement, _, lag = listed[int(rng.integers(len(listed)))]
                stage = stage_names[max(last_open - lag, 0)]
                day = pd.Timestamp(closed_all[idx[-1]])
                rows.append((oid, who, title, _ROLE_ZH[role], "反对", engagement, stage, day, ""))
    if STORY_DEAL in deal_ids:
        rows.extend(_story_roles())
    out = pd.DataFrame(rows, columns=list(ROLES_HEADERS))
    out["日期"] = pd.to_datetime(out["日期"]).astype("datetime64[ns]")
    return out.sort_values(["商机编号", "日期", "联系人"], kind="stable", ignore_index=True)


def _simulate(seed: int, months: int, first_month: str, n_reps: int) -> pd.DataFrame:
    """All monthly snapshots, warm-up months included, with English names for the exports."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    model = get_stage_model("six_state")
    keys = model.keys
    sizes = [len(s.checklist) for s in model.stages]
    probs = model.probabilities
    check_cols = list(model.checklist_columns)
    mirrors = [PROCUREMENT_KEYS.index(str(st.procurement)) for st in model.stages]
    offsets: dict[str, int] = {}
    rng = np.random.default_rng(seed)
    reps = _make_reps(rng, n_reps)
    weights = np.array([r.productivity for r in reps])
    weights /= weights.sum()
    accounts = _Accounts(rng)
    for team in range(len(_TEAMS)):  # the installed base before the simulation starts
        for _ in range(int(rng.integers(15, 26))):
            accounts.add_customer(accounts.new(team))

    first = _month_index(first_month)
    start = first - _WARMUP_MONTHS
    scale = n_reps / 12
    seq: dict[int, int] = {}
    live: list[_Deal] = []
    rows: list[list[object]] = []
    for mi in range(start, first + months):
        for d in live:
            _step(rng, d, mi, sizes)
        mean = 75 * _SEASON[mi % 12 + 1] * scale
        n_new = int(np.clip(rng.poisson(mean), round(60 * scale), round(90 * scale)))
        for rep_i in rng.choice(len(reps), size=n_new, p=weights):
            year = mi // 12
            seq[year] = seq.get(year, 0) + 1
            d = _new_deal(rng, mi, seq[year], reps[int(rep_i)], accounts, sizes)
            live.append(d)
        snap = _month_end(mi)
        for d in live:
            stage = keys[d.furthest] if d.status == LOST else keys[d.reported]
            rows.append(
                [
                    d.oid,
                    d.name_zh,
                    d.account.zh,
                    d.rep.zh,
                    _TEAMS[d.rep.team][0],
                    stage,
                    d.status,
                    d.amount,
                    0.0 if d.status == LOST else probs[stage],
                    d.created,
                    d.expected_close,
                    d.close_date,
                    d.source,
                    d.grade,
                    snap,
                    d.name_en,
                    d.account.en,
                    d.rep.en,
                    _TEAMS[d.rep.team][1],
                    *_checklist_row(d, sizes),
                    _customer_stage(d, mirrors, offsets, seed),
                ]
            )
            if d.status == WON:
                accounts.add_customer(d.account)
        live = [d for d in live if d.status in (OPEN, ON_HOLD)]
    rows.extend(_story_rows(reps, accounts, range(start, first + months), sizes, keys, probs))

    columns = [
        *CANONICAL_COLUMNS,
        "opportunity_name_en",
        "account_en",
        "owner_en",
        "team_en",
        *check_cols,
        "procurement_stage",
    ]
    df = pd.DataFrame(rows, columns=columns)
    for col in _DATE_COLUMNS:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    df["amount"] = df["amount"].astype("int64")
    df["probability"] = df["probability"].astype("float64")
    for col in check_cols:
        df[col] = df[col].astype(bool)
    df = df.sort_values(["snapshot_date", "opportunity_id"], ignore_index=True)
    return pd.concat([df, _factors(df, seed)], axis=1)


def generate_history(
    seed: int = 2026, months: int = 12, first_month: str = "2025-11", n_reps: int = 12
) -> pd.DataFrame:
    """Monthly opportunity snapshots of the fictional company 华辰智能科技.

    Each month end the company's CRM holds every open or on-hold deal plus the deals won or
    lost during that month; a closed deal appears once (in the month it closed) and then
    leaves the export, as in a real monthly export. New deals (about 60-90 a month) enter at
    ``target``. Each month a deal may advance (sometimes skipping a stage), stall, fall back
    one or two stages, go on hold, be won (stage ``won``) or be lost (status ``lost``; the
    stage stays the furthest stage the rep ever reported, and the probability is 0). Expected
    close dates slip when they come due, amounts change now and then. The deals already
    open in the first month were created in a year of simulated warm-up before it.

    The checklist columns hold the truth: every item of every stage the deal has really
    reached is True, and part of the next stage's items may be done. For about 8% of open
    deals the reported ``stage`` is one ahead of the checklist ("stage inflation"); a
    manager's review or the deal's real progress later resolves it.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.
    months
        Number of monthly snapshots.
    first_month
        The first snapshot month, ``"YYYY-MM"``.
    n_reps
        Number of sales reps (1 to 24), spread evenly over the four regional teams.

    Returns
    -------
    pandas.DataFrame
        One row per (deal, snapshot), sorted by ``snapshot_date`` then ``opportunity_id``,
        with the canonical columns ``opportunity_id``, ``opportunity_name``, ``account``,
        ``owner``, ``team``, ``stage`` (six-state key), ``status`` (open / won / lost /
        on_hold), ``amount`` (yuan), ``probability`` (fraction), ``created_date``,
        ``expected_close_date``, ``close_date`` (won and lost only), ``source``, ``grade``,
        ``snapshot_date`` (month end), then one boolean ``checklist.<stage>.<item>`` column
        per milestone item of the six-state model, ``procurement_stage`` (a key of
        :data:`~funnel_analytics.stages.PROCUREMENT_KEYS`) and the ``factor.<key>`` columns of
        the go/no-go evaluation as the reps write them (words such as 已落实, 部分符合, or
        None where left blank).

    Examples
    --------
    >>> df = generate_history(months=2)
    >>> df["snapshot_date"].dt.strftime("%Y-%m-%d").unique().tolist()
    ['2025-11-30', '2025-12-31']
    >>> df["stage"].iloc[0] in ("target", "qualified", "shortlisted", "committed", "near_win", "won")
    True
    """
    full = _simulate(seed, months, first_month, n_reps)
    first_end = pd.Timestamp(_month_end(_month_index(first_month)))
    model = get_stage_model("six_state")
    window = full[full["snapshot_date"] >= first_end]
    factors = [f"factor.{key}" for key in _FACTOR_COLUMNS]
    columns = [*CANONICAL_COLUMNS, *model.checklist_columns, "procurement_stage", *factors]
    return window[columns].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Export layouts
# --------------------------------------------------------------------------------------------
def _chinese_export(snapshot: pd.DataFrame) -> pd.DataFrame:
    """One month's canonical rows in the Chinese CRM export layout (values still typed)."""
    model = get_stage_model("six_state")
    names = model.stage_names("zh")
    out = pd.DataFrame(
        {
            "商机编号": snapshot["opportunity_id"],
            "商机名称": snapshot["opportunity_name"],
            "客户名称": snapshot["account"],
            "销售团队": snapshot["team"],
            "负责人": snapshot["owner"],
            "销售阶段": snapshot["stage"].map(names),
            "状态": snapshot["status"].map(STATUS_ZH),
            "预计金额（万元）": (snapshot["amount"] / 10_000).round(1),
            "赢单概率": (snapshot["probability"] * 100).round().astype(int).astype(str) + "%",
            "创建日期": snapshot["created_date"],
            "预计成交日期": snapshot["expected_close_date"],
            "实际成交日期": snapshot["close_date"],
            "商机来源": snapshot["source"].map(_SOURCE_ZH),
            "客户等级": snapshot["grade"],
        }
    )
    for col, (_, item) in model.checklist_columns.items():
        out[item.zh] = np.where(snapshot[col].to_numpy(), "是", "否")
    out["客户采购阶段"] = snapshot["procurement_stage"].map(
        dict(zip(PROCUREMENT_KEYS, _PROCUREMENT_ZH, strict=True))
    )
    for key, header in _FACTOR_COLUMNS.items():
        out[header] = snapshot[f"factor.{key}"].fillna("")
    return out.reset_index(drop=True)


def _english_export(snapshot: pd.DataFrame) -> pd.DataFrame:
    """One month in a Salesforce-style English layout (US dates, amounts in yuan)."""
    names = get_stage_model("six_state").stage_names("en")
    lost = snapshot["status"] == LOST
    closed = snapshot["status"].isin([WON, LOST])
    close = snapshot["close_date"].where(closed, snapshot["expected_close_date"])
    return pd.DataFrame(
        {
            "Opportunity ID": snapshot["opportunity_id"],
            "Opportunity Name": snapshot["opportunity_name_en"],
            "Account Name": snapshot["account_en"],
            "Opportunity Owner": snapshot["owner_en"],
            "Owner Role": snapshot["team_en"],
            "Stage": snapshot["stage"].map(names).where(~lost, "Closed Lost"),
            "Amount": snapshot["amount"],
            "Probability (%)": (snapshot["probability"] * 100).round().astype(int),
            "Created Date": snapshot["created_date"].dt.strftime("%m/%d/%Y"),
            "Close Date": close.dt.strftime("%m/%d/%Y"),
            "Lead Source": snapshot["source"].map(_SOURCE_EN),
            "Rating": snapshot["grade"],
        }
    ).reset_index(drop=True)


def _stage_log(full: pd.DataFrame, deal_ids: set[str], seed: int) -> pd.DataFrame:
    """Salesforce ``OpportunityHistory``-style rows, derived from the monthly snapshots.

    A row is written when a deal is created (its first stage), whenever its reported stage
    changes (advances, skips, regressions, corrections), when it is won or lost, and when it
    goes on hold or resumes (same stage, forecast category ``Omitted`` while on hold). The
    time of a change is a seeded moment within the month where the change was first seen;
    won and lost rows fall on the actual close date.
    """
    model = get_stage_model("six_state")
    names = model.stage_names("en")
    rng = np.random.default_rng([seed, 1])
    part = full[full["opportunity_id"].isin(deal_ids)].sort_values(
        ["opportunity_id", "snapshot_date"], kind="stable"
    )
    rows = []
    prev_id, prev_state = None, None
    for r in part.itertuples(index=False):
        state = (r.stage, r.status)
        if r.opportunity_id != prev_id:
            day = r.created_date.date()
        elif state != prev_state:
            if r.status in (WON, LOST):
                day = r.close_date.date()
            else:
                snap = r.snapshot_date
                day = _day_in_month(rng, snap.year * 12 + snap.month - 1, r.created_date.date())
        else:
            prev_id = r.opportunity_id
            continue
        prev_id, prev_state = r.opportunity_id, state
        minutes = int(rng.integers(8 * 12, 19 * 12)) * 5  # office hours, five-minute steps
        stamp = datetime.combine(day, time(minutes // 60, minutes % 60))
        if r.status == LOST:
            stage_name, prob, forecast = "Closed Lost", 0, "Omitted"
            close = r.close_date
        elif r.status == WON:
            stage_name, prob, forecast = "Closed Won", 100, "Closed"
            close = r.close_date
        else:
            stage_name = names[r.stage]
            prob = round(r.probability * 100)
            forecast = "Omitted" if r.status == ON_HOLD else _FORECAST[r.stage]
            close = r.expected_close_date
        rows.append((r.opportunity_id, stage_name, stamp, r.amount, close, prob, forecast))
    log = pd.DataFrame(rows, columns=list(HISTORY_HEADERS))
    log = log.sort_values(["OpportunityId", "CreatedDate"], kind="stable", ignore_index=True)
    log["CreatedDate"] = log["CreatedDate"].dt.strftime("%m/%d/%y %I:%M %p")
    log["CloseDate"] = pd.to_datetime(log["CloseDate"]).dt.strftime("%m/%d/%y")
    return log


def _write_xlsx(
    path: Path, export: pd.DataFrame, mi: int, roles: pd.DataFrame | None = None
) -> None:
    import xlsxwriter

    y, m = divmod(mi, 12)
    title = f"{COMPANY} {y}年{m + 1}月商机清单"
    wb = xlsxwriter.Workbook(str(path))
    # A fixed creation time keeps the file byte-for-byte reproducible (and off the clock).
    wb.set_properties(
        {
            "title": title,
            "author": COMPANY,
            "created": datetime.combine(_month_end(mi), time(18, 0)),
        }
    )
    ws = wb.add_worksheet("商机清单")
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    f_head = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    f_amount = wb.add_format({"num_format": "0.0"})
    headers = list(export.columns)
    ws.merge_range(0, 0, 0, len(headers) - 1, title, f_title)
    ws.set_row(0, 24)
    ws.write_row(1, 0, headers, f_head)
    date_cols = {"创建日期", "预计成交日期", "实际成交日期"}
    for c, name in enumerate(headers):
        values = export[name].tolist()
        if name in date_cols:
            for r, v in enumerate(values, start=2):
                if not pd.isna(v):
                    ws.write_datetime(r, c, v.to_pydatetime(), f_date)
        elif name == "预计金额（万元）":
            for r, v in enumerate(values, start=2):
                ws.write_number(r, c, float(v), f_amount)
        else:
            for r, v in enumerate(values, start=2):
                ws.write_string(r, c, str(v))
    widths = {
        "商机编号": 15,
        "商机名称": 28,
        "客户名称": 32,
        "销售团队": 10,
        "负责人": 8,
        "销售阶段": 12,
        "状态": 7,
        "预计金额（万元）": 11,
        "赢单概率": 8,
        "创建日期": 11,
        "预计成交日期": 12,
        "实际成交日期": 12,
        "商机来源": 9,
        "客户等级": 8,
        "客户采购阶段": 12,
        "技术符合度": 10,
    }
    for c, name in enumerate(headers):
        ws.set_column(c, c, widths.get(name, 10))
    ws.freeze_panes(2, 2)
    ws.autofilter(1, 0, len(export) + 1, len(headers) - 1)
    if roles is not None:
        _write_roles_sheet(wb, roles, f_head, f_date)
    wb.close()


def _write_roles_sheet(wb: Any, roles: pd.DataFrame, f_head: Any, f_date: Any) -> None:
    """The key-roles sheet beside the opportunities: a header row, then one row per record."""
    ws = wb.add_worksheet(ROLES_SHEET)
    headers = list(roles.columns)
    ws.write_row(0, 0, headers, f_head)
    for c, name in enumerate(headers):
        for r, v in enumerate(roles[name].tolist(), start=1):
            if name == "日期":
                ws.write_datetime(r, c, v.to_pydatetime(), f_date)
            elif name == "参与度":
                ws.write_number(r, c, int(v))
            elif v != "":
                ws.write_string(r, c, str(v))
    widths = {"商机编号": 15, "职务": 14, "所处阶段": 12, "日期": 11, "备注": 48}
    for c, name in enumerate(headers):
        ws.set_column(c, c, widths.get(name, 9))
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(roles), len(headers) - 1)


def write_sample_files(out_dir: str | Path, seed: int = 2026) -> list[Path]:
    """Write the bundled sample: 12 monthly Chinese Excel exports, an English CSV, a stage log.

    The files are what users of the dashboard would really upload:

    - ``商机导出_YYYY-MM.xlsx`` for each month from 2025-11 to 2026-10: sheet ``商机清单``, a
      merged title row (``华辰智能科技 2026年3月商机清单``), the Chinese header row, then one
      row per deal. The month is known only from the file name. Amounts are in 万元,
      probabilities are text like ``"50%"``, dates are real Excel dates, checklist items are
      是/否. A lost deal shows the furthest stage reached with 状态 输单. The customer's
      procurement stage (客户采购阶段) and the six go/no-go evaluation factors (项目等级, 资金落实,
      技术符合度, 客户关系, 客户信用, 竞争态势, in words; some left blank) follow. The latest
      month's workbook has a second sheet, ``关键角色``: the key-roles records (deal, contact,
      job title, role, stance, engagement 0-3, the contact's stage, date, note) of every deal
      in the exports, from its creation on.
    - ``opportunities_en_2026-10.csv``: the last month with Salesforce-style English headers,
      US dates, amounts in yuan, six-state English stage names and ``Closed Lost``.
    - ``opportunity_history_en.csv``: an ``OpportunityHistory``-style stage-change log of every
      deal that appears in the monthly exports, from its creation on.
    - ``eight_stage/项目商机_YYYY-MM.xlsx``: the same months and deals recorded in the
      eight-stage project sales process (:mod:`funnel_analytics.sample_eight`).

    Parameters
    ----------
    out_dir
        Folder to write into; created when missing. Existing files of the same names are
        overwritten; other files are left alone.
    seed
        Seed passed to :func:`generate_history`.

    Returns
    -------
    list of pathlib.Path
        The written files, monthly exports first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    months, first_month = 12, "2025-11"
    full = _simulate(seed, months, first_month, 12)
    first = _month_index(first_month)
    written: list[Path] = []
    for mi in range(first, first + months):
        snap = full[full["snapshot_date"] == pd.Timestamp(_month_end(mi))]
        y, m = divmod(mi, 12)
        path = out / f"商机导出_{y}-{m + 1:02d}.xlsx"
        roles = None
        if mi == first + months - 1:  # the latest export carries the key-roles sheet
            seen = full[full["snapshot_date"] >= pd.Timestamp(_month_end(first))]
            roles = _roles_table(full, seed, set(seen["opportunity_id"]))
        _write_xlsx(path, _chinese_export(snap), mi, roles)
        written.append(path)
    last = first + months - 1
    y, m = divmod(last, 12)
    last_snap = full[full["snapshot_date"] == pd.Timestamp(_month_end(last))]
    path = out / f"opportunities_en_{y}-{m + 1:02d}.csv"
    _english_export(last_snap).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    written.append(path)
    window = full[full["snapshot_date"] >= pd.Timestamp(_month_end(first))]
    path = out / "opportunity_history_en.csv"
    _stage_log(full, set(window["opportunity_id"]), seed).to_csv(
        path, index=False, encoding="utf-8", lineterminator="\n"
    )
    written.append(path)
    from .sample_eight import EIGHT_STAGE_DIR, write_eight_stage_files

    eight = out / EIGHT_STAGE_DIR
    written += write_eight_stage_files(
        full, eight, first_month, months, _chinese_export, _write_xlsx, seed
    )
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the sample folder: ``python -m funnel_analytics.sample [OUT_DIR] [SEED]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = args[0] if args else "sample_data"
    seed = int(args[1]) if len(args) > 1 else 2026
    for path in write_sample_files(out_dir, seed=seed):
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

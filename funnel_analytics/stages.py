"""Stage models: the ordered open stages of a sales funnel, ending in the won stage.

A stage model says which stages a deal can be in, in which order, with what nominal chance
of being won, and (optionally) two checklists per stage (``domain.md`` §2b, §7): its
*milestones*, the minimal actions that show a deal has really entered the stage, and its
*success criteria*, everything done plus the customer's commitment to move on, which show the
stage is completed. Both are yes/no columns of an export, named
``checklist.<stage>.<item>``; the model says which list each item belongs to. Lost and on-hold are outcomes outside the ordered list: a lost deal
keeps the furthest stage it reached.

Built-in models are listed in :data:`BUILTIN_MODELS`; users define their own in TOML
(see :func:`load_stage_model`).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is matched: the CLI starts without it
    import pandas as pd

__all__ = [
    "BUILTIN_MODELS",
    "DEFAULT_EVALUATION",
    "DEFAULT_MODEL",
    "ChecklistItem",
    "Evaluation",
    "EvaluationFactor",
    "Stage",
    "StageModel",
    "StageModelError",
    "classify",
    "get_stage_model",
    "load_evaluation",
    "load_stage_model",
    "normalize_label",
]

# Canonical deal statuses. A stage value can also carry an outcome ("输单" is a status, not a
# stage), and a status column overrides what the stage implies.
OPEN, WON, LOST, ON_HOLD = "open", "won", "lost", "on_hold"
STATUSES = (OPEN, WON, LOST, ON_HOLD)
# The customer's procurement stages, in order (funnel_analytics.procurement names them); a
# stage may declare the one it mirrors.
PROCUREMENT_KEYS = (
    "need",
    "budget",
    "approved",
    "criteria",
    "tender",
    "evaluation",
    "negotiation",
    "signed",
)
#: Where an inferred model's win probability came from: the file's probability column, measured
#: from its closed deals, a built-in model's figure, or a placeholder spaced evenly.
PROBABILITY_SOURCES = ("file", "history", "model", "spaced")


class StageModelError(ValueError):
    """A stage model name is unknown or a stage-model file is malformed."""


def normalize_label(text: object) -> str:
    """Fold a label for matching: NFKC (full-width to half-width), case, spaces, punctuation."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    s = re.sub(r"[\s_\-–—·・.,:;'\"/\\()\[\]{}<>|]+", " ", s)
    return s.strip()


# "50% 入围客户", "(50%) Shortlisted", "3. Shortlisted", "③ 入围", "Shortlisted (50%)".
_PREFIX = re.compile(
    r"^\s*(?:[\(（\[]?\d{1,3}(?:\.\d+)?\s*%[\)）\]]?|\d{1,2}\s*[.、:：\-)）]|[①-⑩])\s*"
)
_SUFFIX = re.compile(r"\s*[\(（\[]?\d{1,3}(?:\.\d+)?\s*%[\)）\]]?\s*$")


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _by_characters(norm: str, labels: Mapping[str, str]) -> str | None:
    """The stage of the label sharing most of its characters with ``norm`` (for Chinese
    labels, where one character carries a word: 入围客 is 入围客户)."""
    scored = [
        (
            len(set(norm) & set(label)) / max(len(set(label) | set(norm)), 1),
            len(set(norm) & set(label)),
            label,
        )
        for label in labels
    ]
    score, shared, label = max(scored, default=(0.0, 0, ""))
    return labels[label] if score >= 0.6 and shared >= 2 else None


def _by_words(norm: str, labels: Mapping[str, str]) -> str | None:
    """The stage of the longest label whose every word is in ``norm`` (spelt nearly alike:
    "Negotiations Started" holds "negotiation"), or None when no label fits or labels of two
    stages fit as well. Letters shared across words mean nothing in English ("Contact Made"
    shares most of its letters with "committed"), so whole words are compared."""
    words = norm.split()
    fits: dict[int, set[str]] = {}
    for label, stage in labels.items():
        needed = [w for w in label.split() if w != "&"]
        if needed and all(
            any(difflib.SequenceMatcher(None, w, v).ratio() >= 0.85 for v in words) for w in needed
        ):
            fits.setdefault(len(needed), set()).add(stage)
    if not fits:
        return None
    stages = fits[max(fits)]
    return next(iter(stages)) if len(stages) == 1 else None


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a stage's checklist: a milestone action (the deal has entered the stage)
    or a success criterion (the stage is completed)."""

    key: str
    en: str
    zh: str
    question_en: str = ""
    question_zh: str = ""
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Stage:
    """One ordered stage of a stage model."""

    key: str
    en: str
    zh: str
    probability: float
    aliases: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()  # the milestones: the stage is entered
    max_days: int | None = None
    # The customer's procurement stage this stage mirrors (one of PROCUREMENT_KEYS), if declared.
    procurement: str | None = None
    # The success criteria: all done, with the customer's commitment to go on, the stage is
    # completed (domain.md §7). Their keys differ from the milestones' (one column each).
    criteria: tuple[ChecklistItem, ...] = ()
    # Where a file's own model got the win probability (PROBABILITY_SOURCES): "spaced" marks a
    # placeholder the dashboard warns of wherever it weighs deals. None: declared by the
    # model's author, as every built-in figure is.
    probability_source: str | None = None

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def placeholder(self) -> bool:
        """Whether the win probability is a placeholder (spaced evenly), not a figure."""
        return self.probability_source == "spaced"


# Words every evaluation factor reads, on its 0-5 scale (a factor's own words come first).
_LEVEL_WORDS: tuple[tuple[str, float], ...] = (
    ("高", 5.0),
    ("中", 3.0),
    ("低", 1.0),
    ("high", 5.0),
    ("medium", 3.0),
    ("low", 1.0),
    ("好", 5.0),
    ("良", 4.0),
    ("一般", 3.0),
    ("差", 1.0),
    ("good", 5.0),
    ("fair", 3.0),
    ("poor", 1.0),
    ("是", 5.0),
    ("否", 0.0),
    ("yes", 5.0),
    ("no", 0.0),
)


@dataclass(frozen=True)
class EvaluationFactor:
    """One factor of the go/no-go evaluation (``domain.md`` §6): a column ``factor.<key>``
    holding a score from 0 to ``scale`` (a number, or one of ``values``' words, or a level word
    such as 高/中/低), weighed by ``weight`` in the deal's total."""

    key: str
    en: str
    zh: str
    weight: float
    scale: float = 5.0
    values: tuple[tuple[str, float], ...] = ()  # words the factor reads, as scores on its scale
    aliases: tuple[str, ...] = ()  # header aliases beside the names and the key

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def column(self) -> str:
        return f"factor.{self.key}"

    @property
    def words(self) -> dict[str, float]:
        """Normalised word -> score: the factor's own words, then the shared level words."""
        table = {normalize_label(w): v for w, v in _LEVEL_WORDS}
        table.update({normalize_label(w): v for w, v in self.values})
        return table


@dataclass(frozen=True)
class Evaluation:
    """The go/no-go evaluation model (``domain.md`` §6, §7): factors with weights and a pass
    mark. A deal's *score* is 100 × Σ weight × (score ÷ scale) ÷ Σ weight over the factors it
    has a value for; it *passes* at ``pass_mark`` or above. A factor is *high* for a deal at
    ``high_share`` of its scale or above (3 of 5 by default)."""

    factors: tuple[EvaluationFactor, ...]
    pass_mark: float = 60.0
    high_share: float = 0.6

    def __post_init__(self) -> None:
        if not self.factors:
            raise StageModelError("an evaluation needs at least one factor")
        keys = [f.key for f in self.factors]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise StageModelError(f"evaluation factors repeat keys: {dupes}")
        for f in self.factors:
            if not (f.weight > 0 and math.isfinite(f.weight)):
                raise StageModelError(f"evaluation factor {f.key!r}: weight must be above 0")
            if not (f.scale > 0 and math.isfinite(f.scale)):
                raise StageModelError(f"evaluation factor {f.key!r}: scale must be above 0")
            bad = [w for w, v in f.values if not 0 <= v <= f.scale]
            if bad:
                raise StageModelError(
                    f"evaluation factor {f.key!r}: values {bad} are outside 0–{f.scale:g}"
                )
        if not 0 <= self.pass_mark <= 100:
            raise StageModelError("evaluation pass_mark must be between 0 and 100")
        if not 0 < self.high_share <= 1:
            raise StageModelError("evaluation high_share must be above 0 and at most 1")

    @property
    def columns(self) -> dict[str, EvaluationFactor]:
        """Canonical column name (``factor.<key>``) -> factor."""
        return {f.column: f for f in self.factors}


# The default factor set of the material (domain.md §6): each scored 0-5, the total out of 100,
# passing at 60. Funding weighs most (the §3 story: a quote above a budget nobody secured), the
# technical fit and the relationship next; the project's grade, the customer's credit and the
# competition complete it.
_GRADE_WORDS = (("A", 5.0), ("B", 4.0), ("C", 2.0), ("D", 0.0))
DEFAULT_EVALUATION = Evaluation(
    factors=(
        EvaluationFactor(
            "project_grade",
            "Project grade",
            "项目等级",
            15.0,
            values=(*_GRADE_WORDS, ("重点", 5.0), ("普通", 3.0), ("key", 5.0), ("normal", 3.0)),
            aliases=("项目级别", "项目分级", "project tier", "project rating"),
        ),
        EvaluationFactor(
            "funding",
            "Funding",
            "资金落实",
            25.0,
            values=(
                ("已落实", 5.0),
                ("落实", 5.0),
                ("到位", 5.0),
                ("已到位", 5.0),
                ("部分落实", 3.0),
                ("部分到位", 3.0),
                ("未落实", 0.0),
                ("未到位", 0.0),
                ("secured", 5.0),
                ("partial", 3.0),
                ("partly secured", 3.0),
                ("not secured", 0.0),
            ),
            aliases=("资金落实情况", "资金情况", "资金到位", "资金", "funding", "funding status"),
        ),
        EvaluationFactor(
            "technical_fit",
            "Technical fit",
            "技术符合度",
            20.0,
            values=(("符合", 5.0), ("部分符合", 3.0), ("不符合", 0.0), ("fits", 5.0)),
            aliases=("技术匹配度", "技术要求符合度", "技术符合", "tech fit", "technical match"),
        ),
        EvaluationFactor(
            "relationship",
            "Relationship",
            "客户关系",
            20.0,
            values=(("密切", 5.0), ("良好", 4.0), ("疏远", 1.0), ("strong", 5.0), ("weak", 1.0)),
            aliases=("客户关系程度", "关系程度", "customer relationship", "relationship level"),
        ),
        EvaluationFactor(
            "credit",
            "Customer credit",
            "客户信用",
            10.0,
            values=(*_GRADE_WORDS, ("良好", 4.0)),
            aliases=("信用", "信用等级", "客户信用等级", "credit", "credit rating"),
        ),
        EvaluationFactor(
            "competition",
            "Competition",
            "竞争态势",
            10.0,
            values=(
                ("领先", 5.0),
                ("优势", 5.0),
                ("持平", 3.0),
                ("均势", 3.0),
                ("落后", 1.0),
                ("劣势", 1.0),
                ("ahead", 5.0),
                ("even", 3.0),
                ("behind", 1.0),
            ),
            aliases=(
                "竞争优势",
                "竞争情况",
                "竞争",
                "competitive position",
                "competitive factors",
            ),
        ),
    ),
    pass_mark=60.0,
)


@dataclass(frozen=True)
class StageModel:
    """An ordered funnel: open stages in order, the last one being the won stage.

    Examples
    --------
    >>> model = get_stage_model("six_state")
    >>> model.won.key, model.match_label("50% 入围客户")
    ('won', ('shortlisted', 'open'))
    """

    name: str
    stages: tuple[Stage, ...]
    lost_labels: tuple[str, ...] = ("lost", "closed lost", "丢单", "输单", "失单", "已丢单")
    on_hold_labels: tuple[str, ...] = ("on hold", "paused", "搁置", "已搁置", "暂停")
    en: str = ""
    zh: str = ""
    # Checklist columns a release moved to another stage or list: old name -> current name,
    # so exports, stored snapshots and remembered mappings that use the old name still count.
    renamed_columns: Mapping[str, str] = field(default_factory=dict, compare=False)
    # The go/no-go evaluation (factors, weights, pass mark), where the model declares one.
    evaluation: Evaluation | None = None
    _lookup: Mapping[str, tuple[str | None, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if len(self.stages) < 2:
            raise StageModelError(f"stage model {self.name!r} needs at least two stages")
        keys = [s.key for s in self.stages]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise StageModelError(f"stage model {self.name!r} repeats stage keys: {dupes}")
        for s in self.stages:
            if not 0.0 <= s.probability <= 1.0:
                raise StageModelError(
                    f"stage {s.key!r} of {self.name!r}: probability {s.probability} is not in [0, 1]"
                )
            items = [i.key for i in (*s.checklist, *s.criteria)]
            repeated = sorted({k for k in items if items.count(k) > 1})
            if repeated:
                raise StageModelError(
                    f"stage {s.key!r} of {self.name!r}: checklist item keys repeat across its "
                    f"milestones and success criteria: {repeated}"
                )
        object.__setattr__(self, "_lookup", self._build_lookup())

    # -- structure -------------------------------------------------------------------------
    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.stages)

    @property
    def won(self) -> Stage:
        return self.stages[-1]

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return self.stages[:-1]

    def stage(self, key: str) -> Stage:
        for s in self.stages:
            if s.key == key:
                return s
        raise KeyError(key)

    def index(self, key: str) -> int:
        return self.keys.index(key)

    def title(self, lang: str = "zh") -> str:
        return (self.zh if lang == "zh" else self.en) or self.name

    def stage_names(self, lang: str = "zh") -> dict[str, str]:
        return {s.key: s.name(lang) for s in self.stages}

    @property
    def probabilities(self) -> dict[str, float]:
        return {s.key: s.probability for s in self.stages}

    @property
    def placeholder_stages(self) -> tuple[Stage, ...]:
        """The open stages whose win probability is a placeholder, not a figure."""
        return tuple(s for s in self.open_stages if s.placeholder)

    @property
    def checklist_columns(self) -> dict[str, tuple[str, ChecklistItem]]:
        """The milestones: canonical column name (``checklist.<stage>.<item>``) to (stage key,
        item)."""
        return {
            f"checklist.{s.key}.{item.key}": (s.key, item)
            for s in self.stages
            for item in s.checklist
        }

    @property
    def criteria_columns(self) -> dict[str, tuple[str, ChecklistItem]]:
        """The success criteria: canonical column name (``checklist.<stage>.<item>``, read
        like a milestone's) to (stage key, item)."""
        return {
            f"checklist.{s.key}.{item.key}": (s.key, item)
            for s in self.stages
            for item in s.criteria
        }

    @property
    def all_checklist_columns(self) -> dict[str, tuple[str, ChecklistItem]]:
        """Milestones and success criteria: every yes/no column the model gives a meaning."""
        return {**self.checklist_columns, **self.criteria_columns}

    def current_column(self, name: str) -> str:
        """``name``, or the name a renamed checklist column has now."""
        return self.renamed_columns.get(name, name)

    def with_aliases(self, extra: Mapping[str, str]) -> StageModel:
        """A copy that also reads each label in ``extra`` as a stage key, ``lost`` or ``on_hold``.

        This is how a user maps unknown stage values ("谈判中" means Committed) on the spot.

        >>> m = DEFAULT_MODEL.with_aliases({"谈判中": "committed", "作废": "lost"})
        >>> m.match_label("谈判中"), m.match_label("作废")
        (('committed', 'open'), (None, 'lost'))
        """
        if not extra:
            return self
        stages = list(self.stages)
        lost, on_hold = list(self.lost_labels), list(self.on_hold_labels)
        for label, target in extra.items():
            if target == LOST:
                lost.append(label)
            elif target == ON_HOLD:
                on_hold.append(label)
            else:
                i = self.index(target)
                stages[i] = replace(stages[i], aliases=(*stages[i].aliases, label))
        return replace(
            self, stages=tuple(stages), lost_labels=tuple(lost), on_hold_labels=tuple(on_hold)
        )

    # -- matching labels -------------------------------------------------------------------
    def _build_lookup(self) -> dict[str, tuple[str | None, str]]:
        table: dict[str, tuple[str | None, str]] = {}
        probs = [s.probability for s in self.stages]
        for i, s in enumerate(self.stages):
            status = WON if i == len(self.stages) - 1 else OPEN
            labels = [s.key, s.en, s.zh, *s.aliases]
            if probs.count(s.probability) == 1:
                labels.append(f"{round(s.probability * 100)}%")
            for label in labels:
                table.setdefault(normalize_label(label), (s.key, status))
        for label in self.lost_labels:
            table.setdefault(normalize_label(label), (None, LOST))
        for label in self.on_hold_labels:
            table.setdefault(normalize_label(label), (None, ON_HOLD))
        table.pop("", None)
        return table

    def match_label(self, value: object) -> tuple[str | None, str] | None:
        """Match one stage value to ``(stage key or None, status)``; None when unknown.

        Lost and on-hold labels give ``(None, "lost")`` / ``(None, "on_hold")``: the stage the
        deal was in is then unknown from this value alone.
        """
        norm = normalize_label(value)
        if not norm:
            return None
        return self._own_label(value, norm) or self.outcome_by_name(value)

    def _own_label(self, value: object, norm: str) -> tuple[str | None, str] | None:
        """The match among the model's own names, aliases and percentages, or None."""
        hit = self._lookup.get(norm)
        if hit is not None:
            return hit
        raw = unicodedata.normalize("NFKC", str(value)).strip()
        stripped = _SUFFIX.sub("", _PREFIX.sub("", raw))
        if stripped != raw:
            return self._lookup.get(normalize_label(stripped))
        return None

    def outcome_by_name(self, value: object) -> tuple[str | None, str] | None:
        """A value the model does not list, read by its name alone when that name says how the
        deal ended (:func:`classify`: Closed Lost to Competition, Disqualified, 无效, 搁置 …):
        ``(won key, "won")``, ``(None, "lost")`` or ``(None, "on_hold")``; None for any other
        value. The model's own names come first: this is only asked of a value it does not
        know, so a model that names an open stage "Dead" keeps it open."""
        kind = classify(value)
        if kind == OPEN:
            return None
        return (self.won.key, WON) if kind == WON else (None, kind)

    def read_by_outcome_name(self, values: Iterable[object]) -> dict[str, str]:
        """The values among ``values`` that only :meth:`outcome_by_name` reads: value to
        ``won``, ``lost`` or ``on_hold`` (the loader says so in a note)."""
        out: dict[str, str] = {}
        for v in values:
            norm = normalize_label(v)
            if norm and self._own_label(v, norm) is None:
                hit = self.outcome_by_name(v)
                if hit is not None:
                    out[str(v)] = hit[1]
        return out

    def match(self, values: pd.Series) -> pd.DataFrame:
        """Vectorised :meth:`match_label`: columns ``stage`` and ``status`` (NA when unknown)."""
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        hits = [self.match_label(u) or (None, None) for u in uniques]
        # Take from the few distinct answers (a missing value's code, -1, takes a missing one).
        stage = pd.array([h[0] for h in hits], dtype="string").take(codes, allow_fill=True)
        status = pd.array([h[1] for h in hits], dtype="string").take(codes, allow_fill=True)
        return pd.DataFrame({"stage": stage, "status": status}, index=values.index)

    def suggest(self, value: object) -> str | None:
        """The stage an unknown value most likely means, or None when nothing is close.

        An outcome by name (Won, 赢单, Closed Lost, 搁置 …) is suggested as that outcome. Any
        other value is an open stage, so it is never suggested as won or lost: a number or
        percentage in it ("2 - Qualification", "50% 入围") points to the open stage with the
        nearest probability or place; else the spelling must be close to an open stage's
        name (or, for short Chinese labels, share most of its characters).
        """
        norm = normalize_label(value)
        if not norm:
            return None
        kind = classify(value)
        if kind != OPEN:
            return self.won.key if kind == WON else kind
        opens = {
            label: hit[0]
            for label, hit in self._lookup.items()
            if hit[1] == OPEN and hit[0] is not None
        }
        best = difflib.get_close_matches(norm, list(opens), n=1, cutoff=0.75)
        if best:
            return opens[best[0]]
        found = (_by_characters if _CJK.search(norm) else _by_words)(norm, opens)
        if found is not None:
            return found
        raw = unicodedata.normalize("NFKC", str(value))
        percent = re.search(r"(\d{1,3}(?:\.\d+)?)\s*%", raw)
        if percent and 0 < float(percent.group(1)) < 100:
            p = float(percent.group(1)) / 100
            return min(self.open_stages, key=lambda st: abs(st.probability - p)).key
        return None


# Outcome names a stage value can carry whatever the model (case and width folded).
_WON_NAMES = {
    "won",
    "closed won",
    "closedwon",  # HubSpot's internal stage name (closed_won and Closed-Won fold to "closed won")
    "win",
    "deal won",
    "signed",
    "赢单",
    "成交",
    "已成交",
    "已完成",
    "完成",
    "签约",
    "已签约",
    "签约成功",
    "赢单客户",
    "成功",
}
_LOST_NAMES = {
    "lost",
    "closed lost",
    "closedlost",
    "lose",
    "deal lost",
    "passed",
    "closed lost to competition",
    "lost to competition",
    "dead",
    "unqualified",
    "disqualified",
    "输单",
    "丢单",
    "失单",
    "已丢单",
    "已输单",
    "失败",
    "作废",
    "无效",  # Kingdee CRM: 赢单, 输单 and 无效 end a deal
    "无效商机",
    "关闭",
    "已关闭",
}
_ON_HOLD_NAMES = {
    "on hold",
    "hold",
    "paused",
    "suspended",
    "搁置",
    "已搁置",
    "暂停",
    "暂缓",
    "挂起",
}


def classify(value: object) -> str:
    """``won``, ``lost``, ``on_hold`` or ``open``, from a stage value's name."""
    norm = normalize_label(value)
    stripped = re.sub(r"^\d{1,3}\s*%?\s*|\s*\d{1,3}\s*%$", "", norm).strip()
    for label in {norm, stripped}:
        if label in _WON_NAMES:
            return WON
        if label in _LOST_NAMES:
            return LOST
        if label in _ON_HOLD_NAMES:
            return ON_HOLD
    return OPEN


# --------------------------------------------------------------------------------------------
# Built-in models
# --------------------------------------------------------------------------------------------
def _ck(key: str, en: str, zh: str, q_en: str = "", q_zh: str = "") -> ChecklistItem:
    return ChecklistItem(key=key, en=en, zh=zh, question_en=q_en, question_zh=q_zh)


SIX_STATE = StageModel(
    name="six_state",
    en="Six-state probability funnel",
    zh="漏斗式销售模型（六状态）",
    stages=(
        Stage(
            "target",
            "Target",
            "目标客户",
            0.10,
            procurement="need",
            aliases=("目标", "Target customer"),
            checklist=(
                _ck(
                    "need_known",
                    "Need known",
                    "需求明确",
                    "Do we know which problems the customer must solve?",
                    "是否清楚客户要解决的问题？",
                ),
                _ck(
                    "timeline_known",
                    "Timeline known",
                    "时间表明确",
                    "Do we know by when?",
                    "是否清楚客户的时间要求？",
                ),
                _ck(
                    "product_fit",
                    "Product preference known",
                    "产品倾向明确",
                    "Do we know which of our products they lean to?",
                    "是否清楚客户倾向我方哪些产品？",
                ),
                _ck(
                    "competition_known",
                    "Competition known",
                    "竞争态势明确",
                    "Do we know our edge, competitors, substitutes and lock-in features?",
                    "是否清楚我方优势、竞争对手、替代品和锁定特性？",
                ),
            ),
        ),
        Stage(
            "qualified",
            "Qualified",
            "有效客户",
            0.25,
            procurement="approved",
            aliases=("有效", "Qualified customer"),
            checklist=(
                _ck(
                    "top_approval",
                    "Top decision maker approved",
                    "高层已批准",
                    "Has the top decision maker approved the project?",
                    "最高决策者是否已批准项目？",
                ),
                _ck(
                    "budget_in_place",
                    "Budget in place",
                    "预算已落实",
                    "Is the budget in place, and how large?",
                    "预算是否已落实，规模多大？",
                ),
                _ck("payer_known", "Payer known", "付款方明确", "Who pays?", "由谁付款？"),
            ),
        ),
        Stage(
            "shortlisted",
            "Shortlisted",
            "入围客户",
            0.50,
            procurement="evaluation",
            aliases=("入围", "Shortlist"),
            checklist=(
                _ck(
                    "tech_accepted",
                    "Technical edge accepted",
                    "技术优势已认可",
                    "Does the customer accept our technical advantage over competitors?",
                    "客户是否认可我方相对竞争对手的技术优势？",
                ),
                _ck(
                    "vendor_accepted",
                    "Company accepted",
                    "公司已认可",
                    "Does it accept our company (and upstream vendor)?",
                    "客户是否认可我公司（及上游厂商）？",
                ),
                _ck(
                    "barriers_set",
                    "Technical barriers set",
                    "技术壁垒已设置",
                    "Have we set technical barriers for competitors?",
                    "是否已为竞争对手设置技术壁垒？",
                ),
            ),
        ),
        Stage(
            "committed",
            "Committed",
            "意向客户",
            0.75,
            procurement="negotiation",
            aliases=("意向", "Commit"),
            checklist=(
                _ck(
                    "decision_chain",
                    "Decision chain mapped",
                    "决策链已摸清",
                    "Are the decision chain and organisation mapped?",
                    "决策链和组织结构是否已摸清？",
                ),
                _ck(
                    "coach",
                    "Internal coach",
                    "已有内线",
                    "Do we have an internal coach?",
                    "是否有内线（教练）？",
                ),
                _ck(
                    "procurement_known",
                    "Procurement process known",
                    "采购流程已掌握",
                    "Are the procurement process and key points known?",
                    "是否掌握采购流程和关键点？",
                ),
                _ck(
                    "model_accepted",
                    "Cooperation model accepted",
                    "合作模式已认可",
                    "Does the top decision maker accept our cooperation model?",
                    "最高决策者是否接受我方合作模式？",
                ),
                _ck(
                    "channel_bound",
                    "Channel bound to us",
                    "渠道已绑定",
                    "Is the customer's preferred channel bound to us?",
                    "客户倾向的渠道是否已与我方绑定？",
                ),
            ),
        ),
        Stage(
            "near_win",
            "Near-win",
            "接近赢单客户",
            0.90,
            procurement="negotiation",
            aliases=("接近赢单", "Near win", "Nearly won"),
            checklist=(
                _ck(
                    "spec_guided",
                    "Tender spec guided by us",
                    "招标参数由我方引导",
                    "Were the tender specs written or guided by us?",
                    "招标技术参数是否由我方编写或引导？",
                ),
                _ck(
                    "scoring_set",
                    "Scoring rules set",
                    "评分规则已掌握",
                    "Were the scoring rules set by us (or the integrator chosen by us)?",
                    "评分规则是否由我方或我方选定的集成商制定？",
                ),
                _ck(
                    "evaluators_known",
                    "Evaluators known",
                    "评委名单已获得",
                    "Do we have the list of evaluators?",
                    "是否已获得评委名单？",
                ),
                _ck(
                    "award_notice",
                    "Award notice received",
                    "已收到中标通知",
                    "Was the bid won and the award notice received?",
                    "是否已中标并收到中标通知书？",
                ),
            ),
        ),
        Stage(
            "won",
            "Won",
            "赢单客户",
            1.0,
            procurement="signed",
            aliases=("赢单", "成交", "已成交", "签约", "Closed won", "Closed"),
            checklist=(
                _ck(
                    "contract_signed",
                    "Contract signed",
                    "合同已签订",
                    "Is the contract signed?",
                    "合同是否已签订？",
                ),
                _ck(
                    "advance_paid",
                    "Advance payment received",
                    "预付款已到账",
                    "Has the advance payment been received?",
                    "预付款是否已到账？",
                ),
            ),
        ),
    ),
)


def _items(*items: tuple[str, str, str]) -> tuple[ChecklistItem, ...]:
    return tuple(_ck(k, en, zh) for k, en, zh in items)


# The eight-stage process's lists (domain.md §2b): each stage's milestones are the first things
# done in it; its success criterion is the customer's commitment that ends it (the "ends when"
# column). Until both lists existed, each commitment was the next stage's only milestone;
# those columns keep working under their old names (renamed_columns below).
EIGHT_STAGE = StageModel(
    name="eight_stage",
    en="Eight-stage project sales process",
    zh="项目型销售推进流程（八步）",
    stages=(
        Stage(
            "account_planning",
            "Account planning & outreach",
            "客户规划与电话邀约",
            0.05,
            procurement="need",
            aliases=("客户规划", "电话邀约", "Account planning"),
            checklist=_items(
                ("account_researched", "Account researched and planned", "客户资料已调研并规划"),
                ("contact_called", "Key contact reached by phone", "已电话联系关键联系人"),
            ),
            criteria=_items(("meeting_agreed", "Customer agreed to meet", "客户同意会面")),
        ),
        Stage(
            "visit_discovery",
            "Visit & discovery",
            "客户拜访与初步调研",
            0.10,
            procurement="budget",
            aliases=("客户拜访", "初步调研", "Discovery"),
            checklist=_items(
                ("visit_held", "First visit held", "已完成首次拜访"),
                ("survey_done", "Discovery survey done", "初步调研已完成"),
            ),
            criteria=_items(
                (
                    "proposal_requested",
                    "Customer asked for a preliminary proposal",
                    "客户要求提交初步方案",
                )
            ),
        ),
        Stage(
            "preliminary_proposal",
            "Preliminary proposal",
            "提交初步方案",
            0.20,
            procurement="approved",
            aliases=("初步方案",),
            checklist=_items(
                ("proposal_submitted", "Preliminary proposal submitted", "初步方案已提交")
            ),
            criteria=_items(
                ("exchange_agreed", "Customer agreed to a technical exchange", "客户同意技术交流")
            ),
        ),
        Stage(
            "demo_exchange",
            "Demo & technical exchange",
            "方案演示与技术交流",
            0.30,
            procurement="criteria",
            aliases=("方案演示", "技术交流", "Demo"),
            checklist=_items(
                ("exchange_held", "Demo or technical exchange held", "已完成方案演示或技术交流")
            ),
            criteria=_items(
                ("design_invited", "Invited to design the formal solution", "受邀设计正式方案")
            ),
        ),
        Stage(
            "formal_proposal",
            "Requirements & formal proposal / bid",
            "需求分析与正式方案设计",
            0.45,
            procurement="tender",
            aliases=("正式方案", "需求分析", "投标", "Formal proposal", "Bid"),
            checklist=_items(
                ("requirements_analysed", "Requirements analysed", "需求分析已完成"),
                ("bid_submitted", "Formal proposal or bid submitted", "正式方案或投标书已提交"),
            ),
            criteria=_items(
                ("first_screening_passed", "Bid passed first screening", "投标通过初审")
            ),
        ),
        Stage(
            "evaluation",
            "Evaluation",
            "项目评估",
            0.60,
            procurement="evaluation",
            aliases=("评估", "评标"),
            checklist=_items(
                ("bid_presented", "Bid presented to the evaluators", "已向评标方讲标答疑")
            ),
            criteria=_items(("preferred_vendor", "Named preferred vendor", "被确定为首选供应商")),
        ),
        Stage(
            "negotiation",
            "Negotiation",
            "商务谈判",
            0.80,
            procurement="negotiation",
            aliases=("谈判",),
            checklist=_items(
                ("negotiation_opened", "Commercial negotiation opened", "商务谈判已启动")
            ),
            criteria=_items(("terms_agreed", "Contract terms agreed", "合同条款已谈妥")),
        ),
        Stage(
            "contract_signed",
            "Contract signed",
            "签约成交",
            1.0,
            procurement="signed",
            aliases=("签约", "成交", "Won", "Closed won", "赢单"),
            checklist=_items(("contract_signed", "Contract signed", "合同已签订")),
            criteria=_items(("payment_terms_fixed", "Payment terms fixed", "付款条件已确定")),
        ),
    ),
    renamed_columns={
        f"checklist.{old}.{item}": f"checklist.{new}.{item}"
        for old, new, item in (
            ("visit_discovery", "account_planning", "meeting_agreed"),
            ("preliminary_proposal", "visit_discovery", "proposal_requested"),
            ("demo_exchange", "preliminary_proposal", "exchange_agreed"),
            ("formal_proposal", "demo_exchange", "design_invited"),
            ("evaluation", "formal_proposal", "first_screening_passed"),
            ("negotiation", "evaluation", "preferred_vendor"),
            ("contract_signed", "negotiation", "terms_agreed"),
        )
    },
)

# The won stage the simplified funnels share: the contract signed.
_CLOSED_SIGNED = Stage(
    "closed",
    "Closed",
    "成交",
    1.0,
    aliases=("赢单", "Won", "Closed won", "签约"),
    procurement="signed",
)

FOUR_STAGE = StageModel(
    name="four_stage",
    en="Four-stage simplified funnel",
    zh="简化四阶段漏斗",
    stages=(
        Stage("intent", "Intent", "意向", 0.25, aliases=("意向客户",), procurement="need"),
        Stage("solution", "Solution", "方案", 0.50, aliases=("方案阶段",), procurement="criteria"),
        Stage(
            "commercial",
            "Commercial",
            "商务",
            0.75,
            aliases=("商务阶段", "商务谈判"),
            procurement="negotiation",
        ),
        _CLOSED_SIGNED,
    ),
)

SIX_STAGE = StageModel(
    name="six_stage",
    en="Six-stage simplified funnel",
    zh="简化六阶段漏斗",
    stages=(
        Stage("target", "Target", "目标", 0.10, aliases=("目标客户",), procurement="need"),
        Stage("intent", "Intent", "意向", 0.20, aliases=("意向客户",), procurement="budget"),
        Stage(
            "approved",
            "Project approved",
            "立项",
            0.40,
            aliases=("已立项", "Approved"),
            procurement="approved",
        ),
        Stage("solution", "Solution", "方案", 0.60, aliases=("方案阶段",), procurement="criteria"),
        Stage(
            "commercial",
            "Commercial",
            "商务",
            0.80,
            aliases=("商务阶段", "商务谈判"),
            procurement="negotiation",
        ),
        _CLOSED_SIGNED,
    ),
)

FIVE_STEP = StageModel(
    name="five_step",
    en="Five-step company process",
    zh="五步销售流程",
    stages=(
        Stage(
            "customer_analysis",
            "Customer analysis",
            "客户分析",
            0.10,
            checklist=_items(("target_locked", "Target customer locked", "目标客户已锁定")),
        ),
        Stage(
            "relationship_needs",
            "Relationship & needs",
            "关系与需求",
            0.25,
            aliases=("建立关系", "需求挖掘", "Relationship", "Needs"),
            checklist=_items(
                (
                    "key_contact",
                    "Meeting-level relationship with a key contact",
                    "与关键人建立会面级关系",
                )
            ),
        ),
        Stage(
            "present_value",
            "Present value",
            "呈现价值",
            0.50,
            checklist=_items(("written_requirements", "Written requirements", "获得书面需求")),
        ),
        Stage(
            "win_commitment",
            "Win commitment",
            "赢取承诺",
            0.75,
            checklist=_items(("negotiation_started", "Negotiation begins", "开始商务谈判")),
        ),
        Stage(
            "signed",
            "Agreement signed",
            "签约",
            1.0,
            aliases=("成交", "赢单", "Won", "Closed won"),
            checklist=_items(("agreement_signed", "Agreement signed", "协议已签署")),
        ),
    ),
)

SALESFORCE = StageModel(
    name="salesforce",
    en="Salesforce default stages",
    zh="Salesforce 默认阶段",
    stages=(
        Stage("prospecting", "Prospecting", "潜在客户", 0.10),
        Stage("qualification", "Qualification", "资格审查", 0.10),
        Stage("needs_analysis", "Needs Analysis", "需求分析", 0.20),
        Stage("value_proposition", "Value Proposition", "价值主张", 0.50),
        Stage(
            "id_decision_makers",
            "Id. Decision Makers",
            "确定决策者",
            0.60,
            aliases=("Identify Decision Makers", "Id Decision Makers"),
        ),
        Stage("perception_analysis", "Perception Analysis", "认知分析", 0.70),
        Stage(
            "proposal_price_quote",
            "Proposal/Price Quote",
            "提案/报价",
            0.75,
            aliases=("Proposal", "Price Quote"),
        ),
        Stage(
            "negotiation_review", "Negotiation/Review", "谈判/审核", 0.90, aliases=("Negotiation",)
        ),
        Stage("closed_won", "Closed Won", "成交", 1.0, aliases=("Won",)),
    ),
    lost_labels=("Closed Lost", "Lost", "丢单", "输单"),
)

HUBSPOT = StageModel(
    name="hubspot",
    en="HubSpot default deal stages",
    zh="HubSpot 默认交易阶段",
    stages=(
        Stage("appointmentscheduled", "Appointment Scheduled", "已安排会面", 0.20),
        Stage("qualifiedtobuy", "Qualified To Buy", "有购买资格", 0.40),
        Stage("presentationscheduled", "Presentation Scheduled", "已安排演示", 0.60),
        Stage(
            "decisionmakerboughtin",
            "Decision Maker Bought-In",
            "决策者已认可",
            0.80,
            aliases=("Decision Maker Bought In",),
        ),
        Stage("contractsent", "Contract Sent", "合同已发送", 0.90),
        Stage("closedwon", "Closed Won", "成交", 1.0, aliases=("Won",)),
    ),
    lost_labels=("closedlost", "Closed Lost", "Lost", "丢单", "输单"),
)

# The models of the Chinese material carry its evaluation factors (domain.md §6).
SIX_STATE, EIGHT_STAGE, FOUR_STAGE, SIX_STAGE = (
    replace(m, evaluation=DEFAULT_EVALUATION)
    for m in (SIX_STATE, EIGHT_STAGE, FOUR_STAGE, SIX_STAGE)
)

BUILTIN_MODELS: dict[str, StageModel] = {
    m.name: m
    for m in (SIX_STATE, EIGHT_STAGE, FOUR_STAGE, SIX_STAGE, FIVE_STEP, SALESFORCE, HUBSPOT)
}
DEFAULT_MODEL = SIX_STATE


def model_fit(stage_counts: Mapping[str, int], model: StageModel) -> int:
    """Rows whose stage value ``model`` recognises (``stage_counts``: value -> rows)."""
    return sum(n for value, n in stage_counts.items() if model.match_label(value) is not None)


def rank_models(
    stage_counts: Mapping[str, int], models: Mapping[str, StageModel] | None = None
) -> list[tuple[str, int]]:
    """``(model name, rows matched)`` for each model, most rows first (ties keep the order
    of ``models``, the built-in ones by default)."""
    pool = BUILTIN_MODELS if models is None else models
    scored = [(name, model_fit(stage_counts, m)) for name, m in pool.items()]
    return sorted(scored, key=lambda item: -item[1])


def better_model(
    stage_counts: Mapping[str, int],
    current: StageModel,
    models: Mapping[str, StageModel] | None = None,
) -> tuple[str, int, int] | None:
    """``(name, rows matched, rows)`` of a model that recognises more rows than ``current``,
    or None when ``current`` is as good as any."""
    total = sum(stage_counts.values())
    mine = model_fit(stage_counts, current)
    if not total or mine == total:
        return None
    name, best = rank_models(stage_counts, models)[0]
    return (name, best, total) if best > mine else None


#: A built-in model is proposed for a file only when it knows at least this share of the
#: file's rows, and of its rows at an open stage (knowing a third of them is no fit: the
#: file's own stages are offered instead).
PROPOSAL_FLOOR = 0.5


def proposed_model(
    stage_counts: Mapping[str, int],
    current: StageModel,
    models: Mapping[str, StageModel] | None = None,
) -> tuple[str, int, int] | None:
    """The built-in model to propose for a file: :func:`better_model`'s ``(name, rows
    matched, rows)`` when that model also knows at least :data:`PROPOSAL_FLOOR` of the rows,
    and of the rows at an open stage; else None.

    Every model knows Won and Lost by name, so the closed rows say nothing of a fit: a Chinese
    CRM's template whose 146 closed rows every model knows, and 8 of whose 54 open deals the
    eight-stage model knows, is offered its own stages, not that model."""
    better = better_model(stage_counts, current, models)
    if better is None or better[1] < PROPOSAL_FLOOR * better[2]:
        return None
    open_counts = {v: n for v, n in stage_counts.items() if classify(v) == OPEN}
    model = (models or BUILTIN_MODELS)[better[0]]
    if model_fit(open_counts, model) < PROPOSAL_FLOOR * sum(open_counts.values()):
        return None
    return better


# --------------------------------------------------------------------------------------------
# User-defined models
# --------------------------------------------------------------------------------------------
def _as_str_tuple(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise StageModelError(f"{where} must be a list of strings")


def _checklist_from_toml(
    value: object, where: str, prefix: str = "item", what: str = "checklist item"
) -> tuple[ChecklistItem, ...]:
    if value is not None and not isinstance(value, list):
        raise StageModelError(f"{where}: {what}s must be a list")
    items = []
    for i, entry in enumerate(value or [], start=1):
        if isinstance(entry, str):
            items.append(ChecklistItem(key=f"{prefix}{i}", en=entry, zh=entry))
        elif isinstance(entry, dict) and ("en" in entry or "zh" in entry):
            en = str(entry.get("en") or entry.get("zh"))
            zh = str(entry.get("zh") or en)
            items.append(
                ChecklistItem(
                    key=str(entry.get("key") or f"{prefix}{i}"),
                    en=en,
                    zh=zh,
                    aliases=_as_str_tuple(entry.get("aliases"), where),
                )
            )
        else:
            raise StageModelError(f"{where}: {what} {i} must be text or a table with en/zh")
    return tuple(items)


def stage_model_from_dict(data: Mapping[str, object], source: str = "stage model") -> StageModel:
    """Build a :class:`StageModel` from the parsed TOML layout (``name``, ``[[stages]]``, ``[outcomes]``)."""
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise StageModelError(
            f"{source}: needs a [[stages]] list, the last one being the won stage"
        )
    stages = []
    for i, st in enumerate(raw_stages, start=1):
        where = f"{source}: stage {i}"
        if not isinstance(st, dict) or not st.get("key"):
            raise StageModelError(f"{where} needs a key")
        en = str(st.get("en") or st.get("zh") or st["key"])
        try:
            probability = float(st.get("probability", 1.0 if i == len(raw_stages) else math.nan))
        except (TypeError, ValueError) as exc:
            raise StageModelError(f"{where}: probability must be a number") from exc
        if math.isnan(probability):
            raise StageModelError(f"{where} ({st['key']}) needs a probability")
        max_days = st.get("max_days")
        if max_days is not None and (not isinstance(max_days, int) or max_days <= 0):
            raise StageModelError(f"{where}: max_days must be a positive whole number of days")
        given_source = st.get("probability_source")
        if given_source is not None and given_source not in PROBABILITY_SOURCES:
            raise StageModelError(
                f"{where}: probability_source must be one of {', '.join(PROBABILITY_SOURCES)}"
            )
        procurement = st.get("procurement")
        if procurement is not None and procurement not in PROCUREMENT_KEYS:
            raise StageModelError(
                f"{where}: procurement must be one of {', '.join(PROCUREMENT_KEYS)}"
            )
        stages.append(
            Stage(
                key=str(st["key"]),
                en=en,
                zh=str(st.get("zh") or en),
                probability=probability,
                aliases=_as_str_tuple(st.get("aliases"), f"{where}: aliases"),
                checklist=_checklist_from_toml(st.get("checklist"), where),
                max_days=max_days,
                procurement=procurement,
                criteria=_checklist_from_toml(
                    st.get("criteria"), where, "criterion", "success criterion"
                ),
                probability_source=given_source,
            )
        )
    outcomes = data.get("outcomes") or {}
    if not isinstance(outcomes, dict):
        raise StageModelError(f"{source}: [outcomes] must be a table")
    kwargs = {}
    if "lost" in outcomes:
        kwargs["lost_labels"] = _as_str_tuple(outcomes["lost"], f"{source}: outcomes.lost")
    if "on_hold" in outcomes:
        kwargs["on_hold_labels"] = _as_str_tuple(outcomes["on_hold"], f"{source}: outcomes.on_hold")
    name = str(data.get("name") or "custom")
    if "evaluation" in data:
        kwargs["evaluation"] = evaluation_from_dict(data["evaluation"], source)
    return StageModel(
        name=name,
        stages=tuple(stages),
        en=str(data.get("en") or name),
        zh=str(data.get("zh") or data.get("en") or name),
        **kwargs,
    )


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StageModelError(f"{where} must be a number")
    return float(value)


def evaluation_from_dict(data: object, source: str = "stage model") -> Evaluation:
    """Build an :class:`Evaluation` from a TOML ``[evaluation]`` table: ``pass_mark`` (0-100,
    default 60), ``high_share`` (default 0.6) and ``[[evaluation.factors]]``, each with ``key``,
    ``en``/``zh``, ``weight``, optionally ``scale`` (default 5), ``values`` (a table of words
    to scores) and ``aliases`` (header aliases). ``factors = "default"`` takes the built-in six
    factors of domain.md §6."""
    where = f"{source}: evaluation"
    if not isinstance(data, dict):
        raise StageModelError(f"{where} must be a table")
    raw = data.get("factors", "default")
    if raw == "default":
        factors = DEFAULT_EVALUATION.factors
    elif isinstance(raw, list) and raw:
        factors = []
        for i, entry in enumerate(raw, start=1):
            at = f"{where}: factor {i}"
            if not isinstance(entry, dict) or not entry.get("key"):
                raise StageModelError(f"{at} needs a key")
            values = entry.get("values") or {}
            if not isinstance(values, dict):
                raise StageModelError(f"{at}: values must be a table of words to scores")
            en = str(entry.get("en") or entry.get("zh") or entry["key"])
            factors.append(
                EvaluationFactor(
                    key=str(entry["key"]),
                    en=en,
                    zh=str(entry.get("zh") or en),
                    weight=_number(entry.get("weight", 1), f"{at}: weight"),
                    scale=_number(entry.get("scale", 5), f"{at}: scale"),
                    values=tuple(
                        (str(w), _number(v, f"{at}: value {w!r}")) for w, v in values.items()
                    ),
                    aliases=_as_str_tuple(entry.get("aliases"), f"{at}: aliases"),
                )
            )
        factors = tuple(factors)
    else:
        raise StageModelError(f"{where}: factors must be a list of [[evaluation.factors]]")
    return Evaluation(
        factors=factors,
        pass_mark=_number(data.get("pass_mark", 60), f"{where}: pass_mark"),
        high_share=_number(data.get("high_share", 0.6), f"{where}: high_share"),
    )


def load_evaluation(source: str | Path | bytes) -> Evaluation:
    """Read an evaluation model from a small TOML file kept beside a stage model: an
    ``[evaluation]`` table as in a stage model's TOML. Give it to a model with
    ``dataclasses.replace(model, evaluation=load_evaluation(path))``.

    Examples
    --------
    >>> ev = load_evaluation(b'[evaluation]\\npass_mark = 70\\nfactors = "default"\\n')
    >>> ev.pass_mark, len(ev.factors)
    (70.0, 6)
    """
    if isinstance(source, bytes):
        text, label = source.decode("utf-8-sig", errors="replace"), "evaluation"
    else:
        path = Path(source)
        try:
            text, label = path.read_text(encoding="utf-8-sig"), path.name
        except OSError as exc:
            raise StageModelError(f"cannot read evaluation file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StageModelError(f"{label} is not valid TOML: {exc}") from exc
    return evaluation_from_dict(data.get("evaluation", data), label)


def load_stage_model(source: str | Path | bytes) -> StageModel:
    """Read a user-defined stage model from a TOML file (path or its bytes). A model without
    an ``[evaluation]`` table takes the one of ``<name>.evaluation.toml`` beside its file,
    where there is one (:func:`load_evaluation`).

    Examples
    --------
    >>> m = load_stage_model(b'name = "m"\\n[[stages]]\\nkey = "a"\\nen = "A"\\nprobability = 0.5\\n'
    ...                      b'[[stages]]\\nkey = "won"\\nen = "Won"\\nprobability = 1.0\\n')
    >>> m.keys
    ('a', 'won')
    """
    if isinstance(source, bytes):
        text, label = source.decode("utf-8-sig", errors="replace"), "stage model"
    else:
        path = Path(source)
        try:
            text, label = path.read_text(encoding="utf-8-sig"), path.name
        except OSError as exc:
            raise StageModelError(f"cannot read stage model file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StageModelError(f"{label} is not valid TOML: {exc}") from exc
    model = stage_model_from_dict(data, label)
    if model.evaluation is None and not isinstance(source, bytes):
        # A small TOML beside the model may declare its evaluation: model.evaluation.toml.
        beside = Path(source).with_suffix(".evaluation.toml")
        if beside.is_file():
            model = replace(model, evaluation=load_evaluation(beside))
    return model


def get_stage_model(name_or_path: str | Path | StageModel | None = None) -> StageModel:
    """A built-in model by name, or a user model from a ``.toml`` path; default six-state."""
    if name_or_path is None:
        return DEFAULT_MODEL
    if isinstance(name_or_path, StageModel):
        return name_or_path
    text = str(name_or_path)
    key = text.strip().lower().replace("-", "_")
    if key in BUILTIN_MODELS:
        return BUILTIN_MODELS[key]
    if text.lower().endswith(".toml") or Path(text).is_file():
        return load_stage_model(text)
    raise StageModelError(
        f"unknown stage model {text!r}; built in: {', '.join(BUILTIN_MODELS)}, or a .toml file"
    )

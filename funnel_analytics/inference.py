"""A stage model built from a file's own stage values ("use this file's stages").

When no built-in or saved model fits an export, its distinct stage values become a model:

* **won, lost and on hold** are recognised by name, in English and Chinese (Won, Closed Won,
  赢单, 成交, 已完成; Lost, Closed Lost, 输单, 丢单, Passed; On hold, 搁置, 暂停);
* the **open stages are ordered by the strongest evidence that covers all of them**: their
  order in a stage history in the data, then the median of a probability column, then a
  number or percentage in the label ("2 - Qualification", "50% 入围"), then their place in
  the built-in model or other CRM's default pipeline (:data:`KNOWN_PIPELINES`) that knows
  most of them, then each stage's share of deals later won, and only then the funnel's
  shape (more deals in earlier stages). Each stage says which evidence placed it;
* **probabilities** are the probability column's medians (over a stage's open deals where a
  status column says which are open) where it has them for every stage. Otherwise a stage's
  probability is measured where the file shows deals over time (a log or several snapshots):
  of the deals that reached it and have since been won or lost, the share won, given
  :data:`MIN_CLOSED` such deals; else it is the built-in model's probability for a stage a
  built-in model placed. Stages with neither are spaced evenly between their neighbours (from
  10% to 90% when no stage has a figure). Each stage says where its probability came from
  (``probability_source``): the user sees which figures are placeholders to set.

The user sees the order and the reasons, can reorder and rename, and saves the model; it is
written as the TOML that ``--stage-model`` reads (:func:`model_to_toml`).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .i18n import t
from .stages import (
    BUILTIN_MODELS,
    LOST,
    ON_HOLD,
    OPEN,
    PROBABILITY_SOURCES,
    WON,
    Stage,
    StageModel,
    classify,
    normalize_label,
)

__all__ = [
    "EVIDENCE",
    "MIN_CLOSED",
    "PROBABILITY_SOURCES",
    "TABLE_COLUMNS",
    "InferredModel",
    "build_model",
    "classify",
    "evidence_text",
    "infer_model",
    "model_to_toml",
    "probability_text",
    "stage_evidence",
    "stage_signature",
]

#: Evidence for the order of open stages, strongest first (message keys ``evidence_<name>``).
EVIDENCE = ("history", "probability", "label_number", "known_stage", "won_share", "count")

#: Closed deals that reached a stage needed before the share won is its probability.
MIN_CLOSED = 10


def _label_numbers(values: pd.Series) -> pd.Series:
    """Each label's place on one 0–1 scale from a number in it: a percentage as itself
    ("50% 入围" → 0.5), an ordinal over the largest ordinal of all labels ("2 - Qualification"
    of "1 - Lead" … "5 - Won" → 0.4); missing where a label has neither."""
    text = values.map(lambda v: unicodedata.normalize("NFKC", str(v)))
    percent = text.str.extract(r"(\d{1,3}(?:\.\d+)?)\s*%")[0].astype("float64") / 100
    ordinal = text.str.extract(r"^\s*[\(（\[]?(\d{1,2})\s*[.、:：\-)）\]]")[0].astype("float64")
    return percent.fillna(ordinal / ordinal.max())


def stage_evidence(
    labels: pd.Series,
    ids: pd.Series | None = None,
    dates: pd.Series | None = None,
    probability: pd.Series | None = None,
    status: pd.Series | None = None,
) -> pd.DataFrame:
    """Per distinct stage value: ``rows``, the median ``probability``, its median relative
    ``position`` in the deals' dated sequences (where ids repeat on different dates: a log or
    several snapshots) and ``won_share``, the share of the deals that showed it and ended won
    (in one export with a status column, such as Pipedrive's, the share of its rows won).
    From such sequences also ``closed_deals``, the deals that showed it and ended won or lost,
    and ``won_deals``, those of them won (missing without sequences)."""
    # Grouped by integer codes: one factorize of the labels (fast on Arrow strings), not a
    # group-by over 100,000 Python strings.
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    present = codes >= 0
    group = codes[present]
    rows = np.bincount(group, minlength=len(uniques))
    out = pd.DataFrame(
        {"rows": rows}, index=pd.Index(np.asarray(uniques, dtype=object), name="value")
    )
    if probability is None:
        out["probability"] = np.nan
    else:
        values = probability.to_numpy(dtype="float64", na_value=np.nan)[present]
        medians = pd.Series(values).groupby(group).median().reindex(range(len(uniques)))
        if status is not None:
            # Where the stage column keeps the stage a deal was won or lost at (Odoo, Pipedrive),
            # its probability is 100 or 0 by convention: a stage's own probability is read
            # from its open deals, where it has any.
            closed = status.isin([WON, LOST]).to_numpy(dtype=bool, na_value=False)[present]
            open_medians = pd.Series(values[~closed]).groupby(group[~closed]).median()
            medians = open_medians.reindex(range(len(uniques))).fillna(medians)
        out["probability"] = medians.to_numpy()
    out["position"] = np.nan
    out["won_share"] = np.nan
    out["closed_deals"] = np.nan
    out["won_deals"] = np.nan
    if status is not None:
        won = (status == WON).to_numpy(dtype=bool, na_value=False)[present]
        out["won_share"] = np.bincount(group, weights=won, minlength=len(uniques)) / rows
    when = None if ids is None or dates is None else pd.to_datetime(dates)
    if when is not None and when.nunique() > 1:
        seq = pd.DataFrame(
            {
                "value": labels.astype("object"),
                "id": ids.astype("object"),
                "date": when,
            }
        ).dropna()
        seq = seq.sort_values(["id", "date"], kind="stable")
        # A deal's outcome is its last row's; deals won or lost, even on the day they were
        # logged, count for each stage they showed.
        ended = seq.groupby("id")["value"].last().map(classify)
        shown = seq.drop_duplicates(["id", "value"])
        closed = shown[shown["id"].map(ended.isin([WON, LOST])).to_numpy(dtype=bool)]
        won_closed = closed["id"].map(ended == WON).astype("float64").groupby(closed["value"])
        out["closed_deals"] = won_closed.size().reindex(out.index).fillna(0).astype("float64")
        out["won_deals"] = won_closed.sum().reindex(out.index).fillna(0).astype("float64")
        # Only deals seen on more than one date tell an order.
        seq = seq[seq.groupby("id")["date"].transform("nunique") > 1]
        if len(seq):
            rank = seq.groupby("id").cumcount()
            size = seq.groupby("id")["value"].transform("size")
            seq["position"] = rank / (size - 1).where(size > 1)
            out["position"] = seq.groupby("value")["position"].median().reindex(out.index)
            final = seq.groupby("id")["value"].last().map(classify) == WON
            shown = seq.drop_duplicates(["id", "value"])
            share = shown["id"].map(final).groupby(shown["value"]).mean()
            out["won_share"] = share.reindex(out.index)
    return out.reset_index()


@dataclass(frozen=True)
class InferredModel:
    """The model, and per stage value: kind, order, the evidence that placed it."""

    model: StageModel
    table: pd.DataFrame  # value, kind, rows, order, evidence, probability, key

    @property
    def placeholders(self) -> int:
        """How many open stages have a placeholder probability (spaced evenly)."""
        return len(self.model.placeholder_stages)


#: The open stages, in order, of other CRMs' default pipelines (those the built-in models do not
#: cover): a file whose stages are theirs is put in their order. Pipedrive's default pipeline,
#: older accounts and newer ones; Odoo CRM's default stages (its won stage is "Won"); Zendesk
#: Sell's active stages (its closed ones are Won, Unqualified and Lost); the stages of Dynamics
#: 365 Sales' Opportunity Sales Process.
KNOWN_PIPELINES: dict[str, tuple[str, ...]] = {
    "pipedrive": (
        "Lead In",
        "Contact Made",
        "Needs Defined",
        "Proposal Made",
        "Negotiations Started",
    ),
    "pipedrive_newer": (
        "Qualified",
        "Contact Made",
        "Demo Scheduled",
        "Proposal Made",
        "Negotiations Started",
    ),
    "odoo": ("New", "Qualified", "Proposition"),
    "zendesk_sell": ("Incoming", "Qualified", "Quote", "Closure"),
    "dynamics_365": ("Qualify", "Develop", "Propose", "Close"),
}


def _model_positions(model: StageModel) -> Callable[[str], float | None]:
    n = len(model.open_stages)

    def position(value: str) -> float | None:
        hit = model.match_label(value)
        if hit and hit[1] == OPEN and hit[0]:
            return model.index(hit[0]) / max(n - 1, 1)
        return None

    return position


def _pipeline_positions(stages: tuple[str, ...]) -> Callable[[str], float | None]:
    places = {normalize_label(v): i / max(len(stages) - 1, 1) for i, v in enumerate(stages)}
    return lambda value: places.get(normalize_label(value))


def _known_positions(values: pd.Series) -> tuple[pd.Series, str, str | None]:
    """Each stage value's place (0–1) in the one built-in model or known CRM pipeline that
    knows most of ``values`` (a built-in model on a tie), missing where it does not know one;
    the evidence's name: ``known_stage`` for a built-in model, ``pipeline_<name>`` for a
    pipeline of :data:`KNOWN_PIPELINES`; and the built-in model's name (None for a pipeline).
    Places are read from one source only: a name two pipelines share ("Qualified") sits at a
    different place in each."""
    sources = [("known_stage", k, _model_positions(m)) for k, m in BUILTIN_MODELS.items()]
    sources += [(f"pipeline_{k}", None, _pipeline_positions(v)) for k, v in KNOWN_PIPELINES.items()]
    best = pd.Series(np.nan, index=values.index, dtype="float64")
    named, model = "known_stage", None
    for name, key, source in sources:
        places = values.map(source).astype("float64")
        if places.notna().sum() > best.notna().sum():
            best, named, model = places, name, key
    return best, named, model


def evidence_text(evidence: str, model: object, lang: str = "zh") -> str:
    """What placed a stage, in words: ``evidence`` of the inferred table, with the built-in
    model named where ``model`` (the table's ``evidence_model``) gives one."""
    if evidence == "known_stage" and isinstance(model, str) and model in BUILTIN_MODELS:
        return t("evidence_known_stage_in", lang, model=BUILTIN_MODELS[model].title(lang))
    return t(f"evidence_{evidence}", lang)


def probability_text(row: object, lang: str = "zh") -> str:
    """Where a stage's probability came from, in words, for one row of the inferred table
    (``probability_source``, ``closed_deals``, ``won_deals``, ``evidence_model``); empty for
    won, lost and on hold."""
    source = getattr(row, "probability_source", None)
    if not isinstance(source, str):
        return ""
    if source == "history":
        return t(
            "probability_source_history", lang, won=int(row.won_deals), closed=int(row.closed_deals)
        )
    if source == "model":
        model = BUILTIN_MODELS[row.evidence_model]
        return t("probability_source_model", lang, model=model.title(lang))
    return t(f"probability_source_{source}", lang)


def _slug(value: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", normalize_label(value).encode("ascii", "ignore").decode())
    base = base.strip("_") or "stage"
    key, i = base, 2
    while key in taken or key == "won":
        key, i = f"{base}_{i}", i + 1
    taken.add(key)
    return key


def infer_model(evidence: pd.DataFrame, name: str = "file_stages") -> InferredModel:
    """A stage model from :func:`stage_evidence`; see the module docstring for the rules."""
    table = evidence.reindex(
        columns=[
            "value",
            "rows",
            "probability",
            "position",
            "won_share",
            "closed_deals",
            "won_deals",
        ]
    ).copy()
    table["value"] = table["value"].astype(str)
    table["kind"] = table["value"].map(classify)
    open_ = table[table["kind"] == OPEN].copy()
    open_["label_number"] = _label_numbers(table["value"])[open_.index] if len(open_) else np.nan
    open_["known_stage"], known_by, known_model = _known_positions(open_["value"])
    open_["count"] = -open_["rows"].astype("float64")
    open_["evidence"] = "count"
    sort_by = "count"
    for evidence_name in EVIDENCE[:-1]:
        column = {"history": "position"}.get(evidence_name, evidence_name)
        values = open_[column]
        if len(open_) and values.notna().all() and values.nunique() >= min(2, len(open_)):
            sort_by = column
            open_["evidence"] = evidence_name
            break
    else:
        known = open_["known_stage"].notna()
        if known.any() and len(open_) > 1:
            # Some stages are known to a built-in model: they keep its order, the others
            # follow them, more deals first.
            open_["known_stage"] = open_["known_stage"].fillna(2.0)
            open_.loc[known, "evidence"] = "known_stage"
            sort_by = "known_stage"
    open_ = open_.sort_values([sort_by, "count"], kind="stable")
    open_["evidence"] = open_["evidence"].replace("known_stage", known_by)
    chosen = open_["evidence"].iloc[0] if len(open_) else "count"
    probability, source = _probabilities(open_, chosen, known_model)
    table["order"] = table["value"].map({v: i + 1 for i, v in enumerate(open_["value"])})
    table["evidence"] = (
        table["value"].map(dict(zip(open_["value"], open_["evidence"], strict=True))).fillna("name")
    )
    table["evidence_model"] = pd.Series(
        np.where(table["evidence"] == "known_stage", known_model, None), dtype="object"
    )
    table["probability"] = table["value"].map(
        dict(zip(open_["value"], probability.round(3), strict=True))
    )
    table.loc[table["kind"] == WON, "probability"] = 1.0
    table["probability_source"] = pd.Series(
        table["value"].map(dict(zip(open_["value"], source, strict=True))), dtype="object"
    ).where(table["kind"] == OPEN, None)
    measured = table["probability_source"] == "history"
    for column in ("closed_deals", "won_deals"):
        table[column] = pd.Series(
            [int(v) if m else None for v, m in zip(table[column], measured, strict=True)],
            index=table.index,
            dtype="object",
        )
    table["en"] = table["value"]
    table["zh"] = table["value"]
    table["max_days"] = np.nan
    kind_rank = table["kind"].map({OPEN: 0, WON: 1, ON_HOLD: 2, LOST: 3})
    table = (
        table.assign(_k=kind_rank)
        .sort_values(["_k", "order"], kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )
    model = build_model(table, name)
    keys = {s.aliases[0]: s.key for s in model.open_stages if s.aliases}
    table["key"] = (
        table["value"].map(keys).where(table["kind"] == OPEN, table["kind"].map({WON: "won"}))
    )
    return InferredModel(model, table[list(TABLE_COLUMNS)])


def _probabilities(
    open_: pd.DataFrame, chosen: str, known_model: str | None
) -> tuple[np.ndarray, list[str]]:
    """The open stages' probabilities, in their order, and where each came from (one of
    :data:`PROBABILITY_SOURCES`); see the module docstring for the rules."""
    n = len(open_)
    probs = open_["probability"]
    if n and probs.notna().all() and chosen in ("history", "probability", "label_number"):
        return probs.clip(0.01, 0.99).to_numpy(dtype="float64"), ["file"] * n
    found = np.full(n, np.nan)
    source = ["spaced"] * n
    closed = open_["closed_deals"].to_numpy(dtype="float64", na_value=np.nan)
    won = open_["won_deals"].to_numpy(dtype="float64", na_value=np.nan)
    model = BUILTIN_MODELS.get(known_model) if known_model else None
    placed = (open_["evidence"] == "known_stage").to_numpy(dtype=bool)
    for i, value in enumerate(open_["value"]):
        if closed[i] >= MIN_CLOSED:
            found[i], source[i] = min(max(won[i] / closed[i], 0.01), 0.99), "history"
        elif model is not None and placed[i]:
            hit = model.match_label(value)
            if hit and hit[1] == OPEN and hit[0]:
                found[i], source[i] = model.stage(hit[0]).probability, "model"
    known = ~np.isnan(found)
    if not known.any():
        spaced = np.linspace(0.1, 0.9, n) if n > 1 else np.full(n, 0.5)
        return spaced, source
    # A stage without a figure sits between its neighbours' figures (0 before the first stage,
    # 1 after the last): evenly spaced, but in line with the stages that have one.
    places = np.flatnonzero(known)
    found[~known] = np.interp(
        np.flatnonzero(~known),
        np.concatenate(([-1], places, [n])),
        np.concatenate(([0.0], found[known], [1.0])),
    )
    return found, source


#: The columns of an inferred model's table (what the Data page shows and lets the user edit).
TABLE_COLUMNS = (
    "value",
    "kind",
    "rows",
    "order",
    "evidence",
    "evidence_model",
    "probability",
    "probability_source",
    "closed_deals",
    "won_deals",
    "en",
    "zh",
    "max_days",
    "key",
)


def build_model(table: pd.DataFrame, name: str = "file_stages") -> StageModel:
    """The stage model a (possibly edited) table describes: open stages by ``order`` with
    their ``en``/``zh`` names, ``probability`` and ``max_days``, the file's value as an alias;
    won values make the won stage; lost and on-hold values extend those outcomes."""
    open_ = table[table["kind"] == OPEN].sort_values("order", kind="stable")
    taken: set[str] = set()
    stages = []
    for row in open_.itertuples(index=False):
        days = getattr(row, "max_days", np.nan)
        given = pd.notna(row.probability)
        source = getattr(row, "probability_source", None)
        stages.append(
            Stage(
                key=_slug(row.value, taken),
                en=str(row.en or row.value),
                zh=str(row.zh or row.value),
                probability=float(min(max(row.probability if given else 0.5, 0.0), 1.0)),
                aliases=(row.value,),
                max_days=int(days) if pd.notna(days) and days > 0 else None,
                # A figure the user typed has no source; a stage left without one is a
                # placeholder, as a spaced figure is.
                probability_source=(
                    (source if isinstance(source, str) and source in PROBABILITY_SOURCES else None)
                    if given
                    else "spaced"
                ),
            )
        )
    won = table[table["kind"] == WON]
    first = won.iloc[0] if len(won) else None
    stages.append(
        Stage(
            key="won",
            en=str(first.en) if first is not None else "Won",
            zh=str(first.zh) if first is not None else "赢单",
            probability=1.0,
            aliases=tuple(won["value"]),
        )
    )
    if len(stages) < 2:  # only outcomes in the file: one open stage stands for the pipeline
        stages.insert(0, Stage(key="open", en="Open", zh="进行中", probability=0.5))
    default = StageModel("default", stages=tuple(stages))
    return StageModel(
        name=name,
        stages=tuple(stages),
        lost_labels=(*default.lost_labels, *table.loc[table["kind"] == LOST, "value"]),
        on_hold_labels=(*default.on_hold_labels, *table.loc[table["kind"] == ON_HOLD, "value"]),
        en="This file's stages",
        zh="本文件的阶段",
    )


def stage_signature(values) -> str:
    """A fingerprint of a file's set of stage values: a saved model is offered again for the
    next file with the same values."""
    norm = sorted({normalize_label(v) for v in values if normalize_label(v)})
    return hashlib.sha1("\x1f".join(norm).encode("utf-8")).hexdigest()[:16]


def _toml_string(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def model_to_toml(model: StageModel) -> str:
    """The TOML that :func:`funnel_analytics.stages.load_stage_model` reads back."""
    lines = [
        f"name = {_toml_string(model.name)}",
        f"en = {_toml_string(model.en or model.name)}",
        f"zh = {_toml_string(model.zh or model.en or model.name)}",
        "",
    ]
    for s in model.stages:
        lines += [
            "[[stages]]",
            f"key = {_toml_string(s.key)}",
            f"en = {_toml_string(s.en)}",
            f"zh = {_toml_string(s.zh)}",
            f"probability = {s.probability:g}",
        ]
        if s.probability_source:
            lines.append(f"probability_source = {_toml_string(s.probability_source)}")
        if s.aliases:
            lines.append("aliases = [" + ", ".join(_toml_string(a) for a in s.aliases) + "]")
        if s.max_days:
            lines.append(f"max_days = {int(s.max_days)}")
        lines.append("")
    lines += [
        "[outcomes]",
        "lost = [" + ", ".join(_toml_string(v) for v in model.lost_labels) + "]",
        "on_hold = [" + ", ".join(_toml_string(v) for v in model.on_hold_labels) + "]",
        "",
    ]
    return "\n".join(lines)

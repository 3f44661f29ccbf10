"""The sample company's project business in the eight-stage project sales process.

华辰智能科技 records its deals with the six-state funnel (:mod:`funnel_analytics.sample`); this
module exports the same company, the same deals and the same months as its project business
would record them in the eight-stage process (项目型销售推进流程, ``domain.md`` §2b): the
eight stage names, and per stage its *milestones* (the entry checklist: the deal has really
entered the stage) and its *success criteria* (the exit checklist: the customer has committed
to the next stage), as 是/否 columns, with the customer's procurement stage (客户采购阶段).

The eight-stage view is derived from the six-state simulation, never simulated again: the
six-state checklist says where each deal really is, and each six-state stage spans one or two
eight-stage positions (target: account planning, then visit & discovery; qualified:
preliminary proposal; shortlisted: demo & technical exchange, then requirements & formal
proposal; committed: evaluation; near-win: negotiation; won: contract signed). Within one stay
in a six-state stage a deal takes the upper of two positions once it has spent a few months
there (never going back within the stay); a regression in the six-state funnel is one here.
The reported stage follows the reported six-state stage the same way, so a deal whose rep
runs ahead of its checklist runs ahead here too. Every milestone up to the real stage is done
and none above it; every success criterion below the real stage is done, the real stage's
once the deal has stayed there a while or the customer has started on the next six-state
stage, none above. A lost deal keeps the furthest stage reported, with status 输单.

Whatever randomness the mapping needs (how many months before the upper position, before the
success criterion) comes from a generator of its own per deal, so the six-state sample is the
same with or without this variant.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import t
from .stages import LOST, OPEN, PROCUREMENT_KEYS, WON, get_stage_model

__all__ = [
    "EIGHT_STAGE_DIR",
    "EIGHT_STAGE_PATTERN",
    "eight_stage_export",
    "eight_stage_history",
    "write_eight_stage_files",
]

# Where the variant's monthly workbooks go, beside the six-state ones.
EIGHT_STAGE_DIR = "eight_stage"
EIGHT_STAGE_PATTERN = "项目商机_*.xlsx"

# Six-state stage (target, qualified, shortlisted, committed, near-win, won) -> the lowest and
# highest eight-stage positions it spans.
_SPANS = ((0, 1), (2, 2), (3, 4), (5, 5), (6, 6), (7, 7))
# Months in a six-state stage before the upper of its two positions; months in an
# eight-stage stage before its success criterion is done (the customer commits to go on).
_UPPER_AFTER = (1, 3)  # integers in [1, 3): one or two months
_CRITERION_AFTER = (1, 5)  # one to four months
# A constant that keeps this variant's per-deal generators apart from the sample's others.
_STREAM = 8


def _six_state_real(full: pd.DataFrame) -> np.ndarray:
    """Row by row, the six-state stage the checklist supports: the furthest stage whose items,
    and every earlier stage's, are all done (the first stage at least: deals start there)."""
    model = get_stage_model("six_state")
    keys = list(model.keys)
    complete = np.ones((len(full), len(keys)), dtype=bool)
    for column, (stage, _item) in model.checklist_columns.items():
        complete[:, keys.index(stage)] &= full[column].to_numpy(dtype=bool)
    return np.maximum(np.cumprod(complete, axis=1).sum(axis=1) - 1, 0)


def _next_started(full: pd.DataFrame, real: np.ndarray) -> np.ndarray:
    """Row by row: is any item of the six-state stage above the real one done already?"""
    model = get_stage_model("six_state")
    keys = list(model.keys)
    started = np.zeros((len(full), len(keys)), dtype=bool)
    for column, (stage, _item) in model.checklist_columns.items():
        started[:, keys.index(stage)] |= full[column].to_numpy(dtype=bool)
    above = np.minimum(real + 1, len(keys) - 1)
    return (real + 1 < len(keys)) & started[np.arange(len(full)), above]


def _deal_pace(seed: int, oid: str) -> tuple[np.ndarray, np.ndarray]:
    """One deal's months before each six-state stage's upper position, and before each
    eight-stage stage's success criterion; drawn from the deal's own generator."""
    rng = np.random.default_rng([seed, _STREAM, zlib.crc32(oid.encode())])
    upper = rng.integers(*_UPPER_AFTER, size=len(_SPANS))
    criterion = rng.integers(*_CRITERION_AFTER, size=_SPANS[-1][1] + 1)
    return upper, criterion


def _positions(
    oid: str,
    status: np.ndarray,
    reported6: np.ndarray,
    real6: np.ndarray,
    next_started: np.ndarray,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One deal's rows in time order: the reported and the real eight-stage positions, and
    whether the real stage's success criterion is done.

    A stay is the months a deal spends in one six-state stage; only open months count (a deal
    on hold or lost in the month stands still).
    """
    upper_after, criterion_after = _deal_pace(seed, oid)
    n = len(status)
    reported8, real8 = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    criterion = np.zeros(n, dtype=bool)
    prev6, real, shown = -1, -1, -1
    months6 = months8 = 0
    furthest = -1
    for i in range(n):
        r6, s6 = int(real6[i]), int(reported6[i])
        if status[i] == WON:
            real = shown = _SPANS[-1][1]
            reported8[i], real8[i], criterion[i] = shown, real, True
            continue
        lo, hi = _SPANS[r6]
        if r6 != prev6:  # a new stay: entered by an advance, a skip or a regression
            months6, new = 0, lo
        else:
            months6 += status[i] == OPEN
            new = max(real, hi if months6 >= upper_after[r6] else lo)
        if new != real:
            months8 = 0
        else:
            months8 += status[i] == OPEN
        prev6, real = r6, new
        done = months8 >= criterion_after[real] or (real == hi and bool(next_started[i]))
        if status[i] == LOST:
            # The furthest stage reported, as the six-state export keeps it (its six-state
            # stage's first position when the rows start after the deal did).
            shown = max(furthest, _SPANS[s6][0])
        elif s6 == r6:
            shown = real
        elif not (_SPANS[s6][0] <= shown <= _SPANS[s6][1]):
            # Ahead of the checklist: the rep names the next stage, and keeps naming it.
            shown = _SPANS[s6][0]
        furthest = max(furthest, shown)
        reported8[i], real8[i], criterion[i] = shown, real, done
    return reported8, real8, criterion


def eight_stage_history(full: pd.DataFrame, seed: int = 2026) -> pd.DataFrame:
    """The sample's snapshots recorded in the eight-stage project sales process.

    ``full`` is the six-state simulation (``sample._simulate``): one row per deal and month
    end, its six-state ``stage`` (reported), ``status``, checklist columns (the truth) and
    ``procurement_stage``. Each row keeps its deal, amounts, dates and status; its stage
    becomes the eight-stage stage its reported six-state stage maps to (see the module
    docstring), its probability that stage's (0 when lost), and its checklist the eight-stage
    milestones and success criteria of the stage the six-state checklist supports. The
    customer's procurement stage is as far ahead of or behind the step that stage mirrors as
    the six-state records have it (the customer is the same, whatever the seller's stages),
    and signed once won.

    Parameters
    ----------
    full
        The six-state snapshots, warm-up months included (every deal from its first month).
    seed
        The sample's seed; it seeds each deal's own generator here.

    Returns
    -------
    pandas.DataFrame
        The rows of ``full`` in its order and with its other columns, with eight-stage keys in
        ``stage``, the six-state checklist columns replaced by one boolean ``checklist.<stage>.<item>`` column per
        eight-stage milestone and success criterion (milestones first), and
        ``procurement_stage``.

    Examples
    --------
    >>> from funnel_analytics.sample import _simulate
    >>> eight = eight_stage_history(_simulate(2026, 1, "2025-11", 12))
    >>> eight["stage"].iloc[0] in get_stage_model("eight_stage").keys
    True
    """
    six = get_stage_model("six_state")
    model = get_stage_model("eight_stage")
    keys8 = model.keys
    six_index = {k: i for i, k in enumerate(six.keys)}
    real6 = _six_state_real(full)
    next_started = _next_started(full, real6)
    reported6 = full["stage"].map(six_index).to_numpy(dtype=int)
    status = full["status"].to_numpy(dtype=object)
    reported8 = np.zeros(len(full), dtype=int)
    real8 = np.zeros(len(full), dtype=int)
    criterion = np.zeros(len(full), dtype=bool)
    order = full.sort_values(["opportunity_id", "snapshot_date"], kind="stable")
    for oid, rows in order.groupby("opportunity_id", sort=False).indices.items():
        at = order.index.to_numpy()[rows]
        pos = full.index.get_indexer(at)
        shown, real, done = _positions(
            str(oid), status[pos], reported6[pos], real6[pos], next_started[pos], seed
        )
        reported8[pos], real8[pos], criterion[pos] = shown, real, done

    stages = np.array(keys8, dtype=object)[reported8]
    out = full.drop(columns=list(six.checklist_columns))
    out["stage"] = stages
    probs = pd.Series(stages).map(model.probabilities).to_numpy(dtype="float64")
    out["probability"] = np.where(status == LOST, 0.0, probs)
    won = status == WON
    for j, stage in enumerate(model.stages):
        for item in stage.checklist:
            out[f"checklist.{stage.key}.{item.key}"] = won | (real8 >= j)
    for j, stage in enumerate(model.stages):
        for item in stage.criteria:
            out[f"checklist.{stage.key}.{item.key}"] = (
                won | (real8 > j) | ((real8 == j) & criterion)
            )
    # The customer stands as far ahead of or behind the deal's real stage as the six-state
    # records show it (the step its real six-state stage mirrors), and has signed once won.
    steps = {k: PROCUREMENT_KEYS.index(str(s.procurement)) for k, s in enumerate(six.stages)}
    mirrors6 = pd.Series(real6).map(steps).to_numpy(dtype=int)
    lead = full["procurement_stage"].map(PROCUREMENT_KEYS.index).to_numpy(dtype=int) - mirrors6
    mirrors8 = np.array([PROCUREMENT_KEYS.index(str(s.procurement)) for s in model.stages])
    step = np.clip(mirrors8[real8] + lead, 0, len(PROCUREMENT_KEYS) - 2)
    step = np.where(won, len(PROCUREMENT_KEYS) - 1, step)
    out["procurement_stage"] = np.array(PROCUREMENT_KEYS, dtype=object)[step]
    return out


def eight_stage_export(six_export: pd.DataFrame, snapshot: pd.DataFrame) -> pd.DataFrame:
    """One month of the six-state Chinese export re-recorded in the eight-stage process.

    ``six_export`` is the month's six-state export (``sample._chinese_export``) and
    ``snapshot`` the same month's rows of :func:`eight_stage_history`, in the same order. Every
    column stays where it is, except the eight-stage stage names and probabilities, the
    six-state checklist replaced (where it stood) by each eight-stage stage's milestones then
    its success criteria (是/否), and the customer's procurement stage in the product's words.
    """
    six = get_stage_model("six_state")
    model = get_stage_model("eight_stage")
    out = six_export.reset_index(drop=True).copy()
    snapshot = snapshot.reset_index(drop=True)
    out["销售阶段"] = snapshot["stage"].map(model.stage_names("zh"))
    out["赢单概率"] = (snapshot["probability"] * 100).round().astype(int).astype(str) + "%"
    old = [item.zh for _stage, item in six.checklist_columns.values()]
    at = list(out.columns).index(old[0])
    out = out.drop(columns=old)
    for stage in model.stages:
        for item in (*stage.checklist, *stage.criteria):
            done = snapshot[f"checklist.{stage.key}.{item.key}"].to_numpy(dtype=bool)
            out.insert(at, item.zh, np.where(done, "是", "否"))
            at += 1
    words = {key: t(f"procurement_{key}", "zh") for key in PROCUREMENT_KEYS}
    out["客户采购阶段"] = snapshot["procurement_stage"].map(words)
    return out


def write_eight_stage_files(
    full: pd.DataFrame,
    out_dir: str | Path,
    first_month: str,
    months: int,
    export: Callable[[pd.DataFrame], pd.DataFrame],
    write: Callable[[Path, pd.DataFrame, int], None],
    seed: int = 2026,
) -> list[Path]:
    """Write the eight-stage variant of the sample: ``项目商机_YYYY-MM.xlsx`` for each month.

    :func:`funnel_analytics.sample.write_sample_files` calls this with its six-state export
    layout and workbook writer, so the workbooks look like the six-state ones: sheet
    ``商机清单``, a merged title row, the Chinese header row, then one row per deal, the month
    known only from the file name.

    Parameters
    ----------
    full
        The six-state simulation, warm-up months included (``sample._simulate``).
    out_dir
        Folder to write into; created when missing.
    first_month
        The first exported month, ``"YYYY-MM"``.
    months
        How many months to export.
    export
        One month's six-state rows to the six-state Chinese export layout.
    write
        Writes an export to a workbook: path, export, month (``year * 12 + month - 1``).
    seed
        The sample's seed (:func:`eight_stage_history`).

    Returns
    -------
    list of pathlib.Path
        The written workbooks, in month order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    eight = eight_stage_history(full, seed)
    written: list[Path] = []
    for period in pd.period_range(first_month, periods=months, freq="M"):
        at = full["snapshot_date"] == period.end_time.normalize()
        path = out / EIGHT_STAGE_PATTERN.replace("*", str(period))
        month = period.year * 12 + period.month - 1
        write(path, eight_stage_export(export(full[at]), eight[at]), month)
        written.append(path)
    return written

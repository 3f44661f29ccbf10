"""Stage histories: each deal's moves between stages, its visits, and the furthest stage reached.

Built from the canonical observations (:meth:`LoadResult.observations`) of any input shape: a
stage-history log (resolution: the logged change), per-stage date columns, or successive
monthly snapshots (resolution: one snapshot interval; a deal that went through two stages
between two exports shows one move, never an invented middle step).

Rules (``domain.md`` §2–3):

* a deal's **furthest stage** is the highest stage it was ever observed in, never just its
  latest: a deal that regressed keeps the furthest stage it reached;
* a **lost** deal keeps its furthest stage; when the only thing known is "Closed Lost", the
  stage it died in is unknown (``died_in_unknown``);
* a **move** is a change of stage or of outcome between two consecutive observations; its kind
  is ``forward`` (to the next stage), ``skip`` (further forward), ``backward``, ``won``,
  ``lost``, ``on_hold``, ``resumed`` (back to open at the same stage) or ``reopened`` (back
  from won or lost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .schema import Opportunities as O
from .stages import LOST, ON_HOLD, OPEN, WON, StageModel

__all__ = ["MOVE_KINDS", "StageHistory", "stage_history"]

MOVE_KINDS = ("forward", "skip", "backward", "won", "lost", "on_hold", "resumed", "reopened")


@dataclass(frozen=True)
class StageHistory:
    """Moves, stage visits and per-deal summary of a set of observations.

    ``resolution`` is ``"snapshot"`` when the dates are export dates (a move happened at some
    time within the interval before the date shown) and ``"event"`` for logged changes.
    """

    moves: pd.DataFrame  # opportunity_id, date, from_stage, to_stage, from_status, to_status, kind
    visits: pd.DataFrame  # opportunity_id, stage, entered, exited, censored, days, exit_kind
    deals: pd.DataFrame  # opportunity_id, furthest_stage, furthest_index, current_stage, status, ...
    model: StageModel
    as_of: pd.Timestamp
    resolution: str


def _kind(prev_idx, idx, prev_status, status) -> np.ndarray:
    """Vectorised move kinds from the previous and the current (stage index, status)."""
    kinds = np.full(len(idx), "", dtype=object)
    same_stage = (prev_idx == idx) | (np.isnan(prev_idx) & np.isnan(idx))
    kinds[np.isin(prev_status, [WON, LOST]) & (status == OPEN)] = "reopened"
    open_moves = (status == OPEN) & (kinds == "")
    diff = idx - prev_idx
    kinds[open_moves & (diff == 1)] = "forward"
    kinds[open_moves & (diff > 1)] = "skip"
    kinds[open_moves & (diff < 0)] = "backward"
    kinds[open_moves & same_stage & (prev_status == ON_HOLD)] = "resumed"
    kinds[(status == WON)] = "won"
    kinds[(status == LOST)] = "lost"
    kinds[(status == ON_HOLD)] = "on_hold"
    # An open deal whose stage is newly known after an unknown one counts as forward.
    kinds[open_moves & (kinds == "") & ~same_stage] = "forward"
    return kinds


def stage_history(observations: pd.DataFrame, model: StageModel,
                  as_of: pd.Timestamp | None = None) -> StageHistory:
    """Each deal's moves, visits and furthest stage, from observations of any input shape.

    Parameters
    ----------
    observations
        Canonical observations: ``opportunity_id``, ``snapshot_date``, ``stage``, ``status``
        (``observed_via`` tells the resolution).
    as_of
        Where open stays are censored; default the latest observation date.

    Examples
    --------
    >>> from funnel_analytics import load_workspace           # doctest: +SKIP
    >>> ws = load_workspace()                                  # doctest: +SKIP
    >>> h = stage_history(ws.observations, ws.stage_model)     # doctest: +SKIP
    >>> h.moves["kind"].value_counts()                         # doctest: +SKIP
    """
    cols = [O.opportunity_id, O.snapshot_date, O.stage, O.status]
    obs = observations[cols].dropna(subset=[O.opportunity_id, O.snapshot_date])
    as_of = pd.Timestamp(as_of) if as_of is not None else obs[O.snapshot_date].max()
    # Work on integer codes: ids, stages and statuses are factorized once (strings would make
    # every comparison and sort of millions of rows go through Python objects).
    id_codes, id_values = pd.factorize(obs[O.opportunity_id], sort=False)
    order = {k: float(i) for i, k in enumerate(model.keys)}
    stage_codes, stage_values = pd.factorize(obs[O.stage], use_na_sentinel=True)
    stage_idx_of = np.array([order.get(v, np.nan) for v in stage_values] + [np.nan])
    status_codes, status_values = pd.factorize(obs[O.status].fillna(OPEN), use_na_sentinel=True)
    status_of = np.array([*[str(v) for v in status_values], OPEN], dtype=object)
    dates_all = obs[O.snapshot_date].to_numpy(dtype="datetime64[ns]")
    sort = np.lexsort((dates_all, id_codes))
    codes = id_codes[sort]
    dates = dates_all[sort]
    idx = stage_idx_of[stage_codes[sort]]
    status = status_of[status_codes[sort]]
    stage_keys = np.array([*model.keys, None], dtype=object)
    stage = stage_keys[np.where(np.isnan(idx), len(model.keys), np.nan_to_num(idx, nan=0)).astype(int)]
    ids = codes  # integer codes stand for the ids until the outputs are built
    first = np.ones(len(obs), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    prev_idx = np.concatenate([[np.nan], idx[:-1]])
    prev_status = np.concatenate([[None], status[:-1]]).astype(object)
    prev_stage = np.concatenate([[None], stage[:-1]]).astype(object)
    same = ((prev_idx == idx) | (np.isnan(prev_idx) & np.isnan(idx))) & (prev_status == status)
    # A lost deal re-exported as lost with its stage unknown has not moved.
    same |= (status == LOST) & (prev_status == LOST) & np.isnan(idx)
    change = ~first & ~same

    m = np.flatnonzero(change)
    id_of = np.asarray(id_values, dtype=object)
    moves = pd.DataFrame({
        O.opportunity_id: id_of[ids[m]], "date": dates[m],
        "from_stage": prev_stage[m], "to_stage": stage[m],
        "from_status": prev_status[m], "to_status": status[m],
        "kind": _kind(prev_idx[m], idx[m], prev_status[m], status[m]),
    })

    # Visits: runs of consecutive observations at one known stage (status changes to on hold
    # or back do not end a visit; an outcome or another stage does).
    stage_change = first | ~((prev_idx == idx) & ~np.isin(status, [WON, LOST]))
    known = ~np.isnan(idx)
    starts = np.flatnonzero(stage_change & known & ~np.isin(status, [WON, LOST]))
    # The end of a visit: the next row of the same deal where the stage changes or it closes.
    boundary = np.flatnonzero(stage_change)
    nxt = np.searchsorted(boundary, starts, side="right")
    has_next = nxt < len(boundary)
    end_row = np.where(has_next, boundary[np.minimum(nxt, len(boundary) - 1)], -1)
    valid_end = has_next & (ids[np.maximum(end_row, 0)] == ids[starts])
    last_row = _last_rows(ids)
    deal_last = last_row[np.searchsorted(last_row, starts)]
    exited = np.where(valid_end, dates[np.maximum(end_row, 0)], np.datetime64("NaT"))
    censored = ~valid_end
    # A stay still going at the last observation: censored at as_of if the deal was in the
    # latest data, else at its last sighting (it left the exports without an outcome).
    last_seen = dates[deal_last]
    latest = dates.max()
    censor_at = np.where(last_seen >= latest, np.datetime64(as_of, "ns"), last_seen)
    stop = np.where(censored, censor_at, exited)
    exit_kind = np.where(valid_end, _kind(idx[starts], idx[np.maximum(end_row, 0)],
                                           status[starts], status[np.maximum(end_row, 0)]), "open")
    visits = pd.DataFrame({
        O.opportunity_id: id_of[ids[starts]], "stage": stage[starts], "entered": dates[starts],
        "exited": stop, "censored": censored, "exit_kind": exit_kind,
    })
    visits["days"] = (pd.to_datetime(visits["exited"]) - pd.to_datetime(visits["entered"])).dt.days

    deals = _deal_summary(dates, idx, status, ids, id_of, model, moves)
    resolution = "event" if "observed_via" in observations and (
        observations["observed_via"] == "history").all() else "snapshot"
    return StageHistory(moves, visits, deals, model, as_of, resolution)


def _last_rows(ids: np.ndarray) -> np.ndarray:
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[:-1] != ids[1:]
    return np.flatnonzero(last)


def _deal_summary(dates: np.ndarray, idx: np.ndarray, status: np.ndarray, codes: np.ndarray,
                  id_of: np.ndarray, model: StageModel, moves: pd.DataFrame) -> pd.DataFrame:
    """Per deal (rows sorted by deal, then date): furthest and current stage, status, sightings."""
    last = _last_rows(codes)
    first_rows = np.concatenate([[0], last[:-1] + 1])
    furthest = np.fmax.reduceat(np.where(np.isnan(idx), -np.inf, idx), first_rows)
    furthest = np.where(np.isinf(furthest), np.nan, furthest)
    out = pd.DataFrame({
        "furthest_index": furthest,
        "first_seen": dates[first_rows],
        "last_seen": dates[last],
    }, index=pd.Index(id_of[codes[last]], name=O.opportunity_id))
    last = pd.DataFrame({"status": status[last], "idx": idx[last]}, index=out.index)
    out["status"] = last["status"]
    out["current_index"] = last["idx"]
    keys = np.array(model.keys, dtype=object)

    def key_of(series: pd.Series) -> pd.Series:
        vals = series.to_numpy()
        res = np.full(len(vals), None, dtype=object)
        ok = ~np.isnan(vals)
        res[ok] = keys[vals[ok].astype(int)]
        return pd.Series(res, index=series.index, dtype="object")

    out["furthest_stage"] = key_of(out["furthest_index"])
    out["current_stage"] = key_of(out["current_index"])
    out["died_in_unknown"] = (out["status"] == LOST) & out["furthest_index"].isna()
    back = moves[moves["kind"] == "backward"].groupby(O.opportunity_id).size()
    out["regressions"] = back.reindex(out.index, fill_value=0).astype("int64")
    return out.reset_index()

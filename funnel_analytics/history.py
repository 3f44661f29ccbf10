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

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import Opportunities as O
from .stages import LOST, ON_HOLD, OPEN, STATUSES, WON, StageModel

__all__ = [
    "MOVE_KINDS",
    "DealPanel",
    "StageHistory",
    "codes_of",
    "deal_panel",
    "run_starts",
    "stage_history",
]

STAGE_ENTERED = "stage_entered_date"  # the optional field dating the current stage's start
MOVE_KINDS = ("forward", "skip", "backward", "won", "lost", "on_hold", "resumed", "reopened")

# Kinds as integer codes: the move kinds, then "open" (a visit still under way) and "" (none
# applies, e.g. a status outside the known ones).
_KINDS = (*MOVE_KINDS, "open", "")
(_FORWARD, _SKIP, _BACKWARD, _WON, _LOST, _ON_HOLD, _RESUMED, _REOPENED, _OPEN, _NONE) = range(
    len(_KINDS)
)
# Status codes are positions in STATUSES (then any other statuses found in the data).
_S_OPEN, _S_WON, _S_LOST, _S_ON_HOLD = (STATUSES.index(s) for s in (OPEN, WON, LOST, ON_HOLD))
# pandas' default string dtype: the string columns of the tables built here.
STR = pd.StringDtype(na_value=np.nan)
_BLOCK = 1 << 20  # rows per block where a column is converted block by block


def codes_of(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """The position of each value in ``vocabulary`` as small integers, ``len(vocabulary)`` where
    the value is missing or not in it. Arrow matches the strings against the few known ones,
    block by block, so millions of values never become Python objects or large temporaries."""
    arrow = pa.array(values.astype(pd.StringDtype("pyarrow")).array)
    value_set = pa.array(list(vocabulary), pa.string())
    codes = np.empty(len(arrow), dtype=np.int8 if len(vocabulary) < 127 else np.int32)
    for start in range(0, len(arrow), _BLOCK):
        found = pc.index_in(arrow.slice(start, _BLOCK), value_set=value_set)
        codes[start : start + len(found)] = pc.fill_null(found, len(vocabulary)).to_numpy()
    return codes


def _labels(vocabulary: Sequence[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The strings behind ``codes`` (``len(vocabulary)`` is missing), taken by Arrow."""
    return pd.array([*vocabulary, None], dtype=STR).take(codes)


@dataclass(frozen=True)
class DealPanel:
    """Every observation of each deal in date order, as positions in the observations frame.

    Deals are numbered by first appearance (their *code*; in a :class:`StageHistory` the code is
    also the deal's row in ``deals``). Built once, it lets each part of a report group rows by
    deal without hashing the ids again.
    """

    rows: np.ndarray  # positions in the observations, sorted by deal code, then date
    codes: np.ndarray  # the deal code of each of those rows
    starts: np.ndarray  # where in ``rows`` each deal's rows begin, by deal code
    ids: pd.Index  # the id of each deal code
    size: int  # rows of the observations frame the positions refer to
    index: pd.Index | None = None  # that frame's index: a panel serves only the same rows
    moves: np.ndarray | None = None  # in a history: where in ``rows`` each move arrived
    visits: np.ndarray | None = None  # in a history: where in ``rows`` each visit began

    def ends(self) -> np.ndarray:
        """Where in ``rows`` each deal's last row is, by deal code."""
        return np.append(self.starts[1:], len(self.rows)) - 1


def run_starts(codes: np.ndarray) -> np.ndarray:
    """Where each run of equal codes begins."""
    starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    return np.concatenate([[0], starts]) if len(codes) else starts


def _factorize(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """int32 codes numbering the (non-missing) ids by first appearance, and the ids by code.
    Arrow strings are encoded by Arrow, whose chunks share one dictionary: their codes are
    copied once (pandas would combine the chunks and widen the codes, 150 MB more at 12M rows)."""
    if isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow" and len(ids):
        encoded = pa.array(ids.array).dictionary_encode()
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        codes = np.empty(len(ids), dtype=np.int32)
        start = 0
        for chunk in chunks:
            codes[start : start + len(chunk)] = chunk.indices.to_numpy()
            start += len(chunk)
        return codes, pd.Index(pd.array(chunks[0].dictionary, dtype=STR))
    codes, uniques = pd.factorize(ids)
    if isinstance(uniques.dtype, pd.StringDtype):
        uniques = uniques.astype(STR)
    return codes.astype(np.int32), uniques


def deal_panel(observations: pd.DataFrame, history: StageHistory | None = None) -> DealPanel:
    """The :class:`DealPanel` of the observations that have an id and a date: ``history``'s
    when it was built from these observations (it has as many rows), else a new one."""
    panel = history.panel if history is not None else None
    if (
        panel is not None
        and panel.size == len(observations)
        and (
            panel.index is None
            or panel.index is observations.index
            or panel.index.equals(observations.index)
        )
    ):
        return panel
    ids = observations[O.opportunity_id]
    dates = observations[O.snapshot_date].to_numpy(dtype="datetime64[ns]")
    valid = ids.notna().to_numpy() & ~np.isnat(dates)
    chosen = None if valid.all() else np.flatnonzero(valid)
    if chosen is not None:
        ids, dates = ids.iloc[chosen], dates[chosen]
    codes, uniques = _factorize(ids)
    # lexsort is stable: one deal's rows on the same date keep their order in the frame. The
    # positions stay numpy's index type: indexing with narrower ones would convert them each time.
    order = np.lexsort((dates, codes))
    codes = codes[order]
    return DealPanel(
        order if chosen is None else chosen[order],
        codes,
        run_starts(codes),
        uniques,
        len(observations),
        observations.index,
    )


@dataclass(frozen=True)
class StageHistory:
    """Moves, stage visits and per-deal summary of a set of observations.

    ``resolution`` is ``"snapshot"`` when the dates are export dates (a move happened at some
    time within the interval before the date shown) and ``"event"`` for logged changes.
    ``panel`` indexes the observations the history was built from (see :class:`DealPanel`).
    """

    moves: pd.DataFrame  # opportunity_id, date, from_stage, to_stage, from_status, to_status, kind
    visits: pd.DataFrame  # opportunity_id, stage, entered, exited, censored, days, exit_kind
    deals: (
        pd.DataFrame
    )  # opportunity_id, furthest_stage, furthest_index, current_stage, status, ...
    model: StageModel
    as_of: pd.Timestamp
    resolution: str
    panel: DealPanel | None = None

    def visit_deals(self) -> np.ndarray:
        """The row in ``deals`` of each visit."""
        if self.panel is not None and self.panel.visits is not None:
            return self.panel.codes[self.panel.visits]
        return pd.Index(self.deals[O.opportunity_id]).get_indexer(self.visits[O.opportunity_id])


def _kind(
    prev_stage: np.ndarray,
    stage: np.ndarray,
    prev_status: np.ndarray,
    status: np.ndarray,
    unknown: int,
) -> np.ndarray:
    """Vectorised move kinds (codes into ``_KINDS``) from the previous and the current stage
    and status codes; ``unknown`` is the code of an unknown stage."""
    kinds = np.full(len(stage), _NONE, dtype=np.int8)
    same_stage = prev_stage == stage
    both_known = (prev_stage != unknown) & (stage != unknown)
    kinds[((prev_status == _S_WON) | (prev_status == _S_LOST)) & (status == _S_OPEN)] = _REOPENED
    open_moves = (status == _S_OPEN) & (kinds == _NONE)
    diff = stage - prev_stage  # codes are below 127: no int8 overflow
    kinds[open_moves & both_known & (diff == 1)] = _FORWARD
    kinds[open_moves & both_known & (diff > 1)] = _SKIP
    kinds[open_moves & both_known & (diff < 0)] = _BACKWARD
    kinds[open_moves & same_stage & (prev_status == _S_ON_HOLD)] = _RESUMED
    kinds[status == _S_WON] = _WON
    kinds[status == _S_LOST] = _LOST
    kinds[status == _S_ON_HOLD] = _ON_HOLD
    # An open deal whose stage is newly known after an unknown one counts as forward.
    kinds[open_moves & (kinds == _NONE) & ~same_stage] = _FORWARD
    return kinds


def _status_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Status codes and their statuses: :data:`STATUSES`, then any others found in the data.
    A missing status counts as open."""
    statuses = list(STATUSES)
    codes = codes_of(values, statuses)
    other = (codes == len(statuses)) & values.notna().to_numpy()
    if other.any():
        statuses += values[other].astype(STR).unique().tolist()
        codes = codes_of(values, statuses)
    codes[codes == len(statuses)] = _S_OPEN
    return codes, statuses


def stage_history(
    observations: pd.DataFrame, model: StageModel, as_of: pd.Timestamp | None = None
) -> StageHistory:
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
    # Work on integer codes in (deal, date) order: the ids are factorized once, and stages and
    # statuses are small codes (strings would make every comparison of millions of rows go
    # through Python objects).
    panel = deal_panel(observations)
    rows, codes = panel.rows, panel.codes
    dates = observations[O.snapshot_date].to_numpy(dtype="datetime64[ns]")[rows]
    latest = dates.max()
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(latest)
    unknown = len(model.keys)  # the code of a missing or unknown stage
    stage = codes_of(observations[O.stage], model.keys)[rows]
    status_codes, statuses = _status_codes(observations[O.status])
    status = status_codes[rows]
    del status_codes
    first = np.ones(len(rows), dtype=bool)
    first[1:] = codes[1:] != codes[:-1]
    prev_stage, prev_status = _shifted(stage, unknown), _shifted(status, _S_OPEN)
    same = (prev_stage == stage) & (prev_status == status)
    # A lost deal re-exported as lost with its stage unknown has not moved.
    same |= (status == _S_LOST) & (prev_status == _S_LOST) & (stage == unknown)
    m = np.flatnonzero(~first & ~same)
    del same
    kinds = _kind(prev_stage[m], stage[m], prev_status[m], status[m], unknown)
    stage_keys = list(model.keys)
    moves = pd.DataFrame(
        {
            O.opportunity_id: panel.ids.array.take(codes[m]),
            "date": dates[m],
            "from_stage": _labels(stage_keys, prev_stage[m]),
            "to_stage": _labels(stage_keys, stage[m]),
            "from_status": _labels(statuses, prev_status[m]),
            "to_status": _labels(statuses, status[m]),
            "kind": _labels(_KINDS, kinds),
        }
    )
    del prev_status

    # Visits: runs of consecutive observations at one known stage (status changes to on hold
    # or back do not end a visit; an outcome or another stage does).
    closed = (status == _S_WON) | (status == _S_LOST)
    boundary = np.flatnonzero(first | (prev_stage != stage) | (stage == unknown) | closed)
    del prev_stage
    # A visit begins at a boundary at a known stage, not closed, and ends at the next boundary
    # (the stage changes or the deal closes) if that is the same deal's.
    at = np.flatnonzero((stage[boundary] != unknown) & ~closed[boundary])
    del closed
    starts = boundary[at]
    has_next = at + 1 < len(boundary)
    end_row = boundary[np.minimum(at + 1, len(boundary) - 1)]
    valid_end = has_next & (codes[end_row] == codes[starts])
    censored = ~valid_end
    # A stay still going at the last observation: censored at as_of if the deal was in the
    # latest data, else at its last sighting (it left the exports without an outcome). A log
    # records changes only: a deal's last change is not its last sighting, and a stay still
    # under way lasts until the as-of date.
    event = "observed_via" in observations and bool(
        (observations["observed_via"] == "history").all()
    )
    last_seen = dates[panel.ends()[codes[starts]]]
    censor_at = np.where((last_seen >= latest) | event, np.datetime64(as_of, "ns"), last_seen)
    stop = np.where(censored, censor_at, dates[end_row])
    exit_kind = np.where(
        valid_end,
        _kind(stage[starts], stage[end_row], status[starts], status[end_row], unknown),
        _OPEN,
    )
    entered = dates[starts]
    if STAGE_ENTERED in observations:
        # A deal's first stay began when it entered the stage, where the export says so
        # (Pipedrive's "Last stage change"), not when it was first exported.
        said = observations[STAGE_ENTERED].to_numpy(dtype="datetime64[ns]")[rows][starts]
        use = first[starts] & ~np.isnat(said) & (said <= entered)
        entered = np.where(use, said, entered)
    visits = pd.DataFrame(
        {
            O.opportunity_id: panel.ids.array.take(codes[starts]),
            "stage": _labels(stage_keys, stage[starts]),
            "entered": entered,
            "exited": stop,
            "censored": censored,
            "exit_kind": _labels(_KINDS, exit_kind),
            # Whole calendar days, as a manager counts them (a move at 09:00 two days after one
            # at 10:00 is 2 days, not 1).
            "days": (stop.astype("datetime64[D]") - entered.astype("datetime64[D]")).astype(
                "int64"
            ),
        }
    )

    backward = codes[m[kinds == _BACKWARD]]
    deals = _deal_summary(panel, dates, stage, status, statuses, backward, model)
    resolution = "event" if event else "snapshot"
    return StageHistory(
        moves, visits, deals, model, as_of, resolution, replace(panel, moves=m, visits=starts)
    )


def _shifted(values: np.ndarray, fill: int) -> np.ndarray:
    """Each row's previous value (``fill`` for the first)."""
    out = np.empty_like(values)
    out[:1] = fill
    out[1:] = values[:-1]
    return out


def _deal_summary(
    panel: DealPanel,
    dates: np.ndarray,
    stage: np.ndarray,
    status: np.ndarray,
    statuses: list[str],
    backward: np.ndarray,
    model: StageModel,
) -> pd.DataFrame:
    """Per deal, in code order (rows sorted by deal, then date): furthest and current stage,
    status, sightings, and ``backward`` (the deal code of each backward move) counted."""
    unknown = len(model.keys)
    first_rows, last = panel.starts, panel.ends()
    furthest = np.maximum.reduceat(np.where(stage == unknown, -1, stage), first_rows)
    furthest[furthest < 0] = unknown
    current = stage[last]
    final = status[last]
    keys = np.array([*model.keys, None], dtype=object)

    def index_of(code: np.ndarray) -> np.ndarray:
        return np.where(code == unknown, np.nan, code)

    return pd.DataFrame(
        {
            O.opportunity_id: panel.ids.array,
            "furthest_index": index_of(furthest),
            "first_seen": dates[first_rows],
            "last_seen": dates[last],
            "status": _labels(statuses, final),
            "current_index": index_of(current),
            "furthest_stage": pd.Series(keys[furthest], dtype=object),
            "current_stage": pd.Series(keys[current], dtype=object),
            "died_in_unknown": (final == _S_LOST) & (furthest == unknown),
            "regressions": np.bincount(backward, minlength=len(last)).astype("int64"),
        }
    )

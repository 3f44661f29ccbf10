"""The Monte Carlo kernel of the forecast, compiled with numba.

Each run draws one 32-bit uniform per open deal from a counter-based generator (splitmix64
seeded by the run number), so a run's draws depend only on ``seed`` and the run, never on
how many threads share the work: the forecast is reproducible on any machine. Deals are
drawn grouped by timing row and shift (see :func:`simulate`). One uniform
decides both outcome and month: the deal's row of ``bounds`` splits [0, 2³²) into "won in
month offset 0, 1, …, H−1" (widths p × P(month)) followed by "lost or later". Runs are
simulated in blocks of four (:data:`BLOCK`) that pass over the deals together; a block's
runs keep their own streams and sums, so the figures are those of runs simulated one by one.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["LUT_BITS", "simulate", "warm_up"]

# A 4,096-entry table per timing row (8 KiB, in the first-level cache while the row's deals are
# drawn) gives the category of a uniform from its top 12 bits. An entry with MIXED set holds
# a category boundary (at most H of 4,096 do): only there is the uniform compared with it.
LUT_BITS = 12
MIXED = 0x8000


# Runs are simulated four at a time (see _simulate): each deal's amount is read once for the
# four, and their sums are separate, so the additions of one run do not wait on another's.
BLOCK = 4
_UMIXED = np.uint64(MIXED)
_UMASK = np.uint64(MIXED - 1)


@njit(cache=True, inline="always")
def _mix(z):  # pragma: no cover - compiled
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _category(u, lut_row, bounds_row, shift):  # pragma: no cover - compiled
    """The category of uniform ``u`` in a timing row: from the row's table, and compared
    with the row's bounds only where the table's entry holds a boundary. Unsigned
    throughout, so indexing needs no check for negative positions."""
    c = np.uint64(lut_row[u >> shift])
    if c & _UMIXED:
        c &= _UMASK
        while u >= bounds_row[c]:
            c += np.uint64(1)
    return c


@njit(cache=True)
def _simulate_block(
    out, r0, amounts, ends, group_rows, group_offsets, bounds, lut, seed, horizon
):  # pragma: no cover - compiled
    """Runs ``r0`` … ``r0 + 3`` into rows ``r0`` … of ``out``, each run with its own generator
    stream exactly as if it were simulated alone."""
    categories = bounds.shape[1]
    last = categories - 1
    golden = np.uint64(0x9E3779B97F4A7C15)
    shift = np.uint64(32 - LUT_BITS)
    low = np.uint64(0xFFFFFFFF)
    top = np.uint64(32)
    one = np.uint64(1)
    two = np.uint64(2)
    base = np.uint64(seed) * golden
    s0 = _mix(base + np.uint64(r0 + 1))
    s1 = _mix(base + np.uint64(r0 + 2))
    s2 = _mix(base + np.uint64(r0 + 3))
    s3 = _mix(base + np.uint64(r0 + 4))
    x0 = np.uint64(0)
    x1 = np.uint64(0)
    x2 = np.uint64(0)
    x3 = np.uint64(0)
    # Two lanes of sums per run, one per half of a draw: run j's lanes are rows 2j and 2j + 1.
    won = np.zeros((2 * BLOCK, categories), dtype=np.float64)
    w0, w1, w2, w3 = won[0], won[1], won[2], won[3]
    w4, w5, w6, w7 = won[4], won[5], won[6], won[7]
    for k in range(group_rows.shape[0]):
        lut_row = lut[group_rows[k]]
        bounds_row = bounds[group_rows[k]]
        won[:, :] = 0.0
        # Deal i takes the high half of its run's draw i // 2 when i is even, the low half when
        # odd, whichever group it falls in.
        i = ends[k]
        end = ends[k + 1]
        if i & one == one and i < end:  # the low half of the draw the last group began
            a = amounts[i]
            w1[_category(x0 & low, lut_row, bounds_row, shift)] += a
            w3[_category(x1 & low, lut_row, bounds_row, shift)] += a
            w5[_category(x2 & low, lut_row, bounds_row, shift)] += a
            w7[_category(x3 & low, lut_row, bounds_row, shift)] += a
            i += one
        while i + one < end:
            s0 += golden
            s1 += golden
            s2 += golden
            s3 += golden
            x0 = _mix(s0)
            x1 = _mix(s1)
            x2 = _mix(s2)
            x3 = _mix(s3)
            a = amounts[i]
            a2 = amounts[i + one]
            w0[_category(x0 >> top, lut_row, bounds_row, shift)] += a
            w1[_category(x0 & low, lut_row, bounds_row, shift)] += a2
            w2[_category(x1 >> top, lut_row, bounds_row, shift)] += a
            w3[_category(x1 & low, lut_row, bounds_row, shift)] += a2
            w4[_category(x2 >> top, lut_row, bounds_row, shift)] += a
            w5[_category(x2 & low, lut_row, bounds_row, shift)] += a2
            w6[_category(x3 >> top, lut_row, bounds_row, shift)] += a
            w7[_category(x3 & low, lut_row, bounds_row, shift)] += a2
            i += two
        if i < end:  # an even deal ends the group: it begins a draw
            s0 += golden
            s1 += golden
            s2 += golden
            s3 += golden
            x0 = _mix(s0)
            x1 = _mix(s1)
            x2 = _mix(s2)
            x3 = _mix(s3)
            a = amounts[i]
            w0[_category(x0 >> top, lut_row, bounds_row, shift)] += a
            w2[_category(x1 >> top, lut_row, bounds_row, shift)] += a
            w4[_category(x2 >> top, lut_row, bounds_row, shift)] += a
            w6[_category(x3 >> top, lut_row, bounds_row, shift)] += a
        # The group's deals share their row and shift: book each category's sum once.
        offset = group_offsets[k]
        for j in range(BLOCK):
            for c in range(categories):
                m = c + offset
                if c == last or m > horizon:
                    m = horizon
                out[r0 + j, m] += won[2 * j, c] + won[2 * j + 1, c]


@njit(parallel=True, cache=True)
def _simulate(
    amounts, starts, group_rows, group_offsets, bounds, lut, runs, seed, horizon
):  # pragma: no cover
    # The work of a block of runs is a function of its own, so that the parallel loop's
    # transformations (which hoist allocations and constants) leave it as written.
    blocks = (runs + BLOCK - 1) // BLOCK
    out = np.zeros((blocks * BLOCK, horizon + 1), dtype=np.float64)
    ends = starts.astype(np.uint64)
    for b in prange(blocks):
        _simulate_block(
            out, b * BLOCK, amounts, ends, group_rows, group_offsets, bounds, lut, seed, horizon
        )
    return out[:runs]


def simulate(
    amounts: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    probs: np.ndarray,
    runs: int,
    seed: int,
) -> np.ndarray:
    """Bookings per run and month offset.

    ``probs[g, j]`` is, for timing row g, the probability of being won in month offset j
    (j < H); the rest of the row's mass is "lost or later". Deal i uses row ``rows[i]`` and
    is shifted ``offsets[i]`` months. Returns a (runs, H + 1) array whose last column holds
    what was not booked within the horizon (lost deals' amounts included) so every row sums
    to the total amount.
    """
    probs = np.asarray(probs, dtype="float64")
    horizon = probs.shape[1]
    if horizon > 250:  # categories and the MIXED flag share two bytes
        raise ValueError(f"a forecast horizon of {horizon} months is over the 250-month limit")
    if len(amounts) == 0:
        # No deal to draw (no open deal, none to come): nothing is booked. The timing table
        # may then have no row at all.
        return np.zeros((runs, horizon + 1))
    cum = np.cumsum(probs, axis=1)
    scale = float(2**32)
    bounds = np.empty((probs.shape[0], horizon + 1), dtype=np.uint64)
    bounds[:, :horizon] = np.minimum(np.round(cum * scale), scale).astype(np.uint64)
    bounds[:, horizon] = np.uint64(2**32)  # "lost or later" takes the rest
    starts = np.arange(2**LUT_BITS, dtype=np.uint64) << np.uint64(32 - LUT_BITS)
    ends = starts + (np.uint64(1) << np.uint64(32 - LUT_BITS)) - np.uint64(1)
    first = np.stack([np.searchsorted(b, starts, side="right") for b in bounds])
    final = np.stack([np.searchsorted(b, ends, side="right") for b in bounds])
    lut = (first | np.where(final != first, MIXED, 0)).astype(np.uint16)
    # Deals sharing a timing row and a shift are drawn one after another (a stable sort, so
    # the order, and with it every run, still depends only on the inputs and the seed): the
    # kernel keeps that row's table in cache and books the group's sums once per category.
    rows = np.asarray(rows, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    order = np.lexsort((offsets, rows))
    rows, offsets = rows[order], offsets[order]
    new_group = np.r_[True, (rows[1:] != rows[:-1]) | (offsets[1:] != offsets[:-1])]
    firsts = np.flatnonzero(new_group)
    return _simulate(
        np.ascontiguousarray(np.asarray(amounts, dtype=np.float64)[order]),
        np.r_[firsts, len(rows)].astype(np.int64),
        np.ascontiguousarray(rows[firsts]),
        np.ascontiguousarray(offsets[firsts]),
        bounds,
        lut,
        int(runs),
        int(seed),
        int(horizon),
    )


def warm_up() -> None:
    """Compile the kernel now (setup runs this once), so the first forecast a user asks for
    does not wait for the compiler: numba keeps the machine code in its on-disk cache."""
    simulate(
        np.ones(2),
        np.zeros(2, dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.full((1, 2), 0.25),
        runs=2,
        seed=0,
    )

"""The Monte Carlo kernel of the forecast, compiled with numba.

Each run draws one 32-bit uniform per open deal from a counter-based generator (splitmix64
seeded by the run number), so a run's draws depend only on ``seed`` and the run, never on
how many threads share the work: the forecast is reproducible on any machine. One uniform
decides both outcome and month: the deal's row of ``bounds`` splits [0, 2³²) into "won in
month offset 0, 1, …, H−1" (widths p × P(month)) followed by "lost or later".
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["LUT_BITS", "simulate", "warm_up"]

LUT_BITS = 8  # a 256-entry table per row (small enough to stay in cache) finds the category in one step, mostly


@njit(cache=True, inline="always")
def _mix(z):  # pragma: no cover - compiled
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(parallel=True, cache=True)
def _simulate(amounts, rows, offsets, bounds, lut, runs, seed, horizon):  # pragma: no cover
    out = np.zeros((runs, horizon + 1), dtype=np.float64)
    n = amounts.shape[0]
    last = bounds.shape[1] - 1
    golden = np.uint64(0x9E3779B97F4A7C15)
    shift = np.uint64(32 - LUT_BITS)
    low = np.uint64(0xFFFFFFFF)
    for r in prange(runs):
        state = _mix(np.uint64(seed) * golden + np.uint64(r + 1))
        x = np.uint64(0)
        for i in range(n):
            if i & 1 == 0:
                state += golden
                x = _mix(state)
                u = x >> np.uint64(32)
            else:
                u = x & low
            g = rows[i]
            c = lut[g, u >> shift]
            while u >= bounds[g, c]:
                c += 1
            m = c + offsets[i]
            if c == last or m > horizon:
                m = horizon
            out[r, m] += amounts[i]
    return out


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
    if horizon > 250:  # categories are kept in one byte
        raise ValueError(f"a forecast horizon of {horizon} months is over the 250-month limit")
    cum = np.cumsum(probs, axis=1)
    scale = float(2**32)
    bounds = np.empty((probs.shape[0], horizon + 1), dtype=np.uint64)
    bounds[:, :horizon] = np.minimum(np.round(cum * scale), scale).astype(np.uint64)
    bounds[:, horizon] = np.uint64(2**32)  # "lost or later" takes the rest
    starts = np.arange(2**LUT_BITS, dtype=np.uint64) << np.uint64(32 - LUT_BITS)
    lut = np.stack([np.searchsorted(b, starts, side="right") for b in bounds]).astype(np.uint8)
    if len(amounts) == 0:
        return np.zeros((runs, horizon + 1))
    return _simulate(
        np.ascontiguousarray(amounts, dtype=np.float64),
        np.ascontiguousarray(rows, dtype=np.int64),
        np.ascontiguousarray(offsets, dtype=np.int64),
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

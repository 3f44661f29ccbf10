"""Calibrated stage probabilities: P(win | reached stage k), measured and shrunk toward nominal.

The stage model's percentages (10/25/50/75/90%) are a convention nobody checked. The data say
how often deals that reached a stage were won (the reached-stage cohort of
:func:`funnel_analytics.conversion.reached_stage_conversion`: won ÷ closed among deals whose
furthest stage is k or beyond). On a small sample that rate is noise, so the calibrated value
is a Beta–binomial posterior mean that treats the nominal probability as
:data:`PRIOR_WEIGHT` deals' worth of earlier evidence::

    calibrated = (won + w × nominal) ÷ (closed + w),    w = PRIOR_WEIGHT

With 20 closed deals the data and the nominal value weigh the same; with 200 the data weigh
91%. The interval is the 95% interval of that Beta posterior. Open deals are not in the
denominator (they have no outcome yet), so a stage whose deals are still open keeps close to
its nominal value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta

from .conversion import MIN_SAMPLE, reached_stage_conversion
from .history import StageHistory

__all__ = ["PRIOR_WEIGHT", "calibrate", "probabilities"]

PRIOR_WEIGHT = 20.0  # pseudo-deals the nominal probability counts for


def calibrate(history: StageHistory, prior_weight: float = PRIOR_WEIGHT) -> pd.DataFrame:
    """Per stage (model order, won stage last): nominal vs observed vs calibrated P(win | reached).

    Returns ``stage``, ``nominal``, ``reached_count``, ``closed_count``, ``won_count``,
    ``observed`` (+ Wilson ``observed_low``/``observed_high``), ``calibrated``
    (+ ``calibrated_low``/``calibrated_high``), ``data_weight`` (share of the calibrated
    value that comes from the data) and ``too_few`` (fewer than ``MIN_SAMPLE`` closed).

    >>> from funnel_analytics.stages import get_stage_model          # doctest: +SKIP
    >>> calibrate(stage_history(obs, get_stage_model()))["calibrated"]  # doctest: +SKIP
    """
    conv = reached_stage_conversion(history)
    nominal = conv["stage"].map(history.model.probabilities).astype("float64").to_numpy()
    won = conv["won_count"].to_numpy(dtype="float64")
    closed = conv["closed_count"].to_numpy(dtype="float64")
    a = won + prior_weight * nominal
    b = (closed - won) + prior_weight * (1.0 - nominal)
    with np.errstate(invalid="ignore", divide="ignore"):
        calibrated = a / (a + b)
        low = np.where(b > 0, beta.ppf(0.025, np.maximum(a, 1e-9), np.maximum(b, 1e-9)), 1.0)
        high = np.where(b > 0, beta.ppf(0.975, np.maximum(a, 1e-9), np.maximum(b, 1e-9)), 1.0)
    # The won stage is won: probability 1 whatever the sample.
    is_won = conv["stage"].to_numpy() == history.model.won.key
    calibrated = np.where(is_won, 1.0, calibrated)
    out = pd.DataFrame({
        "stage": conv["stage"],
        "nominal": nominal,
        "reached_count": conv["reached_count"],
        "closed_count": conv["closed_count"],
        "won_count": conv["won_count"],
        "observed": conv["win_rate"],
        "observed_low": conv["win_rate_low"],
        "observed_high": conv["win_rate_high"],
        "calibrated": calibrated,
        "calibrated_low": np.where(is_won, 1.0, low),
        "calibrated_high": np.where(is_won, 1.0, high),
        "data_weight": closed / (closed + prior_weight),
        "too_few": closed < MIN_SAMPLE,
    })
    return out


def probabilities(calibration: pd.DataFrame, which: str = "calibrated") -> dict[str, float]:
    """``{stage: probability}`` from a :func:`calibrate` table: ``calibrated``, ``observed``
    (nominal where nothing closed) or ``nominal``."""
    values = calibration[which]
    if which == "observed":
        values = values.fillna(calibration["nominal"])
    return dict(zip(calibration["stage"], values.astype(float), strict=True))

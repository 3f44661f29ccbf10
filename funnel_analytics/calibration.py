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

from .contracts import table
from .conversion import MIN_SAMPLE, reached_stage_conversion
from .history import StageHistory
from .stages import LOST

__all__ = ["PRIOR_WEIGHT", "UNKNOWN_LOST_SHARE", "calibrate", "probabilities", "unsupported_reason"]

PRIOR_WEIGHT = 20.0  # pseudo-deals the nominal probability counts for
#: Above this share of lost deals whose stage is unknown, no stage's observed rate is used.
UNKNOWN_LOST_SHARE = 0.2
UNKNOWN_LOST_MIN = 5  # fewer lost deals than this weigh little against the prior anyway


def unsupported_reason(history: StageHistory) -> dict | None:
    """Why P(win | reached stage) cannot be measured from this data, or None when it can.

    A lost deal known only as "Closed Lost" reached an unknown stage, so it is in no stage's
    cohort. When many lost deals are like that, every stage's cohort holds the wins and few of
    the losses, and the observed rates run towards 100%: the rates are then not used (the
    nominal probabilities stand) and this says why, as ``{"reason", "lost", "unknown"}``.
    """
    deals = history.deals
    lost = int((deals["status"] == LOST).sum())
    unknown = int(deals["died_in_unknown"].sum())
    if unknown >= UNKNOWN_LOST_MIN and unknown / lost > UNKNOWN_LOST_SHARE:
        return {"reason": "lost_stage_unknown", "lost": lost, "unknown": unknown}
    return None


CALIBRATION = table(
    "calibration",
    "stage",
    "nominal",
    "reached_count",
    "closed_count",
    "won_count",
    "observed",
    "observed_low",
    "observed_high",
    "calibrated",
    "calibrated_low",
    "calibrated_high",
    "data_weight",
    "too_few",
    "supported",
)


def calibrate(history: StageHistory, prior_weight: float = PRIOR_WEIGHT) -> pd.DataFrame:
    """Per stage (model order, won stage last): nominal vs observed vs calibrated P(win | reached).

    Returns ``stage``, ``nominal``, ``reached_count``, ``closed_count``, ``won_count``,
    ``observed`` (+ Wilson ``observed_low``/``observed_high``), ``calibrated``
    (+ ``calibrated_low``/``calibrated_high``), ``data_weight`` (share of the calibrated
    value that comes from the data), ``too_few`` (fewer than ``MIN_SAMPLE`` closed) and
    ``supported`` (False when :func:`unsupported_reason` finds the data cannot measure the
    rates: the calibrated values are then the nominal ones).

    >>> from funnel_analytics.stages import get_stage_model          # doctest: +SKIP
    >>> calibrate(stage_history(obs, get_stage_model()))["calibrated"]  # doctest: +SKIP
    """
    conv = reached_stage_conversion(history)
    nominal = conv["stage"].map(history.model.probabilities).astype("float64").to_numpy()
    supported = unsupported_reason(history) is None
    won = conv["won_count"].to_numpy(dtype="float64")
    closed = conv["closed_count"].to_numpy(dtype="float64")
    if not supported:  # the wins alone: no evidence, the nominal values stand
        won, closed = np.zeros_like(won), np.zeros_like(closed)
    a = won + prior_weight * nominal
    b = (closed - won) + prior_weight * (1.0 - nominal)
    from scipy.stats import beta  # scipy loads when probabilities are first calibrated

    with np.errstate(invalid="ignore", divide="ignore"):
        calibrated = a / (a + b)
        low = np.where(b > 0, beta.ppf(0.025, np.maximum(a, 1e-9), np.maximum(b, 1e-9)), 1.0)
        high = np.where(b > 0, beta.ppf(0.975, np.maximum(a, 1e-9), np.maximum(b, 1e-9)), 1.0)
    # The won stage is won: probability 1 whatever the sample.
    is_won = conv["stage"].to_numpy() == history.model.won.key
    calibrated = np.where(is_won, 1.0, calibrated)
    out = pd.DataFrame(
        {
            "stage": conv["stage"],
            "nominal": nominal,
            "reached_count": conv["reached_count"],
            "closed_count": conv["closed_count"],
            "won_count": conv["won_count"],
            # Not measurable without the losses' stages: no observed rate is shown then.
            "observed": conv["win_rate"] if supported else np.nan,
            "observed_low": conv["win_rate_low"] if supported else np.nan,
            "observed_high": conv["win_rate_high"] if supported else np.nan,
            "calibrated": calibrated,
            "calibrated_low": np.where(is_won, 1.0, low),
            "calibrated_high": np.where(is_won, 1.0, high),
            "data_weight": closed / (closed + prior_weight),
            "too_few": closed < MIN_SAMPLE,
            "supported": supported,
        }
    )
    return out


def probabilities(calibration: pd.DataFrame, which: str = "calibrated") -> dict[str, float]:
    """``{stage: probability}`` from a :func:`calibrate` table: ``calibrated``, ``observed``
    (nominal where nothing closed) or ``nominal``."""
    values = calibration[which]
    if which == "observed":
        values = values.fillna(calibration["nominal"])
        if "supported" in calibration and not calibration["supported"].all():
            values = calibration["nominal"]
    return dict(zip(calibration["stage"], values.astype(float), strict=True))

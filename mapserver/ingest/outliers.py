"""Extreme outliers: a figure far outside the rest of its period, as a slipped unit or a
stray digit makes it (1e12 where the other areas have 30).

The rule, robust to the skew of real indicators (see README, "Map your own figures"):
in each period with at least MIN_AREAS figures above zero, on the log scale, a figure is
an outlier when it is more than K robust standard deviations from the period's median
and more than FACTOR times (or less than 1/FACTOR of) the median. The robust standard
deviation is 1.4826 x the median absolute deviation (the standard deviation, for normal
figures), or 1.2533 x the mean absolute deviation when more than half the figures are
equal. A figure from a count c gets the room its count's chance variation needs: its
distance is measured against sqrt(sd^2 + 1/(c + 1)), so one case among many people is
not an outlier for being far below the rest. Zeros are set aside (a rate of a rare event
is often zero): they neither count towards the median nor are judged. A period with a
negative figure (a change, a gap) is judged on the figures themselves instead, with
FACTOR x the median absolute figure as the least distance.

K = 15: the real files checked (the ONS preventable cardiovascular mortality file, every
day of the UKHSA Covid archive as rates) reach at most 3.0 and 7.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import BadParameter, DataError
from .periods import parse_period

K = 15.0
MIN_AREAS = 10
FACTOR = 10.0
MAD_SD = 1.4826  # median absolute deviation -> standard deviation, for normal figures
MEAN_AD_SD = 1.2533  # mean absolute deviation -> standard deviation


@dataclass(frozen=True)
class Outlier:
    """One figure the rule finds, with what it was judged against."""

    line: int
    code: str
    period: str
    figure: float
    median: float
    deviations: float  # robust standard deviations from the median

    def key(self) -> str:
        """How --accept-outlier names it: CODE:PERIOD."""
        return f"{self.code}:{self.period}"

    def describe(self) -> str:
        """`1,000,000,000,000 for E06000001 in 2021, 31 robust deviations from the
        period's median of 30.2`."""
        return (
            f"{_shown(self.figure)} for {self.code} in {self.period}, "
            f"{self.deviations:,.0f} robust deviations from the period's median of "
            f"{_shown(self.median)}"
        )


def _shown(value: float) -> str:
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def _spread(distance: pd.Series, periods: pd.Series) -> pd.Series:
    """Each row's period's robust standard deviation, from distances to the median."""
    grouped = distance.groupby(periods)
    mad = grouped.transform("median") * MAD_SD
    mean = grouped.transform("mean") * MEAN_AD_SD
    return mad.where(mad > 0, mean)


def find(frame: pd.DataFrame, figures: pd.Series, counts: pd.Series | None = None) -> list[Outlier]:
    """The outliers among `figures` (aligned with `frame`'s rows: code, period, line),
    first line first. `counts`: the count each figure is worked out from, where it is."""
    known = figures.notna() & np.isfinite(figures)
    periods = frame["period"]
    signed = (figures < 0).groupby(periods).transform("any")
    out = []
    for is_signed in (False, True):
        rows = known & (signed == is_signed) & (is_signed | (figures > 0))
        if not rows.any():
            continue
        values = figures[rows]
        scaled = values if is_signed else np.log(values)
        period = periods[rows]
        size = scaled.groupby(period).transform("size")
        median = scaled.groupby(period).transform("median")
        distance = (scaled - median).abs()
        spread = _spread(distance, period)
        if is_signed:
            least = FACTOR * values.abs().groupby(period).transform("median")
            room = spread
        else:
            least = pd.Series(np.log(FACTOR), index=values.index)
            extra = 0.0 if counts is None else 1 / (counts[rows] + 1)
            room = np.sqrt(spread**2 + pd.Series(extra, index=values.index).fillna(0))
        with np.errstate(divide="ignore", invalid="ignore"):
            deviations = distance / room
        far = (size >= MIN_AREAS) & (distance > least) & (distance > K * room)
        centre = median if is_signed else np.exp(median)
        for index in far[far].index:
            out.append(
                Outlier(
                    int(frame.at[index, "line"]),
                    str(frame.at[index, "code"]),
                    str(periods[index]),
                    float(figures[index]),
                    float(centre[index]),
                    float(deviations[index]) if np.isfinite(deviations[index]) else np.inf,
                )
            )
    return sorted(out, key=lambda found: found.line)


def parse_accepted(texts) -> list[tuple[str, str | None]]:
    """`E06000001` or `E06000001:2021` (any spelling of the period) -> (code, period key)."""
    out = []
    for text in texts or ():
        code, _, period = str(text).strip().partition(":")
        if not code:
            raise BadParameter(f"--accept-outlier {text!r}: give CODE or CODE:PERIOD")
        try:
            key = parse_period(period).key if period else None
        except DataError as error:
            raise BadParameter(f"--accept-outlier {text!r}: {error}") from None
        out.append((code.upper(), key))
    return out


def is_accepted(outlier: Outlier, accepted: list[tuple[str, str | None]]) -> bool:
    """Whether an --accept-outlier names the outlier's area (in its period, if it says)."""
    return any(
        code == outlier.code and period in (None, outlier.period) for code, period in accepted
    )

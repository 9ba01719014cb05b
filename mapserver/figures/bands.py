"""Colour schemes: value breaks, colours and legend labels for a choropleth."""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import BadParameter

# UK coronavirus dashboard bands for 7-day rates per 100,000 (from 21 December 2021).
DASHBOARD_LOWER = [0, 10, 50, 100, 200, 400, 800, 1600]
DASHBOARD_COLOURS = [
    "#e0e543",
    "#74bb68",
    "#399384",
    "#2067AB",
    "#12407F",
    "#640058",
    "#3b0930",
    "#000000",
]
NO_DATA_COLOUR = "#d7d7d7"
# Suppressed small counts: a dark grey, never mistaken for no data or for the lowest band.
SUPPRESSED_COLOUR = "#6f6f6f"

# Viridis, light to dark, sampled for k = 3..9 classes: perceptually uniform and readable
# with the common colour-vision deficiencies (van der Walt and Smith, matplotlib).
VIRIDIS = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]

SCHEMES = ("dashboard", "quantiles", "natural-breaks", "equal-interval")
K_RANGE = (3, 9)
DEFAULT_K = 5


@dataclass(frozen=True)
class Bands:
    """A classification: `upper[i]` is the top of band i (inclusive); the last is open."""

    scheme: str
    upper: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    decimals: int = 1  # the figures are classified as shown, to this many places

    def classify(self, values: pd.Series) -> pd.Series:
        """Band index for each value (rounded as shown); <NA> where unknown."""
        shown = values.astype("float64").round(self.decimals)
        index = np.searchsorted(np.asarray(self.upper[:-1]), shown.to_numpy(), side="left")
        out = pd.Series(index, index=values.index, dtype="Int64")
        return out.mask(shown.isna())

    def legend(self) -> list[dict]:
        """Legend entries, lowest band first."""
        return [
            {"label": label, "colour": colour}
            for label, colour in zip(self.labels, self.colours, strict=True)
        ]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def dashboard_bands() -> Bands:
    """The UK dashboard's fixed bands: 0–9, 10–49, …, 1,600+."""
    lower = DASHBOARD_LOWER
    # A shown rate of 9.9 is in 0–9 and 10.0 in 10–49: the top of a band is just below
    # the next band's lower bound, at the 1 dp the rates are shown with.
    upper = [nxt - 0.05 for nxt in lower[1:]] + [float("inf")]
    labels = [
        f"{_number(lo)}–{_number(nxt - 1)}" for lo, nxt in zip(lower[:-1], lower[1:], strict=True)
    ]
    labels.append(f"{_number(lower[-1])}+")
    return Bands("dashboard", tuple(upper), tuple(DASHBOARD_COLOURS), tuple(labels))


@functools.lru_cache(maxsize=16)
def sequential_palette(k: int) -> tuple[str, ...]:
    """k colours from light to dark, interpolated along viridis."""
    from branca.colormap import LinearColormap

    ramp = LinearColormap(VIRIDIS, vmin=0, vmax=1)
    if k == 1:  # one class (tied values): the middle of the ramp
        return (ramp(0.5)[:7],)
    return tuple(ramp(i / (k - 1))[:7] for i in range(k))


def classified_bands(values: pd.Series, scheme: str, k: int, decimals: int = 1) -> Bands:
    """Bands from the data: quantiles, natural breaks (mapclassify) or equal intervals."""
    known = np.sort(values.dropna().astype("float64").round(decimals).to_numpy())
    if len(known) == 0:
        return Bands(scheme, (float("inf"),), (sequential_palette(3)[0],), ("no data",))
    if len(np.unique(known)) < 2:
        value = "0" if known[0] == 0 else f"{known[0]:,.{decimals}f}"
        return Bands(scheme, (float("inf"),), (sequential_palette(3)[0],), (value,), decimals)
    if scheme == "quantiles":
        return quantile_bands(known, k, decimals)
    import mapclassify  # slow to import (scipy); only these schemes need it

    classifier = {
        "natural-breaks": mapclassify.FisherJenks,
        "equal-interval": mapclassify.EqualInterval,
    }[scheme]
    with warnings.catch_warnings():
        # FisherJenks says it would be faster with numba; for a few hundred areas it is quick
        warnings.simplefilter("ignore", UserWarning)
        classifier = classifier(known, k=min(k, len(np.unique(known))))
    upper = list(dict.fromkeys(float(round(b, decimals)) for b in classifier.bins))
    return _banded(scheme, known, upper, decimals)


def _banded(scheme: str, known: np.ndarray, upper: list[float], decimals: int) -> Bands:
    """Bands (previous upper, upper]; labels from the first value above the previous top,
    as shown, and "0" for a class of zeros alone."""
    step = 10.0**-decimals
    lows = [float(known.min())] + [high + step for high in upper[:-1]]
    labels = [
        "0" if low == high == 0 else f"{low:,.{decimals}f}–{high:,.{decimals}f}"
        for low, high in zip(lows, upper, strict=True)
    ]
    upper = [*upper[:-1], float("inf")]
    return Bands(scheme, tuple(upper), sequential_palette(len(upper)), tuple(labels), decimals)


def quantile_bands(known: np.ndarray, k: int, decimals: int = 1) -> Bands:
    """Classes of about equal numbers of areas, fitted to tied figures: no class is empty
    or holds a single value, except a class of zeros alone when zeros would fill a class
    (a rare disease); the other classes then split the figures above zero. Fewer than
    `k` classes where the figures have too few distinct values. `known` is sorted."""
    zero_class = known[0] == 0 and np.percentile(known, 100 / k) == 0
    rest = known[known > 0] if zero_class else known
    if zero_class and len(np.unique(rest)) < 2:
        zero_class, rest = False, known  # zeros and one other value: one class of both
    classes = min(k - zero_class, len(np.unique(rest)))
    cuts = np.percentile(rest, [100 * i / classes for i in range(1, classes + 1)])
    upper = list(dict.fromkeys(float(round(cut, decimals)) for cut in cuts))
    upper = _merge_single_values(rest, upper)
    return _banded("quantiles", known, [0.0, *upper] if zero_class else upper, decimals)


def _merge_single_values(values: np.ndarray, upper: list[float]) -> list[float]:
    """Class tops with each class (previous top, top] holding at least two distinct
    values: an empty or one-value class is joined to its smaller neighbour."""
    upper = list(upper)
    while len(upper) > 1:
        index = np.searchsorted(np.asarray(upper[:-1]), values, side="left")
        distinct = [len(np.unique(values[index == i])) for i in range(len(upper))]
        thin = [i for i, count in enumerate(distinct) if count < 2]
        if not thin:
            break
        i = thin[0]
        sizes = np.bincount(index, minlength=len(upper))
        if i == 0 or (i < len(upper) - 1 and sizes[i + 1] <= sizes[i - 1]):
            del upper[i]  # joined to the next class: this top goes
        else:
            del upper[i - 1]  # joined to the previous class: its top goes
    return upper


# Lower, similar, higher than the national figure: a diverging scheme whose middle is
# not white (the page), readable with the common colour-vision deficiencies (ColorBrewer).
COMPARED_COLOURS = ("#4575b4", "#fee090", "#d73027")
COMPARED_ORDER = {"lower": 0, "similar": 1, "higher": 2}


class ComparedBands(Bands):
    """Three classes from an area's comparison with its country, not from its figure."""

    def classify(self, values: pd.Series) -> pd.Series:
        """Band index for each comparison (lower, similar, higher); <NA> where none."""
        return values.map(COMPARED_ORDER).astype("Int64")


# scheme -> the confidence level (%) its intervals are taken at, and the figures' suffix
COMPARED_SCHEMES = {"compared": ("95", ""), "compared-99.8": ("99.8", "_998")}


def compared_bands(scheme: str = "compared") -> Bands:
    """Whether each area's interval is above, around or below its country's figure."""
    # Short labels fit a phone's legend; its title names the country (compared_title).
    labels = ("Lower", "Similar", "Higher")
    return ComparedBands(scheme, (0.5, 1.5, float("inf")), COMPARED_COLOURS, labels)


def compared_title(country: str, scheme: str = "compared") -> str:
    """The legend's title for scheme=compared (95%) or compared-99.8."""
    level = COMPARED_SCHEMES[scheme][0]
    return f"Compared with {country} ({level}% confidence intervals)"


def parse_scheme(scheme: str | None, k: str | int | None) -> tuple[str, int]:
    """Validate the scheme name and class count from a request or the command line."""
    scheme = scheme or "dashboard"
    if scheme in COMPARED_SCHEMES:
        return scheme, DEFAULT_K
    if scheme not in SCHEMES:
        every = ", ".join([*SCHEMES, *COMPARED_SCHEMES])
        raise BadParameter(f"scheme must be one of {every}, not {scheme!r}")
    if k is None or k == "":
        return scheme, DEFAULT_K
    try:
        count = int(k)
    except (TypeError, ValueError):
        raise BadParameter(f"k must be a whole number from 3 to 9, not {k!r}") from None
    if not K_RANGE[0] <= count <= K_RANGE[1]:
        raise BadParameter(f"k must be a whole number from 3 to 9, not {k!r}")
    return scheme, count


def make_bands(values: pd.Series, scheme: str, k: int, decimals: int = 1) -> Bands:
    """Bands for a scheme: the dashboard's fixed bands or classes from the data, as the
    figures are shown (to `decimals` places)."""
    if scheme == "dashboard":
        return dashboard_bands()
    return classified_bands(values, scheme, k, decimals)

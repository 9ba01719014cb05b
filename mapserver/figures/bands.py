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

    def classify(self, values: pd.Series) -> pd.Series:
        """Band index for each value (rounded to 1 dp, as shown); <NA> where unknown."""
        shown = values.astype("float64").round(1)
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


def classified_bands(values: pd.Series, scheme: str, k: int) -> Bands:
    """Bands from the data with mapclassify: quantiles, natural breaks or equal intervals."""
    known = values.dropna().astype("float64").round(1).to_numpy()
    if len(known) == 0:
        return Bands(scheme, (float("inf"),), (sequential_palette(3)[0],), ("no data",))
    classes = min(k, len(np.unique(known)))
    if classes < 2:
        value = _number(known[0])
        return Bands(scheme, (float("inf"),), (sequential_palette(3)[0],), (value,))
    import mapclassify  # slow to import (scipy); only the data-driven schemes need it

    classifier = {
        "quantiles": mapclassify.Quantiles,
        "natural-breaks": mapclassify.FisherJenks,
        "equal-interval": mapclassify.EqualInterval,
    }[scheme]
    with warnings.catch_warnings():
        # FisherJenks says it would be faster with numba; for a few hundred areas it is quick
        warnings.simplefilter("ignore", UserWarning)
        classifier = classifier(known, k=classes)
    upper = [float(round(b, 1)) for b in classifier.bins]
    upper = list(dict.fromkeys(upper))  # quantiles of tied values can repeat
    lows = [float(known.min())] + upper[:-1]
    labels = []
    for i, (low, high) in enumerate(zip(lows, upper, strict=True)):
        # bands are (previous upper, upper]: show the first value above the previous top
        start = low if i == 0 else low + 0.1
        labels.append(f"{start:,.1f}–{high:,.1f}")
    upper[-1] = float("inf")
    return Bands(scheme, tuple(upper), sequential_palette(len(upper)), tuple(labels))


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


def make_bands(values: pd.Series, scheme: str, k: int) -> Bands:
    """Bands for a scheme: the dashboard's fixed bands or classes from the data."""
    if scheme == "dashboard":
        return dashboard_bands()
    return classified_bands(values, scheme, k)

"""Colour bands: the dashboard's fixed bands and mapclassify schemes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mapserver.core.errors import BadParameter
from mapserver.figures.bands import (
    DASHBOARD_COLOURS,
    dashboard_bands,
    make_bands,
    parse_scheme,
    sequential_palette,
)


def test_dashboard_labels_and_colours():
    bands = dashboard_bands()
    assert bands.labels == (
        "0–9", "10–49", "50–99", "100–199", "200–399", "400–799", "800–1,599", "1,600+",
    )  # fmt: skip
    assert bands.colours == tuple(DASHBOARD_COLOURS)
    assert bands.colours[4] == "#12407F"


@pytest.mark.parametrize(
    ("rate", "band"),
    [
        (0.0, 0),
        (9.94, 0),  # shown as 9.9
        (9.96, 1),  # shown as 10.0
        (10.0, 1),
        (49.9, 1),
        (50.0, 2),
        (199.9, 3),
        (200.0, 4),
        (358.6, 4),
        (799.9, 5),
        (800.0, 6),
        (1600.0, 7),
        (25_000.0, 7),
    ],
)
def test_dashboard_band_of_a_rate_follows_the_rate_as_shown(rate, band):
    assert dashboard_bands().classify(pd.Series([rate])).iloc[0] == band


def test_unknown_rate_has_no_band():
    assert pd.isna(dashboard_bands().classify(pd.Series([float("nan")])).iloc[0])


def test_quantiles_split_evenly_and_label_each_band():
    values = pd.Series([float(v) for v in range(1, 11)])  # 1.0 .. 10.0
    bands = make_bands(values, "quantiles", 5)
    # quintiles of 1..10 have upper bounds 2.8, 4.6, 6.4, 8.2, 10
    assert bands.labels == ("1.0–2.8", "2.9–4.6", "4.7–6.4", "6.5–8.2", "8.3–10.0")
    assert bands.classify(values).value_counts().sort_index().tolist() == [2, 2, 2, 2, 2]
    assert len(set(bands.colours)) == 5


def test_equal_interval_and_natural_breaks():
    values = pd.Series([0.0, 1.0, 2.0, 50.0, 51.0, 52.0, 100.0])
    equal = make_bands(values, "equal-interval", 4)
    assert equal.labels[0] == "0.0–25.0"
    jenks = make_bands(values, "natural-breaks", 3)
    assert jenks.classify(values).tolist() == [0, 0, 0, 1, 1, 1, 2]


def test_classified_bands_ignore_unknown_values_and_survive_few_values():
    values = pd.Series([5.0, 5.0, float("nan")])
    bands = make_bands(values, "quantiles", 5)
    assert bands.classify(values).iloc[:2].tolist() == [0, 0]
    assert pd.isna(bands.classify(values).iloc[2])


def test_palette_runs_light_to_dark():
    palette = sequential_palette(7)
    assert palette[0] == "#fde725" and palette[-1] == "#440154"
    assert len(set(palette)) == 7


@pytest.mark.parametrize(
    ("scheme", "k", "message"),
    [("rainbow", None, "scheme must be one of"), ("quantiles", "2", "3 to 9"),
     ("quantiles", "10", "3 to 9"), ("quantiles", "x", "3 to 9")],
)  # fmt: skip
def test_bad_scheme_or_k(scheme, k, message):
    with pytest.raises(BadParameter, match=message):
        parse_scheme(scheme, k)


def test_scheme_defaults():
    assert parse_scheme(None, None) == ("dashboard", 5)
    assert parse_scheme("natural-breaks", "9") == ("natural-breaks", 9)


def test_tied_quantiles_that_collapse_to_one_band_still_colour():
    # One low rate and many tied high ones: every quantile break is the top value.
    values = pd.Series([0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0])
    bands = make_bands(values, "quantiles", 2)
    assert bands.labels == ("0.0–5.0",)
    assert len(bands.colours) == len(bands.labels) >= 1
    assert bands.classify(values).notna().all()


def test_a_palette_of_one_colour():
    assert len(sequential_palette(1)) == 1


# --- classes that fit the figures: ties and zeros (issue 25) -----------------------------


def rare_disease(zeros: int = 67, areas: int = 300, seed: int = 25) -> pd.Series:
    """Rates of a rare disease to 1 dp: `zeros` areas at 0.0, the rest small and tied."""
    rng = np.random.default_rng(seed)
    rest = np.round(rng.gamma(0.8, 1.5, areas - zeros), 1)
    rest[rest == 0] = 0.1  # the zeros are the given number
    return pd.Series(np.concatenate([np.zeros(zeros), rest]))


def label_range(label: str) -> tuple[float, float]:
    if label == "0":
        return 0.0, 0.0
    low, high = label.replace(",", "").split("–")
    return float(low), float(high)


def assert_classes_fit(bands, values: pd.Series) -> None:
    """No class empty; none holding a single value but the class of zeros, labelled "0";
    each value inside its class's label, and every colour its class's."""
    classes = bands.classify(values)
    assert len(bands.labels) == len(bands.colours) == len(set(bands.colours))
    for index, label in enumerate(bands.labels):
        inside = values[classes == index].round(bands.decimals)
        assert len(inside), f"class {label} is empty"
        low, high = label_range(label)
        assert (inside >= low).all() and (inside <= high).all(), label
        if label == "0":
            assert (inside == 0).all()
        else:
            assert inside.nunique() >= 2, f"class {label} holds one value"
            assert low < high, label


@pytest.mark.parametrize("k", range(3, 10))
def test_quantiles_of_a_rare_disease_with_many_zeros_fit_the_figures(k):
    values = rare_disease()
    assert (values == 0).sum() == 67 and values.duplicated().sum() > 250  # many ties
    bands = make_bands(values, "quantiles", k)
    assert_classes_fit(bands, values)
    assert "0.0–0.0" not in bands.labels
    assert len(bands.labels) <= k
    if (values == 0).mean() >= 1 / k:  # zeros would fill a class: they are one, "0"
        assert bands.labels[0] == "0"
        assert bands.classify(values)[values == 0].eq(0).all()


@pytest.mark.parametrize(
    "values",
    [
        [0.0] * 200 + [0.1] * 50 + [0.2] * 30 + [0.5] * 15 + [3.0] * 5,  # mostly zeros
        [0.0] * 150 + [2.0] * 150,  # zeros and one other value: one class of both
        [1.0] * 100 + [1.1] * 5 + [5.0] * 100 + [9.0],  # ties away from zero
        [0.0] * 10,  # every area zero
        [4.0, 4.0, 4.0, 4.1],
    ],
)
def test_tied_figures_give_fewer_classes_never_a_single_value_one(values):
    values = pd.Series(values)
    for k in (3, 5, 9):
        bands = make_bands(values, "quantiles", k)
        if values.nunique() == 1:
            assert bands.labels == ("0",)
        else:
            assert_classes_fit(bands, values)


def test_classes_follow_the_figures_decimals():
    values = pd.Series([0.0] * 30 + [0.01, 0.02, 0.02, 0.03, 0.05, 0.08, 0.13, 0.21] * 10)
    bands = make_bands(values, "quantiles", 5, decimals=2)
    assert bands.labels[0] == "0" and bands.labels[1].startswith("0.01–")
    assert_classes_fit(bands, values)

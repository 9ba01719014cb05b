"""The map of a rare disease (67 of 300 areas at zero, many ties): its default classes
fit the figures, the legend says what each colour means, each area wears its class's."""

from __future__ import annotations

import pytest

from .loaded import loaded_values
from .test_bands import label_range, rare_disease
from .test_checks import codes, reference_data  # noqa: F401 (fixtures)
from .test_formats import write
from .test_indicators import add, client_for


@pytest.fixture(scope="module")
def rare_values(tmp_path_factory, codes):  # noqa: F811
    folder = tmp_path_factory.mktemp("rare")
    figures = rare_disease()
    lines = [f"{code},2023,{value:.1f}" for code, value in zip(codes, figures, strict=False)]
    assert len(lines) == 300
    path = write(folder / "rare.csv", "code,period,value\n" + "\n".join(lines) + "\n")
    assert add(folder / "store", str(path), "--id", "rare").exit_code == 0
    client = client_for(folder / "store")
    page = client.get("/embed/england?indicator=rare").get_data(as_text=True)
    return loaded_values(client, page), dict(zip(codes, figures, strict=False))


def test_the_default_classes_have_a_zero_class_and_no_single_value_one(rare_values):
    values, figures = rare_values
    assert values["scheme"] == "quantiles"
    legend = [item for item in values["legend"] if not item.get("no_data")]
    labels = [item["label"] for item in legend]
    assert labels[0] == "0" and "0.0–0.0" not in labels
    assert len(labels) == len(values["colours"]) <= 5
    field = values["fields"].index
    banded = {}
    for code, area in values["areas"].items():
        if code in figures:
            band = area[field("band")]
            assert area[field("rate")] == round(figures[code], 1)
            assert legend[band]["colour"] == values["colours"][band]  # its class's colour
            banded.setdefault(band, []).append(area[field("rate")])
        elif code not in values["notes"]:  # (the City and Scilly: Hackney's, Cornwall's)
            assert area[field("band")] is None  # the English districts not in the file
    assert sorted(banded) == list(range(len(labels)))  # no class is empty
    for band, rates in banded.items():
        low, high = label_range(labels[band])
        assert all(low <= rate <= high for rate in rates), labels[band]
        if labels[band] == "0":
            assert set(rates) == {0.0} and len(rates) == 67
        else:
            assert len(set(rates)) >= 2, labels[band]
    assert values["legend"][-1] == {"label": "No data", "colour": "#d7d7d7", "no_data": True}

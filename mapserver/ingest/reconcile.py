"""Check that case series and boundary areas match, in both directions."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Reconciliation:
    """What did not match between case series, boundaries, lookup and population."""

    series_without_boundary: list[str] = field(default_factory=list)
    boundaries_without_series: list[str] = field(default_factory=list)
    codes_not_in_lookup: list[str] = field(default_factory=list)
    series_without_population: list[str] = field(default_factory=list)
    covered: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every series has a boundary and every boundary has figures."""
        return not self.problems()

    def problems(self) -> list[str]:
        """One sentence for each kind of mismatch, listing the codes."""
        out = []
        if self.codes_not_in_lookup:
            out.append(
                "case codes not in the lookup (cannot be placed on the map): "
                + ", ".join(self.codes_not_in_lookup)
            )
        if self.series_without_boundary:
            out.append(
                "case series with no boundary in the boundary file: "
                + ", ".join(self.series_without_boundary)
            )
        if self.boundaries_without_series:
            out.append(
                "boundary areas with no case series (shown as no data): "
                + ", ".join(self.boundaries_without_series)
            )
        if self.series_without_population:
            out.append(
                "case series with no population (no rate): "
                + ", ".join(self.series_without_population)
            )
        return out


def reconcile(
    case_codes: pd.Index,
    boundary_codes: pd.Index,
    district_to_series: pd.Series,
    population_codes: pd.Index,
) -> Reconciliation:
    """Compare the codes of the case file, the boundary file, the lookup and the population."""
    case_codes = pd.Index(case_codes).unique()
    not_in_lookup = sorted(set(case_codes) - set(district_to_series.index))
    series = set(case_codes.map(lambda code: district_to_series.get(code, code)))
    boundary = set(boundary_codes)
    series_without_boundary = sorted(series - boundary)
    without_series = sorted(
        code for code in boundary if district_to_series.get(code, code) not in series
    )
    covered = {
        district: cover
        for district, cover in district_to_series.items()
        if district != cover and district in boundary and cover in series
    }
    districts_with_population = set(population_codes)
    without_population = sorted(
        code
        for code in series
        if not (set(district_to_series.index[district_to_series == code]) or {code})
        & districts_with_population
    )
    return Reconciliation(
        series_without_boundary,
        without_series,
        not_in_lookup,
        without_population,
        covered,
    )

"""Key facts for any data set: the Covid cases' sentences, or an indicator's."""

from __future__ import annotations

import pandas as pd

from .facts import Facts, covid_facts
from .indicator_facts import indicator_facts


def region_facts(dataset, region, week: pd.Timestamp) -> Facts:
    """The key facts of `region` for the period ending `week`, from the league table."""
    if dataset.indicator is not None:  # not the Covid cases
        return indicator_facts(dataset, region, week)
    return covid_facts(dataset, region, week)

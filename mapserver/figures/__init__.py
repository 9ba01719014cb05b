"""Figures from what is kept: rates, intervals, comparisons, disclosure and colour bands."""

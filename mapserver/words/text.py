"""Small pieces of English shared by every output's words: ranks, lists of names, counts."""

from __future__ import annotations


def ordinal(n: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 23 -> 23rd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def joined(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`; with names like `Bristol, City of` or `Charlie and
    Delta`, `A; B as well as C and D`, so that no name is read as two."""
    if len(names) == 1:
        return names[0]
    if any("," in name or " and " in name for name in names):
        return "; ".join(names[:-1]) + " as well as " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def counted(n: int, word: str = "area") -> str:
    """`1 area`, `2 areas`, `1,204 cases`."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")

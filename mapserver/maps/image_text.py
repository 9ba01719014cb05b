"""Text in the images: measured and drawn in matplotlib's own DejaVu Sans, so that an
image's bytes are the same on any machine."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def font_file(bold: bool) -> str:
    """matplotlib's own DejaVu Sans, never a system copy, so output is the same anywhere."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def font(size: float, bold: bool = False):
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font_file(bold), size=size)


@cache
def measurer():
    from matplotlib.textpath import TextToPath

    return TextToPath()


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels (at 72 dpi points are pixels) of one line of text."""
    width, _, _ = measurer().get_text_width_height_descent(text, font(size, bold), ismath=False)
    return width


def wrap(text: str, size: float, width: float, bold: bool = False) -> tuple[str, ...]:
    """Greedy word wrap to lines no wider than width (a single long word stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return tuple([*lines, line] if line else lines)

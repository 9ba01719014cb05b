"""The README's screenshot script still runs (into a temporary folder, not docs/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.browser
def test_screenshot_script_makes_every_readme_image(tmp_path):
    script = ROOT / "docs" / "make_screenshots.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, timeout=300)
    made = sorted(path.name for path in tmp_path.glob("*.png"))
    readme = (ROOT / "README.md").read_text()
    shown = {name for name in made if f"docs/screenshots/{name}" in readme}
    assert len(made) >= 7 and shown == set(made), (made, shown)
    assert all((tmp_path / name).stat().st_size > 10_000 for name in made)

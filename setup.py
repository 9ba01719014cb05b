"""Build hook: a wheel carries the files the server reads at run time.

The built-in data, region definitions, manifests, our own CSS/JS and the npm front-end
library live outside the package in the repository; they are copied into
mapserver/_bundled/ of the build, never committed there. The list is
mapserver/core/resources.py's SHIPPED, so the code that reads the files and the build that
ships them cannot disagree.
"""

import runpy
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = runpy.run_path(str(ROOT / "mapserver" / "core" / "resources.py"))["SHIPPED"]


def ensure_node_modules() -> None:
    """Install the npm front-end libraries if this tree has not got them yet."""
    if (ROOT / "node_modules" / "topojson-client").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("building mapserver needs npm (for topojson-client): install Node.js")
    subprocess.run([npm, "ci", "--omit=dev", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


class BuildWithResources(build_py):
    """build_py, then copy the shipped repository files into mapserver/_bundled/."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        ensure_node_modules()
        target = Path(self.build_lib) / "mapserver" / "_bundled"
        for relative in SHIPPED:
            source = ROOT / relative
            if not source.exists():
                raise SystemExit(f"cannot build: {relative} is missing from the source tree")
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                shutil.copy2(source, destination)


setup(cmdclass={"build_py": BuildWithResources})

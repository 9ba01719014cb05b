"""Command line: `mapserver fetch`, `mapserver rates`, ... (`mapserver --help` lists them)."""

from __future__ import annotations

from . import accounts, data, maps  # each module adds its commands to the group
from .base import main

__all__ = ["accounts", "data", "main", "maps"]

"""Checked changes to the kept data, and how each running process switches to them."""

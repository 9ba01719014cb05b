"""The package's version, in the lowest layer so that every output can name it."""

__version__ = "0.1.0"

"""One exception hierarchy for the project; the web layer maps each class to a status."""


class MapserverError(Exception):
    """Base class for every error the project raises on purpose."""


class ConfigError(MapserverError):
    """A setting has a value the server cannot use."""


class FetchError(MapserverError):
    """A data file could not be fetched or failed its checksum."""


class DataError(MapserverError):
    """An input data file is missing, malformed or inconsistent."""


class BadParameter(MapserverError):
    """A request or command-line parameter is malformed."""


class UnknownRegion(MapserverError):
    """A region slug or code is not known."""


class WeekOutOfRange(MapserverError):
    """A week is well-formed but outside the data."""


class UnknownIndicator(MapserverError):
    """An indicator id that is not kept."""


class UnknownVersion(MapserverError):
    """A data version that is not kept (never made, or pruned)."""

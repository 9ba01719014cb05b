"""mapserver: choropleth maps of 7-day incidence rates by local authority."""

__version__ = "0.1.0"

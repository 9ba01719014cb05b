"""The path from a data file to checked figures: formats, periods, vintages, validation."""

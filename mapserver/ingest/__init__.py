"""Files in: fetching, reading and checking sources, periods, district vintages, regions."""

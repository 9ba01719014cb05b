"""The accounts database's Alembic migrations, run by store/database.py."""

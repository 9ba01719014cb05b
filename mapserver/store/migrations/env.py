"""Alembic's environment: migrate the engine store/database.py hands over."""

from __future__ import annotations

from alembic import context

from mapserver.store.schema import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    # render_as_batch: SQLite alters a table by copying it, which batch mode does.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

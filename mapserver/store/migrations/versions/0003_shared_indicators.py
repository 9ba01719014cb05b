"""Indicator versions shared by several servers, each indicator's current version, and
the generation they poll.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mapserver.store.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create indicator_versions, current_indicators and indicator_generation (one row)."""
    op.create_table(
        "indicator_versions",
        sa.Column("indicator_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("observations", sa.LargeBinary, nullable=False),
        sa.Column("national", sa.LargeBinary, nullable=True),
        sa.Column("log", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("indicator_id", "version", name=op.f("pk_indicator_versions")),
    )
    op.create_table(
        "current_indicators",
        sa.Column("indicator_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id", "version"],
            ["indicator_versions.indicator_id", "indicator_versions.version"],
            name="fk_current_indicators_version",
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_current_indicators")),
    )
    generation = op.create_table(
        "indicator_generation",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_indicator_generation_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_generation")),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("indicator_generation")
    op.drop_table("current_indicators")
    op.drop_table("indicator_versions")

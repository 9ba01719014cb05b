"""The maps the desk publishes, and the audit log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mapserver.store.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create published_maps and audit_log."""
    op.create_table(
        "published_maps",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("indicator_id", sa.String(200), nullable=False),
        sa.Column("editor_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["users.id"], name=op.f("fk_published_maps_editor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_maps")),
    )
    op.create_index(op.f("ix_published_maps_indicator_id"), "published_maps", ["indicator_id"])
    op.create_index(op.f("ix_published_maps_editor_id"), "published_maps", ["editor_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("indicator_id", sa.String(200), nullable=True),
        sa.Column("version", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("audit_log")
    op.drop_table("published_maps")

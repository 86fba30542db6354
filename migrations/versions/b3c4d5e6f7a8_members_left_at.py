"""members who left (退会): members.left_at

Revision ID: b3c4d5e6f7a8
Revises: f3a8b1c5d7e9
Create Date: 2026-12-03 14:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c4d5e6f7a8'
down_revision = 'f3a8b1c5d7e9'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into their photos.
    op.add_column('members', sa.Column('left_at', sa.DateTime(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+), for the same reason as in upgrade().
    op.drop_column('members', 'left_at')

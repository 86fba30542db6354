"""members.friend_total: how many friends a member has, a counter kept by the changes that
make and end friendships, backfilled from the rows

Revision ID: b7d2e4f6a8c0
Revises: a9c1e3f5b7d9
Create Date: 2026-12-04 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a8c0'
down_revision = 'a9c1e3f5b7d9'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into its children.
    op.add_column('members', sa.Column('friend_total', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE members SET friend_total = "
        "(SELECT count(*) FROM friendships WHERE friendships.member_id = members.id)"
    )


def downgrade():
    op.drop_column('members', 'friend_total')

"""members.new_footprints (and new_footprints_since): the footprints left since a member last
opened the list, a counter kept by the footprints' writes, blocks and leavers, backfilled from
the rows

Revision ID: c3e5a7b9d1f2
Revises: b7d2e4f6a8c0
Create Date: 2026-12-06 22:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f2'
down_revision = 'b7d2e4f6a8c0'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into its children.
    op.add_column('members', sa.Column('new_footprints', sa.Integer(), server_default='0', nullable=False))
    op.add_column('members', sa.Column('new_footprints_since', sa.DateTime(), nullable=True))
    # One grouped count (UPDATE ... FROM, SQLite 3.33+ and PostgreSQL): the footprints newer
    # than the visited member's footprints_seen_at, by members neither side blocked.
    op.execute(
        "UPDATE members SET new_footprints = counted.n, new_footprints_since = counted.since "
        "FROM (SELECT f.visited_id AS member_id, count(*) AS n, min(f.visited_at) AS since "
        "FROM footprints f JOIN members m ON m.id = f.visited_id "
        "WHERE (m.footprints_seen_at IS NULL OR f.visited_at > m.footprints_seen_at) "
        "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = f.visited_id "
        "AND b.blocked_id = f.visitor_id) "
        "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = f.visitor_id "
        "AND b.blocked_id = f.visited_id) "
        "GROUP BY f.visited_id) AS counted "
        "WHERE members.id = counted.member_id"
    )


def downgrade():
    op.drop_column('members', 'new_footprints_since')
    op.drop_column('members', 'new_footprints')

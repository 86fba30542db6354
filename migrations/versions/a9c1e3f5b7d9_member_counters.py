"""members.unread_messages and members.pending_requests: counters kept by the changes they
count, backfilled from the rows

Revision ID: a9c1e3f5b7d9
Revises: f8a2b4c6d8e0
Create Date: 2026-12-03 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c1e3f5b7d9'
down_revision = 'f8a2b4c6d8e0'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into its children.
    op.add_column('members', sa.Column('unread_messages', sa.Integer(), server_default='0', nullable=False))
    op.add_column('members', sa.Column('pending_requests', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE members SET "
        "unread_messages = (SELECT count(*) FROM messages WHERE messages.recipient_id = members.id "
        "AND messages.recipient_state = 'inbox' AND messages.read_at IS NULL), "
        "pending_requests = (SELECT count(*) FROM friend_requests "
        "WHERE friend_requests.recipient_id = members.id)"
    )


def downgrade():
    op.drop_column('members', 'pending_requests')
    op.drop_column('members', 'unread_messages')

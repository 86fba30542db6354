"""sessions bound to the phone (gateway, subscriber ID), indexed by member

Revision ID: c4e1b7a92d3f
Revises: 7398e0848831
Create Date: 2026-11-23 09:00:00.000000

URL-carried sessions were bound to the User-Agent alone (``agent_hash``); they are now bound to
the User-Agent and the gateway carrier (``binding_hash``, a different fingerprint, so sessions in
URLs made before this revision end: their members log in again) and to the subscriber ID when
one was sent. ``member_id`` lets all of a member's sessions be ended at once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1b7a92d3f'
down_revision = '7398e0848831'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.alter_column('agent_hash', new_column_name='binding_hash')
        batch_op.add_column(sa.Column('subscriber_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sessions_member_id'), ['member_id'], unique=False)
    # Fingerprints of the User-Agent alone no longer match anything: end those sessions.
    op.execute("DELETE FROM sessions WHERE binding_hash IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM sessions WHERE binding_hash IS NOT NULL")
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_member_id'))
        batch_op.drop_column('member_id')
        batch_op.drop_column('subscriber_hash')
        batch_op.alter_column('binding_hash', new_column_name='agent_hash')

"""mail outbox for the task queue, birthday notices

Notices are written to ``outbox_mails`` in the transaction of the action that causes them and
sent by the huey consumer (``portal.tasks``); ``key`` is each mail's idempotency key.
``members.notify_birthdays`` turns off the mail a week before a friend's birthday.

Revision ID: 4f9ca0553dfb
Revises: e5a7c9d1f3b2
Create Date: 2026-12-03 08:57:01.601385

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f9ca0553dfb'
down_revision = 'e5a7c9d1f3b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['members.id'], name=op.f('fk_outbox_mails_recipient_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_mails_key'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mails_sent_at'), ['sent_at'], unique=False)

    # A plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into their photos.
    op.add_column('members', sa.Column('notify_birthdays', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+), for the same reason as in upgrade().
    op.drop_column('members', 'notify_birthdays')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mails_sent_at'))

    op.drop_table('outbox_mails')

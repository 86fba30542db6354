"""mail links: signup and one-time login links answered to empty mails (空メール)

Revision ID: e7f1a9c3b5d2
Revises: c5d6e7f8a9b0
Create Date: 2026-12-03 18:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7f1a9c3b5d2'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_mail_links_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_mail_links_token_hash')),
    )
    with op.batch_alter_table('mail_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_links_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_links_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_links_member_id'))
        batch_op.drop_index(batch_op.f('ix_mail_links_address'))
    op.drop_table('mail_links')

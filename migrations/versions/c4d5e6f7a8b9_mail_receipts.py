"""mail_receipts: Message-IDs already posted to profile-photo and album addresses

Revision ID: c4d5e6f7a8b9
Revises: b3c4d5e6f7a8
Create Date: 2026-12-03 18:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b3c4d5e6f7a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_receipts',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=False),
        sa.Column('message_digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['member_id'], ['members.id'],
            name=op.f('fk_mail_receipts_member_id_members'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'member_id', 'target', 'message_digest', name=op.f('pk_mail_receipts')
        ),
    )


def downgrade():
    op.drop_table('mail_receipts')

"""favourites (お気に入り: a one-way follow)

Revision ID: f1a2b3c4d5e6
Revises: 4f9ca0553dfb
Create Date: 2026-12-03 13:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = '4f9ca0553dfb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'favorites',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('favorite_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_favorites_member_id_members'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['favorite_id'], ['members.id'], name=op.f('fk_favorites_favorite_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', 'favorite_id', name=op.f('pk_favorites')),
    )
    with op.batch_alter_table('favorites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_favorites_favorite_id'), ['favorite_id'], unique=False)


def downgrade():
    with op.batch_alter_table('favorites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_favorites_favorite_id'))
    op.drop_table('favorites')

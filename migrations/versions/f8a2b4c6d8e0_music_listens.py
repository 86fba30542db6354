"""music (mixi ミュージック): listen tokens, listens, now playing; members.music_visibility
and members.last_listen_at

Revision ID: f8a2b4c6d8e0
Revises: e7f1a9c3b5d2
Create Date: 2026-12-03 19:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f8a2b4c6d8e0'
down_revision = 'e7f1a9c3b5d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'listen_tokens',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_listen_tokens_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_listen_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_listen_tokens_token_hash')),
    )
    op.create_table(
        'listens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('listened_at', sa.DateTime(), nullable=False),
        sa.Column('artist_name', sa.String(length=200), nullable=False),
        sa.Column('track_name', sa.String(length=200), nullable=False),
        sa.Column('release_name', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_listens_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_listens')),
        sa.UniqueConstraint('member_id', 'listened_at', 'track_name', name=op.f('uq_listens_member_id')),
    )
    with op.batch_alter_table('listens', schema=None) as batch_op:
        batch_op.create_index('ix_listens_listened_at', ['listened_at'], unique=False)
    op.create_table(
        'now_playing',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('artist_name', sa.String(length=200), nullable=False),
        sa.Column('track_name', sa.String(length=200), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_now_playing_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_now_playing')),
    )
    # Plain ADD COLUMN: a batch rebuild of members on SQLite would cascade into its children.
    op.add_column('members', sa.Column('music_visibility', sa.String(length=8), server_default='friends', nullable=False))
    op.add_column('members', sa.Column('last_listen_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('members', 'last_listen_at')
    op.drop_column('members', 'music_visibility')
    op.drop_table('now_playing')
    with op.batch_alter_table('listens', schema=None) as batch_op:
        batch_op.drop_index('ix_listens_listened_at')
    op.drop_table('listens')
    op.drop_table('listen_tokens')

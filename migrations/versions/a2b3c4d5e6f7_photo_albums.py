"""photo albums (フォトアルバム): albums, and photos' album and caption

Revision ID: a2b3c4d5e6f7
Revises: f1a2b3c4d5e6
Create Date: 2026-12-03 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2b3c4d5e6f7'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def _keep_variants():
    """SQLite rebuilds ``photos`` (copy, drop, rename); dropping the old table deletes its rows,
    and ON DELETE CASCADE would take every ``photo_variants`` row with them. Keep a copy."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TEMP TABLE kept_photo_variants AS SELECT * FROM photo_variants")


def _restore_variants():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM photo_variants")
        op.execute("INSERT INTO photo_variants SELECT * FROM kept_photo_variants")
        op.execute("DROP TABLE kept_photo_variants")


def upgrade():
    op.create_table(
        'albums',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('visibility', sa.String(length=10), nullable=False),
        sa.Column('cover_photo_id', sa.Integer(), nullable=True),
        sa.Column('mail_token', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_albums_owner_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_albums')),
        sa.UniqueConstraint('mail_token', name=op.f('uq_albums_mail_token')),
    )
    with op.batch_alter_table('albums', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_albums_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_albums_owner_created', ['owner_id', 'created_at'], unique=False)

    _keep_variants()
    with op.batch_alter_table(
        'photos', schema=None, recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('album_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('caption', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_photos_album_id'), ['album_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photos_album_id_albums'), 'albums', ['album_id'], ['id'], ondelete='CASCADE')
    _restore_variants()


def downgrade():
    _keep_variants()
    with op.batch_alter_table(
        'photos', schema=None, recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photos_album_id_albums'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photos_album_id'))
        batch_op.drop_column('caption')
        batch_op.drop_column('album_id')
    _restore_variants()
    with op.batch_alter_table('albums', schema=None) as batch_op:
        batch_op.drop_index('ix_albums_owner_created')
        batch_op.drop_index(batch_op.f('ix_albums_created_at'))
    op.drop_table('albums')

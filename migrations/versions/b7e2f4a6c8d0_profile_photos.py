"""profile photos (up to three per member, position 1 the main photo)

Revision ID: b7e2f4a6c8d0
Revises: c4e1b7a92d3f
Create Date: 2026-12-03 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2f4a6c8d0'
down_revision = 'c4e1b7a92d3f'
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
    _keep_variants()
    with op.batch_alter_table(
        'photos', schema=None, recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('profile_member_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photos_profile_member_id'), ['profile_member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photos_profile_member_id_members'), 'members', ['profile_member_id'], ['id'], ondelete='CASCADE')
    _restore_variants()


def downgrade():
    _keep_variants()
    with op.batch_alter_table(
        'photos', schema=None, recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photos_profile_member_id_members'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photos_profile_member_id'))
        batch_op.drop_column('profile_member_id')
    _restore_variants()

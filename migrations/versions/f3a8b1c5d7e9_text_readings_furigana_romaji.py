"""readings of member text (furigana, glosses), the furigana setting, romaji nicknames

``text_readings`` holds what fugashi and jamdict found when a text was saved, keyed by the
text's kind, id and field; ``members.furigana`` is the learner's reading setting and
``members.nickname_romaji`` the nickname in romaji for the English UI.

Revision ID: f3a8b1c5d7e9
Revises: a2b3c4d5e6f7
Create Date: 2026-12-03 13:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8b1c5d7e9'
down_revision = 'a2b3c4d5e6f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'text_readings',
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('field', sa.String(length=8), nullable=False),
        sa.Column('source_hash', sa.String(length=32), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'ref_id', 'field', name=op.f('pk_text_readings')),
    )
    # Plain ADD COLUMNs: a batch rebuild of members on SQLite would cascade into their photos.
    op.add_column('members', sa.Column('furigana', sa.String(length=4), nullable=True))
    op.add_column('members', sa.Column('nickname_romaji', sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column('members', 'nickname_romaji')
    op.drop_column('members', 'furigana')
    op.drop_table('text_readings')

"""diary search index: SQLite FTS5 trigram table with triggers, PostgreSQL pg_trgm indexes

Revision ID: a7d3c2e9f1b4
Revises: 53a744729d56
Create Date: 2026-11-23 10:00:00.000000

Japanese has no spaces between words, so diaries are indexed by trigrams (any 3 characters):
on SQLite an FTS5 table over ``diaries`` (external content, kept in sync by triggers), on
PostgreSQL GIN indexes with ``gin_trgm_ops`` that accelerate ``ILIKE '%...%'``. Other databases
get no index (search falls back to LIKE). See ``portal/models/search_index.py``.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3c2e9f1b4'
down_revision = '53a744729d56'
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE diary_fts USING fts5("
    "title, body, content='diaries', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER diary_fts_ai AFTER INSERT ON diaries BEGIN "
    "INSERT INTO diary_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER diary_fts_ad AFTER DELETE ON diaries BEGIN "
    "INSERT INTO diary_fts(diary_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER diary_fts_au AFTER UPDATE OF title, body ON diaries BEGIN "
    "INSERT INTO diary_fts(diary_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO diary_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    # Index the diaries written before this migration.
    "INSERT INTO diary_fts(diary_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS diary_fts_au",
    "DROP TRIGGER IF EXISTS diary_fts_ad",
    "DROP TRIGGER IF EXISTS diary_fts_ai",
    "DROP TABLE IF EXISTS diary_fts",
)
POSTGRESQL_UP = (
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_diaries_title_trgm ON diaries USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_diaries_body_trgm ON diaries USING gin (body gin_trgm_ops)",
)
POSTGRESQL_DOWN = (
    # The extension stays: other things may use it, and dropping it needs more privileges.
    "DROP INDEX IF EXISTS ix_diaries_body_trgm",
    "DROP INDEX IF EXISTS ix_diaries_title_trgm",
)


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UP)


def downgrade():
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWN)

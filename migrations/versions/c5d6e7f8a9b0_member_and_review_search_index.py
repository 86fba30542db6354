"""member and review search index: SQLite FTS5 trigram tables with triggers, PostgreSQL pg_trgm

Revision ID: c5d6e7f8a9b0
Revises: c4d5e6f7a8b9
Create Date: 2026-12-03 18:30:00.000000

Like the diaries' index (``a7d3c2e9f1b4``), so a search costs what its matches cost, not what
the whole table does (issue 11.3):

* SQLite: ``review_fts`` over ``reviews`` (external content, triggers as for diaries) and
  ``member_fts`` (its own content: one row per member, rowid = member id, with the nickname and
  the profile's area and hobbies, kept by triggers on ``members`` and ``profiles``);
* PostgreSQL: GIN ``gin_trgm_ops`` indexes on the same columns.

See ``portal/models/search_index.py``.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5d6e7f8a9b0'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None

_PROFILE_FIELDS = (
    "UPDATE member_fts SET area = coalesce(new.area, ''), hobbies = coalesce(new.hobbies, '') "
    "WHERE rowid = new.member_id; "
)
SQLITE_UP = (
    "CREATE VIRTUAL TABLE review_fts USING fts5("
    "title, body, content='reviews', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER review_fts_ai AFTER INSERT ON reviews BEGIN "
    "INSERT INTO review_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER review_fts_ad AFTER DELETE ON reviews BEGIN "
    "INSERT INTO review_fts(review_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER review_fts_au AFTER UPDATE OF title, body ON reviews BEGIN "
    "INSERT INTO review_fts(review_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO review_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO review_fts(review_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE member_fts USING fts5(nickname, area, hobbies, tokenize='trigram')",
    "CREATE TRIGGER member_fts_ai AFTER INSERT ON members BEGIN "
    "INSERT INTO member_fts(rowid, nickname, area, hobbies) VALUES (new.id, new.nickname, '', ''); "
    "END",
    "CREATE TRIGGER member_fts_au AFTER UPDATE OF nickname ON members BEGIN "
    "UPDATE member_fts SET nickname = new.nickname WHERE rowid = new.id; END",
    "CREATE TRIGGER member_fts_ad AFTER DELETE ON members BEGIN "
    "DELETE FROM member_fts WHERE rowid = old.id; END",
    f"CREATE TRIGGER member_fts_profile_ai AFTER INSERT ON profiles BEGIN {_PROFILE_FIELDS}END",
    "CREATE TRIGGER member_fts_profile_au AFTER UPDATE OF area, hobbies ON profiles BEGIN "
    f"{_PROFILE_FIELDS}END",
    "CREATE TRIGGER member_fts_profile_ad AFTER DELETE ON profiles BEGIN "
    "UPDATE member_fts SET area = '', hobbies = '' WHERE rowid = old.member_id; END",
    # The members and profiles there before this migration.
    "INSERT INTO member_fts(rowid, nickname, area, hobbies) "
    "SELECT m.id, m.nickname, coalesce(p.area, ''), coalesce(p.hobbies, '') "
    "FROM members AS m LEFT JOIN profiles AS p ON p.member_id = m.id",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS member_fts_profile_ad",
    "DROP TRIGGER IF EXISTS member_fts_profile_au",
    "DROP TRIGGER IF EXISTS member_fts_profile_ai",
    "DROP TRIGGER IF EXISTS member_fts_ad",
    "DROP TRIGGER IF EXISTS member_fts_au",
    "DROP TRIGGER IF EXISTS member_fts_ai",
    "DROP TABLE IF EXISTS member_fts",
    "DROP TRIGGER IF EXISTS review_fts_au",
    "DROP TRIGGER IF EXISTS review_fts_ad",
    "DROP TRIGGER IF EXISTS review_fts_ai",
    "DROP TABLE IF EXISTS review_fts",
)
#: (index, table, column) of the PostgreSQL trigram indexes.
POSTGRESQL_INDEXES = (
    ("ix_reviews_title_trgm", "reviews", "title"),
    ("ix_reviews_body_trgm", "reviews", "body"),
    ("ix_members_nickname_trgm", "members", "nickname"),
    ("ix_profiles_area_trgm", "profiles", "area"),
    ("ix_profiles_hobbies_trgm", "profiles", "hobbies"),
)


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        _run(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            for name, table, column in POSTGRESQL_INDEXES
        )


def downgrade():
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(f"DROP INDEX IF EXISTS {name}" for name, _table, _column in POSTGRESQL_INDEXES)

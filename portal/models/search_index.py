"""The search index: database objects the migrations make but the models do not declare.

* SQLite: the FTS5 tables (trigram tokenizer) ``diary_fts`` and ``review_fts`` (external
  content ``diaries`` and ``reviews``) and ``member_fts`` (its own content: rowid = member id,
  the nickname and the profile's area and hobbies), their shadow tables ``<name>_*``, and the
  triggers on ``diaries``, ``reviews``, ``members`` and ``profiles`` that keep them in sync.
* PostgreSQL: the ``pg_trgm`` GIN indexes on the same columns.

They are made by raw DDL in the migrations ``a7d3c2e9f1b4`` (diaries) and ``c5d6e7f8a9b0``
(members and reviews) and read by :mod:`portal.services.search`. Alembic's autogenerate must
not see them as strays to drop: :func:`include_object` is the filter for ``migrations/env.py``
and for the schema comparison test.

On SQLite a later migration that makes Alembic rebuild one of those tables
(``batch_alter_table`` with a change SQLite cannot do in place: dropping or altering a column)
drops its triggers with the old table: such a migration must create them again and rebuild the
index (``INSERT INTO diary_fts(diary_fts) VALUES ('rebuild')``; ``member_fts`` is filled again
from ``members`` and ``profiles``).
"""

from __future__ import annotations

#: The diaries' FTS5 table; SQLite also lists its shadow tables (``diary_fts_data``...).
FTS_TABLE = "diary_fts"
#: The reviews' and the members' FTS5 tables.
REVIEW_FTS_TABLE = "review_fts"
MEMBER_FTS_TABLE = "member_fts"
FTS_TABLES = frozenset({FTS_TABLE, REVIEW_FTS_TABLE, MEMBER_FTS_TABLE})
#: The PostgreSQL trigram indexes.
TRIGRAM_INDEXES = frozenset(
    {
        "ix_diaries_title_trgm",
        "ix_diaries_body_trgm",
        "ix_reviews_title_trgm",
        "ix_reviews_body_trgm",
        "ix_members_nickname_trgm",
        "ix_profiles_area_trgm",
        "ix_profiles_hobbies_trgm",
    }
)


def is_search_index(name: str | None, type_: str) -> bool:
    """Return whether a schema object belongs to the search index (made by raw DDL)."""
    if not name:
        return False
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in FTS_TABLES)
    if type_ == "index":
        return name in TRIGRAM_INDEXES
    return False


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: leave the search index out of schema comparisons."""
    return not (reflected and compare_to is None and is_search_index(name, type_))

"""The diary search index: database objects the migrations make but the models do not declare.

* SQLite: the FTS5 table ``diary_fts`` (trigram tokenizer, external content ``diaries``), its
  shadow tables ``diary_fts_*``, and the triggers ``diary_fts_ai``/``_ad``/``_au`` on
  ``diaries`` that keep it in sync.
* PostgreSQL: the ``pg_trgm`` GIN indexes on ``diaries.title`` and ``diaries.body``.

They are made by raw DDL in the migration ``a7d3c2e9f1b4`` and read by
:mod:`portal.services.search`. Alembic's autogenerate must not see them as strays to drop:
:func:`include_object` is the filter for ``migrations/env.py`` and for the schema comparison
test.

On SQLite a later migration that makes Alembic rebuild ``diaries`` (``batch_alter_table`` with a
change SQLite cannot do in place: dropping or altering a column) drops the triggers with the old
table: such a migration must create them again and ``INSERT INTO diary_fts(diary_fts) VALUES
('rebuild')``.
"""

from __future__ import annotations

#: The FTS5 table; SQLite also lists its shadow tables (``diary_fts_data``...) as tables.
FTS_TABLE = "diary_fts"
#: The PostgreSQL trigram indexes.
TRIGRAM_INDEXES = frozenset({"ix_diaries_title_trgm", "ix_diaries_body_trgm"})


def is_search_index(name: str | None, type_: str) -> bool:
    """Return whether a schema object belongs to the search index (made by raw DDL)."""
    if not name:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    if type_ == "index":
        return name in TRIGRAM_INDEXES
    return False


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: leave the search index out of schema comparisons."""
    return not (reflected and compare_to is None and is_search_index(name, type_))

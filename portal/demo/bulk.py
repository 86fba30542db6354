"""Writing millions of generated rows fast: plain tuples straight to the database driver.

SQLAlchemy's Core ``INSERT`` builds a parameter dictionary per row and runs each value through
its type's bind processor; for the large world (8.6 million rows for 100,000 members) that was a
quarter of the seeding time. Here each table's rows are tuples in a fixed column order, sent in
chunks of :data:`CHUNK`: SQLite gets one ``executemany`` of a ``?`` statement, PostgreSQL a
``COPY ... FROM STDIN`` (psycopg's ``write_row``). Dates and times go through the same bind
processors SQLAlchemy uses (so the stored text on SQLite is the one the ORM writes), once per
distinct value (:class:`Stamps`), not once per row.

While the rows go in, the secondary indexes of the tables written (and on SQLite the full-text
triggers) are dropped, then made once from the whole table (:func:`suspended_indexes`): one
sort per index instead of one B-tree insertion per row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Date, DateTime, Table, func, select, text

from ..extensions import db

#: Rows per statement (SQLite) or per COPY (PostgreSQL).
CHUNK = 5_000
#: SQLite's page cache for the load, in KiB (negative: a size, not pages).
BULK_CACHE_KIB = 512 * 1024
#: PostgreSQL's memory for building each index again after the load.
MAINTENANCE_WORK_MEM = "256MB"


def table_of(model: type[Any]) -> Table:
    """Return a mapped class's table (``__table__`` is typed as any ``FromClause``)."""
    return cast(Table, model.__table__)


class Stamps(dict):
    """Driver values of the moments ``epoch - minutes`` (and their Japanese days), made on
    first use: ``stamps[m]`` is the stored form of the moment ``m`` minutes before the epoch."""

    def __init__(self, epoch: datetime, convert: Callable[[datetime], Any]):
        super().__init__()
        self.epoch = epoch
        self.convert = convert

    def __missing__(self, minutes: int) -> Any:
        value = self[minutes] = self.convert(self.epoch - timedelta(minutes=minutes))
        return value


class Writer:
    """Collects rows per table and writes them in chunks, parents first (foreign keys hold).

    :param progress: called with the number of rows written by each statement.
    """

    def __init__(self, progress: Callable[[int], None]):
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.progress = progress
        self.pending: dict[Table, list[tuple]] = {}
        self.columns: dict[Table, tuple[str, ...]] = {}
        self.written: dict[str, int] = {}

    def value_of(self, type_: DateTime | Date) -> Callable[[Any], Any]:
        """Return the function turning a Python value of ``type_`` into the driver's."""
        processor = type_.dialect_impl(self.dialect).bind_processor(self.dialect)
        return processor or (lambda value: value)

    def stamps(self, epoch: datetime) -> tuple[Stamps, Stamps]:
        """Return the moments' and the Japanese days' driver values, by minutes before
        ``epoch`` (a day is the date nine hours later, as footprints keep it)."""
        moment, day = self.value_of(DateTime()), self.value_of(Date())
        nine = timedelta(hours=9)
        return Stamps(epoch, moment), Stamps(epoch, lambda t: day((t + nine).date()))

    def rows(self, model: type[Any], columns: str) -> Callable[[tuple], None]:
        """Return the function that adds one row of ``model``: a tuple of ``columns``'
        values (names separated by spaces), in driver form."""
        table = table_of(model)
        self.columns[table] = tuple(columns.split())
        pending = self.pending.setdefault(table, [])

        def add(row: tuple) -> None:
            pending.append(row)
            if len(pending) >= CHUNK:
                self.flush()

        return add

    def flush(self) -> None:
        """Write every table's pending rows."""
        for table in db.metadata.sorted_tables:
            rows = self.pending.get(table)
            if rows:
                self._insert(table, self.columns[table], rows)
                self.written[table.name] = self.written.get(table.name, 0) + len(rows)
                self.progress(len(rows))
                rows.clear()

    def _insert(self, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        quote = self.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        raw = self.connection.connection
        if self.dialect.name == "postgresql":
            pg_cursor: Any = raw.cursor()  # psycopg's, with COPY
            with (
                pg_cursor,
                pg_cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        elif self.dialect.name == "sqlite":
            marks = ", ".join("?" * len(columns))
            cursor = raw.cursor()
            try:
                cursor.executemany(
                    f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
            finally:
                cursor.close()
        else:
            self.connection.execute(
                table.insert(), [dict(zip(columns, r, strict=True)) for r in rows]
            )


def bulk_load_settings() -> None:
    """On SQLite, give this connection (the seeding command's own) a large page cache and
    temporary tables in memory (the index sorts); the database file is not changed by
    either. On PostgreSQL, give this transaction's index builds more memory."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.execute(text(f"PRAGMA cache_size = -{BULK_CACHE_KIB}"))
        db.session.execute(text("PRAGMA temp_store = MEMORY"))
    elif dialect == "postgresql":
        db.session.execute(text(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'"))


#: Rows SQLite's ANALYZE reads per index (an estimate, seconds instead of minutes).
ANALYSIS_LIMIT = 1000


def analyze() -> None:
    """Give the query planner statistics of the freshly loaded tables (run after the commit).

    Without them SQLite guesses: on a 100,000-member world the home page's friends' diaries
    went through the index of every public diary of the month (630 ms) instead of the
    friends' own (0.1 ms). PostgreSQL's first plans are as poor until autovacuum analyses."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.execute(text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
        db.session.execute(text("ANALYZE"))
    elif dialect == "postgresql":
        db.session.execute(text("ANALYZE"))
    db.session.commit()


#: SQLite's full-text indexes kept by triggers on insert: (trigger, index).
_SQLITE_FTS = {"diaries": ("diary_fts_ai", "diary_fts"), "reviews": ("review_fts_ai", "review_fts")}


@contextlib.contextmanager
def suspended_indexes(tables: Iterable[str]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` (those no constraint owns) for the load and
    make them again after, from the whole table; on SQLite also suspend the full-text
    insert triggers and rebuild those indexes once. Unique and primary keys stay (they check
    the rows)."""
    tables = list(tables)
    dialect = db.session.get_bind().dialect.name
    found: list[tuple[str, str, str]]
    if dialect == "sqlite":
        triggers = {_SQLITE_FTS[t][0] for t in tables if t in _SQLITE_FTS}
        found = [
            (kind, name, sql)
            for kind, name, table, sql in db.session.execute(
                text("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")
            )
            if table in tables and (kind == "index" or name in triggers)
        ]
    elif dialect == "postgresql":
        found = [
            (kind, name, sql)
            for kind, name, sql in db.session.execute(
                text(
                    "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = ANY(:tables) AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint)"
                ),
                {"tables": tables},
            )
        ]
    else:
        found = []
    for kind, name, _ in found:
        db.session.execute(text(f"DROP {kind.upper()} {name}"))
    try:
        yield
    finally:
        for _, _, sql in found:
            db.session.execute(text(sql))
    for table in tables:
        if dialect == "sqlite" and table in _SQLITE_FTS:
            index = _SQLITE_FTS[table][1]
            db.session.execute(text(f"INSERT INTO {index}({index}) VALUES ('rebuild')"))  # noqa: S608


def next_id(model: Any) -> int:
    """The first id after those ``model``'s table holds: rows written here choose their ids."""
    return int(db.session.scalar(select(func.max(model.id))) or 0) + 1


def advance_sequences(models: Iterable[Any]) -> None:
    """On PostgreSQL, move each model's id sequence past the ids written with chosen ids."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )

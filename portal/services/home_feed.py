"""The sections of a member's home (friends' diaries, albums, reviews, community updates,
notices...) read in one statement instead of one per section.

Each section is its own service's ordered, limited ``select`` of one entity, with that
service's visibility rules: nothing here decides who may see what. :func:`read` keeps each
query's conditions, order and limit, reduces it to the rows' ids and sort key, joins the
sections with ``UNION ALL`` and loads every section's rows, with the member (or community) each
one shows, in that one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, and_, cast, func, literal_column, null, select, union_all
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db


@dataclass(frozen=True)
class Section:
    """One section of the feed."""

    #: The key of its rows in :func:`read`'s answer.
    name: str
    #: ``select(Model)`` or ``select(Model, value)``, newest first (ordered by ``sort``, then
    #: the id, both descending) and limited. With a value, the section's rows are
    #: ``(row, value)``.
    query: Select[Any]
    #: A many-to-one relationship of the rows (``Diary.author``): its row is loaded beside each
    #: one, so the page reads it without a query.
    related: Any = None
    #: The column ``query`` is ordered by (default: the model's ``created_at``).
    sort: Any = None


def _model(section: Section) -> Any:
    return section.query.column_descriptions[0]["entity"]


def _sort(section: Section) -> Any:
    """The column the section is ordered by (newest first)."""
    return _model(section).created_at if section.sort is None else section.sort


def _target(relationship: Any) -> tuple[Any, Any]:
    """The model a many-to-one relationship leads to and the column holding its id."""
    prop = relationship.property
    (column,) = prop.local_columns
    return prop.mapper.class_, column


def _value(section: Section) -> Any:
    """The query's second column (its rows' value), or ``None``."""
    described = section.query.column_descriptions
    return described[1]["expr"] if len(described) > 1 else None


def _part(number: int, section: Section) -> Select[Any]:
    """The section as ``(section, id, sort, value)`` rows, in a subquery of its own (SQLite
    takes no ORDER BY or LIMIT on a compound select's parts)."""
    value = _value(section)
    if value is None:
        value = cast(null(), Integer)
    part = section.query.with_only_columns(
        literal_column(str(number), Integer).label("section"),
        _model(section).id.label("id"),
        _sort(section).label("sort"),
        value.label("value"),
        maintain_column_froms=True,
    ).subquery(f"section_{number}")
    return select(*part.c)


def read(sections: list[Section]) -> dict[str, list]:
    """Return each section's rows, in its order: one statement for all of them."""
    feed = union_all(*(_part(n, s) for n, s in enumerate(sections))).subquery("home_feed")
    models: dict[Any, list[int]] = {}
    related: dict[Any, list[Any]] = {}
    for number, section in enumerate(sections):
        models.setdefault(_model(section), []).append(number)
        if section.related is not None:
            model, column = _target(section.related)
            columns = related.setdefault(model, [])
            if not any(column is known for known in columns):
                columns.append(column)
    stmt = select(feed.c.section, feed.c.value, *models, *related).select_from(feed)
    for model, numbers in models.items():
        stmt = stmt.outerjoin(model, and_(feed.c.section.in_(numbers), model.id == feed.c.id))
    for model, columns in related.items():
        key = columns[0] if len(columns) == 1 else func.coalesce(*columns)
        stmt = stmt.outerjoin(model, model.id == key)
    stmt = stmt.order_by(feed.c.section, feed.c.sort.desc(), feed.c.id.desc())
    found: dict[str, list] = {section.name: [] for section in sections}
    places = {model: 2 + n for n, model in enumerate([*models, *related])}
    for row in db.session.execute(stmt):
        section = sections[row[0]]
        entity = row[places[_model(section)]]
        if section.related is not None:
            # the loaded row is held by its relationship (the session's identity map is weak)
            target = row[places[_target(section.related)[0]]]
            set_committed_value(entity, section.related.key, target)
        found[section.name].append(entity if _value(section) is None else (entity, row[1]))
    return found

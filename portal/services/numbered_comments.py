"""Numbered comments on a community thing (a topic, an event): the mechanics both share.

A parent row keeps ``last_comment_number`` (numbers are never reused: 1, 2, 3... even after a
delete) and ``comment_count`` (the comments not hidden by the operators, shown in lists to
everyone). Numbers come from one ``UPDATE ... SET last_comment_number = last_comment_number + 1``
and a read of the new value in the same transaction, so two members commenting at once get
different numbers. What a viewer sees leaves out hidden comments (but for their author and
operators) and those of members who blocked the viewer.

Who may comment or delete stays with each kind (:mod:`.topics`, :mod:`.event_comments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Member
from ..models._time import utcnow
from . import ServiceError
from .communities import role_of
from .visibility import not_blocked_clause, visible_content

#: The longest comment, in characters (phone pages of comments are sized for it).
COMMENT_MAX = 500


@dataclass(frozen=True)
class Thread:
    """A kind of numbered comments: the parent model, the comment model and the comment's
    column naming its parent."""

    parent: type[Any]
    comment: type[Any]
    parent_key: str

    def _key(self):
        return getattr(self.comment, self.parent_key)

    def where(self, parent, viewer_id: int | None) -> tuple:
        """The SQL conditions selecting the comments on ``parent`` the viewer may see."""
        return (
            self._key() == parent.id,
            not_blocked_clause(viewer_id, self.comment.author_id),
            visible_content(self.comment, viewer_id),
        )

    def add(self, member: Member, parent, body: str, created_at: datetime | None = None, **also):
        """Number and store a comment by a member of the parent's community.

        :param also: further parent columns to set in the same update (``last_activity_at``).
        :raise ServiceError: for a non-member, or an empty or too long text.
        """
        body = body.strip()
        if not body:
            raise ServiceError(_l("Please write something."), "body")
        if len(body) > COMMENT_MAX:
            raise ServiceError(_l("The text is too long."), "body")
        if role_of(parent.community, member.id) is None:
            raise ServiceError(_l("Only members of the community can comment."))
        model = self.parent
        db.session.execute(
            sql_update(model)
            .where(model.id == parent.id)
            .values(
                last_comment_number=model.last_comment_number + 1,
                comment_count=model.comment_count + 1,
                **also,
            )
            .execution_options(synchronize_session=False)
        )
        number = db.session.scalar(select(model.last_comment_number).where(model.id == parent.id))
        comment = self.comment(
            author_id=member.id, number=number, body=body, created_at=created_at or utcnow()
        )
        setattr(comment, self.parent_key, parent.id)
        db.session.add(comment)
        db.session.flush()
        db.session.expire(parent, ["last_comment_number", "comment_count", *also])
        return comment

    def by_number(self, parent, number: int, viewer_id: int | None):
        """Return the comment with this number if it exists and the viewer may see it."""
        stmt = select(self.comment).where(
            *self.where(parent, viewer_id), self.comment.number == number
        )
        return db.session.scalar(stmt)

    def _count_by(self, parent_id: int, change: int) -> None:
        model = self.parent
        db.session.execute(
            sql_update(model)
            .where(model.id == parent_id)
            .values(comment_count=model.comment_count + change)
            .execution_options(synchronize_session=False)
        )

    def delete(self, parent, comment) -> None:
        """Delete a comment (callers check who may). Numbers are not reused."""
        db.session.delete(comment)
        if not comment.hidden:  # a hidden comment is not counted any more
            self._count_by(parent.id, -1)
        db.session.flush()
        db.session.expire(parent, ["comment_count"])

    def set_hidden(self, comment, hidden: bool) -> None:
        """Hide a comment (operators, after a report) or show it again, keeping the parent's
        ``comment_count`` to the comments not hidden."""
        if comment.hidden == hidden:
            return
        comment.hidden = hidden
        self._count_by(getattr(comment, self.parent_key), -1 if hidden else 1)
        db.session.flush()

    def count(self, parent, viewer_id: int | None) -> int:
        """Return how many of the comments the viewer may see."""
        stmt = select(func.count()).select_from(self.comment).where(*self.where(parent, viewer_id))
        return db.session.scalar(stmt) or 0

    def page(self, parent, viewer_id: int | None, *, offset: int, limit: int) -> list:
        """Return a page of the comments the viewer may see, in number order."""
        stmt = (
            select(self.comment)
            .where(*self.where(parent, viewer_id))
            .options(joinedload(self.comment.author))
            .order_by(self.comment.number)
            .offset(offset)
            .limit(limit)
        )
        return list(db.session.scalars(stmt))

    def latest(self, parent, viewer_id: int | None, *, limit: int) -> list:
        """Return the last ``limit`` comments the viewer may see, in number order."""
        stmt = (
            select(self.comment)
            .where(*self.where(parent, viewer_id))
            .options(joinedload(self.comment.author))
            .order_by(self.comment.number.desc())
            .limit(limit)
        )
        return list(reversed(db.session.scalars(stmt).all()))

    def latest_and_total(self, parent, viewer_id: int | None, *, limit: int) -> tuple[list, int]:
        """Return :meth:`latest` and :meth:`count` in one query (a window count per row)."""
        if limit < 1:
            return [], self.count(parent, viewer_id)
        stmt = (
            select(self.comment, func.count().over())
            .where(*self.where(parent, viewer_id))
            .options(joinedload(self.comment.author))
            .order_by(self.comment.number.desc())
            .limit(limit)
        )
        rows = db.session.execute(stmt).all()
        return [row[0] for row in reversed(rows)], (rows[0][1] if rows else 0)

"""Numbered comments: the one thread diaries, topics and events share, and the policy each kind
gives it.

A parent row (a diary, a topic, an event) keeps ``last_comment_number`` (numbers are never
reused: 1, 2, 3... even after a delete) and ``comment_count`` (the comments not hidden by the
operators, shown in lists to everyone). Numbers come from one ``UPDATE ... SET
last_comment_number = last_comment_number + 1`` and a read of the new value in the same
transaction, so two members commenting at once get different numbers. What a viewer sees
leaves out hidden comments (but for their author and operators) and, where the kind says so,
those of members who blocked the viewer.

What differs between kinds is a :class:`Policy`: who may comment and who may delete, how long
a comment may be (in characters and as shown on a phone), which parents a viewer may read,
what else moves with a new comment (a topic's activity) and what follows it (a notice to the
diary's author). Every kind has the same API, :class:`Thread`'s.
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
from ..keitai.paging import paginate
from ..models import Member
from ..models._time import utcnow
from . import NotAllowedError, ServiceError, text_limits
from ._sql import page_with_total
from .listing import Listing, listing
from .visibility import content_visible, is_blocked, not_blocked_clause, visible_content


@dataclass(frozen=True)
class Limits:
    """How long a comment may be: in characters (the rule members read) and in bytes as a phone
    shows it (escaped, with its links, line breaks and emoji as each carrier sends them), so a
    page of the longest comments fits a 5 KB page."""

    chars: int
    phone_bytes: int


class Policy:
    """The rules of one kind of comment thread; subclasses fill them in."""

    #: What the comments are called in reports and readings (``diary_comment``, ...).
    kind: str
    #: How long a comment may be.
    limits: Limits
    #: Leave out the comments of members who blocked the viewer (topics and events do; under a
    #: diary the author's block already keeps the blocked out of it).
    hides_blockers: bool = True
    #: The 403 message for a member who may not delete a comment.
    delete_refused: Any = _l("You cannot delete this comment.")

    def readable(self, parent_id: int, viewer_id: int | None) -> Any:
        """Return the parent if the viewer may read it (with its comments), else ``None``."""
        raise NotImplementedError

    def refusal(self, member_id: int, parent) -> Any:
        """Return why the member may not comment on the parent (a message), or ``None``."""
        raise NotImplementedError

    def can_comment(self, member_id: int, parent) -> bool:
        """Return whether a reader of the parent may comment (no refusal)."""
        return self.refusal(member_id, parent) is None

    def may_delete(self, member_id: int, parent, comment) -> bool:
        """Return whether the member may delete the comment (besides its author, who may)."""
        raise NotImplementedError

    def moved(self, now: datetime) -> dict[str, Any]:
        """Return further parent columns a new comment sets (in the numbering update)."""
        return {}

    def added(self, member: Member, parent, comment) -> None:
        """Do what follows a new comment (notices, the commenter's watch)."""


@dataclass(frozen=True)
class Thread:
    """A kind of numbered comments: the parent model, the comment model, the comment's column
    naming its parent and the kind's :class:`Policy`."""

    parent: type[Any]
    comment: type[Any]
    parent_key: str
    policy: Policy

    def _key(self):
        return getattr(self.comment, self.parent_key)

    def where(self, parent, viewer_id: int | None) -> tuple:
        """The SQL conditions selecting the comments on ``parent`` the viewer may see."""
        where: tuple = (self._key() == parent.id, visible_content(self.comment, viewer_id))
        if self.policy.hides_blockers:
            where += (not_blocked_clause(viewer_id, self.comment.author_id),)
        return where

    # -- writing -----------------------------------------------------------------------------

    def can_comment(self, member_id: int | None, parent) -> bool:
        """Return whether the member, a reader of the parent, may comment on it (the form is
        shown)."""
        return member_id is not None and self.policy.can_comment(member_id, parent)

    def add(self, member: Member, parent, body: str, created_at: datetime | None = None):
        """Number and store a comment, then do what the kind does after one.

        :raise ServiceError: for an empty or too long text (naming ``body``), or a member the
            policy does not let comment (told why).
        """
        body = body.strip()
        limits = self.policy.limits
        if not body:
            raise ServiceError(_l("Please write something."), "body")
        if len(body) > limits.chars:
            raise ServiceError(_l("The text is too long."), "body")
        text_limits.require_fits(body, limits.phone_bytes, "body", rich=True)
        refusal = self.policy.refusal(member.id, parent)
        if refusal is not None:
            raise ServiceError(refusal)
        now = created_at or utcnow()
        also = self.policy.moved(now)
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
        comment = self.comment(author_id=member.id, number=number, body=body, created_at=now)
        setattr(comment, self.parent_key, parent.id)
        db.session.add(comment)
        db.session.flush()
        db.session.expire(parent, ["last_comment_number", "comment_count", *also])
        self.policy.added(member, parent, comment)
        return comment

    # -- deleting and hiding -----------------------------------------------------------------

    def can_delete(self, member_id: int | None, parent, comment) -> bool:
        """Return whether the member may delete the comment: its author, or whom the policy
        names."""
        if member_id is None:
            return False
        return comment.author_id == member_id or self.policy.may_delete(member_id, parent, comment)

    def require_delete(self, member: Member, parent, comment) -> None:
        """:raise NotAllowedError: unless the member may delete the comment."""
        if not self.can_delete(member.id, parent, comment):
            raise NotAllowedError(self.policy.delete_refused)

    def delete(self, member: Member, parent, comment) -> None:
        """Delete a comment (see :meth:`can_delete`). Numbers are not reused.

        :raise NotAllowedError: for anyone else.
        """
        self.require_delete(member, parent, comment)
        db.session.delete(comment)
        if not comment.hidden:  # a hidden comment is not counted any more
            self._count_by(parent.id, -1)
        db.session.flush()
        db.session.expire(parent, ["comment_count"])

    def _count_by(self, parent_id: int, change: int) -> None:
        model = self.parent
        db.session.execute(
            sql_update(model)
            .where(model.id == parent_id)
            .values(comment_count=model.comment_count + change)
            .execution_options(synchronize_session=False)
        )

    def set_hidden(self, comment, hidden: bool) -> None:
        """Hide a comment (operators, after a report) or show it again, keeping the parent's
        ``comment_count`` to the comments not hidden (pages count what their viewer may
        see: :meth:`count`)."""
        if comment.hidden == hidden:
            return
        comment.hidden = hidden
        self._count_by(getattr(comment, self.parent_key), -1 if hidden else 1)
        db.session.flush()

    # -- reading -----------------------------------------------------------------------------

    def get_visible(self, comment_id: int, viewer_id: int | None):
        """Return the comment if the viewer may read it: its parent is readable to them, the
        operators did not hide it (for others than its author) and, where the kind hides
        them, its author did not block them. Else ``None`` (a 404)."""
        comment = db.session.get(self.comment, comment_id)
        if comment is None or not content_visible(comment, viewer_id):
            return None
        if self.policy.readable(getattr(comment, self.parent_key), viewer_id) is None:
            return None
        if self.policy.hides_blockers and viewer_id is not None:
            if is_blocked(comment.author_id, viewer_id):
                return None
        return comment

    def by_number(self, parent, number: int, viewer_id: int | None):
        """Return the comment with this number if it still exists and the viewer may see it
        (else ``None``: a 404)."""
        stmt = select(self.comment).where(
            *self.where(parent, viewer_id), self.comment.number == number
        )
        return db.session.scalar(stmt)

    def count(self, parent, viewer_id: int | None) -> int:
        """Return how many of the comments the viewer may see."""
        stmt = select(func.count()).select_from(self.comment).where(*self.where(parent, viewer_id))
        return db.session.scalar(stmt) or 0

    def _ordered(self, parent, viewer_id: int | None):
        return (
            select(self.comment)
            .where(*self.where(parent, viewer_id))
            .options(joinedload(self.comment.author))
        )

    def page(self, parent, viewer_id: int | None, *, offset: int, limit: int) -> list:
        """Return a page of the comments the viewer may see (authors loaded), in number
        order."""
        stmt = self._ordered(parent, viewer_id).order_by(self.comment.number)
        return list(db.session.scalars(stmt.offset(offset).limit(limit)))

    def page_and_total(
        self, parent, viewer_id: int | None, *, page: int, per_page: int
    ) -> tuple[list, int]:
        """Return page ``page`` of the comments the viewer may see (authors loaded), in number
        order, and how many there are in all (usually one query; see
        :func:`._sql.page_with_total`)."""
        stmt = self._ordered(parent, viewer_id).order_by(self.comment.number)
        return page_with_total(stmt, page, per_page)

    def listing_of(self, parent, viewer_id: int | None, number: int, per_page: int) -> Listing:
        """Return page ``number`` of the comments the viewer may see (:meth:`page_and_total`,
        one query within range) as a :class:`~.listing.Listing`."""
        rows, total = self.page_and_total(parent, viewer_id, page=number, per_page=per_page)
        return Listing(rows, paginate(total, number, per_page))

    def counted_listing(self, parent, viewer_id: int | None, number: int, per_page: int) -> Listing:
        """Return page ``number`` of the comments the viewer may see, counted (:meth:`count`)
        then fetched (:meth:`page`)."""
        return listing(
            self.count(parent, viewer_id),
            number,
            per_page,
            lambda offset, limit: self.page(parent, viewer_id, offset=offset, limit=limit),
        )

    def latest(self, parent, viewer_id: int | None, *, limit: int) -> list:
        """Return the last ``limit`` comments the viewer may see, in number order."""
        stmt = self._ordered(parent, viewer_id).order_by(self.comment.number.desc())
        return list(reversed(db.session.scalars(stmt.limit(limit)).all()))

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

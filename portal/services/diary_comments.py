"""Diary comments: a numbered thread (:mod:`.numbered_comments`) under each diary, deletable by
their author or the diary's, with notices to the diary's author and the followers' unread
counts.

Whoever may read a diary may comment on it, unless its author closed comments or blocked them
(told only that comments are not possible). A commenter then follows the diary's comments
(:class:`~portal.models.DiaryWatch`): home lists the diaries with comments they have not seen.
"""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Diary, DiaryComment, DiaryWatch, Member
from . import diaries, notifications
from .listing import Listing, fetched
from .notifications import N_
from .numbered_comments import Limits, Policy, Thread
from .visibility import is_blocked, visible_clause, visible_content

#: How long a comment may be, in characters and as shown on a phone: the last part of a long
#: body, a page of the longest comments (``Sizes.comments_page``) and the comment form share
#: one 5 KB page.
LIMITS = Limits(chars=200, phone_bytes=400)
BODY_MAX = LIMITS.chars
BODY_PHONE_BYTES = LIMITS.phone_bytes


class DiaryPolicy(Policy):
    """Readers of the diary comment, unless closed or blocked; its author deletes any."""

    kind = "diary_comment"
    limits = LIMITS
    hides_blockers = False

    def readable(self, parent_id: int, viewer_id: int | None) -> Diary | None:
        return diaries.get_visible(parent_id, viewer_id)

    def refusal(self, member_id: int, parent: Diary):
        if parent.comments_closed or is_blocked(parent.author_id, member_id):
            return _l("Comments are closed for this diary.")
        return None

    def can_comment(self, member_id: int, parent: Diary) -> bool:
        """Whoever reads a diary was not blocked by its author: it is open, or closed."""
        return not parent.comments_closed

    def may_delete(self, member_id: int, parent: Diary, comment: DiaryComment) -> bool:
        return member_id == parent.author_id

    def added(self, member: Member, parent: Diary, comment: DiaryComment) -> None:
        """The commenter follows the diary's comments (seen up to their own); its author, when
        someone else, gets a notice."""
        watch = db.session.get(DiaryWatch, (member.id, parent.id))
        if watch is None:
            db.session.add(
                DiaryWatch(member_id=member.id, diary_id=parent.id, seen_number=comment.number)
            )
        else:
            watch.seen_number = comment.number
        db.session.flush()
        if parent.author_id != member.id:
            notifications.queue(
                parent.author,
                "comment",
                subject=N_("New comment on your diary"),
                lines=(N_("%(name)s commented on your diary “%(title)s”."),),
                link=("diaries.show", {"id": parent.id}),
                name=member.nickname,
                title=parent.title,
            )


THREAD = Thread(Diary, DiaryComment, "diary_id", DiaryPolicy())


def mark_read(watch: DiaryWatch | None, diary: Diary) -> None:
    """Record that a follower (whose ``watch`` of the diary is given, ``None`` for one who does
    not follow it) has seen its comments so far."""
    if watch is not None and watch.seen_number < diary.last_comment_number:
        watch.seen_number = diary.last_comment_number


def unread(member: Member, limit: int) -> list[tuple[Diary, int]]:
    """Return diaries with comments the member has not seen (own, or commented on), with
    how many are new; only diaries the member can still read."""
    return [(diary, n) for diary, n in db.session.execute(unread_query(member, limit))]


def unread_query(member: Member, limit: int):
    """The ``select(Diary, new count)`` of :func:`unread`, latest first (home's feed)."""
    new = Diary.last_comment_number - DiaryWatch.seen_number
    return (
        select(Diary, new)
        .join(DiaryWatch, DiaryWatch.diary_id == Diary.id)
        .where(
            DiaryWatch.member_id == member.id,
            new > 0,
            visible_clause(member.id, Diary.author_id, Diary.visibility),
            visible_content(Diary, member.id),
        )
        .order_by(Diary.updated_at.desc(), Diary.id.desc())
        .limit(limit)
    )


def written_by(member: Member, *, offset: int, limit: int) -> tuple[list[DiaryComment], int]:
    """Return the member's own comments, newest first, on diaries they can still read."""
    where = (
        DiaryComment.author_id == member.id,
        visible_clause(member.id, Diary.author_id, Diary.visibility),
        visible_content(Diary, member.id),
    )
    base = select(DiaryComment).join(Diary, Diary.id == DiaryComment.diary_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(DiaryComment.created_at.desc(), DiaryComment.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


def written_page(member: Member, number: int, per_page: int) -> Listing[DiaryComment]:
    """Return page ``number`` of the member's own comments (:func:`written_by`)."""
    return fetched(number, per_page, partial(written_by, member))

"""Diary comments: numbered, deletable by their author or the diary's, and unread notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Diary, DiaryComment, DiaryWatch, Member
from . import ServiceError, notifications, text_limits
from ._sql import page_with_total
from .notifications import N_
from .visibility import is_blocked, visible_clause, visible_content

#: How long a comment may be, in characters and as shown on a phone: the last part of a long
#: body, a page of the longest comments (``Sizes.comments_page``) and the comment form share
#: one 5 KB page.
BODY_MAX = 200
BODY_PHONE_BYTES = 400


def add(member: Member, diary: Diary, body: str) -> DiaryComment:
    """Comment on a diary the member can read; the commenter then follows its comments.

    The number is taken with a row update on the diary, so two comments at once get 1 and 2.

    :raise ServiceError: when comments are closed, the text is empty or too long, or the
        author blocked the member (told only that comments are not possible).
    """
    body = body.strip()
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    if len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), "body")
    text_limits.require_fits(body, BODY_PHONE_BYTES, "body", rich=True)
    if diary.comments_closed or is_blocked(diary.author_id, member.id):
        raise ServiceError(_l("Comments are closed for this diary."))
    db.session.execute(
        update(Diary)
        .where(Diary.id == diary.id)
        .values(
            last_comment_number=Diary.last_comment_number + 1, comment_count=Diary.comment_count + 1
        )
    )
    number = db.session.scalars(select(Diary.last_comment_number).where(Diary.id == diary.id)).one()
    comment = DiaryComment(diary_id=diary.id, author_id=member.id, number=number, body=body)
    db.session.add(comment)
    watch = db.session.get(DiaryWatch, (member.id, diary.id))
    if watch is None:
        db.session.add(DiaryWatch(member_id=member.id, diary_id=diary.id, seen_number=number))
    else:
        watch.seen_number = number
    db.session.flush()
    db.session.refresh(diary)
    if diary.author_id != member.id:
        notifications.queue(
            diary.author,
            "comment",
            subject=N_("New comment on your diary"),
            lines=(N_("%(name)s commented on your diary “%(title)s”."),),
            link=("diaries.show", {"id": diary.id}),
            name=member.nickname,
            title=diary.title,
        )
    return comment


def get_visible(comment_id: int, viewer_id: int | None) -> DiaryComment | None:
    """Return the comment if it exists and the viewer may read it and its diary (else
    ``None``)."""
    stmt = (
        select(DiaryComment)
        .join(Diary, Diary.id == DiaryComment.diary_id)
        .where(
            DiaryComment.id == comment_id,
            visible_clause(viewer_id, Diary.author_id, Diary.visibility),
            visible_content(Diary, viewer_id),
            visible_content(DiaryComment, viewer_id),
        )
    )
    return db.session.scalar(stmt)


def can_delete(member: Member, comment: DiaryComment, diary: Diary | None = None) -> bool:
    """Return whether ``member`` may delete the comment (its author or the diary's)."""
    diary = diary or db.session.get_one(Diary, comment.diary_id)
    return member.id in (comment.author_id, diary.author_id)


def delete(member: Member, comment: DiaryComment) -> None:
    """Delete a comment: its author or the diary's author may. Numbers are not reused."""
    diary = db.session.get_one(Diary, comment.diary_id)
    if not can_delete(member, comment, diary):
        raise ServiceError(_l("You cannot delete this comment."))
    db.session.delete(comment)
    if not comment.hidden:  # a hidden comment is not counted any more
        diary.comment_count = max(0, diary.comment_count - 1)
    db.session.flush()


def set_hidden(comment: DiaryComment, hidden: bool) -> None:
    """Hide a comment (operators, after a report) or show it again.

    The diary's ``comment_count``, shown in lists to everyone, counts the comments that are
    not hidden; the diary page counts what its viewer may see (:func:`count_of`).
    """
    if comment.hidden == hidden:
        return
    comment.hidden = hidden
    db.session.execute(
        update(Diary)
        .where(Diary.id == comment.diary_id)
        .values(comment_count=Diary.comment_count + (-1 if hidden else 1))
    )
    db.session.flush()


def _page_where(diary: Diary, viewer_id: int | None):
    return DiaryComment.diary_id == diary.id, visible_content(DiaryComment, viewer_id)


def count_of(diary: Diary, viewer_id: int | None) -> int:
    """Return how many of the diary's comments the viewer may read."""
    stmt = select(func.count()).select_from(DiaryComment).where(*_page_where(diary, viewer_id))
    return db.session.scalar(stmt) or 0


def page_of(diary: Diary, viewer_id: int | None, *, offset: int, limit: int) -> list[DiaryComment]:
    """Return a page of the diary's comments the viewer may read, in number order."""
    stmt = (
        select(DiaryComment)
        .where(*_page_where(diary, viewer_id))
        .order_by(DiaryComment.number)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def page_and_total(
    diary: Diary, viewer_id: int | None, *, page: int, per_page: int
) -> tuple[list[DiaryComment], int]:
    """Return a page of the diary's comments the viewer may read (authors loaded), in number
    order, and how many there are in all (usually one query; see
    :func:`._sql.page_with_total`)."""
    stmt = (
        select(DiaryComment)
        .where(*_page_where(diary, viewer_id))
        .options(joinedload(DiaryComment.author))
        .order_by(DiaryComment.number)
    )
    return page_with_total(stmt, page, per_page)


def mark_read(watch: DiaryWatch | None, diary: Diary) -> None:
    """Record that a follower (whose ``watch`` of the diary is given, ``None`` for one who does
    not follow it) has seen its comments so far."""
    if watch is not None and watch.seen_number < diary.last_comment_number:
        watch.seen_number = diary.last_comment_number


def mark_seen(member: Member | None, diary: Diary) -> None:
    """Record that a follower has seen the diary's comments so far."""
    if member is None:
        return
    watch = db.session.get(DiaryWatch, (member.id, diary.id))
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

"""The comment part of pages, for every numbered thread (diaries, topics, events): small view
models the ``comments`` macros of both trees render, and the comment routes of topics and
events (one factory: their pages, posting and deleting are built alike).

The services decide who may comment and delete (:class:`portal.services.numbered_comments.
Thread`); a view model carries their answers (``can_comment``, each comment's ``delete_url``
and ``report_url``), so the templates only draw them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.comments import CommunityCommentForm
from ..keitai.paging import Page, paginate
from ..models import Member
from ..rendering import render, sizes
from ..services import ServiceError
from ..services.numbered_comments import Thread
from ._learner import readings_of
from ._parts import LAST, number, or_404


@dataclass(frozen=True)
class CommentView:
    """One comment as its viewer sees it: what it says, and what they may do with it (a link
    to delete it, to report it: ``None`` when they may not)."""

    id: int
    number: int
    author: Member
    created_at: datetime
    body: str
    hidden: bool
    delete_url: str | None
    report_url: str | None
    #: The body's readings for learners (``None``: the body as it is).
    reading: Any = None


@dataclass(frozen=True)
class ThreadView:
    """The comment part of a page: the comments shown, how many the viewer may see, whether
    they may comment, and the form posting to ``post_endpoint`` (with ``post_values``)."""

    comments: list[CommentView]
    total: int
    can_comment: bool
    form: Any
    post_endpoint: str
    post_values: dict[str, Any] = field(default_factory=dict)
    paging: Page | None = None
    #: Where all the comments are, for a page showing the latest.
    list_url: str | None = None
    #: Whether the page shows the comments (a body's last part does), or only their number.
    shown: bool = True

    @property
    def more(self) -> bool:
        """Whether there are more comments than those shown."""
        return self.total > len(self.comments)


def comment_views(
    thread: Thread,
    parent,
    rows: Iterable,
    delete_url: Callable[[Any], str],
    readings=None,
) -> list[CommentView]:
    """Return view models of the comments ``rows`` on ``parent`` for the current member.

    :param delete_url: builds a comment's delete URL (shown where they may delete it).
    :param readings: the page's readings, when learners get furigana on the comments.
    """
    me, kind = current_user.id, thread.policy.kind
    return [
        CommentView(
            id=c.id,
            number=c.number,
            author=c.author,
            created_at=c.created_at,
            body=c.body,
            hidden=c.hidden,
            delete_url=delete_url(c) if thread.can_delete(me, parent, c) else None,
            report_url=None if c.author_id == me else url_for("reports.new", type=kind, id=c.id),
            reading=readings.get(kind, c.id) if readings is not None else None,
        )
        for c in rows
    ]


def comment_readings(thread: Thread, rows: Iterable):
    """Return the stored readings of the comments (learner mode)."""
    return readings_of(*((thread.policy.kind, c) for c in rows))


def comment_routes(
    bp: Blueprint,
    thread: Thread,
    *,
    path: str,
    show_endpoint: str,
    readings: bool = False,
) -> Callable[[Any, bool], ThreadView]:
    """Add a community thread's comment routes to ``bp``, for parents at ``path`` (e.g.
    ``/topics/<int:id>``):

    - ``GET <path>/comments`` (``comments``): the comments a page at a time, with the form;
    - ``POST <path>/comments`` (``comment``): post one, then show the last page;
    - ``GET|POST <path>/comments/<int:n>/delete`` (``delete_comment``): ask, then delete.

    :param show_endpoint: the parent's page. A parent the member may not read (the policy's
        ``readable``) is a 404.
    :param readings: give learners furigana on the comment pages.
    :return: a function giving the comment part of the parent's own page (the latest
        comments with its body's last part).
    """
    name = bp.name

    def readable(parent_id: int):
        return or_404(thread.policy.readable(parent_id, current_user.id))

    def delete_url(parent):
        return lambda c: url_for(f"{name}.delete_comment", id=parent.id, n=c.number)

    def recent(parent, last_part: bool) -> ThreadView:
        me = current_user.id
        limit = sizes().topic_recent_comments if last_part else 0
        rows, total = thread.latest_and_total(parent, me, limit=limit)
        found = comment_readings(thread, rows) if readings and rows else None
        return ThreadView(
            comments=comment_views(thread, parent, rows, delete_url(parent), found),
            total=total,
            can_comment=thread.can_comment(me, parent),
            form=CommunityCommentForm(formdata=None),
            post_endpoint=f"{name}.comment",
            post_values={"id": parent.id},
            list_url=url_for(f"{name}.comments", id=parent.id),
            shown=last_part,
        )

    def page(parent, *, page_number=None, form=None, error=None, status: int = 200):
        me = current_user.id
        shown = thread.counted_listing(
            parent, me, page_number or number(), sizes().topic_comments_page
        )
        rows, paging = shown.items, shown.paging
        found = comment_readings(thread, rows) if readings else None
        view = ThreadView(
            comments=comment_views(thread, parent, rows, delete_url(parent), found),
            total=paging.total,
            can_comment=thread.can_comment(me, parent),
            form=form or CommunityCommentForm(formdata=None),
            post_endpoint=f"{name}.comment",
            post_values={"id": parent.id},
            paging=paging,
        )
        return render(
            "comments/page.html",
            status=status,
            parent=parent,
            community=parent.community,
            parent_url=url_for(show_endpoint, id=parent.id),
            list_endpoint=f"{name}.comments",
            thread=view,
            error=error,
        )

    @login_required
    def comments(id: int):
        """List the comments in number order, a page at a time, with the comment form."""
        return page(readable(id))

    @login_required
    def comment(id: int):
        """Post a comment; then show the last page of comments, where the new one is."""
        parent = readable(id)
        form = CommunityCommentForm()
        if not form.validate_on_submit():
            return page(parent, page_number=LAST, form=form, status=400)
        try:
            added = thread.add(current_user, parent, form.body.data)
        except ServiceError as exc:
            return page(parent, page_number=LAST, form=form, error=exc.message, status=400)
        flash(_("Your comment was posted."))
        total = thread.count(parent, current_user.id)
        last = paginate(total, LAST, sizes().topic_comments_page)
        return redirect(
            url_for(f"{name}.comments", id=parent.id, page=last.page, _anchor=f"c{added.number}")
        )

    @login_required
    def delete_comment(id: int, n: int):
        """Ask (GET, for phones), then delete a comment (whom the thread's policy lets)."""
        parent = readable(id)
        found = or_404(thread.by_number(parent, n, current_user.id))
        if request.method == "GET":
            thread.require_delete(current_user, parent, found)
            return render(
                "comments/delete.html",
                parent=parent,
                comment=found,
                delete_endpoint=f"{name}.delete_comment",
                list_endpoint=f"{name}.comments",
            )
        thread.delete(current_user, parent, found)
        flash(_("The comment was deleted."))
        return redirect(url_for(f"{name}.comments", id=parent.id, page=LAST))

    bp.add_url_rule(f"{path}/comments", view_func=comments)
    bp.add_url_rule(f"{path}/comments", view_func=comment, methods=["POST"])
    bp.add_url_rule(
        f"{path}/comments/<int:n>/delete", view_func=delete_comment, methods=["GET", "POST"]
    )
    return recent

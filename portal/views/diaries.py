"""日記: writing, reading (in parts on phones), editing and deleting diaries; comments; photos.

A diary the viewer may not read answers the same 404 as one that does not exist, on its page,
its photos and its comments. Reading a diary leaves a footprint on its author.

Long bodies are cut into parts by :func:`portal.rendering.text_parts` (one part on PCs): the
page shows one part (``?part=N``); the photos come with the first part and the comments, a page
at a time (``?page=N``), with the last. Editing follows the same parts, so a phone edits a long
entry one part at a time.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import page_cache
from ..forms import refusal
from ..forms.comments import CommentForm
from ..forms.diaries import DiaryEditForm, DiaryForm
from ..forms.social import VISIBILITY_LABELS
from ..keitai.paging import paginate
from ..models import Diary, DiaryComment, Member
from ..navigation import page_of
from ..rendering import render, sizes
from ..services import ServiceError, diaries, diary_comments, footprints, photos, profiles
from ..services.diary_comments import THREAD
from ._comments import ThreadView, comment_readings, comment_views
from ._learner import body_parts
from ._loads import loads
from ._parts import LAST, edit_in_parts, number
from ._parts import month as month_arg
from ._revisits import revisit

bp = Blueprint("diaries", __name__)


def _require_author(diary: Diary) -> None:
    """Refuse (403) a readable diary that is someone else's."""
    if diary.author_id != current_user.id:
        abort(403)


# -- writing -----------------------------------------------------------------------------------


@bp.route("/diaries/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a diary; on PCs with up to three photos. A bad photo saves nothing."""
    form = DiaryForm(data={"visibility": current_user.diary_visibility})
    if form.validate_on_submit():
        try:
            diary = diaries.create(
                current_user,
                title=form.title.data,
                body=form.body.data,
                visibility=form.visibility.data,
            )
            uploads = form.uploads()
            if uploads:
                photos.attach(current_user, diary, uploads)
        except ServiceError as exc:
            # 400: the request's work (the diary row included) is rolled back.
            return render("diaries/new.html", status=400, form=form, error=refusal(form, exc))
        flash(_("Your diary was posted."))
        return redirect(url_for("diaries.show", id=diary.id))
    return render("diaries/new.html", form=form, error=None)


# -- reading -----------------------------------------------------------------------------------


@bp.route("/diaries/<int:id>")
@page_cache.cached("diary", on_hit=revisit)
@login_required
@loads("reading", diaries.open_visible)
def show(reading: diaries.Reading):
    """Show a diary (one part of a long body) and leave a footprint on its author (from the
    page cache while nothing changed)."""
    diary = reading.diary
    page_cache.note(visitor=footprints.Visitor.of(current_user), visited=diary.author_id)
    # Readable means its author did not block us (the visibility policy says so).
    footprints.record_visit(
        current_user, diary.author_id, unblocked=True, recent=reading.footprint_recent
    )
    diary_comments.mark_read(reading.watch, diary)
    return _diary_page(diary)


def _diary_page(
    diary: Diary,
    *,
    part_number: int | None = None,
    comment_form: CommentForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    me = current_user
    page_of(diary.author_id)
    parts, found = body_parts("diary", diary)
    part = paginate(len(parts), part_number or number("part"), 1)
    older, newer = diaries.neighbours(diary, me.id)
    thread = None
    if part.page == part.pages:  # the comments come with the last part
        thread = _thread(diary, comment_form)
        comment_total = thread.total
    else:
        comment_total = THREAD.count(diary, me.id)
    return render(
        "diaries/show.html",
        status=status,
        diary=diary,
        is_author=diary.author_id == me.id,
        body_text=parts[part.page - 1],
        part=part,
        photos=photos.photos_of(diary) if part.page == 1 else [],
        older=older,
        newer=newer,
        thread=thread,
        comment_total=comment_total,
        visibility_labels=VISIBILITY_LABELS,
        error=error,
        readings=found,
    )


def _thread(diary: Diary, form: CommentForm | None) -> ThreadView:
    """Return the requested page of the diary's comments, with the form."""
    me, per_page = current_user.id, sizes().comments_page
    shown = THREAD.listing_of(diary, me, number(), per_page)
    rows, total = shown.items, shown.paging.total
    return ThreadView(
        comments=comment_views(THREAD, diary, rows, _delete_url, comment_readings(THREAD, rows)),
        total=total,
        can_comment=THREAD.can_comment(me, diary),
        form=form or CommentForm(formdata=None),
        post_endpoint="diaries.comment",
        post_values={"id": diary.id},
        paging=shown.paging,
    )


def _delete_url(comment) -> str:
    return url_for("diaries.delete_comment", id=comment.id)


def _years(months: list[tuple[int, int, int]]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Group the month index ``(year, month, count)`` by year, newest first."""
    years: dict[int, list[tuple[int, int]]] = {}
    for year, month, count in months:
        years.setdefault(year, []).append((month, count))
    return list(years.items())


@bp.route("/users/<int:id>/diaries")
@login_required
@loads("member", profiles.unblocked_member)
def list_of(member: Member):
    """List a member's diaries the viewer may read, newest first, with a month index."""
    month = month_arg()
    per_page = sizes().diaries_page
    found, paging = diaries.list_page(member, current_user.id, month, number(), per_page)
    years = _years(found.months)
    shown = [year for year, _months in years]
    limit = sizes().diary_index_years
    if limit is not None and years:
        start = next((i for i, y in enumerate(shown) if month and y == month[0]), 0)
        shown = shown[start : start + limit]
    return render(
        "diaries/list.html",
        member=member,
        is_self=member.id == current_user.id,
        diaries=found.diaries,
        total=found.total,
        paging=paging,
        month=month,
        years=years,
        shown_years=shown,
        visibility_labels=VISIBILITY_LABELS,
    )


# -- editing and deleting ------------------------------------------------------------------


@bp.route("/diaries/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("diary", diaries.get_visible)
def edit(diary: Diary):
    """Edit a diary (its author only); a long body one part at a time on phones."""
    _require_author(diary)

    def save(form, body, part):
        diaries.update(
            current_user,
            diary,
            title=form.title.data,
            body=body,
            visibility=form.visibility.data,
            comments_closed=form.comments_closed.data,
        )
        flash(_("Your diary was saved."))
        return redirect(url_for("diaries.show", id=diary.id, part=part.page))

    return edit_in_parts(
        DiaryEditForm,
        body_parts("diary", diary)[0],
        {
            "title": diary.title,
            "visibility": diary.visibility,
            "comments_closed": diary.comments_closed,
        },
        "body",
        save,
        "diaries/edit.html",
        changed=_("This diary was changed in the meantime. Please make your change again."),
        invalid_status=200,
        diary=diary,
        shown=lambda: {"photo_count": len(photos.photos_of(diary))},
    )


@bp.route("/diaries/<int:id>/delete", methods=["POST"])
@login_required
@loads("diary", diaries.get_visible)
def delete(diary: Diary):
    """Delete a diary with its comments and photos (its author only)."""
    _require_author(diary)
    diaries.delete(current_user, diary)
    flash(_("The diary was deleted."))
    return redirect(url_for("diaries.list_of", id=current_user.id))


# -- comments --------------------------------------------------------------------------------


@bp.route("/diaries/<int:id>/comments", methods=["POST"])
@login_required
@loads("diary", diaries.get_visible)
def comment(diary: Diary):
    """Comment on a diary; then show the last page of comments, where the new one is."""
    form = CommentForm()
    if form.validate_on_submit():
        try:
            added = THREAD.add(current_user, diary, form.body.data)
        except ServiceError as exc:
            return _diary_page(
                diary, part_number=LAST, comment_form=form, error=exc.message, status=400
            )
        flash(_("Your comment was posted."))
        return redirect(
            url_for(
                "diaries.show",
                id=diary.id,
                part=len(body_parts("diary", diary)[0]),
                page=paginate(
                    THREAD.count(diary, current_user.id), LAST, sizes().comments_page
                ).page,
                _anchor=f"c{added.number}",
            )
        )
    return _diary_page(diary, part_number=LAST, comment_form=form)


@bp.route("/comments/<int:id>/delete", methods=["GET", "POST"])
@login_required
@loads("comment", THREAD.get_visible)
def delete_comment(comment: DiaryComment):
    """Ask (GET, phones), then delete a comment: its author or the diary's may."""
    diary = comment.diary
    if request.method == "GET":
        THREAD.require_delete(current_user, diary, comment)
        return render("diaries/delete_comment.html", comment=comment, diary=diary)
    THREAD.delete(current_user, diary, comment)
    flash(_("The comment was deleted."))
    last_part = len(body_parts("diary", diary)[0])
    return redirect(url_for("diaries.show", id=diary.id, part=last_part, _anchor="comments"))


@bp.route("/comments/mine")
@login_required
def my_comments():
    """List the comments I wrote, newest first, on diaries I can still read."""
    page = diary_comments.written_page(current_user, number(), sizes().my_comments_page)
    return render(
        "diaries/my_comments.html",
        comments=page.items,
        total=page.paging.total,
        paging=page.paging,
    )

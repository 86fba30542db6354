"""Reviews (レビュー): a member's reviews, one review, and writing, editing and deleting mine.

Reviews of a member who blocked the viewer are missing for them (404), as that member is.
Links in reviews lead off-site only through the jump page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.reviews import ReviewForm, stars
from ..keitai.paging import paginate
from ..models import Member, Review
from ..models.review import ReviewCategory
from ..rendering import render, sizes, text_parts
from ..services import ServiceError, profiles, reviews
from ._loads import MEMBER, loads
from ._parts import number

bp = Blueprint("reviews", __name__)


@bp.app_template_filter("stars")
def _stars(rating: int) -> str:
    """``{{ review.rating|stars }}`` -> ``★★★☆☆``."""
    return stars(rating)


@bp.app_context_processor
def _labels() -> dict:
    return {"review_categories": ReviewCategory.labels()}


@bp.route("/users/<int:id>/reviews")
@login_required
@loads("member", profiles.unblocked_member)
def of_member(member: Member):
    """List a member's reviews, newest first (404 if missing or blocking me)."""
    me = current_user
    shown = reviews.page_of(member, me.id, number(), sizes().reviews_page)
    return render(
        "reviews/list.html",
        member=member,
        is_self=member.id == me.id,
        reviews=shown.items,
        paging=shown.paging,
    )


@bp.route("/reviews/<int:id>")
@login_required
@loads("review", reviews.get_visible)
def show(review: Review):
    """Read a review (its text in parts on phones)."""
    parts = text_parts(review.body)
    part = paginate(len(parts), number("part"), 1)
    return render(
        "reviews/show.html",
        review=review,
        body=parts[part.page - 1],
        part=part,
        is_author=review.author_id == current_user.id,
    )


def _fields(form: ReviewForm) -> dict:
    return {name: form[name].data for name in ("title", "category", "rating", "url", "body")}


@bp.route("/reviews/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a review."""
    return _form_page(ReviewForm(), None)


@bp.route("/reviews/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("review", reviews.own_review, viewer=MEMBER)
def edit(review: Review):
    """Edit my review."""
    start = {name: getattr(review, name) for name in ("title", "category", "url", "body")}
    return _form_page(ReviewForm(data={**start, "rating": str(review.rating)}), review)


def _form_page(form: ReviewForm, review: Review | None):
    """The review form: a new review (``review`` is ``None``) or mine; saved when it is
    valid and the service takes it, else shown again with what it says."""
    if form.validate_on_submit():
        try:
            if review is None:
                saved = reviews.create(current_user, **_fields(form))
            else:
                saved = review
                reviews.update(current_user, review, **_fields(form))
        except ServiceError as exc:
            refusal(form, exc, default="body")
        else:
            flash(_("Your review was saved."))
            return redirect(url_for("reviews.show", id=saved.id))
    return render("reviews/form.html", form=form, review=review)


@bp.route("/reviews/<int:id>/delete", methods=["POST"])
@login_required
@loads("review", reviews.own_review, viewer=MEMBER)
def delete(review: Review):
    """Delete my review."""
    reviews.delete(current_user, review)
    flash(_("The review was deleted."))
    return redirect(url_for("reviews.of_member", id=current_user.id))

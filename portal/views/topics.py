"""トピック: a community's topics, reading them (a long body in parts on phones) with their
numbered comments, starting, editing and deleting them, and commenting.

A topic the viewer may not read (members-only community, or its author blocked them) answers
the same 404 as one that does not exist. The body's parts come one per page (``?part=N``);
the last part shows the latest comments (none on phones, where a full body part leaves no
room) and the comments have their own pages (``/topics/<id>/comments?page=N``) with the form.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import page_cache
from ..forms import refusal
from ..forms.community import NewTopicForm, TopicForm
from ..keitai.paging import paginate
from ..models import Community, Topic
from ..rendering import render, sizes
from ..services import NotAllowedError, ServiceError, communities, photos, topic_comments, topics
from ._comments import comment_routes
from ._deletion import ask_deletion
from ._learner import body_parts
from ._loads import ALONE, loads
from ._parts import edit_in_parts, number

bp = Blueprint("topics", __name__)


#: ``/topics/<id>/comments`` (a page at a time, posting) and ``.../comments/<n>/delete``.
recent_comments = comment_routes(
    bp,
    topic_comments.THREAD,
    path="/topics/<int:id>",
    show_endpoint="topics.show",
    readings=True,
)


@bp.route("/communities/<int:id>/topics")
@login_required
@loads("community", communities.readable)
def list_of(community: Community):
    """List a community's topics, latest activity first."""
    page = topics.page_of(community, current_user.id, number(), sizes().topics_page)
    return render(
        "topics/list.html",
        community=community,
        rows=page.items,
        paging=page.paging,
        can_start=communities.can_start_topics(community, current_user.id),
    )


@bp.route("/communities/<int:id>/topics/new", methods=["GET", "POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def new(community: Community):
    """Start a topic (members, or only the admin and sub-admins, as the community says)."""
    communities.require_start(community, current_user)
    form = NewTopicForm()
    if form.validate_on_submit():
        try:
            topic = topics.create(
                current_user, community, title=form.title.data, body=form.body.data
            )
            uploads = form.uploads()
            if uploads:
                photos.attach_to_topic(current_user, topic, uploads)
        except NotAllowedError:
            raise  # the 403 page (views/errors.py)
        except ServiceError as exc:
            return render(
                "topics/new.html",
                community=community,
                form=form,
                error=refusal(form, exc),
                status=400,
            )
        flash(_("Your topic was posted."))
        return redirect(url_for("topics.show", id=topic.id))
    status = 400 if request.method == "POST" else 200
    return render("topics/new.html", community=community, form=form, error=None, status=status)


@bp.route("/topics/<int:id>")
@page_cache.cached("topic")
@login_required
@loads("topic", topics.open_visible)
def show(topic: Topic):
    """Show a topic (one part of a long body) and, with the last part, its comments (from
    the page cache while nothing changed)."""
    return _topic_page(topic)


def _topic_page(topic: Topic):
    me = current_user
    parts, found = body_parts("topic", topic)
    part = paginate(len(parts), number("part"), 1)
    return render(
        "topics/show.html",
        topic=topic,
        community=topic.community,
        can_change=topics.can_change(me.id, topic),
        body_text=parts[part.page - 1],
        part=part,
        photos=photos.photos_of(topic) if part.page == 1 else [],
        thread=recent_comments(topic, part.page == part.pages),
        readings=found,
    )


# -- editing and deleting ----------------------------------------------------------------------


@bp.route("/topics/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("topic", topics.get_visible)
def edit(topic: Topic):
    """Edit a topic (its author, the admin and sub-admins); a long body part by part on
    phones."""
    topics.require_change(current_user, topic)

    def save(form, body, part):
        topics.update(current_user, topic, title=form.title.data, body=body)
        flash(_("The topic was saved."))
        return redirect(url_for("topics.show", id=topic.id, part=part.page))

    return edit_in_parts(
        TopicForm,
        body_parts("topic", topic)[0],
        {"title": topic.title},
        "body",
        save,
        "topics/edit.html",
        topic=topic,
        shown=lambda: {"photo_count": len(photos.photos_of(topic))},
    )


@bp.route("/topics/<int:id>/delete", methods=["GET", "POST"])
@login_required
@loads("topic", topics.get_visible)
def delete(topic: Topic):
    """Ask, then delete a topic with its comments (its author, the admin and sub-admins)."""
    community_id = topic.community_id
    if request.method == "GET":
        topics.require_change(current_user, topic)
        return ask_deletion(
            topic,
            "topics.delete",
            label=_("Delete this topic"),
            question=_("Delete this topic with its comments? This cannot be undone."),
            back="topics.show",
        )
    topics.delete(current_user, topic)
    flash(_("The topic was deleted."))
    return redirect(url_for("topics.list_of", id=community_id))

"""Photos: sending them, and the photo pages of a diary, a topic and a community.

A photo page lists what hangs there with a delete link each and, on PCs and the phones that can
send files, a form to add more; phones that cannot upload still see and delete their photos.
A photo the viewer may not see answers the same 404 as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.photos import PhotoUploadForm
from ..models import Photo
from ..navigation import page_of
from ..rendering import render
from ..services import (
    NotAllowedError,
    ServiceError,
    communities,
    diaries,
    photo_pages,
    photos,
    profile_photos,
    topics,
)
from . import albums
from ._loads import loads
from ._parts import or_404

bp = Blueprint("photos", __name__)


@bp.route("/photos/none")
def no_photo():
    """Send the neutral "no photo" picture (``?size=sq76|sq180``; phones get a small one in
    their format). It shows nothing of anyone, so anyone may fetch it and keep it a day."""
    image = profile_photos.no_photo(request.args.get("size", ""), g.device)
    response = Response(image.data, mimetype=image.mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/photos/<int:id>")
@login_required
@loads("found", photos.visible_photo)
def photo(found: Photo):
    """Send a photo's bytes (``?size=thumb|pc|original``; phones get their own copy) to a
    viewer who may read what it is attached to; a photo of an album asked for without
    ``size`` gets its page instead (``/photos/<id>``: the picture, caption, previous, next)."""
    if found.album_id is not None and "size" not in request.args:
        return albums.photo_page(found)  # an album photo's own page (the URL map)
    variant = photos.variant_for(found, request.args.get("size", "pc"), g.device)
    response = Response(variant.data, mimetype=variant.mimetype)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


#: Where a photo page's "back" leads, by what the photo belongs to.
_BACK = {
    "diary": "diaries.show",
    "topic": "topics.show",
    "profile": "members.profile",
    "community": "communities.show",
}


@bp.route("/photos/<int:id>/view")
@login_required
@loads("page", photo_pages.page_of)
def view(page: photo_pages.PhotoPage):
    """A photo's page: the photo, its caption and owner, previous and next, the way back (a
    photo the viewer may not see: the same 404 as one that does not exist)."""
    if page.photo.album_id is not None:  # an album photo's page is its album's (/photos/<id>)
        return redirect(url_for("photos.photo", id=page.photo.id))
    page_of(page.photo.owner_id)
    if page.kind in _BACK:
        back = url_for(_BACK[page.kind], id=page.place_id)
    else:
        back = url_for("home.index")
    return render(
        "photos/view.html",
        page=page,
        back=back,
        may_delete=photos.may_change(current_user.id, page.photo),
    )


@dataclass(frozen=True)
class _Place:
    """A diary, topic or community as its photo page shows it."""

    holder: photos.Holder
    #: What the photos hang on, as the page names it.
    name: str
    #: The photo page's endpoint and values; where "back" leads.
    endpoint: str
    back: str
    #: Store the uploads (raises ServiceError, NotAllowedError).
    attach: Callable[[list[bytes]], object]

    @property
    def url(self) -> str:
        return url_for(self.endpoint, id=self.holder.id)


def _diary_place(diary_id: int) -> _Place:
    diary = or_404(diaries.get_visible(diary_id, current_user.id))
    if diary.author_id != current_user.id:
        abort(403)
    return _Place(
        photos.holder_of_diary(diary),
        diary.title,
        "photos.of_diary",
        url_for("diaries.edit", id=diary.id),
        lambda uploads: photos.attach(current_user, diary, uploads),
    )


def _topic_place(topic_id: int) -> _Place:
    topic = or_404(topics.get_visible(topic_id, current_user.id))
    topics.require_change(current_user, topic)
    return _Place(
        photos.holder_of_topic(topic),
        topic.title,
        "photos.of_topic",
        url_for("topics.edit", id=topic.id),
        lambda uploads: photos.attach_to_topic(current_user, topic, uploads),
    )


def _community_place(community_id: int) -> _Place:
    community = or_404(communities.get(community_id))
    communities.require_manager(community, current_user)
    return _Place(
        photos.holder_of_community(community),
        community.name,
        "photos.of_community",
        url_for("communities.show", id=community.id),
        lambda uploads: photos.set_community_image(current_user, community, uploads[0]),
    )


@bp.route("/diaries/<int:id>/photos", methods=["GET", "POST"])
@login_required
def of_diary(id: int):
    """A diary's photos (its author only): see, add, delete."""
    return _photo_page(lambda: _diary_place(id))


@bp.route("/topics/<int:id>/photos", methods=["GET", "POST"])
@login_required
def of_topic(id: int):
    """A topic's photos (its author, the admin and sub-admins)."""
    return _photo_page(lambda: _topic_place(id))


@bp.route("/communities/<int:id>/image", methods=["GET", "POST"])
@login_required
def of_community(id: int):
    """A community's image (the admin and sub-admins): one, replaced by a new upload."""
    return _photo_page(lambda: _community_place(id))


def _photo_page(find: Callable[[], _Place]):
    place = find()
    form = PhotoUploadForm()
    error, status = None, 200
    if request.method == "POST":
        uploads = form.uploads() if form.validate_on_submit() else []
        if not uploads:
            error, status = _("Please choose a photo."), 400
        else:
            try:
                place.attach(uploads[: place.holder.most])
            except NotAllowedError:
                raise  # the 403 page (views/errors.py)
            except ServiceError as exc:
                # 400: the request's work is rolled back; the photos before stay.
                error, status = exc.message, 400
            else:
                flash(_("The photo was saved."))
                return redirect(place.url)
    shown = photos.photos_of(place.holder)
    return _render_page(place, form, shown, error, status)


def _render_page(
    place: _Place, form: PhotoUploadForm, shown: list[Photo], error: str | None, status: int
):
    replaces = place.holder.column == "community_id"
    return render(
        "photos/manage.html",
        status=status,
        place=place,
        form=form,
        photos=shown,
        room=replaces or len(shown) < place.holder.most,
        replaces=replaces,
        error=error,
    )


@bp.route("/photos/<int:id>/delete", methods=["GET", "POST"])
@login_required
@loads("found", photos.visible_photo)
def delete(found: Photo):
    """Ask (GET), then delete a photo: whoever may change what it hangs on."""
    if not photos.may_change(current_user.id, found):
        abort(403)
    back = _page_of(found)
    if request.method == "GET":
        return render("photos/delete.html", photo=found, back=back)
    photos.remove(current_user, found)
    flash(_("The photo was deleted."))
    return redirect(back)


def _page_of(photo: Photo) -> str:
    """Return the URL of the photo page the photo belongs to."""
    if photo.diary_id is not None:
        return url_for("photos.of_diary", id=photo.diary_id)
    if photo.topic_id is not None:
        return url_for("photos.of_topic", id=photo.topic_id)
    if photo.profile_member_id is not None:
        return url_for("profile_photos.index")
    if photo.album_id is not None:
        return url_for("albums.show", id=photo.album_id)
    return url_for("photos.of_community", id=photo.community_id)

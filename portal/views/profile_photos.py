"""My profile photos (/settings/photos): up to three, one the main photo; add, replace, delete,
choose the main one, and who sees them. PCs and the phones that can send files upload here;
other phones see, choose and delete theirs, and send new ones by e-mail.

Every member also has one stable avatar URL, ``/users/<id>/avatar?s=40|76|180``, that pages put
in their lists without looking anything up: it answers the main photo the viewer may see or the
neutral picture, with a validator (ETag) so a browser revalidates instead of fetching again."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.photos import PhotoUploadForm, ProfilePhotoVisibilityForm
from ..rendering import render
from ..services import ServiceError, mail_post, profile_photos

bp = Blueprint("profile_photos", __name__)


def _page(form=None, error: str | None = None, status: int = 200):
    me = current_user
    shown = profile_photos.photos_of(me)
    visibility = ProfilePhotoVisibilityForm(
        formdata=None, data={"photo_visibility": profile_photos.visibility_of(me)}
    )
    return render(
        "settings/photos.html",
        status=status,
        photos=shown,
        form=form or PhotoUploadForm(formdata=None),
        visibility_form=visibility,
        room=len(shown) < profile_photos.MOST,
        most=profile_photos.MOST,
        mail_enabled=mail_post.domain() is not None,
        mail_address=mail_post.photo_address_of(me),
        error=error,
    )


def _done(message: str):
    flash(message)
    return redirect(url_for("profile_photos.index"))


@bp.route("/settings/photos", methods=["GET", "POST"])
@login_required
def index():
    """See my profile photos; POST adds the files chosen."""
    if request.method == "GET":
        return _page()
    return _upload(
        lambda uploads: profile_photos.add(current_user, uploads), _("The photo was saved.")
    )


@bp.route("/settings/photos/<int:id>/replace", methods=["POST"])
@login_required
def replace(id: int):
    """Put a new picture in place of one of my photos (it keeps its place)."""
    return _upload(
        lambda uploads: profile_photos.replace(current_user, id, uploads[0]),
        _("The photo was replaced."),
    )


def _upload(save, done: str):
    """Store the files chosen (``save(uploads)``); none chosen or refused: the page again."""
    form = PhotoUploadForm()
    uploads = form.uploads() if form.validate_on_submit() else []
    if not uploads:
        return _page(form, _("Please choose a photo."), 400)
    try:
        save(uploads)
    except profile_photos.NotYoursError:
        return _page(form, _("This is not one of your profile photos."), 404)
    except ServiceError as exc:
        return _page(form, exc.message, 400)
    return _done(done)


@bp.route("/settings/photos/<int:id>/main", methods=["POST"])
@login_required
def make_main(id: int):
    """Make one of my photos the main one (the CSRF token is checked for every POST)."""
    try:
        profile_photos.make_main(current_user, id)
    except profile_photos.NotYoursError as exc:
        return _page(error=exc.message, status=404)
    return _done(_("The main photo was changed."))


@bp.route("/settings/photos/visibility", methods=["POST"])
@login_required
def visibility():
    """Choose who sees my profile photos."""
    form = ProfilePhotoVisibilityForm()
    if not form.validate_on_submit():
        return _page(error=_("Please choose from the list."), status=400)
    try:
        profile_photos.set_visibility(current_user, form.photo_visibility.data)
    except ServiceError as exc:
        return _page(error=exc.message, status=400)
    return _done(_("Your setting was saved."))


@bp.route("/users/<int:id>/avatar")
def avatar(id: int):
    """A member's avatar as the viewer may see it (``?s=40|76|180``). ``no-cache``: a browser
    keeps it but asks again each time (a 304 when nothing changed), so a photo hidden or a
    block made since is never shown from a cache."""
    viewer = current_user.id if current_user.is_authenticated else None
    found = profile_photos.avatar(viewer, id, request.args.get("s", ""), g.device)
    if found.etag in request.if_none_match:
        response = Response(status=304)
    else:
        data, mimetype = found.image(g.device)
        response = Response(data, mimetype=mimetype)
    response.set_etag(found.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "User-Agent"))
    return response

"""Photo albums (フォトアルバム): lists, the album page (its photos a page at a time), making,
editing and deleting albums, adding photos (PCs and phones that can send files; by mail through
the album's posting address), and an album photo's own page (``/photos/<id>``).

An album or photo the viewer may not see answers the same 404 as one that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.albums import AlbumForm, AlbumPhotoForm, CaptionForm
from ..forms.social import VISIBILITY_LABELS
from ..models import Album, Photo
from ..rendering import render, sizes
from ..services import ServiceError, album_mail, albums, profiles
from ._loads import loads
from ._parts import number, or_404

bp = Blueprint("albums", __name__)


def _album_or_404(album_id: int | None) -> Album:
    album = or_404(None if album_id is None else albums.get_visible(album_id, current_user.id))
    return album


def _require_owner(album: Album) -> None:
    """Refuse (403) a visible album that is someone else's (one the viewer may not see was
    the 404 of a missing one already)."""
    if album.owner_id != current_user.id:
        abort(403)


# -- lists --------------------------------------------------------------------------------------


@bp.route("/albums")
@login_required
def index():
    """My albums, newest first, with a link to make one."""
    return _list_page(current_user)


@bp.route("/users/<int:id>/albums")
@login_required
def of_member(id: int):
    """A member's albums the viewer may see (404 for a missing member or one blocking us)."""
    member = profiles.member_or_none(id)
    if member is None or profiles.view_profile(member, current_user.id).blocked:
        abort(404)
    return _list_page(member)


def _list_page(owner):
    viewer = current_user.id
    page = albums.page_of(owner, viewer, number(), sizes().albums_page)
    shown, paging = page.items, page.paging
    return render(
        "albums/index.html",
        owner=owner,
        is_self=owner.id == viewer,
        albums=shown,
        covers=albums.covers(shown),
        counts=albums.photo_counts(a.id for a in shown),
        paging=paging,
        visibility_labels=VISIBILITY_LABELS,
    )


# -- making, editing, deleting -----------------------------------------------------------------


def _fields(form: AlbumForm) -> dict[str, str]:
    """The album's fields as the form sent them (the service checks them)."""
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "visibility": form.visibility.data,
    }


@bp.route("/albums/new", methods=["GET", "POST"])
@login_required
def new():
    """Make an album (title, description, who can see it)."""
    form = AlbumForm()
    if request.method == "GET":
        form.visibility.data = current_user.diary_visibility or "public"
    return _form_page(form, None)


@bp.route("/albums/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("album", albums.get_visible)
def edit(album: Album):
    """Change an album's title, description and visibility (its owner)."""
    _require_owner(album)
    return _form_page(AlbumForm(obj=album) if request.method == "GET" else AlbumForm(), album)


def _form_page(form: AlbumForm, album: Album | None):
    """The album form: a new album (``album`` is ``None``) or mine; a POST is saved when it
    is valid and the service takes it, else shown again with what it says."""
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            if album is None:
                saved = albums.create(current_user, **_fields(form))
                notice = _("The album was made. Add photos to it.")
            else:
                saved = album
                albums.update_album(current_user, album, **_fields(form))
                notice = _("The album was saved.")
        except ServiceError as exc:
            error = refusal(form, exc)
        else:
            flash(notice)
            return redirect(url_for("albums.show", id=saved.id))
    return render("albums/form.html", form=form, album=album, error=error)


@bp.route("/albums/<int:id>/delete", methods=["GET", "POST"])
@login_required
@loads("album", albums.get_visible)
def delete(album: Album):
    """Ask (GET), then delete an album with all its photos (its owner)."""
    _require_owner(album)
    if request.method == "GET":
        return render("albums/delete.html", album=album, count=albums.photo_count(album))
    albums.delete(current_user, album)
    flash(_("The album was deleted."))
    return redirect(url_for("albums.index"))


# -- the album page and adding photos ----------------------------------------------------------


@bp.route("/albums/<int:id>")
@login_required
@loads("album", albums.get_visible)
def show(album: Album):
    """An album: its description, cover and a page of its photos with their captions."""
    return _album_page(album, AlbumPhotoForm(formdata=None))


def _album_page(album: Album, form: AlbumPhotoForm, error=None, status: int = 200):
    page = albums.photos_page(album, number(), sizes().album_photos_page)
    is_owner = album.owner_id == current_user.id
    return render(
        "albums/show.html",
        status=status,
        album=album,
        is_owner=is_owner,
        photos=page.items,
        cover=albums.covers([album]).get(album.id),
        paging=page.paging,
        form=form,
        mail_address=album_mail.address_of(album) if is_owner else None,
        mail_on=album_mail.enabled(),
        visibility_labels=VISIBILITY_LABELS,
        error=error,
    )


@bp.route("/albums/<int:id>/photos", methods=["POST"])
@login_required
@loads("album", albums.get_visible)
def add_photos(album: Album):
    """Add photos (with one caption) to my album, from a PC or a phone that can send files."""
    _require_owner(album)
    form = AlbumPhotoForm()
    uploads = form.uploads() if form.validate_on_submit() else []
    if form.errors and not uploads:
        return _album_page(album, form, status=400)
    if not uploads:
        return _album_page(album, form, error=_("Please choose a photo."), status=400)
    try:
        added = albums.add_photos(current_user, album, uploads, form.caption.data or "")
    except ServiceError as exc:
        # 400: the request's work is rolled back; the album stays as it was.
        return _album_page(album, form, error=refusal(form, exc), status=400)
    flash(ngettext("%(num)s photo was added.", "%(num)s photos were added.", len(added)))
    last = -(-albums.photo_count(album) // sizes().album_photos_page)
    return redirect(url_for("albums.show", id=album.id, page=last))


@bp.route("/albums/<int:id>/mail-address", methods=["POST"])
@login_required
@loads("album", albums.get_visible)
def renew_address(album: Album):
    """Give my album a new posting address (the old one stops working)."""
    _require_owner(album)
    try:
        album_mail.renew(album)
    except ServiceError as exc:
        return _album_page(album, AlbumPhotoForm(formdata=None), error=exc.message, status=400)
    flash(_("The album has a new posting address."))
    return redirect(url_for("albums.show", id=album.id))


# -- an album photo's page ---------------------------------------------------------------------


def photo_page(photo: Photo, form: CaptionForm | None = None, error=None, status: int = 200):
    """The page of a photo in an album (``/photos/<id>`` without ``size``): the picture, its
    caption, the album, previous and next; its owner changes the caption or the cover."""
    album = _album_or_404(photo.album_id)
    prev_id, next_id, place = albums.neighbours(photo)
    return render(
        "albums/photo.html",
        status=status,
        photo=photo,
        album=album,
        is_owner=album.owner_id == current_user.id,
        is_cover=albums.covers([album]).get(album.id) == photo.id,
        prev_id=prev_id,
        next_id=next_id,
        place=place,
        total=albums.photo_count(album),
        album_page=-(-place // sizes().album_photos_page),
        form=form or CaptionForm(formdata=None, data={"caption": photo.caption or ""}),
        error=error,
    )


@bp.route("/photos/<int:id>/caption", methods=["POST"])
@login_required
@loads("photo", albums.visible_photo)
def caption(photo: Photo):
    """Change the caption of a photo of my album."""
    form = CaptionForm()
    if not form.validate_on_submit():
        return photo_page(photo, form, status=400)
    try:
        albums.set_caption(current_user, photo, form.caption.data or "")
    except albums.NotYourAlbumError:
        abort(403)
    except ServiceError as exc:
        return photo_page(photo, form, error=refusal(form, exc), status=400)
    flash(_("The caption was saved."))
    return redirect(url_for("photos.photo", id=photo.id))


@bp.route("/photos/<int:id>/cover", methods=["POST"])
@login_required
@loads("photo", albums.visible_photo)
def cover(photo: Photo):
    """Make a photo of my album its cover."""
    try:
        albums.set_cover(current_user, photo)
    except albums.NotYourAlbumError:
        abort(403)
    flash(_("This photo is now the album's cover."))
    return redirect(url_for("photos.photo", id=photo.id))

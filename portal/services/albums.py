"""Photo albums (フォトアルバム): a member's albums, each with a title, a description, one of the
four visibility levels (as diaries), a cover and captioned photos.

Who may see an album, its photos and their URLs is its visibility (:func:`visible_albums`, the
one rule, also used by :func:`.photos.visible_photo`); blocks and the operators' rules hold as
for diaries. Only the owner changes an album. How many albums a member keeps, and how many
photos one holds, is the plan's (:mod:`.limits`); photo storage is shared with the rest.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Album, Member, Photo
from ..models._time import utcnow
from ..models.profile import VISIBILITIES
from . import ServiceError, text_limits
from . import photos as photo_service
from .limits import limits_for
from .listing import Listing, listing
from .visibility import can_see, friend_ids, visible_clause

TITLE_MAX = 100
DESCRIPTION_MAX = 500
CAPTION_MAX = 100
#: The most bytes each may take as shown on a phone (an album's page shows its description
#: and a page of captions within 5 KB: ``Sizes.album_photos_page``).
TITLE_PHONE_BYTES = 200
DESCRIPTION_PHONE_BYTES = 1000
CAPTION_PHONE_BYTES = 200


class NotYourAlbumError(ServiceError):
    """Only the album's owner may change it."""


def _check(title: str, description: str, visibility: str) -> tuple[str, str]:
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ServiceError(_l("Please give the album a title."), "title")
    if len(title) > TITLE_MAX:
        raise ServiceError(
            _ln(
                "The title is too long (at most %(num)s character).",
                "The title is too long (at most %(num)s characters).",
                TITLE_MAX,
            ),
            "title",
        )
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(
            _ln(
                "The description is too long (at most %(num)s character).",
                "The description is too long (at most %(num)s characters).",
                DESCRIPTION_MAX,
            ),
            "description",
        )
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    text_limits.require_fits(description, DESCRIPTION_PHONE_BYTES, "description", rich=True)
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Please choose from the list."), "visibility")
    return title, description


def _own(member: Member, album: Album) -> None:
    if album.owner_id != member.id:
        raise NotYourAlbumError(_l("Only the owner can change this album."))


def count_of(member: Member) -> int:
    """Return how many albums ``member`` has."""
    stmt = select(func.count()).select_from(Album).where(Album.owner_id == member.id)
    return db.session.scalar(stmt) or 0


def create(member: Member, *, title: str, description: str, visibility: str) -> Album:
    """Make an album, within the plan's number of albums.

    :raise ServiceError: for a missing or too long title, a too long description, an unknown
        visibility, or when the member has as many albums as the plan allows.
    """
    title, description = _check(title, description, visibility)
    most = limits_for(member).albums
    if count_of(member) >= most:
        raise ServiceError(
            _ln(
                "Your plan allows %(num)s album. Delete one first.",
                "Your plan allows %(num)s albums. Delete one first.",
                most,
            )
        )
    album = Album(owner_id=member.id, title=title, description=description, visibility=visibility)
    db.session.add(album)
    db.session.flush()
    return album


def update_album(
    member: Member, album: Album, *, title: str, description: str, visibility: str
) -> None:
    """Change an album's title, description and visibility (its owner only)."""
    _own(member, album)
    album.title, album.description = _check(title, description, visibility)
    album.visibility = visibility
    album.updated_at = utcnow()
    db.session.flush()


def delete(member: Member, album: Album) -> None:
    """Delete an album with its photos (its owner only); their storage is freed."""
    _own(member, album)
    for photo in db.session.scalars(select(Photo).where(Photo.album_id == album.id)):
        db.session.delete(photo)
    db.session.delete(album)
    db.session.flush()


def visible_albums(viewer_id: int | None):
    """Return a ``select(Album)`` limited to what the viewer may see (visibility, blocks)."""
    return select(Album).where(visible_clause(viewer_id, Album.owner_id, Album.visibility))


def get_visible(album_id: int, viewer_id: int | None) -> Album | None:
    """Return the album if it exists and the viewer may see it (else ``None``: a 404)."""
    return db.session.scalar(visible_albums(viewer_id).where(Album.id == album_id))


def visible_photo(photo_id: int, viewer_id: int | None) -> Photo | None:
    """Return a photo of an album the viewer may see (else ``None``: a 404, for a photo of
    anything else too)."""
    photo = photo_service.visible_photo(photo_id, viewer_id)
    return photo if photo is not None and photo.album_id is not None else None


def may_see(album: Album, viewer_id: int | None) -> bool:
    """Return whether the viewer may see this (loaded) album."""
    return can_see(viewer_id, album.owner_id, album.visibility)


def list_of(
    owner: Member, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> list[Album]:
    """Return the owner's albums the viewer may see, newest first (a page of them)."""
    stmt = (
        visible_albums(viewer_id)
        .where(Album.owner_id == owner.id)
        .order_by(Album.created_at.desc(), Album.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def count_visible(owner: Member, viewer_id: int | None) -> int:
    """Return how many of the owner's albums the viewer may see."""
    stmt = (
        select(func.count())
        .select_from(Album)
        .where(
            Album.owner_id == owner.id,
            visible_clause(viewer_id, Album.owner_id, Album.visibility),
        )
    )
    return db.session.scalar(stmt) or 0


def page_of(owner: Member, viewer_id: int | None, number: object, per_page: int) -> Listing[Album]:
    """Return page ``number`` of the owner's albums the viewer may see, newest first."""
    return listing(
        count_visible(owner, viewer_id), number, per_page, partial(list_of, owner, viewer_id)
    )


def friends_newest(member: Member, limit: int, *, days: int = 30) -> list[Album]:
    """Return friends' albums made in the last ``days`` that ``member`` may see, newest first
    (home); each knows its ``owner``."""
    stmt = friends_newest_query(member, limit, days=days).options(joinedload(Album.owner))
    return list(db.session.scalars(stmt))


def friends_newest_query(member: Member, limit: int, *, days: int = 30):
    """The ``select(Album)`` of :func:`friends_newest`, newest first (home's feed)."""
    return (
        visible_albums(member.id)
        .where(
            Album.owner_id.in_(friend_ids(member.id)),
            Album.created_at >= utcnow() - timedelta(days=days),
        )
        .order_by(Album.created_at.desc(), Album.id.desc())
        .limit(limit)
    )


# -- photos of an album -------------------------------------------------------------------------


def photo_count(album: Album) -> int:
    stmt = select(func.count()).select_from(Photo).where(Photo.album_id == album.id)
    return db.session.scalar(stmt) or 0


def photo_counts(album_ids) -> dict[int, int]:
    """Return ``{album id: number of photos}`` for a page of albums (one query)."""
    ids = list(album_ids)
    if not ids:
        return {}
    stmt = (
        select(Photo.album_id, func.count()).where(Photo.album_id.in_(ids)).group_by(Photo.album_id)
    )
    return {album_id: n for album_id, n in db.session.execute(stmt) if album_id is not None}


def photos_in(album: Album, *, offset: int = 0, limit: int | None = None) -> list[Photo]:
    """Return a page of the album's photos, in order."""
    stmt = (
        select(Photo)
        .where(Photo.album_id == album.id)
        .order_by(Photo.position, Photo.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def photos_page(album: Album, number: object, per_page: int) -> Listing[Photo]:
    """Return page ``number`` of the album's photos, in order."""
    return listing(photo_count(album), number, per_page, partial(photos_in, album))


def covers(albums: list[Album]) -> dict[int, int]:
    """Return ``{album id: cover photo id}`` for albums with photos: the chosen cover while it
    is still in the album, else the first photo (two queries for a page of albums)."""
    ids = [a.id for a in albums]
    if not ids:
        return {}
    chosen = {a.cover_photo_id: a.id for a in albums if a.cover_photo_id is not None}
    found: dict[int, int] = {}
    if chosen:
        stmt = select(Photo.id, Photo.album_id).where(Photo.id.in_(list(chosen)))
        for photo_id, album_id in db.session.execute(stmt):
            if album_id is not None and chosen.get(photo_id) == album_id:
                found[album_id] = photo_id
    rest = [i for i in ids if i not in found]
    if rest:
        first = (
            select(Photo.album_id, func.min(Photo.id))
            .where(Photo.album_id.in_(rest), Photo.position == 1)
            .group_by(Photo.album_id)
        )
        found.update(
            (album_id, photo_id)
            for album_id, photo_id in db.session.execute(first)
            if album_id is not None
        )
    return found


def add_photos(member: Member, album: Album, uploads: list[bytes], caption: str = "") -> list:
    """Add uploaded pictures to the end of an album (its owner only), each checked and
    sanitized as every photo is, within the plan's photos per album and storage.

    :raise ServiceError: for a bad file, too many photos, storage full, or a long caption.
    """
    _own(member, album)
    caption = _caption(caption)
    existing = photo_count(album)
    most = limits_for(member).photos_per_album
    if existing + len(uploads) > most:
        raise ServiceError(
            _ln(
                "An album can have at most %(num)s photo.",
                "An album can have at most %(num)s photos.",
                most,
            ),
            "photos",
        )
    last = db.session.scalar(
        select(func.coalesce(func.max(Photo.position), 0)).where(Photo.album_id == album.id)
    )
    holder = photo_service.Holder("album_id", album.id, most)
    stored = photo_service.store_checked(
        member, holder, photo_service.checked(uploads), start=(last or 0) + 1
    )
    for photo in stored:
        photo.caption = caption or None
    album.updated_at = utcnow()
    db.session.flush()
    return stored


def _caption(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > CAPTION_MAX:
        raise ServiceError(
            _ln(
                "The caption is too long (at most %(num)s character).",
                "The caption is too long (at most %(num)s characters).",
                CAPTION_MAX,
            ),
            "caption",
        )
    text_limits.require_fits(text, CAPTION_PHONE_BYTES, "caption")
    return text


def set_caption(member: Member, photo: Photo, caption: str) -> None:
    """Change an album photo's caption (the album's owner only)."""
    album = db.session.get(Album, photo.album_id) if photo.album_id else None
    if album is None:
        raise NotYourAlbumError(_l("Only the owner can change this album."))
    _own(member, album)
    photo.caption = _caption(caption) or None
    db.session.flush()


def set_cover(member: Member, photo: Photo) -> None:
    """Make an album photo its album's cover (the album's owner only)."""
    album = db.session.get(Album, photo.album_id) if photo.album_id else None
    if album is None:
        raise NotYourAlbumError(_l("Only the owner can change this album."))
    _own(member, album)
    album.cover_photo_id = photo.id
    db.session.flush()


def neighbours(photo: Photo) -> tuple[int | None, int | None, int]:
    """Return the previous and next photo ids in the photo's album and its place (from 1)."""
    in_album = Photo.album_id == photo.album_id
    before = (Photo.position < photo.position) | (
        (Photo.position == photo.position) & (Photo.id < photo.id)
    )
    after = (Photo.position > photo.position) | (
        (Photo.position == photo.position) & (Photo.id > photo.id)
    )
    prev_id = db.session.scalar(
        select(Photo.id)
        .where(in_album, before)
        .order_by(Photo.position.desc(), Photo.id.desc())
        .limit(1)
    )
    next_id = db.session.scalar(
        select(Photo.id).where(in_album, after).order_by(Photo.position, Photo.id).limit(1)
    )
    place = (db.session.scalar(select(func.count()).where(in_album, before)) or 0) + 1
    return prev_id, next_id, place


def renumber(album_id: int) -> None:
    """Number an album's photos 1, 2, ... again (after one is removed)."""
    rows = db.session.scalars(
        select(Photo.id).where(Photo.album_id == album_id).order_by(Photo.position, Photo.id)
    ).all()
    for position, photo_id in enumerate(rows, start=1):
        db.session.execute(update(Photo).where(Photo.id == photo_id).values(position=position))

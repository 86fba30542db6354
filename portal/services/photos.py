"""Photos: upload (sanitized, EXIF gone), phone and PC copies, and who may fetch them.

A photo hangs on one :class:`Holder`: a diary (three at most), a community topic (three), a
community (its image), a member's profile (three; :mod:`.profile_photos`) or an album
(:mod:`.albums`). Who may add or
remove photos is the rule of what they hang on (a diary's author; a topic's author, admin and
sub-admins; a community's admin and sub-admins; the profile's member); who may see one is who
may read it, on every page and on the photo's own URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from PIL import Image, ImageOps
from sqlalchemy import func, select

from ..extensions import db
from ..keitai import Device
from ..keitai.image_rules import image_bounds, image_budget, image_format
from ..keitai.image_uploads import ImageError, ImageLimits, load_upload
from ..keitai.images import EncodedImage, for_device, sanitized_original
from ..models import Album, Community, Diary, Member, Photo, PhotoVariant, Profile, Topic
from ..models.profile import FIELD_DEFAULTS
from . import NotAllowedError, ServiceError, communities, topics
from ._sql import insert_or_ignore
from .limits import limits_for
from .visibility import can_see, content_visible

PHOTOS_PER_DIARY = 3
PHOTOS_PER_TOPIC = 3
PHOTOS_PER_PROFILE = 3
PC_WIDTH = 640
THUMB_WIDTH = 160
#: Square copies kept of profile photos (avatars), by variant name: their side in pixels.
SQUARES = {"sq76": 76, "sq180": 180}
#: The side of the small copy phones get of a profile photo (``?size=thumb``).
PHONE_THUMB_SIDE = 48
#: The variants a PC may ask for by ``?size=``.
PC_VARIANTS = ("thumb", "pc", "original", *SQUARES)

_MESSAGES = {
    "too_large_bytes": _ln(
        "The photo is too large (at most %(num)s MB).",
        "The photo is too large (at most %(num)s MB).",
        8,
    ),
    "too_many_pixels": _l("The photo has too many pixels. Please make it smaller."),
    "not_an_image": _l("This file is not a photo we can read (JPEG, PNG, GIF or WebP)."),
    "unsupported_format": _l("This file is not a photo we can read (JPEG, PNG, GIF or WebP)."),
}


_TOO_MANY = {
    "diary_id": lambda n: _ln(
        "A diary can have at most %(num)s photo.", "A diary can have at most %(num)s photos.", n
    ),
    "topic_id": lambda n: _ln(
        "A topic can have at most %(num)s photo.", "A topic can have at most %(num)s photos.", n
    ),
    "community_id": lambda n: _l("A community has one image."),
    "profile_member_id": lambda n: _ln(
        "A profile can have at most %(num)s photo.", "A profile can have at most %(num)s photos.", n
    ),
}


def limits() -> ImageLimits:
    """Return the upload limits (``PHOTO_MAX_BYTES``, ``PHOTO_MAX_PIXELS``)."""
    cfg = current_app.config
    return ImageLimits(max_upload_bytes=cfg["PHOTO_MAX_BYTES"], max_pixels=cfg["PHOTO_MAX_PIXELS"])


def _store(photo: Photo, variant: str, encoded: EncodedImage) -> int:
    db.session.add(
        PhotoVariant(
            photo_id=photo.id, variant=variant, mimetype=encoded.mimetype, data=encoded.data
        )
    )
    return len(encoded.data)


def used_bytes(member: Member) -> int:
    """Return the photo storage ``member`` uses."""
    stmt = select(func.coalesce(func.sum(Photo.stored_bytes), 0)).where(Photo.owner_id == member.id)
    return db.session.scalar(stmt) or 0


class NotYoursError(NotAllowedError):
    """The member may not change the photos of this diary, topic or community."""


@dataclass(frozen=True, slots=True)
class Holder:
    """What photos hang on: a diary, a topic, or a community (its one image).

    :param column: the :class:`~portal.models.Photo` column naming it.
    :param id: its id.
    :param most: how many photos it may have.
    """

    column: str
    id: int
    most: int

    def where(self):
        """The SQL condition selecting this holder's photos."""
        return getattr(Photo, self.column) == self.id


def holder_of_diary(diary: Diary) -> Holder:
    return Holder("diary_id", diary.id, PHOTOS_PER_DIARY)


def holder_of_topic(topic: Topic) -> Holder:
    return Holder("topic_id", topic.id, PHOTOS_PER_TOPIC)


def holder_of_community(community: Community) -> Holder:
    return Holder("community_id", community.id, 1)


def _may_change(member_id: int | None, photo: Photo) -> bool:
    """Return whether the member may remove the photo: a diary's author; a topic's author or
    its community's admin and sub-admins; a community image's admin and sub-admins."""
    if member_id is None:
        return False
    if photo.diary_id is not None:
        return db.session.get_one(Diary, photo.diary_id).author_id == member_id
    if photo.topic_id is not None:
        return topics.can_change(member_id, db.session.get_one(Topic, photo.topic_id))
    if photo.community_id is not None:
        community = db.session.get_one(Community, photo.community_id)
        return communities.role_of(community, member_id) in communities.MANAGING
    if photo.profile_member_id is not None:
        return photo.profile_member_id == member_id
    return photo.owner_id == member_id


def attach(member: Member, diary: Diary, uploads: list[bytes]) -> list[Photo]:
    """Attach uploaded pictures to a diary (its author only, at most three in all).

    Every upload is checked before anything is stored, so a bad file leaves the diary as it was.

    :raise ServiceError: with a clear reason for a file that is too large, has too many pixels
        or is not a picture, for more than three photos, or over the plan's storage.
    """
    if diary.author_id != member.id:
        raise NotYoursError(_l("Only the author can change this diary."))
    return _attach(member, holder_of_diary(diary), uploads)


def attach_to_topic(member: Member, topic: Topic, uploads: list[bytes]) -> list[Photo]:
    """Attach pictures to a topic (its author, the admin and sub-admins; three at most).

    :raise NotAllowedError: for anyone else.
    :raise ServiceError: as :func:`attach`.
    """
    topics.require_change(member, topic)
    return _attach(member, holder_of_topic(topic), uploads)


def set_community_image(member: Member, community: Community, data: bytes) -> Photo:
    """Make a picture the community's image, replacing the one before (admin, sub-admins).

    :raise NotAllowedError: for anyone else.
    :raise ServiceError: as :func:`attach`; the old image then stays.
    """
    communities.require_manager(community, member)
    holder = holder_of_community(community)
    image = _checked([data])[0]
    old = list(db.session.scalars(select(Photo).where(holder.where())))
    freed = sum(p.stored_bytes for p in old if p.owner_id == member.id)
    # The new one is stored first, so it never takes the old one's id (SQLite may reuse the
    # highest id once it is deleted): the old URL stops answering.
    new = _store_all(member, holder, [image], freed=freed)[0]
    for photo in old:
        db.session.delete(photo)
    db.session.flush()
    return new


def remove(member: Member, photo: Photo) -> None:
    """Remove a photo; the others of its diary or topic move up to close the gap.

    :raise NotYoursError: unless the member may change what the photo is attached to.
    """
    if not _may_change(member.id, photo):
        raise NotYoursError(_l("Only the author can change this."))
    holder = _holder_row(photo)
    db.session.delete(photo)
    db.session.flush()
    if holder is not None:
        rest = db.session.scalars(select(Photo).where(holder).order_by(Photo.position))
        for position, other in enumerate(rest, start=1):
            other.position = position
        db.session.flush()


def _holder_row(photo: Photo):
    for column in ("diary_id", "topic_id", "profile_member_id", "album_id"):
        value = getattr(photo, column)
        if value is not None:
            return getattr(Photo, column) == value
    return None


def may_change(member_id: int | None, photo: Photo) -> bool:
    """Return whether the member may remove this photo (for showing the button)."""
    return _may_change(member_id, photo)


def _checked(uploads: list[bytes]) -> list[Image.Image]:
    images = []
    for data in uploads:
        try:
            images.append(load_upload(data, limits()))
        except ImageError as exc:
            raise ServiceError(_MESSAGES[exc.reason], "photos") from exc
    return images


def add_to(member: Member, holder: Holder, uploads: list[bytes]) -> list[Photo]:
    """Add checked uploads after the holder's photos, within its most (for callers that
    decided who may, such as :mod:`.profile_photos`).

    :raise ServiceError: as :func:`attach`.
    """
    return _attach(member, holder, uploads)


def _attach(member: Member, holder: Holder, uploads: list[bytes]) -> list[Photo]:
    existing = db.session.scalar(select(func.count()).where(holder.where())) or 0
    if existing + len(uploads) > holder.most:
        raise ServiceError(_TOO_MANY[holder.column](n=holder.most), "photos")
    return _store_all(member, holder, _checked(uploads), start=existing + 1)


def store_checked(
    member: Member, holder: Holder, images: list[Image.Image], *, start: int = 1, freed: int = 0
) -> list[Photo]:
    """Store pictures already checked by :func:`checked` on ``holder`` (for
    :mod:`.profile_photos`)."""
    return _store_all(member, holder, images, start=start, freed=freed)


def checked(uploads: list[bytes]) -> list[Image.Image]:
    """Open and check uploads (:raise ServiceError: with the reason for a bad one)."""
    return _checked(uploads)


def _store_all(
    member: Member, holder: Holder, images: list[Image.Image], *, start: int = 1, freed: int = 0
) -> list[Photo]:
    """Store the checked images (every variant) if the member's storage has room."""
    square = holder.column == "profile_member_id"
    encoded = [_encodings(im, square=square) for im in images]
    needed = sum(len(e.data) for group in encoded for e in group.values())
    if used_bytes(member) - freed + needed > limits_for(member).photo_bytes:
        raise ServiceError(_l("Your photo storage is full."), "photos")
    photos = []
    for position, (im, group) in enumerate(zip(images, encoded, strict=True), start=start):
        photo = Photo(owner_id=member.id, position=position, width=im.width, height=im.height)
        setattr(photo, holder.column, holder.id)
        db.session.add(photo)
        db.session.flush()
        photo.stored_bytes = sum(_store(photo, name, enc) for name, enc in group.items())
        photos.append(photo)
    db.session.flush()
    return photos


def encodings(im: Image.Image, *, square: bool = False) -> dict[str, EncodedImage]:
    """Return the copies stored of a checked picture, by variant name (``square``: the
    avatar squares too)."""
    return _encodings(im, square=square)


def _encodings(im: Image.Image, *, square: bool = False) -> dict[str, EncodedImage]:
    original = sanitized_original(im)
    pc = for_device(im, Device.pc(), width=PC_WIDTH, budget=None)
    thumb = for_device(im, Device.pc(), width=THUMB_WIDTH, budget=None)
    found = {"original": original, "pc": pc, "thumb": thumb}
    if square:  # avatars: centred square crops, so pages know their size
        for name, side in SQUARES.items():
            found[name] = for_device(_square(im, side), Device.pc(), width=side, budget=None)
    return found


def _square(im: Image.Image, side: int) -> Image.Image:
    """Return the centred square of ``im``, ``side`` pixels wide (smaller ones are not
    enlarged: they keep their shorter side)."""
    side = min(side, im.width, im.height)
    return ImageOps.fit(im, (side, side), Image.Resampling.LANCZOS)


def photos_of(holder: Diary | Topic | Holder) -> list[Photo]:
    """Return the photos of a diary or topic (or any holder) in order."""
    if isinstance(holder, Diary):
        holder = holder_of_diary(holder)
    elif isinstance(holder, Topic):
        holder = holder_of_topic(holder)
    stmt = select(Photo).where(holder.where()).order_by(Photo.position)
    return list(db.session.scalars(stmt))


def community_image_column():
    """A SQL expression over ``Community`` in the enclosing query: its image's photo id, or
    NULL (read beside each community instead of :func:`community_images`)."""
    return (
        select(func.max(Photo.id))
        .where(Photo.community_id == Community.id)
        .correlate(Community)
        .scalar_subquery()
    )


def community_images(community_ids) -> dict[int, int]:
    """Return ``{community id: photo id}`` for those of the communities that have an image."""
    ids = list(community_ids)
    if not ids:
        return {}
    stmt = select(Photo.community_id, Photo.id).where(Photo.community_id.in_(ids))
    return {
        community_id: photo_id
        for community_id, photo_id in db.session.execute(stmt)
        if community_id is not None
    }


def visible_photo(photo_id: int, viewer_id: int | None) -> Photo | None:
    """Return the photo if the viewer may see what it is attached to (else ``None``: a 404):
    a diary they may read, a topic they may read, any community's image, an album they may
    see (its visibility, blocks)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        return None
    if photo.diary_id is not None:
        diary = db.session.get_one(Diary, photo.diary_id)
        if not can_see(viewer_id, diary.author_id, diary.visibility):
            return None
        if not content_visible(diary, viewer_id):
            return None
    elif photo.topic_id is not None:
        if topics.get_visible(photo.topic_id, viewer_id) is None:
            return None
    elif photo.profile_member_id is not None:
        profile = db.session.get(Profile, photo.profile_member_id)
        seen_by = profile.photo_visibility if profile is not None else FIELD_DEFAULTS["photo"]
        if not can_see(viewer_id, photo.profile_member_id, seen_by):
            return None
    elif photo.album_id is not None:
        album = db.session.get_one(Album, photo.album_id)
        if not can_see(viewer_id, album.owner_id, album.visibility):
            return None
    elif photo.community_id is None and viewer_id != photo.owner_id:
        return None
    return photo


def phone_variant_key(device: Device) -> str:
    """Return the stored-variant name of the copy made for devices like ``device``."""
    width, height = image_bounds(device)
    return f"{image_format(device).lower()}-{width}x{height or 0}-{image_budget(device) or 0}"


def variant_for(photo: Photo, size: str, device: Device) -> PhotoVariant:
    """Return the bytes to send: ``thumb``/``pc``/``original`` (and the squares of profile
    photos; a photo without the square asked for gets its ``thumb``), or a phone copy made
    once per kind of phone and kept (``?size=thumb``: a small one, for a profile page).

    Kinds of phone are few: a format, a width and a byte budget from small fixed sets
    (:data:`~portal.keitai.image_rules.WIDTH_BUCKETS`, ``BUDGET_BUCKETS``), whatever width or
    page size a handset's headers claim.
    """
    if not device.is_keitai:
        name = size if size in PC_VARIANTS else "pc"
        found = db.session.get(PhotoVariant, (photo.id, name))
        return found or db.session.get_one(PhotoVariant, (photo.id, "thumb"))
    small = size == "thumb"
    key = ("t-" if small else "") + phone_variant_key(device)
    variant = db.session.get(PhotoVariant, (photo.id, key))
    if variant is None:
        original = db.session.get_one(PhotoVariant, (photo.id, "original"))
        with Image.open(io.BytesIO(original.data)) as im:
            im.load()
            encoded = for_device(_square(im, PHONE_THUMB_SIDE) if small else im, device)
        # Readers of a new size may race: whoever inserts second keeps the first copy.
        insert_or_ignore(
            PhotoVariant,
            photo_id=photo.id,
            variant=key,
            mimetype=encoded.mimetype,
            data=encoded.data,
        )
        variant = db.session.get_one(PhotoVariant, (photo.id, key), populate_existing=True)
    return variant

"""Profile photos, as Mixi and OpenPNE had them: up to three per member, one the main photo.

The photos are :class:`~portal.models.Photo` rows on the member's profile
(``profile_member_id``), stored like every photo (EXIF gone, a PC copy, a thumbnail, phone
copies made on demand) plus two square copies for avatars (:data:`.photos.SQUARES`). The main
photo is the one at position 1: choosing another swaps their positions, deleting the main one
makes the next one main.

Who may see them is the profile's ``photo_visibility`` (everyone, friends of friends, friends,
only me; a member who blocked the viewer: nobody), decided here for one member
(:func:`main_photo_id`) or for a whole list in one query (:func:`main_photos`), and on the
photo's own URL by :func:`.photos.visible_photo`. Pages show a neutral "no photo" picture
(:func:`no_photo`) when a photo is hidden or absent, so they do not tell which.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from ..extensions import db
from ..keitai import Device
from ..keitai.images import EncodedImage, for_device
from ..models import Member, Photo, Profile
from ..models.profile import FIELD_DEFAULTS, VISIBILITIES
from . import ServiceError, photos, profiles
from .visibility import visible_clause

MOST = photos.PHOTOS_PER_PROFILE


class NotYoursError(ServiceError):
    """The photo is not one of the member's profile photos."""


def holder_of(member: Member | int) -> photos.Holder:
    """Return the :class:`.photos.Holder` of a member's profile photos."""
    member_id = member if isinstance(member, int) else member.id
    return photos.Holder("profile_member_id", member_id, MOST)


def photos_of(member: Member) -> list[Photo]:
    """Return the member's profile photos, the main one first (for the member's own page)."""
    return photos.photos_of(holder_of(member))


def add(member: Member, uploads: list[bytes]) -> list[Photo]:
    """Add profile photos (three at most in all); the first one a member adds is the main one.

    :raise ServiceError: for a bad file (too large, too many pixels, not a picture), more than
        three photos, or over the plan's storage; nothing is stored then.
    """
    return photos.add_to(member, holder_of(member), uploads)


def encodings(im: Image.Image) -> dict[str, EncodedImage]:
    """Return the copies stored of a checked picture made a profile photo (the squares
    included), by variant name: for bulk loads that write the rows themselves (the demo)."""
    return photos.encodings(im, square=True)


def _own(member: Member, photo_id: int) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.profile_member_id != member.id:
        raise NotYoursError(_l("This is not one of your profile photos."))
    return photo


def replace(member: Member, photo_id: int, data: bytes) -> Photo:
    """Put a new picture in place of one of the member's profile photos (same position, so a
    replaced main photo stays main). The new one is stored first and gets a new id: the old
    URL stops answering.

    :raise NotYoursError: for a photo that is not one of the member's profile photos.
    :raise ServiceError: as :func:`add`; the old photo then stays.
    """
    old = _own(member, photo_id)
    image = photos.checked([data])[0]
    new = photos.store_checked(
        member, holder_of(member), [image], start=old.position, freed=old.stored_bytes
    )[0]
    db.session.delete(old)
    db.session.flush()
    return new


def make_main(member: Member, photo_id: int) -> None:
    """Make one of the member's profile photos the main one (it swaps places with the main).

    :raise NotYoursError: for a photo that is not one of the member's profile photos.
    """
    chosen = _own(member, photo_id)
    main = db.session.scalar(select(Photo).where(holder_of(member).where(), Photo.position == 1))
    if main is not None and main.id != chosen.id:
        main.position, chosen.position = chosen.position, 1
    else:
        chosen.position = 1
    db.session.flush()


def remove(member: Member, photo_id: int) -> None:
    """Delete one of the member's profile photos; the next one moves up (and becomes main).

    :raise NotYoursError: for a photo that is not one of the member's profile photos.
    """
    photos.remove(member, _own(member, photo_id))


def visibility_of(member: Member) -> str:
    """Return who may see the member's profile photos (a visibility level)."""
    profile = db.session.get(Profile, member.id)
    return profile.photo_visibility if profile is not None else FIELD_DEFAULTS["photo"]


def set_visibility(member: Member, visibility: str) -> None:
    """Set who may see the member's profile photos.

    :raise ServiceError: for a value that is not a visibility level.
    """
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Please choose from the list."), "photo_visibility")
    profile = db.session.get(Profile, member.id)
    if profile is None:
        profile = profiles.profile_of(member)
        db.session.add(profile)
    profile.photo_visibility = visibility
    db.session.flush()


def _seen_by():
    """The SQL value of a profile's photo visibility (the default for a member without a
    saved profile)."""
    return func.coalesce(Profile.photo_visibility, FIELD_DEFAULTS["photo"])


def main_photos(viewer_id: int | None, member_ids: Iterable[int]) -> dict[int, int]:
    """Return ``{member id: main photo id}`` for those of the members whose main photo the
    viewer may see (one query for the whole list; members missing have none, or hide it)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    stmt = (
        select(Photo.profile_member_id, Photo.id)
        .outerjoin(Profile, Profile.member_id == Photo.profile_member_id)
        .where(
            Photo.profile_member_id.in_(ids),
            Photo.position == 1,
            visible_clause(viewer_id, Photo.profile_member_id, _seen_by()),
        )
    )
    return {
        member_id: photo_id
        for member_id, photo_id in db.session.execute(stmt)
        if member_id is not None
    }


def main_photo_id(viewer_id: int | None, member_id: int) -> int | None:
    """Return the id of the member's main photo if the viewer may see it, else ``None``."""
    return main_photos(viewer_id, [member_id]).get(member_id)


# -- avatars: one stable URL per member -----------------------------------------------------------

#: The ``?s=`` an avatar URL takes (its side on the page) and the stored square that serves it.
AVATAR_SIDES = {"40": "sq76", "76": "sq76", "180": "sq180"}


@dataclass(frozen=True)
class Avatar:
    """What a member's avatar URL answers a viewer: the main photo the viewer may see
    (``photo_id``) or the neutral picture (``None``), and a validator naming exactly that."""

    photo_id: int | None
    variant: str
    etag: str

    def image(self, device: Device) -> tuple[bytes, str]:
        """Return the picture's bytes and media type for the device."""
        if self.photo_id is None:
            neutral = no_photo(self.variant, device)
            return neutral.data, neutral.mimetype
        photo = db.session.get_one(Photo, self.photo_id)
        stored = photos.variant_for(photo, "thumb" if device.is_keitai else self.variant, device)
        return stored.data, stored.mimetype


def avatar(viewer_id: int | None, member_id: int, side: str, device: Device) -> Avatar:
    """Return what ``/users/<id>/avatar?s=<side>`` shows the viewer: the member's main photo
    if the profile's ``photo_visibility`` lets the viewer see it and the member has not
    blocked the viewer, else the neutral picture (also for a member that does not exist, and
    for a visitor: photos are for members, as on their own URL), so the answer never tells a
    hidden photo from none. One query (none for a visitor)."""
    variant = AVATAR_SIDES.get(side, "sq76")
    photo_id = main_photo_id(viewer_id, member_id) if viewer_id is not None else None
    kind = photos.phone_variant_key(device) if device.is_keitai else "pc"
    shown = f"p{photo_id}" if photo_id is not None else "none"
    return Avatar(photo_id, variant, f"{shown}-{variant}-{kind}")


# -- the "no photo" picture ----------------------------------------------------------------------

#: Its colours: a light grey ground and a mid-grey head and shoulders (neutral, no gender).
_GROUND, _FIGURE = (232, 232, 232), (176, 176, 176)


@functools.lru_cache(maxsize=4)
def _silhouette(side: int) -> Image.Image:
    im = Image.new("RGB", (side, side), _GROUND)
    draw = ImageDraw.Draw(im)
    head = side * 0.2
    cx, cy = side / 2, side * 0.38
    draw.ellipse((cx - head, cy - head, cx + head, cy + head), fill=_FIGURE)
    draw.ellipse((side * 0.15, side * 0.66, side * 0.85, side * 1.3), fill=_FIGURE)
    return im


@functools.lru_cache(maxsize=4)
def _no_photo_pc(side: int) -> EncodedImage:
    return for_device(_silhouette(side), Device.pc(), width=side)


def no_photo(size: str, device: Device) -> EncodedImage:
    """Return the neutral "no photo" picture: square, of a variant's side (``sq76``, ``sq180``;
    else the phone thumbnail's) and in the device's format (phones: their own, within
    their image budget). Drawn once per process and size; it holds nothing of anyone."""
    if device.is_keitai:
        return for_device(_silhouette(photos.PHONE_THUMB_SIDE), device)
    return _no_photo_pc(photos.SQUARES.get(size, photos.SQUARES["sq76"]))


__all__ = [
    "AVATAR_SIDES",
    "MOST",
    "Avatar",
    "avatar",
    "NotYoursError",
    "add",
    "encodings",
    "holder_of",
    "main_photo_id",
    "main_photos",
    "make_main",
    "no_photo",
    "photos_of",
    "remove",
    "replace",
    "set_visibility",
    "visibility_of",
]

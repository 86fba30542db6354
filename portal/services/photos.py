"""Photos: upload (sanitized, EXIF gone), phone and PC copies, and who may fetch them."""

from __future__ import annotations

import io

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import func, select

from ..extensions import db
from ..keitai import Device
from ..keitai.images import (
    EncodedImage,
    ImageError,
    ImageLimits,
    for_device,
    image_bounds,
    image_budget,
    image_format,
    load_upload,
    sanitized_original,
)
from ..models import Diary, Member, Photo, PhotoVariant
from . import ServiceError
from .limits import limits_for
from .visibility import can_see, content_visible

PHOTOS_PER_DIARY = 3
PC_WIDTH = 640
THUMB_WIDTH = 160

_MESSAGES = {
    "too_large_bytes": _l("The photo is too large (at most %(mb)s MB).", mb=8),
    "too_many_pixels": _l("The photo has too many pixels. Please make it smaller."),
    "not_an_image": _l("This file is not a photo we can read (JPEG, PNG, GIF or WebP)."),
    "unsupported_format": _l("This file is not a photo we can read (JPEG, PNG, GIF or WebP)."),
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


def attach(member: Member, diary: Diary, uploads: list[bytes]) -> list[Photo]:
    """Attach uploaded pictures to a diary (its author only, at most three in all).

    Every upload is checked before anything is stored, so a bad file leaves the diary as it was.

    :raise ServiceError: with a clear reason for a file that is too large, has too many pixels
        or is not a picture, for more than three photos, or over the plan's storage.
    """
    if diary.author_id != member.id:
        raise ServiceError(_l("Only the author can change this diary."))
    existing = db.session.scalar(select(func.count()).where(Photo.diary_id == diary.id)) or 0
    if existing + len(uploads) > PHOTOS_PER_DIARY:
        raise ServiceError(
            _l("A diary can have at most %(n)s photos.", n=PHOTOS_PER_DIARY), "photos"
        )
    images = []
    for data in uploads:
        try:
            images.append(load_upload(data, limits()))
        except ImageError as exc:
            raise ServiceError(_MESSAGES[exc.reason], "photos") from exc
    encoded = [_encodings(im) for im in images]
    needed = sum(len(e.data) for group in encoded for e in group.values())
    if used_bytes(member) + needed > limits_for(member).photo_bytes:
        raise ServiceError(_l("Your photo storage is full."), "photos")
    photos = []
    for position, (im, group) in enumerate(zip(images, encoded, strict=True), start=existing + 1):
        photo = Photo(
            owner_id=member.id,
            diary_id=diary.id,
            position=position,
            width=im.width,
            height=im.height,
        )
        db.session.add(photo)
        db.session.flush()
        photo.stored_bytes = sum(_store(photo, name, enc) for name, enc in group.items())
        photos.append(photo)
    db.session.flush()
    return photos


def _encodings(im: Image.Image) -> dict[str, EncodedImage]:
    original = sanitized_original(im)
    pc = for_device(im, Device.pc(), width=PC_WIDTH, budget=None)
    thumb = for_device(im, Device.pc(), width=THUMB_WIDTH, budget=None)
    return {"original": original, "pc": pc, "thumb": thumb}


def photos_of(diary: Diary) -> list[Photo]:
    """Return a diary's photos in order."""
    stmt = select(Photo).where(Photo.diary_id == diary.id).order_by(Photo.position)
    return list(db.session.scalars(stmt))


def visible_photo(photo_id: int, viewer_id: int | None) -> Photo | None:
    """Return the photo if the viewer may see what it is attached to (else ``None``: a 404)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        return None
    if photo.diary_id is not None:
        diary = db.session.get(Diary, photo.diary_id)
        if not can_see(viewer_id, diary.author_id, diary.visibility):
            return None
        if not content_visible(diary, viewer_id):
            return None
    elif viewer_id != photo.owner_id:
        return None
    return photo


def phone_variant_key(device: Device) -> str:
    """Return the stored-variant name of the copy made for devices like ``device``."""
    width, height = image_bounds(device)
    return f"{image_format(device).lower()}-{width}x{height or 0}-{image_budget(device) or 0}"


def variant_for(photo: Photo, size: str, device: Device) -> PhotoVariant:
    """Return the bytes to send: ``thumb``/``pc``/``original``, or a phone copy made once
    per kind of phone and kept."""
    if not device.is_keitai:
        name = size if size in ("thumb", "pc", "original") else "pc"
        return db.session.get(PhotoVariant, (photo.id, name))
    key = phone_variant_key(device)
    variant = db.session.get(PhotoVariant, (photo.id, key))
    if variant is None:
        original = db.session.get(PhotoVariant, (photo.id, "original"))
        with Image.open(io.BytesIO(original.data)) as im:
            im.load()
            encoded = for_device(im, device)
        variant = PhotoVariant(
            photo_id=photo.id, variant=key, mimetype=encoded.mimetype, data=encoded.data
        )
        db.session.add(variant)
        db.session.flush()
    return variant

"""A photo's own page (PCs and smartphones; phones too): the photo, what it belongs to as its
caption, its owner, the previous and next photo of the same diary, topic or profile, and the
way back, instead of the bare picture.

Who may open it is who may see the photo (:func:`.photos.visible_photo`); the others of the
same place are all visible to that viewer too (one place, one rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Community, Diary, Member, Photo, Topic
from . import photos

#: What a photo can hang on, as (its column, its kind).
_PLACES = (
    ("diary_id", "diary"),
    ("topic_id", "topic"),
    ("profile_member_id", "profile"),
    ("community_id", "community"),
)


@dataclass(frozen=True)
class PhotoPage:
    """What a photo's page shows."""

    photo: Photo
    owner: Member
    #: ``diary``, ``topic``, ``profile`` or ``community``, and that row's id.
    kind: str
    place_id: int
    #: The place's title (a diary's or topic's title, a community's name, the member's
    #: nickname): the caption.
    title: str
    #: 1-based place among the place's photos, and how many there are.
    index: int
    total: int
    previous_id: int | None
    next_id: int | None

    @property
    def shown_size(self) -> tuple[int, int]:
        """The PC copy's width and height (the photo no wider than :data:`.photos.PC_WIDTH`)."""
        width, height = self.photo.width, self.photo.height
        if width <= photos.PC_WIDTH:
            return width, height
        return photos.PC_WIDTH, max(1, round(height * photos.PC_WIDTH / width))


def _place_of(photo: Photo) -> tuple[str, str, int]:
    for column, kind in _PLACES:
        value = getattr(photo, column)
        if value is not None:
            return column, kind, value
    return "owner_id", "own", photo.owner_id


def _title(kind: str, place_id: int) -> str:
    model: type[Any] | None = {
        "diary": Diary,
        "topic": Topic,
        "community": Community,
        "profile": Member,
    }.get(kind)
    row = db.session.get(model, place_id) if model is not None else None
    if row is None:
        return ""
    return str(getattr(row, "title", None) or getattr(row, "name", None) or row.nickname)


def page_of(photo_id: int, viewer_id: int | None) -> PhotoPage | None:
    """Return the page of a photo the viewer may see, else ``None`` (a 404, as for none)."""
    photo = photos.visible_photo(photo_id, viewer_id)
    if photo is None:
        return None
    column, kind, place_id = _place_of(photo)
    stmt = select(Photo.id).where(getattr(Photo, column) == place_id)
    if column == "owner_id":
        stmt = stmt.where(Photo.id == photo.id)
    siblings = list(db.session.scalars(stmt.order_by(Photo.position, Photo.id)))
    at = siblings.index(photo.id)
    return PhotoPage(
        photo=photo,
        owner=db.session.get_one(Member, photo.owner_id),
        kind=kind,
        place_id=place_id,
        title=_title(kind, place_id),
        index=at + 1,
        total=len(siblings),
        previous_id=siblings[at - 1] if at > 0 else None,
        next_id=siblings[at + 1] if at + 1 < len(siblings) else None,
    )

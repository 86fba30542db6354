"""Profiles: the fields a member shows, each with its own visibility."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model

#: Visibility levels, narrowest last. The same codes serve diaries, photos and the rest.
PUBLIC, FOF, FRIENDS, PRIVATE = "public", "fof", "friends", "private"
VISIBILITIES = (PUBLIC, FOF, FRIENDS, PRIVATE)

#: Profile fields with their own visibility, and each one's default.
FIELD_DEFAULTS = {
    "gender": PUBLIC,
    "age": PUBLIC,
    "birthday": FRIENDS,
    "area": PUBLIC,
    "hobbies": PUBLIC,
    "introduction": PUBLIC,
    "real_name": PRIVATE,
    "photo": PUBLIC,
}
GENDERS = ("female", "male", "other")


def _visibility_column(default: str) -> Mapped[str]:
    return mapped_column(String(8), default=default, server_default=default)


class Profile(Model):
    """One row per member who filled in a profile; absent fields are simply not shown."""

    __tablename__ = "profiles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    gender: Mapped[str | None] = mapped_column(String(8))
    area: Mapped[str | None] = mapped_column(String(40), index=True)
    hobbies: Mapped[str | None] = mapped_column(String(200))
    introduction: Mapped[str | None] = mapped_column(Text)

    gender_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["gender"])
    age_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["age"])
    birthday_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["birthday"])
    area_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["area"])
    hobbies_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["hobbies"])
    introduction_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["introduction"])
    real_name_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["real_name"])
    photo_visibility: Mapped[str] = _visibility_column(FIELD_DEFAULTS["photo"])
    #: The self-introduction was hidden by the operators (after a report): only the member
    #: and operators see it (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    def visibility_of(self, field: str) -> str:
        """Return the visibility the owner chose for ``field``."""
        return getattr(self, f"{field}_visibility")

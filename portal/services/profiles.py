"""Profiles as a viewer sees them: every field passes the visibility policy first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Member, Profile
from ..models._time import tokyo_today
from ..models.profile import FIELD_DEFAULTS, GENDERS, VISIBILITIES
from . import ServiceError, text_limits
from .friends import friend_count
from .visibility import BLOCKED, SELF, allows, content_visible, is_blocked, relation

#: The profile's limits in characters; the self-introduction's also in bytes as shown on a
#: phone (a profile page is sized for it, in parts).
NICKNAME_MAX = 20
REAL_NAME_MAX = 80
AREA_MAX = 40
HOBBIES_MAX = 200
INTRODUCTION_MAX = 1500
INTRODUCTION_PHONE_BYTES = 3000


@dataclass
class ProfileView:
    """What one viewer may see of a member. Fields the viewer may not see are ``None``."""

    member: Member
    relation: str
    friend_total: int = 0
    gender: str | None = None
    age: int | None = None
    birthday: date | None = None
    area: str | None = None
    hobbies: str | None = None
    introduction: str | None = None
    real_name: str | None = None
    #: The self-introduction shown was hidden by the operators (only its writer and operators
    #: see it, with a notice saying so).
    introduction_hidden: bool = False
    #: For the owner: each field's visibility, to show next to it.
    visibilities: dict[str, str] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        """Return whether the viewer may see nothing at all (silently)."""
        return self.relation == BLOCKED


def profile_of(member: Member) -> Profile:
    """Return ``member``'s profile row, a fresh default one if none was saved yet."""
    return db.session.get(Profile, member.id) or _default_profile(member)


def _default_profile(member: Member) -> Profile:
    return Profile(member_id=member.id, **{f"{k}_visibility": v for k, v in FIELD_DEFAULTS.items()})


def view_profile(member: Member, viewer_id: int | None, today: date | None = None) -> ProfileView:
    """Return the profile of ``member`` as ``viewer_id`` may see it."""
    rel = relation(viewer_id, member.id)
    if rel == BLOCKED:
        return ProfileView(member=member, relation=rel)
    return build_view(
        member,
        db.session.get(Profile, member.id),
        rel,
        friend_count(member.id, viewer_id),
        viewer_id,
        today,
    )


def build_view(
    member: Member,
    profile: Profile | None,
    rel: str,
    friend_total: int,
    viewer_id: int | None,
    today: date | None = None,
) -> ProfileView:
    """Return what a viewer in relation ``rel`` may see of ``member``, from rows already read
    (``profile`` ``None`` when none was saved yet): the one place the fields are decided."""
    view = ProfileView(member=member, relation=rel)
    if rel == BLOCKED:
        return view
    if profile is None:
        profile = _default_profile(member)
    view.friend_total = friend_total

    def visible(name: str) -> bool:
        return allows(profile.visibility_of(name), rel)

    today = today or tokyo_today()
    if visible("gender"):
        view.gender = profile.gender
    if visible("age"):
        view.age = member.age_on(today)
    if visible("birthday"):
        view.birthday = member.birth_date
    if visible("area"):
        view.area = profile.area
    if visible("hobbies"):
        view.hobbies = profile.hobbies
    if visible("introduction") and content_visible(profile, viewer_id):
        view.introduction = profile.introduction
        view.introduction_hidden = bool(profile.hidden)
    if visible("real_name"):
        view.real_name = member.real_name
    if rel == SELF:
        view.visibilities = {name: profile.visibility_of(name) for name in FIELD_DEFAULTS}
    return view


def _check_introduction(introduction: str | None) -> None:
    text = (introduction or "").strip()
    text_limits.require(text, INTRODUCTION_MAX, INTRODUCTION_PHONE_BYTES, "introduction", rich=True)


def update_profile(
    member: Member,
    *,
    nickname: str,
    real_name: str | None,
    gender: str | None,
    area: str | None,
    hobbies: str | None,
    introduction: str | None,
    visibilities: dict[str, str],
) -> None:
    """Save ``member``'s profile.

    :raise ServiceError: for an unknown gender or visibility value.
    """
    if gender and gender not in GENDERS:
        raise ServiceError(_l("Please choose from the list."), "gender")
    if any(v not in VISIBILITIES for v in visibilities.values()):
        raise ServiceError(_l("Please choose from the list."))
    for name, text, most in (
        ("nickname", nickname, NICKNAME_MAX),
        ("real_name", real_name, REAL_NAME_MAX),
        ("area", area, AREA_MAX),
        ("hobbies", hobbies, HOBBIES_MAX),
    ):
        text_limits.require((text or "").strip(), most, None, name)
    _check_introduction(introduction)
    member.nickname = nickname.strip()
    member.real_name = (real_name or "").strip() or None
    profile = db.session.get(Profile, member.id)
    if profile is None:
        profile = profile_of(member)
        db.session.add(profile)
    profile.gender = gender or None
    profile.area = (area or "").strip() or None
    profile.hobbies = (hobbies or "").strip() or None
    profile.introduction = (introduction or "").strip() or None
    for name, value in visibilities.items():
        if name in FIELD_DEFAULTS:
            setattr(profile, f"{name}_visibility", value)
    db.session.flush()


def update_self_introduction(member: Member, introduction: str | None) -> None:
    """Save only ``member``'s self-introduction (phones edit it on a page of its own).

    :raise ServiceError: for a self-introduction too long, or too long for a phone.
    """
    _check_introduction(introduction)
    profile = db.session.get(Profile, member.id)
    if profile is None:
        profile = profile_of(member)
        db.session.add(profile)
    profile.introduction = (introduction or "").strip() or None
    db.session.flush()


def member_or_none(member_id: int) -> Member | None:
    """Return the member with this id (``None`` if there is none, or they left: 退会)."""
    member = db.session.get(Member, member_id)
    return None if member is None or member.left_at is not None else member


def viewable_member(member_id: int, viewer_id: int | None) -> Member | None:
    """Return the member with this id unless there is none, they left, or their profile as
    the viewer sees it (:func:`view_profile`) says they blocked the viewer (``None``: a 404)."""
    member = member_or_none(member_id)
    if member is None or view_profile(member, viewer_id).blocked:
        return None
    return member


def unblocked_member(member_id: int, viewer_id: int | None) -> Member | None:
    """Return the member with this id unless there is none, they left, or they blocked the
    viewer (``None``: their lists answer a 404, as for a missing member)."""
    member = member_or_none(member_id)
    if member is None or (viewer_id is not None and is_blocked(member.id, viewer_id)):
        return None
    return member


__all__ = [
    "ProfileView",
    "build_view",
    "member_or_none",
    "unblocked_member",
    "viewable_member",
    "profile_of",
    "update_profile",
    "update_self_introduction",
    "view_profile",
]

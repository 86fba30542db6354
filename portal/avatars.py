"""Avatars on pages: which main photo the viewer may see of each member, for the ``avatar``
macro of each template tree (``_macros/avatar.html``).

A view showing a list of members calls :func:`preload` with them once (one query for the whole
list, :func:`portal.services.profile_photos.main_photos`); the macro then asks
:func:`avatar_photo` per member. A member not preloaded costs one query of its own, so a page
is never wrong, only slower. The answers live on ``flask.g``: one request, one viewer.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_login import current_user

from .services import profile_photos

#: Avatar sizes the macro knows: the stored square it shows and its side on the page (px).
SIZES = {"small": ("sq76", 40), "medium": ("sq76", 76), "large": ("sq180", 180)}


def _viewer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _known() -> dict[int, int | None]:
    if "avatars" not in g:
        g.avatars = {}
    return g.avatars


def _id_of(member) -> int:
    return member if isinstance(member, int) else member.id


def preload(members: Iterable) -> None:
    """Look up, in one query, the main photos the viewer may see of ``members`` (members or
    ids; ``None`` entries are skipped)."""
    known = _known()
    wanted = {_id_of(m) for m in members if m is not None} - known.keys()
    if not wanted:
        return
    found = profile_photos.main_photos(_viewer_id(), wanted)
    known.update({member_id: found.get(member_id) for member_id in wanted})


def known(member_id: int, photo_id: int | None) -> None:
    """Remember the main photo the viewer may see of one member, already read by a service
    (:attr:`portal.services.profile_page.ProfilePage.main_photo_id`): no query for it."""
    _known()[member_id] = photo_id


def avatar_photo(member) -> int | None:
    """Return the id of the member's main photo if the viewer may see it, else ``None``."""
    preload([member])
    return _known()[_id_of(member)]


def avatar_size(size: str) -> tuple[str, int]:
    """Return ``(variant, pixels)`` of an avatar size (``small``, ``medium``, ``large``)."""
    return SIZES.get(size, SIZES["small"])


def init_app(app) -> None:
    app.jinja_env.globals.update(avatar_photo=avatar_photo, avatar_size=avatar_size)

"""Loaders: a view whose URL names an object (``/diaries/<int:id>``) is given the object, as a
service finds it for the viewer, instead of the id.

::

    @bp.route("/diaries/<int:id>/edit", methods=["GET", "POST"])
    @login_required
    @loads("diary", diaries.get_visible)
    def edit(diary: Diary): ...

The service decides what the viewer may see (its visibility rule, blocks, membership); when it
finds nothing, the view never runs and the answer is the 404 page of a missing object
(:func:`._parts.or_404`), so a page the viewer may not see and one that does not exist cannot
be told apart. ``@loads`` goes under ``@login_required`` (the login check comes first, and the
viewer is known) and under ``@page_cache.cached`` (a copy is served without loading anything).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_login import current_user

from ._parts import or_404

#: How the service is asked: ``find(id, viewer_id)`` (most lookups of visible things),
#: ``find(member, id)`` (the viewer's own things: messages, own reviews), ``find(id)``.
VIEWER_ID, MEMBER, ALONE = "viewer_id", "member", "alone"


def loads(
    name: str, find: Callable[..., Any], *, arg: str = "id", viewer: str = VIEWER_ID
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view to receive, as its argument ``name``, what ``find`` returns for the URL's
    ``arg`` (see :data:`VIEWER_ID` for how ``find`` is called); nothing found is a 404."""
    if viewer not in (VIEWER_ID, MEMBER, ALONE):
        raise ValueError(f"viewer must be one of {VIEWER_ID}, {MEMBER}, {ALONE}, not {viewer}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def load(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(arg)
            if viewer == VIEWER_ID:
                found = find(value, current_user.id)
            elif viewer == MEMBER:
                found = find(current_user, value)
            else:
                found = find(value)
            return view(*args, **kwargs, **{name: or_404(found)})

        return load

    return decorate

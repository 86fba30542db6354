"""Helpers shared by the community views: finding the community (the page numbers and the
long texts edited part by part are :mod:`._parts`')."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..models import Community
from ..services import communities
from ._parts import or_404


def community_or_404(community_id: int) -> Community:
    """Return the community, or the 404 of a missing one."""
    community = or_404(communities.get(community_id))
    return community


def readable_or_404(community_id: int) -> Community:
    """Return the community if the viewer may read its topics and events; else a 404 (the
    community page itself explains that only members read them)."""
    community = community_or_404(community_id)
    if not communities.can_read(community, current_user.id):
        abort(404)
    return community

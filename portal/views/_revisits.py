"""Footprints left by pages served from the page cache (profiles, diaries): their views do not
run, so the copy's notes name the visitor and the visited member."""

from __future__ import annotations

from .. import page_cache
from ..services import footprints


def revisit(notes: dict) -> None:
    """Leave the visitor's footprint on the visited member; the time of today's footprint is
    read once per content version (a footprint written is a change: it is read again)."""
    visitor: footprints.Visitor = notes["visitor"]
    visited: int = notes["visited"]
    name = f"footprint:{visitor.id}:{visited}"
    footprints.revisit(visitor, visited, last_visit=lambda read: page_cache.kept(name, read))

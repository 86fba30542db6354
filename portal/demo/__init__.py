"""The demo world: a deterministic set of members for ``make run``, screenshots and checks.

Fixed accounts (password ``keitai-demo``): taro@example.jp (たろう) and hanako@example.jp (はなこ),
friends of each other; jiro@example.jp (じろう), a friend of neither; admin@example.jp, an
operator. The same generator builds large worlds for benchmarks (``--users 100000``).
:func:`seed` calls one module per area, in a fixed order (one random stream): ``members``
(accounts and friendships), ``social`` (profiles, introductions, requests, blocks,
footprints), ``diaries``, ``messages`` (and reviews), ``communities`` (``photos`` their
images), ``portraits``, ``admin``, ``favorites``, ``albums``, then ``large`` for a large world.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from ..extensions import db
from ..models import Member
from ..models._time import utcnow
from ..services import counters
from ..services.passwords import hash_password
from . import admin as demo_admin
from . import albums as demo_albums
from . import bulk as demo_bulk
from . import communities as demo_communities
from . import diaries as demo_diaries
from . import favorites as demo_favorites
from . import large as demo_large
from . import members as demo_members
from . import messages as demo_messages
from . import photos as demo_photos
from . import portraits as demo_portraits
from . import social as demo_social
from .members import DEMO_DOMAIN, DEMO_PASSWORD, FIXED, NICKNAMES

__all__ = ["DEMO_DOMAIN", "DEMO_PASSWORD", "has_members", "planned_size", "seed"]

#: The demo world's clock: everything is dated relative to the moment of seeding (UTC, on the
#: hour), so footprints, new diaries and birthdays fall inside the windows pages show.
_clock = SimpleNamespace(epoch=datetime(2008, 5, 1, 12, 0))


def has_members() -> bool:
    """Return whether the database already has members."""
    return (db.session.scalar(select(func.count(Member.id))) or 0) > 0


def planned_size(users: int | None) -> int:
    """Return how many progress steps :func:`seed` reports (members, then the large world's
    rows)."""
    members = max(users or 0, len(FIXED) + len(NICKNAMES))
    return members + (demo_large.planned_rows(members) if users is not None else 0)


def seed(
    *,
    users: int | None = None,
    seed: int = 2008,
    progress: Callable[[int], None] = lambda n: None,
    now: datetime | None = None,
) -> str:
    """Create the demo world and return a one-line summary. The caller commits.

    :param users: total members for a large world (at least the small world's size).
    :param seed: the random seed; the same seed gives the same world (dated from ``now``).
    :param progress: called with the number of members created since the last call.
    :param now: the moment the world is dated from (default: the current hour).
    """
    rng = random.Random(seed)
    _clock.epoch = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    password_hash = hash_password(DEMO_PASSWORD)
    if users is not None:
        demo_bulk.bulk_load_settings()
    total = max(users or 0, len(FIXED) + len(NICKNAMES))
    ids = demo_members.create_members(rng, total, password_hash, progress, _clock.epoch)
    friendships = demo_members.create_friendships(rng, ids, _clock.epoch)
    social = demo_social.create_social(rng, ids, _clock.epoch)
    diaries = demo_diaries.create_diaries(rng, ids, _clock.epoch)
    mail = demo_messages.create_messages(ids, _clock.epoch)
    reviews = demo_messages.create_reviews(ids, _clock.epoch)
    groups = demo_communities.create_communities(ids, _clock.epoch)
    groups += demo_photos.create_community_photos(random.Random(seed + 7))
    groups += ", " + demo_portraits.give_small_world(ids)
    operators = demo_admin.create_admin_content(ids, _clock.epoch)
    follows = demo_favorites.create_favorites(ids, _clock.epoch)
    follows += ", " + demo_albums.create_albums(ids, _clock.epoch, random.Random(seed + 13))
    summary = (
        f"{len(ids)} members, {friendships} friendships, {social}, {diaries}, {mail}, "
        f"{reviews}, {groups}, {operators}, {follows}"
    )
    if users is not None:
        generated = sorted(v for k, v in ids.items() if k.startswith("member"))
        bulk = demo_large.create(
            random.Random(seed + 11),
            generated,
            members=len(ids),
            epoch=_clock.epoch,
            progress=progress,
        )
        summary += f"; the large world: {bulk}"
    counters.recount()  # the bulk inserts went around the counters
    return summary + "."

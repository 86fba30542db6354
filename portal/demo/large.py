"""The large benchmark world: content in proportion to the members (``seed-demo --users N``).

Per 1,000 members (:data:`PER_THOUSAND`): 10,000 diaries with 30,000 comments, 20,000
footprints, 3,000 messages, 200 reviews, 50 communities with 2,000 topics, 20,000 topic comments
and 100 events; one generated member in 20 has a profile photo (:mod:`.portraits`). It comes
on top of the small demo world, written by the generated members
(``member<n>``) among themselves, so the fixed accounts' own pages keep the demo contract;
their friends are generated members, so taro's home shows the crowd's diaries.

Rows are plain tuples written in bulk by :class:`.bulk.Writer` (``executemany`` on SQLite,
``COPY`` on PostgreSQL), with ids chosen here (so comments know their diary without reading
back); counters (``comment_count``, ``member_count``...) are written with the rows, exact. The
secondary indexes and SQLite's full-text indexes of the big tables are made once after the
load (:func:`.bulk.suspended_indexes`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Community,
    CommunityMember,
    Diary,
    DiaryComment,
    Event,
    Footprint,
    Message,
    Photo,
    PhotoVariant,
    Review,
    Topic,
    TopicComment,
)
from ..models import community as community_model
from . import bulk, portraits
from . import large_texts as texts

T = TypeVar("T")

#: Rows per 1,000 members.
PER_THOUSAND = {
    "diaries": 10_000,
    "diary_comments": 30_000,
    "footprints": 20_000,
    "messages": 3_000,
    "reviews": 200,
    "communities": 50,
    "topics": 2_000,
    "topic_comments": 20_000,
    "events": 100,
}
#: Members of each community besides its admin, on average.
COMMUNITY_MEMBERS = 20
#: Content is dated within this many days before the world's epoch.
SPAN_DAYS = 365


def counts(users: int) -> dict[str, int]:
    """Return how many rows of each kind a world of ``users`` members gets."""
    return {kind: per * users // 1000 for kind, per in PER_THOUSAND.items()}


def planned_rows(users: int) -> int:
    """Return the rows :func:`create` writes for ``users`` members, for the progress bar."""
    planned = counts(users)
    memberships = planned["communities"] * (COMMUNITY_MEMBERS + 1)
    return sum(planned.values()) + memberships


def create(
    rng: random.Random,
    member_ids: list[int],
    *,
    members: int,
    epoch: datetime,
    progress: Callable[[int], None],
) -> str:
    """Write the large world's content among ``member_ids``; return a summary. The caller
    commits.

    :param member_ids: the generated members (never the fixed accounts), who write it all.
    :param members: the world's members, fixed accounts included: the proportions' base.
    :param epoch: the world's clock; everything is dated before it.
    :param progress: called with the number of rows written since the last call.
    """
    planned = counts(members)
    writer = bulk.Writer(progress)
    world = _World(rng, member_ids, epoch, writer)
    with bulk.suspended_indexes(BULK_TABLES):
        _diaries(world, writer, planned["diaries"], planned["diary_comments"])
        _footprints(world, writer, planned["footprints"])
        _messages(world, writer, planned["messages"])
        _reviews(world, writer, planned["reviews"])
        _communities(world, writer, planned)
    written = writer.written | _profile_photos(world)
    bulk.advance_sequences(
        (Diary, DiaryComment, Message, Review, Community, Topic, TopicComment, Event, Photo)
    )
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in written.items())


#: The tables written here in millions of rows: their secondary indexes are made after.
BULK_TABLES = (
    "diaries",
    "diary_comments",
    "footprints",
    "messages",
    "reviews",
    "topics",
    "topic_comments",
)


class _World:
    """The random source, the members and the clock, shared by the generators.

    Moments are whole minutes before the epoch (``int``: cheaper than ``datetime``
    arithmetic); ``stamp[m]`` is a moment's stored value and ``day[m]`` its Japanese day's.
    Random picks use ``rng.random()`` alone (``choice`` and ``randint`` cost several calls).
    """

    def __init__(self, rng: random.Random, member_ids: list[int], epoch: datetime, writer):
        self.rng = rng
        self.random = rng.random
        self.members = member_ids
        self.epoch = epoch
        self.stamp, self.day = writer.stamps(epoch)

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def member(self) -> int:
        return self.members[int(self.random() * len(self.members))]

    def moment(self, days: int = SPAN_DAYS) -> int:
        """A moment within ``days`` before the epoch, in minutes before it."""
        return int(self.random() * days * 1440)

    def after(self, moment: int) -> int:
        """A moment between ``moment`` and the epoch."""
        return moment - int(self.random() * max(1, moment))

    def thread(self, opened: int, comments: int) -> list[int]:
        """The moments of ``comments`` comments, one after the other, after ``opened``."""
        moments, last = [], opened
        for _ in range(comments):
            last = self.after(last)
            moments.append(last)
        return moments

    def comments(self, add, comment_id: int, parent_id: int, moments: list[int], pool) -> int:
        """Add the numbered comments of a diary or a topic, one at each of ``moments``, each
        by a member of ``pool``; return the next comment id."""
        for number, moment in enumerate(moments, start=1):
            author = self.pick(pool)  # before the text: the draws keep their order
            add(
                (
                    comment_id,
                    parent_id,
                    author,
                    number,
                    self.pick(texts.COMMENTS),
                    self.stamp[moment],
                    False,
                )
            )
            comment_id += 1
        return comment_id

    def body(self, lines: int) -> str:
        return "\n".join([texts.LINES[int(self.random() * len(texts.LINES))] for _ in range(lines)])

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.random() * (high - low + 1))


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """Return ``parts`` random counts adding up to ``total`` exactly: each pair of parts
    shares twice the mean (a wide spread, from none to twice as many)."""
    mean, extra = divmod(total, parts)
    shares = []
    draw = rng.random
    for _ in range(parts // 2):
        first = int(draw() * (2 * mean + 1))
        shares += [first, 2 * mean - first]
    if parts % 2:
        shares.append(mean)
    for n in range(extra):
        shares[n] += 1
    return shares


def _diaries(world: _World, writer: bulk.Writer, diaries: int, comments: int) -> None:
    stamp = world.stamp
    add_diary = writer.rows(
        Diary,
        "id author_id title body visibility comments_closed last_comment_number comment_count "
        "created_at updated_at source_id source_url hidden",
    )
    add_comment = writer.rows(DiaryComment, "id diary_id author_id number body created_at hidden")
    diary_id, comment_id = bulk.next_id(Diary), bulk.next_id(DiaryComment)
    # Dated in the order of their ids, as diaries written here are (search lists newest id first).
    moments = sorted((world.moment() for _ in range(diaries)), reverse=True)
    for k, written in zip(_spread(comments, diaries, world.rng), moments, strict=True):
        at = stamp[written]
        add_diary(
            (
                diary_id,
                world.member(),
                world.pick(texts.TITLES),
                world.body(world.between(1, 6)),
                world.pick(texts.VISIBILITIES),
                False,
                k,
                k,
                at,
                at,
                None,
                None,
                False,
            )
        )
        moments = world.thread(written, k)
        comment_id = world.comments(add_comment, comment_id, diary_id, moments, world.members)
        diary_id += 1
    writer.flush()


def _footprints(world: _World, writer: bulk.Writer, total: int) -> None:
    """Each member visited by distinct members (a footprint is one per visitor and day)."""
    members = world.members
    add = writer.rows(Footprint, "visited_id visitor_id day visited_at")
    stamp, day = world.stamp, world.day
    for visited, k in zip(members, _spread(total, len(members), world.rng), strict=True):
        k = min(k, len(members) - 1)
        visitors: set[int] = set()
        while len(visitors) < k:
            visitor = world.member()
            if visitor != visited and visitor not in visitors:
                visitors.add(visitor)
                moment = world.moment(30)
                add((visited, visitor, day[moment], stamp[moment]))
    writer.flush()


def _messages(world: _World, writer: bulk.Writer, total: int) -> None:
    members, stamp = world.members, world.stamp
    add = writer.rows(
        Message,
        "id sender_id recipient_id subject body created_at read_at reply_to_id sender_state "
        "sender_trashed_at recipient_state recipient_trashed_at",
    )
    first = bulk.next_id(Message)
    for n in range(total):
        sent = world.moment(90)
        sender = int(world.random() * len(members))
        recipient = int(world.random() * len(members))
        if recipient == sender:
            recipient = (sender + 1) % len(members)
        add(
            (
                first + n,
                members[sender],
                members[recipient],
                world.pick(texts.TITLES),
                world.body(world.between(1, 3)),
                stamp[sent],
                stamp[world.after(sent)] if world.random() < 0.7 else None,
                None,
                "sent",
                None,
                "inbox",
                None,
            )
        )
    writer.flush()


def _reviews(world: _World, writer: bulk.Writer, total: int) -> None:
    add = writer.rows(
        Review, "id author_id title category url rating body created_at updated_at hidden"
    )
    first = bulk.next_id(Review)
    moments = sorted((world.moment() for _ in range(total)), reverse=True)
    for n, written in enumerate(moments):
        add(
            (
                first + n,
                world.member(),
                f"{world.pick(texts.THEMES)}の本 第{n % 9 + 1}巻",
                world.pick(texts.REVIEW_CATEGORIES),
                None,
                world.between(1, 5),
                world.body(world.between(1, 3)),
                world.stamp[written],
                world.stamp[written],
                False,
            )
        )
    writer.flush()


def _communities(world: _World, writer: bulk.Writer, planned: dict[str, int]) -> None:
    """Communities with members, topics with numbered comments, and events."""
    rng, stamp = world.rng, world.stamp
    add_community = writer.rows(
        Community,
        "id name description category join_policy topics_public topic_creators member_count "
        "created_at updated_at",
    )
    add_member = writer.rows(CommunityMember, "community_id member_id role joined_at")
    add_topic = writer.rows(
        Topic,
        "id community_id author_id title body last_comment_number comment_count created_at "
        "updated_at last_activity_at hidden",
    )
    add_comment = writer.rows(TopicComment, "id topic_id author_id number body created_at hidden")
    add_event = writer.rows(
        Event,
        "id community_id author_id title body starts_at place deadline capacity joined "
        "last_comment_number comment_count created_at updated_at",
    )
    first = bulk.next_id(Community)
    topic_id, comment_id, event_id = (
        bulk.next_id(Topic),
        bulk.next_id(TopicComment),
        bulk.next_id(Event),
    )
    communities = planned["communities"]
    topics = _spread(planned["topics"], communities, rng) if communities else []
    events = _spread(planned["events"], communities, rng) if communities else []
    comment_counts = iter(_spread(planned["topic_comments"], max(1, planned["topics"]), rng))
    people_of = {}
    for n in range(communities):
        community_id = first + n
        founded = stamp[world.moment()]
        people = rng.sample(world.members, min(COMMUNITY_MEMBERS + 1, len(world.members)))
        people_of[community_id] = people
        theme = texts.THEMES[n % len(texts.THEMES)]
        add_community(
            (
                community_id,
                f"{theme}好き集まれ！ {n + 1}",
                f"{theme}が好きな人のコミュニティです。気軽に参加してください♪",
                world.pick(texts.COMMUNITY_CATEGORIES),
                community_model.OPEN,
                True,
                community_model.MEMBERS,
                len(people),
                founded,
                founded,
            )
        )
        for k, member in enumerate(people):
            role = community_model.ADMIN if k == 0 else community_model.MEMBER
            add_member((community_id, member, role, founded))
    writer.flush()
    for n in range(communities):
        community_id = first + n
        people = people_of[community_id]
        for _ in range(topics[n]):
            k = next(comment_counts)
            opened = world.moment()
            moments = world.thread(opened, k)
            add_topic(
                (
                    topic_id,
                    community_id,
                    world.pick(people),
                    f"{world.pick(texts.TITLES)}について語ろう",
                    world.body(world.between(1, 4)),
                    k,
                    k,
                    stamp[opened],
                    stamp[opened],
                    stamp[moments[-1] if moments else opened],
                    False,
                )
            )
            comment_id = world.comments(add_comment, comment_id, topic_id, moments, people)
            topic_id += 1
        for _ in range(events[n]):
            announced = world.moment(60)
            add_event(
                (
                    event_id,
                    community_id,
                    people[0],
                    f"{texts.THEMES[n % len(texts.THEMES)]}オフ会",
                    world.body(2),
                    stamp[announced - world.between(1, 90) * 1440],
                    world.pick(texts.PLACES),
                    None,
                    None,
                    0,
                    0,
                    0,
                    stamp[announced],
                    stamp[announced],
                )
            )
            event_id += 1
    writer.flush()


def _profile_photos(world: _World) -> dict[str, int]:
    """One generated member in :data:`.portraits.LARGE_SHARE` without a photo gets a main
    photo (a few portraits' bytes, encoded once). A few thousand rows: Core inserts."""
    have = set(
        db.session.scalars(
            select(Photo.profile_member_id).where(Photo.profile_member_id.is_not(None))
        )
    )
    photos, variants = portraits.large_rows(
        [m for m in world.members if m not in have],
        first_id=bulk.next_id(Photo),
        moment=lambda: world.epoch - timedelta(minutes=world.moment()),
    )
    for model, rows in ((Photo, photos), (PhotoVariant, variants)):
        for start in range(0, len(rows), bulk.CHUNK):
            db.session.execute(bulk.table_of(model).insert(), rows[start : start + bulk.CHUNK])
    return {"photos": len(photos), "photo_variants": len(variants)}

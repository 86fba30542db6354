"""The large benchmark world: content in proportion to the members (``seed-demo --users N``).

Per 1,000 members (:data:`PER_THOUSAND`): 10,000 diaries with 30,000 comments, 20,000
footprints, 3,000 messages, 200 reviews, 50 communities with 2,000 topics, 20,000 topic comments
and 100 events; one generated member in 20 has a profile photo (:mod:`.portraits`). It comes
on top of the small demo world, written by the generated members
(``member<n>``) among themselves, so the fixed accounts' own pages keep the demo contract;
their friends are generated members, so taro's home shows the crowd's diaries.

Rows are written with Core ``INSERT``s of :data:`CHUNK` rows, with ids chosen here (so
comments know their diary without reading back); counters (``comment_count``,
``member_count``...) are written with the rows, exact. The SQLite search-index trigger is
suspended during the load and the index rebuilt once after (:func:`suspended_search_index`).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select, text

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
from ..models import review as review_model
from . import portraits

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
#: Rows per INSERT statement.
CHUNK = 5_000
#: Content is dated within this many days before the world's epoch.
SPAN_DAYS = 365

TITLES = (
    "今日のランチ☀",
    "週末の予定",
    "雨の日は読書📚",
    "新しいカメラ",
    "久しぶりの実家",
    "夏休みの計画🌊",
    "ラーメン🍜めぐり",
    "映画を観ました🎬",
    "残業つづき…",
    "おいしいケーキ屋さん",
)
LINES = (
    "今日は朝から良い天気☀でした。駅前の新しいカフェでモーニングを食べてから会社へ。",
    "仕事帰りに友達とラーメン🍜を食べに行きました。やっぱり豚骨が一番！",
    "週末は家でゆっくり映画を観る予定です。おすすめがあったら教えてください～",
    "最近カメラを始めました📷 写真は http://example.jp/photos にまとめています。",
    "明日は早起きしないといけないので、今日はもう寝ます。おやすみなさい🌙",
    "電車が遅れて大変でした💦 でも本を一冊読み終わりました。",
    "実家の犬🐕が元気そうで安心しました。また帰ります。",
)
COMMENTS = (
    "いいですね！",
    "私も行きたいです～",
    "写真見たいです📷",
    "お疲れさまでした！",
    "わかります(笑)",
    "今度教えてください！",
)
THEMES = (
    "カフェ",
    "ラーメン",
    "写真",
    "ギター",
    "旅行",
    "読書",
    "野球",
    "映画",
    "猫",
    "ゲーム",
)
PLACES = ("渋谷駅ハチ公前", "梅田駅", "名古屋駅 金の時計", "横浜 赤レンガ倉庫", "オンライン")
#: Diary visibilities, weighted: mostly public, some for friends.
VISIBILITIES = ("public",) * 10 + ("fof",) * 3 + ("friends",) * 6 + ("private",)
REVIEW_CATEGORIES = review_model.CATEGORIES
COMMUNITY_CATEGORIES = community_model.CATEGORIES


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
    writer = _Writer(progress)
    world = _World(rng, member_ids, epoch)
    with suspended_search_index():
        _diaries(world, writer, planned["diaries"], planned["diary_comments"])
        _footprints(world, writer, planned["footprints"])
        _messages(world, writer, planned["messages"])
        _reviews(world, writer, planned["reviews"])
        _communities(world, writer, planned)
        _profile_photos(world, writer)
    _advance_sequences()
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in writer.written.items())


class _World:
    """The random source, the members and the clock, shared by the generators."""

    def __init__(self, rng: random.Random, member_ids: list[int], epoch: datetime):
        self.rng = rng
        self.members = member_ids
        self.epoch = epoch

    def member(self) -> int:
        return self.members[int(self.rng.random() * len(self.members))]

    def moment(self, days: int = SPAN_DAYS) -> datetime:
        """A moment within ``days`` before the epoch, to the minute."""
        return self.epoch - timedelta(minutes=int(self.rng.random() * days * 1440))

    def after(self, moment: datetime) -> datetime:
        """A moment between ``moment`` and the epoch."""
        room = max(1, int((self.epoch - moment).total_seconds() // 60))
        return moment + timedelta(minutes=int(self.rng.random() * room))

    def thread(self, opened: datetime, comments: int) -> list[datetime]:
        """The moments of ``comments`` comments, one after the other, after ``opened``."""
        moments, last = [], opened
        for _ in range(comments):
            last = self.after(last)
            moments.append(last)
        return moments

    def body(self, lines: int) -> str:
        return "\n".join(self.rng.choice(LINES) for _ in range(lines))


class _Writer:
    """Inserts rows in chunks of up to :data:`CHUNK`, and counts them. When one table's rows
    reach a chunk, every table's pending rows go, parents first (foreign keys hold)."""

    def __init__(self, progress: Callable[[int], None]):
        self.progress = progress
        self.pending: dict[Table, list[dict]] = {}
        self.written: dict[str, int] = {}

    def add(self, table: Table, row: dict) -> None:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table in db.metadata.sorted_tables:
            rows = self.pending.pop(table, None)
            if rows:
                db.session.execute(table.insert(), rows)
                self.written[table.name] = self.written.get(table.name, 0) + len(rows)
                self.progress(len(rows))


def _table(model: type[Any]) -> Table:
    """Return a mapped class's table (``__table__`` is typed as any ``FromClause``)."""
    return cast(Table, model.__table__)


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """Return ``parts`` random counts adding up to ``total`` exactly: each pair of parts
    shares twice the mean (a wide spread, from none to twice as many)."""
    mean, extra = divmod(total, parts)
    shares = []
    for _ in range(parts // 2):
        first = rng.randint(0, 2 * mean)
        shares += [first, 2 * mean - first]
    if parts % 2:
        shares.append(mean)
    for n in range(extra):
        shares[n] += 1
    return shares


def _diaries(world: _World, writer: _Writer, diaries: int, comments: int) -> None:
    rng = world.rng
    diary_table, comment_table = _table(Diary), _table(DiaryComment)
    diary_id, comment_id = _next_id(Diary), _next_id(DiaryComment)
    # Dated in the order of their ids, as diaries written here are (search lists newest id first).
    moments = sorted(world.moment() for _ in range(diaries))
    for k, written in zip(_spread(comments, diaries, rng), moments, strict=True):
        writer.add(
            diary_table,
            {
                "id": diary_id,
                "author_id": world.member(),
                "title": rng.choice(TITLES),
                "body": world.body(rng.randint(1, 6)),
                "visibility": rng.choice(VISIBILITIES),
                "comments_closed": False,
                "last_comment_number": k,
                "comment_count": k,
                "created_at": written,
                "updated_at": written,
                "source_id": None,
                "source_url": None,
                "hidden": False,
            },
        )
        for number, moment in enumerate(world.thread(written, k), start=1):
            writer.add(
                comment_table,
                {
                    "id": comment_id,
                    "diary_id": diary_id,
                    "author_id": world.member(),
                    "number": number,
                    "body": rng.choice(COMMENTS),
                    "created_at": moment,
                    "hidden": False,
                },
            )
            comment_id += 1
        diary_id += 1
    writer.flush()


def _footprints(world: _World, writer: _Writer, total: int) -> None:
    """Each member visited by distinct members (a footprint is one per visitor and day)."""
    rng, members = world.rng, world.members
    table = _table(Footprint)
    for visited, k in zip(members, _spread(total, len(members), rng), strict=True):
        visitors = rng.sample(members, min(k + 1, len(members)))
        for visitor in [v for v in visitors if v != visited][:k]:
            moment = world.moment(30)
            writer.add(
                table,
                {
                    "visited_id": visited,
                    "visitor_id": visitor,
                    "day": (moment + timedelta(hours=9)).date(),
                    "visited_at": moment,
                },
            )
    writer.flush()


def _messages(world: _World, writer: _Writer, total: int) -> None:
    rng = world.rng
    table = _table(Message)
    first = _next_id(Message)
    for n in range(total):
        sent = world.moment(90)
        sender = world.member()
        recipient = world.member()
        if recipient == sender:
            recipient = world.members[(world.members.index(sender) + 1) % len(world.members)]
        writer.add(
            table,
            {
                "id": first + n,
                "sender_id": sender,
                "recipient_id": recipient,
                "subject": rng.choice(TITLES),
                "body": world.body(rng.randint(1, 3)),
                "created_at": sent,
                "read_at": world.after(sent) if rng.random() < 0.7 else None,
                "reply_to_id": None,
                "sender_state": "sent",
                "sender_trashed_at": None,
                "recipient_state": "inbox",
                "recipient_trashed_at": None,
            },
        )
    writer.flush()


def _reviews(world: _World, writer: _Writer, total: int) -> None:
    rng = world.rng
    table = _table(Review)
    first = _next_id(Review)
    for n, written in enumerate(sorted(world.moment() for _ in range(total))):
        writer.add(
            table,
            {
                "id": first + n,
                "author_id": world.member(),
                "title": f"{rng.choice(THEMES)}の本 第{n % 9 + 1}巻",
                "category": rng.choice(REVIEW_CATEGORIES),
                "url": None,
                "rating": rng.randint(1, 5),
                "body": world.body(rng.randint(1, 3)),
                "created_at": written,
                "updated_at": written,
                "hidden": False,
            },
        )
    writer.flush()


def _communities(world: _World, writer: _Writer, planned: dict[str, int]) -> None:
    """Communities with members, topics with numbered comments, and events."""
    rng = world.rng
    first = _next_id(Community)
    topic_id, comment_id, event_id = _next_id(Topic), _next_id(TopicComment), _next_id(Event)
    communities = planned["communities"]
    topics = _spread(planned["topics"], communities, rng) if communities else []
    events = _spread(planned["events"], communities, rng) if communities else []
    comment_counts = iter(_spread(planned["topic_comments"], max(1, planned["topics"]), rng))
    people_of = {}
    for n in range(communities):
        community_id = first + n
        founded = world.moment()
        people = rng.sample(world.members, min(COMMUNITY_MEMBERS + 1, len(world.members)))
        people_of[community_id] = people
        theme = THEMES[n % len(THEMES)]
        writer.add(
            _table(Community),
            {
                "id": community_id,
                "name": f"{theme}好き集まれ！ {n + 1}",
                "description": f"{theme}が好きな人のコミュニティです。気軽に参加してください♪",
                "category": rng.choice(COMMUNITY_CATEGORIES),
                "join_policy": community_model.OPEN,
                "topics_public": True,
                "topic_creators": community_model.MEMBERS,
                "member_count": len(people),
                "created_at": founded,
                "updated_at": founded,
            },
        )
        for k, member in enumerate(people):
            writer.add(
                _table(CommunityMember),
                {
                    "community_id": community_id,
                    "member_id": member,
                    "role": community_model.ADMIN if k == 0 else community_model.MEMBER,
                    "joined_at": founded,
                },
            )
    writer.flush()
    for n in range(communities):
        community_id = first + n
        people = people_of[community_id]
        for _ in range(topics[n]):
            k = next(comment_counts)
            opened = world.moment()
            moments = world.thread(opened, k)
            writer.add(
                _table(Topic),
                {
                    "id": topic_id,
                    "community_id": community_id,
                    "author_id": rng.choice(people),
                    "title": f"{rng.choice(TITLES)}について語ろう",
                    "body": world.body(rng.randint(1, 4)),
                    "last_comment_number": k,
                    "comment_count": k,
                    "created_at": opened,
                    "updated_at": opened,
                    "last_activity_at": moments[-1] if moments else opened,
                    "hidden": False,
                },
            )
            for number, moment in enumerate(moments, start=1):
                writer.add(
                    _table(TopicComment),
                    {
                        "id": comment_id,
                        "topic_id": topic_id,
                        "author_id": rng.choice(people),
                        "number": number,
                        "body": rng.choice(COMMENTS),
                        "created_at": moment,
                        "hidden": False,
                    },
                )
                comment_id += 1
            topic_id += 1
        for _ in range(events[n]):
            announced = world.moment(60)
            writer.add(
                _table(Event),
                {
                    "id": event_id,
                    "community_id": community_id,
                    "author_id": people[0],
                    "title": f"{THEMES[n % len(THEMES)]}オフ会",
                    "body": world.body(2),
                    "starts_at": announced + timedelta(days=rng.randint(1, 90)),
                    "place": rng.choice(PLACES),
                    "deadline": None,
                    "capacity": None,
                    "joined": 0,
                    "last_comment_number": 0,
                    "comment_count": 0,
                    "created_at": announced,
                    "updated_at": announced,
                },
            )
            event_id += 1
    writer.flush()


def _profile_photos(world: _World, writer: _Writer) -> None:
    """One generated member in :data:`.portraits.LARGE_SHARE` without a photo gets a main
    photo (a few portraits' bytes, encoded once)."""
    have = set(
        db.session.scalars(
            select(Photo.profile_member_id).where(Photo.profile_member_id.is_not(None))
        )
    )
    photos, variants = portraits.large_rows(
        [m for m in world.members if m not in have], first_id=_next_id(Photo), moment=world.moment
    )
    for row in photos:
        writer.add(_table(Photo), row)
    for row in variants:
        writer.add(_table(PhotoVariant), row)
    writer.flush()


#: SQLite's page cache for the load, in KiB (negative: a size, not pages): the indexes of
#: millions of rows are written in id order of another column, and stay in memory.
BULK_CACHE_KIB = 512 * 1024


def bulk_load_settings() -> None:
    """On SQLite, give this connection (the seeding command's own) a large page cache and
    temporary tables in memory; the database file is not changed by either."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    db.session.execute(text(f"PRAGMA cache_size = -{BULK_CACHE_KIB}"))
    db.session.execute(text("PRAGMA temp_store = MEMORY"))


@contextlib.contextmanager
def suspended_search_index() -> Iterator[None]:
    """On SQLite, drop the diary search trigger for the load and rebuild the index after (one
    pass instead of one trigger run per row); elsewhere, do nothing (PostgreSQL's trigram
    indexes are ordinary indexes)."""
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    trigger = db.session.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'diary_fts_ai'")
    )
    if trigger is None:
        yield
        return
    db.session.execute(text("DROP TRIGGER diary_fts_ai"))
    try:
        yield
    finally:
        db.session.execute(text(trigger))
    db.session.execute(text("INSERT INTO diary_fts(diary_fts) VALUES ('rebuild')"))


def _advance_sequences() -> None:
    """On PostgreSQL, move each id sequence past the ids written here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (
        Diary,
        DiaryComment,
        Message,
        Review,
        Community,
        Topic,
        TopicComment,
        Event,
        Photo,
    ):
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )

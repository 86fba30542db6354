"""The demo world: a deterministic set of members for ``make run``, screenshots and checks.

Fixed accounts (password ``keitai-demo``): taro@example.jp (たろう) and hanako@example.jp (はなこ),
friends of each other; jiro@example.jp (じろう), a friend of neither; admin@example.jp, an
operator. The same generator builds large worlds for benchmarks (``--users 100000``).
Later features add their own content here (diaries, communities, messages...).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import DateTime, func, insert, select

from ..extensions import db
from ..models import Block, Footprint, FriendRequest, Friendship, Introduction, Member, Profile
from ..models._time import utcnow
from ..services import counters
from ..services.passwords import hash_password
from . import admin as demo_admin
from . import albums as demo_albums
from . import bulk as demo_bulk
from . import communities as demo_communities
from . import favorites as demo_favorites
from . import large as demo_large
from . import messages as demo_messages
from . import portraits as demo_portraits

DEMO_PASSWORD = "keitai-demo"  # noqa: S105 (published demo credentials)
DEMO_DOMAIN = "example.jp"
#: The demo world's clock: everything is dated relative to the moment of seeding (UTC, on the
#: hour), so footprints, new diaries and birthdays fall inside the windows pages show.
_clock = SimpleNamespace(epoch=datetime(2008, 5, 1, 12, 0))

FIXED = (
    # email local part, nickname, birth date, operator
    ("taro", "たろう", date(1983, 4, 2), False),
    ("hanako", "はなこ", date(1985, 11, 23), False),
    ("jiro", "じろう", date(1988, 7, 7), False),
    ("admin", "運営スタッフ", date(1978, 1, 15), True),
)

NICKNAMES = (
    "さくら",
    "けんた",
    "ゆうこ",
    "まさし",
    "あやか",
    "ひろし",
    "みほ",
    "だいすけ",
    "なつみ",
    "しょうた",
    "えり",
    "たくや",
    "ちひろ",
    "りょう",
    "まい",
    "こうじ",
    "あい",
    "ゆうき",
    "はるか",
    "しんじ",
    "みゆき",
    "つよし",
    "かおり",
    "ともや",
    "のぞみ",
    "まこと",
    "あすか",
    "けいこ",
    "じゅん",
    "ひとみ",
)
SUFFIXES = ("", "☆", "♪", "(*^_^*)", "@東京", "@大阪", "＠名古屋", "＊")

BATCH = 1000


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
    ids = _create_members(rng, total, password_hash, progress)
    friendships = _create_friendships(rng, ids)
    social = _create_social(rng, ids)
    diaries = _create_diaries(rng, ids)
    mail = demo_messages.create_messages(ids, _clock.epoch)
    reviews = demo_messages.create_reviews(ids, _clock.epoch)
    groups = demo_communities.create_communities(ids, _clock.epoch)
    groups += _create_community_photos(random.Random(seed + 7))
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


def _member_rows(rng: random.Random, total: int, password_hash: str):
    for local, nickname, birth, operator in FIXED:
        yield {
            "email": f"{local}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "nickname": nickname,
            "birth_date": birth,
            "is_operator": operator,
            "created_at": _clock.epoch - timedelta(days=400),
            "login_stopped": False,
        }
    for n in range(total - len(FIXED)):
        nickname = NICKNAMES[n % len(NICKNAMES)] + rng.choice(SUFFIXES)
        birth = date(rng.randint(1950, 1990), rng.randint(1, 12), rng.randint(1, 28))
        yield {
            "email": f"member{n + 1}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "nickname": nickname[:20],
            "birth_date": birth,
            "is_operator": False,
            "created_at": _clock.epoch - timedelta(days=rng.randint(1, 399)),
            "login_stopped": False,
        }


def _create_members(rng, total, password_hash, progress) -> dict[str, int]:
    batch: list[dict] = []
    for row in _member_rows(rng, total, password_hash):
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(Member), batch)
            progress(len(batch))
            batch = []
    if batch:
        db.session.execute(insert(Member), batch)
        progress(len(batch))
    rows = db.session.execute(select(Member.email, Member.id)).all()
    return {email.split("@")[0]: member_id for email, member_id in rows}


def _create_friendships(rng: random.Random, ids: dict[str, int]) -> int:
    """Friend pairs: taro–hanako, each with a circle of their own; jiro friends with neither."""
    taro, hanako, jiro = ids["taro"], ids["hanako"], ids["jiro"]
    others = sorted(v for k, v in ids.items() if k.startswith("member"))
    pairs: set[tuple[int, int]] = {(taro, hanako)}
    for owner, count in ((taro, 12), (hanako, 9)):
        for friend in rng.sample(others[:60], min(count, len(others[:60]))):
            pairs.add((owner, friend))
    for friend in rng.sample(others[-60:], min(5, len(others[-60:]))):
        pairs.add((jiro, friend))
    for member in others:
        for _ in range(rng.randint(1, 6)):
            friend = rng.choice(others)
            if friend != member:
                pairs.add((min(member, friend), max(member, friend)))
    writer = demo_bulk.Writer(lambda n: None)  # a large world has 700,000 rows: plain tuples
    add = writer.rows(Friendship, "member_id friend_id created_at")
    stamp = writer.value_of(DateTime())
    for a, b in sorted(pairs):
        when = _clock.epoch - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
        if {a, b} == {taro, hanako}:
            when = _clock.epoch  # their friendship is the newest: each shows on the other's home
        add((a, b, stamp(when)))
        add((b, a, stamp(when)))
    writer.flush()
    return len(pairs)


AREAS = ("東京都", "大阪府", "神奈川県", "愛知県", "福岡県", "北海道", "京都府", "沖縄県")
HOBBIES = (
    "カフェめぐり",
    "映画鑑賞",
    "ラーメン食べ歩き",
    "写真",
    "ギター",
    "旅行",
    "読書",
    "野球観戦",
)
INTRODUCTIONS = (
    "高校からの友人です。いつも明るくて頼りになります！",
    "会社の同期です。仕事もできて飲み会も楽しい人です。",
    "大学のサークル仲間。旅行に行くと必ず迷子になります(笑)",
)
GENDER_CYCLE = ("female", "male", "other", None)


def _create_social(rng: random.Random, ids: dict[str, int]) -> str:
    """Profiles, introductions, requests, blocks and footprints around the fixed accounts."""
    taro, hanako, jiro = ids["taro"], ids["hanako"], ids["jiro"]
    others = sorted(v for k, v in ids.items() if k.startswith("member"))
    profiles = [
        {
            "member_id": taro,
            "gender": "male",
            "area": "東京都",
            "hobbies": "写真、ラーメン食べ歩き",
            "introduction": "東京で働いています。週末はカメラを持って散歩しています。\n"
            "よろしくお願いします！ http://example.jp/taro",
        },
        {
            "member_id": hanako,
            "gender": "female",
            "area": "神奈川県",
            "hobbies": "カフェめぐり",
            "introduction": "横浜在住です。おいしいケーキ屋さんを教えてください～",
            "birthday_visibility": "friends",
            "age_visibility": "friends",
        },
        {
            "member_id": jiro,
            "gender": "male",
            "area": "大阪府",
            "hobbies": "野球観戦",
            "introduction": "大阪から来ました。タイガースファンです。",
            "area_visibility": "fof",
        },
    ]
    for n, member in enumerate(others[:200]):
        profiles.append(
            {
                "member_id": member,
                "gender": GENDER_CYCLE[n % 4],
                "area": rng.choice(AREAS),
                "hobbies": rng.choice(HOBBIES),
                "introduction": None,
            }
        )
    db.session.execute(insert(Profile), profiles)

    friends_of_taro = [
        f
        for (f,) in db.session.execute(
            select(Friendship.friend_id).where(Friendship.member_id == taro)
        ).all()
    ]
    intros = [
        {
            "subject_id": taro,
            "author_id": hanako,
            "body": INTRODUCTIONS[0],
            "created_at": _clock.epoch,
            "updated_at": _clock.epoch,
        },
        {
            "subject_id": hanako,
            "author_id": taro,
            "body": INTRODUCTIONS[2],
            "created_at": _clock.epoch,
            "updated_at": _clock.epoch,
        },
    ]
    for n, friend in enumerate(f for f in friends_of_taro if f != hanako):
        if n >= 3:
            break
        intros.append(
            {
                "subject_id": taro,
                "author_id": friend,
                "body": INTRODUCTIONS[n % 3],
                "created_at": _clock.epoch - timedelta(days=n + 1),
                "updated_at": _clock.epoch - timedelta(days=n + 1),
            }
        )
    db.session.execute(insert(Introduction), intros)

    strangers = [m for m in others if m not in friends_of_taro][:4]
    requests = [
        {
            "sender_id": s,
            "recipient_id": taro,
            "message": "はじめまして！マイミクになってください。",
            "created_at": _clock.epoch - timedelta(hours=n + 1),
        }
        for n, s in enumerate(strangers[:2])
    ]
    if len(strangers) > 2:
        requests.append(
            {
                "sender_id": taro,
                "recipient_id": strangers[2],
                "message": None,
                "created_at": _clock.epoch - timedelta(hours=5),
            }
        )
    db.session.execute(insert(FriendRequest), requests)

    blocks = []
    if len(strangers) > 3:
        blocks.append(
            {"blocker_id": hanako, "blocked_id": strangers[3], "created_at": _clock.epoch}
        )
    if blocks:
        db.session.execute(insert(Block), blocks)

    visits: dict[tuple[int, int, date], datetime] = {}
    for visited in (taro, hanako):
        for n, visitor in enumerate(rng.sample(others, min(15, len(others)))):
            if visited == hanako and blocks and visitor == blocks[0]["blocked_id"]:
                continue
            moment = _clock.epoch - timedelta(hours=n * 7 + rng.randint(0, 6))
            key = (visited, visitor, (moment + timedelta(hours=9)).date())
            visits[key] = max(visits.get(key, moment), moment)
    visits[(taro, hanako, (_clock.epoch + timedelta(hours=9)).date())] = _clock.epoch
    db.session.execute(
        insert(Footprint),
        [
            {"visited_id": v, "visitor_id": w, "day": d, "visited_at": t}
            for (v, w, d), t in visits.items()
        ],
    )
    return (
        f"{len(profiles)} profiles, {len(intros)} introductions, {len(requests)} requests, "
        f"{len(blocks)} blocks, {len(visits)} footprints"
    )


DIARY_TITLES = (
    "今日のランチ☀",
    "週末の予定",
    "雨の日は読書📚",
    "新しいカメラ",
    "久しぶりの実家",
    "夏休みの計画🌊",
)
DIARY_LINES = (
    "今日は朝から良い天気☀でした。駅前の新しいカフェでモーニングを食べてから会社へ。",
    "仕事帰りに友達とラーメン🍜を食べに行きました。やっぱり豚骨が一番！",
    "週末は家でゆっくり映画を観る予定です。おすすめがあったら教えてください～",
    "最近カメラを始めました📷 写真は http://example.jp/photos にまとめています。",
    "明日は早起きしないといけないので、今日はもう寝ます。おやすみなさい🌙",
)
COMMENTS = (
    "いいですね！",
    "私も行きたいです～",
    "写真見たいです📷",
    "お疲れさまでした！",
    "わかります(笑)",
)
VISIBILITY_CYCLE = ("public", "fof", "friends", "private")


def _demo_photo(rng: random.Random) -> bytes:
    """Return a small JPEG made on the spot (a sky-to-sea gradient)."""
    import io

    from PIL import Image, ImageDraw

    top = (rng.randint(80, 160), rng.randint(150, 210), 255)
    im = Image.new("RGB", (480, 360), top)
    draw = ImageDraw.Draw(im)
    for y in range(180, 360):
        draw.line([(0, y), (480, y)], fill=(20, 80 + (y - 180) // 2, 160))
    draw.ellipse((360, 40, 420, 100), fill=(255, 220, 80))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


def _create_community_photos(rng: random.Random) -> str:
    """Give the first communities a photo as their image, the others their category's emblem
    (:mod:`.emblems`), and the first topic a photo."""
    from ..models import Community, Topic
    from ..services import communities, photos
    from .emblems import emblem_jpeg

    every = db.session.scalars(select(Community).order_by(Community.id)).all()
    for number, community in enumerate(every):
        image = _demo_photo(rng) if number < 3 else emblem_jpeg(community.category)
        photos.set_community_image(communities.admin_of(community), community, image)
    topic = db.session.scalars(select(Topic).order_by(Topic.id).limit(1)).first()
    if topic is not None:
        photos.attach_to_topic(topic.author, topic, [_demo_photo(rng)])
    return f" ({len(every)} with an image, a topic with a photo)"


def _create_diaries(rng: random.Random, ids: dict[str, int]) -> str:
    """Diaries of every visibility for the fixed accounts and some members; comments; photos."""
    from ..services import diaries, diary_comments, photos

    taro, hanako, jiro = (db.session.get_one(Member, ids[k]) for k in ("taro", "hanako", "jiro"))
    # The first 12 generated members (by name), loaded alone: a large world has 100,000.
    generated = [v for k, v in sorted(ids.items()) if k.startswith("member")][:12]
    authors = [taro, hanako, jiro] + [db.session.get_one(Member, v) for v in generated]
    made = []
    for n, author in enumerate(authors):
        for k in range(4 if n < 3 else 1):
            visibility = VISIBILITY_CYCLE[k % 4] if n < 3 else "public"
            lines = [rng.choice(DIARY_LINES) for _ in range(rng.randint(2, 5))]
            made.append(
                diaries.create(
                    author,
                    title=rng.choice(DIARY_TITLES),
                    body="\n".join(lines),
                    visibility=visibility,
                    created_at=_clock.epoch
                    - timedelta(days=k * 3 + n % 5, hours=rng.randint(0, 20)),
                )
            )
    long_body = "\n\n".join(
        f"{n + 1}. " + "".join(rng.choice(DIARY_LINES) for _ in range(3)) for n in range(40)
    )
    long_diary = diaries.create(
        taro,
        title="北海道旅行記(長編)🗻",
        body=long_body,
        visibility="public",
        created_at=_clock.epoch - timedelta(hours=2),
    )
    made.append(long_diary)
    photos.attach(taro, long_diary, [_demo_photo(rng), _demo_photo(rng)])
    count = 0
    readers = [taro, hanako] + authors[3:]
    for diary in made:
        if diary.visibility != "public":
            continue
        for reader in rng.sample(readers, rng.randint(0, 3)):
            if reader.id != diary.author_id:
                diary_comments.THREAD.add(reader, diary, rng.choice(COMMENTS))
                count += 1
    return f"{len(made)} diaries, {count} comments, 2 photos"

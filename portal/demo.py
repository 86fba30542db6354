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

from sqlalchemy import func, insert, select

from .extensions import db
from .models import Block, Footprint, FriendRequest, Friendship, Introduction, Member, Profile
from .services.passwords import hash_password

DEMO_PASSWORD = "keitai-demo"  # noqa: S105 (published demo credentials)
DEMO_DOMAIN = "example.jp"
#: The demo world's clock: everything is dated relative to this moment (UTC).
EPOCH = datetime(2008, 5, 1, 12, 0)

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
    return db.session.scalar(select(func.count(Member.id))) > 0


def planned_size(users: int | None) -> int:
    """Return how many progress steps :func:`seed` reports."""
    return max(users or 0, len(FIXED) + len(NICKNAMES))


def seed(
    *, users: int | None = None, seed: int = 2008, progress: Callable[[int], None] = lambda n: None
) -> str:
    """Create the demo world and return a one-line summary. The caller commits.

    :param users: total members for a large world (at least the small world's size).
    :param seed: the random seed; the same seed gives the same world.
    :param progress: called with the number of members created since the last call.
    """
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)
    total = planned_size(users)
    ids = _create_members(rng, total, password_hash, progress)
    friendships = _create_friendships(rng, ids)
    social = _create_social(rng, ids)
    return f"{len(ids)} members, {friendships} friendships, {social}."


def _member_rows(rng: random.Random, total: int, password_hash: str):
    for local, nickname, birth, operator in FIXED:
        yield {
            "email": f"{local}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "nickname": nickname,
            "birth_date": birth,
            "is_operator": operator,
            "created_at": EPOCH - timedelta(days=400),
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
            "created_at": EPOCH - timedelta(days=rng.randint(1, 399)),
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
    rows = []
    for a, b in sorted(pairs):
        when = EPOCH - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
        if {a, b} == {taro, hanako}:
            when = EPOCH  # their friendship is the newest: each shows on the other's home
        rows.append({"member_id": a, "friend_id": b, "created_at": when})
        rows.append({"member_id": b, "friend_id": a, "created_at": when})
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Friendship), rows[start : start + BATCH])
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
            "created_at": EPOCH,
            "updated_at": EPOCH,
        },
        {
            "subject_id": hanako,
            "author_id": taro,
            "body": INTRODUCTIONS[2],
            "created_at": EPOCH,
            "updated_at": EPOCH,
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
                "created_at": EPOCH - timedelta(days=n + 1),
                "updated_at": EPOCH - timedelta(days=n + 1),
            }
        )
    db.session.execute(insert(Introduction), intros)

    strangers = [m for m in others if m not in friends_of_taro][:4]
    requests = [
        {
            "sender_id": s,
            "recipient_id": taro,
            "message": "はじめまして！マイミクになってください。",
            "created_at": EPOCH - timedelta(hours=n + 1),
        }
        for n, s in enumerate(strangers[:2])
    ]
    if len(strangers) > 2:
        requests.append(
            {
                "sender_id": taro,
                "recipient_id": strangers[2],
                "message": None,
                "created_at": EPOCH - timedelta(hours=5),
            }
        )
    db.session.execute(insert(FriendRequest), requests)

    blocks = []
    if len(strangers) > 3:
        blocks.append({"blocker_id": hanako, "blocked_id": strangers[3], "created_at": EPOCH})
    if blocks:
        db.session.execute(insert(Block), blocks)

    visits = {}
    for visited in (taro, hanako):
        for n, visitor in enumerate(rng.sample(others, min(15, len(others)))):
            if visited == hanako and blocks and visitor == blocks[0]["blocked_id"]:
                continue
            moment = EPOCH - timedelta(hours=n * 7 + rng.randint(0, 6))
            key = (visited, visitor, (moment + timedelta(hours=9)).date())
            visits[key] = max(visits.get(key, moment), moment)
    visits[(taro, hanako, (EPOCH + timedelta(hours=9)).date())] = EPOCH
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

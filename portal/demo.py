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
from .models import Friendship, Member
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
    return f"{len(ids)} members, {friendships} friendships."


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
        when = EPOCH - timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1440))
        rows.append({"member_id": a, "friend_id": b, "created_at": when})
        rows.append({"member_id": b, "friend_id": a, "created_at": when})
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Friendship), rows[start : start + BATCH])
    return len(pairs)

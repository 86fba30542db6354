"""The demo world's members (called from :func:`portal.demo.seed`): the fixed accounts and
generated ones (nicknames from a pool), written in batches, and their friendships: たろう and
はなこ friends of each other, each with a circle of their own, じろう a friend of neither.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import DateTime, insert, select

from ..extensions import db
from ..models import Friendship, Member
from . import bulk as demo_bulk

DEMO_PASSWORD = "keitai-demo"  # noqa: S105 (published demo credentials)
DEMO_DOMAIN = "example.jp"

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


def _member_rows(rng: random.Random, total: int, password_hash: str, epoch: datetime):
    for local, nickname, birth, operator in FIXED:
        yield {
            "email": f"{local}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "nickname": nickname,
            "birth_date": birth,
            "is_operator": operator,
            "created_at": epoch - timedelta(days=400),
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
            "created_at": epoch - timedelta(days=rng.randint(1, 399)),
            "login_stopped": False,
        }


def create_members(rng, total, password_hash, progress, epoch: datetime) -> dict[str, int]:
    batch: list[dict] = []
    for row in _member_rows(rng, total, password_hash, epoch):
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


def create_friendships(rng: random.Random, ids: dict[str, int], epoch: datetime) -> int:
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
        when = epoch - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
        if {a, b} == {taro, hanako}:
            when = epoch  # their friendship is the newest: each shows on the other's home
        add((a, b, stamp(when)))
        add((b, a, stamp(when)))
    writer.flush()
    return len(pairs)

"""The demo world's social ties around the fixed accounts (called from
:func:`portal.demo.seed`): profiles, introductions, マイミク requests, a block and footprints.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from ..extensions import db
from ..models import Block, Footprint, FriendRequest, Friendship, Introduction, Profile

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


def create_social(rng: random.Random, ids: dict[str, int], epoch: datetime) -> str:
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
            "created_at": epoch,
            "updated_at": epoch,
        },
        {
            "subject_id": hanako,
            "author_id": taro,
            "body": INTRODUCTIONS[2],
            "created_at": epoch,
            "updated_at": epoch,
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
                "created_at": epoch - timedelta(days=n + 1),
                "updated_at": epoch - timedelta(days=n + 1),
            }
        )
    db.session.execute(insert(Introduction), intros)

    strangers = [m for m in others if m not in friends_of_taro][:4]
    requests = [
        {
            "sender_id": s,
            "recipient_id": taro,
            "message": "はじめまして！マイミクになってください。",
            "created_at": epoch - timedelta(hours=n + 1),
        }
        for n, s in enumerate(strangers[:2])
    ]
    if len(strangers) > 2:
        requests.append(
            {
                "sender_id": taro,
                "recipient_id": strangers[2],
                "message": None,
                "created_at": epoch - timedelta(hours=5),
            }
        )
    db.session.execute(insert(FriendRequest), requests)

    blocks = []
    if len(strangers) > 3:
        blocks.append({"blocker_id": hanako, "blocked_id": strangers[3], "created_at": epoch})
    if blocks:
        db.session.execute(insert(Block), blocks)

    visits: dict[tuple[int, int, date], datetime] = {}
    for visited in (taro, hanako):
        for n, visitor in enumerate(rng.sample(others, min(15, len(others)))):
            if visited == hanako and blocks and visitor == blocks[0]["blocked_id"]:
                continue
            moment = epoch - timedelta(hours=n * 7 + rng.randint(0, 6))
            key = (visited, visitor, (moment + timedelta(hours=9)).date())
            visits[key] = max(visits.get(key, moment), moment)
    visits[(taro, hanako, (epoch + timedelta(hours=9)).date())] = epoch
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

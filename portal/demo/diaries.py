"""The demo world's diaries (called from :func:`portal.demo.seed`): every visibility for the
fixed accounts, one each for some members, a long one with photos, and comments.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..extensions import db
from ..models import Member
from .photos import demo_photo

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


def create_diaries(rng: random.Random, ids: dict[str, int], epoch: datetime) -> str:
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
                    created_at=epoch - timedelta(days=k * 3 + n % 5, hours=rng.randint(0, 20)),
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
        created_at=epoch - timedelta(hours=2),
    )
    made.append(long_diary)
    photos.attach(taro, long_diary, [demo_photo(rng), demo_photo(rng)])
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

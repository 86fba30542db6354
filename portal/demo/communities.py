"""The demo world's communities (called from :func:`portal.demo.seed`): ten of each kind (open,
by approval, topics hidden from non-members), with topics, numbered comments, events (coming
and past) with participants and numbered comments, join requests, and schedule entries.

たろう and はなこ are in several (たろう is the admin of some, with requests waiting); じろう is
in none of theirs (only in communities neither of them joined). Everything is dated from the
world's clock, so new topics show on home and events fall in the coming weeks.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import insert, update

from ..extensions import db
from ..models import (
    Community,
    CommunityMember,
    Event,
    EventComment,
    EventParticipant,
    JoinRequest,
    ScheduleEntry,
    Topic,
    TopicComment,
)
from ..models._time import from_tokyo, to_tokyo
from ..models.community import ADMIN, APPROVAL, MANAGERS, MEMBER, MEMBERS, OPEN, SUBADMIN

#: (name, category, description) of the demo communities, ten per kind.
COMMUNITIES = (
    (
        "ラーメン大好き",
        "food",
        "ラーメンが好きな人のコミュニティです。おすすめのお店を教えてください🍜",
    ),
    ("カフェめぐり部", "food", "休日はカフェでのんびり☕ 素敵なお店の情報交換をしましょう。"),
    ("デジカメ写真部", "hobbies", "デジカメで撮った写真の話をしましょう📷 初心者歓迎！"),
    ("阪神タイガース", "sports", "虎ファン集まれ！試合の感想や観戦オフの相談はこちらで。"),
    ("ハリー・ポッター", "books", "本も映画も大好きな人のコミュニティです。ネタバレ注意！"),
    ("猫好き集まれ", "animals", "猫と暮らす人、猫が好きな人のコミュニティ🐱 写真自慢も大歓迎。"),
    ("横浜在住", "area", "横浜に住んでいる人、働いている人のコミュニティです。"),
    ("ドラクエ好き", "games", "ドラゴンクエストシリーズが好きな人の集まりです。"),
    ("朝型人間", "other", "早起きが好きな人のコミュニティです。朝活しませんか？☀"),
    ("Mr.Children", "music", "ミスチルが好きな人のコミュニティ♪ ライブの話もどうぞ。"),
    ("東京大学", "school", "東大の卒業生・在校生のコミュニティです。参加は承認制です。"),
    ("フットサル仲間", "sports", "週末にフットサルをする仲間を募集しています⚽ 参加は承認制です。"),
    ("英会話サークル", "hobbies", "英語で話す練習をしましょう。月に一度オフ会をしています。"),
    ("北海道旅行", "travel", "北海道旅行の情報交換をしましょう🗻 おすすめの宿も教えてね。"),
    ("ワイン会", "food", "ワイン好きが集まる会です。参加は承認制です🍷"),
    ("Linuxユーザー会", "computers", "Linuxの話題ならなんでも。初心者の質問も歓迎です。"),
    ("手作りお菓子", "hobbies", "お菓子作りが好きな人のコミュニティです🍰 レシピ交換しましょう。"),
    ("ジブリ映画", "movies", "スタジオジブリの映画が好きな人のコミュニティです。"),
    ("ファッション研究会", "fashion", "おしゃれについて語りましょう。参加は承認制です。"),
    ("某社同期会", "work", "同期入社のメンバー専用です。承認制です。"),
    ("大阪グルメ", "food", "大阪のおいしいお店を紹介し合うコミュニティです。"),
    ("マラソン部", "sports", "フルマラソン完走を目指す人のコミュニティ🏃 練習会もあります。"),
    ("読書記録", "books", "読んだ本の感想を書きましょう📚"),
    ("ガンダム好き", "tv", "ガンダムシリーズのファンのコミュニティです。"),
    ("京都散歩", "area", "京都の街歩きが好きな人の集まりです。"),
    ("ギター弾き語り", "music", "ギターで弾き語りをする人のコミュニティです🎸"),
    ("プログラマ雑談", "computers", "プログラマのための雑談コミュニティです。"),
    ("キャンプ部", "hobbies", "キャンプ好き集まれ！道具の話やキャンプ場の情報をどうぞ。"),
    ("韓国ドラマ", "tv", "韓国ドラマの感想を語り合いましょう。"),
    ("週末ゴルフ", "sports", "週末にゴルフを楽しむ人のコミュニティです⛳"),
)
#: Kinds, ten communities each: (join policy, topics readable by non-members).
KINDS = ((OPEN, True), (APPROVAL, True), (OPEN, False))

TOPIC_TITLES = (
    "自己紹介トピック",
    "おすすめ教えてください",
    "雑談トピ",
    "質問です",
    "オフ会の相談",
    "初心者です",
)
TOPIC_BODIES = (
    "はじめまして！参加したばかりです。よろしくお願いします。",
    "最近ハマっているものを教えてください～",
    "なんでも気軽に書き込んでください(^^)",
    "詳しい方、ぜひ教えてください。よろしくお願いします！",
)
COMMENTS = (
    "よろしくお願いします！",
    "私もです(笑)",
    "それ、いいですね！",
    "参考になります。ありがとうございます。",
    "今度行ってみます～",
    "わかります！",
)
EVENT_TITLES = ("オフ会", "飲み会", "練習会", "見学会", "新年会", "勉強会")
PLACES = ("渋谷駅ハチ公前", "新宿のカフェ", "横浜駅西口", "梅田駅", "上野公園", "オンライン")
EVENT_COMMENTS = (
    "参加します！よろしくお願いします。",
    "何時ごろ終わる予定ですか？",
    "初参加ですが大丈夫でしょうか(^^;",
    "飲み物を持っていきますね🍺",
    "少し遅れるかもしれません。",
    "楽しみにしています♪",
    "雨の場合はどうなりますか？",
)


def create_communities(ids: dict[str, int], epoch: datetime, seed: int = 2008) -> str:
    """Create the demo communities and return a summary. The caller commits.

    :param ids: member ids by e-mail local part (``taro``, ``hanako``, ``jiro``, ``member1``...).
    :param epoch: the world's clock (naive UTC).
    """
    rng = random.Random(seed)
    # Event comments draw from their own generator, so the rest of the world stays as it was.
    talk = random.Random(seed + 1)
    taro, hanako, jiro = ids["taro"], ids["hanako"], ids["jiro"]
    others = sorted(v for k, v in ids.items() if k.startswith("member"))[:60]
    counts = {"topics": 0, "comments": 0, "events": 0, "event_comments": 0}
    made = []
    for n, (name, category, description) in enumerate(COMMUNITIES):
        policy, public = KINDS[n // 10]
        people = rng.sample(others, rng.randint(4, min(20, len(others))))
        if n % 10 in (0, 1, 2, 4, 6):
            people.append(taro)
        if n % 10 in (1, 3, 4, 7):
            people.append(hanako)
        if n % 10 in (8, 9) and taro not in people and hanako not in people:
            people.append(jiro)
        admin = taro if n in (0, 10, 20) else hanako if n in (1, 11) else people[0]
        if admin not in people:
            people.insert(0, admin)
        community = Community(
            name=name,
            description=description,
            category=category,
            join_policy=policy,
            topics_public=public,
            topic_creators=MANAGERS if n % 7 == 5 else MEMBERS,
            member_count=len(set(people)),
            created_at=epoch - timedelta(days=300 - n * 7),
            updated_at=epoch - timedelta(days=300 - n * 7),
        )
        db.session.add(community)
        db.session.flush()
        members = list(dict.fromkeys(people))
        for k, member in enumerate(members):
            role = ADMIN if member == admin else SUBADMIN if k == 1 else MEMBER
            db.session.add(
                CommunityMember(
                    community_id=community.id,
                    member_id=member,
                    role=role,
                    joined_at=community.created_at + timedelta(days=k),
                )
            )
        if policy == APPROVAL and admin in (taro, hanako):
            waiting = [m for m in others if m not in members][:2]
            for k, member in enumerate(waiting):
                db.session.add(
                    JoinRequest(
                        community_id=community.id,
                        member_id=member,
                        message="はじめまして。参加させてください！" if k == 0 else None,
                        created_at=epoch - timedelta(hours=k + 3),
                    )
                )
        _topics(rng, community, members, epoch, counts, long=n == 0)
        _events(rng, community, members, epoch, counts, talk)
        made.append(community)
    _schedule(taro, epoch)
    return (
        f"{len(made)} communities, {counts['topics']} topics, {counts['comments']} topic comments, "
        f"{counts['events']} events, {counts['event_comments']} event comments"
    )


def _topics(rng, community, members, epoch, counts, *, long: bool) -> None:
    for k in range(rng.randint(2, 4)):
        author = members[0] if k == 0 else rng.choice(members)
        created = epoch - timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 20))
        body = rng.choice(TOPIC_BODIES)
        if long and k == 0:
            body = "\n\n".join(
                f"{p + 1}. " + "".join(rng.choice(TOPIC_BODIES) for _ in range(4))
                for p in range(20)
            )
        topic = Topic(
            community_id=community.id,
            author_id=author,
            title=rng.choice(TOPIC_TITLES),
            body=body,
            created_at=created,
            updated_at=created,
            last_activity_at=created,
        )
        db.session.add(topic)
        db.session.flush()
        comments = _comment_on(
            rng, topic, members, epoch, count=rng.randint(0, 6), minutes=(5, 600), bodies=COMMENTS
        )
        counts["topics"] += 1
        counts["comments"] += comments


def _events(rng, community, members, epoch, counts, talk) -> None:
    for k in range(rng.randint(1, 2)):
        coming = k == 0
        days = rng.randint(2, 40) if coming else -rng.randint(5, 60)
        starts = (epoch + timedelta(days=days)).replace(hour=rng.choice((1, 4, 9, 10)))
        capacity = rng.choice((None, 10, 20))
        taking_part = rng.sample(members, min(len(members), rng.randint(1, 8)))
        if capacity is not None:
            taking_part = taking_part[:capacity]
        event = Event(
            community_id=community.id,
            author_id=members[0],
            title=rng.choice(EVENT_TITLES),
            body="参加希望の方は「参加する」を押してください。お気軽にどうぞ！",
            starts_at=starts,
            place=rng.choice(PLACES),
            deadline=(starts + timedelta(hours=9) - timedelta(days=1)).date() if coming else None,
            capacity=capacity,
            joined=len(taking_part),
            created_at=epoch - timedelta(days=rng.randint(1, 10)),
            updated_at=epoch - timedelta(days=rng.randint(0, 1)),
        )
        db.session.add(event)
        db.session.flush()
        db.session.execute(
            insert(EventParticipant),
            [{"event_id": event.id, "member_id": m, "joined_at": epoch} for m in taking_part],
        )
        counts["event_comments"] += _event_comments(talk, event, members, epoch)
        counts["events"] += 1


def _event_comments(talk, event, members, epoch) -> int:
    """Give an event a few numbered comments (coming events always some); return how many."""
    count = talk.randint(1 if event.starts_at > epoch else 0, 4)
    return _comment_on(
        talk, event, members, epoch, count=count, minutes=(10, 900), bodies=EVENT_COMMENTS
    )


def _comment_on(rng, parent, members, epoch, *, count, minutes, bodies) -> int:
    """Give a topic or an event ``count`` numbered comments, each some ``minutes`` (a range)
    after the one before, from its creation on, none after ``epoch``; number the parent as
    the threads do (a comment is a topic's latest activity). Return how many."""
    comment, key = {Topic: (TopicComment, "topic_id"), Event: (EventComment, "event_id")}[
        type(parent)
    ]
    rows = []
    when = parent.created_at
    for number in range(1, count + 1):
        when += timedelta(minutes=rng.randint(*minutes))
        rows.append(
            {
                key: parent.id,
                "author_id": rng.choice(members),
                "number": number,
                "body": rng.choice(bodies),
                "created_at": min(when, epoch),
            }
        )
    if rows:
        values = {"last_comment_number": len(rows), "comment_count": len(rows)}
        if isinstance(parent, Topic):
            values["last_activity_at"] = rows[-1]["created_at"]
        db.session.execute(insert(comment), rows)
        db.session.execute(update(type(parent)).where(type(parent).id == parent.id).values(values))
    return len(rows)


def _schedule(member_id: int, epoch: datetime) -> None:
    db.session.add_all(
        [
            ScheduleEntry(
                member_id=member_id,
                title="歯医者",
                starts_at=from_tokyo(to_tokyo(epoch).date() + timedelta(days=3), time(16, 30)),
                has_time=True,
                created_at=epoch,
            ),
            ScheduleEntry(
                member_id=member_id,
                title="母の誕生日",
                starts_at=from_tokyo(to_tokyo(epoch).date() + timedelta(days=10)),
                has_time=False,
                created_at=epoch,
            ),
        ]
    )

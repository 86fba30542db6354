"""The demo world's messages and reviews (called from :func:`portal.demo.seed`).

Everything is dated relative to the world's epoch (``portal.demo._clock.epoch``), so unread
messages and friends' newest reviews show on home whenever the world was seeded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Friendship, Member

MESSAGE_LINES = (
    "こんにちは！お元気ですか？",
    "この前はありがとうございました～",
    "写真を送りますね📷 http://example.jp/photos",
    "来週の土曜日、空いていますか？",
    "また飲みに行きましょう🍺",
)


def create_messages(ids: dict[str, int], epoch: datetime) -> str:
    """Messages around taro and hanako: unread ones for taro, a reply, a draft and trash."""
    from ..services import messages
    from ..services.visibility import is_blocked

    taro, hanako, jiro = (db.session.get_one(Member, ids[k]) for k in ("taro", "hanako", "jiro"))
    candidates = sorted(v for k, v in ids.items() if k.startswith("member"))[:40]
    others = [
        db.session.get_one(Member, v)
        for v in candidates
        if not (is_blocked(taro.id, v) or is_blocked(hanako.id, v))
    ]
    sent = []

    def send(sender, recipient, subject, body, hours, *, read=True, reply_to=None):
        message = messages.send(
            sender,
            to=recipient.id,
            subject=subject,
            body=body,
            reply_to=reply_to,
            now=epoch - timedelta(hours=hours),
        )
        if read:
            message.read_at = message.created_at + timedelta(minutes=30)
        sent.append(message)
        return message

    question = send(
        taro,
        hanako,
        "週末の予定",
        "はなこさん、土曜日の10時〜12時は空いていますか？\n横浜のカフェに行きましょう☕",
        72,
    )
    send(
        hanako,
        taro,
        messages.reply_subject(question.subject),
        "空いています！楽しみにしています♪" + messages.quote(question.body),
        48,
        reply_to=question,
    )
    send(
        hanako,
        taro,
        "飲み会の件",
        "来週の飲み会、お店を予約しました🍺\n19時〜駅前です。",
        2,
        read=False,
    )
    for n, sender in enumerate(others[:10]):
        unread = n < 2
        send(sender, taro, f"お知らせ{n + 1}", MESSAGE_LINES[n % 5], 5 + n * 11, read=not unread)
    send(jiro, taro, "はじめまして", "じろうです。写真、いつも見ています！", 30)
    for n, sender in enumerate(others[10:13]):
        send(sender, hanako, "こんにちは", MESSAGE_LINES[(n + 1) % 5], 6 + n * 9, read=n > 0)
    old = send(others[12], taro, "古いお知らせ", MESSAGE_LINES[4], 24 * 20)
    messages.trash(taro, old, now=epoch - timedelta(days=2))
    spam = send(others[13], hanako, "ご案内", MESSAGE_LINES[0], 24 * 5)
    messages.trash(hanako, spam, now=epoch - timedelta(days=1))
    messages.save_draft(
        taro,
        to=hanako.id,
        subject="この前の写真",
        body="写真を整理したら送ります。少し待っててね",
        now=epoch - timedelta(hours=1),
    )
    return f"{len(sent)} messages, 1 draft"


REVIEWS = (
    # title, category, rating, url, body
    (
        "ノルウェイの森",
        "book",
        5,
        "http://example.jp/books/norwegian-wood",
        "何度読んでも新しい発見があります。秋の夜長におすすめ📚",
    ),
    (
        "ALWAYS 三丁目の夕日",
        "film",
        4,
        None,
        "昭和の東京の雰囲気が最高でした。家族で観たい一本です。",
    ),
    (
        "星の勇者たち",
        "game",
        4,
        "http://example.jp/games/hoshi",
        "世界が広くて寄り道ばかり(笑)",
    ),
    ("HANABI", "music", 3, None, "ドライブのお供に。サビがとても良いです🎵"),
    (
        "駅前のラーメン屋",
        "other",
        2,
        "http://example.jp/ramen",
        "スープは濃いめ。麺はもう少し固めが好きかな。",
    ),
)


def create_reviews(ids: dict[str, int], epoch: datetime) -> str:
    """Reviews by taro's friends (hanako first) for taro's home, and one of taro's own."""
    from ..services import reviews

    taro, hanako = (db.session.get_one(Member, ids[k]) for k in ("taro", "hanako"))
    friends = [
        db.session.get_one(Member, f)
        for (f,) in db.session.execute(
            select(Friendship.friend_id)
            .where(Friendship.member_id == taro.id, Friendship.friend_id != hanako.id)
            .order_by(Friendship.friend_id)
        )
    ]
    authors = [hanako, hanako, *friends[:2], taro]
    for n, (author, (title, category, rating, url, body)) in enumerate(
        zip(authors, REVIEWS, strict=False)
    ):
        reviews.create(
            author,
            title=title,
            category=category,
            rating=rating,
            url=url,
            body=body,
            created_at=epoch - timedelta(hours=3 + n * 20),
        )
    return f"{min(len(authors), len(REVIEWS))} reviews"

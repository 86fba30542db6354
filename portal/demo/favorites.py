"""The demo world's favourites (お気に入り), called from :func:`portal.demo.seed` after the
diaries: たろう and はなこ each follow a few members who are not their friends and wrote public
diaries lately, so both homes show a "Favourites' diaries" section."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Diary, Favorite, Friendship


def create_favorites(ids: dict[str, int], epoch: datetime) -> str:
    """たろう follows 3 and はなこ 2 of the members with the newest public diaries (never じろう,
    the fixed accounts or a friend of theirs)."""
    fixed = [ids[k] for k in ("taro", "hanako", "jiro", "admin")]
    made = 0
    for name, how_many, skip in (("taro", 3, 0), ("hanako", 2, 3)):
        member_id = ids[name]
        friends = select(Friendship.friend_id).where(Friendship.member_id == member_id)
        authors = db.session.scalars(
            select(Diary.author_id)
            .where(
                Diary.visibility == "public",
                Diary.created_at >= epoch - timedelta(days=20),
                Diary.author_id.not_in(fixed),
                Diary.author_id.not_in(friends),
            )
            .group_by(Diary.author_id)
            .order_by(func.max(Diary.created_at).desc(), Diary.author_id)
            .offset(skip)
            .limit(how_many)
        ).all()
        for n, author in enumerate(authors):
            db.session.add(
                Favorite(
                    member_id=member_id,
                    favorite_id=author,
                    created_at=epoch - timedelta(days=3, hours=n),
                )
            )
            made += 1
    db.session.flush()
    return f"{made} favourites"

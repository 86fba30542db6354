"""The demo world's photo albums (フォトアルバム), called from :func:`portal.demo.seed`: たろう
has a public album and one for friends, はなこ a new one for friends (on たろう's home), and じろう
a public one, each with captioned photos made on the spot."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from ..extensions import db
from ..models import Member

#: (owner, title, description, visibility, days before the epoch, captions)
ALBUMS = (
    (
        "taro",
        "鎌倉散歩📷",
        "週末にカメラを持って鎌倉を歩きました。",
        "public",
        12,
        ("鶴岡八幡宮", "小町通り", "由比ヶ浜の夕焼け"),
    ),
    ("taro", "ラーメン記録🍜", "食べ歩きの記録です。", "friends", 6, ("醤油", "味噌")),
    ("hanako", "横浜のカフェ☕", "おすすめのお店です。", "friends", 2, ("ケーキ", "窓の外")),
    ("jiro", "甲子園⚾", "", "public", 9, ("試合前",)),
)


def _picture(rng: random.Random) -> bytes:
    """A small JPEG: a sky-to-ground gradient with a sun, colours from ``rng``."""
    from PIL import Image, ImageDraw

    sky = (rng.randint(90, 200), rng.randint(140, 220), 255)
    ground = (rng.randint(20, 120), rng.randint(80, 160), rng.randint(40, 120))
    im = Image.new("RGB", (480, 360), sky)
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 220, 480, 360), fill=ground)
    x = rng.randint(40, 400)
    draw.ellipse((x, 40, x + 50, 90), fill=(255, 220, 80))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


def create_albums(ids: dict[str, int], epoch: datetime, rng: random.Random) -> str:
    """Make the demo albums with their photos, dated before the epoch."""
    from ..services import albums

    made = photos = 0
    for owner_name, title, description, visibility, days, captions in ALBUMS:
        owner = db.session.get_one(Member, ids[owner_name])
        album = albums.create(owner, title=title, description=description, visibility=visibility)
        album.created_at = album.updated_at = epoch - timedelta(days=days)
        for caption in captions:
            albums.add_photos(owner, album, [_picture(rng)], caption)
            photos += 1
        album.updated_at = epoch - timedelta(days=days)
        made += 1
    db.session.flush()
    return f"{made} albums with {photos} photos"

"""The demo world's photos, drawn on the spot (no downloads): a landscape JPEG, the
communities' images (called from :func:`portal.demo.seed`) and the first topic's photo.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from ..extensions import db


def demo_photo(rng: random.Random) -> bytes:
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


def create_community_photos(rng: random.Random) -> str:
    """Give the first communities a photo as their image, the others their category's emblem
    (:mod:`.emblems`), and the first topic a photo."""
    from ..models import Community, Topic
    from ..services import communities, photos
    from .emblems import emblem_jpeg

    every = db.session.scalars(select(Community).order_by(Community.id)).all()
    for number, community in enumerate(every):
        image = demo_photo(rng) if number < 3 else emblem_jpeg(community.category)
        photos.set_community_image(communities.admin_of(community), community, image)
    topic = db.session.scalars(select(Topic).order_by(Topic.id).limit(1)).first()
    if topic is not None:
        photos.attach_to_topic(topic.author, topic, [demo_photo(rng)])
    return f" ({len(every)} with an image, a topic with a photo)"

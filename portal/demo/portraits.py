"""Demo profile photos: portraits drawn with Pillow, the same for the same number (no
downloads, no randomness outside the seed), so screenshots and checks see the same world.

The small world gives most members a main photo through the ordinary service (EXIF-free copies,
squares for avatars); じろう keeps none, so the neutral picture shows too. The large world
(``seed-demo --users N``) gives one generated member in :data:`LARGE_SHARE` a photo cheaply:
a few portraits are encoded once and their bytes written in bulk rows.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

#: Pastel grounds, skin tones, hair and shirt colours the portraits are drawn from.
_GROUNDS = ((255, 228, 196), (204, 232, 255), (214, 245, 214), (255, 214, 231), (240, 230, 255))
_SKINS = ((255, 224, 196), (250, 211, 175), (236, 192, 150), (214, 166, 122))
_HAIRS = ((40, 30, 25), (90, 55, 30), (150, 95, 45), (30, 30, 40), (170, 120, 70))
_SHIRTS = ((255, 102, 0), (51, 102, 204), (0, 153, 102), (204, 51, 102), (102, 102, 153))
#: How many of the generated members of the large world have a photo (one in this many).
LARGE_SHARE = 20
#: The large world's distinct portraits (their bytes are shared by every copy).
LARGE_PORTRAITS = 8


def portrait(number: int, side: int = 360) -> Image.Image:
    """Draw portrait ``number``: a smiling head and shoulders on a pastel ground."""
    rng = random.Random(f"portrait-{number}")
    im = Image.new("RGB", (side, side), rng.choice(_GROUNDS))
    draw = ImageDraw.Draw(im)
    s = side / 100
    skin, hair, shirt = rng.choice(_SKINS), rng.choice(_HAIRS), rng.choice(_SHIRTS)
    long_hair = rng.random() < 0.5
    draw.ellipse((18 * s, 74 * s, 82 * s, 130 * s), fill=shirt)  # shoulders
    draw.rectangle((43 * s, 62 * s, 57 * s, 80 * s), fill=skin)  # neck
    if long_hair:
        draw.rounded_rectangle((25 * s, 22 * s, 75 * s, 82 * s), radius=18 * s, fill=hair)
    draw.ellipse((30 * s, 24 * s, 70 * s, 70 * s), fill=skin)  # face
    draw.chord((27 * s, 15 * s, 73 * s, 63 * s), 180, 360, fill=hair)  # hair and fringe
    eye_y = 46 * s
    for x in (41, 59):
        draw.ellipse(
            ((x - 2.2) * s, eye_y - 2.6 * s, (x + 2.2) * s, eye_y + 2.6 * s), fill=(40, 30, 30)
        )
    for x in (37, 63):
        draw.ellipse(((x - 3.5) * s, 53 * s, (x + 3.5) * s, 57 * s), fill=(255, 170, 170))
    draw.arc(
        (43 * s, 50 * s, 57 * s, 61 * s), 20, 160, fill=(170, 60, 60), width=max(1, int(1.4 * s))
    )
    if rng.random() < 0.3:  # glasses
        for x in (41, 59):
            draw.ellipse(
                ((x - 6) * s, eye_y - 5 * s, (x + 6) * s, eye_y + 5 * s),
                outline=(60, 60, 60),
                width=max(1, int(s)),
            )
        draw.line((47 * s, eye_y, 53 * s, eye_y), fill=(60, 60, 60), width=max(1, int(s)))
    return im


def portrait_jpeg(number: int, side: int = 360) -> bytes:
    """Return portrait ``number`` as JPEG bytes, as a member would upload it."""
    out = io.BytesIO()
    portrait(number, side).save(out, "JPEG", quality=85)
    return out.getvalue()


def give_small_world(ids: dict[str, int]) -> str:
    """Give the small world's members their photos through the ordinary service: たろう one,
    はなこ two, two generated members in three one each; じろう and the operator none."""
    from ..extensions import db
    from ..models import Member
    from ..services import profile_photos

    plan = {"taro": [4], "hanako": [5, 1]}
    for key in ids:
        if key.startswith("member") and int(key[6:]) % 3 and int(key[6:]) <= 30:
            plan[key] = [10 + int(key[6:])]
    for key, numbers in plan.items():
        member = db.session.get_one(Member, ids[key])
        profile_photos.add(member, [portrait_jpeg(n) for n in numbers])
    return f"{sum(map(len, plan.values()))} profile photos"


def large_rows(
    member_ids: list[int], *, first_id: int, moment: Callable[[], object]
) -> tuple[list[dict], list[dict]]:
    """Return the photo and photo-variant rows giving one of every :data:`LARGE_SHARE` of
    ``member_ids`` a main photo: :data:`LARGE_PORTRAITS` portraits encoded once (the
    ordinary copies, squares included) and their bytes repeated."""
    from ..services.profile_photos import encodings

    drawn = [portrait(100 + n, 180) for n in range(LARGE_PORTRAITS)]
    encoded = [encodings(im) for im in drawn]
    photos, variants = [], []
    for n, member_id in enumerate(member_ids[::LARGE_SHARE]):
        kind = n % LARGE_PORTRAITS
        photo_id = first_id + n
        group = encoded[kind]
        photos.append(
            {
                "id": photo_id,
                "owner_id": member_id,
                "profile_member_id": member_id,
                "position": 1,
                "width": drawn[kind].width,
                "height": drawn[kind].height,
                "stored_bytes": sum(len(e.data) for e in group.values()),
                "created_at": moment(),
            }
        )
        variants += [
            {"photo_id": photo_id, "variant": name, "mimetype": e.mimetype, "data": e.data}
            for name, e in group.items()
        ]
    return photos, variants

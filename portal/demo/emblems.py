"""Demo community images: emblems drawn with Pillow, one motif per category on its own colour
(no downloads, the same every time), so community lists show thumbnails as members' would."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

#: Ground and ink of each category's emblem.
_COLOURS = {
    "music": ((255, 214, 231), (190, 40, 110)),
    "movies": ((60, 60, 80), (250, 210, 90)),
    "tv": ((214, 234, 255), (40, 90, 170)),
    "books": ((255, 240, 205), (150, 90, 40)),
    "games": ((225, 215, 255), (100, 60, 180)),
    "sports": ((205, 240, 210), (20, 120, 60)),
    "food": ((255, 226, 200), (210, 90, 20)),
    "travel": ((200, 230, 255), (30, 110, 170)),
    "area": ((220, 240, 225), (40, 120, 90)),
    "school": ((235, 230, 215), (110, 80, 50)),
    "work": ((230, 232, 238), (70, 80, 110)),
    "hobbies": ((255, 245, 200), (200, 120, 0)),
    "animals": ((255, 235, 215), (170, 100, 50)),
    "fashion": ((250, 220, 240), (170, 50, 130)),
    "computers": ((215, 240, 240), (20, 110, 120)),
    "other": ((255, 244, 214), (230, 130, 0)),
}


def _motif(draw: ImageDraw.ImageDraw, category: str, ink, ground, s: float) -> None:
    """Draw the category's motif in a 100-unit square scaled by ``s``."""

    def box(x0, y0, x1, y1):
        return (x0 * s, y0 * s, x1 * s, y1 * s)

    w = max(2, int(4 * s))
    if category == "music":  # a quaver
        draw.ellipse(box(28, 60, 48, 76), fill=ink)
        draw.rectangle(box(44, 24, 49, 68), fill=ink)
        draw.polygon(
            [(49 * s, 24 * s), (70 * s, 34 * s), (70 * s, 44 * s), (49 * s, 36 * s)], fill=ink
        )
    elif category in ("movies", "tv"):  # a screen
        draw.rounded_rectangle(box(18, 26, 82, 70), radius=6 * s, fill=ink)
        draw.rectangle(box(24, 32, 76, 64), fill=ground)
        draw.polygon([(44 * s, 40 * s), (44 * s, 56 * s), (58 * s, 48 * s)], fill=ink)
        draw.rectangle(box(40, 72, 60, 78), fill=ink)
    elif category in ("books", "school"):  # an open book
        draw.polygon(
            [(16 * s, 30 * s), (50 * s, 38 * s), (50 * s, 78 * s), (16 * s, 70 * s)], fill=ink
        )
        draw.polygon(
            [(84 * s, 30 * s), (50 * s, 38 * s), (50 * s, 78 * s), (84 * s, 70 * s)], fill=ink
        )
        for y in (46, 54, 62):
            draw.line(box(22, y - 4, 44, y), fill=ground, width=max(1, int(2 * s)))
            draw.line(box(56, y, 78, y - 4), fill=ground, width=max(1, int(2 * s)))
    elif category == "games":  # a pad
        draw.rounded_rectangle(box(16, 36, 84, 68), radius=14 * s, fill=ink)
        draw.rectangle(box(27, 48, 41, 54), fill=ground)
        draw.rectangle(box(31, 44, 37, 58), fill=ground)
        draw.ellipse(box(60, 44, 67, 51), fill=ground)
        draw.ellipse(box(68, 51, 75, 58), fill=ground)
    elif category == "sports":  # a ball
        draw.ellipse(box(24, 24, 76, 76), fill=(255, 255, 255), outline=ink, width=w)
        draw.regular_polygon((50 * s, 50 * s, 10 * s), 5, fill=ink)
        for x, y in ((50, 28), (29, 44), (71, 44), (37, 70), (63, 70)):
            draw.line((50 * s, 50 * s, x * s, y * s), fill=ink, width=max(1, int(2 * s)))
    elif category == "food":  # a bowl with steam
        draw.chord(box(18, 30, 82, 82), 0, 180, fill=ink)
        draw.rectangle(box(14, 54, 86, 58), fill=ink)
        for x in (38, 50, 62):
            draw.arc(box(x - 5, 22, x + 5, 36), 90, 270, fill=ink, width=max(1, int(2.5 * s)))
            draw.arc(box(x - 5, 34, x + 5, 48), 270, 90, fill=ink, width=max(1, int(2.5 * s)))
    elif category in ("travel", "area"):  # mountains and the sun
        draw.ellipse(box(60, 18, 80, 38), fill=(255, 190, 60))
        draw.polygon([(10 * s, 80 * s), (40 * s, 34 * s), (70 * s, 80 * s)], fill=ink)
        draw.polygon([(44 * s, 80 * s), (66 * s, 48 * s), (90 * s, 80 * s)], fill=ink)
        draw.polygon([(34 * s, 43 * s), (40 * s, 34 * s), (46 * s, 43 * s)], fill=(255, 255, 255))
    elif category == "work":  # a briefcase
        draw.rounded_rectangle(box(18, 38, 82, 78), radius=5 * s, fill=ink)
        draw.rounded_rectangle(box(38, 26, 62, 40), radius=4 * s, outline=ink, width=w)
        draw.rectangle(box(18, 54, 82, 57), fill=ground)
    elif category == "animals":  # a cat's face
        draw.polygon([(26 * s, 40 * s), (30 * s, 18 * s), (46 * s, 32 * s)], fill=ink)
        draw.polygon([(74 * s, 40 * s), (70 * s, 18 * s), (54 * s, 32 * s)], fill=ink)
        draw.ellipse(box(22, 26, 78, 78), fill=ink)
        for x in (39, 61):
            draw.ellipse(box(x - 4, 46, x + 4, 54), fill=ground)
        draw.polygon([(46 * s, 60 * s), (54 * s, 60 * s), (50 * s, 65 * s)], fill=ground)
    elif category == "fashion":  # a dress
        draw.polygon(
            [(40 * s, 22 * s), (60 * s, 22 * s), (64 * s, 44 * s), (36 * s, 44 * s)], fill=ink
        )
        draw.polygon(
            [(36 * s, 44 * s), (64 * s, 44 * s), (80 * s, 80 * s), (20 * s, 80 * s)], fill=ink
        )
        draw.rectangle(box(36, 42, 64, 47), fill=ground)
    elif category == "computers":  # a monitor with a prompt
        draw.rounded_rectangle(box(16, 22, 84, 66), radius=4 * s, fill=ink)
        draw.rectangle(box(22, 28, 78, 60), fill=(30, 40, 40))
        draw.line(box(28, 36, 36, 42), fill=(120, 255, 160), width=max(1, int(2.5 * s)))
        draw.line(box(28, 48, 36, 42), fill=(120, 255, 160), width=max(1, int(2.5 * s)))
        draw.rectangle(box(40, 46, 52, 49), fill=(120, 255, 160))
        draw.rectangle(box(44, 66, 56, 74), fill=ink)
        draw.rectangle(box(34, 74, 66, 78), fill=ink)
    elif category == "hobbies":  # a camera
        draw.rounded_rectangle(box(16, 34, 84, 76), radius=6 * s, fill=ink)
        draw.rectangle(box(38, 26, 60, 36), fill=ink)
        draw.ellipse(box(36, 42, 64, 70), fill=ground)
        draw.ellipse(box(43, 49, 57, 63), fill=ink)
    else:  # the sun
        draw.ellipse(box(34, 34, 66, 66), fill=ink)
        for dx, dy in (
            (0, 1),
            (1, 0),
            (0, -1),
            (-1, 0),
            (0.7, 0.7),
            (0.7, -0.7),
            (-0.7, 0.7),
            (-0.7, -0.7),
        ):
            draw.line(
                box(50 + 22 * dx, 50 + 22 * dy, 50 + 32 * dx, 50 + 32 * dy), fill=ink, width=w
            )


def emblem(category: str, side: int = 240) -> Image.Image:
    """Draw the emblem of ``category`` (another category's colours for an unknown one)."""
    ground, ink = _COLOURS.get(category, _COLOURS["other"])
    im = Image.new("RGB", (side, side), ground)
    _motif(ImageDraw.Draw(im), category, ink, ground, side / 100)
    return im


def emblem_jpeg(category: str, side: int = 240) -> bytes:
    """Return the emblem of ``category`` as JPEG bytes, as an admin would upload it."""
    out = io.BytesIO()
    emblem(category, side).save(out, "JPEG", quality=85)
    return out.getvalue()

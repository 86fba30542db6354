"""Phone copies of a photo (issue 12, item 4): a small fixed set, each made once, race-safe.

au handsets state their screen width and page size in headers, so any number may arrive; the
copies made for them are bucketed (``keitai.image_rules``) and stored once per bucket, and
simultaneous first reads of one size all get the picture (the second insert is ignored), on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.keitai.image_rules import BUDGET_BUCKETS, WIDTH_BUCKETS
from portal.models import PhotoVariant
from tests.browser import PC
from tests.test_diary_pages import attach_photo, make_diary

AU = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
#: The copies every photo has from its upload: original, pc, thumb.
UPLOAD_VARIANTS = 3


def big_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def variants(app, photo_id: int) -> list[str]:
    with app.app_context():
        stmt = select(PhotoVariant.variant).where(PhotoVariant.photo_id == photo_id)
        return sorted(db.session.scalars(stmt))


def logged_in_cookie(app, browser, login, name: str) -> tuple[str, str]:
    client = browser(AU)
    login(client, name)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    return cookie_name, client.client.get_cookie(cookie_name, domain="localhost").value


def au_client(app, cookie: tuple[str, str]):
    client = app.test_client()
    client.set_cookie(*cookie, domain="localhost")
    return client


def read(client, photo_id: int, width: int, pdu: int | None = None):
    headers = {"User-Agent": AU, "X-UP-DEVCAP-SCREENPIXELS": f"{width},300"}
    if pdu is not None:
        headers["X-UP-DEVCAP-MAX-PDU"] = str(pdu)
    return client.get(f"/photos/{photo_id}", headers=headers, base_url="http://localhost/")


def test_sixty_screen_widths_make_at_most_one_copy_per_bucket(app, browser, make_member, login):
    taro = make_member("taro")
    photo_id = attach_photo(app, taro, make_diary(app, taro), big_jpeg())
    client = au_client(app, logged_in_cookie(app, browser, login, "taro"))
    widths = range(100, 700, 10)
    for width in widths:
        response = read(client, photo_id, width)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(response.data)) as im:
            assert im.width <= width
    made = len(variants(app, photo_id)) - UPLOAD_VARIANTS
    assert (
        made == len({max(b for b in WIDTH_BUCKETS if b <= w) for w in widths}) <= len(WIDTH_BUCKETS)
    )


def test_page_sizes_from_headers_make_few_copies(app, browser, make_member, login):
    taro = make_member("taro")
    photo_id = attach_photo(app, taro, make_diary(app, taro), big_jpeg())
    client = au_client(app, logged_in_cookie(app, browser, login, "taro"))
    for pdu in range(5000, 300000, 5000):
        assert read(client, photo_id, 240, pdu).status_code == 200
    assert len(variants(app, photo_id)) - UPLOAD_VARIANTS <= len(BUDGET_BUCKETS)


@pytest.mark.committed  # the readers are threads, each with a connection
def test_sixteen_simultaneous_first_reads_of_each_new_size_all_get_the_picture(
    app, browser, make_member, login
):
    taro = make_member("taro")
    photo_id = attach_photo(app, taro, make_diary(app, taro), big_jpeg())
    cookie = logged_in_cookie(app, browser, login, "taro")
    sizes = [120, 176, 240, 320]
    results: list[tuple[int, int, bytes]] = []
    for width in sizes:
        barrier = threading.Barrier(16)
        clients = [au_client(app, cookie) for _ in range(16)]

        def first_read(client, width=width, barrier=barrier) -> None:
            barrier.wait()
            response = read(client, photo_id, width)
            results.append((width, response.status_code, response.data))

        threads = [threading.Thread(target=first_read, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted({status for _, status, _ in results}) == [200]
    assert len(results) == 16 * len(sizes)
    for width in sizes:
        assert len({data for w, _, data in results if w == width}) == 1, "one copy per size"
    assert len(variants(app, photo_id)) == UPLOAD_VARIANTS + len(sizes)


def test_a_pc_still_gets_its_stored_copies(app, browser, make_member, login):
    taro = make_member("taro")
    photo_id = attach_photo(app, taro, make_diary(app, taro), big_jpeg())
    pc = browser(PC)
    login(pc, "taro")
    assert pc.get(f"/photos/{photo_id}?size=thumb").status == 200
    assert len(variants(app, photo_id)) == UPLOAD_VARIANTS

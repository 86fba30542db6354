"""Details a member sees at once: the title bar, the site icon, the role on a community page,
the admin tables and the notice form, and the headers that keep caches from mixing pages."""

from __future__ import annotations

import re

from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import add_member, make_community

ICON_TYPES = ("image/vnd.microsoft.icon", "image/x-icon")


def _title(page) -> str:
    return re.search(r"<title>(.*?)</title>", page.text, re.DOTALL).group(1)


def test_the_top_page_title_names_the_site_once(browser):
    pc = browser(PC)
    assert _title(pc.get("/")) == "けいたいポータル"
    assert _title(pc.get("/login")) == "ログイン | けいたいポータル"


def test_the_site_icon_is_served_and_linked_from_pc_pages(browser):
    pc = browser(PC)
    icon = pc.get("/favicon.ico")
    assert icon.status == 200
    assert icon.headers["Content-Type"] in ICON_TYPES
    assert icon.body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert len(icon.body) < 2048
    top = pc.get("/")
    assert '<link rel="icon" href="/favicon.ico"' in top.text
    phone = browser(DOCOMO_MOVA, cookies=False)
    assert 'rel="icon"' not in phone.get("/").text  # every byte counts on a 5 KB phone


def test_the_keitai_community_page_shows_my_role_apart_from_the_admin(
    app, browser, make_member, login
):
    asuka = make_member("asuka", nickname="あすか@東京")
    taro = make_member("taro", nickname="たろう")
    community = make_community(app, asuka)
    add_member(app, community, taro)
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    sid = re.search(r"sid=([\w-]+)", home.url).group(1)
    page = phone.get(f"/communities/{community}?sid={sid}")
    lines = [re.sub(r"<[^>]+>", "", line) for line in page.text.split("<br />")]
    admin_line = next(line for line in lines if "あすか@東京" in line)
    assert admin_line.strip().endswith("あすか@東京")  # nothing glued to the admin's name
    assert any(line.strip() == "自分:ﾒﾝﾊﾞｰ" for line in lines), lines


def test_admin_tables_have_borders(app, browser, make_member, login):
    make_member("operator", nickname="運営", is_operator=True)
    pc = browser(PC)
    login(pc, "operator")
    page = pc.get("/admin/members")
    assert '<table class="admin">' in page.text
    assert b"table.admin th,table.admin td{border:1px solid" in pc.get("/static/pc.css").body


def test_each_notice_date_field_shows_its_own_example(app, browser, make_member, login):
    make_member("operator", nickname="運営", is_operator=True)
    pc = browser(PC)
    login(pc, "operator")
    page = pc.get("/admin/notices/new")
    assert "掲載開始日(任意、例: 2008-05-31)" in page.text
    assert "掲載終了日(任意、例: 2008-06-30)" in page.text


def test_pages_vary_by_device_language_and_session_images_do_not(browser):
    pc = browser(PC)
    vary = {v.strip() for v in pc.get("/").headers["Vary"].split(",")}
    assert {"User-Agent", "Accept-Language", "Cookie"} <= vary
    phone = browser(DOCOMO_MOVA, cookies=False)
    vary = {v.strip() for v in phone.get("/login").headers["Vary"].split(",")}
    assert {"User-Agent", "Accept-Language", "Cookie"} <= vary
    assert "Cookie" not in pc.get("/favicon.ico").headers.get("Vary", "")

"""What the operators' actions do: stopping logins, the member search, notices on home, the
signup policy and the invitation limit, and the operator log (both renderings where it matters).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Invitation,
    Member,
    Notice,
    OperatorLog,
)
from portal.models._time import tokyo_today
from portal.services import notices
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import PASSWORD, snapshot
from tests.pages import (
    ADMIN_ACTIONS,
    AGENTS,
    admin_actions,
    assert_fits_d501i,
    client_for,
    forge_post,
    go,
    has_form,
    has_link,
    path_of,
)

# -- members -----------------------------------------------------------------------------------


@AGENTS
def test_stopping_a_login_ends_the_session_and_refuses_the_next_login(
    app, browser, login, admin_site, agent
):
    target = client_for(browser, PC if agent == DOCOMO_MOVA else DOCOMO_MOVA)
    login(target, "target")
    assert path_of(go(target, "/friends")) == "/friends"

    operator = client_for(browser, agent)
    login(operator, "operator")
    page = go(operator, f"/admin/members/{admin_site['target']}")
    page = operator.submit(f"/admin/members/{admin_site['target']}/stop")
    assert page.status == 200
    assert has_form(page, f"/admin/members/{admin_site['target']}/resume")

    # The open session ends at the next request; the next login is refused.
    assert path_of(go(target, "/friends")) == "/login"
    target.get("/login")
    page = target.submit("/login", {"email": "target@example.jp", "password": PASSWORD})
    assert path_of(page) == "/login"
    assert not has_link(page, "/friends")

    # Allowed again: the member logs in.
    go(operator, f"/admin/members/{admin_site['target']}")
    operator.submit(f"/admin/members/{admin_site['target']}/resume")
    assert path_of(login(client_for(browser, PC), "target")) == "/home"


def test_an_operator_cannot_stop_their_own_login(app, browser, login, admin_site):
    pc = browser(PC)
    login(pc, "operator")
    pc.get("/settings")
    before = snapshot(app)
    page = forge_post(pc, f"/admin/members/{admin_site['operator']}/stop", {})
    assert page.status == 400
    assert snapshot(app) == before


def test_the_member_search_finds_nicknames_and_addresses(
    app, browser, login, admin_site, make_member
):
    make_member("percent", nickname="100%の人")
    pc = browser(PC)
    login(pc, "operator")
    page = pc.get("/admin/members?q=ターゲ")
    assert has_link(page, f"/admin/members/{admin_site['target']}")
    assert not has_link(page, f"/admin/members/{admin_site['author']}")
    page = pc.get("/admin/members?q=AUTHOR@example")
    assert has_link(page, f"/admin/members/{admin_site['author']}")
    page = pc.get("/admin/members?q=%25")
    assert "100%の人" in page.text
    assert "ターゲット" not in page.text


def test_the_member_list_pages_on_a_d501i(app, browser, login, admin_site, make_member):
    for n in range(15):
        make_member(f"user{n:02d}x{'a' * 40}", nickname="長" * 20)
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "operator")
    page = go(phone, "/admin/members")
    assert_fits_d501i(page)
    pages = 1
    while "6" in page.accesskeys:
        page = phone.get(page.accesskeys["6"])
        assert_fits_d501i(page)
        pages += 1
    assert pages >= 3


# -- notices -----------------------------------------------------------------------------------


@AGENTS
def test_a_notice_written_on_the_admin_pages_shows_on_every_members_home(
    app, browser, login, admin_site, agent
):
    operator = client_for(browser, agent)
    login(operator, "operator")
    go(operator, "/admin/notices/new")
    today = tokyo_today()
    page = operator.submit(
        "/admin/notices/new",
        {
            "title": "春のキャンペーン♪",
            "body": "詳しくは https://example.jp/campaign を見てね",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert page.status == 200
    go(operator, "/admin/notices/new")
    operator.submit(
        "/admin/notices/new",
        {
            "title": "来月のお知らせ",
            "body": "まだ",
            "starts_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    go(operator, "/admin/notices/new")
    operator.submit(
        "/admin/notices/new",
        {
            "title": "終わったお知らせ",
            "body": "もう",
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    for name in ("member", "author"):
        client = client_for(browser, agent)
        home = login(client, name)
        assert "春のキャンペーン" in home.text
        assert "来月のお知らせ" not in home.text
        assert "終わったお知らせ" not in home.text
        if agent == DOCOMO_MOVA:
            assert_fits_d501i(home)
        with app.app_context():
            notice_id = db.session.scalar(
                select(Notice.id).where(Notice.title == "春のキャンペーン♪")
            )
        page = client.get(home.link("春のキャンペーン"))
        assert page.status == 200
        assert path_of(page) == f"/notices/{notice_id}"
        assert "/jump" in page.text  # member_text: the URL goes through the jump page
        with app.app_context():
            future_id = db.session.scalar(select(Notice.id).where(Notice.title == "来月のお知らせ"))
        assert go(client, f"/notices/{future_id}").status == 404


def test_a_deleted_notice_leaves_home(app, browser, login, admin_site):
    member = browser(PC)
    assert "お知らせ" in login(member, "member").text
    operator = browser(PC)
    login(operator, "operator")
    operator.get(f"/admin/notices/{admin_site['notice']}/delete")
    operator.submit(f"/admin/notices/{admin_site['notice']}/delete")
    assert member.get("/home").text.count(f"/notices/{admin_site['notice']}") == 0


def test_a_notice_ending_before_it_starts_is_refused(app, browser, login, admin_site):
    pc = browser(PC)
    login(pc, "operator")
    pc.get("/admin/notices/new")
    before = snapshot(app)
    page = pc.submit(
        "/admin/notices/new",
        {"title": "逆", "body": "本文", "starts_on": "2030-01-10", "ends_on": "2030-01-01"},
    )
    assert page.status == 400
    assert snapshot(app) == before


# -- site settings -----------------------------------------------------------------------------


def _signup_form(client):
    return client.submit(
        "/signup",
        {
            "nickname": "けんた",
            "email": "kenta@example.jp",
            "password": PASSWORD,
            "birth_year": "1990",
            "birth_month": "4",
            "birth_day": "1",
        },
    )


@AGENTS
def test_opening_signup_on_the_admin_page_lets_anyone_sign_up(
    app, browser, login, admin_site, agent
):
    visitor = client_for(browser, agent)
    assert visitor.get("/signup").status == 403
    operator = client_for(browser, agent)
    login(operator, "operator")
    go(operator, "/admin/settings")
    page = operator.submit(
        "/admin/settings", {"signup_policy": "open", "invitations_per_member": "10"}
    )
    assert page.status == 200
    page = visitor.get("/signup")
    assert page.status == 200
    home = _signup_form(visitor)
    assert home.status == 200
    assert path_of(home) == "/home"
    with app.app_context():
        assert db.session.scalar(select(Member).where(Member.email == "kenta@example.jp"))
    # Closed again: invitation only.
    go(operator, "/admin/settings")
    operator.submit("/admin/settings", {"signup_policy": "invite", "invitations_per_member": "10"})
    assert client_for(browser, agent).get("/signup").status == 403


def test_the_invitation_limit_set_on_the_admin_page_applies(app, browser, login, admin_site):
    operator = browser(PC)
    login(operator, "operator")
    operator.get("/admin/settings")
    operator.submit("/admin/settings", {"signup_policy": "invite", "invitations_per_member": "1"})
    member = browser(PC)
    login(member, "member")
    member.get("/invite")
    assert member.submit("/invite", {"note": "一人目"}).status == 200
    page = member.submit("/invite", {"note": "二人目"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert "未使用の招待は1件までです。" in page.text


def test_a_setting_out_of_range_is_refused(app, browser, login, admin_site):
    pc = browser(PC)
    login(pc, "operator")
    pc.get("/admin/settings")
    before = snapshot(app)
    for data in (
        {"signup_policy": "everyone", "invitations_per_member": "3"},
        {"signup_policy": "open", "invitations_per_member": "-1"},
        {"signup_policy": "open", "invitations_per_member": "many"},
    ):
        assert pc.submit("/admin/settings", data).status == 400
    assert snapshot(app) == before


def test_the_database_setting_overrides_the_configuration(app, ctx, monkeypatch):
    from portal.services import accounts, site_settings

    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "invite")
    assert accounts.signup_policy() == "invite"
    site_settings.save("SIGNUP_POLICY", "open")
    assert accounts.signup_policy() == "open"
    assert site_settings.value("INVITATIONS_PER_MEMBER") == app.config["INVITATIONS_PER_MEMBER"]
    db.session.rollback()


# -- the log -----------------------------------------------------------------------------------


def test_every_operator_action_is_logged_and_listed(app, browser, login, admin_site):
    pc = browser(PC)
    login(pc, "operator")
    actions = admin_actions(admin_site)
    for name in ADMIN_ACTIONS:
        path, data, _check = actions[name]
        pc.get("/settings")
        page = forge_post(pc, path, data)
        assert page.status == 200, (path, page.text[:300])
    with app.app_context():
        rows = db.session.execute(
            select(OperatorLog.action, OperatorLog.operator_id).order_by(OperatorLog.id)
        ).all()
    actions = [action for action, _operator in rows]
    assert {operator for _action, operator in rows} == {admin_site["operator"]}
    for expected in (
        "stop_login",
        "resume_login",
        "grant_premium",
        "revoke_premium",
        "hide",
        "restore",
        "dismiss",
        "create_notice",
        "edit_notice",
        "delete_notice",
        "change_setting",
    ):
        assert expected in actions, expected
    page = pc.get("/admin/log")
    assert page.status == 200
    assert "target@example.jp" in page.text
    assert "SIGNUP_POLICY: mobile -&gt; open" in page.text  # mobile: the default
    assert has_link(page, f"/admin/members/{admin_site['target']}")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "operator")
    page = go(phone, "/admin/log")
    assert_fits_d501i(page)
    assert sid_of(page.url)
    assert urlsplit(page.accesskeys["6"]).path == "/admin/log"


def test_long_notices_keep_a_d501i_home_within_5kb(app, browser, login, admin_site):
    with app.app_context():
        operator = db.session.get(Member, admin_site["operator"])
        for n in range(5):
            notices.create(operator, title=f"{n}" + "長" * 99, body="本文", first=None, last=None)
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "member")
    assert_fits_d501i(home)
    assert sum(1 for url, _ in home.links if urlsplit(url).path.startswith("/notices/")) == 2
    page = phone.get(next(u for u, _ in home.links if urlsplit(u).path.startswith("/notices/")))
    assert_fits_d501i(page)

"""The demo world (`flask seed-demo`): the contract that `make run`, screenshots and checks use."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Friendship, Member
from portal.services.friends import are_friends
from tests.browser import DOCOMO_MOVA, PC

DEMO_PASSWORD = "keitai-demo"


def seed(runner, *args: str):
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result


def member_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def ids_by_name(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(Member.email, Member.id)).all()
    return {email.split("@")[0]: member_id for email, member_id in rows}


def world(app) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """The members (e-mail, nickname) in creation order and the friend pairs by e-mail."""
    with app.app_context():
        members = [
            tuple(row)
            for row in db.session.execute(select(Member.email, Member.nickname).order_by(Member.id))
        ]
        email = {m.id: m.email for m in db.session.scalars(select(Member))}
        pairs = {
            (email[f.member_id], email[f.friend_id]) for f in db.session.scalars(select(Friendship))
        }
    return members, pairs


def wipe(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def log_in(browser, name: str, agent: str = PC):
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    client.get("/login")
    page = client.submit("/login", {"email": f"{name}@example.jp", "password": DEMO_PASSWORD})
    assert urlsplit(page.url).path == "/home", page.text
    return page


@pytest.fixture
def demo(app, runner):
    seed(runner)
    return ids_by_name(app)


def test_the_demo_world_has_at_least_30_members(app, demo):
    assert member_count(app) >= 30


@pytest.mark.parametrize("name", ["taro", "hanako", "jiro", "admin"])
def test_fixed_accounts_log_in_with_the_demo_password(browser, demo, name):
    log_in(browser, name)


def test_taro_and_hanako_are_friends(app, demo):
    with app.app_context():
        assert are_friends(demo["taro"], demo["hanako"])
        assert are_friends(demo["hanako"], demo["taro"])


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_taros_home_shows_hanako(browser, demo, agent):
    home = log_in(browser, "taro", agent)
    assert "たろう" in home.text
    assert "はなこ(" in home.text, "hanako is among the friends on taro's home"


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_hanakos_home_shows_taro(browser, demo, agent):
    home = log_in(browser, "hanako", agent)
    assert "はなこ" in home.text
    assert "たろう(" in home.text, "taro is among the friends on hanako's home"


@pytest.mark.parametrize("name", ["taro", "hanako"])
def test_taro_and_hanako_have_favourites_whose_diaries_show_on_home(app, browser, demo, name):
    with app.app_context():
        from portal.models import Favorite

        followed = db.session.scalars(
            select(Favorite.favorite_id).where(Favorite.member_id == demo[name])
        ).all()
    assert followed
    assert demo["jiro"] not in followed
    for agent in (PC, DOCOMO_MOVA):
        home = log_in(browser, name, agent)
        diary_authors = {
            urlsplit(u).path for u, _t in home.links if urlsplit(u).path.startswith("/diaries/")
        }
        assert diary_authors
        assert any(urlsplit(u).path == "/favorites" for u, _t in home.links)
        assert "お気に入りの日記" in home.text, "the favourites' diaries section"


def test_the_demo_has_albums_and_taro_sees_hanakos_new_one_on_home(app, browser, demo):
    with app.app_context():
        from portal.models import Album

        owners = db.session.scalars(select(Album.owner_id)).all()
    assert {demo["taro"], demo["hanako"]} <= set(owners)
    for agent in (PC, DOCOMO_MOVA):
        home = log_in(browser, "taro", agent)
        assert "横浜のカフェ" in home.text, "hanako's new album for friends"
        jiro = log_in(browser, "jiro", agent)
        assert "横浜のカフェ" not in jiro.text


def test_jiro_is_a_friend_of_neither(app, browser, demo):
    with app.app_context():
        assert not are_friends(demo["jiro"], demo["taro"])
        assert not are_friends(demo["jiro"], demo["hanako"])
        mine = Friendship.member_id == demo["jiro"]
        jiro_friends = db.session.scalar(select(func.count()).select_from(Friendship).where(mine))
    home = log_in(browser, "jiro")
    assert "じろう" in home.text
    assert jiro_friends >= 1, "jiro has friends of his own"
    assert f"({jiro_friends}" in home.text
    assert "たろう" not in home.text
    assert "はなこ" not in home.text


def test_admin_is_an_operator_and_the_others_are_not(app, demo):
    with app.app_context():
        operators = set(db.session.scalars(select(Member.email).where(Member.is_operator)))
    assert operators == {"admin@example.jp"}


def test_if_empty_does_nothing_the_second_time(app, runner):
    seed(runner, "--if-empty")
    first = world(app)
    result = seed(runner, "--if-empty")
    assert "nothing" in result.output.lower()
    assert world(app) == first


@pytest.mark.committed  # the bulk loader's PRAGMAs need no open transaction
def test_users_option_builds_a_world_of_that_size(app, runner, browser):
    seed(runner, "--users", "200")
    assert member_count(app) == 200
    log_in(browser, "taro")


def test_the_same_seed_gives_the_same_world(app, runner):
    seed(runner)
    first = world(app)
    wipe(app)
    seed(runner)
    assert world(app) == first
    wipe(app)
    seed(runner, "--seed", "7")
    assert world(app) != first, "another seed gives another world"

"""The large benchmark world (`flask seed-demo --users N`): content in proportion, written in
bulk, the same for a seed, and a world the fixed accounts still use."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select, text

from portal.demo.large import PER_THOUSAND
from portal.extensions import db
from portal.models import (
    Community,
    Diary,
    DiaryComment,
    Event,
    Footprint,
    Member,
    Message,
    Review,
    Topic,
    TopicComment,
)
from portal.services import footprints
from tests.browser import DOCOMO_MOVA, PC
from tests.test_demo import log_in, seed, wipe

#: The bulk loader's PRAGMAs need no open transaction: the data is committed.
pytestmark = pytest.mark.committed

USERS = 200
MODELS = {
    "diaries": Diary,
    "diary_comments": DiaryComment,
    "footprints": Footprint,
    "messages": Message,
    "reviews": Review,
    "communities": Community,
    "topics": Topic,
    "topic_comments": TopicComment,
    "events": Event,
}


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            kind: db.session.scalar(select(func.count()).select_from(model))
            for kind, model in MODELS.items()
        }


def fingerprint(app) -> list[tuple]:
    """The diaries (author, title, body, visibility, time, comments) and footprints by e-mail:
    ids may differ between two databases, the content may not."""
    with app.app_context():
        email = dict(db.session.execute(select(Member.id, Member.email)).all())
        diaries = sorted(
            (email[d.author_id], d.title, d.body, d.visibility, d.created_at, d.comment_count)
            for d in db.session.scalars(select(Diary))
        )
        steps = sorted(
            (email[f.visited_id], email[f.visitor_id], f.day, f.visited_at)
            for f in db.session.scalars(select(Footprint))
        )
    return diaries + steps


@pytest.fixture(scope="module")
def proportions():
    return {kind: per * USERS // 1000 for kind, per in PER_THOUSAND.items()}


def test_a_large_world_has_content_in_proportion_to_its_members(app, runner, proportions):
    result = seed(runner, "--users", str(USERS))
    made = counts(app)
    for kind, wanted in proportions.items():
        assert made[kind] >= wanted, f"{made[kind]} {kind} for {USERS} members"
    assert "the large world" in result.output


def test_the_counters_match_the_rows_written_in_bulk(app, runner):
    seed(runner, "--users", str(USERS))
    with app.app_context():
        comments = dict(
            db.session.execute(
                select(DiaryComment.diary_id, func.count()).group_by(DiaryComment.diary_id)
            ).all()
        )
        for diary in db.session.scalars(select(Diary)):
            assert diary.comment_count == comments.get(diary.id, 0), diary.id
        replies = dict(
            db.session.execute(
                select(TopicComment.topic_id, func.max(TopicComment.number)).group_by(
                    TopicComment.topic_id
                )
            ).all()
        )
        for topic in db.session.scalars(select(Topic)):
            assert topic.last_comment_number == replies.get(topic.id, 0), topic.id
        # New footprints: what the home shows from the counter is what it counted before.
        # A member whose oldest new footprint lies at the list's window (the world's clock is
        # the seeding's) is counted instead: the count is right either way, and few are.
        members = list(db.session.scalars(select(Member)))
        from_rows = 0
        for member in members:
            shown = footprints.known_new_count(member)
            counted = db.session.scalar(footprints.new_count_query(member))
            if shown is None:
                from_rows += 1
                shown = footprints.new_count(member)
            assert shown == (counted if member.leaves_footprints else 0), member.id
        assert from_rows <= len(members) // 10, from_rows


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_the_fixed_accounts_log_in_to_the_large_world(app, runner, browser, agent):
    seed(runner, "--users", str(USERS))
    home = log_in(browser, "taro", agent)
    assert "はなこ(" in home.text


def test_the_search_index_holds_the_diaries_written_in_bulk(app, runner, browser):
    seed(runner, "--users", str(USERS))
    with app.app_context():
        bulk = db.session.scalar(select(func.count()).where(Diary.body.contains("電車が遅れて")))
    assert bulk > 100, "only generated diaries mention 電車が遅れて"
    client = browser(PC)
    client.get("/login")
    client.submit("/login", {"email": "hanako@example.jp", "password": "keitai-demo"})
    found = client.get(f"/search?q={quote('電車が遅れて')}")
    assert found.status == 200
    assert "電車が遅れて大変でした" in found.text


def test_the_same_seed_gives_the_same_large_world(app, runner):
    seed(runner, "--users", "120")
    first = fingerprint(app)
    wipe(app)
    seed(runner, "--users", "120")
    assert fingerprint(app) == first
    wipe(app)
    seed(runner, "--users", "120", "--seed", "7")
    assert fingerprint(app) != first, "another seed gives another world"


def test_the_planner_has_statistics_of_the_tables_loaded_in_bulk(app, runner):
    seed(runner, "--users", str(USERS))
    with app.app_context():
        if db.session.get_bind().dialect.name == "sqlite":
            analysed = db.session.scalar(
                text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'diaries'")
            )
        else:
            analysed = db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'diaries' "
                    "AND last_analyze IS NOT NULL"
                )
            )
    assert analysed, "the home page's plans need statistics (a guess scanned every diary)"

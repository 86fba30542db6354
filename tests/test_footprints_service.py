"""足あと rules: one per visitor per Japanese day, latest time kept, cheap repeats, opt-out."""

from datetime import datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Footprint, Member
from portal.services import footprints, social

NOON_JST = datetime(2008, 5, 1, 3, 0)  # 12:00 in Tokyo


@pytest.fixture
def pair(app, make_member):
    return make_member("hanako"), make_member("jiro")


def _rows(owner_id):
    return db.session.scalars(
        db.select(Footprint).where(Footprint.visited_id == owner_id).order_by(Footprint.day)
    ).all()


def _visit(visitor_id, visited_id, when):
    footprints.record_visit(db.session.get(Member, visitor_id), visited_id, when)
    db.session.commit()


def test_one_footprint_per_visitor_per_day_latest_time_kept(ctx, pair):
    hanako, jiro = pair
    _visit(jiro, hanako, NOON_JST)
    _visit(jiro, hanako, NOON_JST + timedelta(minutes=2))  # a repeat within 5 minutes
    assert [r.visited_at for r in _rows(hanako)] == [NOON_JST]
    _visit(jiro, hanako, NOON_JST + timedelta(minutes=30))
    assert [r.visited_at for r in _rows(hanako)] == [NOON_JST + timedelta(minutes=30)]
    _visit(jiro, hanako, NOON_JST + timedelta(hours=13))  # 01:00 the next day in Tokyo
    assert len(_rows(hanako)) == 2


def test_the_day_is_the_japanese_day(ctx, pair):
    hanako, jiro = pair
    _visit(jiro, hanako, datetime(2008, 5, 1, 14, 30))  # 23:30 JST on 1 May
    _visit(jiro, hanako, datetime(2008, 5, 1, 15, 30))  # 00:30 JST on 2 May
    assert [str(r.day) for r in _rows(hanako)] == ["2008-05-01", "2008-05-02"]


def test_no_footprint_for_self_or_a_blocked_member(ctx, pair):
    hanako, jiro = pair
    _visit(hanako, hanako, NOON_JST)
    social.block(db.session.get(Member, hanako), db.session.get(Member, jiro))
    db.session.commit()
    _visit(jiro, hanako, NOON_JST)
    assert _rows(hanako) == []


def test_opting_out_leaves_none_and_hides_my_own_list(ctx, pair):
    hanako, jiro = pair
    _visit(hanako, jiro, NOON_JST)  # hanako leaves one on jiro
    member = db.session.get(Member, jiro)
    member.leaves_footprints = False
    db.session.commit()
    _visit(jiro, hanako, NOON_JST)
    assert _rows(hanako) == []
    assert footprints.footprints_of(member, offset=0, limit=30) is None
    assert footprints.new_count(member) == 0


def test_list_covers_30_days_and_premium_longer(ctx, pair, make_member):
    hanako, jiro = pair
    now = NOON_JST + timedelta(days=60)
    _visit(jiro, hanako, NOON_JST)  # 60 days before "now"
    _visit(jiro, hanako, now - timedelta(days=1))
    owner = db.session.get(Member, hanako)
    assert footprints.footprints_of(owner, offset=0, limit=30, now=now).total == 1
    owner.is_premium = True
    db.session.commit()
    assert footprints.footprints_of(owner, offset=0, limit=30, now=now).total == 2


def test_new_count_restarts_when_seen(ctx, pair):
    hanako, jiro = pair
    now = datetime.now().replace(microsecond=0) - timedelta(hours=12)
    _visit(jiro, hanako, now)
    owner = db.session.get(Member, hanako)
    assert footprints.new_count(owner) == 1
    footprints.mark_seen(owner)
    db.session.commit()
    assert footprints.new_count(owner) == 0

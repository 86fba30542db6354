"""Both session stores keep, expire and forget sessions the same way; Redis serves the app too."""

import os
from datetime import timedelta

import pytest

from portal import page_cache
from portal.keitai.session_ids import hash_id, new_id
from portal.keitai.session_stores import RedisSessionStore, SessionRecord
from portal.models._time import utcnow
from portal.session_store import CachedSessionStore, SqlSessionStore
from tests.browser import DOCOMO_MOVA, Browser, sid_of

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


#: The Redis database of the session cache's tests (the page cache's cache on Redis).
CACHE_REDIS_URL = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_cache(prefix: str):
    """A cachelib RedisCache on its own database and ``prefix`` (skipped without Redis)."""
    from cachelib import RedisCache

    _redis_client()
    return RedisCache(redis_client_of(CACHE_REDIS_URL), key_prefix=prefix)


def redis_client_of(url: str):
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture(params=["sql", "redis", "sql-simple-cache", "sql-redis-cache"])
def store(request, ctx):
    if request.param == "sql":
        yield SqlSessionStore()
        return
    if request.param == "sql-simple-cache":
        yield CachedSessionStore(SqlSessionStore(), page_cache.cache, 60)
        return
    if request.param == "sql-redis-cache":
        prefix = f"test-session-cache:{new_id()}:"
        yield CachedSessionStore(SqlSessionStore(), redis_cache(prefix), 60)
        client = redis_client_of(CACHE_REDIS_URL)
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)
        return
    client = _redis_client()
    prefix = f"test:{new_id()}:"
    yield RedisSessionStore(client, prefix=prefix)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def _record(minutes: int = 60) -> SessionRecord:
    now = utcnow().replace(microsecond=0)
    return SessionRecord(
        {"_user_id": "7", "locale": "en"}, "agent", now, now + timedelta(minutes=minutes)
    )


def test_store_keeps_updates_and_deletes(store):
    key = hash_id(new_id())
    assert store.load(key) is None
    store.save(key, _record())
    loaded = store.load(key)
    assert loaded.data == {"_user_id": "7", "locale": "en"}
    assert loaded.binding == "agent"
    later = loaded.expires_at + timedelta(minutes=30)
    store.touch(key, loaded.touched_at, later)
    assert store.load(key).expires_at == later
    store.save(key, SessionRecord({}, None, loaded.touched_at, later))
    assert store.load(key).data == {}
    store.delete(key)
    assert store.load(key) is None


def _owned(owner: str) -> SessionRecord:
    record = _record()
    record.owner = owner
    return record


def test_store_ends_every_session_of_an_owner_but_the_one_kept(store):
    mine = [hash_id(new_id()) for _ in range(3)]
    theirs = hash_id(new_id())
    for key in mine:
        store.save(key, _owned("7"))
    store.save(theirs, _owned("8"))
    assert store.delete_owner("7", keep=mine[0]) == 2
    assert store.load(mine[0]) is not None
    assert store.load(mine[1]) is None
    assert store.load(mine[2]) is None
    assert store.load(theirs) is not None
    assert store.delete_owner("7") == 1
    assert store.load(mine[0]) is None


def test_an_ended_session_is_not_brought_back_by_a_request_that_loaded_it_before(store):
    key = hash_id(new_id())
    store.save(key, _owned("7"))
    in_flight = store.load(key)
    store.delete_owner("7")
    # The request that read the session before it ended saves (or touches) it afterwards.
    store.save(key, in_flight, create=False)
    store.touch(key, in_flight.touched_at, in_flight.expires_at + timedelta(minutes=5))
    assert store.load(key) is None


def test_store_keeps_the_binding_subscriber_and_owner(store):
    key = hash_id(new_id())
    record = _owned("7")
    record.subscriber = "s" * 64
    store.save(key, record)
    loaded = store.load(key)
    assert (loaded.binding, loaded.subscriber, loaded.owner) == ("agent", "s" * 64, "7")


def test_sql_store_purges_expired_sessions(ctx):
    store = SqlSessionStore()
    old, live = hash_id(new_id()), hash_id(new_id())
    store.save(old, _record(minutes=-5))
    store.save(live, _record(minutes=5))
    assert store.purge_expired(utcnow()) == 1
    assert store.load(old) is None
    assert store.load(live) is not None


def test_app_on_redis_sessions_serves_a_cookieless_phone(app, make_app, make_member):
    _redis_client()
    make_member("taro", nickname="たろう")
    redis_app = make_app(SESSION_STORE="redis", SESSION_REDIS_URL=REDIS_URL)
    phone = Browser(redis_app, DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": "taro@example.jp", "password": "correct horse 8"})
    assert "たろう" in home.text
    sid = sid_of(home.url)
    client = _redis_client()
    assert client.exists("portal:session:" + hash_id(sid))
    client.delete("portal:session:" + hash_id(sid))

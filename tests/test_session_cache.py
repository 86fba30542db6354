"""Sessions read through the cache (``portal.session_store.CachedSessionStore``): a repeated
page runs no SQL at all, and a session ended or changed anywhere is never served from a copy,
with the cache in the process (SimpleCache) and shared by processes (RedisCache)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from cachelib import SimpleCache

from portal.extensions import db
from portal.keitai.session_ids import hash_id, new_id
from portal.keitai.session_stores import SessionRecord
from portal.models import Member
from portal.models._time import utcnow
from portal.session_store import TOKEN, CachedSessionStore, SqlSessionStore
from tests.browser import DOCOMO_MOVA, PC, Browser, sid_of
from tests.pages import AGENTS, href, idle_hour_passes
from tests.queries import statements
from tests.test_auth import logout
from tests.test_session_security import NEW_PASSWORD_FORM
from tests.test_session_stores import CACHE_REDIS_URL, redis_cache, redis_client_of


def _forget(prefix: str) -> None:
    client = redis_client_of(CACHE_REDIS_URL)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


@pytest.fixture(params=["simple-cache", "redis-cache"])
def site(request, app, make_app):
    """The app with its cache in the process (the test app), or one on a Redis cache (a
    database and key prefix of these tests' own)."""
    if request.param == "simple-cache":
        yield app
        return
    prefix = f"test-session-cache:{new_id()}:"
    redis_cache(prefix)  # skips without Redis
    yield make_app(
        CACHE_TYPE="RedisCache", CACHE_REDIS_URL=CACHE_REDIS_URL, CACHE_KEY_PREFIX=prefix
    )
    _forget(prefix)


def _client(site, agent: str) -> Browser:
    return Browser(site, agent, cookies=agent == PC)


def _home(client: Browser, agent: str) -> str:
    return client.page.url if agent == DOCOMO_MOVA else "/home"


def _kept(site, client: Browser, agent: str) -> str:
    """Load the member's home until both it and the session come from the cache (no SQL);
    return its URL."""
    url = _home(client, agent)
    client.get(url)
    with statements(site) as seen:
        assert "たろう" in client.get(url).text
    assert not seen, "\n".join(s[:90] for s in seen)
    return url


def _refused(client: Browser, url: str) -> bool:
    page = client.get(url)
    return urlsplit(page.url).path == "/login" and "たろう" not in page.text


def _same_device(site, client: Browser, agent: str) -> Browser:
    """Another browser carrying ``client``'s session: its cookie on a PC, the same phone (the
    same User-Agent, so the session's binding holds) with the id in the URL."""
    other = _client(site, agent)
    if agent == PC:
        cookie = client.client.get_cookie(site.config["SESSION_COOKIE_NAME"])
        other.client.set_cookie(cookie.key, cookie.value)
    return other


def test_the_app_reads_sql_sessions_through_the_cache(site):
    assert isinstance(site.session_interface.store, CachedSessionStore)


@AGENTS
def test_a_logged_out_session_replayed_from_another_client_is_refused(
    site, make_member, login, agent
):
    make_member("taro", nickname="たろう")
    client = _client(site, agent)
    login(client, "taro")
    url = _kept(site, client, agent)
    replay = _same_device(site, client, agent)
    with statements(site) as seen:
        assert "たろう" in replay.get(url).text
    assert not seen  # served from the copies: the session's and the page's
    logout(client)
    assert _refused(replay, url)


@AGENTS
def test_log_out_everywhere_refuses_every_cached_session_of_the_member(
    site, make_member, login, agent
):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    sessions = []
    for device in (PC, PC, DOCOMO_MOVA):
        client = _client(site, device)
        login(client, "taro")
        sessions.append((client, _kept(site, client, device)))
    neighbour = _client(site, PC)
    login(neighbour, "hanako")
    neighbour.get("/home")
    assert "はなこ" in neighbour.get("/home").text
    here = sessions[0][0] if agent == PC else sessions[2][0]
    here.get(href(here.page, "/settings"))
    here.submit("/logout/everywhere")
    for client, url in sessions:
        assert _refused(client, url)
    assert "はなこ" in neighbour.get("/home").text


def test_a_new_password_refuses_the_other_cached_sessions(site, make_member, login):
    make_member("taro", nickname="たろう")
    here, other_pc, phone = _client(site, PC), _client(site, PC), _client(site, DOCOMO_MOVA)
    urls = {}
    for client, agent in ((here, PC), (other_pc, PC), (phone, DOCOMO_MOVA)):
        login(client, "taro")
        urls[client] = _kept(site, client, agent)
    here.get(href(here.page, "/settings"))
    page = here.submit("/settings/password", NEW_PASSWORD_FORM)
    assert "ほかの2台の端末でログアウトしました。" in page.text
    assert _refused(other_pc, urls[other_pc])
    assert _refused(phone, urls[phone])
    assert "たろう" in here.get("/home").text


@AGENTS
def test_an_idle_session_is_refused_though_its_copy_is_kept(
    site, make_member, login, agent, monkeypatch
):
    make_member("taro", nickname="たろう")
    client = _client(site, agent)
    login(client, "taro")
    url = _kept(site, client, agent)
    if agent == PC:  # a PC's idle time is 14 days
        from portal.keitai import session as sessions

        later = sessions._utcnow() + site.config["SESSION_IDLE_PC"] + timedelta(seconds=1)
        monkeypatch.setattr(sessions, "_utcnow", lambda: later)
    else:
        idle_hour_passes(site, monkeypatch)
    assert _refused(client, url)


@AGENTS
def test_a_stopped_member_is_refused_though_the_session_is_kept(site, make_member, login, agent):
    taro = make_member("taro", nickname="たろう")
    client = _client(site, agent)
    login(client, "taro")
    url = _kept(site, client, agent)
    with site.app_context():
        db.session.get(Member, taro).login_stopped = True
        db.session.commit()
    assert _refused(client, url)


def test_a_phones_changed_session_is_served_as_it_is_now(site, make_member, login):
    # The language choice is saved in the session: the next page is in English, not a copy.
    make_member("taro", nickname="たろう")
    phone = _client(site, DOCOMO_MOVA)
    login(phone, "taro")
    url = _kept(site, phone, DOCOMO_MOVA)
    sid = sid_of(url)
    assert phone.get(f"/lang/en?next=/home&sid={sid}").html_lang == "en"
    assert phone.get(url).html_lang == "en"


# --- the store on its own: a copy made before a write is never served -----------------------


@pytest.fixture(params=["simple-cache", "redis-cache"])
def cache(request):
    if request.param == "simple-cache":
        yield SimpleCache()
        return
    prefix = f"test-session-cache:{new_id()}:"
    yield redis_cache(prefix)
    _forget(prefix)


def _record(owner: str = "7", **data: str) -> SessionRecord:
    now = utcnow().replace(microsecond=0)
    return SessionRecord(
        {"_user_id": owner, **data}, None, now, now + timedelta(hours=1), owner=owner
    )


class _Counting(SqlSessionStore):
    """The SQL store counting its loads; ``during_load`` runs between the row's read and the
    copy's keeping (another request's write, racing)."""

    def __init__(self) -> None:
        self.loads = 0
        self.during_load = None

    def load(self, key: str):
        self.loads += 1
        row = super().load(key)
        if self.during_load is not None:
            during, self.during_load = self.during_load, None
            during()
        return row


@pytest.fixture
def stores(ctx, cache):
    sql = _Counting()
    return sql, CachedSessionStore(sql, cache, 60)


def test_a_kept_copy_is_read_without_the_row(stores):
    sql, cached = stores
    key = hash_id(new_id())
    cached.save(key, _record(locale="en"))
    assert cached.load(key).data["locale"] == "en"
    assert cached.load(key).data["locale"] == "en"
    assert sql.loads == 1


@pytest.mark.parametrize("ending", ["delete", "delete_owner", "touch", "save", "save_ended"])
def test_a_copy_read_before_a_write_is_never_served(stores, ending):
    sql, cached = stores
    key, other = hash_id(new_id()), hash_id(new_id())
    cached.save(key, _record())
    cached.save(other, _record())
    later = utcnow().replace(microsecond=0) + timedelta(hours=2)
    write = {
        "delete": lambda: cached.delete(key),
        "delete_owner": lambda: cached.delete_owner("7", keep=other),
        "touch": lambda: cached.touch(key, later, later),
        "save": lambda: cached.save(key, _record(locale="ko")),
        # a request that loaded the session before "log out everywhere" saves it after
        "save_ended": lambda: (
            cached.delete_owner("7"),
            cached.save(key, _record(locale="ko"), create=False),
        ),
    }[ending]
    sql.during_load = write
    before = cached.load(key)  # read the row, then the write, then keep the copy
    assert before is not None
    assert "locale" not in before.data
    now = cached.load(key)
    assert sql.loads == 2  # the copy was not served: the row was read again
    if ending in ("delete", "delete_owner", "save_ended"):
        assert now is None
    elif ending == "touch":
        assert now.expires_at == later
    else:
        assert now.data["locale"] == "ko"
    assert cached.load(key) == now  # and kept again as it is now


def test_delete_owner_ends_the_copies_of_every_session_but_the_one_kept(stores):
    sql, cached = stores
    mine = [hash_id(new_id()) for _ in range(3)]
    theirs = hash_id(new_id())
    for key in mine:
        cached.save(key, _record("7"))
    cached.save(theirs, _record("8"))
    for key in [*mine, theirs]:
        assert cached.load(key) is not None  # each kept
    assert cached.delete_owner("7", keep=mine[0]) == 2
    assert [cached.load(key) is None for key in mine] == [False, True, True]
    assert cached.load(theirs) is not None
    assert sql.loads == 4 + 2  # the ended two were read again (and were gone)


def test_a_lost_token_is_a_miss_never_an_old_copy(stores, cache):
    sql, cached = stores
    key = hash_id(new_id())
    cached.save(key, _record())
    cached.load(key)
    cache.delete(TOKEN + key)  # evicted, expired, or a restarted cache
    assert cached.load(key) is not None
    assert sql.loads == 2


def test_an_expired_session_purged_elsewhere_is_refused_from_its_copy(stores):
    # The purge (the queue's consumer: another process) moves no token; the copy carries the
    # row's expiry, which the session interface checks on every load.
    from portal.keitai.session import PortalSessionInterface

    sql, cached = stores
    sid = new_id()
    record = _record()
    cached.save(hash_id(sid), record)
    interface = PortalSessionInterface(cached, device_of=None)
    assert interface._load(sid, utcnow()) is not None  # read and kept
    after = record.expires_at + timedelta(seconds=1)
    assert SqlSessionStore().purge_expired(after) >= 1
    assert interface._load(sid, after) is None
    assert sql.loads == 1  # refused from the copy

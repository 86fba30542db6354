"""Music (mixi ミュージック) through the ListenBrainz API (issue 14.9).

The real clients from PyPI (liblistenbrainz, listenbrainz-submit) talk to the portal served by
waitress on a loopback port; what they sent is then read where members see it: the profile's
最近聴いた曲 with its own visibility, and friends' weekly chart, on a PC and a cookie-less D501i.
"""

from __future__ import annotations

import http.client
import json
import re
import time

import liblistenbrainz
import listenbrainz_submit
import pytest
from liblistenbrainz import errors as lb_errors
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Block, Listen, Member
from portal.services import music
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import PASSWORD
from tests.test_serving import running

NOW = int(time.time())


def token_for(app, member_id: int) -> str:
    with app.app_context():
        token = music.renew_token(db.session.get(Member, member_id))
        db.session.commit()
        return token


def set_music(app, member_id: int, visibility: str) -> None:
    with app.app_context():
        db.session.get(Member, member_id).music_visibility = visibility
        db.session.commit()


def listens_of(app, member_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Listen.artist_name, Listen.track_name)
            .where(Listen.member_id == member_id)
            .order_by(Listen.listened_at)
        )
        return [tuple(r) for r in rows]


def post(client, body, token: str | None = None, **headers):
    if token is not None:
        headers["Authorization"] = f"Token {token}"
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        "/1/submit-listens", data=data, headers=headers, content_type="application/json"
    )


def single(artist="Perfume", track="ポリリズム", at=NOW - 60):
    return {
        "listen_type": "single",
        "payload": [
            {"listened_at": at, "track_metadata": {"artist_name": artist, "track_name": track}}
        ],
    }


# -- the real clients ----------------------------------------------------------------------


def test_a_member_makes_a_token_and_liblistenbrainz_scrobbles_to_the_portal(
    app, browser, login, make_member
):
    taro = make_member("taro", nickname="たろう")
    hanako = make_member("hanako", nickname="はなこ", friends=(taro,))
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get("/settings/music")
    assert page.status == 200
    page = pc.submit("/settings/music", {"action": "renew"})
    token = re.search(r"<code>([0-9a-f]{36})</code>", page.text).group(1)
    with running(app) as port:
        client = liblistenbrainz.ListenBrainz(api_base_url=f"http://127.0.0.1:{port}")
        with pytest.raises(lb_errors.InvalidAuthTokenException):
            client.set_auth_token("not-a-token")
        client.set_auth_token(token)  # validate-token says it is valid
        reply = client.submit_single_listen(
            liblistenbrainz.Listen(
                "ポリリズム", "Perfume", listened_at=NOW - 600, release_name="GAME"
            )
        )
        assert reply == {"status": "ok"}
        client.submit_playing_now(liblistenbrainz.Listen("チョコレイト・ディスコ", "Perfume"))
        client.submit_multiple_listens(
            [
                liblistenbrainz.Listen("さくらんぼ", "大塚愛", listened_at=NOW - 3600),
                liblistenbrainz.Listen("ポリリズム", "Perfume", listened_at=NOW - 7200),
            ]
        )
        bad = liblistenbrainz.ListenBrainz(api_base_url=f"http://127.0.0.1:{port}")
        bad.set_auth_token("0" * 36, check_validity=False)
        with pytest.raises(lb_errors.ListenBrainzAPIException) as refused:
            bad.submit_single_listen(liblistenbrainz.Listen("x", "y", listened_at=NOW))
        assert refused.value.status_code == 401
        assert refused.value.message == "Invalid authorization token."
    assert sorted(listens_of(app, taro)) == [
        ("Perfume", "ポリリズム"),
        ("Perfume", "ポリリズム"),
        ("大塚愛", "さくらんぼ"),
    ]
    friend = browser(PC)
    login(friend, "hanako")
    profile = friend.get(f"/users/{taro}")
    assert "最近聴いた曲" in profile
    assert "Perfume – ポリリズム" in profile
    assert "再生中" in profile
    assert "チョコレイト・ディスコ" in profile
    chart = friend.get("/music/friends")
    assert chart.status == 200
    artists = re.findall(r"<li>(.+?) <small", chart.text.split("<h2>")[1])
    assert artists[0] == "Perfume"
    assert "2回" in chart.text
    assert hanako


def test_listenbrainz_submit_scrobbles_single_playing_now_and_import(app, make_member, monkeypatch):
    taro = make_member("taro", nickname="たろう")
    token = token_for(app, taro)
    with running(app) as port:
        # The client always speaks to api.listenbrainz.org over TLS: point it at the portal.
        def connection(host, context=None, timeout=None):
            assert host == listenbrainz_submit.HOST_NAME
            return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

        monkeypatch.setattr(listenbrainz_submit, "HTTPSConnection", connection)
        client = listenbrainz_submit.ListenBrainzClient(user_token=token)
        track = listenbrainz_submit.Track("きゃりーぱみゅぱみゅ", "PONPONPON", "もしもし原宿")
        assert client.listen(NOW - 300, track).status == 200
        assert client.playing_now(track).status == 200
        tracks = [(NOW - 900, listenbrainz_submit.Track("YUKI", "JOY")), (NOW - 300, track)]
        assert client.import_tracks(tracks).status == 200  # the second is known: kept once
        wrong = listenbrainz_submit.ListenBrainzClient(user_token="f" * 36)
        refused = wrong.listen(NOW, track)
        assert refused.status == 401
    assert sorted(listens_of(app, taro)) == [("YUKI", "JOY"), ("きゃりーぱみゅぱみゅ", "PONPONPON")]


# -- errors as ListenBrainz gives them -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Cannot parse JSON document"),
        ({"payload": []}, "Invalid JSON document submitted."),
        ({"listen_type": "single", "payload": []}, "JSON document does not contain any listens"),
        (
            {"listen_type": "often", "payload": [{}]},
            "JSON document requires a valid listen_type key.",
        ),
        (
            {"listen_type": "single", "payload": single()["payload"] * 2},
            "It should contain only one.",
        ),
        (
            {"listen_type": "single", "payload": [{"track_metadata": {"artist_name": "a"}}]},
            "must contain the key listened_at",
        ),
        (
            {
                "listen_type": "single",
                "payload": [{"listened_at": NOW, "track_metadata": {"artist_name": "a"}}],
            },
            "does not contain required track_metadata.track_name.",
        ),
        (
            single(artist="  "),
            "required field track_metadata.artist_name is empty.",
        ),
        (
            {
                "listen_type": "single",
                "payload": [
                    {"listened_at": 3, "track_metadata": {"artist_name": "a", "track_name": "b"}}
                ],
            },
            "listened_at is too low",
        ),
        (
            {
                "listen_type": "playing_now",
                "payload": [
                    {"listened_at": NOW, "track_metadata": {"artist_name": "a", "track_name": "b"}}
                ],
            },
            "must not contain listened_at while submitting playing_now.",
        ),
        (
            {"listen_type": "import", "payload": single()["payload"] + ["x"]},
            "Listen is empty and cannot be validated.",
        ),
    ],
    ids=[
        "not-json",
        "no-type",
        "empty",
        "odd-type",
        "two-singles",
        "no-time",
        "no-track",
        "blank-artist",
        "too-early",
        "playing-now-with-time",
        "import-with-a-bad-one",
    ],
)
def test_malformed_listens_get_listenbrainz_errors_and_store_nothing(
    app, make_member, body, message
):
    taro = make_member("taro")
    token = token_for(app, taro)
    response = post(app.test_client(), body, token)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["code"] == 400
    assert message in data["error"]
    assert listens_of(app, taro) == []


def test_bad_tokens_get_401_and_validate_token_says_invalid(app, make_member):
    taro = make_member("taro")
    token = token_for(app, taro)
    client = app.test_client()
    missing = post(client, single())
    assert (missing.status_code, missing.get_json()) == (
        401,
        {"code": 401, "error": "You need to provide an Authorization header."},
    )
    odd = post(client, single(), Authorization="Bearer")
    assert odd.get_json()["error"] == "Provided Authorization header is invalid."
    wrong = post(client, single(), "x" * 36)
    assert wrong.get_json() == {"code": 401, "error": "Invalid authorization token."}
    assert client.get("/1/validate-token").status_code == 400
    invalid = client.get("/1/validate-token", headers={"Authorization": "Token nope"})
    assert invalid.get_json() == {"code": 200, "message": "Token invalid.", "valid": False}
    valid = client.get(f"/1/validate-token?token={token}").get_json()
    assert valid["valid"] is True
    assert valid["user_name"] == f"member{taro}"
    assert token_for(app, taro) != token  # renewed: the old one stops working
    assert post(client, single(), token).status_code == 401


def test_a_session_cookie_is_no_token_and_no_csrf_token_is_needed(app, browser, login, make_member):
    taro = make_member("taro")
    pc = browser(PC)
    login(pc, "taro")
    response = pc.client.post(
        "/1/submit-listens", data=json.dumps(single()), content_type="application/json"
    )
    assert response.status_code == 401  # logged in by cookie, still no token: refused
    token = token_for(app, taro)
    assert post(app.test_client(), single(), token).status_code == 200  # no CSRF token sent


def test_the_api_is_rate_limited_with_listenbrainz_headers(app, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "LISTEN_RATE_LIMIT", "3 per minute")
    token = token_for(app, make_member("taro"))
    client = app.test_client()
    first = post(client, single(at=NOW - 10), token)
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    assert 0 < int(first.headers["X-RateLimit-Reset-In"]) <= 61
    post(client, single(at=NOW - 20), token)
    post(client, single(at=NOW - 30), token)
    refused = post(client, single(at=NOW - 40), token)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"


# -- who sees it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "friend_sees", "fof_sees", "stranger_sees"),
    [
        ("public", True, True, True),
        ("fof", True, True, False),
        ("friends", True, False, False),
        ("private", False, False, False),
    ],
)
def test_recently_played_follows_its_own_visibility(
    app, browser, login, make_member, visibility, friend_sees, fof_sees, stranger_sees
):
    taro = make_member("taro", nickname="たろう")
    hanako = make_member("hanako", friends=(taro,))
    make_member("jiro", friends=(hanako,))
    make_member("saburo")
    post(app.test_client(), single(track="ワンルーム・ディスコ"), token_for(app, taro))
    set_music(app, taro, visibility)
    for name, sees in (("hanako", friend_sees), ("jiro", fof_sees), ("saburo", stranger_sees)):
        pc = browser(PC)
        login(pc, name)
        assert ("ワンルーム・ディスコ" in pc.get(f"/users/{taro}")) is sees, name
        assert pc.get(f"/users/{taro}/music").status == (200 if sees else 404), name
    me = browser(PC)
    login(me, "taro")
    assert "ワンルーム・ディスコ" in me.get(f"/users/{taro}")


def test_the_weekly_chart_counts_friends_who_share_and_no_one_blocked(
    app, browser, login, make_member
):
    me = make_member("taro")
    sharing = make_member("hanako", friends=(me,))
    private = make_member("jiro", friends=(me,))
    blocker = make_member("saburo", friends=(me,))
    stranger = make_member("shiro", nickname="しろう")
    client = app.test_client()
    for who, artist in ((sharing, "Perfume"), (private, "非公開の人"), (blocker, "ブロックの人")):
        post(client, single(artist=artist, track="曲"), token_for(app, who))
    post(client, single(artist="他人", track="曲"), token_for(app, stranger))
    post(
        client,
        single(artist="Perfume", track="古い曲", at=NOW - 8 * 86400),
        token_for(app, sharing),
    )
    set_music(app, private, "private")
    with app.app_context():
        db.session.add(Block(blocker_id=blocker, blocked_id=me))
        db.session.commit()
    pc = browser(PC)
    login(pc, "taro")
    chart = pc.get("/music/friends").text
    assert "Perfume" in chart
    assert "古い曲" not in chart  # more than a week ago
    for hidden in ("非公開の人", "ブロックの人", "他人"):
        assert hidden not in chart


def test_a_cookieless_d501i_reads_music_within_its_budget(app, browser, login, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ", friends=(taro,))
    token = token_for(app, taro)
    long_name = "とても長いアーティストの名前" * 10
    for i in range(12):
        post(
            app.test_client(), single(artist=long_name, track=f"曲{i}" * 30, at=NOW - i * 60), token
        )
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "hanako")
    sid = re.search(r"sid=([\w-]+)", home.url).group(1)
    profile = phone.get(f"/users/{taro}?sid={sid}")
    assert profile.charset.lower() == "shift_jis"
    assert "最近聴いた曲" in profile.text
    for path in (
        profile.link("最近聴いた曲"),
        f"/music/friends?sid={sid}",
        f"/settings/music?sid={sid}",
    ):
        page = phone.get(path)
        assert page.status == 200, path
        assert len(page.body) <= 5120, (path, len(page.body))
    assert "曲0" in phone.get(f"/music/friends?sid={sid}").text
    settings = phone.get(f"/settings/music?sid={sid}")
    made = phone.submit("settings/music", {"action": "renew"})
    assert re.search(r"[0-9a-f]{36}", made.text)
    assert settings.status == 200


@pytest.mark.parametrize(
    ("locale", "title"),
    [
        ("en", "weekly music chart"),
        ("zh", "好友本周音乐排行"),
        ("ko", "친구들의 주간 음악 차트"),
    ],
)
def test_the_chart_speaks_the_members_language(browser, login, make_member, locale, title):
    make_member("taro", locale=locale)
    pc = browser(PC)
    login(pc, "taro")
    assert title in pc.get("/music/friends").text


def test_leaving_deletes_the_listens(app, browser, login, make_member):
    taro = make_member("taro")
    post(app.test_client(), single(), token_for(app, taro))
    with app.app_context():
        from portal.services import leaving

        leaving.close_own(db.session.get(Member, taro), PASSWORD)
        db.session.commit()
        assert db.session.scalar(select(func.count(Listen.id))) == 0

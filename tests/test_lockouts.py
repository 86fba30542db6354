"""Lockouts (audit 12.7): failed logins slow the one who fails, never their victim, and never a
whole carrier gateway."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.extensions import db
from portal.models import MobileId
from portal.services.easy_login import digest
from tests.browser import AU, DOCOMO_FOMA, PC, SOFTBANK
from tests.fixtures.factories import PASSWORD

AU_GATEWAY = "210.230.128.225"
OTHER_AU_GATEWAY = "210.230.128.226"
VICTIM_SUBNO = "05001234567890_ab.ezweb.ne.jp"
ATTACKER_SUBNO = "05009999999999_zz.ezweb.ne.jp"


def _try(client, email: str, password: str):
    client.get("/login")
    return client.submit("/login", {"email": email, "password": password})


def _home(page) -> bool:
    return urlsplit(page.url).path == "/home"


def test_wrong_passwords_for_someones_address_lock_out_only_the_one_typing(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_member("taro", nickname="たろう")
    attacker = browser(PC, remote_addr="203.0.113.5")
    for _ in range(3):
        assert _try(attacker, "taro@example.jp", "guess").status == 200
    assert _try(attacker, "taro@example.jp", "guess").status == 429
    assert _try(attacker, "taro@example.jp", PASSWORD).status == 429
    victim = browser(PC, remote_addr="198.51.100.7")
    page = _try(victim, "taro@example.jp", PASSWORD)
    assert _home(page)
    assert "たろう" in page.text


def test_on_a_shared_gateway_the_subscriber_id_tells_the_phones_apart(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_member("taro", nickname="たろう")
    attacker = browser(AU, remote_addr=AU_GATEWAY, headers={"X-UP-SUBNO": ATTACKER_SUBNO})
    for _ in range(4):
        page = _try(attacker, "taro@example.jp", "guess")
    assert page.status == 429
    victim = browser(AU, remote_addr=AU_GATEWAY, headers={"X-UP-SUBNO": VICTIM_SUBNO})
    assert _home(_try(victim, "taro@example.jp", PASSWORD))


def test_phones_that_send_no_id_behind_one_gateway_address_are_told_apart_by_model(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_member("taro", nickname="たろう")
    attacker = browser(AU, remote_addr=AU_GATEWAY)
    for _ in range(4):
        page = _try(attacker, "taro@example.jp", "guess")
    assert page.status == 429
    other_model = "KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
    assert _home(_try(browser(other_model, remote_addr=AU_GATEWAY), "taro@example.jp", PASSWORD))


def test_guessing_from_many_machines_meets_the_gentler_limit_per_address(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "5 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ADDRESS", "4 per hour")
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    for n in range(4):
        assert (
            _try(browser(PC, remote_addr=f"203.0.113.{n + 1}"), "taro@example.jp", "x").status
            == 200
        )
    assert _try(browser(PC, remote_addr="203.0.113.50"), "taro@example.jp", "x").status == 429
    # Other members are not touched by it.
    assert _home(_try(browser(PC, remote_addr="203.0.113.50"), "hanako@example.jp", PASSWORD))


def _register_phone(app, member_id: int, carrier: str, subscriber_id: str) -> None:
    with app.app_context():
        db.session.add(
            MobileId(member_id=member_id, carrier=carrier, digest=digest(carrier, subscriber_id))
        )
        db.session.commit()


def _easy(client):
    client.get("/login")
    return client.submit("/login/easy")


def test_easy_login_failures_lock_out_the_failing_phone_not_its_gateway(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    taro = make_member("taro", nickname="たろう")
    _register_phone(app, taro, "au", VICTIM_SUBNO)
    stranger = browser(AU, remote_addr=AU_GATEWAY, headers={"X-UP-SUBNO": ATTACKER_SUBNO})
    for _ in range(3):
        assert _easy(stranger).status == 200
    assert _easy(stranger).status == 429
    # The same phone through another address of the gateway is still the same subscriber.
    moved = browser(AU, remote_addr=OTHER_AU_GATEWAY, headers={"X-UP-SUBNO": ATTACKER_SUBNO})
    assert _easy(moved).status == 429
    victim = browser(AU, remote_addr=AU_GATEWAY, headers={"X-UP-SUBNO": VICTIM_SUBNO})
    page = _easy(victim)
    assert _home(page)
    assert "たろう" in page.text


@pytest.mark.parametrize(
    ("agent", "gateway", "header", "value"),
    [
        (DOCOMO_FOMA, "210.153.84.1", "X-DCMGUID", "ABC1234"),
        (SOFTBANK, "210.146.7.199", "X-JPHONE-UID", "1234567890abcdef"),
    ],
    ids=["docomo", "softbank"],
)
def test_easy_login_of_other_carriers_counts_per_subscriber_id_too(
    app, browser, make_member, monkeypatch, agent, gateway, header, value
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    taro = make_member("taro", nickname="たろう")
    carrier = "docomo" if header == "X-DCMGUID" else "softbank"
    _register_phone(app, taro, carrier, value)
    cookies = carrier != "docomo"
    stranger = browser(agent, cookies=cookies, remote_addr=gateway, headers={header: value[::-1]})
    for _ in range(3):
        page = _easy(stranger)
    assert page.status == 429
    victim = browser(agent, cookies=cookies, remote_addr=gateway, headers={header: value})
    assert "たろう" in _easy(victim).text

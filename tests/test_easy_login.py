"""Easy login: one press by subscriber ID, trusted only from the carrier's own gateway."""

import pytest

from portal.extensions import db
from portal.models import MobileId
from tests.browser import AU, DOCOMO_FOMA, SOFTBANK, Browser, sid_of
from tests.pages import href

DOCOMO_GATEWAY = "210.153.84.1"
AU_GATEWAY = "210.230.128.225"
SOFTBANK_GATEWAY = "210.146.7.199"
GUID = "ABC1234"
SUBNO = "05001234567890_ab.ezweb.ne.jp"
UID = "1234567890abcdef"

PHONES = {
    "docomo": (DOCOMO_FOMA, DOCOMO_GATEWAY, {"X-DCMGUID": GUID}),
    "au": (AU, AU_GATEWAY, {"X-UP-SUBNO": SUBNO}),
    "softbank": (SOFTBANK, SOFTBANK_GATEWAY, {"X-JPHONE-UID": UID}),
}


@pytest.fixture(autouse=True)
def _our_host(app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_HOSTS", ("localhost",))


def _phone(app, carrier, *, remote_addr=None, headers=None, host="localhost"):
    agent, gateway, ids = PHONES[carrier]
    return Browser(
        app,
        agent,
        cookies=carrier != "docomo",
        remote_addr=remote_addr or gateway,
        headers=ids if headers is None else headers,
        host=host,
    )


def _settings(phone):
    """Follow the page's link to the settings page (設定)."""
    return phone.get(href(phone.page, "/settings"))


def _register(phone, login):
    login(phone, "taro")
    _settings(phone)
    return phone.submit("/settings/easy-login")


def _logout(phone):
    _settings(phone)
    phone.submit("/logout")


@pytest.mark.parametrize("carrier", ["docomo", "au", "softbank"])
def test_registered_phone_logs_in_with_one_press(app, make_member, login, carrier):
    make_member("taro", nickname="たろう")
    phone = _phone(app, carrier)
    page = _register(phone, login)
    assert page.status == 200
    _logout(phone)
    top = phone.get("/login")
    home = phone.submit("/login/easy")
    assert home.status == 200
    assert "たろう" in home.text
    assert top.url != home.url


def test_docomo_forms_ask_for_the_imode_id(app, make_member, login):
    make_member("taro")
    phone = _phone(app, "docomo")
    top = phone.get("/")
    assert "guid=ON" in top.form("/login/easy").action
    login(phone, "taro")
    settings = _settings(phone)
    assert "guid=ON" in settings.form("/settings/easy-login").action
    assert sid_of(settings.form("/settings/easy-login").action)


def test_only_a_keyed_hash_of_the_id_is_stored(app, make_member, login):
    make_member("taro")
    _register(_phone(app, "docomo"), login)
    with app.app_context():
        row = db.session.scalars(db.select(MobileId)).one()
    assert row.carrier == "docomo"
    assert GUID not in row.digest


@pytest.mark.parametrize(
    ("carrier", "remote_addr", "headers"),
    [
        ("docomo", "127.0.0.1", None),  # a PC on the internet sending the header
        ("docomo", AU_GATEWAY, None),  # through another carrier's gateway
        ("docomo", DOCOMO_GATEWAY, {"X-UP-SUBNO": SUBNO}),  # another carrier's header
        ("au", "203.0.113.7", None),
        ("softbank", DOCOMO_GATEWAY, None),
    ],
)
def test_spoofed_subscriber_ids_never_log_anyone_in(
    app, make_member, login, carrier, remote_addr, headers
):
    make_member("taro", nickname="たろう")
    _register(_phone(app, carrier), login)
    spoofer = _phone(app, carrier, remote_addr=remote_addr, headers=headers)
    spoofer.get("/login")
    page = spoofer.submit("/login/easy")
    assert "たろう" not in page.text
    assert "たろう" not in spoofer.get("/home").text


def test_registering_from_outside_the_gateway_is_refused(app, make_member, login):
    make_member("taro")
    phone = _phone(app, "docomo", remote_addr="127.0.0.1")
    page = _register(phone, login)
    assert page.status == 400
    with app.app_context():
        assert db.session.scalars(db.select(MobileId)).all() == []


def test_foreign_host_header_is_refused(app, make_member, login):
    """DNS rebinding: the i-mode browser sends the ID to a page served under another name.

    Every request for a host that is not ours is refused now (issue 12.2), the easy-login
    form and its POST included."""
    make_member("taro", nickname="たろう")
    _register(_phone(app, "docomo"), login)
    rebound = _phone(app, "docomo", host="attacker.example")
    page = rebound.get("/login")
    assert page.status == 400
    assert not any("/login/easy" in form.action for form in page.forms)
    page = rebound._send("POST", "/login/easy?guid=ON", b"")
    assert page.status == 400
    assert "たろう" not in page.text
    assert "Location" not in page.headers


def test_easy_login_is_off_on_a_host_nobody_configured(app, make_app, make_member, login):
    """The development fallback serves localhost, but only a configured host has easy login."""
    make_member("taro", nickname="たろう")
    _register(_phone(app, "docomo"), login)
    unconfigured = make_app()
    assert not unconfigured.config.get("SERVER_NAME")
    assert not unconfigured.config.get("SERVER_HOSTS")
    phone = _phone(unconfigured, "docomo")
    assert phone.get("/login").status == 200
    assert "たろう" not in phone.submit("/login/easy").text


def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(app, make_app, make_member, login):
    make_member("taro", nickname="たろう")
    _register(_phone(app, "docomo"), login)
    forged = {"X-DCMGUID": GUID, "X-Forwarded-For": DOCOMO_GATEWAY}
    direct = _phone(app, "docomo", remote_addr="127.0.0.1", headers=forged)
    direct.get("/login")
    assert "たろう" not in direct.submit("/login/easy").text

    proxied_app = make_app(SERVER_HOSTS=("localhost",), PROXY_HOPS=1)
    behind_proxy = _phone(proxied_app, "docomo", remote_addr="127.0.0.1", headers=forged)
    behind_proxy.get("/login")
    assert "たろう" in behind_proxy.submit("/login/easy").text


def test_turning_easy_login_off_forgets_the_phone(app, make_member, login):
    make_member("taro", nickname="たろう")
    phone = _phone(app, "au")
    _register(phone, login)
    _settings(phone)
    phone.submit("/settings/easy-login/remove")
    _logout(phone)
    phone.get("/login")
    assert "たろう" not in phone.submit("/login/easy").text

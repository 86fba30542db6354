"""Which phones can send a file from a form, against real user agents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from portal.keitai import Keitai, detect
from portal.keitai.uploads import AU_UPLOAD_LIMIT, can_upload, upload_limit

USER_AGENTS = {
    entry["ua"]
    for entry in json.loads(
        (Path(__file__).parent / "data" / "user_agents.json").read_text(encoding="utf-8")
    )
}

#: Real user agents (tests/keitai/data/user_agents.json) that can upload.
CAN = [
    # au browser 7.2.7.1.K.4 and later
    "KDDI-CA3F UP.Browser/6.2_7.2.7.1.K.4.306 (GUI) MMP/2.0",
    "KDDI-KC3R UP.Browser/6.2_7.2.7.1.K.4.303 (GUI) MMP/2.0",
    "KDDI-KC42 UP.Browser/6.2_7.2.7.1.K.6.210 (GUI) MMP/2.0",
    "KDDI-KC46 UP.Browser/6.2_7.2.7.1.K.7.108 (GUI) MMP/2.0",
    # SoftBank 3G (3GC2 and later)
    "SoftBank/1.0/705P/PJP10 Browser/Teleca-Browser/3.1 Profile/MIDP-2.0 Configuration/CLDC-1.1",
    "SoftBank/1.0/740SC/SCJ001 Browser/NetFront/3.3",
]

#: Real user agents that cannot.
CANNOT = [
    # au without the "_7.2.7.1.K.n" part, and WAP1
    "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
    "KDDI-CA21 UP.Browser/6.0.6 (GUI) MMP/1.1",
    "KDDI-CA39 UP.Browser/6.2.0.13.1.5 (GUI) MMP/2.0",
    # Vodafone-era 3GC handsets and J-PHONE
    "Vodafone/1.0/V702NK/NKJ001 Series60/2.6 Profile/MIDP-2.0 Configuration/CLDC-1.1",
    "J-PHONE/2.0/J-DN02",
    # docomo and WILLCOM
    "DoCoMo/2.0 SH902i(c100;TB;W24H16)",
    "DoCoMo/2.0 P09A3(c500;TB;W20H12)",
    "DoCoMo/1.0/D501i",
    "Mozilla/3.0(WILLCOM;KES/WS009KE/2;1/1/C128) NetFront/3.3",
]

PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def _device(user_agent: str):
    return detect({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": "192.0.2.1"})


def test_examples_are_real_user_agents() -> None:
    assert set(CAN + CANNOT) <= USER_AGENTS
    assert {ua for ua in USER_AGENTS if "UP.Browser/6.2_7.2.7.1.K." in ua} <= set(CAN) | {
        "KDDI-KC3W UP.Browser/6.2_7.2.7.1.K.4.303 (GUI) MMP/2.0"
    }


@pytest.mark.parametrize("user_agent", [*CAN, PC, IPHONE])
def test_can_upload(user_agent: str) -> None:
    assert can_upload(_device(user_agent))


@pytest.mark.parametrize("user_agent", CANNOT)
def test_cannot_upload(user_agent: str) -> None:
    assert not can_upload(_device(user_agent))
    assert upload_limit(_device(user_agent)) is None


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("6.2_7.2.7.1.K.3.400", False),  # before K.4
        ("6.2_7.2.7.1.K.4.1", True),
        ("6.2_7.2.7.1.K.10.1", True),  # numeric, not text, comparison
        ("6.2_7.2.7.1.A.9.1", False),  # another letter on the first version: undocumented
        ("6.2_7.2.7.1", False),
        ("6.2_7.2.7.2.K.1.1", True),  # a later base version
        ("6.2_7.3.0.1.K.1.1", True),
        ("6.2_7.2.6.9.K.9.1", False),  # an earlier base version
        ("6.2.0.7.3.129", False),
    ],
)
def test_au_browser_versions(version: str, expected: bool) -> None:
    device = _device(f"KDDI-CA3C UP.Browser/{version} (GUI) MMP/2.0")
    assert device.carrier == "au"
    assert can_upload(device) is expected
    assert upload_limit(device) == (AU_UPLOAD_LIMIT if expected else None)


def test_upload_limits() -> None:
    assert upload_limit(_device(CAN[0])) == 500 * 1024
    for user_agent in (PC, IPHONE, CAN[-1]):
        assert upload_limit(_device(user_agent)) is None


def test_template_global() -> None:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    Keitai(app)

    @app.get("/")
    def form():
        return render_template_string("{% if can_upload() %}file{% else %}none{% endif %}")

    client = app.test_client()
    assert client.get("/", headers={"User-Agent": CAN[0]}).data == b"file"
    assert client.get("/", headers={"User-Agent": PC}).data == b"file"
    assert client.get("/", headers={"User-Agent": CANNOT[0]}).data == b"none"
    assert client.get("/", headers={"User-Agent": CANNOT[3]}).data == b"none"

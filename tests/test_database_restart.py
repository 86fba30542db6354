"""PostgreSQL restarted mid-load (issue 15, item 3): the portal answers the 503 page while the
server is down, never a 500, and serves again by itself once it is back (the pool pre-pings;
the app is not restarted).

The shared PostgreSQL of the suite cannot be stopped, so this test runs a private server of
its own (Debian's initdb and pg_ctl, as the ``postgres`` user when run as root) on a free
loopback port, and the real server (waitress with ``portal.serving``'s settings) in a thread.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.models import Member
from portal.services.passwords import hash_password
from tests.browser import DOCOMO_MOVA, HttpBrowser, sid_of, wait_until
from tests.fixtures.app import FAST_HASH
from tests.fixtures.factories import PASSWORD
from tests.fixtures.mail import free_port
from tests.test_serving import running

#: Clients that keep asking for pages while the server stops and starts.
CLIENTS = 4
#: How long the server stays down (seconds).
DOWN = 3.0


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throwaway PostgreSQL server in a temporary folder, that a test may stop and start."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.data = folder / "data"
        self.port = free_port()
        self.folder = folder
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(folder, "postgres")

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, *args], cwd=self.folder, capture_output=True, text=True, timeout=60
        )
        if done.returncode:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def server():
    bin_dir = _binaries()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL's server programs are required (REQUIRE_POSTGRES)")
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl) to run a private server")
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    os.chmod(folder, 0o755)  # noqa: S103 (the postgres user must reach it; nothing secret)
    postgres = PrivatePostgres(bin_dir, folder)
    postgres.init()
    postgres.start()
    yield postgres
    try:
        postgres.stop()
    except RuntimeError:
        pass
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def site(server):
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "restart-test",
            "SQLALCHEMY_DATABASE_URI": server.url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "QUEUE_URL": "memory://",
            **FAST_HASH,
        }
    )
    with app.app_context():
        upgrade()
        db.session.add(
            Member(
                email="taro@example.jp",
                password_hash=hash_password(PASSWORD),
                nickname="たろう",
                birth_date=__import__("datetime").date(1990, 5, 1),
            )
        )
        db.session.commit()
        db.session.remove()
    with running(app) as port:
        yield port
    with app.app_context():
        db.engine.dispose()


def _login(port: int) -> str:
    phone = HttpBrowser(port, DOCOMO_MOVA)
    phone.get("/login")
    home = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert home.status == 200, home.text
    return sid_of(home.url)


def test_a_restart_mid_load_gives_503_pages_and_the_portal_recovers_by_itself(server, site):
    sid = _login(site)
    seen: list[tuple[float, int, bytes]] = []
    stop = threading.Event()

    def client(n: int) -> None:
        phone = HttpBrowser(site, DOCOMO_MOVA)
        while not stop.is_set():
            # A page the page cache does not keep: the home is a copy, and so is its session,
            # which needs no database either (the member's footprints read it).
            path = f"/footprints?sid={sid}" if n % 2 else "/"
            try:
                page = phone.get(path)
            except OSError:  # the server itself never refuses; record it as a failure
                seen.append((time.monotonic(), 0, b""))
                continue
            seen.append((time.monotonic(), page.status, page.body))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    server.stop()
    time.sleep(DOWN)
    server.start()
    back = time.monotonic()
    # Pooled connections to the stopped server are found dead by the pre-ping and replaced.
    assert wait_until(lambda: HttpBrowser(site, DOCOMO_MOVA).get(f"/home?sid={sid}").status == 200)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)

    statuses = Counter(status for _, status, _ in seen)
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped connection
    assert statuses[200], statuses
    assert statuses[503], statuses
    for _, status, body in seen:
        if status == 503:
            assert "ただいま" in body.decode("cp932"), body[:300]
            assert len(body) <= 5120
    settled = [status for at, status, _ in seen if at > back + 5.0]
    assert not settled or set(settled) == {200}, Counter(settled)
    # The session stored before the restart still works: nothing was lost.
    assert HttpBrowser(site, DOCOMO_MOVA).get(f"/home?sid={sid}").status == 200

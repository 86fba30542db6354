"""``make load``: 200 members at once for 60 s, then a check that every acknowledged write is
stored. Bounded, loopback only, it stops by itself.

Seeds a world of :data:`MEMBERS` members (SQLite in a temporary folder, or an empty
PostgreSQL database named by ``LOAD_DATABASE_URL``), serves the portal with its waitress
settings (:mod:`portal.serving`) on a loopback port, logs one member in per client (half PCs
with cookies, half cookie-less docomo phones with the sid in the URL) and lets each client
read and write back to back: pages (home, diaries, profiles, communities, messages, search)
and, one request in five, a diary comment or a message carrying a unique marker. Prints the
requests, the errors by kind (time-outs, 5xx, other statuses, connection errors) and
p50/p99, then looks up every write that was acknowledged (a redirect) in the database.
Exits 1 on any error, time-out or lost write.

With ``--port`` (or ``LOAD_PORT``) it seeds and serves nothing: it loads a site already
running on that loopback port (``make cluster``: nginx in front of the waitress processes)
whose database ``--database`` names, e.g. a large world seeded there beforehand.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .load import HOST
from .report import percentile
from .scenarios import _FORM, DOCOMO_AGENT, PASSWORD, PC_AGENT
from .servers import PORT_BASE, Server, world_env

#: Members seeded (``seed-demo --users``): one account per client and some to spare.
MEMBERS = 220
#: A client gives up on a request after this many seconds: that is a time-out.
TIMEOUT = 10.0
#: Client processes (the load generator must not be the bottleneck on the GIL).
PROCESSES = 4
#: One request in this many is a write.
WRITE_EVERY = 5
COOKIE = "portal_session"
#: The load's members get a cheap password hash (seeded with it; a hash carries its own cost),
#: so 200 logins before the load do not take minutes of argon2 on a small machine. The
#: logins are setup: they are not measured.
CHEAP_HASH = {
    "PORTAL_PASSWORD_HASH_TIME_COST": "1",
    "PORTAL_PASSWORD_HASH_MEMORY_COST": "8192",
    "PORTAL_PASSWORD_HASH_PARALLELISM": "1",
}
#: Seconds a login may take (setup, under the other clients' logins).
LOGIN_TIMEOUT = 60.0
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crowd", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (60)")
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL"),
        help="an empty PostgreSQL database (default: LOAD_DATABASE_URL, else SQLite)",
    )
    port = os.environ.get("LOAD_PORT")
    parser.add_argument(
        "--port",
        type=int,
        default=int(port) if port else None,
        help="load the site already running on this loopback port (default: LOAD_PORT, else"
        " serve one); its database is --database",
    )
    args = parser.parse_args(argv)
    if args.port is not None and not args.database:
        parser.error("--port needs --database (LOAD_DATABASE_URL): the site's database")
    if not 1 <= args.clients <= MEMBERS - 10 or not 0 < args.seconds <= 600:
        parser.error(f"--clients from 1 to {MEMBERS - 10}, --seconds up to 600")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.port is not None:
        return _load_running_site(args)
    folder = Path(tempfile.mkdtemp(prefix="keitai-load-"))
    port = PORT_BASE + 10
    env = {**world_env(folder, (port,)), **CHEAP_HASH}
    if args.database:
        env["DATABASE_URL"] = args.database
    try:
        say(f"seeding {MEMBERS} members into {_where(env['DATABASE_URL'])}")
        from .servers import _flask

        _flask(env, "db", "upgrade")
        say("  " + _flask(env, "seed-demo", "--users", str(MEMBERS), "--if-empty").strip()[:200])
        world = _world(env["DATABASE_URL"])
        with Server("portal", "wsgi:app", port, env, folder / "portal.log") as server:
            say(f"serving on :{server.port}; {args.clients} clients for {args.seconds:g} s")
            pid = server.process.pid if server.process else 0
            began = cpu_seconds(pid)
            tallies = _run(server.port, world, args.clients, args.seconds)
            used = cpu_seconds(pid) - began
        shutil.copyfile(
            folder / "portal.log", Path(__file__).parent / "results" / "load-portal.log"
        )
        return _report(env["DATABASE_URL"], tallies, args, cpu=used)
    except RuntimeError as e:
        print(f"load: {e}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load_running_site(args: argparse.Namespace) -> int:
    """Load the site on ``args.port`` (seeded already) and check its database."""
    world = _world(args.database)
    if len(world["members"]) < args.clients:
        print(f"load: {len(world['members'])} generated members, fewer than the clients")
        return 2
    where = _where(args.database)
    say(f"loading :{args.port} ({where}); {args.clients} clients for {args.seconds:g} s")
    return _report(args.database, _run(args.port, world, args.clients, args.seconds), args)


def _where(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url.rsplit("/", 1)[-1]


def _world(database_url: str) -> dict[str, Any]:
    """The accounts of the clients and what they read and write: generated members only (the
    fixed accounts' blocks stay out of the way), public diaries open for comments."""
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import Community, Diary, Member

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load"})
    with app.app_context():
        members = db.session.execute(
            select(Member.id, Member.email).where(Member.email.like("member%")).order_by(Member.id)
        ).all()
        generated = {member_id for member_id, _ in members}
        diaries = [
            diary_id
            for diary_id, author in db.session.execute(
                select(Diary.id, Diary.author_id)
                .where(Diary.visibility == "public", ~Diary.hidden, ~Diary.comments_closed)
                .order_by(Diary.id)
                .limit(2000)
            )
            if author in generated
        ][:300]
        communities = db.session.scalars(
            select(Community.id).order_by(Community.id).limit(50)
        ).all()
        db.engine.dispose()
    return {
        "members": [(member_id, email) for member_id, email in members],
        "diaries": diaries,
        "communities": list(communities),
    }


def _run(port: int, world: dict[str, Any], clients: int, seconds: float) -> list[dict]:
    """Drive the clients from :data:`PROCESSES` processes; return each process's tally."""
    accounts = world["members"][:clients]
    shares = [accounts[n::PROCESSES] for n in range(PROCESSES)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(drive, port, share, world, seconds, n)
            for n, share in enumerate(shares)
            if share
        ]
        return [f.result(timeout=seconds + 4 * TIMEOUT + 120) for f in futures]


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.requests = 0
        self.acked: list[tuple[str, str]] = []  # (kind, marker)
        self.refused: list[tuple[str, str, int]] = []

    def record(self, latency: float, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(latency)
            if error:
                self.errors[error] += 1


class _Client:
    """One member's browser: a keep-alive connection, a cookie (PC) or a sid (docomo)."""

    def __init__(self, port: int, email: str, phone: bool, tally: _Tally):
        self.port, self.email, self.phone, self.tally = port, email, phone, tally
        self.agent = DOCOMO_AGENT if phone else PC_AGENT
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = ""
        self.sid = ""
        self.token = ""

    def request(
        self, method: str, path: str, form: dict | None = None, *, count: bool = True
    ) -> tuple | None:
        """Send one request; return ``(status, headers, body)`` or ``None`` on an error."""
        headers = {"User-Agent": self.agent}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form, encoding="cp932" if self.phone else "utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.sid:
            path += ("&" if "?" in path else "?") + urlencode({"sid": self.sid})
        began = time.perf_counter()
        error = None
        result = None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
            self.conn.timeout = TIMEOUT if count else LOGIN_TIMEOUT
            if self.conn.sock is not None:
                self.conn.sock.settimeout(self.conn.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            result = (response.status, response.headers, response.read())
            if response.status >= 500:
                error = f"HTTP {response.status}"
            elif response.status >= 400:
                error = f"HTTP {response.status}"
        except TimeoutError:
            error = "time-out"
        except (OSError, http.client.HTTPException) as e:
            error = f"connection: {type(e).__name__}"
        if error and result is None and self.conn is not None:
            self.conn.close()
            self.conn = None
        if count:
            self.tally.record(time.perf_counter() - began, error)
        return result

    def log_in(self) -> bool:
        page = self.request("GET", "/login", count=False)
        if page is None:
            return False
        self._keep_cookie(page[1])
        text = page[2].decode("latin-1")
        token, action = _TOKEN.search(text), _FORM.search(text)
        if not token or not action:
            return False
        form = {"email": self.email, "password": PASSWORD, "csrf_token": token[1]}
        done = self.request("POST", unescape(action[1]), form, count=False)
        if done is None or done[0] != 302:
            return False
        self._keep_cookie(done[1])
        if self.phone:
            self.sid = parse_qs(urlsplit(done[1].get("Location", "")).query).get("sid", [""])[0]
        return bool(self.sid or self.cookie)

    def _keep_cookie(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or ():
            morsel = SimpleCookie(header).get(COOKIE)
            if morsel is not None:
                self.cookie = f"{COOKIE}={morsel.value}"

    def read_token(self, page) -> None:
        if page is not None and not self.token:
            found = _TOKEN.search(page[2].decode("latin-1"))
            if found:
                self.token = unescape(found[1])


def drive(port: int, accounts, world: dict[str, Any], seconds: float, seed: int) -> dict:
    """Run one client thread per account until ``seconds`` have passed; return the tally."""
    tally = _Tally()
    rng = random.Random(seed)
    start = time.monotonic() + 2.0  # every client logs in first
    stop = start + seconds
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(port, email, n % 2 == 1, world, random.Random(rng.random()), start, stop, tally),
        )
        for n, (_, email) in enumerate(accounts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return {
        "latencies": tally.latencies,
        "errors": dict(tally.errors),
        "requests": tally.requests,
        "acked": tally.acked,
        "refused": tally.refused,
        "logins_failed": tally.errors.get("login failed", 0),
    }


def _client_loop(port, email, phone, world, rng, start, stop, tally) -> None:
    client = _Client(port, email, phone, tally)
    if not client.log_in():
        with tally.lock:
            tally.errors["login failed"] += 1
        return
    time.sleep(max(0.0, start - time.monotonic()))
    others = [member_id for member_id, other in world["members"] if other != email]
    n = 0
    while time.monotonic() < stop:
        n += 1
        if n % WRITE_EVERY == 0 and client.token:
            _write(client, rng, world, others, n)
        else:
            page = client.request("GET", _read_path(rng, world, others))
            client.read_token(page)
    if client.conn is not None:
        client.conn.close()


def _read_path(rng: random.Random, world: dict[str, Any], others: list[int]) -> str:
    choice = rng.random()
    if choice < 0.3:
        return "/home"
    if choice < 0.55:
        return f"/diaries/{rng.choice(world['diaries'])}"
    if choice < 0.7:
        return f"/users/{rng.choice(others)}"
    if choice < 0.8:
        return f"/communities/{rng.choice(world['communities'])}"
    if choice < 0.9:
        return "/messages"
    return "/search?q=" + rng.choice(("ramen", "cafe", "2008"))


def _write(client: _Client, rng: random.Random, world: dict[str, Any], others, n: int) -> None:
    marker = f"load-{client.email.split('@')[0]}-{n}"
    if rng.random() < 0.6:
        kind, path = "diary comment", f"/diaries/{rng.choice(world['diaries'])}/comments"
        form = {"body": f"負荷テストのコメントです {marker}", "csrf_token": client.token}
    else:
        kind, path = "message", "/messages/new"
        form = {
            "to": str(rng.choice(others)),
            "subject": "負荷テスト",
            "body": f"負荷テストのメッセージです {marker}",
            "csrf_token": client.token,
        }
    done = client.request("POST", path, form)
    with client.tally.lock:
        if done is not None and done[0] in (302, 303):
            client.tally.acked.append((kind, marker))
        elif done is not None:
            client.tally.refused.append((kind, marker, done[0]))


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system, all threads) process ``pid`` has used so far,
    from ``/proc`` (0.0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _report(
    database_url: str, tallies: list[dict], args: argparse.Namespace, cpu: float | None = None
) -> int:
    latencies = [x for t in tallies for x in t["latencies"]]
    errors = sum((Counter(t["errors"]) for t in tallies), Counter())
    acked = [a for t in tallies for a in t["acked"]]
    refused = [r for t in tallies for r in t["refused"]]
    lost = _lost_writes(database_url, acked)
    requests = sum(t["requests"] for t in tallies)
    print(f"\n== make load: {args.clients} clients, {args.seconds:g} s, {_where(database_url)}")
    print(f"requests: {requests} ({requests / args.seconds:.1f}/s)")
    p50, p99 = (percentile(latencies, p) * 1000 for p in (50, 99))
    print(f"p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    if cpu:  # the server's own CPU time, whatever share of the machine it got
        print(f"server CPU: {cpu:.1f} s, {requests / cpu:.1f} requests per CPU-second")
    timeouts = errors.get("time-out", 0)
    server = sum(n for kind, n in errors.items() if kind.startswith("HTTP 5"))
    connection = sum(n for kind, n in errors.items() if kind.startswith("connection"))
    print(f"time-outs: {timeouts}, 5xx: {server}, connection errors: {connection}")
    for kind, n in sorted(errors.items()):
        print(f"  {kind}: {n}")
    kinds = Counter(kind for kind, _ in acked)
    print(f"acknowledged writes: {len(acked)} ({dict(kinds)}); refused: {len(refused)}")
    print(f"acknowledged but not stored: {len(lost)}")
    for kind, marker in lost[:10]:
        print(f"  LOST {kind} {marker}")
    bad = sum(errors.values()) + len(lost)
    print("OK: no errors, no time-outs, no lost writes" if not bad else f"FAILED: {bad} problems")
    return 1 if bad else 0


def _lost_writes(database_url: str, acked: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The acknowledged writes whose marker is in no stored row."""
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import DiaryComment, Message

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load"})
    stored = set()
    with app.app_context():
        for model in (DiaryComment, Message):
            for body in db.session.scalars(
                select(model.body).where(model.body.like("%load-member%"))
            ):
                stored.add(body.rsplit(" ", 1)[-1])
        db.engine.dispose()
    return [(kind, marker) for kind, marker in acked if marker not in stored]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

"""Profile one page in process: ``python -m bench.profile [--docomo] [--visitor] PATH``.

Builds a demo world in a temporary folder (as ``make bench`` does), logs taro in (unless
``--visitor``), requests the page once to warm the caches, then calls the WSGI app ``--count``
times with the same environ under cProfile (no server, no sockets) and prints the functions
that took the most time, cumulative and own. ``--world`` reuses a database file instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.test import Client, EnvironBuilder

from .scenarios import _FORM, _TOKEN, DOCOMO_AGENT, EMAIL, PASSWORD, PC_AGENT
from .servers import build_world, world_env

HOST = "127.0.0.1:8000"


def _login(client: Client, agent: str) -> tuple[str, dict[str, str]]:
    """Log taro in; return the sid (phones) or "" and the headers to send after."""
    headers = {"User-Agent": agent, "Host": HOST}
    page = client.get("/login", headers=headers)
    for header in page.headers.getlist("Set-Cookie"):
        if header.startswith("portal_session="):
            headers["Cookie"] = header.partition(";")[0]
    text = page.get_data().decode("latin-1")
    action, token = _FORM.search(text)[1].replace("&amp;", "&"), _TOKEN.search(text)[1]
    done = client.post(
        action,
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        headers=headers,
    )
    location = done.headers.get("Location", "")
    sid = location.partition("sid=")[2].partition("&")[0]
    for header in done.headers.getlist("Set-Cookie"):
        if header.startswith("portal_session="):
            headers["Cookie"] = header.partition(";")[0]
    if not sid and "Cookie" not in headers:
        raise SystemExit(f"login failed: {done.status} {location}")
    return sid, headers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("path")
    parser.add_argument("--docomo", action="store_true")
    parser.add_argument("--visitor", action="store_true")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--world", type=Path, help="an existing SQLite database to use")
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="keitai-profile-"))
    try:
        env = world_env(folder, (8000,))
        if args.world:
            shutil.copyfile(args.world, folder / "bench.sqlite")
        else:
            build_world(env, None)
        os.environ.update(env)
        os.environ["PORTAL_REQUEST_LOG"] = "false"
        from portal import create_app

        app = create_app()
        client = Client(app, use_cookies=False)
        agent = DOCOMO_AGENT if args.docomo else PC_AGENT
        headers = {"User-Agent": agent, "Host": HOST}
        path = args.path
        if not args.visitor:
            sid, headers = _login(client, agent)
            if args.docomo:
                path += ("&" if "?" in path else "?") + urlencode({"sid": sid})
        builder = EnvironBuilder(path=path, headers=headers)
        environ = builder.get_environ()
        for _ in range(3):
            status = _call(app, environ)
        print(f"{path}: {status}", file=sys.stderr)
        started = time.perf_counter()
        for _ in range(200):
            _call(app, environ)
        plain = (time.perf_counter() - started) / 200
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.count):
            _call(app, environ)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        print(f"unprofiled: {plain * 1e6:.0f} us per request ({1 / plain:.0f} req/s)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _call(app, environ) -> str:
    captured = []

    def start_response(status, headers, exc_info=None):
        captured.append(status)

    body = app(dict(environ, **{"wsgi.input": io.BytesIO()}), start_response)
    try:
        b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return captured[0]


if __name__ == "__main__":
    sys.exit(main())

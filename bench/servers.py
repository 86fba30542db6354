"""The worlds (a throw-away demo world, kept large ones) and the server subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .load import HOST, fetch

#: The repository root: the working directory of every subprocess.
ROOT = Path(__file__).resolve().parent.parent
#: The virtualenv's scripts (``flask``), next to the running interpreter.
BIN = Path(sys.executable).parent


#: Large worlds are built once into this folder and kept (git-ignored): a 100,000-member world
#: takes many minutes to seed. Each run works on a copy, so the kept world never changes.
WORLDS = ROOT / "bench" / "worlds"
#: The benchmark's loopback ports: the bare app, then the portal (BENCH_PORT_BASE to move).
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "8200"))


def world_env(folder: Path, ports: tuple[int, ...] = ()) -> dict[str, str]:
    """Return the environment of the ``flask`` commands and the servers.

    :param folder: a fresh directory; the SQLite database is created (or copied) into it.
    :param ports: the servers' ports: ``127.0.0.1:<port>`` must be a host of the site, or the
        portal answers 400 (``portal.hosts``).
    """
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{folder.resolve() / 'bench.sqlite'}",
        "PORTAL_SECRET_KEY": "bench-only-not-secret",
        "PORTAL_SERVER_HOSTS": json.dumps([f"{HOST}:{port}" for port in ports]),
        # Every scenario logs in from the same address; the login limiter would refuse.
        "PORTAL_RATELIMIT_ENABLED": "false",
    }


def _flask(env: dict[str, str], *args: str) -> str:
    """Run a ``flask`` command; return its output. :raise RuntimeError: when it fails."""
    done = subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        command = " ".join(["flask", *args])
        raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _summary(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1].rstrip(".") if lines else ""


def build_world(env: dict[str, str], users: int | None = None, seed: int = 2008) -> str:
    """Make the database of ``env``: a fresh demo world, or a copy of the kept large world of
    ``users`` members (built first when there is none); return a one-line description.

    :raise RuntimeError: when a command fails (its output is in the message).
    """
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    if users is None:
        _flask(env, "db", "upgrade")
        return _summary(_flask(env, "seed-demo", "--seed", str(seed)))
    kept = WORLDS / f"users-{users}-seed-{seed}.sqlite"
    if not kept.exists():
        _build_kept(env, users, seed, kept)
    shutil.copyfile(kept, database)
    _flask(env, "db", "upgrade")  # a world kept from before a newer migration
    return f"{users} members (kept world {kept.name}, seed {seed})"


def _build_kept(env: dict[str, str], users: int, seed: int, kept: Path) -> None:
    """Seed a large world into ``kept``, via a temporary name (no half-built world is kept)."""
    WORLDS.mkdir(parents=True, exist_ok=True)
    building = kept.with_name("building-" + kept.name)
    for stale in building.parent.glob(building.name + "*"):
        stale.unlink()
    build_env = {**env, "DATABASE_URL": f"sqlite:///{building}"}
    print(f"bench: seeding {users} members into {kept} (once; kept for later runs)", flush=True)
    _flask(build_env, "db", "upgrade")
    subprocess.run(  # the progress bar shows on the terminal
        [str(BIN / "flask"), "seed-demo", "--users", str(users), "--seed", str(seed)],
        cwd=ROOT,
        env=build_env,
        check=True,
    )
    sqlite3.connect(building).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    building.rename(kept)


class Server:
    """A WSGI app served by :mod:`bench.serve` on a loopback port, as a subprocess.

    Use it as a context manager: entering starts the server and waits until it answers,
    leaving stops it (terminate, then kill), whatever happened in between.

    :param name: the label used in messages.
    :param app: what to serve, ``module:attribute`` importable from :data:`ROOT`.
    :param port: its loopback port.
    :param env: the server's environment (``PORTAL_WAITRESS_*`` apply to both apps).
    :param log: the file that receives the server's output.
    """

    def __init__(self, name: str, app: str, port: int, env: dict[str, str], log: Path):
        self.name = name
        self.app = app
        self.env = env
        self.log = log
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait until it answers ``GET /`` (with any status).

        :raise RuntimeError: when it exits, or does not answer within ``timeout`` seconds.
        """
        command = [sys.executable, "-m", "bench.serve", self.app, str(self.port)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                fetch(self.port, "/", timeout=2.0)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} did not answer within {timeout:g} s:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.1)

    def stop(self, grace: float = 5.0) -> None:
        """Stop the server: terminate it, and kill it if it is still there after ``grace`` s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        """Return the last ``lines`` lines the server wrote."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

"""The throw-away demo world, and WSGI apps served by ``waitress-serve`` subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from .load import HOST, fetch

#: The repository root: the working directory of every subprocess.
ROOT = Path(__file__).resolve().parent.parent
#: The virtualenv's scripts (``flask``, ``waitress-serve``), next to the running interpreter.
BIN = Path(sys.executable).parent


def world_env(folder: Path) -> dict[str, str]:
    """Return the environment of the ``flask`` commands and the servers.

    :param folder: a fresh directory; the SQLite database is created in it.
    """
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{folder.resolve() / 'bench.sqlite'}",
        "PORTAL_SECRET_KEY": "bench-only-not-secret",
        # Every scenario logs in from the same address; the login limiter would refuse.
        "PORTAL_RATELIMIT_ENABLED": "false",
    }


def build_world(env: dict[str, str], users: int | None = None) -> str:
    """Run ``flask db upgrade`` then ``flask seed-demo``; return the seeding summary line.

    :param env: from :func:`world_env`.
    :param users: members of a large world (``--users``); ``None`` for the small demo world.
    :raise RuntimeError: when a command fails (its output is in the message).
    """
    seed = ["seed-demo"] if users is None else ["seed-demo", "--users", str(users)]
    for args in (["db", "upgrade"], seed):
        done = subprocess.run(
            [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            command = " ".join(["flask", *args])
            raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return lines[-1].rstrip(".") if lines else ""


def free_port() -> int:
    """Return a loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """A WSGI app served by ``waitress-serve`` on a free loopback port, as a subprocess.

    Use it as a context manager: entering starts the server and waits until it answers,
    leaving stops it (terminate, then kill), whatever happened in between.

    :param name: the label used in messages.
    :param app: what to serve, ``module:attribute`` importable from :data:`ROOT`.
    :param env: the server's environment.
    :param threads: waitress worker threads.
    :param log: the file that receives the server's output.
    """

    def __init__(self, name: str, app: str, env: dict[str, str], threads: int, log: Path):
        self.name = name
        self.app = app
        self.env = env
        self.threads = threads
        self.log = log
        self.port = free_port()
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

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers ``GET /`` (with any status).

        :raise RuntimeError: when it exits, or does not answer within ``timeout`` seconds.
        """
        command = [
            str(BIN / "waitress-serve"),
            f"--listen={HOST}:{self.port}",
            f"--threads={self.threads}",
            self.app,
        ]
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

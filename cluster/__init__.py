"""The scale-out site on loopback: nginx in front of N waitress processes, PostgreSQL, one Redis
server (sessions, rate limits, cache, queue: one database number each) and a huey consumer.

``make cluster`` (``python -m cluster``) starts it and waits for Ctrl-C; the cluster tests
start it with :class:`Cluster` and stop pieces of it on purpose. Every process is a child of
this one, logs into the run folder, and is stopped with it. Ports (from ``base``): nginx on
``base``, the waitress processes on ``base+1``..., an SMTP sink on ``base+9``, Redis on
``base+10``.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/kp_cluster"
#: Seconds any piece may take to come up.
START_TIMEOUT = 90


class ClusterError(RuntimeError):
    """A piece of the cluster did not start."""


def nginx_binary() -> str | None:
    """Return nginx's path (Debian installs it in /usr/sbin), or ``None``."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def render_nginx(listen: int, upstreams: list[int], run: Path) -> str:
    """Return the nginx configuration for this cluster (deploy/nginx.conf.template)."""
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in upstreams
    )
    text = TEMPLATE.read_text()
    for name, value in {
        "USER": "user root;" if os.geteuid() == 0 else "",
        "RUN": str(run),
        "UPSTREAMS": servers,
        "LISTEN": f"127.0.0.1:{listen}",
    }.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def get(port: int, path: str, timeout: float = 5.0, headers: dict | None = None):
    """GET ``path`` on a loopback port; return ``(status, body)`` (``(None, b"")``: no answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return None, b""
    finally:
        connection.close()


class Cluster:
    """The whole site as child processes; use as a context manager.

    :param base: the first port (nginx); the others follow it.
    :param database_url: PostgreSQL (created when missing, migrated, the demo world seeded).
    :param mail_port: the SMTP server mail goes to (default: a sink of ours on ``base+9``).
    """

    def __init__(
        self,
        base: int = 8400,
        *,
        database_url: str | None = None,
        processes: int = 2,
        threads: int = 4,
        mail_port: int | None = None,
        run_dir: Path | None = None,
    ) -> None:
        self.base = base
        self.nginx_port = base
        self.upstream_ports = [base + 1 + i for i in range(processes)]
        self.redis_port = base + 10
        self.mail_port = mail_port or base + 9
        self.own_sink = mail_port is None
        self.database_url = database_url or os.environ.get("CLUSTER_DATABASE_URL", DEFAULT_DATABASE)
        self.threads = threads
        self.run = run_dir or Path(tempfile.mkdtemp(prefix="keitai-cluster-"))
        self.processes: dict[str, subprocess.Popen] = {}

    # -- the environment every portal process shares --------------------------------------------

    def redis_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{db}"

    def env(self) -> dict[str, str]:
        hosts = [f"127.0.0.1:{p}" for p in (self.nginx_port, *self.upstream_ports)]
        hosts.append(f"localhost:{self.nginx_port}")
        return {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "DATABASE_URL": self.database_url,
            "PORTAL_INSTANCE_PATH": str(self.run / "instance"),
            "PORTAL_SECRET_KEY": self._secret(),
            "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{self.nginx_port}",
            "PORTAL_SERVER_HOSTS": json.dumps(hosts),
            "PORTAL_PROXY_HOPS": "1",
            "PORTAL_SESSION_STORE": "redis",
            "PORTAL_SESSION_REDIS_URL": self.redis_url(0),
            "PORTAL_RATELIMIT_STORAGE_URI": self.redis_url(1),
            "PORTAL_QUEUE_URL": self.redis_url(2),
            "PORTAL_CACHE_TYPE": "RedisCache",
            "PORTAL_CACHE_REDIS_URL": self.redis_url(3),
            "PORTAL_MAIL_ENABLED": "true",
            "PORTAL_MAIL_SERVER": "127.0.0.1",
            "PORTAL_MAIL_PORT": str(self.mail_port),
            "PORTAL_MAIL_POST_DOMAIN": "post.localhost",
        }

    def _secret(self) -> str:
        path = self.run / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text()

    # -- starting and stopping pieces -----------------------------------------------------------

    def _spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        with (self.run / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        """Return a piece's log so far."""
        path = self.run / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _flask(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise ClusterError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def start_redis(self) -> None:
        self._spawn(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.run),
            ],
        )
        self._wait(lambda: self._redis_answers(), "Redis")

    def _redis_answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.redis_port, socket_timeout=1).ping())
        except redis.exceptions.RedisError:
            return False

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop one piece (``redis``, ``web1``, ``consumer``...) and wait for it."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)

    def prepare_database(self) -> None:
        """Create the database when missing, migrate it, seed the demo world once."""
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        if url.get_backend_name() == "postgresql":
            import psycopg

            server = url.set(database="postgres").render_as_string(hide_password=False)
            with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
                found = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
                ).fetchone()
                if not found:
                    conn.execute(f'CREATE DATABASE "{url.database}"')
        self._flask("db", "upgrade")
        self._flask("seed-demo", "--if-empty")

    def _serve_args(self, port: int) -> list[str]:
        if importlib.util.find_spec("portal.serving") is not None:
            return [
                sys.executable,
                "-m",
                "flask",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
        return [
            sys.executable,
            "-m",
            "waitress",
            f"--listen=127.0.0.1:{port}",
            f"--threads={self.threads}",
            "wsgi:app",
        ]

    def start_web(self, index: int) -> None:
        port = self.upstream_ports[index]
        env = {**self.env(), "PORTAL_WAITRESS_THREADS": str(self.threads)}
        self._spawn(f"web{index + 1}", self._serve_args(port), env)
        self._wait(lambda: get(port, "/healthz")[0] == 200, f"waitress on :{port}")

    def start_consumer(self) -> None:
        self._spawn("consumer", [sys.executable, "-m", "flask", "queue", "consume"])

    def start_sink(self) -> None:
        self._spawn(
            "smtp-sink",
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.mail_port}",
                "-c",
                "aiosmtpd.handlers.Debugging",
            ],
        )

    def start_nginx(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise ClusterError("nginx is not installed (apt-get install nginx-light)")
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run / folder).mkdir(exist_ok=True)
        conf = self.run / "nginx.conf"
        conf.write_text(render_nginx(self.nginx_port, self.upstream_ports, self.run))
        self._spawn("nginx", [binary, "-p", str(self.run), "-c", str(conf), "-g", "daemon off;"])
        self._wait(lambda: get(self.nginx_port, "/healthz")[0] == 200, "nginx")

    def start(self) -> Cluster:
        """Start every piece, in order; raise :class:`ClusterError` if one does not come up."""
        (self.run / "instance").mkdir(parents=True, exist_ok=True)
        try:
            self.start_redis()
            self.prepare_database()
            if self.own_sink:
                self.start_sink()
            for index in range(len(self.upstream_ports)):
                self.start_web(index)
            self.start_consumer()
            self.start_nginx()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop everything (nginx first, Redis last)."""
        for name in ["nginx", *[n for n in self.processes if n.startswith("web")], "consumer"]:
            self.stop(name)
        for name in list(self.processes):
            self.stop(name)

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise ClusterError(f"{name} exited ({process.returncode}):\n{self.log(name)}")
            if time.monotonic() > deadline:
                raise ClusterError(f"{what} did not come up in {START_TIMEOUT} s")
            time.sleep(0.2)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

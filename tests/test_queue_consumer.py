"""The queue through a real consumer process (``flask queue consume``) on a SQLite queue file:
it delivers queued mail, and one killed mid-send leaves its mail to the next, which mails no
one twice."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Member, OutboxMail
from portal.services import notifications
from portal.tasks.queue import storage_for

#: The consumer is another process: the data is committed.
pytestmark = pytest.mark.committed

ROOT = Path(__file__).resolve().parent.parent
#: Every wait is bounded; the consumer is killed at the end whatever happens.
DEADLINE = 60


@contextlib.contextmanager
def real_queue(app, path: Path):
    """Enqueue into the queue file the consumer reads, instead of running tasks at once."""
    saved = {k: app.extensions[k] for k in ("huey_storage", "huey_immediate")}
    app.extensions["huey_storage"] = storage_for(f"sqlite:///{path}", str(path.parent))
    app.extensions["huey_immediate"] = False
    try:
        with app.app_context():
            yield
    finally:
        app.extensions.update(saved)


@pytest.fixture
def consumer(app, tmp_path, smtp_sink):
    """Start consumers (``start()``) on the test database, mailing the sink; all are killed
    after the test."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "PORTAL_QUEUE_MAIL_LEASE": "1",
        "PORTAL_MAIL_ENABLED": "true",
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(smtp_sink.port),
        "PORTAL_PUBLIC_URL": "http://localhost",
    }
    started = []

    def start(workers: int = 1) -> subprocess.Popen:
        with (tmp_path / f"consumer{len(started)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "queue", "consume", "--workers", str(workers)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    start.queue_file = tmp_path / "queue.sqlite"
    start.logs = lambda: "".join(p.read_text() for p in sorted(tmp_path.glob("consumer*.log")))
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE)


def _write(app, names):
    with app.app_context():
        app.config["MAIL_ENABLED"] = True
        ids = []
        for name in names:
            member = db.session.scalar(select(Member).where(Member.nickname == name))
            row = notifications.write(
                member,
                "comment",
                subject="New comment on your diary",
                lines=("%(name)s commented on your diary “%(title)s”.",),
                link=("home.index", {}),
                name="じろう",
                title="今日",
            )
            ids.append(row.id)
        db.session.commit()
        app.config["MAIL_ENABLED"] = False
        return ids


def _wait(condition, what):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_consumer_process_delivers_queued_mail(app, make_member, consumer, smtp_sink):
    make_member("hanako", nickname="はなこ")
    [outbox_id] = _write(app, ["はなこ"])
    with real_queue(app, consumer.queue_file):
        assert notifications.enqueue([outbox_id]) == 1
    consumer()
    assert smtp_sink.wait_for(1, DEADLINE), consumer.logs()
    assert smtp_sink.messages[0]["To"] == "hanako@example.jp"
    with app.app_context():
        _wait(lambda: db.session.get(OutboxMail, outbox_id).sent_at, "the mail marked sent")


def test_a_consumer_killed_mid_send_leaves_the_mail_to_the_next_which_mails_no_one_twice(
    app, make_member, consumer, smtp_sink
):
    for name in ("a", "b", "c"):
        make_member(name, nickname=name)
    ids = _write(app, ["a", "b", "c"])
    smtp_sink.hold("b@example.jp")  # b's mail hangs in the SMTP conversation
    with real_queue(app, consumer.queue_file):
        notifications.enqueue(ids)
    first = consumer()
    assert smtp_sink.holding.wait(DEADLINE), consumer.logs()
    first.send_signal(signal.SIGKILL)  # mid-task: b's mail claimed, not sent
    first.wait(timeout=DEADLINE)
    smtp_sink.release()  # the dead consumer's conversation ends unaccepted
    time.sleep(1.2)  # b's claim (a lease of one second) runs out
    consumer()
    assert smtp_sink.wait_for(3, DEADLINE), consumer.logs()
    time.sleep(1.5)  # time for a second copy to arrive, if any would
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "a@example.jp",
        "b@example.jp",
        "c@example.jp",
    ]
    with app.app_context():
        rows = {r.id: r for r in db.session.scalars(select(OutboxMail))}
        assert all(r.sent_at for r in rows.values())
        assert rows[ids[1]].attempts == 2

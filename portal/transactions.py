"""One commit per request, in one place.

Services flush; nothing else commits. After the view, a successful response (status below 400)
commits the request's work and any error response rolls it back, so a refused form or a failed
check never leaves half its work behind. E-mail notices queued during the request go out only
after the commit; footprints are written after it, in a short transaction of their own. The
session is saved after this, in its own transaction.

Every write through the ORM session (a flush with changes, an INSERT, UPDATE or DELETE
statement, or SQL text) is noted, and callbacks registered with :func:`on_write_commit` (the
page cache's content version) run after each commit that wrote. (A request that wrote nothing
is committed all the same: ending its transaction here turns a server gone meanwhile into the
503 page, where the teardown's rollback would fail after the response.)
"""

from collections.abc import Callable

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .services import footprints, notifications

_WROTE = "portal_wrote"
_callbacks: list[Callable[[], None]] = []


def _mark_flush(db_session: Session, flush_context) -> None:
    if db_session.new or db_session.dirty or db_session.deleted:
        db_session.info[_WROTE] = True


def _mark_statement(orm_execute_state) -> None:
    if not orm_execute_state.is_select:  # INSERT, UPDATE, DELETE, or SQL text that may be one
        orm_execute_state.session.info[_WROTE] = True


def _after_commit(db_session: Session) -> None:
    if db_session.info.pop(_WROTE, False):
        for callback in _callbacks:
            callback()


def _after_rollback(db_session: Session) -> None:
    db_session.info.pop(_WROTE, None)


def wrote() -> bool:
    """Return whether the request's session has written anything not yet committed."""
    return bool(db.session.info.get(_WROTE))


def on_write_commit(callback: Callable[[], None]) -> None:
    """Call ``callback`` after every commit that wrote something (in any ORM session)."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def _finish(response: Response) -> Response:
    if not _began():  # no statement ran (a visitor's page from the cache): nothing to end
        return response
    if response.status_code < 400:
        db.session.commit()
        notifications.flush()
        footprints.flush()
    else:
        db.session.rollback()
        notifications.discard()
        footprints.discard()
    return response


def _began() -> bool:
    """Return whether the request's ORM session began a transaction, or holds notices or
    footprints to send after one."""
    if not db.session.registry.has():
        return notifications.pending() or footprints.pending()
    return db.session().in_transaction() or notifications.pending() or footprints.pending()


def abandon() -> None:
    """Roll back the request's work (an error page is being served instead); its notices and
    footprints are dropped first, even when the rollback fails because the database is gone."""
    notifications.discard()
    footprints.discard()
    db.session.rollback()


def init_app(app: Flask) -> None:
    """Register the commit hook (after_request hooks run last-registered first: keep it early)."""
    app.after_request(_finish)
    if not event.contains(Session, "after_flush", _mark_flush):
        event.listen(Session, "after_flush", _mark_flush)
        event.listen(Session, "do_orm_execute", _mark_statement)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)

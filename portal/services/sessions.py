"""A member's sessions: ending all of them (password change, "log out everywhere", and later a
password reset or closing the account).

Sessions live in the session store (SQL or Redis, :mod:`portal.keitai.session_stores`), which
indexes them by member. Ending them deletes them there at once, whether they travel by cookie or in
URLs; a request of an ended session that is still running cannot bring it back.
"""

from __future__ import annotations

from flask import current_app

from ..keitai.session_ids import hash_id
from ..models import Member


def end_sessions(member: Member, *, keep_sid: str | None = None) -> int:
    """End ``member``'s sessions on every device; return how many ended.

    :param keep_sid: the id of a session to keep (the one changing the password; rotate it).
    """
    keep = hash_id(keep_sid) if keep_sid else None
    store = current_app.session_interface.store  # type: ignore[attr-defined]  # our ServerSessions
    return store.delete_owner(str(member.id), keep=keep)

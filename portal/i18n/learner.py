"""Learner mode: the one flag every learner aid asks (furigana, glosses, full-width UI kana).

``learner_mode()`` is the hook shared by the i18n layer and the learner aids: it is true when
this request's reader turned learner mode on. Until the learner settings exist it reads
``g.learner_mode`` (set by whatever decides it for the request) and else the session's
``learner`` key, so visitors can have it as they have a language.
"""

from __future__ import annotations

from flask import g, has_request_context, session

#: The session key a visitor's learner mode is kept under.
LEARNER_KEY = "learner"


def learner_mode() -> bool:
    """Return whether learner mode is on for this request."""
    if not has_request_context():
        return False
    if "learner_mode" in g:
        return bool(g.learner_mode)
    return bool(session.get(LEARNER_KEY))

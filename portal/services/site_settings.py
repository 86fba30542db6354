"""Site settings operators change on the admin pages, stored in the database.

Each setting has a default in the configuration under the same name (``SIGNUP_POLICY``,
``INVITATIONS_PER_MEMBER``); a value an operator saved overrides it. :func:`value` is the one
place that decides, so every process of the site reads the same setting (nothing is cached).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import SiteSetting
from ..models._time import utcnow
from . import ServiceError

#: Signup policies: by invitation only; by invitation or mobile-verified (a keitai mail address
#: proved by an empty mail, or a carrier subscriber ID); or open to anyone 18 or older.
INVITE, MOBILE, OPEN = "invite", "mobile", "open"
SIGNUP_POLICIES = (INVITE, MOBILE, OPEN)
#: The most open invitations an operator may allow each member.
INVITATIONS_MAX = 1000


@dataclass(frozen=True)
class Setting:
    """A setting's type: how a stored text reads, and which values are allowed."""

    kind: type
    choices: tuple = ()
    minimum: int | None = None
    maximum: int | None = None

    def parse(self, text: str):
        """Return ``text`` as this setting's value.

        :raise ValueError: for a value the setting does not allow.
        """
        value = self.kind(str(text).strip())
        if self.choices and value not in self.choices:
            raise ValueError(text)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(text)
        if self.maximum is not None and value > self.maximum:
            raise ValueError(text)
        return value


#: The settings operators may change, by their configuration name.
SETTINGS = {
    "SIGNUP_POLICY": Setting(str, choices=SIGNUP_POLICIES),
    "INVITATIONS_PER_MEMBER": Setting(int, minimum=0, maximum=INVITATIONS_MAX),
}


def value(name: str):
    """Return the setting ``name``: the operators' saved value, else the configuration's.

    A stored value that no longer reads (a hand-edited row) falls back to the default.
    """
    setting = SETTINGS[name]
    row = db.session.get(SiteSetting, name)
    if row is not None:
        try:
            return setting.parse(row.value)
        except ValueError:
            pass
    return current_app.config[name]


def is_saved(name: str) -> bool:
    """Return whether an operator saved ``name`` (else the configuration's default holds)."""
    return db.session.get(SiteSetting, name) is not None


def save(name: str, text: object) -> tuple[object, object]:
    """Store a new value of ``name``; return the old and the new value.

    :raise ServiceError: for a value the setting does not allow.
    """
    setting = SETTINGS[name]
    try:
        new = setting.parse(str(text))
    except ValueError as exc:
        raise ServiceError(_l("Please check this value."), name.lower()) from exc
    old = value(name)
    row = db.session.get(SiteSetting, name)
    if row is None:
        db.session.add(SiteSetting(key=name, value=str(new), updated_at=utcnow()))
    else:
        row.value, row.updated_at = str(new), utcnow()
    db.session.flush()
    return old, new

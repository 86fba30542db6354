"""Password hashing with argon2id (argon2-cffi), parameters from the app config."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

#: A valid hash of a random password, verified when the e-mail is unknown so that a login's
#: timing does not tell which addresses are registered.
_DUMMY_PASSWORD = "not-a-member-password"  # noqa: S105


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("portal.hasher")
    if hasher is None:
        cfg = current_app.config
        hasher = PasswordHasher(
            time_cost=cfg["PASSWORD_HASH_TIME_COST"],
            memory_cost=cfg["PASSWORD_HASH_MEMORY_COST"],
            parallelism=cfg["PASSWORD_HASH_PARALLELISM"],
        )
        current_app.extensions["portal.hasher"] = hasher
        current_app.extensions["portal.dummy_hash"] = hasher.hash(_DUMMY_PASSWORD)
    return hasher


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches ``stored_hash``; ``None`` spends the same time."""
    hasher = _hasher()
    try:
        return hasher.verify(
            stored_hash or current_app.extensions["portal.dummy_hash"], password
        ) and (stored_hash is not None)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Return whether the hash was made with weaker parameters than configured now."""
    return _hasher().check_needs_rehash(stored_hash)

"""Session ids and the fingerprints a URL-carried session is bound to (:mod:`.session`).

Stored keys are hashes of the ids (:func:`hash_id`), so a leaked store opens no session; a
URL-carried session is bound to the phone (:func:`hash_binding`) and its subscriber ID
(:func:`hash_subscriber`, :func:`subscriber_matches`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TypeGuard

from .carriers import SUBSCRIBER_ID_ON_EVERY_REQUEST
from .device import Device

#: The longest session id honoured (ours are 27 characters); anything longer is refused.
MAX_ID_LENGTH = 64


def hash_id(sid: str) -> str:
    """Return the storage key for a session id (its SHA-256), so stored keys open nothing."""
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


def hash_binding(device: Device) -> str:
    """Return the fingerprint a URL-carried session is bound to: the User-Agent and the carrier
    whose gateway range the request came from (a copied UA from elsewhere does not match)."""
    text = f"{device.gateway or '-'}\n{device.user_agent}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def hash_subscriber(secret: str | bytes, device: Device) -> str | None:
    """Return a keyed hash of the device's (gateway-vouched) subscriber ID, or ``None``."""
    if device.subscriber_id is None:
        return None
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    text = f"{device.carrier}:{device.subscriber_id}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def subscriber_matches(bound: str | None, sent: str | None, carrier: str) -> bool:
    """Return whether a request's subscriber ID (hashed: ``sent``) fits the session's
    (``bound``). au and SoftBank send the ID on every request or never; docomo only to
    ``guid=ON`` URLs, so there a missing ID on either side is no mismatch."""
    if bound == sent:
        return True
    if carrier in SUBSCRIBER_ID_ON_EVERY_REQUEST:
        return False
    return bound is None or sent is None


def new_id() -> str:
    """Return a fresh session id: 160 random bits in 27 URL-safe characters (short URLs)."""
    return secrets.token_urlsafe(20)


def valid_id(sid: str | None) -> TypeGuard[str]:
    """Return whether ``sid`` could be one of our ids (not too long, URL-safe characters)."""
    return (
        sid is not None
        and 0 < len(sid) <= MAX_ID_LENGTH
        and sid.isascii()
        and _ID_CHARS.issuperset(sid)
    )


_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
